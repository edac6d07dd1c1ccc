"""genrelib.augment.spectrogram: SpecAugment masks, the gain in dB, mixup."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import chirp, clip_feature_set

from genrelib import augment
from genrelib.config import FeatureConfig
from genrelib.features import mfcc_from_log_mel


@pytest.fixture(scope="module")
def signals() -> list[np.ndarray]:
    return [chirp(seed) for seed in range(4)]


def test_masks_fill_bands_with_the_segment_mean_and_nothing_else(signals) -> None:
    x = clip_feature_set(signals).X
    for mask, axis in ((augment.time_mask, 2), (augment.freq_mask, 1)):
        out = mask(x, np.random.default_rng(1))
        assert out.shape == x.shape and out.dtype == np.float32
        changed = (out != x).any(axis=3 - axis)  # per segment: which columns (or rows) changed
        limit = augment.MASKS * (augment.MAX_TIME_MASK if axis == 2 else min(augment.MAX_FREQ_MASK, 8))
        assert changed.any() and (changed.sum(axis=1) <= limit).all()
        for i in range(len(x)):
            np.testing.assert_allclose(np.unique(np.compress(changed[i], out[i], axis=axis - 1)),
                                       x[i].mean(), rtol=1e-5)


def test_gain_on_mfcc_moves_only_the_zeroth_coefficient_as_on_log_mel(signals) -> None:
    mel = clip_feature_set(signals, FeatureConfig(clip_seconds=8.0)).X[:3]
    shifted = augment.gain(mel, np.random.default_rng(2), feature_kind="mel")
    g = (shifted - mel)[:, 0, 0]
    assert (np.abs(g) <= augment.GAIN_DB).all()
    mfcc = augment.gain(mfcc_from_log_mel(mel, n_mfcc=20), np.random.default_rng(2), feature_kind="mfcc")
    np.testing.assert_allclose(mfcc, mfcc_from_log_mel(mel + g[:, None, None], n_mfcc=20), atol=1e-2)
    with pytest.raises(ValueError, match="'mel' or 'mfcc'"):
        augment.gain(mel, np.random.default_rng(0), feature_kind="stats")


def test_mixup_mixes_segments_and_labels_with_the_same_weights() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(16, 4, 5)).astype(np.float32)
    y = np.arange(16) % 4
    mixed, soft = augment.mixup(x, y, np.random.default_rng(4), n_classes=4)
    assert soft.shape == (16, 4) and soft.dtype == np.float32
    np.testing.assert_allclose(soft.sum(axis=1), 1, rtol=1e-6)
    assert (soft >= 0).all() and (soft <= 1).all()
    draw = np.random.default_rng(4)
    lam, perm = draw.beta(0.2, 0.2, size=16).astype(np.float32), draw.permutation(16)
    np.testing.assert_allclose(mixed, lam[:, None, None] * x + (1 - lam[:, None, None]) * x[perm], rtol=1e-5)
    for i in range(16):  # the label weight of a segment's own genre is lam (plus the partner's share)
        own = lam[i] + (1 - lam[i]) * (y[perm[i]] == y[i])
        assert soft[i, y[i]] == pytest.approx(own, rel=1e-5)


def test_a_time_mask_can_cover_the_last_frame_and_be_as_wide_as_the_segment() -> None:
    """A mask's start is drawn from all ``frames - width + 1`` places, so a band may end on the
    segment's last frame, and a band as wide as the segment (start 0) is allowed, not an error.

    Break tried: the start drawn from ``frames - width`` places -> the last frame is never
    masked (0 segments of 200, 34 before), and a band of the segment's width raises ValueError."""
    x = np.arange(1600, dtype=np.float32).reshape(200, 2, 4)
    out = augment.time_mask(x, np.random.default_rng(0), masks=1, max_width=1)
    assert (out[:, :, -1] != x[:, :, -1]).any(axis=1).sum() > 0
    short = np.arange(3.0)[None, None].astype("f4")
    masked = augment.time_mask(short, np.random.default_rng(0), masks=5, max_width=3)
    assert masked.shape == short.shape
