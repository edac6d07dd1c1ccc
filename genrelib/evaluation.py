"""From segment probabilities to the numbers of the book (numpy + scikit-learn only).

A model scores 3 s segments; a *track* (a 30 s clip) is what a listener labels, so the
book reports both: segment accuracy, and track accuracy after aggregating a track's
segments by majority vote or by mean probability. Metrics come from scikit-learn;
results are plain dicts that serialise to JSON (``genrelib.runs.save_json``).
This module never imports Keras.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

AGGREGATION_METHODS: tuple[str, ...] = ("vote", "mean")


@dataclass(frozen=True)
class TrackPredictions:
    """Track-level predictions: ``track_ids`` (n_tracks,) in order of first appearance,
    ``labels`` (n_tracks,) int predicted class, ``probs`` (n_tracks, n_classes) the mean
    segment probabilities. Unpacks as ``ids, labels, probs = aggregate_tracks(...)``.
    """

    track_ids: np.ndarray
    labels: np.ndarray
    probs: np.ndarray

    def __iter__(self):
        return iter((self.track_ids, self.labels, self.probs))

    def __len__(self) -> int:
        return len(self.track_ids)


def _group(track_ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Unique track ids in order of first appearance and, per segment, its track's index."""
    ids = np.asarray(track_ids).astype(str)
    unique, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # first-appearance order
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return unique[order], rank[inverse.reshape(-1)]


def aggregate_tracks(
    probs: np.ndarray, track_ids: Sequence[str], *, method: str = "vote"
) -> TrackPredictions:
    """Combine segment probabilities (n_segments, n_classes) into one label per track.

    ``method="vote"``: each segment votes for its argmax class, the most voted class wins;
    a tie is broken by the higher mean probability among the tied classes (then by the
    lower class index). ``method="mean"``: the argmax of the mean probability.
    Returns TrackPredictions (track ids in order of first appearance).
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
    unique, group = _group(track_ids)
    n_tracks, n_classes = len(unique), probs.shape[1]
    sums = np.zeros((n_tracks, n_classes))
    np.add.at(sums, group, probs)
    counts = np.bincount(group, minlength=n_tracks).astype(np.float64)
    mean = sums / np.maximum(counts, 1.0)[:, None]
    if method == "mean":
        labels = mean.argmax(axis=1)
    else:
        votes = np.zeros((n_tracks, n_classes))
        np.add.at(votes, (group, probs.argmax(axis=1)), 1.0)
        tied = votes == votes.max(axis=1, keepdims=True)
        labels = np.where(tied, mean, -np.inf).argmax(axis=1)
    return TrackPredictions(track_ids=unique, labels=labels.astype(np.int64), probs=mean)


def track_truth(labels: Sequence[int], track_ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(track ids, true label per track) from per-segment labels, in first-appearance order.

    Raises ValueError naming a track whose segments carry different labels.
    """
    labels = np.asarray(labels)
    unique, group = _group(track_ids)
    truth = np.full(len(unique), -1, dtype=np.int64)
    for seg, g in enumerate(group):
        if truth[g] == -1:
            truth[g] = labels[seg]
        elif truth[g] != labels[seg]:
            raise ValueError(f"track {unique[g]!r} has segments with different labels")
    return unique, truth


def confusion(
    y_true: Sequence[int], y_pred: Sequence[int], *, n_classes: int, normalize: str | None = None
) -> np.ndarray:
    """Confusion matrix (n_classes, n_classes): row = true class, column = predicted.

    ``normalize`` None (counts), "true" (rows sum to 1), "pred" or "all" as in scikit-learn.
    """
    return confusion_matrix(y_true, y_pred, labels=list(range(n_classes)), normalize=normalize)


