"""genrelib.pipeline.run: one run end to end (``train_run``): the run folder it writes,
determinism, the split protocols, augmentation, a model built by the reader's own function,
evaluation of a FeatureSet, and the errors raised before or while building.

Runs train a tiny model for one epoch on the session's tiny synthetic GTZAN (3 tracks per
genre) with small features (helpers.TINY_*: 16 mels, 33 frames, 10 segments per clip), so
each ``train_run`` takes a second or two; ``tiny_run`` (conftest) is trained once.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import RUN_MEL, chirp, clip_feature_set, tiny_spec

keras = pytest.importorskip("keras")

from genrelib import pipeline, runs  # noqa: E402
from genrelib.config import FeatureConfig  # noqa: E402
from genrelib.datasets.splits import make_split  # noqa: E402
from genrelib.evaluation import evaluate_predictions  # noqa: E402
from genrelib.features import extract_features  # noqa: E402
from genrelib.pipeline import RunSpec, train_run  # noqa: E402
from genrelib.training import predict_probs  # noqa: E402

#: Timings in metrics.json / history.csv: they vary with the machine's load, not the seed.
TIMING = ("train_seconds", "seconds_per_epoch", "data_wait_fraction")
HISTORY_TIMING = ["epoch_seconds", "data_wait_fraction"]


def _train(index, cache: Path, out_dir: Path, model: str = "cnn", **changes) -> pipeline.RunResult:
    """train_run of ``helpers.tiny_spec(model, **changes)``."""
    return train_run(index, tiny_spec(model, **changes), out_dir=out_dir, cache_dir=cache, verbose=0)


def _record(run_dir: Path) -> tuple[dict, pd.DataFrame]:
    """metrics.json and history.csv without their timing fields."""
    metrics = runs.load_json(run_dir / runs.METRICS_FILE)
    history = pd.read_csv(run_dir / runs.HISTORY_FILE).drop(columns=HISTORY_TIMING, errors="ignore")
    return {k: v for k, v in metrics.items() if k not in TIMING}, history


# --------------------------------------------------------------------------- the run folder


@pytest.mark.slow
def test_train_run_writes_a_complete_run_folder(tiny_run) -> None:
    folder = tiny_run.run_dir
    for name in ("model.keras", "config.json", "history.csv", "metrics.json", "split.json"):
        assert (folder / name).is_file(), name
    metrics = json.loads((folder / "metrics.json").read_text())
    for level in ("valid", "test"):
        for key in ("track_accuracy", "segment_accuracy", "macro_f1", "per_genre", "confusion"):
            assert key in metrics[level]
    assert metrics["n_tracks"]["test"] == 10 and metrics["n_segments"]["test"] == 10 * 10
    assert tiny_run.metrics.n_segments.test == 10 * 10 and tiny_run.test.n_tracks == 10
    config = json.loads((folder / "config.json").read_text())
    assert config["model"] == "cnn" and config["train_config"]["epochs"] == 1
    assert config["train_config"]["precision"] == "float32" and config["train_config"]["devices"] is None
    assert config["devices"]["count"] == 1 and config["devices"]["kind"] == "cpu"
    assert 0 <= metrics["data_wait_fraction"] <= 1
    assert config["model_options"] == {"filters": [4, 8], "dense_units": 8, "l2": 1e-4}  # the recipe's L2
    assert config["feature_config"] == RUN_MEL.to_dict() and config["split"] == "random"
    with zipfile.ZipFile(folder / "model.keras") as archive:
        meta = json.loads(archive.read("genrelib.json"))
    assert meta["genres"] == list(tiny_run.genres)
    assert len(meta["standardizer"]["mean"]) == RUN_MEL.n_mels
    split = json.loads((folder / "split.json").read_text())
    assert not set(split["train"]) & set(split["test"])
    content = split.pop("content")  # the training and validation tracks' content keys
    assert split == tiny_run.split.to_dict()
    assert set(content) == {*split["train"], *split["valid"]} and all(len(key) == 16 for key in content.values())


@pytest.mark.slow
def test_saved_model_alone_reproduces_predictions(tiny_run, tiny_cache) -> None:
    """model.keras alone (no standardiser file, no config) gives the run's test predictions."""
    from genrelib.datasets import index_dataset

    model, meta = runs.load_run_model(tiny_run.run_dir / "model.keras")
    index = index_dataset(json.loads((tiny_run.run_dir / "config.json").read_text())["data"])
    features = extract_features(index, FeatureConfig.from_dict(meta["feature_config"]),
                                cache_dir=tiny_cache, progress=False).select(tiny_run.split.test)
    probs = predict_probs(model, features.X, model_kind=meta["model_kind"])  # raw features in
    expected = predict_probs(tiny_run.model, features.X, model_kind="cnn")
    np.testing.assert_allclose(probs, expected, atol=1e-5)
    again = evaluate_predictions(probs, features.y, features.track_ids, genres=meta["genres"])
    assert again.track_accuracy == pytest.approx(tiny_run.test.track_accuracy)


