"""The study's CNN: five convolution blocks over a log-mel "image", a dense layer, a softmax.

The softmax ("genre") computes in float32, so that under a mixed precision policy
(``genrelib.training.training_scope``) the probabilities and the loss stay float32.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

from genrelib.models.layers import check_option, conv_block, l2_penalty, standardize_layer

#: Filters of the study's five convolution blocks.
CNN_FILTERS: tuple[int, ...] = (32, 64, 128, 256, 512)


def build_cnn(
    *, input_shape: Sequence[int] = (128, 130, 1), n_classes: int = 10,
    filters: Sequence[int] = CNN_FILTERS, kernel_size: int = 3, dropout: float = 0.25,
    dense_units: int = 128, dense_dropout: float = 0.5, batch_norm: bool = False,
    l2: float = 1e-4, standardizer: Any | None = None, name: str = "cnn",
) -> keras.Model:
    """The study's 2-D CNN over a log-mel segment.

    Parameters
    ----------
    input_shape : sequence of 3 ints
        (n_mels, frames, 1), default (128, 130, 1): one 3 s segment.
    n_classes : int
        Genres of the softmax output.
    filters : sequence of int
        Filters of each convolution block (``len(filters)`` blocks; ``conv_block``: Conv2D
        ``kernel_size`` x ``kernel_size``, same padding, ReLU, MaxPool 2x2, Dropout ``dropout``).
    kernel_size, dropout, batch_norm : int, float, bool
        Of every block.
    dense_units, dense_dropout : int, float
        The dense ReLU layer after the flattened blocks, and its dropout.
    l2 : float
        L2 penalty on every kernel (``l2_penalty``).
    standardizer : Standardizer, dict, tuple or None
        With one, the first layer standardises raw features (``standardize_layer``).
    name : str
        The model's name.

    Returns
    -------
    keras.Model
        Input (batch, *input_shape), output (batch, n_classes) probabilities.

    Notebook: 03_cnn.ipynb
    """
    check_option(kernel_size >= 1, f"kernel_size must be >= 1, got {kernel_size}")
    check_option(len(filters) > 0, "filters must name at least one block, e.g. (32, 64, 128, 256, 512)")

    inputs = keras.Input(tuple(input_shape), name="log_mel")
    x = inputs
    if standardizer is not None:
        x = standardize_layer(standardizer, n_features=int(input_shape[0]), axis=1)(x)
    for i, n_filters in enumerate(filters, start=1):
        x = conv_block(x, int(n_filters), kernel_size, dropout=dropout, batch_norm=batch_norm,
                       l2=l2, index=i)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(dense_units, activation="relu", kernel_regularizer=l2_penalty(l2),
                           name="dense")(x)
    if dense_dropout > 0:
        x = keras.layers.Dropout(dense_dropout, name="dense_drop")(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax", dtype="float32", name="genre")(x)
    return keras.Model(inputs, outputs, name=name)
