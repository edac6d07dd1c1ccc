"""One training run, end to end, above every stage of the flow.

``train_run`` reads top to bottom as the book does: index the data -> split it by track ->
extract the features (standardiser fitted on the training tracks only) -> fit the model ->
evaluate it (segment and track level) -> write the run folder (``genrelib.runs``), for deep
and classical model kinds alike; ``cross_validate`` repeats it over k folds by track.
``run_predictions`` scores a saved run on any dataset, and ``evaluate_run``,
``evaluate_runs`` (members and their ensemble) and ``compare_runs`` (paired tests) build on
it. The commands and the chapters call these; every stage they use lives in its own module.
Notebook: 03_cnn.ipynb
"""

from __future__ import annotations

import json
import platform
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd

from genrelib import runs
from genrelib.augment import Augmenter, audio_copies, dense_segments, parse_augment
from genrelib.config import FeatureConfig, TrainConfig, get_profile
from genrelib.datasets import DatasetIndex, check_leakage, index_dataset
from genrelib.datasets.splits import TrackSplit, artist_kfold_splits, kfold_splits, make_split
from genrelib.evaluation import (EvaluationResult, PairedComparison, SegmentPredictions,
                                 check_same_genres, compare_predictions,
                                 ensemble_predictions, evaluate_predictions, same_segments)
from genrelib.provenance import versions
from genrelib.features import FeatureSet, Standardizer, extract_features
from genrelib.models import (build_classical, build_model, default_feature_config, feature_kind,
                             fit_classical, input_shape_for, is_classical, model_input,
                             parameter_count)
from genrelib.training import (device_description, fit_model, plan_devices, predict_probs,
                               set_seed, training_scope)

__all__ = ["RunResult", "compare_runs", "cross_validate", "cross_validated_predictions", "describe_run", "evaluate_features",
           "evaluate_run", "evaluate_runs", "run_predictions", "train_run"]

#: The package versions a run's configuration records.
RUN_PACKAGES: tuple[str, ...] = ("genrelib", "keras", "numpy", "scikit-learn")


@dataclass
class RunResult:
    """What ``train_run`` returns: the run folder, the trained model (best weights), its
    history (DataFrame), ``metrics`` (the metrics.json dict), ``valid``/``test``
    EvaluationResults (None for an empty set), the split and the genre names.
    """

    run_dir: Path
    model: Any
    history: pd.DataFrame
    metrics: dict[str, Any]
    valid: EvaluationResult | None
    test: EvaluationResult | None
    split: TrackSplit
    genres: tuple[str, ...]
    config: dict[str, Any] = field(default_factory=dict)


