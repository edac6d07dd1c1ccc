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

__all__ = ["artist_summary", "audio_player", "examples_per_genre", "listen", "load_examples", "split_summary"]


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


#: Embedded players are MP3 (about 48 KiB for 8 s of music at 22,050 Hz, against 344 KiB of
#: 16-bit WAV), so that the published pages stay light; WAV where libsndfile cannot write MP3.
PLAYER_MIMETYPE = "audio/mpeg"
#: Players are normalised to this peak (IPython's WAV players scale to full scale; a little
#: headroom keeps the MP3 decoder from clipping).
PLAYER_PEAK = 0.9


def _mp3_bytes(samples: np.ndarray, sample_rate: int) -> bytes | None:
    """``samples`` as MP3 bytes, or None where this libsndfile cannot write MP3 (< 1.1)."""
    import io

    import soundfile as sf

    if "MP3" not in sf.available_formats():
        return None
    buffer = io.BytesIO()
    try:
        sf.write(buffer, samples, sample_rate, format="MP3")
    except sf.LibsndfileError:  # an MP3 encoder listed but unusable
        return None
    return buffer.getvalue()


def audio_player(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> "Audio":
    """An IPython audio player of mono samples, embedded as base64 MP3 so that it also plays
    in the static HTML book (WAV where MP3 cannot be written), normalised to ``PLAYER_PEAK``.

    Parameters
    ----------
    samples : np.ndarray, shape (n_samples,)
        Mono audio.
    sample_rate : int
        Its sample rate in Hz.

    Returns
    -------
    IPython.display.Audio
        Its ``mimetype`` says the encoding ("audio/mpeg" or "audio/wav").

    Raises
    ------
    ValueError
        For samples that are not one non-empty channel of finite numbers.

    Notebook: 01_data.ipynb
    """
    from IPython.display import Audio

    y = np.asarray(samples, dtype=np.float32)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"audio_player needs mono samples of shape (n_samples,) with n_samples >= 1, "
                         f"got shape {y.shape}; mix a stereo array down first (y.mean(axis=...))")
    if not np.all(np.isfinite(y)):
        raise ValueError("audio_player got NaN or infinite samples")
    peak = float(np.max(np.abs(y)))
    if peak > 0:
        y = y * np.float32(PLAYER_PEAK / peak)
    encoded = _mp3_bytes(y, int(sample_rate))
    if encoded is None:
        return Audio(y, rate=sample_rate)
    player = Audio(data=encoded)
    player.mimetype = PLAYER_MIMETYPE
    return player


def listen(path: str | os.PathLike[str], *, seconds: float | None = 8.0, offset: float = 10.0,
           sample_rate: int = SAMPLE_RATE) -> "Audio":
    """An IPython audio player for an excerpt of a file (``audio_player``: embedded MP3, so
    that it also plays in the static HTML book).

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
    return audio_player(_excerpt(path, seconds=seconds, offset=offset, sample_rate=sample_rate), sample_rate)


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
