"""Chapters 1-2 helpers: genrelib.explore and genrelib.leakage (fast; their figures:
tests/test_plots_data.py, tests/test_plots_features.py)."""

from __future__ import annotations

import librosa
import numpy as np
import pandas as pd
import pytest
import scipy.fft

from genrelib.config import FeatureConfig
from genrelib.datasets import artist_split, random_split
from genrelib.explore import (artist_summary, examples_per_genre, feature_steps, split_summary,
                              versions)
from genrelib.features import FeatureSet, log_mel
from genrelib.leakage import leakage_experiment, segment_split, segment_statistics

GENRES = ("blues", "classical", "country", "disco")


def _tracks(per_genre: int = 6, artists_per_genre: int = 3) -> pd.DataFrame:
    rows = []
    for g in GENRES:
        for i in range(per_genre):
            rows.append({"track_id": f"{g}.{i:05d}", "genre": g, "path": f"/x/{g}.{i:05d}.wav",
                         "duration": 30.0 + 0.01 * i, "artist": f"{g}-artist-{i % artists_per_genre}"})
    return pd.DataFrame(rows)


def _memorisable_features(tracks: pd.DataFrame, *, segments: int = 10, seed: int = 0) -> FeatureSet:
    """Each track has its own random 'fingerprint'; the genre carries no signal at all.
    A classifier can only succeed by recognising tracks it has already seen."""
    rng = np.random.default_rng(seed)
    X, y, ids = [], [], []
    for label, track in zip(tracks["genre"].map({g: i for i, g in enumerate(GENRES)}), tracks["track_id"]):
        fingerprint = rng.normal(size=(32, 1)) * 3.0
        X.append(fingerprint + rng.normal(size=(segments, 32, 8)) * 0.3)
        y.extend([label] * segments)
        ids.extend([track] * segments)
    return FeatureSet(X=np.concatenate(X).astype(np.float32), y=np.array(y), track_ids=np.array(ids),
                      genres=GENRES, config=FeatureConfig(kind="mfcc", n_mfcc=32))


def test_segment_statistics_shape_and_values() -> None:
    X = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    Z = segment_statistics(X)
    assert Z.shape == (2, 6)
    np.testing.assert_allclose(Z[:, :3], X.mean(axis=2))
    np.testing.assert_allclose(Z[:, 3:], X.std(axis=2))
    with pytest.raises(ValueError, match="n_segments, n_features, frames"):
        segment_statistics(X[0])


def test_segment_split_is_stratified_and_disjoint() -> None:
    labels = np.repeat(np.arange(4), 10)
    train, test = segment_split(labels, test_fraction=0.2, seed=0)
    assert len(np.intersect1d(train, test)) == 0 and len(train) + len(test) == 40
    assert np.bincount(labels[test]).tolist() == [2, 2, 2, 2]


def test_leakage_experiment_exposes_the_segment_leak() -> None:
    tracks = _tracks()
    results = leakage_experiment(_memorisable_features(tracks), tracks, repeats=2, seed=0)
    assert set(results["protocol"]) == {"segment", "track", "artist"}
    mean = results.groupby("protocol")["accuracy"].mean()
    # Genre carries no signal: only memorised tracks can be recognised.
    assert mean["segment"] > 0.9
    assert mean["track"] < 0.6 and mean["artist"] < 0.6
    shared = results.groupby("protocol")[["shared_tracks", "shared_artists"]].max()
    assert shared.loc["segment", "shared_tracks"] > 0
    assert shared.loc["track", "shared_tracks"] == 0
    assert shared.loc["artist", "shared_artists"] == 0


def test_leakage_experiment_rejects_bad_options() -> None:
    tracks = _tracks()
    features = _memorisable_features(tracks)
    with pytest.raises(ValueError, match="unknown protocol"):
        leakage_experiment(features, tracks, protocols=("random",))
    with pytest.raises(ValueError, match="repeats"):
        leakage_experiment(features, tracks, repeats=0)


def test_examples_per_genre_is_reproducible() -> None:
    tracks = _tracks()
    a = examples_per_genre(tracks, seed=1, genres=GENRES)
    b = examples_per_genre(tracks, seed=1, genres=GENRES)
    assert a["track_id"].tolist() == b["track_id"].tolist()
    assert a["genre"].tolist() == list(GENRES)
    assert len(examples_per_genre(tracks, per_genre=2)) == 2 * len(GENRES)
    with pytest.raises(ValueError, match="empty"):
        examples_per_genre(tracks.iloc[:0])


