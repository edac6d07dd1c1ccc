"""Features (genrelib.features, genrelib.cache): shapes, finiteness, agreement with librosa
frame by frame on a 30 s non-stationary clip (across the STFT's blocks of frames), every
segment as its slice of the clip's log-mel, sliced-STFT vs per-segment computation, the
standardiser (fitted in chunks), FeatureSet, the on-disk cache (hits, keys, atomic writes,
corruption) and skipping bad clips. Small audio written here; the real-data checks use the
gtzan_mini fixture."""

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


def changing_signal(seconds: float = 30.0, rate: int = 22050, seed: int = 7) -> np.ndarray:
    """A NON-stationary test clip: a log chirp 60 Hz -> 9 kHz, tones that jump to a new random
    frequency and level every 0.1 s, 60 noise bursts with sharp onsets (30 ms decay), and a
    -60 dB noise floor (every mel band has energy). Consecutive STFT frames differ by > 5 dB in
    some band, so taking any frame for its neighbour fails a frame-by-frame comparison."""
    rng = np.random.default_rng(seed)
    n = int(round(seconds * rate))
    t = np.arange(n) / rate
    f0, f1 = 60.0, 9000.0
    k = np.log(f1 / f0) / seconds
    chirp = 0.3 * np.sin(2 * np.pi * f0 * (np.exp(k * t) - 1) / k)
    step = int(0.1 * rate)
    freqs = rng.uniform(100, 8000, size=n // step + 1)
    levels = rng.uniform(0.0, 0.3, size=n // step + 1)
    tones = levels[np.arange(n) // step] * np.sin(2 * np.pi * freqs[np.arange(n) // step] * t)
    bursts = np.zeros(n)
    length = rate // 10
    for onset in rng.integers(0, n - length, size=60):
        decay = np.exp(-np.arange(length) / (0.03 * rate))
        bursts[onset:onset + length] += 0.4 * rng.normal(size=length) * decay
    return (chirp + tones + bursts + 1e-3 * rng.normal(size=n)).astype(np.float32)


@pytest.fixture(scope="module")
def changing_clip():
    """(30 s changing signal, librosa's log-mel of it with the defaults' parameters in dB)."""
    y = changing_signal()
    mel = librosa.feature.melspectrogram(y=y, sr=22050, n_fft=2048, hop_length=512, n_mels=128,
                                         center=True, pad_mode="constant")
    reference = librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=None)
    assert reference.shape == (128, 1292)
    return y, reference


# float32 STFTs (ours: scipy.fft, librosa's: numpy.fft) agree to ~1e-3 dB on this clip; a frame
# taken for its neighbour is off by > 5 dB.
DB_ATOL = 5e-3
# Every start frame of the 19 default segments, by hand: floor(i * 33,075 / 512).
DEFAULT_FRAME_STARTS = [0, 64, 129, 193, 258, 322, 387, 452, 516, 581, 645, 710, 775, 839, 904,
                        968, 1033, 1098, 1162]


# --------------------------------------------------------------------------- one clip
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


def test_power_blocks_equal_librosa_stft_frame_by_frame_across_blocks(changing_clip):
    cfg = FeatureConfig()
    y, _ = changing_clip
    reference = np.abs(librosa.stft(y, n_fft=2048, hop_length=512, center=True, pad_mode="constant")) ** 2
    blocks = list(F._power_blocks(F._frames(y, cfg), cfg.n_fft))
    assert [start for start, _ in blocks] == list(range(0, 1292, F._BLOCK_FRAMES))
    assert len(blocks) >= 5 and blocks[-1][1].shape[0] < F._BLOCK_FRAMES  # full blocks and a ragged last one
    ours = np.concatenate([power for _, power in blocks]).T
    assert ours.shape == reference.shape == (1025, 1292)
    # float32 FFTs: each frame agrees to ~5e-7 of its own peak bin (checked per frame, not
    # against the clip's loudest frame, so quiet frames count as much as loud ones).
    error = np.abs(ours - reference) / reference.max(axis=0, keepdims=True)
    assert error.max() < 1e-5, f"frame {int(error.max(axis=0).argmax())} differs"


@pytest.mark.parametrize("n_fft", [2048, 511])
def test_window_is_librosas_periodic_hann(n_fft):
    np.testing.assert_allclose(F._window(n_fft), librosa.filters.get_window("hann", n_fft, fftbins=True), atol=1e-7)


@pytest.mark.parametrize("block_frames", [None, 100])
def test_log_mel_equals_librosa_frame_by_frame_across_blocks(changing_clip, monkeypatch, block_frames):
    # 30 s = 1292 frames: 5 blocks of 256 and a ragged one of 12 (or 12 of 100 and one of 92).
    if block_frames is not None:
        monkeypatch.setattr(F, "_BLOCK_FRAMES", block_frames)
    y, reference = changing_clip
    ours = log_mel(y, FeatureConfig())
    assert ours.shape == reference.shape == (128, 1292) and ours.dtype == np.float32
    assert ours.shape[1] > 4 * F._BLOCK_FRAMES
    error = np.abs(ours - reference).max(axis=0)  # per frame, in dB
    assert error.max() < DB_ATOL, f"frame {int(error.argmax())} is off by {error.max():.3f} dB"


def test_mfcc_equals_librosa_frame_by_frame_across_blocks(changing_clip):
    y, reference = changing_clip
    ours = mfcc_from_log_mel(log_mel(y, FeatureConfig()), n_mfcc=20)
    expected = librosa.feature.mfcc(S=reference, n_mfcc=20)
    assert ours.shape == expected.shape == (20, 1292)
    # orthonormal DCT: an error of DB_ATOL per band is at most DB_ATOL * sqrt(128) per coefficient
    np.testing.assert_allclose(ours, expected, rtol=0, atol=DB_ATOL * np.sqrt(128))


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


def test_standardizer_fitted_in_chunks_equals_numpy_over_segments_and_frames():
    # 2.4 chunks of segments: two full chunks and a partial last one, each with its own level
    # (a trend over segments), so a chunk counted twice, dropped or mis-weighted moves the result.
    n = 2 * F._FIT_CHUNK + 400
    assert n % F._FIT_CHUNK != 0
    rng = np.random.default_rng(3)
    scale = np.array([1.0, 10.0, 0.1, 3.0], dtype=np.float32)[None, :, None]
    trend = np.linspace(-20.0, 40.0, n, dtype=np.float32)[:, None, None]
    X = (rng.standard_normal((n, 4, 7)) * scale + trend).astype(np.float32)
    scaler = Standardizer().fit(X)
    X64 = X.astype(np.float64)
    np.testing.assert_allclose(scaler.mean_, X64.mean(axis=(0, 2)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(scaler.std_, X64.std(axis=(0, 2)), rtol=1e-12)
    assert scaler.mean_.dtype == scaler.std_.dtype == np.float64


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