def train_run(
    data: Any, *, model: str = "cnn", profile: str = "quick", out_dir: str | Path,
    epochs: int | None = None, seed: int = 0, split: str | TrackSplit = "random",
    batch_size: int | None = None, learning_rate: float | None = None,
    precision: str | None = None, devices: int | None = None,
    valid_fraction: float = 0.1, test_fraction: float = 0.1,
    feature_config: FeatureConfig | None = None, cache_dir: str | Path | None = None,
    scheduler: str | None = None, augment: str | list[str] | None = None,
    verbose: int | str = 2, reuse: bool = False, **model_options: Any,
) -> RunResult:
    """Train model ``model`` ("cnn", "rnn", "crnn", "logreg", "svm") on a dataset and write
    a run folder.

    ``data``: a folder (GTZAN in either layout, or any ``<genre>/<audio>`` tree) or a
    DatasetIndex. ``profile`` ("quick"/"full") gives the TrainConfig and caps real data
    (``max_tracks_per_genre``); ``epochs`` overrides its epochs, ``batch_size`` its batch
    size with the learning rate scaled linearly (``TrainConfig.with_batch_size``: 4e-3 at
    128) unless ``learning_rate`` is given, ``precision`` ("float32"/"mixed") and
    ``devices`` (default: every visible one) how it trains (``training.training_scope``;
    the devices used are recorded as config.json's "devices"). ``split``: "random"
    (stratified by track), "artist" (no artist in two sets), "lists:DIR" (split lists) or
    a TrackSplit; ``test_fraction`` 0 puts every track in train/validation. Features:
    ``feature_config`` or the model's default (log-mel 128 x 130, 20 MFCCs for rnn, the
    "stats" of every segment for logreg/svm), cached under ``cache_dir``; with ``scheduler``
    (a Dask scheduler's address) computed on that cluster (``extract_features``). ``model_options``
    go to the builder (e.g. ``kernel_size=5``, ``rnn="lstm"``; ``C=10`` for logreg/svm,
    ``genrelib.models.classical``). ``verbose``: 0, 1, 2 as in Keras (1 and 2 also show progress
    bars while indexing and extracting features), or "table" (one line per epoch, nothing
    else). The classical models are fitted once (``epochs`` and the profile's training
    recipe do not apply; ``seed`` does) and hold their own scaler.
    Writes ``out_dir``/{model.keras (model.skops for logreg/svm), config.json, history.csv,
    metrics.json, split.json} and returns a RunResult. With ``reuse``, a finished run in
    ``out_dir`` made with exactly the same settings and data is loaded instead of retrained
    (the chapters use this so chapter 5 can compare with chapter 3's CNN).
    ``augment``: augmentation names for a deep model ("crop,mixup", "default", a list;
    ``augment.parse_augment``), recorded in config.json's "train_config"; None/"none": the
    study's recipe, unchanged (Notebook: 08_small_data.ipynb).
    Notebook: 03_cnn.ipynb
    """
    train_cfg = _train_config(profile, seed=seed, epochs=epochs, batch_size=batch_size,
                              learning_rate=learning_rate, precision=precision, devices=devices)
    names = parse_augment(augment)
    if names:
        if is_classical(model):
            raise ValueError(f"augmentation trains deep models; {model!r} is fitted once on "
                             "segment statistics: drop augment")
        train_cfg = train_cfg.with_(augment=names)
    cfg = feature_config or default_feature_config(model)
    if cfg.kind != feature_kind(model):  # also refuses an unknown model before any work
        raise ValueError(f"model {model!r} reads {feature_kind(model)!r} features, got kind={cfg.kind!r}")
    classical = is_classical(model)
    if not classical:
        model_options.setdefault("l2", train_cfg.l2)
        plan_devices(train_cfg)  # an impossible devices/batch request fails before any work
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    progress = verbose in (1, 2)  # progress bars beside Keras' own output, not beside the table

    # 1. index
    index = _capped_index(data, max_per_genre=get_profile(profile).max_tracks_per_genre, progress=progress)
    # 2. split, by track
    track_split = make_split(index.tracks, split, valid_fraction=valid_fraction,
                             test_fraction=test_fraction, seed=seed)
    check_leakage(track_split, index.tracks, by_artist=split == "artist")
    # 3. features, standardiser fitted on the training tracks only (a classical Pipeline
    #    fits its own scaler on them)
    features = extract_features(index, cfg, cache_dir=cache_dir, progress=progress, scheduler=scheduler)
    sets = features.split(track_split)
    standardizer = None if classical else Standardizer().fit(sets["train"].X)
    settings = {
        "model": model, "model_options": model_options, "profile": profile,
        "train_config": train_cfg.to_dict(), "feature_config": cfg.to_dict(),
        "data_fingerprint": index.fingerprint(),
        "split": split if isinstance(split, str) else "custom",
        "valid_fraction": valid_fraction, "test_fraction": test_fraction, "seed": seed,
    }
    # 4. fit (or reuse the identical finished run)
    previous = _finished_run(out_dir, settings, track_split) if reuse else None
    if previous is not None:
        net, _ = runs.load_run_model(out_dir)
        history, seconds = previous["history"], float(previous["metrics"]["train_seconds"])
        used = previous["config"].get("devices")
    else:
        augmenter = None
        if names:  # the audio copies of every track are cached once; training tracks only are used
            copies = audio_copies(index, cfg, names, seed=seed, cache_dir=cache_dir)
            augmenter = Augmenter(names, sets["train"], copies=copies, model_kind=model)
        net, history, seconds, used = _fit(model, sets, features.genres, standardizer, train_cfg,
                                           model_options=model_options, out_dir=out_dir,
                                           verbose=verbose, augment=augmenter)
    # 5. evaluate, segment and track level
    valid = evaluate_features(net, sets["valid"], kind=model, genres=features.genres)
    test = evaluate_features(net, sets["test"], kind=model, genres=features.genres)
    metrics = _run_metrics(model, track_split, sets, history, seconds, valid=valid, test=test)
    parameters = parameter_count(net) if classical else int(net.count_params())
    config = {**settings, "data": str(index.root), "n_tracks": int(len(index.tracks)),
              "genres": list(features.genres), "parameters": parameters, "devices": used,
              "versions": _versions(), **_provenance()}
    # 6. the run folder
    if previous is None:
        runs.save_run_model(net, out_dir / runs.model_file_name(model), {
            "genres": list(features.genres), "feature_config": cfg.to_dict(),
            "standardizer": None if classical else standardizer.to_dict(), "model_kind": model,
            "model_options": model_options,
            "input": "raw features; the model standardises" + (
                " (its Pipeline's StandardScaler, no separate standardiser)" if classical else "")})
    runs.save_json(config, out_dir / runs.CONFIG_FILE)
    runs.save_json(metrics, out_dir / runs.METRICS_FILE)
    runs.save_json(track_split.to_dict(), out_dir / runs.SPLIT_FILE)
    return RunResult(run_dir=out_dir, model=net, history=history, metrics=metrics, valid=valid,
                     test=test, split=track_split, genres=tuple(features.genres), config=config)


