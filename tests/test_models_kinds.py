"""genrelib.models.kinds: the model kinds, the features each reads, their input shapes."""

from __future__ import annotations

import numpy as np
import pytest

from genrelib import models
from genrelib.config import FeatureConfig


def test_model_input_shapes() -> None:
    X = np.zeros((5, 128, 130), dtype="float32")
    assert models.model_input(X, "cnn").shape == (5, 128, 130, 1)
    assert models.model_input(X, "crnn").shape == (5, 128, 130, 1)
    assert models.model_input(np.zeros((5, 20, 130)), "rnn").shape == (5, 130, 20)
    with pytest.raises(ValueError, match="n_segments, n_features, frames"):
        models.model_input(np.zeros((5, 128)), "cnn")
    with pytest.raises(ValueError, match="unknown model kind"):
        models.model_input(X, "transformer")


def test_rnn_input_is_the_transposed_sequence_and_stats_a_table() -> None:
    X = np.arange(2 * 3 * 4, dtype="float32").reshape(2, 3, 4)
    np.testing.assert_array_equal(models.model_input(X, "rnn")[1, 2], X[1, :, 2])
    stats = X[:, :, :1]
    np.testing.assert_array_equal(models.model_input(stats, "logreg"), stats[:, :, 0])
    with pytest.raises(ValueError, match="kind='stats'"):
        models.model_input(X, "svm")


def test_each_kind_reads_its_features_in_its_shape() -> None:
    assert models.MODEL_KINDS == ("cnn", "rnn", "crnn", "logreg", "svm")
    assert models.CLASSICAL_KINDS == ("logreg", "svm")
    assert [models.feature_kind(k) for k in models.MODEL_KINDS] == ["mel", "mfcc", "mel", "stats", "stats"]
    assert [models.is_classical(k) for k in models.MODEL_KINDS] == [False, False, False, True, True]
    assert models.check_model_kind("crnn") == "crnn"
    for call in (models.check_model_kind, models.feature_kind, models.is_classical):
        with pytest.raises(ValueError, match=r"unknown model kind 'gru'; choose one of \['cnn'"):
            call("gru")
    assert models.default_feature_config("cnn") == FeatureConfig()
    assert models.default_feature_config("rnn", n_mfcc=13) == FeatureConfig(kind="mfcc", n_mfcc=13)
    assert models.default_feature_config("svm").segment_shape == (90, 1)
    assert models.input_shape_for("cnn", (128, 130)) == (128, 130, 1)
    assert models.input_shape_for("rnn", (20, 130)) == (130, 20)
    assert models.input_shape_for("logreg", (90, 1)) == (90,)


def test_the_kinds_import_neither_keras_nor_scikit_learn() -> None:
    """Run folders and the command line name kinds without loading the model libraries."""
    import subprocess
    import sys

    code = ("import sys, genrelib.models, genrelib.runs; from genrelib.models import MODEL_KINDS\n"
            "print([m for m in ('keras', 'tensorflow', 'sklearn') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_table_of_the_kinds_is_re_exported_by_the_package() -> None:
    """``from genrelib.models import PROBE_FIT_ON`` (etc.) works like the other kinds tables."""
    from genrelib.models import kinds

    tables = [name for name, value in vars(kinds).items() if name.isupper() and not name.startswith("_")
              and isinstance(value, (tuple, dict, float))]  # not TYPE_CHECKING
    assert "PROBE_FIT_ON" in tables
    missing = [name for name in tables
               if name not in models.__all__ or getattr(models, name) is not getattr(kinds, name)]
    assert missing == []
