"""Chapter 2's figures (genrelib.plots.features) draw the data they are given."""

from __future__ import annotations

import librosa
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PolyCollection, QuadMesh

from genrelib import plots
from genrelib.config import FeatureConfig
from genrelib.features import feature_steps
from helpers import main_axes


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _mesh(ax) -> np.ndarray:
    meshes = [c for c in ax.collections if isinstance(c, QuadMesh)]
    assert len(meshes) == 1, f"expected one image (QuadMesh) in {ax.get_title()!r}"
    return np.ma.getdata(meshes[0].get_array())


def test_chapter_2_figures_draw_their_data() -> None:
    from genrelib.features import mel_filterbank

    cfg = FeatureConfig()
    y = np.random.default_rng(0).normal(scale=0.1, size=cfg.clip_samples).astype(np.float32)
    short = y[: cfg.segment_samples * 2]
    steps = feature_steps(short, cfg)

    fig = plots.plot_stft(short, steps, cfg)
    top, bottom = main_axes(fig)
    np.testing.assert_array_equal(top.lines[0].get_ydata(), short)
    np.testing.assert_allclose(_mesh(bottom), librosa.amplitude_to_db(steps["stft"], ref=np.max))
    assert "1025 bins x 259 frames" in bottom.get_title()

    fig = plots.plot_mel_filterbank(cfg)
    (ax,) = main_axes(fig)
    bank = mel_filterbank(cfg)
    assert len(ax.lines) == 128 // 8
    for i, line in enumerate(ax.lines):
        np.testing.assert_array_equal(line.get_ydata(), bank[8 * i])
        np.testing.assert_allclose(line.get_xdata(), np.linspace(0, 11025, 1025))

    fig = plots.plot_mel_steps(steps, cfg)
    left, right = main_axes(fig)
    np.testing.assert_array_equal(_mesh(left), steps["mel_power"])
    np.testing.assert_array_equal(_mesh(right), steps["log_mel"])
    assert len(fig.axes) == 4  # one colorbar each

    fig = plots.plot_mfcc(steps, cfg)
    (ax,) = main_axes(fig)
    np.testing.assert_array_equal(_mesh(ax), steps["mfcc"])
    assert ax.get_title() == "MFCC: 20 coefficients x 259 frames"
    rows = ax.collections[0].get_coordinates()[:, 0, 1]  # the rows' edges
    centres = dict(zip([t.get_text() for t in ax.get_yticklabels()], ax.get_yticks()))
    assert centres["0"] == (rows[0] + rows[1]) / 2 and centres["2"] == (rows[2] + rows[3]) / 2  # break: +0.5
    # the log-mel on one linear scale (no colour centred on 0 dB)
    mesh = main_axes(plots.plot_mel_steps(steps, cfg))[1].collections[0]
    assert (mesh.norm.vmin, mesh.norm.vmax) == (float(steps["log_mel"].min()), float(steps["log_mel"].max()))
    assert type(mesh.norm).__name__ == "Normalize"

    fig = plots.plot_segmentation(y, cfg)
    top, bottom = main_axes(fig)
    np.testing.assert_array_equal(top.lines[0].get_ydata(), y)
    assert len(bottom.patches) == cfg.segments_per_clip == 19  # one bar per segment
    np.testing.assert_allclose([bar.get_x() for bar in bottom.patches], np.arange(19) * 1.5)
    np.testing.assert_allclose([bar.get_width() for bar in bottom.patches], 3.0)
    assert top.get_title() == "19 segments of 3 s, 50% overlap"

    rng = np.random.default_rng(1)
    before = rng.normal(loc=5.0, size=(20, 8, 5)).astype(np.float32)
    train_after, test_after = before - before.mean(), before * 2.0
    fig = plots.plot_standardization(before, train_after, test_after)
    left, right = main_axes(fig)
    (line,) = left.lines
    np.testing.assert_allclose(line.get_ydata(), before.mean(axis=(0, 2)), rtol=1e-6)
    np.testing.assert_allclose([line.get_ydata() for line in right.lines],
                               [train_after.mean(axis=(0, 2)), test_after.mean(axis=(0, 2))], rtol=1e-5, atol=1e-6)
    bands = [c for c in left.collections + right.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 3  # one +/- 1 std band per set drawn
