"""The tuning space: the study's Table 1 factors, what each accepts, how each changes a run.

A trial's *settings* are what ``train_run`` receives beyond the data and the seed:
``{"options": builder options, "batch_size": int, "learning_rate": float,
"segment_seconds": float}``. ``base_settings`` gives the recipe's; a factor's ``apply``
changes one part of them. Every value is checked against the model before any training.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from genrelib.config import get_profile
from genrelib.models import BUILDERS, CNN_FILTERS
from genrelib.pipeline import RUN_SET, RunSpec

__all__ = ["FACTORS", "FILTER_SETS", "STUDY_TABLE1", "TUNABLE_MODELS", "Factor",
           "apply_settings", "base_settings", "check_factors", "check_tunable", "default_factors"]

#: The model kinds ``genrelib tune`` tunes (the deep ones).
TUNABLE_MODELS: tuple[str, ...] = tuple(BUILDERS)
#: Named filter-width sets for the "filters" factor: the study's, and one half as wide.
FILTER_SETS: dict[str, tuple[int, ...]] = {"study": CNN_FILTERS,
                                           "small": tuple(f // 2 for f in CNN_FILTERS)}
#: The RNN types of the "rnn_type" factor: (cell, bidirectional).
RNN_TYPES: dict[str, tuple[str, bool]] = {"lstm": ("lstm", False), "gru": ("gru", False),
                                          "bilstm": ("lstm", True), "bigru": ("gru", True)}

Settings = dict[str, Any]
#: A search space: {factor name: its values, or None for the study's values}.
Space = Mapping[str, Sequence[Any] | None]


def _integer(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        number = float(value)
        if number != int(number) or not low <= number <= high:
            raise ValueError
        return int(number)
    return parse


def _number(low: float, high: float, *, low_open: bool) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        number = float(value)
        if not (low < number if low_open else low <= number) or not number <= high:
            raise ValueError
        return number
    return parse


def _filters(value: Any) -> str:
    text = str(value).strip().lower()
    if text in FILTER_SETS:
        return text
    widths = [int(w) for w in text.split("-")]
    if not widths or min(widths) < 1:
        raise ValueError
    return "-".join(str(w) for w in widths)


def _rnn_type(value: Any) -> str:
    text = str(value).strip().lower().replace("-", "").replace("_", "")
    if text not in RNN_TYPES:
        raise ValueError
    return text


def filter_widths(value: str) -> tuple[int, ...]:
    """The widths of a "filters" value: a named set (``FILTER_SETS``) or "16-32-64"."""
    return FILTER_SETS.get(value) or tuple(int(w) for w in value.split("-"))


def _extended(widths: Sequence[int], blocks: int) -> tuple[int, ...]:
    """``widths`` cut or extended (repeating the last width) to ``blocks`` entries."""
    widths = tuple(int(w) for w in widths)
    return widths[:blocks] + (widths[-1],) * max(0, blocks - len(widths))


def _apply_conv_blocks(model: str, s: Settings, n: int) -> None:
    widths = s["options"].get("filters", CNN_FILTERS)
    if model == "cnn":
        s["options"]["filters"] = _extended(widths, n)
    else:
        s["options"]["conv_blocks"] = n
        s["options"]["filters"] = _extended(widths, max(n, len(widths)))


def _apply_filters(model: str, s: Settings, value: str) -> None:
    widths = filter_widths(value)
    if model == "cnn":  # keep the number of blocks, change their widths
        blocks = len(s["options"].get("filters", CNN_FILTERS))
        s["options"]["filters"] = _extended(widths, max(blocks, 1))
    else:
        blocks = s["options"].get("conv_blocks", 3)
        s["options"]["filters"] = _extended(widths, max(blocks, len(widths)))


def _apply_rnn_type(model: str, s: Settings, value: str) -> None:
    if model == "crnn":
        s["options"]["rnn"], s["options"]["bidirectional"] = RNN_TYPES[value]


def _apply_dropout(model: str, s: Settings, value: float) -> None:
    s["options"]["dropout"] = value
    if model == "crnn":
        s["options"]["rnn_dropout"] = value


def _set_option(key: str) -> Callable[[str, Settings, Any], None]:
    def apply(model: str, s: Settings, value: Any) -> None:
        s["options"][key] = value
    return apply


def _set_setting(key: str) -> Callable[[str, Settings, Any], None]:
    def apply(model: str, s: Settings, value: Any) -> None:
        s[key] = value
    return apply


@dataclass(frozen=True)
class Factor:
    """One row of the study's Table 1: its name (as the chapter and ``--factor`` use it), a
    label, the values the study tried and the one it chose, the models it applies to, the
    values it accepts (``accepted``, in words) and how a value changes a trial's settings.
    """

    name: str
    label: str
    study_values: tuple[Any, ...]
    study_choice: Any
    study_note: str
    models: tuple[str, ...]
    accepted: str
    parse: Callable[[Any], Any]
    apply: Callable[[str, Settings, Any], None]
    model_values: Mapping[str, tuple[Any, ...]] | None = None  # values limited per model

    def check(self, model: str, value: Any) -> Any:
        """``value`` parsed and checked for ``model``; ValueError naming what is accepted."""
        if model not in self.models:
            raise ValueError(f"factor {self.name!r} does not apply to the {model} model "
                             f"(it applies to {', '.join(self.models)}); factors for {model}: "
                             f"{', '.join(f.name for f in FACTORS.values() if model in f.models)}")
        try:
            parsed = self.parse(value)
        except (TypeError, ValueError):
            raise ValueError(f"factor {self.name!r}: bad value {value!r}; accepted: {self.accepted}") from None
        allowed = (self.model_values or {}).get(model)
        if allowed is not None and parsed not in allowed:
            raise ValueError(f"factor {self.name!r}: value {value!r} cannot apply to the {model} "
                             f"model; accepted there: {', '.join(map(str, allowed))} ({self.accepted})")
        return parsed

    def default_values(self, model: str) -> tuple[Any, ...]:
        """The study's values that apply to ``model``."""
        allowed = (self.model_values or {}).get(model)
        return tuple(v for v in self.study_values if allowed is None or v in allowed)


