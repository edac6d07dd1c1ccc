"""Reading a sweep: Table 1, the noise of a validation accuracy, seeds, cost, strategies."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from genrelib.config import GTZAN_TRACKS_PER_GENRE, GTZAN_GENRES, FeatureConfig, get_profile
from genrelib.pipeline import RunSpec
from genrelib.evaluation import bootstrap_interval
from genrelib.tuning.search import best_search_trial
from genrelib.tuning.space import FACTORS
from genrelib.tuning.sweep import SELECT_ON, choose_configuration, plan_sweep, summarize_trials, top_scores

__all__ = ["TABLE1_ACCURACY", "compare_strategies", "grid_cost", "measured_rates", "seed_winners", "sweep_budget",
           "table1", "validation_interval", "validation_noise"]


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


#: :func:`table1`'s column of our choice's validation accuracy: one factor changed, the others
#: at the recipe's values.
TABLE1_ACCURACY = "our choice's valid accuracy (others at the recipe)"


def table1(trials: pd.DataFrame, *, chosen: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The study's Table 1 beside ours, one row per factor swept: the values we tried, our
    choice (``choose_configuration``) with its mean validation accuracy and the spread
    (min-max) over seeds, measured with every other factor at the recipe's value (the sweep
    changes one factor at a time; the combination of all choices is trained apart,
    ``run_configuration``), then what the study tried, chose and reports.
    Notebook: 06_tuning.ipynb
    """
    summary = summarize_trials(trials)
    chosen = dict(chosen or choose_configuration(trials))
    rows = []
    for factor, group in summary.groupby("factor", sort=False):
        if factor not in FACTORS:
            continue
        f, best = FACTORS[factor], chosen[factor]
        row = group[group["value"].map(repr) == repr(best)].iloc[0]
        rows.append({"factor": f.label, "values tried": ", ".join(map(_fmt, group["value"])),
                     "our choice": _fmt(best),
                     TABLE1_ACCURACY: f"{row.valid_mean:.3f} ({row.valid_min:.3f}-{row.valid_max:.3f}, "
                                       f"{row.seeds} seed{'s' if row.seeds > 1 else ''})",
                     "the study tried": ", ".join(map(_fmt, f.study_values)),
                     "the study chose": _fmt(f.study_choice), "the study reports": f.study_note})
    return pd.DataFrame(rows).set_index("factor")


def validation_noise(n_tracks: int, accuracy: float, *, level: float = 0.95) -> dict[str, float]:
    """How coarse and how noisy an accuracy on ``n_tracks`` validation tracks is: ``step``
    (1/n, the smallest change possible), the binomial standard error
    sqrt(p (1 - p) / n), the half-width of the normal ``level`` interval, and
    ``smallest_difference``: z * sqrt(2) * SE, the gap two configurations' accuracies need
    before it exceeds what chance alone gives (two independent estimates; a rough guide).
    Notebook: 06_tuning.ipynb
    """
    if n_tracks < 1:
        raise ValueError(f"n_tracks must be >= 1, got {n_tracks}")
    if not 0 <= accuracy <= 1:
        raise ValueError(f"accuracy must be in [0, 1], got {accuracy}")
    z = float(norm.ppf(0.5 + level / 2))
    se = math.sqrt(accuracy * (1 - accuracy) / n_tracks)
    return {"n_tracks": n_tracks, "accuracy": accuracy, "step": 1 / n_tracks, "standard_error": se,
            "half_width": z * se, "smallest_difference": z * math.sqrt(2) * se}


def validation_interval(records: Sequence[dict[str, Any]], *, key: str, level: float = 0.95,
                        seed: int = 0) -> dict[str, float]:
    """The validation accuracy of the trial ``key`` with a percentile bootstrap interval over
    its validation tracks (``evaluation.bootstrap_interval`` on the recorded predictions).
    Notebook: 06_tuning.ipynb
    """
    record = next((r for r in records if r.get("key") == key), None)
    if record is None or not record.get("valid_tracks"):
        raise ValueError(f"no record with validation predictions for trial {key!r}")
    true, pred = record["valid_tracks"]["true"], record["valid_tracks"]["pred"]
    low, high = bootstrap_interval(true, pred, level=level, seed=seed)
    return {"accuracy": float(np.mean(np.equal(true, pred))), "low": low, "high": high,
            "n_tracks": len(true)}


