"""Chord accompaniment: one writer per figure (strumming, power chords, skanks, stabs,
pads, jazz comping, arpeggios...), each filling one bar from the song's chords.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from genrelib.datasets.synthetic.grooves import parse_pattern
from genrelib.datasets.synthetic.harmony import nearest, voicing
from genrelib.datasets.synthetic.score import Part, Song

_JAZZ_RHYTHMS = ([(0.0, 1.5), (1.5, 1.0)], [(0.5, 1.0), (2.5, 1.0)], [(1.0, 0.8), (3.5, 0.9)],
                 [(0.0, 0.4), (1.5, 0.4), (3.0, 0.9)])
_LOOP_RHYTHM = ((0.0, 1.2), (1.5, 0.5), (2.75, 0.9))  # a sampled two-bar-feel chord loop


@dataclass(frozen=True)
class _Bar:
    """What an accompaniment writer knows about one bar: its first beat, the voicing
    centre (MIDI) and how many optional hits to keep (``density``)."""

    song: Song
    part: Part
    index: int
    b0: float
    center: int
    density: float

    def chord(self, beat: float, rootless: bool = False) -> list[int]:
        """The voicing (MIDI notes) of the chord sounding at ``beat``."""
        root, quality = self.song.chord_at(beat)
        return voicing(root, quality, center=self.center, rootless=rootless)

    def play(self, beat: float, notes: list[int], length: float, velocity: float) -> None:
        """Add every note of ``notes`` at ``beat``."""
        for n in notes:
            self.part.add(beat, n, length, velocity)

    def power_root(self) -> int:
        """The root of the bar's chord below the voicing centre (for riffs)."""
        return nearest(self.song.chord_at(self.b0)[0], self.center - 6)


def _strum(bar: _Bar) -> None:
    for i in range(2 * bar.song.bpb):
        if bar.song.rng.random() > bar.density and i % 2:
            continue
        notes = bar.chord(bar.b0 + 0.5 * i)
        notes = notes if i % 2 == 0 else notes[::-1]  # down- and up-strokes
        bar.play(bar.b0 + 0.5 * i, notes, 0.5, (0.9 if i % 4 == 2 else 0.65) * (1 if i % 2 == 0 else 0.7))


def _power_chords(bar: _Bar, step: float, chug: bool) -> None:
    r = bar.power_root()
    for i in range(int(bar.song.bpb / step)):
        if chug and bar.song.rng.random() > bar.density:
            continue
        bar.play(bar.b0 + step * i, [r, r + 7, r + 12], step * (0.45 if chug else 0.95), 0.9 if i % 4 == 0 else 0.75)


def _shuffle(bar: _Bar) -> None:
    r = bar.power_root()
    for i in range(2 * bar.song.bpb):
        upper = 7 if (i // 2) % 2 == 0 else 9
        bar.play(bar.b0 + 0.5 * i, [r, r + upper], 0.45, 0.85 if i % 2 == 0 else 0.6)


def _skank(bar: _Bar) -> None:
    for i in range(bar.song.bpb):
        bar.play(bar.b0 + i + 0.5, bar.chord(bar.b0 + i + 0.5), 0.18, 0.85)


def _bubble(bar: _Bar) -> None:
    for i in range(bar.song.bpb):
        for k, off in enumerate((0.5, 0.75)):
            notes = bar.chord(bar.b0 + i + off)
            bar.part.add(bar.b0 + i + off, notes[0] if k == 0 else notes[-1], 0.2, 0.7)


def _stab(bar: _Bar) -> None:
    for step, v in parse_pattern("..x...x.x.x...x." if bar.index % 2 else "x...x.x...x.x..."):
        if bar.song.rng.random() <= bar.density:
            bar.play(bar.b0 + step / 4, bar.chord(bar.b0 + step / 4), 0.22, v)


def _pad(bar: _Bar) -> None:
    bar.play(bar.b0, bar.chord(bar.b0), bar.song.bpb * 0.99, 0.7)


def _jazz(bar: _Bar) -> None:
    rng = bar.song.rng
    for off, length in _JAZZ_RHYTHMS[int(rng.integers(len(_JAZZ_RHYTHMS)))]:
        if off < bar.song.bpb:
            for n in bar.chord(bar.b0 + off, rootless=True):
                bar.part.add(bar.b0 + off, n, length, 0.55 + 0.25 * rng.random())


def _broken_chord(bar: _Bar, step: float, order: tuple[int, ...], ring: float, roll: bool) -> None:
    for i in range(int(bar.song.bpb / step)):
        notes = bar.chord(bar.b0 + step * i)
        if roll:
            notes = notes + [notes[0] + 12]
        n = notes[order[i % len(order)] % len(notes)]
        bar.part.add(bar.b0 + step * i, n, step * ring, 0.8 if i % 4 == 0 else 0.6)


def _loop(bar: _Bar) -> None:
    for off, length in _LOOP_RHYTHM:
        bar.play(bar.b0 + off, bar.chord(bar.b0 + off), length, 0.75)


def _block(bar: _Bar) -> None:
    for i in range(bar.song.bpb):
        bar.play(bar.b0 + i, bar.chord(bar.b0 + i), 0.8, 0.8 if i % 2 == 0 else 0.65)


COMP_STYLES: dict[str, Callable[[_Bar], None]] = {
    "strum": _strum, "power8": lambda bar: _power_chords(bar, 0.5, False),
    "chug16": lambda bar: _power_chords(bar, 0.25, True), "shuffle": _shuffle, "skank": _skank,
    "bubble": _bubble, "stab": _stab, "pad": _pad, "jazz": _jazz,
    "arpeggio": lambda bar: _broken_chord(bar, 0.5, (0, 2, 1, 2), 3.0, False),
    "roll": lambda bar: _broken_chord(bar, 0.25, (0, 1, 2, 3, 1, 2, 3, 0), 1.5, True),
    "loop": _loop, "block": _block,
}
_ALWAYS_PLAYING = ("pad", "arpeggio")  # the figures that do not drop out in near-silent bars


def write_comp(song: Song, part: Part, style: str, *, center: int, density: float = 1.0) -> None:
    """Write the accompaniment figure ``style`` (a key of ``COMP_STYLES``) into ``part``;
    ``center`` is the MIDI centre of the voicings, ``density`` thins out optional hits.
    """
    if style not in COMP_STYLES:
        raise ValueError(f"unknown accompaniment style {style!r}; choose one of {list(COMP_STYLES)}")
    for index in range(song.bars):
        if song.intensity[index] < 0.15 and style not in _ALWAYS_PLAYING:
            continue
        COMP_STYLES[style](_Bar(song, part, index, index * song.bpb, center, density))
