"""The three architectures of the study, built with Keras 3 (any backend).

* ``build_cnn``: 5 convolution blocks (32-64-128-256-512 filters) over a log-mel
  "image" (n_mels, frames, 1), flatten, dense 128, softmax.  Notebook: 03_cnn.ipynb
* ``build_rnn``: 2 stacked LSTMs (128 units) over an MFCC sequence (frames, n_mfcc).
  Notebook: 04_rnn.ipynb
* ``build_crnn``: a convolutional front end whose output keeps time as the sequence axis,
  then 2 (bidirectional) GRUs.  Notebook: 05_crnn.ipynb

The classical baselines (logistic regression, RBF SVM: model kinds "logreg" and "svm")
are scikit-learn Pipelines built in ``genrelib.classical``; ``model_input`` and
``input_shape_for`` know their input too.

The softmax output layer ("genre") always computes in float32, so that under a mixed
precision policy (``genrelib.training.training_scope``, 16-bit compute) the probabilities and
the loss stay float32.

Every builder can put the fitted standardiser *inside* the model as its first layer
(``keras.layers.Normalization`` with fixed mean and variance per feature row), so a saved
model takes raw features and needs nothing else. Only ``keras.ops``/``keras.layers`` are
used, so the models run under ``KERAS_BACKEND=tensorflow|jax|torch``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np

from genrelib.classical import feature_table
from genrelib.config import is_classical

CNN_FILTERS: tuple[int, ...] = (32, 64, 128, 256, 512)


def model_input(X: np.ndarray, kind: str) -> np.ndarray:
    """Reshape features (n, n_features, frames) to what model ``kind`` takes.

    cnn/crnn: (n, n_features, frames, 1), an image with one channel (frequency down,
    time across). rnn: (n, frames, n_features), a sequence over time of feature vectors.
    logreg/svm: (n, n_features), a table of "stats" features (frames must be 1).
    Raises ValueError naming the shape when X is not 3-D.
    Notebook: 04_rnn.ipynb
    """
    if is_classical(kind):
        return feature_table(X)
    X = np.asarray(X)
    if X.ndim != 3:
        raise ValueError(
            f"features must have shape (n_segments, n_features, frames), got {X.shape}; "
            "pass FeatureSet.X"
        )
    if kind == "rnn":
        return np.ascontiguousarray(np.transpose(X, (0, 2, 1)))
    return X[..., np.newaxis]


def input_shape_for(kind: str, segment_shape: Sequence[int]) -> tuple[int, ...]:
    """Model input shape (no batch axis) for features of shape (n_features, frames):
    (frames, n_features) for rnn, (n_features,) for logreg/svm, (n_features, frames, 1) else.
    """
    n_features, frames = (int(v) for v in segment_shape)
    if is_classical(kind):
        return (n_features * frames,)
    return (frames, n_features) if kind == "rnn" else (n_features, frames, 1)


def _standardize_layer(
    kind: str, standardizer: Any | None, n_features: int
) -> keras.layers.Layer | None:
    """A fixed Normalization layer from a fitted Standardizer (or a dict/tuple of mean, std)."""
    if standardizer is None:
        return None
    try:
        if isinstance(standardizer, dict):
            mean, std = standardizer["mean"], standardizer["std"]
        elif isinstance(standardizer, tuple):
            mean, std = standardizer
        else:
            mean, std = standardizer.mean_, standardizer.std_
        mean = np.asarray(mean, dtype="float32").reshape(-1)
        std = np.asarray(std, dtype="float32").reshape(-1)
    except (KeyError, AttributeError, TypeError, ValueError) as error:
        raise ValueError(
            "standardizer must be a fitted Standardizer, a dict with 'mean' and 'std' or a "
            f"(mean, std) tuple: {type(error).__name__}: {error}"
        ) from None
    if not (np.isfinite(mean).all() and np.isfinite(std).all() and (std > 0).all()):
        raise ValueError("standardizer must have finite means and positive finite stds "
                         "(is it fitted?)")
    if mean.shape != (n_features,) or std.shape != (n_features,):
        raise ValueError(
            f"standardizer has {mean.shape[0]} means / {std.shape[0]} stds but the model "
            f"input has {n_features} feature rows; fit it on the same features"
        )
    axis = -1 if kind == "rnn" else 1
    return keras.layers.Normalization(
        axis=axis, mean=mean.tolist(), variance=(std.astype("float64") ** 2).tolist(),
        name="standardize",
    )


def _regularizer(l2: float) -> keras.regularizers.Regularizer | None:
    return keras.regularizers.L2(l2) if l2 and l2 > 0 else None


def _conv_block(
    x: Any, *, filters: int, kernel_size: int, pool_size: Sequence[int], dropout: float,
    batch_norm: bool, l2: float, index: int,
) -> Any:
    """Conv2D (same padding) -> [BatchNorm] -> ReLU -> MaxPool -> Dropout."""
    x = keras.layers.Conv2D(
        filters, kernel_size, padding="same", use_bias=not batch_norm,
        kernel_regularizer=_regularizer(l2), name=f"conv{index}",
    )(x)
    if batch_norm:
        x = keras.layers.BatchNormalization(name=f"bn{index}")(x)
    x = keras.layers.Activation("relu", name=f"relu{index}")(x)
    x = keras.layers.MaxPooling2D(tuple(pool_size), padding="same", name=f"pool{index}")(x)
    if dropout > 0:
        x = keras.layers.Dropout(dropout, name=f"drop{index}")(x)
    return x


def build_cnn(
    *, input_shape: Sequence[int] = (128, 130, 1), n_classes: int = 10,
    filters: Sequence[int] = CNN_FILTERS, kernel_size: int = 3, dropout: float = 0.25,
    dense_units: int = 128, dense_dropout: float = 0.5, batch_norm: bool = False,
    l2: float = 1e-4, standardizer: Any | None = None, name: str = "cnn",
) -> keras.Model:
    """The study's 2-D CNN over a log-mel segment.

    Input (n_mels, frames, 1) (default (128, 130, 1)); ``len(filters)`` blocks of
    Conv2D(kernel_size, same padding) + ReLU + MaxPool 2x2 + Dropout(dropout), optional
    batch norm; flatten, Dense(dense_units, ReLU) + Dropout(dense_dropout), softmax over
    ``n_classes``. Output (n_classes,) probabilities. L2 ``l2`` on every kernel. With
    ``standardizer`` (fitted Standardizer) the model standardises raw features itself.
    Notebook: 03_cnn.ipynb
    """
    if kernel_size < 1:
        raise ValueError(f"kernel_size must be >= 1, got {kernel_size}")
    if not filters:
        raise ValueError("filters must name at least one block, e.g. (32, 64, 128, 256, 512)")
    inputs = keras.Input(tuple(input_shape), name="log_mel")
    x = inputs
    norm = _standardize_layer("cnn", standardizer, int(input_shape[0]))
    if norm is not None:
        x = norm(x)
    for i, f in enumerate(filters, start=1):
        x = _conv_block(x, filters=int(f), kernel_size=kernel_size, pool_size=(2, 2),
                        dropout=dropout, batch_norm=batch_norm, l2=l2, index=i)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(dense_units, activation="relu", kernel_regularizer=_regularizer(l2),
                           name="dense")(x)
    if dense_dropout > 0:
        x = keras.layers.Dropout(dense_dropout, name="dense_drop")(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax", dtype="float32", name="genre")(x)
    return keras.Model(inputs, outputs, name=name)


def build_rnn(
    *, input_shape: Sequence[int] = (130, 20), n_classes: int = 10, units: int = 128,
    n_layers: int = 2, dropout: float = 0.3, l2: float = 1e-4,
    standardizer: Any | None = None, name: str = "rnn",
) -> keras.Model:
    """The study's recurrent model: ``n_layers`` stacked LSTM(units) over an MFCC sequence.

    Input (frames, n_mfcc) (default (130, 20)): one MFCC vector per time step. Every LSTM
    but the last returns its whole sequence; the last returns its final state, which goes
    through Dropout(dropout) and a softmax over ``n_classes``. Output (n_classes,).
    Notebook: 04_rnn.ipynb
    """
    if n_layers < 1:
        raise ValueError(f"n_layers must be >= 1, got {n_layers}")
    inputs = keras.Input(tuple(input_shape), name="mfcc")
    x = inputs
    norm = _standardize_layer("rnn", standardizer, int(input_shape[-1]))
    if norm is not None:
        x = norm(x)
    for i in range(1, n_layers + 1):
        x = keras.layers.LSTM(units, return_sequences=i < n_layers,
                              kernel_regularizer=_regularizer(l2), name=f"lstm{i}")(x)
        if dropout > 0:
            x = keras.layers.Dropout(dropout, name=f"drop{i}")(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax", dtype="float32", name="genre")(x)
    return keras.Model(inputs, outputs, name=name)


def build_crnn(
    *, input_shape: Sequence[int] = (128, 130, 1), n_classes: int = 10, conv_blocks: int = 3,
    filters: Sequence[int] = CNN_FILTERS, kernel_size: int = 3, dropout: float = 0.25,
    batch_norm: bool = False, rnn: str = "gru", units: int = 128, bidirectional: bool = True,
    pooling: str = "last", rnn_dropout: float = 0.3, l2: float = 1e-4,
    standardizer: Any | None = None, name: str = "crnn",
) -> keras.Model:
    """A convolutional front end, then 2 recurrent layers that read it in time order.

    Input (n_mels, frames, 1). ``conv_blocks`` (1..5) blocks as in the CNN give a tensor
    (freq', time', channels). ``Permute((2, 1, 3))`` makes it (time', freq', channels) and
    ``Reshape((time', freq' * channels))`` gives one feature vector per time step, so the
    recurrent layers run over time. (Reshaping (freq', time', channels) directly to
    (freq', time' * channels), as the seed paper's pseudo-code does, makes *frequency* the
    sequence axis and packs all time steps into each feature vector: the "recurrence" then
    walks from low to high frequency, not through the music.) Two ``rnn`` ("gru" or "lstm")
    layers of ``units``, ``bidirectional`` or not; ``pooling`` "last" keeps the final
    state, "mean" averages the second layer's outputs over time. Dropout, softmax over
    ``n_classes``. Output (n_classes,).
    Notebook: 05_crnn.ipynb
    """
    if not 1 <= conv_blocks <= len(filters):
        raise ValueError(f"conv_blocks must be in [1, {len(filters)}], got {conv_blocks}")
    if rnn not in ("gru", "lstm"):
        raise ValueError(f"rnn must be 'gru' or 'lstm', got {rnn!r}")
    if pooling not in ("last", "mean"):
        raise ValueError(f"pooling must be 'last' or 'mean', got {pooling!r}")
    inputs = keras.Input(tuple(input_shape), name="log_mel")
    x = inputs
    norm = _standardize_layer("crnn", standardizer, int(input_shape[0]))
    if norm is not None:
        x = norm(x)
    for i in range(1, conv_blocks + 1):
        x = _conv_block(x, filters=int(filters[i - 1]), kernel_size=kernel_size, pool_size=(2, 2),
                        dropout=dropout, batch_norm=batch_norm, l2=l2, index=i)
    freq, time, channels = x.shape[1], x.shape[2], x.shape[3]
    x = keras.layers.Permute((2, 1, 3), name="time_first")(x)  # (time', freq', channels)
    x = keras.layers.Reshape((time, freq * channels), name="time_sequence")(x)
    layer_cls = keras.layers.GRU if rnn == "gru" else keras.layers.LSTM
    for i in (1, 2):
        keep_sequence = i == 1 or pooling == "mean"
        layer = layer_cls(units, return_sequences=keep_sequence,
                          kernel_regularizer=_regularizer(l2), name=f"{rnn}{i}")
        if bidirectional:
            layer = keras.layers.Bidirectional(layer, name=f"bi{rnn}{i}")
        x = layer(x)
    if pooling == "mean":
        x = keras.layers.GlobalAveragePooling1D(name="mean_over_time")(x)
    if rnn_dropout > 0:
        x = keras.layers.Dropout(rnn_dropout, name="rnn_drop")(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax", dtype="float32", name="genre")(x)
    return keras.Model(inputs, outputs, name=name)


_BUILDERS = {"cnn": build_cnn, "rnn": build_rnn, "crnn": build_crnn}


def build_model(
    kind: str, *, input_shape: Sequence[int], n_classes: int, **options: Any
) -> keras.Model:
    """Build Keras model ``kind`` ("cnn", "rnn" or "crnn") with the builder's ``options``.

    ``input_shape`` has no batch axis: (n_mels, frames, 1) for cnn/crnn, (frames, n_mfcc)
    for rnn (see ``input_shape_for``). Unknown options raise TypeError naming them; a
    classical kind raises ValueError pointing to ``genrelib.classical.build_classical``.
    """
    if is_classical(kind):
        raise ValueError(f"{kind!r} is a scikit-learn model: build it with "
                         "genrelib.classical.build_classical")
    builder = _BUILDERS[kind]
    import inspect

    accepted = set(inspect.signature(builder).parameters)
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise TypeError(
            f"build_{kind} got unknown option(s) {unknown}; accepted: "
            f"{sorted(accepted - {'input_shape', 'n_classes'})}"
        )
    return builder(input_shape=input_shape, n_classes=n_classes, **options)


def receptive_field(model: keras.Model) -> tuple[int, int]:
    """Receptive field (rows, columns) of one unit after the last conv/pool layer.

    For a log-mel input that is (mel bands, frames). Computed layer by layer:
    r += (k - 1) * jump, jump *= stride for every Conv2D and MaxPooling2D.
    A model without convolutions (the RNN) returns (1, 1).
    Notebook: 03_cnn.ipynb
    """
    rf = [1, 1]
    jump = [1, 1]
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kernel, strides = layer.kernel_size, layer.strides
        elif isinstance(layer, keras.layers.MaxPooling2D):
            kernel, strides = layer.pool_size, layer.strides
        else:
            continue
        for axis in (0, 1):
            rf[axis] += (kernel[axis] - 1) * jump[axis]
            jump[axis] *= strides[axis]
    return rf[0], rf[1]


def summary_table(model: keras.Model) -> list[dict[str, Any]]:
    """One row per layer: name, class, output shape (no batch axis), parameters.

    Notebook: 03_cnn.ipynb
    """
    rows = []
    for layer in model.layers:
        shape = getattr(layer, "output", None)
        shape = tuple(shape.shape[1:]) if shape is not None and hasattr(shape, "shape") else None
        rows.append({"layer": layer.name, "type": type(layer).__name__,
                     "output_shape": shape, "params": int(layer.count_params())})
    return rows
