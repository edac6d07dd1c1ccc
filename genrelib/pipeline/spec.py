"""What a run is (``RunSpec``) and what it runs on (``Hardware``): frozen, validated once.

A spec holds everything that changes a run's numbers; the hardware record only how fast it
gets them (a batch size other than the recipe's also changes the learning rate, which the
spec can fix). ``train_config`` combines both with the profile's recipe.
Notebook: 03_cnn.ipynb
"""

from __future__ import annotations

import collections.abc
import inspect
import math
import numbers
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from genrelib import models
from genrelib.augment import parse_augment
from genrelib.config import AGGREGATION_METHODS, PRECISIONS, FeatureConfig, TrainConfig, get_profile
from genrelib.datasets.splits import TrackSplit, check_split_spec
from genrelib.models import (FINETUNE_KINDS, FINETUNE_LEARNING_RATE, MODEL_KINDS, PRETRAINED_KINDS, check_model_kind,
                             default_feature_config, feature_kind, is_classical)

if TYPE_CHECKING:
    from genrelib.pretrained import EmbeddingSpec


def _fail(message: str) -> None:
    raise ValueError(message)


def _is_integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


@dataclass(frozen=True)
class RunSpec:
    """Everything that defines a run's numbers.

    Parameters
    ----------
    model : str
        The model kind: "cnn", "rnn", "crnn", "logreg", "svm" or a pretrained kind
        ("vgg-probe", "musicnn-probe", "vgg-finetune", "musicnn-finetune").
    options : mapping
        Options of the model's builder (e.g. ``{"kernel_size": 5}``, ``{"C": 10}``,
        ``{"source": "MTT", "layer": "pool5"}``), checked against its signature and the
        types of its defaults.
    profile : {"quick", "full"}
        The training recipe and data cap (``config.PROFILES``).
    epochs, learning_rate : int or float, optional
        Override the profile's (a deep model's; a classical model is fitted once; a
        fine-tuned kind's learning rate is ``FINETUNE_LEARNING_RATE`` by default).
    split : "random", "artist", "lists:DIR" or TrackSplit
        How tracks are split (by track, never by segment).
    seed : int
    valid_fraction, test_fraction : float in [0, 1)
        Shares of tracks for validation and test ("random" split).
    features : FeatureConfig, optional
        Default: the model's (``models.default_feature_config``); a pretrained kind reads
        the EmbeddingSpec its options name (``features`` must be None).
    augment : str or sequence of str
        Augmentations of a deep model's training stream ("crop,mixup", "default", ...).
    aggregation : {"vote", "mean", "geometric"}
        How the run's metrics and predictions turn segments into a track's genre
        (``evaluation.aggregate_tracks``); it changes no weight, so a finished run is reused
        under another rule and only evaluated again.

    Raises
    ------
    ValueError
        Naming the bad value and the choices, before any data is read.

    Notebook: 03_cnn.ipynb
    """

    model: str = "cnn"
    options: Mapping[str, Any] = field(default_factory=dict)
    profile: str = "quick"
    epochs: int | None = None
    learning_rate: float | None = None
    split: str | TrackSplit = "random"
    seed: int = 0
    valid_fraction: float = 0.1
    test_fraction: float = 0.1
    features: FeatureConfig | None = None
    augment: str | Sequence[str] | None = ()
    aggregation: str = AGGREGATION_METHODS[0]

    def __post_init__(self) -> None:
        check_model_kind(self.model)
        if self.aggregation not in AGGREGATION_METHODS:
            _fail(f"aggregation must be one of {list(AGGREGATION_METHODS)}, got {self.aggregation!r}")
        get_profile(self.profile)
        if self.epochs is not None and not (_is_integer(self.epochs) and self.epochs >= 1):
            _fail(f"epochs must be an integer >= 1, got {self.epochs!r}")
        if self.learning_rate is not None and not (_is_number(self.learning_rate)
                                                   and 0 < self.learning_rate < math.inf):
            _fail(f"learning_rate must be a positive number, got {self.learning_rate!r}")
        if not isinstance(self.split, (str, TrackSplit)):
            _fail(f"split must be 'random', 'artist', 'lists:DIR' or a TrackSplit, got {self.split!r}")
        if not isinstance(self.split, TrackSplit):
            try:
                check_split_spec(self.split)
            except ValueError as error:
                _fail(f"split: {error}")
        if not (_is_integer(self.seed) and self.seed >= 0):
            _fail(f"seed must be an integer >= 0, got {self.seed!r}")
        for name in ("valid_fraction", "test_fraction"):
            value = getattr(self, name)
            if not (_is_number(value) and 0.0 <= value < 1.0):
                _fail(f"{name} must be in [0, 1), got {value!r}")
        if self.valid_fraction + self.test_fraction >= 1.0:
            _fail("valid_fraction + test_fraction must leave tracks for training (< 1)")
        if not isinstance(self.options, Mapping):
            _fail(f"options must be a mapping {{name: value}}, got {self.options!r}")
        if self.features is not None and not isinstance(self.features, FeatureConfig):
            _fail(f"features must be a FeatureConfig (or None: the model's), got {self.features!r}")
        if self.features is not None and self.features.kind != feature_kind(self.model):
            readers = [m for m in MODEL_KINDS if feature_kind(m) == self.features.kind]
            _fail(f"model {self.model!r} reads {feature_kind(self.model)!r} features, "
                  f"got a FeatureConfig of kind {self.features.kind!r}"
                  + (f", which {' and '.join(readers)} {'reads' if len(readers) == 1 else 'read'}" if readers else "")
                  + f"; leave features None, or give default_feature_config({self.model!r}) with your changes")
        if self.features is not None and self.model in PRETRAINED_KINDS:
            _fail(f"model {self.model!r} reads the tagger's features its options name (source, "
                  "layer): leave features None")
        try:
            names = parse_augment(self.augment)
        except ValueError as error:
            _fail(f"augment: {error}")
        if names and self.model in PRETRAINED_KINDS:
            _fail(f"augment: augmentation trains deep models (cnn, rnn, crnn); {self.model!r} reads "
                  "a pretrained tagger's embeddings or patches")
        if names and is_classical(self.model):
            _fail(f"augment: augmentation trains deep models (cnn, rnn, crnn); {self.model!r} is "
                  "fitted once on segment statistics")
        object.__setattr__(self, "augment", names)
        object.__setattr__(self, "options", check_options(self.model, self.options))
        object.__setattr__(self, "seed", int(self.seed))
        if self.model in PRETRAINED_KINDS:
            self.feature_config  # a bad source or layer fails here, before any data is read

    @property
    def feature_config(self) -> FeatureConfig | EmbeddingSpec:
        """The features the run reads: ``features`` or the model's default (a pretrained
        kind's ``EmbeddingSpec``, from its options)."""
        return self.features or default_feature_config(self.model, options=self.options)

    @property
    def split_name(self) -> str:
        """The split as config.json records it: its protocol name, or "custom"."""
        return self.split if isinstance(self.split, str) else "custom"

    def with_(self, **changes: Any) -> RunSpec:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)


