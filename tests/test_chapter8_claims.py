"""Prose claims of chapter 8 (notebooks/08_small_data.ipynb) checked against the committed
records (results/reference): what its words say a record holds, the record holds."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import numpy as np

from genrelib.results import RECORDS_DIR

CHAPTER = Path(__file__).resolve().parents[1] / "notebooks" / "08_small_data.ipynb"


def _markdown() -> str:
    notebook = nbformat.read(CHAPTER, as_version=4)
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def test_the_remade_ensemble_names_the_original_logreg_record() -> None:
    """The chapter says *ensemble-cnn-small-crop+logreg-rerun* pairs *cnn-small-crop-rerun* with
    the logistic regression's original record, `logreg/kfold5`, as its config.json names it
    (not a logistic regression trained again). Break tried: the kfold record's member_dirs
    changed to "logreg-rerun/kfold5" -> fails."""
    text = " ".join(_markdown().split())
    assert ("*ensemble-cnn-small-crop+logreg-rerun* pairs *cnn-small-crop-rerun* with the logistic "
            "regression's original record, `logreg/kfold5`") in text
    for protocol in ("kfold5", "artist_kfold5"):
        config = json.loads((RECORDS_DIR / "ensemble-cnn-small-crop+logreg-rerun" / protocol / "config.json")
                            .read_text(encoding="utf-8"))
        assert config["member_dirs"] == [f"cnn-small-crop-rerun/{protocol}", f"logreg/{protocol}"], config


def test_a_seed_redraws_the_folds_as_the_chapter_says() -> None:
    """The chapter says a seed draws the assignment of tracks to folds too (so a seed ensemble
    averages models trained on different partitions); its "What we saw" counts fold 0's shared
    test tracks from these two records. Break tried: seed 1's fold 0 given seed 0's test
    tracks -> fails."""
    assert "The seed draws the assignment of tracks to folds too" in " ".join(_markdown().split())
    tests = [[set(json.loads((RECORDS_DIR / name / "kfold5" / f"fold{k}" / "split.json").read_text(encoding="utf-8"))
                  ["test"]) for k in range(5)] for name in ("cnn-small-crop-rerun", "cnn-small-crop-seed1-rerun")]
    for folds in tests:  # each a 5-fold partition of the same 80 tracks
        assert sum(len(f) for f in folds) == len(set().union(*folds)) == 80
    assert set().union(*tests[0]) == set().union(*tests[1])
    assert all(a != b for a, b in zip(*tests)), "a fold with the same test tracks under both seeds"


def test_the_augmentation_ranges_in_the_prose_are_the_constants() -> None:
    """The chapter types the audio augmentations' ranges beside the constants' names; they are
    the constants. Break tried: STRETCH_RATE set to (0.8, 1.2) -> fails."""
    from genrelib.augment.waveform import NOISE_SNR_DB, PITCH_SEMITONES, STRETCH_RATE

    text = " ".join(_markdown().split())
    assert f"a rate of {STRETCH_RATE[0]:g}-{STRETCH_RATE[1]:g} (`STRETCH_RATE`)" in text
    assert f"up to ±{PITCH_SEMITONES:g} semitones (`PITCH_SEMITONES`" in text
    assert f"white noise at {NOISE_SNR_DB[0]:g}-{NOISE_SNR_DB[1]:g} dB SNR (`NOISE_SNR_DB`)" in text


def test_test_time_averaging_counts_are_the_librarys() -> None:
    """"every 16 frames (0.37 s) instead of every 1.5 s (64 or 65 frames), so a 30 s track gets
    73 votes instead of 19": dense_segments on a 30 s clip with the study's features gives 73,
    the grid 19 starts 64 or 65 frames apart. Break tried: dense_segments' starts drawn every
    hop_frames + 1 -> fails."""
    from helpers import chirp, clip_feature_set

    from genrelib import augment
    from genrelib.config import FeatureConfig

    text = " ".join(_markdown().split())
    cfg = FeatureConfig(n_mels=32)  # the study's 30 s clips, hop and segments; few mels for speed
    features = clip_feature_set([chirp(0, seconds=cfg.clip_seconds)], cfg)
    dense = augment.dense_segments(features, hop_frames=16)
    grid = augment.ClipBank.from_features(features).grid
    seconds = 16 * cfg.hop_length / cfg.sample_rate
    gaps = sorted({int(g) for g in np.diff(grid)})
    claim = (f"every 16 frames ({seconds:.2f} s) instead of every {cfg.segment_hop_samples / cfg.sample_rate:g} s "
             f"({gaps[0]} or {gaps[1]} frames), so a {cfg.clip_seconds:g} s track gets {len(dense)} votes instead "
             f"of {len(features)}")
    assert claim in text, claim


def test_the_inner_split_and_the_rerun_moves_are_the_records() -> None:
    """"58 to learn from, 6 to stop early on" is every kfold record's fold of 64 non-test tracks;
    "ten or eleven days later" and "move up to 10 points" are the re-runs' finished dates and
    track accuracies in the records. Break tried: the prose's 58 made 57 -> fails."""
    from genrelib.results import load_records, summarize

    text = " ".join(_markdown().split())
    def count(value: int | list) -> int:  # older records list the track ids
        return value if isinstance(value, int) else len(value)

    sizes = {tuple(count(s[part]) for part in ("train", "valid", "test")) for s in
             (json.loads(p.read_text(encoding="utf-8")) for p in RECORDS_DIR.glob("*/kfold5/fold*/split.json"))}
    assert {size[:2] for size in sizes if size[0] + size[1] == 64} == {(58, 6)}, sizes
    assert "fold of 16 (58 to learn from, 6 to stop early on)" in text
    summary = summarize(load_records()).query("protocol == 'kfold'").set_index("model")
    reruns = [(m.removesuffix("-rerun"), m) for m in summary.index
              if m.endswith("-rerun") and m.removesuffix("-rerun") in summary.index]
    assert len(reruns) >= 10
    days = {(np.datetime64(summary.at[m, "finished"][:10]) - np.datetime64(summary.at[o, "finished"][:10])).item().days
            for o, m in reruns}
    assert days == {10, 11} and "ten or eleven days later" in text, days
    largest = max(abs(summary.at[m, "track_accuracy"] - summary.at[o, "track_accuracy"]) for o, m in reruns)
    assert f"the re-runs below move up to {round(100 * largest):d} points" in text, largest
