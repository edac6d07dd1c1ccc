"""``genrelib evaluate RUN_DIR --data DATA [--json]``: score a trained run on every track of DATA.

Every track of DATA is a test track. Features are computed with the run's own feature
configuration; predictions are aggregated per track by majority vote. The JSON object has
``track_accuracy``, ``segment_accuracy``, ``macro_f1`` (track level), ``per_genre`` and
``confusion`` (rows true, columns predicted, in the order of ``genres``).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from genrelib.errors import UserError
from genrelib.runs import MODEL_FILE

__all__ = ["register", "run_evaluate", "format_result"]


def register(subparsers: Any) -> None:
    """Add ``evaluate`` to the ``genrelib`` parser."""
    parser = subparsers.add_parser(
        "evaluate", help="evaluate a run folder on a dataset (every track is a test track)",
        description="Evaluate RUN_DIR's model on every track of DATA: segment and track "
                    "accuracy, macro F1, per-genre report, confusion matrix.")
    parser.add_argument("run_dir", metavar="RUN_DIR", help="run folder written by genrelib train")
    parser.add_argument("--data", required=True, metavar="DATA", help="dataset folder")
    parser.add_argument("--method", choices=("vote", "mean"), default="vote",
                        help="segment -> track aggregation (default vote)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run_evaluate)


def format_result(record: dict[str, Any]) -> str:
    """Human-readable summary of an evaluation record."""
    lines = [
        f"tracks: {record['n_tracks']}  segments: {record['n_segments']}",
        f"track accuracy ({record['aggregation']}): {record['track_accuracy']:.3f}",
        f"segment accuracy: {record['segment_accuracy']:.3f}",
        f"macro F1 (tracks): {record['macro_f1']:.3f}",
        "",
        f"{'genre':<12}{'precision':>10}{'recall':>8}{'f1':>7}{'tracks':>8}",
    ]
    for genre, r in record["per_genre"].items():
        lines.append(f"{genre:<12}{r['precision']:>10.2f}{r['recall']:>8.2f}{r['f1']:>7.2f}"
                     f"{r['support']:>8d}")
    return "\n".join(lines)


def run_evaluate(args: argparse.Namespace) -> int:
    """Run ``genrelib evaluate``; returns 0."""
    run_dir = Path(args.run_dir)
    if not (run_dir / MODEL_FILE).is_file() and not (run_dir.is_file() and run_dir.suffix == ".keras"):
        raise UserError(f"{run_dir} is not a run folder (no {MODEL_FILE}): train one with `genrelib train`")
    if not os.path.isdir(args.data):
        raise UserError(f"--data folder {args.data!r} does not exist")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from genrelib.pipeline import evaluate_run

    result = evaluate_run(run_dir, args.data, method=args.method, progress=not args.json)
    record = result.to_dict()
    print(json.dumps(record, indent=2) if args.json else format_result(record))
    return 0
