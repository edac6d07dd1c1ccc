"""genrelib.augment.stream: the Augmenter's seeded stream (crops inside their own training
clip, audio copies, determinism), its hook into training, and the study's recipe unchanged
when augmentation is off (a run that records its augmentation: tests/test_pipeline_run.py)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import chirp, clip_feature_set, short_config

from genrelib import augment
from genrelib.config import TrainConfig
from genrelib.features import log_mel
from genrelib.training import BatchFeed, fit_model, set_seed

SHORT = short_config()  # 4 segments of 130 frames, 345 frames in all


@pytest.fixture(scope="module")
def signals() -> list[np.ndarray]:
    return [chirp(seed) for seed in range(4)]


def test_crops_stay_inside_their_own_training_clip(signals) -> None:
    """Guard: a crop is a slice of its own training clip, never across the clip's end nor
    from another track (every crop is found in its own clip's log-mel).

    Breaks tried: Augmenter cutting from the next bank row (another track's clip); crop
    offsets drawn up to 59 frames past the last start with ClipBank.cut wrapping its window
    around the clip's end (its range check removed) -> this test fails ("a crop of t0 is no
    slice of its own clip")."""
    features = clip_feature_set(signals)
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


def test_crops_can_start_at_the_first_and_the_last_frame_of_the_clip(signals) -> None:
    """A crop's offset is drawn from every start in [0, n_frames - frames]: both the clip's first
    and its last segment come up among many seeded crops of one row.

    Break tried: crop offsets drawn from [0, n_frames - frames) (the "+ 1" dropped) -> this test
    fails ("no crop ends at the clip's last frame")."""
    train = clip_feature_set(signals)
    aug = augment.Augmenter(["crop"], train)
    row = 0
    x, _ = aug(np.full(3000, row), np.random.default_rng(0))
    clip, frames = aug.bank.clips[aug.rows[row], 0], aug.bank.frames
    assert np.all(x == clip[:, :frames], axis=(1, 2)).any(), "no crop starts at the clip's first frame"
    assert np.all(x == clip[:, -frames:], axis=(1, 2)).any(), "no crop ends at the clip's last frame"


def test_without_crop_the_grid_segments_come_back(signals) -> None:
    train = clip_feature_set(signals)
    x, _ = augment.Augmenter(["gain"], train)(np.arange(len(train)), np.random.default_rng(0))
    delta = x - train.X
    assert np.allclose(delta, delta[:, :1, :1], atol=1e-4)  # a constant dB per segment


@pytest.mark.parametrize("names", [["crop"], ["time_mask", "freq_mask"], ["gain"], ["mixup"],
                                   list(augment.DEFAULT_AUGMENT)])
def test_same_seed_same_stream_other_seed_other_stream(names, signals) -> None:
    train = clip_feature_set(signals)
    aug = augment.Augmenter(names, train, model_kind="cnn")

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


def test_audio_names_need_their_copies(signals) -> None:
    with pytest.raises(ValueError, match="audio_copies"):
        augment.Augmenter(["pitch"], clip_feature_set(signals))


def test_audio_copies_are_versions_of_the_clips_the_stream_picks_from(signals) -> None:
    train = clip_feature_set(signals)
    copy = clip_feature_set([augment.augment_audio(y, np.random.default_rng(i), ["noise"], sample_rate=22050)
                         for i, y in enumerate(signals)])
    aug = augment.Augmenter(["noise"], train, copies=[copy])
    x, _ = aug(np.arange(len(train)), np.random.default_rng(0))
    from_copy = [np.array_equal(s, c) for s, c in zip(x, copy.X)]
    from_clip = [np.array_equal(s, c) for s, c in zip(x, train.X)]
    assert all(a or b for a, b in zip(from_copy, from_clip)) and any(from_copy) and any(from_clip)


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


@pytest.mark.slow
def test_augmentation_off_reproduces_the_recipe_before_it() -> None:
    history, x, y = _tiny_fit()
    np.testing.assert_allclose(history["loss"], HEAD_LOSSES[0], rtol=1e-6)
    np.testing.assert_allclose(history["val_loss"], HEAD_LOSSES[1], rtol=1e-6)
    feed = BatchFeed(x, y, batch_size=16, seed=3, prefetch=0)
    assert feed.next_batch()[1].tolist() == HEAD_FIRST_LABELS


@pytest.mark.slow
def test_mixup_trains_on_soft_labels_with_the_same_history_columns(signals) -> None:
    from genrelib.models import build_model

    train = clip_feature_set(signals)
    aug = augment.Augmenter(["crop", "mixup"], train, model_kind="cnn")
    set_seed(0)
    model = build_model("cnn", input_shape=(32, 130, 1), n_classes=3, filters=(4,), dense_units=8)
    history = fit_model(model, train.X[..., None], train.y, train.X[:4, ..., None], train.y[:4],
                        train=TrainConfig(epochs=1, batch_size=4), verbose=0, augment=aug)
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history.columns)
    assert np.isfinite(history[["loss", "val_loss"]].to_numpy()).all()
