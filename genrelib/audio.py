"""Audio in: any format, rate or channel count -> mono float32 at 22,050 Hz, fixed length.

The one decoder of the library, with one fallback order for both the header probe
(``probe_audio``, used to index a dataset) and full decoding (``read_audio``): soundfile
(libsndfile: WAV, AU, FLAC, OGG, MP3) first, then audioread when it is installed (librosa
>= 1.0 reads through soundfile only, so ``librosa.load`` would add no format). Channels are
averaged (downmix by mean); the signal is resampled with ``librosa.resample`` (soxr) only
when its rate differs from the target.

``stream_audio`` decodes the same way chunk by chunk (soundfile blocks, the same soxr filter
run as a stream), so a long recording need not be held whole (an MP3 is: libsndfile decodes
it differently in blocks).

Length normalisation (deterministic): GTZAN clips last 29.9-30.6 s, so every clip is cut to
exactly ``clip_seconds``: samples beyond it are dropped from the END, and a shorter clip is
zero-padded at the END. A clip shorter than one segment is refused (``ClipTooShortError``)
rather than padded into mostly-silent segments.
Notebook: 01_data.ipynb, 02_features.ipynb
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from itertools import chain
from pathlib import Path
from typing import TypeVar

import numpy as np
import soundfile as sf

from genrelib.config import SAMPLE_RATE, FeatureConfig

__all__ = [
    "AudioError",
    "ClipTooShortError",
    "check_clip_length",
    "fit_length",
    "load_audio",
    "mono_signal",
    "probe_audio",
    "read_audio",
    "segment_starts",
    "stream_audio",
]

_PROBE_FRAMES = 1024  # frames decoded by probe_audio to check that a file is really audio
#: The resampler of ``load_audio`` (librosa's default, soxr "HQ"); ``stream_audio`` runs the
#: same filter as a stream (``soxr.ResampleStream``), so both give the same samples.
_RESAMPLER = "soxr_hq"
#: Resampled samples ``stream_audio`` holds back until the end of the file: soxr's streamed
#: output may differ from ``ceil(n * ratio)`` samples by one, fixed at the end as librosa does.
_RESAMPLE_TAIL = 64


class AudioError(ValueError):
    """A file that cannot be used as audio (missing, empty, undecodable, non-finite, too short).

    The message starts with the file's path and says why and what to do.
    """


class ClipTooShortError(AudioError):
    """A clip shorter than one segment: the message names the file, its duration and the
    segment length.
    """


# A decoder: (path, frames to read or None for all) -> (samples (n, channels) float32,
# sample rate, channels, frames in the whole file).
_Decoded = tuple[np.ndarray, int, int, int]
_T = TypeVar("_T")


def _soundfile_decode(path: Path, max_frames: int | None) -> _Decoded:
    with sf.SoundFile(path) as handle:
        frames = handle.frames
        data = handle.read(-1 if max_frames is None else min(frames, max_frames),
                           dtype="float32", always_2d=True)
        return data, handle.samplerate, handle.channels, frames


def _audioread_decode(path: Path, max_frames: int | None) -> _Decoded:
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


def _decoders() -> Iterator[tuple[str, Callable[[Path, int | None], _Decoded]]]:
    """The fallback order: soundfile, then audioread when installed."""
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


def _reason(path: Path, error: Exception) -> str:
    """A decoder's error message without the path soundfile repeats in it."""
    return str(error).replace(f"Error opening {str(path)!r}: ", "")


def _cannot_decode(path: Path, reasons: list[tuple[str, str]]) -> AudioError:
    reason = reasons[0][1] if len(reasons) == 1 else "; ".join(f"{n}: {r}" for n, r in reasons)
    return AudioError(f"{path}: cannot decode audio ({reason}); re-encode it (e.g. as 16-bit "
                      "WAV) or remove it from the dataset")


def _first_decoder(path: Path, attempt: Callable[[str, Callable], _T]) -> _T:
    """``attempt(name, decode)`` with each decoder of ``_decoders`` in turn: the first result,
    or AudioError naming ``path`` and every decoder's reason."""
    _check_file(path)
    reasons = []
    for name, decode in _decoders():
        try:
            return attempt(name, decode)
        except Exception as error:  # each library raises its own kinds; all mean "cannot"
            reasons.append((name, _reason(path, error)))
    raise _cannot_decode(path, reasons)


def _decode(path: str | os.PathLike[str], max_frames: int | None) -> _Decoded:
    """Decode ``path`` with the first decoder of ``_decoders`` that can; AudioError otherwise."""
    path = Path(path)
    return _first_decoder(path, lambda _, decode: decode(path, max_frames))


def probe_audio(path: str | os.PathLike[str]) -> dict:
    """``{"duration": s, "sample_rate": Hz, "channels": n}`` read from the file's header,
    checked by decoding its first block (fast: the file is not read whole).

    Raises AudioError (a ValueError) naming the file and the reason when it cannot be read
    (missing, empty, not audio, corrupt, no samples).
    """
    _, rate, channels, frames = _decode(path, _PROBE_FRAMES)
    if frames <= 0 or rate <= 0:
        raise AudioError(f"{path}: no audio samples (header says {frames} frames at {rate} Hz)")
    return {"duration": frames / rate, "sample_rate": int(rate), "channels": int(channels)}


