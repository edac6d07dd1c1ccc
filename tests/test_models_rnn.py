"""genrelib.models.rnn: the stacked LSTMs over MFCC sequences."""

from __future__ import annotations

import pytest

keras = pytest.importorskip("keras")

from helpers import check_one_training_step  # noqa: E402

from genrelib import models  # noqa: E402


def test_every_lstm_but_the_last_returns_its_sequence() -> None:
    model = models.build_rnn(n_layers=3, units=16)
    assert [layer.name for layer in model.layers if isinstance(layer, keras.layers.LSTM)] == [
        "lstm1", "lstm2", "lstm3"]
    assert tuple(model.get_layer("lstm2").output.shape[1:]) == (130, 16)
    assert tuple(model.get_layer("lstm3").output.shape[1:]) == (16,)
    assert [model.get_layer(f"drop{i}").rate for i in (1, 2, 3)] == [0.3] * 3
    assert tuple(model.input_shape[1:]) == (130, 20) and model.input.name.startswith("mfcc")


@pytest.mark.slow
@pytest.mark.parametrize("options", [{}, {"n_layers": 1, "dropout": 0.0}])
def test_rnn_variant_trains_one_step(options: dict) -> None:
    check_one_training_step("rnn", options)


def test_every_lstm_has_the_l2_penalty_on_its_input_kernel() -> None:
    """``l2`` penalises the input kernel of every LSTM (none with ``l2=0``).

    Break tried: build the LSTMs without kernel_regularizer -> lstm1's kernel_regularizer is None.
    """
    model = models.build_rnn(n_layers=2, units=8, l2=1e-3)
    for name in ("lstm1", "lstm2"):
        assert model.get_layer(name).cell.kernel_regularizer.get_config()["l2"] == pytest.approx(1e-3)
    assert models.build_rnn(n_layers=1, units=8, l2=0.0).get_layer("lstm1").cell.kernel_regularizer is None
