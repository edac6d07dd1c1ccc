"""genrelib.evaluation.aggregate: from segment probabilities to one genre per track (the
majority vote with ties to the mean probability, the mean, or the geometric mean), and each
track's true genre."""

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


def test_the_geometric_mean_lets_one_sure_segment_veto_a_genre() -> None:
    # class 0 has the higher mean (0.6 vs 0.4) but one segment gives it 0.01: the product rule
    # (mean log-probability: 0 -> -2.07, 1 -> -1.06) picks class 1
    probs = _probs([[0.9, 0.1], [0.9, 0.1], [0.01, 0.99]])
    assert aggregate_tracks(probs, ["t"] * 3, method="mean").labels.tolist() == [0]
    geometric = aggregate_tracks(probs, ["t"] * 3, method="geometric")
    assert geometric.labels.tolist() == [1]
    expected = np.exp(np.log(probs).mean(axis=0))
    np.testing.assert_allclose(geometric.probs, [expected / expected.sum()])


def test_the_geometric_mean_survives_a_zero_probability() -> None:
    probs = _probs([[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]])  # log 0 floored, no nan or -inf
    tracks = aggregate_tracks(probs, ["t"] * 3, method="geometric")
    assert tracks.labels.tolist() == [1] and np.isfinite(tracks.probs).all()
    np.testing.assert_allclose(tracks.probs.sum(axis=1), 1.0)


def test_the_geometric_mean_of_a_linear_probe_is_its_prediction_for_the_mean_row() -> None:
    """What chapter 10 relies on: a standardised multinomial logistic regression (a probe)
    gives the geometric rule the genre and probabilities of each track's mean feature row.

    Break tried: the geometric rule averaging probabilities instead of log-probabilities ->
    the labels and probabilities differ from the mean row's."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    n_tracks, per_track, n_classes = 40, 9, 4
    centres = rng.normal(0, 1, (n_classes, 6))
    track_genre = np.arange(n_tracks) % n_classes
    X = (centres[track_genre].repeat(per_track, axis=0) + rng.normal(0, 2.5, (n_tracks * per_track, 6)))
    ids = np.repeat([f"t{i}" for i in range(n_tracks)], per_track)
    probe = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000)).fit(
        X, track_genre.repeat(per_track))
    geometric = aggregate_tracks(probe.predict_proba(X), ids, method="geometric")
    mean_rows = X.reshape(n_tracks, per_track, -1).mean(axis=1)
    np.testing.assert_allclose(geometric.probs, probe.predict_proba(mean_rows), atol=1e-9)
    np.testing.assert_array_equal(geometric.labels, probe.predict(mean_rows))
    vote = aggregate_tracks(probe.predict_proba(X), ids, method="vote")
    assert not np.array_equal(vote.labels, geometric.labels)  # the rules differ on these tracks


def test_aggregate_errors() -> None:
    with pytest.raises(ValueError, match="method"):
        aggregate_tracks(_probs([[1, 0]]), ["a"], method="median")
    with pytest.raises(ValueError, match="one id per segment"):
        aggregate_tracks(_probs([[1, 0], [0, 1]]), ["a"])
    with pytest.raises(ValueError, match="different labels"):
        track_truth([0, 1], ["a", "a"])

