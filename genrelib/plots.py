"""Every figure of the book, one function each; each returns a matplotlib Figure.

Functions never call ``plt.show()``: notebooks display the returned figure, tests
save it. Without a display matplotlib falls back to its non-interactive Agg backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd


# =========================================================================== chapters 1-2
# Chapter 1 (01_data): waveforms, durations, genres and artists, split protocols, leakage.
# Chapter 2 (02_features): STFT -> mel -> dB -> MFCC, segmentation, standardisation.

_SET_COLOURS = {"train": "#4C72B0", "valid": "#DD8452", "test": "#C44E52"}


def plot_waveforms(signals: "dict[str, np.ndarray]", *, sample_rate: int = 22050,
                   ncols: int = 2) -> Figure:
    """One waveform panel per signal (e.g. one clip per genre), sharing the amplitude axis.

    ``signals`` maps a title to a mono signal of shape (n_samples,).
    Notebook: 01_data.ipynb
    """
    if not signals:
        raise ValueError("plot_waveforms needs at least one signal")
    n = len(signals)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(6 * ncols, 1.6 * nrows), sharex=True,
                             sharey=True, squeeze=False, layout="constrained")
    for ax, (title, y) in zip(axes.flat, signals.items()):
        t = np.arange(len(y)) / sample_rate
        ax.plot(t, y, linewidth=0.3, color="#333333")
        ax.set_title(title, fontsize=9, loc="left")
        ax.set_ylim(-1, 1)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("time (s)")
    fig.suptitle("Waveforms: amplitude over time")
    return fig


def plot_durations(tracks: "pd.DataFrame", *, expected: float = 30.0) -> Figure:
    """Histogram of clip durations (``tracks["duration"]``, seconds) with the length every
    clip is cut or padded to (``expected``) marked.
    Notebook: 01_data.ipynb
    """
    durations = np.asarray(tracks["duration"], dtype=float)
    fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
    low, high = min(durations.min(), expected) - 0.05, max(durations.max(), expected) + 0.05
    ax.hist(durations, bins=np.linspace(low, high, 30), color="#4C72B0")
    ax.axvline(expected, color="#C44E52", linestyle="--", label=f"cut/padded to {expected:g} s")
    ax.set_xlabel("duration (s)")
    ax.set_ylabel("clips")
    ax.set_title(f"{len(durations)} clips, {durations.min():.2f}-{durations.max():.2f} s")
    ax.legend()
    return fig


def plot_genre_artists(tracks: "pd.DataFrame") -> Figure:
    """Left: tracks per genre. Right: each genre's tracks stacked by artist (one block per
    artist, largest first; grey = unknown artist), which shows artist clustering at a glance.
    Notebook: 01_data.ipynb
    """
    genres = list(dict.fromkeys(tracks["genre"]))
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
    counts = tracks["genre"].value_counts().reindex(genres)
    left.bar(genres, counts.to_numpy(), color="#4C72B0")
    left.set_ylabel("tracks")
    left.set_title("tracks per genre")
    palette = plt.get_cmap("tab20").colors
    for x, genre in enumerate(genres):
        artists = tracks.loc[tracks["genre"] == genre, "artist"]
        known = artists[artists.notna() & (artists.astype(str).str.len() > 0)].astype(str)
        bottom = 0
        for i, n in enumerate(known.value_counts().to_numpy()):
            right.bar(x, n, bottom=bottom, color=palette[i % len(palette)], edgecolor="white",
                      linewidth=0.5)
            bottom += n
        unknown = len(artists) - len(known)
        if unknown:
            right.bar(x, unknown, bottom=bottom, color="#BBBBBB", edgecolor="white", linewidth=0.5)
        right.text(x, len(artists), f"{known.nunique()}", ha="center", va="bottom", fontsize=8)
    right.set_xticks(range(len(genres)), genres)
    right.set_ylabel("tracks")
    right.set_title("tracks by artist (number on top: distinct artists)")
    for ax in (left, right):
        ax.tick_params(axis="x", labelrotation=45)
    return fig


def plot_split_protocols(splits: "dict[str, Any]", tracks: "pd.DataFrame") -> Figure:
    """Which set every track falls in, one row per split protocol (``splits`` maps a name
    to a TrackSplit). Tracks are ordered by genre then artist, so an artist-grouped split
    shows whole blocks moving together and a random one shows artists cut in pieces.
    Notebook: 01_data.ipynb
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    order = tracks.assign(_artist=tracks["artist"].fillna("").astype(str)) \
                  .sort_values(["genre", "_artist", "track_id"], kind="stable")
    order = order.set_index("genre", drop=False).loc[list(dict.fromkeys(tracks["genre"]))]
    ids = order["track_id"].astype(str).tolist()
    codes = {"train": 0, "valid": 1, "test": 2}
    grid = np.full((len(splits), len(ids)), np.nan)
    for row, split in enumerate(splits.values()):
        where = {t: codes[name] for name, members in split.sets().items() for t in members}
        grid[row] = [where.get(t, np.nan) for t in ids]
    fig, ax = plt.subplots(figsize=(12, 0.7 * len(splits) + 1.6), layout="constrained")
    cmap = ListedColormap([_SET_COLOURS["train"], _SET_COLOURS["valid"], _SET_COLOURS["test"]])
    ax.imshow(np.ma.masked_invalid(grid), aspect="auto", cmap=cmap, vmin=0, vmax=2,
              interpolation="nearest")
    ax.set_yticks(range(len(splits)), list(splits))
    genres = order["genre"].tolist()
    starts = [i for i in range(len(genres)) if i == 0 or genres[i] != genres[i - 1]]
    for s in starts[1:]:
        ax.axvline(s - 0.5, color="white", linewidth=2)
    ax.set_xticks([s + (e - s) / 2 - 0.5 for s, e in zip(starts, starts[1:] + [len(genres)])],
                  [genres[s] for s in starts], rotation=45)
    ax.set_xlabel("tracks (by genre, then artist)")
    ax.legend(handles=[Patch(color=c, label=n) for n, c in _SET_COLOURS.items()],
              loc="upper left", bbox_to_anchor=(1.005, 1.0), frameon=False)
    ax.set_title("Split protocols: the set of every track")
    return fig


