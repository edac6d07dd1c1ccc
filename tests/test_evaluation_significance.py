"""genrelib.evaluation.significance: McNemar's exact test and the paired t-test on per-track
correctness (known p-values), and ``compare_predictions`` pairing two models' tracks by id
and genres by name."""

from __future__ import annotations

import math

import numpy as np
import pytest

from genrelib.evaluation import (bonferroni_bar, cluster_sign_flip_pvalue, compare_predictions, evaluate_predictions,
                                 holm_passed, mcnemar_exact, paired_t_test, sign_flip_floor)


def _pairs(both_right, only_a, only_b, both_wrong):
    a = [1] * both_right + [1] * only_a + [0] * only_b + [0] * both_wrong
    b = [1] * both_right + [0] * only_a + [1] * only_b + [0] * both_wrong
    return np.array(a, dtype=bool), np.array(b, dtype=bool)


@pytest.mark.parametrize("counts,pvalue", [
    ((0, 10, 0, 0), 2 * 0.5 ** 10),            # 10 discordant tracks, all one way
    ((37, 10, 0, 13), 2 * 0.5 ** 10),          # concordant tracks change nothing
    ((5, 0, 10, 5), 2 * 0.5 ** 10),            # the other way round
    ((20, 1, 4, 5), 2 * (1 + 5) / 2 ** 5),     # P(X <= 1 | 5, 1/2), doubled
    ((20, 9, 3, 5), 2 * (220 + 66 + 12 + 1) / 2 ** 12),  # 9 of 12: P(X >= 9), doubled
    ((10, 3, 3, 4), 1.0),                      # balanced
    ((10, 0, 0, 4), 1.0),                      # no discordant track at all
])
def test_mcnemar_exact_known_p_values(counts, pvalue) -> None:
    result = mcnemar_exact(*_pairs(*counts))
    assert result.pvalue == pytest.approx(pvalue, rel=1e-12)
    assert (result.both_right, result.only_a_right, result.only_b_right, result.both_wrong) == counts
    assert result.statistic == min(counts[1], counts[2]) and result.n_tracks == sum(counts)
    assert result.test == "mcnemar_exact" and result.df is None
    swapped = mcnemar_exact(*reversed(_pairs(*counts)))
    assert swapped.pvalue == pytest.approx(result.pvalue)
    assert (swapped.only_a_right, swapped.only_b_right) == (counts[2], counts[1])


def test_bonferroni_bar_shares_the_family_alpha_among_the_tests() -> None:
    assert bonferroni_bar(1) == 0.05 and bonferroni_bar(20) == pytest.approx(0.0025)
    assert bonferroni_bar(4, family_alpha=0.01) == pytest.approx(0.0025)
    # n tests each at the bar: the chance of any false alarm is at most family_alpha (union bound)
    assert 12 * bonferroni_bar(12) == pytest.approx(0.05)
    for bad in ({"n_tests": 0}, {"n_tests": 3, "family_alpha": 1.5}):
        with pytest.raises(ValueError, match="Bonferroni's bar needs"):
            bonferroni_bar(**bad)


def _holm_by_hand(pvalues, alpha=0.05):
    """Holm's procedure as a textbook states it: walk up the sorted p-values, stop at the first
    above its bar alpha / (m - k)."""
    m, passed = len(pvalues), set()
    for k, i in enumerate(sorted(range(m), key=lambda i: pvalues[i])):
        if not pvalues[i] < alpha / (m - k):
            break
        passed.add(i)
    return [i in passed for i in range(m)]


def test_holm_steps_down_and_never_passes_fewer_than_bonferroni() -> None:
    """Chapter 7's twelve p-values (baselines against deep models): Bonferroni passes 6,
    Holm 10 (0.0043 against 0.05/6, ..., 0.013 against 0.05/3; 0.031 fails 0.05/2 and stops it).
    Breaks tried: every p against alpha / m (Bonferroni) -> 6; no stop after a failure
    ([0.03, 0.04]: 0.04 < 0.05 / 1 would pass) -> fails."""
    chapter7 = [7.3e-4, 0.125, 3.4e-5, 0.002, 0.0043, 0.008, 0.012, 0.031, 3.6e-5, 4.9e-4, 0.013, 0.002]
    passed = holm_passed(chapter7)
    assert passed.tolist() == _holm_by_hand(chapter7) and passed.sum() == 10
    assert (np.asarray(chapter7) < bonferroni_bar(12)).sum() == 6
    assert holm_passed([0.01, 0.02]).tolist() == [True, True]  # 0.01 < 0.025, then 0.02 < 0.05
    assert holm_passed([0.03, 0.04]).tolist() == [False, False]  # 0.03 fails 0.025: the step down stops
    assert holm_passed([0.04]).tolist() == [True] and holm_passed([0.05]).tolist() == [False]
    rng = np.random.default_rng(0)
    for _ in range(200):
        p = rng.random(int(rng.integers(1, 15))) ** 3
        holm = holm_passed(p)
        assert holm.tolist() == _holm_by_hand(list(p)) and holm.sum() >= (p < bonferroni_bar(len(p))).sum()
    with pytest.raises(ValueError, match="Holm's procedure needs"):
        holm_passed([])


