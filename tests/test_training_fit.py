"""genrelib.training.fit: the fit with the study's recipe (history, checkpoint, determinism,
mixed precision, refusals), predictions and a model written in a notebook cell (the run
folder train_run writes around the fit: tests/test_pipeline_run.py).

Re-run under KERAS_BACKEND=jax (tests/test_backends.py); several simulated devices are in
tests/test_training_devices.py."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers import SHAPE, learnable_arrays, small_model, spy_callbacks  # noqa: E402

from genrelib import models, runs  # noqa: E402
from genrelib.config import TrainConfig  # noqa: E402
from genrelib.training import (fit_model, predict_probs, segment_embeddings, set_seed,  # noqa: E402
                               training_scope)


def _train_once(seed: int, tmp_path, epochs: int = 1,
                kind: str = "cnn") -> tuple[object, np.ndarray, list[np.ndarray]]:
    X, y = learnable_arrays()
    set_seed(seed)
    model = small_model(kind)
    history = fit_model(model, models.model_input(X[:32], kind), y[:32],
                        models.model_input(X[32:], kind), y[32:],
                        train=TrainConfig(epochs=epochs, batch_size=8), run_dir=tmp_path, verbose=0)
    return history, predict_probs(model, X[32:], model_kind=kind), model.get_weights()


@pytest.mark.slow
def test_fit_writes_history_and_checkpoint(tmp_path) -> None:
    history, probs, _ = _train_once(0, tmp_path, epochs=2)
    assert history["epoch"].tolist() == [1, 2]
    for column in ("loss", "accuracy", "val_loss", "val_accuracy", "learning_rate", "epoch_seconds",
                   "data_wait_fraction"):
        assert column in history
    assert history["data_wait_fraction"].between(0, 1).all()
    assert (tmp_path / "history.csv").is_file() and (tmp_path / "checkpoint.weights.h5").is_file()
    assert probs.shape == (8, 4)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["cnn", "rnn", "crnn"])
def test_same_seed_same_weights_and_predictions(kind: str, tmp_path) -> None:
    """Every model kind: the same seed gives identical weights, history and predictions."""
    h1, p1, w1 = _train_once(3, tmp_path / "a", kind=kind)
    h2, p2, w2 = _train_once(3, tmp_path / "b", kind=kind)
    assert h1[["loss", "val_loss", "val_accuracy"]].equals(h2[["loss", "val_loss", "val_accuracy"]])
    for a, b in zip(w1, w2, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(p1, p2)
    set_seed(4)
    other = small_model(kind).get_weights()
    set_seed(3)
    same = small_model(kind).get_weights()
    assert not all(np.array_equal(a, b) for a, b in zip(same, other))  # the seed matters


@pytest.mark.slow
def test_mixed_precision_trains_with_finite_metrics_close_to_float32() -> None:
    """precision "mixed": bfloat16 layers with float32 variables, a float32 softmax, finite
    metrics within 0.02 of the float32 run's (no dropout, so only the precision differs)."""
    X, y = learnable_arrays()
    runs_ = {}
    for precision in ("float32", "mixed"):
        train = TrainConfig(epochs=3, batch_size=8, precision=precision)
        set_seed(0)
        with training_scope(train) as plan:
            model = models.build_cnn(input_shape=(*SHAPE, 1), n_classes=4, filters=(4, 8),
                                     dense_units=8, dropout=0, dense_dropout=0)
            history = fit_model(model, models.model_input(X[:32], "cnn"), y[:32],
                                models.model_input(X[32:], "cnn"), y[32:], train=train, verbose=0)
        runs_[precision] = plan, model, history, predict_probs(model, X[32:], model_kind="cnn")
    assert keras.config.dtype_policy().name == "float32"  # the scope put the policy back
    plan, model, history, probs = runs_["mixed"]
    assert plan.dtype_policy == "mixed_bfloat16"  # a CPU: bfloat16, no loss scaling
    conv, out = model.get_layer("conv1"), model.get_layer("genre")
    assert (conv.compute_dtype, conv.variable_dtype) == ("bfloat16", "float32")
    assert out.compute_dtype == "float32" and probs.dtype == np.float32
    assert runs_["float32"][1].get_layer("conv1").compute_dtype == "float32"
    metrics = ["loss", "val_loss", "accuracy", "val_accuracy"]
    assert np.isfinite(history[metrics].to_numpy()).all()
    np.testing.assert_allclose(history[metrics], runs_["float32"][2][metrics], atol=0.02)
    np.testing.assert_allclose(probs, runs_["float32"][3], atol=0.02)


@pytest.mark.slow
def test_stops_on_nan(tmp_path) -> None:
    X, y = learnable_arrays()
    set_seed(0)
    model = small_model()
    # an absurd learning rate blows the weights up within a few batches
    with pytest.raises(FloatingPointError, match="lower the learning rate"):
        fit_model(model, models.model_input(X, "cnn"), y,
                  train=TrainConfig(epochs=5, batch_size=8, learning_rate=1e12), verbose=0)


