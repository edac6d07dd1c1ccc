"""A track's drum kit: the artist's drum settings, tuned a little per track, each drum
rendered on first use from its own seed (so that a drum's sound does not depend on which
other drums the track plays).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from genrelib.datasets.synthetic import drums
from genrelib.datasets.synthetic.grooves import DRUMS


def _recipe(name: str, kit: dict[str, tuple[float, ...]]) -> tuple[Callable[..., np.ndarray], dict[str, float]]:
    """The sound function of drum ``name`` and its settings (before per-track tuning)."""
    recipes: dict[str, tuple[Callable[..., np.ndarray], dict[str, float]]] = {
        "kick": (drums.kick, {**dict(zip(("f_start", "f_end", "decay"), kit["kick"])), "click": 0.3}),
        "snare": (drums.snare, {**dict(zip(("tone", "noise_decay"), kit["snare"])), "snappy": 0.6}),
        "hat": (drums.hat, {"decay": kit["hat"][0], "low": 6000.0}),
        "ohat": (drums.hat, {"decay": kit["ohat"][0], "low": 5000.0}),
        "ride": (drums.ride, {"decay": kit["ride"][0], "pitch": 1.0}),
        "crash": (drums.ride, {"decay": 1.6, "pitch": 0.8}),
        "clap": (drums.clap, {"decay": 0.12}),
        "rim": (drums.rim, {"tone": 520.0}),
        "brush": (drums.brush, {"decay": 0.12}),
        "tom": (drums.tom, {"pitch": 110.0}),
    }
    return recipes[name]


class DrumKit:
    """``kit[name]``: the one-shot of drum ``name`` (float32, shape (n_samples,)), rendered
    once at ``sample_rate`` from the artist's ``style["kit"]`` and the track's ``seed``.
    """

    def __init__(self, style: dict[str, Any], seed: int, sample_rate: int) -> None:
        self._kit, self._seed, self._sr = style["kit"], seed, sample_rate
        self._sounds: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._sounds:
            rng = np.random.default_rng([self._seed, DRUMS.index(name)])
            sound, settings = _recipe(name, self._kit)
            # every setting tuned by +-7 % for this track, in the order listed
            tuned = {key: value * float(rng.uniform(0.93, 1.07)) for key, value in settings.items()}
            self._sounds[name] = sound(self._sr, **tuned, rng=rng)
        return self._sounds[name]
