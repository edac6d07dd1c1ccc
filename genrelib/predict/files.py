"""Predicting files: the top-k genres and a timeline for each, one bad file never stopping the others.

``predict_file`` decodes (``audio.stream_audio``) and featurises (``features.SegmentStream``)
a file chunk by chunk and scores ``SCORE_BATCH`` segments at a time, so a 10-minute song
needs about the memory of a 30 s clip, with the same result as whole-file processing
(``chunk_seconds=None``), to within float32 rounding. ``predict_paths`` does it for files and
folders, yielding a ``FilePrediction`` or a ``FileFailure`` (path, reason) per file.
Notebook: 09_using_the_model.ipynb
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from genrelib.audio import (AudioError, TruncatedAudioWarning, check_clip_length, load_audio, probe_audio,
                            stream_audio)
from genrelib.config import FeatureConfig
from genrelib.datasets.folder import AUDIO_EXTENSIONS, broken_link, is_audio_file
from genrelib.errors import GenrelibWarning
from genrelib.features import SegmentStream, clip_features
from genrelib.predict.checks import InputMeter, InputReport
from genrelib.predict.models import SCORE_BATCH, Predictor

__all__ = ["CHUNK_SECONDS", "FileFailure", "FilePrediction", "PredictionError", "audio_files",
           "passed_over_files", "predict_file", "predict_paths"]


#: Seconds of audio decoded and featurised at a time by ``predict_file``.
CHUNK_SECONDS = 10.0

_PathLike = str | os.PathLike[str]


class PredictionError(ValueError):
    """A file whose features or probabilities are not finite; the message names the file."""


# --------------------------------------------------------------------------- one file


@dataclass
class FilePrediction:
    """The prediction for one file: ``probs`` float32 (n_segments, n_genres) per segment
    (the mean over the models), ``starts`` float64 (n_segments,) segment start times in
    seconds, the ``k`` best genres by mean probability (``top_k``) and ``input``, how the
    file compares with the training data (``predict.checks``; its ``notes`` say when the
    genres mean little)."""

    path: Path
    genres: tuple[str, ...]
    probs: np.ndarray
    starts: np.ndarray
    k: int = 3
    input: InputReport | None = None

    @property
    def notes(self) -> list[str]:
        """Reasons to doubt the genres: near-silent, unlike the training data, truncated."""
        return self.input.notes if self.input is not None else []

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
        """JSON-ready ``{"path", "top_k": [[genre, p], ...], "segments", "timeline", "notes",
        "input"}`` (``notes``: a list of sentences, empty when nothing is doubtful; ``input``:
        ``InputReport.to_dict()`` or null)."""
        return {"path": str(self.path), "top_k": [[g, p] for g, p in self.top_k],
                "segments": self.segments, "timeline": self.timeline, "notes": self.notes,
                "input": None if self.input is None else self.input.to_dict()}


def predict_file(predictor: Predictor, path: _PathLike, *, top_k: int = 3,
                 chunk_seconds: float | None = CHUNK_SECONDS,
                 allow_truncated: bool = False) -> FilePrediction:
    """Predict the genres of one audio file (any format, rate, channels, length).

    Parameters
    ----------
    predictor : Predictor
        The loaded model(s) (``load_predictor``).
    path : str or PathLike
        The audio file.
    top_k : int
        How many genres ``top_k`` lists.
    chunk_seconds : float or None
        Seconds decoded, featurised and scored at a time (memory about one chunk, whatever
        the file's length); None processes the whole file at once (the reference the chunked
        result equals within float32 rounding), as models of a pretrained kind always do.
    allow_truncated : bool
        Predict on what a truncated file holds (noted in ``notes``) instead of raising.

    Returns
    -------
    FilePrediction
        One row per segment, and ``input``: its level and distance from the training data.

    Raises
    ------
    AudioError
        Missing, empty, undecodable or truncated (``TruncatedAudioError``); also
        ClipTooShortError (shorter than one segment), each naming the file.
    PredictionError
        Non-finite features or probabilities, naming the file.
    Notebook: 09_using_the_model.ipynb
    """
    _check_predictor(predictor)
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise ValueError(f"top_k must be an integer >= 1, got {top_k!r}")
    path = Path(path).expanduser()
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder: predict_paths(predictor, folder) predicts every audio "
                                "file below it; predict_file takes one file")
    meter = InputMeter([member.reference for member in predictor.members])
    native_rate = _native_rate(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TruncatedAudioWarning)
        if chunk_seconds is None or not all(isinstance(c, FeatureConfig) for c in _configs(predictor)):
            batches = _whole_file_batches(predictor, path, meter, allow_truncated)
        else:
            batches = _streamed_batches(predictor, path, meter, allow_truncated, chunk_seconds=chunk_seconds)
        scores: list[list[np.ndarray]] = [[] for _ in predictor.members]
        for cfg, X in batches:
            _check_finite(X, path, "features")
            for i, member in enumerate(predictor.members):
                if member.config == cfg:
                    meter.add_features(i, X)
                    scores[i].append(_check_finite(member.score(X), path, "probabilities"))
    probs = np.mean([np.concatenate(s) for s in scores], axis=0).astype(np.float32)
    cfg = predictor.config
    starts = np.arange(probs.shape[0]) * cfg.segment_hop_samples / cfg.sample_rate
    return FilePrediction(path, predictor.genres, probs, starts, k=min(top_k, len(predictor.genres)),
                          input=meter.report(truncated=_truncation_note(caught), sample_rate=native_rate,
                                             model_rate=cfg.sample_rate))


def _native_rate(path: Path) -> int | None:
    """The file's own sample rate from its header, or None when the header cannot be read
    (the decode that follows then says why)."""
    try:
        return int(probe_audio(path)["sample_rate"])
    except (AudioError, OSError):
        return None


def _check_predictor(predictor: Any) -> None:
    """TypeError unless ``predictor`` is a ``Predictor`` (a run folder's path is a common slip)."""
    if not isinstance(predictor, Predictor):
        raise TypeError(f"predictor must be a Predictor, got {type(predictor).__name__} {predictor!r}: "
                        "load it first, predictor = load_predictor(run_dir)")


def _truncation_note(caught: list[warnings.WarningMessage]) -> str | None:
    """"truncated: N of M seconds: predicted on what is there" from a TruncatedAudioWarning
    among ``caught``; the other warnings are issued again."""
    note = None
    for item in caught:
        if issubclass(item.category, TruncatedAudioWarning):
            found = re.search(r"truncated: [\d.]+ of [\d.]+ seconds", str(item.message))
            note = f"{found[0] if found else 'truncated'}: predicted on what is there"
        else:
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
    return note


def _configs(predictor: Predictor) -> list[FeatureConfig]:
    """The distinct FeatureConfigs of the models, in order."""
    return list(dict.fromkeys(m.config for m in predictor.members))


def _whole_file_batches(predictor: Predictor, path: Path, meter: InputMeter,
                        allow_truncated: bool) -> Iterator[tuple[FeatureConfig, np.ndarray]]:
    """(config, features of every segment) from the whole decoded file."""
    cfg = predictor.config
    y = load_audio(path, sample_rate=cfg.sample_rate, clip_seconds=None, min_seconds=cfg.segment_seconds,
                   allow_truncated=allow_truncated)
    meter.add_audio(y)
    for cfg in _configs(predictor):
        if isinstance(cfg, FeatureConfig):
            yield cfg, clip_features(y, cfg)
        else:  # a pretrained tagger's EmbeddingSpec: every patch of the recording
            from genrelib.pretrained import recording_features

            yield cfg, recording_features(y, cfg)


def _streamed_batches(predictor: Predictor, path: Path, meter: InputMeter, allow_truncated: bool, *,
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
    for chunk in stream_audio(path, sample_rate=cfg.sample_rate, chunk_seconds=chunk_seconds,
                              allow_truncated=allow_truncated):
        n_samples += chunk.shape[0]
        meter.add_audio(chunk)
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
    """A file that could not be predicted, or a given path that holds no file to predict
    (``no_file``: missing, or a folder without audio), and why."""

    path: Path
    reason: str
    no_file: bool = False

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def _given_paths(paths: Iterable[_PathLike] | _PathLike) -> list[Path]:
    """``paths`` as a list of Paths (``~`` the home folder); one path (a str or a Path) is a
    list of one, never the characters of its name."""
    return [Path(p).expanduser() for p in ([paths] if isinstance(paths, (str, os.PathLike)) else paths)]


def audio_files(paths: Iterable[_PathLike] | _PathLike) -> list[Path | FileFailure]:
    """The files to predict, in the order given: a file as it is (whatever its name), a
    folder's audio files (``AUDIO_EXTENSIONS``, any depth through linked folders too, hidden
    files and folders skipped, sorted) with a FileFailure for each broken link with an audio name, and a
    FileFailure for a path that does not exist or a folder without audio files. ``paths``:
    several paths, or one."""
    return _files_and_passed_over(paths)[0]


def _files_and_passed_over(paths: Iterable[_PathLike] | _PathLike
                           ) -> tuple[list[Path | FileFailure], dict[Path, list[Path]]]:
    """``audio_files(paths)`` and ``passed_over_files(paths)`` from one walk of each folder."""
    found: list[Path | FileFailure] = []
    passed_over: dict[Path, list[Path]] = {}
    for path in _given_paths(paths):
        if path.is_dir():
            files, other = _walk_folder(path)
            found += files or [FileFailure(path, f"no audio files ({', '.join(AUDIO_EXTENSIONS)}) "
                                                 "in this folder", no_file=True)]
            if other:
                passed_over[path] = other
        elif path.exists():
            found.append(path)
        else:
            found.append(FileFailure(path, "no such file or folder", no_file=True))
    return found, passed_over


class PassedOverWarning(GenrelibWarning):
    """A folder given to ``predict_paths`` holds files that are not audio by name: they are
    not predicted (``passed_over_message`` names them)."""


#: The most passed-over files named per folder.
SHOWN_PASSED_OVER = 5


def passed_over_message(folder: Path, files: list[Path]) -> str:
    """"FOLDER: passed over 2 files that are not audio by name (read: .wav, ...): a.opus, b.txt"
    - a file in a format predict does not read is never left out without a word."""
    names = ", ".join(str(f.relative_to(folder)) for f in files[:SHOWN_PASSED_OVER])
    more = f" and {len(files) - SHOWN_PASSED_OVER} more" if len(files) > SHOWN_PASSED_OVER else ""
    return (f"{folder}: passed over {len(files)} file{'s' if len(files) != 1 else ''} that "
            f"{'are' if len(files) != 1 else 'is'} not audio by name (read: {', '.join(AUDIO_EXTENSIONS)}): "
            f"{names}{more}; if one is a recording, convert it to one of those formats to predict it")


def passed_over_files(paths: Iterable[_PathLike] | _PathLike) -> dict[Path, list[Path]]:
    """The visible files that the folders among ``paths`` hold and ``audio_files`` does not
    predict (a name outside ``AUDIO_EXTENSIONS``: ``song.opus``, ``cover.jpg``), by folder
    given, sorted; a folder that passes nothing over is left out. ``genrelib predict`` names
    them, so that a file in a format it does not read is never skipped without a word."""
    return _files_and_passed_over(paths)[1]


def _walk_folder(folder: Path) -> tuple[list[Path | FileFailure], list[Path]]:
    """The audio files below ``folder``, sorted, following linked folders (each real folder
    once: a link loop ends), with a FileFailure for each broken link whose name is audio; and
    the other visible files (not audio by name), sorted."""
    found: list[Path | FileFailure] = []
    other: list[Path] = []
    seen: set[str] = set()
    for here, subfolders, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(here)
        if real in seen:
            subfolders[:] = []
            continue
        seen.add(real)
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))  # hidden: not music, as for data
        for name in sorted(names):
            path = Path(here) / name
            audio_name = path.suffix.lower() in AUDIO_EXTENSIONS
            try:
                if is_audio_file(path):
                    found.append(path)
                elif name.startswith("."):
                    continue
                elif (broken := broken_link(path)) and audio_name:
                    found.append(FileFailure(path, broken))
                elif not audio_name:
                    other.append(path)
            except OSError as error:  # e.g. no permission to look at it: named, the walk goes on
                if audio_name:
                    found.append(FileFailure(path, f"cannot be read ({error.strerror or error})"))
    return sorted(found, key=lambda item: item.path if isinstance(item, FileFailure) else item), sorted(other)


