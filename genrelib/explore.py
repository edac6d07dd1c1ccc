"""Looking at a dataset before modelling it: example clips to listen to, and summaries of
its genres, artists and splits.

The functions here return data (DataFrames, arrays, IPython ``Audio`` players); the
figures drawn from them live in ``genrelib.plots``.
Notebook: 01_data.ipynb, 02_features.ipynb
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from genrelib.audio import load_audio
from genrelib.config import SAMPLE_RATE
from genrelib.datasets.index import artists_of, known_artists

if TYPE_CHECKING:  # type hints only
    from IPython.display import Audio

    from genrelib.datasets.splits import TrackSplit

__all__ = ["artist_summary", "examples_per_genre", "listen", "load_examples", "split_summary"]


def examples_per_genre(tracks: pd.DataFrame, *, per_genre: int = 1, seed: int = 0,
                       genres: Iterable[str] | None = None) -> pd.DataFrame:
    """``per_genre`` tracks of every genre, drawn reproducibly from ``seed``.

    Parameters
    ----------
    tracks : pandas.DataFrame
        ``DatasetIndex.tracks``.
    per_genre : int
        Tracks per genre, >= 1 (fewer where a genre has fewer).
    seed : int
        Seed of the draw.
    genres : iterable of str, optional
        The genres, in order; default their order of first appearance.

    Returns
    -------
    pandas.DataFrame
        Rows of ``tracks`` (same columns), ordered by genre then track id.

    Raises
    ------
    ValueError
        When ``per_genre`` < 1 or ``tracks`` is empty.

    Notebook: 01_data.ipynb
    """
    if per_genre < 1:
        raise ValueError(f"per_genre must be >= 1, got {per_genre}")
    if tracks.empty:
        raise ValueError("no tracks to choose examples from: the dataset index is empty")
    order = list(genres) if genres is not None else list(dict.fromkeys(tracks["genre"]))
    rng = np.random.default_rng(seed)
    chosen = []
    for genre in order:
        rows = tracks[tracks["genre"] == genre].sort_values("track_id")
        if rows.empty:
            continue
        picks = np.sort(rng.choice(len(rows), size=min(per_genre, len(rows)), replace=False))
        chosen.append(rows.iloc[picks])
    return pd.concat(chosen, ignore_index=True)


def _excerpt(path: str | os.PathLike[str], *, seconds: float | None, offset: float,
             sample_rate: int) -> np.ndarray:
    y = load_audio(path, sample_rate=sample_rate, clip_seconds=None)
    start = min(int(offset * sample_rate), max(0, y.shape[0] - 1))
    stop = y.shape[0] if seconds is None else start + int(seconds * sample_rate)
    return y[start:stop]


def listen(path: str | os.PathLike[str], *, seconds: float | None = 8.0, offset: float = 10.0,
           sample_rate: int = SAMPLE_RATE) -> "Audio":
    """An IPython audio player for an excerpt of a file, embedded (base64 WAV) so that it
    also plays in the static HTML book.

    Parameters
    ----------
    path : str or PathLike
        An audio file.
    seconds : float or None
        Length of the excerpt; None: to the end.
    offset : float
        Start of the excerpt in seconds.
    sample_rate : int
        Sample rate of the player.

    Returns
    -------
    IPython.display.Audio

    Raises
    ------
    AudioError
        Naming the file when it cannot be read.

    Notebook: 01_data.ipynb
    """
    from IPython.display import Audio

    return Audio(_excerpt(path, seconds=seconds, offset=offset, sample_rate=sample_rate),
                 rate=sample_rate)


def load_examples(examples: pd.DataFrame, *, sample_rate: int = SAMPLE_RATE,
                  clip_seconds: float | None = 30.0) -> dict[str, np.ndarray]:
    """The signals of example tracks.

    Parameters
    ----------
    examples : pandas.DataFrame
        Rows of ``DatasetIndex.tracks`` (see :func:`examples_per_genre`).
    sample_rate : int
        Sample rate of the signals.
    clip_seconds : float or None
        Cut or zero-pad every signal to this length; None: as long as the file.

    Returns
    -------
    dict of str to np.ndarray
        ``{"genre · track_id": signal}``, float32 mono of shape (n_samples,).

    Notebook: 01_data.ipynb
    """
    return {f"{row.genre} · {row.track_id}": load_audio(row.path, sample_rate=sample_rate,
                                                          clip_seconds=clip_seconds)
            for row in examples.itertuples(index=False)}


def artist_summary(tracks: pd.DataFrame) -> pd.DataFrame:
    """Who plays each genre.

    Parameters
    ----------
    tracks : pandas.DataFrame
        ``DatasetIndex.tracks`` with an ``artist`` column.

    Returns
    -------
    pandas.DataFrame
        One row per genre (order of appearance): ``tracks``, ``artists`` (distinct known
        artists), ``top_artist`` and ``top_share`` (fraction of the genre's tracks by its most
        frequent artist), ``unknown`` (tracks without an artist).

    Notebook: 01_data.ipynb
    """
    artist_of = known_artists(tracks)
    rows = []
    for genre, group in tracks.groupby("genre", sort=False):
        artists = [artist_of[t] for t in group["track_id"].astype(str) if t in artist_of]
        counts = pd.Series(artists, dtype=object).value_counts()
        rows.append({
            "genre": genre,
            "tracks": len(group),
            "artists": int(counts.size),
            "top_artist": str(counts.index[0]) if counts.size else None,
            "top_share": float(counts.iloc[0] / len(group)) if counts.size else float("nan"),
            "unknown": int(len(group) - len(artists)),
        })
    return pd.DataFrame(rows).set_index("genre")


def split_summary(splits: Mapping[str, "TrackSplit"], tracks: pd.DataFrame) -> pd.DataFrame:
    """What each split shares between training and test.

    Parameters
    ----------
    splits : mapping of str to TrackSplit
        Named splits.
    tracks : pandas.DataFrame
        ``DatasetIndex.tracks`` with an ``artist`` column.

    Returns
    -------
    pandas.DataFrame
        One row per split: ``protocol``, ``train``/``valid``/``test`` track counts,
        ``shared_artists`` (artists with tracks both in train and test) and
        ``test_tracks_known_artist`` (test tracks whose artist also appears in train).

    Notebook: 01_data.ipynb
    """
    artist_of = known_artists(tracks)
    rows = []
    for name, split in splits.items():
        train_artists = artists_of(tracks, split.train)
        test_artists = artists_of(tracks, split.test)
        known = sum(1 for t in split.test if artist_of.get(t) in train_artists)
        rows.append({"split": name, "protocol": split.protocol, "train": len(split.train),
                     "valid": len(split.valid), "test": len(split.test),
                     "shared_artists": len(train_artists & test_artists),
                     "test_tracks_known_artist": known})
    return pd.DataFrame(rows).set_index("split")
