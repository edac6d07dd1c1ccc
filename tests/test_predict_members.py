"""genrelib.predict.models: the checks a loaded ensemble member passes (``_load_member``) and
the training standardiser read from it (``_reference``); fast, no model is trained."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from genrelib import runs
from genrelib.config import FeatureConfig
from genrelib.models import input_shape_for
from genrelib.predict import models as M

GENRES = ("blues", "jazz", "rock")


def test_a_standardiser_with_a_zero_or_missing_spread_is_no_reference() -> None:
    """A saved standardiser is the input reference only when its std is finite and positive
    everywhere: a zero std (a constant feature) makes it none.

    Break tried: ``(std > 0)`` loosened to ``(std >= 0)`` -> a zero std is taken as a reference."""
    good = M._reference(None, {"standardizer": {"mean": [0.0, 1.0], "std": [1.0, 2.0]}})
    assert good is not None
    np.testing.assert_array_equal(good[1], [1.0, 2.0])
    assert M._reference(None, {"standardizer": {"mean": [0.0, 1.0], "std": [1.0, 0.0]}}) is None
    assert M._reference(None, {"standardizer": {"mean": [0.0, 1.0], "std": [1.0, np.inf]}}) is None


def test_a_member_whose_outputs_are_not_its_genres_is_refused(monkeypatch, tmp_path) -> None:
    """A model file whose output count differs from the genres its settings name raises a
    ValueError naming both, even when its input shape is right.

    Break tried: the output count check dropped -> a 3-genre model giving 2 outputs loads."""
    cfg = FeatureConfig()
    shape = input_shape_for("cnn", cfg.segment_shape)

    def fake_load(file):
        return SimpleNamespace(input_shape=(None, *shape), output_shape=(None, 2)), {}

    monkeypatch.setattr(runs, "load_run_model", fake_load)
    with pytest.raises(ValueError, match="gives 2 genres.* and 3 genres"):
        M._load_member(tmp_path / "model.keras", "cnn", cfg, GENRES, genres=GENRES)
    monkeypatch.setattr(runs, "load_run_model",
                        lambda file: (SimpleNamespace(input_shape=(None, *shape), output_shape=(None, 3)), {}))
    assert M._load_member(tmp_path / "model.keras", "cnn", cfg, GENRES, genres=GENRES).genres == GENRES
