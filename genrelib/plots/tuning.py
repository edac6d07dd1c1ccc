"""Chapter 6's figure (06_tuning): one factor at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd


def plot_factor_sweeps(trials: "pd.DataFrame", *, chosen: "Mapping[str, Any] | None" = None,
                       ncols: int = 3) -> Figure:
    """One panel per factor: validation track accuracy of every value, the mean over seeds
    (bar) with each seed's score (dots) and the min-max spread (line); our choice outlined,
    the study's choice marked with a star under its value when it was tried.
    Notebook: 06_tuning.ipynb
    """
    from genrelib.tuning.space import FACTORS
    from genrelib.tuning.sweep import summarize_trials

    def key(value: Any) -> str:  # 3 and np.int64(3) are the same value
        return repr(value.item() if isinstance(value, np.generic) else value)

    summary = summarize_trials(trials)
    summary = summary[summary["factor"].isin(list(FACTORS))]
    factors = list(dict.fromkeys(summary["factor"]))
    if not factors:
        raise ValueError("plot_factor_sweeps needs the records of at least one factor")
    ncols = min(ncols, len(factors))
    nrows = int(np.ceil(len(factors) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.0 * nrows), squeeze=False,
                             sharey=True, layout="constrained")
    for ax, factor in zip(axes.flat, factors):
        rows = summary[summary["factor"] == factor].reset_index(drop=True)
        labels = [f"{v:g}" if isinstance(v, float) else str(v) for v in rows["value"]]
        x = np.arange(len(rows))
        best = key((chosen or {}).get(factor, object()))
        edges = ["#C44E52" if key(v) == best else "#4C72B0" for v in rows["value"]]  # unchosen: own colour
        ax.bar(x, rows["valid_mean"], color="#4C72B0", alpha=0.6, edgecolor=edges, linewidth=2)
        ax.vlines(x, rows["valid_min"], rows["valid_max"], color="#333333")
        for i, value in enumerate(rows["value"]):
            seeds = trials[(trials["factor"] == factor) & (trials["value"].map(key) == key(value))]
            ax.plot(np.full(len(seeds), i), seeds["valid_accuracy"], "o", color="#333333", markersize=3)
            if key(value) == key(FACTORS[factor].study_choice):
                ax.plot(i, 0.02, "*", color="#DD8452", markersize=12, clip_on=False)
        ax.set_xticks(x, labels)
        ax.set_title(FACTORS[factor].label, fontsize=9, loc="left")
        ax.set_ylim(0, 1.02)
    for ax in list(axes.flat)[len(factors):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("valid track accuracy")
    fig.suptitle("One factor at a time: mean over seeds (bar), seeds (dots), our choice "
                 "outlined, the study's choice starred", fontsize=10)
    return fig
