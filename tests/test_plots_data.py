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
