"""Is a file like what the models heard in training? Silence and unfamiliar input, cheaply.

A model gives a confident genre to anything, silence included. Two measures that a saved run
already carries say when not to trust it: the audio's RMS level, and the file's features in
units of each model's training standardiser (the mean and standard deviation of every
feature row over its training set, saved in the model file).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["FAR_DISTANCE", "InputMeter", "InputReport", "MIN_VARIATION_VALUES", "SILENCE_DBFS", "STEADY_VARIATION"]

#: A file whose RMS level is below this (dB relative to full scale) is near-silent: 1/1000 of
#: full-scale amplitude, inaudible at usual listening levels. GTZAN's clips average -31 to
#: -10 dBFS; even quiet recordings stay well above -60.
SILENCE_DBFS = -60.0
#: Standardised, a model's training features have a root mean square of exactly 1 (that is
#: what the standardiser does); single tracks of the GTZAN mini set lie at 0.5-1.8. A file
#: whose features lie 3 training standard deviations from the training mean on average is
#: far from anything the model was trained on (an all-zero file: 7; a 440 Hz tone: 6).
FAR_DISTANCE = 3.0
#: How much the features of a file vary (per feature row, over its segments and frames), as a
#: fraction of the training set's spread: 0.35-0.9 for GTZAN tracks, about 0.1-0.2 for
#: stationary noise or a steady tone, which the mean distance above does not catch (white
#: noise at -20 dBFS sits at distance 1.0 in log-mel units).
STEADY_VARIATION = 0.25
#: The variation is measured only from at least this many values per feature row. A model of
#: per-segment statistics (logreg, the pretrained probes) has one value per row and segment, so
#: a 3 s clip has a single value per row, whose spread is 0 whatever the music, and a few
#: segments give a spread far below the true one; a log-mel model has 130 frames per segment.
MIN_VARIATION_VALUES = 5


@dataclass(frozen=True)
class InputReport:
    """How a file compares with the training data.

    ``rms_dbfs``: its RMS level in dBFS (None for digital silence, every sample 0);
    ``distance``: the root mean square of its standardised features (1 on the training set),
    the largest over the models; ``variation``: the RMS over feature rows of the file's
    standard deviation / the training one, the smallest over the models (both None when no
    model carries a standardiser; the variation None too when no model saw
    ``MIN_VARIATION_VALUES`` values per feature row: a file of one or a few segments scored by
    per-segment statistics); ``truncated``: the note of a truncated file predicted all
    the same (``allow_truncated``), else None; ``sample_rate``: the file's own rate and
    ``model_rate`` the models' (None when not known): a file recorded below the models' rate
    lacks the top of the band the training music had.
    """

    rms_dbfs: float | None
    distance: float | None
    variation: float | None
    truncated: str | None = None
    sample_rate: int | None = None
    model_rate: int | None = None

    @property
    def silent(self) -> bool:
        """Near-silent: RMS below ``SILENCE_DBFS`` (or every sample 0)."""
        return self.rms_dbfs is None or self.rms_dbfs < SILENCE_DBFS

    @property
    def unfamiliar(self) -> bool:
        """Far from the training data: distance above ``FAR_DISTANCE`` or variation below
        ``STEADY_VARIATION``."""
        return ((self.distance is not None and self.distance > FAR_DISTANCE)
                or (self.variation is not None and self.variation < STEADY_VARIATION))

    @property
    def notes(self) -> list[str]:
        """One sentence per reason to doubt the genres (empty when there is none)."""
        notes = [self.truncated] if self.truncated else []
        if self.sample_rate and self.model_rate and self.sample_rate < self.model_rate:
            notes.append(f"recorded at {self.sample_rate:,} Hz, below the models' {self.model_rate:,} Hz: nothing "
                         f"above {self.sample_rate // 2:,} Hz, where the training music had sound; the genres may "
                         "follow the missing band rather than the music")
        if self.silent:
            level = "every sample is 0" if self.rms_dbfs is None else f"RMS {self.rms_dbfs:.0f} dBFS"
            notes.append(f"near-silent ({level}, below {SILENCE_DBFS:g} dBFS): the genres say little")
        elif self.distance is not None and self.distance > FAR_DISTANCE:
            notes.append(f"unlike the training data (its features lie {self.distance:.1f} training "
                         f"standard deviations from the training mean, root mean square over the features; "
                         f"above {FAR_DISTANCE:g}): the genres say little")
        elif self.variation is not None and self.variation < STEADY_VARIATION:
            notes.append(f"unlike the training data (its features vary {self.variation:.2f} times as "
                         f"much as the training data's, below {STEADY_VARIATION:g}: a steady tone or "
                         "noise?): the genres say little")
        return notes

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready ``{"rms_dbfs", "distance", "variation", "silent", "unfamiliar",
        "sample_rate"}`` (numbers rounded to 3 decimals, None as null; the file's own rate)."""
        rounded = {k: None if v is None else round(float(v), 3)
                   for k, v in (("rms_dbfs", self.rms_dbfs), ("distance", self.distance),
                                ("variation", self.variation))}
        return {**rounded, "silent": self.silent, "unfamiliar": self.unfamiliar, "sample_rate": self.sample_rate}