def test_artist_and_split_summaries() -> None:
    tracks = _tracks()
    tracks.loc[0, "artist"] = None
    summary = artist_summary(tracks)
    assert summary.loc["blues", "tracks"] == 6 and summary.loc["blues", "unknown"] == 1
    assert summary.loc["country", "artists"] == 3
    assert summary.loc["country", "top_share"] == pytest.approx(2 / 6)
    splits = {"random": random_split(tracks, seed=0), "artist": artist_split(tracks, seed=0)}
    table = split_summary(splits, tracks)
    assert table.loc["artist", "shared_artists"] == 0
    assert table.loc["random", "train"] + table.loc["random", "valid"] + table.loc["random", "test"] == len(tracks)


def test_feature_steps_agree_with_the_library() -> None:
    cfg = FeatureConfig()
    y = np.random.default_rng(0).normal(scale=0.1, size=cfg.segment_samples).astype(np.float32)
    steps = feature_steps(y, cfg)
    frames = 1 + len(y) // cfg.hop_length
    assert steps["stft"].shape == (1 + cfg.n_fft // 2, frames)
    assert steps["log_mel"].shape == (cfg.n_mels, frames)
    assert steps["mfcc"].shape == (cfg.n_mfcc, frames)
    assert np.abs(steps["log_mel"] - log_mel(y, cfg)).max() < 0.05
    np.testing.assert_allclose(steps["power"], steps["stft"] ** 2, rtol=1e-5)
    # MFCC: the orthonormal DCT-II of the log-mel over the mel axis, first n_mfcc coefficients
    np.testing.assert_allclose(steps["mfcc"], librosa.feature.mfcc(S=steps["log_mel"], n_mfcc=cfg.n_mfcc),
                               rtol=1e-5, atol=1e-3)
    dct = scipy.fft.dct(steps["log_mel"].astype(np.float64), type=2, norm="ortho", axis=0)[:cfg.n_mfcc]
    np.testing.assert_allclose(steps["mfcc"], dct, rtol=1e-4, atol=1e-2)


def test_versions_lists_python_and_numpy() -> None:
    found = versions(("numpy", "surely-not-a-package"))
    assert found["numpy"] == np.__version__
    assert found["surely-not-a-package"] == "not installed" and "python" in found


def test_settings_table_shows_each_value_with_its_own_type() -> None:
    from genrelib import FeatureConfig, get_profile
    from genrelib.explore import settings_table

    train = get_profile("quick").train
    table = settings_table(train)
    assert list(table.columns) == ["TrainConfig"]
    assert list(table.index) == list(train.to_dict())
    html = table.to_html()
    assert f"<td>{train.epochs}</td>" in html and f"<td>{train.batch_size}</td>" in html
    assert ".000000" not in html and "3.0<" not in html
    assert table.loc["learning_rate", "TrainConfig"] == train.learning_rate
    features = settings_table(FeatureConfig(), name="features")
    assert features.loc["kind", "features"] == "mel" and features.loc["n_mels", "features"] == 128
    assert list(settings_table({"a": 1, "b": 0.5}).loc[:, "value"]) == [1, 0.5]


def test_synthetic_recording_plays_each_genre_in_turn(tmp_path) -> None:
    import soundfile as sf

    from genrelib.datasets.synthetic import render_track
    from genrelib.explore import synthetic_recording

    path = synthetic_recording(tmp_path / "medley.wav", genres=("jazz", "metal"), seconds_each=1.5,
                               sample_rate=16_000, channels=2, seed=3)
    data, rate = sf.read(path, dtype="float32", always_2d=True)
    assert rate == 16_000 and data.shape == (48_000, 2)
    np.testing.assert_array_equal(data[:, 0], data[:, 1])
    metal = render_track("metal", track_seed=1, seed=3, seconds=1.5, sample_rate=16_000)
    np.testing.assert_allclose(data[24_000:, 0], metal, atol=1.5 / 32768)  # 16-bit rounding
    with pytest.raises(ValueError, match="at least one genre"):
        synthetic_recording(tmp_path / "none.wav", genres=())
