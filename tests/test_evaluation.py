"""Evaluation: segment -> track aggregation, metrics, confusion, JSON records (no Keras)."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from genrelib.evaluation import (
    SegmentPredictions,
    aggregate_tracks,
    bootstrap_interval,
    classification_report_dict,
    compare_predictions,
    confusion,
    ensemble_predictions,
    evaluate_predictions,
    mcnemar_exact,
    paired_t_test,
    top_k_accuracy,
    track_truth,
)
from genrelib.runs import load_json, save_json


def _probs(rows):
    return np.asarray(rows, dtype=float)


def test_vote_and_mean_can_disagree() -> None:
    # track "a": two weak votes for class 0, one very confident vote for class 1
    probs = _probs([[0.4, 0.35, 0.25], [0.4, 0.35, 0.25], [0.0, 1.0, 0.0]])
    ids = ["a", "a", "a"]
    assert aggregate_tracks(probs, ids, method="vote").labels.tolist() == [0]
    assert aggregate_tracks(probs, ids, method="mean").labels.tolist() == [1]


def test_vote_tie_broken_by_mean_probability() -> None:
    probs = _probs([[0.9, 0.1, 0.0], [0.45, 0.55, 0.0]])  # one vote each; class 0 has higher mean
    assert aggregate_tracks(probs, ["t", "t"], method="vote").labels.tolist() == [0]
    probs = _probs([[0.6, 0.4, 0.0], [0.0, 1.0, 0.0]])  # one vote each; class 1 has higher mean
    assert aggregate_tracks(probs, ["t", "t"], method="vote").labels.tolist() == [1]


def test_tracks_keep_first_appearance_order_and_mean_probs() -> None:
    probs = _probs([[1, 0], [0, 1], [0.2, 0.8], [1, 0]])
    ids, labels, mean = aggregate_tracks(probs, ["z", "b", "b", "z"], method="mean")
    assert ids.tolist() == ["z", "b"]
    assert labels.tolist() == [0, 1]
    np.testing.assert_allclose(mean, [[1, 0], [0.1, 0.9]])


def test_aggregate_errors() -> None:
    with pytest.raises(ValueError, match="method"):
        aggregate_tracks(_probs([[1, 0]]), ["a"], method="median")
    with pytest.raises(ValueError, match="one id per segment"):
        aggregate_tracks(_probs([[1, 0], [0, 1]]), ["a"])
    with pytest.raises(ValueError, match="different labels"):
        track_truth([0, 1], ["a", "a"])


def test_report_matches_hand_computation() -> None:
    y_true = [0, 0, 1, 1, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 0]
    report = classification_report_dict(y_true, y_pred, genres=["a", "b", "c"])
    assert report["accuracy"] == pytest.approx(4 / 6)
    # precision a 1/2, b 2/3, c 1; recall a 1/2, b 1, c 1/2
    f1 = [0.5, 2 * (2 / 3) / (2 / 3 + 1), 2 * 0.5 / 1.5]
    assert report["macro_f1"] == pytest.approx(np.mean(f1))
    assert report["per_genre"]["b"] == {"precision": pytest.approx(2 / 3), "recall": 1.0,
                                        "f1": pytest.approx(0.8), "support": 2}
    cm = confusion(y_true, y_pred, n_classes=4)
    assert cm.shape == (4, 4) and cm.sum() == 6 and cm[2, 0] == 1 and cm[3].sum() == 0


def test_evaluate_predictions_segment_and_track_levels(tmp_path) -> None:
    rng = np.random.default_rng(0)
    genres = ("blues", "jazz", "rock")
    ids = np.repeat([f"t{i}" for i in range(6)], 4)
    y = np.repeat([0, 0, 1, 1, 2, 2], 4)
    probs = rng.dirichlet(np.ones(3), size=len(y))
    probs[np.arange(len(y)), y] += 0.6  # mostly right
    probs[0:3] = [0, 0, 1]  # track t0: 3 of 4 segments wrong -> wrong at track level
    probs /= probs.sum(axis=1, keepdims=True)
    result = evaluate_predictions(probs, y, ids, genres=genres)
    assert result.segment_accuracy == pytest.approx(np.mean(probs.argmax(1) == y))
    assert result.track_accuracy == pytest.approx(5 / 6)
    record = result.to_dict()
    for key in ("track_accuracy", "segment_accuracy", "macro_f1", "per_genre", "confusion"):
        assert key in record
    assert record["confusion"][0][2] == 1
    assert set(record["per_genre"]) == set(genres)
    path = save_json(result, tmp_path / "r.json")
    assert load_json(path)["track_accuracy"] == pytest.approx(5 / 6)


def _by_hand(y_true, y_pred, n_classes):
    """Accuracy and per-class precision/recall/F1 from counts (0 when undefined)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    precision, recall, f1 = [], [], []
    for c in range(n_classes):
        tp = np.sum((y_pred == c) & (y_true == c))
        predicted, actual = np.sum(y_pred == c), np.sum(y_true == c)
        p = tp / predicted if predicted else 0.0
        r = tp / actual if actual else 0.0
        precision.append(p)
        recall.append(r)
        f1.append(2 * p * r / (p + r) if p + r else 0.0)
    return float(np.mean(y_true == y_pred)), precision, recall, f1


