"""The study's recurrent model: stacked LSTMs over a sequence of MFCC vectors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

from genrelib.models.layers import check_option, l2_penalty, standardize_layer


def build_rnn(
    *, input_shape: Sequence[int] = (130, 20), n_classes: int = 10, units: int = 128,
    n_layers: int = 2, dropout: float = 0.3, l2: float = 1e-4,
    standardizer: Any | None = None, name: str = "rnn",
) -> keras.Model:
    """``n_layers`` stacked LSTMs over an MFCC sequence, then a softmax.

    Parameters
    ----------
    input_shape : sequence of 2 ints
        (frames, n_mfcc), default (130, 20): one MFCC vector per time step.
    n_classes : int
        Genres of the softmax output.
    units : int
        Units of every LSTM.
    n_layers : int
        LSTMs (>= 1). Every one but the last returns its whole sequence; the last returns
        its final state.
    dropout : float
        Dropout after every LSTM (none when 0).
    l2 : float
        L2 penalty on every input kernel (``l2_penalty``).
    standardizer : Standardizer, dict, tuple or None
        With one, the first layer standardises raw features (``standardize_layer``).
    name : str
        The model's name.

    Returns
    -------
    keras.Model
        Input (batch, frames, n_mfcc), output (batch, n_classes) probabilities.

    Notebook: 04_rnn.ipynb
    """
    check_option(n_layers >= 1, f"n_layers must be >= 1, got {n_layers}")

    inputs = keras.Input(tuple(input_shape), name="mfcc")
    x = inputs
    if standardizer is not None:
        x = standardize_layer(standardizer, n_features=int(input_shape[-1]), axis=-1)(x)
    for i in range(1, n_layers + 1):
        x = keras.layers.LSTM(units, return_sequences=i < n_layers,
                              kernel_regularizer=l2_penalty(l2), name=f"lstm{i}")(x)
        if dropout > 0:
            x = keras.layers.Dropout(dropout, name=f"drop{i}")(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax", dtype="float32", name="genre")(x)
    return keras.Model(inputs, outputs, name=name)
