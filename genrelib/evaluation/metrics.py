"""Point metrics of predictions against the truth: accuracy, macro precision/recall/F1 with
a per-genre report (``LevelReport``), the confusion matrix and top-k accuracy.

scikit-learn computes them but top-k (ranked here to break ties as argmax does); chapter 7
computes them once by hand beside it.
Notebook: 07_evaluation.ipynb
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

#: The k of the top-k track accuracies every evaluation reports.
TOP_K: tuple[int, ...] = (2, 3)


@dataclass(frozen=True)
class GenreScores:
    """Precision, recall and F1 of one genre, and its ``support`` (true items)."""

    precision: float
    recall: float
    f1: float
    support: int

    def to_dict(self) -> dict[str, Any]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "support": self.support}


@dataclass(frozen=True)
class LevelReport:
    """The metrics of one level (segments or tracks) of an evaluation.

    Attributes
    ----------
    accuracy, macro_precision, macro_recall, macro_f1 : float
        Macro averages run over every genre (an absent genre scores 0).
    n : int
        Items evaluated (segments or tracks).
    per_genre : dict[str, GenreScores]
        In the order of the model's genres.
    """

    accuracy: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    n: int
    per_genre: dict[str, GenreScores]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the fields, ``per_genre`` as {genre: {precision, recall, f1, support}}."""
        return {"accuracy": self.accuracy, "macro_precision": self.macro_precision,
                "macro_recall": self.macro_recall, "macro_f1": self.macro_f1, "n": self.n,
                "per_genre": {g: s.to_dict() for g, s in self.per_genre.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LevelReport:
        return cls(accuracy=float(data["accuracy"]), macro_precision=float(data["macro_precision"]),
                   macro_recall=float(data["macro_recall"]), macro_f1=float(data["macro_f1"]),
                   n=int(data["n"]), per_genre=per_genre_from_dict(data["per_genre"]))


def per_genre_from_dict(data: Mapping[str, Mapping[str, Any]]) -> dict[str, GenreScores]:
    """{genre: GenreScores} from the JSON form {genre: {precision, recall, f1, support}}."""
    return {g: GenreScores(float(s["precision"]), float(s["recall"]), float(s["f1"]),
                           int(s["support"])) for g, s in data.items()}


def confusion(
    y_true: Sequence[int], y_pred: Sequence[int], *, n_classes: int, normalize: str | None = None
) -> np.ndarray:
    """Confusion matrix: row = true class, column = predicted class.

    Parameters
    ----------
    y_true, y_pred : sequence of int, length n
    n_classes : int
    normalize : {None, "true", "pred", "all"}
        None: counts; "true": rows sum to 1; as in scikit-learn.

    Returns
    -------
    np.ndarray, shape (n_classes, n_classes)
    """
    return confusion_matrix(y_true, y_pred, labels=list(range(n_classes)), normalize=normalize)


def classification_report(
    y_true: Sequence[int], y_pred: Sequence[int], *, genres: Sequence[str]
) -> LevelReport:
    """Accuracy, macro precision/recall/F1 and the per-genre scores.

    Parameters
    ----------
    y_true, y_pred : sequence of int, length n
        Class indices into ``genres``.
    genres : sequence of str, length n_classes

    Returns
    -------
    LevelReport
        Macro averages over all ``genres`` (a genre absent from both truth and predictions
        scores 0: ``zero_division=0``).

    Notebook: 07_evaluation.ipynb
    """
    labels = list(range(len(genres)))
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if len(y_true) == 0:
        raise ValueError("no predictions to evaluate (empty set)")
    p, r, f, s = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=None, zero_division=0
    )
    mp, mr, mf, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average="macro", zero_division=0
    )
    return LevelReport(
        accuracy=float(accuracy_score(y_true, y_pred)), macro_precision=float(mp),
        macro_recall=float(mr), macro_f1=float(mf), n=int(len(y_true)),
        per_genre={g: GenreScores(float(p[i]), float(r[i]), float(f[i]), int(s[i]))
                   for i, g in enumerate(genres)},
    )


def top_k_accuracy(y_true: Sequence[int], probs: np.ndarray, *, k: int) -> float:
    """Fraction of rows whose true class is among the ``k`` most probable.

    Classes of equal score rank as ``argmax`` ranks them, the lower index first, so ``k = 1``
    is the plain accuracy of the argmax and the counted classes are the ``k`` that
    ``genrelib predict`` lists (scikit-learn's ``top_k_accuracy_score`` ranks the higher
    index first; both agree on rows without ties).

    Parameters
    ----------
    y_true : sequence of int, length n
        Class indices, 0 .. n_classes - 1.
    probs : np.ndarray, shape (n, n_classes)
        Scores, e.g. each track's mean segment probabilities.
    k : int
        ``k >= n_classes`` gives 1.0.

    Returns
    -------
    float
    """
    probs = np.asarray(probs, dtype=np.float64)
    y_true = np.asarray(y_true)
    if probs.ndim != 2 or len(probs) != len(y_true) or len(y_true) == 0:
        raise ValueError(f"probs must have shape (n, n_classes) with one label per row, got "
                         f"probs {probs.shape} and {len(y_true)} labels")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    n_classes = probs.shape[1]
    if y_true.min() < 0 or y_true.max() >= n_classes:
        raise ValueError(f"labels must lie in 0 .. {n_classes - 1} (one column of probs per "
                         f"class), got {y_true.min()} .. {y_true.max()}")
    top = np.argsort(-probs, axis=1, kind="stable")[:, :k]  # ties: the lower index first
    return float(np.mean((top == y_true[:, None]).any(axis=1)))
