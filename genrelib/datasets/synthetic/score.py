"""The score of a track before any sound is made: a :class:`Grid` that maps beats to
seconds, the :class:`Song` (harmony and form) the part writers read, and the
:class:`Part` each writer fills with ``(beat, pitch, length, velocity)`` events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from genrelib.datasets.synthetic.oscillators import Timbre


@dataclass(frozen=True)
class Grid:
    """Beat -> seconds: tempo ``bpm``, swing of ``swing_unit`` beats (0.5 = eighths) by
    ``swing`` (0 straight, 1/6 triplet feel), a slow tempo wobble of ``rubato`` beats every
    ``rubato_period`` beats, and the beat ``start_beat`` at which the clip starts.
    """

    bpm: float
    beats_per_bar: int
    swing: float
    swing_unit: float
    start_beat: float
    rubato: float
    rubato_period: float

    def seconds(self, beats: np.ndarray) -> np.ndarray:
        """Onset times in seconds, shape of ``beats``."""
        b = np.asarray(beats, dtype=np.float64)
        if self.swing:
            pair = 2.0 * self.swing_unit
            base = np.floor(b / pair) * pair
            f = (b - base) / pair
            s = self.swing
            f = np.where(f < 0.5, f * (0.5 + s) / 0.5, 0.5 + s + (f - 0.5) * (0.5 - s) / 0.5)
            b = base + f * pair
        if self.rubato:
            b = b + self.rubato * np.sin(2 * np.pi * b / self.rubato_period)
        return (b - self.start_beat) * 60.0 / self.bpm


@dataclass
class Part:
    """One instrument's events ``(beat, pitch or drum name, length in beats, velocity)``.

    ``bus`` groups parts for mixing ("drums", "bass", "comp", "comp2", "lead", "vocal");
    ``timbre`` is None for drums; ``strum`` is the delay in seconds between chord notes.
    """

    bus: str
    timbre: Timbre | None = None
    strum: float = 0.0
    events: list[tuple[float, object, float, float]] = field(default_factory=list)

    def add(self, beat: float, pitch: object, length: float, velocity: float) -> None:
        """Append one event."""
        self.events.append((float(beat), pitch, float(length), float(velocity)))


@dataclass
class Song:
    """Everything the part writers read: the track's rng, grid, key, harmony and form.

    ``chords`` holds (root pitch class, quality) for every half bar; ``sections`` the
    section number of every bar; ``intensity`` a 0..1 arrangement density per bar.
    """

    rng: np.random.Generator
    grid: Grid
    bars: int
    key: int
    chords: list[tuple[int, str]]
    sections: list[int]
    intensity: list[float]

    @property
    def bpb(self) -> int:
        """Beats per bar."""
        return self.grid.beats_per_bar

    def chord_at(self, beat: float) -> tuple[int, str]:
        """(root pitch class, quality) sounding at ``beat``."""
        return self.chords[min(int(beat // (self.bpb / 2.0)), len(self.chords) - 1)]

    def section_start(self, bar: int) -> bool:
        """Whether ``bar`` opens a section."""
        return bar == 0 or self.sections[bar] != self.sections[bar - 1]

    def section_end(self, bar: int) -> bool:
        """Whether ``bar`` closes a section."""
        return bar == self.bars - 1 or self.sections[bar] != self.sections[bar + 1]
