"""The pretrained taggers with their weights: built, filled from the wheel's checkpoint once,
then read from the feature cache.

Every checkpoint variable goes to exactly one Keras weight (``checkpoint_map``); the
converted weights are written atomically to ``<features cache>/pretrained/<model>.weights.h5``
and later loads read that file (no TensorFlow 1 checkpoint, no download).
"""

from __future__ import annotations

import functools
import os
import tempfile
import warnings
from pathlib import Path

import keras
import numpy as np

from genrelib.cache import CacheFileWarning, default_cache_dir
from genrelib.pretrained.musicnn_net import TEMPORAL_LENGTHS, TIMBRAL_WIDTHS, build_musicnn
from genrelib.pretrained.vgg_net import build_vgg
from genrelib.pretrained.wheel import read_checkpoint, source_of

__all__ = ["build_pretrained", "checkpoint_map", "convert_weights", "load_pretrained", "shared_model",
           "weights_path"]

_BN = ("gamma", "beta", "moving_mean", "moving_variance")  # Keras' order of a BatchNormalization


def _bn(tf_name: str) -> list[str]:
    return [f"{tf_name}/{v}" for v in _BN]


def _dense(tf_name: str) -> list[str]:
    return [f"{tf_name}/kernel", f"{tf_name}/bias"]


def checkpoint_map(model: str) -> dict[str, list[str]]:
    """``{Keras layer name: [checkpoint variable, ...]}`` in the order of the layer's weights
    (kernel, bias; gamma, beta, moving mean, moving variance), read off the trained graphs
    (TF1 ``tf.layers`` numbers its layers in the order they were created)."""
    source_of(model)
    if model.endswith("_vgg"):
        table = {"input_bn": _bn("batch_normalization"), "logits": _dense("dense")}
        for block in range(1, 6):
            table[f"conv{block}"] = _dense(f"{block}CNN")
            table[f"bn{block}"] = _bn(f"batch_normalization_{block}")
        return table
    front = [f"timbral{i + 1}" for i in range(len(TIMBRAL_WIDTHS))]
    front += [f"temporal{i + 1}" for i in range(len(TEMPORAL_LENGTHS))]
    table = {"input_bn": _bn("batch_normalization")}
    for i, block in enumerate(front):  # conv2d .. conv2d_4, batch_normalization_1 .. _5
        table[f"{block}_conv"] = _dense(f"conv2d_{i}" if i else "conv2d")
        table[f"{block}_bn"] = _bn(f"batch_normalization_{i + 1}")
    for i, bn in enumerate(("cnn1", "midend2_bn", "midend3_bn")):  # conv2d_5 .. _7, bn_6 .. _8
        table[f"midend{i + 1}_conv"] = _dense(f"conv2d_{5 + i}")
        table[bn] = _bn(f"batch_normalization_{6 + i}")
    table.update({"pooled_bn": _bn("batch_normalization_9"), "dense": _dense("dense"),
                  "penultimate": _bn("batch_normalization_10"), "logits": _dense("dense_1")})
    return table


def build_pretrained(model: str) -> keras.Model:
    """The architecture of ``model`` (one of ``MODEL_NAMES``), untrained."""
    source_of(model)
    return build_vgg(model) if model.endswith("_vgg") else build_musicnn(model)


def _assign(net: keras.Model, variables: dict[str, np.ndarray], model: str) -> None:
    used: set[str] = set()
    for layer_name, names in checkpoint_map(model).items():
        layer = net.get_layer(layer_name)
        targets = [tuple(w.shape) for w in layer.weights]
        if len(targets) != len(names):
            raise ValueError(f"{model}: layer {layer_name!r} has {len(targets)} weights, the map gives {len(names)}")
        values = []
        for target, name in zip(targets, names):
            value = variables[name]
            if value.shape != target and value.size == np.prod(target):
                value = value.reshape(target)  # a Conv1D kernel (k, c, f) is stored as (k, c, 1, f)
            if value.shape != target:
                raise ValueError(f"{model}: checkpoint variable {name} has shape {variables[name].shape}, "
                                 f"layer {layer_name!r} expects {target}")
            values.append(value.astype(np.float32))
            used.add(name)
        layer.set_weights(values)
    unused = sorted(set(variables) - used)
    unset = [w.path for w in net.weights if not any(w.path.startswith(f"{n}/") for n in checkpoint_map(model))]
    if unused or unset:
        raise ValueError(f"{model}: checkpoint variables not mapped {unused}; Keras weights not set {unset}")


def convert_weights(model: str) -> keras.Model:
    """``model`` built and filled from the wheel's TF1 checkpoint (needs ``musicnn`` and
    TensorFlow; MissingWeightsError with the install line without the package). Raises
    ValueError when a variable is missing, left over or of the wrong shape."""
    net = build_pretrained(model)
    _assign(net, read_checkpoint(model), model)
    return net


def weights_path(model: str, *, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """``<cache_dir>/pretrained/<model>.weights.h5``; ``cache_dir`` None: the feature cache
    (``$GENREBOOK_CACHE/features`` or ``~/.cache/genre-book/features``)."""
    source_of(model)
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir("features")
    return root / "pretrained" / f"{model}.weights.h5"


def _save_atomic(net: keras.Model, path: Path) -> None:
    """``net.save_weights`` to a hidden temporary ``.weights.h5`` beside ``path``, renamed
    onto it when complete (Keras insists on the suffix, so ``genrelib.cache.atomic_path``,
    which appends its own, cannot be used)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".weights.h5")
    os.close(fd)
    try:
        net.save_weights(tmp, overwrite=True)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_pretrained(model: str, *, cache_dir: str | os.PathLike[str] | None = None) -> keras.Model:
    """A pretrained tagger with its trained weights, ready to tag or embed.

    Parameters
    ----------
    model : str
        "MSD_musicnn", "MSD_vgg", "MTT_musicnn" or "MTT_vgg".
    cache_dir : path, optional
        The feature cache (default ``$GENREBOOK_CACHE/features``): the weights live in
        ``weights_path(model, cache_dir=...)``.

    Returns
    -------
    keras.Model
        Input (batch, 187, 96) log-mel patches (``genrelib.pretrained.inputs``), output
        (batch, 50) tag probabilities; named layers as in ``build_musicnn``/``build_vgg``.
        The first call converts the wheel's checkpoint (``convert_weights``) and saves the
        result; later calls read the saved file (a corrupt one is converted again, with a
        warning). Raises MissingWeightsError naming the install line when a conversion is
        needed and ``musicnn`` is not installed.

    Notebook: 10_transfer_learning.ipynb
    """
    path = weights_path(model, cache_dir=cache_dir)
    if path.is_file():
        net = build_pretrained(model)
        try:
            net.load_weights(path)
            return net
        except Exception as error:  # truncated, corrupt or from another layout: convert again
            warnings.warn(f"ignoring the converted weights {path} and converting again: {error}",
                          CacheFileWarning, stacklevel=2)
    net = convert_weights(model)
    _save_atomic(net, path)
    return net


@functools.lru_cache(maxsize=4)
def _shared(model: str, cache_dir: str | None) -> keras.Model:
    return load_pretrained(model, cache_dir=cache_dir)


def shared_model(model: str, *, cache_dir: str | os.PathLike[str] | None = None) -> keras.Model:
    """``load_pretrained(model, cache_dir=...)`` built once per process and shared by the
    tagging and embedding functions (never train it: ``load_pretrained`` gives a fresh copy)."""
    return _shared(model, None if cache_dir is None else str(Path(cache_dir).expanduser()))
