"""``genrelib reference DATA --runs DIR --records DIR``: the book's reference runs, and their records.

For every model kind: a k-fold cross-validation by track (``--folds``, default 5) and one
artist-grouped split, with the ``full`` profile; run folders go to ``--runs`` (resumable:
finished runs are reused), their small records (configuration, metrics, split, history, each
test track's prediction; no weights) to ``--records``, which the book's results page reads.
Prints the summary.

``--protocols``, ``--augment``, ``--epochs``, ``--option``, ``--aggregation`` and ``--name``
run one variant (e.g. chapter 8's augmented small CNN) under its own folder and label.

``--ensemble LABEL=MEMBER[@HOP]+MEMBER[@HOP]...`` trains nothing: for each protocol it
averages the out-of-fold track probabilities of finished cross-validations under --runs
(MEMBER a folder name there, e.g. cnn-small-crop; @HOP scores its segments every HOP
frames) and writes the ensemble's record under --records/LABEL (chapter 8).
"""

from __future__ import annotations

import argparse
import os
import warnings
from pathlib import Path
from typing import Any

from genrelib.commands.outputs import FOLDER
from genrelib.config import AGGREGATION_METHODS, PROFILE_NAMES
from genrelib.errors import UserError
from genrelib.models import ALL_MODEL_KINDS, MODEL_KINDS

__all__ = ["register", "run_reference", "format_summary"]


def _models(text: str) -> list[str]:
    models = [m.strip() for m in text.split(",") if m.strip()]
    unknown = [m for m in models if m not in ALL_MODEL_KINDS]
    if unknown or not models:
        raise argparse.ArgumentTypeError(f"unknown model(s) {unknown}; choose from {', '.join(ALL_MODEL_KINDS)}")
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
                        help=f"model kinds (default: the study's, {','.join(MODEL_KINDS)}; the "
                             f"pretrained ones too: {','.join(ALL_MODEL_KINDS[len(MODEL_KINDS):])})")
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
    parser.add_argument("--aggregation", choices=AGGREGATION_METHODS, default=AGGREGATION_METHODS[0],
                        help="how the records turn a track's segments into its genre (default "
                             "vote; see genrelib train --aggregation)")
    parser.add_argument("--name", metavar="NAME",
                        help="folder of these runs and records under --runs/--records, and their "
                             "label on the results page (default: the model kind; one model only)")
    parser.add_argument("--ensemble", type=_ensemble, metavar="LABEL=M[@HOP]+M[@HOP]...",
                        help="write the record of an ensemble of finished cross-validations (read "
                             "under --runs) to --records/LABEL instead of training (e.g. cnn-3seeds=cnn-small-crop+"
                             "cnn-small-crop-seed1+cnn-small-crop-seed2; @16: segments every 16 frames)")
    parser.add_argument("--quiet", action="store_true", help="no per-epoch output")
    parser.set_defaults(func=run_reference,
                        outputs=[("--runs", "runs", FOLDER), ("--records", "records", FOLDER)])


#: The protocols ``--protocols`` accepts: 5-fold by track, one artist split, artist-grouped folds.
PROTOCOLS: tuple[str, ...] = ("kfold", "artist", "artist_kfold")


def _protocols(text: str) -> list[str]:
    chosen = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in chosen if p not in PROTOCOLS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown protocol(s) {unknown}; choose from {', '.join(PROTOCOLS)}")
    return chosen


def _ensemble(text: str) -> tuple[str, list[tuple[str, int | None]]]:
    """``"lbl=a@16+b"`` -> ("lbl", [("a", 16), ("b", None)])."""
    label, sep, rest = text.partition("=")
    members = []
    for item in rest.split("+") if sep else []:
        name, at, hop = item.strip().partition("@")
        if not name or (at and not (hop.isdigit() and int(hop) > 0)):
            members = []
            break
        members.append((name, int(hop) if at else None))
    if not label.strip() or len(members) < 1 or "/" in label:
        raise argparse.ArgumentTypeError(
            f"expected LABEL=MEMBER[@HOP]+MEMBER[@HOP]... (MEMBER: a folder under --runs, HOP: frames > 0), "
            f"got {text!r}")
    return label.strip(), members


def write_ensemble_records(data: str, runs_dir: Path, records_dir: Path, label: str,
                           members: list[tuple[str, int | None]], *, protocols: list[str],
                           folds: int) -> None:
    """For each protocol, the ensemble (``evaluation.ensemble_predictions``: the mean of the
    members' segment probabilities, or of their track probabilities where their segments
    differ; a track's genre by the vote) of the members' out-of-fold predictions
    (``pipeline.cross_validated_predictions``), written with
    ``results.write_evaluation_record`` under ``records_dir/label/<protocol><folds>``."""
    from datetime import datetime, timezone

    from genrelib import runs
    from genrelib.datasets import index_dataset
    from genrelib.evaluation import ensemble_predictions
    from genrelib.pipeline import cross_validated_predictions
    from genrelib.results import data_label, write_evaluation_record

    index = index_dataset(data, progress=False)
    for protocol in protocols:
        dirs = [runs_dir / name / f"{protocol}{folds}" for name, _ in members]
        missing = [str(d) for d in dirs if not (d / "fold0" / runs.CONFIG_FILE).is_file()]
        if missing:
            raise UserError(f"--ensemble {label}: no finished cross-validation in {', '.join(missing)}; "
                            f"run genrelib reference with --name MEMBER --protocols {protocol} first")
        preds = [cross_validated_predictions(d, index, hop_frames=hop) for d, (_, hop) in zip(dirs, members)]
        names = [name + (f"@hop{hop}" if hop else "") for name, hop in members]
        result = (ensemble_predictions(preds, names=names) if len(preds) > 1 else preds[0]).evaluate()
        first = runs.load_json(dirs[0] / "fold0" / runs.CONFIG_FILE)
        config = {"members": names, "member_dirs": [f"{name}/{protocol}{folds}" for name, _ in members],
                  "hop_frames": [hop for _, hop in members], "method": "vote",
                  "data": data_label(first), "n_tracks": first.get("n_tracks"),
                  "profile": first.get("profile"), "seed": first.get("seed"), "device": first.get("device"),
                  "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "made_by": f"genrelib reference --ensemble {label}=" + "+".join(
                      name + (f"@{hop}" if hop else "") for name, hop in members)}
        write_evaluation_record(result, records_dir / label / f"{protocol}{folds}", model="ensemble",
                                protocol=protocol, config=config)
        print(f"{label} {protocol}: track accuracy {result.track_accuracy:.3f}, macro F1 "
              f"{result.macro_f1:.3f} ({len(result.track_ids)} track{'s' * (len(result.track_ids) != 1)})", flush=True)


