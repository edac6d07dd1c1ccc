"""genrelib.augment.waveform: audio-level augmentation and the cached audio copies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import chirp

from genrelib import augment


def two_tracks(folder: Path) -> tuple:
    """(index, cfg): ``folder/<blues|rock>/<genre>.00000.wav`` 3 s chirps, 16-mel 3 s features."""
    import soundfile as sf

    from genrelib.config import FeatureConfig
    from genrelib.datasets import index_dataset

    for genre, seed in (("blues", 0), ("rock", 1)):
        (folder / genre).mkdir(parents=True)
        sf.write(folder / genre / f"{genre}.00000.wav", chirp(seed, seconds=3.0), 22050)
    return index_dataset(folder), FeatureConfig(clip_seconds=3.0, n_mels=16, n_mfcc=8)


def test_audio_augmentation_keeps_length_and_is_seeded() -> None:
    y = chirp(0, seconds=3.0)
    names = ("noise", "pitch", "stretch")
    a = augment.augment_audio(y, np.random.default_rng(5), names, sample_rate=22050)
    b = augment.augment_audio(y, np.random.default_rng(5), names, sample_rate=22050)
    assert a.shape == y.shape and a.dtype == np.float32 and np.isfinite(a).all()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, y)
    noisy = augment.augment_audio(y, np.random.default_rng(5), ["noise"], sample_rate=22050)
    snr = 10 * np.log10(np.mean(y ** 2) / np.mean((noisy - y) ** 2))
    assert augment.NOISE_SNR_DB[0] - 1 <= snr <= augment.NOISE_SNR_DB[1] + 1


def test_audio_copies_are_cached_seeded_per_track_and_differ_from_the_clip(tmp_path, monkeypatch) -> None:
    """Two tracks, "noise" only: two copies each, read back from the cache the second time,
    a track's copies independent of the other tracks, and noisier than its clip."""
    from genrelib.features import extract_features

    index, cfg = two_tracks(tmp_path / "data")
    copies = augment.audio_copies(index, cfg, ["crop", "noise"], seed=5, copies=2, cache_dir=tmp_path)
    assert len(copies) == 2 and len(list(tmp_path.glob("augmented-*.npz"))) == 1
    clean = extract_features(index, cfg, cache_dir=tmp_path / "features", progress=False)
    for copy in copies:
        assert copy.X.shape == clean.X.shape == (2, 16, 130)
        assert copy.track_ids.tolist() == clean.track_ids.tolist() and copy.y.tolist() == clean.y.tolist()
        assert not np.allclose(copy.X, clean.X)
    assert not np.array_equal(copies[0].X, copies[1].X)
    with monkeypatch.context() as patch:  # the second time, nothing is computed: the cache is read
        patch.setattr(augment.waveform, "augment_audio", lambda *a, **k: pytest.fail("recomputed"))
        again = augment.audio_copies(index, cfg, ["noise"], seed=5, copies=2, cache_dir=tmp_path)
    np.testing.assert_array_equal(again[0].X, copies[0].X)
    alone = augment.audio_copies(index.subset([index.tracks["track_id"].iloc[1]]), cfg, ["noise"],
                                 seed=5, copies=2, cache_dir=tmp_path / "alone")
    np.testing.assert_allclose(alone[1].X[0], copies[1].X[1], atol=1e-5)  # no other track's draw
    assert augment.audio_copies(index, cfg, ["crop", "gain"], cache_dir=tmp_path) == []


def test_audio_copies_of_another_seed_are_drawn_again_not_read_from_the_cache(tmp_path) -> None:
    """The seed is part of the copies' cache key: seed 6 after seed 5, in the same cache
    folder, gives other copies in a second ``augmented-*.npz``, never seed 5's file.

    Break tried: ``int(seed)`` left out of audio_copies' key -> seed 6 reads seed 5's file
    (one file, equal copies)."""
    index, cfg = two_tracks(tmp_path / "data")
    five = augment.audio_copies(index, cfg, ["noise"], seed=5, copies=1, cache_dir=tmp_path)
    six = augment.audio_copies(index, cfg, ["noise"], seed=6, copies=1, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("augmented-*.npz"))) == 2
    assert not np.allclose(five[0].X, six[0].X)


def test_a_speed_up_adds_no_silence() -> None:
    """A time stretch faster than 1 ends early; the copy is continued from the stretched
    audio's own start (np.pad's "wrap"), never padded with digital silence (a copy with up
    to 2.7 s of silence at its end, trained on with the clip's genre).

    Break tried: the zero padding of before (np.pad with zeros to len(y)) -> fails on the
    tail's loudness and on the wrap."""
    import librosa

    y = chirp(0, seconds=3.0)
    seeds = [s for s in range(40) if np.random.default_rng(s).uniform(*augment.STRETCH_RATE) > 1.05][:3]
    assert seeds, "no seed draws a speed-up"
    for seed in seeds:
        rate = np.random.default_rng(seed).uniform(*augment.STRETCH_RATE)  # augment_audio's first draw
        out = augment.augment_audio(y, np.random.default_rng(seed), ["stretch"], sample_rate=22050)
        stretched = librosa.effects.time_stretch(y, rate=rate)
        m = len(stretched)
        assert out.shape == y.shape and m < len(y)
        tail = out[-2205:]  # the last 0.1 s
        assert np.sqrt(np.mean(tail ** 2)) > 0.5 * np.sqrt(np.mean(y ** 2)), f"seed {seed}: a silent end"
        np.testing.assert_array_equal(out[:m], stretched)
        np.testing.assert_array_equal(out[m:], stretched[:len(y) - m])  # the audio goes on from its start


def test_the_names_are_listed_in_the_order_augment_audio_applies_them(monkeypatch) -> None:
    """Chapter 8 prints ``AUGMENTATIONS`` as "the augmentations, in the order they are applied":
    the audio ones must come as ``augment_audio`` applies them (stretch, then pitch, then noise).

    Breaks tried: the listing of before (noise, pitch, stretch) -> fails on the names; noise
    added before the pitch shift in augment_audio -> fails on the silenced output."""
    import librosa

    calls: list[str] = []
    monkeypatch.setattr(librosa.effects, "time_stretch", lambda y, rate: calls.append("stretch") or y)
    # a pitch shift that silences: noise added after it survives, noise added before it does not
    monkeypatch.setattr(librosa.effects, "pitch_shift", lambda y, **k: calls.append("pitch") or np.zeros_like(y))
    out = augment.augment_audio(chirp(0, seconds=1.0), np.random.default_rng(0), ["noise", "pitch", "stretch"],
                                sample_rate=22050)
    applied = calls + ["noise"] * bool(np.any(out != 0))
    assert applied == ["stretch", "pitch", "noise"]
    assert [n for n in augment.AUGMENTATIONS if n in augment.AUDIO_AUGMENTATIONS] == applied
    assert list(augment.AUDIO_AUGMENTATIONS) == applied
