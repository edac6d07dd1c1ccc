"""The model kinds and what each one reads: which features, in which array shape.

"cnn" and "crnn" read log-mel images, "rnn" MFCC sequences, the classical "logreg" and
"svm" one column of segment statistics; the pretrained kinds (a probe or a fine-tuned
tagger) read a tagger's embeddings or input patches (``EmbeddingSpec``). Imports NumPy only
(no Keras, no scikit-learn), so run folders and the command line can name kinds cheaply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from genrelib.config import FeatureConfig

if TYPE_CHECKING:
    from genrelib.pretrained.embedding_spec import EmbeddingSpec

#: The model kinds a run can train, and the feature kind each one reads (the RNN reads MFCC
#: sequences, the CNN and CRNN log-mel images, the classical models (logistic regression,
#: RBF SVM) summary statistics of each segment).
MODEL_FEATURES: dict[str, str] = {"cnn": "mel", "rnn": "mfcc", "crnn": "mel",
                                  "logreg": "stats", "svm": "stats"}
MODEL_KINDS: tuple[str, ...] = tuple(MODEL_FEATURES)
#: The scikit-learn model kinds (``genrelib.models.classical``): they read "stats" features.
CLASSICAL_KINDS: tuple[str, ...] = tuple(k for k, f in MODEL_FEATURES.items() if f == "stats")
#: Model kinds over a pretrained tagger (``genrelib.pretrained``; chapter 10), beside the
#: study's: a linear probe (standardised logistic regression, scikit-learn) of the tagger's
#: per-patch embeddings, or the tagger fine-tuned (its last block and a new softmax head,
#: Keras) on its input patches. Both read "embedding" features: an ``EmbeddingSpec`` made
#: from the options ``source`` (and ``layer`` for a probe) by ``default_feature_config``.
PROBE_KINDS: tuple[str, ...] = ("vgg-probe", "musicnn-probe")
FINETUNE_KINDS: tuple[str, ...] = ("vgg-finetune", "musicnn-finetune")
PRETRAINED_KINDS: tuple[str, ...] = PROBE_KINDS + FINETUNE_KINDS
#: Every model kind a run can train: the study's, then the pretrained ones.
ALL_MODEL_KINDS: tuple[str, ...] = MODEL_KINDS + PRETRAINED_KINDS
#: The collections a pretrained kind's tagger was trained on (option ``source``), default
#: first: the Million Song Dataset's last.fm tags, MagnaTagATune.
PRETRAINED_SOURCES: tuple[str, ...] = ("MSD", "MTT")
#: The rows a probe is fitted on (option ``fit_on``), default first: one per 3 s patch, or one
#: per training track (the mean of its patch embeddings, ``models.track_rows``).
PROBE_FIT_ON: tuple[str, ...] = ("patches", "tracks")
#: Adam's learning rate of a fine-tuned kind unless the run sets one: a tenth of the
#: study's 1e-3, so the first steps do not undo what the tagger learned.
FINETUNE_LEARNING_RATE = 1e-4
#: Kinds whose input is a sequence over time: (frames, n_features) per segment.
_TIME_MAJOR: tuple[str, ...] = ("rnn", *FINETUNE_KINDS)


def check_model_kind(model_kind: str) -> str:
    """Return ``model_kind`` when it is one of ``MODEL_KINDS``.

    Parameters
    ----------
    model_kind : str
        "cnn", "rnn", "crnn", "logreg", "svm", or a pretrained kind ("vgg-probe",
        "musicnn-probe", "vgg-finetune", "musicnn-finetune").

    Returns
    -------
    str
        ``model_kind`` itself. Raises ValueError listing the kinds for any other value.
    """
    if model_kind not in ALL_MODEL_KINDS:
        raise ValueError(f"unknown model kind {model_kind!r}; choose one of {list(ALL_MODEL_KINDS)}")
    return model_kind


def feature_kind(model_kind: str) -> str:
    """The ``FeatureConfig.kind`` that model ``model_kind`` reads.

    Parameters
    ----------
    model_kind : str
        One of ``MODEL_KINDS``.

    Returns
    -------
    str
        "mfcc" for the RNN, "stats" for the classical models, "embedding" for the
        pretrained kinds, "mel" otherwise.
    """
    return MODEL_FEATURES.get(check_model_kind(model_kind), "embedding")


def is_classical(model_kind: str) -> bool:
    """Whether model ``model_kind`` is a scikit-learn model (one of ``CLASSICAL_KINDS`` or
    ``PROBE_KINDS``).

    Parameters
    ----------
    model_kind : str
        One of ``ALL_MODEL_KINDS`` (ValueError listing them otherwise).

    Returns
    -------
    bool
    """
    return check_model_kind(model_kind) in CLASSICAL_KINDS + PROBE_KINDS


def default_feature_config(model_kind: str, *, n_mfcc: int = 20,
                           options: Mapping[str, Any] | None = None) -> FeatureConfig | EmbeddingSpec:
    """The features model ``model_kind`` reads by default.

    Parameters
    ----------
    model_kind : str
        One of ``ALL_MODEL_KINDS``.
    n_mfcc : int
        MFCCs per frame for the "rnn" and the classical kinds (default 20).
    options : mapping, optional
        A pretrained kind's options: ``source`` ("MSD" or "MTT", default "MSD") and, for a
        probe, ``layer`` (None: the tagger's ``DEFAULT_LAYERS``) and ``fit_on`` (checked
        only: one of ``PROBE_FIT_ON``); other names are ignored.

    Returns
    -------
    FeatureConfig or EmbeddingSpec
        Log-mel (128 x 130 per segment) for cnn/crnn, ``n_mfcc`` MFCCs for rnn, the segment
        statistics (90 numbers with 20 MFCCs) for logreg/svm; for a probe the
        ``EmbeddingSpec`` of tagger ``<source>_<vgg|musicnn>`` and ``layer``, for a
        fine-tuned kind its input patches (layer "patch"). ValueError names a bad option.

    Notebook: 04_rnn.ipynb, 10_transfer_learning.ipynb
    """
    if check_model_kind(model_kind) in PRETRAINED_KINDS:
        return _pretrained_features(model_kind, dict(options or {}))
    if feature_kind(model_kind) == "mel":
        return FeatureConfig()
    return FeatureConfig(kind=feature_kind(model_kind), n_mfcc=n_mfcc)


def _pretrained_features(model_kind: str, options: dict[str, Any]) -> EmbeddingSpec:
    from genrelib.pretrained.embedding_spec import PATCH_LAYER, EmbeddingSpec, embedding_layers

    source = options.get("source", PRETRAINED_SOURCES[0])
    if source not in PRETRAINED_SOURCES:
        raise ValueError(f"option source: expected one of {list(PRETRAINED_SOURCES)}, got {source!r}")
    tagger = f"{source}_{model_kind.split('-')[0]}"
    if model_kind in FINETUNE_KINDS:
        return EmbeddingSpec(tagger, PATCH_LAYER)
    fit_on = options.get("fit_on", PROBE_FIT_ON[0])
    if fit_on not in PROBE_FIT_ON:
        raise ValueError(f"option fit_on: expected one of {list(PROBE_FIT_ON)}, got {fit_on!r}")
    layer = options.get("layer")
    vectors = [name for name in embedding_layers(tagger) if name != PATCH_LAYER]
    if layer is not None and layer not in vectors:
        raise ValueError(f"option layer: {tagger} has no embedding layer {layer!r}; choose one of {vectors}")
    return EmbeddingSpec(tagger, layer)


def read_feature_config(data: Mapping[str, Any]) -> FeatureConfig | EmbeddingSpec:
    """A ``feature_config`` record (a run's config.json, a model file's metadata) read back.

    Parameters
    ----------
    data : mapping
        ``FeatureConfig.to_dict()`` or ``EmbeddingSpec.to_dict()`` output.

    Returns
    -------
    FeatureConfig or EmbeddingSpec
        An EmbeddingSpec when ``data["kind"]`` is "embedding"; ValueError naming unknown keys.
    """
    if data.get("kind") == "embedding":
        from genrelib.pretrained.embedding_spec import EmbeddingSpec

        return EmbeddingSpec.from_dict(dict(data))
    return FeatureConfig.from_dict(dict(data))


def feature_table(X: np.ndarray) -> np.ndarray:
    """The table a classical model reads, from "stats" features.

    Parameters
    ----------
    X : np.ndarray, shape (n_segments, n_features, 1)
        "stats" features (``FeatureSet.X``).

    Returns
    -------
    np.ndarray, shape (n_segments, n_features)
        Raises ValueError naming the shape for anything else (e.g. log-mel frames).
    """
    X = np.asarray(X)
    if X.ndim != 3 or X.shape[2] != 1:
        raise ValueError(
            f"the classical models read one column of statistics per segment, shape "
            f"(n_segments, n_features, 1), got {X.shape}: use FeatureConfig(kind='stats')"
        )
    return X[:, :, 0]


def model_input(X: np.ndarray, model_kind: str) -> np.ndarray:
    """Reshape features to what model ``model_kind`` takes.

    Parameters
    ----------
    X : np.ndarray, shape (n, n_features, frames)
        Features of n segments (``FeatureSet.X``).
    model_kind : str
        One of ``MODEL_KINDS``.

    Returns
    -------
    np.ndarray
        cnn/crnn: (n, n_features, frames, 1), an image with one channel (frequency down,
        time across); rnn and the fine-tuned kinds: (n, frames, n_features), a sequence
        over time of feature vectors; logreg/svm and the probes: (n, n_features), a table of
        "stats" features or embeddings (frames must be 1).
        Raises ValueError naming the shape when X is not 3-D.

    Notebook: 04_rnn.ipynb
    """
    if is_classical(model_kind):
        return feature_table(X)
    X = np.asarray(X)
    if X.ndim != 3:
        raise ValueError(
            f"features must have shape (n_segments, n_features, frames), got {X.shape}; "
            "pass FeatureSet.X"
        )
    if model_kind in _TIME_MAJOR:
        return np.ascontiguousarray(np.transpose(X, (0, 2, 1)))
    return X[..., np.newaxis]


def input_shape_for(model_kind: str, segment_shape: Sequence[int]) -> tuple[int, ...]:
    """The input shape (no batch axis) of model ``model_kind`` for segments of a shape.

    Parameters
    ----------
    model_kind : str
        One of ``MODEL_KINDS``.
    segment_shape : sequence of 2 ints
        (n_features, frames) of one segment (``FeatureConfig.segment_shape``).

    Returns
    -------
    tuple of int
        (frames, n_features) for rnn and the fine-tuned kinds, (n_features * frames,) for
        logreg/svm and the probes, (n_features, frames, 1) for cnn/crnn.
    """
    n_features, frames = (int(v) for v in segment_shape)
    if is_classical(model_kind):
        return (n_features * frames,)
    return (frames, n_features) if model_kind in _TIME_MAJOR else (n_features, frames, 1)