FACTORS: dict[str, Factor] = {f.name: f for f in (
    Factor("conv_blocks", "CNN: convolution blocks", (3, 5, 7), 5,
           "best validation accuracy, about 85 %", ("cnn", "crnn"),
           "an integer from 1 to 7 (each block halves the 128 mel bands)",
           _integer(1, 7), _apply_conv_blocks),
    Factor("kernel_size", "CNN: kernel size", (3, 5, 7), 5, "slightly ahead of 3x3",
           ("cnn", "crnn"), "an integer from 1 to 15 (a k x k kernel)",
           _integer(1, 15), _set_option("kernel_size")),
    Factor("filters", "CNN: filters per block", ("study", "small"), "study",
           "the larger model learned better", ("cnn", "crnn"),
           f"{' or '.join(FILTER_SETS)} ({', '.join('-'.join(map(str, w)) for w in FILTER_SETS.values())}) "
           "or widths joined by dashes, e.g. 16-32-64",
           _filters, _apply_filters),
    Factor("rnn_type", "RNN: type and direction", ("lstm", "gru", "bilstm", "bigru"), "bigru",
           "highest accuracy, about 89 %", ("rnn", "crnn"),
           f"{', '.join(RNN_TYPES)} (the rnn model is two LSTMs: lstm only)",
           _rnn_type, _apply_rnn_type, model_values={"rnn": ("lstm",)}),
    Factor("units", "RNN: units per layer", (64, 128, 256), 128, "256 gained nothing",
           ("rnn", "crnn"), "an integer from 1 to 4096", _integer(1, 4096), _set_option("units")),
    Factor("dropout", "Dropout rate", (0.0, 0.25, 0.5), 0.5, "the best trade-off",
           TUNABLE_MODELS, "a number in [0, 1) (cnn: conv blocks; rnn: after each LSTM; "
           "crnn: conv blocks and after the GRUs)",
           _number(0.0, 0.99, low_open=False), _apply_dropout),
    Factor("learning_rate", "Learning rate (Adam)", (1e-2, 1e-3, 1e-4), 1e-3,
           "0.01 diverged", TUNABLE_MODELS, "a number in (0, 1]",
           _number(0.0, 1.0, low_open=True), _set_setting("learning_rate")),
    Factor("batch_size", "Batch size", (16, 32, 64), 32, "balanced stability and speed",
           TUNABLE_MODELS, "an integer from 1 to 4096 (learning rate held at the recipe's)",
           _integer(1, 4096), _set_setting("batch_size")),
    Factor("segment_seconds", "Segment length (s)", (1.0, 3.0, 5.0), 3.0,
           "1 s too short, 5 s too few segments", TUNABLE_MODELS,
           "seconds in (0, 30] (features recomputed and cached per length)",
           _number(0.0, 30.0, low_open=True), _set_setting("segment_seconds")),
)}

