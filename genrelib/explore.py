"""Looking at a dataset before modelling it: example clips to listen to, summaries of
genres, artists and splits, the intermediate steps of the features, library versions.

The functions here return data (DataFrames, arrays, IPython ``Audio`` players); the
figures drawn from them live in ``genrelib.plots``.
Notebook: 01_data.ipynb, 02_features.ipynb
"""

from __future__ import annotations

import os
import platform
from pathlib import Path
from collections.abc import Iterable, Mapping
from importlib import metadata
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from genrelib.audio import load_audio, mono_signal
from genrelib.config import SAMPLE_RATE, FeatureConfig
from genrelib.datasets.index import artists_of, known_artists

if TYPE_CHECKING:  # type hints only
    from IPython.display import Audio

    from genrelib.datasets.splits import TrackSplit

__all__ = [
    "BOOK_PACKAGES",
    "artist_summary",
    "examples_per_genre",
    "feature_steps",
    "listen",
    "load_examples",
    "settings_table",
    "synthetic_recording",
    "split_summary",
    "versions",
]

#: The packages whose versions every chapter prints.
BOOK_PACKAGES: tuple[str, ...] = ("genrelib", "numpy", "scipy", "librosa", "scikit-learn",
                                  "pandas", "matplotlib", "keras", "tensorflow-cpu")


def versions(packages: Iterable[str] = BOOK_PACKAGES) -> dict[str, str]:
    """``{"python": "3.12.1", package: version, ...}``; "not installed" for a missing package.

    Reads installed metadata only (importing nothing, so TensorFlow is not loaded).
    Notebook: 01_data.ipynb
    """
    found = {"python": platform.python_version()}
    for name in packages:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def settings_table(settings: Any, *, name: str | None = None) -> pd.DataFrame:
    """A frozen configuration (``FeatureConfig``, ``TrainConfig``, anything with ``to_dict()``,
    or a dict) as a one-column table, one row per setting, every value shown with its own
    type (``epochs`` 3, not 3.000000 as a numeric column would print it).

    ``name`` heads the column (default: the class name).
    Notebook: 03_cnn.ipynb
    """
    values = settings.to_dict() if hasattr(settings, "to_dict") else dict(settings)
    title = name or (type(settings).__name__ if hasattr(settings, "to_dict") else "value")
    return pd.Series(values, dtype=object, name=title).to_frame()


def examples_per_genre(tracks: pd.DataFrame, *, per_genre: int = 1, seed: int = 0,
                       genres: Iterable[str] | None = None) -> pd.DataFrame:
    """``per_genre`` tracks of every genre, drawn reproducibly from ``seed``.

    ``tracks`` is ``DatasetIndex.tracks``; returns its rows (same columns), ordered by
    ``genres`` (default: order of first appearance) then track id.
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
    """An IPython audio player for ``seconds`` of a file starting at ``offset`` seconds
    (None: to the end). The audio is embedded (base64 WAV), so the player also works in
    the static HTML book. AudioError names the file when it cannot be read.
    Notebook: 01_data.ipynb
    """
    from IPython.display import Audio

    return Audio(_excerpt(path, seconds=seconds, offset=offset, sample_rate=sample_rate),
                 rate=sample_rate)


def load_examples(examples: pd.DataFrame, *, sample_rate: int = SAMPLE_RATE,
                  clip_seconds: float | None = 30.0) -> dict[str, np.ndarray]:
    """``{"genre · track_id": signal}`` for every row of ``examples`` (see
    :func:`examples_per_genre`); each signal is float32 mono of shape (n_samples,).
    Notebook: 01_data.ipynb
    """
    return {f"{row.genre} · {row.track_id}": load_audio(row.path, sample_rate=sample_rate,
                                                          clip_seconds=clip_seconds)
            for row in examples.itertuples(index=False)}


def artist_summary(tracks: pd.DataFrame) -> pd.DataFrame:
    """Per genre: ``tracks``, ``artists`` (distinct known artists), ``top_artist`` and
    ``top_share`` (fraction of the genre's tracks by its most frequent artist), ``unknown``
    (tracks without an artist). One row per genre in order of appearance.
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
    """One row per named split: ``train``/``valid``/``test`` track counts,
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


def feature_steps(y: np.ndarray, cfg: FeatureConfig) -> dict[str, np.ndarray]:
    """The features of a signal one step at a time, as ``genrelib.features.log_mel`` and
    ``mfcc_from_log_mel`` compute them (the chapter checks that both agree).

    ``y`` has shape (n_samples,); returns float32 arrays (F = 1 + n_fft // 2 frequency
    bins, T = 1 + n_samples // hop_length frames):
    ``"stft"`` |X| magnitude (F, T); ``"power"`` |X|^2 (F, T); ``"mel_power"`` mel
    filterbank @ power (n_mels, T); ``"log_mel"`` 10 log10 of it in dB (n_mels, T);
    ``"mfcc"`` DCT-II of the log-mel over the mel axis (n_mfcc, T).
    Notebook: 02_features.ipynb
    """
    import warnings

    import librosa

    from genrelib.features import DB_AMIN, mel_filterbank, mfcc_from_log_mel

    y = mono_signal(y, caller="feature_steps")
    with warnings.catch_warnings():  # librosa's lazy import of pooch -> tqdm.auto notice
        warnings.filterwarnings("ignore", message="IProgress not found")
        spectrum = librosa.stft(y, n_fft=cfg.n_fft, hop_length=cfg.hop_length, center=True,
                                pad_mode="constant")
    power = np.square(spectrum.real) + np.square(spectrum.imag)  # |X|^2 as log_mel computes it
    magnitude = np.sqrt(power)
    mel_power = mel_filterbank(cfg) @ power
    log_mel = librosa.power_to_db(mel_power, ref=1.0, amin=DB_AMIN, top_db=None).astype(np.float32)
    return {"stft": magnitude, "power": power, "mel_power": mel_power.astype(np.float32),
            "log_mel": log_mel, "mfcc": mfcc_from_log_mel(log_mel, n_mfcc=cfg.n_mfcc)}


def synthetic_recording(path: str | os.PathLike[str], *, genres: Iterable[str] = ("jazz", "metal"),
                        seconds_each: float = 20.0, sample_rate: int = 44_100, channels: int = 2,
                        seed: int = 0) -> Path:
    """Write a WAV recording that plays a synthetic clip of each of ``genres`` in turn
    (``seconds_each`` each), at ``sample_rate`` with ``channels`` identical channels, 16-bit:
    a stand-in for "your own music" that is not shaped like a GTZAN clip. Returns the path.
    Notebook: 09_using_the_model.ipynb
    """
    import soundfile as sf

    from genrelib.cache import atomic_path
    from genrelib.datasets.synthetic import render_track

    parts = [render_track(genre, track_seed=i, seed=seed, seconds=seconds_each, sample_rate=sample_rate)
             for i, genre in enumerate(genres)]
    if not parts or channels < 1:
        raise ValueError(f"need at least one genre and one channel, got {list(genres)} and {channels}")
    signal = np.repeat(np.concatenate(parts)[:, None], channels, axis=1)
    with atomic_path(path) as tmp:
        sf.write(tmp, signal, sample_rate, subtype="PCM_16")
    return Path(path)