class InputMeter:
    """Collects, chunk by chunk, what an ``InputReport`` needs (memory: a few rows of sums).

    Parameters
    ----------
    references : list of (mean, std) or None
        Per model, its training standardiser: float arrays of shape (n_features,), or None
        for a model that carries none.
    """

    def __init__(self, references: list[tuple[np.ndarray, np.ndarray] | None]) -> None:
        self._squares, self._samples = 0.0, 0
        self._refs = references
        rows = [0 if r is None else len(r[0]) for r in references]
        self._count = [0] * len(references)
        self._z2 = [0.0] * len(references)
        self._sum = [np.zeros(n) for n in rows]
        self._sum2 = [np.zeros(n) for n in rows]

    def add_audio(self, y: np.ndarray) -> None:
        """Count the samples ``y`` (n,) of the file (at any rate)."""
        self._squares += float(np.square(y, dtype=np.float64).sum())
        self._samples += int(y.shape[0])

    def add_features(self, member: int, X: np.ndarray) -> None:
        """Count the raw features X (n_segments, n_features, frames) that model ``member`` scores."""
        if self._refs[member] is None or len(X) == 0:
            return
        mean, std = self._refs[member]
        rows = np.moveaxis(np.asarray(X, dtype=np.float64), 1, 0).reshape(len(mean), -1)
        z = (rows - mean[:, None]) / std[:, None]
        self._count[member] += rows.shape[1]
        self._z2[member] += float(np.square(z).sum())
        self._sum[member] += rows.sum(axis=1)
        self._sum2[member] += np.square(rows).sum(axis=1)

    def report(self, truncated: str | None = None, *, sample_rate: int | None = None,
               model_rate: int | None = None) -> InputReport:
        """The ``InputReport`` of everything counted so far (``sample_rate``, ``model_rate``:
        the file's and the models' rates, when known)."""
        rms = np.sqrt(self._squares / max(self._samples, 1))
        distances, variations = [], []
        for ref, n, z2, s, s2 in zip(self._refs, self._count, self._z2, self._sum, self._sum2):
            if ref is None or n == 0:
                continue
            distances.append(np.sqrt(z2 / (n * len(ref[0]))))
            if n < MIN_VARIATION_VALUES:  # too few values per row to measure a spread
                continue
            spread = np.maximum(s2 / n - np.square(s / n), 0.0)
            variations.append(np.sqrt(np.mean(spread / np.square(ref[1]))))
        return InputReport(rms_dbfs=float(20 * np.log10(rms)) if rms > 0 else None,
                           distance=float(max(distances)) if distances else None,
                           variation=float(min(variations)) if variations else None,
                           truncated=truncated, sample_rate=sample_rate, model_rate=model_rate)
