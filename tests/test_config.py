"""genrelib.config: the training recipe's batch size / learning rate rule and its record."""

from __future__ import annotations

import pytest

from genrelib.config import TrainConfig


def test_batch_size_scales_the_learning_rate_unless_given() -> None:
    """The linear rule from the recipe's (32, 1e-3): lr = 1e-3 * N / 32; an explicit lr wins.
    (A run's overrides of it: tests/test_pipeline_spec.py, ``train_config``.)"""
    recipe = TrainConfig()
    assert (recipe.batch_size, recipe.learning_rate) == (32, 1e-3)
    for n in (8, 32, 128, 256):
        scaled = recipe.with_batch_size(n)
        assert scaled.batch_size == n and scaled.learning_rate == pytest.approx(1e-3 * n / 32)
    assert recipe.with_batch_size(128, learning_rate=2e-3).learning_rate == 2e-3
    with pytest.raises(ValueError, match="batch_size must be >= 1, got 0"):
        recipe.with_batch_size(0)
    with pytest.raises(ValueError, match="precision must be one of"):
        TrainConfig(precision="half")


def test_train_config_records_augmentation_only_when_on() -> None:
    assert "augment" not in TrainConfig().to_dict()
    on = TrainConfig(augment=("crop", "mixup"))
    assert on.to_dict()["augment"] == ["crop", "mixup"]
    assert TrainConfig.from_dict(on.to_dict()) == on


def test_model_kind_tables_are_not_settings() -> None:
    """Which model reads which features lives beside the models (genrelib.models.kinds)."""
    import genrelib.config as config

    for name in ("MODEL_KINDS", "MODEL_FEATURES", "CLASSICAL_KINDS", "is_classical",
                 "check_model_kind", "feature_kind", "default_feature_config"):
        assert not hasattr(config, name), name