@pytest.mark.parametrize("seed", range(5))
def test_report_against_scikit_learn_and_by_hand_on_random_data(seed) -> None:
    from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

    rng = np.random.default_rng(seed)
    n_classes = 6
    genres = [f"g{c}" for c in range(n_classes)]
    # unbalanced truth (class 5 rare or absent), predictions right about half the time
    y_true = rng.choice(n_classes, size=50, p=[0.3, 0.25, 0.2, 0.15, 0.08, 0.02])
    y_pred = np.where(rng.random(50) < 0.5, y_true, rng.integers(0, n_classes, size=50))
    report = classification_report_dict(y_true, y_pred, genres=genres)
    accuracy, precision, recall, f1 = _by_hand(y_true, y_pred, n_classes)
    labels = list(range(n_classes))
    sk = {"average": "macro", "labels": labels, "zero_division": 0}
    assert report["accuracy"] == pytest.approx(accuracy) == accuracy_score(y_true, y_pred)
    assert report["macro_precision"] == pytest.approx(np.mean(precision))
    assert report["macro_precision"] == pytest.approx(precision_score(y_true, y_pred, **sk))
    assert report["macro_recall"] == pytest.approx(np.mean(recall))
    assert report["macro_recall"] == pytest.approx(recall_score(y_true, y_pred, **sk))
    assert report["macro_f1"] == pytest.approx(np.mean(f1))
    assert report["macro_f1"] == pytest.approx(f1_score(y_true, y_pred, **sk))
    assert report["n"] == 50
    for c, genre in enumerate(genres):
        assert report["per_genre"][genre] == {
            "precision": pytest.approx(precision[c]), "recall": pytest.approx(recall[c]),
            "f1": pytest.approx(f1[c]), "support": int(np.sum(y_true == c))}


def _aggregate_by_hand(probs, track_ids):
    """{track: (vote label, mean label)} with a plain loop: most votes, ties to the higher
    mean probability, then to the lower class index."""
    out = {}
    for track in dict.fromkeys(track_ids):
        rows = probs[np.asarray(track_ids) == track]
        mean = rows.mean(axis=0)
        votes = [int(np.sum(rows.argmax(axis=1) == c)) for c in range(probs.shape[1])]
        tied = [c for c in range(probs.shape[1]) if votes[c] == max(votes)]
        vote = max(tied, key=lambda c: (mean[c], -c))
        out[track] = (vote, int(np.argmax(mean)))
    return out


@pytest.mark.parametrize("seed", range(5))
def test_aggregation_and_evaluation_against_a_loop_on_random_data(seed) -> None:
    rng = np.random.default_rng(seed)
    genres = ("a", "b", "c", "d")
    n_tracks, per_track = 40, 4  # an even number of segments: many tied votes
    ids = np.repeat([f"t{rng.integers(1000)}-{i}" for i in range(n_tracks)], per_track)
    y = np.repeat(rng.integers(0, len(genres), size=n_tracks), per_track)
    probs = rng.dirichlet(np.ones(len(genres)) * 0.5, size=len(y))
    shuffle = rng.permutation(len(y))  # segments of a track interleaved with others'
    ids, y, probs = ids[shuffle], y[shuffle], probs[shuffle]
    expected = _aggregate_by_hand(probs, list(ids))
    truth = np.array([y[ids == t][0] for t in expected])
    assert any(v != m for v, m in expected.values()), "no track where vote and mean differ"
    for i, method in enumerate(("vote", "mean")):
        agg = aggregate_tracks(probs, ids, method=method)
        assert agg.track_ids.tolist() == list(expected)
        assert agg.labels.tolist() == [expected[t][i] for t in expected]
    result = evaluate_predictions(probs, y, ids, genres=genres)
    vote = np.array([expected[t][0] for t in expected])
    mean = np.array([expected[t][1] for t in expected])
    assert result.segment_accuracy == pytest.approx(np.mean(probs.argmax(axis=1) == y))
    assert result.track_accuracy == pytest.approx(np.mean(vote == truth))
    assert result.extra["track_accuracy_vote"] == pytest.approx(np.mean(vote == truth))
    assert result.extra["track_accuracy_mean"] == pytest.approx(np.mean(mean == truth))
    assert result.macro_f1 == pytest.approx(np.mean(_by_hand(truth, vote, len(genres))[3]))
    hand = np.zeros((len(genres), len(genres)), dtype=int)
    np.add.at(hand, (truth, vote), 1)
    np.testing.assert_array_equal(result.confusion, hand)
    np.testing.assert_array_equal(result.confusion.sum(axis=1),
                                  np.bincount(truth, minlength=len(genres)))
    assert evaluate_predictions(probs, y, ids, genres=genres, method="mean").track_accuracy == \
        pytest.approx(np.mean(mean == truth))


