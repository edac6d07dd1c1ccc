"""Chapter 6's figure (genrelib.plots.tuning) shows every value with its seeds."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from genrelib import plots  # noqa: E402


def test_factor_sweeps_show_every_value_with_its_seeds() -> None:
    trials = pd.DataFrame({
        "factor": ["kernel_size"] * 4, "value": [3, 3, 5, 5], "seed": [0, 1, 0, 1],
        "valid_accuracy": [0.5, 0.7, 0.4, 0.6], "valid_segment_accuracy": [0.5] * 4,
        "test_accuracy": [0.5] * 4, "epochs": [1] * 4, "seconds": [1.0] * 4,
    })
    fig = plots.plot_factor_sweeps(trials, chosen={"kernel_size": 3})
    ax = fig.axes[0]
    assert [round(p.get_height(), 3) for p in ax.patches] == [0.6, 0.5]  # the means over seeds
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert sorted(float(y) for d in dots for y in d.get_ydata()) == [0.4, 0.5, 0.6, 0.7]


def test_our_choice_is_outlined_and_the_studys_starred() -> None:
    """The chosen value's bar is outlined red, the others in their own blue; the star sits
    under the study's choice (kernel size 5), whatever its place.
    Breaks tried: the outline colours swapped; the star under the first value."""
    from matplotlib.colors import to_rgba

    trials = pd.DataFrame({
        "factor": ["kernel_size"] * 6, "value": [3, 3, 5, 5, 7, 7], "seed": [0, 1] * 3,
        "valid_accuracy": [0.5, 0.7, 0.4, 0.6, 0.3, 0.5], "valid_segment_accuracy": [0.5] * 6,
        "test_accuracy": [0.5] * 6, "epochs": [1] * 6, "seconds": [1.0] * 6,
    })
    ax = plots.plot_factor_sweeps(trials, chosen={"kernel_size": 7}).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["3", "5", "7"]
    blue, red = to_rgba("#4C72B0", 0.6), to_rgba("#C44E52", 0.6)
    assert [p.get_edgecolor() for p in ax.patches] == [blue, blue, red]
    (star,) = [line for line in ax.lines if line.get_marker() == "*"]
    assert list(star.get_xdata()) == [1]