def seed_winners(trials: pd.DataFrame) -> pd.DataFrame:
    """Per factor, the value each seed alone would choose (``choose_configuration`` on that
    seed's trials), the choice of the mean over seeds, whether every seed agrees, and ``ties``:
    the seeds whose best validation track accuracy was shared by two or more values, so that
    the tie-break (segment accuracy, then the first value tried) chose for them ("–" for none).
    Agreement that rests on ties says little about the factor.
    Notebook: 06_tuning.ipynb
    """
    trials = trials[trials["factor"].isin(list(FACTORS))]
    seeds = sorted(trials["seed"].unique())
    per_seed = {s: choose_configuration(trials[trials["seed"] == s]) for s in seeds}
    tied = {s: _tied_factors(trials[trials["seed"] == s]) for s in seeds}
    overall = choose_configuration(trials)
    rows = {factor: {**{f"seed {s}": _fmt(per_seed[s][factor]) for s in seeds},
                     "mean over seeds": _fmt(overall[factor]),
                     "seeds agree": len({repr(per_seed[s][factor]) for s in seeds}) == 1,
                     "ties": ", ".join(f"seed {s}" for s in seeds if factor in tied[s]) or "–"}
            for factor in overall}
    return pd.DataFrame(rows).T.rename_axis("factor")


def _tied_factors(trials: pd.DataFrame) -> set[str]:
    """The factors whose highest mean validation track accuracy in ``trials`` two or more
    values share."""
    summary = summarize_trials(trials)
    return {factor for factor, group in summary.groupby("factor", sort=False)
            if len(top_scores(group["valid_mean"].to_numpy(dtype=float))) > 1}


