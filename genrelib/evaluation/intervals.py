"""How sure a number is: percentile bootstrap intervals over the test tracks (or their artists).

Notebook: 07_evaluation.ipynb
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

#: Metrics ``bootstrap_interval`` computes by name (a callable works too).
BOOTSTRAP_METRICS: tuple[str, ...] = ("accuracy", "macro_f1")

Metric = str | Callable[[np.ndarray, np.ndarray], float]


def resampled_scores(y_true: np.ndarray, y_pred: np.ndarray, idx: np.ndarray, metric: Metric,
                     n_classes: int) -> np.ndarray:
    """The metric on each bootstrap resample, all resamples at once (vectorised).

    Parameters
    ----------
    y_true, y_pred : np.ndarray of int, shape (n_tracks,)
    idx : np.ndarray of int, shape (n_resamples, n_tracks)
        One resample (track indices drawn with replacement) per row.
    metric : "accuracy", "macro_f1" or a callable (y_true, y_pred) -> float
    n_classes : int
        Classes the macro F1 averages over: a class without a track in ``y_true`` counts 0,
        as in the point estimate ``macro_f1``.

    Returns
    -------
    np.ndarray, shape (n_resamples,)

    Notes
    -----
    The macro F1 of a resample is the mean F1 over the classes *that resample* has tracks
    of, times the share of the ``n_classes`` classes that ``y_true`` has tracks of. On the
    full sample that is exactly ``macro_f1``; a resample that happens to miss a tested
    class was not asked about it and does not score it 0 (scoring it 0 pulled the interval
    below its own estimate when a genre had one or two test tracks).

    Notebook: 07_evaluation.ipynb
    """
    t, p = y_true[idx], y_pred[idx]
    if metric == "accuracy":
        return (t == p).mean(axis=1)
    if metric == "macro_f1":  # 2 tp / (predicted + true) per class
        rows = np.arange(len(idx))[:, None] * n_classes
        size = len(idx) * n_classes
        tp = np.bincount((rows + t)[t == p], minlength=size).reshape(len(idx), n_classes)
        true = np.bincount((rows + t).ravel(), minlength=size).reshape(len(idx), n_classes)
        predicted = np.bincount((rows + p).ravel(), minlength=size).reshape(len(idx), n_classes)
        return _macro_f1_of_counts(tp, true, predicted, y_true, n_classes)
    return np.array([float(metric(a, b)) for a, b in zip(t, p)])


def _macro_f1_of_counts(tp: np.ndarray, true: np.ndarray, predicted: np.ndarray, y_true: np.ndarray,
                       n_classes: int) -> np.ndarray:
    """The macro F1 of each resample from its per-class counts (each of shape (n_resamples,
    n_classes): right, true and predicted tracks of each class), averaged over the classes that
    resample has tracks of and scaled by the share of classes ``y_true`` has tracks of (see
    ``resampled_scores``' notes)."""
    total = true + predicted
    f1 = np.divide(2.0 * tp, total, out=np.zeros(tp.shape), where=total > 0)  # 2 tp / (predicted + true)
    tested = true > 0  # the classes each resample has tracks of (at least one)
    share = np.count_nonzero(np.bincount(y_true, minlength=n_classes)) / n_classes
    return share * (f1 * tested).sum(axis=1) / tested.sum(axis=1)


def check_bootstrap_arguments(n_true: int, n_pred: int, metric: Metric, n_resamples: int,
                              level: float) -> None:
    """Raise one clear ValueError for arguments ``bootstrap_interval`` cannot use.

    Parameters
    ----------
    n_true, n_pred : int
        Number of true labels and of predictions (equal, and at least 1).
    metric : "accuracy", "macro_f1" or a callable (y_true, y_pred) -> float
    n_resamples : int
        At least 1.
    level : float
        In (0, 1).

    Notebook: 07_evaluation.ipynb
    """
    if n_true == 0 or n_pred != n_true:
        raise ValueError(f"need one prediction per track and at least one track, got "
                         f"{n_true} labels and {n_pred} predictions")
    if not (isinstance(metric, str) and metric in BOOTSTRAP_METRICS) and not callable(metric):
        raise ValueError(f"metric must be one of {list(BOOTSTRAP_METRICS)} or a callable, "
                         f"got {metric!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")


def bootstrap_interval(
    y_true: Sequence[int], y_pred: Sequence[int], *, metric: Metric = "accuracy",
    n_resamples: int = 2000, level: float = 0.95, seed: int = 0, n_classes: int | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap interval of a metric over the test tracks.

    Parameters
    ----------
    y_true, y_pred : sequence of int, shape (n_tracks,)
        True and predicted class of each track.
    metric : "accuracy", "macro_f1" or a callable (y_true, y_pred) -> float
    n_resamples : int
        How many times n_tracks tracks are drawn with replacement.
    level : float in (0, 1)
    seed : int
    n_classes : int, optional
        Classes the macro F1 averages over (default: the largest label + 1); a resample
        averages over the classes it has tracks of (see ``resampled_scores``).

    Returns
    -------
    (low, high) : tuple of float
        The (1 - level) / 2 and (1 + level) / 2 percentiles of the resampled metric, each
        a resampled score (``np.percentile``'s "lower" and "higher" methods, no
        interpolation): an accuracy on n tracks is a multiple of 1 / n.

    Notebook: 07_evaluation.ipynb
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    n = len(y_true)
    check_bootstrap_arguments(n, len(y_pred), metric, n_resamples, level)
    if n_classes is None:
        n_classes = int(max(y_true.max(), y_pred.max())) + 1
    rng = np.random.default_rng(seed)
    block = max(1, 1_000_000 // n)  # resamples drawn at once (bounded memory, the same draws)
    scores = []
    for start in range(0, n_resamples, block):
        idx = rng.integers(0, n, size=(min(block, n_resamples - start), n))  # a resample per row
        scores.append(resampled_scores(y_true, y_pred, idx, metric, n_classes))
    return interval_ends(np.concatenate(scores), level)


def interval_ends(scores: np.ndarray, level: float) -> tuple[float, float]:
    """The (1 - level) / 2 and (1 + level) / 2 percentiles of resampled scores, each one of
    the scores: the one at or below the lower percentile, at or above the upper (never a value
    between two of them: accuracies on 48 tracks are multiples of 1/48), so the interval holds
    the interpolated one.

    Notebook: 07_evaluation.ipynb
    """
    tail = 50.0 * (1.0 - level)  # percent of the resamples in each tail
    low = np.percentile(scores, tail, method="lower")
    high = np.percentile(scores, 100.0 - tail, method="higher")
    return float(low), float(high)


def weighted_scores(y_true: np.ndarray, y_pred: np.ndarray, times: np.ndarray, metric: Metric,
                    n_classes: int) -> np.ndarray:
    """The metric on each resample given as how many times it holds each track: ``times``, ints of
    shape (n_resamples, n_tracks), one resample per row (0, 1, 2, ... of each track). The other
    arguments and the scores (shape (n_resamples,)) are ``resampled_scores``', macro F1 rule
    included. Notebook: 07_evaluation.ipynb
    """
    if metric == "accuracy":
        return (times * (y_true == y_pred)).sum(axis=1) / times.sum(axis=1)
    if metric == "macro_f1":  # per-class counts, each track counted `times` times
        is_true, is_pred = np.eye(n_classes)[y_true], np.eye(n_classes)[y_pred]
        tp = times @ (is_true * (y_true == y_pred)[:, None])
        return _macro_f1_of_counts(tp, times @ is_true, times @ is_pred, y_true, n_classes)
    return np.array([float(metric(np.repeat(y_true, row), np.repeat(y_pred, row))) for row in times])


def cluster_bootstrap_interval(
    y_true: Sequence[int], y_pred: Sequence[int], groups: Sequence[object], *,
    metric: Metric = "accuracy", n_resamples: int = 2000, level: float = 0.95, seed: int = 0,
    n_classes: int | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap interval that draws whole groups of tracks (artists), not tracks.

    Songs by one artist are not independent draws: a model that recognises an artist gets
    that artist's songs right or wrong together. Each resample draws as many groups as the
    test set has, with replacement, and keeps every track of each group drawn (the cluster
    bootstrap), so an artist's songs come and go together. The groups are numbered in order of
    appearance, so with one track per group it is ``bootstrap_interval``, draw for draw. With few
    groups (a dozen or so) it covers less than ``level``, and one group gives the estimate itself:
    read such an interval as a lower bound of the uncertainty.

    Parameters
    ----------
    y_true, y_pred : sequence of int, shape (n_tracks,)
    groups : sequence, shape (n_tracks,)
        Each track's group, e.g. its artist (any hashable values that sort).
    metric, n_resamples, level, seed, n_classes
        As in ``bootstrap_interval``.

    Returns
    -------
    (low, high) : tuple of float (``interval_ends``)

    Notebook: 07_evaluation.ipynb
    """
    y_true, y_pred, groups = np.asarray(y_true), np.asarray(y_pred), np.asarray(groups)
    n = len(y_true)
    check_bootstrap_arguments(n, len(y_pred), metric, n_resamples, level)
    if len(groups) != n:
        raise ValueError(f"need one group (e.g. artist) per track, got {len(groups)} groups for {n} tracks")
    if n_classes is None:
        n_classes = int(max(y_true.max(), y_pred.max())) + 1
    scores = [weighted_scores(y_true, y_pred, times, metric, n_classes)
              for times in group_resamples(groups, n_resamples, seed)]
    return interval_ends(np.concatenate(scores), level)


def group_resamples(groups: np.ndarray, n_resamples: int, seed: int) -> Iterator[np.ndarray]:
    """The cluster bootstrap's resamples, in blocks: each row how many times it holds each track
    (ints, shape (rows, n_tracks)) after drawing as many groups as there are, with replacement,
    every track of a drawn group kept. Groups are numbered in order of appearance, so one track
    per group draws as ``bootstrap_interval`` does. Notebook: 07_evaluation.ipynb
    """
    _, first, group_of = np.unique(groups, return_index=True, return_inverse=True)
    k = len(first)
    group_of = np.argsort(np.argsort(first))[group_of]  # each track's group as 0 .. k - 1, in order of appearance
    rng = np.random.default_rng(seed)
    block = max(1, 1_000_000 // max(len(groups), k))  # resamples drawn at once (bounded memory, the same draws)
    for start in range(0, n_resamples, block):
        drawn = rng.integers(0, k, size=(min(block, n_resamples - start), k))  # k groups per resample
        rows = np.arange(len(drawn))[:, None] * k
        times = np.bincount((rows + drawn).ravel(), minlength=len(drawn) * k).reshape(len(drawn), k)
        yield times[:, group_of]


def mean_interval(values: Sequence[float], groups: Sequence[object] | None = None, *, n_resamples: int = 2000,
                  level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of one value per track (the share of several runs
    that got the track right, say): tracks resampled as ``bootstrap_interval`` draws them, or
    whole groups (artists) as ``cluster_bootstrap_interval`` does when ``groups`` is given; on
    0/1 values it is their accuracy interval, draw for draw. Returns ``interval_ends``.
    Notebook: 10_transfer_learning.ipynb
    """
    values = np.asarray(values, dtype=float)
    groups = np.arange(len(values)) if groups is None else np.asarray(groups)
    check_bootstrap_arguments(len(values), len(values), "accuracy", n_resamples, level)
    if len(groups) != len(values):
        raise ValueError(f"need one group (e.g. artist) per track, got {len(groups)} groups for {len(values)} tracks")
    scores = [times @ values / times.sum(axis=1) for times in group_resamples(groups, n_resamples, seed)]
    return interval_ends(np.concatenate(scores), level)


def independent_ratio_band(y_true: Sequence[int], y_pred: Sequence[int], groups: Sequence[object], *,
                           n_shuffles: int = 100, n_resamples: int = 2000, level: float = 0.9,
                           seed: int = 0) -> tuple[float, float]:
    """The width ratio (artists resampled / tracks resampled, accuracy intervals) that errors
    falling independently of the groups would give: which tracks are right is shuffled over the
    tracks (the groups and the number right kept), the ratio computed each time.

    Parameters
    ----------
    y_true, y_pred, groups
        As in ``cluster_bootstrap_interval``.
    n_shuffles : int
        How many shuffles; each computes both intervals (``n_resamples`` each).
    level : float in (0, 1)
        The band's coverage: its (1 - level) / 2 and (1 + level) / 2 quantiles.

    Returns
    -------
    (low, high) : tuple of float
        A ratio inside it is what independent errors give with these groups (the groups' sizes
        and the bootstrap's own noise); one above it says the errors come by group.

    Notebook: 07_evaluation.ipynb
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    rng = np.random.default_rng(seed)
    ratios = []
    for i in range(n_shuffles):
        right = rng.permutation(y_true == y_pred)
        shuffled = np.where(right, y_true, y_true + 1)  # a wrong label where the track is wrong
        by_track = bootstrap_interval(y_true, shuffled, n_resamples=n_resamples, seed=seed + i)
        by_group = cluster_bootstrap_interval(y_true, shuffled, groups, n_resamples=n_resamples, seed=seed + i)
        if by_track[1] > by_track[0]:
            ratios.append((by_group[1] - by_group[0]) / (by_track[1] - by_track[0]))
    low, high = np.quantile(ratios, [(1 - level) / 2, (1 + level) / 2]) if ratios else (np.nan, np.nan)
    return float(low), float(high)

