"""A joint search over the same space with Optuna's TPE sampler, on a fixed budget of trials.

One-factor-at-a-time never tries two changed factors together. Here every trial sets
*every* factor at once (categorical choices over the same values), Optuna's
Tree-structured Parzen Estimator proposes the next configuration from the scores so far,
and the search stops after ``budget`` trials. A trial that repeats a configuration already
scored in this search is read back (it costs no training but still counts against the
budget). A configuration the one-factor sweep (or its combined run) already trained in the
same folder, with the same seed, is read from the sweep's records instead of trained again;
it keeps its training's seconds and counts as a training, so the search's cost stays what it
would be alone. Records go to ``out_dir/search.jsonl``; run again, finished trials are
replayed into the sampler and the search continues up to the budget.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from genrelib.datasets.source import DataSource
from genrelib.pipeline import RunSpec
from genrelib.tuning.records import (RECORDS_FILE, SEARCH_FILE, append_record, normalised, read_records,
                                     trial_key)
from genrelib.tuning.space import Space, apply_settings, base_settings, check_factors
from genrelib.tuning.sweep import SELECT_ON, _report, best_row
from genrelib.tuning.trials import prepare_context

__all__ = ["best_search_trial", "joint_search", "search_frame", "startup_trials"]


def _optuna() -> Any:
    try:
        import optuna
    except ImportError:  # pragma: no cover - optuna is pinned in the [tune] extra
        raise ImportError("the joint search needs Optuna: pip install -e '.[tune]'") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def startup_trials(budget: int) -> int:
    """How many of ``budget`` trials TPE draws at random before it models the scores:
    ``min(10, max(2, budget // 3))`` (at most the budget). Notebook: 06_tuning.ipynb"""
    return min(budget, 10, max(2, budget // 3))


def joint_search(data: DataSource, spec: RunSpec, *, out_dir: str | Path, budget: int,
                 space: Space | None = None, seeds: int = 1, sampler_seed: int = 0,
                 cache_dir: str | Path | None = None, verbose: int | str = 0,
                 report: Callable[[str], None] | None = _report) -> pd.DataFrame:
    """Optuna TPE over every factor jointly: exactly ``budget`` trials, each the mean
    validation track accuracy over ``seeds`` training seeds (``seeds`` records per trial).

    Parameters
    ----------
    data, spec, out_dir, space, seeds, cache_dir, verbose, report
        As ``run_sweep`` (so its trials are comparable with the sweep's).
    budget : int
        Trials; TPE starts with ``startup_trials(budget)`` random ones, then models good
        and bad configurations separately.
    sampler_seed : int

    Returns
    -------
    pd.DataFrame
        One row per record (``search_frame``); resumable like the sweep (a changed space,
        data or setting starts a new search in the same file).

    Notebook: 06_tuning.ipynb
    """
    if budget < 1:
        raise ValueError(f"budget must be >= 1 trial, got {budget}")
    if seeds < 1:
        raise ValueError(f"seeds must be >= 1, got {seeds}")
    model = spec.model
    space = check_factors(model, space)
    base = base_settings(spec)
    ctx = prepare_context(data, spec, out_dir=out_dir, cache_dir=cache_dir, verbose=verbose)
    search_id = trial_key({"space": space, "base": ctx.identity(base, 0), "seeds": seeds,
                           "sampler_seed": sampler_seed})
    path = Path(out_dir) / SEARCH_FILE
    optuna = _optuna()
    distributions = {name: optuna.distributions.CategoricalDistribution(list(normalised(list(values))))
                     for name, values in space.items()}
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(
        seed=sampler_seed, n_startup_trials=startup_trials(budget)))
    by_trial: dict[int, dict[int, dict[str, Any]]] = {}
    for r in read_records(path):
        if r.get("search_id") == search_id:
            by_trial.setdefault(int(r["trial"]), {})[int(r["seed"])] = r
    done = sorted(by_trial)[:budget]
    for number in done:  # replay finished trials into the sampler (an interrupted one finished)
        rows, params = by_trial[number], next(iter(by_trial[number].values()))["params"]
        for seed in range(seeds):
            if seed not in rows:
                rows[seed] = _search_trial(ctx, path, apply_settings(model, base, params), seed,
                                           number=number, params=params, search_id=search_id)
        study.add_trial(optuna.trial.create_trial(
            params=params, distributions=distributions,
            value=sum(rows[s]["valid"][SELECT_ON] for s in range(seeds)) / seeds))
    for number in range(len(done), budget):
        trial = study.ask(distributions)
        params = dict(trial.params)
        settings = apply_settings(model, base, params)
        scores = []
        for seed in range(seeds):
            record = _search_trial(ctx, path, settings, seed, number=number, params=params,
                                   search_id=search_id)
            scores.append(record["valid"][SELECT_ON])
        study.tell(trial, sum(scores) / len(scores))
        if report:
            report(f"[search {number + 1}/{budget}] {params}: valid accuracy "
                   f"{sum(scores) / len(scores):.3f}")
    records = [r for r in read_records(path) if r.get("search_id") == search_id and r["trial"] < budget]
    return search_frame(records)


def _search_trial(ctx: Any, path: Path, settings: dict[str, Any], seed: int, *, number: int,
                  params: dict[str, Any], search_id: str) -> dict[str, Any]:
    """Record trial ``number``'s run with ``seed``: read back when this search scored the
    same configuration before (``repeat_of`` its trial), copied from the sweep's records
    when the sweep trained it (``from_sweep`` names the sweep's factor=value; it keeps the
    training's seconds), else trained."""
    identity = ctx.identity(settings, seed)
    key = trial_key(identity)
    head = {"kind": "search", "search_id": search_id, "trial": number, "params": params,
            "seed": seed, "key": key, "config": identity, "data_fingerprint": ctx.fingerprint}
    same = next((r for r in read_records(path) if r.get("key") == key
                 and r.get("search_id") == search_id), None)
    swept = None if same is not None else next(
        (r for r in read_records(path.parent / RECORDS_FILE) if r.get("key") == key), None)
    if same is not None:
        record = {**{k: v for k, v in same.items() if k not in head}, **head,
                  "repeat_of": same["trial"], "from_sweep": None}
    elif swept is not None:
        sweep_only = {"factor", "value", "shared_with"}
        record = {**{k: v for k, v in swept.items() if k not in head and k not in sweep_only}, **head,
                  "repeat_of": None, "from_sweep": f"{swept['factor']}={json.dumps(swept['value'])}"}
    else:
        record = {**head, **ctx.train(settings, seed), "repeat_of": None, "from_sweep": None}
    append_record(path, record)
    return record


def search_frame(records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Search records as a table: trial, seed, one column per factor, valid/test track
    accuracy (and the validation segment accuracy), trained (False for a repeat read back; True for
    a configuration copied from the sweep, whose training it shares), from_sweep (copied from the
    sweep's records: no new
    training), seconds (0 for a repeat).
    """
    rows = []
    for r in records:
        trained = r.get("repeat_of") is None
        rows.append({"trial": r["trial"], "seed": r["seed"], **r["params"],
                     "valid_accuracy": r["valid"][SELECT_ON],
                     "valid_segment_accuracy": r["valid"].get("segment_accuracy"),
                     "test_accuracy": (r.get("test") or {}).get(SELECT_ON),
                     "trained": trained, "from_sweep": trained and bool(r.get("from_sweep")),
                     "seconds": float(r["seconds"]) if trained else 0.0,
                     "epochs": r.get("epochs") if trained else 0, "key": r["key"]})
    return pd.DataFrame(rows).sort_values(["trial", "seed"], ignore_index=True) if rows else pd.DataFrame(
        columns=["trial", "seed", "valid_accuracy", "valid_segment_accuracy", "test_accuracy", "trained",
                 "from_sweep", "seconds", "epochs", "key"])


def best_search_trial(search: pd.DataFrame) -> int:
    """The joint search's best trial, by the sweep's rule (``choose_configuration``): the
    highest mean validation track accuracy over seeds, ties within ``SCORE_TOLERANCE``
    (``top_scores``) broken by the higher mean validation segment accuracy, then the first
    trial. Test scores are never read. Notebook: 06_tuning.ipynb
    """
    if search.empty:
        raise ValueError("the joint search has no trial yet: run joint_search with a budget of at least 1")
    by_trial = search.groupby("trial")[["valid_accuracy", "valid_segment_accuracy"]].mean()
    return int(by_trial.index[best_row(by_trial["valid_accuracy"].to_numpy(dtype=float),
                                       by_trial["valid_segment_accuracy"].to_numpy(dtype=float))])
