"""TagScores (genrelib.pretrained.tagging): a clip's tags from its per-patch probabilities,
without a network (runs without the musicnn package)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("keras")

from genrelib.pretrained import TagScores  # noqa: E402

NAMES = ("rock", "pop", "jazz", "blues", "metal")
#: 3 patches x 5 tags; column means 0.4, 0.5, 0.2, 0.3, 0.1 (no two alike).
PROBS = np.array([[0.9, 0.1, 0.2, 0.3, 0.1],
                  [0.1, 0.7, 0.3, 0.3, 0.1],
                  [0.2, 0.7, 0.1, 0.3, 0.1]], dtype=np.float32)


def test_clip_scores_are_each_tags_mean_over_the_patches() -> None:
    """``clip_scores`` averages every tag's column over the patches: (50,) for 50 tags.
    Break tried: the mean over the tags of each patch -> (3,) numbers."""
    scores = TagScores("MTT_vgg", NAMES, PROBS)
    np.testing.assert_allclose(scores.clip_scores(), [0.4, 0.5, 0.2, 0.3, 0.1], rtol=1e-6)


def test_top_gives_k_tags_most_likely_first() -> None:
    """``top(k)`` names the k tags of highest clip score with that score, most likely first
    (all of them when k exceeds their number).
    Break tried: one tag too many -> fails."""
    scores = TagScores("MTT_vgg", NAMES, PROBS)
    assert [name for name, _ in scores.top(2)] == ["pop", "rock"]
    assert [p for _, p in scores.top(2)] == pytest.approx([0.5, 0.4])
    assert [name for name, _ in scores.top(1)] == ["pop"]
    assert [name for name, _ in scores.top(10)] == ["pop", "rock", "blues", "jazz", "metal"]