def test_genres_absent_from_the_test_set() -> None:
    genres = ["a", "b", "c", "d", "e"]
    y_true = [0, 0, 2, 2, 2]  # b, d, e never true
    y_pred = [0, 3, 2, 2, 0]  # d predicted once, b and e never
    cm = confusion(y_true, y_pred, n_classes=5)
    assert cm.tolist() == [[1, 0, 0, 1, 0],
                           [0, 0, 0, 0, 0],
                           [1, 0, 2, 0, 0],
                           [0, 0, 0, 0, 0],
                           [0, 0, 0, 0, 0]]
    np.testing.assert_allclose(confusion(y_true, y_pred, n_classes=5, normalize="true")[2],
                               [1 / 3, 0, 2 / 3, 0, 0])
    report = classification_report_dict(y_true, y_pred, genres=genres)
    for genre in ("b", "d", "e"):
        assert report["per_genre"][genre] == {"precision": 0.0, "recall": 0.0, "f1": 0.0,
                                              "support": 0}
    # macro averages run over all five genres, absent ones counting 0
    f1_a, f1_c = 2 * 0.5 * 0.5 / 1.0, 2 * 1.0 * (2 / 3) / (1 + 2 / 3)
    assert report["macro_f1"] == pytest.approx((f1_a + f1_c) / 5)
    assert report["macro_precision"] == pytest.approx((0.5 + 1.0) / 5)
    assert report["macro_recall"] == pytest.approx((0.5 + 2 / 3) / 5)
    record = evaluate_predictions(np.eye(5)[y_pred], y_true, list("pqrst"), genres=genres).to_dict()
    assert record["confusion"] == cm.tolist()
    assert [sum(row) for row in record["confusion"]] == [2, 0, 3, 0, 0]
    assert list(record["per_genre"]) == genres


def test_empty_sets_raise() -> None:
    with pytest.raises(ValueError, match="empty set"):
        classification_report_dict([], [], genres=["a", "b"])
    with pytest.raises(ValueError, match="empty"):
        evaluate_predictions(np.zeros((0, 2)), [], [], genres=["a", "b"])


