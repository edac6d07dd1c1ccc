"""genrelib.augment.names: the augmentations by name and parse_augment."""

from __future__ import annotations

import pytest

from genrelib import augment



def test_parse_augment_orders_expands_and_names_the_choices() -> None:
    assert augment.parse_augment("mixup, crop,crop") == ("crop", "mixup")
    assert augment.parse_augment("default") == augment.DEFAULT_AUGMENT
    assert augment.parse_augment(None) == augment.parse_augment("none") == ()
    with pytest.raises(ValueError, match="unknown augmentation 'cropp'.*crop, gain"):
        augment.parse_augment("cropp")