#: The study's Table 1 {factor: (values it tried, its choice, what it reports)}, quoted from
#: the study's own table (its numbers; our wording).
STUDY_TABLE1: dict[str, tuple[tuple[Any, ...], Any, str]] = {
    name: (f.study_values, f.study_choice, f.study_note) for name, f in FACTORS.items()}


def check_tunable(model: str) -> str:
    """``model`` itself when the sweeps can tune it (a Keras model kind); ValueError listing
    the tunable kinds otherwise."""
    if model not in TUNABLE_MODELS:
        raise ValueError(f"model {model!r} cannot be tuned; choose one of {list(TUNABLE_MODELS)}")
    return model


def builder_defaults(model: str) -> dict[str, Any]:
    """Every option of ``model``'s builder at its default (``l2``: the recipe's), so a
    trial's settings name its whole configuration and equal configurations compare equal."""
    parameters = inspect.signature(BUILDERS[model]).parameters
    defaults = {name: p.default for name, p in parameters.items() if name not in RUN_SET}
    return {**defaults, "l2": get_profile("full").train.l2}


def check_factors(model: str, factors: Space | None) -> dict[str, tuple[Any, ...]]:
    """``{factor: values}`` parsed and checked for ``model`` (None or empty values: the
    study's values for that model; ``factors`` None: every factor that applies, with the
    study's values). ValueError naming the accepted factors or values on the first problem.
    """
    check_tunable(model)
    if factors is None:
        factors = {name: None for name, f in FACTORS.items() if model in f.models
                   and len(f.default_values(model)) > 1}
    checked: dict[str, tuple[Any, ...]] = {}
    for name, values in factors.items():
        if name not in FACTORS:
            raise ValueError(f"unknown factor {name!r}; accepted for {model}: "
                             f"{', '.join(f.name for f in FACTORS.values() if model in f.models)}")
        factor = FACTORS[name]
        parsed = tuple(factor.check(model, v) for v in (values or factor.default_values(model)))
        if not parsed:
            raise ValueError(f"factor {name!r} has no value that applies to {model}")
        if len(set(parsed)) != len(parsed):
            raise ValueError(f"factor {name!r} lists a value twice: {list(values or ())}")
        checked[name] = parsed
    return checked


def default_factors(model: str) -> dict[str, tuple[Any, ...]]:
    """Every factor of Table 1 that applies to ``model``, with the study's values."""
    return check_factors(model, None)


def base_settings(spec: RunSpec) -> Settings:
    """The recipe's settings for ``spec``: every builder option (its options over the
    builder's defaults), the profile's batch size and learning rate (passed explicitly, so a
    batch-size trial changes the batch size only) and the features' segment length.
    """
    recipe = get_profile(spec.profile).train
    return {"options": {**builder_defaults(check_tunable(spec.model)), **spec.options},
            "batch_size": recipe.batch_size,
            "learning_rate": recipe.learning_rate,
            "segment_seconds": spec.feature_config.segment_seconds}


def apply_settings(model: str, base: Settings, changes: Mapping[str, Any]) -> Settings:
    """A copy of ``base`` with every ``{factor: value}`` of ``changes`` applied in order
    (values checked for ``model``)."""
    settings = copy.deepcopy(dict(base))
    for name, value in changes.items():
        factor = FACTORS[name]
        factor.apply(model, settings, factor.check(model, value))
    return settings
