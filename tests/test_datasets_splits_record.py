"""A split's record and check (genrelib.datasets.splits.record): TrackSplit round trip and
validation, the leakage check by track and by artist, and the tracks tables accepted."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from helpers import make_tracks

from genrelib.datasets import DatasetIndex, LeakageError, TrackSplit, check_leakage, random_split


def test_splits_accept_a_dataset_index_and_reject_bad_tables():
    tracks = make_tracks(5, genres=("a", "b"))
    index = DatasetIndex(root=Path("."), layout="folder", tracks=tracks)
    assert random_split(index, seed=2) == random_split(tracks, seed=2)
    with pytest.raises(ValueError, match="lacks column"):
        random_split(tracks.drop(columns="genre"))
    with pytest.raises(ValueError, match="unique"):
        random_split(pd.concat([tracks, tracks]))
    with pytest.raises(ValueError, match="empty"):
        random_split(tracks.iloc[:0])


def test_check_leakage_names_the_track_and_both_sets():
    split = TrackSplit(train=["a", "b"], valid=["c"], test=["b"], protocol="random")
    with pytest.raises(LeakageError, match="track 'b' is in both the 'train' and the 'test' set"):
        check_leakage(split)
    assert issubclass(LeakageError, ValueError)


def test_check_leakage_by_artist_and_unknown_ids():
    tracks = pd.DataFrame({"track_id": ["a", "b", "c", "d"], "genre": ["x"] * 4,
                           "artist": ["Ann", "Ann", None, None]})
    leaky = TrackSplit(train=["a", "c"], valid=[], test=["b", "d"], protocol="artist")
    check_leakage(leaky, tracks)  # no track is shared
    with pytest.raises(LeakageError, match="artist 'Ann' is in both the 'train' set \\(a\\) "
                                           "and the 'test' set \\(b\\)"):
        check_leakage(leaky, tracks, by_artist=True)
    clean = TrackSplit(train=["a", "b", "c"], valid=[], test=["d"], protocol="artist")
    check_leakage(clean, tracks, by_artist=True)  # unknown artists are exempt
    with pytest.raises(ValueError, match="not in the tracks table: \\['zzz'\\]"):
        check_leakage(TrackSplit(train=["zzz"], valid=[], test=[], protocol="x"), tracks)
    with pytest.raises(ValueError, match="needs tracks_df"):
        check_leakage(clean, by_artist=True)


def test_track_split_round_trip_and_validation():
    split = TrackSplit(train=["b", "a"], valid=(), test=["c"], protocol="kfold", fold=2)
    assert split.train == ("b", "a")
    data = json.loads(json.dumps(split.to_dict()))
    assert TrackSplit.from_dict(data) == split
    with pytest.raises(TypeError, match="got a str"):
        TrackSplit(train="abc", valid=(), test=(), protocol="x")


def test_check_leakage_checks_every_pair_of_sets() -> None:
    """A track in train and valid, or in valid and test, is a leak as much as one in train and test.

    Break tried: compare only sets two apart (train/test) -> the train/valid and valid/test leaks pass.
    """
    with pytest.raises(LeakageError, match="track 'b' is in both the 'train' and the 'valid' set"):
        check_leakage(TrackSplit(train=["a", "b"], valid=["b"], test=["c"], protocol="random"))
    with pytest.raises(LeakageError, match="track 'c' is in both the 'valid' and the 'test' set"):
        check_leakage(TrackSplit(train=["a"], valid=["c"], test=["c"], protocol="random"))
