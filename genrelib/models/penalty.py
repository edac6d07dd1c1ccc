"""The L2 penalty C of the logistic regressions (logreg and the probes): the candidates a
run is given, and the choice among them by cross-validation on its training tracks alone.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline

__all__ = ["INNER_FOLDS", "C_candidates", "choose_C"]

#: Folds of the inner cross-validation that picks C among candidates (``choose_C``): grouped
#: by track, within the training tracks only.
INNER_FOLDS = 5


def C_candidates(C: float | Sequence[float]) -> tuple[float, ...]:
    """The C values to try: ``(C,)`` for one number, a list sorted strongest penalty first.

    ValueError names an empty list, a value that is no positive number, or a string.

    Notebook: 10_transfer_learning.ipynb
    """
    values = C if isinstance(C, Sequence) and not isinstance(C, str) else [C]
    try:
        candidates = tuple(sorted({float(c) for c in values}))
    except (TypeError, ValueError):
        raise ValueError(f"C must be a number or a list of numbers, got {C!r}") from None
    if not candidates or not np.isfinite(candidates).all() or candidates[0] <= 0:
        raise ValueError(f"C must be a positive number or a non-empty list of them, got {C!r}, e.g. "
                         "C=1.0 or --option 'C=[0.001,0.01,0.1,1,10]'")
    return candidates


def choose_C(model: Pipeline, table: np.ndarray, y: np.ndarray, *, groups: np.ndarray | None,
             candidates: Sequence[float], folds: int = INNER_FOLDS) -> tuple[float, list[float]]:
    """The C of the lowest cross-validated log loss, on the training rows only.

    The training tracks are cut into ``folds`` stratified groups (``StratifiedGroupKFold``:
    a track's rows stay together; fewer folds when a genre has fewer training tracks, at
    least 2); each candidate is fitted on all groups but one and scored on that one. The
    test and validation tracks are never seen, so choosing C this way is part of training.

    Parameters
    ----------
    model : sklearn.pipeline.Pipeline
        A logistic-regression pipeline (step "logreg"); cloned, not fitted.
    table : np.ndarray, shape (n, n_features)
        The training rows (``feature_table``).
    y : np.ndarray of int, shape (n,)
        Their labels.
    groups : np.ndarray, shape (n,), optional
        The track of every row; None: one row per track.
    candidates : sequence of float
        The C values tried; a tie goes to the first (list them strongest penalty first).
    folds : int
        Inner folds at most.

    Returns
    -------
    (float, list of float)
        The chosen C and every candidate's mean held-out log loss (over all held-out rows).
        ValueError with fewer than 2 training tracks.

    Notebook: 10_transfer_learning.ipynb
    """
    y = np.asarray(y)
    groups = np.arange(len(y)) if groups is None else np.asarray(groups)
    n_tracks = len(np.unique(groups))
    if n_tracks < 2:
        raise ValueError("choosing C needs at least 2 training tracks; give one C instead")
    tracks_per_genre = pd.Series(y).groupby(groups).first().value_counts()
    n_splits = int(min(folds, n_tracks, max(2, tracks_per_genre.min())))
    labels = np.unique(y)
    seed = model.get_params().get("logreg__random_state") or 0
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    with warnings.catch_warnings():  # a genre with fewer training tracks than folds is expected
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        splits = list(splitter.split(table, y, groups))
    if any(len(np.unique(y[train])) < 2 for train, _ in splits):  # sklearn: "needs 2 classes"
        raise ValueError(f"choosing C among {list(candidates)}: an inner fold would train on one genre "
                         f"only (the fewest training tracks of a genre: {int(tracks_per_genre.min())}); give "
                         "one C instead (--option C=1) or more training tracks per genre")
    losses = np.zeros(len(candidates))
    for train, held_out in splits:
        for i, C in enumerate(candidates):
            fitted = clone(model).set_params(logreg__C=C).fit(table[train], y[train])
            probs = np.zeros((len(held_out), len(labels)))  # a genre absent from training: 0
            probs[:, np.searchsorted(labels, fitted.classes_)] = fitted.predict_proba(table[held_out])
            right = probs[np.arange(len(held_out)), np.searchsorted(labels, y[held_out])]
            losses[i] -= np.log(np.clip(right, 1e-15, 1.0)).sum()  # the log loss, summed
    losses /= len(y)
    best = int(np.argmin(losses))  # argmin keeps the first of equal losses
    return float(candidates[best]), [float(v) for v in losses]
