"""One training run, end to end: index -> split by track -> features (standardiser fitted on
the training tracks only) -> fit -> evaluate -> run folder.

``train_run`` reads top to bottom as the book does; each step lives in its own module.
The run folder is written by ``pipeline.folder`` (finished runs are never half-overwritten).
Notebook: 03_cnn.ipynb
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from genrelib import models, training
from genrelib.augment import Augmenter, audio_copies
from genrelib.config import FeatureConfig, TrainConfig, get_profile
from genrelib.datasets import DatasetIndex, check_leakage
from genrelib.datasets.content import content_keys
from genrelib.datasets.source import DataSource, as_index
from genrelib.datasets.splits import TrackSplit, make_split
from genrelib.errors import GenrelibWarning
from genrelib.evaluation import EvaluationResult, evaluate_predictions
from genrelib.features import FeatureSet, Standardizer, extract_features
from genrelib.models import FINETUNE_KINDS, input_shape_for, is_classical, model_input
from genrelib.models.track_rows import track_means
from genrelib.pipeline import folder
from genrelib.pipeline.records import RunConfig, RunMetrics, RunResult, SetSizes
from genrelib.pipeline.spec import Hardware, RunSpec, check_spec, train_config

if TYPE_CHECKING:
    import keras

    from genrelib.pretrained import EmbeddingSpec

#: A function that builds a Keras model like ``models.build_cnn``: keyword arguments
#: ``input_shape``, ``n_classes``, ``standardizer`` and the spec's options.
ModelBuilder = Callable[..., "keras.Model"]


class UntrainedGenreWarning(GenrelibWarning):
    """A genre of the data has no track in a run's training part: the model cannot predict it
    (config.json's ``untrained_genres``; ``describe_run`` notes it). Notebook: 07_evaluation.ipynb"""


def train_run(data: DataSource, spec: RunSpec, *, out_dir: str | Path,
              hardware: Hardware | None = None, reuse: bool = False, overwrite: bool = False,
              builder: ModelBuilder | None = None, cache_dir: str | Path | None = None,
              verbose: int | str = 2) -> RunResult:
    """Train the model of ``spec`` on a dataset and write a run folder.

    Parameters
    ----------
    data : str, path or DatasetIndex
        GTZAN in either layout, any ``<genre>/<audio files>`` tree, or its index.
    spec : RunSpec
        The model, its options, the profile, the split, the seed, the features.
    out_dir : str or Path
        The run folder: model.keras (model.skops for logreg/svm), config.json,
        history.csv, metrics.json, split.json.
    hardware : Hardware, optional
        Batch size, precision, devices, Dask scheduler (default: the profile's, every
        visible device, local threads).
    reuse : bool
        Load the finished run in ``out_dir`` when it was made with the same settings and
        data; otherwise train and replace it, with a ``folder.ReplacedRunWarning`` that
        names the settings that changed (the chapters use ``out_dir`` as a cache).
    overwrite : bool
        Replace a finished run made with other settings. Without it (and without
        ``reuse``) a finished run in ``out_dir`` raises ``folder.RunExistsError``.
    builder : callable, optional
        A Keras model builder to use instead of the library's for ``spec.model`` (e.g. a
        CNN edited in a chapter), called as ``builder(input_shape=..., n_classes=...,
        standardizer=..., **spec.options)``.
    cache_dir : str or Path, optional
        Feature cache (default ``$GENREBOOK_CACHE/features``).
    verbose : {0, 1, 2, "table"}
        As in Keras; 1 and 2 also show progress bars while indexing and extracting,
        "table" prints one line per epoch and nothing else.

    Returns
    -------
    RunResult

    Notebook: 03_cnn.ipynb
    """
    check_spec(spec)
    hardware = hardware or Hardware()
    train_cfg = train_config(spec, hardware)
    classical = is_classical(spec.model)
    if builder is not None and classical:
        raise ValueError(f"builder builds Keras models; {spec.model!r} is a scikit-learn model")
    options = dict(spec.options)
    if not classical:
        options.setdefault("l2", train_cfg.l2)
        training.plan_devices(train_cfg)  # an impossible devices/batch request fails before any work
    out_dir = Path(out_dir).expanduser()
    folder.check_out_dir(out_dir)
    if not reuse:  # refused before any data is read (reuse compares settings first)
        folder.refuse_to_replace(out_dir, allowed=overwrite)
    progress = verbose in (1, 2)  # progress bars beside Keras' own output, not beside the table

    # 1. index
    index = capped_index(data, profile=spec.profile, progress=progress)
    # 2. split, by track
    track_split = make_split(index.tracks, spec.split, valid_fraction=spec.valid_fraction,
                             test_fraction=spec.test_fraction, seed=spec.seed)
    check_leakage(track_split, index.tracks, by_artist=spec.split == "artist")
    trained_genres = set(index.tracks.loc[index.tracks["track_id"].isin(track_split.train), "genre"])
    untrained = sorted(set(index.genres) - trained_genres)  # a subset keeps its index's genres
    if len(index.genres) < 2:
        raise ValueError(f"{index.root} holds tracks of {len(index.genres)} genre(s) "
                         f"({', '.join(index.genres) or 'none'}): a classifier needs at least two to tell "
                         "apart; add a folder of another genre beside it (<root>/<genre>/<audio>)")
    if len(trained_genres) < 2:
        held = f"one genre ({next(iter(trained_genres))})" if trained_genres else "no track"
        raise ValueError(f"the training part of the {spec.split_name!r} split holds {held} of the "
                         f"{len(index.genres)} genres in {index.root}: a classifier needs tracks of at "
                         "least two genres to learn from; use another split, or, for split lists, check "
                         "that the data folder holds the tracks they name")
    if untrained:
        those = "that genre" if len(untrained) == 1 else "those genres"
        warnings.warn(UntrainedGenreWarning(
            f"{index.root}: no training track of {', '.join(untrained)} in the {spec.split_name!r} split: "
            f"the model cannot predict {those} (config.json records them as untrained_genres); to "
            "leave a genre out, train on index.drop_genres([...]) or a folder without it"), stacklevel=2)
    # 3. features; the standardiser is fitted on the training tracks only (a classical
    #    Pipeline fits its own scaler on them)
    cfg = spec.feature_config
    features = model_features(index, cfg, cache_dir=cache_dir, progress=progress,
                              scheduler=hardware.scheduler)
    sets = features.split(track_split)
    standardizer = None if classical else Standardizer().fit(sets["train"].X)
    settings = {
        "model": spec.model, "model_options": options, "profile": spec.profile,
        "train_config": train_cfg.to_dict(), "feature_config": cfg.to_dict(),
        "data_fingerprint": index.fingerprint(), "split": spec.split_name,
        "valid_fraction": spec.valid_fraction, "test_fraction": spec.test_fraction,
        "seed": spec.seed, **folder.builder_record(builder),
    }
    # 4. fit (or reuse the identical finished run)
    previous = folder.finished_run(out_dir, settings, track_split) if reuse else None
    if previous is None:
        folder.refuse_to_replace(out_dir, allowed=reuse or overwrite)
    with folder.writing(out_dir, keep=previous is not None) as work_dir:
        if previous is not None:
            net = folder.load_model(out_dir)
            history, seconds = previous.history, previous.metrics.train_seconds
            used = previous.config.devices
        else:
            augmenter = None
            if spec.augment:  # audio copies of every track cached once; training tracks used
                copies = audio_copies(index, cfg, spec.augment, seed=spec.seed, cache_dir=cache_dir)
                augmenter = Augmenter(spec.augment, sets["train"], copies=copies, model_kind=spec.model)
            net, history, seconds, used = fit(spec.model, sets, features.genres, standardizer,
                                              train_cfg, options=options, run_dir=work_dir,
                                              verbose=verbose, augment=augmenter, builder=builder)
        # 5. evaluate, segment and track level
        valid, test = (evaluate_features(net, sets[name], model_kind=spec.model, genres=features.genres,
                                         method=spec.aggregation) for name in ("valid", "test"))
        metrics = run_metrics(spec.model, track_split, sets, history, seconds, valid=valid, test=test)
        parameters = models.parameter_count(net) if classical else int(net.count_params())
        config = RunConfig.from_dict({
            **settings, "data": str(index.root), "n_tracks": int(len(index.tracks)),
            "genres": list(features.genres), "parameters": parameters, "devices": used,
            "versions": folder.run_versions(), **folder.provenance(), "aggregation": spec.aggregation,
            "skipped": skipped_clips(index, features),
            **({"untrained_genres": untrained} if untrained else {})})
        # 6. the run folder
        folder.save_run(work_dir, net=None if previous is not None else net, history=history, config=config,
                        metrics=metrics, split=track_split, standardizer=standardizer,
                        content=content_keys(index.tracks, [*track_split.train, *track_split.valid]))
    return RunResult(run_dir=out_dir, model=net, history=history, metrics=metrics, config=config,
                     valid=valid, test=test, split=track_split, genres=tuple(features.genres))


def capped_index(data: DataSource, *, profile: str, progress: bool) -> DatasetIndex:
    """``data`` indexed, keeping the first ``max_tracks_per_genre`` tracks of every genre
    when the profile caps real data. ValueError when no readable track is left."""
    index = as_index(data, progress=progress)
    max_per_genre = get_profile(profile).max_tracks_per_genre
    if max_per_genre:
        keep = index.tracks.groupby("genre", sort=False).head(max_per_genre)["track_id"]
        index = index.subset(keep.tolist())
    if len(index.tracks) == 0:
        raise ValueError(f"no readable audio tracks found in {index.root}")
    return index


def skipped_clips(index: DatasetIndex, features: FeatureSet) -> list[dict[str, str]]:
    """The clips of ``index`` that ``features`` lack, each with why: the unreadable files
    (``{"path", "reason"}``), then the clips the features skipped (too short: with their
    ``track_id``). A run records them (config.json's ``skipped``), an evaluation reports them.
    """
    return [*({"path": u["path"], "reason": u["reason"]} for u in index.unreadable), *features.skipped]


def model_features(index: DatasetIndex, cfg: FeatureConfig | EmbeddingSpec, *,
                   cache_dir: str | Path | None = None, progress: bool = False,
                   scheduler: str | None = None) -> FeatureSet:
    """The features a model reads, cached: ``features.extract_features`` for a FeatureConfig,
    ``pretrained.extract_embeddings`` for the EmbeddingSpec of a pretrained kind (computed
    locally: ``scheduler`` serves the FeatureConfig path only).

    Notebook: 10_transfer_learning.ipynb
    """
    if cfg.kind == "embedding":
        from genrelib.pretrained import extract_embeddings

        return extract_embeddings(index, cfg, cache_dir=cache_dir, progress=progress)  # type: ignore[arg-type]
    return extract_features(index, cfg, cache_dir=cache_dir, progress=progress, scheduler=scheduler)


def fit(model_kind: str, sets: dict[str, FeatureSet], genres: tuple[str, ...],
        standardizer: Standardizer | None, train_cfg: TrainConfig, *, options: dict[str, Any],
        run_dir: Path, verbose: int | str, augment: Augmenter | None = None,
        builder: ModelBuilder | None = None) -> tuple[Any, pd.DataFrame, float, dict[str, Any] | None]:
    """Build and train a model on the training set (validation set for early stopping).

    A Keras model is built with the standardiser as its first layer and trained inside
    ``training.training_scope`` (its precision, its devices); a classical Pipeline is
    fitted once and holds its own scaler.

    Returns
    -------
    (model, history, seconds, device plan as a dict, None for a classical model)
    """
    train_fs, valid_fs = sets["train"], sets["valid"]
    if is_classical(model_kind):
        net = models.build_classical(model_kind, seed=train_cfg.seed, **options)
        X, y, groups = train_fs.X, train_fs.y, train_fs.track_ids
        if options.get("fit_on") == "tracks":  # a probe fitted on one mean row per training track
            (X, y), groups = track_means(X, y, train_fs.track_ids), None
        history = models.fit_classical(net, X, y, valid_fs.X, valid_fs.y, n_classes=len(genres), groups=groups)
        return net, history, float(history["fit_seconds"].iloc[0]), None
    training.set_seed(train_cfg.seed)
    with training.training_scope(train_cfg) as plan:
        shape = input_shape_for(model_kind, train_fs.config.segment_shape)
        if builder is None:
            net = models.build_model(model_kind, input_shape=shape, n_classes=len(genres),
                                     standardizer=standardizer, **options)
        else:
            net = builder(input_shape=shape, n_classes=len(genres), standardizer=standardizer, **options)
        start = time.perf_counter()
        learner, x_train, x_valid = net, model_input(train_fs.X, model_kind), model_input(valid_fs.X, model_kind)
        if model_kind in FINETUNE_KINDS and augment is None:
            # The frozen front is a fixed function: computed once per patch, not once per epoch.
            training.compile_model(net, train_cfg)  # saved like any run's model, with its recipe
            front, learner = models.split_frozen_front(net, model_kind)
            x_train, x_valid = (front.predict(x, batch_size=64, verbose=0) if len(x) else x
                                for x in (x_train, x_valid))
        history = training.fit_model(
            learner, x_train, train_fs.y,
            x_valid if len(valid_fs) else None,
            valid_fs.y if len(valid_fs) else None,
            train=train_cfg, run_dir=run_dir, verbose=verbose, augment=augment,
        )
        seconds = time.perf_counter() - start
    return net, history, seconds, plan.to_dict()


def evaluate_features(model: Any, features: FeatureSet | None, *, model_kind: str,
                      genres: tuple[str, ...], method: str = "vote") -> EvaluationResult | None:
    """Segment- and track-level evaluation of ``model`` on a FeatureSet (None when empty).

    ``features.y`` must index ``genres`` (the model's outputs).
    """
    if features is None or len(features) == 0:
        return None
    probs = training.predict_probs(model, features.X, model_kind=model_kind)
    return evaluate_predictions(probs, features.y, features.track_ids, genres=genres, method=method)


def run_metrics(model_kind: str, track_split: TrackSplit, sets: dict[str, FeatureSet],
                history: pd.DataFrame, seconds: float, *, valid: EvaluationResult | None,
                test: EvaluationResult | None) -> RunMetrics:
    """The metrics of a run; a classical fit has no epochs (``epochs_run``, ``best_epoch``,
    ``seconds_per_epoch``, ``data_wait_fraction`` None)."""
    monitor = "val_loss" if "val_loss" in history else "loss"
    has_epochs = "epoch" in history
    best_epoch = (int(history[monitor].idxmin()) + 1
                  if has_epochs and history[monitor].notna().any() else None)
    mean = (lambda column, digits: round(float(history[column].mean()), digits)
            if column in history else None)
    return RunMetrics(
        model=model_kind, protocol=track_split.protocol,
        epochs_run=int(len(history)) if has_epochs else None, best_epoch=best_epoch,
        train_seconds=round(seconds, 2), seconds_per_epoch=mean("epoch_seconds", 3),
        data_wait_fraction=mean("data_wait_fraction", 4),
        n_segments=SetSizes(**{k: int(len(v)) for k, v in sets.items()}),
        n_tracks=SetSizes(**{k: int(v.n_tracks) for k, v in sets.items()}),
        valid=valid, test=test)


