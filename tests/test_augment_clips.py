"""genrelib.augment.clips: the clip bank rebuilt exactly from grid segments, cuts at any
frame, denser segments for test-time averaging."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import chirp, clip_feature_set, short_config

from genrelib import augment
from genrelib.features import log_mel

SHORT = short_config()  # 4 segments of 130 frames, 345 frames in all


@pytest.fixture(scope="module")
def signals() -> list[np.ndarray]:
    return [chirp(seed) for seed in range(4)]


def test_clip_bank_rebuilds_the_whole_clip_exactly(signals) -> None:
    features = clip_feature_set(signals)
    bank = augment.ClipBank.from_features(features)
    whole = log_mel(signals[1], SHORT)  # 345 frames; the segments cover the first 323
    assert bank.clips.shape == (4, 1, 32, int(bank.grid[-1]) + 130) == (4, 1, 32, 323)
    np.testing.assert_array_equal(bank.clips[1, 0], whole[:, :323])  # every frame, exactly
    offsets = np.array([0, 7, 100, bank.n_frames - 130])
    cut = bank.cut(np.ones(4, dtype=int), offsets)
    for segment, offset in zip(cut, offsets):
        np.testing.assert_array_equal(segment, whole[:, offset:offset + 130])
    with pytest.raises(ValueError, match="offsets must lie in"):
        bank.cut(np.array([0]), np.array([bank.n_frames - 129]))


def test_dense_segments_are_slices_of_each_track(signals) -> None:
    features = clip_feature_set(signals)
    dense = augment.dense_segments(features, hop_frames=16)
    per_track = 1 + (323 - 130) // 16
    assert len(dense) == 4 * per_track and dense.X.shape[1:] == (32, 130)
    whole = log_mel(signals[2], SHORT)
    rows = np.flatnonzero(dense.track_ids == "t2")
    np.testing.assert_array_equal(dense.X[rows[3]], whole[:, 48:178])
    assert set(dense.y[rows]) == {2}


def test_dense_segments_reach_the_last_frame_when_the_hop_divides_the_span(signals) -> None:
    """The dense cut includes the segment that ends at the clip's last frame when the hop
    lands on it: hop 193 over 323 frames of 130-frame segments starts at 0 and 193.

    Break tried: the starts stopping before n_frames - frames (no + 1) -> one segment per
    track instead of two."""
    features = clip_feature_set(signals)
    dense = augment.dense_segments(features, hop_frames=323 - 130)
    assert len(dense) == 4 * 2
    rows = np.flatnonzero(dense.track_ids == "t1")
    np.testing.assert_array_equal(dense.X[rows[1]], log_mel(signals[1], SHORT)[:, 193:323])
    assert dense.segment_index[rows].tolist() == [0, 1]
