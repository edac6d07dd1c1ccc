"""genrelib.evaluation.result: ``evaluate_predictions`` (segment and track levels, intervals,
top-k, the track accuracy of both aggregation methods) and its typed records
(``EvaluationSummary``/``EvaluationResult``: to_dict/from_dict, equality)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from helpers import metrics_by_hand

from genrelib.evaluation import (EvaluationResult, EvaluationSummary, aggregate_tracks,
                                 bootstrap_interval, evaluate_predictions)
from genrelib.runs import load_json, save_json


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
    assert result.track_accuracy_by_method["vote"] == pytest.approx(np.mean(vote == truth))
    assert result.track_accuracy_by_method["mean"] == pytest.approx(np.mean(mean == truth))
    assert result.macro_f1 == pytest.approx(np.mean(metrics_by_hand(truth, vote, len(genres))[3]))
    hand = np.zeros((len(genres), len(genres)), dtype=int)
    np.add.at(hand, (truth, vote), 1)
    np.testing.assert_array_equal(result.confusion, hand)
    np.testing.assert_array_equal(result.confusion.sum(axis=1),
                                  np.bincount(truth, minlength=len(genres)))
    assert evaluate_predictions(probs, y, ids, genres=genres, method="mean").track_accuracy == \
        pytest.approx(np.mean(mean == truth))


def test_evaluate_predictions_input_errors() -> None:
    probs = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1]])
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


def test_evaluation_does_not_import_keras() -> None:
    code = "import sys, genrelib.evaluation, genrelib.runs; print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"



def _result(seed: int = 0, **options) -> EvaluationResult:
    rng = np.random.default_rng(seed)
    ids = np.repeat([f"t{i}" for i in range(12)], 3)
    y = np.repeat(np.arange(12) % 4, 3)
    return evaluate_predictions(rng.dirichlet(np.ones(4), size=len(y)), y, ids, genres=tuple("abcd"),
                                n_resamples=200, **options)


def test_a_summary_reads_back_from_its_json(tmp_path) -> None:
    """EvaluationSummary.from_dict(r.to_dict()) holds the same numbers as the fresh result, and
    writes the same JSON again (keys in the same order); the attributes of a fresh and a
    loaded record are the same; ``extra`` annotations survive the round trip."""
    result = _result()
    result.extra["ensemble_of"] = ["a", "b"]
    record = load_json(save_json(result, tmp_path / "r.json"))
    loaded = EvaluationSummary.from_dict(record)
    assert type(loaded) is EvaluationSummary
    again = loaded.to_dict()
    assert again == record and list(again) == list(record)
    for name in ("track_accuracy", "segment_accuracy", "macro_f1", "macro_precision", "macro_recall",
                 "segment_macro_f1", "n_tracks", "n_segments", "method", "genres", "per_genre",
                 "track_accuracy_ci", "macro_f1_ci", "top_k_accuracy", "bootstrap",
                 "track_accuracy_by_method", "extra"):
        assert getattr(loaded, name) == getattr(result, name), name
    np.testing.assert_array_equal(loaded.confusion, result.confusion)
    assert loaded.extra == {"ensemble_of": ["a", "b"]}
    # an old record: no intervals, top-k, bootstrap or per-method accuracies
    old = {k: v for k, v in record.items() if k not in (
        "track_accuracy_ci", "macro_f1_ci", "top_k_accuracy", "bootstrap", "track_accuracy_vote", "track_accuracy_geometric",
        "track_accuracy_mean", "ensemble_of")}
    loaded_old = EvaluationSummary.from_dict(old)
    assert (loaded_old.track_accuracy_ci, loaded_old.macro_f1_ci, loaded_old.bootstrap) == (None,) * 3
    assert (loaded_old.top_k_accuracy, loaded_old.track_accuracy_by_method) == ({}, {})
    assert loaded_old.to_dict() == old


def test_summaries_and_results_compare_by_value() -> None:
    """== compares field by field with arrays by value (the generated == of a dataclass with
    array fields raises "truth value of an array is ambiguous"), so two run records compare.

    Break tried: @dataclass(eq=True) generated == on EvaluationSummary/EvaluationResult ->
    ValueError (ambiguous truth value) in the first assert."""
    a, b = _result(), _result()
    assert a == b and not (a != b)
    summary = EvaluationSummary.from_dict(a.to_dict())
    assert summary == EvaluationSummary.from_dict(b.to_dict())
    assert a != _result(seed=1)
    assert a != _result(method="mean")
    assert summary != a  # a summary is no result (no per-track arrays)
    changed = EvaluationSummary.from_dict({**a.to_dict(), "confusion": (a.confusion + 1).tolist()})
    assert changed != summary


def test_untested_genres_are_the_genres_without_a_track() -> None:
    """A genre the model knows but the evaluated tracks lack: named by ``untested_genres``
    (fresh and read back), its F1 counted as 0 in the macro average over every genre.

    Break tried: ``support > 0`` instead of ``== 0`` in the property -> the first assert fails."""
    genres = ("blues", "jazz", "pop", "rock")
    y = np.repeat([0, 0, 3, 3], 2)  # no jazz, no pop
    probs = np.eye(4)[y] * 0.9 + 0.025
    result = evaluate_predictions(probs, y, np.repeat(["a", "b", "c", "d"], 2), genres=genres)
    assert result.untested_genres == ("jazz", "pop")
    assert EvaluationSummary.from_dict(result.to_dict()).untested_genres == ("jazz", "pop")
    assert result.track_accuracy == 1.0 and result.macro_f1 == pytest.approx(0.5)
    assert _result().untested_genres == ()


def test_the_macro_f1_over_the_tested_genres_is_in_the_library_not_only_the_cli() -> None:
    """Every track right on 2 of 4 genres: macro F1 0.5 (untested genres count 0), 1.0 over
    the genres that have tracks (it was computed by ``genrelib evaluate``'s text only); None
    when no genre has a track. Break tried: the mean over every genre -> 0.5."""
    genres = ("blues", "jazz", "pop", "rock")
    y = np.repeat([0, 0, 3, 3], 2)
    result = evaluate_predictions(np.eye(4)[y] * 0.9 + 0.025, y, np.repeat(["a", "b", "c", "d"], 2), genres=genres)
    assert result.macro_f1 == pytest.approx(0.5) and result.tested_macro_f1 == pytest.approx(1.0)
    assert EvaluationSummary.from_dict(result.to_dict()).tested_macro_f1 == pytest.approx(1.0)
    record = result.to_dict()
    for scores in record["per_genre"].values():
        scores["support"] = 0
    assert EvaluationSummary.from_dict(record).tested_macro_f1 is None


def test_track_probs_are_the_mean_probabilities_whatever_the_aggregation_method() -> None:
    """``track_probs`` holds each track's mean segment probabilities (as documented), also when
    the genre is chosen by the geometric mean, whose normalised probabilities differ.

    Break tried: track_probs taken from the method's own aggregation (``tracks[method].probs``)
    -> [[0.38, 0.62]] instead of [[0.4, 0.6]], the first assert fails."""
    result = evaluate_predictions([[0.6, 0.4], [0.2, 0.8]], [0, 0], ["t", "t"], genres=["a", "b"],
                                  method="geometric")
    np.testing.assert_allclose(result.track_probs, [[0.4, 0.6]])
    geometric = aggregate_tracks(np.array([[0.6, 0.4], [0.2, 0.8]]), ["t", "t"], method="geometric").probs
    assert not np.allclose(geometric, [[0.4, 0.6]])  # the two rules differ on this track
