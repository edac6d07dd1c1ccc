"""Tags of a clip, the tag names and the licence notice of the pretrained taggers."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("musicnn") is None,
    reason="the pretrained weights' package is not installed: pip install --no-deps musicnn==0.1.0")

from genrelib.pretrained import ATTRIBUTION, licence_text, tag_names, tags  # noqa: E402


@pytest.fixture(scope="module")
def weights_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("features")


def test_tag_names_come_from_the_wheel() -> None:
    msd, mtt = tag_names("MSD"), tag_names("MTT")
    assert len(msd) == len(set(msd)) == 50 and len(mtt) == len(set(mtt)) == 50
    assert msd[:3] == ("rock", "pop", "alternative") and msd[-1] == "happy"
    assert mtt[:3] == ("guitar", "classical", "slow") and mtt[-1] == "choral"
    assert tag_names("MSD_vgg") == msd and tag_names("MTT_musicnn") == mtt


def test_the_licence_notice_is_kept() -> None:
    text = licence_text()
    assert "Music Technology Group, Universitat Pompeu Fabra" in text
    assert "Permission to use, copy, modify, and/or distribute this software" in text  # the ISC terms
    assert "ISC" in ATTRIBUTION and "Pons" in ATTRIBUTION and "Serra" in ATTRIBUTION


def test_tags_of_a_clip(weights_cache: Path) -> None:
    rng = np.random.default_rng(0)
    y = (0.1 * rng.standard_normal(16_000 * 10)).astype(np.float32)
    scores = tags(y, model="MTT_vgg", cache_dir=weights_cache)
    assert scores.probabilities.shape == (3, 50) and scores.probabilities.dtype == np.float32
    assert ((scores.probabilities > 0) & (scores.probabilities < 1)).all()
    assert scores.names == tag_names("MTT")
    top = scores.top(5)
    assert [name for name, _ in top] == [scores.names[i] for i in np.argsort(-scores.clip_scores())[:5]]
    assert [p for _, p in top] == sorted((p for _, p in top), reverse=True)
    assert tags(y, model="MTT_vgg", overlap=0.5, cache_dir=weights_cache).probabilities.shape == (5, 50)


@pytest.mark.realdata
def test_real_clips_get_their_genre_as_a_top_tag(gtzan_mini: Path, weights_cache: Path) -> None:
    """The whole chain (decoding, resampling, input, port, weights) on GTZAN clips."""
    classical = tags(gtzan_mini / "genres/classical/classical.00000.wav", model="MTT_musicnn",
                     cache_dir=weights_cache)
    assert classical.top(1)[0][0] == "classical"
    metal = tags(gtzan_mini / "genres/metal/metal.00000.wav", model="MSD_musicnn", cache_dir=weights_cache)
    assert "metal" in [name for name, _ in metal.top(2)]
