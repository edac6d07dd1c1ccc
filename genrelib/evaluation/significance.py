"""Is model A better than model B on the same tracks? McNemar's exact test and the study's
paired t-test on per-track correctness, and the side-by-side ``PairedComparison``. McNemar
uses only the tracks where exactly one model is right and is exact at any size; the t-test
uses every track and a normal approximation. Chapter 7 explains which question each answers.

Notebook: 07_evaluation.ipynb
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import binomtest, ttest_rel

from genrelib.evaluation.result import EvaluationResult


@dataclass(frozen=True)
class PairedTest:
    """A paired test of models A and B on the same tracks: ``test`` ("mcnemar_exact" or
    "paired_t"), ``statistic``, two-sided ``pvalue``, ``df`` (t-test only) and the 2 x 2
    counts of tracks ``both_right``, ``only_a_right``, ``only_b_right``, ``both_wrong``.

    Notebook: 07_evaluation.ipynb
    """

    test: str
    statistic: float
    pvalue: float
    both_right: int
    only_a_right: int
    only_b_right: int
    both_wrong: int
    df: int | None = None

    @property
    def n_tracks(self) -> int:
        return self.both_right + self.only_a_right + self.only_b_right + self.both_wrong

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (an infinite statistic becomes None)."""
        finite = math.isfinite(self.statistic)
        return {"test": self.test, "statistic": float(self.statistic) if finite else None,
                "pvalue": float(self.pvalue), "df": self.df, "n_tracks": self.n_tracks,
                "both_right": self.both_right, "only_a_right": self.only_a_right,
                "only_b_right": self.only_b_right, "both_wrong": self.both_wrong}


def paired_counts(correct_a: Sequence[bool], correct_b: Sequence[bool]
                  ) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """The 2 x 2 table of two models' per-track correctness.

    Parameters
    ----------
    correct_a, correct_b : sequence of bool, shape (n_tracks,)
        Whether model A (B) got each track right, the same tracks in the same order.

    Returns
    -------
    a, b : np.ndarray of bool, shape (n_tracks,)
    counts : dict
        Tracks ``both_right``, ``only_a_right``, ``only_b_right`` and ``both_wrong``.

    Notebook: 07_evaluation.ipynb
    """
    a, b = np.asarray(correct_a, dtype=bool), np.asarray(correct_b, dtype=bool)
    if a.ndim != 1 or a.shape != b.shape or len(a) == 0:
        raise ValueError(f"need one correctness value per track for both models, got "
                         f"{a.shape} and {b.shape}")
    counts = {"both_right": int(np.sum(a & b)), "only_a_right": int(np.sum(a & ~b)),
              "only_b_right": int(np.sum(~a & b)), "both_wrong": int(np.sum(~a & ~b))}
    return a, b, counts


def mcnemar_exact(correct_a: Sequence[bool], correct_b: Sequence[bool]) -> PairedTest:
    """McNemar's exact test: on the tracks where exactly one model is right, is one of them
    right more often than a fair coin would be?

    Parameters
    ----------
    correct_a, correct_b : sequence of bool, shape (n_tracks,)
        Whether model A (B) got each track right.

    Returns
    -------
    PairedTest
        With b tracks only A got right and c only B: the two-sided p-value of b under
        Binomial(b + c, 1/2) (1.0 when b + c = 0) and the statistic min(b, c).

    Notebook: 07_evaluation.ipynb
    """
    _, _, counts = paired_counts(correct_a, correct_b)
    b, c = counts["only_a_right"], counts["only_b_right"]
    pvalue = float(binomtest(b, b + c, 0.5).pvalue) if b + c else 1.0
    return PairedTest(test="mcnemar_exact", statistic=float(min(b, c)), pvalue=pvalue, **counts)


def bonferroni_bar(n_tests: int, family_alpha: float = 0.05) -> float:
    """Bonferroni's bar: the p-value below which one of ``n_tests`` tests counts, so that the
    chance of any false alarm among them all stays at most ``family_alpha``.

    Parameters
    ----------
    n_tests : int, >= 1
        How many tests were made (every one, not only those shown).
    family_alpha : float in (0, 1)

    Returns
    -------
    float
        ``family_alpha / n_tests``.

    Notebooks: 07_evaluation.ipynb, 08_small_data.ipynb, 10_transfer_learning.ipynb
    """
    if n_tests < 1 or not 0 < family_alpha < 1:
        raise ValueError(f"Bonferroni's bar needs n_tests >= 1 and 0 < family_alpha < 1; got "
                         f"n_tests={n_tests}, family_alpha={family_alpha}")
    return family_alpha / n_tests


