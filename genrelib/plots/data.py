"""Chapter 1's figures (01_data): waveforms, durations, genres and artists, split
protocols and the leakage experiment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from genrelib.plots.colours import SET_COLOURS

if TYPE_CHECKING:
    import pandas as pd


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
    any_unknown = False
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
            right.bar(x, unknown, bottom=bottom, color="#BBBBBB", edgecolor="white", linewidth=0.5,
                      label=None if any_unknown else "artist not known")
            any_unknown = True
        right.text(x, len(artists), f"{known.nunique()}", ha="center", va="bottom", fontsize=8)
    right.set_xticks(range(len(genres)), genres)
    right.set_ylabel("tracks")
    right.set_title("tracks by artist (number on top: distinct named artists)")
    if any_unknown:
        right.legend(loc="upper right", fontsize=8)
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
    cmap = ListedColormap([SET_COLOURS["train"], SET_COLOURS["valid"], SET_COLOURS["test"]])
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
    ax.legend(handles=[Patch(color=c, label=n) for n, c in SET_COLOURS.items()],
              loc="upper left", bbox_to_anchor=(1.005, 1.0), frameon=False)
    ax.set_title("Split protocols: the set of every track")
    return fig


def plot_leakage(results: "pd.DataFrame", *, n_classes: int | None = None) -> Figure:
    """Test accuracy per split protocol (``genrelib.leakage.leakage_experiment``'s table):
    a bar for the mean, a dot per repeat (hollow when a tested genre had no training
    track), chance level dashed when ``n_classes`` is given.
    Notebook: 01_data.ipynb
    """
    protocols = list(dict.fromkeys(results["protocol"]))
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    colours = ["#C44E52", "#4C72B0", "#55A868", "#8172B2"]
    hollow_drawn = False
    for x, protocol in enumerate(protocols):
        rows = results[results["protocol"] == protocol]
        acc = rows["accuracy"].to_numpy(dtype=float)
        valid = ~np.isnan(acc)
        ok = acc[valid]
        if ok.size == 0:
            ax.text(x, 0.02, "n/a", ha="center")
            continue
        ax.bar(x, ok.mean(), color=colours[x % len(colours)], alpha=0.8)
        untrained = (rows["untrained_genres"].fillna("").astype(bool).to_numpy()[valid]
                     if "untrained_genres" in rows else np.zeros(ok.size, dtype=bool))
        xs = np.full(ok.size, x) + np.linspace(-0.15, 0.15, ok.size)
        ax.plot(xs[~untrained], ok[~untrained], "o", color="black", markersize=3)
        if untrained.any():
            ax.plot(xs[untrained], ok[untrained], "o", markerfacecolor="white", markeredgecolor="black",
                    markersize=4, label=None if hollow_drawn else "a tested genre never trained")
            hollow_drawn = True
        ax.text(x, ok.max() + 0.03, f"{ok.mean():.0%}", ha="center", va="bottom",
                fontweight="bold")
    if n_classes:
        ax.axhline(1 / n_classes, color="grey", linestyle="--", label="chance")
    if n_classes or hollow_drawn:
        ax.legend(loc="upper right", fontsize=8)
    ax.set_xticks(range(len(protocols)), [f"split by {p}" for p in protocols])
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("test accuracy (segments)")
    ax.set_title("Same classifier, same data: only the split differs")
    return fig