# --------------------------------------------------------------------------- determinism


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["cnn", "rnn", "crnn"])
def test_same_seed_gives_identical_run_records(kind: str, tiny_index, tiny_cache, tmp_path) -> None:
    """Two runs with the same seed: identical metrics.json and history (timings aside), weights."""
    first = _train(tiny_index, tiny_cache, tmp_path / "a", model=kind)
    second = _train(tiny_index, tiny_cache, tmp_path / "b", model=kind)
    metrics_a, history_a = _record(first.run_dir)
    metrics_b, history_b = _record(second.run_dir)
    assert metrics_a == metrics_b
    pd.testing.assert_frame_equal(history_a, history_b)
    assert (runs.load_json(first.run_dir / runs.SPLIT_FILE)
            == runs.load_json(second.run_dir / runs.SPLIT_FILE))
    for a, b in zip(first.model.get_weights(), second.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- split protocols


def _check_split_record(result: pipeline.RunResult, protocol: str) -> dict:
    split = runs.load_json(result.run_dir / runs.SPLIT_FILE)
    metrics = runs.load_json(result.run_dir / runs.METRICS_FILE)
    assert split["protocol"] == metrics["protocol"] == result.split.protocol == protocol
    assert result.metrics.protocol == protocol
    sets = {name: set(split[name]) for name in ("train", "valid", "test")}
    assert not (sets["train"] & sets["valid"] or sets["train"] & sets["test"]
                or sets["valid"] & sets["test"])
    assert metrics["n_tracks"] == {name: len(ids) for name, ids in sets.items()}
    assert result.metrics.n_tracks.to_dict() == metrics["n_tracks"]
    return sets


@pytest.mark.slow
def test_artist_split_through_a_whole_run(tiny_index, tiny_cache, tmp_path) -> None:
    """split="artist": the run records the artist protocol and no artist is in two sets."""
    result = _train(tiny_index, tiny_cache, tmp_path / "run", split="artist")
    sets = _check_split_record(result, "artist")
    expected = make_split(tiny_index.tracks, "artist", valid_fraction=0.34, test_fraction=0.34, seed=0)
    assert sets == {name: set(ids) for name, ids in expected.sets().items()}
    artist_of = dict(zip(tiny_index.tracks["track_id"], tiny_index.tracks["artist"]))
    artists = {name: {artist_of[t] for t in ids} for name, ids in sets.items()}
    assert not (artists["train"] & artists["valid"] or artists["train"] & artists["test"]
                or artists["valid"] & artists["test"])
    assert runs.load_json(result.run_dir / runs.CONFIG_FILE)["split"] == "artist"
    assert result.config.split == "artist"


def test_a_runs_track_rule_is_recorded_and_a_finished_run_is_only_evaluated_again(
        tiny_index, tiny_cache, tmp_path) -> None:
    """aggregation="geometric": the run's track-level metrics and predictions use the geometric
    mean, config.json records it, a finished run is reused (not refitted) under the new rule,
    and ``evaluate_run`` defaults to the run's own rule.

    Breaks tried: train_run evaluating with the default "vote" whatever the spec says, and
    evaluate_run ignoring config.json's rule -> this test fails."""
    from genrelib.pipeline import evaluate_run

    out = tmp_path / "lr"
    voted = _train(tiny_index, tiny_cache, out, model="logreg")
    model_bytes = (out / runs.SKOPS_MODEL_FILE).read_bytes()
    again = train_run(tiny_index, tiny_spec("logreg", aggregation="geometric"), out_dir=out, reuse=True,
                      cache_dir=tiny_cache, verbose=0)
    assert (out / runs.SKOPS_MODEL_FILE).read_bytes() == model_bytes  # reused, not refitted
    assert (voted.config.aggregation, again.config.aggregation) == ("vote", "geometric")
    assert runs.load_json(out / runs.CONFIG_FILE)["aggregation"] == "geometric"
    for before, after in ((voted.test, again.test), (voted.valid, again.valid)):
        assert (before.method, after.method) == ("vote", "geometric")
        assert after.track_accuracy == before.track_accuracy_by_method["geometric"]
        assert after.segment_accuracy == before.segment_accuracy
    metrics = runs.load_json(out / runs.METRICS_FILE)["test"]
    assert metrics["aggregation"] == "geometric" and metrics["track_accuracy"] == again.test.track_accuracy
    assert f"test: track accuracy (geometric) {again.test.track_accuracy:.3f}," in pipeline.describe_run(again)
    assert evaluate_run(out, tiny_index, cache_dir=tiny_cache, progress=False).method == "geometric"
    assert evaluate_run(out, tiny_index, method="vote", cache_dir=tiny_cache, progress=False).method == "vote"
    with pytest.raises(ValueError, match=r"aggregation must be one of \['vote', 'mean', 'geometric'\]"):
        tiny_spec("logreg", aggregation="median")


@pytest.mark.slow
def test_split_lists_through_a_whole_run(tiny_index, tiny_cache, tmp_path) -> None:
    """split="lists:DIR": the run uses exactly the listed tracks (no valid list: valid empty)."""
    by_genre = tiny_index.tracks.groupby("genre")["relative_path"].apply(sorted)
    train = [paths[0] for paths in by_genre] + [paths[1] for paths in by_genre.iloc[:5]]
    test = [paths[2] for paths in by_genre]
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "my_train.txt").write_text("# training tracks\n" + "\n".join(train) + "\n")
    (lists / "my_test.txt").write_text("\n".join(test) + "\n")
    result = _train(tiny_index, tiny_cache, tmp_path / "run", split=f"lists:{lists}")
    sets = _check_split_record(result, "lists")
    assert sets == {"train": {Path(p).stem for p in train}, "valid": set(),
                    "test": {Path(p).stem for p in test}}
    assert result.valid is None and result.metrics.valid is None
    assert runs.load_json(result.run_dir / runs.METRICS_FILE)["valid"] is None
    assert result.metrics.test.n_tracks == 10
    assert "val_loss" not in result.history  # trained without validation data


