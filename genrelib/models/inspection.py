"""Looking inside a built model: its receptive field and a table of its layers."""

from __future__ import annotations

from typing import Any

import keras


def receptive_field(model: keras.Model) -> tuple[int, int]:
    """Receptive field of one unit after the last convolution or pooling layer.

    Computed layer by layer: r += (k - 1) * jump, jump *= stride for every Conv2D and
    MaxPooling2D.

    Parameters
    ----------
    model : keras.Model
        Any Keras model; one without convolutions (the RNN) gives (1, 1).

    Returns
    -------
    tuple of 2 ints
        (rows, columns) of the input one unit sees: (mel bands, frames) for a log-mel input.

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
    """One row per layer of ``model``.

    Parameters
    ----------
    model : keras.Model

    Returns
    -------
    list of dict
        Keys "layer" (name), "type" (class name), "output_shape" (tuple, no batch axis;
        None where a layer has no single output) and "params" (int).

    Notebook: 03_cnn.ipynb
    """
    rows = []
    for layer in model.layers:
        shape = getattr(layer, "output", None)
        shape = tuple(shape.shape[1:]) if shape is not None and hasattr(shape, "shape") else None
        rows.append({"layer": layer.name, "type": type(layer).__name__,
                     "output_shape": shape, "params": int(layer.count_params())})
    return rows
