"""The standardiser (genrelib.features.standardize): fitted on train only, round trip through
JSON, atomic save, constant bands and errors, fitted in chunks."""

from __future__ import annotations

import numpy as np
import pytest

import genrelib.cache as cache_mod
import genrelib.features.standardize as S
from genrelib.features import Standardizer


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
    n = 2 * S._FIT_CHUNK + 400
    assert n % S._FIT_CHUNK != 0
    rng = np.random.default_rng(3)
    scale = np.array([1.0, 10.0, 0.1, 3.0], dtype=np.float32)[None, :, None]
    trend = np.linspace(-20.0, 40.0, n, dtype=np.float32)[:, None, None]
    X = (rng.standard_normal((n, 4, 7)) * scale + trend).astype(np.float32)
    scaler = Standardizer().fit(X)
    X64 = X.astype(np.float64)
    np.testing.assert_allclose(scaler.mean_, X64.mean(axis=(0, 2)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(scaler.std_, X64.std(axis=(0, 2)), rtol=1e-12)
    assert scaler.mean_.dtype == scaler.std_.dtype == np.float64


@pytest.mark.parametrize("n_segments", [1, S._FIT_CHUNK + 1])
def test_fit_counts_every_segment_of_a_last_short_chunk(n_segments):
    """fit sums the segments in chunks of _FIT_CHUNK: one segment alone, and one past a whole
    chunk, are counted like the rest (numpy's mean and std over segments and frames). Break
    tried: the chunks' range stopping one segment short -> the last segment ignored (a scalar
    mean for one segment)."""
    X = np.random.default_rng(3).normal(3.0, 2.0, size=(n_segments, 2, 4)).astype(np.float32)
    fitted = Standardizer().fit(X)
    np.testing.assert_allclose(fitted.mean_, X.astype(np.float64).mean(axis=(0, 2)), rtol=1e-12)
    np.testing.assert_allclose(fitted.std_, X.astype(np.float64).std(axis=(0, 2)), rtol=1e-10)
