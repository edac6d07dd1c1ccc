"""genrelib.models.cnn: the study's CNN, its layers and its variants."""

from __future__ import annotations

import pytest

keras = pytest.importorskip("keras")

from helpers import check_one_training_step  # noqa: E402

from genrelib import models  # noqa: E402

VARIANTS = [{}, {"kernel_size": 5, "batch_norm": True}, {"kernel_size": 7, "l2": 0.0}]


def test_cnn_layers_follow_the_paper() -> None:
    model = models.build_cnn()
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [32, 64, 128, 256, 512]
    drops = [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert drops == [0.25] * 5 + [0.5]
    assert model.get_layer("dense").units == 128
    assert tuple(model.get_layer("pool5").output.shape[1:]) == (4, 5, 512)
    assert models.receptive_field(model) == (94, 94)
    assert models.build_cnn(kernel_size=5).count_params() > model.count_params()


def test_cnn_puts_the_l2_penalty_on_every_kernel_and_keeps_the_softmax_float32() -> None:
    model = models.build_cnn(l2=1e-3, filters=(4, 8), input_shape=(16, 16, 1))
    for name in ("conv1", "conv2", "dense"):
        assert model.get_layer(name).kernel_regularizer.get_config()["l2"] == pytest.approx(1e-3)
    assert model.get_layer("genre").dtype_policy.compute_dtype == "float32"
    assert models.build_cnn(l2=0.0, filters=(4,)).get_layer("conv1").kernel_regularizer is None


@pytest.mark.slow
@pytest.mark.parametrize("options", VARIANTS, ids=[str(o) for o in VARIANTS])
def test_cnn_variant_trains_one_step(options: dict) -> None:
    check_one_training_step("cnn", options)
