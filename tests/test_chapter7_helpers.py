"""Chapter 7's helpers: the rebuilt Table 2, the misclassified tracks, the embeddings."""

from __future__ import annotations

import numpy as np
import pytest

from genrelib.evaluation import evaluate_predictions, top_genres
from genrelib.results import STUDY_TABLE2, table2

GENRES = ("blues", "jazz", "rock")


def _result(seed: int = 0):
    """Four tracks of three segments; track t3 (rock) is taken for jazz."""
    probs = np.array([[.8, .1, .1]] * 3 + [[.1, .7, .2]] * 3 + [[.2, .2, .6]] * 3 + [[.05, .65, .3]] * 3)
    y = np.repeat([0, 1, 2, 2], 3)
    ids = np.repeat(["t0", "t1", "t2", "t3"], 3)
    return evaluate_predictions(probs, y, ids, genres=GENRES, n_resamples=200, seed=seed)


def test_top_genres_lists_the_mistakes_with_their_top_k() -> None:
    table = top_genres(_result(), k=2)
    assert table.to_dict("records") == [
        {"track_id": "t3", "true": "rock", "predicted": "jazz", "top_k": "jazz 0.65, rock 0.30",
         "confidence": pytest.approx(0.65)}]
    everything = top_genres(_result(), k=3, errors_only=False)
    assert list(everything["track_id"]) == ["t0", "t1", "t3", "t2"]  # most confident first
    assert everything.loc[0, "top_k"] == "blues 0.80, jazz 0.10, rock 0.10"


def test_table2_puts_our_numbers_beside_the_study() -> None:
    result = _result()
    table = table2({"cnn": result, "svm": result})
    assert table.loc["cnn", "track acc. (vote)"] == pytest.approx(0.75)
    assert table.loc["cnn", "segment acc."] == pytest.approx(0.75)
    # the three rules side by side: track "a" is lost by the vote and the mean, won by the
    # geometric mean (one sure segment vetoes the first genre)
    probs = np.array([[.9, .1, 0], [.9, .1, 0], [.01, .99, 0]] + [[.8, .1, .1]] * 3)
    rules = evaluate_predictions(probs, [1, 1, 1, 0, 0, 0], ["a"] * 3 + ["b"] * 3, genres=GENRES, n_resamples=50)
    columns = table2({"cnn": rules}).loc["cnn", ["track acc. (vote)", "track acc. (mean)", "track acc. (geometric)"]]
    assert columns.tolist() == [0.5, 0.5, 1.0]
    assert table.loc["cnn", "F1"] == pytest.approx(round(result.macro_f1, 3))
    assert table.loc["cnn", "F1 (tested genres)"] == pytest.approx(round(result.tested_macro_f1, 3))
    if result.untested_genres:  # the two columns differ only when a genre has no test track
        assert table.loc["cnn", "F1 (tested genres)"] > table.loc["cnn", "F1"]
    assert table.loc["cnn", "95 % CI"] == "[{:.2f}, {:.2f}]".format(*result.track_accuracy_ci)
    assert table.loc["cnn", "top-2"] == pytest.approx(1.0)
    assert table.loc["cnn", "study accuracy"] == STUDY_TABLE2["cnn"]["accuracy"] == 0.815
    assert table.loc["cnn", "study f1"] == 0.81 and table.loc["svm", "study accuracy"] == "–"


def test_segment_embeddings_are_the_input_of_the_output_layer() -> None:
    import keras

    from genrelib.models import build_cnn
    from genrelib.training import segment_embeddings

    model = build_cnn(input_shape=(16, 20, 1), n_classes=3, filters=(4, 8), dense_units=6)
    X = np.random.default_rng(0).normal(size=(5, 16, 20)).astype("float32")
    embedded = segment_embeddings(model, X, model_kind="cnn")
    assert embedded.shape == (5, 6)
    dense = keras.Model(model.inputs, model.get_layer("dense").output)  # dropout is off at inference
    np.testing.assert_allclose(embedded, dense.predict(X[..., None], verbose=0), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="no hidden layer"):
        segment_embeddings(model, X, model_kind="logreg")


def test_the_quick_profile_ensembles_fewer_seeds() -> None:
    from genrelib import get_profile

    assert get_profile("quick").ensemble_seeds == 2 and get_profile("full").ensemble_seeds == 5
