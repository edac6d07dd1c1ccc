"""``genrelib evaluate RUN_DIR [RUN_DIR ...] --data DATA [--unseen] [--json] [--method vote|mean|geometric]
[--hop FRAMES]``: score trained runs on every track of DATA (``--unseen``: only those no run
trained or validated on).

Every track of DATA is a test track. Features are computed with each run's own feature
configuration; predictions are aggregated per track by the run's own rule (``--method``). With one
run the JSON object has ``track_accuracy``, ``segment_accuracy``, ``macro_f1`` (track
level), ``per_genre``, ``confusion`` (rows true, columns predicted, in the order of
``genres``), ``track_accuracy_ci``/``macro_f1_ci`` (bootstrap intervals over tracks) and
``top_k_accuracy``, and when they apply ``seen_in_training`` (DATA's tracks that were the
run's own training or validation tracks) and ``skipped`` (DATA's clips left out, each
``{"path", "reason"}``: unreadable, or shorter than one segment); with several runs it is
``{"members": {run name: that object}, "ensemble": that object for the mean of their
probabilities}``; the summary's notes (tracks
the run trained on, genres DATA lacks, clips left out) then go to stderr. ``--hop FRAMES`` scores a
deep model's segments every FRAMES frames instead of the 1.5 s grid (a segment every 64 or 65 frames): test-time
averaging over more, overlapping segments (chapter 8).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any

from genrelib.config import AGGREGATION_METHODS
from genrelib.errors import UserError
from genrelib.runs import MODEL_FILES

__all__ = ["register", "run_evaluate", "format_result", "format_ensemble", "format_interval",
           "check_run_dir", "check_data", "ensemble_notes", "notes_on_stderr", "result_notes", "seen_note",
           "skipped_note", "unseen_data", "untested_note"]


def register(subparsers: Any) -> None:
    """Add ``evaluate`` to the ``genrelib`` parser."""
    parser = subparsers.add_parser(
        "evaluate", help="evaluate run folders (and their ensemble) on a dataset",
        description="Evaluate RUN_DIR's model on every track of DATA: segment and track "
                    "accuracy with bootstrap intervals, top-2/top-3 accuracy, macro F1, "
                    "per-genre report (--json: with the confusion matrix). Several RUN_DIRs: each run and the "
                    "ensemble that averages their probabilities (same genre list needed).")
    parser.add_argument("run_dirs", metavar="RUN_DIR", nargs="+",
                        help="run folder written by genrelib train")
    parser.add_argument("--data", required=True, metavar="DATA", help="dataset folder")
    parser.add_argument("--method", choices=AGGREGATION_METHODS, default=None,
                        help="segment -> track aggregation: vote, mean or geometric (default: "
                             "the run's own (config.json's aggregation; vote for older runs))")
    parser.add_argument("--hop", type=int, metavar="FRAMES",
                        help="test-time averaging: a segment every FRAMES frames (deep models; "
                             "default: the 1.5 s grid, a segment every 64 or 65 frames)")
    parser.add_argument("--unseen", action="store_true",
                        help="score only DATA's tracks that no RUN_DIR trained or validated on (their "
                             "split.json): a test, where the whole folder would mix in training tracks")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (the notes of the summary go to stderr)")
    parser.set_defaults(func=run_evaluate)


def check_run_dir(run_dir: str) -> Path:
    """``run_dir`` as a Path; UserError unless it is a run folder or a model file
    (``model.keras`` of a deep run, ``model.skops`` of a classical one)."""
    path = Path(run_dir)
    suffixes = {Path(name).suffix for name in MODEL_FILES}
    if not any((path / name).is_file() for name in MODEL_FILES) and not (
            path.is_file() and path.suffix in suffixes):
        raise UserError(f"{path} is not a run folder (no {' or '.join(MODEL_FILES)}): "
                        "train one with `genrelib train`")
    return path


def check_data(data: str) -> None:
    """UserError unless ``data`` is a folder."""
    if os.path.isfile(data):
        raise UserError(f"--data {data!r} is a file: give the folder of labelled tracks (<genre>/<files>); "
                        "`genrelib predict RUN FILE` gives the genres of one recording")
    if data == "synthetic" and not os.path.isdir(data):
        raise UserError("--data 'synthetic': evaluate scores a dataset folder (train's built-in name is "
                        "not one: its tracks are the run's own, config.json's \"data\" names their "
                        "folder); write fresh synthetic tracks with `genrelib data synth OUT "
                        "--tracks-per-genre 10 --seed 7` and give --data OUT")
    if not os.path.isdir(data):
        raise UserError(f"--data folder {data!r} does not exist")


def unseen_data(run_dirs: list[Path], data: str) -> Any:
    """``--unseen``: the index of ``data``'s tracks that no run of ``run_dirs`` trained or
    validated on (``pipeline.unseen_index``), said on stderr; UserError when none is left."""
    from genrelib.pipeline import unseen_index

    index = unseen_index(run_dirs, data)
    if len(index.tracks) == 0:
        raise UserError(f"--unseen: every track of {data} was a training or validation track of the "
                        "run(s) (split.json): no track is left to test on; give other music")
    print(f"--unseen: {len(index.tracks)} tracks of {data} that the run(s) never trained or validated on",
          file=sys.stderr)
    return index


def format_interval(values: list[float]) -> str:
    """[low, high] with three decimals."""
    return f"[{values[0]:.3f}, {values[1]:.3f}]"


def seen_note(record: dict[str, Any], name: str = "the run") -> list[str]:
    """A line saying that some of DATA's tracks were the run's training or validation tracks
    (``seen_in_training``: its split.json), whose scores are no test; none otherwise."""
    seen = record.get("seen_in_training") or {}
    if not seen:
        return []
    which = " and ".join(f"{n} {'validation' if s == 'valid' else 'training'}" for s, n in seen.items())
    return [f"note: {sum(seen.values())} of the {record['n_tracks']} tracks are {name}'s own {which} "
            "tracks (split.json): these scores are not a test; evaluate it on tracks it never saw (`--unseen` "
            "keeps only those, or give new music)"]


def skipped_note(record: dict[str, Any]) -> list[str]:
    """A line counting the clips of DATA that were not scored (``skipped``: unreadable, or
    shorter than one segment), each named in a warning line above; none when all were."""
    skipped = record.get("skipped") or []
    if not skipped:
        return []
    clips = "1 clip of DATA is" if len(skipped) == 1 else f"{len(skipped)} clips of DATA are"
    return [f"note: {clips} left out, not scored (named above; --json lists them under \"skipped\")"]


def untested_note(record: dict[str, Any], *, tested_f1: bool = True) -> list[str]:
    """A line naming the model's genres that have no track in DATA (no line when all have one).

    The macro averages run over every genre the model knows, so an untested genre's F1 counts
    as 0: evaluating on 4 of 10 genres with every track right gives macro F1 0.400. The note says
    so and, with ``tested_f1``, gives the macro F1 over the genres that have tracks
    (07_evaluation.ipynb explains the rule).
    """
    from genrelib.evaluation import EvaluationSummary

    summary = EvaluationSummary.from_dict(record)
    untested = summary.untested_genres
    if not untested:
        return []
    note = (f"note: {len(untested)} of the model's {len(summary.per_genre)} genres have no track in DATA "
            f"({', '.join(untested)}); the macro averages count their F1 as 0")
    if tested_f1 and summary.tested_macro_f1 is not None:
        note += (f"; macro F1 over the {len(summary.per_genre) - len(untested)} genres with tracks: "
                 f"{summary.tested_macro_f1:.3f}")
    return [note]


def result_notes(record: dict[str, Any]) -> list[str]:
    """The note lines of one run's evaluation: tracks it trained on, genres DATA lacks, clips
    left out (printed with the summary, or on stderr beside ``--json``)."""
    return [*seen_note(record), *untested_note(record), *skipped_note(record)]


def ensemble_notes(record: dict[str, Any]) -> list[str]:
    """The note lines of several runs' evaluation (``{"members": ..., "ensemble": ...}``)."""
    ensemble = record["ensemble"]
    return [*(line for name, member in record["members"].items() for line in seen_note(member, name)),
            *untested_note(ensemble, tested_f1=False), *skipped_note(ensemble)]


