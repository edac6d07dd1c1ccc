"""The classical baselines: logistic regression and an RBF SVM on segment statistics, and the
linear probes of a pretrained tagger's embeddings (the same logistic regression).

Both are scikit-learn ``Pipeline``s holding their own scaler, so a saved model takes raw
"stats" features (``FeatureConfig(kind="stats")``, (n_segments, n_features, 1)) and needs
nothing else; one example per segment, so evaluation and ensembles work as for the deep
models. ``genrelib.runs`` saves and loads them in the skops format (no pickle).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from genrelib.models.kinds import PRETRAINED_SOURCES, check_model_kind, default_feature_config, feature_table
from genrelib.models.penalty import C_candidates, choose_C

__all__ = ["build_classical", "build_logreg", "build_musicnn_probe", "build_svm", "build_vgg_probe",
           "feature_table", "fit_classical", "parameter_count", "predict_classical"]


def build_logreg(*, C: float | Sequence[float] = 1.0, max_iter: int = 5000, seed: int = 0) -> Pipeline:
    """StandardScaler -> multinomial logistic regression (lbfgs).

    Parameters
    ----------
    C : float or list of float
        Inverse strength of the L2 penalty. A list gives candidates: ``fit_classical`` picks
        one by cross-validation on the training tracks (``choose_C``).
    max_iter : int
        Bound on the lbfgs iterations.
    seed : int
        The regression's ``random_state``.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps "scale" and "logreg"; it reads (n_segments, n_features) (``feature_table``).
    """
    candidates = C_candidates(C)
    model = Pipeline([("scale", StandardScaler()),
                      ("logreg", LogisticRegression(C=candidates[0], max_iter=max_iter, random_state=seed))])
    if len(candidates) > 1:
        model.C_candidates_ = candidates  # fit_classical chooses among them
    return model


def build_svm(*, C: float = 1.0, gamma: float | str = "scale", calibration_folds: int = 5,
              seed: int = 0) -> Pipeline:
    """StandardScaler -> RBF support vector machine with Platt-scaled probabilities.

    Parameters
    ----------
    C : float
        The SVC's penalty.
    gamma : float or "scale"
        The RBF width; "scale" is 1 / (n_features * variance), i.e. 1 / n_features after
        the scaler.
    calibration_folds : int
        Cross-validation folds (>= 2) whose decision values fit a sigmoid per genre; the SVC
        is then refitted on all training segments (``CalibratedClassifierCV(...,
        ensemble=False)``).
    seed : int
        The SVC's ``random_state``.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps "scale" and "svm".
    """
    svc = SVC(kernel="rbf", C=C, gamma=gamma, random_state=seed)
    return Pipeline([("scale", StandardScaler()),
                     ("svm", CalibratedClassifierCV(svc, method="sigmoid", cv=calibration_folds,
                                                    ensemble=False))])


def build_vgg_probe(*, source: str = PRETRAINED_SOURCES[0], layer: str | None = None,
                    C: float | Sequence[float] = 1.0, max_iter: int = 5000, fit_on: str = "patches",
                    seed: int = 0) -> Pipeline:
    """A linear probe of a VGG-like tagger: ``build_logreg`` on its per-patch embeddings.

    Parameters
    ----------
    source : {"MSD", "MTT"}
        The tagger: "MSD_vgg" (Million Song Dataset) or "MTT_vgg" (MagnaTagATune).
    layer : str, optional
        The embedding read (``genrelib.pretrained.embedding_layers``; None: "flatten", 256
        numbers per 3 s patch). ``source`` and ``layer`` choose the run's features
        (``default_feature_config``), not the regression.
    C, max_iter, seed
        As in ``build_logreg``.
    fit_on : {"patches", "tracks"}
        The rows ``pipeline.fit`` fits it on: one per 3 s patch, or one per training track
        (the mean of its patches, ``models.track_rows.track_means``). It predicts patches.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps "scale" and "logreg"; it reads (n_patches, n_features) embeddings. ValueError
        names a bad ``source``, ``layer`` or ``fit_on``.

    Notebook: 10_transfer_learning.ipynb
    """
    default_feature_config("vgg-probe", options={"source": source, "layer": layer, "fit_on": fit_on})
    return build_logreg(C=C, max_iter=max_iter, seed=seed)


def build_musicnn_probe(*, source: str = PRETRAINED_SOURCES[0], layer: str | None = None,
                        C: float | Sequence[float] = 1.0, max_iter: int = 5000, fit_on: str = "patches",
                        seed: int = 0) -> Pipeline:
    """A linear probe of a musicnn tagger: ``build_logreg`` on its per-patch embeddings.

    Parameters
    ----------
    source : {"MSD", "MTT"}
        The tagger: "MSD_musicnn" or "MTT_musicnn".
    layer : str, optional
        The embedding read (None: "penultimate", 200 numbers per 3 s patch).
    C, max_iter, seed, fit_on
        As in ``build_logreg`` and ``build_vgg_probe``.

    Returns
    -------
    sklearn.pipeline.Pipeline
        As ``build_vgg_probe``.

    Notebook: 10_transfer_learning.ipynb
    """
    default_feature_config("musicnn-probe", options={"source": source, "layer": layer, "fit_on": fit_on})
    return build_logreg(C=C, max_iter=max_iter, seed=seed)


#: The builder of every classical model kind, the pretrained taggers' probes included.
CLASSICAL_BUILDERS = {"logreg": build_logreg, "svm": build_svm,
                      "vgg-probe": build_vgg_probe, "musicnn-probe": build_musicnn_probe}


def build_classical(model_kind: str, *, seed: int = 0, **options: Any) -> Pipeline:
    """Build classical model ``model_kind`` with its builder's ``options`` and ``seed``.

    Parameters
    ----------
    model_kind : {"logreg", "svm", "vgg-probe", "musicnn-probe"}
        The builder: ``build_logreg``, ``build_svm``, ``build_vgg_probe`` or
        ``build_musicnn_probe``.
    seed : int
        The model's ``random_state``.
    **options
        The builder's other arguments (e.g. ``C=10``, ``gamma=0.01``; for logreg and the
        probes ``C`` may be a list of candidates, see ``build_logreg``).

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unknown options raise TypeError naming them and the accepted ones; a deep model
        kind raises ValueError.
    """
    if check_model_kind(model_kind) not in CLASSICAL_BUILDERS:
        raise ValueError(f"{model_kind!r} is not a classical model kind; choose one of "
                         f"{list(CLASSICAL_BUILDERS)}")
    builder = CLASSICAL_BUILDERS[model_kind]
    accepted = set(inspect.signature(builder).parameters) - {"seed"}
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise TypeError(f"build_{model_kind} got unknown option(s) {unknown}; accepted: "
                        f"{sorted(accepted)}")
    return builder(seed=seed, **options)


def _scores(model: Pipeline, X: np.ndarray, y: np.ndarray, n_classes: int) -> tuple[float, float]:
    """(log loss, accuracy) of a fitted model on "stats" features X and labels y."""
    probs = predict_classical(model, X)
    loss = log_loss(y, probs, labels=np.arange(n_classes))
    return float(loss), float(np.mean(probs.argmax(axis=1) == y))


def fit_classical(
    model: Pipeline, X_train: np.ndarray, y_train: np.ndarray,
    X_valid: np.ndarray | None = None, y_valid: np.ndarray | None = None, *, n_classes: int,
    groups: np.ndarray | None = None,
) -> pd.DataFrame:
    """Fit a classical model once on "stats" features.

    A genre absent from training (e.g. a genre of one artist under the artist protocol)
    can never be predicted: its probability column is 0 (``n_genres_`` records the width).
    A model built with a list of C (``build_classical``) first picks one by
    ``choose_C`` on the training rows grouped by ``groups``, then is fitted on them all.

    Parameters
    ----------
    model : sklearn.pipeline.Pipeline
        From ``build_classical``; fitted in place.
    X_train, X_valid : np.ndarray, shape (n, n_features, 1)
        "stats" features (``X_valid`` optional).
    y_train, y_valid : np.ndarray of int, shape (n,)
        Labels in [0, n_classes).
    n_classes : int
        Genres (probability columns), trained or not.
    groups : np.ndarray, shape (n,), optional
        The track of every training row, for the choice of C (a track's rows never sit on
        both sides of an inner fold); None: every row is its own track.

    Returns
    -------
    pandas.DataFrame
        ONE row (a single fit, no epochs): ``fit_seconds`` (s), ``loss`` (log loss) and
        ``accuracy`` on the training segments, ``val_loss``/``val_accuracy`` with
        validation data; with C candidates also ``C`` (the one chosen) and
        ``inner_log_loss`` (its cross-validated log loss). Raises ValueError for an empty
        training set or NaN/inf values.
    """
    table = feature_table(X_train)
    y_train = np.asarray(y_train)
    if len(table) == 0:
        raise ValueError("no training segments: the training split is empty")
    if not np.isfinite(table).all():
        raise ValueError("the training features contain NaN/inf values: recompute them "
                         "(genrelib features) or drop the clips they come from")
    start = time.perf_counter()
    chosen: dict[str, float] = {}
    candidates = getattr(model, "C_candidates_", None)
    if candidates:
        C, losses = choose_C(model, table, y_train, groups=groups, candidates=candidates)
        model.set_params(logreg__C=C)
        chosen = {"C": C, "inner_log_loss": losses[candidates.index(C)]}
    model.fit(table, y_train)
    model.n_genres_ = int(n_classes)  # probability columns, trained genres or not
    row: dict[str, float] = {"fit_seconds": time.perf_counter() - start}
    row["loss"], row["accuracy"] = _scores(model, X_train, y_train, n_classes)
    if X_valid is not None and y_valid is not None and len(X_valid):
        row["val_loss"], row["val_accuracy"] = _scores(model, X_valid, np.asarray(y_valid), n_classes)
    return pd.DataFrame([{**row, **chosen}])


def predict_classical(model: Pipeline, X: np.ndarray) -> np.ndarray:
    """Class probabilities of a fitted classical model.

    Parameters
    ----------
    model : sklearn.pipeline.Pipeline
        Fitted by ``fit_classical``.
    X : np.ndarray, shape (n_segments, n_features, 1)
        "stats" features.

    Returns
    -------
    np.ndarray of float32, shape (n_segments, n_classes)
        A genre the model never saw in training gets a probability of 0.
    """
    table = feature_table(X)
    probs = np.zeros((len(table), getattr(model, "n_genres_", len(model.classes_))), dtype=np.float32)
    if len(table):
        probs[:, np.asarray(model.classes_, dtype=int)] = model.predict_proba(table)
    return probs


def parameter_count(model: Pipeline) -> int:
    """The numbers a fitted classical model learned.

    Parameters
    ----------
    model : sklearn.pipeline.Pipeline
        Fitted by ``fit_classical``.

    Returns
    -------
    int
        The scaler's means and scales, plus the logistic regression's weights and
        intercepts, or the SVM's support vectors, dual coefficients, intercepts and the
        calibration's two numbers per genre.
    """
    scaler, head = model.steps[0][1], model.steps[-1][1]
    count = scaler.mean_.size + scaler.scale_.size
    if isinstance(head, LogisticRegression):
        return int(count + head.coef_.size + head.intercept_.size)
    calibrated = head.calibrated_classifiers_[0]
    svc = calibrated.estimator
    count += svc.support_vectors_.size + svc.dual_coef_.size + svc.intercept_.size
    return int(count + 2 * len(calibrated.calibrators))