def classification_report_dict(
    y_true: Sequence[int], y_pred: Sequence[int], *, genres: Sequence[str]
) -> dict[str, Any]:
    """Accuracy, macro precision/recall/F1 and a per-genre report, as a JSON-ready dict.

    Keys: ``accuracy``, ``macro_precision``, ``macro_recall``, ``macro_f1``, ``n``,
    ``per_genre`` {genre: {precision, recall, f1, support}}. Macro averages run over all
    ``genres`` (a genre absent from both truth and predictions scores 0, zero_division=0).
    """
    labels = list(range(len(genres)))
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if len(y_true) == 0:
        raise ValueError("no predictions to evaluate (empty set)")
    p, r, f, s = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=None, zero_division=0
    )
    mp, mr, mf, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average="macro", zero_division=0
    )
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_precision": float(mp),
        "macro_recall": float(mr),
        "macro_f1": float(mf),
        "n": int(len(y_true)),
        "per_genre": {
            g: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                "support": int(s[i])}
            for i, g in enumerate(genres)
        },
    }


@dataclass
class EvaluationResult:
    """Segment- and track-level results of one model on one set of tracks.

    ``segment`` and ``track`` are ``classification_report_dict`` dicts; ``confusion`` is the
    track-level (n_classes, n_classes) count matrix; ``track_ids``/``track_true``/
    ``track_pred`` the per-track outcome. ``to_dict()`` gives the JSON record with
    ``track_accuracy``, ``segment_accuracy``, ``macro_f1`` (track level), ``per_genre``
    (track level) and ``confusion``.
    """

    genres: tuple[str, ...]
    method: str
    segment: dict[str, Any]
    track: dict[str, Any]
    confusion: np.ndarray
    track_ids: np.ndarray
    track_true: np.ndarray
    track_pred: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def track_accuracy(self) -> float:
        return float(self.track["accuracy"])

    @property
    def segment_accuracy(self) -> float:
        return float(self.segment["accuracy"])

    @property
    def macro_f1(self) -> float:
        return float(self.track["macro_f1"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "track_accuracy": self.track_accuracy,
            "segment_accuracy": self.segment_accuracy,
            "macro_f1": self.macro_f1,
            "macro_precision": float(self.track["macro_precision"]),
            "macro_recall": float(self.track["macro_recall"]),
            "segment_macro_f1": float(self.segment["macro_f1"]),
            "n_tracks": int(self.track["n"]),
            "n_segments": int(self.segment["n"]),
            "aggregation": self.method,
            "genres": list(self.genres),
            "per_genre": self.track["per_genre"],
            "confusion": np.asarray(self.confusion).astype(int).tolist(),
            **self.extra,
        }


def evaluate_predictions(
    probs: np.ndarray, y: Sequence[int], track_ids: Sequence[str], *,
    genres: Sequence[str], method: str = "vote",
) -> EvaluationResult:
    """Evaluate segment probabilities (n_segments, n_classes) against labels ``y``.

    Segment level: argmax per segment. Track level: ``aggregate_tracks(method=method)``.
    Also records the track accuracy of the other aggregation method in
    ``extra["track_accuracy_<method>"]`` so both are always reported.
    """
    if method not in AGGREGATION_METHODS:
        raise ValueError(f"method must be one of {list(AGGREGATION_METHODS)}, got {method!r}")
    probs = np.asarray(probs)
    y = np.asarray(y)
    if probs.ndim != 2 or not len(y) == len(track_ids) == len(probs):
        raise ValueError(f"probs must have shape (n_segments, n_classes) with one label and one "
                         f"track id per segment, got probs {probs.shape}, {len(y)} labels and "
                         f"{len(track_ids)} track ids")
    if probs.shape[1] != len(genres):
        raise ValueError(f"probs has {probs.shape[1]} classes but {len(genres)} genres were given")
    seg_pred = probs.argmax(axis=1)
    ids, truth = track_truth(y, track_ids)
    extra: dict[str, Any] = {}
    result_pred = None
    for m in AGGREGATION_METHODS:
        agg = aggregate_tracks(probs, track_ids, method=m)
        extra[f"track_accuracy_{m}"] = float(accuracy_score(truth, agg.labels))
        if m == method:
            result_pred = agg.labels
    assert result_pred is not None
    genres = tuple(genres)
    return EvaluationResult(
        genres=genres, method=method,
        segment=classification_report_dict(y, seg_pred, genres=genres),
        track=classification_report_dict(truth, result_pred, genres=genres),
        confusion=confusion(truth, result_pred, n_classes=len(genres)),
        track_ids=ids, track_true=truth, track_pred=result_pred, extra=extra,
    )
