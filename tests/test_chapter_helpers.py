"""Chapters 1-2 helpers: genrelib.leakage and the figures of chapters 1 and 2 (fast)."""

from __future__ import annotations

import librosa
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection, QuadMesh
from matplotlib.figure import Figure

from genrelib import plots
from genrelib.config import FeatureConfig
from genrelib.datasets import artist_split, random_split
from genrelib.features import FeatureSet, feature_steps
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


# --------------------------------------------------------------------------- figures
@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _main_axes(fig: Figure) -> list:
    """The figure's visible axes without colorbars."""
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def _mesh(ax) -> np.ndarray:
    meshes = [c for c in ax.collections if isinstance(c, QuadMesh)]
    assert len(meshes) == 1, f"expected one image (QuadMesh) in {ax.get_title()!r}"
    return np.ma.getdata(meshes[0].get_array())


def _bar_heights(ax) -> list[float]:
    return [patch.get_height() for patch in ax.patches]


def test_chapter_1_figures_draw_their_data() -> None:
    tracks = _tracks()
    y = np.random.default_rng(0).normal(scale=0.1, size=2000).astype(np.float32)
    signals = {"a": y[:1000], "b": y[:2000], "c": y[:500]}
    fig = plots.plot_waveforms(signals, sample_rate=1000)
    assert isinstance(fig, Figure) and len(fig.axes) == 4  # 2 x 2 grid, the 4th hidden
    shown = _main_axes(fig)
    assert [ax.get_title(loc="left") for ax in shown] == list(signals)
    for ax, signal in zip(shown, signals.values()):
        (line,) = ax.lines
        np.testing.assert_array_equal(line.get_ydata(), signal)
        np.testing.assert_allclose(line.get_xdata(), np.arange(signal.size) / 1000)

    fig = plots.plot_durations(tracks)
    (ax,) = _main_axes(fig)
    assert sum(_bar_heights(ax)) == len(tracks) == 24  # every clip in one bin
    assert ax.get_title() == "24 clips, 30.00-30.05 s"
    assert [line.get_xdata()[0] for line in ax.lines] == [30.0]  # the cut/pad length

    fig = plots.plot_genre_artists(tracks)
    left, right = _main_axes(fig)
    assert _bar_heights(left) == [6] * len(GENRES)
    assert [t.get_text() for t in left.get_xticklabels()] == list(GENRES)
    # right: per genre one block of 2 tracks for each of its 3 artists
    assert len(right.patches) == 3 * len(GENRES) and set(_bar_heights(right)) == {2}
    assert [t.get_text() for t in right.texts] == ["3"] * len(GENRES)

    splits = {"random": random_split(tracks, seed=0), "artist": artist_split(tracks, seed=0)}
    fig = plots.plot_split_protocols(splits, tracks)
    (ax,) = _main_axes(fig)
    (image,) = ax.images
    order = tracks.sort_values(["genre", "artist", "track_id"])["track_id"]  # GENRES are sorted
    codes = {"train": 0, "valid": 1, "test": 2}
    expected = [[next(codes[name] for name, ids in split.sets().items() if t in ids) for t in order]
                for split in splits.values()]
    np.testing.assert_array_equal(np.ma.getdata(image.get_array()), expected)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["random", "artist"]

    results = leakage_experiment(_memorisable_features(tracks), tracks, repeats=2)
    fig = plots.plot_leakage(results, n_classes=len(GENRES))
    (ax,) = _main_axes(fig)
    mean = results.groupby("protocol", sort=False)["accuracy"].mean()
    assert list(mean.index) == ["segment", "track", "artist"]
    np.testing.assert_allclose(_bar_heights(ax), mean.to_numpy())
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    for line, protocol in zip(dots, mean.index, strict=True):
        np.testing.assert_allclose(line.get_ydata(), results.loc[results["protocol"] == protocol, "accuracy"])
    chance = [line for line in ax.lines if line.get_label() == "chance"]
    assert len(chance) == 1 and chance[0].get_ydata()[0] == pytest.approx(1 / len(GENRES))


def test_chapter_2_figures_draw_their_data() -> None:
    from genrelib.features import mel_filterbank

    cfg = FeatureConfig()
    y = np.random.default_rng(0).normal(scale=0.1, size=cfg.clip_samples).astype(np.float32)
    short = y[: cfg.segment_samples * 2]
    steps = feature_steps(short, cfg)

    fig = plots.plot_stft(short, steps, cfg)
    top, bottom = _main_axes(fig)
    np.testing.assert_array_equal(top.lines[0].get_ydata(), short)
    np.testing.assert_allclose(_mesh(bottom), librosa.amplitude_to_db(steps["stft"], ref=np.max))
    assert "1025 bins x 259 frames" in bottom.get_title()

    fig = plots.plot_mel_filterbank(cfg)
    (ax,) = _main_axes(fig)
    bank = mel_filterbank(cfg)
    assert len(ax.lines) == 128 // 8
    for i, line in enumerate(ax.lines):
        np.testing.assert_array_equal(line.get_ydata(), bank[8 * i])
        np.testing.assert_allclose(line.get_xdata(), np.linspace(0, 11025, 1025))

    fig = plots.plot_mel_steps(steps, cfg)
    left, right = _main_axes(fig)
    np.testing.assert_array_equal(_mesh(left), steps["mel_power"])
    np.testing.assert_array_equal(_mesh(right), steps["log_mel"])
    assert len(fig.axes) == 4  # one colorbar each

    fig = plots.plot_mfcc(steps, cfg)
    (ax,) = _main_axes(fig)
    np.testing.assert_array_equal(_mesh(ax), steps["mfcc"])
    assert ax.get_title() == "MFCC: 20 coefficients x 259 frames"

    fig = plots.plot_segmentation(y, cfg)
    top, bottom = _main_axes(fig)
    np.testing.assert_array_equal(top.lines[0].get_ydata(), y)
    assert len(bottom.patches) == cfg.segments_per_clip == 19  # one bar per segment
    np.testing.assert_allclose([bar.get_x() for bar in bottom.patches], np.arange(19) * 1.5)
    np.testing.assert_allclose([bar.get_width() for bar in bottom.patches], 3.0)
    assert top.get_title() == "19 segments of 3 s, 50% overlap"

    rng = np.random.default_rng(1)
    before = rng.normal(loc=5.0, size=(20, 8, 5)).astype(np.float32)
    train_after, test_after = before - before.mean(), before * 2.0
    fig = plots.plot_standardization(before, train_after, test_after)
    left, right = _main_axes(fig)
    (line,) = left.lines
    np.testing.assert_allclose(line.get_ydata(), before.mean(axis=(0, 2)), rtol=1e-6)
    np.testing.assert_allclose([line.get_ydata() for line in right.lines],
                               [train_after.mean(axis=(0, 2)), test_after.mean(axis=(0, 2))], rtol=1e-5, atol=1e-6)
    bands = [c for c in left.collections + right.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 3  # one +/- 1 std band per set drawn