def shown_top_k(record: dict[str, Any]) -> dict[str, float]:
    """The top-k accuracies worth printing: k below the number of genres the model knows (a
    2-genre model's top-2 and top-3 are 1.000 whatever it learned); --json keeps them all."""
    return {k: v for k, v in record["top_k_accuracy"].items() if int(k) < len(record["genres"])}


def format_result(record: dict[str, Any]) -> str:
    """Human-readable summary of an evaluation record."""
    level = f"{100 * record['bootstrap']['level']:g} %"
    lines = [
        f"tracks: {record['n_tracks']}  segments: {record['n_segments']}",
        f"track accuracy ({record['aggregation']}): {record['track_accuracy']:.3f}",
        f"track accuracy {level} interval: {format_interval(record['track_accuracy_ci'])}",
        *(["  ".join(f"top-{k} accuracy: {v:.3f}" for k, v in shown.items())]
          if (shown := shown_top_k(record)) else []),
        f"segment accuracy: {record['segment_accuracy']:.3f}",
        f"macro F1 (tracks): {record['macro_f1']:.3f}",
        f"macro F1 {level} interval: {format_interval(record['macro_f1_ci'])}",
        *result_notes(record),
        "",
        f"{'genre':<12}{'precision':>10}{'recall':>8}{'f1':>7}{'tracks':>8}",
    ]
    for genre, r in record["per_genre"].items():
        lines.append(f"{genre:<12}{r['precision']:>10.2f}{r['recall']:>8.2f}{r['f1']:>7.2f}"
                     f"{r['support']:>8d}")
    return "\n".join(lines)