def plot_leakage(results: "pd.DataFrame", *, n_classes: int | None = None) -> Figure:
    """Test accuracy per split protocol (``genrelib.leakage.leakage_experiment``'s table):
    a bar for the mean, a dot per repeat, chance level dashed when ``n_classes`` is given.
    Notebook: 01_data.ipynb
    """
    protocols = list(dict.fromkeys(results["protocol"]))
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    colours = ["#C44E52", "#4C72B0", "#55A868", "#8172B2"]
    for x, protocol in enumerate(protocols):
        acc = results.loc[results["protocol"] == protocol, "accuracy"].to_numpy(dtype=float)
        ok = acc[~np.isnan(acc)]
        if ok.size == 0:
            ax.text(x, 0.02, "n/a", ha="center")
            continue
        ax.bar(x, ok.mean(), color=colours[x % len(colours)], alpha=0.8)
        ax.plot(np.full(ok.size, x) + np.linspace(-0.15, 0.15, ok.size), ok, "o", color="black",
                markersize=3)
        ax.text(x, ok.max() + 0.03, f"{ok.mean():.0%}", ha="center", va="bottom",
                fontweight="bold")
    if n_classes:
        ax.axhline(1 / n_classes, color="grey", linestyle="--", label="chance")
        ax.legend(loc="upper right")
    ax.set_xticks(range(len(protocols)), [f"split by {p}" for p in protocols])
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("test accuracy (segments)")
    ax.set_title("Same classifier, same data: only the split differs")
    return fig


