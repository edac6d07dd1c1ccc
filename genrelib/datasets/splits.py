"""Train/validation/test splits, always **by track** (before cutting segments), and a leakage check.

Four protocols: a random stratified split (``random_split``, default 80/10/10), stratified
k-fold (``kfold_splits``), an artist-grouped split (``artist_split``: no artist in two sets,
the honest protocol for GTZAN) and split lists read from files (``split_from_lists``, e.g.
the fault-filtered split of Kereliuk, Sturm & Larsen 2015). Every function checks its own
result with ``check_leakage`` before returning it.

Every function takes the ``tracks`` DataFrame of a ``DatasetIndex`` (columns ``track_id``,
``genre`` and, for artists, ``artist``) or the ``DatasetIndex`` itself.
Notebook: 01_data.ipynb
"""

from __future__ import annotations

import numbers
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import numpy as np
import pandas as pd

from genrelib.datasets.folder import strip_audio_suffix, track_id_from_path
from genrelib.datasets.index import artists_of, known_artists

if TYPE_CHECKING:  # type hints only
    from genrelib.datasets.index import DatasetIndex

#: What every split function takes: a DatasetIndex or its ``tracks`` DataFrame.
TracksLike = Union[pd.DataFrame, "DatasetIndex"]

__all__ = ["SET_NAMES", "SPLIT_CHOICES", "LeakageError", "TrackSplit", "artist_kfold_splits", "artist_split",
           "check_leakage", "check_split_spec", "kfold_splits", "make_split", "random_split",
           "split_from_lists"]

#: The names of the sets of a split, in order.
SET_NAMES: tuple[str, ...] = ("train", "valid", "test")

#: The split protocols a run accepts by name (``genrelib train --split``, ``make_split``).
SPLIT_CHOICES: tuple[str, ...] = ("random", "artist", "lists:DIR")
_LISTS_PREFIX = "lists:"


class LeakageError(ValueError):
    """A track (or, for the artist protocol, an artist) is in two sets of a split."""