def format_ensemble(record: dict[str, Any]) -> str:
    """A table of the members and the ensemble of ``{"members": ..., "ensemble": ...}``."""
    ensemble = record["ensemble"]
    label = "ensemble" if "ensemble" not in record["members"] else "ensemble of all"  # a run may be named so
    rows = [*record["members"].items(), (label, ensemble)]
    width = max(len(name) for name, _ in rows) + 2
    top_k = list(shown_top_k(ensemble))
    own = {name: r["aggregation"] for name, r in record["members"].items()}
    rules = ensemble["aggregation"] if set(own.values()) == {ensemble["aggregation"]} else (
        f"{ensemble['aggregation']} for the ensemble; " + ", ".join(f"{n} {rule}" for n, rule in own.items()))
    lines = [
        f"tracks: {ensemble['n_tracks']}  aggregation: {rules}  ensemble: mean "
        f"of {len(record['members'])} runs' probabilities ({ensemble['ensemble_level']} level)",
        f"intervals: {100 * ensemble['bootstrap']['level']:g} % bootstrap over tracks",
        *ensemble_notes(record),
        "",
        f"{'run':<{width}}{'track acc':>10}  {'interval':<16}{'macro F1':>9}  {'interval':<16}"
        f"{'segment acc':>12}" + "".join(f"{'top-' + k:>7}" for k in top_k),
    ]
    for name, r in rows:
        lines.append(f"{name:<{width}}{r['track_accuracy']:>10.3f}  "
                     f"{format_interval(r['track_accuracy_ci']):<16}{r['macro_f1']:>9.3f}  "
                     f"{format_interval(r['macro_f1_ci']):<16}{r['segment_accuracy']:>12.3f}"
                     + "".join(f"{r['top_k_accuracy'][k]:>7.3f}" for k in top_k))
    return "\n".join(lines)


def run_evaluate(args: argparse.Namespace) -> int:
    """Run ``genrelib evaluate``; returns 0."""
    run_dirs = [check_run_dir(d) for d in args.run_dirs]
    check_data(args.data)
    if args.hop is not None and args.hop < 1:
        raise UserError(f"--hop must be a number of frames >= 1, got {args.hop}")
    if args.hop is not None:
        from genrelib.models import is_classical
        from genrelib.runs import read_model_metadata

        kinds = [str(read_model_metadata(d).get("model_kind")) for d in run_dirs]
        if all(is_classical(kind) for kind in kinds):
            raise UserError(f"--hop {args.hop}: no effect on a {' or '.join(sorted(set(kinds)))} run (--hop cuts a "
                            "deep model's log-mel segments anew; this model reads its features on their "
                            "own grid); leave it out")
    from genrelib.commands.console import progress_bars
    from genrelib.pipeline import SeenTracksWarning, evaluate_run, evaluate_runs

    bars = not args.json and progress_bars()
    data = unseen_data(run_dirs, args.data) if args.unseen else args.data

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=SeenTracksWarning)  # the notes below say it
        if len(run_dirs) == 1:
            record = evaluate_run(run_dirs[0], data, method=args.method, progress=bars,
                                  hop_frames=args.hop).to_dict()
        else:
            record = evaluate_runs(run_dirs, data, method=args.method, progress=bars,
                                   hop_frames=args.hop).to_dict()
    if len(run_dirs) == 1:
        print(json.dumps(record, indent=2) if args.json else format_result(record))
        notes_on_stderr(result_notes(record), args.json)
        return 0
    print(json.dumps(record, indent=2) if args.json else format_ensemble(record))
    notes_on_stderr(ensemble_notes(record), args.json)
    return 0


def notes_on_stderr(notes: list[str], as_json: bool) -> None:
    """Beside ``--json`` (stdout: one JSON object) the notes the summary would show go to stderr."""
    if as_json:
        for line in notes:
            print(line, file=sys.stderr)