def plot_stft(y: np.ndarray, steps: "dict[str, np.ndarray]", cfg: Any) -> Figure:
    """The waveform (top) and its STFT magnitude (bottom, shown in dB for visibility,
    linear frequency axis). ``steps`` is ``genrelib.features.feature_steps(y, cfg)``.
    Notebook: 02_features.ipynb
    """
    import librosa
    import librosa.display

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 5.5), layout="constrained",
                                      height_ratios=[1, 2.5])
    t = np.arange(len(y)) / cfg.sample_rate
    top.plot(t, y, linewidth=0.3, color="#333333")
    top.set_xlim(0, t[-1] if len(t) else 1)
    top.set_title(f"waveform: {len(y)} samples at {cfg.sample_rate} Hz")
    shown = librosa.amplitude_to_db(steps["stft"], ref=np.max)
    mesh = librosa.display.specshow(shown, sr=cfg.sample_rate, hop_length=cfg.hop_length,
                                    x_axis="time", y_axis="linear", ax=bottom)
    fig.colorbar(mesh, ax=bottom, format="%+.0f dB")
    bottom.set_title(f"|STFT|: n_fft {cfg.n_fft}, hop {cfg.hop_length} -> "
                     f"{steps['stft'].shape[0]} bins x {steps['stft'].shape[1]} frames")
    return fig


def plot_mel_filterbank(cfg: Any, *, every: int = 8) -> Figure:
    """Every ``every``-th triangular mel filter over frequency: narrow at low frequencies,
    wide at high ones. Notebook: 02_features.ipynb
    """
    from genrelib.features import mel_filterbank

    bank = mel_filterbank(cfg)
    freqs = np.linspace(0, cfg.sample_rate / 2, bank.shape[1])
    fig, ax = plt.subplots(figsize=(10, 3), layout="constrained")
    for i in range(0, bank.shape[0], every):
        ax.plot(freqs, bank[i], linewidth=1)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("weight")
    ax.set_title(f"mel filterbank: {bank.shape[0]} filters x {bank.shape[1]} STFT bins "
                 f"(every {every}th shown)")
    return fig


def plot_mel_steps(steps: "dict[str, np.ndarray]", cfg: Any) -> Figure:
    """The mel spectrogram in power (left, almost black: a few loud bins dominate) and in
    dB (right, the log-mel the models see). Notebook: 02_features.ipynb
    """
    import librosa.display

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
    for ax, key, title, unit in ((left, "mel_power", "mel power (linear)", None),
                                 (right, "log_mel", "log-mel: 10 log10(power)", "%+.0f dB")):
        mesh = librosa.display.specshow(steps[key], sr=cfg.sample_rate, hop_length=cfg.hop_length,
                                        x_axis="time", y_axis="mel", ax=ax)
        fig.colorbar(mesh, ax=ax, format=unit) if unit else fig.colorbar(mesh, ax=ax)
        ax.set_title(f"{title}: {steps[key].shape}")
    return fig


def plot_mfcc(steps: "dict[str, np.ndarray]", cfg: Any) -> Figure:
    """The MFCCs (DCT of the log-mel over the mel axis) of a clip: coefficient x frame.
    Notebook: 02_features.ipynb
    """
    import librosa.display

    fig, ax = plt.subplots(figsize=(10, 3.2), layout="constrained")
    mesh = librosa.display.specshow(steps["mfcc"], sr=cfg.sample_rate, hop_length=cfg.hop_length,
                                    x_axis="time", ax=ax)
    fig.colorbar(mesh, ax=ax)
    ax.set_ylabel("MFCC index")
    ax.set_title(f"MFCC: {steps['mfcc'].shape[0]} coefficients x {steps['mfcc'].shape[1]} frames")
    return fig