def read_audio(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Read a file as it is stored, downmixed to mono.

    Returns ``(y, sample_rate)`` with ``y`` float32 of shape (n_samples,) in [-1, 1].
    Raises AudioError naming the file and the reason when it cannot be decoded, is empty or
    holds non-finite samples.
    """
    data, rate, _, _ = _decode(path, None)
    y = _downmix(data, path)
    if y.size == 0:
        raise AudioError(f"{path}: the file holds no audio samples")
    return y, int(rate)


def _downmix(data: np.ndarray, path: str | os.PathLike[str]) -> np.ndarray:
    """Decoded samples (n, channels) -> contiguous float32 (n,), the mean of the channels;
    AudioError naming ``path`` when a sample is NaN or infinite."""
    y = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    y = np.ascontiguousarray(y, dtype=np.float32)
    if not np.isfinite(y).all():
        raise AudioError(f"{path}: the file holds NaN or infinite samples")
    return y


def mono_signal(y: np.ndarray, *, caller: str) -> np.ndarray:
    """``y`` as a float32 array of shape (n_samples,); ValueError naming ``caller`` and the
    shape when it is not one-dimensional.
    """
    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 1:
        raise ValueError(f"{caller} expects a mono signal of shape (n_samples,), got shape {y.shape}")
    return y


def fit_length(y: np.ndarray, n_samples: int) -> np.ndarray:
    """Cut or zero-pad ``y`` (n,) at its END to exactly ``n_samples``.

    Returns a float32 array of shape (n_samples,); the start of the clip is never moved,
    so the result is deterministic.
    Notebook: 01_data.ipynb
    """
    if n_samples < 0:
        raise ValueError(f"n_samples must be >= 0, got {n_samples}")
    y = mono_signal(y, caller="fit_length")
    if y.shape[0] >= n_samples:
        return y[:n_samples]
    return np.pad(y, (0, n_samples - y.shape[0]))


def load_audio(
    path: str | os.PathLike[str],
    *,
    sample_rate: int = SAMPLE_RATE,
    clip_seconds: float | None = 30.0,
    min_seconds: float | None = None,
) -> np.ndarray:
    """Load any audio file as mono float32 at ``sample_rate``.

    With ``clip_seconds`` the result has exactly ``round(clip_seconds * sample_rate)``
    samples (trimmed or zero-padded at the end, see ``fit_length``); with None the full
    length is kept. With ``min_seconds`` a clip shorter than that (before padding) raises
    ClipTooShortError naming the file, its duration and the minimum. Unreadable files
    raise AudioError naming the file and the reason. Returns shape (n_samples,).
    Notebook: 02_features.ipynb
    """
    y, rate = read_audio(path)
    if rate != sample_rate:
        import librosa

        y = librosa.resample(y, orig_sr=rate, target_sr=sample_rate, res_type=_RESAMPLER)
        y = y.astype(np.float32, copy=False)
    if min_seconds is not None:
        check_clip_length(path, y.shape[0], sample_rate=sample_rate, min_seconds=min_seconds)
    if clip_seconds is not None:
        y = fit_length(y, int(round(clip_seconds * sample_rate)))
    return np.ascontiguousarray(y)


def check_clip_length(path: str | os.PathLike[str], n_samples: int, *, sample_rate: int,
                      min_seconds: float) -> None:
    """Raise ClipTooShortError naming ``path``, its duration and ``min_seconds`` (one segment)
    when ``n_samples`` at ``sample_rate`` are fewer than ``round(min_seconds * sample_rate)``."""
    if n_samples < int(round(min_seconds * sample_rate)):
        raise ClipTooShortError(
            f"{path}: the clip lasts {n_samples / sample_rate:.2f} s, shorter than one "
            f"segment ({min_seconds:g} s); use longer audio or a shorter segment_seconds"
        )


def segment_starts(n_samples: int, cfg: FeatureConfig) -> np.ndarray:
    """Start sample of every segment of a signal of ``n_samples``: ``i * cfg.segment_hop_samples``
    for i = 0 .. n_segments - 1, where only whole segments count.

    Returns int64 of shape (n_segments,) (19 starts for a 30 s clip with the defaults).
    Raises ValueError naming both sizes when the signal is shorter than one segment.
    """
    size = cfg.segment_samples
    if n_samples < size:
        raise ValueError(
            f"signal of {n_samples} samples ({n_samples / cfg.sample_rate:.2f} s) is shorter than "
            f"one segment of {size} samples ({cfg.segment_seconds:g} s); use longer audio or a "
            "shorter segment_seconds"
        )
    n_segments = 1 + (n_samples - size) // cfg.segment_hop_samples
    return np.arange(n_segments, dtype=np.int64) * cfg.segment_hop_samples



# --------------------------------------------------------------------------- streaming


def _soundfile_blocks(path: Path, seconds: float) -> Iterator:
    """soundfile's blocks of ``path``: first ``(sample rate, channels)``, then float32 arrays
    (n, channels) of about ``seconds`` each, to the end of the file (``_READ_WHOLE`` formats:
    decoded whole, then cut)."""
    with sf.SoundFile(path) as handle:
        yield handle.samplerate, handle.channels
        frames = max(1, int(round(seconds * handle.samplerate)))
        if handle.format in _READ_WHOLE:
            yield from _cut(handle.read(-1, dtype="float32", always_2d=True), frames)
            return
        while len(block := handle.read(frames, dtype="float32", always_2d=True)):
            yield block


#: Formats soundfile decodes differently when read in blocks: libsndfile 1.2's MPEG decoder
#: returns other samples (a glitch of about a thousand samples) after some block ends, so an
#: MP3 is decoded whole, as ``read_audio`` does, and only then cut into chunks.
_READ_WHOLE = ("MP3",)


def _cut(data: np.ndarray, frames: int) -> Iterator[np.ndarray]:
    return (data[start:start + frames] for start in range(0, len(data), frames))


def _whole_blocks(decode: Callable[[Path, int | None], _Decoded], path: Path, seconds: float) -> Iterator:
    """As ``_soundfile_blocks``, for a decoder that reads the whole file at once."""
    data, rate, channels, _ = decode(path, None)
    yield rate, channels
    yield from _cut(data, max(1, int(round(seconds * rate))))


#: Decoders that can read a file block by block; the others are read whole, then cut.
_BLOCK_READERS = {"soundfile": _soundfile_blocks}


def _open_blocks(path: Path, seconds: float) -> tuple[int, Iterator[np.ndarray]]:
    """(sample rate, blocks (n, channels) float32) from the first decoder of ``_decoders``
    that opens ``path`` and decodes its first block; AudioError naming every reason otherwise.
    A decoder that fails later raises AudioError naming the file and the reason."""
    def attempt(name: str, decode: Callable) -> tuple[int, Iterator[np.ndarray]]:
        reader = _BLOCK_READERS.get(name)
        blocks = reader(path, seconds) if reader else _whole_blocks(decode, path, seconds)
        rate, _ = next(blocks)
        first = next(blocks, None)
        return int(rate), chain([] if first is None else [first], _failing_as_audio_error(blocks, path))

    return _first_decoder(path, attempt)


def _failing_as_audio_error(blocks: Iterator[np.ndarray], path: Path) -> Iterator[np.ndarray]:
    try:
        yield from blocks
    except Exception as error:  # e.g. a truncated FLAC: "flac decoder lost sync"
        raise _cannot_decode(path, [("", _reason(path, error))]) from None


def _resampled(chunks: Iterator[np.ndarray], rate: int, sample_rate: int) -> Iterator[np.ndarray]:
    """Mono ``chunks`` at ``rate`` resampled as one stream to ``sample_rate``: the samples of
    ``librosa.resample`` of their concatenation (soxr HQ, cut or zero-padded to
    ``ceil(n * sample_rate / rate)``), chunk by chunk."""
    import soxr

    stream = soxr.ResampleStream(rate, sample_rate, 1, dtype="float32", quality=_RESAMPLER)
    n_in = n_out = 0
    held = np.zeros(0, dtype=np.float32)
    for chunk in chunks:
        n_in += chunk.shape[0]
        held = np.concatenate([held, stream.resample_chunk(chunk)])
        if held.shape[0] > _RESAMPLE_TAIL:
            n_out += held.shape[0] - _RESAMPLE_TAIL
            yield held[:-_RESAMPLE_TAIL]
            held = held[-_RESAMPLE_TAIL:]
    held = np.concatenate([held, stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True)])
    yield fit_length(held, int(np.ceil(n_in * (float(sample_rate) / rate))) - n_out)


def stream_audio(
    path: str | os.PathLike[str], *, sample_rate: int = SAMPLE_RATE, chunk_seconds: float = 30.0,
) -> Iterator[np.ndarray]:
    """Decode any audio file chunk by chunk as mono float32 at ``sample_rate``.

    Yields arrays of shape (n,) of about ``chunk_seconds`` each (at the file's rate); their
    concatenation equals ``load_audio(path, sample_rate=sample_rate, clip_seconds=None)``
    (same decoders in the same order, downmix by mean, the same soxr filter run as a stream),
    while memory holds about one chunk: soundfile reads the file block by block (an MP3, and
    any file a fallback decoder reads, is decoded whole first: see ``_READ_WHOLE``). Nothing
    is length-normalised. Raises AudioError naming the file and the reason (missing, empty,
    undecodable, truncated, non-finite samples), at the first chunk or when the problem is met.
    """
    if not chunk_seconds > 0:
        raise ValueError(f"chunk_seconds must be positive, got {chunk_seconds}")
    path = Path(path)
    rate, blocks = _open_blocks(path, chunk_seconds)
    chunks = (_downmix(block, path) for block in blocks)
    total = 0
    for chunk in chunks if rate == sample_rate else _resampled(chunks, rate, sample_rate):
        if chunk.shape[0]:
            total += chunk.shape[0]
            yield chunk
    if total == 0:
        raise AudioError(f"{path}: the file holds no audio samples")
