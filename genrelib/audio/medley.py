"""A "recording of your own" made of clips: several clips' openings played in turn, written as
one WAV file at any sample rate and channel count (not shaped like a GTZAN clip).
Notebook: 09_using_the_model.ipynb
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import soundfile as sf

from genrelib.audio.load import load_audio
from genrelib.cache import atomic_path

__all__ = ["medley_recording", "write_medley"]


def write_medley(parts: Sequence[np.ndarray], path: str | os.PathLike[str], *, sample_rate: int,
                 channels: int) -> Path:
    """Write mono signals one after the other as a ``channels``-channel 16-bit WAV file.

    Parameters
    ----------
    parts : sequence of np.ndarray, each of shape (n_samples,)
        The signals at ``sample_rate``, played in turn.
    path : str or PathLike
        The WAV file to write (atomically).
    sample_rate, channels : int
        Of the file; every channel holds the same signal.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValueError
        When ``parts`` is empty or ``channels`` < 1.

    Notebook: 09_using_the_model.ipynb
    """
    if not len(parts) or channels < 1:
        raise ValueError(f"need at least one part and one channel, got {len(parts)} part(s) and "
                         f"{channels} channel(s)")
    signal = np.repeat(np.concatenate(parts)[:, None], channels, axis=1)
    with atomic_path(path) as tmp:
        sf.write(tmp, signal, sample_rate, subtype="PCM_16")
    return Path(path)


def medley_recording(clips: Iterable[str | os.PathLike[str]], path: str | os.PathLike[str], *,
                     seconds_each: float = 20.0, sample_rate: int = 44_100, channels: int = 2) -> Path:
    """Write a WAV recording that plays the first ``seconds_each`` of each clip in turn (a
    shorter clip is padded with silence): a stand-in for "your own music" made of real tracks.

    Parameters
    ----------
    clips : iterable of str or PathLike
        Audio files in any format ``load_audio`` reads, played in this order.
    path : str or PathLike
        The WAV file to write (atomically).
    seconds_each : float
        Seconds of each clip.
    sample_rate : int
        Samples per second of the file (each clip is resampled to it).
    channels : int
        Identical channels, >= 1.

    Returns
    -------
    Path
        ``path``; the file holds len(clips) * seconds_each * sample_rate frames of ``channels``
        channels, 16-bit PCM.

    Raises
    ------
    ValueError
        When ``clips`` is empty or ``channels`` < 1.
    AudioError
        When a clip cannot be read, naming it.

    Notebook: 09_using_the_model.ipynb
    """
    parts = [load_audio(clip, sample_rate=sample_rate, clip_seconds=seconds_each) for clip in clips]
    return write_medley(parts, path, sample_rate=sample_rate, channels=channels)
