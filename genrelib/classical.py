"""The classical baselines: logistic regression and an RBF SVM on segment statistics.

Both are scikit-learn ``Pipeline``s that hold their own scaler, so a saved model takes raw
features and needs nothing else (as a Keras model with its standardiser inside does):

* ``build_logreg``: StandardScaler -> multinomial LogisticRegression (lbfgs).
* ``build_svm``: StandardScaler -> RBF SVC whose decision values are turned into
  probabilities by Platt scaling fitted on ``calibration_folds`` cross-validation folds
  (``CalibratedClassifierCV(SVC(), ensemble=False)``: scikit-learn 1.9 deprecates
  ``SVC(probability=True)`` for exactly this, and the folds, taken in the order of the
  training segments, keep most tracks whole).

They read the "stats" features (``FeatureConfig(kind="stats")``: per 3 s segment, shape
(n_features, 1)), one example per segment, so segment- and track-level evaluation, vote/mean
aggregation and ensembles work as for the deep models. ``fit_classical`` trains one (a
single fit: its history has one row), ``predict_classical`` gives (n_segments, n_classes)
probabilities; ``genrelib.runs`` saves and loads them in the skops format (no pickle).
"""

from __future__ import annotations

import inspect
import time
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from genrelib.config import CLASSICAL_KINDS, check_model_kind

__all__ = ["build_classical", "build_logreg", "build_svm", "feature_table", "fit_classical",
           "parameter_count", "predict_classical"]


def feature_table(X: np.ndarray) -> np.ndarray:
    """The (n_segments, n_features) table a classical model reads, from "stats" features of
    shape (n_segments, n_features, 1) (``FeatureSet.X``). Raises ValueError naming the shape
    for anything else (e.g. log-mel frames).
    """
    X = np.asarray(X)
    if X.ndim != 3 or X.shape[2] != 1:
        raise ValueError(
            f"the classical models read one column of statistics per segment, shape "
            f"(n_segments, n_features, 1), got {X.shape}: use FeatureConfig(kind='stats')"
        )
    return X[:, :, 0]


def build_logreg(*, C: float = 1.0, max_iter: int = 5000, seed: int = 0) -> Pipeline:
    """StandardScaler -> multinomial logistic regression (lbfgs, L2 penalty of strength 1/C).

    ``max_iter`` bounds the lbfgs iterations; ``seed`` is its ``random_state``. Steps
    "scale" and "logreg"; input (n_segments, n_features) (``feature_table``).
    """
    return Pipeline([("scale", StandardScaler()),
                     ("logreg", LogisticRegression(C=C, max_iter=max_iter, random_state=seed))])


def build_svm(*, C: float = 1.0, gamma: float | str = "scale", calibration_folds: int = 5,
              seed: int = 0) -> Pipeline:
    """StandardScaler -> RBF support vector machine with Platt-scaled probabilities.

    ``C`` and ``gamma`` ("scale": 1 / (n_features * variance), i.e. 1 / n_features after
    the scaler) are the SVC's. Probabilities: a sigmoid per genre fitted on the decision
    values of ``calibration_folds`` (>= 2) cross-validation folds, then the SVC refitted on
    all training segments (``CalibratedClassifierCV(..., ensemble=False)``). ``seed`` is the
    SVC's ``random_state``. Steps "scale" and "svm".
    """
    svc = SVC(kernel="rbf", C=C, gamma=gamma, random_state=seed)
    return Pipeline([("scale", StandardScaler()),
                     ("svm", CalibratedClassifierCV(svc, method="sigmoid", cv=calibration_folds,
                                                    ensemble=False))])


_BUILDERS = {"logreg": build_logreg, "svm": build_svm}


