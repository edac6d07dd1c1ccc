"""A split protocol by name ("random", "artist", "lists:DIR"), as runs and the command line
give it: ``check_split_spec`` and ``make_split``.
"""

from __future__ import annotations

from genrelib.datasets.splits.artist import artist_split
from genrelib.datasets.splits.lists import split_from_lists
from genrelib.datasets.splits.record import TrackSplit, TracksLike, check_leakage
from genrelib.datasets.splits.stratified import random_split

__all__ = ["SPLIT_CHOICES", "check_split_spec", "make_split"]

#: The split protocols a run accepts by name (``genrelib train --split``, ``make_split``).
SPLIT_CHOICES: tuple[str, ...] = ("random", "artist", "lists:DIR")
_LISTS_PREFIX = "lists:"


def check_split_spec(spec: str) -> str:
    """Check the name of a split protocol.

    Parameters
    ----------
    spec : str
        "random", "artist" or "lists:DIR" with a non-empty DIR (``SPLIT_CHOICES``).

    Returns
    -------
    str
        ``spec`` itself.

    Raises
    ------
    ValueError
        Listing the choices, for anything else.
    """
    if spec in ("random", "artist") or (spec.startswith(_LISTS_PREFIX) and spec[len(_LISTS_PREFIX):]):
        return spec
    raise ValueError(f"unknown split {spec!r}: use one of {', '.join(SPLIT_CHOICES)}")


def make_split(tracks_df: TracksLike, spec: "str | TrackSplit", *, valid_fraction: float = 0.1,
               test_fraction: float = 0.1, seed: int = 0) -> TrackSplit:
    """The split named by ``spec``.

    Parameters
    ----------
    tracks_df : pandas.DataFrame or DatasetIndex
        The tracks (columns ``track_id``, ``genre``), or their index.
    spec : str or TrackSplit
        "random" (``random_split``), "artist" (``artist_split``) or "lists:DIR"
        (``split_from_lists`` on DIR); a TrackSplit is checked against the tracks and
        returned as it is.
    valid_fraction, test_fraction, seed
        Passed to ``random_split`` and ``artist_split``.

    Returns
    -------
    TrackSplit

    Raises
    ------
    ValueError
        Naming an unknown ``spec``; LeakageError for a leaky TrackSplit.
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
