"""The whole run (genrelib.pipeline): reuse, determinism, split protocols, errors.

Every run here trains a tiny model for one epoch on the session's tiny synthetic GTZAN
(3 tracks per genre) with small features (16 mels, 33 frames, 10 segments per clip), so
each ``train_run`` takes a second or two.
"""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

keras = pytest.importorskip("keras")

from genrelib import pipeline, runs  # noqa: E402
from genrelib.config import FeatureConfig  # noqa: E402
from genrelib.datasets import index_dataset  # noqa: E402
from genrelib.datasets.splits import make_split  # noqa: E402
from genrelib.evaluation import evaluate_predictions  # noqa: E402
from genrelib.features import extract_features  # noqa: E402

MEL = FeatureConfig(n_mels=16, n_mfcc=8, hop_length=2048, overlap=0.0)  # (16, 33), 10 per clip
MFCC = MEL.with_(kind="mfcc")
FEATURES = {"cnn": MEL, "crnn": MEL, "rnn": MFCC}
OPTIONS = {
    "cnn": {"filters": (4, 8), "dense_units": 8},
    "rnn": {"units": 8, "n_layers": 1},
    "crnn": {"conv_blocks": 1, "filters": (4, 8), "units": 8},
}
#: Timings in metrics.json / history.csv: they vary with the machine's load, not the seed.
TIMING = ("train_seconds", "seconds_per_epoch", "data_wait_fraction")
HISTORY_TIMING = ["epoch_seconds", "data_wait_fraction"]


@pytest.fixture(scope="module")
def index(tiny_synthetic):
    return index_dataset(tiny_synthetic)


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pipeline-cache")


def _train(index, cache: Path, out_dir: Path, *, model: str = "cnn", **changes) -> pipeline.RunResult:
    """train_run with this module's tiny settings, ``changes`` overriding any of them."""
    settings = {"model": model, "out_dir": out_dir, "epochs": 1, "seed": 0,
                "valid_fraction": 0.34, "test_fraction": 0.34, "feature_config": FEATURES[model],
                "cache_dir": cache, "verbose": 0, **OPTIONS[model]}
    return pipeline.train_run(index, **{**settings, **changes})


@pytest.fixture(scope="module")
def base_run(index, cache, tmp_path_factory) -> pipeline.RunResult:
    """One finished tiny CNN run; tests copy its folder before touching it."""
    return _train(index, cache, tmp_path_factory.mktemp("base") / "run")


@pytest.fixture
def copied_run(base_run, tmp_path) -> Path:
    """A copy of the base run's folder (file times kept)."""
    return Path(shutil.copytree(base_run.run_dir, tmp_path / "run"))


