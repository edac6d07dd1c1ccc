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