def plot_segmentation(y: np.ndarray, cfg: Any) -> Figure:
    """The clip's waveform with its overlapping segments drawn as bars underneath
    (``segments_per_clip`` of ``segment_seconds`` each, hop ``segment_hop_samples``).
    Notebook: 02_features.ipynb
    """
    from genrelib.audio import segment_starts

    starts = segment_starts(len(y), cfg) / cfg.sample_rate
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 4), sharex=True, layout="constrained",
                                      height_ratios=[1, 1.3])
    top.plot(np.arange(len(y)) / cfg.sample_rate, y, linewidth=0.3, color="#333333")
    top.set_title(f"{len(starts)} segments of {cfg.segment_seconds:g} s, "
                  f"{cfg.overlap:.0%} overlap")
    for i, start in enumerate(starts):
        bottom.barh(i % 2, cfg.segment_seconds, left=start, height=0.8,
                    color=_SET_COLOURS["train"] if i % 2 == 0 else _SET_COLOURS["valid"],
                    edgecolor="white")
        bottom.text(start + cfg.segment_seconds / 2, i % 2, str(i), ha="center", va="center",
                    color="white", fontsize=7)
    bottom.set_yticks([0, 1], ["even", "odd"])
    bottom.set_xlabel("time (s)")
    return fig


