"""genrelib.training.callbacks: the recipe's callbacks, the data-wait meter, early stopping
with the best weights restored and checkpointed.

Re-run under KERAS_BACKEND=jax (tests/test_backends.py)."""

from __future__ import annotations

import time

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers import learnable_arrays, small_model, spy_callbacks  # noqa: E402

from genrelib import models, runs  # noqa: E402
from genrelib.config import TrainConfig  # noqa: E402
from genrelib.training import BatchFeed, EpochTable, fit_model, make_callbacks, set_seed  # noqa: E402


def test_callbacks_follow_the_recipe() -> None:
    cbs = {type(c).__name__: c for c in make_callbacks(TrainConfig(), run_dir=None)}
    assert cbs["EarlyStopping"].restore_best_weights and cbs["EarlyStopping"].monitor == "val_loss"
    assert cbs["ReduceLROnPlateau"].factor == pytest.approx(0.1)
    assert "TerminateOnNaN" in cbs
    assert "ModelCheckpoint" not in cbs and "CSVLogger" not in cbs


def test_epoch_table_prints_a_header_then_one_line_per_epoch(capsys) -> None:
    table = EpochTable()
    table.on_train_begin()
    for epoch in (0, 1):
        table.on_epoch_end(epoch, {"loss": 1.5 - epoch, "accuracy": 0.25, "learning_rate": 1e-3,
                                   "epoch_seconds": 2.0})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["epoch", "loss", "acc", "lr", "seconds"]
    assert lines[2].split() == ["2", "0.5000", "0.250", "1.00e-03", "2.0"]


@pytest.mark.slow
def test_data_wait_fraction_sees_a_slow_input_pipeline(monkeypatch) -> None:
    """A feed that takes 40 ms per batch makes the training loop wait most of the epoch."""
    X, y = learnable_arrays()
    gather = BatchFeed.batch

    def slow(self, k):
        time.sleep(0.04)
        return gather(self, k)

    monkeypatch.setattr(BatchFeed, "batch", slow)
    set_seed(0)
    history = fit_model(small_model(), models.model_input(X, "cnn"), y, verbose=0,
                        train=TrainConfig(epochs=2, batch_size=4))
    assert history["data_wait_fraction"].between(0, 1).all()
    assert history["data_wait_fraction"].iloc[-1] > 0.5, history


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


@pytest.mark.slow
def test_early_stopping_restores_best_weights_and_checkpoint_holds_them(tmp_path, monkeypatch) -> None:
    """After fit_model the model, and the checkpoint file, hold the best epoch's weights."""
    X, y = learnable_arrays()
    recorder = _WeightsPerEpoch()
    # validation loss lowest at epoch 2, then worse: patience 2 stops training after epoch 4
    spy_callbacks(monkeypatch, first=(_ScriptedValLoss([1.0, 0.5, 0.7, 0.9, 1.1]),),
                  last=(recorder,))
    set_seed(0)
    model = small_model()
    history = fit_model(model, models.model_input(X[:32], "cnn"), y[:32],
                        models.model_input(X[32:], "cnn"), y[32:], run_dir=tmp_path, verbose=0,
                        train=TrainConfig(epochs=5, batch_size=8, early_stopping_patience=2))
    assert history["val_loss"].tolist() == [1.0, 0.5, 0.7, 0.9] and len(recorder.weights) == 4
    best = recorder.weights[1]
    assert not _same_weights(best, recorder.weights[-1])  # training moved on after the best epoch
    assert _same_weights(model.get_weights(), best)
    fresh = small_model()
    fresh.load_weights(tmp_path / runs.CHECKPOINT_FILE)
    assert _same_weights(fresh.get_weights(), best)
