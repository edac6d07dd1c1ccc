"""``Standardizer``: per feature dimension, the mean and standard deviation of the TRAINING
segments, applied to every split, saved as JSON beside the model.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from genrelib.cache import atomic_write_text

__all__ = ["Standardizer"]

_FIT_CHUNK = 1024  # segments summed at a time in float64 by Standardizer.fit
_MIN_STD = 1e-8  # Standardizer's default floor of a dimension's std


class Standardizer:
    """Standardise each feature dimension (mel band / MFCC coefficient, axis 1 of X).

    ``fit`` takes the mean and standard deviation of every row over all segments and frames of
    the TRAINING X only; ``transform`` applies ``(X - mean_) / std_`` to any split. A dimension
    whose std is below ``min_std`` (a band that is constant, e.g. silent) gets std 1.

    Parameters
    ----------
    min_std : float
        Floor of a dimension's standard deviation.

    Attributes
    ----------
    mean_, std_ : np.ndarray
        float64, shape (n_features,), after ``fit``; save them with the model.

    Notebook: 02_features.ipynb
    """

    def __init__(self, *, min_std: float = _MIN_STD) -> None:
        self.min_std = float(min_std)
        self.mean_: np.ndarray | None = None
        self.std_: np.ndarray | None = None

    @staticmethod
    def _check_X(X: np.ndarray) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 3:
            raise ValueError(f"expected X of shape (n_segments, n_features, frames), got shape {X.shape}")
        return X

    @property
    def n_features_(self) -> int:
        """Features per frame seen by ``fit``; ValueError when not fitted.
        """
        if self.mean_ is None or self.std_ is None:
            raise ValueError("this Standardizer is not fitted yet: call fit(X_train) first (or load a saved one)")
        return int(self.mean_.shape[0])

    def fit(self, X: np.ndarray) -> "Standardizer":
        """Learn the mean and standard deviation of every row of X.

        Parameters
        ----------
        X : np.ndarray
            Training features, shape (n_segments, n_features, frames), not empty.

        Returns
        -------
        Standardizer
            self, fitted (sums in float64, a chunk of segments at a time).

        Raises
        ------
        ValueError
            When X is not three-dimensional or empty.

        Notebook: 02_features.ipynb
        """
        X = self._check_X(X)
        if X.shape[0] == 0 or X.shape[2] == 0:
            raise ValueError(f"cannot fit a Standardizer on an empty X of shape {X.shape}")
        count = X.shape[0] * X.shape[2]
        blocks = [X[i:i + _FIT_CHUNK] for i in range(0, X.shape[0], _FIT_CHUNK)]  # float64 sums
        mean = sum(block.sum(axis=(0, 2), dtype=np.float64) for block in blocks) / count
        squares = sum(np.square(block.astype(np.float64) - mean[None, :, None]).sum(axis=(0, 2))
                      for block in blocks)
        std = np.sqrt(squares / count)
        self.mean_ = mean
        self.std_ = np.where(std < self.min_std, 1.0, std)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Standardised copy of X.

        Parameters
        ----------
        X : np.ndarray
            Features, shape (n_segments, n_features, frames).

        Returns
        -------
        np.ndarray
            float32, same shape: ``(X - mean_) / std_`` per row.

        Raises
        ------
        ValueError
            When not fitted, or when X has another number of features than ``fit`` saw.

        Notebook: 02_features.ipynb
        """
        X = self._check_X(X)
        n_features = self.n_features_
        if X.shape[1] != n_features:
            raise ValueError(
                f"this Standardizer was fitted on {n_features} features per frame but X has "
                f"{X.shape[1]} (shape {X.shape}): use the standardiser saved with features of the same kind"
            )
        mean = self.mean_.astype(np.float32)[None, :, None]
        std = self.std_.astype(np.float32)[None, :, None]
        return ((X.astype(np.float32, copy=False) - mean) / std).astype(np.float32, copy=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready ``{"mean": [...], "std": [...], "min_std": float}``; ValueError when not fitted.
        """
        self.n_features_  # raises when not fitted
        return {"mean": self.mean_.tolist(), "std": self.std_.tolist(), "min_std": self.min_std}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Standardizer":
        """Rebuild a Standardizer from ``to_dict()``.

        Parameters
        ----------
        data : dict
            ``{"mean": list, "std": list, "min_std": float (optional)}``.

        Returns
        -------
        Standardizer
            Fitted.

        Raises
        ------
        ValueError
            On missing keys, mismatched lengths, or non-finite or non-positive values.
        """
        try:
            mean = np.asarray(data["mean"], dtype=np.float64)
            std = np.asarray(data["std"], dtype=np.float64)
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a saved Standardizer (needs 'mean' and 'std' lists): {error}") from None
        if mean.ndim != 1 or mean.shape != std.shape or mean.size == 0:
            raise ValueError(f"'mean' and 'std' must be non-empty lists of equal length, "
                             f"got {mean.shape} and {std.shape}")
        if not (np.isfinite(mean).all() and np.isfinite(std).all() and (std > 0).all()):
            raise ValueError("a saved Standardizer must have finite means and positive finite stds")
        scaler = cls(min_std=float(data.get("min_std", _MIN_STD)))
        scaler.mean_, scaler.std_ = mean, std
        return scaler

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write ``to_dict()`` as JSON at ``path`` (atomically); returns the path.
        """
        return atomic_write_text(path, json.dumps(self.to_dict()) + "\n")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> "Standardizer":
        """Read a Standardizer written by ``save``; ValueError naming the file when it is not one.
        """
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: not a saved Standardizer (invalid JSON: {error})") from None
        return cls.from_dict(data)
