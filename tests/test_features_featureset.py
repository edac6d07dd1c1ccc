"""FeatureSet (genrelib.features.featureset): positions in a track, select, split by track."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from helpers import SMALL

from genrelib.datasets.splits import TrackSplit
from genrelib.features import FeatureSet


def toy_set() -> FeatureSet:
    ids = np.repeat(["a.1", "a.2", "b.1", "b.2"], 3)
    return FeatureSet(X=np.arange(12 * 2 * 4, dtype=np.float32).reshape(12, 2, 4),
                      y=np.repeat([0, 0, 1, 1], 3), track_ids=ids, genres=("a", "b"), config=SMALL)


def test_feature_set_select_and_split():
    fs = toy_set()
    assert len(fs) == 12 and fs.n_tracks == 4
    np.testing.assert_array_equal(fs.segment_index, np.tile([0, 1, 2], 4))
    sub = fs.select(["b.2", "a.1"])
    assert list(dict.fromkeys(sub.track_ids)) == ["a.1", "b.2"] and sub.X.shape == (6, 2, 4)
    parts = fs.split(TrackSplit(train=("a.1", "b.1"), valid=("a.2",), test=(), protocol="random"))
    assert {k: len(v) for k, v in parts.items()} == {"train": 6, "valid": 3, "test": 0}
    assert parts["test"].X.shape == (0, 2, 4)
    with pytest.warns(UserWarning, match="zz.9"):
        fs.split(TrackSplit(train=("a.1", "zz.9"), valid=(), test=(), protocol="random"))
    with pytest.raises(ValueError, match="segments"):
        FeatureSet(X=np.zeros((3, 2, 4)), y=np.zeros(2), track_ids=np.array(["a"] * 3), genres=("a",), config=SMALL)


def test_split_warns_only_of_tracks_not_already_reported_as_skipped() -> None:
    """A split track that has no features because its clip was skipped (and named) is left out
    silently; only tracks missing for no known reason are warned of.

    Break tried: drop the "not in skipped" test -> split warns of the skipped track "a.9".
    """
    fs = toy_set()
    fs.skipped = [{"path": "a/a.9.wav", "track_id": "a.9", "reason": "too short"}]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parts = fs.split(TrackSplit(train=("a.1", "a.9"), valid=(), test=("b.1",), protocol="random"))
    assert {k: len(v) for k, v in parts.items()} == {"train": 3, "valid": 0, "test": 3}


def test_select_keeps_only_the_skipped_clips_of_the_chosen_tracks() -> None:
    """``select`` carries over the skipped-clip records of the chosen tracks only.

    Break tried: copy every skipped record into the selection -> the test set lists train's skipped "a.9".
    """
    fs = toy_set()
    fs.skipped = [{"path": "a/a.9.wav", "track_id": "a.9", "reason": "too short"},
                  {"path": "b/b.9.wav", "track_id": "b.9", "reason": "unreadable"}]
    assert [s["track_id"] for s in fs.select(["b.1", "b.9"]).skipped] == ["b.9"]
    assert fs.select(["a.1"]).skipped == []
