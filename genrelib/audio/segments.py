"""Lengths and segments of a decoded signal: cut or pad at the end, the segment grid.

GTZAN clips last 29.9-30.6 s, so every clip is cut to exactly ``clip_seconds``: samples
beyond it are dropped from the END, and a shorter clip is zero-padded at the END
(deterministic). A clip shorter than one segment is refused (``ClipTooShortError``) rather
than padded into mostly-silent segments.
Notebook: 01_data.ipynb, 02_features.ipynb
"""

from __future__ import annotations

import os

import numpy as np

from genrelib.audio.decode import AudioError
from genrelib.config import FeatureConfig

__all__ = ["ClipTooShortError", "check_clip_length", "fit_length", "mono_signal", "segment_starts"]


class ClipTooShortError(AudioError):
    """A clip shorter than one segment: the message names the file, its duration and the
    segment length.
    """


def mono_signal(y: np.ndarray, *, caller: str) -> np.ndarray:
    """``y`` as a float32 array of shape (n_samples,).

    Parameters
    ----------
    y : array-like
        The signal.
    caller : str
        Named in the error.

    Returns
    -------
    np.ndarray
        float32, shape (n_samples,).

    Raises
    ------
    ValueError
        Naming ``caller`` and the shape when ``y`` is not one-dimensional.
    """
    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 1:
        raise ValueError(f"{caller} expects a mono signal of shape (n_samples,), got shape {y.shape}")
    return y


def fit_length(y: np.ndarray, n_samples: int) -> np.ndarray:
    """Cut or zero-pad ``y`` at its END to exactly ``n_samples``.

    Parameters
    ----------
    y : np.ndarray
        Mono signal, shape (n,).
    n_samples : int
        The length wanted (>= 0).

    Returns
    -------
    np.ndarray
        float32 of shape (n_samples,); the start of the clip is never moved, so the result
        is deterministic.
    Notebook: 01_data.ipynb
    """
    if n_samples < 0:
        raise ValueError(f"n_samples must be >= 0, got {n_samples}")
    y = mono_signal(y, caller="fit_length")
    if y.shape[0] >= n_samples:
        return y[:n_samples]
    return np.pad(y, (0, n_samples - y.shape[0]))


def check_clip_length(path: str | os.PathLike[str], n_samples: int, *, sample_rate: int,
                      min_seconds: float) -> None:
    """Refuse a clip shorter than one segment.

    Parameters
    ----------
    path : str or PathLike
        The file, named in the error.
    n_samples : int
        Its length in samples at ``sample_rate`` (Hz).
    min_seconds : float
        The shortest length allowed (one segment), in seconds.

    Raises
    ------
    ClipTooShortError
        Naming ``path``, its duration and ``min_seconds`` when ``n_samples`` are fewer than
        ``round(min_seconds * sample_rate)``.
    """
    if n_samples < int(round(min_seconds * sample_rate)):
        raise ClipTooShortError(
            f"{path}: the clip lasts {n_samples / sample_rate:.2f} s, shorter than one "
            f"segment ({min_seconds:g} s); use longer audio (in Python: or a shorter "
            "FeatureConfig.segment_seconds; `genrelib tune` varies it)"
        )


def segment_starts(n_samples: int, cfg: FeatureConfig) -> np.ndarray:
    """Start sample of every segment of a signal: ``i * cfg.segment_hop_samples`` for
    i = 0 .. n_segments - 1, where only whole segments count.

    Parameters
    ----------
    n_samples : int
        The signal's length in samples.
    cfg : FeatureConfig
        Segment length and hop.

    Returns
    -------
    np.ndarray
        int64 of shape (n_segments,) (19 starts for a 30 s clip with the defaults).

    Raises
    ------
    ValueError
        Naming both sizes when the signal is shorter than one segment.
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
