"""Chapter 8's figure (08_small_data): one segment as each augmentation changes it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure


def plot_augmentations(original: np.ndarray, augmented: "dict[str, np.ndarray]", *,
                       title: str | None = None) -> Figure:
    """The same log-mel segment (n_mels, frames), first as cut on the grid, then as each
    augmentation in ``augmented`` (name -> segment of the same shape) changed it, on one
    colour scale. Notebook: 08_small_data.ipynb
    """
    panels = {"grid segment": np.asarray(original), **{k: np.asarray(v) for k, v in augmented.items()}}
    low = min(float(v.min()) for v in panels.values())
    high = max(float(v.max()) for v in panels.values())
    fig, axes = plt.subplots(1, len(panels), figsize=(2.4 * len(panels), 2.8), sharey=True,
                             layout="constrained")
    for ax, (name, image) in zip(np.atleast_1d(axes), panels.items()):
        shown = ax.imshow(image, origin="lower", aspect="auto", cmap="magma", vmin=low, vmax=high)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("frame")
    np.atleast_1d(axes)[0].set_ylabel("mel band")
    fig.colorbar(shown, ax=axes, shrink=0.8, label="dB")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
