"""The source of the pretrained weights: the ``musicnn`` 0.1.0 wheel (TF1 checkpoints).

Found with ``importlib`` (the package's own code needs TensorFlow 1 and is never imported);
its checkpoints, tag names and licence are read from its files.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
from pathlib import Path

import numpy as np

from genrelib.errors import UserError

__all__ = ["ATTRIBUTION", "INSTALL_LINE", "MODEL_NAMES", "PACKAGE", "PACKAGE_VERSION", "SOURCES",
           "MissingWeightsError", "checkpoint_dir", "licence_text", "read_checkpoint",
           "source_of", "tag_names", "wheel_dir"]

#: The package that holds the weights, and the one version whose checkpoints genrelib maps.
PACKAGE = "musicnn"
PACKAGE_VERSION = "0.1.0"
#: How to install it: without its dependencies (it pins numpy<1.17 and TensorFlow 1), as a
#: source of weights only.
INSTALL_LINE = f"pip install --no-deps {PACKAGE}=={PACKAGE_VERSION}"
#: The four taggers of the wheel: ``<source>_<architecture>``.
MODEL_NAMES: tuple[str, ...] = ("MSD_musicnn", "MSD_vgg", "MTT_musicnn", "MTT_vgg")
#: The datasets the taggers were trained on: the Million Song Dataset's 50 most frequent
#: last.fm tags, and MagnaTagATune's 50 most frequent tags.
SOURCES: dict[str, str] = {"MSD": "Million Song Dataset (last.fm tags)", "MTT": "MagnaTagATune"}
#: The notice that goes with the weights and everything computed from them.
ATTRIBUTION = (
    "Pretrained weights: musicnn 0.1.0, Copyright (c) Music Technology Group, Universitat "
    "Pompeu Fabra 2019, ISC licence (code developed by Jordi Pons). J. Pons and X. Serra, "
    "\"musicnn: pre-trained convolutional neural networks for music audio tagging\", "
    "ISMIR 2019 late-breaking/demo session."
)
_LABEL_LISTS = {"MSD": "MSD_LABELS", "MTT": "MTT_LABELS"}


class MissingWeightsError(UserError, ModuleNotFoundError):
    """The ``musicnn`` package (the source of the weights) is not installed: the message
    says what to install (``INSTALL_LINE``)."""


def wheel_dir() -> Path:
    """The installed ``musicnn`` package folder; MissingWeightsError with the install line
    when it is absent."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise MissingWeightsError(
            f"the pretrained taggers' weights come from the {PACKAGE!r} package, which is not "
            f"installed: run `{INSTALL_LINE}` (--no-deps: it is only a source of weights)")
    return Path(list(spec.submodule_search_locations)[0])


def source_of(model: str) -> str:
    """"MSD" or "MTT", the dataset ``model`` (one of ``MODEL_NAMES``) was trained on;
    ValueError naming the known models otherwise."""
    if model not in MODEL_NAMES:
        raise ValueError(f"unknown pretrained model {model!r}; choose one of {list(MODEL_NAMES)}")
    return model.split("_", 1)[0]


def checkpoint_dir(model: str) -> Path:
    """The folder of ``model``'s TF1 checkpoint in the wheel (files ``.index``, ``.data-*``,
    ``.meta``: the checkpoint prefix is the folder itself followed by ``/``)."""
    source_of(model)
    folder = wheel_dir() / model
    if not (folder / ".index").is_file():
        raise MissingWeightsError(f"{folder}: the checkpoint of {model} is missing from the "
                                  f"installed {PACKAGE!r}; reinstall it: `{INSTALL_LINE}`")
    return folder


def read_checkpoint(model: str) -> dict[str, np.ndarray]:
    """Every trained variable of ``model``'s checkpoint, ``{name: array}`` (optimizer slots
    and counters left out), read with ``tf.compat.v1.train.NewCheckpointReader`` on the
    prefix ``<folder>/`` (the ``checkpoint`` file names the author's path, so
    ``tf.train.load_checkpoint(folder)`` cannot be used)."""
    import tensorflow as tf

    reader = tf.compat.v1.train.NewCheckpointReader(str(checkpoint_dir(model)) + "/")
    skip = ("Adam", "beta1_power", "beta2_power", "global_step")
    return {name: reader.get_tensor(name) for name in sorted(reader.get_variable_to_shape_map())
            if not any(part in name for part in skip)}


def tag_names(source_or_model: str) -> tuple[str, ...]:
    """The 50 tag names of a source ("MSD", "MTT") or of a model ("MSD_vgg", ...), in the
    order of the taggers' outputs, read from the wheel's ``configuration.py`` (parsed, not
    imported). Notebook: 10_transfer_learning.ipynb"""
    source = source_or_model if source_or_model in _LABEL_LISTS else source_of(source_or_model)
    path = wheel_dir() / "configuration.py"
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and getattr(node.targets[0], "id", None) == _LABEL_LISTS[source]):
            return tuple(str(tag) for tag in ast.literal_eval(node.value))
    raise MissingWeightsError(f"{path}: no {_LABEL_LISTS[source]} list; reinstall: `{INSTALL_LINE}`")


def licence_text() -> str:
    """The licence file shipped in the installed wheel (ISC, (c) Music Technology Group,
    Universitat Pompeu Fabra 2019), for the chapter to show beside ``ATTRIBUTION``.

    Notebook: 10_transfer_learning.ipynb
    """
    wheel_dir()
    text = importlib.metadata.distribution(PACKAGE).read_text("LICENSE.md")
    if not text:
        raise MissingWeightsError(f"the installed {PACKAGE!r} has no LICENSE.md; reinstall: `{INSTALL_LINE}`")
    return text.strip()
