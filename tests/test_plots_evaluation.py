"""The evaluation figures (genrelib.plots.evaluation) draw what they are given: confusion
matrix, per-genre scores and model comparison (chapters 3-5), intervals, filters, embeddings
(chapter 7)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from genrelib import plots  # noqa: E402
from genrelib.evaluation import evaluate_predictions  # noqa: E402


def test_intervals_draw_each_estimate_its_bounds_and_the_reference() -> None:
    fig = plots.plot_intervals({"cnn": (0.6, (0.5, 0.7)), "svm": (0.8, (0.72, 0.9))},
                               reference={"cnn": 0.815, "svm": None})
    ax = fig.axes[0]
    bars = [line for line in ax.lines if len(line.get_xdata()) == 2]
    assert [tuple(b.get_xdata()) for b in bars] == [(0.5, 0.7), (0.72, 0.9)]
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert [(float(d.get_xdata()[0]), float(d.get_ydata()[0])) for d in dots] == [(0.6, 0.0), (0.8, 1.0)]
    crosses = [line for line in ax.lines if line.get_marker() == "x"]
    assert len(crosses) == 1 and list(crosses[0].get_xdata()) == [0.815] and list(crosses[0].get_ydata()) == [0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cnn", "svm"]


def test_filters_show_every_kernel_as_it_is() -> None:
    kernels = np.random.default_rng(0).normal(size=(3, 5, 1, 10))
    fig = plots.plot_filters(kernels, ncols=4)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 10 and len(fig.axes) == 12  # 3 rows of 4, two left empty
    for i, image in enumerate(images):
        np.testing.assert_array_equal(image.get_array(), kernels[:, :, 0, i])
    with pytest.raises(ValueError, match="first-layer kernels"):
        plots.plot_filters(np.zeros((3, 3, 2, 4)))


def test_embedding_colours_every_point_by_its_genre() -> None:
    points = np.arange(20, dtype=float).reshape(10, 2)
    labels = [0, 0, 1, 2, 2, 2, 0, 1, 1, 2]
    fig = plots.plot_embedding(points, labels, ["blues", "jazz", "rock"])
    ax = fig.axes[0]
    sizes = {c.get_label(): len(c.get_offsets()) for c in ax.collections}
    assert sizes == {"blues": 3, "jazz": 3, "rock": 4}
    rock = next(c for c in ax.collections if c.get_label() == "rock")
    np.testing.assert_array_equal(rock.get_offsets(), points[[3, 4, 5, 9]])
    with pytest.raises(ValueError, match="shape"):
        plots.plot_embedding(points[:, :1], labels, ["blues", "jazz", "rock"])


def test_confusion_per_genre_and_comparison_draw_a_record(tmp_path) -> None:
    genres = ("blues", "jazz", "rock")
    probs = np.eye(3)[[0, 0, 1, 2, 2, 0]]
    record = evaluate_predictions(probs, [0, 0, 1, 1, 2, 2], list("aabbcc"), genres=genres)
    fig = plots.plot_confusion_matrix(record.confusion, genres)
    assert fig.axes[0].get_ylabel() == "true genre"
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == list(genres)
    assert [t.get_text() for t in fig.axes[0].texts] == [str(int(v)) for v in np.ravel(record.confusion)]
    no_rock = np.array([[2, 0, 0], [1, 1, 0], [0, 0, 0]])  # no rock track: a blank row, said so
    fig = plots.plot_confusion_matrix(no_rock, genres)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["blues", "jazz", "rock (no track)"]
    assert [t.get_text() for t in fig.axes[0].texts] == ["2", "0", "0", "1", "1", "0"]  # break: no mask -> 0s
    fig = plots.plot_per_genre(record.per_genre)
    assert [round(p.get_height(), 3) for p in fig.axes[0].patches] == [
        round(record.per_genre[g].f1, 3) for g in genres]
    assert len(plots.plot_per_genre({"cnn": record.per_genre, "crnn": record.per_genre}
                                    ).axes[0].patches) == 6
    assert not plots.plot_per_genre(record.per_genre).axes[0].texts  # every genre has tracks
    untested = evaluate_predictions(probs[:4], [0, 0, 1, 1], list("aabb"), genres=genres)  # no rock track
    assert [t.get_text() for t in plots.plot_per_genre(untested.per_genre).axes[0].texts] == ["no track"]
    fig = plots.plot_model_comparison({"cnn": record, "crnn": record})
    assert len(fig.axes[0].patches) == 6
    labels = [t.get_text() for t in fig.axes[0].texts][:3]  # the first model's bars
    assert labels == [f"{100 * record.segment_accuracy:.1f} %", f"{100 * record.track_accuracy:.1f} %",
                      f"{record.macro_f1:.3f}"]  # break: fmt="%.2f" -> "0.67"
    fig.savefig(tmp_path / "cmp.png")


def test_confusion_colours_are_fractions_of_the_true_genre() -> None:
    """Normalised, each row's colours are that TRUE genre's counts over its row total (the
    diagonal is the recall); unnormalised, the counts; columns are labelled by the genres in
    order. Break tried: normalised by column totals -> fails."""
    genres = ("blues", "jazz", "rock")
    counts = np.array([[3, 1, 0], [2, 2, 4], [0, 1, 1]])
    ax = plots.plot_confusion_matrix(counts, genres).axes[0]
    shown = np.ma.getdata(ax.collections[0].get_array()).reshape(3, 3)
    np.testing.assert_allclose(shown, counts / counts.sum(axis=1, keepdims=True))
    assert [t.get_text() for t in ax.get_xticklabels()] == list(genres)
    assert ax.get_xlabel() == "predicted genre"
    raw = plots.plot_confusion_matrix(counts, genres, normalize=False).axes[0]
    raw_shown = np.ma.getdata(raw.collections[0].get_array()).reshape(3, 3)
    np.testing.assert_array_equal(raw_shown, counts)


def test_per_genre_draws_the_metric_asked_for() -> None:
    """``metric="recall"`` draws each genre's recall (not its F1) and names the axis so.
    Break tried: the F1 drawn whatever the metric -> fails."""
    genres = ("blues", "jazz", "rock")
    probs = np.eye(3)[[0, 0, 0, 1, 2, 2]]  # blues: recall 1, precision 2/3
    record = evaluate_predictions(probs, [0, 0, 1, 1, 2, 2], list("aabbcc"), genres=genres)
    for metric in ("recall", "precision"):
        ax = plots.plot_per_genre(record.per_genre, metric=metric).axes[0]
        assert [p.get_height() for p in ax.patches] == pytest.approx(
            [getattr(record.per_genre[g], metric) for g in genres])
        assert ax.get_ylabel() == metric
    blues = record.per_genre["blues"]
    assert blues.recall != blues.f1  # the metrics differ here


def test_model_comparison_marks_chance_at_its_level() -> None:
    """The dashed "chance" line sits at ``chance`` (1 / number of genres).
    Break tried: the line at 1 - chance -> fails."""
    genres = ("blues", "jazz", "rock")
    record = evaluate_predictions(np.eye(3)[[0, 1, 2]], [0, 1, 2], list("abc"), genres=genres)
    ax = plots.plot_model_comparison({"cnn": record}, chance=0.25).axes[0]
    (line,) = [line for line in ax.lines if line.get_label() == "chance"]
    assert list(line.get_ydata()) == [0.25, 0.25]


def test_intervals_list_the_first_name_on_top() -> None:
    """Names run down the figure in the order given: the y axis is inverted, row 0 on top.
    Break tried: the limits not inverted -> the first name at the bottom."""
    ax = plots.plot_intervals({"cnn": (0.6, (0.5, 0.7)), "svm": (0.8, (0.72, 0.9))}).axes[0]
    low, high = ax.get_ylim()
    assert low > high and high < 0 < 1 < low
