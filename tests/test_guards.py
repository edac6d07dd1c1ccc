"""Leakage guards checked through the code that uses them (issue 22): nothing fitted at
training time sees a validation or test track, augmentation never reaches evaluation or
prediction, and a cached embedding is never read for another model or layer.

Each test names the break that was applied by hand and made it fail. The guards tested in
their module's own file (crops, the feature cache, k-fold) are listed with their breaks in
the guards table of docs/ARCHITECTURE.md.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np
import pytest
from helpers import make_dataset, tiny_spec

pytest.importorskip("keras")

import genrelib.pipeline.run as run_module  # noqa: E402
from genrelib import runs  # noqa: E402
from genrelib.features import FeatureSet, Standardizer  # noqa: E402
from genrelib.models import feature_table, model_input  # noqa: E402
from genrelib.pipeline import RunSpec, run_predictions, train_run  # noqa: E402


@pytest.fixture
def loud_held_out(monkeypatch) -> dict:
    """``train_run``'s features with every validation and test segment made wildly different
    (x 1000 + 500: far louder than any training segment). Returns {"split": the run's
    TrackSplit, "features": the FeatureSet the run received}."""
    seen: dict = {}
    real_split, real_extract = run_module.make_split, run_module.extract_features

    def split(*args, **kwargs):
        seen["split"] = real_split(*args, **kwargs)
        return seen["split"]

    def extract(*args, **kwargs) -> FeatureSet:
        features = real_extract(*args, **kwargs)
        held_out = np.isin(features.track_ids, [*seen["split"].valid, *seen["split"].test])
        X = features.X.copy()
        X[held_out] = X[held_out] * 1000.0 + 500.0
        seen["features"] = dataclasses.replace(features, X=X)
        return seen["features"]

    monkeypatch.setattr(run_module, "make_split", split)
    monkeypatch.setattr(run_module, "extract_features", extract)
    return seen


def _train_only(seen: dict) -> tuple[FeatureSet, FeatureSet]:
    """(the training tracks' features, every track's features) that the run received."""
    features = seen["features"]
    train = features.select(seen["split"].train)
    assert len(train) and len(train) < len(features)
    return train, features


@pytest.mark.slow
def test_the_standardiser_of_a_run_is_fitted_on_the_training_tracks_only(
        loud_held_out, tiny_index, tiny_cache, tmp_path) -> None:
    """A whole ``train_run`` whose validation and test segments are 1000 times louder: the
    standardiser saved with the model (genrelib.json and the model's first layer) is the one
    fitted on the training tracks' segments alone.

    Break tried: in genrelib/pipeline/run.py, ``Standardizer().fit(np.concatenate([sets["train"].X,
    sets["test"].X]))`` and, separately, with sets["valid"].X instead of the test set -> this
    test fails on the saved mean (issue 22 found no other test that fails on the first)."""
    import keras

    result = train_run(tiny_index, tiny_spec(), out_dir=tmp_path / "run", cache_dir=tiny_cache, verbose=0)
    assert result.split == loud_held_out["split"]
    train, everything = _train_only(loud_held_out)
    expected = Standardizer().fit(train.X)
    leaky = Standardizer().fit(everything.X)
    assert not np.allclose(leaky.mean_, expected.mean_, rtol=1e-3)  # a leak would show
    saved = Standardizer.from_dict(runs.read_model_metadata(tmp_path / "run")["standardizer"])
    np.testing.assert_allclose(saved.mean_, expected.mean_, rtol=1e-6)
    np.testing.assert_allclose(saved.std_, expected.std_, rtol=1e-6)
    layer = runs.load_run_model(tmp_path / "run")[0].get_layer("standardize")
    np.testing.assert_allclose(np.ravel(keras.ops.convert_to_numpy(layer.mean)), expected.mean_, rtol=1e-5)
    np.testing.assert_allclose(np.sqrt(np.ravel(keras.ops.convert_to_numpy(layer.variance))),
                               expected.std_, rtol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("model_kind", ["logreg", "svm"])
def test_the_scaler_of_a_classical_run_is_fitted_on_the_training_tracks_only(
        model_kind, loud_held_out, tiny_index, tiny_cache, tmp_path) -> None:
    """The same run for a classical model: its Pipeline's StandardScaler (saved in
    model.skops) holds the mean and standard deviation of the training segments alone.

    Break tried: in genrelib/pipeline/run.py ``fit``, ``fit_classical(net,
    np.concatenate([train_fs.X, sets["test"].X]), np.concatenate([train_fs.y, sets["test"].y]),
    ...)`` -> this test fails for both models (the scaler saw 380 segments, not the 190
    training ones)."""
    spec = RunSpec(model=model_kind, seed=0, valid_fraction=0.34, test_fraction=0.34)
    result = train_run(tiny_index, spec, out_dir=tmp_path / "run", cache_dir=tiny_cache, verbose=0)
    assert result.split == loud_held_out["split"]
    train, everything = _train_only(loud_held_out)
    table = feature_table(train.X).astype(np.float64)
    assert not np.allclose(feature_table(everything.X).mean(axis=0), table.mean(axis=0), rtol=1e-3)
    scaler = runs.load_run_model(tmp_path / "run")[0].named_steps["scale"]
    assert scaler.n_samples_seen_ == len(train)
    np.testing.assert_allclose(scaler.mean_, table.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(scaler.scale_, table.std(axis=0), rtol=1e-4)


def _direct_probs(net, X: np.ndarray, model_kind: str) -> np.ndarray:
    """The Keras model called on the features as they are (no library code in between)."""
    import keras

    return np.asarray(keras.ops.convert_to_numpy(net(model_input(X, model_kind), training=False)))


@pytest.mark.slow
def test_augmentation_never_reaches_evaluation_or_prediction(tiny_index, tiny_cache, tmp_path) -> None:
    """A run trained with every spectrogram augmentation: its validation and test metrics are
    those of the model on the segments as they are, and scoring the saved run later
    (``run_predictions``, the path of ``genrelib evaluate``; ``predict`` and ``compare`` use
    the same ``training.predict_probs``) gives the model's probabilities on unaltered
    segments, twice the same.

    Breaks tried: in genrelib/pipeline/run.py, the validation and test sets' X passed
    through ``augment.spectrogram.time_mask`` before step 5 (evaluate) -> the run's track
    probabilities differ from the direct ones; in genrelib/training/fit.py ``predict_probs``,
    ``augment.spectrogram.gain`` applied to X -> the same assertion fails first."""
    spec = tiny_spec(augment="crop,time_mask,freq_mask,gain")
    result = train_run(tiny_index, spec, out_dir=tmp_path / "run", cache_dir=tiny_cache, verbose=0)
    assert set(result.config.train_config.augment) == {"crop", "freq_mask", "gain", "time_mask"}
    features = run_module.extract_features(tiny_index, spec.feature_config, cache_dir=tiny_cache,
                                           progress=False)
    for name, evaluation in (("valid", result.valid), ("test", result.test)):
        part = features.select(getattr(result.split, name))
        probs = _direct_probs(result.model, part.X, "cnn")
        for track, mean in zip(evaluation.track_ids, evaluation.track_probs):
            np.testing.assert_allclose(mean, probs[part.track_ids == track].mean(axis=0), atol=1e-5)
        assert evaluation.segment_accuracy == pytest.approx(np.mean(probs.argmax(axis=1) == part.y))
    scored = run_predictions(tmp_path / "run", tiny_index, cache_dir=tiny_cache, progress=False)
    np.testing.assert_array_equal(scored.track_ids, features.track_ids)
    loaded = runs.load_run_model(tmp_path / "run")[0]
    np.testing.assert_allclose(scored.probs, _direct_probs(loaded, features.X, "cnn"), atol=1e-5)
    again = run_predictions(tmp_path / "run", tiny_index, cache_dir=tiny_cache, progress=False)
    np.testing.assert_array_equal(again.probs, scored.probs)


def test_a_cached_embedding_is_never_read_for_another_model_layer_or_data(tmp_path, monkeypatch) -> None:
    """Embeddings are cached per (data fingerprint, model, layer, input): a file of another
    layer, model or dataset put at a spec's cache path (as a key that forgot a field would)
    is ignored with a warning and the embeddings are computed for the spec asked for.
    (No pretrained weights needed: the computation is replaced by a marker per spec.)

    Breaks tried: genrelib/pretrained/embeddings.py ``_load`` without its EmbeddingSpec
    check -> the other layer's and model's files are read back; ``_load`` without its
    fingerprint check -> the other data's file is read back; EmbeddingSpec.cache_key
    without the layer (and embedding_cache_path's name without it) -> two layers share one
    path and the second spec reads the first's embeddings. Each fails this test
    (tests/test_pretrained_embeddings.py::test_cache_key_covers_model_layer_and_input
    catches the key break too)."""
    from genrelib.datasets import index_dataset
    from genrelib.pretrained import embeddings
    from genrelib.pretrained.embeddings import EmbeddingSpec, embedding_cache_path, extract_embeddings

    computed: list[EmbeddingSpec] = []

    def marker(index, spec, cache_dir, *, n_jobs, progress) -> FeatureSet:
        computed.append(spec)
        n = len(index.tracks)
        value = float(len(computed))  # which computation made these rows
        return FeatureSet(X=np.full((n, spec.n_features, 1), value, dtype=np.float32),
                          y=np.asarray(index.labels(), dtype=np.int64),
                          track_ids=index.tracks["track_id"].to_numpy(dtype=str), genres=tuple(index.genres),
                          config=spec, segment_index=np.zeros(n, dtype=np.int64))

    monkeypatch.setattr(embeddings, "_compute", marker)
    index = index_dataset(make_dataset(tmp_path / "data"))
    other_data = index_dataset(make_dataset(tmp_path / "other", per_genre=3))
    cache = tmp_path / "cache"
    penultimate = EmbeddingSpec("MSD_musicnn")
    layers = list(embeddings.embedding_layers("MSD_musicnn"))
    other_layer = EmbeddingSpec("MSD_musicnn", next(name for name in layers if name != penultimate.layer))
    other_model = EmbeddingSpec("MTT_musicnn", penultimate.layer)
    first = extract_embeddings(index, penultimate, cache_dir=cache, progress=False)
    assert extract_embeddings(index, penultimate, cache_dir=cache, progress=False).X[0, 0, 0] == 1.0
    assert len(computed) == 1  # the same spec and data: read back
    source = embedding_cache_path(index.fingerprint(), penultimate, cache_dir=cache)
    for data, spec in ((index, other_layer), (index, other_model), (other_data, penultimate)):
        path = embedding_cache_path(data.fingerprint(), spec, cache_dir=cache)
        assert path != source
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(source.read_bytes())  # the first spec's file where this one's belongs
        before = len(computed)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = extract_embeddings(data, spec, cache_dir=cache, progress=False)
        assert len(computed) == before + 1 and computed[-1] == spec
        assert got.X[0, 0, 0] == float(len(computed)) != first.X[0, 0, 0]
        assert any("ignoring embedding cache file" in str(w.message) for w in caught)
        assert got.config == spec and got.X.shape[1] == spec.n_features
    assert Path(source).is_file()
