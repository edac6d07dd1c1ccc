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
    """The study's LSTM: ``n_layers`` stacked LSTMs over an MFCC sequence, then a softmax.

    Parameters
    ----------
    input_shape : (frames, n_mfcc)
        One MFCC vector per time step.
    n_classes : int
    units, n_layers, dropout, l2
        Units of every LSTM; how many (all but the last return their whole sequence, the
        last only its output at the last time step); the dropout after each; the L2 penalty on their input kernels.
    standardizer, name
        A fitted ``Standardizer`` (the first layer then standardises raw input); the name.

    Returns
    -------
    keras.Model
        (batch, frames, n_mfcc) -> (batch, n_classes) genre probabilities.

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
