"""What a dataset's clips will make feature extraction warn of: lengths far from the clip
length (padded with silence, or cut), and a mix of sample rates. ``extract_features`` warns
before it reads a clip, and ``genrelib data check`` says the same without loading librosa.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from genrelib.config import FeatureConfig
from genrelib.errors import GenrelibWarning

if TYPE_CHECKING:  # type hints only
    import pandas as pd

__all__ = ["NAMED_CLIPS", "ClipLengthWarning", "SampleRateWarning", "warn_clip_lengths", "warn_clip_quality",
           "warn_sample_rates"]


class ClipLengthWarning(GenrelibWarning):
    """Issued when clips are far from ``clip_seconds``: padded with silence, or cut short."""


#: The most files a ClipLengthWarning or SampleRateWarning names.
NAMED_CLIPS = 3


def _named(names: "np.ndarray | None", mask: np.ndarray) -> str:
    """" (a.wav, b.wav and 2 more)": the first ``NAMED_CLIPS`` names where ``mask`` holds."""
    if names is None:
        return ""
    chosen = [str(n) for n in names[mask]]
    more = f" and {len(chosen) - NAMED_CLIPS} more" if len(chosen) > NAMED_CLIPS else ""
    return f" ({', '.join(chosen[:NAMED_CLIPS])}{more})"


def warn_clip_lengths(durations: Iterable[float], cfg: FeatureConfig, names: Iterable[str] | None = None) -> None:
    """One ClipLengthWarning when clips differ from ``cfg.clip_seconds`` by more than half a
    segment: a shorter one's end is padded with silence, whole segments of it, which a model
    learns as part of the genre (an 8 s clip: 13 of its 19 segments); a longer one gives its
    first ``clip_seconds`` only (``predict`` reads whole recordings). Clips shorter than one
    segment are skipped, and named, elsewhere. ``names`` (one per duration, e.g. relative
    paths): the warning names the first ``NAMED_CLIPS`` clips of each kind.
    """
    durations = np.asarray(list(durations), dtype=float)
    kept = durations >= cfg.segment_seconds
    usable = durations[kept]
    names = None if names is None else np.asarray(list(names), dtype=object)[kept]
    slack = cfg.segment_seconds / 2
    is_short, is_long = usable < cfg.clip_seconds - slack, usable > cfg.clip_seconds + slack
    short, long = usable[is_short], usable[is_long]
    if not len(short) and not len(long):
        return
    parts, advice = [], []
    if len(short):
        hop = cfg.segment_hop_samples / cfg.sample_rate
        silent = sum(i * hop >= short.min() for i in range(cfg.segments_per_clip))
        parts.append(f"{len(short)} of {len(usable)} clips{_named(names, is_short)} are shorter than the "
                     f"{cfg.clip_seconds:g} s every clip is cut or padded to (the shortest {short.min():.1f} s: "
                     f"{silent} of its "
                     f"{cfg.segments_per_clip} segments are silence, which a model learns as part of its genre)")
        advice.append(f"use clips of about {cfg.clip_seconds:g} s")
    if len(long):
        parts.append(f"{len(long)} of {len(usable)} clips{_named(names, is_long)} are longer than "
                     f"{cfg.clip_seconds:g} s (the longest "
                     f"{long.max():.0f} s): only their first {cfg.clip_seconds:g} s are used")
        advice.append(f"cut long recordings into {cfg.clip_seconds:g} s clips (several per song) to use all of "
                      "their music")
    warnings.warn("; ".join(parts) + "; " + " and ".join(advice), ClipLengthWarning, stacklevel=4)


class SampleRateWarning(GenrelibWarning):
    """Some clips are recorded at a lower sample rate than the features' and others are not."""


def warn_sample_rates(rates: Iterable[int], cfg: FeatureConfig, names: Iterable[str] | None = None) -> None:
    """One SampleRateWarning when some clips' own sample rate is below ``cfg.sample_rate``
    while others' is not: resampling cannot add what a clip lacks, so the low-rate ones have
    nothing above half their rate (4 kHz for 8 kHz audio), a difference a model can learn in
    place of the genre. All clips at one rate, low or not, give no warning. ``names`` (one
    per rate): the warning names the first ``NAMED_CLIPS`` low-rate clips.
    """
    rates = np.asarray(list(rates), dtype=int)
    is_low = rates < cfg.sample_rate
    low = rates[is_low]
    if len(low) and len(low) < len(rates):
        names = None if names is None else np.asarray(list(names), dtype=object)
        warnings.warn(f"{len(low)} of {len(rates)} clips{_named(names, is_low)} are recorded below the features' "
                      f"{cfg.sample_rate:,} Hz "
                      f"(the lowest at {low.min():,} Hz: nothing above {low.min() // 2:,} Hz), the others are not: "
                      "a model can tell them apart by that instead of by their music; use recordings of "
                      "one quality, or check that the low-rate clips are not mostly of one genre",
                      SampleRateWarning, stacklevel=4)


def warn_clip_quality(tracks: "pd.DataFrame", cfg: FeatureConfig) -> None:
    """What ``extract_features`` warns of before it reads a clip (``genrelib data check`` says
    the same): ``warn_clip_lengths`` over every clip, ``warn_sample_rates`` over the clips long
    enough to be used. ``tracks``: ``DatasetIndex.tracks``."""
    warn_clip_lengths(tracks["duration"], cfg, names=tracks["relative_path"])
    usable = tracks["duration"] >= cfg.segment_seconds  # the others are skipped, and named
    warn_sample_rates(tracks.loc[usable, "sample_rate"], cfg, names=tracks.loc[usable, "relative_path"])
