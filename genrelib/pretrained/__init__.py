"""Pretrained music taggers (musicnn and VGG-like, Pons & Serra 2019) as Keras 3 models:
their input, their tags and their embeddings as features.

Modules (one job each): ``wheel`` (the ``musicnn`` package: checkpoints, tag names,
licence), ``inputs`` (16 kHz log-mel patches), ``musicnn_net`` and ``vgg_net`` (the
architectures), ``weights`` (checkpoint -> Keras, converted once into the feature cache),
``tagging`` (tags of a clip), ``embedding_spec`` (what names an embedding: tagger and
layer), ``embeddings`` (per-patch embeddings of a clip or a dataset).
The names below load their module on first use, so ``wheel`` and ``inputs`` work without Keras.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the module of this package that defines it.
_HOMES = {
    **dict.fromkeys(("ATTRIBUTION", "INSTALL_LINE", "MODEL_NAMES", "MissingWeightsError", "licence_text",
                     "source_of", "tag_names"), "wheel"),
    **dict.fromkeys(("PATCH_FRAMES", "PATCH_SECONDS", "SAMPLE_RATE", "clip_patches", "load_clip", "log_mel"),
                    "inputs"),
    "build_musicnn": "musicnn_net",
    "build_vgg": "vgg_net",
    **dict.fromkeys(("convert_weights", "load_pretrained", "weights_path"), "weights"),
    **dict.fromkeys(("TagScores", "tags"), "tagging"),
    **dict.fromkeys(("DEFAULT_LAYERS", "PATCH_LAYER", "EmbeddingSpec", "embedding_layers"), "embedding_spec"),
    **dict.fromkeys(("embed_clip", "embedding_cache_path", "extract_embeddings", "recording_features"), "embeddings"),
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"genrelib.pretrained.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'genrelib.pretrained' has no attribute {name!r}")
