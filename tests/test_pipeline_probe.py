"""The pretrained kinds through the whole pipeline: a linear probe of a tagger's embeddings
and a fine-tuned tagger are trained, evaluated on other data, compared, ensembled and used
by ``predict`` like any run, from run folders that record the embeddings they read.

Tiny synthetic data (8 s clips, padded to the taggers' 30 s like every clip of the
project); the numbers checked are the pipeline's consistency, not accuracy.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("keras")

from genrelib.pretrained.wheel import INSTALL_LINE  # noqa: E402

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("musicnn") is None,
    reason=f"the pretrained weights' package is not installed: {INSTALL_LINE}")

CLIP_SECONDS = 8.0


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """DATA (3 tracks per genre), OTHER (1 per genre, another seed) and song.ogg (a clip of
    OTHER, 8 s: 4 patches of 2.976 s every 1.488 s)."""
    import soundfile as sf

    from genrelib.datasets.synthetic import generate_synthetic_gtzan

    root = tmp_path_factory.mktemp("probe_data")
    train = generate_synthetic_gtzan(root / "data", tracks_per_genre=3, seconds=CLIP_SECONDS, seed=0, n_jobs=1)
    other = generate_synthetic_gtzan(root / "other", tracks_per_genre=1, seconds=CLIP_SECONDS, seed=1, n_jobs=1)
    y, rate = sf.read(other / "genres" / "jazz" / "jazz.00000.wav")
    sf.write(root / "song.ogg", y, rate)
    return {"data": train, "other": other, "song": root / "song.ogg"}


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from genrelib.cli import main

    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def probe_run(data, tmp_path_factory, module_cache) -> Path:
    """``genrelib train DATA --model vgg-probe --option source=MTT --option C=0.5``."""
    from genrelib.cli import main

    out = tmp_path_factory.mktemp("probe") / "run"
    assert main(["train", str(data["data"]), "--model", "vgg-probe", "--option", "source=MTT",
                 "--option", "C=0.5", "--out", str(out), "--quiet"]) == 0
    return out


@pytest.mark.slow
def test_a_probe_run_records_the_embeddings_it_read(probe_run: Path) -> None:
    from genrelib.pipeline import load_run_record
    from genrelib.predict import model_settings
    from genrelib.pretrained import EmbeddingSpec
    from genrelib.runs import load_json, read_model_metadata

    spec = EmbeddingSpec("MTT_vgg", "flatten")
    assert sorted(p.name for p in probe_run.iterdir()) == ["config.json", "history.csv", "metrics.json",
                                                           "model.skops", "split.json"]
    config = load_json(probe_run / "config.json")
    assert config["model"] == "vgg-probe" and config["model_options"] == {"source": "MTT", "C": 0.5}
    assert config["feature_config"] == {**spec.to_dict(), "kind": "embedding"}
    assert read_model_metadata(probe_run)["feature_config"] == config["feature_config"]
    assert load_run_record(probe_run).config.feature_config == spec
    _, kind, cfg, genres = model_settings(probe_run)
    assert (kind, cfg, len(genres)) == ("vgg-probe", spec, 10)
    record = load_run_record(probe_run)
    assert record.metrics.epochs_run is None and record.config.parameters == 2 * 256 + 257 * 10


@pytest.mark.slow
def test_the_probe_is_fitted_on_the_training_tracks_only(probe_run: Path, data) -> None:
    """The saved probe's scaler holds the mean of the training tracks' embeddings, and a
    probe refitted on those tracks alone has the saved coefficients."""
    from genrelib.datasets import index_dataset
    from genrelib.models import build_classical, feature_table, fit_classical
    from genrelib.pretrained import EmbeddingSpec, extract_embeddings
    from genrelib.runs import load_json, load_run_model

    split = load_json(probe_run / "split.json")
    assert split["train"] and split["test"] and not set(split["train"]) & set(split["test"])
    features = extract_embeddings(index_dataset(data["data"]), EmbeddingSpec("MTT_vgg"), progress=False)
    train = features.select(split["train"])
    model, _ = load_run_model(probe_run)
    assert len(train) == 19 * len(split["train"]) < len(features)
    # atol: float32 embeddings recomputed here may differ in their last bits (a mean near 0 once
    # missed rtol alone by 2.5e-8); the mean over other tracks differs by orders of magnitude more.
    np.testing.assert_allclose(model.named_steps["scale"].mean_, feature_table(train.X).mean(axis=0),
                               rtol=1e-5, atol=1e-6)
    again = build_classical("vgg-probe", source="MTT", C=0.5)
    fit_classical(again, train.X, train.y, n_classes=10)
    np.testing.assert_allclose(model.named_steps["logreg"].coef_, again.named_steps["logreg"].coef_,
                               rtol=1e-4, atol=1e-6)


@pytest.mark.slow
def test_a_probe_fitted_on_tracks_sees_one_mean_row_per_training_track(data, tmp_path) -> None:
    """``fit_on="tracks"``: the scaler and the regression are fitted on the mean embedding of
    each training track (one row per track: the scaler's mean, scale and count are those
    rows'), and every test patch is still scored. Breaks tried: the means taken over every
    track (test ones too) -> the mean differs; the fit left per patch -> scale and count differ."""
    from sklearn.preprocessing import StandardScaler

    from genrelib.datasets import index_dataset
    from genrelib.models import build_classical
    from genrelib.pipeline import RunSpec, train_run
    from genrelib.pretrained import EmbeddingSpec, extract_embeddings

    run = train_run(data["data"], RunSpec(model="vgg-probe", options={"source": "MTT", "fit_on": "tracks"}),
                    out_dir=tmp_path / "tracks", verbose=0)
    assert run.config.model_options == {"source": "MTT", "fit_on": "tracks"}
    features = extract_embeddings(index_dataset(data["data"]), EmbeddingSpec("MTT_vgg"), progress=False)
    train_ids = list(run.split.train)
    rows = np.stack([features.select([t]).X[:, :, 0].astype(np.float64).mean(axis=0) for t in train_ids])
    scaler = run.model.named_steps["scale"]
    np.testing.assert_allclose(scaler.mean_, rows.mean(axis=0), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(scaler.scale_, StandardScaler().fit(rows).scale_, rtol=1e-4, atol=1e-7)
    assert scaler.n_samples_seen_ == len(train_ids) < len(features)
    again = build_classical("vgg-probe", source="MTT").fit(rows.astype(np.float32),
                                                          [features.select([t]).y[0] for t in train_ids])
    np.testing.assert_allclose(run.model.named_steps["logreg"].coef_, again.named_steps["logreg"].coef_,
                               rtol=1e-3, atol=1e-5)
    assert run.test.n_segments == 19 * len(run.split.test) and run.metrics.n_tracks.train == len(train_ids)


def test_track_means_gives_one_row_per_track_in_order_of_appearance() -> None:
    """Tracks of 1, 3 and 2 segments, interleaved: each row is its own track's mean.
    Break tried: the mean over every segment in each row -> fails."""
    from genrelib.models.track_rows import track_means

    X = np.arange(12, dtype=np.float32).reshape(6, 2, 1)
    ids = np.array(["b", "a", "b", "c", "a", "a"])
    means, labels = track_means(X, np.array([4, 7, 4, 1, 7, 7]), ids)
    expected = [X[[0, 2]].mean(axis=0), X[[1, 4, 5]].mean(axis=0), X[[3]].mean(axis=0)]  # b, a, c
    np.testing.assert_allclose(means, np.stack(expected))
    assert means.dtype == np.float32 and labels.tolist() == [4, 7, 1]
    with pytest.raises(ValueError, match="different labels"):
        track_means(X, np.array([4, 7, 5, 1, 7, 7]), ids)


@pytest.mark.slow
def test_the_embedding_cache_is_keyed_by_model_and_layer(probe_run: Path, data, tmp_path, monkeypatch) -> None:
    """A second layer of the same tagger (and a second tagger) on the same data get their
    own cache files: all three are read back later without a warning or a recomputation."""
    import warnings

    from genrelib.datasets import index_dataset
    from genrelib.pipeline import RunSpec, train_run
    from genrelib.pretrained import EmbeddingSpec, embeddings, extract_embeddings

    pool5 = train_run(data["data"], RunSpec(model="vgg-probe", options={"source": "MTT", "layer": "pool5"}),
                      out_dir=tmp_path / "pool5", verbose=0)
    assert pool5.config.feature_config == EmbeddingSpec("MTT_vgg", "pool5")
    assert pool5.config.parameters == 2 * 128 + 129 * 10
    train_run(data["data"], RunSpec(model="vgg-probe", options={"source": "MSD"}), out_dir=tmp_path / "msd",
              verbose=0)
    index = index_dataset(data["data"])

    def no_recomputation(*args, **kwargs):
        raise AssertionError("the embeddings were computed again instead of read from the cache")

    monkeypatch.setattr(embeddings, "_compute", no_recomputation)
    sizes = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "ignoring embedding cache file ...: another EmbeddingSpec"
        for spec in (EmbeddingSpec("MTT_vgg"), EmbeddingSpec("MTT_vgg", "pool5"), EmbeddingSpec("MSD_vgg")):
            sizes[spec.model, spec.layer] = extract_embeddings(index, spec, progress=False).X.shape[1]
    assert sizes == {("MTT_vgg", "flatten"): 256, ("MTT_vgg", "pool5"): 128, ("MSD_vgg", "flatten"): 256}


@pytest.mark.slow
def test_evaluate_recomputes_the_same_embeddings(probe_run: Path, data, capsys) -> None:
    """The run's test tracks scored again by ``evaluate`` give its metrics.json numbers, and
    ``genrelib evaluate RUN --data OTHER --json`` scores every track of OTHER."""
    from genrelib.datasets import index_dataset
    from genrelib.pipeline import evaluate_run, load_run_record
    from genrelib.runs import load_json

    test_ids = load_json(probe_run / "split.json")["test"]
    again = evaluate_run(probe_run, index_dataset(data["data"]).subset(test_ids), progress=False)
    recorded = load_run_record(probe_run).metrics.test
    assert again.n_segments == recorded.n_segments == 19 * len(test_ids)
    assert again.segment_accuracy == pytest.approx(recorded.segment_accuracy)
    assert again.track_accuracy == pytest.approx(recorded.track_accuracy)

    code, out, err = _cli(["evaluate", str(probe_run), "--data", str(data["other"]), "--json"], capsys)
    assert code == 0, err
    result = json.loads(out)
    assert result["n_tracks"] == 10 and result["n_segments"] == 190
    assert result["track_accuracy"] == pytest.approx(evaluate_run(probe_run, data["other"], progress=False).track_accuracy)


@pytest.mark.slow
def test_predict_scores_every_patch_of_a_file(probe_run: Path, data, capsys) -> None:
    """``genrelib predict RUN song.ogg --json``: one row per 3 s patch of the whole file
    (1.488 s apart), the probe's probabilities of the tagger's embeddings of that file."""
    from genrelib.models import predict_classical
    from genrelib.pretrained import EmbeddingSpec, load_clip, recording_features
    from genrelib.runs import load_run_model

    code, out, err = _cli(["predict", str(probe_run), str(data["song"]), "--json"], capsys)
    assert code == 0, err
    [prediction] = json.loads(out)
    assert prediction["segments"] == 4
    assert [row["start"] for row in prediction["timeline"]] == pytest.approx([0.0, 1.488, 2.976, 4.464])
    model, meta = load_run_model(probe_run)
    features = recording_features(load_clip(data["song"]), EmbeddingSpec("MTT_vgg"))
    probs = predict_classical(model, features)
    best = int(probs.mean(axis=0).argmax())
    assert prediction["top_k"][0][0] == meta["genres"][best]
    assert prediction["top_k"][0][1] == pytest.approx(float(probs.mean(axis=0)[best]), abs=1e-5)
    assert [row["probability"] for row in prediction["timeline"]] == pytest.approx(probs.max(axis=1), abs=1e-5)


@pytest.mark.slow
def test_compare_and_ensembles_take_probes_like_any_run(probe_run: Path, data, tmp_path) -> None:
    from genrelib.pipeline import RunSpec, compare_runs, evaluate_runs, train_run

    musicnn = train_run(data["data"], RunSpec(model="musicnn-probe", options={"C": 0.1}), out_dir=tmp_path / "musicnn",
                        verbose=0)
    assert musicnn.config.feature_config.model == "MSD_musicnn" and musicnn.config.feature_config.layer == "penultimate"
    both = evaluate_runs([probe_run, musicnn.run_dir], data["other"], progress=False)
    assert both.ensemble.extra["ensemble_level"] == "segment"  # the same patch grid
    assert both.ensemble.n_tracks == 10
    logreg = train_run(data["data"], RunSpec(model="logreg"), out_dir=tmp_path / "logreg", verbose=0)
    paired = compare_runs(probe_run, logreg.run_dir, data["other"], progress=False)
    assert paired.mcnemar.n_tracks == 10
    assert paired.a.track_accuracy == pytest.approx(both.members["run"].track_accuracy)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["vgg-finetune", "musicnn-finetune"])
def test_training_on_the_frozen_fronts_outputs_equals_training_the_whole_tagger(kind: str) -> None:
    """split_frozen_front: the learner on the front's outputs computes the model, and training
    it (what a fine-tuned run does: the front once per patch) gives the same history and
    weights as training the whole model on the patches, the frozen layers untouched."""
    import keras

    from genrelib.config import TrainConfig
    from genrelib.models import build_model, split_frozen_front
    from genrelib.training import fit_model, set_seed

    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 1.0, size=(40, 187, 96)).astype("float32")  # log-mel-like patches
    y = rng.integers(0, 10, size=40)
    train = TrainConfig(epochs=2, batch_size=8, learning_rate=1e-3, seed=0)

    def trained(through_front: bool) -> tuple[keras.Model, list]:
        set_seed(0)
        model = build_model(kind, input_shape=(187, 96), n_classes=10, dropout=0.0)
        front, learner = split_frozen_front(model, kind)
        if not through_front:
            return model, fit_model(model, x[:32], y[:32], x[32:], y[32:], train=train, verbose=0)
        features = front.predict(x, verbose=0)
        np.testing.assert_allclose(learner.predict(features, verbose=0), model.predict(x, verbose=0), atol=1e-5)
        return model, fit_model(learner, features[:32], y[:32], features[32:], y[32:], train=train, verbose=0)

    (whole, history_whole), (split, history_split) = trained(False), trained(True)
    for column in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(history_split[column], history_whole[column], atol=1e-4, err_msg=column)
    for a, b in zip(split.get_weights(), whole.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-4)
    set_seed(0)
    fresh = build_model(kind, input_shape=(187, 96), n_classes=10, dropout=0.0)
    changed = {w.path for w, before in zip(split.weights, fresh.weights, strict=True)
               if not np.array_equal(keras.ops.convert_to_numpy(w), keras.ops.convert_to_numpy(before))}
    assert changed and all(path.split("/")[-2] in ("conv5", "dense", "genre") for path in changed), changed


def test_a_fine_tuned_vgg_learns_in_its_fifth_convolution_and_its_head_only() -> None:
    """build_vgg_finetune leaves the tagger frozen but for its last block: the trainable weights
    are those of "conv5" and the "genre" head (no training needed to see it).

    Break tried: layer.trainable = True for every layer of the body -> this test fails (conv1,
    bn1, ... among the trainable weights)."""
    from genrelib.models.finetune import build_vgg_finetune

    model = build_vgg_finetune(n_classes=3)
    assert {w.path.split("/")[-2] for w in model.trainable_weights} == {"conv5", "genre"}


@pytest.mark.slow
def test_fine_tuning_trains_the_last_block_and_the_head_only(data, tmp_path) -> None:
    from genrelib.pipeline import RunSpec, evaluate_run, train_run
    from genrelib.predict import load_predictor, predict_file
    from genrelib.pretrained import load_pretrained

    result = train_run(data["data"], RunSpec(model="vgg-finetune", epochs=1), out_dir=tmp_path / "ft", verbose=0)
    assert result.config.train_config.learning_rate == pytest.approx(1e-4)
    assert result.config.feature_config.layer == "patch" and (tmp_path / "ft" / "model.keras").is_file()
    trained = {w.path.split("/")[-2] for w in result.model.trainable_weights}
    assert trained == {"conv5", "genre"}, trained
    body, original = result.model.get_layer("MSD_vgg_body"), load_pretrained("MSD_vgg")
    for name in ("conv1", "bn4", "conv5", "bn5"):
        same = all(np.array_equal(a, b) for a, b in zip(body.get_layer(name).get_weights(),
                                                          original.get_layer(name).get_weights()))
        assert same == (name != "conv5"), name  # frozen layers (batch norms too) keep the tagger's weights

    evaluation = evaluate_run(tmp_path / "ft", data["other"], progress=False)
    assert evaluation.n_segments == 190
    with pytest.raises(ValueError, match="hop_frames"):
        evaluate_run(tmp_path / "ft", data["other"], progress=False, hop_frames=16)
    prediction = predict_file(load_predictor(tmp_path / "ft"), data["song"])
    assert prediction.probs.shape == (4, 10)


def test_probe_options_are_checked_before_any_data_is_read(tmp_path, capsys) -> None:
    for option, message in (("source=XYZ", "--option source: expected one of ['MSD', 'MTT'], got 'XYZ'"),
                            ("layer=pool9", "--option layer: MSD_vgg has no embedding layer 'pool9'"),
                            ("layer=patch", "--option layer: MSD_vgg has no embedding layer 'patch'"),
                            ("fit_on=clips", "--option fit_on: expected one of ['patches', 'tracks'], got 'clips'"),
                            ("kernel_size=3", "'vgg-probe' has no option 'kernel_size'; its options: C, fit_on, "
                                              "layer, max_iter, source")):
        code, _, err = _cli(["train", str(tmp_path / "missing"), "--model", "vgg-probe", "--option", option,
                             "--out", str(tmp_path / "run")], capsys)
        assert code == 2 and message in err, err
    code, _, err = _cli(["train", str(tmp_path / "missing"), "--model", "musicnn-finetune", "--augment", "crop",
                         "--out", str(tmp_path / "run")], capsys)
    assert code == 2 and "a pretrained tagger's embeddings or patches" in err, err
    assert not (tmp_path / "run").exists()


def test_reference_takes_the_probe_kinds_and_checks_their_options(tmp_path, capsys) -> None:
    """``genrelib reference --models`` accepts the pretrained kinds beside the study's, and
    refuses a bad option of theirs before any data is read."""
    out = ["--runs", str(tmp_path / "runs"), "--records", str(tmp_path / "records")]
    with pytest.raises(SystemExit) as exit_:
        _cli(["reference", str(tmp_path), *out, "--models", "vgg-probe,logreg,nope"], capsys)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "unknown model(s) ['nope']" in err and "musicnn-probe" in err, err
    code, _, err = _cli(["reference", str(tmp_path), *out, "--models", "vgg-probe,musicnn-probe",
                         "--option", "source=XYZ"], capsys)
    assert code == 2 and "source: expected one of ['MSD', 'MTT'], got 'XYZ'" in err, err
    code, _, err = _cli(["reference", str(tmp_path), *out, "--models", "musicnn-probe", "--option", "fit_on=track"],
                        capsys)
    assert code == 2 and "fit_on: expected one of ['patches', 'tracks'], got 'track'" in err, err
    assert not (tmp_path / "runs").exists() and not (tmp_path / "records").exists()
