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
    """The study's CNN: convolution blocks over a log-mel segment, a dense layer, a softmax.

    Parameters
    ----------
    input_shape : (n_mels, frames, 1)
    n_classes : int
    filters, kernel_size, dropout, batch_norm
        Of the blocks: one ``conv_block`` per entry of ``filters``.
    dense_units, dense_dropout, l2
        The dense layer's width and dropout; the L2 penalty on the kernels of the convolutions
        and of the dense layer (not of the softmax).
    standardizer, name
        A fitted ``Standardizer`` (the first layer then standardises raw input); the name.

    Returns
    -------
    keras.Model
        (batch, n_mels, frames, 1) -> (batch, n_classes) genre probabilities.

    Notebook: 03_cnn.ipynb
    """
    check_option(kernel_size >= 1 and len(filters) > 0, "kernel_size must be >= 1 and filters "
                 f"name at least one block; got kernel_size={kernel_size}, filters={tuple(filters)}")

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