def test_a_genre_without_training_tracks_is_recorded_and_said(tiny_index, tiny_cache, tmp_path) -> None:
    """Split lists that leave blues out of training (as an artist split does on the mini set,
    where blues is one artist): config.json names it, train's summary says the model cannot
    predict it, and each set's summary names the genres it has no track of.

    Breaks tried: untrained_genres not recorded -> no note; describe_run without the per-set
    line -> the "no test track of" line is missing."""
    by_genre = tiny_index.tracks.groupby("genre")["relative_path"].apply(sorted)
    train = [p for genre, paths in by_genre.items() if genre != "blues" for p in paths[:2]]
    test = list(by_genre["blues"]) + [by_genre["jazz"][2]]
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "my_train.txt").write_text("\n".join(train) + "\n")
    (lists / "my_test.txt").write_text("\n".join(test) + "\n")
    result = train_run(tiny_index, RunSpec(model="logreg", split=f"lists:{lists}"), out_dir=tmp_path / "run",
                       cache_dir=tiny_cache, verbose=0)
    assert runs.load_json(result.run_dir / runs.CONFIG_FILE)["untrained_genres"] == ["blues"]
    lines = pipeline.describe_run(result).splitlines()
    assert ("note: no training track of blues in this split: the model cannot predict that genre "
            "(their tracks are all in validation or test, or the data holds none)") in lines
    untested = [g for g in result.genres if g not in ("blues", "jazz")]
    assert f"  no test track of {', '.join(untested)}: the macro F1 counts their F1 as 0" in lines
    assert result.test.per_genre["blues"].recall == 0.0


