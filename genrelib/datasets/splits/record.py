"""A split's record and its check: ``TrackSplit`` (the track ids of train, valid and test),
``check_leakage`` (no track, or artist, in two sets), and the tracks table they read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

import pandas as pd

from genrelib.datasets.index import known_artists

if TYPE_CHECKING:  # type hints only
    from genrelib.datasets.index import DatasetIndex

#: What every split function takes: a DatasetIndex or its ``tracks`` DataFrame.
TracksLike = Union[pd.DataFrame, "DatasetIndex"]

__all__ = ["SET_NAMES", "LeakageError", "TrackSplit", "TracksLike", "check_leakage"]

#: The names of the sets of a split, in order.
SET_NAMES: tuple[str, ...] = ("train", "valid", "test")


class LeakageError(ValueError):
    """A track (or, for the artist protocol, an artist) is in two sets of a split."""


@dataclass(frozen=True)
class TrackSplit:
    """The track ids of the train, valid and test sets of a split.

    Attributes
    ----------
    train, valid, test : tuple of str
        Track ids (sorted by the split functions; any sequence of str is accepted).
    protocol : str
        What made the split: "random", "kfold", "artist", "artist_kfold", "lists", ...
    fold : int or None
        The fold number of a k-fold split.

    Raises
    ------
    TypeError
        When a set is given as one str.
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


def _tracks(tracks_df: TracksLike, *, need_artist: bool = False) -> pd.DataFrame:
    """The tracks table of ``tracks_df``, checked: ValueError naming a missing column, an
    empty table or repeated track ids; TypeError for anything else.
    """
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


def check_leakage(split: TrackSplit, tracks_df: TracksLike | None = None, *,
                  by_artist: bool = False) -> None:
    """Check that no track, and optionally no artist, is in two sets of a split.

    Parameters
    ----------
    split : TrackSplit
        The split.
    tracks_df : pandas.DataFrame or DatasetIndex, optional
        The tracks: every id of the split must be one of them.
    by_artist : bool
        Also check artists (needs ``tracks_df`` with an ``artist`` column; tracks of unknown
        artist are exempt).

    Returns
    -------
    None
        When the split is clean.

    Raises
    ------
    LeakageError
        Naming the track (or artist) and both sets.
    ValueError
        Naming the ids that are not in ``tracks_df``.

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