@dataclass(frozen=True)
class TrackSplit:
    """Track ids of the train, valid and test sets (tuples of str, sorted) and the protocol
    that made them ("random", "kfold", "artist", "lists"); ``fold`` numbers k-fold splits.
    """

    train: tuple[str, ...]
    valid: tuple[str, ...]
    test: tuple[str, ...]
    protocol: str
    fold: int | None = None

    def __post_init__(self) -> None:
        for name in SET_NAMES:
            value = getattr(self, name)
            if isinstance(value, str):
                raise TypeError(f"TrackSplit.{name} must be a sequence of track ids, got a str")
            object.__setattr__(self, name, tuple(str(t) for t in value))

    def sets(self) -> dict[str, tuple[str, ...]]:
        """``{"train": ids, "valid": ids, "test": ids}``."""
        return {name: getattr(self, name) for name in SET_NAMES}

    def sizes(self) -> dict[str, int]:
        """``{"train": n, "valid": n, "test": n}``."""
        return {name: len(ids) for name, ids in self.sets().items()}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (lists of ids); ``TrackSplit.from_dict`` reverses it."""
        return {"protocol": self.protocol, "fold": self.fold,
                **{name: list(ids) for name, ids in self.sets().items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "TrackSplit":
        """The split saved by ``to_dict``."""
        return cls(train=data["train"], valid=data.get("valid", ()), test=data.get("test", ()),
                   protocol=data["protocol"], fold=data.get("fold"))


# --------------------------------------------------------------------------- helpers
def _tracks(tracks_df: TracksLike, *, need_artist: bool = False) -> pd.DataFrame:
    frame = getattr(tracks_df, "tracks", tracks_df)  # a DatasetIndex or its tracks
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected a tracks DataFrame or a DatasetIndex, got {type(tracks_df).__name__}")
    needed = {"track_id", "genre"} | ({"artist"} if need_artist else set())
    missing = needed - set(frame.columns)
    if missing:
        raise ValueError(f"the tracks table lacks column(s) {sorted(missing)}; "
                         f"it has {list(frame.columns)}")
    if frame.empty:
        raise ValueError("the tracks table is empty: nothing to split")
    duplicated = frame["track_id"][frame["track_id"].duplicated()]
    if len(duplicated):
        raise ValueError(f"track ids must be unique; repeated: {sorted(set(duplicated))[:5]}")
    return frame


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


def _require_per_genre(frame: pd.DataFrame, needed: int, what: str, fix: str) -> None:
    counts = _genre_counts(frame)
    small = counts[counts < needed]
    if len(small):
        listed = ", ".join(f"{genre!r} has {int(n)}" for genre, n in small.items())
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


# --------------------------------------------------------------------------- protocols
def random_split(tracks_df: TracksLike, *, valid_fraction: float = 0.1, test_fraction: float = 0.1,
                 seed: int = 0) -> TrackSplit:
    """A random split by track, stratified by genre (default 80/10/10); ``test_fraction=0``
    (or ``valid_fraction=0``) gives an empty set.

    Set sizes are round(n * fraction); each genre gets its share (count * fraction, the
    remainders given to the genres with the largest fractional part, ties broken by
    ``seed``), and every genre keeps at least one training track. Unlike scikit-learn's
    ``train_test_split(stratify=...)``, this also works when a set is smaller than the
    number of genres (8 test tracks for 10 genres on an 80-track set: 8 genres get one).
    Raises ValueError for fractions outside [0, 1) or summing to >= 1, and when a genre has
    fewer tracks than sets (3 for train/valid/test). Protocol "random".
    Notebook: 01_data.ipynb
    """
    valid, test = _check_fractions(valid_fraction, test_fraction)
    frame = _tracks(tracks_df)
    n_sets = 1 + (valid > 0) + (test > 0)
    _require_per_genre(frame, n_sets, f"a stratified split into {n_sets} sets",
                       "Add tracks, drop that genre, or set valid_fraction/test_fraction to 0.")
    train, valid_ids, test_ids = _stratified_cut(frame, valid, test, np.random.default_rng(seed))
    split = TrackSplit(train=train, valid=valid_ids, test=test_ids, protocol="random")
    check_leakage(split, frame)
    return split


def kfold_splits(tracks_df: TracksLike, *, n_folds: int = 10, valid_fraction: float = 0.1,
                 seed: int = 0) -> list[TrackSplit]:
    """``n_folds`` splits by track (scikit-learn ``StratifiedKFold``, shuffled with ``seed``):
    fold i is the test set of split i, and ``valid_fraction`` of the remaining tracks
    (stratified, as in ``random_split``) is its validation set. Every track is tested once.

    Raises ValueError when ``n_folds`` < 2 or a genre has fewer than ``n_folds`` tracks (each
    fold's test set must hold every genre). Protocol "kfold", ``fold`` = 0 .. n_folds - 1.
    Notebook: 01_data.ipynb
    """
    from sklearn.model_selection import StratifiedKFold

    if not isinstance(n_folds, numbers.Integral) or isinstance(n_folds, bool) or n_folds < 2:
        raise ValueError(f"n_folds must be an integer >= 2, got {n_folds!r}")
    valid = _check_fraction("valid_fraction", valid_fraction)
    frame = _tracks(tracks_df)
    _require_per_genre(frame, int(n_folds), f"stratified {n_folds}-fold cross-validation",
                       f"Use n_folds <= {int(_genre_counts(frame).min())}.")
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


def _artist_groups(frame: pd.DataFrame) -> np.ndarray:
    """The artist of each track; an unknown artist is a group of its own track."""
    artist_of = known_artists(frame)
    return np.array([artist_of.get(str(tid), f"\0track:{tid}") for tid in frame["track_id"]],
                    dtype=object)


def artist_split(tracks_df: TracksLike, *, valid_fraction: float = 0.1, test_fraction: float = 0.1,
                 seed: int = 0) -> TrackSplit:
    """A split in which every artist's tracks are in one set (the "artist-filtered"
    protocol); a track of unknown artist is a group of its own.

    Whole artists move together, so the split is only approximately stratified and sized:
    scikit-learn's ``StratifiedGroupKFold`` (shuffled with ``seed``) cuts the tracks into
    k = round(1 / smallest non-zero fraction) folds (at most the number of artist groups
    and the size of the largest genre), and round(fraction * k) whole folds make the test
    and validation sets. A genre sung by one artist lands in one set only: on the 80-track
    GTZAN mini set all blues is John Lee Hooker, so blues is in train, valid or test, never
    in two. Raises ValueError for bad fractions, a missing ``artist`` column, or too few
    artist groups. Protocol "artist".
    Notebook: 01_data.ipynb
    """
    from sklearn.model_selection import StratifiedGroupKFold

    valid, test = _check_fractions(valid_fraction, test_fraction)
    frame = _tracks(tracks_df, need_artist=True)
    ids = frame["track_id"].to_numpy(dtype=str)
    groups = _artist_groups(frame)
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
    test the other six genres. Raises ValueError naming the genres when fewer than two are
    testable or a testable genre has fewer artists than folds allow. Protocol
    "artist_kfold", ``fold`` = 0 .. n_folds - 1.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    if not isinstance(n_folds, numbers.Integral) or isinstance(n_folds, bool) or n_folds < 2:
        raise ValueError(f"n_folds must be an integer >= 2, got {n_folds!r}")
    valid = _check_fraction("valid_fraction", valid_fraction)
    frame = _tracks(tracks_df, need_artist=True)
    groups = _artist_groups(frame)
    artists_per_genre = pd.Series(groups).groupby(frame["genre"].to_numpy()).nunique()
    testable = sorted(artists_per_genre[artists_per_genre >= 2].index)
    if len(testable) < 2:
        raise ValueError(f"an artist-grouped cross-validation needs two genres played by at least two "
                         f"artists; artists per genre: {artists_per_genre.to_dict()}")
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


def _list_files(source: str | os.PathLike[str]) -> dict[str, Path | None]:
    folder = Path(source)
    if not folder.is_dir():
        raise FileNotFoundError(f"split-list folder {str(folder)!r} does not exist")
    found: dict[str, Path | None] = {}
    for name in SET_NAMES:
        matches = sorted(p for p in folder.glob(f"*{name}*.txt") if p.is_file())
        if len(matches) > 1:
            raise ValueError(f"{folder}: several files match *{name}*.txt "
                             f"({[m.name for m in matches]}); keep one per set")
        if not matches and name != "valid":
            raise ValueError(f"{folder}: no *{name}*.txt split list (one "
                             f"'genre/genre.000NN.wav' per line)")
        found[name] = matches[0] if matches else None
    return found


def _read_list(path: Path) -> list[str]:
    entries = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line and not line.startswith("#"):
                entries.append(line.replace("\\", "/"))
    return entries


def split_from_lists(tracks_df: TracksLike,
                     source: str | os.PathLike[str] | Mapping[str, Any], *,
                     protocol: str = "lists") -> TrackSplit:
    """A split read from list files: ``source`` is a folder holding ``*train*.txt``,
    ``*test*.txt`` and optionally ``*valid*.txt`` (one ``genre/genre.000NN.wav`` per line,
    ``#`` comments), or a mapping ``{"train": file or list of entries, ...}``.

    Entries match track ids by file stem (``blues.00029``). Listed tracks that are not in
    the index are left out with one warning giving their count; tracks of the index in no
    list are not used (the fault-filtered lists leave 70 faulty GTZAN tracks out on purpose).
    Raises LeakageError when a track is listed in two sets, ValueError when no listed track
    is in the index.
    Notebook: 01_data.ipynb
    """
    frame = _tracks(tracks_df)
    if isinstance(source, Mapping):
        unknown = set(source) - set(SET_NAMES)
        if unknown:
            raise ValueError(f"split lists are keyed by {SET_NAMES}, got {sorted(unknown)}")
        raw = {name: (_read_list(Path(v)) if isinstance(v, (str, os.PathLike)) else
                      [str(e) for e in v]) for name, v in source.items()}
        where = "the given lists"
    else:
        files = _list_files(source)
        raw = {name: (_read_list(p) if p else []) for name, p in files.items()}
        where = str(source)
    lookup: dict[str, str] = {}
    for track_id in frame["track_id"].astype(str):
        lookup.setdefault(track_id_from_path(track_id), track_id)
        lookup[track_id] = track_id
    listed = {name: list(dict.fromkeys(strip_audio_suffix(e) for e in raw.get(name, [])))
              for name in SET_NAMES}
    check_leakage(TrackSplit(**listed, protocol=protocol))
    chosen: dict[str, list[str]] = {name: [] for name in SET_NAMES}
    absent: list[str] = []
    for name in SET_NAMES:
        for entry in listed[name]:
            match = lookup.get(entry) or lookup.get(track_id_from_path(entry))
            if match:
                chosen[name].append(match)
            else:
                absent.append(entry)
    n_listed = sum(len(v) for v in listed.values())
    if not any(chosen.values()):
        raise ValueError(f"none of the {n_listed} tracks listed in {where} is in the index "
                         f"(e.g. {absent[:3]}): is this the right dataset?")
    if absent:
        warnings.warn(f"{len(absent)} of the {n_listed} tracks listed in {where} are not in the "
                      f"index and were left out (e.g. {absent[:3]})", stacklevel=2)
    split = TrackSplit(**{name: sorted(ids) for name, ids in chosen.items()}, protocol=protocol)
    check_leakage(split, frame)
    return split


# --------------------------------------------------------------------------- leakage
def check_leakage(split: TrackSplit, tracks_df: TracksLike | None = None, *,
                  by_artist: bool = False) -> None:
    """Raise LeakageError when a track is in two sets of ``split`` (naming the track and
    both sets); with ``by_artist=True`` also when an artist is (tracks of unknown artist are
    exempt). With ``tracks_df``, every id must be in it (ValueError naming the unknown ones).
    Returns None when the split is clean.
    Notebook: 01_data.ipynb
    """
    sets = split.sets()
    for i, first in enumerate(SET_NAMES):
        for second in SET_NAMES[i + 1:]:
            shared = sorted(set(sets[first]) & set(sets[second]))
            if shared:
                raise LeakageError(
                    f"track {shared[0]!r} is in both the {first!r} and the {second!r} set of the "
                    f"{split.protocol!r} split ({len(shared)} shared track(s): {shared[:5]})")
    if tracks_df is None:
        if by_artist:
            raise ValueError("check_leakage(by_artist=True) needs tracks_df with an 'artist' column")
        return
    frame = _tracks(tracks_df, need_artist=by_artist)
    known = set(frame["track_id"].astype(str))
    unknown = sorted({t for ids in sets.values() for t in ids} - known)
    if unknown:
        raise ValueError(f"{len(unknown)} track id(s) of the {split.protocol!r} split are not in "
                         f"the tracks table: {unknown[:5]}")
    if not by_artist:
        return
    artist_of = known_artists(frame)
    seen: dict[str, tuple[str, str]] = {}  # artist -> (set, example track)
    for name in SET_NAMES:
        for track_id in sets[name]:
            artist = artist_of.get(track_id)
            if artist is None:
                continue
            if artist in seen and seen[artist][0] != name:
                other, example = seen[artist]
                raise LeakageError(
                    f"artist {artist!r} is in both the {other!r} set ({example}) and the "
                    f"{name!r} set ({track_id}) of the {split.protocol!r} split")
            seen.setdefault(artist, (name, track_id))


# --------------------------------------------------------------------------- by name
def check_split_spec(spec: str) -> str:
    """``spec`` itself when it names a split protocol of ``SPLIT_CHOICES`` ("random",
    "artist" or "lists:DIR" with a non-empty DIR); ValueError listing the choices otherwise.
    """
    if spec in ("random", "artist") or (spec.startswith(_LISTS_PREFIX) and spec[len(_LISTS_PREFIX):]):
        return spec
    raise ValueError(f"unknown split {spec!r}: use one of {', '.join(SPLIT_CHOICES)}")


def make_split(tracks_df: TracksLike, spec: "str | TrackSplit", *, valid_fraction: float = 0.1,
               test_fraction: float = 0.1, seed: int = 0) -> TrackSplit:
    """The split named by ``spec``: "random" (``random_split``), "artist" (``artist_split``)
    or "lists:DIR" (``split_from_lists`` on DIR); a TrackSplit is checked against the tracks
    and returned as it is. ValueError names an unknown ``spec``.
    """
    if isinstance(spec, TrackSplit):
        check_leakage(spec, tracks_df)
        return spec
    check_split_spec(spec)
    if spec == "random":
        return random_split(tracks_df, valid_fraction=valid_fraction, test_fraction=test_fraction, seed=seed)
    if spec == "artist":
        return artist_split(tracks_df, valid_fraction=valid_fraction, test_fraction=test_fraction, seed=seed)
    return split_from_lists(tracks_df, spec[len(_LISTS_PREFIX):])
