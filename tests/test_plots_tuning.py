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
