"""Training speed from benchmark records: the book's appendix page and its figure.

``benchmarks/bench_training.py --json FILE`` writes one record per run: its environment
(backend, device, versions) and either per-epoch rows of the training loop on random arrays
(``"results"``) or whole full-profile runs on the synthetic GTZAN's features (``"full"``).
The records committed under ``benchmarks/records/`` are read here when the book is built
(``genrelib.build.pages.write_generated_pages``): the page's tables and figure are computed from
them, nothing is typed. Rows on a GPU appear once a machine with one has written a record.
Page: book/speed (appendix)
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from genrelib.build.chapters import REPO_ROOT
from genrelib.config import GTZAN_TRAIN_SEGMENTS

#: Where the committed benchmark records live (``training-*.json``).
SPEED_RECORDS_DIR = REPO_ROOT / "benchmarks" / "records"
#: The commands that write the records (on a GPU machine: the rows this page is missing).
LOOP_COMMAND = "KERAS_BACKEND=jax python benchmarks/bench_training.py --json benchmarks/records/training-loop-CARD.json"
FULL_COMMAND = ("KERAS_BACKEND=jax python benchmarks/bench_training.py --full --model crnn "
                "--json benchmarks/records/training-full-CARD.json")


def on_gpu(device: str) -> bool:
    """Whether a record's ``device`` (``training.device_description``: "GPU (NVIDIA H100 ...)",
    "GPU x1", "CPU (2 cores)") is a GPU: the word or a data-centre card's name, in any case."""
    return re.search(r"GPU|H100|H200|A100", device, flags=re.IGNORECASE) is not None


def load_speed_records(root: str | Path = SPEED_RECORDS_DIR) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(loop rows, full-run rows) of every ``training-*.json`` below ``root``, each row with
    its record's ``backend``, ``device``, ``date`` and ``record`` (file name) beside its figures. A
    record that is not valid JSON or lacks ``environment`` raises ValueError naming the file.
    """
    loops: list[dict[str, Any]] = []
    full: list[dict[str, Any]] = []
    for path in sorted(Path(root).glob("training-*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            env = record["environment"]
            where = {"record": path.name, "backend": env["backend"], "device": env["device"],
                     "date": env.get("date", "")}
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(f"{path}: not a bench_training.py record ({error}); rewrite it with "
                             "`python benchmarks/bench_training.py ... --json FILE`") from None
        loops += [{**where, **row, "s_per_epoch_gtzan": _at_gtzan_size(row)} for row in record.get("results", [])]
        tracks = (record.get("data") or {}).get("tracks")  # the synthetic set the full runs read
        full += [{**where, "tracks": tracks, **_flat_full(row)} for row in record.get("full", [])]
    return pd.DataFrame(loops), pd.DataFrame(full)


def _at_gtzan_size(row: dict[str, Any]) -> float:
    """A loop row's median epoch scaled linearly to ``config.GTZAN_TRAIN_SEGMENTS`` (the
    study's 80 % training split of the full GTZAN, as chapters 3-5 scale): an estimate."""
    return round(row["s_per_epoch"] * GTZAN_TRAIN_SEGMENTS / row["train_segments"], 1)


def _record_lines(root: str | Path) -> list[str]:
    """One line per record: file, machine, backend and versions, date, how loaded it was."""
    lines = []
    for path in sorted(Path(root).glob("training-*.json")):
        env = json.loads(path.read_text(encoding="utf-8"))["environment"]
        load = env.get("conditions") or (f"load average {env['load_average_before']} before the run"
                                         if "load_average_before" in env else "conditions not recorded")
        lines.append(f"- `{path.name}`: {env['device']}, Keras {env.get('keras', '?')} on {env['backend']}, "
                     f"{env.get('date') or 'undated'}; {load}.")
    return lines


def _flat_full(row: dict[str, Any]) -> dict[str, Any]:
    options = ", ".join(f"{k}={v}" for k, v in sorted(row.get("options", {}).items()))
    devices = row.get("devices") or {}
    return {**{k: v for k, v in row.items() if k not in ("options", "devices")},
            "options": options, "device_count": devices.get("count", 1)}