def test_the_sign_flip_over_groups_is_mcnemar_with_one_track_per_group_and_wider_when_tracks_cluster() -> None:
    """One track per group: McNemar's exact p. Five tracks only A got right, all one artist's, and
    one only B got right: McNemar p = 0.22, over artists every assignment (+-5 +-1) is as far from
    0 (p = 1). Random assignments estimate the exact p. Breaks tried: the differences summed per
    track instead of per group -> the clustered case gives 0.22; one-sided -> singletons differ."""
    rng = np.random.default_rng(1)
    for _ in range(20):
        a, b = rng.random(18) < 0.7, rng.random(18) < 0.5  # at most 18 differ: every assignment enumerated
        assert cluster_sign_flip_pvalue(a, b, np.arange(18)) == pytest.approx(mcnemar_exact(a, b).pvalue, abs=1e-12)
    a = [True] * 5 + [False] + [True] * 4
    b = [False] * 5 + [True] + [True] * 4
    groups = ["hooker"] * 5 + ["bach"] + ["marley"] * 4
    assert mcnemar_exact(a, b).pvalue == pytest.approx(0.21875)
    assert cluster_sign_flip_pvalue(a, b, groups) == 1.0
    a, b = rng.random(60) < 0.8, rng.random(60) < 0.5
    groups = rng.integers(0, 25, size=60)
    exact = cluster_sign_flip_pvalue(a, b, groups)
    assert cluster_sign_flip_pvalue(a, b, groups, exact_up_to=0) == pytest.approx(exact, abs=0.01)
    assert cluster_sign_flip_pvalue([True], [True], ["x"]) == 1.0
    with pytest.raises(ValueError, match="one group per track"):
        cluster_sign_flip_pvalue([True, False], [True, True], ["x"])


def test_sign_flip_floor_is_the_smallest_p_of_that_many_artists() -> None:
    """k artists whose net differences all favour A (of random sizes) give exactly the floor
    2 / 2**k, and no pattern over k artists gives less. Break tried: the floor 1 / 2**k -> fails."""
    rng = np.random.default_rng(2)
    for k in range(1, 8):
        sizes = rng.integers(1, 4, size=k)
        groups = np.repeat(np.arange(k), sizes)
        a, b = np.ones(len(groups), bool), np.zeros(len(groups), bool)
        assert cluster_sign_flip_pvalue(a, b, groups) == pytest.approx(sign_flip_floor(k))
        for _ in range(20):  # any other pattern on k artists with net differences
            a, b = rng.random(len(groups)) < 0.6, rng.random(len(groups)) < 0.4
            assert cluster_sign_flip_pvalue(a, b, groups) >= sign_flip_floor(k) - 1e-12
    assert sign_flip_floor(0) == 1.0 and sign_flip_floor(5) == 0.0625
    with pytest.raises(ValueError, match="n_groups"):
        sign_flip_floor(-1)