def cross_validate(data: Any, *, model: str = "cnn", profile: str = "quick", out_dir: str | Path,
                   folds: int = 5, seed: int = 0, valid_fraction: float = 0.1,
                   scheduler: str | None = None, protocol: str = "kfold", **options: Any) -> list[RunResult]:
    """``folds``-fold cross-validation by track: one ``train_run`` per fold of
    ``kfold_splits`` (every track tested once), written to ``out_dir/fold<k>``.
    ``protocol`` "artist_kfold": the folds of ``artist_kfold_splits`` instead (every track of
    a genre played by two or more artists tested once, on an unheard artist; a single-artist
    genre stays in training; Notebook: 08_small_data.ipynb).

    ``options`` go to ``train_run`` (``epochs``, ``feature_config``, ``cache_dir``,
    ``verbose``, ``reuse``, model options); ``scheduler``: a Dask scheduler's address for the
    features (computed once, by the first fold; the others read the cache). With
    ``reuse=True`` finished folds are read back, so an interrupted cross-validation resumes
    where it stopped.
    Notebook: 07_evaluation.ipynb
    """
    index = _capped_index(data, max_per_genre=get_profile(profile).max_tracks_per_genre,
                          progress=options.get("verbose", 2) in (1, 2))
    if protocol not in ("kfold", "artist_kfold"):
        raise ValueError(f"protocol must be 'kfold' or 'artist_kfold', got {protocol!r}")
    cut = kfold_splits if protocol == "kfold" else artist_kfold_splits
    splits = cut(index.tracks, n_folds=folds, valid_fraction=valid_fraction, seed=seed)
    return [train_run(index, model=model, profile=profile, out_dir=Path(out_dir) / f"fold{split.fold}",
                      seed=seed, split=split, scheduler=scheduler, **options) for split in splits]


def _train_config(profile: str, *, seed: int, epochs: int | None, batch_size: int | None = None,
                  learning_rate: float | None = None, precision: str | None = None,
                  devices: int | None = None) -> TrainConfig:
    """The profile's recipe with the run's overrides (None keeps the profile's value; a batch
    size scales the learning rate unless ``learning_rate`` is given)."""
    train_cfg = get_profile(profile).train.with_(seed=seed)
    if epochs is not None:
        train_cfg = train_cfg.with_(epochs=int(epochs))
    if batch_size is not None:
        train_cfg = train_cfg.with_batch_size(int(batch_size), learning_rate=learning_rate)
    elif learning_rate is not None:
        train_cfg = train_cfg.with_(learning_rate=float(learning_rate))
    if precision is not None:
        train_cfg = train_cfg.with_(precision=precision)
    return train_cfg if devices is None else train_cfg.with_(devices=int(devices))


def _capped_index(data: Any, *, max_per_genre: int | None, progress: bool) -> DatasetIndex:
    """``data`` indexed (unless it is an index), keeping the first ``max_per_genre`` tracks
    of every genre when the profile caps real data."""
    index = data if isinstance(data, DatasetIndex) else index_dataset(data, progress=progress)
    if max_per_genre:
        keep = index.tracks.groupby("genre", sort=False).head(max_per_genre)["track_id"]
        index = index.subset(keep.tolist())
    if len(index.tracks) == 0:
        raise ValueError(f"no readable audio tracks found in {index.root}")
    return index


