"""genrelib.training.callbacks: the recipe's callbacks, the data-wait meter, early stopping
with the best weights restored and checkpointed.

Re-run under KERAS_BACKEND=jax (tests/test_backends.py)."""

from __future__ import annotations

import time
from types import SimpleNamespace

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers import learnable_arrays, small_model, spy_callbacks  # noqa: E402

from genrelib import models, runs  # noqa: E402
from genrelib.config import TrainConfig  # noqa: E402
from genrelib.training import (BatchFeed, DataWaitMeter, EpochTable, fit_model, make_callbacks,  # noqa: E402
                               set_seed)


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


def test_the_plateau_rule_watches_the_metric_it_is_given() -> None:
    """Without validation data the rules watch "loss": ReduceLROnPlateau included (and early
    stopping with it).

    Break tried: ReduceLROnPlateau's monitor fixed to "val_loss" -> the first assert fails."""
    cbs = {type(c).__name__: c for c in make_callbacks(TrainConfig(), monitor="loss")}
    assert cbs["ReduceLROnPlateau"].monitor == "loss"
    assert cbs["EarlyStopping"].monitor == "loss"


def test_data_wait_fraction_is_measured_from_each_epochs_start(monkeypatch) -> None:
    """Each epoch's fraction is the wait of that epoch alone over its training time (epoch start
    to validation start): 5 s of 10 in epoch 0, then 1 s of 10 in epoch 1 (the clock and the
    feed's wait scripted, the hooks called as fit calls them).

    Break tried: the wait counted from the first epoch's start (``_waited`` not reset in
    on_epoch_begin) -> 0.5 then 0.6, the assert fails."""
    import genrelib.training.callbacks as callbacks_module

    clock = iter([0.0, 10.0, 20.0, 30.0])  # epoch 0 begin, its validation; epoch 1 begin, its validation
    monkeypatch.setattr(callbacks_module, "time", SimpleNamespace(perf_counter=lambda: next(clock)))
    feed = SimpleNamespace(wait_seconds=0.0)
    meter = DataWaitMeter(feed)
    fractions = []
    for epoch, waited_by_validation in ((0, 5.0), (1, 6.0)):
        meter.on_epoch_begin(epoch)
        feed.wait_seconds = waited_by_validation
        meter.on_test_begin()
        logs: dict = {}
        meter.on_epoch_end(epoch, logs)
        fractions.append(logs["data_wait_fraction"])
    assert fractions == pytest.approx([0.5, 0.1])


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
