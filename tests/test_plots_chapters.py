"""Chapter 6's and chapter 8's figures draw what they are given."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from genrelib import plots  # noqa: E402


def test_augmentations_show_each_segment_as_given_on_one_scale() -> None:
    rng = np.random.default_rng(0)
    original = rng.normal(size=(8, 12))
    augmented = {"crop": original + 1, "gain": original - 3}
    fig = plots.plot_augmentations(original, augmented, title="t")
    image_axes = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in image_axes] == ["grid segment", "crop", "gain"]
    for ax, expected in zip(image_axes, [original, original + 1, original - 3], strict=True):
        np.testing.assert_array_equal(ax.images[0].get_array(), expected)
        assert ax.images[0].get_clim() == pytest.approx((original.min() - 3, original.max() + 1))


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
