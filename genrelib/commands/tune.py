"""``genrelib tune DATA --model cnn|rnn|crnn --out DIR [--factor NAME --values V1,V2,...]...``

The study's one-factor-at-a-time tuning (its Table 1) as a resumable sweep: every finished
trial is one record in DIR/trials.jsonl; run again, finished trials are skipped. ``--search``
adds a joint Optuna TPE search over the same space with the same budget of trials
(DIR/search.jsonl); a configuration the sweep already trained is read from its records, not
trained again (it still counts as a training of the search). Selection reads validation accuracy
only. Every factor and value is checked before any training.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from genrelib.commands.console import training_verbosity
from genrelib.commands.outputs import FOLDER
from genrelib.commands.train import parse_options
from genrelib.config import PROFILE_NAMES
from genrelib.datasets.splits import SPLIT_CHOICES, check_split_spec
from genrelib.errors import UserError

__all__ = ["register", "run_tune"]

TUNABLE = ("cnn", "rnn", "crnn")  # genrelib.tuning.space.TUNABLE_MODELS (not imported: keras)


class _FactorAction(argparse.Action):
    """--factor NAME starts a factor; --values V1,V2 gives the values of the last one."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 value: Any, option_string: str | None = None) -> None:
        factors = getattr(namespace, "factors", None) or []
        if option_string == "--factor":
            factors.append([value, None])
        else:
            if not factors or factors[-1][1] is not None:
                parser.error("--values must follow the --factor it belongs to "
                             "(--factor kernel_size --values 3,5)")
            factors[-1][1] = [v.strip() for v in value.split(",") if v.strip()]
        namespace.factors = factors


def register(subparsers: Any) -> None:
    """Add ``tune`` to the ``genrelib`` parser."""
    parser = subparsers.add_parser(
        "tune", help="tune one factor at a time (the study's Table 1), resumable; optional joint search",
        description="Sweep each factor over its values with the others at the recipe's; one "
                    "record per finished trial in OUT/trials.jsonl, finished trials skipped "
                    "when run again. Factors: conv_blocks, kernel_size, filters, rnn_type, units, "
                    "dropout, learning_rate, batch_size, segment_seconds (default: every one "
                    "that applies to the model, with the study's values).")
    parser.add_argument("data", metavar="DATA",
                        help='dataset folder, or "synthetic" for the built-in synthetic GTZAN')
    parser.add_argument("--model", choices=TUNABLE, required=True, help="the model whose factors are swept")
    parser.add_argument("--out", required=True, metavar="DIR", help="sweep folder (records, runs)")
    parser.add_argument("--factor", action=_FactorAction, dest="factors", metavar="NAME",
                        help="a factor to sweep (repeatable); without --values the study's values")
    parser.add_argument("--values", action=_FactorAction, dest="factors", metavar="V1,V2,...",
                        help="the values of the --factor just before it")
    parser.add_argument("--profile", choices=PROFILE_NAMES, default="quick",
                        help="quick: a few epochs per trial (CI); full: the study's recipe (default quick)")
    parser.add_argument("--epochs", type=int, metavar="N", help="override the profile's epochs")
    parser.add_argument("--seeds", type=int, default=1, metavar="N",
                        help="training seeds per value (0..N-1; the split stays fixed), default 1")
    parser.add_argument("--split", default="random", metavar="|".join(SPLIT_CHOICES),
                        help="track split protocol, made once for every trial (default random)")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="builder option for every trial, e.g. filters=[8,16] (repeatable)")
    parser.add_argument("--search", action="store_true",
                        help="then run a joint Optuna TPE search over the same values with the "
                             "sweep's budget (distinct configurations trained)")
    parser.add_argument("--budget", type=int, metavar="N",
                        help="trials of the joint search (implies --search; default the sweep's)")
    parser.add_argument("--json", action="store_true",
                        help="print the table (factor, value, mean and spread over seeds) as JSON")
    parser.add_argument("--quiet", action="store_true", help="no per-trial progress on stderr")
    parser.set_defaults(func=run_tune, factors=None, outputs=[("--out", "out", FOLDER)])


