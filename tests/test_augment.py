"""genrelib.augment and its hook into training: shapes, ranges and determinism of every
augmentation, crops that stay inside their own training clip, mixup's labels, test-time
segments, and the study's recipe unchanged when augmentation is off."""

from __future__ import annotations

import numpy as np
import pytest

from genrelib import augment
from genrelib.config import FeatureConfig, TrainConfig
from genrelib.features import FeatureSet, clip_features, log_mel, mfcc_from_log_mel
from genrelib.training import BatchFeed, fit_model, set_seed

SHORT = FeatureConfig(clip_seconds=8.0, n_mels=32)  # 4 segments of 130 frames, 345 frames in all


def _signal(seed: int, seconds: float = 8.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * 22050)) / 22050
    return (0.3 * np.sin(2 * np.pi * (200 + 50 * seed) * t * (1 + 0.1 * t)) +
            0.05 * rng.normal(size=t.size)).astype(np.float32)


@pytest.fixture(scope="module")
def signals() -> list[np.ndarray]:
    return [_signal(seed) for seed in range(4)]


def _feature_set(signals: list[np.ndarray], cfg: FeatureConfig = SHORT) -> FeatureSet:
    X = [clip_features(y, cfg) for y in signals]
    n = X[0].shape[0]
    return FeatureSet(X=np.concatenate(X), y=np.repeat(np.arange(len(X)) % 3, n),
                      track_ids=np.repeat([f"t{i}" for i in range(len(X))], n),
                      genres=("a", "b", "c"), config=cfg)


def test_parse_augment_orders_expands_and_names_the_choices() -> None:
    assert augment.parse_augment("mixup, crop,crop") == ("crop", "mixup")
    assert augment.parse_augment("default") == augment.DEFAULT_AUGMENT
    assert augment.parse_augment(None) == augment.parse_augment("none") == ()
    with pytest.raises(ValueError, match="unknown augmentation 'cropp'.*crop, gain"):
        augment.parse_augment("cropp")


def test_clip_bank_rebuilds_the_whole_clip_exactly(signals) -> None:
    features = _feature_set(signals)
    bank = augment.ClipBank.from_features(features)
    whole = log_mel(signals[1], SHORT)  # 345 frames; the segments cover the first 323
    assert bank.clips.shape == (4, 1, 32, int(bank.grid[-1]) + 130) == (4, 1, 32, 323)
    np.testing.assert_array_equal(bank.clips[1, 0], whole[:, :323])  # every frame, exactly
    offsets = np.array([0, 7, 100, bank.n_frames - 130])
    cut = bank.cut(np.ones(4, dtype=int), offsets)
    for segment, offset in zip(cut, offsets):
        np.testing.assert_array_equal(segment, whole[:, offset:offset + 130])
    with pytest.raises(ValueError, match="offsets must lie in"):
        bank.cut(np.array([0]), np.array([bank.n_frames - 129]))


def test_crops_stay_inside_their_own_training_clip(signals) -> None:
    features = _feature_set(signals)
    train = features.select(["t0", "t2", "t3"])  # t1 is in another set of the split
    aug = augment.Augmenter(["crop"], train)
    assert aug.bank.track_ids.tolist() == ["t0", "t2", "t3"]
    clips = {t: log_mel(signals[int(t[1])], SHORT) for t in ("t0", "t2", "t3")}
    rows = np.arange(len(train))
    x, y = aug(rows, np.random.default_rng(0))
    assert x.shape == (len(train), 32, 130) and x.dtype == np.float32
    np.testing.assert_array_equal(y, train.y)
    off_grid = 0
    for segment, track in zip(x, train.track_ids):
        clip = clips[track]
        hits = [o for o in range(clip.shape[1] - 129) if np.array_equal(clip[:, o:o + 130], segment)]
        assert hits, f"a crop of {track} is no slice of its own clip"
        off_grid += hits[0] not in set(aug.bank.grid.tolist())
    assert off_grid > 0  # crops leave the 1.5 s grid


def test_without_crop_the_grid_segments_come_back(signals) -> None:
    train = _feature_set(signals)
    x, _ = augment.Augmenter(["gain"], train)(np.arange(len(train)), np.random.default_rng(0))
    delta = x - train.X
    assert np.allclose(delta, delta[:, :1, :1], atol=1e-4)  # a constant dB per segment


