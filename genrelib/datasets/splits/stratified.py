"""Splits by track, stratified by genre: one random train/valid/test split
(``random_split``) and k-fold cross-validation (``kfold_splits``).
Notebook: 01_data.ipynb
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from genrelib.datasets.splits.record import SET_NAMES, TrackSplit, TracksLike, _tracks, check_leakage

__all__ = ["SPLIT_SETS", "genres_below", "kfold_splits", "random_split"]

#: Sets of the default split (train, valid, test): a genre needs at least this many tracks,
#: one in each, for ``random_split`` with both fractions above 0.
SPLIT_SETS = len(SET_NAMES)


def _check_fraction(name: str, value: float) -> float:
    if (not isinstance(value, numbers.Real) or isinstance(value, bool)
            or not 0.0 <= float(value) < 1.0):
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)


def _check_fractions(valid_fraction: float, test_fraction: float) -> tuple[float, float]:
    valid = _check_fraction("valid_fraction", valid_fraction)
    test = _check_fraction("test_fraction", test_fraction)
    if valid + test >= 1.0:
        raise ValueError(f"valid_fraction + test_fraction must be < 1 to leave training tracks, "
                         f"got {valid} + {test} = {valid + test}")
    return valid, test


def _genre_counts(frame: pd.DataFrame) -> pd.Series:
    return frame["genre"].value_counts().sort_index()


def genres_below(tracks_df: TracksLike, needed: int = SPLIT_SETS) -> dict[str, int]:
    """``{genre: tracks}`` of the genres with fewer than ``needed`` tracks (none: {}), sorted by
    genre: those a stratified split into ``needed`` sets (or ``needed`` folds) refuses
    (``genrelib data check`` names them)."""
    counts = _genre_counts(_tracks(tracks_df))
    return {str(genre): int(n) for genre, n in counts[counts < needed].items()}


def _require_per_genre(frame: pd.DataFrame, needed: int, what: str, fix: str) -> None:
    small = genres_below(frame, needed)
    if small:
        listed = ", ".join(f"{genre!r} has {n}" for genre, n in small.items())
        raise ValueError(f"{what} needs at least {needed} tracks per genre; {listed}. {fix}")


def _round_half_up(x: float) -> int:
    return int(np.floor(x + 0.5))


def _allocate(counts: np.ndarray, fraction: float, capacity: np.ndarray,
              rng: np.random.Generator) -> np.ndarray:
    """Per-genre quotas summing to round(total * fraction) (at least 1 when fraction > 0),
    each close to count * fraction and at most ``capacity`` (largest remainder, ties by rng)."""
    if fraction <= 0:
        return np.zeros_like(counts)
    target = min(max(1, _round_half_up(counts.sum() * fraction)), int(capacity.sum()))
    ideal = counts * fraction
    take = np.minimum(np.floor(ideal).astype(int), capacity)
    while take.sum() < target:
        remainder = ideal - take
        order = np.lexsort((rng.random(len(counts)), -remainder))
        for g in order:
            if take.sum() >= target:
                break
            if take[g] < capacity[g]:
                take[g] += 1
    while take.sum() > target:  # floor can exceed target only through rounding; trim largest
        take[int(np.argmax(take - ideal))] -= 1
    return take


def _stratified_cut(frame: pd.DataFrame, valid: float, test: float,
                    rng: np.random.Generator) -> tuple[list[str], list[str], list[str]]:
    genres = sorted(frame["genre"].unique())
    ids = {g: np.sort(frame.loc[frame["genre"] == g, "track_id"].to_numpy(dtype=str))
           for g in genres}
    counts = np.array([len(ids[g]) for g in genres])
    keep = 1 + (1 if valid > 0 else 0)  # leave one train (and one valid) track per genre
    n_test = _allocate(counts, test, np.maximum(counts - keep, 0), rng)
    n_valid = _allocate(counts, valid, np.maximum(counts - n_test - 1, 0), rng)
    train, valid_ids, test_ids = [], [], []
    for genre, t, v in zip(genres, n_test, n_valid):
        order = rng.permutation(ids[genre])
        test_ids += list(order[:t])
        valid_ids += list(order[t:t + v])
        train += list(order[t + v:])
    return sorted(train), sorted(valid_ids), sorted(test_ids)


def random_split(tracks_df: TracksLike, *, valid_fraction: float = 0.1, test_fraction: float = 0.1,
                 seed: int = 0) -> TrackSplit:
    """A random split by track, stratified by genre (default 80/10/10).

    Set sizes are round(n * fraction), halves rounded up; each genre gets its share (count *
    fraction, the remainders given to the genres with the largest fractional part, ties broken
    by ``seed``), and every genre keeps at least one training track and, when
    ``valid_fraction`` > 0, the test set leaves it one for validation. Unlike scikit-learn's
    ``train_test_split(stratify=...)``, this also works when a set is smaller than the number
    of genres (8 test tracks for 10 genres on an 80-track set: 8 genres get one).

    Parameters
    ----------
    tracks_df : pandas.DataFrame or DatasetIndex
        The tracks (columns ``track_id``, ``genre``), or their index.
    valid_fraction, test_fraction : float
        In [0, 1), summing to < 1; 0 gives an empty set.
    seed : int
        Seed of the draw.

    Returns
    -------
    TrackSplit
        Protocol "random", checked by ``check_leakage``.

    Raises
    ------
    ValueError
        For fractions outside [0, 1) or summing to >= 1, and when a genre has fewer tracks
        than sets (3 for train/valid/test).

    Notebook: 01_data.ipynb
    """
    valid, test = _check_fractions(valid_fraction, test_fraction)
    frame = _tracks(tracks_df)
    n_sets = 1 + (valid > 0) + (test > 0)
    _require_per_genre(frame, n_sets, f"a stratified split into {n_sets} sets",
                       "Add tracks, drop that genre (its folder; in Python index.drop_genres([...])), or set "
                       "valid_fraction/test_fraction to 0.")
    train, valid_ids, test_ids = _stratified_cut(frame, valid, test, np.random.default_rng(seed))
    split = TrackSplit(train=train, valid=valid_ids, test=test_ids, protocol="random")
    check_leakage(split, frame)
    return split


def kfold_splits(tracks_df: TracksLike, *, n_folds: int = 10, valid_fraction: float = 0.1,
                 seed: int = 0) -> list[TrackSplit]:
    """``n_folds`` splits by track (scikit-learn ``StratifiedKFold``, shuffled with ``seed``):
    fold i is the test set of split i, and ``valid_fraction`` of the remaining tracks
    (stratified, as in ``random_split``) is its validation set. Every track is tested once.

    Parameters
    ----------
    tracks_df : pandas.DataFrame or DatasetIndex
        The tracks (columns ``track_id``, ``genre``), or their index.
    n_folds : int
        Folds, >= 2.
    valid_fraction : float
        In [0, 1).
    seed : int
        Seed of the folds and of the validation draws.

    Returns
    -------
    list of TrackSplit
        Protocol "kfold", ``fold`` = 0 .. n_folds - 1.

    Raises
    ------
    ValueError
        When ``n_folds`` < 2 or a genre has fewer than ``n_folds`` tracks (each fold's test
        set must hold every genre).

    Notebook: 01_data.ipynb
    """
    from sklearn.model_selection import StratifiedKFold

    if not isinstance(n_folds, numbers.Integral) or isinstance(n_folds, bool) or n_folds < 2:
        raise ValueError(f"n_folds must be an integer >= 2, got {n_folds!r}")
    valid = _check_fraction("valid_fraction", valid_fraction)
    frame = _tracks(tracks_df)
    _require_per_genre(frame, int(n_folds), f"stratified {n_folds}-fold cross-validation",
                       f"Use n_folds (--folds) <= {int(_genre_counts(frame).min())}.")
    ids = frame["track_id"].to_numpy(dtype=str)
    folds = StratifiedKFold(n_splits=int(n_folds), shuffle=True, random_state=seed)
    splits = []
    for fold, (rest_idx, test_idx) in enumerate(folds.split(ids, frame["genre"].to_numpy())):
        rest = frame.iloc[rest_idx]
        train, valid_ids, _ = _stratified_cut(rest, valid, 0.0, np.random.default_rng([seed, fold]))
        split = TrackSplit(train=train, valid=valid_ids, test=sorted(ids[test_idx]),
                           protocol="kfold", fold=fold)
        check_leakage(split, frame)
        splits.append(split)
    return splits