def predict_paths(predictor: Predictor, paths: Iterable[_PathLike] | _PathLike, *, top_k: int = 3,
                  chunk_seconds: float | None = CHUNK_SECONDS, progress: bool = True,
                  allow_truncated: bool = False) -> Iterator[FilePrediction | FileFailure]:
    """``predict_file`` for every file of ``audio_files(paths)``, in order: a FilePrediction
    per predicted file, a FileFailure (path, reason) per path or file that cannot be
    predicted (missing, not audio, empty, truncated, shorter than one segment, non-finite);
    the other files are predicted all the same. ``paths``: several paths, or one. ``progress``: a
    tqdm bar on stderr when there are several files; ``allow_truncated``: as for ``predict_file``. A
    folder's files
    that are not audio by name are named in a ``PassedOverWarning`` (``passed_over_files``).
    The predictor is checked, and the folders walked, when it is called (a wrong argument fails
    there, not at the first result); the files are predicted as the results are read.
    """
    _check_predictor(predictor)
    items, passed_over = _files_and_passed_over(paths)  # one walk (paths may be a one-shot iterator)
    for folder, files in passed_over.items():
        warnings.warn(PassedOverWarning(passed_over_message(folder, files)), stacklevel=2)
    return _predicted(predictor, items, top_k=top_k, chunk_seconds=chunk_seconds, progress=progress,
                      allow_truncated=allow_truncated)


def _predicted(predictor: Predictor, items: list[Path | FileFailure], *, top_k: int, chunk_seconds: float | None,
               progress: bool, allow_truncated: bool) -> Iterator[FilePrediction | FileFailure]:
    from tqdm import tqdm

    for item in tqdm(items, desc="predict", unit="file", file=sys.stderr,
                     disable=not progress or len(items) < 2):
        if isinstance(item, FileFailure):
            yield item
            continue
        try:
            yield predict_file(predictor, item, top_k=top_k, chunk_seconds=chunk_seconds,
                               allow_truncated=allow_truncated)
        except (ValueError, OSError) as error:  # AudioError, ClipTooShortError, PredictionError
            yield FileFailure(item, str(error).removeprefix(f"{item}: "))