def check_spec(spec: object) -> None:
    """TypeError unless ``spec`` is a RunSpec (a model name or a dict is a common slip)."""
    if not isinstance(spec, RunSpec):
        raise TypeError(f"spec must be a RunSpec, e.g. RunSpec(model='cnn'), got {type(spec).__name__} "
                        f"{spec!r}; the call is train_run(data, spec, out_dir=...)")


@dataclass(frozen=True)
class Hardware:
    """How a run computes, not its recipe: meant to change its speed, not what it learns,
    though not without a trace: a batch size other than the recipe's scales the learning rate
    with it (the linear scaling rule: close to the recipe's training, not identical), mixed
    precision rounds differently, and several devices sum gradients in another order.

    Parameters
    ----------
    batch_size : int, optional
        Default: the profile's (32); the learning rate scales linearly with it
        (``config.scaled_learning_rate``) unless the spec fixes ``learning_rate``.
    precision : {"float32", "mixed"}, optional
        Default: the profile's (float32).
    devices : int, optional
        Devices to train on, data-parallel (default: every visible one).
    scheduler : str, optional
        A Dask scheduler's address for the features (``features.extract_features``).

    Notebook: 03_cnn.ipynb
    """

    batch_size: int | None = None
    precision: str | None = None
    devices: int | None = None
    scheduler: str | None = None

    def __post_init__(self) -> None:
        for name in ("batch_size", "devices"):
            value = getattr(self, name)
            if value is not None and not (_is_integer(value) and value >= 1):
                _fail(f"{name} must be an integer >= 1, got {value!r}")
        if self.precision is not None and self.precision not in PRECISIONS:
            _fail(f"precision must be one of {list(PRECISIONS)}, got {self.precision!r}")
        if self.scheduler is not None and not isinstance(self.scheduler, str):
            _fail(f"scheduler must be a Dask scheduler's address (e.g. 'tcp://host:8786'), "
                  f"got {self.scheduler!r}")


