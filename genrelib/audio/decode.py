"""Decoding a file as it is stored: one decoder order for the header probe and full reads.

soundfile (libsndfile: WAV, AU, FLAC, OGG, MP3) first, then audioread when it is installed
(librosa >= 1.0 reads through soundfile only, so ``librosa.load`` would add no format).
Channels are averaged (downmix by mean). Every failure is an ``AudioError`` naming the file.
Notebook: 01_data.ipynb
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import numpy as np
import soundfile as sf

__all__ = ["AudioError", "probe_audio", "read_audio"]

_PROBE_FRAMES = 1024  # frames decoded by probe_audio to check that a file is really audio


class AudioError(ValueError):
    """A file that cannot be used as audio (missing, empty, undecodable, non-finite, too short).

    The message starts with the file's path and says why and what to do.
    """


# A decoder: (path, frames to read or None for all) -> (samples (n, channels) float32,
# sample rate, channels, frames in the whole file).
Decoded = tuple[np.ndarray, int, int, int]
Decoder = Callable[[Path, int | None], Decoded]
_T = TypeVar("_T")


def _soundfile_decode(path: Path, max_frames: int | None) -> Decoded:
    with sf.SoundFile(path) as handle:
        frames = handle.frames
        data = handle.read(-1 if max_frames is None else min(frames, max_frames),
                           dtype="float32", always_2d=True)
        return data, handle.samplerate, handle.channels, frames


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
    return (pcm[:max_frames] / np.float32(32768.0)).astype(np.float32), rate, channels, frames


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
    """A decoder's error message without the path soundfile repeats in it."""
    return str(error).replace(f"Error opening {str(path)!r}: ", "")


def cannot_decode(path: Path, reasons: list[tuple[str, str]]) -> AudioError:
    """The AudioError for a file no decoder could read: ``reasons`` is [(decoder, why)]."""
    reason = reasons[0][1] if len(reasons) == 1 else "; ".join(f"{n}: {r}" for n, r in reasons)
    return AudioError(f"{path}: cannot decode audio ({reason}); re-encode it (e.g. as 16-bit "
                      "WAV) or remove it from the dataset")


def first_decoder(path: Path, attempt: Callable[[str, Decoder], _T]) -> _T:
    """``attempt(name, decode)`` with each decoder of ``decoders`` in turn: the first result,
    or AudioError naming ``path`` and every decoder's reason."""
    _check_file(path)
    reasons = []
    for name, decode in decoders():
        try:
            return attempt(name, decode)
        except Exception as error:  # each library raises its own kinds; all mean "cannot"
            reasons.append((name, decoder_reason(path, error)))
    raise cannot_decode(path, reasons)


def _decode(path: str | os.PathLike[str], max_frames: int | None) -> Decoded:
    """Decode ``path`` with the first decoder of ``decoders`` that can; AudioError otherwise."""
    path = Path(path)
    return first_decoder(path, lambda _, decode: decode(path, max_frames))


def probe_audio(path: str | os.PathLike[str]) -> dict:
    """Read a file's header, checked by decoding its first block (the file is not read whole).

    Parameters
    ----------
    path : str or PathLike
        The audio file.

    Returns
    -------
    dict
        ``{"duration": seconds, "sample_rate": Hz, "channels": n}``.

    Raises
    ------
    AudioError
        A ValueError naming the file and the reason when it cannot be read (missing, empty,
        not audio, corrupt, no samples).
    """
    _, rate, channels, frames = _decode(path, _PROBE_FRAMES)
    if frames <= 0 or rate <= 0:
        raise AudioError(f"{path}: no audio samples (header says {frames} frames at {rate} Hz)")
    return {"duration": frames / rate, "sample_rate": int(rate), "channels": int(channels)}


def read_audio(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Read a file as it is stored, downmixed to mono.

    Parameters
    ----------
    path : str or PathLike
        The audio file.

    Returns
    -------
    y : np.ndarray
        float32 of shape (n_samples,), in [-1, 1].
    sample_rate : int
        The file's rate in Hz.

    Raises
    ------
    AudioError
        Naming the file and the reason when it cannot be decoded, is empty or holds
        non-finite samples.
    """
    data, rate, _, _ = _decode(path, None)
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