@pytest.mark.parametrize("model", ["logreg", "cnn"])
def test_a_training_part_of_one_genre_is_refused_before_the_features(model, tiny_index, tmp_path) -> None:
    """Split lists whose training tracks are all blues (the fault-filtered lists on a folder
    holding few of their tracks): one clear error naming the genre, before any feature is
    computed or any folder written (it was scikit-learn's "needs samples of at least 2 classes",
    and a CNN trained on one genre). Break tried: the check removed -> logreg's error is
    scikit-learn's and the CNN trains."""
    by_genre = tiny_index.tracks.groupby("genre")["relative_path"].apply(sorted)
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "my_train.txt").write_text("\n".join(by_genre["blues"][:2]) + "\n")
    (lists / "my_test.txt").write_text("\n".join(paths[2] for paths in by_genre) + "\n")
    with pytest.raises(ValueError, match=r"the training part of the 'lists:.*' split holds one genre \(blues\) of "
                                         r"the 10 genres in .*at least two genres"):
        train_run(tiny_index, RunSpec(model=model, split=f"lists:{lists}", epochs=1), out_dir=tmp_path / "run",
                  cache_dir=tmp_path / "cache", verbose=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lists"]


def test_a_folder_of_one_genre_is_refused_with_what_to_add(tiny_index, tmp_path) -> None:
    """A data folder holding one genre: no split can help, so the error says to add a genre
    (it said "use another split"). Break tried: the check removed -> the split's message."""
    with pytest.raises(ValueError, match=r"holds tracks of 1 genre\(s\) \(blues\): a classifier needs at least "
                                         r"two to tell apart; add a folder of another genre"):
        train_run(tiny_index.subset(tiny_index.tracks.loc[tiny_index.tracks["genre"] == "blues", "track_id"])
                  .drop_genres([g for g in tiny_index.genres if g != "blues"]),
                  RunSpec(model="logreg"), out_dir=tmp_path / "run", cache_dir=tmp_path / "cache", verbose=0)


def test_a_subset_without_a_genre_records_that_genre_as_untrained(tiny_index, tiny_cache, tmp_path) -> None:
    """``DatasetIndex.subset`` keeps its index's genres (labels stay comparable), so a model
    trained on a subset without blues has a blues output it never learned: config.json names
    it (it said nothing: the untrained genres were read from the subset's tracks).

    Break tried: untrained genres from index.tracks["genre"] (as before) -> no key."""
    keep = tiny_index.tracks.loc[tiny_index.tracks["genre"] != "blues", "track_id"]
    result = train_run(tiny_index.subset(keep), RunSpec(model="logreg"), out_dir=tmp_path / "run",
                       cache_dir=tiny_cache, verbose=0)
    assert "blues" in result.genres and result.config.extra["untrained_genres"] == ["blues"]
    assert "note: no training track of blues in this split" in pipeline.describe_run(result)


def test_run_folders_given_with_a_tilde_are_in_the_home_folder(tiny_index, tiny_cache, tmp_path, monkeypatch) -> None:
    """``~`` was expanded for data folders only: ``out_dir="~/runs/lr"`` wrote a folder named
    "~" in the working folder, and reading "~/runs/lr" back said there was no run there.

    Break tried: train_run without expanduser -> the run lands in ./~/runs/lr."""
    from genrelib.pipeline import cross_validate, cross_validated_predictions, evaluate_run, load_run_record
    from genrelib.predict import load_predictor, predict_paths

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    result = train_run(tiny_index, RunSpec(model="logreg"), out_dir="~/runs/lr", cache_dir=tiny_cache, verbose=0)
    assert result.run_dir == tmp_path / "home" / "runs" / "lr" and not (tmp_path / "~").exists()
    assert load_run_record("~/runs/lr").config == result.config
    assert evaluate_run("~/runs/lr", tiny_index, cache_dir=tiny_cache, progress=False).n_tracks == len(tiny_index.tracks)
    song = Path(tiny_index.tracks["path"].iloc[0])
    (tmp_path / "home" / "song.wav").symlink_to(song)
    [prediction] = predict_paths(load_predictor("~/runs/lr"), "~/song.wav", progress=False)
    assert prediction.path == tmp_path / "home" / "song.wav"
    cross_validate(tiny_index, RunSpec(model="logreg"), out_dir="~/cv", n_folds=2, cache_dir=tiny_cache, verbose=0)
    assert cross_validated_predictions("~/cv", tiny_index, cache_dir=tiny_cache, progress=False).evaluate().n_tracks \
        == len(tiny_index.tracks)


# --------------------------------------------------------------------------- augmentation


@pytest.mark.slow
def test_a_run_records_its_augmentation_and_scores_a_denser_hop(tiny_synthetic, tmp_path) -> None:
    small = FeatureConfig(n_mels=16, n_mfcc=8, hop_length=2048, overlap=0.5)  # (16, 33), 19 per clip
    spec = RunSpec(model="cnn", epochs=1, augment="time_mask,crop", features=small,
                   options={"filters": (4,), "dense_units": 8})
    result = train_run(tiny_synthetic, spec, out_dir=tmp_path / "run", cache_dir=tmp_path, verbose=0)
    assert runs.load_json(tmp_path / "run" / runs.CONFIG_FILE)["train_config"]["augment"] == ["crop", "time_mask"]
    assert result.config.train_config.augment == ("crop", "time_mask")
    grid = pipeline.run_predictions(tmp_path / "run", tiny_synthetic, cache_dir=tmp_path, progress=False)
    dense = pipeline.run_predictions(tmp_path / "run", tiny_synthetic, cache_dir=tmp_path, progress=False,
                                     hop_frames=4)
    assert len(dense.probs) > 2 * len(grid.probs) and result.metrics.test is not None
    with pytest.raises(ValueError, match="augmentation trains deep models"):
        RunSpec(model="logreg", augment="crop")


# --------------------------------------------------------------------------- a reader's own model


def wider_cnn(*, input_shape, n_classes, standardizer=None, filters=(32, 64, 128, 256, 512),
              kernel_size=3, dense_units=128, l2=1e-4):
    """``models.build_cnn`` (no dropout) with one more Dense layer, "extra_dense", before the
    softmax: a model a reader edited in a chapter cell."""
    from genrelib.models.layers import conv_block, l2_penalty, standardize_layer

    inputs = keras.Input(tuple(input_shape), name="log_mel")
    x = inputs
    if standardizer is not None:
        x = standardize_layer(standardizer, n_features=int(input_shape[0]), axis=1)(x)
    for i, n_filters in enumerate(filters, start=1):
        x = conv_block(x, int(n_filters), kernel_size, dropout=0.0, batch_norm=False, l2=l2, index=i)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(dense_units, activation="relu", kernel_regularizer=l2_penalty(l2),
                           name="dense")(x)
    x = keras.layers.Dense(dense_units, activation="relu", name="extra_dense")(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax", dtype="float32", name="genre")(x)
    return keras.Model(inputs, outputs, name="wider_cnn")


@pytest.fixture
def fits(monkeypatch) -> list:
    """The models train_run fits (each call still trains)."""
    import genrelib.pipeline.run as run_module

    fitted: list = []
    real = run_module.training.fit_model

    def counting(model, *args, **kwargs):
        fitted.append(model)
        return real(model, *args, **kwargs)

    monkeypatch.setattr(run_module.training, "fit_model", counting)
    return fitted


def _layer_names(model) -> list[str]:
    return [layer.name for layer in model.layers]


@pytest.mark.slow
def test_a_model_built_by_the_readers_function_is_trained_and_saved(tiny_run, tiny_index, tiny_cache,
                                                                    tmp_path, fits) -> None:
    """train_run(builder=wider_cnn) trains that model with the spec's options, saves it (the
    extra layer is in model.keras) and records the builder; reuse=True never takes a
    library-built run for it, nor a builder's run for the library's model.

    Break tried: run.fit building with build_model whatever the builder -> no "extra_dense";
    builder_record returning {} -> no "builder" in config.json and the library run reused;
    finished_run without its "builder in the old config" check -> the builder's run reused
    for the library's model."""
    import shutil

    spec = tiny_spec()
    out = Path(shutil.copytree(tiny_run.run_dir, tmp_path / "run"))  # a library-built run
    result = train_run(tiny_index, spec, out_dir=out, builder=wider_cnn, reuse=True,
                       cache_dir=tiny_cache, verbose=0)
    assert len(fits) == 1  # not reused: trained
    assert "extra_dense" in _layer_names(result.model) and "extra_dense" not in _layer_names(tiny_run.model)
    saved, meta = runs.load_run_model(out)
    assert _layer_names(saved) == _layer_names(result.model) and saved.name == "wider_cnn"
    assert meta["model_options"] == {"filters": [4, 8], "dense_units": 8, "l2": 1e-4}
    assert saved.get_layer("dense").units == 8 and saved.get_layer("extra_dense").units == 8
    config = runs.load_json(out / runs.CONFIG_FILE)
    builder = config["builder"]
    assert set(builder) == {"name", "source_sha256"} and builder["name"].endswith("wider_cnn")
    assert len(builder["source_sha256"]) == 16 and int(builder["source_sha256"], 16) >= 0
    assert result.config.extra["builder"] == builder
    x = extract_features(tiny_index, RUN_MEL, cache_dir=tiny_cache, progress=False).select(result.split.test).X
    np.testing.assert_allclose(predict_probs(saved, x, model_kind="cnn"),
                               predict_probs(result.model, x, model_kind="cnn"), atol=1e-5)
    # the same builder and settings: reused, not trained again
    again = train_run(tiny_index, spec, out_dir=out, builder=wider_cnn, reuse=True, cache_dir=tiny_cache,
                      verbose=0)
    assert len(fits) == 1 and again.metrics == result.metrics
    # the library's model on the builder's run: trained anew, no builder recorded
    library = train_run(tiny_index, spec, out_dir=out, reuse=True, cache_dir=tiny_cache, verbose=0)
    assert len(fits) == 2 and "extra_dense" not in _layer_names(library.model)
    assert "builder" not in runs.load_json(out / runs.CONFIG_FILE) and library.config.extra == {}
    with pytest.raises(ValueError, match="builder builds Keras models; 'logreg'"):
        train_run(tiny_index, RunSpec(model="logreg"), out_dir=tmp_path / "lr", builder=wider_cnn)


def test_a_keras_models_starting_weights_follow_the_runs_seed(tmp_path, monkeypatch) -> None:
    """pipeline.run.fit seeds Keras with the run's seed before building: the same seed gives the
    same starting weights, another seed other ones (fit_model stubbed out: nothing trains).

    Break tried: training.set_seed(0) instead of set_seed(train_cfg.seed) -> this test fails
    (seeds 0 and 1 give identical starting weights)."""
    from genrelib.config import TrainConfig
    from genrelib.pipeline import run as run_module

    monkeypatch.setattr(run_module.training, "fit_model", lambda *args, **kwargs: pd.DataFrame())
    features = clip_feature_set([chirp(0), chirp(1)])
    sets = {"train": features, "valid": features}

    def starting_weights(seed: int) -> list[np.ndarray]:
        net, *_ = run_module.fit("cnn", sets, features.genres, None, TrainConfig(seed=seed),
                                 options={"filters": (4,), "dense_units": 8}, run_dir=tmp_path, verbose=0)
        return net.get_weights()

    first, again, other = starting_weights(0), starting_weights(0), starting_weights(1)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_the_best_epoch_is_counted_from_one_at_the_lowest_validation_loss() -> None:
    """run_metrics names the epoch (1-based, as history.csv counts) with the lowest val_loss,
    and counts the epochs run.

    Break tried: best_epoch = idxmin() without the "+ 1" -> this test fails (best_epoch 1 != 2)."""
    from types import SimpleNamespace

    from genrelib.pipeline.run import run_metrics

    features = clip_feature_set([chirp(0)])
    sets = {"train": features, "valid": features, "test": features}
    history = pd.DataFrame({"epoch": [1, 2, 3], "loss": [1.0, 0.9, 0.8], "val_loss": [0.7, 0.5, 0.6]})
    metrics = run_metrics("cnn", SimpleNamespace(protocol="random"), sets, history, 1.0, valid=None, test=None)
    assert (metrics.epochs_run, metrics.best_epoch) == (3, 2)


# --------------------------------------------------------------------------- evaluating features


@pytest.mark.slow
def test_class_count_mismatch_at_evaluation_is_refused(tiny_run, tiny_index, tiny_cache) -> None:
    """Model outputs (10 classes) that do not match the genres given raise ValueError."""
    features = extract_features(tiny_index, RUN_MEL, cache_dir=tiny_cache,
                                progress=False).select(tiny_run.split.test)
    with pytest.raises(ValueError, match="10 classes but 4 genres"):
        pipeline.evaluate_features(tiny_run.model, features, model_kind="cnn", genres=tiny_run.genres[:4])
    probs = np.full((len(features), 3), 1 / 3)
    with pytest.raises(ValueError, match="3 classes but 10 genres"):
        evaluate_predictions(probs, features.y, features.track_ids, genres=tiny_run.genres)


@pytest.mark.slow
def test_evaluate_features_is_the_runs_evaluation(tiny_run, tiny_index, tiny_cache) -> None:
    """evaluate_features gives the run's own test evaluation; None for no features or an
    empty FeatureSet."""
    features = extract_features(tiny_index, RUN_MEL, cache_dir=tiny_cache, progress=False)
    test = pipeline.evaluate_features(tiny_run.model, features.select(tiny_run.split.test),
                                      model_kind="cnn", genres=tiny_run.genres)
    assert test.to_dict() == tiny_run.test.to_dict()
    assert pipeline.evaluate_features(tiny_run.model, None, model_kind="cnn", genres=tiny_run.genres) is None
    empty = features.select([])
    assert len(empty) == 0
    assert pipeline.evaluate_features(tiny_run.model, empty, model_kind="cnn", genres=tiny_run.genres) is None


# --------------------------------------------------------------------------- errors


def test_index_without_readable_tracks_is_refused(tiny_index, tmp_path) -> None:
    """train_run on an empty index, or on a folder of unreadable audio, raises ValueError."""
    with pytest.raises(ValueError, match="no readable audio tracks"):
        train_run(tiny_index.subset([]), RunSpec(epochs=1), out_dir=tmp_path / "a", verbose=0)
    folder = tmp_path / "data" / "genres" / "blues"
    folder.mkdir(parents=True)
    (folder / "blues.00000.wav").write_bytes(b"RIFF, but not audio")
    with pytest.warns(UserWarning, match="unreadable"), \
            pytest.raises(ValueError, match="no readable audio tracks"):
        train_run(tmp_path / "data", RunSpec(epochs=1), out_dir=tmp_path / "b", verbose=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_every_file_left_out_is_recorded_in_config_json(tiny_synthetic, tiny_cache, tmp_path) -> None:
    """A file the index cannot read (not audio) and a clip it lists but the features cannot use
    (shorter than one segment) are left out with warnings and named in config.json's
    "skipped", each with its reason (without the path again); n_tracks counts the short clip
    (it is in split.json), the sets count neither.

    Breaks tried: "skipped" left out of the config train_run writes -> config.json lacks it;
    the index's unreadable files left out of it -> the not-audio file is missing."""
    from helpers import write_silent_wav

    from genrelib.datasets import UnreadableAudioWarning
    from genrelib.features import SkippedClipWarning

    data = tmp_path / "data"
    for genre in ("blues", "jazz", "rock"):
        (data / genre).mkdir(parents=True)
        for clip in sorted((tiny_synthetic / "genres" / genre).iterdir()):
            (data / genre / clip.name).symlink_to(clip)
    short = write_silent_wav(data / "jazz" / "jazz.00099.wav", 1.0)
    garbage = data / "rock" / "rock.00098.wav"
    garbage.write_bytes(b"not audio at all" * 64)
    with pytest.warns(SkippedClipWarning, match="jazz.00099.wav"), pytest.warns(UnreadableAudioWarning):
        result = train_run(data, RunSpec(model="logreg", seed=0, valid_fraction=0.2, test_fraction=0.2),
                           out_dir=tmp_path / "run", cache_dir=tiny_cache, verbose=0)
    recorded = runs.load_json(result.run_dir / runs.CONFIG_FILE)
    assert [(s["path"], s.get("track_id")) for s in recorded["skipped"]] == [
        (str(garbage), None), (str(short), "jazz.00099")]
    assert "cannot decode" in recorded["skipped"][0]["reason"]
    assert recorded["skipped"][1]["reason"].startswith("the clip lasts 1.00 s, shorter than one")
    assert result.config.skipped == recorded["skipped"] and recorded["n_tracks"] == 10
    assert sum(result.metrics.n_tracks.to_dict().values()) == 9


@pytest.mark.parametrize("model,option", [("crnn", {"pooling": "max"}), ("rnn", {"n_layers": 0})])
def test_a_value_the_builder_refuses_is_named_and_leaves_nothing(model, option, tiny_index, tiny_cache,
                                                                  tmp_path) -> None:
    """An option of the right type that the builder refuses stops train_run with an error
    naming it (a name or type the builder does not take is refused by RunSpec:
    test_pipeline_spec.py), and no run folder or partial folder is left."""
    (name, _), = option.items()
    with pytest.raises(ValueError, match=name):
        _train(tiny_index, tiny_cache, tmp_path / "run", model=model,
               options={**tiny_spec(model).options, **option})
    assert list(tmp_path.iterdir()) == []


def test_a_genre_without_training_tracks_is_warned_and_drop_genres_leaves_it_out(tiny_index, tiny_cache,
                                                                                 tmp_path) -> None:
    """``subset`` keeps every genre, so a genre left without tracks is a model output nothing
    trains: train_run warns, naming it; ``drop_genres`` removes the genre itself.

    Break tried: the warning removed from train_run -> pytest.warns fails."""
    gone = tiny_index.genres[0]
    kept = tiny_index.tracks.loc[tiny_index.tracks["genre"] != gone, "track_id"]
    with pytest.warns(pipeline.UntrainedGenreWarning, match=rf"no training track of {gone} in the 'random' split"):
        result = train_run(tiny_index.subset(kept), tiny_spec("logreg"), out_dir=tmp_path / "subset",
                           cache_dir=tiny_cache, verbose=0)
    assert result.config.extra["untrained_genres"] == [gone]
    dropped = tiny_index.drop_genres([gone])
    assert gone not in dropped.genres and len(dropped) == len(kept)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", pipeline.UntrainedGenreWarning)
        result = train_run(dropped, tiny_spec("logreg"), out_dir=tmp_path / "dropped", cache_dir=tiny_cache,
                           verbose=0)
    assert gone not in result.genres and "untrained_genres" not in result.config.extra
    with pytest.raises(KeyError, match=r"\['polka'\] not among the genres"):
        tiny_index.drop_genres(["polka"])


def test_arguments_of_the_wrong_kind_are_named_before_any_work(tiny_synthetic, tmp_path) -> None:
    """A model name or a dict for the spec, a kind name for the FeatureConfig and a string for an
    integer setting are refused with what to pass (they were AttributeError/TypeError from deep
    inside); extract_features takes a dataset folder as train_run does.

    Breaks tried: check_spec removed -> "'str' object has no attribute 'profile'"; the type loop of
    FeatureConfig removed -> "'<=' not supported"."""
    for wrong in ("logreg", {"model": "logreg"}):
        with pytest.raises(TypeError, match=r"spec must be a RunSpec, e.g. RunSpec\(model='cnn'\)"):
            train_run(tiny_synthetic, wrong, out_dir=tmp_path / "run")
        with pytest.raises(TypeError, match=r"spec must be a RunSpec"):
            pipeline.cross_validate(tiny_synthetic, wrong, out_dir=tmp_path / "cv")
    with pytest.raises(ValueError, match=r"n_mels must be an integer, got '64'"):
        FeatureConfig(n_mels="64")
    with pytest.raises(ValueError, match=r"overlap must be a number, got '0.5'"):
        FeatureConfig(overlap="0.5")
    with pytest.raises(TypeError, match=r"cfg must be a FeatureConfig, .* got str 'mel'"):
        extract_features(tiny_synthetic, "mel")
    cfg = FeatureConfig(kind="stats")
    by_path = extract_features(tiny_synthetic, cfg, cache_dir=tmp_path / "cache", progress=False)
    assert by_path.n_tracks == 30 and not (tmp_path / "run").exists()
