"""``genrelib compare RUN_A RUN_B --data DATA [--unseen] [--json] [--method vote|mean|geometric]``: two
runs, paired on the same tracks (``--unseen``: only those neither run trained or validated on).

Both runs are evaluated on every track of DATA (each with its own features); the JSON
object has ``a`` and ``b`` ({run, track_accuracy, track_accuracy_ci, macro_f1}),
``n_tracks``, ``aggregation``, ``mcnemar`` and ``t_test`` ({test, statistic, pvalue, df,
n_tracks, both_right, only_a_right, only_b_right, both_wrong}), ``differ``: the tracks
where their predictions differ, [{track_id, true, a, b}] (genre names), and ``skipped``
when some clips of DATA could not be scored (as in ``genrelib evaluate``). The notes (tracks a
run trained on, clips left out) follow the summary, or go to stderr beside ``--json``.
"""

from __future__ import annotations

import argparse
import json
import warnings
from typing import Any

from genrelib.commands.console import progress_bars
from genrelib.commands.evaluate import (check_data, check_run_dir, format_interval, notes_on_stderr, seen_note,
                                        skipped_note, unseen_data)
from genrelib.config import AGGREGATION_METHODS

__all__ = ["comparison_notes", "register", "run_compare", "format_comparison"]


def register(subparsers: Any) -> None:
    """Add ``compare`` to the ``genrelib`` parser."""
    parser = subparsers.add_parser(
        "compare", help="compare two run folders on the same tracks (McNemar, paired t-test)",
        description="Evaluate RUN_A and RUN_B on every track of DATA and pair their per-track "
                    "results: both track accuracies, McNemar's exact test, the paired t-test "
                    "and the tracks where their predictions differ.")
    parser.add_argument("run_a", metavar="RUN_A", help="run folder written by genrelib train")
    parser.add_argument("run_b", metavar="RUN_B", help="another run folder")
    parser.add_argument("--data", required=True, metavar="DATA", help="dataset folder")
    parser.add_argument("--method", choices=AGGREGATION_METHODS, default=None,
                        help="segment -> track aggregation: vote, mean or geometric (default: "
                             "the rule both runs record in config.json; vote when they differ or for older runs)")
    parser.add_argument("--unseen", action="store_true",
                        help="pair only DATA's tracks that neither run trained or validated on (split.json)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run_compare)


def comparison_notes(record: dict[str, Any]) -> list[str]:
    """The note lines of a comparison: each run's training tracks among DATA's, clips left out."""
    return [*(line for side in (record["a"], record["b"])
              for line in seen_note({**side, "n_tracks": record["n_tracks"]}, side["run"])),
            *skipped_note(record)]


def format_comparison(record: dict[str, Any]) -> str:
    """Human-readable summary of a comparison record."""
    a, b, mc, t = record["a"], record["b"], record["mcnemar"], record["t_test"]
    statistic = "inf" if t["statistic"] is None else f"{t['statistic']:.3f}"
    lines = [f"tracks: {record['n_tracks']}  aggregation: {record['aggregation']}"]
    for key, side in (("A", a), ("B", b)):
        lines.append(f"{key} {side['run']}: track accuracy {side['track_accuracy']:.3f} "
                     f"{format_interval(side['track_accuracy_ci'])}")
    lines += comparison_notes(record)
    lines += [
        f"both right {mc['both_right']}, only A right {mc['only_a_right']}, "
        f"only B right {mc['only_b_right']}, both wrong {mc['both_wrong']}",
        f"McNemar exact test: p = {mc['pvalue']:.4f}",
        f"paired t-test: t = {statistic}, df = {t['df']}, p = {t['pvalue']:.4f}",
        f"tracks where the predictions differ: {len(record['differ'])}",
    ]
    if record["differ"]:
        width = max(len(d["track_id"]) for d in record["differ"]) + 2
        lines.append(f"{'track':<{width}}{'true':<12}{'A':<12}B")
        lines += [f"{d['track_id']:<{width}}{d['true']:<12}{d['a']:<12}{d['b']}"
                  for d in record["differ"]]
    return "\n".join(lines)


def run_compare(args: argparse.Namespace) -> int:
    """Run ``genrelib compare``; returns 0."""
    run_a, run_b = check_run_dir(args.run_a), check_run_dir(args.run_b)
    check_data(args.data)
    from genrelib.pipeline import SeenTracksWarning, compare_runs

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=SeenTracksWarning)  # the summary's notes say it
        data = unseen_data([run_a, run_b], args.data) if args.unseen else args.data
        record = compare_runs(run_a, run_b, data, method=args.method,
                              progress=not args.json and progress_bars()).to_dict()
    print(json.dumps(record, indent=2) if args.json else format_comparison(record))
    notes_on_stderr(comparison_notes(record), args.json)
    return 0
