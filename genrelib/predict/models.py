"""Loading the models ``predict`` scores with: one, or several averaged (an ensemble).

``load_predictor`` loads saved models (run folders or model files) once and checks that they
can work together: the same genres (any order; columns matched by name) and the same
segments. Each member also keeps its training standardiser (``reference``), which
``predict.checks`` measures a file against.
Notebook: 09_using_the_model.ipynb
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from genrelib import __version__, runs
from genrelib.config import FeatureConfig, segment_grid
from genrelib.evaluation import check_same_genres
from genrelib.models import (check_model_kind, feature_kind, input_shape_for, is_classical, model_input,
                             read_feature_config)
from genrelib.training import predict_probs

__all__ = ["ModelMember", "Predictor", "SCORE_BATCH", "load_predictor", "model_settings"]

#: Segments scored by one model call (1 MiB of log-mel features). A Keras model's activations
#: grow with it: with 16, a 10-minute song needs about the memory of a 30 s clip (19 segments)
#: and is scored as fast as with larger batches (benchmarks/RESULTS.md).
SCORE_BATCH = 16

_PathLike = str | os.PathLike[str]
#: A training standardiser: (mean, std), float64 arrays of shape (n_features,).
Reference = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class ModelMember:
    """One loaded model: its file, the model, its kind, FeatureConfig and genre names,
    ``columns`` (its output columns in the order of the predictor's genres) and
    ``reference``, its training standardiser (None when it carries none)."""

    path: Path
    model: Any
    kind: str
    config: FeatureConfig
    genres: tuple[str, ...]
    columns: tuple[int, ...]
    reference: Reference | None = None

    def score(self, X: np.ndarray) -> np.ndarray:
        """Probabilities (n_segments, n_genres) of raw features X (n_segments, *segment_shape),
        columns in the predictor's genre order, ``SCORE_BATCH`` segments at a time."""
        probs = [self._score_batch(X[i:i + SCORE_BATCH]) for i in range(0, len(X), SCORE_BATCH)]
        return np.concatenate(probs)[:, list(self.columns)]

    def _score_batch(self, X: np.ndarray) -> np.ndarray:
        if is_classical(self.kind):
            return predict_probs(self.model, X, model_kind=self.kind)
        # One batch: predict_on_batch skips model.predict's set-up (~40 ms a call on a CPU).
        return np.asarray(self.model.predict_on_batch(model_input(X, self.kind)))


@dataclass(frozen=True)
class Predictor:
    """Loaded models that share their genres and segments (``load_predictor``)."""

    members: tuple[ModelMember, ...]

    def __repr__(self) -> str:  # the members' arrays (standardiser statistics) stay out of it
        models = ", ".join(f"{m.kind} {m.path}" for m in self.members)
        return f"Predictor({models}; genres {', '.join(self.genres)})"

    @property
    def genres(self) -> tuple[str, ...]:
        """The genre names, in the first model's order."""
        return self.members[0].genres

    @property
    def config(self) -> FeatureConfig:
        """The first model's FeatureConfig: sample rate and segments (shared by all)."""
        return self.members[0].config


def model_settings(path: _PathLike) -> tuple[Path, str, FeatureConfig, tuple[str, ...]]:
    """(model file, model kind, FeatureConfig, genres) of a run folder or model file, read
    from its ``genrelib.json`` without loading the model (a pretrained kind's features are
    an ``EmbeddingSpec``, with the same segment-grid attributes).

    Raises FileNotFoundError when there is no model, ValueError naming the setting when the
    file is not a genrelib model or holds a setting this version cannot compute (an unknown
    FeatureConfig field or feature kind, an unknown model kind, no genre list).
    """
    file = runs.find_model_file(path)
    meta = runs.read_model_metadata(file)
    kind = _setting(file, "model_kind", lambda: check_model_kind(meta["model_kind"]))
    cfg = _setting(file, "feature_config", lambda: read_feature_config(meta["feature_config"]))
    genres = _setting(file, "genres", lambda: _genre_list(meta["genres"]))
    if feature_kind(kind) != cfg.kind:
        raise ValueError(f"{file}: a {kind!r} model reads {feature_kind(kind)!r} features, but its "
                         f"feature_config has kind={cfg.kind!r}")
    return file, kind, cfg, genres


def _setting(file: Path, name: str, read: Any) -> Any:
    try:
        return read()
    except (KeyError, TypeError, ValueError) as error:
        detail = "missing" if isinstance(error, KeyError) else str(error)
        raise ValueError(f"{file}: genrelib {__version__} cannot use this model's {name} ({detail}); "
                         "retrain it with this version (`genrelib train`)") from None


def _genre_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or len(set(map(str, value))) != len(value):
        raise ValueError(f"expected a non-empty list of distinct genre names, got {value!r}")
    return tuple(map(str, value))


def load_predictor(model_paths: _PathLike | Sequence[_PathLike]) -> Predictor:
    """Load one model, or several whose probabilities are averaged (an ensemble), once.

    ``model_paths``: run folders or model files (model.keras, model.skops). Every setting is
    checked before any model is loaded: the models must know the same genres (any order;
    ValueError naming the difference) and cut the same segments (sample rate, segment
    length and hop; ValueError naming them). A model whose input or output does not match
    its settings raises ValueError too.
    Notebook: 09_using_the_model.ipynb
    """
    paths = [model_paths] if isinstance(model_paths, (str, os.PathLike)) else list(model_paths)
    if not paths:
        raise ValueError("load_predictor needs at least one model")
    settings = [model_settings(p) for p in paths]
    check_same_genres({str(file): genres for file, _, _, genres in settings})
    grids = {segment_grid(cfg) for _, _, cfg, _ in settings}
    if len(grids) > 1:
        raise ValueError(f"ensemble members must cut the same segments, got {sorted(grids)}: "
                         "combine models of the same features (log-mel, MFCC and statistics models "
                         "share a grid; the taggers' probes share theirs)")
    genres = settings[0][3]
    return Predictor(tuple(_load_member(*s, genres=genres) for s in settings))


def _load_member(file: Path, kind: str, cfg: FeatureConfig, model_genres: tuple[str, ...], *,
                 genres: tuple[str, ...]) -> ModelMember:
    try:
        model, metadata = runs.load_run_model(file)
    except runs.DamagedModelError:  # genrelib's own: names the file and what to do
        raise
    except Exception as error:  # a damaged archive: Keras and skops raise many kinds
        raise ValueError(f"{file}: cannot load the model ({type(error).__name__}: {error}): the file "
                         f"is damaged or was written by another Keras; {runs.RETRAIN_ADVICE}") from None
    expected = input_shape_for(kind, cfg.segment_shape)
    shape = tuple(model.input_shape[1:]) if hasattr(model, "input_shape") else (model.n_features_in_,)
    outputs = int(model.output_shape[-1]) if hasattr(model, "output_shape") else len(model_genres)
    if shape != expected or outputs != len(model_genres):
        raise ValueError(f"{file}: the model takes {shape} and gives {outputs} genres, but its "
                         f"settings give inputs {expected} and {len(model_genres)} genres")
    return ModelMember(file, model, kind, cfg, model_genres,
                       tuple(model_genres.index(g) for g in genres), _reference(model, metadata))


def _reference(model: Any, metadata: dict[str, Any]) -> Reference | None:
    """The training standardiser of a model: a deep model's saved ``standardizer``, or the
    scaler (``mean_``, ``scale_``) of a classical Pipeline; None when there is none."""
    saved = metadata.get("standardizer")
    if isinstance(saved, dict) and "mean" in saved and "std" in saved:
        mean, std = saved["mean"], saved["std"]
    else:
        scaler = next((step for _, step in getattr(model, "steps", [])
                       if hasattr(step, "mean_") and hasattr(step, "scale_")), None)
        if scaler is None:
            return None
        mean, std = scaler.mean_, scaler.scale_
    mean, std = np.asarray(mean, dtype=np.float64), np.asarray(std, dtype=np.float64)
    if mean.ndim != 1 or mean.shape != std.shape or not (np.isfinite(std).all() and (std > 0).all()):
        return None
    return mean, std

