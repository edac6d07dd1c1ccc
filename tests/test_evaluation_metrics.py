"""genrelib.evaluation.metrics: accuracy, macro precision/recall/F1 and the per-genre report
(``LevelReport``), the confusion matrix and top-k accuracy, against scikit-learn and counts
by hand."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import metrics_by_hand

from genrelib.evaluation import (GenreScores, LevelReport, classification_report, confusion,
                                 evaluate_predictions, top_k_accuracy)


def test_report_matches_hand_computation() -> None:
    y_true = [0, 0, 1, 1, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 0]
    report = classification_report(y_true, y_pred, genres=["a", "b", "c"])
    assert isinstance(report, LevelReport) and report.accuracy == pytest.approx(4 / 6)
    # precision a 1/2, b 2/3, c 1; recall a 1/2, b 1, c 1/2
    f1 = [0.5, 2 * (2 / 3) / (2 / 3 + 1), 2 * 0.5 / 1.5]
    assert report.macro_f1 == pytest.approx(np.mean(f1))
    assert report.per_genre["b"] == GenreScores(precision=pytest.approx(2 / 3), recall=1.0,
                                                f1=pytest.approx(0.8), support=2)
    assert list(report.per_genre) == ["a", "b", "c"]
    assert report.to_dict()["per_genre"]["b"] == {"precision": pytest.approx(2 / 3), "recall": 1.0,
                                                  "f1": pytest.approx(0.8), "support": 2}
    assert LevelReport.from_dict(report.to_dict()) == report
    cm = confusion(y_true, y_pred, n_classes=4)
    assert cm.shape == (4, 4) and cm.sum() == 6 and cm[2, 0] == 1 and cm[3].sum() == 0


@pytest.mark.parametrize("seed", range(5))
def test_report_against_scikit_learn_and_by_hand_on_random_data(seed) -> None:
    from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

    rng = np.random.default_rng(seed)
    n_classes = 6
    genres = [f"g{c}" for c in range(n_classes)]
    # unbalanced truth (class 5 rare or absent), predictions right about half the time
    y_true = rng.choice(n_classes, size=50, p=[0.3, 0.25, 0.2, 0.15, 0.08, 0.02])
    y_pred = np.where(rng.random(50) < 0.5, y_true, rng.integers(0, n_classes, size=50))
    report = classification_report(y_true, y_pred, genres=genres)
    accuracy, precision, recall, f1 = metrics_by_hand(y_true, y_pred, n_classes)
    labels = list(range(n_classes))
    sk = {"average": "macro", "labels": labels, "zero_division": 0}
    assert report.accuracy == pytest.approx(accuracy) == accuracy_score(y_true, y_pred)
    assert report.macro_precision == pytest.approx(np.mean(precision))
    assert report.macro_precision == pytest.approx(precision_score(y_true, y_pred, **sk))
    assert report.macro_recall == pytest.approx(np.mean(recall))
    assert report.macro_recall == pytest.approx(recall_score(y_true, y_pred, **sk))
    assert report.macro_f1 == pytest.approx(np.mean(f1))
    assert report.macro_f1 == pytest.approx(f1_score(y_true, y_pred, **sk))
    assert report.n == 50
    for c, genre in enumerate(genres):
        assert report.per_genre[genre] == GenreScores(
            precision=pytest.approx(precision[c]), recall=pytest.approx(recall[c]),
            f1=pytest.approx(f1[c]), support=int(np.sum(y_true == c)))


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
    report = classification_report(y_true, y_pred, genres=genres)
    for genre in ("b", "d", "e"):
        assert report.per_genre[genre] == GenreScores(precision=0.0, recall=0.0, f1=0.0, support=0)
    # macro averages run over all five genres, absent ones counting 0
    f1_a, f1_c = 2 * 0.5 * 0.5 / 1.0, 2 * 1.0 * (2 / 3) / (1 + 2 / 3)
    assert report.macro_f1 == pytest.approx((f1_a + f1_c) / 5)
    assert report.macro_precision == pytest.approx((0.5 + 1.0) / 5)
    assert report.macro_recall == pytest.approx((0.5 + 2 / 3) / 5)
    record = evaluate_predictions(np.eye(5)[y_pred], y_true, list("pqrst"), genres=genres).to_dict()
    assert record["confusion"] == cm.tolist()
    assert [sum(row) for row in record["confusion"]] == [2, 0, 3, 0, 0]
    assert list(record["per_genre"]) == genres


def test_empty_sets_raise() -> None:
    with pytest.raises(ValueError, match="empty set"):
        classification_report([], [], genres=["a", "b"])
    with pytest.raises(ValueError, match="empty"):
        evaluate_predictions(np.zeros((0, 2)), [], [], genres=["a", "b"])


def _top_k_by_hand(y_true, probs, k):
    """A row counts when fewer than k classes rank before its true class: those scoring
    higher, and those scoring the same with a lower index (as argmax breaks ties)."""
    before = [int(np.sum(row > row[t]) + np.sum(row[:t] == row[t])) for row, t in zip(probs, y_true)]
    return float(np.mean([b < k for b in before]))


def test_top_k_accuracy_breaks_ties_as_argmax_does() -> None:
    """A tie at the k-th place goes to the lower class index, so k = 1 is the argmax's accuracy
    and the classes counted are those `genrelib predict` lists (scikit-learn: higher first)."""
    tied = np.array([[1.0, 0.0, 0.0, 0.0]] * 3 + [[0.4, 0.4, 0.1, 0.1]] * 2)
    y_true = [1, 1, 3, 1, 0]
    assert top_k_accuracy(y_true, tied, k=2) == pytest.approx(4 / 5)  # class 3 ranks fourth
    assert top_k_accuracy(y_true, tied, k=2) == pytest.approx(_top_k_by_hand(y_true, tied, 2))
    assert top_k_accuracy(y_true, tied, k=1) == pytest.approx(np.mean(tied.argmax(axis=1) == y_true))
    assert top_k_accuracy([1], tied[3:4], k=1) == 0.0
    assert top_k_accuracy([3], tied[:1], k=4) == 1.0


def test_top_k_accuracy_refuses_labels_without_a_column() -> None:
    """A label outside 0 .. n_classes - 1 is refused, naming the range, even when k covers all."""
    with pytest.raises(ValueError, match=r"labels must lie in 0 \.\. 3"):
        top_k_accuracy([0, 4], np.full((2, 4), 0.25), k=4)


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