def _fit(model: str, sets: dict[str, FeatureSet], genres: tuple[str, ...],
         standardizer: Standardizer | None, train_cfg: TrainConfig, *,
         model_options: dict[str, Any], out_dir: Path, verbose: int | str,
         augment: Augmenter | None = None) -> tuple[Any, pd.DataFrame, float, dict[str, Any] | None]:
    """Build model ``model`` (standardiser inside; a classical Pipeline fits its own scaler),
    train it (a Keras model inside ``training_scope``: its precision, its devices);
    (model, history, seconds, the devices it trained on (None for a classical model))."""
    (out_dir / runs.METRICS_FILE).unlink(missing_ok=True)  # an unfinished run is never reused
    for stale in set(runs.MODEL_FILES) - {runs.model_file_name(model)}:
        (out_dir / stale).unlink(missing_ok=True)  # another kind's model, trained here before
    train_fs, valid_fs = sets["train"], sets["valid"]
    if is_classical(model):
        net = build_classical(model, seed=train_cfg.seed, **model_options)
        history = fit_classical(net, train_fs.X, train_fs.y, valid_fs.X, valid_fs.y,
                                n_classes=len(genres))
        runs.save_history(history, out_dir)
        return net, history, float(history["fit_seconds"].iloc[0]), None
    set_seed(train_cfg.seed)
    with training_scope(train_cfg) as plan:
        net = build_model(model, input_shape=input_shape_for(model, train_fs.config.segment_shape),
                          n_classes=len(genres), standardizer=standardizer, **model_options)
        start = time.perf_counter()
        history = fit_model(
            net, model_input(train_fs.X, model), train_fs.y,
            model_input(valid_fs.X, model) if len(valid_fs) else None,
            valid_fs.y if len(valid_fs) else None,
            train=train_cfg, run_dir=out_dir, verbose=verbose, augment=augment,
        )
        seconds = time.perf_counter() - start
    runs.save_history(history, out_dir)
    return net, history, seconds, plan.to_dict()


def _run_metrics(model: str, track_split: TrackSplit, sets: dict[str, FeatureSet],
                 history: pd.DataFrame, seconds: float, *, valid: EvaluationResult | None,
                 test: EvaluationResult | None) -> dict[str, Any]:
    """The metrics.json record of a run (a classical run's history has no epochs: its
    ``epochs_run``, ``best_epoch``, ``seconds_per_epoch`` and ``data_wait_fraction`` (the
    mean over epochs of the share of training time spent waiting for batches) are None)."""
    monitor = "val_loss" if "val_loss" in history else "loss"
    has_epochs = "epoch" in history
    best_epoch = (int(history[monitor].idxmin()) + 1
                  if has_epochs and history[monitor].notna().any() else None)
    return {
        "model": model, "protocol": track_split.protocol,
        "epochs_run": int(len(history)) if has_epochs else None, "best_epoch": best_epoch,
        "train_seconds": round(seconds, 2),
        "seconds_per_epoch": round(float(history["epoch_seconds"].mean()), 3)
        if "epoch_seconds" in history else None,
        "data_wait_fraction": round(float(history["data_wait_fraction"].mean()), 4)
        if "data_wait_fraction" in history else None,
        "n_segments": {k: int(len(v)) for k, v in sets.items()},
        "n_tracks": {k: int(v.n_tracks) for k, v in sets.items()},
        "valid": valid.to_dict() if valid else None,
        "test": test.to_dict() if test else None,
    }


def _versions() -> dict[str, str]:
    return {**versions(RUN_PACKAGES), "backend": keras.backend.backend(), "platform": sys.platform}


def _provenance() -> dict[str, str]:
    """When and where a run finished: its record says so beside every number."""
    return {"finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": f"{platform.system()} {platform.machine()}", "device": device_description()}


def _finished_run(out_dir: Path, settings: dict[str, Any], track_split: TrackSplit) -> dict[str, Any] | None:
    """The run in ``out_dir`` when it is complete and was made with ``settings`` on the very
    same tracks in each set (a custom split, e.g. a k-fold fold, is compared by content)."""
    if not all((out_dir / name).is_file() for name in runs.run_files(settings["model"])):
        return None
    previous = runs.load_run(out_dir)
    wanted = json.loads(json.dumps(settings))  # tuples -> lists, as stored
    if any(previous["config"].get(key) != value for key, value in wanted.items()):
        return None
    if previous["split"] != track_split.to_dict():
        return None
    return previous


