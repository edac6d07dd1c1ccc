"""From segment probabilities to the numbers of the book (numpy + scikit-learn only).

A model scores 3 s segments; a *track* (a 30 s clip) is what a listener labels, so the
book reports both: segment accuracy, and track accuracy after aggregating a track's
segments by majority vote or by mean probability. Metrics come from scikit-learn;
results are plain dicts that serialise to JSON (``genrelib.runs.save_json``).
On top of the point estimates: bootstrap intervals over test tracks, top-k accuracy,
paired significance tests of two models on the same tracks (McNemar's exact test, the
paired t-test) and ensembles that average several models' probabilities.
This module never imports Keras.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import math

import numpy as np
import pandas as pd
from scipy.stats import binomtest, ttest_rel
from sklearn.metrics import (accuracy_score, confusion_matrix, precision_recall_fscore_support,
                             top_k_accuracy_score)

AGGREGATION_METHODS: tuple[str, ...] = ("vote", "mean")
#: The k of the top-k track accuracies every evaluation reports.
TOP_K: tuple[int, ...] = (2, 3)
#: Metrics ``bootstrap_interval`` computes by name (a callable works too).
BOOTSTRAP_METRICS: tuple[str, ...] = ("accuracy", "macro_f1")


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
    Notebook: 07_evaluation.ipynb
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


def top_k_accuracy(y_true: Sequence[int], probs: np.ndarray, *, k: int) -> float:
    """Fraction of rows whose true class is among the ``k`` most probable of ``probs``.

    ``y_true`` (n,) class indices, ``probs`` (n, n_classes) scores (e.g. a track's mean
    segment probabilities). scikit-learn's ``top_k_accuracy_score`` over all n_classes
    labels; 1.0 when ``k >= n_classes``. k = 1 is the plain accuracy of the argmax.
    """
    probs = np.asarray(probs, dtype=np.float64)
    y_true = np.asarray(y_true)
    if probs.ndim != 2 or len(probs) != len(y_true) or len(y_true) == 0:
        raise ValueError(f"probs must have shape (n, n_classes) with one label per row, got "
                         f"probs {probs.shape} and {len(y_true)} labels")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    n_classes = probs.shape[1]
    if k >= n_classes:
        return 1.0
    return float(top_k_accuracy_score(y_true, probs, k=k, labels=list(range(n_classes))))


def _resampled_scores(y_true: np.ndarray, y_pred: np.ndarray, idx: np.ndarray, metric: Any,
                      n_classes: int) -> np.ndarray:
    """The metric on each row of ``idx`` (n_rows, n): one bootstrap sample per row."""
    t, p = y_true[idx], y_pred[idx]
    if metric == "accuracy":
        return (t == p).mean(axis=1)
    if metric == "macro_f1":  # 2 tp / (predicted + true) per class, 0 when both are 0
        rows = np.arange(len(idx))[:, None] * n_classes
        size = len(idx) * n_classes
        tp = np.bincount((rows + t)[t == p], minlength=size).reshape(len(idx), n_classes)
        total = (np.bincount((rows + t).ravel(), minlength=size)
                 + np.bincount((rows + p).ravel(), minlength=size)).reshape(len(idx), n_classes)
        f1 = np.divide(2.0 * tp, total, out=np.zeros(tp.shape), where=total > 0)
        return f1.mean(axis=1)
    return np.array([float(metric(a, b)) for a, b in zip(t, p)])


def bootstrap_interval(
    y_true: Sequence[int], y_pred: Sequence[int], *, metric: Any = "accuracy",
    n_resamples: int = 2000, level: float = 0.95, seed: int = 0, n_classes: int | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap interval of a metric over test tracks: (low, high).

    ``y_true``/``y_pred`` (n_tracks,) class indices. Each of ``n_resamples`` resamples draws
    n_tracks tracks with replacement (``rng.integers(0, n, size=n)`` in turn from
    ``np.random.default_rng(seed)``) and recomputes the metric; the interval is the
    ((1 - level) / 2, (1 + level) / 2) percentiles of those values. ``metric``: "accuracy",
    "macro_f1" (over ``n_classes`` classes, default max label + 1, an absent class scoring 0
    as in ``classification_report_dict``) or a callable (y_true, y_pred) -> float.
    Notebook: 07_evaluation.ipynb
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    n = len(y_true)
    if n == 0 or len(y_pred) != n:
        raise ValueError(f"need one prediction per track and at least one track, got "
                         f"{n} labels and {len(y_pred)} predictions")
    if not (isinstance(metric, str) and metric in BOOTSTRAP_METRICS) and not callable(metric):
        raise ValueError(f"metric must be one of {list(BOOTSTRAP_METRICS)} or a callable, "
                         f"got {metric!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")
    if n_classes is None:
        n_classes = int(max(y_true.max(), y_pred.max())) + 1
    rng = np.random.default_rng(seed)
    rows = max(1, 1_000_000 // n)  # resamples per block: bounded memory, the same draws
    scores = np.concatenate([
        _resampled_scores(y_true, y_pred, rng.integers(0, n, size=(min(rows, n_resamples - s), n)),
                          metric, n_classes)
        for s in range(0, n_resamples, rows)])
    tail = 50.0 * (1.0 - level)
    low, high = np.percentile(scores, [tail, 100.0 - tail])
    return float(low), float(high)


@dataclass
class EvaluationResult:
    """Segment- and track-level results of one model on one set of tracks.

    ``segment`` and ``track`` are ``classification_report_dict`` dicts; ``confusion`` is the
    track-level (n_classes, n_classes) count matrix; ``track_ids``/``track_true``/
    ``track_pred`` (n_tracks,) the per-track outcome and ``track_probs`` (n_tracks, n_classes)
    each track's mean segment probabilities. ``track_accuracy_ci``/``macro_f1_ci`` are
    bootstrap intervals over tracks (``bootstrap`` holds their n_resamples, level, seed);
    ``top_k_accuracy`` {k: track accuracy when any of the k most probable genres counts}.
    ``to_dict()`` gives the JSON record with ``track_accuracy``, ``segment_accuracy``,
    ``macro_f1`` (track level), ``per_genre`` (track level), ``confusion``,
    ``track_accuracy_ci`` [low, high], ``macro_f1_ci`` and ``top_k_accuracy`` {"2": ., "3": .}.
    """

    genres: tuple[str, ...]
    method: str
    segment: dict[str, Any]
    track: dict[str, Any]
    confusion: np.ndarray
    track_ids: np.ndarray
    track_true: np.ndarray
    track_pred: np.ndarray
    track_probs: np.ndarray
    track_accuracy_ci: tuple[float, float]
    macro_f1_ci: tuple[float, float]
    top_k_accuracy: dict[int, float]
    bootstrap: dict[str, Any] = field(default_factory=dict)
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
            "track_accuracy_ci": [float(v) for v in self.track_accuracy_ci],
            "macro_f1_ci": [float(v) for v in self.macro_f1_ci],
            "top_k_accuracy": {str(k): float(v) for k, v in self.top_k_accuracy.items()},
            "bootstrap": dict(self.bootstrap),
            **self.extra,
        }


def top_genres(result: EvaluationResult, *, k: int = 3, errors_only: bool = True) -> pd.DataFrame:
    """Per test track: ``track_id``, ``true`` and ``predicted`` genre, and ``top_k`` its k
    most probable genres with their mean probability (e.g. "rock 0.52, metal 0.31, blues
    0.09"), the most confident predictions first; ``errors_only`` keeps the misclassified
    tracks.
    Notebook: 07_evaluation.ipynb
    """
    order = np.argsort(-result.track_probs, axis=1)[:, :k]
    rows = [{"track_id": str(tid), "true": result.genres[t], "predicted": result.genres[p],
             "top_k": ", ".join(f"{result.genres[c]} {probs[c]:.2f}" for c in top),
             "confidence": float(probs[p])}
            for tid, t, p, probs, top in zip(result.track_ids, result.track_true, result.track_pred,
                                             result.track_probs, order)
            if not errors_only or t != p]
    table = pd.DataFrame(rows, columns=["track_id", "true", "predicted", "top_k", "confidence"])
    return table.sort_values("confidence", ascending=False, kind="stable").reset_index(drop=True)


def evaluate_predictions(
    probs: np.ndarray, y: Sequence[int], track_ids: Sequence[str], *,
    genres: Sequence[str], method: str = "vote", n_resamples: int = 2000, level: float = 0.95,
    seed: int = 0,
) -> EvaluationResult:
    """Evaluate segment probabilities (n_segments, n_classes) against labels ``y``.

    Segment level: argmax per segment. Track level: ``aggregate_tracks(method=method)``.
    Also records the track accuracy of the other aggregation method in
    ``extra["track_accuracy_<method>"]`` so both are always reported. Track accuracy and
    macro F1 get ``bootstrap_interval``s (``n_resamples``, ``level``, ``seed``); top-k
    accuracy (k in TOP_K) ranks the genres by each track's mean probability.
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
    bootstrap = {"n_resamples": int(n_resamples), "level": float(level), "seed": int(seed)}
    intervals = {metric: bootstrap_interval(truth, result_pred, metric=metric,
                                            n_classes=len(genres), **bootstrap)
                 for metric in BOOTSTRAP_METRICS}
    return EvaluationResult(
        genres=genres, method=method,
        segment=classification_report_dict(y, seg_pred, genres=genres),
        track=classification_report_dict(truth, result_pred, genres=genres),
        confusion=confusion(truth, result_pred, n_classes=len(genres)),
        track_ids=ids, track_true=truth, track_pred=result_pred, track_probs=agg.probs,
        track_accuracy_ci=intervals["accuracy"], macro_f1_ci=intervals["macro_f1"],
        top_k_accuracy={k: top_k_accuracy(truth, agg.probs, k=k) for k in TOP_K},
        bootstrap=bootstrap, extra=extra,
    )


# --------------------------------------------------------------------------- ensembles


@dataclass(frozen=True)
class SegmentPredictions:
    """One model's output on a set of tracks, ready to evaluate, ensemble or compare.

    ``probs`` (n_segments, n_classes) in the order of ``genres`` (n_classes,), ``y``
    (n_segments,) the true class index into ``genres``, ``track_ids`` (n_segments,) the
    track of each segment. A track-level model is one "segment" per track.
    """

    probs: np.ndarray
    y: np.ndarray
    track_ids: np.ndarray
    genres: tuple[str, ...]

    def __post_init__(self) -> None:
        probs, y = np.asarray(self.probs), np.asarray(self.y)
        ids = np.asarray(self.track_ids).astype(str)
        if probs.ndim != 2 or not len(y) == len(ids) == len(probs):
            raise ValueError(f"probs must have shape (n_segments, n_classes) with one label and "
                             f"one track id per segment, got probs {probs.shape}, {len(y)} "
                             f"labels and {len(ids)} track ids")
        if probs.shape[1] != len(self.genres):
            raise ValueError(f"probs has {probs.shape[1]} classes but {len(self.genres)} genres")
        for name, value in (("probs", probs), ("y", y), ("track_ids", ids),
                            ("genres", tuple(self.genres))):
            object.__setattr__(self, name, value)

    def evaluate(self, *, method: str = "vote", **options: Any) -> EvaluationResult:
        """``evaluate_predictions`` of these predictions (``options``: n_resamples, level, seed)."""
        return evaluate_predictions(self.probs, self.y, self.track_ids, genres=self.genres,
                                    method=method, **options)

    def per_track(self) -> SegmentPredictions:
        """One row per track (first-appearance order): its mean segment probabilities."""
        agg = aggregate_tracks(self.probs, self.track_ids, method="mean")
        _, truth = track_truth(self.y, self.track_ids)
        return SegmentPredictions(agg.probs, truth, agg.track_ids, self.genres)

    def with_genre_order(self, genres: Sequence[str]) -> SegmentPredictions:
        """The same predictions with the columns (and labels) in the order of ``genres``,
        which must hold the same genres (ValueError naming the difference otherwise)."""
        genres = tuple(genres)
        if sorted(genres) != sorted(self.genres):
            raise ValueError(f"genres must be {list(self.genres)} in some order, "
                             f"got {list(genres)}")
        if genres == self.genres:
            return self
        new_index = np.array([genres.index(g) for g in self.genres])
        return SegmentPredictions(self.probs[:, [self.genres.index(g) for g in genres]],
                                  new_index[self.y], self.track_ids, genres)


def check_same_genres(genres_by_member: dict[str, Sequence[str]]) -> None:
    """Raise ValueError naming the genres that differ unless every member ({name: genre
    list}) knows the same genres (in any order)."""
    if not genres_by_member:
        return
    (first_name, first), *others = genres_by_member.items()
    for name, genres in others:
        if set(genres) != set(first):
            raise ValueError(
                f"ensemble members must share their genre list: {name} differs from {first_name} "
                f"(only in {first_name}: {sorted(set(first) - set(genres))}; only in {name}: "
                f"{sorted(set(genres) - set(first))})")


def same_segments(members: Sequence[SegmentPredictions]) -> bool:
    """True when every member scores the same segments: the same track id per row, in the
    same order (the same segment settings on the same data)."""
    return all(np.array_equal(m.track_ids, members[0].track_ids) for m in members[1:])


def ensemble_predictions(members: Sequence[SegmentPredictions], *,
                         names: Sequence[str] | None = None) -> SegmentPredictions:
    """The mean of several models' probabilities on the same tracks.

    Members must know the same genres (any column order: the first member's order is kept)
    and score the same tracks with the same true genres; ValueError names the difference
    (members are called by ``names``, default "member 0", ...). When ``same_segments``,
    the segment probabilities are averaged (n_segments rows); otherwise (other segment
    settings, a track-level model) each member's mean track probabilities are averaged
    (n_tracks rows, in the first member's track order).
    Notebook: 07_evaluation.ipynb
    """
    if len(members) == 0:
        raise ValueError("an ensemble needs at least one member")
    names = list(names) if names is not None else [f"member {i}" for i in range(len(members))]
    if len(names) != len(members):
        raise ValueError(f"{len(names)} names for {len(members)} members")
    check_same_genres({n: m.genres for n, m in zip(names, members)})
    genres = members[0].genres
    aligned = [m.with_genre_order(genres) for m in members]
    if not same_segments(aligned):
        aligned = [m.per_track() for m in aligned]
        first = aligned[0].track_ids
        for i, (name, m) in enumerate(zip(names, aligned)):
            differ = sorted(map(str, set(first) ^ set(m.track_ids)))
            if differ:
                raise ValueError(f"ensemble members must score the same tracks: {name} and "
                                 f"{names[0]} differ on {len(differ)} tracks, e.g. {differ[:5]}")
            row = {t: r for r, t in enumerate(m.track_ids)}
            order = np.array([row[t] for t in first])
            aligned[i] = SegmentPredictions(m.probs[order], m.y[order], first, genres)
    for name, m in zip(names[1:], aligned[1:]):
        wrong = np.flatnonzero(m.y != aligned[0].y)
        if len(wrong):
            raise ValueError(f"{name} and {names[0]} disagree on the true genre of track "
                             f"{str(aligned[0].track_ids[wrong[0]])!r}")
    probs = np.mean([m.probs for m in aligned], axis=0)
    return SegmentPredictions(probs, aligned[0].y, aligned[0].track_ids, genres)


# --------------------------------------------------------------------------- paired tests


@dataclass(frozen=True)
class PairedTest:
    """A paired test of models A and B on the same tracks: ``test`` ("mcnemar_exact" or
    "paired_t"), ``statistic``, two-sided ``pvalue``, ``df`` (t-test only) and the 2 x 2
    counts of tracks ``both_right``, ``only_a_right``, ``only_b_right``, ``both_wrong``.
    """

    test: str
    statistic: float
    pvalue: float
    both_right: int
    only_a_right: int
    only_b_right: int
    both_wrong: int
    df: int | None = None

    @property
    def n_tracks(self) -> int:
        return self.both_right + self.only_a_right + self.only_b_right + self.both_wrong

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (an infinite statistic becomes None)."""
        finite = math.isfinite(self.statistic)
        return {"test": self.test, "statistic": float(self.statistic) if finite else None,
                "pvalue": float(self.pvalue), "df": self.df, "n_tracks": self.n_tracks,
                "both_right": self.both_right, "only_a_right": self.only_a_right,
                "only_b_right": self.only_b_right, "both_wrong": self.both_wrong}


def _paired_correctness(correct_a: Sequence[bool], correct_b: Sequence[bool]
                        ) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    a, b = np.asarray(correct_a, dtype=bool), np.asarray(correct_b, dtype=bool)
    if a.ndim != 1 or a.shape != b.shape or len(a) == 0:
        raise ValueError(f"need one correctness value per track for both models, got "
                         f"{a.shape} and {b.shape}")
    counts = {"both_right": int(np.sum(a & b)), "only_a_right": int(np.sum(a & ~b)),
              "only_b_right": int(np.sum(~a & b)), "both_wrong": int(np.sum(~a & ~b))}
    return a, b, counts


def mcnemar_exact(correct_a: Sequence[bool], correct_b: Sequence[bool]) -> PairedTest:
    """McNemar's exact test on the per-track correctness (n_tracks,) of models A and B.

    Which question each paired test answers. McNemar's test asks: on the tracks where
    exactly one model is right, is one of them right more often than a fair coin would
    allow? It looks only at those discordant tracks (b = only A right, c = only B right):
    if both models had the same error rate, b would follow Binomial(b + c, 1/2), and the
    two-sided p-value of that binomial test is exact at any size (``scipy.stats.binomtest``;
    the statistic reported is min(b, c)). The study's two-tailed paired t-test
    (``paired_t_test``) asks whether the mean per-track difference in correctness (+1, 0 or
    -1 per track) is zero: it uses every track, including the concordant ones that say
    nothing about which model is better, and its p-value leans on a normal approximation
    that is rough for 0/1 data and few discordant tracks. Either way, a test set of 10
    tracks per genre rarely separates two models: their predictions differ in correctness
    on a dozen tracks or so, and even 9 of 12 one way gives McNemar p = 0.15. A large p
    means "no difference shown", never "no difference".
    """
    _, _, counts = _paired_correctness(correct_a, correct_b)
    b, c = counts["only_a_right"], counts["only_b_right"]
    pvalue = float(binomtest(b, b + c, 0.5).pvalue) if b + c else 1.0
    return PairedTest(test="mcnemar_exact", statistic=float(min(b, c)), pvalue=pvalue, **counts)


def paired_t_test(correct_a: Sequence[bool], correct_b: Sequence[bool]) -> PairedTest:
    """The study's two-tailed paired t-test on per-track correctness (n_tracks,) of A and B.

    It asks whether the mean of d = correct_a - correct_b (1/0 per track, so d is +1, 0 or
    -1) differs from zero, with t = mean(d) / (sd(d) / sqrt(n)) on n - 1 degrees of freedom
    (``scipy.stats.ttest_rel``); see ``mcnemar_exact`` for how its question differs from
    McNemar's. When every d is the same (no variance) the test is degenerate: all zero
    gives t = 0, p = 1; all +1 or all -1 gives t = +-inf, p = 0. Needs n >= 2 tracks.
    """
    a, b, counts = _paired_correctness(correct_a, correct_b)
    if len(a) < 2:
        raise ValueError(f"the paired t-test needs at least 2 tracks, got {len(a)}")
    d = a.astype(np.float64) - b.astype(np.float64)
    if np.all(d == d[0]):
        statistic, pvalue = (0.0, 1.0) if d[0] == 0 else (math.copysign(math.inf, d[0]), 0.0)
    else:
        result = ttest_rel(a.astype(np.float64), b.astype(np.float64))
        statistic, pvalue = float(result.statistic), float(result.pvalue)
    return PairedTest(test="paired_t", statistic=statistic, pvalue=pvalue, df=len(a) - 1, **counts)


@dataclass(frozen=True)
class PairedComparison:
    """Two evaluations on the same tracks, side by side.

    ``track_ids`` (n_tracks,) in A's order; ``true``, ``pred_a``, ``pred_b`` (n_tracks,)
    genre names; ``a``/``b`` the EvaluationResults, ``names`` what to call them;
    ``mcnemar`` and ``t_test`` the PairedTests of their per-track correctness.
    """

    names: tuple[str, str]
    track_ids: np.ndarray
    true: np.ndarray
    pred_a: np.ndarray
    pred_b: np.ndarray
    a: EvaluationResult
    b: EvaluationResult
    mcnemar: PairedTest
    t_test: PairedTest

    @property
    def differ(self) -> np.ndarray:
        """(n_tracks,) bool: the tracks where A and B predict different genres."""
        return self.pred_a != self.pred_b

    def to_dict(self) -> dict[str, Any]:
        """JSON record: ``a``/``b`` {run, track_accuracy, track_accuracy_ci, macro_f1},
        ``n_tracks``, ``aggregation``, ``mcnemar``, ``t_test`` and ``differ`` [{track_id,
        true, a, b}] (the genres each predicts where they differ)."""
        def side(name: str, result: EvaluationResult) -> dict[str, Any]:
            return {"run": name, "track_accuracy": result.track_accuracy,
                    "track_accuracy_ci": [float(v) for v in result.track_accuracy_ci],
                    "macro_f1": result.macro_f1}

        return {
            "a": side(self.names[0], self.a), "b": side(self.names[1], self.b),
            "n_tracks": int(len(self.track_ids)), "aggregation": self.a.method,
            "mcnemar": self.mcnemar.to_dict(), "t_test": self.t_test.to_dict(),
            "differ": [{"track_id": str(t), "true": str(g), "a": str(pa), "b": str(pb)}
                       for t, g, pa, pb, d in zip(self.track_ids, self.true, self.pred_a,
                                                  self.pred_b, self.differ) if d],
        }


def compare_predictions(a: EvaluationResult, b: EvaluationResult, *,
                        names: Sequence[str] = ("a", "b")) -> PairedComparison:
    """Pair two evaluations track by track (by track id, genres by name, so the models may
    know different genre lists) and run ``mcnemar_exact`` and ``paired_t_test`` on their
    per-track correctness. ValueError names tracks only one of them scored, or a track
    whose true genre they disagree on.
    Notebook: 07_evaluation.ipynb
    """
    ids_a, ids_b = set(map(str, a.track_ids)), set(map(str, b.track_ids))
    if ids_a != ids_b:
        only_a, only_b = sorted(ids_a - ids_b), sorted(ids_b - ids_a)
        raise ValueError(f"the two evaluations must cover the same tracks: {len(only_a)} only in "
                         f"{names[0]} {only_a[:5]}, {len(only_b)} only in {names[1]} {only_b[:5]}")
    row = {str(t): r for r, t in enumerate(b.track_ids)}
    order = np.array([row[str(t)] for t in a.track_ids])
    genres_a, genres_b = np.array(a.genres), np.array(b.genres)
    true, true_b = genres_a[a.track_true], genres_b[b.track_true[order]]
    pred_a, pred_b = genres_a[a.track_pred], genres_b[b.track_pred[order]]
    wrong = np.flatnonzero(true != true_b)
    if len(wrong):
        raise ValueError(f"the two evaluations disagree on the true genre of track "
                         f"{str(a.track_ids[wrong[0]])!r}: {str(true[wrong[0]])!r} vs "
                         f"{str(true_b[wrong[0]])!r}")
    correct_a, correct_b = pred_a == true, pred_b == true
    return PairedComparison(
        names=(str(names[0]), str(names[1])), track_ids=np.asarray(a.track_ids), true=true,
        pred_a=pred_a, pred_b=pred_b, a=a, b=b,
        mcnemar=mcnemar_exact(correct_a, correct_b), t_test=paired_t_test(correct_a, correct_b))
