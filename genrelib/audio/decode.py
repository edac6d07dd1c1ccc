"""Decoding a file as it is stored: one decoder order for the header probe and full reads.

soundfile (libsndfile: WAV, AU, FLAC, OGG, MP3, AIFF) first, then audioread when it is installed
(librosa >= 1.0 reads through soundfile only, so ``librosa.load`` would add no format).
Channels are averaged (downmix by mean). Every failure is an ``AudioError`` naming the file;
a file that ends before the length its header promises is a ``TruncatedAudioError``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple, TypeVar

import numpy as np
import soundfile as sf

from genrelib.audio.header import TOLERANCE_SECONDS, open_sound_file, promised_frames
from genrelib.errors import GenrelibWarning

__all__ = ["AudioError", "TruncatedAudioError", "TruncatedAudioWarning", "probe_audio", "read_audio"]

_PROBE_FRAMES = 1024  # frames decoded by probe_audio to check that a file is really audio


class AudioError(ValueError):
    """A file that cannot be used as audio (missing, empty, undecodable, non-finite, too short).

    The message starts with the file's path and says why and what to do.
    """


class TruncatedAudioError(AudioError):
    """A file that ends before the length its header promises (an interrupted copy or
    download): the message reads "PATH: truncated: N of M seconds ..."."""


class TruncatedAudioWarning(GenrelibWarning):
    """A truncated file read all the same (``allow_truncated=True``): what is there is used."""


class Decoded(NamedTuple):
    """What a decoder read: ``data`` float32 (n, channels) (the first frames only for a
    probe), ``rate`` Hz, ``channels``, ``frames`` in the file as far as it decodes,
    ``promised`` frames of its header (None when the format does not say exactly) and
    ``stopped``: the decoder's message when it failed before the end (else None)."""

    data: np.ndarray
    rate: int
    channels: int
    frames: int
    promised: int | None = None
    stopped: str | None = None


Decoder = Callable[[Path, int | None], Decoded]  # (path, frames to read or None for all) -> Decoded
_T = TypeVar("_T")
DECODE_BLOCK_FRAMES = 4096  # frames per read when counting how far a broken file decodes


def _soundfile_decode(path: Path, max_frames: int | None) -> Decoded:
    with open_sound_file(path) as handle:
        promised = promised_frames(path, handle)
        rate, channels, frames = handle.samplerate, handle.channels, handle.frames
        if max_frames is not None:
            data = handle.read(min(frames, max_frames), dtype="float32", always_2d=True)
            if promised is not None and frames > max_frames and not _tail_decodes(handle, frames):
                frames, stopped = decodable_frames(path)
                return Decoded(data, rate, channels, frames, promised, stopped)
            return Decoded(data, rate, channels, frames, promised)
        try:
            data = handle.read(-1, dtype="float32", always_2d=True)
        except Exception as error:  # e.g. a truncated FLAC: "flac decoder lost sync"
            if promised is None:
                raise
            data, stopped = _read_until_failure(path)
            stopped = stopped or decoder_reason(path, error)
            return Decoded(data, rate, channels, len(data), promised, stopped)
        return Decoded(data, rate, channels, len(data), promised)


def _tail_decodes(handle: sf.SoundFile, frames: int) -> bool:
    """Whether the last block of an open file decodes in full (cheap: one seek)."""
    try:
        handle.seek(frames - DECODE_BLOCK_FRAMES if frames > DECODE_BLOCK_FRAMES else 0)
        return len(handle.read(DECODE_BLOCK_FRAMES, dtype="float32")) == min(frames, DECODE_BLOCK_FRAMES)
    except Exception:  # libsndfile fails to seek into a cut FLAC
        return False


def _read_until_failure(path: Path) -> tuple[np.ndarray, str | None]:
    """The frames of ``path`` (n, channels) float32 that decode, block by block, up to the
    first failure, and the decoder's message (None when it reached the end)."""
    blocks, stopped = [], None
    with open_sound_file(path) as handle:
        empty = np.zeros((0, handle.channels), np.float32)
        try:
            while len(block := handle.read(DECODE_BLOCK_FRAMES, dtype="float32", always_2d=True)):
                blocks.append(block)
        except Exception as error:
            stopped = decoder_reason(path, error)
    return (np.concatenate(blocks) if blocks else empty), stopped