@pytest.fixture
def fit_calls(monkeypatch) -> list:
    """Counts the calls train_run makes to fit_model (each call still trains)."""
    calls: list = []
    real = pipeline.fit_model

    def counting(*args, **kwargs):
        calls.append(kwargs.get("run_dir"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "fit_model", counting)
    return calls


def _record(run_dir: Path) -> tuple[dict, pd.DataFrame]:
    """metrics.json and history.csv without their timing fields."""
    metrics = runs.load_json(run_dir / runs.METRICS_FILE)
    history = pd.read_csv(run_dir / runs.HISTORY_FILE).drop(columns=HISTORY_TIMING, errors="ignore")
    return {k: v for k, v in metrics.items() if k not in TIMING}, history


# --------------------------------------------------------------------------- reuse


def test_reuse_loads_the_identical_finished_run_without_fitting(base_run, copied_run, index, cache,
                                                                  fit_calls) -> None:
    """reuse=True with the same settings loads the run: no fit, same model file, history, metrics."""
    model_file = copied_run / runs.MODEL_FILE
    stamp, content = model_file.stat().st_mtime_ns, model_file.read_bytes()
    result = _train(index, cache, copied_run, reuse=True)
    assert fit_calls == []
    assert model_file.stat().st_mtime_ns == stamp and model_file.read_bytes() == content
    pd.testing.assert_frame_equal(result.history, pd.read_csv(base_run.run_dir / runs.HISTORY_FILE))
    assert result.metrics == base_run.metrics
    assert runs.load_json(copied_run / runs.METRICS_FILE) == base_run.metrics
    for a, b in zip(result.model.get_weights(), base_run.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


CHANGES = [{"epochs": 2}, {"dense_units": 16}, {"seed": 1}, {"split": "artist"}]


@pytest.mark.parametrize("change", CHANGES, ids=[next(iter(c)) for c in CHANGES])
def test_reuse_retrains_when_a_setting_changed(change: dict, copied_run, index, cache,
                                                fit_calls) -> None:
    """reuse=True retrains when the epochs, a model option, the seed or the split differ."""
    result = _train(index, cache, copied_run, reuse=True, **change)
    assert fit_calls == [copied_run]
    (key, value), = change.items()
    config = runs.load_json(copied_run / runs.CONFIG_FILE)
    stored = {"epochs": config["train_config"]["epochs"], "seed": config["seed"],
              "split": config["split"], **config["model_options"]}
    assert stored[key] == value and result.metrics["epochs_run"] == config["train_config"]["epochs"]


def test_run_without_metrics_is_never_reused(copied_run, index, cache, fit_calls) -> None:
    """A run folder whose metrics.json is missing (unfinished) is retrained, not loaded."""
    (copied_run / runs.METRICS_FILE).unlink()
    _train(index, cache, copied_run, reuse=True)
    assert fit_calls == [copied_run]
    assert (copied_run / runs.METRICS_FILE).is_file()


def test_interrupted_retraining_leaves_nothing_to_reuse(copied_run, index, cache, monkeypatch) -> None:
    """A retraining that dies midway (history overwritten) makes the old run unfinished."""
    def dies(*args, run_dir, **kwargs):
        (Path(run_dir) / runs.HISTORY_FILE).write_text("epoch,loss\n1,9.9\n")  # CSVLogger's work
        raise RuntimeError("killed during training")

    monkeypatch.setattr(pipeline, "fit_model", dies)
    with pytest.raises(RuntimeError, match="killed"):
        _train(index, cache, copied_run, reuse=True, seed=1)
    assert not (copied_run / runs.METRICS_FILE).exists()
    with pytest.raises(RuntimeError, match="killed"):  # same settings as the old run: still refit
        _train(index, cache, copied_run, reuse=True)


# --------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("kind", ["cnn", "rnn", "crnn"])
def test_same_seed_gives_identical_run_records(kind: str, index, cache, tmp_path) -> None:
    """Two runs with the same seed: identical metrics.json and history (timings aside), weights."""
    first = _train(index, cache, tmp_path / "a", model=kind)
    second = _train(index, cache, tmp_path / "b", model=kind)
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
    sets = {name: set(split[name]) for name in ("train", "valid", "test")}
    assert not (sets["train"] & sets["valid"] or sets["train"] & sets["test"]
                or sets["valid"] & sets["test"])
    assert metrics["n_tracks"] == {name: len(ids) for name, ids in sets.items()}
    return sets


def test_artist_split_through_a_whole_run(index, cache, tmp_path) -> None:
    """split="artist": the run records the artist protocol and no artist is in two sets."""
    result = _train(index, cache, tmp_path / "run", split="artist")
    sets = _check_split_record(result, "artist")
    expected = make_split(index.tracks, "artist", valid_fraction=0.34, test_fraction=0.34, seed=0)
    assert sets == {name: set(ids) for name, ids in expected.sets().items()}
    artist_of = dict(zip(index.tracks["track_id"], index.tracks["artist"]))
    artists = {name: {artist_of[t] for t in ids} for name, ids in sets.items()}
    assert not (artists["train"] & artists["valid"] or artists["train"] & artists["test"]
                or artists["valid"] & artists["test"])
    assert runs.load_json(result.run_dir / runs.CONFIG_FILE)["split"] == "artist"


def test_split_lists_through_a_whole_run(index, cache, tmp_path) -> None:
    """split="lists:DIR": the run uses exactly the listed tracks (no valid list: valid empty)."""
    by_genre = index.tracks.groupby("genre")["relative_path"].apply(sorted)
    train = [paths[0] for paths in by_genre] + [paths[1] for paths in by_genre.iloc[:5]]
    test = [paths[2] for paths in by_genre]
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "my_train.txt").write_text("# training tracks\n" + "\n".join(train) + "\n")
    (lists / "my_test.txt").write_text("\n".join(test) + "\n")
    result = _train(index, cache, tmp_path / "run", split=f"lists:{lists}")
    sets = _check_split_record(result, "lists")
    assert sets == {"train": {Path(p).stem for p in train}, "valid": set(),
                    "test": {Path(p).stem for p in test}}
    assert result.valid is None and result.metrics["valid"] is None
    assert result.metrics["test"]["n_tracks"] == 10
    assert "val_loss" not in result.history  # trained without validation data


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("kind,config,wanted", [("rnn", MEL, "mfcc"), ("crnn", MFCC, "mel")])
def test_features_of_the_wrong_kind_are_refused_before_any_work(kind, config, wanted, index,
                                                                 tmp_path) -> None:
    """A model given features of another kind raises ValueError before writing anything."""
    with pytest.raises(ValueError, match=rf"model '{kind}' reads '{wanted}' features"):
        pipeline.train_run(index, model=kind, feature_config=config, out_dir=tmp_path / "run",
                           epochs=1, verbose=0)
    assert not (tmp_path / "run").exists()


def test_index_without_readable_tracks_is_refused(index, tmp_path) -> None:
    """train_run on an empty index, or on a folder of unreadable audio, raises ValueError."""
    with pytest.raises(ValueError, match="no readable audio tracks"):
        pipeline.train_run(index.subset([]), out_dir=tmp_path / "a", epochs=1, verbose=0)
    folder = tmp_path / "data" / "genres" / "blues"
    folder.mkdir(parents=True)
    (folder / "blues.00000.wav").write_bytes(b"RIFF, but not audio")
    with pytest.warns(UserWarning, match="unreadable"), \
            pytest.raises(ValueError, match="no readable audio tracks"):
        pipeline.train_run(tmp_path / "data", out_dir=tmp_path / "b", epochs=1, verbose=0)


@pytest.mark.parametrize("model,option,error", [
    ("cnn", {"kernal_size": 3}, TypeError),
    ("crnn", {"pooling": "max"}, ValueError),
    ("rnn", {"n_layers": 0}, ValueError),
])
def test_bad_model_option_is_named_and_leaves_no_finished_run(model, option, error, index, cache,
                                                              tmp_path) -> None:
    """An unknown or invalid model option stops train_run with an error naming it."""
    (name, _), = option.items()
    with pytest.raises(error, match=name):
        _train(index, cache, tmp_path / "run", model=model, **option)
    assert not (tmp_path / "run" / runs.METRICS_FILE).exists()


def test_class_count_mismatch_at_evaluation_is_refused(base_run, index, cache) -> None:
    """Model outputs (10 classes) that do not match the genres given raise ValueError."""
    features = extract_features(index, MEL, cache_dir=cache, progress=False).select(base_run.split.test)
    with pytest.raises(ValueError, match="10 classes but 4 genres"):
        pipeline.evaluate_features(base_run.model, features, kind="cnn", genres=base_run.genres[:4])
    probs = np.full((len(features), 3), 1 / 3)
    with pytest.raises(ValueError, match="3 classes but 10 genres"):
        evaluate_predictions(probs, features.y, features.track_ids, genres=base_run.genres)


def test_empty_evaluation_set_gives_none(base_run, index, cache) -> None:
    """evaluate_features returns None for no features or an empty FeatureSet."""
    features = extract_features(index, MEL, cache_dir=cache, progress=False)
    assert pipeline.evaluate_features(base_run.model, None, kind="cnn", genres=base_run.genres) is None
    empty = features.select([])
    assert len(empty) == 0
    assert pipeline.evaluate_features(base_run.model, empty, kind="cnn", genres=base_run.genres) is None


def test_evaluate_run_on_data_without_usable_audio_raises(base_run, tmp_path) -> None:
    """evaluate_run on clips too short for one segment raises ValueError 'no usable audio'."""
    folder = tmp_path / "short" / "genres" / "blues"
    folder.mkdir(parents=True)
    with wave.open(str(folder / "blues.00000.wav"), "wb") as handle:  # 1 s: under one 3 s segment
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(22_050)
        handle.writeframes((np.sin(np.arange(22_050) * 0.05) * 8000).astype("<i2").tobytes())
    with pytest.warns(UserWarning, match="skipped clip"), \
            pytest.raises(ValueError, match="no usable audio"):
        pipeline.evaluate_run(base_run.run_dir, tmp_path / "short", cache_dir=tmp_path / "cache",
                              progress=False)