def evaluate_features(model: Any, features: FeatureSet | None, *, kind: str,
                      genres: tuple[str, ...], method: str = "vote") -> EvaluationResult | None:
    """Segment- and track-level evaluation of ``model`` on a FeatureSet (None when empty).

    ``features.y`` must index ``genres`` (the model's outputs).
    """
    if features is None or len(features) == 0:
        return None
    probs = predict_probs(model, features.X, model_kind=kind)
    return evaluate_predictions(probs, features.y, features.track_ids, genres=genres, method=method)


def run_predictions(run_dir: str | Path, data: Any, *, cache_dir: str | Path | None = None,
                    progress: bool = True, hop_frames: int | None = None) -> SegmentPredictions:
    """A saved run's segment probabilities on every track of ``data`` (a folder or
    DatasetIndex): SegmentPredictions with probs (n_segments, n_classes) over the model's
    genres and the data's labels remapped onto them.

    Features are computed with the run's FeatureConfig; genres are matched to the model's
    outputs by name (a genre the model does not know raises ValueError naming it). A run
    folder or .keras file that holds no genrelib model raises ValueError too.
    ``hop_frames``: test-time averaging over segments every ``hop_frames`` frames instead of
    the 1.5 s grid (``augment.dense_segments``; deep models; Notebook: 08_small_data.ipynb).
    Notebook: 07_evaluation.ipynb
    """
    net, kind, cfg, model_genres = _load_for_evaluation(run_dir)
    index = _index(data, progress=progress)
    unknown = sorted(set(index.genres) - set(model_genres))
    if unknown:
        raise ValueError(
            f"{index.root} has genre folders the model was not trained on: {unknown}; "
            f"it knows {list(model_genres)}"
        )
    features = extract_features(index, cfg, cache_dir=cache_dir, progress=progress)
    if len(features) == 0:
        raise ValueError(f"no usable audio in {index.root}")
    if hop_frames is not None and not is_classical(kind):
        features = dense_segments(features, hop_frames=hop_frames)
    remap = np.array([model_genres.index(g) for g in features.genres])
    probs = predict_probs(net, features.X, model_kind=kind)
    return SegmentPredictions(probs, remap[features.y], features.track_ids, model_genres)


def cross_validated_predictions(cv_dir: str | Path, data: Any, *, hop_frames: int | None = None,
                                cache_dir: str | Path | None = None,
                                progress: bool = False) -> SegmentPredictions:
    """Out-of-fold predictions of a cross-validation (``cross_validate``'s ``out_dir``): every
    fold's run (``cv_dir/fold<k>``) scores the test tracks of its own split.json, so every
    tested track is predicted by a model that never trained on it; the folds' predictions are
    concatenated (fold order). ``hop_frames`` as in ``run_predictions``. Two such
    predictions of the same tracks (other seeds, other models) ensemble with
    ``evaluation.ensemble_predictions``. ValueError when ``cv_dir`` holds no fold.
    Notebook: 08_small_data.ipynb
    """
    folds = sorted(Path(cv_dir).glob("fold*"), key=lambda p: int(p.name[4:]) if p.name[4:].isdigit() else -1)
    folds = [f for f in folds if (f / runs.SPLIT_FILE).is_file()]
    if not folds:
        raise ValueError(f"{cv_dir} holds no fold<k> run folder with a {runs.SPLIT_FILE}: "
                         "run pipeline.cross_validate first")
    index = _index(data, progress=progress)
    parts = []
    for fold in folds:  # every track scored (one feature set, cached once), the fold's test kept
        scored = run_predictions(fold, index, cache_dir=cache_dir, progress=progress, hop_frames=hop_frames)
        keep = np.isin(scored.track_ids, np.asarray(runs.load_json(fold / runs.SPLIT_FILE)["test"], dtype=str))
        parts.append(SegmentPredictions(scored.probs[keep], scored.y[keep], scored.track_ids[keep], scored.genres))
    return SegmentPredictions(np.concatenate([p.probs for p in parts]),
                              np.concatenate([p.y for p in parts]),
                              np.concatenate([p.track_ids for p in parts]), parts[0].genres)