def test_non_finite_features_are_refused() -> None:
    X, y = learnable_arrays()
    X[5, 0, 0] = np.nan
    with pytest.raises(ValueError, match="the training features contain 1 NaN/inf"):
        fit_model(small_model(), models.model_input(X, "cnn"), y, verbose=0)
    X[5, 0, 0] = 0.0
    X_valid = X[:2].copy()
    X_valid[0, 0, 0], X_valid[1, 3, 4] = np.inf, np.nan
    with pytest.raises(ValueError, match="the validation features contain 2 NaN/inf"):
        fit_model(small_model(), models.model_input(X, "cnn"), y,
                  models.model_input(X_valid, "cnn"), y[:2], verbose=0)


def test_empty_training_set_is_refused() -> None:
    """fit_model refuses an empty training split with a ValueError saying so."""
    X, y = learnable_arrays()
    with pytest.raises(ValueError, match="training split is empty"):
        fit_model(small_model(), models.model_input(X[:0], "cnn"), y[:0], verbose=0)


@pytest.mark.slow
def test_without_validation_monitors_training_loss(tmp_path, monkeypatch, caplog) -> None:
    """Without validation data every monitoring callback watches "loss" and works (no warning)."""
    X, y = learnable_arrays()
    made = spy_callbacks(monkeypatch)
    set_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = fit_model(small_model(), models.model_input(X, "cnn"), y,
                            train=TrainConfig(epochs=2, batch_size=16), run_dir=tmp_path, verbose=0)
    assert "val_loss" not in history and len(history) == 2
    monitors = {type(c).__name__: c.monitor for c in made if hasattr(c, "monitor")}
    assert monitors == {"EarlyStopping": "loss", "ReduceLROnPlateau": "loss",
                        "ModelCheckpoint": "loss"}
    assert (tmp_path / runs.CHECKPOINT_FILE).is_file()  # save_best_only found its metric
    said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert not [m for m in said if "not available" in m or "conditioned on metric" in m
                or "save best model only" in m], said


# --------------------------------------------------------------------------- a reader's model


def _readers_models() -> dict[str, keras.Model]:
    """Models as a reader writes them in a notebook cell: no genrelib builder, no layer names."""
    sequential = keras.Sequential([
        keras.Input((*SHAPE, 1)),
        keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(6, activation="relu"),
        keras.layers.Dense(4, activation="softmax"),
    ])
    inputs = keras.Input((*SHAPE, 1))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    functional = keras.Model(inputs, keras.layers.Dense(4, activation="softmax")(x))
    return {"sequential": sequential, "functional": functional}


@pytest.mark.slow
@pytest.mark.parametrize("style", ["sequential", "functional"])
def test_fit_model_trains_a_model_written_in_a_notebook_cell(style: str, tmp_path) -> None:
    """fit_model, predict_probs and segment_embeddings take any Keras model on the same input,
    with the same history columns, run files and determinism as the library's builders."""
    X, y = learnable_arrays()
    fits = []
    for attempt in ("a", "b"):
        set_seed(1)
        model = _readers_models()[style]
        history = fit_model(model, models.model_input(X[:32], "cnn"), y[:32],
                            models.model_input(X[32:], "cnn"), y[32:],
                            train=TrainConfig(epochs=2, batch_size=8), run_dir=tmp_path / attempt,
                            verbose=0)
        fits.append((history, model))
    (history, model), (again, _) = fits
    assert set(history.columns) == {"epoch", "accuracy", "loss", "val_accuracy", "val_loss",
                                    "learning_rate", "epoch_seconds", "data_wait_fraction"}
    assert (tmp_path / "a" / runs.HISTORY_FILE).is_file()
    assert (tmp_path / "a" / runs.CHECKPOINT_FILE).is_file()
    np.testing.assert_array_equal(history[["loss", "val_loss"]], again[["loss", "val_loss"]])
    probs = predict_probs(model, X[32:], model_kind="cnn")
    assert probs.shape == (8, 4)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    hidden = segment_embeddings(model, X[32:], model_kind="cnn")  # the last layer's input
    assert hidden.shape == (8, 6 if style == "sequential" else 4)


def test_padding_for_several_devices_keeps_the_weighted_mean_over_the_real_rows() -> None:
    """The validation set padded to a multiple of the device count: copies of real rows that
    weigh 0, real rows weighing padded/real, so a mean over the padded rows with these weights
    is the mean over the real rows.

    Break tried: the real rows weighing 1 instead of (n + pad) / n -> this test fails (the
    weighted mean over 8 rows is 5/8 of the real rows' mean)."""
    from genrelib.training.fit import _padded

    x, y = np.arange(5, dtype=np.float32)[:, None] + 1, np.array([0, 1, 2, 0, 1])
    xp, yp, w = _padded(x, y, 4)
    assert len(xp) == len(yp) == len(w) == 8
    np.testing.assert_array_equal(xp[:5], x)
    np.testing.assert_array_equal(yp[:5], y)
    np.testing.assert_array_equal(w[5:], 0.0)
    assert float(np.mean(w * xp[:, 0])) == pytest.approx(float(x.mean()))
    assert _padded(x, y, 5)[2].tolist() == [1.0] * 5  # nothing to pad
