"""``load_audio``: any file as mono float32 at the target rate, cut or padded to a length.

The signal is resampled with ``librosa.resample`` (soxr HQ) only when its rate differs from
the target; ``stream_audio`` runs the same filter as a stream.
"""

from __future__ import annotations

import os

import numpy as np

from genrelib.audio.decode import read_audio
from genrelib.audio.segments import check_clip_length, fit_length
from genrelib.config import SAMPLE_RATE

__all__ = ["RESAMPLER", "load_audio"]

#: The resampler of ``load_audio`` (librosa's default, soxr "HQ"); ``stream_audio`` runs the
#: same filter as a stream (``soxr.ResampleStream``), so both give the same samples.
RESAMPLER = "soxr_hq"


def load_audio(
    path: str | os.PathLike[str],
    *,
    sample_rate: int = SAMPLE_RATE,
    clip_seconds: float | None = 30.0,
    min_seconds: float | None = None,
    allow_truncated: bool = False,
) -> np.ndarray:
    """Load any audio file as mono float32 at ``sample_rate``.

    Parameters
    ----------
    path : str or PathLike
        The audio file (any format ``read_audio`` decodes).
    sample_rate : int
        Target rate in Hz.
    clip_seconds : float or None
        With a value the result has exactly ``round(clip_seconds * sample_rate)`` samples
        (trimmed or zero-padded at the end, see ``fit_length``); None keeps the full length.
    min_seconds : float or None
        A clip shorter than that (before padding) raises ClipTooShortError naming the file,
        its duration and the minimum.
    allow_truncated : bool
        Use what a truncated file holds (with a ``TruncatedAudioWarning``) instead of
        raising ``TruncatedAudioError``.

    Returns
    -------
    np.ndarray
        float32 of shape (n_samples,).

    Raises
    ------
    AudioError
        Unreadable or truncated files, naming the file and the reason.
    Notebook: 02_features.ipynb
    """
    y, rate = read_audio(path, allow_truncated=allow_truncated)
    if rate != sample_rate:
        import librosa

        y = librosa.resample(y, orig_sr=rate, target_sr=sample_rate, res_type=RESAMPLER)
        y = y.astype(np.float32, copy=False)
    if min_seconds is not None:
        check_clip_length(path, y.shape[0], sample_rate=sample_rate, min_seconds=min_seconds)
    if clip_seconds is not None:
        y = fit_length(y, int(round(clip_seconds * sample_rate)))
    return np.ascontiguousarray(y)