def test_evaluate_predictions_input_errors() -> None:
    probs = _probs([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1]])
    with pytest.raises(ValueError, match="3 classes but 4 genres"):
        evaluate_predictions(probs, [0, 1], ["t", "u"], genres=["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="3 classes but 2 genres"):
        evaluate_predictions(probs, [0, 1], ["t", "u"], genres=["a", "b"])
    with pytest.raises(ValueError, match="1 labels"):
        evaluate_predictions(probs, [0], ["t", "u"], genres=["a", "b", "c"])
    with pytest.raises(ValueError, match="3 track ids"):
        evaluate_predictions(probs, [0, 1], ["t", "u", "v"], genres=["a", "b", "c"])
    with pytest.raises(ValueError, match="method must be one of"):
        evaluate_predictions(probs, [0, 1], ["t", "u"], genres=["a", "b", "c"], method="median")


def test_save_json_writes_standard_json(tmp_path) -> None:
    path = save_json({"x": float("nan"), "a": np.arange(3), "f": np.float32(0.5)}, tmp_path / "x.json")
    assert "NaN" not in path.read_text()
    assert load_json(path) == {"x": None, "a": [0, 1, 2], "f": 0.5}


def test_evaluation_does_not_import_keras() -> None:
    code = "import sys, genrelib.evaluation, genrelib.runs; print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- top-k accuracy


def _top_k_by_hand(y_true, probs, k):
    """A row counts when fewer than k classes score strictly higher than its true class."""
    higher = [int(np.sum(row > row[t])) for row, t in zip(probs, y_true)]
    return float(np.mean([h < k for h in higher]))


@pytest.mark.parametrize("seed", range(3))
def test_top_k_accuracy_against_scikit_learn_and_a_direct_count(seed) -> None:
    from sklearn.metrics import top_k_accuracy_score

    rng = np.random.default_rng(seed)
    n_classes = 6
    y_true = rng.integers(0, n_classes, size=40)
    probs = rng.dirichlet(np.ones(n_classes), size=40)
    values = []
    for k in (1, 2, 3, 5):
        value = top_k_accuracy(y_true, probs, k=k)
        assert value == pytest.approx(_top_k_by_hand(y_true, probs, k))
        assert value == pytest.approx(top_k_accuracy_score(y_true, probs, k=k,
                                                           labels=list(range(n_classes))))
        values.append(value)
    assert values[0] == pytest.approx(np.mean(probs.argmax(axis=1) == y_true))
    assert values == sorted(values) and values[0] < values[-1]
    assert top_k_accuracy(y_true, probs, k=n_classes) == 1.0
    # a subset of the classes in the truth, two classes in all: no scikit-learn edge case
    assert top_k_accuracy([0, 0, 1], probs[:3, :2], k=2) == 1.0
    assert top_k_accuracy([3, 3], probs[:2], k=2) == pytest.approx(_top_k_by_hand([3, 3], probs[:2], 2))
    with pytest.raises(ValueError, match="k must be >= 1"):
        top_k_accuracy(y_true, probs, k=0)


# --------------------------------------------------------------------------- bootstrap


def _bootstrap_by_hand(y_true, y_pred, *, metric, n_resamples, level, seed, n_classes):
    """The percentile interval of a plain resampling loop scored by scikit-learn."""
    from sklearn.metrics import accuracy_score, f1_score

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    rng = np.random.default_rng(seed)
    scores = []
    for _ in range(n_resamples):
        i = rng.integers(0, len(y_true), size=len(y_true))
        if metric == "accuracy":
            scores.append(accuracy_score(y_true[i], y_pred[i]))
        else:
            scores.append(f1_score(y_true[i], y_pred[i], labels=list(range(n_classes)),
                                   average="macro", zero_division=0))
    tail = 100 * (1 - level) / 2
    return tuple(np.percentile(scores, [tail, 100 - tail]))


@pytest.mark.parametrize("metric", ["accuracy", "macro_f1"])
@pytest.mark.parametrize("n,seed", [(31, 0), (60, 7)])
def test_bootstrap_interval_equals_a_hand_written_loop(metric, n, seed) -> None:
    rng = np.random.default_rng(seed)
    n_classes = 7  # class 6 never occurs: it counts 0 in every macro F1, as in the report
    y_true = rng.integers(0, 6, size=n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, 6, size=n))
    for level in (0.95, 0.8):
        ours = bootstrap_interval(y_true, y_pred, metric=metric, n_resamples=300, level=level,
                                  seed=seed, n_classes=n_classes)
        expected = _bootstrap_by_hand(y_true, y_pred, metric=metric, n_resamples=300,
                                      level=level, seed=seed, n_classes=n_classes)
        assert ours == pytest.approx(expected, abs=1e-12)


def test_bootstrap_interval_blocks_draw_like_one_loop() -> None:
    """n = 1,201 tracks: the resamples are drawn in blocks, the draws stay those of the loop."""
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 10, size=1201)
    y_pred = np.where(rng.random(1201) < 0.7, y_true, 0)
    expected = []
    loop = np.random.default_rng(11)
    correct = y_true == y_pred
    for _ in range(2000):
        expected.append(correct[loop.integers(0, 1201, size=1201)].mean())
    assert bootstrap_interval(y_true, y_pred, metric="accuracy", seed=11) == pytest.approx(
        tuple(np.percentile(expected, [2.5, 97.5])), abs=1e-12)


