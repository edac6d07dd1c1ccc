"""genrelib.models.layers: the standardising first layer, the L2 penalty, the conv block."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers import TINY_MEL, TINY_MFCC, tiny_features, tiny_model  # noqa: E402

from genrelib import models  # noqa: E402
from genrelib.runs import load_run_model, read_model_metadata, save_run_model  # noqa: E402


@pytest.mark.parametrize("kind", ["cnn", "rnn", "crnn"])
def test_standardizer_inside_model_and_round_trip(kind: str, tmp_path) -> None:
    X = tiny_features(kind, n=6) * 5 + 3
    mean, std = X.mean(axis=(0, 2)), X.std(axis=(0, 2))
    model = tiny_model(kind, standardizer=(mean, std))
    norm = model.get_layer("standardize")
    z = keras.ops.convert_to_numpy(norm(models.model_input(X, kind)))
    expected = models.model_input((X - mean[None, :, None]) / std[None, :, None], kind)
    np.testing.assert_allclose(z, expected, atol=1e-4)

    path = save_run_model(model, tmp_path / "model.keras", {"genres": list("abcdefghij"), "k": kind})
    assert read_model_metadata(path)["k"] == kind
    loaded, meta = load_run_model(path)
    assert meta["genres"] == list("abcdefghij")
    x = models.model_input(X, kind)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(x)),
                               keras.ops.convert_to_numpy(model(x)), atol=1e-6)


def test_standardizer_size_mismatch_is_reported() -> None:
    with pytest.raises(ValueError, match="feature rows"):
        models.build_cnn(input_shape=(32, 40, 1), standardizer=(np.zeros(20), np.ones(20)))


def _fitted_standardizer(n_features: int):
    from genrelib.features import Standardizer

    return Standardizer().fit(np.random.default_rng(0).normal(size=(4, n_features, 6)))


@pytest.mark.parametrize("kind", ["cnn", "rnn", "crnn"])
def test_standardizer_fitted_on_other_features_is_refused(kind: str) -> None:
    """A Standardizer fitted on another number of feature rows is refused by every builder."""
    shape = models.input_shape_for(kind, TINY_MFCC if kind == "rnn" else TINY_MEL)
    rows = TINY_MFCC[0] if kind == "rnn" else TINY_MEL[0]
    models.build_model(kind, input_shape=shape, n_classes=10, standardizer=_fitted_standardizer(rows))
    with pytest.raises(ValueError, match=rf"{rows + 1} means .* {rows} feature rows"):
        models.build_model(kind, input_shape=shape, n_classes=10,
                           standardizer=_fitted_standardizer(rows + 1))


CORRUPT_STANDARDIZERS = {
    "std-shorter": {"mean": np.zeros(32), "std": np.ones(31)},
    "no-std": {"mean": np.zeros(32)},
    "nan-mean": {"mean": np.full(32, np.nan), "std": np.ones(32)},
    "zero-std": (np.zeros(32), np.zeros(32)),
    "three-arrays": (np.zeros(32), np.ones(32), np.ones(32)),
}


@pytest.mark.parametrize("name", list(CORRUPT_STANDARDIZERS))
def test_corrupt_standardizer_is_refused(name: str) -> None:
    """A corrupt standardiser (missing, non-finite or mismatched values) raises a ValueError."""
    with pytest.raises(ValueError, match="standardizer"):
        models.build_cnn(input_shape=(32, 40, 1), standardizer=CORRUPT_STANDARDIZERS[name])


def test_unfitted_standardizer_is_refused() -> None:
    """An unfitted Standardizer is refused with a ValueError, not built into a NaN model."""
    from genrelib.features import Standardizer

    with pytest.raises(ValueError, match="standardizer"):
        models.build_cnn(input_shape=(1, 40, 1), standardizer=Standardizer())


def test_standardize_layer_holds_the_means_and_variances_on_its_axis() -> None:
    layer = models.standardize_layer({"mean": [1.0, 2.0], "std": [2.0, 4.0]}, n_features=2, axis=-1)
    assert layer.name == "standardize"
    out = keras.ops.convert_to_numpy(layer(np.array([[[3.0, 6.0]]], dtype="float32")))
    np.testing.assert_allclose(out, [[[1.0, 1.0]]], rtol=1e-6)  # (x - mean) / std on the last axis


def test_l2_penalty_and_conv_block() -> None:
    assert models.l2_penalty(0.0) is None
    assert models.l2_penalty(1e-4).get_config()["l2"] == pytest.approx(1e-4)
    inputs = keras.Input((9, 10, 1))
    out = models.conv_block(inputs, 6, 3, dropout=0.1, batch_norm=True, l2=1e-3, index=7)
    model = keras.Model(inputs, out)
    assert [layer.name for layer in model.layers[1:]] == ["conv7", "bn7", "relu7", "pool7", "drop7"]
    assert tuple(out.shape[1:]) == (5, 5, 6)  # 2x2 pooling with same padding rounds up
    conv = model.get_layer("conv7")
    assert not conv.use_bias and conv.padding == "same" and conv.kernel_size == (3, 3)
    plain = models.conv_block(inputs, 6, 3, dropout=0.0, batch_norm=False, l2=0.0, index=1)
    assert [layer.name for layer in keras.Model(inputs, plain).layers[1:]] == ["conv1", "relu1", "pool1"]
