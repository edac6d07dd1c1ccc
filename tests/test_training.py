"""Training loop: callbacks, history, checkpoints, determinism; train_run on synthetic audio."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from genrelib import models, runs  # noqa: E402
from genrelib.config import TrainConfig  # noqa: E402
from genrelib.training import fit_model, make_callbacks, predict_probs, set_seed  # noqa: E402

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


def _train_once(seed: int, tmp_path, epochs: int = 1) -> tuple[object, np.ndarray]:
    X, y = _arrays()
    set_seed(seed)
    model = _tiny_cnn()
    history = fit_model(model, models.model_input(X[:32], "cnn"), y[:32],
                        models.model_input(X[32:], "cnn"), y[32:],
                        train=TrainConfig(epochs=epochs, batch_size=8), run_dir=tmp_path, verbose=0)
    return history, predict_probs(model, X[32:], kind="cnn")


def test_fit_writes_history_and_checkpoint(tmp_path) -> None:
    history, probs = _train_once(0, tmp_path, epochs=2)
    assert history["epoch"].tolist() == [1, 2]
    for column in ("loss", "accuracy", "val_loss", "val_accuracy", "learning_rate", "epoch_seconds"):
        assert column in history
    assert (tmp_path / "history.csv").is_file() and (tmp_path / "checkpoint.weights.h5").is_file()
    assert probs.shape == (8, 4)


def test_same_seed_same_metrics(tmp_path) -> None:
    h1, p1 = _train_once(3, tmp_path / "a")
    h2, p2 = _train_once(3, tmp_path / "b")
    assert h1[["loss", "val_loss", "val_accuracy"]].equals(h2[["loss", "val_loss", "val_accuracy"]])
    np.testing.assert_array_equal(p1, p2)
    h3, _ = _train_once(4, tmp_path / "c")
    assert not h1["loss"].equals(h3["loss"])  # the seed matters


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


def test_without_validation_monitors_training_loss(tmp_path) -> None:
    X, y = _arrays()
    set_seed(0)
    history = fit_model(_tiny_cnn(), models.model_input(X, "cnn"), y,
                        train=TrainConfig(epochs=1, batch_size=16), verbose=0)
    assert "val_loss" not in history and len(history) == 1
    with pytest.raises(ValueError, match="training split is empty"):
        fit_model(_tiny_cnn(), models.model_input(X[:0], "cnn"), y[:0], verbose=0)


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
