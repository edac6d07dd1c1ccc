"""Chapters 3-5's training figure: learning curves of a run's history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from genrelib.plots.colours import SET_COLOURS

if TYPE_CHECKING:
    import pandas as pd


def plot_learning_curves(history: "pd.DataFrame", *, title: str | None = None) -> Figure:
    """Loss (left) and accuracy (right) per epoch, training vs validation, from a run's
    history (columns ``epoch``, ``loss``, ``accuracy``, optional ``val_loss``,
    ``val_accuracy``, ``learning_rate``). The epoch with the lowest validation loss (the
    weights kept) is marked; an epoch where the learning rate was divided gets a dotted line and
    a triangle on the loss plot's top edge, seen even where the line falls on the best epoch's.
    Notebook: 03_cnn.ipynb
    """
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 3.6), layout="constrained")
    epochs = history["epoch"] if "epoch" in history else np.arange(1, len(history) + 1)
    for ax, key, label in ((ax_loss, "loss", "loss"), (ax_acc, "accuracy", "accuracy")):
        ax.plot(epochs, history[key], "o-", color=SET_COLOURS["train"], label=f"train {label}")
        if f"val_{key}" in history:
            ax.plot(epochs, history[f"val_{key}"], "o-", color=SET_COLOURS["valid"],
                    label=f"validation {label}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole: no 1.25 tick
    monitor = "val_loss" if "val_loss" in history else "loss"
    if history[monitor].notna().any():
        best = int(history[monitor].idxmin())
        for ax in (ax_loss, ax_acc):
            ax.axvline(epochs.iloc[best] if hasattr(epochs, "iloc") else epochs[best],
                       color="grey", ls="--", lw=1, label="best epoch (weights kept)")
    if "learning_rate" in history:
        lr = np.asarray(history["learning_rate"], dtype=float)
        for n, i in enumerate(np.flatnonzero(lr[1:] < lr[:-1]) + 1):
            ax_loss.axvline(np.asarray(epochs)[i], color="#8172B3", ls=":", lw=1)
            ax_loss.plot([np.asarray(epochs)[i]], [1.0], "v", color="#8172B3", clip_on=False,
                         transform=ax_loss.get_xaxis_transform(), label=None if n else "learning rate cut")
    ax_acc.set_ylim(0, 1)
    ax_loss.legend(fontsize=8)
    ax_acc.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return fig
