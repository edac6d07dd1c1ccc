"""The "stats" features of the classical models (genrelib.features.stats): shape, names and
cache key; against librosa called on each segment's own frames; finite on silence."""

from __future__ import annotations

import librosa
import numpy as np
import pytest

import genrelib.features as F
import genrelib.features.store as store
from genrelib.config import STATS_DESCRIPTORS, FeatureConfig

#: 8 s clips, 3 s segments at 50 % overlap: 4 segments of 130 frames each.
STATS = FeatureConfig(kind="stats", clip_seconds=8.0)


def changing_clip(seconds: float = 8.0, rate: int = 22050) -> np.ndarray:
    """A chirp, tones that jump every 0.25 s, noise, and 1.5 s of digital silence."""
    rng = np.random.default_rng(3)
    t = np.arange(int(seconds * rate)) / rate
    chirp = 0.3 * np.sin(2 * np.pi * 80 * (40 ** (t / seconds)) * t)
    steps = rng.uniform(200, 4000, int(np.ceil(seconds / 0.25)))[(t // 0.25).astype(int)]
    tones = 0.2 * np.sin(2 * np.pi * np.cumsum(steps) / rate)
    y = chirp + tones + 0.02 * rng.standard_normal(t.size)
    y[int(5.0 * rate):int(6.5 * rate)] = 0.0
    return y.astype(np.float32)


def segment_reference(y: np.ndarray, cfg: FeatureConfig, frame: int) -> dict[str, np.ndarray]:
    """Every descriptor row of the segment whose first STFT frame is ``frame``, from librosa
    called on that segment's samples alone (with the n_fft / 2 samples either side that its
    first and last frames see, zeros at the clip's ends): {row name: values per frame}."""
    n_fft, hop, sr, width = cfg.n_fft, cfg.hop_length, cfg.sample_rate, cfg.frames_per_segment
    padded = np.pad(y, (n_fft // 2, n_fft // 2))
    chunk = padded[frame * hop: frame * hop + n_fft + (width - 1) * hop]
    S = np.abs(librosa.stft(chunk, n_fft=n_fft, hop_length=hop, center=False))
    assert S.shape[1] == width
    rows = np.concatenate([
        librosa.feature.spectral_centroid(S=S, sr=sr),
        librosa.feature.spectral_bandwidth(S=S, sr=sr),
        librosa.feature.spectral_rolloff(S=S, sr=sr, roll_percent=0.85),
        librosa.feature.spectral_flatness(S=S),
        librosa.feature.spectral_contrast(S=S, sr=sr),
        librosa.feature.chroma_stft(S=S ** 2, sr=sr, tuning=0.0),
        librosa.feature.zero_crossing_rate(chunk, frame_length=n_fft, hop_length=hop, center=False),
        librosa.feature.rms(S=S, frame_length=n_fft),
    ])
    return dict(zip(STATS_DESCRIPTORS, rows, strict=True))


def test_stats_shape_names_and_cache_key(tmp_path) -> None:
    cfg = FeatureConfig(kind="stats")
    assert cfg.n_features == 2 * (20 + len(STATS_DESCRIPTORS)) == 90
    assert cfg.segment_shape == (90, 1)
    names = cfg.feature_names
    assert len(names) == len(set(names)) == 90
    assert names[:2] == ("mfcc_1_mean", "mfcc_2_mean") and names[20] == "spectral_centroid_mean"
    assert names[44:47] == ("rms_mean", "mfcc_1_std", "mfcc_2_std") and names[-1] == "rms_std"
    assert FeatureConfig(kind="stats", n_mfcc=13).n_features == 2 * (13 + 25)
    X = F.clip_features(np.zeros(30 * 22050, dtype=np.float32) + 0.01, cfg)
    assert X.shape == (19, 90, 1) and X.dtype == np.float32
    # The cache key covers the kind and the stats version (and only the stats' files).
    mel = F.feature_cache_path("fp", cfg.with_(kind="mel"), cache_dir=tmp_path)
    stats = F.feature_cache_path("fp", cfg, cache_dir=tmp_path)
    assert stats.name.startswith("stats90-") and stats != mel
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(store, "STATS_VERSION", store.STATS_VERSION + 1)
        assert F.feature_cache_path("fp", cfg, cache_dir=tmp_path) != stats
        assert F.feature_cache_path("fp", cfg.with_(kind="mel"), cache_dir=tmp_path) == mel


def test_stats_equal_librosa_on_each_segment() -> None:
    """Mean and std over its frames of every descriptor of every segment, as librosa
    computes them on the segment's own samples; the MFCC means are those of the "mfcc"
    features of the same segment."""
    y = changing_clip()
    X = F.clip_features(y, STATS)[:, :, 0]
    starts = F.segment_frame_starts(y.shape[0], STATS)
    assert X.shape == (len(starts), STATS.n_features) == (4, 90)
    column = {name: i for i, name in enumerate(STATS.feature_names)}
    mfcc = F.clip_features(y, STATS.with_(kind="mfcc"))
    for i, frame in enumerate(starts):
        for name, values in segment_reference(y, STATS, int(frame)).items():
            got = X[i, [column[f"{name}_mean"], column[f"{name}_std"]]]
            np.testing.assert_allclose(got, [values.mean(), values.std()], rtol=2e-3, atol=2e-3,
                                       err_msg=f"segment {i}, {name}")
        np.testing.assert_allclose(X[i, :20], mfcc[i].mean(axis=1), rtol=1e-4, atol=1e-3)
        np.testing.assert_allclose(X[i, 45:65], mfcc[i].std(axis=1), rtol=1e-4, atol=1e-3)
    # The clip's silence (5.0-6.5 s) lies inside the last segment (4.5-7.5 s): its RMS varies.
    assert X[3, column["rms_std"]] > X[0, column["rms_std"]]


def test_stats_are_finite_on_silence() -> None:
    silent = F.clip_features(np.zeros(8 * 22050, dtype=np.float32), STATS)[:, :, 0]
    assert np.isfinite(silent).all()
    column = {name: i for i, name in enumerate(STATS.feature_names)}
    assert np.allclose(silent[:, column["spectral_flatness_mean"]], 1.0, rtol=1e-3)  # all at the floor
    assert np.allclose(silent[:, column["rms_mean"]], 0.0)
    partly = changing_clip()
    partly[: 4 * 22050] = 0.0
    assert np.isfinite(F.clip_features(partly, STATS)).all()