def build_classical(kind: str, *, seed: int = 0, **options: Any) -> Pipeline:
    """Build classical model ``kind`` ("logreg" or "svm") with the builder's ``options``
    (e.g. ``C=10``, ``gamma=0.01``) and ``seed``.

    Unknown options raise TypeError naming them and the accepted ones; a deep model kind
    raises ValueError.
    """
    if check_model_kind(kind) not in CLASSICAL_KINDS:
        raise ValueError(f"{kind!r} is not a classical model kind; choose one of {list(CLASSICAL_KINDS)}")
    builder = _BUILDERS[kind]
    accepted = set(inspect.signature(builder).parameters) - {"seed"}
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise TypeError(f"build_{kind} got unknown option(s) {unknown}; accepted: {sorted(accepted)}")
    return builder(seed=seed, **options)


def _scores(model: Pipeline, X: np.ndarray, y: np.ndarray, n_classes: int) -> tuple[float, float]:
    """(log loss, accuracy) of a fitted model on "stats" features X and labels y."""
    probs = predict_classical(model, X)
    loss = log_loss(y, probs, labels=np.arange(n_classes))
    return float(loss), float(np.mean(probs.argmax(axis=1) == y))


def fit_classical(
    model: Pipeline, X_train: np.ndarray, y_train: np.ndarray,
    X_valid: np.ndarray | None = None, y_valid: np.ndarray | None = None, *, n_classes: int,
) -> pd.DataFrame:
    """Fit ``model`` on "stats" features (n, n_features, 1) and int labels (n,) in
    [0, n_classes); returns its history: ONE row (a single fit, no epochs) with
    ``fit_seconds``, ``loss`` (log loss) and ``accuracy`` on the training segments, and
    ``val_loss``/``val_accuracy`` when validation data is given.

    A genre absent from training (e.g. a genre of one artist under the artist protocol)
    can never be predicted: its probability column is 0 (``n_genres_`` records the width).
    Raises ValueError when the training set is empty or holds NaN/inf values.
    """
    table = feature_table(X_train)
    y_train = np.asarray(y_train)
    if len(table) == 0:
        raise ValueError("no training segments: the training split is empty")
    if not np.isfinite(table).all():
        raise ValueError("the training features contain NaN/inf values: recompute them "
                         "(genrelib features) or drop the clips they come from")
    start = time.perf_counter()
    model.fit(table, y_train)
    model.n_genres_ = int(n_classes)  # probability columns, trained genres or not
    row: dict[str, float] = {"fit_seconds": time.perf_counter() - start}
    row["loss"], row["accuracy"] = _scores(model, X_train, y_train, n_classes)
    if X_valid is not None and y_valid is not None and len(X_valid):
        row["val_loss"], row["val_accuracy"] = _scores(model, X_valid, np.asarray(y_valid), n_classes)
    return pd.DataFrame([row])


def predict_classical(model: Pipeline, X: np.ndarray) -> np.ndarray:
    """Class probabilities, float32 (n_segments, n_classes), for "stats" features X of
    shape (n_segments, n_features, 1); a fitted model from ``fit_classical``. A genre the
    model never saw in training gets a probability of 0.
    """
    table = feature_table(X)
    probs = np.zeros((len(table), getattr(model, "n_genres_", len(model.classes_))), dtype=np.float32)
    if len(table):
        probs[:, np.asarray(model.classes_, dtype=int)] = model.predict_proba(table)
    return probs


def parameter_count(model: Pipeline) -> int:
    """Numbers a fitted classical model learned: the scaler's means and scales, then the
    logistic regression's weights and intercepts, or the SVM's support vectors, dual
    coefficients, intercepts and the calibration's two numbers per genre.
    """
    scaler, head = model.steps[0][1], model.steps[-1][1]
    count = scaler.mean_.size + scaler.scale_.size
    if isinstance(head, LogisticRegression):
        return int(count + head.coef_.size + head.intercept_.size)
    calibrated = head.calibrated_classifiers_[0]
    svc = calibrated.estimator
    count += svc.support_vectors_.size + svc.dual_coef_.size + svc.intercept_.size
    return int(count + 2 * len(calibrated.calibrators))
