"""genrelib.pipeline.spec: a run's specification (``RunSpec``) and its hardware record
(``Hardware``), each validated once with an error naming the field; ``train_config``, the
profile's recipe with their overrides. No data is read and nothing is trained here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from genrelib.config import FeatureConfig, TrainConfig, get_profile
from genrelib.datasets.splits import TrackSplit
from genrelib.pipeline import RUN_SET, Hardware, RunSpec, check_options, train_config

MFCC = FeatureConfig(kind="mfcc")


def test_the_defaults_are_the_studys_cnn_on_the_quick_profile() -> None:
    spec = RunSpec()
    assert (spec.model, spec.profile, spec.split, spec.seed) == ("cnn", "quick", "random", 0)
    assert (spec.valid_fraction, spec.test_fraction) == (0.1, 0.1)
    assert spec.options == {} and spec.augment == () and spec.epochs is None
    assert spec.feature_config == FeatureConfig()  # the CNN reads log-mels
    assert RunSpec(model="rnn").feature_config == MFCC
    assert RunSpec(model="svm").feature_config.kind == "stats"
    assert spec.split_name == "random"
    custom = TrackSplit(train=("a",), valid=(), test=("b",), protocol="kfold")
    assert RunSpec(split=custom).split_name == "custom"


# --------------------------------------------------------------------------- every field

BAD_SPECS = [
    ({"model": "mlp"}, "unknown model kind 'mlp'"),
    ({"profile": "medium"}, "unknown profile 'medium'"),
    ({"epochs": 0}, "epochs must be an integer >= 1, got 0"),
    ({"epochs": 2.5}, "epochs must be an integer >= 1, got 2.5"),
    ({"epochs": "3"}, "epochs must be an integer >= 1, got '3'"),
    ({"epochs": True}, "epochs must be an integer >= 1, got True"),
    ({"learning_rate": 0}, "learning_rate must be a positive number, got 0"),
    ({"learning_rate": -1e-3}, "learning_rate must be a positive number"),
    ({"learning_rate": math.nan}, "learning_rate must be a positive number, got nan"),
    ({"learning_rate": math.inf}, "learning_rate must be a positive number, got inf"),
    ({"learning_rate": "abc"}, "learning_rate must be a positive number, got 'abc'"),
    ({"learning_rate": True}, "learning_rate must be a positive number, got True"),
    ({"split": "kfold"}, "split: unknown split 'kfold'"),
    ({"split": 3}, "split must be"),
    ({"seed": "abc"}, "seed must be an integer >= 0, got 'abc'"),
    ({"seed": 1.5}, "seed must be an integer >= 0, got 1.5"),
    ({"seed": -1}, "seed must be an integer >= 0, got -1"),
    ({"seed": True}, "seed must be an integer >= 0, got True"),
    ({"valid_fraction": 1.0}, r"valid_fraction must be in \[0, 1\), got 1.0"),
    ({"valid_fraction": -0.1}, r"valid_fraction must be in \[0, 1\), got -0.1"),
    ({"valid_fraction": "abc"}, r"valid_fraction must be in \[0, 1\), got 'abc'"),
    ({"test_fraction": 1.2}, r"test_fraction must be in \[0, 1\), got 1.2"),
    ({"test_fraction": None}, r"test_fraction must be in \[0, 1\), got None"),
    ({"valid_fraction": 0.5, "test_fraction": 0.5}, "must leave tracks for training"),
    ({"features": MFCC}, "model 'cnn' reads 'mel' features, got a FeatureConfig of kind 'mfcc', which rnn reads; "
                         "leave features None"),
    ({"model": "crnn", "features": MFCC}, "model 'crnn' reads 'mel' features"),
    ({"model": "rnn", "features": FeatureConfig()}, "model 'rnn' reads 'mfcc' features"),
    ({"features": {"kind": "mel"}}, "features must be a FeatureConfig"),
    ({"augment": "bogus"}, "augment: unknown augmentation 'bogus'"),
    ({"augment": "crop", "model": "logreg"}, "augment: augmentation trains deep models"),
    ({"augment": ["mixup"], "model": "svm"}, "augment: augmentation trains deep models"),
    ({"options": [("kernel_size", 3)]}, "options must be a mapping"),
]


@pytest.mark.parametrize("changes,message", BAD_SPECS, ids=[str(c) for c, _ in BAD_SPECS])
def test_every_bad_field_is_a_value_error_naming_it(changes, message) -> None:
    """Break tried: RunSpec.__post_init__ checks removed one at a time (for the fractions,
    the seed, the learning rate, the split and the features: the TypeError/AttributeError or
    the silent truncation the code gave before they were checked) -> the case fails."""
    with pytest.raises(ValueError, match=message):
        RunSpec(**changes)


def test_good_values_are_kept_and_normalised() -> None:
    spec = RunSpec(model="crnn", epochs=np.int64(2), seed=np.int64(7), learning_rate=5e-4,
                   augment="mixup,crop", options={"rnn": "lstm", "filters": [4, 8]},
                   valid_fraction=0.0, test_fraction=0.0, split="artist")
    assert spec.seed == 7 and type(spec.seed) is int
    assert spec.augment == ("crop", "mixup")  # the order augment applies them in
    assert spec.options == {"rnn": "lstm", "filters": [4, 8]}
    assert RunSpec(augment="none").augment == () and RunSpec(augment=None).augment == ()
    with pytest.raises(Exception):  # frozen
        spec.seed = 3  # type: ignore[misc]


def test_with_validates_the_copy_again() -> None:
    spec = RunSpec(model="cnn", options={"kernel_size": 5})
    assert spec.with_(seed=3).seed == 3 and spec.with_(seed=3).options == {"kernel_size": 5}
    assert spec.seed == 0
    with pytest.raises(ValueError, match="model 'rnn' has no option 'kernel_size'"):
        spec.with_(model="rnn")
    with pytest.raises(ValueError, match="epochs must be"):
        spec.with_(epochs=0)


# --------------------------------------------------------------------------- model options

BAD_OPTIONS = [
    ("cnn", {"kernel_size": "abc"}, "option kernel_size: expected an integer, got 'abc'"),
    ("cnn", {"kernel_size": 2.5}, "option kernel_size: expected an integer, got 2.5"),
    ("cnn", {"kernel_size": True}, "option kernel_size: expected an integer, got True"),
    ("cnn", {"filters": "abc"}, "option filters: expected a list of integers, got 'abc'"),
    ("cnn", {"filters": [4, "x"]}, r"option filters: expected a list of integers, got \[4, 'x'\]"),
    ("cnn", {"dropout": "high"}, "option dropout: expected a number, got 'high'"),
    ("cnn", {"batch_norm": 1}, "option batch_norm: expected true or false, got 1"),
    ("crnn", {"rnn": 3}, "option rnn: expected a string, got 3"),
    ("rnn", {"units": None}, "option units: expected an integer, got None"),
    ("logreg", {"C": "x"}, "option C: expected a number or a list of numbers, got 'x'"),
    ("svm", {"gamma": [1]}, r"option gamma: expected a number or a string, got \[1\]"),
    ("cnn", {"kernal_size": 3}, "model 'cnn' has no option 'kernal_size'; its options: batch_norm, "
                                "dense_dropout, dense_units, dropout, filters, kernel_size, l2"),
    ("rnn", {"kernel_size": 3, "filters": [4]}, "model 'rnn' has no option 'filters', 'kernel_size'"),
    ("logreg", {"kernel_size": 3}, "model 'logreg' has no option 'kernel_size'; its options: C, max_iter"),
    ("cnn", {"input_shape": (16, 33, 1)}, "model 'cnn' has no option 'input_shape'"),
    ("cnn", {"standardizer": None}, "model 'cnn' has no option 'standardizer'"),
    ("logreg", {"seed": 3}, "model 'logreg' has no option 'seed'"),
]


@pytest.mark.parametrize("model,options,message", BAD_OPTIONS,
                         ids=[f"{m}-{next(iter(o))}" for m, o, _ in BAD_OPTIONS])
def test_options_are_checked_against_the_builders_signature_and_types(model, options, message) -> None:
    """Break tried: check_options without the type check (_accepts always True) -> the typed
    cases pass through; without the name check -> the unknown ones do."""
    with pytest.raises(ValueError, match=message):
        RunSpec(model=model, options=options)
    with pytest.raises(ValueError, match=message):
        check_options(model, options)


@pytest.mark.parametrize("model,options", [
    ("cnn", {"kernel_size": 5, "filters": (4, 8), "dropout": 0, "dense_units": 16, "batch_norm": True}),
    ("cnn", {"l2": 0.0, "dense_dropout": 0.5}),
    ("rnn", {"units": 8, "n_layers": 0}),  # a value the builder refuses: checked when it builds
    ("crnn", {"rnn": "lstm", "bidirectional": False, "conv_blocks": 1, "pooling": "mean"}),
    ("logreg", {"C": 10}),
    ("svm", {"C": 0.5, "gamma": "auto"}),
    ("svm", {"gamma": 0.01, "calibration_folds": 3}),
])
def test_options_of_the_right_type_are_accepted(model, options) -> None:
    assert RunSpec(model=model, options=options).options == options


def test_the_options_a_run_sets_itself_are_never_user_options() -> None:
    assert {"input_shape", "n_classes", "standardizer", "seed", "name"} == RUN_SET
    for name in RUN_SET:
        with pytest.raises(ValueError, match=f"has no option '{name}'"):
            check_options("cnn", {name: 1})


# --------------------------------------------------------------------------- Hardware

BAD_HARDWARE = [
    ({"batch_size": 0}, "batch_size must be an integer >= 1, got 0"),
    ({"batch_size": 2.5}, "batch_size must be an integer >= 1, got 2.5"),
    ({"batch_size": "abc"}, "batch_size must be an integer >= 1, got 'abc'"),
    ({"batch_size": True}, "batch_size must be an integer >= 1, got True"),
    ({"devices": 0}, "devices must be an integer >= 1, got 0"),
    ({"devices": "2"}, "devices must be an integer >= 1, got '2'"),
    ({"precision": "half"}, r"precision must be one of \['float32', 'mixed'\], got 'half'"),
    ({"precision": 16}, "precision must be one of"),
    ({"scheduler": 8786}, "scheduler must be a Dask scheduler's address"),
]


@pytest.mark.parametrize("changes,message", BAD_HARDWARE, ids=[str(c) for c, _ in BAD_HARDWARE])
def test_bad_hardware_is_a_value_error_naming_the_field(changes, message) -> None:
    """Break tried: Hardware.__post_init__ without its checks -> every case passes silently
    (a string batch size gave int()'s own message, a numeric scheduler was accepted)."""
    with pytest.raises(ValueError, match=message):
        Hardware(**changes)


def test_hardware_defaults_and_good_values() -> None:
    assert Hardware() == Hardware(batch_size=None, precision=None, devices=None, scheduler=None)
    hardware = Hardware(batch_size=np.int64(64), precision="mixed", devices=2,
                        scheduler="tcp://127.0.0.1:8786")
    assert (hardware.batch_size, hardware.precision, hardware.devices) == (64, "mixed", 2)


# --------------------------------------------------------------------------- train_config


def test_train_config_is_the_profiles_recipe_seeded_with_the_spec() -> None:
    assert train_config(RunSpec()) == get_profile("quick").train
    assert train_config(RunSpec(profile="full", seed=4)) == TrainConfig(seed=4)
    assert train_config(RunSpec(epochs=7)).epochs == 7
    quick = get_profile("quick").train
    assert train_config(RunSpec(epochs=7)) == quick.with_(epochs=7)


def test_batch_size_scales_the_learning_rate_unless_the_spec_fixes_it() -> None:
    """The linear rule from the recipe's (32, 1e-3): lr = 1e-3 * N / 32; spec.learning_rate
    wins over it, with or without a batch size (what config.json records).

    Break tried: train_config passing learning_rate=None to with_batch_size -> the fixed
    rate is scaled (2e-3 at 128); ignoring hardware.batch_size -> batch 32 stays."""
    for n in (8, 32, 128, 256):
        cfg = train_config(RunSpec(profile="full"), Hardware(batch_size=n))
        assert cfg.batch_size == n and cfg.learning_rate == pytest.approx(1e-3 * n / 32)
    fixed = train_config(RunSpec(profile="full", learning_rate=5e-4), Hardware(batch_size=128))
    assert (fixed.batch_size, fixed.learning_rate) == (128, 5e-4)
    only_rate = train_config(RunSpec(learning_rate=5e-4))
    assert (only_rate.batch_size, only_rate.learning_rate) == (32, 5e-4)
    full = train_config(RunSpec(profile="full"), Hardware(batch_size=128))
    assert (full.batch_size, full.learning_rate, full.epochs) == (128, pytest.approx(4e-3), 50)


def test_precision_devices_and_augmentation_reach_the_recipe() -> None:
    """Break tried: train_config ignoring hardware.precision (or devices) -> float32 (None)."""
    cfg = train_config(RunSpec(), Hardware(precision="mixed", devices=2))
    assert (cfg.precision, cfg.devices) == ("mixed", 2)
    assert cfg.learning_rate == get_profile("quick").train.learning_rate  # not a batch size
    plain = train_config(RunSpec(), Hardware())
    assert (plain.precision, plain.devices, plain.augment) == ("float32", None, ())
    assert "augment" not in plain.to_dict()  # records without augmentation read as before
    augmented = train_config(RunSpec(augment="default"))
    assert augmented.augment == ("crop", "mixup") and augmented.to_dict()["augment"] == ["crop", "mixup"]
    assert train_config(RunSpec(), None) == plain


def test_a_fine_tuned_kind_starts_from_the_fine_tuning_rate_which_a_batch_size_scales() -> None:
    """A fine-tuned kind's base learning rate is ``FINETUNE_LEARNING_RATE`` (not the recipe's
    1e-3): alone, and scaled linearly by a batch size other than 32; a spec's rate still wins.

    Break tried: the FINETUNE_KINDS override skipped -> the recipe's 1e-3 instead of the
    fine-tuning rate."""
    from genrelib.models import FINETUNE_KINDS, FINETUNE_LEARNING_RATE

    kind = sorted(FINETUNE_KINDS)[0]
    assert FINETUNE_LEARNING_RATE != get_profile("full").train.learning_rate
    assert train_config(RunSpec(model=kind, profile="full")).learning_rate == pytest.approx(FINETUNE_LEARNING_RATE)
    scaled = train_config(RunSpec(model=kind, profile="full"), Hardware(batch_size=64))
    assert scaled.learning_rate == pytest.approx(FINETUNE_LEARNING_RATE * 2)
    assert train_config(RunSpec(model=kind, learning_rate=5e-4)).learning_rate == 5e-4