def holm_passed(pvalues: Sequence[float], family_alpha: float = 0.05) -> np.ndarray:
    """Holm's step-down procedure: which of several tests count, with Bonferroni's guarantee
    (a chance of at most ``family_alpha`` of any false alarm among them all) and never fewer
    passes. The smallest p-value must be below ``family_alpha / m``, the next smallest below
    ``family_alpha / (m - 1)``, and so on; the first that is not stops it (that test and every
    one with a larger p fail).

    Parameters
    ----------
    pvalues : sequence of float, length m >= 1
        Every test made, not only those shown.
    family_alpha : float in (0, 1)

    Returns
    -------
    np.ndarray of bool, shape (m,)
        In the order of ``pvalues``. Ties pass or fail together.

    Notebook: 07_evaluation.ipynb
    """
    p = np.asarray(pvalues, dtype=float)
    m = len(p)
    if m < 1 or not 0 < family_alpha < 1:
        raise ValueError(f"Holm's procedure needs at least one p-value and 0 < family_alpha < 1; got "
                         f"{m} p-values, family_alpha={family_alpha}")
    order = np.argsort(p, kind="stable")
    below = p[order] < family_alpha / (m - np.arange(m))  # the k-th smallest against alpha / (m - k)
    passed = np.zeros(m, dtype=bool)
    passed[order] = np.cumprod(below).astype(bool)  # stop at the first that fails
    return passed


def cluster_sign_flip_pvalue(correct_a: Sequence[bool], correct_b: Sequence[bool], groups: Sequence[object], *,
                             exact_up_to: int = 20, n_flips: int = 100_000, seed: int = 0) -> float:
    """Two-sided p-value of a paired difference tested over groups (artists), not tracks.

    Each group's difference d = (tracks only ``a`` got right) - (tracks only ``b`` got right)
    keeps its size and gets a random sign, as it would if the two models were equally good and a
    group's tracks went together; p is the share of sign assignments whose total is at least as
    far from 0 as the observed one. With one track per group it is McNemar's exact test.

    Parameters
    ----------
    correct_a, correct_b : sequence of bool, shape (n_tracks,)
        Whether each model got each track right (the same tracks, in the same order).
    groups : sequence, shape (n_tracks,)
        Each track's group, e.g. its artist (``datasets.splits.artist_groups``).
    exact_up_to : int
        Every assignment is enumerated when at most this many groups differ; else ``n_flips``
        random assignments (seeded) estimate p.

    Returns
    -------
    float

    Notebook: 08_small_data.ipynb
    """
    a, b, groups = np.asarray(correct_a, dtype=int), np.asarray(correct_b, dtype=int), np.asarray(groups)
    if not len(a) == len(b) == len(groups):
        raise ValueError(f"need one result of each model and one group per track, got {len(a)}, {len(b)} and "
                         f"{len(groups)}")
    _, group_of = np.unique(groups, return_inverse=True)
    d = np.bincount(group_of, weights=a - b).astype(int)
    d = d[d != 0]
    if not len(d):
        return 1.0
    observed = abs(int(d.sum()))
    if len(d) <= exact_up_to:
        signs = 1 - 2 * ((np.arange(2 ** len(d))[:, None] >> np.arange(len(d))) & 1)  # every assignment
    else:
        signs = np.random.default_rng(seed).choice([-1, 1], size=(n_flips, len(d)))
    return float(np.mean(np.abs(signs @ d) >= observed))


def sign_flip_floor(n_groups: int) -> float:
    """The smallest p ``cluster_sign_flip_pvalue`` can give when ``n_groups`` groups have a net
    difference other than 0: 2 / 2**n_groups (1 for none); below 0.05 only from 6 groups on.
    Notebooks: 08_small_data.ipynb, 10_transfer_learning.ipynb"""
    if n_groups < 0:
        raise ValueError(f"n_groups must be >= 0, got {n_groups}")
    return min(1.0, 2.0 ** (1 - n_groups))


def paired_t_test(correct_a: Sequence[bool], correct_b: Sequence[bool]) -> PairedTest:
    """The study's two-tailed paired t-test on the per-track correctness of A and B.

    Parameters
    ----------
    correct_a, correct_b : sequence of bool, shape (n_tracks,), n_tracks >= 2

    Returns
    -------
    PairedTest
        t = mean(d) / (sd(d) / sqrt(n)) on n - 1 degrees of freedom for
        d = correct_a - correct_b (+1, 0 or -1 per track; ``scipy.stats.ttest_rel``). When
        every d is the same the test is degenerate: all 0 gives t = 0, p = 1; all +1 or
        all -1 gives t = +-inf, p = 0.

    Notebook: 07_evaluation.ipynb
    """
    a, b, counts = paired_counts(correct_a, correct_b)
    if len(a) < 2:
        raise ValueError(f"the paired t-test needs at least 2 tracks, got {len(a)}")
    d = a.astype(np.float64) - b.astype(np.float64)
    if np.all(d == d[0]):
        statistic, pvalue = (0.0, 1.0) if d[0] == 0 else (math.copysign(math.inf, d[0]), 0.0)
    else:
        result = ttest_rel(a.astype(np.float64), b.astype(np.float64))
        statistic, pvalue = float(result.statistic), float(result.pvalue)
    return PairedTest(test="paired_t", statistic=statistic, pvalue=pvalue, df=len(a) - 1, **counts)


