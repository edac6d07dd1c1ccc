"""genrelib.models.inspection: the receptive field and the layer table."""

from __future__ import annotations

import pytest

keras = pytest.importorskip("keras")

from genrelib import models  # noqa: E402


def test_receptive_field_layer_by_layer() -> None:
    # conv 3x3 (r 3), pool 2x2 (r 4, jump 2), conv 5x5 (r 4 + 4*2 = 12): by hand
    inputs = keras.Input((32, 32, 1))
    x = keras.layers.Conv2D(2, 3, padding="same")(inputs)
    x = keras.layers.MaxPooling2D((2, 2))(x)
    x = keras.layers.Conv2D(2, 5, padding="same")(x)
    assert models.receptive_field(keras.Model(inputs, x)) == (12, 12)
    assert models.receptive_field(models.build_rnn(units=4)) == (1, 1)
    assert models.receptive_field(models.build_crnn(conv_blocks=3)) == (22, 22)


def test_receptive_field_follows_each_axis_own_stride() -> None:
    """A pooling that strides 2 along rows and 1 along columns widens the field of a later
    convolution by its stride on each axis separately: (8, 5), not the same on both.

    Break tried: jump[axis] *= strides[1 - axis] (the axes' strides swapped) -> this test fails
    ((6, 7) != (8, 5))."""
    # conv 3x3 (r 3, 3), pool (2, 1) (r 4, 3; jump 2, 1), conv 3x3 (r 4 + 2*2 = 8, 3 + 2*1 = 5)
    inputs = keras.Input((16, 16, 1))
    x = keras.layers.Conv2D(2, 3, padding="same")(inputs)
    x = keras.layers.MaxPooling2D((2, 1))(x)
    x = keras.layers.Conv2D(2, 3, padding="same")(x)
    assert models.receptive_field(keras.Model(inputs, x)) == (8, 5)


def test_summary_table_has_one_row_per_layer() -> None:
    model = models.build_cnn(input_shape=(16, 16, 1), filters=(4, 8), dense_units=8, n_classes=3)
    rows = models.summary_table(model)
    assert [r["layer"] for r in rows] == [layer.name for layer in model.layers]
    assert sum(r["params"] for r in rows) == model.count_params()
    by_name = {r["layer"]: r for r in rows}
    assert by_name["conv1"] == {"layer": "conv1", "type": "Conv2D", "output_shape": (16, 16, 4),
                                "params": 3 * 3 * 4 + 4}  # kernels and biases
    assert by_name["genre"]["output_shape"] == (3,) and by_name["genre"]["params"] == 8 * 3 + 3
