"""The fit: seed, compile with the study's optimiser and loss, train on a seeded batch
stream with the study's callbacks, and predict.

``fit_model`` trains any Keras model that maps a batch of model-shaped features to class
probabilities: the library's builders or a model a reader writes in a notebook cell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd

from genrelib.config import TrainConfig
from genrelib.models.classical import predict_classical
from genrelib.models.kinds import is_classical, model_input
from genrelib.training.callbacks import DataWaitMeter, EpochTable, make_callbacks
from genrelib.training.devices import active_replicas
from genrelib.training.feed import BatchFeed

#: ``fit_model(verbose=TABLE)``: one compact line per epoch (see :class:`EpochTable`).
TABLE = "table"


def set_seed(seed: int, *, deterministic: bool = True) -> None:
    """Seed Python, NumPy and the Keras backend (``keras.utils.set_random_seed``).

    Parameters
    ----------
    seed : int
    deterministic : bool
        On TensorFlow, also ``tf.config.experimental.enable_op_determinism()`` so that the
        same seed on a CPU gives the same weights and metrics run after run (for the whole
        process; a few GPU ops become slower).

    Notebook: 03_cnn.ipynb
    """
    keras.utils.set_random_seed(int(seed))
    if deterministic and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def compile_model(model: keras.Model, train: TrainConfig, *, soft_labels: bool = False) -> keras.Model:
    """Compile with Adam(``train.learning_rate``), sparse categorical cross-entropy, accuracy.

    Accuracy is weighted by the rows' weights when there are any (none in training; the
    zero-weight rows that pad validation across several devices do not count).

    Parameters
    ----------
    model : keras.Model
        Any model whose output is class probabilities (softmax), shape (batch, n_classes).
    train : TrainConfig
        Its learning rate.
    soft_labels : bool
        Labels are probability rows (mixup, Notebook: 08_small_data.ipynb): categorical
        cross-entropy, accuracy of the argmax.

    Returns
    -------
    keras.Model
        ``model`` itself, compiled.
    """
    if soft_labels:
        loss, metric = keras.losses.CategoricalCrossentropy(), keras.metrics.CategoricalAccuracy(name="accuracy")
    else:
        loss, metric = keras.losses.SparseCategoricalCrossentropy(), "accuracy"
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=train.learning_rate),
        loss=loss,
        weighted_metrics=[metric],
    )
    return model


def _padded(x: np.ndarray, y: np.ndarray, multiple: int) -> tuple[np.ndarray, ...]:
    """(x, y, weights) padded with copies of rows up to a multiple of ``multiple`` rows.

    The copies weigh 0 and the real rows padded/real, so that Keras' validation loss (per
    batch the weighted sum over the batch's rows, averaged over batches weighted by their
    rows, padding included) is exactly the mean over the real rows; weighted accuracy is
    exact for any positive weight.
    """
    n, pad = len(x), -len(x) % multiple
    weights = np.concatenate([np.full(n, (n + pad) / n, "float32"), np.zeros(pad, "float32")])
    rows = np.concatenate([np.arange(n), np.arange(pad) % n])
    return np.take(x, rows, axis=0), np.take(y, rows, axis=0), weights


def _check_finite(x: np.ndarray | None, name: str) -> None:
    if x is not None and not np.isfinite(x).all():
        bad = int(np.size(x) - np.count_nonzero(np.isfinite(x)))
        raise ValueError(f"the {name} features contain {bad} NaN/inf values: recompute them "
                         "(genrelib features) or drop the clips they come from")


def fit_model(
    model: keras.Model, x_train: np.ndarray, y_train: np.ndarray,
    x_valid: np.ndarray | None = None, y_valid: np.ndarray | None = None, *,
    train: TrainConfig = TrainConfig(), run_dir: str | Path | None = None, verbose: int | str = 2,
    augment: Any | None = None,
) -> pd.DataFrame:
    """Compile and train ``model`` with the study's recipe; the best weights are in it on return.

    Batches come from a :class:`BatchFeed` shuffled by ``train.seed``; call ``set_seed``
    before building the model for repeatable runs. Early stopping and the plateau rule watch
    the validation loss (the training loss without validation data). Inside
    ``training_scope`` (model built there too) each batch is split over the scope's devices;
    validation rows are then padded with zero-weight copies to a multiple of the device count.

    Parameters
    ----------
    model : keras.Model
        Any Keras model (functional, Sequential, or from ``build_model``) that maps a batch
        of ``x_train`` rows to class probabilities (softmax), shape (batch, n_classes).
    x_train, x_valid : np.ndarray, shape (n, ...)
        Model-shaped features (``model_input``, e.g. (n, 128, 130, 1)); ``x_valid`` optional.
    y_train, y_valid : np.ndarray of int, shape (n,)
        Labels in [0, n_classes).
    train : TrainConfig
        The recipe: epochs, batch size, learning rate, patiences, seed.
    run_dir : str, Path or None
        Where ``checkpoint.weights.h5`` and ``history.csv`` go (``make_callbacks``).
    verbose : int or "table"
        0 silent, 1 progress bar, 2 one line per epoch, ``"table"`` (:data:`TABLE`) one
        compact line per epoch (:class:`EpochTable`).
    augment : Augmenter or None
        An ``augment.Augmenter`` over the same training rows (in model shape) whose batches
        replace the plain ones; with soft labels (mixup) the loss is categorical
        cross-entropy and validation labels are one-hot. None: the study's recipe, bit for
        bit.

    Returns
    -------
    pandas.DataFrame
        One row per epoch: ``epoch`` (1-based), ``loss``, ``accuracy``, [``val_loss``,
        ``val_accuracy``], ``learning_rate``, ``epoch_seconds`` (s), ``data_wait_fraction``
        (:class:`DataWaitMeter`). ValueError for an empty or non-finite training set,
        FloatingPointError when training diverged.

    Notebook: 08_small_data.ipynb
    """
    if len(x_train) == 0:
        raise ValueError("no training segments: the training split is empty")
    _check_finite(x_train, "training")
    _check_finite(x_valid, "validation")
    has_valid = x_valid is not None and y_valid is not None and len(x_valid) > 0
    monitor = "val_loss" if has_valid else "loss"
    devices, process, processes = active_replicas()
    soft = bool(augment is not None and augment.soft_labels)
    compile_model(model, train, soft_labels=soft)
    feed = BatchFeed(x_train, np.asarray(y_train), batch_size=train.batch_size, seed=train.seed,
                     multiple=devices, shard=(process, processes), augment=augment)
    if soft and has_valid:
        y_valid = np.eye(int(model.output_shape[-1]), dtype=np.float32)[np.asarray(y_valid)]
    callbacks = [DataWaitMeter(feed), *make_callbacks(train, run_dir=run_dir, monitor=monitor)]
    if verbose == TABLE:
        callbacks.append(EpochTable())
    validation = None
    if has_valid:
        validation = ((x_valid, np.asarray(y_valid)) if devices == 1
                      else _padded(x_valid, np.asarray(y_valid), devices))
        part = len(validation[0]) // processes  # each process feeds its slice (multi-host)
        validation = tuple(a[process * part:(process + 1) * part] for a in validation)
    try:
        history = model.fit(
            feed.stream(), steps_per_epoch=feed.steps, epochs=train.epochs,
            validation_data=validation, validation_batch_size=train.batch_size // processes,
            callbacks=callbacks, shuffle=False, verbose=0 if verbose == TABLE else verbose,
        )  # shuffle=False: the feed shuffles, Keras would only warn that it cannot
    finally:
        feed.close()
    frame = pd.DataFrame(history.history)
    frame.insert(0, "epoch", np.arange(1, len(frame) + 1))
    if not all(np.isfinite(w).all() for w in model.get_weights()):
        raise FloatingPointError(
            f"training diverged (loss NaN/inf by epoch {len(frame)}) before any epoch ended with "
            f"finite weights: lower the learning rate (now {train.learning_rate})"
        )
    return frame


def segment_embeddings(model: keras.Model, X: np.ndarray, *, model_kind: str,
                       batch_size: int = 64) -> np.ndarray:
    """What a Keras model's last hidden layer makes of each segment.

    Chapter 7 maps them to 2-D to see which genres the model keeps apart.

    Parameters
    ----------
    model : keras.Model
        A deep model; its embeddings are the input of its output layer ("genre", or the
        last layer of a model without one).
    X : np.ndarray, shape (n_segments, n_features, frames)
        Raw features.
    model_kind : str
        How ``X`` is shaped for the model (``model_input``); a classical kind raises ValueError.
    batch_size : int

    Returns
    -------
    np.ndarray, shape (n_segments, width)

    Notebook: 07_evaluation.ipynb
    """
    if is_classical(model_kind):
        raise ValueError(f"a {model_kind} model has no hidden layer: embeddings need a deep model")
    names = [layer.name for layer in model.layers]
    output_layer = model.get_layer("genre") if "genre" in names else model.layers[-1]
    hidden = keras.Model(model.inputs, output_layer.input)
    return np.asarray(hidden.predict(model_input(X, model_kind), batch_size=batch_size, verbose=0))


def predict_probs(model: Any, X: np.ndarray, *, model_kind: str, batch_size: int = 64) -> np.ndarray:
    """Class probabilities of a Keras or a classical model for raw features.

    Parameters
    ----------
    model : keras.Model or sklearn.pipeline.Pipeline
        A trained model of kind ``model_kind``.
    X : np.ndarray, shape (n_segments, n_features, frames)
        Raw features ((n, n_features, 1) "stats" features for "logreg"/"svm").
    model_kind : str
        How ``X`` is shaped for the model (``model_input``); "logreg"/"svm" go through
        ``predict_classical``.
    batch_size : int

    Returns
    -------
    np.ndarray, shape (n_segments, n_classes)
    """
    if is_classical(model_kind):
        return predict_classical(model, X)
    if len(X) == 0:
        return np.zeros((0, int(model.output_shape[-1])), dtype=np.float32)
    return np.asarray(model.predict(model_input(X, model_kind), batch_size=batch_size, verbose=0))
