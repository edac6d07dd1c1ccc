"""Training loop: callbacks, history, checkpoints, determinism, mixed precision, the batch
size / learning rate rule, the data-wait measurement; train_run on synthetic audio.

Re-run under KERAS_BACKEND=jax (tests/test_backends.py); the heavier device tests (several
simulated devices, the CLI options) are in tests/test_devices.py."""

from __future__ import annotations

import json
import time
import warnings
import zipfile

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from genrelib import models, runs  # noqa: E402
from genrelib.config import TrainConfig  # noqa: E402
from genrelib.training import (fit_model, make_callbacks, predict_probs, set_seed,  # noqa: E402
                               training_scope)

SHAPE = (16, 24)  # (mels, frames)


def _arrays(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random features with a learnable signal: class c brightens mel rows 3c..3c+2."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 4
    X = rng.normal(size=(n, *SHAPE)).astype("float32")
    for c in range(4):
        X[y == c, 3 * c:3 * c + 3, :] += 2.0
    return X, y


def _tiny_cnn() -> keras.Model:
    return models.build_cnn(input_shape=(*SHAPE, 1), n_classes=4, filters=(4, 8), dense_units=8)


def _tiny(kind: str) -> keras.Model:
    """A small model of ``kind`` for (16, 24) features and 4 classes."""
    if kind == "cnn":
        return _tiny_cnn()
    if kind == "rnn":
        return models.build_rnn(input_shape=SHAPE[::-1], n_classes=4, units=8)
    return models.build_crnn(input_shape=(*SHAPE, 1), n_classes=4, conv_blocks=1, filters=(4,),
                             units=8)


def _train_once(seed: int, tmp_path, epochs: int = 1,
                kind: str = "cnn") -> tuple[object, np.ndarray, list[np.ndarray]]:
    X, y = _arrays()
    set_seed(seed)
    model = _tiny(kind)
    history = fit_model(model, models.model_input(X[:32], kind), y[:32],
                        models.model_input(X[32:], kind), y[32:],
                        train=TrainConfig(epochs=epochs, batch_size=8), run_dir=tmp_path, verbose=0)
    return history, predict_probs(model, X[32:], kind=kind), model.get_weights()


def test_fit_writes_history_and_checkpoint(tmp_path) -> None:
    history, probs, _ = _train_once(0, tmp_path, epochs=2)
    assert history["epoch"].tolist() == [1, 2]
    for column in ("loss", "accuracy", "val_loss", "val_accuracy", "learning_rate", "epoch_seconds",
                   "data_wait_fraction"):
        assert column in history
    assert history["data_wait_fraction"].between(0, 1).all()
    assert (tmp_path / "history.csv").is_file() and (tmp_path / "checkpoint.weights.h5").is_file()
    assert probs.shape == (8, 4)


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
    other = _tiny(kind).get_weights()
    set_seed(3)
    same = _tiny(kind).get_weights()
    assert not all(np.array_equal(a, b) for a, b in zip(same, other))  # the seed matters


def test_mixed_precision_trains_with_finite_metrics_close_to_float32() -> None:
    """precision "mixed": bfloat16 layers with float32 variables, a float32 softmax, finite
    metrics within 0.02 of the float32 run's (no dropout, so only the precision differs)."""
    X, y = _arrays()
    runs_ = {}
    for precision in ("float32", "mixed"):
        train = TrainConfig(epochs=3, batch_size=8, precision=precision)
        set_seed(0)
        with training_scope(train) as plan:
            model = models.build_cnn(input_shape=(*SHAPE, 1), n_classes=4, filters=(4, 8),
                                     dense_units=8, dropout=0, dense_dropout=0)
            history = fit_model(model, models.model_input(X[:32], "cnn"), y[:32],
                                models.model_input(X[32:], "cnn"), y[32:], train=train, verbose=0)
        runs_[precision] = plan, model, history, predict_probs(model, X[32:], kind="cnn")
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


def test_batch_size_scales_the_learning_rate_unless_given() -> None:
    """The linear rule from the recipe's (32, 1e-3): lr = 1e-3 * N / 32; an explicit lr wins;
    train_run's overrides follow it (what config.json records)."""
    from genrelib.pipeline import _train_config

    recipe = TrainConfig()
    assert (recipe.batch_size, recipe.learning_rate) == (32, 1e-3)
    for n in (8, 32, 128, 256):
        scaled = recipe.with_batch_size(n)
        assert scaled.batch_size == n and scaled.learning_rate == pytest.approx(1e-3 * n / 32)
    assert recipe.with_batch_size(128, learning_rate=2e-3).learning_rate == 2e-3
    run = _train_config("full", seed=0, epochs=None, batch_size=128)
    assert (run.batch_size, run.learning_rate, run.epochs) == (128, pytest.approx(4e-3), 50)
    assert _train_config("quick", seed=0, epochs=None, batch_size=128,
                         learning_rate=5e-4).learning_rate == 5e-4
    assert _train_config("quick", seed=0, epochs=None, learning_rate=5e-4).batch_size == 32
    with pytest.raises(ValueError, match="batch_size must be >= 1, got 0"):
        recipe.with_batch_size(0)
    with pytest.raises(ValueError, match="precision must be one of"):
        TrainConfig(precision="half")


def test_data_wait_fraction_sees_a_slow_input_pipeline(monkeypatch) -> None:
    """A feed that takes 40 ms per batch makes the training loop wait most of the epoch."""
    from genrelib import training

    X, y = _arrays()
    gather = training.BatchFeed.batch

    def slow(self, k):
        time.sleep(0.04)
        return gather(self, k)

    monkeypatch.setattr(training.BatchFeed, "batch", slow)
    set_seed(0)
    history = fit_model(_tiny_cnn(), models.model_input(X, "cnn"), y, verbose=0,
                        train=TrainConfig(epochs=2, batch_size=4))
    assert history["data_wait_fraction"].between(0, 1).all()
    assert history["data_wait_fraction"].iloc[-1] > 0.5, history


def test_callbacks_follow_the_recipe() -> None:
    cbs = {type(c).__name__: c for c in make_callbacks(TrainConfig(), run_dir=None)}
    assert cbs["EarlyStopping"].restore_best_weights and cbs["EarlyStopping"].monitor == "val_loss"
    assert cbs["ReduceLROnPlateau"].factor == pytest.approx(0.1)
    assert "TerminateOnNaN" in cbs
    assert "ModelCheckpoint" not in cbs and "CSVLogger" not in cbs


def test_stops_on_nan(tmp_path) -> None:
    X, y = _arrays()
    set_seed(0)
    model = _tiny_cnn()
    # an absurd learning rate blows the weights up within a few batches
    with pytest.raises(FloatingPointError, match="lower the learning rate"):
        fit_model(model, models.model_input(X, "cnn"), y,
                  train=TrainConfig(epochs=5, batch_size=8, learning_rate=1e12), verbose=0)


def test_non_finite_features_are_refused() -> None:
    X, y = _arrays()
    X[5, 0, 0] = np.nan
    with pytest.raises(ValueError, match="1 NaN/inf"):
        fit_model(_tiny_cnn(), models.model_input(X, "cnn"), y, verbose=0)


def _spy_callbacks(monkeypatch, first: tuple = (), last: tuple = ()) -> list:
    """Record the callbacks fit_model makes, with ``first`` ones before them, ``last`` after."""
    from genrelib import training

    made: list = []
    real = training.make_callbacks

    def spy(*args, **kwargs):
        made.extend([*first, *real(*args, **kwargs), *last])
        return made

    monkeypatch.setattr(training, "make_callbacks", spy)
    return made


def test_without_validation_monitors_training_loss(tmp_path, monkeypatch, caplog) -> None:
    """Without validation data every monitoring callback watches "loss" and works (no warning)."""
    X, y = _arrays()
    made = _spy_callbacks(monkeypatch)
    set_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = fit_model(_tiny_cnn(), models.model_input(X, "cnn"), y,
                            train=TrainConfig(epochs=2, batch_size=16), run_dir=tmp_path, verbose=0)
    assert "val_loss" not in history and len(history) == 2
    monitors = {type(c).__name__: c.monitor for c in made if hasattr(c, "monitor")}
    assert monitors == {"EarlyStopping": "loss", "ReduceLROnPlateau": "loss",
                        "ModelCheckpoint": "loss"}
    assert (tmp_path / runs.CHECKPOINT_FILE).is_file()  # save_best_only found its metric
    said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert not [m for m in said if "not available" in m or "conditioned on metric" in m
                or "save best model only" in m], said


def test_empty_training_set_is_refused() -> None:
    """fit_model refuses an empty training split with a ValueError saying so."""
    X, y = _arrays()
    with pytest.raises(ValueError, match="training split is empty"):
        fit_model(_tiny_cnn(), models.model_input(X[:0], "cnn"), y[:0], verbose=0)


class _WeightsPerEpoch(keras.callbacks.Callback):
    """Keeps a copy of the model's weights at the end of every epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.weights: list[list[np.ndarray]] = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.weights.append([w.copy() for w in self.model.get_weights()])


class _ScriptedValLoss(keras.callbacks.Callback):
    """Sets each epoch's val_loss from a script (placed before the callbacks that read it)."""

    def __init__(self, values: list[float]) -> None:
        super().__init__()
        self.values = values

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs["val_loss"] = self.values[epoch]


def _same_weights(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def test_early_stopping_restores_best_weights_and_checkpoint_holds_them(tmp_path, monkeypatch) -> None:
    """After fit_model the model, and the checkpoint file, hold the best epoch's weights."""
    X, y = _arrays()
    recorder = _WeightsPerEpoch()
    # validation loss lowest at epoch 2, then worse: patience 2 stops training after epoch 4
    _spy_callbacks(monkeypatch, first=(_ScriptedValLoss([1.0, 0.5, 0.7, 0.9, 1.1]),),
                   last=(recorder,))
    set_seed(0)
    model = _tiny_cnn()
    history = fit_model(model, models.model_input(X[:32], "cnn"), y[:32],
                        models.model_input(X[32:], "cnn"), y[32:], run_dir=tmp_path, verbose=0,
                        train=TrainConfig(epochs=5, batch_size=8, early_stopping_patience=2))
    assert history["val_loss"].tolist() == [1.0, 0.5, 0.7, 0.9] and len(recorder.weights) == 4
    best = recorder.weights[1]
    assert not _same_weights(best, recorder.weights[-1])  # training moved on after the best epoch
    assert _same_weights(model.get_weights(), best)
    fresh = _tiny_cnn()
    fresh.load_weights(tmp_path / runs.CHECKPOINT_FILE)
    assert _same_weights(fresh.get_weights(), best)


# --------------------------------------------------------------------------- train_run


@pytest.fixture(scope="module")
def tiny_run(tiny_synthetic, tmp_path_factory):
    from genrelib.pipeline import train_run

    out = tmp_path_factory.mktemp("run")
    cache = tmp_path_factory.mktemp("cache")
    result = train_run(tiny_synthetic, model="cnn", profile="quick", out_dir=out, epochs=1, seed=0,
                       valid_fraction=0.34, test_fraction=0.34, cache_dir=cache, verbose=0,
                       filters=(8, 8, 16, 16, 16), dense_units=16)
    return result, cache


def test_train_run_writes_a_complete_run_folder(tiny_run) -> None:
    result, _ = tiny_run
    folder = result.run_dir
    for name in ("model.keras", "config.json", "history.csv", "metrics.json", "split.json"):
        assert (folder / name).is_file(), name
    metrics = json.loads((folder / "metrics.json").read_text())
    for level in ("valid", "test"):
        for key in ("track_accuracy", "segment_accuracy", "macro_f1", "per_genre", "confusion"):
            assert key in metrics[level]
    assert metrics["n_tracks"]["test"] == 10 and metrics["n_segments"]["test"] == 10 * 19
    config = json.loads((folder / "config.json").read_text())
    assert config["model"] == "cnn" and config["train_config"]["epochs"] == 1
    assert config["train_config"]["precision"] == "float32" and config["train_config"]["devices"] is None
    assert config["devices"]["count"] == 1 and config["devices"]["kind"] == "cpu"
    assert 0 <= metrics["data_wait_fraction"] <= 1
    assert config["model_options"]["filters"] == [8, 8, 16, 16, 16]
    with zipfile.ZipFile(folder / "model.keras") as archive:
        meta = json.loads(archive.read("genrelib.json"))
    assert meta["genres"] == list(result.genres)
    assert len(meta["standardizer"]["mean"]) == 128
    split = json.loads((folder / "split.json").read_text())
    assert not set(split["train"]) & set(split["test"])


def test_saved_model_alone_reproduces_predictions(tiny_run) -> None:
    """model.keras alone (no standardiser file, no config) gives the run's test predictions."""
    from genrelib.config import FeatureConfig
    from genrelib.datasets import index_dataset
    from genrelib.features import extract_features

    result, cache = tiny_run
    model, meta = runs.load_run_model(result.run_dir / "model.keras")
    index = index_dataset(json.loads((result.run_dir / "config.json").read_text())["data"])
    features = extract_features(index, FeatureConfig.from_dict(meta["feature_config"]),
                                cache_dir=cache, progress=False).select(result.split.test)
    probs = predict_probs(model, features.X, kind=meta["model_kind"])  # raw features in
    expected = predict_probs(result.model, features.X, kind="cnn")
    np.testing.assert_allclose(probs, expected, atol=1e-5)
    from genrelib.evaluation import evaluate_predictions

    again = evaluate_predictions(probs, features.y, features.track_ids, genres=meta["genres"])
    assert again.track_accuracy == pytest.approx(result.test.track_accuracy)
