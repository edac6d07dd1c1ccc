"""Helpers shared by several test modules (imported as ``from helpers import ...``; pytest puts
this folder on sys.path). Fixtures stay in conftest.py."""

from __future__ import annotations

import numpy as np

# --------------------------------------------------------------------------- tiny Keras models

#: (mels, frames) and (mfccs, frames) of tiny features: a training step in well under a second.
TINY_MEL = (32, 40)
TINY_MFCC = (20, 40)


def tiny_model(model_kind: str, **options):
    """A small model of ``model_kind`` for TINY_MEL / TINY_MFCC features and 10 classes."""
    from genrelib import models

    shape = models.input_shape_for(model_kind, TINY_MFCC if model_kind == "rnn" else TINY_MEL)
    small = {"units": 16} if model_kind in ("rnn", "crnn") else {}
    if model_kind in ("cnn", "crnn"):
        small["filters"] = (4, 4, 8, 8, 8)
    if model_kind == "cnn":
        small["dense_units"] = 16
    return models.build_model(model_kind, input_shape=shape, n_classes=10, **{**small, **options})


def tiny_features(model_kind: str, n: int = 8, seed: int = 0) -> np.ndarray:
    """Random raw features (n, n_features, frames) for ``tiny_model(model_kind)``."""
    rows = TINY_MFCC if model_kind == "rnn" else TINY_MEL
    return np.random.default_rng(seed).normal(size=(n, *rows)).astype("float32")


# --------------------------------------------------------------------------- learnable arrays

#: (mels, frames) of the training tests' features.
SHAPE = (16, 24)


def learnable_arrays(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random features (n, 16, 24) with a learnable signal: class c brightens mel rows 3c..3c+2."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 4
    X = rng.normal(size=(n, *SHAPE)).astype("float32")
    for c in range(4):
        X[y == c, 3 * c:3 * c + 3, :] += 2.0
    return X, y


def small_model(model_kind: str = "cnn"):
    """A small model of ``model_kind`` for (16, 24) features and 4 classes."""
    from genrelib import models

    if model_kind == "cnn":
        return models.build_cnn(input_shape=(*SHAPE, 1), n_classes=4, filters=(4, 8), dense_units=8)
    if model_kind == "rnn":
        return models.build_rnn(input_shape=SHAPE[::-1], n_classes=4, units=8)
    return models.build_crnn(input_shape=(*SHAPE, 1), n_classes=4, conv_blocks=1, filters=(4,),
                             units=8)


# --------------------------------------------------------------------------- augmentation

def chirp(seed: int, seconds: float = 8.0) -> np.ndarray:
    """A chirp at 22,050 Hz with a little noise: every frame differs from its neighbours."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * 22050)) / 22050
    return (0.3 * np.sin(2 * np.pi * (200 + 50 * seed) * t * (1 + 0.1 * t)) +
            0.05 * rng.normal(size=t.size)).astype(np.float32)


def short_config():
    """8 s clips, 32 mels: 4 segments of 130 frames, 345 frames in all."""
    from genrelib.config import FeatureConfig

    return FeatureConfig(clip_seconds=8.0, n_mels=32)


def clip_feature_set(signals: list[np.ndarray], cfg=None):
    """A FeatureSet of every segment of ``signals`` (track "t<i>", labels i % 3 of a, b, c)."""
    from genrelib.features import FeatureSet, clip_features

    cfg = cfg or short_config()
    X = [clip_features(y, cfg) for y in signals]
    n = X[0].shape[0]
    return FeatureSet(X=np.concatenate(X), y=np.repeat(np.arange(len(X)) % 3, n),
                      track_ids=np.repeat([f"t{i}" for i in range(len(X))], n),
                      genres=("a", "b", "c"), config=cfg)


def check_one_training_step(model_kind: str, options: dict) -> None:
    """A tiny ``model_kind`` model with ``options`` takes one training step: the loss is
    finite, a weight moves, and its outputs are probabilities (8 segments, 10 classes)."""
    import keras

    from genrelib import models

    model = tiny_model(model_kind, **options)
    X = models.model_input(tiny_features(model_kind), model_kind)
    y = np.arange(8) % 10
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", run_eagerly=True)
    before = [w.copy() for w in model.get_weights()]
    loss = model.train_on_batch(X, y)
    assert np.isfinite(float(np.asarray(loss).reshape(-1)[0]))
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    probs = keras.ops.convert_to_numpy(model(X))
    assert probs.shape == (8, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def spy_callbacks(monkeypatch, first: tuple = (), last: tuple = ()) -> list:
    """Record the callbacks fit_model makes, with ``first`` ones before them, ``last`` after."""
    from genrelib.training import fit

    made: list = []
    real = fit.make_callbacks

    def spy(*args, **kwargs):
        made.extend([*first, *real(*args, **kwargs), *last])
        return made

    monkeypatch.setattr(fit, "make_callbacks", spy)
    return made
