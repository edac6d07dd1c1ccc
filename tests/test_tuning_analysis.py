"""The cost of the full tuning grid (genrelib.tuning.analysis.grid_cost): estimated from the
rate of the model the grid is about, never from another one."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from genrelib.config import FeatureConfig
from genrelib.tuning.analysis import (TABLE1_ACCURACY, grid_cost, measured_rates, seed_winners, sweep_budget,
                                      table1)


def _run(model: str, *, parameters: int, seconds_per_epoch: float, train_segments: int,
         device: str = "CPU (2 cores)") -> SimpleNamespace:
    """What grid_cost reads of a RunResult."""
    return SimpleNamespace(
        config=SimpleNamespace(model=model, parameters=parameters, device=device),
        metrics=SimpleNamespace(seconds_per_epoch=seconds_per_epoch,
                                n_segments=SimpleNamespace(train=train_segments)))


def test_the_estimate_uses_the_measured_rate_of_the_model() -> None:
    """Break tried: the rate taken as seconds per epoch alone (not / train_segments) -> fails."""
    runs = [_run("cnn", parameters=2_880_138, seconds_per_epoch=16.2, train_segments=1000),
            _run("cnn", parameters=2_880_138, seconds_per_epoch=18.0, train_segments=1000)]
    cost = grid_cost(measured_rates(runs), model="cnn", factors={"kernel_size": [3, 5]})
    segments = 2 * 800 * FeatureConfig().segments_per_clip  # kernel 3 (the recipe's) and 5, 3 s segments
    cpu = cost.loc["CPU"]
    assert cpu["trainings"] == 2 and cpu["max epochs each"] == 50
    assert cpu["measured ms/segment"] == pytest.approx(17.1)  # the median of 16.2 and 18.0
    assert cpu["estimated hours"] == pytest.approx(round(0.0171 * segments * 50 / 3600, 1))
    assert "2 cnn run(s), 2,880,138 parameters" in cpu["measured on"]
    assert cost.loc["GPU", "estimated hours"] == "not measured yet"


def test_runs_of_another_model_are_refused() -> None:
    """Break tried: the model check removed -> no error, fails."""
    measured = measured_rates([_run("crnn", parameters=400_000, seconds_per_epoch=5.0, train_segments=500)])
    with pytest.raises(ValueError, match="needs runs of 'cnn'.*'crnn'"):
        grid_cost(measured, model="cnn")


def test_shared_trials_are_skipped() -> None:
    """A sweep's trials frame still works (no model column; rows that shared a run skipped)."""
    trials = pd.DataFrame({"device": ["CPU (2 cores)"] * 2, "seconds_per_epoch": [1.0, 100.0],
                           "train_segments": [1000, 1000], "shared": [False, True]})
    assert grid_cost(trials, model="cnn").loc["CPU", "measured ms/segment"] == pytest.approx(1.0)


def _two_factor_trials() -> pd.DataFrame:
    """kernel_size 3/5 and dropout 0.25/0.5 over seeds 0 and 1; seed 0's kernels tie."""
    rows = []
    for seed, kernel, dropout in ((0, (0.5, 0.5), (0.25, 0.5)), (1, (0.5, 0.625), (0.375, 0.5))):
        for value, accuracy in zip((3, 5), kernel):
            rows.append({"factor": "kernel_size", "value": value, "seed": seed, "valid_accuracy": accuracy,
                         "valid_segment_accuracy": 0.6 if value == 5 else 0.5})
        for value, accuracy in zip((0.25, 0.5), dropout):
            rows.append({"factor": "dropout", "value": value, "seed": seed, "valid_accuracy": accuracy,
                         "valid_segment_accuracy": 0.5})
    return pd.DataFrame(rows).assign(test_accuracy=0.0, epochs=1, seconds=1.0)


def test_table1_gives_each_choice_with_its_mean_and_spread_over_seeds() -> None:
    """Break tried: the row of the first value tried read instead of the chosen one -> the
    kernel row shows 3's 0.500, fails."""
    table = table1(_two_factor_trials())
    kernel = table.loc[table.index.str.contains("kernel", case=False)].iloc[0]
    assert kernel["values tried"] == "3, 5" and kernel["our choice"] == "5"
    assert kernel[TABLE1_ACCURACY] == "0.562 (0.500-0.625, 2 seeds)"
    dropout = table.loc[table.index.str.contains("ropout")].iloc[0]
    assert dropout["our choice"] == "0.5" and dropout[TABLE1_ACCURACY] == "0.500 (0.500-0.500, 2 seeds)"
    assert list(table.columns)[-3:] == ["the study tried", "the study chose", "the study reports"]


def test_seed_winners_say_which_seeds_chose_by_a_tie() -> None:
    """Two seeds that "agree" because each broke a tie the same way tell little about the
    factor: the table names those seeds. Break tried: ``> 1`` replaced by ``> 0`` in the tie
    count -> every factor reads tied, fails."""
    table = seed_winners(_two_factor_trials())
    assert table.loc["kernel_size", "seed 0"] == "5" and table.loc["kernel_size", "seed 1"] == "5"
    assert table.loc["kernel_size", "seeds agree"] and table.loc["kernel_size", "ties"] == "seed 0"
    assert table.loc["dropout", "seeds agree"] and table.loc["dropout", "ties"] == "–"


def test_the_measured_rate_is_the_median_over_runs() -> None:
    """One slow run (30 s per epoch beside 16.2 and 18.0, 1000 segments each) does not move the
    rate: 18.0 ms per segment, the median. Break tried: median -> mean -> 21.4, fails."""
    runs = [_run("cnn", parameters=2_880_138, seconds_per_epoch=s, train_segments=1000) for s in (16.2, 18.0, 30.0)]
    cost = grid_cost(measured_rates(runs), model="cnn", factors={"kernel_size": [3, 5]})
    assert cost.loc["CPU", "measured ms/segment"] == pytest.approx(18.0)


def test_the_sweep_budget_counts_distinct_configurations_per_seed() -> None:
    """Three trials per seed over two seeds, one of each seed's sharing a run: 2 configurations
    were trained (4 trainings over both seeds). Break tried: not divided by the seeds -> 4, fails."""
    trials = pd.DataFrame({"seed": [0, 0, 0, 1, 1, 1], "shared": [False, False, True, False, False, True]})
    assert sweep_budget(trials) == 2


def test_seeds_that_choose_different_values_do_not_agree() -> None:
    """Seed 0 alone prefers kernel_size 3 and seed 1 prefers 5: "seeds agree" is False (dropout,
    chosen alike, still agrees). Break tried: ``== 1`` -> ``<= 2`` in the agreement -> True, fails."""
    trials = _two_factor_trials()
    kernel = trials["factor"] == "kernel_size"
    trials.loc[kernel, "valid_accuracy"] = [0.625, 0.5, 0.5, 0.625]  # seed 0: 3 best; seed 1: 5 best
    table = seed_winners(trials)
    assert table.loc["kernel_size", "seed 0"] == "3" and table.loc["kernel_size", "seed 1"] == "5"
    assert not table.loc["kernel_size", "seeds agree"]
    assert table.loc["dropout", "seeds agree"]
