"""Lengths and segments (genrelib.audio.segments): cut or pad at the end, whole segments only,
mono signals only."""

from __future__ import annotations

import numpy as np
import pytest

from genrelib.audio import fit_length, mono_signal, segment_starts
from genrelib.config import FeatureConfig


def test_fit_length_trims_and_pads_at_the_end():
    y = np.arange(1, 6, dtype=np.float32)
    np.testing.assert_array_equal(fit_length(y, 3), [1, 2, 3])
    np.testing.assert_array_equal(fit_length(y, 7), [1, 2, 3, 4, 5, 0, 0])
    assert fit_length(y, 5).dtype == np.float32
    with pytest.raises(ValueError, match="mono"):
        fit_length(np.zeros((2, 5)), 3)


# Segment counts by hand. Defaults: 3 s segments of 66,150 samples, 50 % overlap -> a new
# segment every 33,075 samples; only whole segments count: n = 1 + floor((N - 66,150) / 33,075).
@pytest.mark.parametrize("n_samples, n_segments", [
    (661_500, 19),      # 30 s: 1 + 595,350 / 33,075 = 1 + 18
    (66_150, 1),        # 3.0 s: exactly one segment
    (97_020, 1),        # 4.4 s: 30,870 samples left, less than one hop
    (99_225, 2),        # 4.5 s: exactly one hop left
    (99_224, 1),        # one sample short of 4.5 s
    (132_300, 3),       # 6.0 s
    (659_295, 18),      # 29.9 s (a short GTZAN clip before padding): 593,145 left, 17.9 hops
    (674_730, 19),      # 30.6 s (a long one before trimming): 608,580 left, 18.4 hops
])
def test_segment_starts_count_whole_segments_only(n_samples, n_segments):
    starts = segment_starts(n_samples, FeatureConfig())
    assert starts.dtype == np.int64
    np.testing.assert_array_equal(starts, np.arange(n_segments) * 33_075)
    assert starts[-1] + 66_150 <= n_samples  # the last segment is whole


@pytest.mark.parametrize("settings, n_segments, hop", [
    ({}, 19, 33_075),
    ({"segment_seconds": 5.0, "overlap": 0.0}, 6, 110_250),     # 30 / 5
    ({"segment_seconds": 2.0, "overlap": 0.75}, 57, 11_025),    # 1 + (661,500 - 44,100) / 11,025 = 1 + 56
    # hop round(49,612.5) = 49,612 (half to even); 1 + 595,350 // 49,612 = 1 + 12
    ({"segment_seconds": 3.0, "overlap": 0.25}, 13, 49_612),
    ({"sample_rate": 8000, "clip_seconds": 2.0, "segment_seconds": 0.5}, 7, 2_000),  # 1 + 12,000 / 2,000
])
def test_segments_of_a_clip_with_other_settings(settings, n_segments, hop):
    cfg = FeatureConfig(**settings)
    np.testing.assert_array_equal(segment_starts(cfg.clip_samples, cfg), np.arange(n_segments) * hop)
    assert cfg.segments_per_clip == n_segments and cfg.segment_hop_samples == hop


def test_a_signal_shorter_than_one_segment_names_the_sizes():
    with pytest.raises(ValueError, match=r"22050 samples .* shorter than one segment of 66150"):
        segment_starts(22_050, FeatureConfig())


def test_mono_signal_names_the_caller_and_shape():
    assert mono_signal([0, 1], caller="x").dtype == np.float32
    with pytest.raises(ValueError, match=r"clip_features expects a mono signal .* \(2, 5\)"):
        mono_signal(np.zeros((2, 5)), caller="clip_features")


def test_a_clip_exactly_one_segment_long_is_long_enough():
    """check_clip_length refuses clips *shorter* than one segment: 66,150 samples (3 s at
    22,050 Hz) pass, one sample fewer is refused with the file named. Break tried: `<` made
    `<=` -> a clip of exactly one segment refused."""
    from genrelib.audio import ClipTooShortError, check_clip_length

    check_clip_length("x.wav", 66_150, sample_rate=22_050, min_seconds=3.0)
    with pytest.raises(ClipTooShortError, match="x.wav"):
        check_clip_length("x.wav", 66_149, sample_rate=22_050, min_seconds=3.0)
