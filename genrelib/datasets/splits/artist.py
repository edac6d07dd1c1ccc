"""Splits grouped by artist (no artist in two sets): one split (``artist_split``) and
cross-validation on unheard artists (``artist_kfold_splits``).
Notebook: 01_data.ipynb
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd

from genrelib.datasets.index import artists_of, known_artists
from genrelib.datasets.splits.record import LeakageError, TrackSplit, TracksLike, _tracks, check_leakage
from genrelib.datasets.splits.stratified import (_check_fraction, _check_fractions, _genre_counts,
                                                 _round_half_up, _stratified_cut)
from genrelib.errors import GenrelibWarning

__all__ = ["UNKNOWN_ARTIST_SHARE", "UnknownArtistWarning", "artist_groups", "artist_kfold_splits", "artist_split",
           "artists_per_genre"]


#: Where a folder's artists come from, said when a split needs them and none is known.
ARTISTS_HINT = ("put a tracks.csv (columns track_id,artist; track ids are file stems such as "
                "blues.00000, or genre/stem such as jazz/01 where a stem repeats; or a column path) or, "
                "for GTZAN, Sturm's artists_titles.txt beside the genre folders, or split at random "
                "(--split random)")


class UnknownArtistWarning(GenrelibWarning):
    """Some tracks of an artist-grouped split have no known artist (each is a group of its own)."""


#: The share of tracks without a known artist from which an artist-grouped split warns: below
#: it the split is still mostly by artist (Sturm's list leaves 2 of the mini set's 80 unknown).
UNKNOWN_ARTIST_SHARE = 0.1


def artist_groups(frame: pd.DataFrame) -> np.ndarray:
    """The artist of each track; an unknown artist is a group of its own track, and an
    UnknownArtistWarning counts them when they are ``UNKNOWN_ARTIST_SHARE`` of the tracks or
    more (those tracks are split as a random split would split them). Raises
    ValueError when no track has a known artist: the split would be a random one in disguise.
    The groups of the artist-grouped splits, and of the artist bootstrap in chapter 7 (where many
    artists are unknown, their singletons make its interval narrower than the artists would).

    Notebooks: 07_evaluation.ipynb, 10_transfer_learning.ipynb
    """
    artist_of = known_artists(frame)
    if not artist_of and len(frame):
        raise ValueError(f"an artist-grouped split needs the tracks' artists, and none of the "
                         f"{len(frame)} tracks has one: {ARTISTS_HINT}")
    unknown = len(frame) - sum(str(tid) in artist_of for tid in frame["track_id"])
    if unknown and unknown >= UNKNOWN_ARTIST_SHARE * len(frame):
        warnings.warn(f"{unknown} of the {len(frame)} tracks have no known artist: each counts as an artist "
                      "of its own, so they are split as a random split would split them; name their "
                      "artists in tracks.csv to keep each artist on one side", UnknownArtistWarning, stacklevel=3)
    return np.array([artist_of.get(str(tid), f"\0track:{tid}") for tid in frame["track_id"]],
                    dtype=object)


def artist_split(tracks_df: TracksLike, *, valid_fraction: float = 0.1, test_fraction: float = 0.1,
                 seed: int = 0) -> TrackSplit:
    """A split in which every artist's tracks are in one set (the "artist-filtered"
    protocol); a track of unknown artist is a group of its own.

    Whole artists move together, so the split is only approximately stratified and sized:
    scikit-learn's ``StratifiedGroupKFold`` (shuffled with ``seed``) cuts the tracks into
    k = round(1 / smallest non-zero fraction) folds (at most the number of artist groups and
    the size of the largest genre), and round(fraction * k) whole folds make the test and
    validation sets. A genre sung by one artist lands in one set only: on the 80-track GTZAN
    mini set all blues is John Lee Hooker, so blues is in train, valid or test, never in two.

    Parameters
    ----------
    tracks_df : pandas.DataFrame or DatasetIndex
        The tracks (columns ``track_id``, ``genre``, ``artist``), or their index.
    valid_fraction, test_fraction : float
        In [0, 1), summing to < 1; 0 gives an empty set.
    seed : int
        Seed of the folds and of the choice of folds.

    Returns
    -------
    TrackSplit
        Protocol "artist", checked by ``check_leakage(by_artist=True)``.

    Raises
    ------
    ValueError
        For bad fractions, a missing ``artist`` column, no track of known artist (the split
        would be random in disguise), or too few artist groups.

    Notebook: 01_data.ipynb
    """
    from sklearn.model_selection import StratifiedGroupKFold

    valid, test = _check_fractions(valid_fraction, test_fraction)
    frame = _tracks(tracks_df, need_artist=True)
    ids = frame["track_id"].to_numpy(dtype=str)
    groups = artist_groups(frame)
    n_groups = len(set(groups))
    wanted = [f for f in (valid, test) if f > 0]
    if not wanted:
        return _finish_artist_split(frame, sorted(ids), [], [])
    n_sets = 1 + len(wanted)
    k = min(max(n_sets, _round_half_up(1.0 / min(wanted))), n_groups,
            int(_genre_counts(frame).max()))
    n_test = max(1, _round_half_up(test * k)) if test > 0 else 0
    n_valid = max(1, _round_half_up(valid * k)) if valid > 0 else 0
    if n_test + n_valid >= k:
        if k < n_sets:
            raise ValueError(
                f"an artist-grouped split into {n_sets} sets needs at least {n_sets} artist "
                f"groups and a genre with {n_sets} tracks; found {n_groups} group(s) "
                f"(tracks of unknown artist count one each)")
        n_test, n_valid = (1 if test > 0 else 0), (1 if valid > 0 else 0)
    folds = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class")
        fold_of = np.empty(len(ids), dtype=int)
        for fold, (_, test_idx) in enumerate(folds.split(ids, frame["genre"].to_numpy(), groups)):
            fold_of[test_idx] = fold
    order = np.random.default_rng(seed).permutation(k)
    test_folds, valid_folds = set(order[:n_test]), set(order[n_test:n_test + n_valid])
    test_ids = sorted(ids[np.isin(fold_of, list(test_folds))])
    valid_ids = sorted(ids[np.isin(fold_of, list(valid_folds))])
    train = sorted(ids[~np.isin(fold_of, list(test_folds | valid_folds))])
    if not train or (test > 0 and not test_ids) or (valid > 0 and not valid_ids):
        raise ValueError(
            f"could not form non-empty sets from {n_groups} artist group(s) (sizes train "
            f"{len(train)}, valid {len(valid_ids)}, test {len(test_ids)}): add tracks of more "
            f"artists or set valid_fraction/test_fraction to 0")
    return _finish_artist_split(frame, train, valid_ids, test_ids)


def _groups_per_genre(frame: pd.DataFrame, groups: np.ndarray) -> pd.Series:
    return pd.Series(groups).groupby(frame["genre"].to_numpy()).nunique()


def artists_per_genre(tracks_df: TracksLike) -> pd.Series:
    """How many artist groups (``artist_groups``: an unknown artist is a group of its own track)
    play each genre. A genre of one cannot be tested on an unheard artist: an artist split puts
    it whole on one side, and the artist-grouped folds keep it in training (``genrelib data
    check`` names such genres). ValueError when no track has a known artist.
    """
    frame = _tracks(tracks_df, need_artist=True)
    return _groups_per_genre(frame, artist_groups(frame))


def artist_kfold_splits(tracks_df: TracksLike, *, n_folds: int = 5, valid_fraction: float = 0.1,
                        seed: int = 0) -> list[TrackSplit]:
    """``n_folds`` artist-grouped splits: every track of a *testable* genre (one played by at
    least two artists) is tested once, always on an artist absent from that split's train
    and validation tracks; a genre of a single artist is never tested (its tracks stay in
    training: no unheard artist could play it).

    The testable tracks are cut by scikit-learn's ``StratifiedGroupKFold`` (artists as
    groups, shuffled with ``seed``); each fold's other tracks give ``valid_fraction`` for
    validation (stratified by track, as ``kfold_splits``: validation only steers training).
    On the GTZAN mini set blues, classical, reggae and rock are one artist each, so the folds
    test the other six genres.

    Parameters
    ----------
    tracks_df : pandas.DataFrame or DatasetIndex
        The tracks (columns ``track_id``, ``genre``, ``artist``), or their index.
    n_folds : int
        Folds, >= 2.
    valid_fraction : float
        In [0, 1).
    seed : int
        Seed of the folds and of the validation draws.

    Returns
    -------
    list of TrackSplit
        Protocol "artist_kfold", ``fold`` = 0 .. n_folds - 1.

    Raises
    ------
    ValueError
        Naming the genres, when fewer than two are testable or a testable genre has fewer
        artists than folds allow.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    if not isinstance(n_folds, numbers.Integral) or isinstance(n_folds, bool) or n_folds < 2:
        raise ValueError(f"n_folds must be an integer >= 2, got {n_folds!r}")
    valid = _check_fraction("valid_fraction", valid_fraction)
    frame = _tracks(tracks_df, need_artist=True)
    groups = artist_groups(frame)
    per_genre = _groups_per_genre(frame, groups)
    testable = sorted(per_genre[per_genre >= 2].index)
    if len(testable) < 2:
        raise ValueError(f"an artist-grouped cross-validation needs two genres played by at least two "
                         f"artists; artists per genre: {per_genre.to_dict()}")
    mask = frame["genre"].isin(testable).to_numpy()
    ids = frame["track_id"].to_numpy(dtype=str)
    folds = StratifiedGroupKFold(n_splits=int(n_folds), shuffle=True, random_state=seed)
    splits = []
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class")
        cuts = list(folds.split(ids[mask], frame["genre"].to_numpy()[mask], groups[mask]))
    for fold, (_, test_idx) in enumerate(cuts):
        test_ids = ids[mask][test_idx]
        rest = frame[~frame["track_id"].isin(test_ids)]
        train, valid_ids, _ = _stratified_cut(rest, valid, 0.0, np.random.default_rng([seed, fold]))
        split = TrackSplit(train=train, valid=valid_ids, test=sorted(test_ids), protocol="artist_kfold",
                           fold=fold)
        check_leakage(split, frame)
        _check_unheard_artists(split, frame)
        splits.append(split)
    return splits


def _check_unheard_artists(split: TrackSplit, frame: pd.DataFrame) -> None:
    """LeakageError when an artist of the test set also plays in train or validation."""
    shared = artists_of(frame, split.test) & artists_of(frame, split.train + split.valid)
    if shared:
        raise LeakageError(f"artist(s) {sorted(shared)[:3]} are in the test set and in training "
                           f"of fold {split.fold}")


def _finish_artist_split(frame: pd.DataFrame, train: list, valid: list, test: list) -> TrackSplit:
    split = TrackSplit(train=train, valid=valid, test=test, protocol="artist")
    check_leakage(split, frame, by_artist=True)
    return split
