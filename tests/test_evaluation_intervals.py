"""genrelib.evaluation.intervals: percentile bootstrap intervals over tracks, equal to a
hand-written resampling loop, ends that are resampled scores, narrowing with more tracks, and
their input checks."""

from __future__ import annotations

import numpy as np
import pytest

from genrelib.evaluation import bootstrap_interval, classification_report


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
        else:  # over the classes this resample tests, scaled to those the sample tests
            share = len(np.unique(y_true)) / n_classes
            scores.append(share * f1_score(y_true[i], y_pred[i], labels=np.unique(y_true[i]),
                                           average="macro", zero_division=0))
    tail = 100 * (1 - level) / 2
    return np.percentile(scores, tail, method="lower"), np.percentile(scores, 100 - tail, method="higher")


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


def test_macro_f1_interval_with_one_or_two_tracks_a_genre_holds_its_estimate() -> None:
    """A resample that misses a genre does not score it 0: the interval stays around the
    estimate (scored 0, this set's 95 % interval lay wholly below its macro F1)."""
    y_true = np.array([0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3])  # 10 genres, 8 tested
    y_pred = np.array([0, 1, 2, 3, 4, 5, 6, 0, 0, 1, 2, 9])
    point = classification_report(y_true, y_pred, genres=list("abcdefghij")).macro_f1
    assert point == pytest.approx(0.8 * np.mean([4 / 5, 1, 1, 2 / 3, 1, 1, 1, 0]))
    scale = 0.8  # 8 of 10 genres tested: the untested two count 0, in resamples as here
    low, high = bootstrap_interval(y_true, y_pred, metric="macro_f1", n_classes=10)
    assert low < point < high <= scale + 1e-12
    assert bootstrap_interval(y_true, y_true, metric="macro_f1", n_classes=10) == pytest.approx(
        (scale, scale))


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
        (np.percentile(expected, 2.5, method="lower"), np.percentile(expected, 97.5, method="higher")),
        abs=1e-12)


@pytest.mark.parametrize("n", [8, 48, 80])
def test_an_accuracy_intervals_ends_are_accuracies_n_tracks_can_give(n) -> None:
    """No interpolation between two resampled scores: on 48 tracks an end is k / 48 (75.0 or
    77.1 %, never 75.1 %), at or outside the interpolated percentile."""
    rng = np.random.default_rng(n)
    y_true = rng.integers(0, 10, size=n)
    y_pred = np.where(rng.random(n) < 0.7, y_true, (y_true + 1) % 10)
    off_lattice = 0  # interpolated ends that no resample scores: the cases this test is for
    for level in (0.95, 0.9, 0.5):
        for n_resamples in (57, 2000):
            low, high = bootstrap_interval(y_true, y_pred, level=level, seed=n, n_resamples=n_resamples)
            assert low * n == pytest.approx(round(low * n), abs=1e-9)
            assert high * n == pytest.approx(round(high * n), abs=1e-9)
            idx = np.random.default_rng(n).integers(0, n, size=(n_resamples, n))
            interpolated = np.percentile((y_true[idx] == y_pred[idx]).mean(axis=1),
                                         [50 * (1 - level), 100 - 50 * (1 - level)])
            assert low <= interpolated[0] <= interpolated[1] <= high
            off_lattice += sum(abs(v * n - round(v * n)) > 1e-9 for v in interpolated)
    assert off_lattice > 0


def test_bootstrap_interval_properties() -> None:
    def tracks(n, accuracy=0.7):
        y_true = np.arange(n) % 5
        y_pred = np.where(np.arange(n) % 10 < 10 * accuracy, y_true, (y_true + 1) % 5)
        return y_true, y_pred

    for metric, point in (("accuracy", 0.7), ("macro_f1", None)):
        small, large = tracks(50), tracks(800)
        if point is None:
            point = classification_report(*small, genres=list("abcde")).macro_f1
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

