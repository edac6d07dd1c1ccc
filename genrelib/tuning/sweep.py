"""One factor at a time, as the study's Table 1: a resumable sweep, its summary and choice.

Every factor is varied over its values while the others stay at the recipe's
(``space.base_settings``); each (factor, value, seed) is one trial. A trial whose
settings equal another's (the recipe's own value of every factor is the same run) is
trained once and recorded for both. Selection reads validation accuracy only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genrelib.datasets.source import DataSource
from genrelib.pipeline import RunSpec
from genrelib.tuning.records import RECORDS_FILE, append_record, normalised, read_records, trial_key
from genrelib.tuning.space import FACTORS, Space, apply_settings, base_settings, check_factors
from genrelib.tuning.trials import SweepContext, prepare_context

__all__ = ["SCORE_TOLERANCE", "SweepTrial", "best_row", "choose_configuration", "plan_sweep", "run_configuration",
           "run_sweep", "summarize_trials", "top_scores", "trials_frame"]

#: The score every choice is made on (validation tracks, majority vote of segments).
SELECT_ON = "track_accuracy"


@dataclass(frozen=True)
class SweepTrial:
    """One trial of a one-factor sweep: ``factor`` set to ``value`` (the others at the
    recipe's), trained with ``seed``; ``settings`` are what ``train_run`` receives."""

    factor: str
    value: Any
    seed: int
    settings: dict[str, Any]


def plan_sweep(spec: RunSpec, space: Space | None = None, *, seeds: int = 1) -> list[SweepTrial]:
    """Every trial of a one-factor-at-a-time sweep, in order (factor, value, seed).

    Parameters
    ----------
    spec : RunSpec
        The recipe every factor is varied from (model, options, profile, features).
    space : mapping {factor: values or None}, optional
        None: every Table 1 factor that applies to the model, with the study's values.
    seeds : int
        Training seeds per value (0, 1, ...).

    Raises
    ------
    ValueError
        Naming a bad factor or value and what is accepted, before any training.
    """
    if seeds < 1:
        raise ValueError(f"seeds must be >= 1, got {seeds}")
    checked = check_factors(spec.model, space)
    base = base_settings(spec)
    return [SweepTrial(name, value, seed, apply_settings(spec.model, base, {name: value}))
            for name, values in checked.items() for value in values for seed in range(seeds)]


def _report(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_sweep(data: DataSource, spec: RunSpec, *, out_dir: str | Path, space: Space | None = None,
              seeds: int = 1, cache_dir: str | Path | None = None, verbose: int | str = 0,
              report: Callable[[str], None] | None = _report) -> pd.DataFrame:
    """Run (or resume) a one-factor-at-a-time sweep and return its records as a DataFrame
    (one row per (factor, value, seed), the records file's order).

    Parameters
    ----------
    data : str, path or DatasetIndex
    spec : RunSpec
        The recipe (model, builder options for every trial, profile, epochs, features) and
        the split: made once from ``spec.split`` and ``spec.seed``, so every trial sees the
        same validation tracks.
    out_dir : str or Path
        Records go to ``out_dir/trials.jsonl``, runs to ``out_dir/runs/<key>``.
    space : mapping {factor: values or None}, optional
        As ``plan_sweep``.
    seeds : int
    report : callable, optional
        Gets one line per trial (None: silent).

    Returns
    -------
    pd.DataFrame
        ``trials_frame`` of this sweep's records.

    Each finished trial appends one record (atomically): factor, value, seed, ``key``,
    ``config`` (the trial's whole identity), validation and test scores, the validation
    tracks' predictions, epochs, seconds, device. Run again, it skips every trial whose
    record holds the same key, so an interrupted sweep resumes and loses at most the trial
    in progress; a changed configuration or dataset has another key and is trained anew.

    Notebook: 06_tuning.ipynb
    """
    trials = plan_sweep(spec, space, seeds=seeds)
    ctx = prepare_context(data, spec, out_dir=out_dir, cache_dir=cache_dir, verbose=verbose)
    path = Path(out_dir) / RECORDS_FILE
    current = []
    for number, trial in enumerate(trials, start=1):
        outcome = run_trial(ctx, trial, path)
        current.append(outcome["record"])
        if report:
            r = outcome["record"]
            _line = (f"[{number}/{len(trials)}] {trial.factor}={trial.value} seed {trial.seed}: "
                     f"valid accuracy {r['valid'][SELECT_ON]:.3f}")
            status = outcome["status"]
            report(_line + (f" ({r['seconds']:.1f} s)" if status == "trained" else
                            f" (same run as {r['shared_with']})" if status == "shared" else
                            " (finished before)"))
    return trials_frame(current)


def run_configuration(data: DataSource, spec: RunSpec, *, out_dir: str | Path,
                      changes: Mapping[str, Any], seeds: int = 1,
                      cache_dir: str | Path | None = None, verbose: int | str = 0,
                      report: Callable[[str], None] | None = _report) -> pd.DataFrame:
    """Train one configuration: the recipe of ``spec`` with every ``{factor: value}`` of
    ``changes`` applied at once (e.g. a sweep's ``choose_configuration``), on the sweep's
    split. Its records (factor "combined") go to the same records file and resume the
    same way. Notebook: 06_tuning.ipynb
    """
    settings = apply_settings(spec.model, base_settings(spec), changes)
    ctx = prepare_context(data, spec, out_dir=out_dir, cache_dir=cache_dir, verbose=verbose)
    path = Path(out_dir) / RECORDS_FILE
    current = []
    for seed in range(seeds):
        outcome = run_trial(ctx, SweepTrial("combined", dict(changes), seed, settings), path)
        current.append(outcome["record"])
        if report:
            report(f"[combined seed {seed}] valid accuracy {outcome['record']['valid'][SELECT_ON]:.3f} "
                   f"({outcome['status']})")
    return trials_frame(current)


def run_trial(ctx: SweepContext, trial: SweepTrial, path: Path) -> dict[str, Any]:
    """Make sure ``trial`` has a record in ``path``: "done" when it already has one,
    "shared" when another factor's record is the same run, else "trained"."""
    identity = ctx.identity(trial.settings, trial.seed)
    key = trial_key(identity)
    value = normalised(trial.value)
    records = read_records(path)
    for record in records:
        if record.get("key") == key and record.get("factor") == trial.factor and record.get("value") == value:
            return {"status": "done", "record": record}
    same = next((r for r in records if r.get("key") == key), None)
    head = {"kind": "sweep", "factor": trial.factor, "value": value, "seed": trial.seed,
            "key": key, "config": identity, "data_fingerprint": ctx.fingerprint}
    if same is not None:
        record = {**{k: v for k, v in same.items() if k not in head}, **head,
                  "shared_with": f"{same['factor']}={same['value']}"}
        status = "shared"
    else:
        record = {**head, **ctx.train(trial.settings, trial.seed)}
        status = "trained"
    append_record(path, record)
    return {"status": status, "record": record}


def trials_frame(records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Records as a table: factor, value, seed, valid/test track accuracy, valid segment
    accuracy, epochs, seconds, seconds_per_epoch, shared (trained for another factor), key."""
    rows = [{"factor": r.get("factor"), "value": r.get("value"), "seed": r.get("seed"),
             "valid_accuracy": (r.get("valid") or {}).get(SELECT_ON),
             "valid_segment_accuracy": (r.get("valid") or {}).get("segment_accuracy"),
             "test_accuracy": (r.get("test") or {}).get(SELECT_ON),
             "epochs": r.get("epochs"), "seconds": r.get("seconds"),
             "seconds_per_epoch": r.get("seconds_per_epoch"),
             "train_segments": r.get("train_segments"), "device": r.get("device"),
             "shared": bool(r.get("shared_with")), "key": r.get("key")} for r in records]
    columns = ["factor", "value", "seed", "valid_accuracy", "valid_segment_accuracy",
               "test_accuracy", "epochs", "seconds", "seconds_per_epoch", "train_segments",
               "device", "shared", "key"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["value"] = pd.Series([r.get("value") for r in records], dtype=object)  # 3 stays 3
    return frame


def summarize_trials(trials: pd.DataFrame | Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One row per (factor, value), in the order first seen: ``seeds`` (how many), mean,
    standard deviation (0 for one seed), min and max of the validation track accuracy over
    seeds, mean validation segment accuracy, mean test accuracy (recorded, never used to
    choose), mean epochs and seconds.
    Notebook: 06_tuning.ipynb
    """
    frame = trials if isinstance(trials, pd.DataFrame) else trials_frame(trials)
    if frame.empty:
        return pd.DataFrame(columns=["factor", "value", "seeds", "valid_mean", "valid_std",
                                     "valid_min", "valid_max", "valid_segment_mean",
                                     "test_mean", "epochs", "seconds"])
    frame = frame.assign(value_key=frame["value"].map(repr))
    rows = []
    for (factor, _), group in frame.groupby(["factor", "value_key"], sort=False):
        scores = group["valid_accuracy"].to_numpy(dtype=float)
        rows.append({"factor": factor, "value": group["value"].iloc[0], "seeds": int(len(group)),
                     "valid_mean": float(scores.mean()),
                     "valid_std": float(scores.std(ddof=1)) if len(scores) > 1 else 0.0,
                     "valid_min": float(scores.min()), "valid_max": float(scores.max()),
                     "valid_segment_mean": float(group["valid_segment_accuracy"].mean()),
                     "test_mean": float(group["test_accuracy"].mean()),
                     "epochs": float(group["epochs"].mean()),
                     "seconds": float(group["seconds"].mean())})
    summary = pd.DataFrame(rows)
    summary["value"] = pd.Series([row["value"] for row in rows], dtype=object)
    return summary


def choose_configuration(trials: pd.DataFrame | Sequence[dict[str, Any]]) -> dict[str, Any]:
    """For each factor the value with the highest mean validation track accuracy over seeds
    (ties, within ``SCORE_TOLERANCE`` (``top_scores``): the higher mean validation segment
    accuracy, then the first value tried). Test scores are never read.
    Notebook: 06_tuning.ipynb
    """
    summary = summarize_trials(trials)
    summary = summary[summary["factor"].isin(list(FACTORS))]
    chosen: dict[str, Any] = {}
    for factor, group in summary.groupby("factor", sort=False):
        row = best_row(group["valid_mean"].to_numpy(dtype=float), group["valid_segment_mean"].to_numpy(dtype=float))
        chosen[factor] = group["value"].iloc[row]
    return chosen


def best_row(valid: np.ndarray, segment: np.ndarray) -> int:
    """The row chosen on validation: the highest ``valid`` score (ties within
    ``SCORE_TOLERANCE``: ``top_scores``), then the higher ``segment`` score, then the first
    row; the first row when no ``valid`` score is a number. ``choose_configuration`` (a
    factor's values) and ``best_search_trial`` (the search's trials) choose with it.
    Notebook: 06_tuning.ipynb
    """
    best = top_scores(valid)
    if not len(best):  # no score at all: the first row
        best = np.arange(len(valid))
    finer = np.asarray(segment, dtype=float)[best]
    return int(best[top_scores(finer)][0] if np.isfinite(finer).any() else best[0])


#: Two mean scores closer than this are tied: means over seeds of the same counts can differ
#: in their last bits (0.70 + 0.72 + 0.93 against 0.70 + 0.71 + 0.94).
SCORE_TOLERANCE = 1e-9


def top_scores(scores: np.ndarray) -> np.ndarray:
    """Indices (ascending) of the scores tied with the highest, within ``SCORE_TOLERANCE``;
    NaN never ranks. Empty when every score is NaN. Notebook: 06_tuning.ipynb"""
    scores = np.asarray(scores, dtype=float)
    if not np.isfinite(scores).any():
        return np.arange(0)
    return np.flatnonzero(np.abs(scores - np.nanmax(scores)) <= SCORE_TOLERANCE)


def factor_order(names: Sequence[str]) -> list[str]:
    """``names`` in Table 1's order."""
    return sorted(names, key=list(FACTORS).index)