def plot_standardization(before: np.ndarray, train_after: np.ndarray,
                         test_after: np.ndarray, *, feature: str = "mel band") -> Figure:
    """Per-feature mean (line) and std (band) before standardisation (left) and after it
    for the train and test sets (right). Arrays have shape (n_segments, n_features, frames);
    the statistics are taken over segments and frames. Train is exactly 0 +/- 1 after,
    test only approximately: the standardiser was fitted on train alone.
    Notebook: 02_features.ipynb
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.6), layout="constrained")

    def band(ax, X, label, colour):
        mean, std = X.mean(axis=(0, 2)), X.std(axis=(0, 2))
        k = np.arange(len(mean))
        ax.plot(k, mean, color=colour, label=f"{label} mean")
        ax.fill_between(k, mean - std, mean + std, color=colour, alpha=0.2, label=f"{label} ±1 std")

    band(left, before, "train", _SET_COLOURS["train"])
    left.set_title("before: raw values (dB)")
    band(right, train_after, "train", _SET_COLOURS["train"])
    band(right, test_after, "test", _SET_COLOURS["test"])
    right.set_title("after: standardised with train statistics")
    for ax in (left, right):
        ax.set_xlabel(feature)
        ax.legend(fontsize=8, loc="best")
    return fig


# =========================================================================== chapters 3-5
# Chapters 3-5 (03_cnn, 04_rnn, 05_crnn): learning curves, confusion matrix, per-genre
# scores, model comparison. Inputs are plain data (DataFrames, arrays, metrics dicts).


def plot_learning_curves(history: "pd.DataFrame", *, title: str | None = None) -> Figure:
    """Loss (left) and accuracy (right) per epoch, training vs validation, from a run's
    history (columns ``epoch``, ``loss``, ``accuracy``, optional ``val_loss``,
    ``val_accuracy``, ``learning_rate``). The epoch with the lowest validation loss (the
    weights kept) is marked; epochs where the learning rate was divided are shaded lines.
    Notebook: 03_cnn.ipynb
    """
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 3.6), layout="constrained")
    epochs = history["epoch"] if "epoch" in history else np.arange(1, len(history) + 1)
    for ax, key, label in ((ax_loss, "loss", "loss"), (ax_acc, "accuracy", "accuracy")):
        ax.plot(epochs, history[key], "o-", color=_SET_COLOURS["train"], label=f"train {label}")
        if f"val_{key}" in history:
            ax.plot(epochs, history[f"val_{key}"], "o-", color=_SET_COLOURS["valid"],
                    label=f"validation {label}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
    monitor = "val_loss" if "val_loss" in history else "loss"
    if history[monitor].notna().any():
        best = int(history[monitor].idxmin())
        for ax in (ax_loss, ax_acc):
            ax.axvline(epochs.iloc[best] if hasattr(epochs, "iloc") else epochs[best],
                       color="grey", ls="--", lw=1, label="best epoch (weights kept)")
    if "learning_rate" in history:
        lr = np.asarray(history["learning_rate"], dtype=float)
        for i in np.flatnonzero(lr[1:] < lr[:-1]) + 1:
            ax_loss.axvline(np.asarray(epochs)[i], color="#8172B3", ls=":", lw=1)
    ax_acc.set_ylim(0, 1)
    ax_loss.legend(fontsize=8)
    ax_acc.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return fig


def plot_confusion_matrix(matrix: np.ndarray, genres: "Sequence[str]", *, normalize: bool = True,
                          title: str | None = None) -> Figure:
    """Heat map (seaborn) of a confusion matrix (n_classes, n_classes): rows are the true
    genre, columns the predicted one. ``normalize`` shows each row as fractions of that
    genre's tracks (the diagonal is the per-genre recall), annotated with the counts.
    Notebook: 03_cnn.ipynb
    """
    import seaborn as sns

    counts = np.asarray(matrix, dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    shown = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0) if normalize else counts
    fig, ax = plt.subplots(figsize=(7, 6), layout="constrained")
    sns.heatmap(shown, annot=counts.astype(int), fmt="d", cmap="Blues", vmin=0,
                vmax=1 if normalize else None, xticklabels=genres, yticklabels=genres,
                cbar_kws={"label": "fraction of the true genre" if normalize else "tracks"}, ax=ax)
    ax.set_xlabel("predicted genre")
    ax.set_ylabel("true genre")
    ax.set_title(title or "confusion matrix (counts; colour = row fraction)")
    return fig


def plot_per_genre(per_genre: "dict[str, Any]", *, metric: str = "f1",
                   title: str | None = None) -> Figure:
    """Bars of one metric ("precision", "recall" or "f1") per genre. ``per_genre`` is the
    ``per_genre`` dict of an evaluation record ({genre: {precision, recall, f1, support}}),
    or {model name: that dict} for grouped bars comparing models.
    Notebook: 03_cnn.ipynb
    """
    first = next(iter(per_genre.values()))
    groups = per_genre if isinstance(first, dict) and metric not in first else {"": per_genre}
    genres = list(next(iter(groups.values())).keys())
    width = 0.8 / len(groups)
    fig, ax = plt.subplots(figsize=(10, 3.6), layout="constrained")
    x = np.arange(len(genres))
    for i, (name, report) in enumerate(groups.items()):
        values = [report[g][metric] for g in genres]
        ax.bar(x + (i - (len(groups) - 1) / 2) * width, values, width, label=name or None)
    ax.set_xticks(x, genres, rotation=30)
    ax.set_ylim(0, 1)
    ax.set_ylabel(metric)
    if len(groups) > 1:
        ax.legend(fontsize=8)
    ax.set_title(title or f"{metric} per genre")
    return fig


def plot_model_comparison(records: "dict[str, dict[str, Any]]", *,
                          keys: "Sequence[str]" = ("segment_accuracy", "track_accuracy", "macro_f1"),
                          chance: float | None = 0.1, title: str | None = None) -> Figure:
    """Grouped bars: one group per metric in ``keys``, one bar per model. ``records`` maps a
    model name to an evaluation record (``EvaluationResult.to_dict()`` or a run's
    ``metrics["test"]``). A dashed line marks ``chance`` (1 / number of genres).
    Notebook: 05_crnn.ipynb
    """
    fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
    x = np.arange(len(keys))
    width = 0.8 / max(1, len(records))
    for i, (name, record) in enumerate(records.items()):
        values = [float(record[k]) for k in keys]
        bars = ax.bar(x + (i - (len(records) - 1) / 2) * width, values, width, label=name)
        ax.bar_label(bars, fmt="%.2f", fontsize=8)
    if chance is not None:
        ax.axhline(chance, color="grey", ls="--", lw=1, label="chance")
    ax.set_xticks(x, [k.replace("_", " ") for k in keys])
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    ax.set_title(title or "test set: models compared")
    return fig


# =========================================================================== chapter 7
# Chapter 7 (07_evaluation): intervals, the first convolution's filters, embeddings.


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


# =========================================================================== using the model


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

# =========================================================================== chapter 6
# Chapter 6 (06_tuning): one factor at a time.

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


# =========================================================================== chapter 8
# Chapter 8 (08_small_data): augmentations, and the real-data records.

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

