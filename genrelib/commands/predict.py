"""``genrelib predict MODEL PATH... [--ensemble MODEL]... [--top-k K] [--json] [--csv FILE]
[--timeline PNG] [--allow-truncated]``: the genres of any music with a trained model.

Per file (any format, rate and length from one segment; folders searched at any depth): the
top-k genres, a timeline and notes when the genres mean little (``genrelib.predict``), as a
table or a JSON list of ``{"path", "top_k", "segments", "timeline", "notes", "input", "error"}``
(``--json``; one entry per file, in order), a CSV row (``--csv``) and figures
(``--timeline``). A file that cannot be predicted (a truncated one too, unless
``--allow-truncated``) is named on stderr with its reason while the others are predicted,
and keeps its entry (empty genres, its reason under ``error``; ``null`` for the others):
exit 1; a usage error exits 2. The files of a folder
that are not audio by name (``song.opus``, ``cover.jpg``) are named on stderr as passed over.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genrelib.commands.console import progress_bars
from genrelib.commands.evaluate import check_run_dir
from genrelib.commands.outputs import FILE, FOLDER, check_output
from genrelib.errors import UserError

if TYPE_CHECKING:
    from genrelib.predict import FileFailure

__all__ = ["register", "run_predict", "format_prediction", "csv_rows", "json_entry"]

#: Genres shown per file unless --top-k says otherwise (at most the model's genres).
DEFAULT_TOP_K = 3


def register(subparsers: Any) -> None:
    """Add ``predict`` to the ``genrelib`` parser."""
    parser = subparsers.add_parser(
        "predict", help="the genres of your own music: top-k, a timeline, JSON/CSV",
        description="Predict the genres of audio files with a trained model (or the mean of "
                    "several): the top-k genres over the whole file and a timeline per segment. "
                    "Exit 1 when a file could not be predicted (the others still are), 2 on a "
                    "usage error.")
    parser.add_argument("model", metavar="MODEL", help="run folder or its model.keras/model.skops")
    parser.add_argument("paths", metavar="PATH", nargs="+", help="audio file or folder (recursive)")
    parser.add_argument("--ensemble", action="append", default=[], metavar="MODEL",
                        help="another model; the probabilities of all are averaged (repeatable)")
    parser.add_argument("--top-k", type=int, default=None, metavar="K",
                        help=f"genres shown per file (default {DEFAULT_TOP_K}, or every genre of a model "
                             "that knows fewer)")
    parser.add_argument("--json", action="store_true", help="print a JSON list, one object per file")
    parser.add_argument("--csv", metavar="FILE", help="write one row per file (path, segments, top-k, notes, error)")
    parser.add_argument("--timeline", metavar="PNG",
                        help="timeline figure (one file), or a folder of figures (several files)")
    parser.add_argument("--allow-truncated", action="store_true",
                        help="predict on what a truncated file holds (with a note) instead of "
                             "reporting it as a failure")
    parser.set_defaults(func=run_predict, outputs=[("--csv", "csv", FILE)])


def format_prediction(prediction: Any) -> str:
    """A short table: the file, its segments, the top-k genres, the top genre over time and a
    line per note."""
    lines = [f"{prediction.path}  ({prediction.segments} segments)"]
    lines += [f"  {rank}. {genre:<12}{probability:6.3f}"
              for rank, (genre, probability) in enumerate(prediction.top_k, start=1)]
    lines += [f"  over time: {_runs(prediction.timeline)}"]
    return "\n".join(lines + [f"  note: {note}" for note in prediction.notes])


#: The most runs of one genre that the table's "over time" line names; --json and --timeline
#: give them all.
SHOWN_RUNS = 12


def _runs(timeline: list[dict[str, Any]]) -> str:
    """The top genre over time as runs: "rock from 0 s, metal from 12 s"; after
    ``SHOWN_RUNS`` of them, how many more changes there are and where to see them."""
    runs = [row for i, row in enumerate(timeline) if i == 0 or row["genre"] != timeline[i - 1]["genre"]]
    shown = ", ".join(f"{row['genre']} from {row['start']:g} s" for row in runs[:SHOWN_RUNS])
    if len(runs) > SHOWN_RUNS:
        shown += f", and {len(runs) - SHOWN_RUNS} more changes (--json or --timeline shows them all)"
    return shown


def csv_rows(results: list[Any], k: int) -> list[list[Any]]:
    """Header and one row per file, in order: path, segments, top1_genre, top1_probability
    (6 decimals), ... topK, notes (the prediction's notes, " | " between: near-silent audio,
    an unfamiliar input, ...), error; a file that could not be predicted (a ``FileFailure``)
    has empty genre columns and its reason under error."""
    header = ["path", "segments"] + [f"top{i}_{what}" for i in range(1, k + 1)
                                     for what in ("genre", "probability")] + ["notes", "error"]
    rows = [header]
    for r in results:
        if hasattr(r, "reason"):  # FileFailure
            rows.append([str(r.path), ""] + [""] * (2 * k) + ["", r.reason])
        else:
            rows.append([str(r.path), r.segments] + [v for genre, probability in r.top_k
                                                     for v in (genre, round(probability, 6))]
                        + [" | ".join(r.notes), ""])
    return rows


def json_entry(result: Any) -> dict[str, Any]:
    """One file's ``--json`` entry: the prediction's ``to_dict()`` with ``error`` None, or
    for a ``FileFailure`` the same keys, empty, with its reason under ``error`` (as ``--csv``
    keeps a row for it)."""
    if hasattr(result, "reason"):  # FileFailure
        return {"path": str(result.path), "top_k": [], "segments": 0, "timeline": [], "notes": [],
                "input": None, "error": result.reason}
    return {**result.to_dict(), "error": None}


def _timeline_target(args: argparse.Namespace) -> Path | None:
    """The --timeline path; a folder (created) when several files or a folder are given."""
    if not args.timeline:
        return None
    target = Path(args.timeline)
    as_folder = str(args.timeline).endswith(("/", os.sep))  # "figures/": a folder, made if need be
    if len(args.paths) > 1 or any(Path(p).is_dir() for p in args.paths) or target.is_dir() or as_folder:
        if target.suffix.lower() == ".png" and not target.is_dir():  # not a folder named x.png
            raise UserError(f"--timeline {target}: several recordings get one figure each: give a "
                            "folder, not a .png name")
        check_output(target, FOLDER, "--timeline").mkdir(parents=True, exist_ok=True)
    elif target.suffix.lower() != ".png":
        raise UserError(f"--timeline {target}: give a .png file for one audio file")
    else:
        check_output(target, FILE, "--timeline")
    return target


def _save_timeline(prediction: Any, target: Path, used: set[str]) -> None:
    from matplotlib import pyplot as plt

    from genrelib.plots import plot_timeline

    if target.is_dir():
        name, n = f"{prediction.path.stem}.png", 1
        while name in used:
            n += 1
            name = f"{prediction.path.stem}-{n}.png"
        used.add(name)
        target = target / name
    fig = plot_timeline(prediction.starts, prediction.probs, prediction.genres, title=str(prediction.path))
    fig.savefig(target, dpi=100)
    plt.close(fig)


def run_predict(args: argparse.Namespace) -> int:
    """Run ``genrelib predict``; returns 0, or 1 when a file could not be predicted."""
    models = [check_run_dir(m) for m in [args.model, *args.ensemble]]
    if args.top_k is not None and args.top_k < 1:
        raise UserError(f"--top-k must be >= 1, got {args.top_k}")
    timeline = _timeline_target(args)
    from tqdm import tqdm

    from genrelib.predict import FileFailure, PassedOverWarning, load_predictor, predict_paths

    predictor = load_predictor(models)
    if args.top_k is None:  # the default, never more than the model knows (2 of a 2-genre model)
        args.top_k = min(DEFAULT_TOP_K, len(predictor.genres))
    elif args.top_k > len(predictor.genres):
        raise UserError(f"--top-k {args.top_k}: the model knows {len(predictor.genres)} genres")
    predictions, failed, in_order, used = [], [], [], set()
    shown = warnings.showwarning  # the console's

    def passed_over(message: Any, category: type[Warning], *rest: Any, **named: Any) -> None:
        """A folder's files passed over (``predict.passed_over_message``), said before the first prediction:
        predict_paths warns when it has walked the folders, once (no walk of our own)."""
        if issubclass(category, PassedOverWarning):
            tqdm.write(f"genrelib predict: {message}", file=sys.stderr)
        else:
            shown(message, category, *rest, **named)

    with warnings.catch_warnings():
        warnings.simplefilter("always", PassedOverWarning)
        warnings.showwarning = passed_over
        for result in predict_paths(predictor, args.paths, top_k=args.top_k, progress=progress_bars(),
                                    allow_truncated=args.allow_truncated):
            in_order.append(result)
            if isinstance(result, FileFailure):
                failed.append(result)
                tqdm.write(f"genrelib predict: {result}", file=sys.stderr)
                continue
            predictions.append(result)
            if not args.json:
                tqdm.write(format_prediction(result), file=sys.stdout)
            if timeline:
                _save_timeline(result, timeline, used)
    if args.json:
        print(json.dumps([json_entry(r) for r in in_order], indent=2))
    if args.csv:
        # a file name that is not UTF-8 (its bytes as Python keeps them) is written escaped, not lost
        with open(args.csv, "w", newline="", encoding="utf-8", errors="backslashreplace") as handle:
            csv.writer(handle).writerows(csv_rows(in_order, args.top_k))
    if failed:
        print(f"genrelib predict: {failure_summary(failed, len(predictions), len(args.paths))}",
              file=sys.stderr)
    return 1 if failed else 0


def failure_summary(failed: list[FileFailure], n_predicted: int, n_paths: int) -> str:
    """"2 of 5 files could not be predicted; 1 of 3 paths held no file to predict": files and
    the paths given (a missing one, a folder without audio) are counted apart."""
    files = sum(not f.no_file for f in failed)
    paths = len(failed) - files
    parts = [f"{files} of {files + n_predicted} files could not be predicted" if files else "",
             f"{paths} of {n_paths} paths held no file to predict" if paths else ""]
    return "; ".join(part for part in parts if part)
