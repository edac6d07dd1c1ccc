"""Scoring saved runs: a run's predictions on any dataset, its evaluation, several runs and
their ensemble, two runs compared track by track (chapter 7).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from genrelib import runs, training
from genrelib.augment import dense_segments
from genrelib.config import AGGREGATION_METHODS, FeatureConfig, segment_grid
from genrelib.datasets import DatasetIndex
from genrelib.datasets.content import content_keys
from genrelib.datasets.source import DataSource, as_index
from genrelib.errors import GenrelibWarning
from genrelib.evaluation import (EvaluationResult, PairedComparison, SegmentPredictions,
                                 check_same_genres, compare_predictions, ensemble_predictions,
                                 same_segments)
from genrelib.models import is_classical, read_feature_config
from genrelib.pipeline.run import model_features, skipped_clips

if TYPE_CHECKING:
    from genrelib.pretrained import EmbeddingSpec


class SeenTracksWarning(GenrelibWarning):
    """Some tracks a run is evaluated on were its training or validation tracks: scores on
    them are no test of the model (``extra["seen_in_training"]`` counts them)."""


def _warn_seen(result: EvaluationResult, what: str, root: Any) -> None:
    counts = result.extra.get("seen_in_training") or {}
    if counts:
        detail = ", ".join(f"{n} {'training' if name == 'train' else 'validation'}"
                           for name, n in counts.items())
        warnings.warn(SeenTracksWarning(
            f"{what}: {sum(counts.values())} of the {result.n_tracks} tracks of {root} were the run's own "
            f"({detail}): scores on them are no test of the model (extra['seen_in_training'] counts "
            "them); evaluate on tracks it never saw"), stacklevel=3)


@dataclass(frozen=True)
class EnsembleEvaluation:
    """Several runs evaluated on the same tracks, and their ensemble."""

    members: dict[str, EvaluationResult]
    ensemble: EvaluationResult

    def to_dict(self) -> dict[str, Any]:
        """{"members": {name: record}, "ensemble": record} (``genrelib evaluate --json``)."""
        return {"members": {n: r.to_dict() for n, r in self.members.items()},
                "ensemble": self.ensemble.to_dict()}


def run_predictions(run_dir: str | Path, data: DataSource, *, cache_dir: str | Path | None = None,
                    progress: bool = True, hop_frames: int | None = None) -> SegmentPredictions:
    """A saved run's segment probabilities on every track of ``data`` (a folder or
    DatasetIndex): SegmentPredictions with probs (n_segments, n_classes) over the model's
    genres and the data's labels remapped onto them.

    Features are computed with the run's FeatureConfig (a pretrained kind's EmbeddingSpec:
    ``pipeline.model_features``); genres are matched to the model's
    outputs by name (a genre the model does not know raises ValueError naming it). A run
    folder or .keras file that holds no genrelib model raises ValueError too.
    ``hop_frames``: test-time averaging over segments every ``hop_frames`` frames instead of
    the 1.5 s grid (``augment.dense_segments``; deep models; Notebook: 08_small_data.ipynb).
    Notebook: 07_evaluation.ipynb
    """
    return _scored(run_dir, data, cache_dir=cache_dir, progress=progress, hop_frames=hop_frames)[0]


def _scored(run_dir: str | Path, data: DataSource, *, cache_dir: str | Path | None, progress: bool,
            hop_frames: int | None) -> tuple[SegmentPredictions, list[dict[str, str]]]:
    """``run_predictions`` and the clips of ``data`` it could not score (``skipped_clips``)."""
    net, kind, cfg, model_genres = _load_for_evaluation(run_dir)
    index = as_index(data, progress=progress)
    unknown = sorted(set(index.genres) - set(model_genres))
    if unknown:
        known = {g.lower(): g for g in model_genres}
        renames = [f"{g} -> {known[g.lower()]}" for g in unknown if g.lower() in known]
        raise ValueError(
            f"{index.root} has genre folders the model was not trained on: {unknown}; "
            f"it knows {list(model_genres)}; "
            + (f"the names differ in case only, rename the folders ({', '.join(renames)})" if renames else
               "move those folders out of the data folder (or evaluate a copy without them)")
        )
    if hop_frames is not None and cfg.kind == "embedding" and not is_classical(kind):
        raise ValueError(f"hop_frames: a {kind} run reads a tagger's patches, whose grid is its "
                         "EmbeddingSpec's overlap; leave hop_frames unset")
    features = model_features(index, cfg, cache_dir=cache_dir, progress=progress)
    if len(features) == 0:
        raise ValueError(f"no usable audio in {index.root}")
    if hop_frames is not None and not is_classical(kind):
        features = dense_segments(features, hop_frames=hop_frames)
    remap = np.array([model_genres.index(g) for g in features.genres])
    probs = training.predict_probs(net, features.X, model_kind=kind)
    grid = segment_grid(cfg) + (f", cut again every {hop_frames} frames" if hop_frames is not None
                                and not is_classical(kind) else "")
    return (SegmentPredictions(probs, remap[features.y], features.track_ids, model_genres, segments=grid),
            skipped_clips(index, features))


def run_aggregation(run_dir: str | Path) -> str:
    """The track rule a saved run's records use (config.json's "aggregation"): "vote" for a
    run written before a run could choose, or a bare model file without its config.json."""
    path = runs.find_model_file(run_dir).parent / runs.CONFIG_FILE
    config = runs.load_json(path) if path.is_file() else {}
    return str(config.get("aggregation") or AGGREGATION_METHODS[0])


def shared_aggregation(rules: list[str]) -> str:
    """The rule several runs are scored alike by: the one their ``rules`` (each run's
    ``run_aggregation``) agree on, or "vote" when they differ."""
    return rules[0] if len(set(rules)) == 1 else AGGREGATION_METHODS[0]


def evaluate_run(run_dir: str | Path, data: DataSource, *, method: str | None = None,
                 cache_dir: str | Path | None = None, progress: bool = True,
                 hop_frames: int | None = None) -> EvaluationResult:
    """Evaluate a saved run on every track of ``data`` (a folder or DatasetIndex):
    ``run_predictions(...).evaluate(method=method)``, same errors; ``method`` None: the
    run's own rule (``run_aggregation``); ``hop_frames`` for test-time averaging over a
    denser hop (deep models). Tracks the run trained or validated on are counted in
    ``extra["seen_in_training"]`` and named in a ``SeenTracksWarning``.
    """
    method = method or run_aggregation(run_dir)
    index = as_index(data, progress=progress)
    predictions, skipped = _scored(run_dir, index, cache_dir=cache_dir, progress=progress,
                                   hop_frames=hop_frames)
    seen = _seen_tracks(run_dir, index)
    result = _noting_skipped(_noting_seen_tracks(predictions.evaluate(method=method), seen), skipped)
    _warn_seen(result, str(run_dir), index.root)
    return result


def _noting_skipped(result: EvaluationResult, skipped: list[dict[str, str]]) -> EvaluationResult:
    """``result`` with ``extra["skipped"]`` (each ``{"path", "reason", ...}``) when some clips
    of the data could not be scored: ``genrelib evaluate --json`` names them."""
    if skipped:
        result.extra["skipped"] = skipped
    return result


def seen_in_training(run_dir: str | Path, tracks: DataSource, track_ids: Any = None) -> dict[str, int]:
    """How many of the tracks of ``tracks`` (a folder or DatasetIndex; only ``track_ids`` of it
    when given) the run trained or validated on: ``{"train": n, "valid": m}`` with the non-zero
    counts only; {} for unseen tracks or a run without split.json. Scores on such tracks are no
    test of the model (chapter 1). A track counts when its file's content key is one of the
    set's in split.json (``datasets.content``: a renamed or moved copy counts, another
    recording of the same name does not); a split.json without keys (a run of an older
    genrelib) is matched by track id.
    """
    return {name: len(ids) for name, ids in _seen_tracks(run_dir, tracks, track_ids).items()}


def unseen_index(run_dirs: list[str | Path], data: DataSource) -> Any:
    """``data``'s index without the tracks any of ``run_dirs`` trained or validated on (each
    run's split.json, matched as ``seen_in_training`` matches them): the tracks on which
    scores are a test. ``genrelib evaluate --unseen``."""
    index, keys = as_index(data, progress=False), {}
    seen = set().union(*(ids for run in run_dirs for ids in _seen_tracks(run, index, read_keys=keys).values()))
    return index.subset([t for t in index.tracks["track_id"].astype(str) if t not in seen])


def _seen_tracks(run_dir: str | Path, tracks: DataSource, track_ids: Any = None,
                 read_keys: dict[str, str] | None = None) -> dict[str, set[str]]:
    """``seen_in_training``'s tracks themselves: ``{set name: DATA's track ids}``, non-empty sets
    only. ``read_keys``: DATA's content keys already read (filled in here), so that several runs
    judged on the same data read each file once."""
    path = runs.find_model_file(run_dir).parent / runs.SPLIT_FILE
    if not path.is_file():
        return {}
    split, frame = runs.load_json(path), as_index(tracks, progress=False).tracks
    if track_ids is not None:
        frame = frame[frame["track_id"].astype(str).isin({str(t) for t in track_ids})]
    stored = split.get(runs.SPLIT_CONTENT)
    ours = _content_of(frame, {} if read_keys is None else read_keys) if stored \
        else {str(t): str(t) for t in frame["track_id"]}  # id -> key
    seen = {}
    for name in ("train", "valid"):
        ids = [str(t) for t in split.get(name) or []]
        theirs = {stored[t] for t in ids if t in stored} if stored else set(ids)
        seen[name] = {track for track, key in ours.items() if key in theirs}  # a track each (GTZAN repeats some clips)
    return {name: ids for name, ids in seen.items() if ids}


def _content_of(frame: Any, read_keys: dict[str, str]) -> dict[str, str]:
    """``{track_id: content key}`` of the tracks of ``frame``, reading only those not in
    ``read_keys`` (which keeps them)."""
    wanted = [str(t) for t in frame["track_id"]]
    read_keys.update(content_keys(frame, [t for t in wanted if t not in read_keys]))
    return {t: read_keys[t] for t in wanted if t in read_keys}


def _noting_seen_tracks(result: EvaluationResult, seen: dict[str, set[str]]) -> EvaluationResult:
    """``result`` with ``extra["seen_in_training"]`` (counts) when some of its tracks are among
    ``seen`` (``_seen_tracks``: the run's training or validation tracks)."""
    tested = {str(t) for t in result.track_ids}
    counts = {name: len(ids & tested) for name, ids in seen.items() if ids & tested}
    if counts:
        result.extra["seen_in_training"] = counts
    return result


def evaluate_runs(run_dirs: list[str | Path], data: DataSource, *, method: str | None = None,
                  cache_dir: str | Path | None = None, progress: bool = True,
                  hop_frames: int | None = None) -> EnsembleEvaluation:
    """Evaluate several saved runs on every track of ``data`` and their ensemble (the mean
    of their probabilities, ``evaluation.ensemble_predictions``).

    Returns an EnsembleEvaluation: ``members`` {run name: EvaluationResult} and
    ``ensemble``; run names are the folder names (the paths as given when two share a
    name). The ensemble's
    ``extra`` says ``ensemble_of`` (the names) and ``ensemble_level`` ("segment" when the
    runs share their segment settings, else "track") and, when some tracks were a member's
    training or validation tracks, ``seen_in_training`` (each track once: trained on by any
    member, else validated on by any). Runs whose genre lists differ raise
    ValueError naming the difference, before any feature is computed. ``method`` None:
    each member's own rule, and the ensemble's the members' shared rule
    (``shared_aggregation``: "vote" when they differ).
    """
    names = _run_names(run_dirs)
    rules = [method or run_aggregation(d) for d in run_dirs]
    metadata = {n: runs.read_model_metadata(d) for n, d in zip(names, run_dirs)}
    check_same_genres({n: m["genres"] for n, m in metadata.items() if "genres" in m})
    index = as_index(data, progress=progress)
    scored = [_scored(d, index, cache_dir=cache_dir, progress=progress, hop_frames=hop_frames)
              for d in run_dirs]
    preds = [p for p, _ in scored]
    ensemble = ensemble_predictions(preds, names=names).evaluate(method=shared_aggregation(rules))
    ensemble.extra.update(ensemble_of=names,
                          ensemble_level="segment" if same_segments(preds) else "track")
    read_keys: dict[str, str] = {}  # DATA's content keys, read once for all members
    seen = [_seen_tracks(d, index, read_keys=read_keys) for d in run_dirs]
    union = {name: set().union(*(s.get(name, set()) for s in seen)) for name in ("train", "valid")}
    union["valid"] -= union["train"]  # each track once: trained on by a member, else validated on
    _noting_seen_tracks(ensemble, union)
    members = {n: _noting_skipped(_noting_seen_tracks(p.evaluate(method=rule), s), skipped)
               for n, (p, skipped), rule, s in zip(names, scored, rules, seen)}
    every = {item["path"]: item for _, skipped in scored for item in skipped}  # a clip once
    _warn_seen(ensemble, f"the ensemble of {', '.join(names)}", index.root)
    return EnsembleEvaluation(members=members, ensemble=_noting_skipped(ensemble, list(every.values())))


def compare_runs(run_a: str | Path, run_b: str | Path, data: DataSource, *, method: str | None = None,
                 cache_dir: str | Path | None = None, progress: bool = True) -> PairedComparison:
    """Two saved runs on the same tracks of ``data``: ``evaluation.compare_predictions`` of
    their evaluations (both accuracies, McNemar's exact and the paired t-test on per-track
    correctness, the tracks where their predictions differ). The runs may know different
    genres or read different features; names as in ``evaluate_runs``; ``method`` None:
    the rule both runs use, "vote" when they differ (``shared_aggregation``), so that both
    are scored alike.
    """
    names = _run_names([run_a, run_b])
    method = method or shared_aggregation([run_aggregation(run) for run in (run_a, run_b)])
    index = as_index(data, progress=progress)
    a, b = (evaluate_run(run, index, method=method, cache_dir=cache_dir, progress=progress)
            for run in (run_a, run_b))
    return compare_predictions(a, b, names=names)


def _load_for_evaluation(run_dir: str | Path) -> tuple[Any, str, FeatureConfig | EmbeddingSpec, tuple[str, ...]]:
    """(model, model kind, FeatureConfig or a pretrained kind's EmbeddingSpec, genres) of a saved run."""
    try:
        net, meta = runs.load_run_model(run_dir)
        cfg = read_feature_config(meta["feature_config"])
        return net, meta["model_kind"], cfg, tuple(meta["genres"])
    except (KeyError, TypeError) as error:  # a zip with genrelib.json, but no loadable model
        raise ValueError(f"{run_dir} holds no model that genrelib can load ({error!r}): "
                         "train one with `genrelib train`") from None


def _run_names(run_dirs: list[str | Path]) -> list[str]:
    """A short name per run: its folder's name (a model file's: the folder holding it), or
    the paths as given when two names clash. ValueError when a run is given twice."""
    paths = [Path(d) for d in run_dirs]
    resolved = [p.resolve() for p in paths]
    for i, path in enumerate(resolved):
        if path in resolved[:i]:
            raise ValueError(f"run {run_dirs[i]} is given twice")
    names = [p.parent.name if p.name in runs.MODEL_FILES else p.stem if p.is_file() else p.name
             for p in resolved]
    return names if len(set(names)) == len(names) else [str(p) for p in paths]
