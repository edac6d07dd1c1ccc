"""Audio in: any format, rate or channel count -> mono float32 at 22,050 Hz, fixed length, segments.

Reading uses soundfile (WAV, AU, FLAC, OGG, MP3, ...) and falls back to librosa/audioread for
anything libsndfile cannot open. Channels are averaged (downmix by mean); the signal is
resampled with ``librosa.resample`` (soxr) only when its rate differs from the target.

Length normalisation (deterministic): GTZAN clips last 29.9-30.6 s, so every clip is cut to
exactly ``clip_seconds``: samples beyond it are dropped from the END, and a shorter clip is
zero-padded at the END. A clip shorter than one segment is refused (``ClipTooShortError``)
rather than padded into mostly-silent segments.
Notebook: 02_features.ipynb
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import soundfile as sf

from genrelib.config import SAMPLE_RATE, FeatureConfig

__all__ = [
    "AudioError",
    "ClipTooShortError",
    "fit_length",
    "load_audio",
    "read_audio",
    "segment_audio",
    "segment_starts",
]


class AudioError(ValueError):
    """A file that cannot be used as audio (unreadable, empty, non-finite, too short).

    The message names the file and the reason.
    Notebook: 02_features.ipynb
    """


class ClipTooShortError(AudioError):
    """A clip shorter than one segment: the message names the file, its duration and the
    segment length. Notebook: 02_features.ipynb
    """


def read_audio(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Read a file as it is stored, downmixed to mono.

    Returns ``(y, sample_rate)`` with ``y`` float32 of shape (n_samples,) in [-1, 1].
    Raises AudioError naming the file and the reason when it cannot be decoded, is empty or
    holds non-finite samples.
    Notebook: 02_features.ipynb
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such audio file")
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
        y = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    except Exception as sf_error:  # libsndfile cannot open it: try audioread via librosa
        try:
            import warnings

            import librosa

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # librosa's "PySoundFile failed" notice
                y, rate = librosa.load(str(path), sr=None, mono=True, dtype=np.float32)
        except Exception as fallback_error:
            raise AudioError(
                f"{path}: cannot decode audio (soundfile: {sf_error}; "
                f"librosa/audioread: {fallback_error}); re-encode it (e.g. as 16-bit WAV) "
                "or remove it from the dataset"
            ) from None
    y = np.ascontiguousarray(y, dtype=np.float32)
    if y.size == 0:
        raise AudioError(f"{path}: the file holds no audio samples")
    if not np.isfinite(y).all():
        raise AudioError(f"{path}: the file holds NaN or infinite samples")
    return y, int(rate)


def fit_length(y: np.ndarray, n_samples: int) -> np.ndarray:
    """Cut or zero-pad ``y`` (n,) at its END to exactly ``n_samples``.

    Returns a float32 array of shape (n_samples,); the start of the clip is never moved,
    so the result is deterministic.
    Notebook: 02_features.ipynb
    """
    if n_samples < 0:
        raise ValueError(f"n_samples must be >= 0, got {n_samples}")
    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 1:
        raise ValueError(f"fit_length expects a mono signal of shape (n,), got shape {y.shape}")
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

        y = librosa.resample(y, orig_sr=rate, target_sr=sample_rate).astype(np.float32, copy=False)
    if min_seconds is not None and y.shape[0] < int(round(min_seconds * sample_rate)):
        raise ClipTooShortError(
            f"{path}: the clip lasts {y.shape[0] / sample_rate:.2f} s, shorter than one "
            f"segment ({min_seconds:g} s); use longer audio or a shorter segment_seconds"
        )
    if clip_seconds is not None:
        y = fit_length(y, int(round(clip_seconds * sample_rate)))
    return np.ascontiguousarray(y)


def segment_starts(n_samples: int, cfg: FeatureConfig) -> np.ndarray:
    """Start sample of every segment of a signal of ``n_samples``: ``i * cfg.segment_hop_samples``
    for i = 0 .. n_segments - 1, where only whole segments count.

    Returns int64 of shape (n_segments,) (19 starts for a 30 s clip with the defaults).
    Raises ValueError naming both sizes when the signal is shorter than one segment.
    Notebook: 02_features.ipynb
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


def segment_audio(y: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """Cut a mono signal (n,) into overlapping segments of ``cfg.segment_samples``.

    Segment i starts at ``i * cfg.segment_hop_samples``; a trailing part shorter than a segment
    is dropped. Returns float32 of shape (n_segments, segment_samples), e.g. (19, 66150) for a
    30 s clip. Raises ValueError naming the sizes when ``y`` is shorter than one segment.
    Notebook: 02_features.ipynb
    """
    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 1:
        raise ValueError(f"segment_audio expects a mono signal of shape (n,), got shape {y.shape}")
    starts = segment_starts(y.shape[0], cfg)
    windows = np.lib.stride_tricks.sliding_window_view(y, cfg.segment_samples)
    return np.ascontiguousarray(windows[starts])
