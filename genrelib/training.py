"""Fitting a Keras model with the study's recipe: seeding, callbacks, the training loop.

Recipe (``TrainConfig``): Adam 1e-3, sparse categorical cross-entropy, batch 32, at most
50 epochs, early stopping on validation loss with the best weights restored, learning
rate divided by 10 on a plateau, stop on NaN, L2 1e-4 on the kernels (in the model),
a checkpoint of the best weights and a CSV history.

``fit_model`` trains any Keras model on arrays and ``predict_probs`` scores it; the
whole run (index, split, features, fit, evaluate, run folder) is ``genrelib.pipeline``.
Notebook: 03_cnn.ipynb
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd

from genrelib import runs
from genrelib.classical import predict_classical
from genrelib.config import TrainConfig, is_classical
from genrelib.models import model_input

#: ``fit_model(verbose=TABLE)``: one compact line per epoch (see :class:`EpochTable`).
TABLE = "table"


def device_description() -> str:
    """What Keras trains on, in words: e.g. "CPU (2 cores)", "GPU x1" (TensorFlow), "GPU
    (NVIDIA H100 ...)" (JAX/PyTorch). Recorded with every run and benchmark, so a time is
    never quoted without its machine.
    """
    backend, cores = keras.backend.backend(), f"CPU ({os.cpu_count()} cores)"
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            return f"GPU x{len(gpus)}" if gpus else cores
        if backend == "jax":
            import jax

            device = jax.devices()[0]
            return cores if device.platform == "cpu" else f"GPU ({device.device_kind})"
        if backend == "torch":
            import torch

            return f"GPU ({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else cores
    except Exception as error:  # reporting only: never fail a run for it
        return f"unknown ({type(error).__name__}: {error})"
    return f"unknown (backend {backend})"


def set_seed(seed: int, *, deterministic: bool = True) -> None:
    """Seed Python, NumPy and the Keras backend (``keras.utils.set_random_seed``).

    With ``deterministic`` on TensorFlow, also ``tf.config.experimental.enable_op_determinism()``
    so that the same seed on a CPU gives the same weights and metrics run after run
    (for the whole process; a few GPU ops become slower).
    Notebook: 03_cnn.ipynb
    """
    keras.utils.set_random_seed(int(seed))
    if deterministic and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


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


def compile_model(model: keras.Model, train: TrainConfig) -> keras.Model:
    """Compile with Adam(``train.learning_rate``), sparse categorical cross-entropy, accuracy.
    """
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=train.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )
    return model


def fit_model(
    model: keras.Model, x_train: np.ndarray, y_train: np.ndarray,
    x_valid: np.ndarray | None = None, y_valid: np.ndarray | None = None, *,
    train: TrainConfig = TrainConfig(), run_dir: str | Path | None = None, verbose: int | str = 2,
) -> pd.DataFrame:
    """Compile and train ``model`` on model-shaped arrays; returns the history, one row per epoch.

    ``x_*`` as given by ``models.model_input`` (e.g. (n, 128, 130, 1)), ``y_*`` int (n,).
    Without validation data, early stopping and the plateau rule watch the training loss.
    The best weights (lowest monitored loss) are in the model on return. History columns:
    ``epoch`` (1-based), ``loss``, ``accuracy``, [``val_loss``, ``val_accuracy``],
    ``learning_rate``, ``epoch_seconds``. ``verbose``: 0 silent, 1 progress bar, 2 one line
    per epoch, ``"table"`` (:data:`TABLE`) one compact line per epoch (:class:`EpochTable`).
    Call ``set_seed`` before building the model for repeatable runs.
    """
    if len(x_train) == 0:
        raise ValueError("no training segments: the training split is empty")
    for name, x in (("training", x_train), ("validation", x_valid)):
        if x is not None and not np.isfinite(x).all():
            bad = int(np.size(x) - np.count_nonzero(np.isfinite(x)))
            raise ValueError(f"the {name} features contain {bad} NaN/inf values: recompute them "
                             "(genrelib features) or drop the clips they come from")
    has_valid = x_valid is not None and y_valid is not None and len(x_valid) > 0
    monitor = "val_loss" if has_valid else "loss"
    compile_model(model, train)
    callbacks = make_callbacks(train, run_dir=run_dir, monitor=monitor)
    if verbose == TABLE:
        callbacks.append(EpochTable())
    history = model.fit(
        x_train, np.asarray(y_train), batch_size=train.batch_size, epochs=train.epochs,
        validation_data=(x_valid, np.asarray(y_valid)) if has_valid else None,
        callbacks=callbacks, shuffle=True, verbose=0 if verbose == TABLE else verbose,
    )
    frame = pd.DataFrame(history.history)
    frame.insert(0, "epoch", np.arange(1, len(frame) + 1))
    if not all(np.isfinite(w).all() for w in model.get_weights()):
        raise FloatingPointError(
            f"training diverged (loss NaN/inf by epoch {len(frame)}) before any epoch ended with "
            f"finite weights: lower the learning rate (now {train.learning_rate})"
        )
    return frame


def segment_embeddings(model: keras.Model, X: np.ndarray, *, kind: str, batch_size: int = 64) -> np.ndarray:
    """What a Keras model's last hidden layer makes of each segment: the input of its output
    layer (``"genre"``), shape (n_segments, width), for raw features X (n, n_features, frames).
    Chapter 7 maps them to 2-D to see which genres the model keeps apart.
    Notebook: 07_evaluation.ipynb
    """
    if is_classical(kind):
        raise ValueError(f"a {kind} model has no hidden layer: embeddings need a deep model")
    hidden = keras.Model(model.inputs, model.get_layer("genre").input)
    return np.asarray(hidden.predict(model_input(X, kind), batch_size=batch_size, verbose=0))


def predict_probs(model: keras.Model, X: np.ndarray, *, kind: str, batch_size: int = 64) -> np.ndarray:
    """Class probabilities (n_segments, n_classes) for raw features X (n, n_features, frames)
    from a Keras model, or from a classical one (``kind`` "logreg"/"svm": X of "stats"
    features, (n, n_features, 1); ``classical.predict_classical``).
    """
    if is_classical(kind):
        return predict_classical(model, X)
    if len(X) == 0:
        return np.zeros((0, int(model.output_shape[-1])), dtype=np.float32)
    return np.asarray(model.predict(model_input(X, kind), batch_size=batch_size, verbose=0))


