"""Features (genrelib.features, genrelib.cache): shapes, finiteness, agreement with librosa,
sliced-STFT vs per-segment computation, the standardiser, FeatureSet, the on-disk cache
(hits, keys, atomic writes, corruption) and skipping bad clips. Small audio written here;
the real-data checks use the gtzan_mini fixture."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import librosa
import numpy as np
import pytest
import soundfile as sf

import genrelib.cache as cache_mod
import genrelib.features as F
from genrelib.audio import load_audio
from genrelib.cache import atomic_save_npz, read_npz
from genrelib.config import FeatureConfig
from genrelib.datasets import index_dataset
from genrelib.datasets.splits import TrackSplit
from genrelib.features import (FeatureSet, SkippedClipWarning, Standardizer, clip_features,
                               extract_features, feature_cache_path, log_mel, mfcc_from_log_mel,
                               segment_frame_starts)

# A small configuration so that extraction tests take milliseconds: 2 s clips at 8 kHz,
# 0.5 s segments with 50 % overlap (7 per clip), 32 mels, 32 frames per segment.
SMALL = FeatureConfig(sample_rate=8000, clip_seconds=2.0, segment_seconds=0.5, overlap=0.5,
                      n_fft=256, hop_length=128, n_mels=32, n_mfcc=13)


def noise(seconds: float, rate: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-0.5, 0.5, int(round(seconds * rate))).astype(np.float32)


def make_dataset(base: Path, *, genres=("blues", "jazz"), per_genre: int = 2, seconds: float = 2.0,
                 rate: int = 8000) -> Path:
    """``base/genres/<g>/<g>.0000N.wav`` with distinct noise + tone content; returns ``base``."""
    for gi, genre in enumerate(genres):
        for i in range(per_genre):
            t = np.arange(int(seconds * rate)) / rate
            y = 0.2 * np.sin(2 * np.pi * (300 + 200 * gi + 50 * i) * t) + 0.05 * noise(seconds, rate, 10 * gi + i)
            path = base / "genres" / genre / f"{genre}.{i:05d}.wav"
            path.parent.mkdir(parents=True, exist_ok=True)
            sf.write(path, y.astype(np.float32), rate, subtype="PCM_16")
    return base


@pytest.fixture()
def small_index(tmp_path):
    return index_dataset(make_dataset(tmp_path / "data"))


# --------------------------------------------------------------------------- one clip
def test_default_config_gives_19_segments_of_128x130():
    cfg = FeatureConfig()
    assert (cfg.segments_per_clip, cfg.segment_shape, cfg.frames_per_segment) == (19, (128, 130), 130)
    y = noise(30.0, 22050)
    S = log_mel(y, cfg)
    assert S.shape == (128, 1292) and S.dtype == np.float32
    starts = segment_frame_starts(y.size, cfg)
    assert starts.size == 19 and starts[0] == 0
    assert starts[-1] + cfg.frames_per_segment <= S.shape[1]  # the last segment fits in the clip's frames
    X = clip_features(y, cfg)
    assert X.shape == (19, 128, 130) and X.dtype == np.float32
    np.testing.assert_allclose(X[18], S[:, starts[-1]:starts[-1] + 130], atol=1e-4)


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


def test_power_blocks_equal_librosa_stft():
    cfg = FeatureConfig()
    y = noise(3.0, 22050, seed=3)
    reference = np.abs(librosa.stft(y, n_fft=2048, hop_length=512, center=True, pad_mode="constant")) ** 2
    ours = np.concatenate([power for _, power in F._power_blocks(F._frames(y, cfg), cfg.n_fft)]).T
    assert ours.shape == reference.shape == (1025, 130)
    np.testing.assert_allclose(ours, reference, rtol=1e-3, atol=1e-3 * reference.max())


@pytest.mark.parametrize("n_fft", [2048, 511])
def test_window_is_librosas_periodic_hann(n_fft):
    np.testing.assert_allclose(F._window(n_fft), librosa.filters.get_window("hann", n_fft, fftbins=True), atol=1e-7)


def test_log_mel_equals_librosa_melspectrogram_in_db():
    cfg = FeatureConfig()
    y = noise(3.0, 22050, seed=4)
    mel = librosa.feature.melspectrogram(y=y, sr=22050, n_fft=2048, hop_length=512, n_mels=128,
                                         pad_mode="constant")
    reference = librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=None)
    np.testing.assert_allclose(log_mel(y, cfg), reference, atol=1e-2)


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


def test_sliced_stft_is_close_to_per_segment_with_default_grid_offset():
    # With the defaults a segment starts up to hop - 1 samples after its first frame: on a
    # stationary signal the interior still agrees closely (a 23 ms shift of the frame grid).
    cfg = FeatureConfig()
    y = noise(30.0, 22050, seed=6)
    sliced = clip_features(y, cfg)
    start = 5 * cfg.segment_hop_samples
    own = log_mel(y[start:start + cfg.segment_samples], cfg)
    assert start % cfg.hop_length != 0
    assert np.abs(sliced[5][:, 4:-4].mean(axis=1) - own[:, 4:-4].mean(axis=1)).max() < 0.5


def test_mfcc_is_the_orthonormal_dct_of_the_log_mel():
    S = np.full((2, 128, 5), -20.0, dtype=np.float32)  # a flat log-mel: only c0 is non-zero
    M = mfcc_from_log_mel(S, n_mfcc=13)
    assert M.shape == (2, 13, 5) and M.dtype == np.float32
    np.testing.assert_allclose(M[:, 0], -20.0 * np.sqrt(128), rtol=1e-5)
    np.testing.assert_allclose(M[:, 1:], 0.0, atol=1e-3)
    with pytest.raises(ValueError, match="n_mfcc"):
        mfcc_from_log_mel(S, n_mfcc=200)


def test_clip_shorter_than_one_segment_is_a_clear_error():
    with pytest.raises(ValueError, match="shorter than one segment"):
        clip_features(np.zeros(22050, np.float32), FeatureConfig())


# --------------------------------------------------------------------------- standardiser
def test_standardizer_fits_on_train_only_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    scale = np.array([1.0, 10.0, 0.1], dtype=np.float32)[None, :, None]
    train = (rng.standard_normal((50, 3, 20)) * scale + 5.0).astype(np.float32)
    test = (rng.standard_normal((10, 3, 20)) * scale + 8.0).astype(np.float32)
    scaler = Standardizer().fit(train)
    Z = scaler.transform(train)
    assert Z.dtype == np.float32
    np.testing.assert_allclose(Z.mean(axis=(0, 2)), 0.0, atol=1e-4)
    np.testing.assert_allclose(Z.std(axis=(0, 2)), 1.0, atol=1e-3)
    Zt = scaler.transform(test)  # uses the TRAIN statistics: not forced to 0/1
    np.testing.assert_allclose(Zt, (test - scaler.mean_[None, :, None]) / scaler.std_[None, :, None], rtol=1e-4, atol=1e-4)
    assert Zt.mean() > 0.5

    path = scaler.save(tmp_path / "model" / "standardizer.json")
    assert [p.name for p in path.parent.iterdir()] == ["standardizer.json"]  # no temporary left
    loaded = Standardizer.load(path)
    np.testing.assert_array_equal(loaded.mean_, scaler.mean_)
    np.testing.assert_array_equal(loaded.std_, scaler.std_)
    np.testing.assert_array_equal(loaded.transform(test), Zt)


def test_standardizer_save_is_atomic(tmp_path, monkeypatch):
    X = np.random.default_rng(2).standard_normal((4, 3, 6)).astype(np.float32)
    path = Standardizer().fit(X).save(tmp_path / "standardizer.json")
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(cache_mod.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        Standardizer().fit(X + 1.0).save(path)
    assert path.read_bytes() == before  # the old file is intact, no temporary left beside it
    assert [p.name for p in tmp_path.iterdir()] == ["standardizer.json"]


def test_standardizer_constant_band_and_errors():
    X = np.random.default_rng(1).standard_normal((4, 3, 6)).astype(np.float32)
    X[:, 1, :] = -100.0  # a silent band
    scaler = Standardizer().fit(X)
    assert scaler.std_[1] == 1.0 and np.isfinite(scaler.transform(X)).all()
    with pytest.raises(ValueError, match="fitted on 3 features"):
        scaler.transform(np.zeros((2, 4, 6), np.float32))
    with pytest.raises(ValueError, match="not fitted"):
        Standardizer().transform(X)
    with pytest.raises(ValueError, match="shape"):
        Standardizer().fit(X[0])
    with pytest.raises(ValueError, match="empty"):
        Standardizer().fit(X[:0])
    with pytest.raises(ValueError, match="mean"):
        Standardizer.from_dict({"mean": [0.0, 1.0], "std": [1.0]})


# --------------------------------------------------------------------------- FeatureSet
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


# --------------------------------------------------------------------------- extraction + cache
def test_extract_features_shapes_labels_order(small_index, tmp_path):
    fs = extract_features(small_index, SMALL, cache_dir=tmp_path / "cache", progress=False)
    assert fs.X.shape == (4 * 7, 32, 32) and fs.X.dtype == np.float32
    assert fs.genres == ("blues", "jazz")
    assert list(dict.fromkeys(fs.track_ids)) == ["blues.00000", "blues.00001", "jazz.00000", "jazz.00001"]
    np.testing.assert_array_equal(fs.y, np.repeat([0, 0, 1, 1], 7))
    np.testing.assert_array_equal(fs.segment_index, np.tile(np.arange(7), 4))
    assert fs.skipped == [] and np.isfinite(fs.X).all()
    y = load_audio(small_index.tracks["path"][2], sample_rate=8000, clip_seconds=2.0)
    np.testing.assert_allclose(fs.X[14:21], clip_features(y, SMALL), atol=1e-3)


def test_parallel_and_serial_extraction_agree(small_index):
    one = extract_features(small_index, SMALL, cache_dir=False, n_jobs=1, progress=False)
    two = extract_features(small_index, SMALL, cache_dir=False, n_jobs=2, progress=False)
    np.testing.assert_array_equal(one.X, two.X)
    np.testing.assert_array_equal(one.track_ids, two.track_ids)


def test_second_call_is_a_cache_hit(small_index, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = extract_features(small_index, SMALL, cache_dir=cache, n_jobs=1, progress=False)
    assert feature_cache_path(small_index.fingerprint(), SMALL, cache_dir=cache).is_file()

    def must_not_run(*args, **kwargs):
        raise AssertionError("features were recomputed despite a cache file")

    monkeypatch.setattr(F, "_track_features", must_not_run)
    second = extract_features(small_index, SMALL, cache_dir=cache, n_jobs=1, progress=False)
    np.testing.assert_array_equal(first.X, second.X)
    np.testing.assert_array_equal(first.y, second.y)
    np.testing.assert_array_equal(first.track_ids, second.track_ids)
    np.testing.assert_array_equal(first.segment_index, second.segment_index)
    assert second.genres == first.genres and second.config == SMALL


def test_mfcc_is_derived_from_the_cached_log_mel(small_index, tmp_path, monkeypatch):
    cfg = SMALL.with_(kind="mfcc")
    direct = extract_features(small_index, cfg, cache_dir=False, n_jobs=1, progress=False)
    extract_features(small_index, SMALL, cache_dir=tmp_path, n_jobs=1, progress=False)
    monkeypatch.setattr(F, "_track_features", lambda *a, **k: pytest.fail("audio was decoded again"))
    derived = extract_features(small_index, cfg, cache_dir=tmp_path, n_jobs=1, progress=False)
    assert derived.X.shape == (28, 13, 32)
    np.testing.assert_allclose(derived.X, direct.X, atol=1e-4)


def test_cache_key_changes_with_every_config_field_and_the_data():
    changes = {"sample_rate": 16000, "clip_seconds": 29.0, "segment_seconds": 2.0, "overlap": 0.25,
               "n_fft": 1024, "hop_length": 256, "n_mels": 96, "n_mfcc": 13, "kind": "mfcc"}
    assert set(changes) == {f.name for f in dataclasses.fields(FeatureConfig)}
    base = feature_cache_path("fp0", FeatureConfig(), cache_dir="/c")
    paths = {feature_cache_path("fp0", FeatureConfig().with_(**{k: v}), cache_dir="/c") for k, v in changes.items()}
    assert base not in paths and len(paths) == len(changes)
    assert feature_cache_path("fp1", FeatureConfig(), cache_dir="/c") != base
    assert feature_cache_path("fp0", FeatureConfig(), cache_dir="/c") == base


def test_changed_data_is_recomputed(small_index, tmp_path):
    cache = tmp_path / "cache"
    extract_features(small_index, SMALL, cache_dir=cache, n_jobs=1, progress=False)
    fingerprint = small_index.fingerprint()
    path = Path(small_index.tracks["path"][0])
    before = path.stat().st_mtime_ns
    sf.write(path, noise(2.0, 8000, seed=99), 8000, subtype="PCM_16")  # rewritten, same size
    os.utime(path, ns=(before + 10**9, before + 10**9))  # an mtime that differs whatever the clock resolution
    assert small_index.fingerprint() != fingerprint
    fresh = extract_features(small_index, SMALL, cache_dir=cache, n_jobs=1, progress=False)
    assert len(list(cache.glob("*.npz"))) == 2
    y = load_audio(path, sample_rate=8000, clip_seconds=2.0)
    np.testing.assert_allclose(fresh.X[:7], clip_features(y, SMALL), atol=1e-3)


def test_corrupt_cache_file_is_recomputed_with_a_warning(small_index, tmp_path):
    cache = tmp_path / "cache"
    good = extract_features(small_index, SMALL, cache_dir=cache, n_jobs=1, progress=False)
    path = feature_cache_path(small_index.fingerprint(), SMALL, cache_dir=cache)
    path.write_bytes(path.read_bytes()[:1000])  # a truncated file
    with pytest.warns(UserWarning, match="corrupt or incomplete"):
        again = extract_features(small_index, SMALL, cache_dir=cache, n_jobs=1, progress=False)
    np.testing.assert_array_equal(again.X, good.X)
    assert read_npz(path)["X"].shape == good.X.shape  # rewritten whole


def test_interrupted_write_leaves_no_cache_file(tmp_path, monkeypatch):
    target = tmp_path / "cache" / "features.npz"

    def crash_half_way(handle, **arrays):
        handle.write(b"PK\x03\x04 half of a zip file")
        raise KeyboardInterrupt("simulated crash during the write")

    monkeypatch.setattr(cache_mod.np, "savez", crash_half_way)
    with pytest.raises(KeyboardInterrupt):
        atomic_save_npz(target, {"X": np.zeros(3)})
    assert list(target.parent.iterdir()) == []  # neither the final file nor a temporary one

    monkeypatch.undo()
    atomic_save_npz(target, {"X": np.ones(3)})
    monkeypatch.setattr(cache_mod.np, "savez", crash_half_way)
    with pytest.raises(KeyboardInterrupt):
        atomic_save_npz(target, {"X": np.zeros(3)})
    np.testing.assert_array_equal(read_npz(target)["X"], np.ones(3))  # the old file is intact
    assert [p.name for p in target.parent.iterdir()] == ["features.npz"]


def test_unreadable_clip_is_skipped_with_a_warning_naming_it(small_index, tmp_path):
    bad = Path(small_index.tracks["path"][1])
    bad.write_bytes(b"this is not audio" * 100)  # broken after indexing
    with pytest.warns(SkippedClipWarning, match="blues.00001.wav"):
        fs = extract_features(small_index, SMALL, cache_dir=tmp_path / "cache", n_jobs=2, progress=False)
    assert fs.X.shape == (3 * 7, 32, 32) and "blues.00001" not in set(fs.track_ids)
    assert [s["track_id"] for s in fs.skipped] == ["blues.00001"]
    assert "cannot decode" in fs.skipped[0]["reason"]
    with pytest.warns(SkippedClipWarning, match="blues.00001.wav"):  # reported again from the cache
        cached = extract_features(small_index, SMALL, cache_dir=tmp_path / "cache", progress=False)
    assert cached.skipped == fs.skipped


def test_clip_shorter_than_one_segment_is_skipped_with_its_duration(tmp_path):
    base = make_dataset(tmp_path / "data", per_genre=1)
    sf.write(base / "genres" / "jazz" / "jazz.00009.wav", noise(0.3, 8000), 8000)
    index = index_dataset(base)
    with pytest.warns(SkippedClipWarning, match=r"jazz.00009.wav.*0\.30 s.*0\.5 s"):
        fs = extract_features(index, SMALL, cache_dir=False, n_jobs=1, progress=False)
    assert fs.n_tracks == 2 and fs.skipped[0]["track_id"] == "jazz.00009"


# --------------------------------------------------------------------------- real data
@pytest.mark.realdata
def test_real_gtzan_shapes_and_finiteness(gtzan_mini):
    index = index_dataset(gtzan_mini)
    assert len(index.tracks) == 80
    few = index.subset(["blues.00000", "classical.00003", "metal.00007"])
    for cfg in (FeatureConfig(), FeatureConfig(kind="mfcc", n_mfcc=13)):
        fs = extract_features(few, cfg, cache_dir=False, progress=False)
        assert fs.X.shape == (3 * 19, *cfg.segment_shape)
        assert np.isfinite(fs.X).all()
        assert fs.genres == index.genres and fs.skipped == []
    mel = extract_features(few, FeatureConfig(), cache_dir=False, progress=False)
    assert -100.0 <= mel.X.min() and mel.X.max() < 80.0
    assert mel.X[:19].std(axis=(1, 2)).min() > 1.0  # real music, not silence