def _check_arguments(args: argparse.Namespace) -> None:
    if args.epochs is not None and args.epochs < 1:
        raise UserError(f"--epochs must be >= 1, got {args.epochs}")
    if args.seeds < 1:
        raise UserError(f"--seeds must be >= 1, got {args.seeds}")
    if args.budget is not None and args.budget < 1:
        raise UserError(f"--budget must be >= 1, got {args.budget}")
    try:
        check_split_spec(args.split)
    except ValueError as error:
        raise UserError(f"--split: {error}") from None


def _factors(args: argparse.Namespace) -> dict[str, list[str] | None] | None:
    if not args.factors:
        return None
    names = [name for name, _ in args.factors]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UserError(f"--factor {twice[0]} is given twice")
    return {name: values for name, values in args.factors}


def run_tune(args: argparse.Namespace) -> int:
    """Run ``genrelib tune``: check everything, sweep (and search), print the table."""
    _check_arguments(args)
    options = parse_options(args.option)
    from genrelib.pipeline import RunSpec
    from genrelib.tuning import (best_search_trial, check_factors, choose_configuration, joint_search, run_sweep,
                                 summarize_trials, sweep_budget)

    try:  # every factor, value and option refused before any data is read or trained
        factors = check_factors(args.model, _factors(args))
        spec = RunSpec(model=args.model, options=options, profile=args.profile,
                       epochs=args.epochs, split=args.split)
    except ValueError as error:
        raise UserError(f"--factor/--values/--option: {error}") from None
    data = args.data
    if data == "synthetic":
        from genrelib.datasets import resolve_data_dir

        data = resolve_data_dir("", profile=args.profile)
    elif not os.path.isdir(data):
        raise UserError(f"DATA folder {data!r} does not exist (give a dataset folder or 'synthetic')")
    common = dict(out_dir=args.out, space=factors, seeds=args.seeds,
                  report=None if args.quiet else _stderr,
                  verbose=training_verbosity(args.quiet, in_a_log=0))
    try:
        trials = run_sweep(data, spec, **common)
    except KeyboardInterrupt:
        _stderr(f"interrupted: the finished trials are recorded in {args.out}; run the same "
                "command again to resume")
        return 130
    summary = summarize_trials(trials)
    chosen = choose_configuration(trials)
    result: dict[str, Any] = {"model": args.model, "records": os.path.join(args.out, "trials.jsonl"),
                              "table": json.loads(summary.to_json(orient="records")),
                              "chosen": chosen}
    if args.search or args.budget:
        budget = args.budget or sweep_budget(trials)
        try:
            search = joint_search(data, spec, budget=budget, **common)
        except KeyboardInterrupt:
            _stderr(f"interrupted: the finished search trials are recorded in {args.out}; run "
                    "the same command again to resume")
            return 130
        best_trial = best_search_trial(search)
        best = search[search["trial"] == best_trial].iloc[0]
        result["search"] = {"budget": budget, "trainings": int(search["trained"].sum()),
                            "from_sweep": int(search["from_sweep"].sum()),
                            "best": {k: _plain(best[k]) for k in factors},
                            "best_valid_accuracy": float(search.loc[search["trial"] == best_trial,
                                                                    "valid_accuracy"].mean())}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(summary[["factor", "value", "seeds", "valid_mean", "valid_std", "valid_min",
                   "valid_max", "test_mean"]].to_string(index=False))
    print("chosen on validation accuracy: " + ", ".join(f"{k}={v}" for k, v in chosen.items()))
    if "search" in result:
        s = result["search"]
        shared = f", {s['from_sweep']} of them the sweep's" if s["from_sweep"] else ""
        print(f"joint search ({s['budget']} trials, {s['trainings']} trainings{shared}): best "
              + ", ".join(f"{k}={v}" for k, v in s["best"].items())
              + f", valid accuracy {s['best_valid_accuracy']:.3f}")
    print(f"records: {result['records']}")
    return 0


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
