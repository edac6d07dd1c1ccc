"""Evaluation figures, chapters 3-5 and 7: confusion matrix, per-genre scores, model
comparison, intervals, the first convolution's filters and embeddings. Inputs
are plain data (DataFrames, arrays, metrics dicts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from collections.abc import Sequence

    from genrelib.evaluation import EvaluationSummary


def plot_confusion_matrix(matrix: np.ndarray, genres: "Sequence[str]", *, normalize: bool = True,
                          title: str | None = None) -> Figure:
    """Heat map (seaborn) of a confusion matrix (n_classes, n_classes): rows are the true
    genre, columns the predicted one. ``normalize`` shows each row as fractions of that
    genre's tracks (the diagonal is the per-genre recall), annotated with the counts. A genre
    without a track in the evaluated set keeps its column and has its row labelled
    "(no track)", left blank (no recall of 0 to read there).
    Notebook: 03_cnn.ipynb
    """
    import seaborn as sns

    counts = np.asarray(matrix, dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    shown = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0) if normalize else counts
    fig, ax = plt.subplots(figsize=(7, 6), layout="constrained")
    empty = totals[:, 0] == 0
    rows = [f"{g} (no track)" if e else g for g, e in zip(genres, empty)]
    sns.heatmap(shown, annot=counts.astype(int), fmt="d", cmap="Blues", vmin=0,
                mask=np.repeat(empty[:, None], len(genres), axis=1),  # an empty row: blank, no 0s
                vmax=1 if normalize else None, xticklabels=genres, yticklabels=rows,
                cbar_kws={"label": "fraction of the true genre" if normalize else "tracks"}, ax=ax)
    ax.set_xlabel("predicted genre")
    ax.set_ylabel("true genre")
    ax.set_title(title or "confusion matrix (counts; colour = row fraction)")
    return fig


def plot_per_genre(per_genre: "dict[str, Any]", *, metric: str = "f1",
                   title: str | None = None) -> Figure:
    """Bars of one metric ("precision", "recall" or "f1") per genre. ``per_genre`` is an
    evaluation's ``per_genre`` ({genre: GenreScores}), or {model name: that dict} for
    grouped bars comparing models. A genre without a track in the evaluated set is marked
    "no track" under its place (its 0 is no failure to recognise it).
    Notebook: 03_cnn.ipynb
    """
    first = next(iter(per_genre.values()))
    groups = per_genre if isinstance(first, dict) else {"": per_genre}
    genres = list(next(iter(groups.values())).keys())
    width = 0.8 / len(groups)
    fig, ax = plt.subplots(figsize=(10, 3.6), layout="constrained")
    x = np.arange(len(genres))
    for i, (name, report) in enumerate(groups.items()):
        values = [getattr(report[g], metric) for g in genres]
        ax.bar(x + (i - (len(groups) - 1) / 2) * width, values, width, label=name or None)
    first_report = next(iter(groups.values()))
    for xi, genre in zip(x, genres):
        if getattr(first_report[genre], "support", 1) == 0:
            ax.text(xi, 0.02, "no track", ha="center", va="bottom", rotation=90, fontsize=8, color="grey")
    ax.set_xticks(x, genres, rotation=30)
    ax.set_ylim(0, 1)
    ax.set_ylabel(metric)
    if len(groups) > 1:
        ax.legend(fontsize=8)
    ax.set_title(title or f"{metric} per genre")
    return fig


def plot_model_comparison(records: "dict[str, EvaluationSummary]", *,
                          keys: "Sequence[str]" = ("segment_accuracy", "track_accuracy", "macro_f1"),
                          chance: float | None = 0.1, title: str | None = None) -> Figure:
    """Grouped bars: one group per metric in ``keys``, one bar per model, each labelled as the
    book prints it (accuracies in per cent to one decimal, F1 to three). ``records`` maps a
    model name to an evaluation (an EvaluationResult, or a run's ``metrics.test``). A dashed
    line marks ``chance`` (1 / number of genres).
    Notebook: 05_crnn.ipynb
    """
    fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
    x = np.arange(len(keys))
    width = 0.8 / max(1, len(records))
    for i, (name, record) in enumerate(records.items()):
        values = [float(getattr(record, k)) for k in keys]
        bars = ax.bar(x + (i - (len(records) - 1) / 2) * width, values, width, label=name)
        ax.bar_label(bars, labels=[f"{100 * v:.1f} %" if k.endswith("accuracy") else f"{v:.3f}"
                                   for k, v in zip(keys, values)], fontsize=7)
    if chance is not None:
        ax.axhline(chance, color="grey", ls="--", lw=1, label="chance")
    ax.set_xticks(x, [k.replace("_", " ") for k in keys])
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    ax.set_title(title or "test set: models compared")
    return fig


def plot_intervals(estimates: "dict[str, tuple[float, tuple[float, float]]]", *,
                   reference: "dict[str, float] | None" = None, xlabel: str = "track accuracy",
                   title: str | None = None) -> Figure:
    """One row per name: the estimate as a dot and its interval (low, high) as a bar;
    ``reference`` marks another figure per name (e.g. the study's) with a cross.
    ``estimates`` maps a name to ``(estimate, (low, high))``.
    Notebook: 07_evaluation.ipynb
    """
    names = list(estimates)
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(names) + 1.2), layout="constrained")
    for y, name in enumerate(names):
        value, (low, high) = estimates[name]
        ax.plot([low, high], [y, y], color="#4C72B0", lw=3, solid_capstyle="butt")
        ax.plot(value, y, "o", color="#1f3b63")
    marked = [(reference[name], y) for y, name in enumerate(names)
              if reference and reference.get(name) is not None]
    if marked:
        xs, ys = zip(*marked)
        ax.plot(xs, ys, "x", ls="none", color="#C44E52", ms=9, label="the study reports")
        ax.legend(fontsize=8, loc="best")
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(len(names) - 0.4, -0.6)  # first name on top
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"{xlabel} (dot) with its 95 % interval (bar)")
    ax.set_title(title or "estimates and their uncertainty")
    return fig


def plot_filters(kernels: np.ndarray, *, ncols: int = 8, title: str | None = None) -> Figure:
    """The kernels of a first convolution, one small image each: ``kernels`` has Keras' Conv2D
    layout (rows, columns, 1, filters), rows = mel bands, columns = frames.
    Notebook: 07_evaluation.ipynb
    """
    kernels = np.asarray(kernels)
    if kernels.ndim != 4 or kernels.shape[2] != 1:
        raise ValueError(f"expected first-layer kernels of shape (rows, cols, 1, filters), got {kernels.shape}")
    n = kernels.shape[3]
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.1 * ncols, 1.1 * nrows + 0.5),
                             layout="constrained", squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i < n:
            kernel = kernels[:, :, 0, i]
            limit = float(np.abs(kernel).max()) or 1.0
            ax.imshow(kernel, origin="lower", cmap="RdBu_r", vmin=-limit, vmax=limit)
    fig.suptitle(title or f"{n} first-layer filters (mel bands up, frames across; red +, blue -)")
    return fig


def plot_embedding(points: np.ndarray, labels: "Sequence[int]", genres: "Sequence[str]", *,
                   title: str | None = None) -> Figure:
    """A 2-D map of embeddings (``points`` (n, 2), e.g. from t-SNE), one colour per genre.
    Notebook: 07_evaluation.ipynb
    """
    points = np.asarray(points)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) != len(labels):
        raise ValueError(f"expected points of shape (n, 2) and n labels, got {points.shape} and {len(labels)}")
    labels = np.asarray(labels)
    fig, ax = plt.subplots(figsize=(7, 5.5), layout="constrained")
    colours = plt.get_cmap("tab10")
    for i, genre in enumerate(genres):
        chosen = labels == i
        if chosen.any():
            ax.scatter(*points[chosen].T, s=12, color=colours(i % 10), label=genre, alpha=0.8)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(fontsize=8, markerscale=1.5, loc="best")
    ax.set_title(title or "embeddings, coloured by the true genre")
    return fig
