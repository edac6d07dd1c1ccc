"""Hyper-parameter tuning: the study's one-factor-at-a-time Table 1 from resumable sweeps,
and a joint search over the same space (Optuna TPE) with the same budget.

``space`` (the factors and what they accept), ``records`` (the atomic records file),
``trials`` (one trial = one ``train_run`` on a fixed split), ``sweep`` (one factor at a
time), ``search`` (the joint search) and ``analysis`` (Table 1, noise, seeds, cost); the figure is
``genrelib.plots.plot_factor_sweeps``. ``genrelib tune`` is the command line over them.
Notebook: 06_tuning.ipynb
"""

from genrelib.tuning.analysis import (compare_strategies, grid_cost, seed_winners, sweep_budget,
                                      table1, validation_interval, validation_noise)
from genrelib.tuning.records import RECORDS_FILE, SEARCH_FILE, read_records
from genrelib.tuning.search import best_search_trial, joint_search, search_frame, startup_trials
from genrelib.tuning.space import FACTORS, STUDY_TABLE1, check_factors
from genrelib.tuning.sweep import (choose_configuration, plan_sweep, run_configuration, run_sweep,
                                   summarize_trials, top_scores, trials_frame)

__all__ = ["FACTORS", "RECORDS_FILE", "SEARCH_FILE", "STUDY_TABLE1", "best_search_trial", "check_factors",
           "choose_configuration", "compare_strategies", "grid_cost", "joint_search",
           "plan_sweep", "read_records", "run_configuration", "run_sweep", "search_frame", "startup_trials",
           "seed_winners", "summarize_trials", "sweep_budget", "table1", "top_scores", "trials_frame",
           "validation_interval", "validation_noise"]
