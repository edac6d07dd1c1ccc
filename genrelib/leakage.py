"""Why splitting by segment leaks: one quick classifier, three ways to split the data.

The classifier is deliberately simple and fast: per 3 s segment, the mean and standard
deviation over time of each MFCC (2 x n_mfcc numbers), standardised, then multinomial
logistic regression (scikit-learn). It is trained and tested under three protocols:

- ``segment``: every segment is shuffled on its own (stratified by genre), ignoring which
  track it came from. Segments of one track overlap and sound alike, so the test set holds
  near-copies of training examples: the accuracy is inflated. This is the bug to avoid.
- ``track``: ``random_split`` by track (the usual protocol): no track on both sides, but
  artists (and on GTZAN, replicated recordings) can be.
- ``artist``: ``artist_split``: no artist on both sides (when the data names artists).

The gap between ``segment`` and ``track`` is the leak; the gap between ``track`` and
``artist`` is what artist clustering adds on top, once the repeats in which a genre had no
training track are set apart (where a genre is one artist, the artist split can put all of
it in the test set: those segments cannot be right, whoever plays them).
Notebook: 01_data.ipynb
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from genrelib.datasets.index import artists_of
from genrelib.datasets.splits import make_split

if TYPE_CHECKING:  # type hints only
    from genrelib.features import FeatureSet

__all__ = ["PROTOCOLS", "leakage_experiment", "segment_statistics", "segment_split"]

#: The protocols of :func:`leakage_experiment`, from the leakiest to the most honest.
PROTOCOLS: tuple[str, ...] = ("segment", "track", "artist")
#: The ``make_split`` name of each protocol that splits by track.
_SPLIT_OF = {"track": "random", "artist": "artist"}


def segment_statistics(X: np.ndarray) -> np.ndarray:
    """Mean and standard deviation over time of every feature row of every segment.

    ``X`` has shape (n_segments, n_features, frames); returns float32 of shape
    (n_segments, 2 * n_features): the n_features means, then the n_features stds.
    """
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 3:
        raise ValueError(f"expected features of shape (n_segments, n_features, frames), got {X.shape}")
    return np.concatenate([X.mean(axis=2), X.std(axis=2)], axis=1)


def segment_split(labels: np.ndarray, *, test_fraction: float = 0.2,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The WRONG split, for demonstration: segment indices shuffled on their own,
    stratified by label. Returns (train_indices, test_indices), int64 arrays.
    """
    from sklearn.model_selection import train_test_split

    indices = np.arange(len(labels))
    train, test = train_test_split(indices, test_size=test_fraction, random_state=seed,
                                   stratify=labels)
    return np.sort(train).astype(np.int64), np.sort(test).astype(np.int64)


def _fit_predict(Z: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray,
                 seed: int) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=seed))
    model.fit(Z[train], y[train])
    return model.predict(Z[test])


def _track_indices(track_ids: np.ndarray, split_tracks: Sequence[str]) -> np.ndarray:
    return np.flatnonzero(np.isin(track_ids, np.asarray(list(split_tracks), dtype=str)))


def _split_tracks(protocol: str, tracks: pd.DataFrame, *, test_fraction: float,
                  seed: int) -> tuple[list[str], list[str]]:
    split = make_split(tracks, _SPLIT_OF[protocol], valid_fraction=0.1,
                       test_fraction=test_fraction, seed=seed)
    return list(split.train) + list(split.valid), list(split.test)


def leakage_experiment(
    features: "FeatureSet",
    tracks: pd.DataFrame,
    *,
    protocols: Sequence[str] = PROTOCOLS,
    test_fraction: float = 0.2,
    repeats: int = 5,
    seed: int = 0,
) -> pd.DataFrame:
    """Test accuracy of the quick classifier (module docstring) under each protocol.

    ``features``: a FeatureSet (e.g. MFCC, X of shape (n_segments, n_mfcc, frames));
    ``tracks``: ``DatasetIndex.tracks`` (needs ``track_id``, ``genre``, ``artist``).
    Each protocol is repeated ``repeats`` times with seeds ``seed, seed + 1, ...``.
    Returns one row per (protocol, repeat): ``protocol``, ``repeat``, ``accuracy``
    (segment-level, on the test segments), ``untrained_genres`` (genres of test segments
    with no training segment, comma-separated, "" when none: those segments cannot be
    right), ``accuracy_trained_genres`` (the accuracy on the other test segments),
    ``test_segments``, ``shared_tracks`` (tracks with segments on both sides),
    ``shared_artists`` (artists on both sides) and ``note`` (why a protocol could not run,
    e.g. no artist names; its accuracies are then NaN). The track and artist protocols add
    the validation tracks to training (no early stopping here): ``test_fraction`` of the
    tracks are tested, the rest trained on.
    Notebook: 01_data.ipynb
    """
    unknown = [p for p in protocols if p not in PROTOCOLS]
    if unknown:
        raise ValueError(f"unknown protocol(s) {unknown}; choose from {list(PROTOCOLS)}")
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    track_ids = np.asarray(features.track_ids, dtype=str)
    present = set(track_ids.tolist())
    tracks = tracks[tracks["track_id"].astype(str).isin(present)].reset_index(drop=True)
    Z = segment_statistics(features.X)
    y = np.asarray(features.y)

    rows = []
    for protocol in protocols:
        for repeat in range(repeats):
            run_seed = seed + repeat
            row = {"protocol": protocol, "repeat": repeat, "accuracy": float("nan"),
                   "untrained_genres": "", "accuracy_trained_genres": float("nan"),
                   "test_segments": 0, "shared_tracks": 0, "shared_artists": 0, "note": ""}
            try:
                if protocol == "segment":
                    train, test = segment_split(y, test_fraction=test_fraction, seed=run_seed)
                    train_tracks = sorted(set(track_ids[train].tolist()))
                    test_tracks = sorted(set(track_ids[test].tolist()))
                else:
                    train_tracks, test_tracks = _split_tracks(protocol, tracks,
                                                              test_fraction=test_fraction, seed=run_seed)
                    train = _track_indices(track_ids, train_tracks)
                    test = _track_indices(track_ids, test_tracks)
            except ValueError as error:  # e.g. artist_split without artist names
                row["note"] = str(error).splitlines()[0]
                rows.append(row)
                continue
            right = _fit_predict(Z, y, train, test, run_seed) == y[test]
            trained = np.isin(y[test], y[train])
            row.update(
                accuracy=float(right.mean()),
                untrained_genres=", ".join(features.genres[g] for g in sorted(set(y[test][~trained].tolist()))),
                accuracy_trained_genres=float(right[trained].mean()) if trained.any() else float("nan"),
                test_segments=int(len(test)),
                shared_tracks=len(set(train_tracks) & set(test_tracks)),
                shared_artists=len(artists_of(tracks, train_tracks) & artists_of(tracks, test_tracks)),
            )
            rows.append(row)
    return pd.DataFrame(rows)