def run_reference(args: argparse.Namespace) -> int:
    """Run ``genrelib reference``; prints the summary of the records, returns 0."""
    if args.folds < 2:
        raise UserError(f"--folds must be >= 2, got {args.folds}")
    if not os.path.isdir(args.data):
        raise UserError(f"DATA folder {args.data!r} does not exist")
    if args.ensemble:
        protocols = [p for p in args.protocols if p != "artist"]  # a single split: no out-of-fold set
        if not protocols:
            raise UserError("--ensemble combines cross-validations: use --protocols kfold and/or artist_kfold")
        write_ensemble_records(args.data, Path(args.runs), Path(args.records), *args.ensemble,
                               protocols=protocols, folds=args.folds)
        return 0
    if args.name and len(args.models) != 1:
        raise UserError("--name labels the runs of one model: give one --models")
    from genrelib.augment import parse_augment
    from genrelib.commands.console import training_verbosity
    from genrelib.commands.train import parse_options

    try:
        augment = parse_augment(args.augment)
    except ValueError as error:
        raise UserError(f"--augment: {error}") from None
    options = parse_options(args.option)
    from genrelib.pipeline import RunSpec, cross_validate, train_run
    from genrelib.pipeline.folder import ReplacedRunWarning
    from genrelib.results import export_records, load_records, summarize, write_predictions

    try:  # every model's options refused before any data is read or trained
        specs = {model: RunSpec(model=model, options=options, profile=args.profile, seed=args.seed,
                                epochs=args.epochs, augment=augment, aggregation=args.aggregation)
                 for model in args.models}
    except ValueError as error:
        raise UserError(f"--option/--augment/--epochs: {error}") from None

    runs_dir, verbose = Path(args.runs), training_verbosity(args.quiet)
    for model in args.models:
        folder = runs_dir / (args.name or model)
        print(f"== {args.name or model}: {', '.join(args.protocols)}", flush=True)
        before = finished_runs(folder)
        with warnings.catch_warnings():  # the note below counts the runs replaced, once
            warnings.simplefilter("ignore", ReplacedRunWarning)
            for protocol in args.protocols:
                if protocol == "artist":
                    done = [train_run(args.data, specs[model].with_(split="artist"), out_dir=folder / "artist",
                                      reuse=True, verbose=verbose)]
                else:
                    done = cross_validate(args.data, specs[model], n_folds=args.folds, protocol=protocol,
                                          reuse=True, verbose=verbose, out_dir=folder / f"{protocol}{args.folds}")
                for result in done:  # the records keep each test track's prediction (paired tests)
                    if result.test is not None:
                        write_predictions(result.test, result.run_dir)
        replaced = sorted(path for path, stamp in finished_runs(folder).items() if before.get(path, stamp) != stamp)
        if replaced:
            print(f"note: {len(replaced)} finished run(s) under {folder} were made with other settings and are "
                  f"replaced (with their records): {', '.join(replaced[:3])}{', ...' if len(replaced) > 3 else ''}; "
                  "give --name to keep both", flush=True)
    export_records(runs_dir, args.records)
    print(format_summary(summarize(load_records(args.records))))
    return 0


def finished_runs(folder: Path) -> dict[str, tuple[int, int]]:
    """``{run folder: (inode, mtime in ns) of its model file}`` of every finished run below
    ``folder``. A reused run keeps its model file; a run trained again is a new file moved
    into place, so a stamp that changes across a command is a run replaced."""
    from genrelib.runs import MODEL_FILES, METRICS_FILE

    stamps = {}
    for metrics in sorted(folder.rglob(METRICS_FILE)) if folder.is_dir() else []:
        for name in MODEL_FILES:
            model = metrics.parent / name
            if model.is_file():
                info = model.stat()
                stamps[str(metrics.parent)] = (info.st_ino, info.st_mtime_ns)
    return stamps


def format_summary(summary: Any) -> str:
    """The records' summary table (``results.summarize``) as printed: three decimals, "-" where
    there is no number (``study``: the study reports no figure for that model or protocol)."""
    columns = ["model", "protocol", "data", "runs", "test_tracks", "track_accuracy", "macro_f1", "study"]
    return summary[columns].to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep="-")
