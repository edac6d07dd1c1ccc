"""Chapters 1-2 helpers: genrelib.leakage (fast; the figures of chapters 1 and 2:
tests/test_plots_data.py, tests/test_plots_features.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genrelib.config import FeatureConfig
from genrelib.features import FeatureSet
from genrelib.leakage import leakage_experiment, segment_split, segment_statistics
from helpers import FOUR_GENRES, artist_tracks

GENRES = FOUR_GENRES


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
    tracks = artist_tracks()
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


def test_leakage_experiment_names_tested_genres_it_never_trained() -> None:
    """A genre whose every track is in the test set cannot be right: the row names it and
    scores the other test segments apart (chapter 1's artist split on the mini set).

    Break tried: ``trained`` computed as all True -> no genre named, both accuracies equal."""
    tracks = artist_tracks()
    tracks.loc[tracks["genre"] == GENRES[0], "artist"] = "one artist"  # a genre of one artist
    features = _memorisable_features(tracks)
    results = leakage_experiment(features, tracks, protocols=("artist",), repeats=6, seed=0)
    for row in results.itertuples(index=False):
        trained_ids = set(_train_of(tracks, seed=row.repeat))
        trained_genres = set(tracks.loc[tracks["track_id"].isin(trained_ids), "genre"])
        test = tracks[~tracks["track_id"].isin(trained_ids)]
        missing = [g for g in GENRES if g in set(test["genre"]) - trained_genres]
        assert row.untrained_genres == ", ".join(missing)
        scored = (~test["genre"].isin(missing)).sum() * 10  # 10 segments a track
        if scored:
            assert row.accuracy == pytest.approx(row.accuracy_trained_genres * scored / row.test_segments)
        else:  # every test track of an untrained genre: nothing else to score
            assert row.accuracy == 0 and np.isnan(row.accuracy_trained_genres)
    assert (results["untrained_genres"] == GENRES[0]).any() and (results["untrained_genres"] == "").any()


def _train_of(tracks: pd.DataFrame, *, seed: int) -> list[str]:
    from genrelib.datasets.splits import make_split

    split = make_split(tracks, "artist", valid_fraction=0.1, test_fraction=0.2, seed=seed)
    return list(split.train) + list(split.valid)


def test_leakage_experiment_rejects_bad_options() -> None:
    tracks = artist_tracks()
    features = _memorisable_features(tracks)
    with pytest.raises(ValueError, match="unknown protocol"):
        leakage_experiment(features, tracks, protocols=("random",))
    with pytest.raises(ValueError, match="repeats"):
        leakage_experiment(features, tracks, repeats=0)


def test_leakage_experiment_trains_the_track_protocols_on_every_untested_track(monkeypatch) -> None:
    """No early stopping here, so the validation tracks join training: under "track" and "artist"
    every segment is either trained on or tested, none is left aside.

    Break tried: train on split.train only -> the validation tracks' segments are in neither set.
    """
    import genrelib.leakage as leakage

    tracks = artist_tracks()
    features = _memorisable_features(tracks)
    seen = []
    original = leakage._fit_predict

    def recording(Z, y, train, test, seed):
        seen.append((len(train), len(test), len(np.intersect1d(train, test))))
        return original(Z, y, train, test, seed)

    monkeypatch.setattr(leakage, "_fit_predict", recording)
    leakage_experiment(features, tracks, protocols=("track", "artist"), repeats=2, seed=0)
    assert len(seen) == 4 and all(n_train + n_test == len(features) and shared == 0
                                  for n_train, n_test, shared in seen), seen
