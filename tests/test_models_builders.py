"""genrelib.models.builders: build_model by kind name, its option checks, and every variant's
round trip through a run folder's model file."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from helpers import TINY_MEL, TINY_MFCC, tiny_features, tiny_model  # noqa: E402

from genrelib import models  # noqa: E402
from genrelib.runs import load_run_model, read_model_metadata, save_run_model  # noqa: E402

# Full-size parameter counts (10 genres): building is cheap, so these pin the architecture.
EXPECTED_PARAMS = {
    ("cnn", ()): 2_880_138,  # 5 conv blocks 32..512 (3x3), flatten 5*5*512, dense 128
    ("rnn", ()): 209_162,  # LSTM(20->128) 76,288 + LSTM(128->128) 131,584 + dense 1,290
    ("crnn", ()): 2_064_394,  # 3 conv blocks + 2 x BiGRU(128) over 17 steps of 16*128
}


@pytest.mark.parametrize("kind", ["cnn", "rnn", "crnn"])
def test_full_size_shapes_and_parameter_counts(kind: str) -> None:
    shape = models.input_shape_for(kind, (20, 130) if kind == "rnn" else (128, 130))
    model = models.build_model(kind, input_shape=shape, n_classes=10)
    assert tuple(model.input_shape[1:]) == shape
    assert tuple(model.output_shape) == (None, 10)
    assert model.count_params() == EXPECTED_PARAMS[(kind, ())]


def test_bad_options_are_named() -> None:
    with pytest.raises(TypeError, match="kernal_size"):
        models.build_model("cnn", input_shape=(32, 40, 1), n_classes=10, kernal_size=3)
    with pytest.raises(ValueError, match="conv_blocks"):
        models.build_crnn(conv_blocks=6)
    with pytest.raises(ValueError, match="rnn must be"):
        models.build_crnn(rnn="transformer")
    with pytest.raises(ValueError, match="scikit-learn model: build it with genrelib.models.build_classical"):
        models.build_model("svm", input_shape=(90,), n_classes=10)


BAD_OPTIONS = [
    ("crnn", {"pooling": "max"}, "pooling"),
    ("rnn", {"n_layers": 0}, "n_layers"),
    ("cnn", {"kernel_size": 0}, "kernel_size"),
    ("crnn", {"kernel_size": 0}, "kernel_size"),
    ("crnn", {"conv_blocks": 0}, "conv_blocks"),
    ("crnn", {"conv_blocks": 3, "filters": (4, 8)}, "conv_blocks"),
    ("cnn", {"filters": ()}, "filters"),
]


@pytest.mark.parametrize("kind,options,name", BAD_OPTIONS, ids=[f"{k}-{o}" for k, o, _ in BAD_OPTIONS])
def test_bad_option_value_raises_value_error_naming_it(kind: str, options: dict, name: str) -> None:
    """An out-of-range builder option is refused with a ValueError that names the option."""
    shape = models.input_shape_for(kind, TINY_MFCC if kind == "rnn" else TINY_MEL)
    with pytest.raises(ValueError, match=name):
        models.build_model(kind, input_shape=shape, n_classes=10, **options)


@pytest.mark.parametrize("kind,option", [("cnn", "units"), ("rnn", "pooling"), ("crnn", "dense_units")])
def test_option_of_another_builder_raises_type_error_naming_it(kind: str, option: str) -> None:
    """build_model refuses an option its builder does not take, naming it (TypeError)."""
    shape = models.input_shape_for(kind, TINY_MFCC if kind == "rnn" else TINY_MEL)
    with pytest.raises(TypeError, match=rf"build_{kind} got unknown option\(s\) \['{option}'\]"):
        models.build_model(kind, input_shape=shape, n_classes=10, **{option: 8})


ROUND_TRIP = [
    ("cnn", {}),
    ("cnn", {"batch_norm": True}),
    ("cnn", {"kernel_size": 5}),
    ("cnn", {"kernel_size": 7}),
    ("rnn", {}),
    ("rnn", {"n_layers": 1}),
    ("crnn", {}),
    ("crnn", {"rnn": "gru", "bidirectional": False}),
    ("crnn", {"rnn": "lstm"}),
    ("crnn", {"pooling": "mean"}),
    ("crnn", {"conv_blocks": 5}),
    ("crnn", {"batch_norm": True}),
    ("crnn", {"kernel_size": 5}),
    ("crnn", {"kernel_size": 7}),
]


@pytest.mark.parametrize("kind,options", ROUND_TRIP, ids=[f"{k}-{o}" for k, o in ROUND_TRIP])
def test_every_variant_round_trips_through_save_and_load(kind: str, options: dict, tmp_path) -> None:
    """save_run_model then load_run_model gives the same weights, predictions and metadata."""
    X = tiny_features(kind, n=4) * 3 + 1
    mean, std = X.mean(axis=(0, 2)), X.std(axis=(0, 2))
    model = tiny_model(kind, standardizer=(mean, std), **options)
    rng = np.random.default_rng(1)  # move every weight (batch-norm statistics too) off its init
    model.set_weights([w + rng.normal(0, 0.05, w.shape).astype(w.dtype) for w in model.get_weights()])
    metadata = {"genres": [f"g{i}" for i in range(10)], "model_kind": kind,
                "model_options": {**options, "filters": [4, 4, 8, 8, 8]},
                "standardizer": {"mean": mean.tolist(), "std": std.tolist()}}
    save_run_model(model, tmp_path / "model.keras", metadata)
    loaded, meta = load_run_model(tmp_path / "model.keras")
    assert meta == metadata
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    for saved, back in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(back, saved)
    x = models.model_input(X, kind)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded(x)),
                                  keras.ops.convert_to_numpy(model(x)))


def test_metadata_missing_is_reported(tmp_path) -> None:
    model = tiny_model("cnn")
    model.save(tmp_path / "plain.keras")
    with pytest.raises(ValueError, match="not saved by genrelib"):
        read_model_metadata(tmp_path / "plain.keras")
    with pytest.raises(FileNotFoundError, match="run folder"):
        load_run_model(tmp_path / "nothing")
