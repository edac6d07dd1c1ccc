"""The model kinds and what each one reads: which features, in which array shape.

"cnn" and "crnn" read log-mel images, "rnn" MFCC sequences, the classical "logreg" and
"svm" one column of segment statistics. Imports NumPy only (no Keras, no scikit-learn),
so run folders and the command line can name kinds cheaply.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from genrelib.config import FeatureConfig

#: The model kinds a run can train, and the feature kind each one reads (the RNN reads MFCC
#: sequences, the CNN and CRNN log-mel images, the classical models (logistic regression,
#: RBF SVM) summary statistics of each segment).
MODEL_FEATURES: dict[str, str] = {"cnn": "mel", "rnn": "mfcc", "crnn": "mel",
                                  "logreg": "stats", "svm": "stats"}
MODEL_KINDS: tuple[str, ...] = tuple(MODEL_FEATURES)
#: The scikit-learn model kinds (``genrelib.models.classical``): they read "stats" features.
CLASSICAL_KINDS: tuple[str, ...] = tuple(k for k, f in MODEL_FEATURES.items() if f == "stats")


def check_model_kind(model_kind: str) -> str:
    """Return ``model_kind`` when it is one of ``MODEL_KINDS``.

    Parameters
    ----------
    model_kind : str
        "cnn", "rnn", "crnn", "logreg" or "svm".

    Returns
    -------
    str
        ``model_kind`` itself. Raises ValueError listing the kinds for any other value.
    """
    if model_kind not in MODEL_FEATURES:
        raise ValueError(f"unknown model kind {model_kind!r}; choose one of {list(MODEL_KINDS)}")
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
        "mfcc" for the RNN, "stats" for the classical models, "mel" otherwise.
    """
    return MODEL_FEATURES[check_model_kind(model_kind)]


def is_classical(model_kind: str) -> bool:
    """Whether model ``model_kind`` is a scikit-learn model (one of ``CLASSICAL_KINDS``).

    Parameters
    ----------
    model_kind : str
        One of ``MODEL_KINDS`` (ValueError listing them otherwise).

    Returns
    -------
    bool
    """
    return check_model_kind(model_kind) in CLASSICAL_KINDS


def default_feature_config(model_kind: str, *, n_mfcc: int = 20) -> FeatureConfig:
    """The features model ``model_kind`` reads by default.

    Parameters
    ----------
    model_kind : str
        One of ``MODEL_KINDS``.
    n_mfcc : int
        MFCCs per frame for the "rnn" and the classical kinds (default 20).

    Returns
    -------
    FeatureConfig
        Log-mel (128 x 130 per segment) for cnn/crnn, ``n_mfcc`` MFCCs for rnn, the segment
        statistics (90 numbers with 20 MFCCs) for logreg/svm.

    Notebook: 04_rnn.ipynb
    """
    if feature_kind(model_kind) == "mel":
        return FeatureConfig()
    return FeatureConfig(kind=feature_kind(model_kind), n_mfcc=n_mfcc)


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
        time across); rnn: (n, frames, n_features), a sequence over time of feature
        vectors; logreg/svm: (n, n_features), a table of "stats" features (frames must be 1).
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
    if model_kind == "rnn":
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
        (frames, n_features) for rnn, (n_features * frames,) for logreg/svm,
        (n_features, frames, 1) for cnn/crnn.
    """
    n_features, frames = (int(v) for v in segment_shape)
    if is_classical(model_kind):
        return (n_features * frames,)
    return (frames, n_features) if model_kind == "rnn" else (n_features, frames, 1)