@dataclass(frozen=True)
class PairedComparison:
    """Two evaluations on the same tracks, side by side.

    ``track_ids`` (n_tracks,) in A's order; ``true``, ``pred_a``, ``pred_b`` (n_tracks,)
    genre names; ``a``/``b`` the EvaluationResults, ``names`` what to call them;
    ``mcnemar`` and ``t_test`` the PairedTests of their per-track correctness.
    """

    names: tuple[str, str]
    track_ids: np.ndarray
    true: np.ndarray
    pred_a: np.ndarray
    pred_b: np.ndarray
    a: EvaluationResult
    b: EvaluationResult
    mcnemar: PairedTest
    t_test: PairedTest

    @property
    def differ(self) -> np.ndarray:
        """(n_tracks,) bool: the tracks where A and B predict different genres."""
        return self.pred_a != self.pred_b

    def to_dict(self) -> dict[str, Any]:
        """JSON record: ``a``/``b`` {run, track_accuracy, track_accuracy_ci, macro_f1 and, when
        some tracks were that run's training tracks, seen_in_training}, ``n_tracks``, ``aggregation``,
        ``mcnemar``, ``t_test``, ``differ`` [{track_id, true, a, b}] (the genres each predicts where
        they differ) and, when some clips were not scored, ``skipped`` (the evaluations' own)."""
        def side(name: str, result: EvaluationResult) -> dict[str, Any]:
            seen = result.extra.get("seen_in_training")  # the run's own training tracks among them
            return {"run": name, "track_accuracy": result.track_accuracy,
                    "track_accuracy_ci": [float(v) for v in result.track_accuracy_ci],
                    "macro_f1": result.macro_f1, **({"seen_in_training": seen} if seen else {})}

        return {
            "a": side(self.names[0], self.a), "b": side(self.names[1], self.b),
            "n_tracks": int(len(self.track_ids)), "aggregation": self.a.method,
            "mcnemar": self.mcnemar.to_dict(), "t_test": self.t_test.to_dict(),
            **({"skipped": skipped} if (skipped := self.a.extra.get("skipped") or self.b.extra.get("skipped")) else {}),
            "differ": [{"track_id": str(t), "true": str(g), "a": str(pa), "b": str(pb)}
                       for t, g, pa, pb, d in zip(self.track_ids, self.true, self.pred_a,
                                                  self.pred_b, self.differ) if d],
        }


def compare_predictions(a: EvaluationResult, b: EvaluationResult, *,
                        names: Sequence[str] = ("a", "b")) -> PairedComparison:
    """Pair two evaluations track by track (by track id, genres by name, so the models may
    know different genre lists) and run ``mcnemar_exact`` and ``paired_t_test`` on their
    per-track correctness. ValueError names tracks only one of them scored, or a track
    whose true genre they disagree on.
    Notebook: 07_evaluation.ipynb
    """
    ids_a, ids_b = set(map(str, a.track_ids)), set(map(str, b.track_ids))
    if ids_a != ids_b:
        only_a, only_b = sorted(ids_a - ids_b), sorted(ids_b - ids_a)
        raise ValueError(f"the two evaluations must cover the same tracks: {len(only_a)} only in "
                         f"{names[0]} {only_a[:5]}, {len(only_b)} only in {names[1]} {only_b[:5]}")
    row = {str(t): r for r, t in enumerate(b.track_ids)}
    order = np.array([row[str(t)] for t in a.track_ids])
    genres_a, genres_b = np.array(a.genres), np.array(b.genres)
    true, true_b = genres_a[a.track_true], genres_b[b.track_true[order]]
    pred_a, pred_b = genres_a[a.track_pred], genres_b[b.track_pred[order]]
    wrong = np.flatnonzero(true != true_b)
    if len(wrong):
        raise ValueError(f"the two evaluations disagree on the true genre of track "
                         f"{str(a.track_ids[wrong[0]])!r}: {str(true[wrong[0]])!r} vs "
                         f"{str(true_b[wrong[0]])!r}")
    correct_a, correct_b = pred_a == true, pred_b == true
    return PairedComparison(
        names=(str(names[0]), str(names[1])), track_ids=np.asarray(a.track_ids), true=true,
        pred_a=pred_a, pred_b=pred_b, a=a, b=b,
        mcnemar=mcnemar_exact(correct_a, correct_b), t_test=paired_t_test(correct_a, correct_b))