def test_bootstrap_interval_properties() -> None:
    def tracks(n, accuracy=0.7):
        y_true = np.arange(n) % 5
        y_pred = np.where(np.arange(n) % 10 < 10 * accuracy, y_true, (y_true + 1) % 5)
        return y_true, y_pred

    for metric, point in (("accuracy", 0.7), ("macro_f1", None)):
        small, large = tracks(50), tracks(800)
        if point is None:
            point = classification_report_dict(*small, genres=list("abcde"))["macro_f1"]
        low, high = bootstrap_interval(*small, metric=metric, n_classes=5)
        assert low < point < high
        assert 0.1 < high - low < 0.4
        low_l, high_l = bootstrap_interval(*large, metric=metric, n_classes=5)
        assert low_l < point < high_l
        assert (high_l - low_l) < 0.5 * (high - low)  # ~ 1 / sqrt(16) as wide
        narrow = bootstrap_interval(*small, metric=metric, level=0.5, n_classes=5)
        assert low < narrow[0] < narrow[1] < high
    y_true, y_pred = tracks(50)
    assert bootstrap_interval(y_true, y_pred, seed=1) == bootstrap_interval(y_true, y_pred, seed=1)
    assert bootstrap_interval(y_true, y_true) == (1.0, 1.0)
    custom = bootstrap_interval(y_true, y_pred, metric=lambda t, p: float(np.mean(t == p)),
                                n_resamples=200, seed=2)
    assert custom == bootstrap_interval(y_true, y_pred, n_resamples=200, seed=2)
    for bad, match in (({"metric": "median"}, "metric must be one of"), ({"level": 1.0}, "level"),
                       ({"n_resamples": 0}, "n_resamples")):
        with pytest.raises(ValueError, match=match):
            bootstrap_interval(y_true, y_pred, **bad)
    with pytest.raises(ValueError, match="at least one track"):
        bootstrap_interval([], [])


def test_evaluation_record_has_intervals_top_k_and_track_probs() -> None:
    from sklearn.metrics import top_k_accuracy_score

    rng = np.random.default_rng(5)
    genres = tuple("abcdef")
    ids = np.repeat([f"t{i}" for i in range(24)], 3)
    y = np.repeat(rng.integers(0, 6, size=24), 3)
    probs = rng.dirichlet(np.ones(6), size=len(y))
    probs[np.arange(len(y)), y] += 0.3 * (np.arange(len(y)) < 42)  # helps 14 of 24 tracks
    result = evaluate_predictions(probs, y, ids, genres=genres, n_resamples=500, seed=4)
    _, _, mean = aggregate_tracks(probs, ids)
    np.testing.assert_allclose(result.track_probs, mean)
    np.testing.assert_allclose(result.track_probs, probs.reshape(24, 3, 6).mean(axis=1))
    truth = y[::3]
    options = {"n_resamples": 500, "seed": 4, "n_classes": 6}
    assert result.track_accuracy_ci == bootstrap_interval(truth, result.track_pred, **options)
    assert result.macro_f1_ci == bootstrap_interval(truth, result.track_pred, metric="macro_f1",
                                                    **options)
    assert result.macro_f1_ci != bootstrap_interval(truth, result.track_pred, metric="macro_f1",
                                                    n_resamples=500, seed=5, n_classes=6)
    record = result.to_dict()
    assert record["track_accuracy_ci"] == list(result.track_accuracy_ci)
    assert record["track_accuracy_ci"][0] <= record["track_accuracy"] <= record["track_accuracy_ci"][1]
    assert record["macro_f1_ci"][0] <= record["macro_f1"] <= record["macro_f1_ci"][1]
    assert record["bootstrap"] == {"n_resamples": 500, "level": 0.95, "seed": 4}
    assert list(record["top_k_accuracy"]) == ["2", "3"]
    for k in (2, 3):
        assert record["top_k_accuracy"][str(k)] == pytest.approx(
            top_k_accuracy_score(truth, mean, k=k, labels=list(range(6))))
    assert record["track_accuracy"] < record["top_k_accuracy"]["2"] < record["top_k_accuracy"]["3"]
    # the mean aggregation ranks with the same probabilities: same top-k, other intervals
    by_mean = evaluate_predictions(probs, y, ids, genres=genres, method="mean").to_dict()
    assert by_mean["top_k_accuracy"] == evaluate_predictions(probs, y, ids, genres=genres
                                                             ).to_dict()["top_k_accuracy"]


# --------------------------------------------------------------------------- paired tests


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


# --------------------------------------------------------------------------- ensembles


def _member(seed, *, genres=("a", "b", "c"), tracks=8, per_track=4):
    rng = np.random.default_rng(seed)
    ids = np.repeat([f"t{i}" for i in range(tracks)], per_track)
    y = np.repeat(np.arange(tracks) % len(genres), per_track)
    return SegmentPredictions(rng.dirichlet(np.ones(len(genres)), size=len(y)), y, ids, genres)


