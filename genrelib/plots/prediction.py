"""Using the model (chapter 9, ``genrelib predict --timeline``): what a model hears
along one recording.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from collections.abc import Sequence


def plot_timeline(starts: np.ndarray, probs: np.ndarray, genres: "Sequence[str]", *,
                  title: str | None = None) -> Figure:
    """What a model hears along one recording (``predict.FilePrediction``: ``starts``,
    ``probs``, ``genres``).

    Top: every genre's probability per segment (a heat map, genres down, time across, 0 white
    to 1 dark). Bottom: one bar per segment from its start, as wide as the step to the next
    start, as high as the probability of its top genre, in that genre's colour (legend: the
    genres that come first somewhere). ``starts`` (n_segments,) in seconds, ``probs``
    (n_segments, n_genres), ``genres`` names the columns.
    Notebook: 09_using_the_model.ipynb
    """
    starts, probs = np.asarray(starts, dtype=float), np.asarray(probs, dtype=float)
    if probs.ndim != 2 or probs.shape != (len(starts), len(genres)) or len(starts) == 0:
        raise ValueError(f"expected probs of shape (n_segments, {len(genres)}) with n_segments = "
                         f"{len(starts)} >= 1 starts, got {probs.shape}")
    step = float(starts[1] - starts[0]) if len(starts) > 1 else 1.0
    end = float(starts[-1]) + step
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 2.2 + 0.22 * len(genres)), sharex=True,
                                      height_ratios=(len(genres), 6), layout="constrained")
    image = top.imshow(probs.T, aspect="auto", cmap="Greys", vmin=0, vmax=1, interpolation="nearest",
                       extent=(float(starts[0]), end, len(genres) - 0.5, -0.5))
    top.set_yticks(range(len(genres)), genres, fontsize=8)
    fig.colorbar(image, ax=top, label="probability", fraction=0.03)
    colours = plt.get_cmap("tab10")
    best = probs.argmax(axis=1)
    bottom.bar(starts, probs[np.arange(len(best)), best], width=step, align="edge",
               color=[colours(g % 10) for g in best], edgecolor="white", linewidth=0.3)
    from matplotlib.patches import Patch

    legend = [Patch(color=colours(g % 10), label=genres[g]) for g in sorted(set(best.tolist()))]
    bottom.set_ylim(0, 1)
    bottom.set_xlim(float(starts[0]), end)
    bottom.set_ylabel("top genre's\nprobability")
    bottom.set_xlabel("segment start (s)")
    bottom.legend(handles=legend, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    top.set_title(title or f"genre timeline: {len(starts)} segments")
    return fig