def train_config(spec: RunSpec, hardware: Hardware | None = None) -> TrainConfig:
    """The profile's training recipe with the spec's and the hardware's overrides.

    Returns
    -------
    TrainConfig
        Seeded with ``spec.seed``; a batch size scales the learning rate unless
        ``spec.learning_rate`` is given (a fine-tuned kind: ``FINETUNE_LEARNING_RATE``).
    """
    hardware = hardware or Hardware()
    train_cfg = get_profile(spec.profile).train.with_(seed=spec.seed)
    if spec.model in FINETUNE_KINDS:  # the base rate that a batch size scales
        train_cfg = train_cfg.with_(learning_rate=FINETUNE_LEARNING_RATE)
    if spec.epochs is not None:
        train_cfg = train_cfg.with_(epochs=int(spec.epochs))
    if hardware.batch_size is not None:
        train_cfg = train_cfg.with_batch_size(int(hardware.batch_size), learning_rate=spec.learning_rate)
    elif spec.learning_rate is not None:
        train_cfg = train_cfg.with_(learning_rate=float(spec.learning_rate))
    if hardware.precision is not None:
        train_cfg = train_cfg.with_(precision=hardware.precision)
    if hardware.devices is not None:
        train_cfg = train_cfg.with_(devices=int(hardware.devices))
    return train_cfg.with_(augment=spec.augment) if spec.augment else train_cfg


# --------------------------------------------------------------------------- model options

_WORDS = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}


def _accepts(annotation: Any, value: Any) -> bool:
    """Whether ``value`` fits a builder parameter's type hint (int, float, bool, str, a
    sequence of them, unions; any other hint accepts anything)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_accepts(arg, value) for arg in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if annotation is str:
        return isinstance(value, str)
    if origin in (tuple, list, collections.abc.Sequence):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        return (isinstance(value, (tuple, list)) and
                all(_accepts(args[0], v) for v in value) if args else isinstance(value, (tuple, list)))
    return True


def _describe(annotation: Any) -> str:
    """"an integer", "a number or a string", "a list of integers", ..."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in typing.get_args(annotation))
    if origin in (tuple, list, collections.abc.Sequence):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        inner = _WORDS.get(args[0], "value").split(" ", 1)[-1] if args else "value"
        return f"a list of {inner}s"
    return "nothing (None)" if annotation is type(None) else _WORDS.get(annotation, str(annotation))


#: Builder parameters a run sets itself (never a user option).
RUN_SET: frozenset[str] = frozenset({"input_shape", "n_classes", "standardizer", "seed", "name"})


def check_options(model_kind: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` as a dict when every name is a parameter of the model's builder and every
    value has the type of that parameter's default.

    Raises
    ------
    ValueError
        "option kernel_size: expected an integer, got 'abc'", or the unknown names with the
        accepted ones.
    """
    if not options:  # nothing to check: the builder (and Keras) is not loaded
        return {}
    builder = models.builder_for(model_kind)  # loads the builders' module (Keras) on first use
    parameters = {n: p for n, p in inspect.signature(builder).parameters.items() if n not in RUN_SET}
    hints = typing.get_type_hints(builder)
    unknown = sorted(set(options) - set(parameters))
    if unknown:
        _fail(f"model {model_kind!r} has no option {', '.join(map(repr, unknown))}; "
              f"its options: {', '.join(sorted(parameters))}")
    for name, value in options.items():
        hint = hints.get(name, Any)
        if not _accepts(hint, value):
            _fail(f"option {name}: expected {_describe(hint)}, got {value!r}"
                  + (f"; --model {model_kind} takes one value (a list of candidates is for the models that "
                     "choose among them in training: logreg and the probes' C)" if isinstance(value, list) else ""))
    return dict(options)
