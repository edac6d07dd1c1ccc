"""One row per track: the mean of each track's segment features, for a probe fitted on
whole tracks (``fit_on="tracks"``) rather than on its 3 s patches.
"""

from __future__ import annotations

import numpy as np

__all__ = ["track_means"]


def track_means(X: np.ndarray, y: np.ndarray, track_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean of every track's segment features, one row per track.

    Parameters
    ----------
    X : np.ndarray, shape (n_segments, n_features, 1)
        Segment features or embeddings (``FeatureSet.X``).
    y : np.ndarray of int, shape (n_segments,)
        Genre labels; a track's segments share one.
    track_ids : np.ndarray of str, shape (n_segments,)
        The track of every segment.

    Returns
    -------
    (np.ndarray float32, shape (n_tracks, n_features, 1), np.ndarray int64, shape (n_tracks,))
        Tracks in order of first appearance: the mean of their segments (computed in
        float64), their label. ValueError when the shapes disagree or a track has two labels.

    Notebook: 10_transfer_learning.ipynb
    """
    X, y, track_ids = np.asarray(X), np.asarray(y), np.asarray(track_ids)
    if X.ndim != 3 or y.shape != (len(X),) or track_ids.shape != (len(X),):
        raise ValueError(f"X (n, n_features, 1), y (n,) and track_ids (n,) must agree, got {X.shape}, "
                         f"{y.shape}, {track_ids.shape}")
    tracks, first, row = np.unique(track_ids, return_index=True, return_inverse=True)
    order = np.argsort(first)  # tracks in order of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    row = rank[row.reshape(-1)]
    sums = np.zeros((len(tracks), *X.shape[1:]), dtype=np.float64)
    np.add.at(sums, row, X)
    means = sums / np.bincount(row, minlength=len(tracks))[:, None, None]
    labels = y[first[order]]
    if not np.array_equal(labels[row], y):
        raise ValueError("a track's segments have different labels: check the track ids")
    return means.astype(np.float32), labels.astype(np.int64)
