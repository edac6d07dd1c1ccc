"""genrelib.evaluation.intervals.cluster_bootstrap_interval: whole groups of tracks (artists)
drawn with replacement. It equals a hand-written loop over groups, is the track bootstrap
draw for draw when every track is its own group, widens when errors come by artist, and
names a bad ``groups`` argument."""

from __future__ import annotations

import numpy as np
import pytest

from genrelib.evaluation import bootstrap_interval, cluster_bootstrap_interval
from genrelib.evaluation.intervals import resampled_scores, weighted_scores


def _cluster_bootstrap_by_hand(y_true, y_pred, groups, *, n_resamples, seed, metric, n_classes):
    """A plain loop: draw k group names with replacement, gather their tracks, score them
    with ``resampled_scores`` (the track bootstrap's own scorer), take the percentiles."""
    names = np.array(list(dict.fromkeys(groups)))  # in order of appearance
    rng = np.random.default_rng(seed)
    scores = []
    for _ in range(n_resamples):
        drawn = names[rng.integers(0, len(names), size=len(names))]
        idx = np.concatenate([np.flatnonzero(groups == name) for name in drawn])
        scores.append(resampled_scores(y_true, y_pred, idx[None, :], metric, n_classes)[0])
    return np.percentile(scores, 2.5, method="lower"), np.percentile(scores, 97.5, method="higher")


