"""Pretrained music taggers (musicnn and VGG-like, Pons & Serra 2019) as Keras 3 models:
their input, their tags and their embeddings as features.

Modules (one job each): ``wheel`` (the ``musicnn`` package: checkpoints, tag names,
licence), ``inputs`` (16 kHz log-mel patches), ``musicnn_net`` and ``vgg_net`` (the
architectures), ``weights`` (checkpoint -> Keras, converted once into the feature cache),
``tagging`` (tags of a clip), ``embeddings`` (per-patch embeddings of a clip or a dataset).
Notebook: 10_transfer_learning.ipynb
"""

from genrelib.pretrained.embeddings import (DEFAULT_LAYERS, EmbeddingSpec, embed_clip, embedding_cache_path,
                                            embedding_layers, extract_embeddings)
from genrelib.pretrained.inputs import PATCH_FRAMES, PATCH_SECONDS, clip_patches, load_clip, log_mel
from genrelib.pretrained.musicnn_net import build_musicnn
from genrelib.pretrained.tagging import TagScores, tags
from genrelib.pretrained.vgg_net import build_vgg
from genrelib.pretrained.weights import convert_weights, load_pretrained, weights_path
from genrelib.pretrained.wheel import (ATTRIBUTION, INSTALL_LINE, MODEL_NAMES, MissingWeightsError, licence_text,
                                       source_of, tag_names)

__all__ = [
    "ATTRIBUTION", "DEFAULT_LAYERS", "INSTALL_LINE", "MODEL_NAMES", "PATCH_FRAMES", "PATCH_SECONDS",
    "EmbeddingSpec", "MissingWeightsError", "TagScores", "build_musicnn", "build_vgg", "clip_patches",
    "convert_weights", "embed_clip", "embedding_cache_path", "embedding_layers", "extract_embeddings",
    "licence_text", "load_clip", "load_pretrained", "log_mel", "source_of", "tag_names", "tags", "weights_path",
]
