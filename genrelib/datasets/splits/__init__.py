"""Train/validation/test splits, always **by track** (before cutting segments), and a leakage
check. Every function takes the ``tracks`` DataFrame of a ``DatasetIndex`` (columns
``track_id``, ``genre`` and, for artists, ``artist``) or the ``DatasetIndex`` itself, and
checks its own result with ``check_leakage`` before returning it.

Modules: ``record`` (``TrackSplit``, the leakage check), ``stratified`` (random and k-fold),
``artist`` (grouped by artist), ``lists`` (split lists from files), ``by_name`` (a protocol
by name).
Notebook: 01_data.ipynb
"""

from genrelib.datasets.splits.artist import artist_groups, artist_kfold_splits, artist_split, artists_per_genre
from genrelib.datasets.splits.by_name import SPLIT_CHOICES, check_split_spec, make_split
from genrelib.datasets.splits.lists import split_from_lists
from genrelib.datasets.splits.record import SET_NAMES, LeakageError, TrackSplit, TracksLike, check_leakage
from genrelib.datasets.splits.stratified import kfold_splits, random_split

__all__ = ["SET_NAMES", "SPLIT_CHOICES", "LeakageError", "TrackSplit", "TracksLike", "artist_groups",
           "artist_kfold_splits", "artist_split", "artists_per_genre", "check_leakage", "check_split_spec",
           "kfold_splits", "make_split",
           "random_split", "split_from_lists"]
