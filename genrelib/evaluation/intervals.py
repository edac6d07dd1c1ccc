"""How sure a number is: percentile bootstrap intervals over the test tracks.

Notebook: 07_evaluation.ipynb
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

#: Metrics ``bootstrap_interval`` computes by name (a callable works too).
BOOTSTRAP_METRICS: tuple[str, ...] = ("accuracy", "macro_f1")

Metric = str | Callable[[np.ndarray, np.ndarray], float]


def resampled_scores(y_true: np.ndarray, y_pred: np.ndarray, idx: np.ndarray, metric: Metric,
                     n_classes: int) -> np.ndarray:
    """The metric on each bootstrap sample.

    Parameters
    ----------
    y_true, y_pred : np.ndarray of int, shape (n,)
    idx : np.ndarray of int, shape (n_samples, n)
        One bootstrap sample (indices drawn with replacement) per row.
    metric : "accuracy", "macro_f1" or a callable (y_true, y_pred) -> float
    n_classes : int
        Classes the macro F1 averages over.

    Returns
    -------
    np.ndarray, shape (n_samples,)
    """
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
    y_true: Sequence[int], y_pred: Sequence[int], *, metric: Metric = "accuracy",
    n_resamples: int = 2000, level: float = 0.95, seed: int = 0, n_classes: int | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap interval of a metric over test tracks.

    Each of ``n_resamples`` resamples draws n_tracks tracks with replacement
    (``rng.integers(0, n, size=n)`` in turn from ``np.random.default_rng(seed)``) and
    recomputes the metric; the interval is the ((1 - level) / 2, (1 + level) / 2)
    percentiles of those values.

    Parameters
    ----------
    y_true, y_pred : sequence of int, length n_tracks
        Class indices.
    metric : "accuracy", "macro_f1" or a callable (y_true, y_pred) -> float
        "macro_f1" averages over ``n_classes`` classes (default: max label + 1), an absent
        class scoring 0 as in ``classification_report``.
    n_resamples : int
    level : float in (0, 1)
    seed : int

    Returns
    -------
    (low, high) : tuple of float

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
        resampled_scores(y_true, y_pred, rng.integers(0, n, size=(min(rows, n_resamples - s), n)),
                         metric, n_classes)
        for s in range(0, n_resamples, rows)])
    tail = 50.0 * (1.0 - level)
    low, high = np.percentile(scores, [tail, 100.0 - tail])
    return float(low), float(high)
