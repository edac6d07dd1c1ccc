"""The CRNN: a convolutional front end whose output keeps time as the sequence axis, then two
(bidirectional) recurrent layers that read it in time order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

from genrelib.models.cnn import CNN_FILTERS
from genrelib.models.layers import check_option, conv_block, l2_penalty, standardize_layer


def build_crnn(
    *, input_shape: Sequence[int] = (128, 130, 1), n_classes: int = 10, conv_blocks: int = 3,
    filters: Sequence[int] = CNN_FILTERS, kernel_size: int = 3, dropout: float = 0.25,
    batch_norm: bool = False, rnn: str = "gru", units: int = 128, bidirectional: bool = True,
    pooling: str = "last", rnn_dropout: float = 0.3, l2: float = 1e-4,
    standardizer: Any | None = None, name: str = "crnn",
) -> keras.Model:
    """The CRNN: convolution blocks, two recurrent layers that read their output in time
    order (``Permute`` then ``Reshape``: time is the sequence axis), a softmax.

    Parameters
    ----------
    input_shape : (n_mels, frames, 1)
    n_classes : int
    conv_blocks, filters, kernel_size, dropout, batch_norm
        The front end: ``conv_block`` with each of the first ``conv_blocks`` ``filters``.
    rnn, units, bidirectional, pooling, rnn_dropout
        "gru" or "lstm"; units per direction; read both ways; keep the "last" state or the
        "mean" over time; the dropout before the softmax.
    l2, standardizer, name
        The L2 penalty on the kernels of the convolutions and the recurrent layers' input
        kernels (not their recurrent kernels, not the softmax); a fitted ``Standardizer`` (the first layer then
        standardises raw input); the name.

    Returns
    -------
    keras.Model
        (batch, n_mels, frames, 1) -> (batch, n_classes) genre probabilities.

    Notebook: 05_crnn.ipynb
    """
    check_option(1 <= conv_blocks <= len(filters),
                 f"conv_blocks must be in [1, {len(filters)}], got {conv_blocks}")
    check_option(rnn in ("gru", "lstm"), f"rnn must be 'gru' or 'lstm', got {rnn!r}")
    check_option(pooling in ("last", "mean"), f"pooling must be 'last' or 'mean', got {pooling!r}")

    inputs = keras.Input(tuple(input_shape), name="log_mel")
    x = inputs
    if standardizer is not None:
        x = standardize_layer(standardizer, n_features=int(input_shape[0]), axis=1)(x)
    for i in range(1, conv_blocks + 1):
        x = conv_block(x, int(filters[i - 1]), kernel_size, dropout=dropout, batch_norm=batch_norm,
                       l2=l2, index=i)
    _, freq, time, channels = x.shape  # (batch, freq', time', channels)
    x = keras.layers.Permute((2, 1, 3), name="time_first")(x)  # (time', freq', channels)
    x = keras.layers.Reshape((time, freq * channels), name="time_sequence")(x)
    recurrent = keras.layers.GRU if rnn == "gru" else keras.layers.LSTM
    for i in (1, 2):
        layer = recurrent(units, return_sequences=i == 1 or pooling == "mean",
                          kernel_regularizer=l2_penalty(l2), name=f"{rnn}{i}")
        if bidirectional:
            layer = keras.layers.Bidirectional(layer, name=f"bi{rnn}{i}")
        x = layer(x)
    if pooling == "mean":
        x = keras.layers.GlobalAveragePooling1D(name="mean_over_time")(x)
    if rnn_dropout > 0:
        x = keras.layers.Dropout(rnn_dropout, name="rnn_drop")(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax", dtype="float32", name="genre")(x)
    return keras.Model(inputs, outputs, name=name)