def _artist_data(seed: int = 0, n_artists: int = 12):
    """Tracks of artists with 1-6 songs each, one genre per artist; an artist's songs are
    right or wrong together (the model recognises the artist, or not)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 7, size=n_artists)
    groups = np.repeat([f"artist {i:02d}" for i in range(n_artists)], sizes)
    genre = np.repeat(rng.integers(0, 5, size=n_artists), sizes)
    right = np.repeat(rng.random(n_artists) < 0.6, sizes)
    y_pred = np.where(right, genre, (genre + 1) % 5)
    return genre, y_pred, groups


@pytest.mark.parametrize("metric", ["accuracy", "macro_f1"])
def test_cluster_bootstrap_equals_a_hand_written_loop_over_groups(metric) -> None:
    y_true, y_pred, groups = _artist_data()
    ours = cluster_bootstrap_interval(y_true, y_pred, groups, metric=metric, n_resamples=300, seed=4, n_classes=6)
    expected = _cluster_bootstrap_by_hand(y_true, y_pred, groups, n_resamples=300, seed=4, metric=metric,
                                          n_classes=6)
    assert ours == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("metric", ["accuracy", "macro_f1"])
def test_one_track_per_group_is_the_track_bootstrap_draw_for_draw(metric) -> None:
    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 10, size=80)
    y_pred = np.where(rng.random(80) < 0.7, y_true, rng.integers(0, 10, size=80))
    names = [f"artist {i}" for i in rng.permutation(80)]  # unique, in no sorted order
    for seed in (0, 5):
        assert cluster_bootstrap_interval(y_true, y_pred, names, metric=metric, seed=seed,
                                          n_classes=10) == bootstrap_interval(y_true, y_pred, metric=metric,
                                                                              seed=seed, n_classes=10)


def test_weighted_scores_score_the_resample_the_weights_describe() -> None:
    """A track drawn twice counts twice, a track not drawn not at all: the same scores as
    ``resampled_scores`` on the index lists, for both metrics and a callable."""
    rng = np.random.default_rng(2)
    y_true, y_pred = rng.integers(0, 4, size=9), rng.integers(0, 4, size=9)
    times = rng.integers(0, 3, size=(50, 9))
    times[:, 0] += 1  # no empty resample
    for metric in ("accuracy", "macro_f1", lambda t, p: float(np.mean(t == p)) ** 2):
        by_index = [resampled_scores(y_true, y_pred, np.repeat(np.arange(9), row)[None, :], metric, 5)[0]
                    for row in times]
        np.testing.assert_allclose(weighted_scores(y_true, y_pred, times, metric, 5), by_index, atol=1e-12)


def test_errors_that_come_by_artist_widen_the_interval() -> None:
    """The same right/wrong tracks: grouped by artist (all of an artist's songs share their
    fate) the interval is wider than over tracks; one group holding every track leaves
    nothing to resample (the estimate itself)."""
    y_true, y_pred, groups = _artist_data(seed=3, n_artists=10)
    by_track = bootstrap_interval(y_true, y_pred)
    by_artist = cluster_bootstrap_interval(y_true, y_pred, groups)
    assert by_artist[1] - by_artist[0] > 1.3 * (by_track[1] - by_track[0])
    accuracy = float(np.mean(y_true == y_pred))
    assert cluster_bootstrap_interval(y_true, y_pred, ["one artist"] * len(y_true)) == (accuracy, accuracy)


def test_a_groups_argument_of_the_wrong_length_is_named() -> None:
    with pytest.raises(ValueError, match="one group .* per track, got 3 groups for 4 tracks"):
        cluster_bootstrap_interval([0, 1, 1, 0], [0, 1, 0, 0], ["a", "b", "a"])
    with pytest.raises(ValueError, match="level must be in"):
        cluster_bootstrap_interval([0, 1], [0, 1], ["a", "b"], level=1.5)


def test_the_independent_errors_band_holds_shuffled_errors_and_not_errors_by_artist() -> None:
    """Errors that come whole artists at a time give a width ratio above the band that the same
    number of errors, shuffled over the tracks, gives; one track per artist gives exactly 1.
    Break tried: the band computed on the errors as they are, unshuffled -> the ratio falls
    inside it."""
    from genrelib.evaluation.intervals import independent_ratio_band

    y_true, y_pred, groups = _artist_data(seed=3, n_artists=10)
    track, artist = bootstrap_interval(y_true, y_pred), cluster_bootstrap_interval(y_true, y_pred, groups)
    ratio = (artist[1] - artist[0]) / (track[1] - track[0])
    low, high = independent_ratio_band(y_true, y_pred, groups, n_shuffles=60)
    assert low < 1.05 and ratio > high, (ratio, low, high)
    assert independent_ratio_band(y_true, y_pred, np.arange(len(y_true)), n_shuffles=10) == (1.0, 1.0)


def test_the_ratio_band_is_exactly_one_when_every_track_is_its_own_group():
    """With one track per group the cluster bootstrap draws what the track bootstrap draws
    (the same seed for both in each shuffle), so every ratio is 1, even with few resamples.
    Break tried: the group bootstrap seeded with `seed` instead of `seed + i` -> (0.77, 1.17)."""
    from genrelib.evaluation.intervals import independent_ratio_band

    y_true = np.arange(12) % 3
    y_pred = y_true.copy()
    y_pred[:5] = (y_pred[:5] + 1) % 3  # 5 tracks wrong
    assert independent_ratio_band(y_true, y_pred, np.arange(12), n_shuffles=10, n_resamples=50) == (1.0, 1.0)


def test_mean_interval_is_the_accuracy_interval_on_0_1_values_and_a_plain_loop_on_shares():
    """mean_interval on each track's 0/1 correctness is bootstrap_interval (tracks) and
    cluster_bootstrap_interval (groups), draw for draw; on shares (the part of several runs right)
    it is the hand-written cluster bootstrap of their mean, ends being resampled means. Break
    tried: the resampled sums divided by the test set's size, not the tracks drawn -> the
    shares' interval differs."""
    from genrelib.evaluation import mean_interval

    rng = np.random.default_rng(5)
    y_true = rng.integers(0, 4, 30)
    y_pred = np.where(rng.random(30) < 0.7, y_true, (y_true + 1) % 4)
    groups = rng.integers(0, 9, 30).astype(str)
    correct = (y_true == y_pred).astype(float)
    assert mean_interval(correct, seed=3) == bootstrap_interval(y_true, y_pred, seed=3)
    assert mean_interval(correct, groups, seed=3) == cluster_bootstrap_interval(y_true, y_pred, groups, seed=3)
    share = rng.integers(0, 6, 30) / 5  # five runs
    _, first, group_of = np.unique(groups, return_index=True, return_inverse=True)
    group_of = np.argsort(np.argsort(first))[group_of]
    draws = np.random.default_rng(0).integers(0, len(first), size=(2000, len(first)))
    means = np.array([share[np.concatenate([np.flatnonzero(group_of == g) for g in row])].mean() for row in draws])
    low, high = mean_interval(share, groups)
    expected = (np.percentile(means, 2.5, method="lower"), np.percentile(means, 97.5, method="higher"))
    np.testing.assert_allclose((low, high), expected, rtol=1e-12)
    with pytest.raises(ValueError, match="one group .* per track"):
        mean_interval(share, groups[:-1])
