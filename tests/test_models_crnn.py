"""genrelib.models.crnn: convolution blocks, then recurrent layers over the time axis."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers import check_one_training_step  # noqa: E402

from genrelib import models  # noqa: E402

VARIANTS = [{}, {"rnn": "lstm"}, {"bidirectional": False}, {"pooling": "mean"},
            {"conv_blocks": 5, "batch_norm": True}]


def test_crnn_keeps_time_as_the_sequence_axis() -> None:
    model = models.build_crnn()
    # after 3 pools: (freq 16, time 17, channels 128) -> (time 17, features 16*128)
    assert tuple(model.get_layer("pool3").output.shape[1:]) == (16, 17, 128)
    assert tuple(model.get_layer("time_sequence").output.shape[1:]) == (17, 16 * 128)


def test_crnn_reshape_preserves_time_order() -> None:
    """In build_crnn's own model, sequence step t holds exactly time column t of the last pool."""
    model = models.build_crnn(input_shape=(16, 20, 1), n_classes=3, conv_blocks=2, filters=(3, 5),
                              units=4)
    probe = keras.Model(model.input, [model.get_layer("pool2").output,
                                       model.get_layer("time_sequence").output])
    x = np.random.default_rng(0).normal(size=(2, 16, 20, 1)).astype("float32")
    pool, seq = (keras.ops.convert_to_numpy(t) for t in probe(x, training=False))
    n, freq, time, channels = pool.shape
    assert (freq, time) == (4, 5) and seq.shape == (n, time, freq * channels)
    # the time columns differ from each other, so a step out of order would show
    assert all(not np.array_equal(pool[:, :, t], pool[:, :, t + 1]) for t in range(time - 1))
    for t in range(time):
        np.testing.assert_array_equal(seq[:, t], pool[:, :, t, :].reshape(n, -1))


def test_crnn_recurrent_layers_follow_the_options() -> None:
    model = models.build_crnn(input_shape=(16, 20, 1), filters=(4, 8, 8), units=6)
    assert [layer.name for layer in model.layers if isinstance(layer, keras.layers.Bidirectional)] == [
        "bigru1", "bigru2"]
    assert tuple(model.get_layer("bigru2").output.shape[1:]) == (12,)  # last state, both ways
    mean = models.build_crnn(input_shape=(16, 20, 1), filters=(4, 8, 8), units=6, rnn="lstm",
                             bidirectional=False, pooling="mean")
    assert tuple(mean.get_layer("lstm2").output.shape[1:]) == (3, 6)  # 20 frames / 8: every step
    assert tuple(mean.get_layer("mean_over_time").output.shape[1:]) == (6,)


@pytest.mark.slow
@pytest.mark.parametrize("options", VARIANTS, ids=[str(o) for o in VARIANTS])
def test_crnn_variant_trains_one_step(options: dict) -> None:
    check_one_training_step("crnn", options)
