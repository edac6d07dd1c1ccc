"""Bass lines: one writer per style, each filling one bar from the chord of the bar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from genrelib.datasets.synthetic.grooves import parse_pattern
from genrelib.datasets.synthetic.harmony import CHORDS, nearest
from genrelib.datasets.synthetic.score import Part, Song


@dataclass(frozen=True)
class _Bar:
    """What a bass writer knows about one bar: its first beat, the root (MIDI) and the
    chord quality, and the line's register and density."""

    song: Song
    part: Part
    index: int
    b0: float
    root: int
    quality: str
    register: int
    density: float


def _walking(bar: _Bar) -> None:
    rng, r, third = bar.song.rng, bar.root, CHORDS[bar.quality][1]
    nxt = nearest(bar.song.chord_at(bar.b0 + bar.song.bpb)[0], bar.register + 5)
    line = [r, r + rng.choice([third, 7, 12 if r < bar.register + 6 else -5]),
            r + rng.choice([7, 5, 9, third]), nxt + rng.choice([-1, 1, -2])]
    for i in range(bar.song.bpb):
        bar.part.add(bar.b0 + i, line[min(i, 3)], 0.95, 0.8 + 0.1 * rng.random())


def _boogie(bar: _Bar) -> None:
    seq = [0, CHORDS[bar.quality][1], 7, 9, 10, 9, 7, CHORDS[bar.quality][1]]
    for i in range(2 * bar.song.bpb):
        bar.part.add(bar.b0 + 0.5 * i, bar.root + seq[i % 8], 0.45, 0.85 if i % 2 == 0 else 0.6)


def _repeated_root(bar: _Bar, step: float, chug: bool) -> None:
    for i in range(int(bar.song.bpb / step)):
        if chug and bar.song.rng.random() > bar.density:
            continue
        bar.part.add(bar.b0 + step * i, bar.root, step * 0.9, 0.85 if i % 2 == 0 else 0.7)


def _octave8(bar: _Bar) -> None:
    for i in range(2 * bar.song.bpb):
        bar.part.add(bar.b0 + 0.5 * i, bar.root + (12 if i % 2 else 0), 0.4, 0.85)


def _root_fifth(bar: _Bar) -> None:
    song, r = bar.song, bar.root
    for i in range(0, song.bpb, 2 if song.bpb == 4 else 1):
        bar.part.add(bar.b0 + i, r if (i // 2) % 2 == 0 else r - 5, 0.9, 0.9)
    if song.section_end(bar.index) and song.rng.random() < 0.7:  # walk-up into the next section
        for k in range(3):
            bar.part.add(bar.b0 + song.bpb - 1.5 + 0.5 * k, r + (2, 4, 5)[k], 0.45, 0.7)


def _sub(bar: _Bar) -> None:
    for step, v in parse_pattern("x......x..x....."):
        bar.part.add(bar.b0 + step / 4, bar.root, 1.2, v)


def _reggae(bar: _Bar) -> None:
    third = 3 if bar.quality == "min" else 4
    for step, note in ((2, 0), (3, 0), (6, 7), (8, 12), (10, 10), (11, 7), (14, third)):
        if bar.song.rng.random() < 0.9:
            bar.part.add(bar.b0 + step / 4, bar.root + note, 0.45, 0.85)


def _synth(bar: _Bar) -> None:
    rng = bar.song.rng
    for step, v in parse_pattern("x..x..x.x..x..x."):
        bar.part.add(bar.b0 + step / 4, bar.root + (12 if step == 8 and rng.random() < 0.5 else 0), 0.5, v)


def _sustained(bar: _Bar) -> None:
    bar.part.add(bar.b0, bar.root, bar.song.bpb * 0.98, 0.8)


BASS_STYLES: dict[str, Callable[[_Bar], None]] = {
    "walking": _walking, "boogie": _boogie, "root8": lambda bar: _repeated_root(bar, 0.5, False),
    "chug16": lambda bar: _repeated_root(bar, 0.25, True), "octave8": _octave8, "root_fifth": _root_fifth,
    "sub": _sub, "reggae": _reggae, "synth": _synth, "sustained": _sustained,
}


def write_bass(song: Song, part: Part, style: str, *, register: int, density: float = 1.0) -> None:
    """Write a bass line of ``style`` (a key of ``BASS_STYLES``) into ``part``, bar by bar;
    ``register`` is the MIDI note of the lowest root, ``density`` thins out chugs.
    """
    if style not in BASS_STYLES:
        raise ValueError(f"unknown bass style {style!r}; choose one of {list(BASS_STYLES)}")
    for index in range(song.bars):
        b0 = index * song.bpb
        root, quality = song.chord_at(b0)
        BASS_STYLES[style](_Bar(song, part, index, b0, nearest(root, register + 5), quality, register, density))
