"""Evaluation: segment -> track aggregation, metrics, confusion, JSON records (no Keras)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from genrelib.evaluation import (
    aggregate_tracks,
    classification_report_dict,
    confusion,
    evaluate_predictions,
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


def test_chapter_3_to_5_figures(tmp_path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    from genrelib import plots

    history = pd.DataFrame({"epoch": [1, 2, 3], "loss": [2.0, 1.5, 1.2], "accuracy": [0.2, 0.4, 0.5],
                            "val_loss": [2.1, 1.4, 1.6], "val_accuracy": [0.1, 0.5, 0.4],
                            "learning_rate": [1e-3, 1e-3, 1e-4]})
    fig = plots.plot_learning_curves(history, title="cnn")
    assert len(fig.axes) == 2 and fig.axes[0].lines[0].get_ydata().tolist() == [2.0, 1.5, 1.2]
    genres = ("blues", "jazz", "rock")
    probs = np.eye(3)[[0, 0, 1, 2, 2, 0]]
    record = evaluate_predictions(probs, [0, 0, 1, 1, 2, 2], list("aabbcc"), genres=genres).to_dict()
    fig = plots.plot_confusion_matrix(np.asarray(record["confusion"]), genres)
    assert fig.axes[0].get_ylabel() == "true genre"
    assert len(plots.plot_per_genre(record["per_genre"]).axes[0].patches) == 3
    assert len(plots.plot_per_genre({"cnn": record["per_genre"], "crnn": record["per_genre"]}
                                    ).axes[0].patches) == 6
    fig = plots.plot_model_comparison({"cnn": record, "crnn": record})
    assert len(fig.axes[0].patches) == 6
    fig.savefig(tmp_path / "cmp.png")
