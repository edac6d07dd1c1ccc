"""``genrelib reference DATA --runs DIR --records DIR``: the book's reference runs, and their records.

For every model kind: a k-fold cross-validation by track (``--folds``, default 5) and one
artist-grouped split, with the ``full`` profile; run folders go to ``--runs`` (resumable:
finished runs are reused), their small records (configuration, metrics, split, history; no
weights) to ``--records``, which the book's results page reads. Prints the summary.

``--protocols``, ``--augment``, ``--epochs``, ``--option`` and ``--name`` run one variant
(e.g. chapter 8's augmented small CNN) under its own folder and label.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from genrelib.config import MODEL_KINDS, PROFILE_NAMES
from genrelib.errors import UserError

__all__ = ["register", "run_reference"]


def _models(text: str) -> list[str]:
    models = [m.strip() for m in text.split(",") if m.strip()]
    unknown = [m for m in models if m not in MODEL_KINDS]
    if unknown or not models:
        raise argparse.ArgumentTypeError(f"unknown model(s) {unknown}; choose from {', '.join(MODEL_KINDS)}")
    return models


def register(subparsers: Any) -> None:
    """Add ``reference`` to the ``genrelib`` parser."""
    parser = subparsers.add_parser(
        "reference", help="run the book's reference experiments and write their records",
        description=__doc__.split("\n\n")[1].replace("\n", " "))
    parser.add_argument("data", metavar="DATA", help="dataset folder (e.g. the 80-track GTZAN mini set)")
    parser.add_argument("--runs", required=True, metavar="DIR", help="folder for the run folders (weights)")
    parser.add_argument("--records", required=True, metavar="DIR", help="folder for the records (committed)")
    parser.add_argument("--models", type=_models, default=list(MODEL_KINDS), metavar="M[,M...]",
                        help=f"model kinds (default: all, {','.join(MODEL_KINDS)})")
    parser.add_argument("--folds", type=int, default=5, metavar="K", help="cross-validation folds (default 5)")
    parser.add_argument("--profile", choices=PROFILE_NAMES, default="full", help="run profile (default full)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    parser.add_argument("--protocols", type=_protocols, default=["kfold", "artist"], metavar="P[,P...]",
                        help=f"protocols to run (default kfold,artist): {', '.join(PROTOCOLS)}; "
                             "artist_kfold tests every genre played by two or more artists once")
    parser.add_argument("--augment", default=None, metavar="LIST",
                        help="augmentations of the deep models (comma-separated names, or "
                             "'default'; see genrelib train --augment); default none")
    parser.add_argument("--epochs", type=int, metavar="N", help="override the profile's epochs")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="model option, as genrelib train --option (repeatable)")
    parser.add_argument("--name", metavar="NAME",
                        help="folder of these runs and records under --runs/--records, and their "
                             "label on the results page (default: the model kind; one model only)")
    parser.add_argument("--quiet", action="store_true", help="no per-epoch output")
    parser.set_defaults(func=run_reference)


#: The protocols ``--protocols`` accepts: 5-fold by track, one artist split, artist-grouped folds.
PROTOCOLS: tuple[str, ...] = ("kfold", "artist", "artist_kfold")


def _protocols(text: str) -> list[str]:
    chosen = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in chosen if p not in PROTOCOLS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown protocol(s) {unknown}; choose from {', '.join(PROTOCOLS)}")
    return chosen


def run_reference(args: argparse.Namespace) -> int:
    """Run ``genrelib reference``; prints the summary of the records, returns 0."""
    if args.folds < 2:
        raise UserError(f"--folds must be >= 2, got {args.folds}")
    if not os.path.isdir(args.data):
        raise UserError(f"DATA folder {args.data!r} does not exist")
    if args.name and len(args.models) != 1:
        raise UserError("--name labels the runs of one model: give one --models")
    from genrelib.augment import parse_augment
    from genrelib.commands.train import parse_options

    try:
        augment = parse_augment(args.augment)
    except ValueError as error:
        raise UserError(f"--augment: {error}") from None
    extra: dict[str, Any] = {**parse_options(args.option), "epochs": args.epochs}
    if augment:
        extra["augment"] = list(augment)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from genrelib.pipeline import cross_validate, train_run
    from genrelib.results import export_records, load_records, summarize

    runs_dir, verbose = Path(args.runs), 0 if args.quiet else "table"
    for model in args.models:
        folder = runs_dir / (args.name or model)
        print(f"== {args.name or model}: {', '.join(args.protocols)}", flush=True)
        for protocol in args.protocols:
            if protocol == "artist":
                train_run(args.data, model=model, profile=args.profile, seed=args.seed, split="artist",
                          out_dir=folder / "artist", reuse=True, verbose=verbose, **extra)
            else:
                cross_validate(args.data, model=model, profile=args.profile, folds=args.folds,
                               seed=args.seed, protocol=protocol, reuse=True, verbose=verbose,
                               out_dir=folder / f"{protocol}{args.folds}", **extra)
    export_records(runs_dir, args.records)
    summary = summarize(load_records(args.records))
    columns = ["model", "protocol", "data", "runs", "test_tracks", "track_accuracy", "macro_f1", "study"]
    print(summary[columns].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0
