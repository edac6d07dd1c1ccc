"""genrelib.evaluation.aggregate: from segment probabilities to one genre per track (the
majority vote with ties to the mean probability, or the mean), and each track's true genre."""

from __future__ import annotations

import numpy as np
import pytest

from genrelib.evaluation import aggregate_tracks, track_truth


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

