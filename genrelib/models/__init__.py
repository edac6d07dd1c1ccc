"""The models of the study: the CNN, the LSTM and the CRNN (Keras 3, any backend), the
classical baselines (scikit-learn), the pretrained taggers' probes and fine-tuned
networks, and which features each kind reads.

Modules: ``kinds`` (model kinds, their features and input shapes), ``layers`` (the blocks
the builders share), ``cnn``, ``rnn``, ``crnn``, ``builders`` (``build_model`` by kind
name), ``inspection`` (receptive field, layer table), ``classical`` (logreg, svm, the
probes), ``penalty`` (their C, chosen in training), ``finetune`` (a tagger's last block and a head).
Importing this package imports neither Keras nor scikit-learn; a name of the other modules
loads its module on first use.
Notebook: 03_cnn.ipynb
"""

from __future__ import annotations

import importlib
from typing import Any

from genrelib.models.kinds import (ALL_MODEL_KINDS, CLASSICAL_KINDS, FINETUNE_KINDS, FINETUNE_LEARNING_RATE,
                                   MODEL_FEATURES, MODEL_KINDS, PRETRAINED_KINDS, PRETRAINED_SOURCES,
                                   PROBE_FIT_ON, PROBE_KINDS, check_model_kind, default_feature_config,
                                   feature_kind, feature_table, input_shape_for, is_classical, model_input,
                                   read_feature_config)

#: The module of every name that is loaded on first use (Keras or scikit-learn inside).
_LAZY: dict[str, str] = {
    **dict.fromkeys(("check_option", "conv_block", "l2_penalty", "standardize_layer"), "layers"),
    **dict.fromkeys(("CNN_FILTERS", "build_cnn"), "cnn"),
    "build_rnn": "rnn",
    "build_crnn": "crnn",
    **dict.fromkeys(("BUILDERS", "build_model", "builder_for"), "builders"),
    **dict.fromkeys(("receptive_field", "summary_table"), "inspection"),
    **dict.fromkeys(("build_classical", "build_logreg", "build_musicnn_probe", "build_svm", "build_vgg_probe",
                     "fit_classical", "parameter_count", "predict_classical"), "classical"),
    **dict.fromkeys(("INNER_FOLDS", "C_candidates", "choose_C"), "penalty"),
    **dict.fromkeys(("FINETUNE_BLOCKS", "build_musicnn_finetune", "build_vgg_finetune", "split_frozen_front"),
                    "finetune"),
}

__all__ = ["ALL_MODEL_KINDS", "CLASSICAL_KINDS", "FINETUNE_KINDS", "FINETUNE_LEARNING_RATE", "MODEL_FEATURES",
           "MODEL_KINDS", "PRETRAINED_KINDS", "PRETRAINED_SOURCES", "PROBE_FIT_ON", "PROBE_KINDS",
           "check_model_kind", "default_feature_config", "feature_kind", "feature_table", "input_shape_for",
           "is_classical", "model_input", "read_feature_config", *_LAZY]


def __getattr__(name: str) -> Any:
    """Load the module of a Keras or scikit-learn name on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module(f"genrelib.models.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'genrelib.models' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