def plot_training_speed(loops: pd.DataFrame, full: pd.DataFrame) -> Any:
    """The appendix figure: seconds per epoch of each model and loop at GTZAN size (left,
    an estimate scaled from the measured epochs), and the whole full-profile runs (right:
    fit time, compilation included, with the test track accuracy on each bar).
    """
    import matplotlib.pyplot as plt

    panels = 1 + (not full.empty)
    fig, axes = plt.subplots(1, panels, figsize=(6.5 * panels, 3.8), squeeze=False)
    ax = axes[0, 0]
    if not loops.empty:
        table = loops.assign(setting=loops["backend"] + " " + loops["loop"]).pivot_table(
            index="model", columns="setting", values="s_per_epoch_gtzan", aggfunc="median")
        table.plot.bar(ax=ax, rot=0)
        ax.set_ylabel("s per epoch at GTZAN size (estimate)")
        ax.set_title("Training loop, random arrays (" + ", ".join(sorted(set(loops["device"]))) + ")",
                     fontsize=9)
        ax.legend(fontsize=8)
    if not full.empty:
        ax = axes[0, 1]
        labels = [f"{r.model} {r.backend}\nbatch {r.batch_size} {r.precision}\n{r.train_segments} segments"
                  for r in full.itertuples()]
        bars = ax.bar(range(len(full)), full["fit_s"], color="tab:green")
        for bar, acc in zip(bars, full["test_track_accuracy"], strict=True):
            ax.annotate(f"{100 * acc:.0f} % test tracks", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=8)
        ax.set_xticks(range(len(full)), labels, fontsize=7)
        ax.set_ylabel("full-profile fit incl. compilation (s)")
        ax.set_title("Whole runs on synthetic GTZAN features", fontsize=9)
    fig.tight_layout()
    return fig


def _markdown_table(frame: pd.DataFrame) -> list[str]:
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return lines


def speed_page(root: str | Path = SPEED_RECORDS_DIR, *, figure: str | Path | None = None) -> str:
    """The markdown of the appendix page, computed from the records below ``root``; with
    ``figure`` (a path beside the page) the figure is saved there and shown."""
    loops, full = load_speed_records(root)
    lines = [
        "# Appendix: training speed",
        "",
        "Every figure on this page is computed, when the book is built, from the benchmark",
        "records committed under `benchmarks/records/` (written by `benchmarks/bench_training.py",
        "--json`); `benchmarks/RESULTS.md` discusses them. Each row names the machine that",
        "measured it and when (`conditions` in a record says how loaded the machine was).",
        f"*At GTZAN size* scales a measured epoch linearly to the {GTZAN_TRAIN_SEGMENTS:,} training",
        "segments of the study's 80/10/10 split of the full GTZAN (800 tracks x 19 segments, as",
        "chapters 3-5 scale their runs): an estimate, not a measurement.",
        "",
    ]
    if figure is not None and (not loops.empty or not full.empty):
        fig = plot_training_speed(loops, full)
        fig.savefig(figure, dpi=110, bbox_inches="tight")
        lines += [f"![Training speed from the benchmark records]({Path(figure).name})", ""]
    if not loops.empty:
        lines += ["## The training loop, on random arrays", "",
                  "genrelib's loop (`fit_model`: input pipeline, callbacks) against a plain "
                  "`model.fit` of the same model on the same arrays, batch 32.", ""]
        shown = loops[["date", "device", "backend", "model", "loop", "train_segments", "first_epoch_s",
                       "s_per_epoch", "s_per_epoch_gtzan"]].rename(columns={
                           "train_segments": "train segments", "first_epoch_s": "first epoch (s)",
                           "s_per_epoch": "s/epoch", "s_per_epoch_gtzan": "s/epoch at GTZAN size (est.)"})
        lines += _markdown_table(shown) + [""]
    if not full.empty:
        lines += ["## Whole full-profile runs", "",
                  "`train_run` with the full profile's recipe (early stopping, learning rate cut on "
                  "plateau) on the log-mel features of a synthetic GTZAN of `tracks` tracks; a record "
                  "may cap the epochs (`bench_training.py --epochs`), so `epochs` says how many ran. "
                  "The accuracy is on its test tracks.", ""]
        shown = full.assign(
            wait=(100 * full["data_wait_fraction"]).round(1).astype(str) + " %",
            accuracy=(100 * full["test_track_accuracy"]).round(1).astype(str) + " %",
        )[["date", "device", "backend", "model", "options", "batch_size", "precision", "learning_rate",
           "device_count", "tracks", "train_segments", "epochs_run", "fit_s", "s_per_epoch", "wait", "accuracy"]]
        lines += _markdown_table(shown.rename(columns={
            "batch_size": "batch", "learning_rate": "lr", "device_count": "devices",
            "train_segments": "train segments", "epochs_run": "epochs", "fit_s": "fit incl. compilation (s)",
            "s_per_epoch": "s/epoch", "wait": "data wait", "accuracy": "test track accuracy"})) + [""]
    if not loops.empty or not full.empty:
        lines += ["## The records", ""] + _record_lines(root) + [""]
    if not any(on_gpu(str(device)) for device in pd.concat([loops, full]).get("device", [])):
        lines += ["## On a GPU", "",
                  "**Not measured yet**: no record here comes from a GPU. On a machine with one, run",
                  "", "```bash", LOOP_COMMAND, FULL_COMMAND, "```", "",
                  "and commit the records (CARD: the card's name); this page then shows them. The whole",
                  "book with the full profile on a GPU (`KERAS_BACKEND=jax make book PROFILE=full`) has not",
                  "been timed yet either.", ""]
    return "\n".join(lines)
