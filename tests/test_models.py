"""Models: shapes, parameter counts, variants, one training step, save/load round trip."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from genrelib import models  # noqa: E402
from genrelib.runs import load_run_model, read_model_metadata, save_run_model  # noqa: E402

TINY_MEL = (32, 40)  # (mels, frames): small enough for a training step in well under a second
TINY_MFCC = (20, 40)

VARIANTS = [
    ("cnn", {}),
    ("cnn", {"kernel_size": 5, "batch_norm": True}),
    ("cnn", {"kernel_size": 7, "l2": 0.0}),
    ("rnn", {}),
    ("crnn", {}),
    ("crnn", {"rnn": "lstm"}),
    ("crnn", {"bidirectional": False}),
    ("crnn", {"pooling": "mean"}),
    ("crnn", {"conv_blocks": 5, "batch_norm": True}),
]


def _tiny(kind: str, **options):
    shape = models.input_shape_for(kind, TINY_MFCC if kind == "rnn" else TINY_MEL)
    small = {"units": 16} if kind in ("rnn", "crnn") else {}
    if kind in ("cnn", "crnn"):
        small["filters"] = (4, 4, 8, 8, 8)
    if kind == "cnn":
        small["dense_units"] = 16
    return models.build_model(kind, input_shape=shape, n_classes=10, **{**small, **options})


def _features(kind: str, n: int = 8, seed: int = 0) -> np.ndarray:
    rows = TINY_MFCC if kind == "rnn" else TINY_MEL
    return np.random.default_rng(seed).normal(size=(n, *rows)).astype("float32")


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


@pytest.mark.parametrize("kind,options", VARIANTS, ids=[f"{k}-{o}" for k, o in VARIANTS])
def test_variant_trains_one_step(kind: str, options: dict) -> None:
    model = _tiny(kind, **options)
    X = models.model_input(_features(kind), kind)
    y = np.arange(8) % 10
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", run_eagerly=True)
    before = [w.copy() for w in model.get_weights()]
    loss = model.train_on_batch(X, y)
    assert np.isfinite(float(np.asarray(loss).reshape(-1)[0]))
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    probs = keras.ops.convert_to_numpy(model(X))
    assert probs.shape == (8, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_model_input_shapes() -> None:
    X = np.zeros((5, 128, 130), dtype="float32")
    assert models.model_input(X, "cnn").shape == (5, 128, 130, 1)
    assert models.model_input(X, "crnn").shape == (5, 128, 130, 1)
    assert models.model_input(np.zeros((5, 20, 130)), "rnn").shape == (5, 130, 20)
    with pytest.raises(ValueError, match="n_segments, n_features, frames"):
        models.model_input(np.zeros((5, 128)), "cnn")
    with pytest.raises(ValueError, match="unknown model kind"):
        models.model_input(X, "transformer")


def test_bad_options_are_named() -> None:
    with pytest.raises(TypeError, match="kernal_size"):
        models.build_model("cnn", input_shape=(32, 40, 1), n_classes=10, kernal_size=3)
    with pytest.raises(ValueError, match="conv_blocks"):
        models.build_crnn(conv_blocks=6)
    with pytest.raises(ValueError, match="rnn must be"):
        models.build_crnn(rnn="transformer")


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


@pytest.mark.parametrize("kind", ["cnn", "rnn", "crnn"])
def test_standardizer_inside_model_and_round_trip(kind: str, tmp_path) -> None:
    X = _features(kind, n=6) * 5 + 3
    mean, std = X.mean(axis=(0, 2)), X.std(axis=(0, 2))
    model = _tiny(kind, standardizer=(mean, std))
    norm = model.get_layer("standardize")
    z = keras.ops.convert_to_numpy(norm(models.model_input(X, kind)))
    expected = models.model_input((X - mean[None, :, None]) / std[None, :, None], kind)
    np.testing.assert_allclose(z, expected, atol=1e-4)

    path = save_run_model(model, tmp_path / "model.keras", {"genres": list("abcdefghij"), "k": kind})
    assert read_model_metadata(path)["k"] == kind
    loaded, meta = load_run_model(tmp_path)  # the folder works as well as the file
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
    X = _features(kind, n=4) * 3 + 1
    mean, std = X.mean(axis=(0, 2)), X.std(axis=(0, 2))
    model = _tiny(kind, standardizer=(mean, std), **options)
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
    model = _tiny("cnn")
    model.save(tmp_path / "plain.keras")
    with pytest.raises(ValueError, match="not saved by genrelib"):
        read_model_metadata(tmp_path / "plain.keras")
    with pytest.raises(FileNotFoundError, match="run folder"):
        load_run_model(tmp_path / "nothing")
