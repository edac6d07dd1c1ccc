"""Genres of any recording from trained models: the top-k genres and a timeline.

``load_predictor`` loads one or more saved models (run folders or model files) once and checks
that they can work together; ``predict_file`` scores one file of any format the project reads,
any sample rate, mono or stereo, of any length from one segment up. The file is decoded
(``audio.stream_audio``) and featurised (``features.SegmentStream``) chunk by chunk and scored
``SCORE_BATCH`` segments at a time, so a 10-minute song needs about the memory of a 30 s clip,
with the same result as whole-file processing (``chunk_seconds=None``: ``audio.load_audio`` and
``features.clip_features``, to within float32 rounding). ``predict_paths`` does it for files and
folders, yielding a ``FilePrediction`` per file and a ``FileFailure`` (path, reason) for every
file that cannot be predicted, so one bad file never stops the others.

Per file: the segments of the models' FeatureConfig (3 s with 50 % overlap by default, the
last partial segment dropped; nothing is cut or padded to 30 s), scored by every model; an
ensemble averages the models' probabilities segment by segment (columns matched by genre
name). Genres are ranked by their mean probability over the segments; the timeline gives each
segment's start, its top genre and that genre's probability. Features and probabilities are
checked to be finite: a file that would give NaN is reported as failed, never printed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from genrelib import __version__, runs
from genrelib.audio import check_clip_length, load_audio, stream_audio
from genrelib.config import FeatureConfig
from genrelib.datasets.folder import AUDIO_EXTENSIONS, is_audio_file
from genrelib.evaluation import check_same_genres
from genrelib.features import SegmentStream, clip_features
from genrelib.models import check_model_kind, feature_kind, input_shape_for, is_classical, model_input
from genrelib.training import predict_probs

__all__ = ["CHUNK_SECONDS", "FileFailure", "FilePrediction", "ModelMember", "PredictionError",
           "Predictor", "SCORE_BATCH", "audio_files", "load_predictor", "model_settings",
           "predict_file", "predict_paths"]

#: Seconds of audio decoded and featurised at a time by ``predict_file``.
CHUNK_SECONDS = 10.0
#: Segments scored by one model call (1 MiB of log-mel features). A Keras model's activations
#: grow with it: with 16, a 10-minute song needs about the memory of a 30 s clip (19 segments)
#: and is scored as fast as with larger batches (benchmarks/RESULTS.md).
SCORE_BATCH = 16

_PathLike = str | os.PathLike[str]


class PredictionError(ValueError):
    """A file whose features or probabilities are not finite; the message names the file."""


# --------------------------------------------------------------------------- the models


@dataclass(frozen=True)
class ModelMember:
    """One loaded model: its file, the model, its kind, FeatureConfig and genre names, and
    ``columns`` (its output columns in the order of the predictor's genres)."""

    path: Path
    model: Any
    kind: str
    config: FeatureConfig
    genres: tuple[str, ...]
    columns: tuple[int, ...]

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
    from its ``genrelib.json`` without loading the model.

    Raises FileNotFoundError when there is no model, ValueError naming the setting when the
    file is not a genrelib model or holds a setting this version cannot compute (an unknown
    FeatureConfig field or feature kind, an unknown model kind, no genre list).
    """
    file = runs.find_model_file(path)
    meta = runs.read_model_metadata(file)
    kind = _setting(file, "model_kind", lambda: check_model_kind(meta["model_kind"]))
    cfg = _setting(file, "feature_config", lambda: FeatureConfig.from_dict(meta["feature_config"]))
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
    grids = {_segment_grid(cfg) for _, _, cfg, _ in settings}
    if len(grids) > 1:
        raise ValueError(f"ensemble members must cut the same segments, got {sorted(grids)}")
    genres = settings[0][3]
    return Predictor(tuple(_load_member(*s, genres=genres) for s in settings))


def _segment_grid(cfg: FeatureConfig) -> str:
    return (f"{cfg.segment_seconds:g} s segments every {cfg.segment_hop_samples / cfg.sample_rate:g} s "
            f"at {cfg.sample_rate} Hz")


def _load_member(file: Path, kind: str, cfg: FeatureConfig, model_genres: tuple[str, ...], *,
                 genres: tuple[str, ...]) -> ModelMember:
    try:
        model, _ = runs.load_run_model(file)
    except Exception as error:  # a damaged archive: Keras and skops raise many kinds
        raise ValueError(f"{file}: cannot load the model ({type(error).__name__}: {error})") from None
    expected = input_shape_for(kind, cfg.segment_shape)
    shape = tuple(model.input_shape[1:]) if hasattr(model, "input_shape") else (model.n_features_in_,)
    outputs = int(model.output_shape[-1]) if hasattr(model, "output_shape") else len(model_genres)
    if shape != expected or outputs != len(model_genres):
        raise ValueError(f"{file}: the model takes {shape} and gives {outputs} genres, but its "
                         f"settings give inputs {expected} and {len(model_genres)} genres")
    return ModelMember(file, model, kind, cfg, model_genres,
                       tuple(model_genres.index(g) for g in genres))


# --------------------------------------------------------------------------- one file


@dataclass
class FilePrediction:
    """The prediction for one file: ``probs`` float32 (n_segments, n_genres) per segment
    (the mean over the models), ``starts`` float64 (n_segments,) segment start times in
    seconds, and the ``k`` best genres by mean probability (``top_k``)."""

    path: Path
    genres: tuple[str, ...]
    probs: np.ndarray
    starts: np.ndarray
    k: int = 3

    @property
    def segments(self) -> int:
        """How many segments were scored."""
        return int(self.probs.shape[0])

    @property
    def mean_probs(self) -> np.ndarray:
        """Mean probability of every genre over the segments, float64 (n_genres,)."""
        return self.probs.mean(axis=0, dtype=np.float64)

    @property
    def top_k(self) -> list[tuple[str, float]]:
        """The ``k`` genres of highest mean probability, best first: [(genre, probability)]."""
        mean = self.mean_probs
        order = np.argsort(-mean, kind="stable")[: self.k]
        return [(self.genres[i], float(mean[i])) for i in order]

    @property
    def timeline(self) -> list[dict[str, Any]]:
        """Per segment: ``{"start": seconds, "genre": top genre, "probability": its probability}``."""
        top = self.probs.argmax(axis=1)
        return [{"start": float(start), "genre": self.genres[g], "probability": float(self.probs[i, g])}
                for i, (start, g) in enumerate(zip(self.starts, top))]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready ``{"path", "top_k": [[genre, p], ...], "segments", "timeline"}``."""
        return {"path": str(self.path), "top_k": [[g, p] for g, p in self.top_k],
                "segments": self.segments, "timeline": self.timeline}


def predict_file(predictor: Predictor, path: _PathLike, *, top_k: int = 3,
                 chunk_seconds: float | None = CHUNK_SECONDS) -> FilePrediction:
    """Predict the genres of one audio file (any format, rate, channels, length).

    ``chunk_seconds``: seconds decoded, featurised and scored at a time (memory about one
    chunk, whatever the file's length); None processes the whole file at once (the
    reference the chunked result equals within float32 rounding). Returns a FilePrediction
    with one row per segment. Raises AudioError (missing, empty, undecodable, truncated),
    ClipTooShortError (shorter than one segment) or PredictionError (non-finite features
    or probabilities), each naming the file.
    Notebook: 09_using_the_model.ipynb
    """
    if top_k < 1:
        raise ValueError(f"top_k must be >= 1, got {top_k}")
    path = Path(path)
    if chunk_seconds is None:
        batches = _whole_file_batches(predictor, path)
    else:
        batches = _streamed_batches(predictor, path, chunk_seconds=chunk_seconds)
    scores: list[list[np.ndarray]] = [[] for _ in predictor.members]
    for cfg, X in batches:
        _check_finite(X, path, "features")
        for i, member in enumerate(predictor.members):
            if member.config == cfg:
                scores[i].append(_check_finite(member.score(X), path, "probabilities"))
    probs = np.mean([np.concatenate(s) for s in scores], axis=0).astype(np.float32)
    cfg = predictor.config
    starts = np.arange(probs.shape[0]) * cfg.segment_hop_samples / cfg.sample_rate
    return FilePrediction(path, predictor.genres, probs, starts, k=min(top_k, len(predictor.genres)))


def _configs(predictor: Predictor) -> list[FeatureConfig]:
    """The distinct FeatureConfigs of the models, in order."""
    return list(dict.fromkeys(m.config for m in predictor.members))


def _whole_file_batches(predictor: Predictor, path: Path) -> Iterator[tuple[FeatureConfig, np.ndarray]]:
    """(config, features of every segment) from the whole decoded file."""
    cfg = predictor.config
    y = load_audio(path, sample_rate=cfg.sample_rate, clip_seconds=None, min_seconds=cfg.segment_seconds)
    for cfg in _configs(predictor):
        yield cfg, clip_features(y, cfg)


def _streamed_batches(predictor: Predictor, path: Path, *,
                      chunk_seconds: float) -> Iterator[tuple[FeatureConfig, np.ndarray]]:
    """(config, features of the next segments) as the chunks of ``path`` arrive: at least
    ``SCORE_BATCH`` segments a batch, the rest at the end."""
    cfg = predictor.config
    streams = [SegmentStream(c) for c in _configs(predictor)]
    pending: dict[FeatureConfig, list[np.ndarray]] = {s.cfg: [] for s in streams}

    def batch(stream: SegmentStream, X: np.ndarray, *, last: bool) -> Iterator[tuple[FeatureConfig, np.ndarray]]:
        pending[stream.cfg].append(X)
        if last or sum(map(len, pending[stream.cfg])) >= SCORE_BATCH:
            X, pending[stream.cfg] = np.concatenate(pending[stream.cfg]), []
            if len(X):
                yield stream.cfg, X

    n_samples = 0
    for chunk in stream_audio(path, sample_rate=cfg.sample_rate, chunk_seconds=chunk_seconds):
        n_samples += chunk.shape[0]
        for stream in streams:
            yield from batch(stream, stream.feed(chunk), last=False)
    check_clip_length(path, n_samples, sample_rate=cfg.sample_rate, min_seconds=cfg.segment_seconds)
    for stream in streams:
        yield from batch(stream, stream.finish(), last=True)


def _check_finite(values: np.ndarray, path: Path, what: str) -> np.ndarray:
    if not np.isfinite(values).all():
        bad = int((~np.isfinite(values)).reshape(len(values), -1).any(axis=1).sum())
        raise PredictionError(f"{path}: the {what} of {bad} segment(s) are not finite (NaN or "
                              "infinite): the file cannot be predicted")
    return values


# --------------------------------------------------------------------------- many files


@dataclass(frozen=True)
class FileFailure:
    """A file (or a given path) that could not be predicted, and why."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def audio_files(paths: Iterable[_PathLike]) -> list[Path | FileFailure]:
    """The files to predict, in the order given: a file as it is (whatever its name), a
    folder's audio files (``AUDIO_EXTENSIONS``, any depth, hidden files skipped, sorted), and
    a FileFailure for a path that does not exist or a folder without audio files."""
    found: list[Path | FileFailure] = []
    for path in map(Path, paths):
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if is_audio_file(p))
            found += files or [FileFailure(path, f"no audio files ({', '.join(AUDIO_EXTENSIONS)}) "
                                                 "in this folder")]
        elif path.exists():
            found.append(path)
        else:
            found.append(FileFailure(path, "no such file or folder"))
    return found


def predict_paths(predictor: Predictor, paths: Iterable[_PathLike], *, top_k: int = 3,
                  chunk_seconds: float | None = CHUNK_SECONDS,
                  progress: bool = True) -> Iterator[FilePrediction | FileFailure]:
    """``predict_file`` for every file of ``audio_files(paths)``, in order: a FilePrediction
    per predicted file, a FileFailure (path, reason) per path or file that cannot be
    predicted (missing, not audio, empty, truncated, shorter than one segment, non-finite);
    the other files are predicted all the same. ``progress``: a tqdm bar on stderr when
    there are several files.
    """
    from tqdm import tqdm

    items = audio_files(paths)
    for item in tqdm(items, desc="predict", unit="file", file=sys.stderr,
                     disable=not progress or len(items) < 2):
        if isinstance(item, FileFailure):
            yield item
            continue
        try:
            yield predict_file(predictor, item, top_k=top_k, chunk_seconds=chunk_seconds)
        except (ValueError, OSError) as error:  # AudioError, ClipTooShortError, PredictionError
            yield FileFailure(item, str(error).removeprefix(f"{item}: "))