def test_paired_t_test_known_values() -> None:
    # d = [1, 1, 0, 0]: mean 1/2, sd sqrt(1/3), t = (1/2) / (sqrt(1/3) / 2) = sqrt(3) on 3 df;
    # the t distribution with 3 df has a closed-form CDF, giving p = 1/2 - 1/pi exactly.
    result = paired_t_test([1, 1, 1, 0], [0, 0, 1, 0])
    assert result.statistic == pytest.approx(math.sqrt(3))
    assert result.pvalue == pytest.approx(0.5 - 1 / math.pi)
    assert result.df == 3 and result.test == "paired_t"
    assert (result.both_right, result.only_a_right, result.only_b_right, result.both_wrong) == (1, 2, 0, 1)
    flipped = paired_t_test([0, 0, 1, 0], [1, 1, 1, 0])
    assert flipped.statistic == pytest.approx(-math.sqrt(3)) and flipped.pvalue == pytest.approx(result.pvalue)
    # d = [1, 0, 1, -1, 0, 0]: mean 1/6, sd^2 = (3 (5/6)^2 ... ) computed here term by term
    a, b = [1, 1, 1, 0, 0, 1], [0, 1, 0, 1, 0, 1]
    d = np.subtract(a, b)
    sd = math.sqrt(sum((x - d.mean()) ** 2 for x in d) / 5)
    assert sd == pytest.approx(math.sqrt((2 * (5 / 6) ** 2 + (7 / 6) ** 2 + 3 * (1 / 6) ** 2) / 5))
    assert paired_t_test(a, b).statistic == pytest.approx((1 / 6) / (sd / math.sqrt(6)))
    # degenerate: no variance in d
    same = paired_t_test([1, 0, 1], [1, 0, 1])
    assert (same.statistic, same.pvalue) == (0.0, 1.0)
    all_a = paired_t_test([1, 1, 1], [0, 0, 0])
    assert (all_a.statistic, all_a.pvalue) == (math.inf, 0.0) and all_a.to_dict()["statistic"] is None
    with pytest.raises(ValueError, match="at least 2 tracks"):
        paired_t_test([1], [0])
    with pytest.raises(ValueError, match="one correctness value per track"):
        mcnemar_exact([1, 0], [1])


def test_compare_predictions_pairs_tracks_by_id_and_genres_by_name() -> None:
    genres_a = ("blues", "jazz", "rock")
    genres_b = ("rock", "pop", "jazz", "blues")  # another model: other order, one more genre
    truth = ["blues", "blues", "jazz", "jazz", "rock", "rock"]
    pred_a = ["blues", "jazz", "jazz", "rock", "rock", "rock"]
    pred_b = ["blues", "blues", "pop", "rock", "rock", "jazz"]
    ids = [f"t{i}" for i in range(6)]
    a = evaluate_predictions(np.eye(3)[[genres_a.index(g) for g in pred_a]],
                             [genres_a.index(g) for g in truth], ids, genres=genres_a)
    order = [5, 3, 1, 0, 2, 4]  # b scored the tracks in another order
    b = evaluate_predictions(np.eye(4)[[genres_b.index(pred_b[i]) for i in order]],
                             [genres_b.index(truth[i]) for i in order], [ids[i] for i in order],
                             genres=genres_b)
    comparison = compare_predictions(a, b, names=("cnn", "crnn"))
    assert comparison.track_ids.tolist() == ids
    assert comparison.true.tolist() == truth
    assert comparison.pred_b.tolist() == pred_b
    # correct: a = [1, 0, 1, 0, 1, 1], b = [1, 1, 0, 0, 1, 0]
    counts = (comparison.mcnemar.both_right, comparison.mcnemar.only_a_right,
              comparison.mcnemar.only_b_right, comparison.mcnemar.both_wrong)
    assert counts == (2, 2, 1, 1)
    assert comparison.mcnemar.pvalue == pytest.approx(1.0)  # 2 vs 1: P(X >= 2 | 3) * 2 > 1
    d = np.array([0, -1, 1, 0, 0, 1])
    t = d.mean() / (d.std(ddof=1) / math.sqrt(6))
    assert comparison.t_test.statistic == pytest.approx(t)
    record = comparison.to_dict()
    assert record["a"] == {"run": "cnn", "track_accuracy": pytest.approx(4 / 6),
                           "track_accuracy_ci": list(a.track_accuracy_ci), "macro_f1": a.macro_f1}
    assert record["b"]["run"] == "crnn" and record["b"]["track_accuracy"] == pytest.approx(3 / 6)
    assert record["n_tracks"] == 6 and record["aggregation"] == "vote"
    assert record["differ"] == [
        {"track_id": "t1", "true": "blues", "a": "jazz", "b": "blues"},
        {"track_id": "t2", "true": "jazz", "a": "jazz", "b": "pop"},
        {"track_id": "t5", "true": "rock", "a": "rock", "b": "jazz"}]  # t3: both say rock
    assert record["mcnemar"]["pvalue"] == comparison.mcnemar.pvalue
    fewer = evaluate_predictions(np.eye(3)[[0, 1]], [0, 0], ["t0", "t9"], genres=genres_a)
    with pytest.raises(ValueError, match=r"same tracks: 5 only in a \['t1', 't2', 't3', 't4', "
                                         r"'t5'\], 1 only in b \['t9'\]"):
        compare_predictions(a, fewer)
    other_truth = evaluate_predictions(np.eye(3)[[0] * 6], [1] + [genres_a.index(g) for g in truth[1:]],
                                       ids, genres=genres_a)
    with pytest.raises(ValueError, match="true genre of track 't0': 'blues' vs 'jazz'"):
        compare_predictions(a, other_truth)

