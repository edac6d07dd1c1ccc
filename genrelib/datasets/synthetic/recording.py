"""A synthetic "recording of your own": synthetic clips of several genres in turn, written as
one WAV file at any sample rate and channel count (not shaped like a GTZAN clip).
Notebook: 09_using_the_model.ipynb
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from genrelib.audio.medley import write_medley
from genrelib.datasets.synthetic.render import render_track

__all__ = ["synthetic_recording"]


def synthetic_recording(path: str | os.PathLike[str], *, genres: Iterable[str] = ("jazz", "metal"),
                        seconds_each: float = 20.0, sample_rate: int = 44_100, channels: int = 2,
                        seed: int = 0) -> Path:
    """Write a WAV recording that plays a synthetic clip of each of ``genres`` in turn: a
    stand-in for "your own music".

    Parameters
    ----------
    path : str or PathLike
        The WAV file to write (atomically).
    genres : iterable of str
        Genres played in turn; clip i is ``render_track(genre, track_seed=i, seed=seed)``.
    seconds_each : float
        Seconds of each genre.
    sample_rate : int
        Samples per second of the file.
    channels : int
        Identical channels, >= 1.
    seed : int
        Dataset seed of the clips.

    Returns
    -------
    Path
        ``path``; the file holds len(genres) * seconds_each * sample_rate frames of
        ``channels`` channels, 16-bit PCM.

    Raises
    ------
    ValueError
        When ``genres`` is empty or ``channels`` < 1.

    Notebook: 09_using_the_model.ipynb
    """
    parts = [render_track(genre, track_seed=i, seed=seed, seconds=seconds_each, sample_rate=sample_rate)
             for i, genre in enumerate(genres)]
    return write_medley(parts, path, sample_rate=sample_rate, channels=channels)
