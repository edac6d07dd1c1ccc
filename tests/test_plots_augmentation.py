"""Chapter 8's figure (genrelib.plots.augmentation) draws each segment as given."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
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
