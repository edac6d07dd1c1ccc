"""The feature cache (genrelib.features.store, genrelib.cache): the key covers every config
field the features read and the data, a corrupt file is recomputed with a warning, an interrupted write
leaves no file."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import SMALL, make_dataset

import genrelib.cache as cache_mod
from genrelib.cache import CacheFileWarning, atomic_save_npz, read_npz
from genrelib.config import FeatureConfig
from genrelib.datasets import index_dataset
from genrelib.features import extract_features, feature_cache_path


@pytest.fixture()
def small_index(tmp_path):
    return index_dataset(make_dataset(tmp_path / "data"))


def test_cache_key_changes_with_every_config_field_and_the_data():
    """Guard: the feature cache is never shared by two feature configurations or datasets.

    Breaks tried: feature_cache_path's key without ``cfg.cache_key()``, and without the
    fingerprint -> this test fails (test_features_extract.py::test_changed_data_is_recomputed
    fails on the second break too)."""
    changes = {"sample_rate": 16000, "clip_seconds": 29.0, "segment_seconds": 2.0, "overlap": 0.25,
               "n_fft": 1024, "hop_length": 256, "n_mels": 96, "n_mfcc": 13, "kind": "mfcc"}
    assert set(changes) == {f.name for f in dataclasses.fields(FeatureConfig)}
    for kind in ("mfcc", "stats"):  # log-mel features do not read n_mfcc: the next test
        cfg = FeatureConfig(kind=kind)
        base = feature_cache_path("fp0", cfg, cache_dir="/c")
        paths = {feature_cache_path("fp0", cfg.with_(**{k: v}), cache_dir="/c")
                 for k, v in changes.items() if (k, v) != ("kind", kind)}
        assert base not in paths and len(paths) == len(changes) - (kind == "mfcc")
    base = feature_cache_path("fp0", FeatureConfig(), cache_dir="/c")
    assert feature_cache_path("fp1", FeatureConfig(), cache_dir="/c") != base
    assert feature_cache_path("fp0", FeatureConfig(), cache_dir="/c") == base


def test_one_log_mel_cache_file_serves_every_mfcc_count() -> None:
    """Log-mel features do not depend on ``n_mfcc``: a CNN's run and a 13-MFCC RNN's on the same
    data share one log-mel file (1.3 GB for GTZAN), keyed as before the rule, so caches written
    with the default 20 stay valid. Break tried: ``FeatureConfig.cache_key`` hashing every field
    again -> this test fails (the 13-MFCC log-mel key differs)."""
    mel13, mel20 = FeatureConfig(n_mfcc=13), FeatureConfig(n_mfcc=20)
    assert feature_cache_path("fp0", mel13, cache_dir="/c") == feature_cache_path("fp0", mel20, cache_dir="/c")
    assert FeatureConfig(n_mels=96, n_mfcc=5).cache_key() == FeatureConfig(n_mels=96).cache_key()
    # the keys of existing caches (before the rule) are unchanged; change them only with FEATURES_VERSION
    assert FeatureConfig().cache_key() == "14bb4e0c3ea50190"
    assert FeatureConfig(kind="mfcc").cache_key() == "7035b97a154e57c1"
    assert FeatureConfig(kind="stats", n_mfcc=13).cache_key() == "4efc65f351123f8b"


def test_log_mel_features_of_another_mfcc_count_come_from_the_cache(small_index, tmp_path, monkeypatch):
    """The log-mel file written under one ``n_mfcc`` is read back under another (the configuration
    check compares cache keys), with the caller's configuration; 13 MFCCs are derived from a
    log-mel file written with 20. Break tried: store._load_cached comparing whole FeatureConfigs
    again -> this test fails (the file is refused with a warning and audio decoded again)."""
    import genrelib.features.extract as E

    cache = tmp_path / "cache"
    mel20 = SMALL.with_(n_mfcc=20)
    first = extract_features(small_index, mel20, cache_dir=cache, n_jobs=1, progress=False)
    monkeypatch.setattr(E, "_track_features", lambda *a, **k: pytest.fail("audio was decoded again"))
    mel13 = extract_features(small_index, SMALL, cache_dir=cache, n_jobs=1, progress=False)
    assert mel13.config == SMALL and mel13.config.n_mfcc == 13
    np.testing.assert_array_equal(mel13.X, first.X)
    mfcc13 = extract_features(small_index, SMALL.with_(kind="mfcc"), cache_dir=cache, n_jobs=1, progress=False)
    assert mfcc13.X.shape == (28, 13, 32) and mfcc13.config.n_mfcc == 13
    assert len(list(cache.glob("mel*.npz"))) == 1


def test_corrupt_cache_file_is_recomputed_with_a_warning(small_index, tmp_path):
    cache = tmp_path / "cache"
    good = extract_features(small_index, SMALL, cache_dir=cache, n_jobs=1, progress=False)
    path = feature_cache_path(small_index.fingerprint(), SMALL, cache_dir=cache)
    path.write_bytes(path.read_bytes()[:1000])  # a truncated file
    # genrelib's own category, which the command line shows (it hides other libraries' warnings)
    with pytest.warns(CacheFileWarning, match="ignoring feature cache file .*corrupt or incomplete"):
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


def test_a_cache_file_of_other_features_or_data_is_never_read(small_index, tmp_path):
    """A file written for another FeatureConfig of the same shape (another n_fft) or for
    another dataset, found at this key's path (as a key that forgot a field would give), is
    recomputed with a warning, never read back.

    Break tried: store._load_cached without its fingerprint and FeatureConfig checks -> this
    test fails (the other configuration's values come back, no warning)."""
    cache = tmp_path / "cache"
    other_cfg = SMALL.with_(n_fft=512)
    extract_features(small_index, other_cfg, cache_dir=cache, n_jobs=1, progress=False)
    direct = extract_features(small_index, SMALL, cache_dir=False, n_jobs=1, progress=False)
    other_file = feature_cache_path(small_index.fingerprint(), other_cfg, cache_dir=cache)
    assert read_npz(other_file)["X"].shape == direct.X.shape
    assert not np.allclose(read_npz(other_file)["X"], direct.X, atol=1e-2)
    path = feature_cache_path(small_index.fingerprint(), SMALL, cache_dir=cache)
    path.write_bytes(other_file.read_bytes())
    with pytest.warns(UserWarning, match="another FeatureConfig"):
        got = extract_features(small_index, SMALL, cache_dir=cache, n_jobs=1, progress=False)
    np.testing.assert_allclose(got.X, direct.X, atol=1e-4)
    # the same features of other data (another folder: another fingerprint)
    other_data = index_dataset(make_dataset(tmp_path / "other"))
    assert other_data.fingerprint() != small_index.fingerprint()
    extract_features(other_data, SMALL, cache_dir=cache, n_jobs=1, progress=False)
    other_data_file = feature_cache_path(other_data.fingerprint(), SMALL, cache_dir=cache)
    path.write_bytes(other_data_file.read_bytes())
    with pytest.warns(UserWarning, match="written for other data"):
        got = extract_features(small_index, SMALL, cache_dir=cache, n_jobs=1, progress=False)
    np.testing.assert_allclose(got.X, direct.X, atol=1e-4)


def test_cache_path_changes_with_the_features_version(monkeypatch) -> None:
    """FEATURES_VERSION is part of every cache key: bumping it (the features' maths changed)
    gives a new path, so files of the old computation are never read back as current.

    Break tried: feature_cache_path's key without ``v{FEATURES_VERSION}`` -> the path stays."""
    import genrelib.features.store as store

    before = feature_cache_path("fp0", FeatureConfig(), cache_dir="/c")
    monkeypatch.setattr(store, "FEATURES_VERSION", store.FEATURES_VERSION + 1)
    after = feature_cache_path("fp0", FeatureConfig(), cache_dir="/c")
    assert after != before and after.parent == before.parent


def test_an_empty_cache_root_falls_back_to_the_cache_environment_variable(tmp_path, monkeypatch) -> None:
    """``default_cache_dir(root="")`` (or blanks, e.g. an unset notebook parameter) means the
    default root ``$GENREBOOK_CACHE``, never a folder relative to the working directory.

    Break tried: test only ``root is not None`` -> root "  " gives the relative path "  /features".
    """
    monkeypatch.setenv(cache_mod.CACHE_ENV, str(tmp_path / "cache"))
    for root in (None, "", "  "):
        assert cache_mod.default_cache_dir("features", root=root) == tmp_path / "cache" / "features"
    assert cache_mod.default_cache_dir("features", root=tmp_path / "own") == tmp_path / "own" / "features"


def test_an_atomic_write_leaves_a_file_readable_by_others(tmp_path) -> None:
    """Files written atomically get the usual 0644 mode, not the 0600 of the temporary file.

    Break tried: skip the chmod before the rename -> the file's mode is 0600.
    """
    import os
    import stat

    if os.name != "posix":
        pytest.skip("POSIX file modes")
    path = atomic_save_npz(tmp_path / "a.npz", {"x": np.arange(3)})
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert stat.S_IMODE(cache_mod.atomic_write_text(tmp_path / "b.txt", "hi").stat().st_mode) == 0o644
