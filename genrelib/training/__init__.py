"""Fitting a Keras model with the study's recipe (Adam 1e-3, batch 32, <= 50 epochs, early
stopping with the best weights restored, learning rate /10 on a plateau, NaN stop).

Modules: ``fit`` (seed, compile, fit, predict), ``callbacks`` (the recipe's callbacks and
the epoch timer, data-wait meter and table), ``feed`` (the seeded, prefetched batch
stream), ``devices`` (precision policy, devices, the data-parallel scope). The whole run
(index, split, features, fit, evaluate, run folder) is ``genrelib.pipeline``.
Notebook: 03_cnn.ipynb
"""

from genrelib.training.callbacks import DataWaitMeter, EpochTable, EpochTimer, make_callbacks
from genrelib.training.devices import (DevicePlan, active_replicas, device_description,
                                       plan_devices, precision_policy, training_scope)
from genrelib.training.feed import AUGMENT_STREAM, PREFETCH_BATCHES, BatchFeed
from genrelib.training.fit import (TABLE, compile_model, fit_model, predict_probs,
                                   segment_embeddings, set_seed)

__all__ = ["AUGMENT_STREAM", "PREFETCH_BATCHES", "TABLE", "BatchFeed", "DataWaitMeter",
           "DevicePlan", "EpochTable", "EpochTimer", "active_replicas", "compile_model",
           "device_description", "fit_model", "make_callbacks", "plan_devices",
           "precision_policy", "predict_probs", "segment_embeddings", "set_seed",
           "training_scope"]
