"""Numbers chapter 2 (notebooks/02_features.ipynb) types in its prose, checked against the
feature settings they come from (genrelib.config.FeatureConfig's defaults, the study's), so a
changed setting fails here until the page says it too."""

from __future__ import annotations

from pathlib import Path

import nbformat

from genrelib.audio.segments import segment_starts
from genrelib.config import FeatureConfig

CHAPTER = Path(__file__).resolve().parents[1] / "notebooks" / "02_features.ipynb"


def _markdown() -> str:
    notebook = nbformat.read(CHAPTER, as_version=4)
    return " ".join(" ".join(c.source for c in notebook.cells if c.cell_type == "markdown").split())


def test_the_stft_sizes_in_the_prose_are_the_settings() -> None:
    """Frame and hop in samples and milliseconds, the number of bins and their spacing, the
    frames of a 30 s clip. Break tried: hop_length's default 512 made 500 -> fails."""
    cfg = FeatureConfig()
    n, h, rate = cfg.n_fft, cfg.hop_length, cfg.sample_rate
    text = _markdown()
    for claim in (f"$N$ = `n_fft` = {n} samples ({1000 * n / rate:.0f} ms)",
                  f"$H$ = `hop_length` = {h} samples ({1000 * h / rate:.0f} ms)",
                  f"$1 + N/2 = {1 + n // 2}$ frequency bins, spaced {rate / n:.1f} Hz apart",
                  f"$1 + \\lfloor {cfg.clip_samples} / {h} \\rfloor = {1 + cfg.clip_samples // h}$ frames for a "
                  f"{cfg.clip_seconds:g} s clip"):
        assert claim in text, claim


def test_the_segment_facts_in_the_prose_are_the_settings() -> None:
    """19 segments of 130 frames, a start every 33,075 samples, up to 511 samples (23 ms) off
    the frame grid (the most a 30 s clip's starts are). Break tried: overlap's default 0.5 made
    0.6 -> fails."""
    cfg = FeatureConfig()
    text = _markdown()
    off_grid = int(max(segment_starts(cfg.clip_samples, cfg) % cfg.hop_length))  # floor to a frame
    for claim in (f"a {cfg.clip_seconds:g} s clip gives {cfg.segments_per_clip} segments of "
                  f"{cfg.frames_per_segment} frames",
                  f"a segment starts every {cfg.segment_hop_samples:,} samples, not a whole number of "
                  f"{cfg.hop_length}-sample hops",
                  f"up to {off_grid} samples ({1000 * off_grid / cfg.sample_rate:.0f} ms) off its exact start"):
        assert claim in text, claim