def evaluate_run(run_dir: str | Path, data: Any, *, method: str = "vote",
                 cache_dir: str | Path | None = None, progress: bool = True,
                 hop_frames: int | None = None) -> EvaluationResult:
    """Evaluate a saved run on every track of ``data`` (a folder or DatasetIndex):
    ``run_predictions(...).evaluate(method=method)``, same errors; ``hop_frames`` for
    test-time averaging over a denser hop (deep models).
    """
    predictions = run_predictions(run_dir, data, cache_dir=cache_dir, progress=progress,
                                  hop_frames=hop_frames)
    return predictions.evaluate(method=method)


def evaluate_runs(run_dirs: list[str | Path], data: Any, *, method: str = "vote",
                  cache_dir: str | Path | None = None, progress: bool = True,
                  hop_frames: int | None = None) -> dict[str, Any]:
    """Evaluate several saved runs on every track of ``data`` and their ensemble (the mean
    of their probabilities, ``evaluation.ensemble_predictions``).

    Returns {"members": {run name: EvaluationResult}, "ensemble": EvaluationResult}; run
    names are the folder names (the paths as given when two share a name). The ensemble's
    ``extra`` says ``ensemble_of`` (the names) and ``ensemble_level`` ("segment" when the
    runs share their segment settings, else "track"). Runs whose genre lists differ raise
    ValueError naming the difference, before any feature is computed.
    """
    names = _run_names(run_dirs)
    metadata = {n: runs.read_model_metadata(d) for n, d in zip(names, run_dirs)}
    check_same_genres({n: m["genres"] for n, m in metadata.items() if "genres" in m})
    index = _index(data, progress=progress)
    preds = [run_predictions(d, index, cache_dir=cache_dir, progress=progress, hop_frames=hop_frames)
             for d in run_dirs]
    ensemble = ensemble_predictions(preds, names=names).evaluate(method=method)
    ensemble.extra.update(ensemble_of=names,
                          ensemble_level="segment" if same_segments(preds) else "track")
    return {"members": {n: p.evaluate(method=method) for n, p in zip(names, preds)},
            "ensemble": ensemble}


def compare_runs(run_a: str | Path, run_b: str | Path, data: Any, *, method: str = "vote",
                 cache_dir: str | Path | None = None, progress: bool = True) -> PairedComparison:
    """Two saved runs on the same tracks of ``data``: ``evaluation.compare_predictions`` of
    their evaluations (both accuracies, McNemar's exact and the paired t-test on per-track
    correctness, the tracks where their predictions differ). The runs may know different
    genres or read different features; names as in ``evaluate_runs``.
    """
    names = _run_names([run_a, run_b])
    index = _index(data, progress=progress)
    a, b = (evaluate_run(run, index, method=method, cache_dir=cache_dir, progress=progress)
            for run in (run_a, run_b))
    return compare_predictions(a, b, names=names)


def _load_for_evaluation(run_dir: str | Path) -> tuple[Any, str, FeatureConfig, tuple[str, ...]]:
    """(model, model kind, FeatureConfig, genres) of a saved run."""
    try:
        net, meta = runs.load_run_model(run_dir)
        cfg = FeatureConfig.from_dict(meta["feature_config"])
        return net, meta["model_kind"], cfg, tuple(meta["genres"])
    except (KeyError, TypeError) as error:  # a zip with genrelib.json, but no loadable model
        raise ValueError(f"{run_dir} holds no model that genrelib can load ({error!r}): "
                         "train one with `genrelib train`") from None


def _index(data: Any, *, progress: bool) -> DatasetIndex:
    return data if isinstance(data, DatasetIndex) else index_dataset(data, progress=progress)


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


def describe_run(result: RunResult) -> str:
    """A short text summary of a run (what ``genrelib train`` prints)."""
    m = result.metrics
    lines = [f"run folder: {result.run_dir}",
             f"epochs: {m['epochs_run']} (best {m['best_epoch']}), {m['train_seconds']} s"
             if m["epochs_run"] is not None else f"one fit (no epochs), {m['train_seconds']} s"]
    for name in ("valid", "test"):
        r = m.get(name)
        if r:
            lines.append(f"{name}: track accuracy {r['track_accuracy']:.3f}, segment accuracy "
                         f"{r['segment_accuracy']:.3f}, macro F1 {r['macro_f1']:.3f} "
                         f"({r['n_tracks']} tracks)")
    return "\n".join(lines)
