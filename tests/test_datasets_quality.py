"""What extraction warns of before reading clips (genrelib.datasets.quality): the edges of
"far from the clip length", the count of silent segments and the files named."""

from __future__ import annotations

import warnings

import pytest

from genrelib.config import FeatureConfig
from genrelib.datasets.quality import ClipLengthWarning, warn_clip_lengths

CFG = FeatureConfig()  # 30 s clips, 3 s segments every 1.5 s (19 per clip)


def test_exactly_half_a_segment_away_says_nothing() -> None:
    """Only clips MORE than half a segment (1.5 s) from 30 s are named: 28.5 s and 31.5 s are
    not. Break tried: "at least half a segment" -> a warning for both."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_clip_lengths([30.0, 28.5, 31.5], CFG)


def test_a_clip_of_exactly_one_segment_is_counted_as_short() -> None:
    """A 3 s clip (one whole segment) is used, so it is counted among the short clips; only
    shorter ones are left to the skip warning. Break tried: one segment counted as too short."""
    with pytest.warns(ClipLengthWarning, match=r"^1 of 2 clips are shorter than the 30 s .*"
                                               r"\(the shortest 3\.0 s: 17 of its 19 segments"):
        warn_clip_lengths([30.0, 3.0], CFG)


def test_segments_starting_at_the_clips_end_are_counted_silent() -> None:
    """A 7.5 s clip: the segments starting at 7.5 s and later (5 to 18) hold no sound, 14 of
    19. Break tried: only those starting after the end counted -> 13."""
    with pytest.warns(ClipLengthWarning, match=r"the shortest 7\.5 s: 14 of its 19 segments"):
        warn_clip_lengths([7.5], CFG)


def test_exactly_the_named_number_of_clips_has_no_more() -> None:
    """Three short clips are all named with nothing "more"; a fourth is counted, not named.
    Break tried: " and 0 more" after three names."""
    with pytest.warns(ClipLengthWarning) as caught:
        warn_clip_lengths([8.0] * 3, CFG, names=["a.wav", "b.wav", "c.wav"])
    message = str(caught[0].message)
    assert "3 of 3 clips (a.wav, b.wav, c.wav) are shorter" in message
    with pytest.warns(ClipLengthWarning, match=r"\(a\.wav, b\.wav, c\.wav and 1 more\)"):
        warn_clip_lengths([8.0] * 4, CFG, names=["a.wav", "b.wav", "c.wav", "d.wav"])


def test_the_longest_clip_is_the_one_quoted() -> None:
    """Among several long clips the warning quotes the longest. Break tried: the shortest of
    them -> "the longest 40 s"."""
    longest = r"2 of 3 clips are longer than 30 s \(the longest 300 s\)"
    with pytest.warns(ClipLengthWarning, match=longest):
        warn_clip_lengths([30.0, 40.0, 300.0], CFG)
