"""genrelib.models.classical: the classical baseline (model.skops runs; the "stats" features
are tested in test_features_stats.py).

logreg/svm saved and loaded through skops (identical probabilities, metadata,
only the trusted types, clear errors for files that are no skops model); options; and
`genrelib train --model logreg|svm` then `genrelib evaluate` on the tiny synthetic set,
with the run folder's layout and run reuse.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genrelib import runs
from genrelib.config import FeatureConfig
from genrelib.models import CLASSICAL_KINDS, classical, penalty

#: 8 s clips, 3 s segments at 50 % overlap: 4 segments of 130 frames each.
STATS = FeatureConfig(kind="stats", clip_seconds=8.0)
#: The keys of every run's metrics.json (pipeline.RunMetrics.to_dict), deep or classical.
METRICS_KEYS = {"model", "protocol", "epochs_run", "best_epoch", "train_seconds",
                "seconds_per_epoch", "data_wait_fraction", "n_segments", "n_tracks", "valid", "test"}


# --------------------------------------------------------------------------- the features


# --------------------------------------------------------------------------- models and files


def _fitted(kind: str, **options):
    """A classical model fitted on random "stats"-shaped data of 3 well separated classes."""
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 20)
    X = (rng.normal(size=(60, 6)) + 2.0 * y[:, None]).astype(np.float32)[:, :, None]
    model = classical.build_classical(kind, seed=0, **options)
    history = classical.fit_classical(model, X, y, X[:9], y[:9], n_classes=3)
    return model, X, history


@pytest.mark.slow
@pytest.mark.parametrize("kind", CLASSICAL_KINDS)
def test_save_load_round_trip(kind, tmp_path) -> None:
    model, X, history = _fitted(kind)
    assert list(history.columns) == ["fit_seconds", "loss", "accuracy", "val_loss", "val_accuracy"]
    assert len(history) == 1 and history["accuracy"].iloc[0] > 0.9
    metadata = {"genres": ["a", "b", "c"], "feature_config": STATS.to_dict(), "model_kind": kind,
                "model_options": {}, "standardizer": None}
    path = runs.save_run_model(model, tmp_path / runs.SKOPS_MODEL_FILE, metadata)
    loaded, meta = runs.load_run_model(path)
    (tmp_path / runs.METRICS_FILE).write_text("{}")  # a finished run's folder works as the file
    assert runs.load_run_model(tmp_path)[1] == meta
    assert meta == metadata == runs.read_model_metadata(path)
    probs = classical.predict_classical(loaded, X)
    assert probs.shape == (60, 3) and probs.dtype == np.float32
    np.testing.assert_array_equal(probs, classical.predict_classical(model, X))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    assert not any(name.endswith(".pkl") for name in zipfile.ZipFile(path).namelist())


@pytest.mark.slow
def test_trusted_types_are_exactly_those_of_the_models(tmp_path) -> None:
    found: set[str] = set()
    for kind in CLASSICAL_KINDS:
        path = runs.save_run_model(_fitted(kind)[0], tmp_path / kind / "model.skops", {})
        with zipfile.ZipFile(path) as archive:
            found |= runs._schema_types(json.loads(archive.read("schema.json")))
    assert {t for t in found if not t.startswith("builtins.")} == set(runs.SKOPS_TRUSTED_TYPES)


def test_files_that_are_no_skops_model_give_clear_errors(tmp_path) -> None:
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler

    text = tmp_path / "text" / "model.skops"
    text.parent.mkdir()
    text.write_text("not a model")
    with pytest.raises(ValueError, match=r"is not a \.skops model file \(not a zip archive\)") as caught:
        runs.load_run_model(text)
    assert str(caught.value).endswith(runs.RETRAIN_ADVICE)  # what to do, not only what is wrong
    other_zip = tmp_path / "zip" / "model.skops"
    other_zip.parent.mkdir()
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("genrelib.json", "{}")
    with pytest.raises(ValueError, match="is not a skops model file"):
        runs.load_run_model(other_zip)
    # A genuine skops file with a type no genrelib model holds (skops itself would trust it).
    foreign = Pipeline([("scale", MinMaxScaler())]).fit(np.arange(6.0).reshape(3, 2))
    path = runs.save_run_model(foreign, tmp_path / "foreign" / "model.skops", {"model_kind": "logreg"})
    with pytest.raises(ValueError, match=r"does not load: \['sklearn.preprocessing._data.MinMaxScaler'\]"):
        runs.load_run_model(path)
    # A real model file damaged inside (a member's bytes garbled): what is wrong and what to do.
    damaged = runs.save_run_model(_fitted("logreg")[0], tmp_path / "damaged" / "model.skops", {})
    with zipfile.ZipFile(damaged) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(damaged, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data if name in ("schema.json", "genrelib.json") else b"garbled")
    with pytest.raises(ValueError, match="skops could not load it") as caught:
        runs.load_run_model(damaged)
    assert "the file is damaged: train it again with `genrelib train" in str(caught.value)
    with pytest.raises(ValueError, match=r"must end in \.keras or \.skops"):
        runs.save_run_model(foreign, tmp_path / "model.pkl", {})
    both = tmp_path / "both"
    both.mkdir()
    (both / "model.keras").write_text("x")
    (both / "model.skops").write_text("x")
    with pytest.raises(ValueError, match="holds model.keras and model.skops"):
        runs.find_model_file(both)


def test_options_reach_the_model_and_unknown_ones_are_refused() -> None:
    logreg = classical.build_classical("logreg", seed=3, C=0.5, max_iter=50)
    assert logreg.named_steps["logreg"].get_params()["C"] == 0.5
    assert logreg.named_steps["logreg"].random_state == 3
    svm = classical.build_classical("svm", seed=4, C=10, gamma=0.01, calibration_folds=3)
    svc = svm.named_steps["svm"].estimator
    assert (svc.C, svc.gamma, svc.kernel, svc.random_state) == (10, 0.01, "rbf", 4)
    assert svm.named_steps["svm"].cv == 3
    with pytest.raises(TypeError, match=r"build_svm got unknown option\(s\) \['kernel_size'\]; accepted: "
                                        r"\['C', 'calibration_folds', 'gamma'\]"):
        classical.build_classical("svm", kernel_size=3)
    with pytest.raises(ValueError, match="not a classical model kind"):
        classical.build_classical("cnn")
    with pytest.raises(ValueError, match="kind='stats'"):
        classical.feature_table(np.zeros((2, 128, 130), dtype=np.float32))
    with pytest.raises(ValueError, match="training split is empty"):
        classical.fit_classical(classical.build_logreg(), np.zeros((0, 3, 1)), np.array([], dtype=int),
                                n_classes=3)


# --------------------------------------------------------------------------- CLI and runs


@pytest.fixture(scope="module")
def cli_runs(cli_classical_runs, module_cache) -> dict[str, Path]:
    """`genrelib train --model logreg|svm` on the tiny synthetic set (conftest: 20 train
    tracks, 10 validation tracks, no test set)."""
    return cli_classical_runs


@pytest.mark.slow
@pytest.mark.parametrize("kind", CLASSICAL_KINDS)
def test_cli_run_folder(kind, cli_runs) -> None:
    run = cli_runs[kind]
    assert sorted(p.name for p in run.iterdir()) == sorted(runs.run_files(kind))
    assert runs.model_file_name(kind) == "model.skops"
    history = pd.read_csv(run / "history.csv")
    assert len(history) == 1 and "epoch" not in history and history["fit_seconds"].iloc[0] > 0
    metrics = json.loads((run / "metrics.json").read_text())
    assert set(metrics) == METRICS_KEYS
    assert metrics["epochs_run"] is None and metrics["data_wait_fraction"] is None
    assert metrics["train_seconds"] == round(history["fit_seconds"].iloc[0], 2)
    assert metrics["n_tracks"] == {"train": 20, "valid": 10, "test": 0} and metrics["test"] is None
    meta = runs.read_model_metadata(run)
    assert meta["model_kind"] == kind and meta["standardizer"] is None and "Pipeline" in meta["input"]
    assert FeatureConfig.from_dict(meta["feature_config"]) == FeatureConfig(kind="stats")
    config = json.loads((run / "config.json").read_text())
    assert config["model"] == kind and config["parameters"] > 90


@pytest.mark.slow
@pytest.mark.parametrize("kind", CLASSICAL_KINDS)
def test_cli_evaluate_above_chance(kind, cli_runs, tiny_synthetic, capsys) -> None:
    """`genrelib evaluate` reads the classical run like a Keras one: its JSON equals the
    library's evaluation and a computation from the model's own probabilities."""
    from genrelib.cli import main
    from genrelib.datasets import index_dataset
    from genrelib.features import extract_features
    from genrelib.pipeline import evaluate_run
    from genrelib.training import predict_probs

    capsys.readouterr()
    assert main(["evaluate", str(cli_runs[kind]), "--data", str(tiny_synthetic), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record == evaluate_run(cli_runs[kind], tiny_synthetic, progress=False).to_dict()
    net, meta = runs.load_run_model(cli_runs[kind])
    index = index_dataset(tiny_synthetic)
    features = extract_features(index, FeatureConfig.from_dict(meta["feature_config"]), progress=False)
    probs = predict_probs(net, features.X, model_kind=kind)
    assert probs.shape == (30 * 19, 10)
    genre_of = dict(zip(index.tracks["track_id"], index.tracks["genre"]))
    truth = np.array([meta["genres"].index(genre_of[t]) for t in features.track_ids])
    assert record["segment_accuracy"] == pytest.approx(float(np.mean(probs.argmax(axis=1) == truth)))
    chance = 1 / 10
    assert record["track_accuracy"] > 3 * chance  # every track, 20 of them seen in training
    held_out = json.loads((cli_runs[kind] / "metrics.json").read_text())["valid"]
    # The 190 segments of the 10 validation tracks (0.26 logreg, 0.33 svm when written;
    # 2 training tracks per genre are few): at chance, 38 or more right has p < 1e-5.
    assert held_out["segment_accuracy"] > 2 * chance, held_out


def test_cli_refuses_an_unknown_option(tiny_synthetic, tmp_path, module_cache, capsys) -> None:
    from genrelib.cli import main

    code = main(["train", str(tiny_synthetic), "--model", "logreg", "--out", str(tmp_path / "run"),
                 "--option", "kernel_size=3", "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert err == ("genrelib train: error: --model 'logreg' has no option 'kernel_size'; its options: "
                   "C, max_iter\n")
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_reuse_and_a_stale_model_file(tiny_synthetic, tmp_path, module_cache, monkeypatch) -> None:
    """reuse=True reads a finished classical run back (no fit) unless a setting changed; a
    Keras model left in the folder by an earlier run is removed when a classical one is fitted."""
    import genrelib.pipeline.run as run_module
    from genrelib.pipeline import RunSpec, train_run

    fits: list[str] = []
    real = run_module.models.fit_classical

    def counting(model, *args, **kwargs):
        fits.append(type(model.steps[-1][1]).__name__)
        return real(model, *args, **kwargs)

    monkeypatch.setattr(run_module.models, "fit_classical", counting)
    out = tmp_path / "run"
    out.mkdir()
    (out / runs.MODEL_FILE).write_text("an earlier CNN run's model")
    spec = RunSpec(model="logreg", seed=0, valid_fraction=0.34, test_fraction=0.34, options={"C": 0.5})
    first = train_run(tiny_synthetic, spec, out_dir=out, verbose=0, reuse=True)
    assert not (out / runs.MODEL_FILE).exists() and fits == ["LogisticRegression"]
    again = train_run(tiny_synthetic, spec, out_dir=out, verbose=0, reuse=True)
    assert fits == ["LogisticRegression"]  # reused: no second fit
    np.testing.assert_array_equal(
        classical.predict_classical(again.model, np.ones((2, 90, 1), dtype=np.float32)),
        classical.predict_classical(first.model, np.ones((2, 90, 1), dtype=np.float32)))
    assert again.metrics == first.metrics
    train_run(tiny_synthetic, spec.with_(options={"C": 2.0}), out_dir=out, verbose=0, reuse=True)
    assert len(fits) == 2  # another option: fitted again
    assert runs.load_run_model(out)[1]["model_options"] == {"C": 2.0}


@pytest.mark.slow
def test_a_genre_absent_from_training_gets_probability_zero(tmp_path) -> None:
    """The artist protocol can leave a whole genre out of training (a genre of one artist):
    the classical model still answers over every genre, and never picks the missing one."""
    from genrelib.models.classical import build_classical, fit_classical, predict_classical
    from genrelib.runs import load_run_model, save_run_model

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 6, 1)).astype("float32")
    y = np.repeat([1, 2, 3], 20)  # class 0 never seen
    X[y == 2] += 2.0
    model = build_classical("logreg", seed=0)
    history = fit_classical(model, X, y, X, y, n_classes=4)
    probs = predict_classical(model, X)
    assert probs.shape == (60, 4) and np.all(probs[:, 0] == 0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    assert np.isfinite(history[["loss", "val_loss"]].to_numpy()).all()
    path = save_run_model(model, tmp_path / "model.skops", {"genres": list("abcd"), "model_kind": "logreg"})
    loaded, _ = load_run_model(path)
    np.testing.assert_array_equal(predict_classical(loaded, X), probs)


# --------------------------------------------------------------------------- C chosen in training


def test_choose_C_equals_a_grid_search_grouped_by_track() -> None:
    """penalty.choose_C is scikit-learn's grid search over C with stratified folds grouped by track,
    scored by log loss (folds of equal size here, so its row-weighted mean is their mean)."""
    from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold

    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(3), 40)  # 10 tracks per genre, 4 rows each
    groups = np.repeat(np.arange(30), 4)
    table = (rng.normal(size=(120, 8)) + 0.5 * y[:, None]).astype(np.float32)
    candidates = (0.001, 0.01, 0.1, 1.0, 10.0)
    model = classical.build_logreg(seed=2)
    C, losses = penalty.choose_C(model, table, y, groups=groups, candidates=candidates)
    grid = GridSearchCV(model, {"logreg__C": list(candidates)}, scoring="neg_log_loss",
                        cv=StratifiedGroupKFold(n_splits=penalty.INNER_FOLDS, shuffle=True, random_state=2))
    grid.fit(table, y, groups=groups)
    np.testing.assert_allclose(losses, -grid.cv_results_["mean_test_score"], rtol=1e-6)
    assert C == grid.best_params_["logreg__C"] and 0.001 < C < 10.0, losses


def test_choose_C_never_scores_a_track_it_trained_on() -> None:
    """Rows of one track are near-copies and the genres are noise: held-out rows of a seen
    track would reward memorising (the weakest penalty); unseen tracks reward the strongest."""
    rng = np.random.default_rng(0)
    tracks = rng.normal(size=(40, 20))
    groups = np.repeat(np.arange(40), 6)
    y = np.repeat(np.arange(4), 10)[rng.permutation(40)][groups]
    table = tracks[groups] + 0.01 * rng.normal(size=(240, 20))
    candidates = (0.001, 100.0)
    model = classical.build_logreg(seed=0)
    assert penalty.choose_C(model, table, y, groups=groups, candidates=candidates)[0] == 0.001
    assert penalty.choose_C(model, table, y, groups=None, candidates=candidates)[0] == 100.0  # rows as tracks


def test_a_list_of_C_is_checked() -> None:
    from genrelib.pipeline import RunSpec

    model = classical.build_classical("logreg", seed=0, C=[1, 0.01, 0.1, 1.0])
    assert model.C_candidates_ == (0.01, 0.1, 1.0)
    assert model.named_steps["logreg"].C == 0.01
    assert not hasattr(classical.build_classical("logreg", C=0.5), "C_candidates_")
    assert not hasattr(classical.build_classical("vgg-probe", C=[2]), "C_candidates_")
    for bad, message in (([], "or a non-empty list of them"), ([0, 1], "or a non-empty list of them"),
                         (-1.0, "a positive number"), ([1, "a"], "a number or a list of numbers"),
                         ("big", "a number or a list of numbers")):
        with pytest.raises(ValueError, match=message):
            classical.build_classical("vgg-probe", C=bad)
    assert RunSpec(model="musicnn-probe", options={"C": [0.1, 1]}).options == {"C": [0.1, 1]}
    with pytest.raises(ValueError, match=r"option C: expected a number, got \[1, 10\]; --model svm takes one "
                                         r"value \(a list of candidates is for .*logreg"):
        RunSpec(model="svm", options={"C": [1, 10]})  # the svm takes one C
    with pytest.raises(ValueError, match="at least 2 training tracks"):
        penalty.choose_C(classical.build_logreg(), np.zeros((4, 2)), np.zeros(4, dtype=int),
                           groups=np.zeros(4), candidates=(1.0,))
    # Two genres, one of them with a single training track: an inner fold holds it out and trains
    # on one genre (scikit-learn's "needs samples of at least 2 classes" reached the user).
    y = np.array([0] * 6 + [1])
    with pytest.raises(ValueError, match=r"an inner fold would train on one genre only \(the fewest training "
                                         r"tracks of a genre: 1\); give one C instead"):
        penalty.choose_C(classical.build_logreg(), np.arange(14.0).reshape(7, 2), y, groups=None,
                         candidates=(0.1, 1.0))


@pytest.mark.slow
def test_a_run_chooses_C_on_its_training_tracks_alone(tiny_synthetic, tmp_path, module_cache,
                                                      monkeypatch) -> None:
    """train_run with C=[...]: the inner folds see the training tracks' segments only, the
    model keeps the chosen C, and history.csv records it beside its inner log loss."""
    from genrelib.pipeline import RunSpec, train_run

    seen: list[tuple[int, set]] = []
    real = penalty.choose_C

    def recording(model, table, y, *, groups, candidates, **kwargs):
        seen.append((len(table), set(groups)))
        losses = real(model, table, y, groups=groups, candidates=candidates, **kwargs)[1]
        return candidates[-1], losses  # not the builder's first candidate: the fit must apply it

    monkeypatch.setattr(classical, "choose_C", recording)
    spec = RunSpec(model="logreg", seed=0, valid_fraction=0.34, test_fraction=0.34,
                   options={"C": [0.01, 0.1, 1.0, 10.0]})
    result = train_run(tiny_synthetic, spec, out_dir=tmp_path / "run", verbose=0)
    train_tracks = set(result.split.train)
    assert seen == [(len(train_tracks) * 19, train_tracks)]
    history = pd.read_csv(tmp_path / "run" / runs.HISTORY_FILE)
    assert history["C"].iloc[0] == 10.0 and history["inner_log_loss"].iloc[0] > 0
    assert result.model.named_steps["logreg"].C == 10.0
    assert runs.load_run_model(tmp_path / "run")[0].named_steps["logreg"].C == 10.0
    from genrelib.pipeline import describe_run  # train's summary says it (it was in history.csv only)

    assert (f"C chosen in training: 10 (history.csv; mean inner log loss {history['inner_log_loss'].iloc[0]:.3f})"
            in describe_run(result).splitlines())


@pytest.mark.slow
def test_evaluate_hop_is_refused_for_a_classical_run(cli_runs, tiny_synthetic, capsys) -> None:
    """--hop re-cuts a deep model's log-mel segments; on a logreg run it would do nothing, so it
    is a usage error (as train's --epochs for logreg), before any feature is computed.

    Break tried: no check in run_evaluate -> exit 0, the default grid's numbers."""
    from genrelib.cli import main

    capsys.readouterr()
    assert main(["evaluate", str(cli_runs["logreg"]), "--data", str(tiny_synthetic), "--hop", "16"]) == 2
    assert capsys.readouterr().err.startswith("genrelib evaluate: error: --hop 16: no effect on a logreg run")


def test_choose_C_uses_no_more_folds_than_the_smallest_genre_has_tracks() -> None:
    """With 3 training tracks in one genre, C is chosen by 3 inner folds (not 5), each holding
    out one of them; the losses are the row-weighted means of scikit-learn's 3-fold grid search.

    Break tried: folds = min(5, tracks), ignoring the smallest genre -> 5 folds, other losses.
    """
    from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold

    rng = np.random.default_rng(3)
    y = np.repeat([0] * 10 + [1] * 10 + [2] * 3, 4)  # 23 tracks of 4 rows, genre 2 has 3
    groups = np.repeat(np.arange(23), 4)
    table = (rng.normal(size=(92, 6)) + 0.7 * y[:, None]).astype(np.float32)
    candidates = (0.01, 1.0)
    model = classical.build_logreg(seed=2)
    _, losses = penalty.choose_C(model, table, y, groups=groups, candidates=candidates)
    cv = StratifiedGroupKFold(n_splits=3, shuffle=True, random_state=2)
    sizes = [len(test) for _, test in cv.split(table, y, groups)]
    grid = GridSearchCV(model, {"logreg__C": list(candidates)}, scoring="neg_log_loss", cv=cv)
    grid.fit(table, y, groups=groups)
    expected = -sum(grid.cv_results_[f"split{i}_test_score"] * n for i, n in enumerate(sizes)) / len(y)
    np.testing.assert_allclose(losses, expected, rtol=1e-6)


def test_parameter_count_adds_up_the_learned_numbers() -> None:
    """A logistic regression's count is its scaler's 2 x n_features plus weights and intercepts;
    an SVM's is the scaler's plus support vectors, dual coefficients, intercepts and the
    calibration's two numbers (slope, offset) per genre.

    Break tried: one calibration number per genre -> the SVM count is 3 short.
    """
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 6, 1)).astype("float32")
    y = np.repeat([0, 1, 2], 20)
    X[:, 0, 0] += y
    logreg = classical.build_classical("logreg", seed=0)
    classical.fit_classical(logreg, X, y, n_classes=3)
    assert classical.parameter_count(logreg) == 2 * 6 + 3 * 6 + 3
    svm = classical.build_classical("svm", seed=0, calibration_folds=2)
    classical.fit_classical(svm, X, y, n_classes=3)
    svc = svm.named_steps["svm"].calibrated_classifiers_[0].estimator
    learned = svc.support_vectors_.size + svc.dual_coef_.size + svc.intercept_.size
    assert classical.parameter_count(svm) == 2 * 6 + learned + 2 * 3


def test_fit_classical_records_the_inner_log_loss_of_the_chosen_C() -> None:
    """With C candidates, the fit's row names the C chosen and that C's own cross-validated log
    loss (here a middle candidate, not the first).

    Break tried: record the first candidate's loss -> inner_log_loss is that of C=0.001.
    """
    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(3), 40)  # 10 tracks per genre, 4 rows each
    groups = np.repeat(np.arange(30), 4)
    table = (rng.normal(size=(120, 8)) + 0.5 * y[:, None]).astype(np.float32)
    candidates = [0.001, 0.01, 0.1, 1.0, 10.0]
    C, losses = penalty.choose_C(classical.build_logreg(seed=2), table, y, groups=groups,
                                 candidates=candidates)
    model = classical.build_classical("logreg", seed=2, C=candidates)
    row = classical.fit_classical(model, table[:, :, None], y, n_classes=3, groups=groups).iloc[0]
    assert row["C"] == C != candidates[0]
    assert row["inner_log_loss"] == pytest.approx(losses[candidates.index(C)])
