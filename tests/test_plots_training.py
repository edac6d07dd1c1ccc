"""The training figure (genrelib.plots.training) draws a run's history."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from genrelib import plots  # noqa: E402


def test_learning_curves_draw_the_history() -> None:
    history = pd.DataFrame({"epoch": [1, 2, 3], "loss": [2.0, 1.5, 1.2], "accuracy": [0.2, 0.4, 0.5],
                            "val_loss": [2.1, 1.4, 1.6], "val_accuracy": [0.1, 0.5, 0.4],
                            "learning_rate": [1e-3, 1e-3, 1e-4]})
    fig = plots.plot_learning_curves(history, title="cnn")
    assert len(fig.axes) == 2 and fig.axes[0].lines[0].get_ydata().tolist() == [2.0, 1.5, 1.2]
    fig.canvas.draw()
    for ax in fig.axes:  # whole epochs only on the x axis (three epochs: no 1.25, 1.5, ... ticks)
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "learning rate cut" in legend  # the dotted line at epoch 3 is named (break: no label)
    cut = [line for line in fig.axes[0].lines if line.get_label() == "learning rate cut"]
    assert len(cut) == 1 and cut[0].get_marker() == "v" and list(cut[0].get_xdata()) == [3]  # seen on the best
    # epoch's line too (break: the triangle not drawn -> fails)


def test_the_best_epoch_is_the_lowest_validation_loss() -> None:
    """The dashed "best epoch" line on both panels is at the epoch of the lowest validation
    loss (the weights kept), or of the lowest training loss without validation.
    Breaks tried: the highest loss; the training loss monitored beside a validation one."""
    history = pd.DataFrame({"epoch": [1, 2, 3, 4], "loss": [2.0, 1.5, 1.2, 1.0],
                            "accuracy": [0.2, 0.4, 0.5, 0.6], "val_loss": [2.1, 1.4, 1.6, 1.9],
                            "val_accuracy": [0.1, 0.5, 0.4, 0.3]})
    for frame, best in ((history, 2), (history.drop(columns=["val_loss", "val_accuracy"]), 4)):
        fig = plots.plot_learning_curves(frame)
        for ax in fig.axes[:2]:
            lines = [line for line in ax.lines if line.get_label() == "best epoch (weights kept)"]
            assert len(lines) == 1 and list(lines[0].get_xdata()) == [best, best]
