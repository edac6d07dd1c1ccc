"""Segments of a clip (genrelib.features.segments): shapes, silence, every segment as its
slice of the clip's log-mel (against librosa too), the sliced STFT against per-segment
computation, and a clip shorter than one segment."""

from __future__ import annotations

import librosa
import numpy as np
import pytest
from helpers import DB_ATOL, changing_clip as make_changing_clip, noise

from genrelib.config import FeatureConfig
from genrelib.features import clip_features, log_mel, mfcc_from_log_mel, segment_frame_starts

# Every start frame of the 19 default segments, by hand: floor(i * 33,075 / 512).
DEFAULT_FRAME_STARTS = [0, 64, 129, 193, 258, 322, 387, 452, 516, 581, 645, 710, 775, 839, 904,
                        968, 1033, 1098, 1162]


@pytest.fixture(scope="module")
def changing_clip():
    """(30 s changing signal, librosa's log-mel of it with the defaults' parameters in dB)."""
    return make_changing_clip()


def test_default_config_gives_19_segments_of_128x130():
    cfg = FeatureConfig()
    assert (cfg.segments_per_clip, cfg.segment_shape, cfg.frames_per_segment) == (19, (128, 130), 130)
    y = noise(30.0, 22050)
    S = log_mel(y, cfg)
    assert S.shape == (128, 1292) and S.dtype == np.float32
    np.testing.assert_array_equal(segment_frame_starts(y.size, cfg), DEFAULT_FRAME_STARTS)
    assert DEFAULT_FRAME_STARTS[-1] + cfg.frames_per_segment == S.shape[1]  # ends on the last frame
    X = clip_features(y, cfg)
    assert X.shape == (19, 128, 130) and X.dtype == np.float32


@pytest.mark.parametrize("n_mfcc", [13, 20])
def test_mfcc_shapes(n_mfcc):
    cfg = FeatureConfig(kind="mfcc", n_mfcc=n_mfcc)
    X = clip_features(noise(30.0, 22050), cfg)
    assert X.shape == (19, n_mfcc, 130) and X.dtype == np.float32
    assert cfg.segment_shape == (n_mfcc, 130)


@pytest.mark.parametrize("kind", ["mel", "mfcc"])
def test_silence_gives_finite_features(kind):
    cfg = FeatureConfig(kind=kind)
    X = clip_features(np.zeros(cfg.clip_samples, np.float32), cfg)
    assert np.isfinite(X).all()
    if kind == "mel":
        assert np.allclose(X, -100.0)  # 10 * log10(amin = 1e-10)


@pytest.mark.parametrize("kind", ["mel", "mfcc"])
def test_every_segment_is_its_slice_of_the_clip_log_mel(changing_clip, kind):
    """Segment i = the clip's log-mel frames [start_i, start_i + 130), start_i = floor(i * 33,075 / 512)."""
    cfg = FeatureConfig(kind=kind, n_mfcc=13)
    y, reference = changing_clip
    X = clip_features(y, cfg)
    assert X.shape == (19, cfg.n_features, 130)
    S = log_mel(y, cfg)
    for i, start in enumerate(DEFAULT_FRAME_STARTS):
        frames = S[:, start:start + 130]
        expected = reference[:, start:start + 130]
        if kind == "mel":
            np.testing.assert_array_equal(X[i], frames, err_msg=f"segment {i}")
            np.testing.assert_allclose(X[i], expected, rtol=0, atol=DB_ATOL, err_msg=f"segment {i}")
        else:
            np.testing.assert_allclose(X[i], mfcc_from_log_mel(frames, n_mfcc=13), rtol=0, atol=1e-4,
                                       err_msg=f"segment {i}")
            np.testing.assert_allclose(X[i], librosa.feature.mfcc(S=expected, n_mfcc=13), rtol=0,
                                       atol=DB_ATOL * np.sqrt(128), err_msg=f"segment {i}")


def test_sliced_stft_equals_per_segment_computation_in_the_interior():
    # Segment starts on the frame grid (hop 4096 = 16 * 256): inside a segment the frames are
    # identical; only the first/last n_fft / (2 * hop) = 1 frames see real audio vs zero padding.
    cfg = FeatureConfig(sample_rate=8192, clip_seconds=4.0, segment_seconds=1.0, overlap=0.5,
                        n_fft=512, hop_length=256, n_mels=40)
    y = noise(4.0, 8192, seed=5) * np.linspace(0.1, 1.0, 4 * 8192, dtype=np.float32)
    sliced = clip_features(y, cfg)
    assert sliced.shape == (7, 40, 33)
    for i, start in enumerate(np.arange(7) * cfg.segment_hop_samples):
        own = log_mel(y[start:start + cfg.segment_samples], cfg)
        np.testing.assert_allclose(sliced[i][:, 2:-2], own[:, 2:-2], atol=1e-3)
        if i > 0:  # the documented edge effect (segment 0 starts at the clip's own zero padding)
            assert not np.allclose(sliced[i][:, 0], own[:, 0], atol=1e-3)


def test_sliced_stft_is_per_segment_computation_on_the_frame_grid_with_default_offsets(changing_clip):
    # With the defaults segment i starts start_i % 512 samples (0..511) after its first frame:
    # its frames are those of the segment computed on its own from that frame's sample,
    # floor(start_i / 512) * 512, except the n_fft / (2 * hop) = 2 frames at each edge.
    cfg = FeatureConfig()
    y, _ = changing_clip
    sliced = clip_features(y, cfg)
    offsets = set()
    for i, frame in enumerate(DEFAULT_FRAME_STARTS):
        start = i * cfg.segment_hop_samples
        assert frame * 512 <= start < (frame + 1) * 512
        offsets.add(start - frame * 512)
        own = log_mel(y[frame * 512:frame * 512 + cfg.segment_samples], cfg)
        np.testing.assert_allclose(sliced[i][:, 2:-2], own[:, 2:-2], rtol=0, atol=DB_ATOL,
                                   err_msg=f"segment {i}")
    assert len(offsets) > 10  # the grid offsets really vary (0, 307, 102, ..., 511)


def test_clip_shorter_than_one_segment_is_a_clear_error():
    with pytest.raises(ValueError, match="shorter than one segment"):
        clip_features(np.zeros(22050, np.float32), FeatureConfig())
