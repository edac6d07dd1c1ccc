"""extract_features (genrelib.features.extract): shapes, labels and order, parallel = serial,
cache hits, MFCCs derived from the cached log-mel, changed data recomputed, bad clips
skipped with a warning naming them, and the real GTZAN mini set."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers import SMALL, make_dataset, noise

import genrelib.features.extract as E
from genrelib.audio import load_audio
from genrelib.config import FeatureConfig
from genrelib.datasets import index_dataset
from genrelib.features import (ClipLengthWarning, SkippedClipWarning, clip_features, extract_features,
                               feature_cache_path)


@pytest.fixture()
def small_index(tmp_path):
    return index_dataset(make_dataset(tmp_path / "data"))


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

    monkeypatch.setattr(E, "_track_features", must_not_run)
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
    monkeypatch.setattr(E, "_track_features", lambda *a, **k: pytest.fail("audio was decoded again"))
    derived = extract_features(small_index, cfg, cache_dir=tmp_path, n_jobs=1, progress=False)
    assert derived.X.shape == (28, 13, 32)
    np.testing.assert_allclose(derived.X, direct.X, atol=1e-4)


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



def test_clips_far_from_the_clip_length_are_said_to_be_padded_or_cut():
    """8 s clips were padded to 30 s without a word (13 of 19 segments silence, which the models
    learned as part of the genre: a logistic regression at chance), and a 5-minute song gave
    its first 30 s only; GTZAN's 29.98-30.37 s clips and a clip under one segment (skipped and
    named elsewhere) say nothing.

    Break tried: extract_features without warn_clip_lengths -> no warning on short clips."""
    import warnings

    with pytest.warns(ClipLengthWarning) as caught:
        E.warn_clip_lengths([8.0] * 29 + [1.0], FeatureConfig())
    assert str(caught[0].message).startswith(
        "29 of 29 clips are shorter than the 30 s every clip is cut or padded to (the shortest 8.0 s: "
        "13 of its 19 segments are silence")
    with pytest.warns(ClipLengthWarning, match=r"1 of 2 clips are longer than 30 s \(the longest 300 s\): only "
                                               r"their first 30 s are used; cut long recordings"):
        E.warn_clip_lengths([30.0, 300.0], FeatureConfig())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        E.warn_clip_lengths([29.98, 30.37, 1.0], FeatureConfig())


def test_extract_features_warns_of_short_clips(tmp_path):
    base = make_dataset(tmp_path / "data", per_genre=1)
    sf.write(base / "genres" / "jazz" / "jazz.00009.wav", noise(0.8, 8000), 8000)  # 0.8 s of SMALL's 2 s
    with pytest.warns(ClipLengthWarning, match=r"1 of 3 clips \(jazz/jazz.00009.wav\) are shorter than the 2 s"):
        extract_features(index_dataset(base), SMALL, cache_dir=False, n_jobs=1, progress=False)
    names = [f"c{i}.wav" for i in range(5)]  # the first NAMED_CLIPS named, the rest counted
    with pytest.warns(ClipLengthWarning, match=r"5 of 5 clips \(c0.wav, c1.wav, c2.wav and 2 more\) are shorter"):
        E.warn_clip_lengths([8.0] * 5, FeatureConfig(), names=names)
    assert ClipLengthWarning.__module__.startswith("genrelib")  # a command shows it

def test_clips_recorded_below_the_feature_rate_beside_others_are_named(tmp_path):
    """8 kHz clips beside 22.05 kHz ones have nothing above 4 kHz, a cue a model learns in
    place of the genre (a logistic regression then answered the genre of the 8 kHz training
    clip for most band-limited input); nothing was said. One rate for all says nothing.

    Break tried: extract_features without warn_sample_rates -> no warning."""
    import warnings

    with pytest.warns(E.SampleRateWarning, match=r"2 of 5 clips are recorded below the features' 22,050 Hz "
                                                 r"\(the lowest at 8,000 Hz: nothing above 4,000 Hz\), the others"):
        E.warn_sample_rates([22050, 44100, 8000, 16000, 22050], FeatureConfig())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        E.warn_sample_rates([8000, 8000], FeatureConfig())
        E.warn_sample_rates([22050, 44100], FeatureConfig())
    base = make_dataset(tmp_path / "data", per_genre=1, rate=SMALL.sample_rate)
    sf.write(base / "genres" / "jazz" / "jazz.00009.wav", noise(2.0, SMALL.sample_rate // 2), SMALL.sample_rate // 2)
    # A clip shorter than one segment is skipped (and named): it is not counted, as the clip
    # length warning does not count it (they said "1 of 10" and "1 of 11" on one folder).
    sf.write(base / "genres" / "jazz" / "jazz.00010.wav", noise(SMALL.segment_seconds / 4, SMALL.sample_rate),
             SMALL.sample_rate)
    with pytest.warns(E.SampleRateWarning, match=r"1 of 3 clips \(jazz/jazz.00009.wav\) are recorded below"):
        extract_features(index_dataset(base), SMALL, cache_dir=False, n_jobs=1, progress=False)


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


def test_no_more_workers_are_started_than_there_are_tracks() -> None:
    """``_resolve_jobs`` caps the workers at the number of tracks (and gives at least one).

    Break tried: the cap at n_tasks dropped -> every core (-1) gets a worker for 1 track."""
    assert E._resolve_jobs(None, 1) == 1
    assert E._resolve_jobs(8, 3) == 3
    assert E._resolve_jobs(2, 0) == 1
    assert E._resolve_jobs(1, 50) == 1


def test_clips_more_than_half_a_segment_from_the_clip_length_are_named() -> None:
    """The tolerance is half a segment (1.5 s of 3 s segments): a 28 s clip is short, a 32 s one long,
    29 s and 31 s say nothing.

    Break tried: a tolerance of a whole segment -> no warning for the 28 s and 32 s clips.
    """
    import warnings

    with pytest.warns(ClipLengthWarning, match=r"1 of 2 clips are shorter than the 30 s"):
        E.warn_clip_lengths([30.0, 28.0], FeatureConfig())
    with pytest.warns(ClipLengthWarning, match=r"1 of 2 clips are longer than 30 s"):
        E.warn_clip_lengths([30.0, 32.0], FeatureConfig())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        E.warn_clip_lengths([29.0, 31.0], FeatureConfig())
