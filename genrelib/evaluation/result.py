"""One model on one set of tracks: ``evaluate_predictions`` and its typed results.

``EvaluationSummary`` holds the numbers a run folder records (metrics.json's "valid" and
"test"); ``EvaluationResult`` adds the per-track outcome. Both read the same attributes
(``r.track_accuracy``, ``r.per_genre``, ...), fresh or loaded from a file.
Notebook: 03_cnn.ipynb
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score

from genrelib.evaluation.aggregate import AGGREGATION_METHODS, aggregate_tracks, track_truth
from genrelib.evaluation.intervals import bootstrap_interval
from genrelib.evaluation.metrics import (TOP_K, GenreScores, classification_report, confusion,
                                         per_genre_from_dict, top_k_accuracy)


@dataclass(frozen=True)
class Bootstrap:
    """The settings of the bootstrap intervals: resamples, level, seed."""

    n_resamples: int = 2000
    level: float = 0.95
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"n_resamples": self.n_resamples, "level": self.level, "seed": self.seed}


Interval = tuple[float, float]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b)
    return bool(a == b)


@dataclass(frozen=True, kw_only=True, eq=False)
class EvaluationSummary:
    """The numbers of one evaluation, as a run folder records them.

    Attributes
    ----------
    track_accuracy, segment_accuracy, macro_f1, macro_precision, macro_recall : float
        Track level unless named segment; macro averages over every genre.
    segment_macro_f1 : float
    n_tracks, n_segments : int
    method : {"vote", "mean", "geometric"}
        How segments became a track's genre ("aggregation" in JSON).
    genres : tuple of str, length n_classes
    per_genre : dict[str, GenreScores]
        Track-level precision, recall, F1 and support of each genre.
    confusion : np.ndarray of int, shape (n_classes, n_classes)
        Track-level counts, row = true genre.
    track_accuracy_ci, macro_f1_ci : (low, high) or None
        Bootstrap intervals over tracks (None in records written before they existed).
    top_k_accuracy : dict[int, float]
        Track accuracy when any of the k most probable genres counts.
    bootstrap : Bootstrap or None
    track_accuracy_by_method : dict[str, float]
        The track accuracy of every aggregation method ("vote", "mean", "geometric"; records
        written before the geometric mean existed lack it).
    extra : dict
        Annotations (e.g. ``ensemble_of``), written after the fields.
    """

    track_accuracy: float
    segment_accuracy: float
    macro_f1: float
    macro_precision: float
    macro_recall: float
    segment_macro_f1: float
    n_tracks: int
    n_segments: int
    method: str
    genres: tuple[str, ...]
    per_genre: dict[str, GenreScores]
    confusion: np.ndarray
    track_accuracy_ci: Interval | None = None
    macro_f1_ci: Interval | None = None
    top_k_accuracy: dict[int, float] = field(default_factory=dict)
    bootstrap: Bootstrap | None = None
    track_accuracy_by_method: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        """Field by field, arrays by value (the generated ``==`` fails on array fields)."""
        if type(other) is not type(self):
            return NotImplemented
        return all(_same(getattr(self, f.name), getattr(other, f.name)) for f in fields(self))

    __hash__ = None  # type: ignore[assignment]

    @property
    def untested_genres(self) -> tuple[str, ...]:
        """The genres without a single track in the evaluated set, in ``genres`` order.

        Their confusion rows are empty and their F1 (counted as 0 in the macro averages,
        which run over every genre the model knows) is undefined (0/0) when the model never
        named them, a real 0 (false alarms only) when it did: either way no failure to
        recognise them.
        Notebooks: 03_cnn.ipynb, 07_evaluation.ipynb
        """
        return tuple(genre for genre, scores in self.per_genre.items() if scores.support == 0)

    @property
    def tested_macro_f1(self) -> float | None:
        """The macro F1 over the genres that have tracks in the evaluated set (None when none
        has): ``macro_f1`` counts an untested genre's F1 as 0, so 4 of 10 genres scored
        perfectly give 0.4 there and 1.0 here (``genrelib evaluate`` prints both).
        Notebooks: 03_cnn.ipynb, 05_crnn.ipynb
        """
        tested = [scores.f1 for scores in self.per_genre.values() if scores.support > 0]
        return float(sum(tested) / len(tested)) if tested else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON record (metrics.json's "valid"/"test", ``genrelib evaluate --json``)."""
        record: dict[str, Any] = {
            "track_accuracy": self.track_accuracy, "segment_accuracy": self.segment_accuracy,
            "macro_f1": self.macro_f1, "macro_precision": self.macro_precision,
            "macro_recall": self.macro_recall, "segment_macro_f1": self.segment_macro_f1,
            "n_tracks": self.n_tracks, "n_segments": self.n_segments,
            "aggregation": self.method, "genres": list(self.genres),
            "per_genre": {g: s.to_dict() for g, s in self.per_genre.items()},
            "confusion": np.asarray(self.confusion).astype(int).tolist(),
        }
        if self.track_accuracy_ci is not None:
            record["track_accuracy_ci"] = [float(v) for v in self.track_accuracy_ci]
        if self.macro_f1_ci is not None:
            record["macro_f1_ci"] = [float(v) for v in self.macro_f1_ci]
        if self.top_k_accuracy:
            record["top_k_accuracy"] = {str(k): float(v) for k, v in self.top_k_accuracy.items()}
        if self.bootstrap is not None:
            record["bootstrap"] = self.bootstrap.to_dict()
        record.update({f"track_accuracy_{m}": v for m, v in self.track_accuracy_by_method.items()})
        return {**record, **self.extra}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvaluationSummary:
        """Read a JSON record back (any genrelib version's: absent intervals read as None)."""
        data = dict(data)
        pop = data.pop
        interval = (lambda v: None if v is None else (float(v[0]), float(v[1])))
        by_method = {m: float(pop(f"track_accuracy_{m}")) for m in AGGREGATION_METHODS
                     if f"track_accuracy_{m}" in data}
        boot = pop("bootstrap", None)
        return cls(
            track_accuracy=float(pop("track_accuracy")), segment_accuracy=float(pop("segment_accuracy")),
            macro_f1=float(pop("macro_f1")), macro_precision=float(pop("macro_precision")),
            macro_recall=float(pop("macro_recall")), segment_macro_f1=float(pop("segment_macro_f1")),
            n_tracks=int(pop("n_tracks")), n_segments=int(pop("n_segments")),
            method=str(pop("aggregation")), genres=tuple(pop("genres")),
            per_genre=per_genre_from_dict(pop("per_genre")),
            confusion=np.asarray(pop("confusion"), dtype=np.int64),
            track_accuracy_ci=interval(pop("track_accuracy_ci", None)),
            macro_f1_ci=interval(pop("macro_f1_ci", None)),
            top_k_accuracy={int(k): float(v) for k, v in pop("top_k_accuracy", {}).items()},
            bootstrap=Bootstrap(**boot) if boot else None,
            track_accuracy_by_method=by_method, extra=data,
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class EvaluationResult(EvaluationSummary):
    """An ``EvaluationSummary`` with the per-track outcome it was computed from.

    Attributes
    ----------
    track_ids : np.ndarray of str, shape (n_tracks,)
    track_true, track_pred : np.ndarray of int, shape (n_tracks,)
        Indices into ``genres``.
    track_probs : np.ndarray, shape (n_tracks, n_classes)
        Each track's mean segment probabilities.
    """

    track_ids: np.ndarray
    track_true: np.ndarray
    track_pred: np.ndarray
    track_probs: np.ndarray


def evaluate_predictions(
    probs: np.ndarray, y: Sequence[int], track_ids: Sequence[str], *,
    genres: Sequence[str], method: str = "vote", n_resamples: int = 2000, level: float = 0.95,
    seed: int = 0,
) -> EvaluationResult:
    """Evaluate segment probabilities against the true genres, per segment and per track.

    Parameters
    ----------
    probs : np.ndarray, shape (n_segments, n_classes)
    y : sequence of int, length n_segments
        True class indices into ``genres``.
    track_ids : sequence of str, length n_segments
    genres : sequence of str, length n_classes
    method : {"vote", "mean", "geometric"}
        How a track's segments give its genre (``aggregate_tracks``); the track accuracy
        of the other methods is recorded too (``track_accuracy_by_method``). The top-k
        accuracies and ``track_probs`` use the mean probabilities whatever the method.
    n_resamples, level, seed
        Of the bootstrap intervals of track accuracy and macro F1.

    Returns
    -------
    EvaluationResult

    Notebook: 03_cnn.ipynb
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
    if len(y) == 0:
        raise ValueError("no predictions to evaluate (empty set)")
    genres = tuple(genres)
    ids, truth = track_truth(y, track_ids)
    tracks = {m: aggregate_tracks(probs, track_ids, method=m) for m in AGGREGATION_METHODS}
    pred = tracks[method].labels
    segment = classification_report(y, probs.argmax(axis=1), genres=genres)
    track = classification_report(truth, pred, genres=genres)
    boot = Bootstrap(int(n_resamples), float(level), int(seed))
    low_high = {metric: bootstrap_interval(truth, pred, metric=metric, n_classes=len(genres),
                                           **boot.to_dict())
                for metric in ("accuracy", "macro_f1")}
    mean_probs = tracks["mean"].probs
    return EvaluationResult(
        track_accuracy=track.accuracy, segment_accuracy=segment.accuracy, macro_f1=track.macro_f1,
        macro_precision=track.macro_precision, macro_recall=track.macro_recall,
        segment_macro_f1=segment.macro_f1, n_tracks=track.n, n_segments=segment.n,
        method=method, genres=genres, per_genre=track.per_genre,
        confusion=confusion(truth, pred, n_classes=len(genres)),
        track_accuracy_ci=low_high["accuracy"], macro_f1_ci=low_high["macro_f1"],
        top_k_accuracy={k: top_k_accuracy(truth, mean_probs, k=k) for k in TOP_K},
        bootstrap=boot,
        track_accuracy_by_method={m: float(accuracy_score(truth, t.labels)) for m, t in tracks.items()},
        track_ids=ids, track_true=truth, track_pred=pred, track_probs=mean_probs,
    )


def top_genres(result: EvaluationResult, *, k: int = 3, errors_only: bool = True) -> pd.DataFrame:
    """Each test track's k most probable genres, the most confident predictions first.

    Returns
    -------
    pd.DataFrame
        Columns ``track_id``, ``true``, ``predicted``, ``top_k`` (e.g. "rock 0.52, metal
        0.31, blues 0.09") and ``confidence``; ``errors_only`` keeps misclassified tracks.

    Notebook: 07_evaluation.ipynb
    """
    order = np.argsort(-result.track_probs, axis=1, kind="stable")[:, :k]  # ties as top_k_accuracy
    rows = [{"track_id": str(tid), "true": result.genres[t], "predicted": result.genres[p],
             "top_k": ", ".join(f"{result.genres[c]} {probs[c]:.2f}" for c in top),
             "confidence": float(probs[p])}
            for tid, t, p, probs, top in zip(result.track_ids, result.track_true, result.track_pred,
                                             result.track_probs, order)
            if not errors_only or t != p]
    table = pd.DataFrame(rows, columns=["track_id", "true", "predicted", "top_k", "confidence"])
    return table.sort_values("confidence", ascending=False, kind="stable").reset_index(drop=True)
