"""From segment probabilities to one genre per track: the majority vote, the mean or the
geometric mean (the product rule).

A model scores 3 s segments; a listener labels a whole track, so the book reports both.
Notebook: 03_cnn.ipynb
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from genrelib.config import AGGREGATION_METHODS

__all__ = ["AGGREGATION_METHODS", "LOG_FLOOR", "TrackPredictions", "aggregate_tracks", "check_segments",
           "group_segments", "track_truth"]
#: The smallest probability whose logarithm the geometric mean takes (a 0 would veto a genre).
LOG_FLOOR = 1e-12


@dataclass(frozen=True)
class TrackPredictions:
    """Track-level predictions, unpacking as ``ids, labels, probs = aggregate_tracks(...)``.

    Attributes
    ----------
    track_ids : np.ndarray, shape (n_tracks,)
        Track ids in order of first appearance.
    labels : np.ndarray of int, shape (n_tracks,)
        The predicted class of each track.
    probs : np.ndarray, shape (n_tracks, n_classes)
        Each track's mean segment probabilities (the normalised geometric mean for the
        "geometric" method).

    Notebook: 03_cnn.ipynb
    """

    track_ids: np.ndarray
    labels: np.ndarray
    probs: np.ndarray

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter((self.track_ids, self.labels, self.probs))

    def __len__(self) -> int:
        return len(self.track_ids)


def group_segments(track_ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Unique track ids in order of first appearance and, per segment, its track's index.

    Parameters
    ----------
    track_ids : sequence of str, length n_segments

    Returns
    -------
    unique : np.ndarray of str, shape (n_tracks,)
    group : np.ndarray of int, shape (n_segments,)
        ``unique[group[i]]`` is the track of segment i.

    Notebook: 03_cnn.ipynb
    """
    ids = np.asarray(track_ids).astype(str)
    unique, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # first-appearance order
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return unique[order], rank[inverse.reshape(-1)]


def check_segments(probs: np.ndarray, track_ids: Sequence[str], method: str = "vote") -> np.ndarray:
    """The checks of ``aggregate_tracks``: one track id per segment, a known ``method``.

    Parameters
    ----------
    probs : array-like, shape (n_segments, n_classes)
    track_ids : sequence of str, length n_segments
    method : str
        One of ``AGGREGATION_METHODS``.

    Returns
    -------
    np.ndarray of float64, shape (n_segments, n_classes)
        ``probs``; ValueError saying what to fix when a check fails.

    Notebook: 03_cnn.ipynb
    """
    if method not in AGGREGATION_METHODS:
        raise ValueError(f"method must be one of {list(AGGREGATION_METHODS)}, got {method!r}")
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2:
        raise ValueError(f"probs must have shape (n_segments, n_classes), got {probs.shape}")
    if len(track_ids) != len(probs):
        raise ValueError(
            f"{len(track_ids)} track ids for {len(probs)} segments: pass one id per segment"
        )
    return probs


def aggregate_tracks(
    probs: np.ndarray, track_ids: Sequence[str], *, method: str = "vote"
) -> TrackPredictions:
    """One genre per track from its segments' probabilities.

    Parameters
    ----------
    probs : np.ndarray, shape (n_segments, n_classes)
    track_ids : sequence of str, length n_segments
    method : {"vote", "mean", "geometric"}
        "vote": each segment votes for its likeliest class, the most votes win and a tie
        goes to the higher mean probability; "mean": the highest mean probability;
        "geometric": the highest mean log-probability (the product rule). For a linear
        softmax classifier this is the class of the track's mean feature row.

    Returns
    -------
    TrackPredictions
        Track ids (n_tracks,) in order of first appearance, their labels (n_tracks,) and
        mean probabilities (n_tracks, n_classes); "geometric": the geometric means,
        normalised to sum to 1.

    Notebook: 03_cnn.ipynb
    """
    probs = check_segments(probs, track_ids, method)
    tracks, track_of = group_segments(track_ids)  # track_of[i]: the track of segment i
    n_tracks, n_classes = len(tracks), probs.shape[1]
    mean = np.zeros((n_tracks, n_classes))
    np.add.at(mean, track_of, probs)  # sum of each track's segment probabilities
    mean /= np.bincount(track_of, minlength=n_tracks)[:, None]
    if method == "mean":
        labels = mean.argmax(axis=1)
    elif method == "geometric":
        log_mean = np.zeros((n_tracks, n_classes))
        np.add.at(log_mean, track_of, np.log(np.maximum(probs, LOG_FLOOR)))
        log_mean /= np.bincount(track_of, minlength=n_tracks)[:, None]
        mean = np.exp(log_mean - log_mean.max(axis=1, keepdims=True))
        mean /= mean.sum(axis=1, keepdims=True)  # the normalised geometric mean
        labels = mean.argmax(axis=1)
    else:
        votes = np.zeros((n_tracks, n_classes))
        np.add.at(votes, (track_of, probs.argmax(axis=1)), 1)  # one vote per segment
        tied = votes == votes.max(axis=1, keepdims=True)  # the classes with the most votes
        labels = np.where(tied, mean, -np.inf).argmax(axis=1)  # the likeliest of them
    return TrackPredictions(track_ids=tracks, labels=labels.astype(np.int64), probs=mean)


def track_truth(labels: Sequence[int], track_ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The true label of each track from per-segment labels.

    Parameters
    ----------
    labels : sequence of int, length n_segments
    track_ids : sequence of str, length n_segments

    Returns
    -------
    track_ids : np.ndarray, shape (n_tracks,)
        In order of first appearance.
    truth : np.ndarray of int, shape (n_tracks,)

    Raises
    ------
    ValueError
        Naming a track whose segments carry different labels.

    Notebook: 03_cnn.ipynb
    """
    labels = np.asarray(labels)
    unique, group = group_segments(track_ids)
    truth = np.full(len(unique), -1, dtype=np.int64)
    for seg, g in enumerate(group):
        if truth[g] == -1:
            truth[g] = labels[seg]
        elif truth[g] != labels[seg]:
            raise ValueError(f"track {unique[g]!r} has segments with different labels")
    return unique, truth