def decodable_frames(path: Path) -> tuple[int, str | None]:
    """How many frames of ``path`` decode (reading it to the end or the first failure), and
    the decoder's message when it failed."""
    count, stopped = 0, None
    with open_sound_file(path) as handle:
        try:
            while n := len(handle.read(DECODE_BLOCK_FRAMES, dtype="float32", always_2d=True)):
                count += n
        except Exception as error:
            stopped = decoder_reason(path, error)
    return count, stopped


def _audioread_decode(path: Path, max_frames: int | None) -> Decoded:
    import audioread

    with audioread.audio_open(str(path)) as handle:
        rate, channels = int(handle.samplerate), int(handle.channels)
        frames = int(round(handle.duration * rate))
        blocks, read = [], 0
        for block in handle:  # interleaved 16-bit little-endian PCM
            blocks.append(np.frombuffer(block, dtype="<i2"))
            read += blocks[-1].size // max(channels, 1)
            if max_frames is not None and read >= max_frames:
                break
    pcm = np.concatenate(blocks) if blocks else np.zeros(0, dtype="<i2")
    pcm = pcm[:pcm.size - pcm.size % channels].reshape(-1, channels)
    return Decoded((pcm[:max_frames] / np.float32(32768.0)).astype(np.float32), rate, channels, frames)


def decoders() -> Iterator[tuple[str, Decoder]]:
    """The fallback order: ("soundfile", decode), then ("audioread", decode) when installed."""
    yield "soundfile", _soundfile_decode
    try:
        import audioread  # noqa: F401
    except ImportError:
        return
    yield "audioread", _audioread_decode


def _check_file(path: Path) -> None:
    """AudioError naming ``path`` when it is missing, unreadable or empty."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise AudioError(f"{path}: no such audio file") from None
    except OSError as error:
        raise AudioError(f"{path}: cannot read ({error.strerror or error})") from None
    if size == 0:
        raise AudioError(f"{path}: empty file (0 bytes)")


def decoder_reason(path: Path, error: Exception) -> str:
    """A decoder's message without the path soundfile repeats; a corrupt MP3's "File does not exist" made true."""
    said = str(error).replace(f"Error opening {os.fsencode(path)!r}: ", "")  # soundfile opens the name's bytes
    reason = said.replace(f"Error opening {str(path)!r}: ", "").strip()
    misleading = not reason or reason.startswith("File does not exist or is not a regular file")
    return "not audio in a format it recognises: corrupt, or another format" if misleading else reason


def cannot_decode(path: Path, reasons: list[tuple[str, str]]) -> AudioError:
    """The AudioError for a file no decoder could read: ``reasons`` is [(decoder, why)]."""
    reason = reasons[0][1] if len(reasons) == 1 else "; ".join(f"{n}: {r}" for n, r in reasons)
    return AudioError(f"{path}: cannot decode audio ({reason}); re-encode it (e.g. as 16-bit "
                      "WAV) or leave it out")


def first_decoder(path: Path, attempt: Callable[[str, Decoder], _T]) -> _T:
    """``attempt(name, decode)`` with each decoder of ``decoders`` in turn: the first result,
    or AudioError naming ``path`` and every decoder's reason."""
    _check_file(path)
    reasons = []
    for name, decode in decoders():
        try:
            return attempt(name, decode)
        except AudioError:  # the file was read, and it is bad: no other decoder is asked
            raise
        except Exception as error:  # each library raises its own kinds; all mean "cannot"
            reasons.append((name, decoder_reason(path, error)))
    raise cannot_decode(path, reasons)


