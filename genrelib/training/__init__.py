"""Fitting a Keras model with the study's recipe (Adam 1e-3, batch 32, <= 50 epochs, early
stopping with the best weights restored, learning rate /10 on a plateau, NaN stop).

Modules: ``fit`` (seed, compile, fit, predict), ``callbacks`` (the recipe's callbacks and
the epoch timer, data-wait meter and table), ``feed`` (the seeded, prefetched batch
stream), ``devices`` (precision policy, devices, the data-parallel scope). The whole run
(index, split, features, fit, evaluate, run folder) is ``genrelib.pipeline``.
Importing this package imports no Keras: a name loads its module on first use.
Notebook: 03_cnn.ipynb
"""

from __future__ import annotations

import importlib
from typing import Any

#: The module of every name, loaded on first use (Keras inside most of them).
_LAZY: dict[str, str] = {
    **dict.fromkeys(("DataWaitMeter", "EpochTable", "EpochTimer", "make_callbacks"), "callbacks"),
    **dict.fromkeys(("DevicePlan", "active_replicas", "device_description", "plan_devices", "precision_policy",
                     "training_scope"), "devices"),
    **dict.fromkeys(("AUGMENT_STREAM", "PREFETCH_BATCHES", "BatchFeed"), "feed"),
    **dict.fromkeys(("TABLE", "compile_model", "fit_model", "predict_probs", "segment_embeddings", "set_seed"),
                    "fit"),
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    """Load the module of a name on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module(f"genrelib.training.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'genrelib.training' has no attribute {name!r}")