def sweep_budget(trials: pd.DataFrame) -> int:
    """The number of distinct configurations a sweep trained (its trials less the ones that
    shared a run), the budget a fair joint search gets. Notebook: 06_tuning.ipynb
    """
    trained = trials[~trials["shared"]]
    return int(len(trained) // max(1, trials["seed"].nunique()))


def measured_rates(runs: Sequence[Any]) -> pd.DataFrame:
    """What finished runs measured, as :func:`grid_cost` reads it.

    Parameters
    ----------
    runs : sequence of RunResult
        Runs of a deep model (``train_run``'s results, e.g. chapter 3's CNN).

    Returns
    -------
    pd.DataFrame
        One row per run: ``model``, ``parameters``, ``device``, ``seconds_per_epoch`` and
        ``train_segments`` (segments per training epoch).

    Notebook: 06_tuning.ipynb
    """
    return pd.DataFrame([{"model": run.config.model, "parameters": run.config.parameters,
                          "device": run.config.device, "seconds_per_epoch": run.metrics.seconds_per_epoch,
                          "train_segments": run.metrics.n_segments.train} for run in runs])


def grid_cost(measured: pd.DataFrame, *, model: str, seeds: int = 1, profile: str = "full",
              factors: Mapping[str, Sequence[Any] | None] | None = None,
              train_tracks: int = round(0.8 * len(GTZAN_GENRES) * GTZAN_TRACKS_PER_GENRE),
              devices: Sequence[str] = ("CPU", "GPU")) -> pd.DataFrame:
    """An *estimate* of the full one-factor grid's training time for ``model``.

    Every distinct configuration of the grid (``factors`` None: the study's Table 1 for
    ``model``) times ``seeds`` trains for ``profile``'s maximum epochs (the most it may train:
    early stopping may end sooner) on ``train_tracks`` (800: GTZAN's 80 %) x the segments per clip
    of its segment length, each segment costing the median seconds per training segment
    measured by the runs of ``measured`` on each device (every configuration costed at the
    measured model's rate: a larger kernel costs more, a shorter segment less).

    Parameters
    ----------
    measured : pd.DataFrame
        Runs of ``model`` at the size the grid is about (:func:`measured_rates` of e.g.
        chapter 3's CNN): ``model``, ``device``, ``seconds_per_epoch``, ``train_segments``
        and optionally ``parameters`` and ``shared`` (rows that shared a run are skipped).
    model : str
        The model kind; a row of another kind is a ValueError.

    Returns
    -------
    pd.DataFrame
        One row per device: trainings, max epochs each, segment-epochs, the measured
        ms/segment, the estimated hours ("not measured yet" without a run on that device)
        and what measured it.

    Notebook: 06_tuning.ipynb
    """
    if "model" in measured and not measured["model"].eq(model).all():
        raise ValueError(f"grid_cost for {model!r} needs runs of {model!r}, got runs of "
                         f"{sorted(set(measured['model']))}: estimate with the model the grid is about")
    grid = plan_sweep(RunSpec(model=model, profile=profile), factors, seeds=seeds)
    distinct = {repr(sorted((k, repr(v)) for k, v in t.settings.items())) + str(t.seed): t for t in grid}
    epochs = get_profile(profile).train.epochs
    segments = sum(train_tracks * FeatureConfig(segment_seconds=float(t.settings["segment_seconds"]))
                   .segments_per_clip for t in distinct.values())
    runs = measured[~measured["shared"]] if "shared" in measured else measured
    runs = runs.dropna(subset=["seconds_per_epoch", "train_segments"])
    rows = []
    for device in devices:
        mine = runs[runs["device"].fillna("").str.contains(device, case=False)]
        rate = float((mine["seconds_per_epoch"] / mine["train_segments"]).median()) if len(mine) else None
        sizes = (f", {int(mine['parameters'].median()):,} parameters" if "parameters" in mine and len(mine)
                 else "")
        rows.append({"device": device, "trainings": len(distinct), "max epochs each": epochs,
                     "segment-epochs": segments * epochs,
                     "measured ms/segment": round(rate * 1000, 2) if rate else "not measured yet",
                     "estimated hours": round(rate * segments * epochs / 3600, 1) if rate
                     else "not measured yet",
                     "measured on": (f"{len(mine)} {model} run(s){sizes}: "
                                     + ", ".join(sorted(mine["device"].unique()))) if len(mine) else ""})
    return pd.DataFrame(rows).set_index("device")


def compare_strategies(sweep: pd.DataFrame, combined: pd.DataFrame,
                       search: pd.DataFrame) -> pd.DataFrame:
    """One-factor-at-a-time against the joint search: the budget (the sweep's distinct
    configurations; the search's trials, as many), the distinct configurations they tried
    (fewer than the search's trials when it proposed one twice), trainings (runs over every
    seed; a repeat read back costs none; one copied from the sweep's records counts, as the
    search alone would have trained it; the sweep's include the run of its combined choice
    when that configuration was none of its trials), measured training seconds, the best
    configuration (the sweep's: its per-factor choices combined, scored by ``combined``, the run of
    that combination) and its mean validation accuracy over
    seeds, then its mean test accuracy (shown after the choice, never used for it).
    Notebook: 06_tuning.ipynb
    """
    chosen = choose_configuration(sweep)
    factor_cols = [c for c in search.columns if c in FACTORS]
    by_trial = search.groupby("trial").agg(valid=("valid_accuracy", "mean"), test=("test_accuracy", "mean"))
    best_trial = best_search_trial(search)
    best_params = search[search["trial"] == best_trial].iloc[0][factor_cols].to_dict()
    sweep_trained = pd.concat([sweep[~sweep["shared"]], combined[~combined["shared"]]], ignore_index=True)
    budget = sweep_budget(sweep)  # the sweep's distinct configurations
    rows = {
        "one factor at a time": {
            "budget": budget, "configurations": budget,
            "trainings": int(len(sweep_trained)),
            "seconds": round(float(sweep_trained["seconds"].sum()), 1),
            "best configuration": ", ".join(f"{k}={_fmt(v)}" for k, v in chosen.items()),
            "valid accuracy": float(combined["valid_accuracy"].mean()),
            "test accuracy": float(combined["test_accuracy"].mean())},
        "joint search (TPE)": {
            "budget": int(search["trial"].nunique()),
            "configurations": int(len(search.groupby("trial")[factor_cols].first().astype(str).drop_duplicates())),
            "trainings": int(search["trained"].sum()),
            "seconds": round(float(search["seconds"].sum()), 1),
            "best configuration": ", ".join(f"{k}={_fmt(v)}" for k, v in best_params.items()),
            "valid accuracy": float(by_trial.loc[best_trial, "valid"]),
            "test accuracy": float(by_trial.loc[best_trial, "test"])},
    }
    return pd.DataFrame(rows).T.infer_objects()  # numeric columns stay numeric (round works)
