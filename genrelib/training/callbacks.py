"""The study's callbacks (early stopping, plateau, NaN stop, checkpoint, CSV history) and
three that measure and show an epoch: its time, its wait for data, one table line."""

from __future__ import annotations

import time
from pathlib import Path

import keras

from genrelib import runs
from genrelib.config import TrainConfig
from genrelib.training.feed import BatchFeed


class DataWaitMeter(keras.callbacks.Callback):
    """Adds ``data_wait_fraction`` to the logs: the seconds the training loop waited for the
    next batch of ``feed`` (a BatchFeed) during the epoch, over the epoch's training time (from
    its start to the start of validation). 0 means the device never waited for data. Where
    steps are dispatched ahead of the device (JAX, TensorFlow's prefetching thread), the
    training time ends when the loop has handed over the last step, so it is an upper bound.
    """

    def __init__(self, feed: BatchFeed) -> None:
        super().__init__()
        self.feed = feed

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start, self._waited = time.perf_counter(), self.feed.wait_seconds
        self._train_end: tuple[float, float] | None = None

    def on_test_begin(self, logs: dict | None = None) -> None:
        if getattr(self, "_train_end", 0) is None:  # validation inside fit: training is over
            self._train_end = (time.perf_counter(), self.feed.wait_seconds)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        end, waited = self._train_end or (time.perf_counter(), self.feed.wait_seconds)
        if logs is not None:
            fraction = (waited - self._waited) / max(end - self._start, 1e-9)
            logs["data_wait_fraction"] = float(min(1.0, max(0.0, fraction)))


class EpochTimer(keras.callbacks.Callback):
    """Adds ``epoch_seconds`` (wall time of the epoch, validation included) to the logs.
    """

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["epoch_seconds"] = time.perf_counter() - self._start


class EpochTable(keras.callbacks.Callback):
    """Prints one compact line per epoch (epoch, loss, accuracy, validation loss and
    accuracy, learning rate, seconds) under a header, instead of Keras' long log lines.

    Reads the logs that the callbacks before it filled (``epoch_seconds``, ``learning_rate``),
    so it goes last. Notebook: 03_cnn.ipynb
    """

    COLUMNS: tuple[tuple[str, str, str], ...] = (
        ("loss", "loss", "8.4f"), ("accuracy", "acc", "6.3f"), ("val_loss", "val_loss", "9.4f"),
        ("val_accuracy", "val_acc", "8.3f"), ("learning_rate", "lr", "9.2e"),
        ("epoch_seconds", "seconds", "8.1f"),
    )

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._header_shown = False

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        shown = [(key, title, fmt) for key, title, fmt in self.COLUMNS if key in logs]
        if not self._header_shown:
            widths = [len(format(0.0, fmt)) for _, _, fmt in shown]
            print("epoch" + "".join(f" {title:>{w}}" for (_, title, _), w in zip(shown, widths)))
            self._header_shown = True
        print(f"{epoch + 1:>5}" + "".join(f" {float(logs[key]):{fmt}}" for key, _, fmt in shown),
              flush=True)


def make_callbacks(
    train: TrainConfig, *, run_dir: str | Path | None = None, monitor: str = "val_loss"
) -> list[keras.callbacks.Callback]:
    """The study's callbacks: EpochTimer, TerminateOnNaN, EarlyStopping (restore best weights),
    ReduceLROnPlateau (factor ``train.reduce_lr_factor``) and, with ``run_dir``,
    ModelCheckpoint (best weights, ``checkpoint.weights.h5``) and CSVLogger (``history.csv``).

    Parameters
    ----------
    train : TrainConfig
        The patiences, factor and minimum learning rate.
    run_dir : str, Path or None
        Where the checkpoint and the history go (created); None: neither is written.
    monitor : str
        The metric the rules watch: "val_loss", or "loss" without validation data.

    Returns
    -------
    list of keras.callbacks.Callback

    Notebook: 03_cnn.ipynb
    """
    callbacks: list[keras.callbacks.Callback] = [
        EpochTimer(),
        keras.callbacks.TerminateOnNaN(),
        keras.callbacks.EarlyStopping(
            monitor=monitor, patience=train.early_stopping_patience, restore_best_weights=True
        ),
        keras.callbacks.ReduceLROnPlateau(
            monitor=monitor, factor=train.reduce_lr_factor, patience=train.reduce_lr_patience,
            min_lr=train.min_learning_rate,
        ),
    ]
    if run_dir is not None:
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        callbacks += [
            keras.callbacks.ModelCheckpoint(
                str(run_dir / runs.CHECKPOINT_FILE), monitor=monitor, save_best_only=True,
                save_weights_only=True,
            ),
            keras.callbacks.CSVLogger(str(run_dir / runs.HISTORY_FILE)),
        ]
    return callbacks