def test_masks_fill_bands_with_the_segment_mean_and_nothing_else(signals) -> None:
    x = _feature_set(signals).X
    for mask, axis in ((augment.time_mask, 2), (augment.freq_mask, 1)):
        out = mask(x, np.random.default_rng(1))
        assert out.shape == x.shape and out.dtype == np.float32
        changed = (out != x).any(axis=3 - axis)  # per segment: which columns (or rows) changed
        limit = augment.MASKS * (augment.MAX_TIME_MASK if axis == 2 else min(augment.MAX_FREQ_MASK, 8))
        assert changed.any() and (changed.sum(axis=1) <= limit).all()
        for i in range(len(x)):
            np.testing.assert_allclose(np.unique(np.compress(changed[i], out[i], axis=axis - 1)),
                                       x[i].mean(), rtol=1e-5)


def test_gain_on_mfcc_moves_only_the_zeroth_coefficient_as_on_log_mel(signals) -> None:
    mel = _feature_set(signals, FeatureConfig(clip_seconds=8.0)).X[:3]
    shifted = augment.gain(mel, np.random.default_rng(2), kind="mel")
    g = (shifted - mel)[:, 0, 0]
    assert (np.abs(g) <= augment.GAIN_DB).all()
    mfcc = augment.gain(mfcc_from_log_mel(mel, n_mfcc=20), np.random.default_rng(2), kind="mfcc")
    np.testing.assert_allclose(mfcc, mfcc_from_log_mel(mel + g[:, None, None], n_mfcc=20), atol=1e-2)
    with pytest.raises(ValueError, match="'mel' or 'mfcc'"):
        augment.gain(mel, np.random.default_rng(0), kind="stats")


def test_mixup_mixes_segments_and_labels_with_the_same_weights() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(16, 4, 5)).astype(np.float32)
    y = np.arange(16) % 4
    mixed, soft = augment.mixup(x, y, np.random.default_rng(4), n_classes=4)
    assert soft.shape == (16, 4) and soft.dtype == np.float32
    np.testing.assert_allclose(soft.sum(axis=1), 1, rtol=1e-6)
    assert (soft >= 0).all() and (soft <= 1).all()
    draw = np.random.default_rng(4)
    lam, perm = draw.beta(0.2, 0.2, size=16).astype(np.float32), draw.permutation(16)
    np.testing.assert_allclose(mixed, lam[:, None, None] * x + (1 - lam[:, None, None]) * x[perm], rtol=1e-5)
    for i in range(16):  # the label weight of a segment's own genre is lam (plus the partner's share)
        own = lam[i] + (1 - lam[i]) * (y[perm[i]] == y[i])
        assert soft[i, y[i]] == pytest.approx(own, rel=1e-5)


@pytest.mark.parametrize("names", [["crop"], ["time_mask", "freq_mask"], ["gain"], ["mixup"],
                                   list(augment.DEFAULT_AUGMENT)])
def test_same_seed_same_stream_other_seed_other_stream(names, signals) -> None:
    train = _feature_set(signals)
    aug = augment.Augmenter(names, train, model="cnn")

    def stream(seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
        feed = BatchFeed(train.X, train.y, batch_size=5, seed=seed, augment=aug)
        try:
            return [feed.next_batch() for _ in range(7)]
        finally:
            feed.close()

    a, b, c = stream(0), stream(0), stream(1)
    assert a[0][0].shape == (5, 32, 130, 1)
    for (xa, ya), (xb, yb) in zip(a, b):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    assert any(not np.array_equal(xa, xc) for (xa, _), (xc, _) in zip(a, c))


def test_audio_augmentation_keeps_length_and_is_seeded() -> None:
    y = _signal(0, seconds=3.0)
    names = ("noise", "pitch", "stretch")
    a = augment.augment_audio(y, np.random.default_rng(5), names, sample_rate=22050)
    b = augment.augment_audio(y, np.random.default_rng(5), names, sample_rate=22050)
    assert a.shape == y.shape and a.dtype == np.float32 and np.isfinite(a).all()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, y)
    noisy = augment.augment_audio(y, np.random.default_rng(5), ["noise"], sample_rate=22050)
    snr = 10 * np.log10(np.mean(y ** 2) / np.mean((noisy - y) ** 2))
    assert augment.NOISE_SNR_DB[0] - 1 <= snr <= augment.NOISE_SNR_DB[1] + 1


def test_audio_names_need_their_copies(signals) -> None:
    with pytest.raises(ValueError, match="audio_copies"):
        augment.Augmenter(["pitch"], _feature_set(signals))


def test_audio_copies_are_versions_of_the_clips_the_stream_picks_from(signals) -> None:
    train = _feature_set(signals)
    copy = _feature_set([augment.augment_audio(y, np.random.default_rng(i), ["noise"], sample_rate=22050)
                         for i, y in enumerate(signals)])
    aug = augment.Augmenter(["noise"], train, copies=[copy])
    x, _ = aug(np.arange(len(train)), np.random.default_rng(0))
    from_copy = [np.array_equal(s, c) for s, c in zip(x, copy.X)]
    from_clip = [np.array_equal(s, c) for s, c in zip(x, train.X)]
    assert all(a or b for a, b in zip(from_copy, from_clip)) and any(from_copy) and any(from_clip)