def test_ensemble_is_the_mean_of_the_members() -> None:
    members = [_member(0), _member(1), _member(2)]
    ensemble = ensemble_predictions(members)
    assert ensemble.probs.shape == (32, 3) and ensemble.genres == ("a", "b", "c")
    np.testing.assert_allclose(ensemble.probs, (members[0].probs + members[1].probs
                                                + members[2].probs) / 3)
    np.testing.assert_array_equal(ensemble.y, members[0].y)
    np.testing.assert_array_equal(ensemble.track_ids, members[0].track_ids)
    # two identical members give the member's own evaluation, number for number
    twice = ensemble_predictions([members[0], members[0]])
    assert twice.evaluate().to_dict() == members[0].evaluate().to_dict()
    assert ensemble_predictions([members[1]]).evaluate().to_dict() == members[1].evaluate().to_dict()


def test_an_ensemble_fixes_a_track_one_member_gets_wrong() -> None:
    genres = ("a", "b", "c")
    ids, y = ["t0", "t0", "t1", "t1"], [0, 0, 1, 1]
    unsure_wrong = SegmentPredictions([[0.3, 0.4, 0.3], [0.3, 0.4, 0.3], [0.1, 0.8, 0.1],
                                       [0.1, 0.8, 0.1]], y, ids, genres)  # t0 -> b: wrong
    sure_right = SegmentPredictions([[0.9, 0.05, 0.05], [0.9, 0.05, 0.05], [0.2, 0.5, 0.3],
                                     [0.2, 0.5, 0.3]], y, ids, genres)
    assert unsure_wrong.evaluate().track_pred.tolist() == [1, 1]
    ensemble = ensemble_predictions([unsure_wrong, sure_right]).evaluate()
    assert ensemble.track_pred.tolist() == [0, 1] and ensemble.track_accuracy == 1.0


def test_ensemble_aligns_genre_order_and_refuses_other_genres() -> None:
    member = _member(0)
    reordered = member.with_genre_order(("c", "a", "b"))
    np.testing.assert_array_equal(reordered.probs[:, 1], member.probs[:, 0])
    assert [reordered.genres[i] for i in reordered.y] == [member.genres[i] for i in member.y]
    ensemble = ensemble_predictions([member, reordered])
    assert ensemble.genres == member.genres
    np.testing.assert_allclose(ensemble.probs, member.probs)
    other = _member(1, genres=("a", "b", "d"))
    with pytest.raises(ValueError, match=r"share their genre list: cnn-2 differs from cnn-1 "
                                         r"\(only in cnn-1: \['c'\]; only in cnn-2: \['d'\]\)"):
        ensemble_predictions([member, other], names=["cnn-1", "cnn-2"])
    with pytest.raises(ValueError, match="some order"):
        member.with_genre_order(("a", "b"))


def test_ensemble_refuses_other_tracks_or_labels() -> None:
    member = _member(0)
    fewer = _member(1, tracks=6)
    with pytest.raises(ValueError, match=r"same tracks: member 1 and member 0 differ on 2 tracks, "
                                         r"e.g. \['t6', 't7'\]"):
        ensemble_predictions([member, fewer])
    relabelled = SegmentPredictions(member.probs, (member.y + 1) % 3, member.track_ids, member.genres)
    with pytest.raises(ValueError, match="disagree on the true genre of track 't0'"):
        ensemble_predictions([member, relabelled])
    with pytest.raises(ValueError, match="at least one member"):
        ensemble_predictions([])


def test_ensemble_of_other_segmentations_averages_track_probabilities() -> None:
    """A member with 4 segments per track and one with a single row per track (another
    segment length, or a track-level model) in another track order."""
    segments = _member(0)
    per_track = _member(1, per_track=1)
    shuffled = np.random.default_rng(2).permutation(8)
    per_track = SegmentPredictions(per_track.probs[shuffled], per_track.y[shuffled],
                                   per_track.track_ids[shuffled], per_track.genres)
    ensemble = ensemble_predictions([segments, per_track])
    assert ensemble.probs.shape == (8, 3) and ensemble.track_ids.tolist() == [f"t{i}" for i in range(8)]
    expected = (segments.probs.reshape(8, 4, 3).mean(axis=1) + _member(1, per_track=1).probs) / 2
    np.testing.assert_allclose(ensemble.probs, expected)
    np.testing.assert_array_equal(ensemble.y, np.arange(8) % 3)


# --------------------------------------------------------------------------- paired comparison


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