def check_complete(path: str | os.PathLike[str], frames: int, promised: int | None, rate: int, *,
                   stopped: str | None = None, allow_truncated: bool = False) -> None:
    """Refuse a file that ends before its header's length (by more than ``TOLERANCE_SECONDS``,
    or at a decoding failure).

    Parameters
    ----------
    path : str or PathLike
        The file, named in the message.
    frames, rate : int
        Frames it holds (that decode), and its sample rate in Hz.
    promised : int or None
        Frames its header promises; None: the format does not say, nothing is compared.
    stopped : str or None
        The decoder's message when decoding failed before the end.
    allow_truncated : bool
        Warn (``TruncatedAudioWarning``) instead of raising for a truncated file.

    Raises
    ------
    TruncatedAudioError
        "PATH: truncated: N of M seconds ..." when it is; AudioError when decoding failed and
        the header gives no length to compare with.
    """
    path = Path(path)
    if promised is None:
        if stopped:
            raise cannot_decode(path, [("", stopped)])
        return
    missing = promised - frames
    if missing <= 0 or (not stopped and missing <= TOLERANCE_SECONDS * rate):
        return
    how = f"decoding stops there: {stopped}" if stopped else "the file ends before its header's length"
    message = (f"{path}: truncated: {frames / rate:.1f} of {promised / rate:.1f} seconds ({how}); "
               "copy or download it again, or remove it")
    if not allow_truncated:
        raise TruncatedAudioError(message)
    warnings.warn(message + "; what is there is used", TruncatedAudioWarning, stacklevel=3)


def _decode(path: str | os.PathLike[str], max_frames: int | None, *,
            allow_truncated: bool = False) -> Decoded:
    """Decode ``path`` with the first decoder of ``decoders`` that can, checked to be whole
    (``check_complete``); AudioError otherwise."""
    path = Path(path)
    decoded = first_decoder(path, lambda _, decode: decode(path, max_frames))
    check_complete(path, decoded.frames, decoded.promised, decoded.rate, stopped=decoded.stopped,
                   allow_truncated=allow_truncated)
    return decoded


def probe_audio(path: str | os.PathLike[str], *, decode_all: bool = False) -> dict:
    """Read a file's header, checked by decoding its first block (the file is not read whole)
    and, when the header promises a length, its last block (a FLAC cut short fails there).

    Parameters
    ----------
    path : str or PathLike
        The audio file.
    decode_all : bool
        Decode every frame instead (slow; ``genrelib data check``): a damaged middle fails too,
        and so do NaN or infinite samples (as ``downmix`` refuses them everywhere).

    Returns
    -------
    dict
        ``{"duration": seconds, "sample_rate": Hz, "channels": n}``.

    Raises
    ------
    AudioError
        A ValueError naming the file and the reason when it cannot be read (missing, empty,
        not audio, corrupt, no samples); ``TruncatedAudioError`` when it ends before the
        length its header promises.
    """
    data, rate, channels, frames, _, _ = _decode(path, None if decode_all else _PROBE_FRAMES)
    if frames <= 0 or rate <= 0:
        raise AudioError(f"{path}: no audio samples (header says {frames} frames at {rate} Hz)")
    if decode_all:
        downmix(data, path)
    return {"duration": frames / rate, "sample_rate": int(rate), "channels": int(channels)}


def read_audio(path: str | os.PathLike[str], *, allow_truncated: bool = False) -> tuple[np.ndarray, int]:
    """Read a file as it is stored, downmixed to mono.

    Parameters
    ----------
    path : str or PathLike
        The audio file.
    allow_truncated : bool
        Return what a truncated file holds, with a ``TruncatedAudioWarning``, instead of
        raising ``TruncatedAudioError``.

    Returns
    -------
    y : np.ndarray
        float32 of shape (n_samples,), in [-1, 1].
    sample_rate : int
        The file's rate in Hz.

    Raises
    ------
    AudioError
        Naming the file and the reason when it cannot be decoded, is empty, is truncated
        (``TruncatedAudioError``) or holds non-finite samples.
    """
    data, rate, *_ = _decode(path, None, allow_truncated=allow_truncated)
    y = downmix(data, path)
    if y.size == 0:
        raise AudioError(f"{path}: the file holds no audio samples")
    return y, int(rate)


def downmix(data: np.ndarray, path: str | os.PathLike[str]) -> np.ndarray:
    """Decoded samples (n, channels) -> contiguous float32 (n,), the mean of the channels;
    AudioError naming ``path`` when a sample is NaN or infinite."""
    y = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    y = np.ascontiguousarray(y, dtype=np.float32)
    if not np.isfinite(y).all():
        raise AudioError(f"{path}: the file holds NaN or infinite samples")
    return y