def test_dense_segments_are_slices_of_each_track(signals) -> None:
    features = _feature_set(signals)
    dense = augment.dense_segments(features, hop_frames=16)
    per_track = 1 + (323 - 130) // 16
    assert len(dense) == 4 * per_track and dense.X.shape[1:] == (32, 130)
    whole = log_mel(signals[2], SHORT)
    rows = np.flatnonzero(dense.track_ids == "t2")
    np.testing.assert_array_equal(dense.X[rows[3]], whole[:, 48:178])
    assert set(dense.y[rows]) == {2}


def test_train_config_records_augmentation_only_when_on() -> None:
    assert "augment" not in TrainConfig().to_dict()
    on = TrainConfig(augment=("crop", "mixup"))
    assert on.to_dict()["augment"] == ["crop", "mixup"]
    assert TrainConfig.from_dict(on.to_dict()) == on


#: fit_model on the data of _tiny_fit with the code of commit 3f25bfc (before augmentation
#: existed): its losses, on this repository's machine bit for bit the same weights.
HEAD_LOSSES = ([1.2555826902389526, 1.075168251991272], [1.1216877698898315, 1.1211459636688232])
HEAD_FIRST_LABELS = [1, 0, 2, 1, 2, 2, 0, 1, 1, 2, 1, 0, 1, 2, 1, 1]


def _tiny_fit(**kwargs):
    from genrelib.models import build_model

    rng = np.random.default_rng(0)
    x = rng.normal(size=(70, 16, 20)).astype("float32")
    y = rng.integers(0, 3, 70)
    set_seed(3)
    model = build_model("cnn", input_shape=(16, 20, 1), n_classes=3, filters=(4, 8), dense_units=8)
    history = fit_model(model, x[..., None], y, x[:10, ..., None], y[:10],
                        train=TrainConfig(epochs=2, batch_size=16, seed=3), verbose=0, **kwargs)
    return history, x, y


def test_augmentation_off_reproduces_the_recipe_before_it() -> None:
    history, x, y = _tiny_fit()
    np.testing.assert_allclose(history["loss"], HEAD_LOSSES[0], rtol=1e-6)
    np.testing.assert_allclose(history["val_loss"], HEAD_LOSSES[1], rtol=1e-6)
    feed = BatchFeed(x, y, batch_size=16, seed=3, prefetch=0)
    assert feed.next_batch()[1].tolist() == HEAD_FIRST_LABELS


def test_mixup_trains_on_soft_labels_with_the_same_history_columns(signals) -> None:
    from genrelib.models import build_model

    train = _feature_set(signals)
    aug = augment.Augmenter(["crop", "mixup"], train, model="cnn")
    set_seed(0)
    model = build_model("cnn", input_shape=(32, 130, 1), n_classes=3, filters=(4,), dense_units=8)
    history = fit_model(model, train.X[..., None], train.y, train.X[:4, ..., None], train.y[:4],
                        train=TrainConfig(epochs=1, batch_size=4), verbose=0, augment=aug)
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history.columns)
    assert np.isfinite(history[["loss", "val_loss"]].to_numpy()).all()


def test_a_run_records_its_augmentation_and_scores_a_denser_hop(tiny_synthetic, tmp_path) -> None:
    from genrelib import pipeline, runs

    small = FeatureConfig(n_mels=16, n_mfcc=8, hop_length=2048, overlap=0.5)  # (16, 33), 19 per clip
    result = pipeline.train_run(tiny_synthetic, model="cnn", out_dir=tmp_path / "run", epochs=1,
                                augment="time_mask,crop", feature_config=small, cache_dir=tmp_path,
                                verbose=0, filters=(4,), dense_units=8)
    assert runs.load_json(tmp_path / "run" / runs.CONFIG_FILE)["train_config"]["augment"] == ["crop", "time_mask"]
    grid = pipeline.run_predictions(tmp_path / "run", tiny_synthetic, cache_dir=tmp_path, progress=False)
    dense = pipeline.run_predictions(tmp_path / "run", tiny_synthetic, cache_dir=tmp_path, progress=False,
                                     hop_frames=4)
    assert len(dense.probs) > 2 * len(grid.probs) and result.metrics["test"]
    with pytest.raises(ValueError, match="augmentation trains deep models"):
        pipeline.train_run(tiny_synthetic, model="logreg", out_dir=tmp_path / "lr", augment="crop")
    with pytest.raises(ValueError, match="protocol must be"):
        pipeline.cross_validate(tiny_synthetic, out_dir=tmp_path / "cv", protocol="artists")
