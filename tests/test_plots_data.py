"""Chapter 1's figures (genrelib.plots.data) draw the data they are given."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from genrelib import plots
from genrelib.datasets import artist_split, random_split
from helpers import FOUR_GENRES, artist_tracks, main_axes

GENRES = FOUR_GENRES


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _bar_heights(ax) -> list[float]:
    return [patch.get_height() for patch in ax.patches]


def test_chapter_1_figures_draw_their_data() -> None:
    tracks = artist_tracks()
    y = np.random.default_rng(0).normal(scale=0.1, size=2000).astype(np.float32)
    signals = {"a": y[:1000], "b": y[:2000], "c": y[:500]}
    fig = plots.plot_waveforms(signals, sample_rate=1000)
    assert isinstance(fig, Figure) and len(fig.axes) == 4  # 2 x 2 grid, the 4th hidden
    shown = main_axes(fig)
    assert [ax.get_title(loc="left") for ax in shown] == list(signals)
    for ax, signal in zip(shown, signals.values()):
        (line,) = ax.lines
        np.testing.assert_array_equal(line.get_ydata(), signal)
        np.testing.assert_allclose(line.get_xdata(), np.arange(signal.size) / 1000)

    fig = plots.plot_durations(tracks)
    (ax,) = main_axes(fig)
    assert sum(_bar_heights(ax)) == len(tracks) == 24  # every clip in one bin
    assert ax.get_title() == "24 clips, 30.00-30.05 s"
    assert [line.get_xdata()[0] for line in ax.lines] == [30.0]  # the cut/pad length

    fig = plots.plot_genre_artists(tracks)
    left, right = main_axes(fig)
    assert _bar_heights(left) == [6] * len(GENRES)
    assert [t.get_text() for t in left.get_xticklabels()] == list(GENRES)
    # right: per genre one block of 2 tracks for each of its 3 artists
    assert len(right.patches) == 3 * len(GENRES) and set(_bar_heights(right)) == {2}
    assert [t.get_text() for t in right.texts] == ["3"] * len(GENRES)
    assert right.get_legend() is None  # every artist named: no grey, no key
    unnamed = tracks.assign(artist=tracks["artist"].where(tracks.index != 0))  # one track's artist unknown
    right = main_axes(plots.plot_genre_artists(unnamed))[1]
    assert [t.get_text() for t in right.get_legend().get_texts()] == ["artist not known"]

    splits = {"random": random_split(tracks, seed=0), "artist": artist_split(tracks, seed=0)}
    fig = plots.plot_split_protocols(splits, tracks)
    (ax,) = main_axes(fig)
    (image,) = ax.images
    order = tracks.sort_values(["genre", "artist", "track_id"])["track_id"]  # GENRES are sorted
    codes = {"train": 0, "valid": 1, "test": 2}
    expected = [[next(codes[name] for name, ids in split.sets().items() if t in ids) for t in order]
                for split in splits.values()]
    np.testing.assert_array_equal(np.ma.getdata(image.get_array()), expected)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["random", "artist"]

    results = pd.DataFrame({"protocol": ["segment", "segment", "track", "track", "artist", "artist"],
                            "accuracy": [0.97, 0.93, 0.31, 0.24, 0.22, 0.28]})
    fig = plots.plot_leakage(results, n_classes=len(GENRES))
    (ax,) = main_axes(fig)
    mean = results.groupby("protocol", sort=False)["accuracy"].mean()
    assert list(mean.index) == ["segment", "track", "artist"]
    np.testing.assert_allclose(_bar_heights(ax), mean.to_numpy())
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    for line, protocol in zip(dots, mean.index, strict=True):
        np.testing.assert_allclose(line.get_ydata(), results.loc[results["protocol"] == protocol, "accuracy"])
    chance = [line for line in ax.lines if line.get_label() == "chance"]
    assert len(chance) == 1 and chance[0].get_ydata()[0] == pytest.approx(1 / len(GENRES))


def test_tracks_per_genre_bars_follow_the_genre_labels() -> None:
    """With genres of different sizes, each bar of "tracks per genre" stands over its own
    genre's label (genres in order of first appearance), and the stacked blocks add up to it.
    Break tried: the counts in value_counts' order (largest first) -> bars under wrong names."""
    sizes = {"rock": 2, "blues": 5, "jazz": 3}
    tracks = pd.DataFrame([{"track_id": f"{g}.{i:05d}", "genre": g, "artist": f"{g}-{i % 2}"}
                           for g, n in sizes.items() for i in range(n)])
    left, right = main_axes(plots.plot_genre_artists(tracks))
    assert [t.get_text() for t in left.get_xticklabels()] == list(sizes)
    assert _bar_heights(left) == list(sizes.values())
    stacked = {}
    for patch in right.patches:
        x = round(patch.get_x() + patch.get_width() / 2)
        stacked[x] = stacked.get(x, 0) + patch.get_height()
    assert [stacked[x] for x in range(len(sizes))] == list(sizes.values())


def test_leakage_draws_repeats_with_an_untrained_genre_hollow() -> None:
    """A repeat whose test set held a genre never trained is drawn as a hollow dot only; the
    others as filled dots. Break tried: every repeat also drawn filled -> fails."""
    results = pd.DataFrame({"protocol": ["artist"] * 3, "accuracy": [0.2, 0.3, 0.4],
                            "untrained_genres": ["", "jazz", ""]})
    (ax,) = main_axes(plots.plot_leakage(results))
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    filled = [line for line in dots if line.get_markerfacecolor() != "white"]
    hollow = [line for line in dots if line.get_markerfacecolor() == "white"]
    assert len(filled) == len(hollow) == 1
    np.testing.assert_allclose(filled[0].get_ydata(), [0.2, 0.4])
    np.testing.assert_allclose(hollow[0].get_ydata(), [0.3])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a tested genre never trained"]


def test_waveforms_share_the_full_scale_amplitude_axis() -> None:
    """Every waveform panel shows amplitudes -1 to 1, so quiet and loud clips compare.
    Break tried: no fixed limits -> autoscaled to the quietest clip."""
    signals = {"quiet": np.full(100, 0.01), "loud": np.linspace(-0.5, 0.5, 100)}
    for ax in main_axes(plots.plot_waveforms(signals, sample_rate=100)):
        assert ax.get_ylim() == (-1.0, 1.0)
