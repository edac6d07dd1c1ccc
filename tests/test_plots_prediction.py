"""The timeline figure (genrelib.plots.prediction) of ``genrelib predict`` and chapter 9."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


def test_plot_timeline_draws_every_probability_and_each_segments_top_genre():
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Rectangle

    from genrelib.plots import plot_timeline

    genres = ("blues", "jazz", "metal", "rock")
    probs = np.array([[0.6, 0.2, 0.1, 0.1], [0.1, 0.2, 0.3, 0.4], [0.1, 0.1, 0.7, 0.1]])
    fig = plot_timeline(np.array([0.0, 1.5, 3.0]), probs, genres, title="song.wav")
    heat, bars = fig.axes[0], fig.axes[1]
    np.testing.assert_array_equal(heat.images[0].get_array(), probs.T)
    assert [t.get_text() for t in heat.get_yticklabels()] == list(genres)
    assert heat.get_title() == "song.wav"
    rects = [p for p in bars.patches if isinstance(p, Rectangle)]
    assert [r.get_x() for r in rects] == [0.0, 1.5, 3.0] and [r.get_width() for r in rects] == [1.5] * 3
    np.testing.assert_allclose([r.get_height() for r in rects], [0.6, 0.4, 0.7])
    tab10 = [to_rgba(plt.get_cmap("tab10")(i)) for i in range(10)]
    assert [r.get_facecolor() for r in rects] == [tab10[0], tab10[3], tab10[2]]
    assert [t.get_text() for t in bars.get_legend().get_texts()] == ["blues", "metal", "rock"]
    with pytest.raises(ValueError, match="n_segments"):
        plot_timeline(np.array([0.0, 1.5]), probs, genres)


def test_each_bar_is_its_own_segments_top_probability() -> None:
    """A genre on top in several segments gets each segment's own probability, not the
    genre's highest over the recording. Break tried: the column maximum -> [0.9, 0.9, 0.8]."""
    from matplotlib.patches import Rectangle

    from genrelib.plots import plot_timeline

    probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]])
    fig = plot_timeline(np.array([0.0, 3.0, 6.0]), probs, ("jazz", "rock"))
    rects = [p for p in fig.axes[1].patches if isinstance(p, Rectangle)]
    np.testing.assert_allclose([r.get_height() for r in rects], [0.9, 0.6, 0.8])
