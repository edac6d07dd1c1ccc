"""Music of the synthetic GTZAN generator: timing grid, harmony and the part writers.

A track is written as a score before any sound is made: a :class:`Grid` maps beats to
seconds (tempo, swing, rubato, the random start inside the song), a chord sequence gives
the harmony of every half bar, and one writer per style (drum grooves, bass lines,
accompaniment figures, melodies) fills a :class:`Part` with ``(beat, pitch, length,
velocity)`` events. ``synthetic.render_track`` then turns parts into sound.
Notebook: 01_data.ipynb
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from genrelib.datasets.synth_dsp import Timbre

SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "harmonic_minor": (0, 2, 3, 5, 7, 8, 11),
    "blues": (0, 3, 5, 6, 7, 10),
    "penta_major": (0, 2, 4, 7, 9),
    "penta_minor": (0, 3, 5, 7, 10),
}

CHORDS: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7), "min": (0, 3, 7), "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11),
    "m7": (0, 3, 7, 10), "9": (0, 4, 7, 10, 14), "m9": (0, 3, 7, 10, 14), "6": (0, 4, 7, 9),
    "5": (0, 7, 12), "sus4": (0, 5, 7), "dim": (0, 3, 6), "m7b5": (0, 3, 6, 10),
}


@dataclass(frozen=True)
class Grid:
    """Beat -> seconds: tempo (BPM), swing of ``swing_unit`` (beats; 0.5 = eighths) by
    ``swing`` (0 straight, 1/6 triplet feel), slow tempo wobble ``rubato`` (beats) and the
    beat at which the clip starts. Notebook: 01_data.ipynb
    """

    bpm: float
    beats_per_bar: int = 4
    swing: float = 0.0
    swing_unit: float = 0.5
    start_beat: float = 0.0
    rubato: float = 0.0
    rubato_period: float = 16.0

    def seconds(self, beats: np.ndarray) -> np.ndarray:
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
    """One instrument's events: ``(beat, pitch or drum name, length in beats, velocity)``.

    ``bus`` groups parts for mixing ("drums", "bass", "comp", "lead", "vocal").
    Notebook: 01_data.ipynb
    """

    name: str
    bus: str
    timbre: Timbre | None = None
    events: list[tuple[float, object, float, float]] = field(default_factory=list)
    strum: float = 0.0  # seconds between chord notes

    def add(self, beat: float, pitch: object, length: float, velocity: float) -> None:
        self.events.append((float(beat), pitch, float(length), float(velocity)))


@dataclass
class Song:
    """Everything the part writers need: rng, grid, key, harmony and form.

    ``chords`` holds (root pitch class, quality) for every half bar; ``sections`` the
    section number of every bar; ``intensity`` a 0..1 arrangement density per bar.
    Notebook: 01_data.ipynb
    """

    rng: np.random.Generator
    grid: Grid
    bars: int
    key: int
    scale: str
    chords: list[tuple[int, str]]
    sections: list[int]
    intensity: list[float]

    @property
    def bpb(self) -> int:
        return self.grid.beats_per_bar

    def chord_at(self, beat: float) -> tuple[int, str]:
        return self.chords[min(int(beat // (self.bpb / 2.0)), len(self.chords) - 1)]

    def section_start(self, bar: int) -> bool:
        return bar == 0 or self.sections[bar] != self.sections[bar - 1]

    def section_end(self, bar: int) -> bool:
        return bar == self.bars - 1 or self.sections[bar] != self.sections[bar + 1]


def expand_progression(progression: list[tuple[int, str, float]], bars: int, *, key: int,
                       beats_per_bar: int) -> list[tuple[int, str]]:
    """Repeat a progression of (semitones above the key, quality, length in bars) to
    cover ``bars`` bars; returns one (root pitch class, quality) per half bar.
    Notebook: 01_data.ipynb
    """
    halves: list[tuple[int, str]] = []
    while len(halves) < 2 * bars:
        for offset, quality, length in progression:
            halves.extend([((key + offset) % 12, quality)] * max(1, int(round(length * 2))))
    return halves[: 2 * bars]


def nearest(pc: int, center: int) -> int:
    """The MIDI note of pitch class ``pc`` closest to ``center``. Notebook: 01_data.ipynb"""
    return center + ((pc - center + 6) % 12) - 6


def voicing(root: int, quality: str, *, center: int, rootless: bool = False) -> list[int]:
    """Close-position chord notes (MIDI) around ``center``. Notebook: 01_data.ipynb"""
    intervals = CHORDS[quality]
    if rootless and len(intervals) >= 4:
        intervals = intervals[1:]
    base = nearest(root, center - 5)
    return sorted(base + i for i in intervals)


def parse_pattern(pattern: str) -> list[tuple[int, float]]:
    """Drum-machine string -> (step, velocity); 'X' accent, 'x' hit, 'o' ghost, '.' rest.

    Notebook: 01_data.ipynb
    """
    vel = {"X": 1.0, "x": 0.78, "o": 0.38}
    return [(i, vel[c]) for i, c in enumerate(pattern.replace(" ", "")) if c in vel]


# --------------------------------------------------------------------------- drums

def write_drums(song: Song, parts: dict[str, Part], grooves: list[dict[str, str]], *,
                fill: dict[str, str] | None, crash: bool, humanize: float, variation: float) -> None:
    """Loop drum-machine ``grooves`` (one dict of 16- or 12-step strings per bar, chosen
    by section), a ``fill`` at each section end, a crash on section starts, ghost-note
    ``variation`` (probability) and velocity ``humanize``. Notebook: 01_data.ipynb
    """
    rng = song.rng
    steps_per_beat = 4
    for bar in range(song.bars):
        groove = grooves[song.sections[bar] % len(grooves)]
        if fill and song.section_end(bar) and song.intensity[bar] > 0.3:
            groove = {**groove, **fill}
        for name, pattern in groove.items():
            if name not in parts:
                continue
            for step, v in parse_pattern(pattern):
                if step >= song.bpb * steps_per_beat:
                    continue
                if variation and v < 0.5 and rng.random() < variation:
                    continue
                vv = v * (1.0 + humanize * rng.standard_normal())
                parts[name].add(bar * song.bpb + step / steps_per_beat, name, 1.0, float(np.clip(vv, 0.1, 1.2)))
        if crash and "crash" in parts and song.section_start(bar) and song.intensity[bar] > 0.5:
            parts["crash"].add(bar * song.bpb, "crash", 2.0, 0.9)


# --------------------------------------------------------------------------- bass

def write_bass(song: Song, part: Part, style: str, *, register: int, density: float = 1.0) -> None:
    """Bass line in one of the styles: walking, boogie, root8, octave8, root_fifth, sub,
    reggae, chug16, synth, sustained. ``register`` is the MIDI note of the lowest root.
    Notebook: 01_data.ipynb
    """
    rng, bpb = song.rng, song.bpb
    for bar in range(song.bars):
        b0 = bar * bpb
        root, quality = song.chord_at(b0)
        r = nearest(root, register + 5)
        tones = CHORDS[quality]
        third = tones[1]
        if style == "walking":
            nxt = nearest(song.chord_at(b0 + bpb)[0], register + 5)
            line = [r, r + rng.choice([third, 7, 12 if r < register + 6 else -5]),
                    r + rng.choice([7, 5, 9, third]), nxt + rng.choice([-1, 1, -2])]
            for i in range(bpb):
                part.add(b0 + i, line[min(i, 3)], 0.95, 0.8 + 0.1 * rng.random())
        elif style == "boogie":
            seq = [0, third, 7, 9, 10, 9, 7, third]
            for i in range(2 * bpb):
                part.add(b0 + 0.5 * i, r + seq[i % 8], 0.45, 0.85 if i % 2 == 0 else 0.6)
        elif style in ("root8", "chug16"):
            step = 0.5 if style == "root8" else 0.25
            for i in range(int(bpb / step)):
                if style == "chug16" and rng.random() > density:
                    continue
                part.add(b0 + step * i, r, step * 0.9, 0.85 if i % 2 == 0 else 0.7)
        elif style == "octave8":
            for i in range(2 * bpb):
                part.add(b0 + 0.5 * i, r + (12 if i % 2 else 0), 0.4, 0.85)
        elif style == "root_fifth":
            for i in range(0, bpb, 2 if bpb == 4 else 1):
                note = r if (i // 2) % 2 == 0 else r - 5
                part.add(b0 + i, note, 0.9, 0.9)
            if song.section_end(bar) and rng.random() < 0.7:
                for k in range(3):
                    part.add(b0 + bpb - 1.5 + 0.5 * k, r + (2, 4, 5)[k], 0.45, 0.7)
        elif style == "sub":
            for step, v in parse_pattern("x......x..x....."):
                part.add(b0 + step / 4, r, 1.2, v)
        elif style == "reggae":
            for step, note in ((2, 0), (3, 0), (6, 7), (8, 12), (10, 10), (11, 7), (14, 3 if quality == "min" else 4)):
                if rng.random() < 0.9:
                    part.add(b0 + step / 4, r + note, 0.45, 0.85)
        elif style == "synth":
            for step, v in parse_pattern("x..x..x.x..x..x."):
                part.add(b0 + step / 4, r + (12 if step == 8 and rng.random() < 0.5 else 0), 0.5, v)
        elif style == "sustained":
            part.add(b0, r, bpb * 0.98, 0.8)
        elif style != "none":
            raise ValueError(f"unknown bass style {style!r}")


# --------------------------------------------------------------------------- accompaniment

def write_comp(song: Song, part: Part, style: str, *, center: int, density: float = 1.0) -> None:
    """Chord accompaniment: strum, power8, chug16, shuffle, skank, bubble, stab, pad,
    jazz, arpeggio, roll, loop, block. ``center`` is the MIDI centre of the voicings.
    Notebook: 01_data.ipynb
    """
    rng, bpb = song.rng, song.bpb
    loop_rhythm = [(0.0, 1.2), (1.5, 0.5), (2.75, 0.9)] if style == "loop" else []
    for bar in range(song.bars):
        b0 = bar * bpb
        if song.intensity[bar] < 0.15 and style not in ("pad", "arpeggio"):
            continue

        def chord(beat: float, rootless: bool = False) -> list[int]:
            root, quality = song.chord_at(beat)
            return voicing(root, quality, center=center, rootless=rootless)

        if style == "strum":
            for i in range(2 * bpb):
                if rng.random() > density and i % 2:
                    continue
                notes = chord(b0 + 0.5 * i)
                notes = notes if i % 2 == 0 else notes[::-1]
                for n in notes:
                    part.add(b0 + 0.5 * i, n, 0.5, (0.9 if i % 4 == 2 else 0.65) * (1 if i % 2 == 0 else 0.7))
        elif style in ("power8", "chug16"):
            root, _ = song.chord_at(b0)
            r = nearest(root, center - 6)
            step = 0.5 if style == "power8" else 0.25
            for i in range(int(bpb / step)):
                if style == "chug16" and rng.random() > density:
                    continue
                length = step * (0.95 if style == "power8" else 0.45)
                for n in (r, r + 7, r + 12):
                    part.add(b0 + step * i, n, length, 0.9 if i % 4 == 0 else 0.75)
        elif style == "shuffle":
            root, _ = song.chord_at(b0)
            r = nearest(root, center - 6)
            for i in range(2 * bpb):
                upper = 7 if (i // 2) % 2 == 0 else 9
                for n in (r, r + upper):
                    part.add(b0 + 0.5 * i, n, 0.45, 0.85 if i % 2 == 0 else 0.6)
        elif style == "skank":
            for i in range(bpb):
                for n in chord(b0 + i + 0.5):
                    part.add(b0 + i + 0.5, n, 0.18, 0.85)
        elif style == "bubble":
            for i in range(bpb):
                for k, off in enumerate((0.5, 0.75)):
                    notes = chord(b0 + i + off)
                    part.add(b0 + i + off, notes[0] if k == 0 else notes[-1], 0.2, 0.7)
        elif style == "stab":
            for step, v in parse_pattern("..x...x.x.x...x." if bar % 2 else "x...x.x...x.x..."):
                if rng.random() <= density:
                    for n in chord(b0 + step / 4):
                        part.add(b0 + step / 4, n, 0.22, v)
        elif style == "pad":
            for n in chord(b0):
                part.add(b0, n, bpb * 0.99, 0.7)
        elif style == "jazz":
            rhythms = [(0.0, 1.5), (1.5, 1.0)], [(0.5, 1.0), (2.5, 1.0)], [(1.0, 0.8), (3.5, 0.9)], [(0.0, 0.4), (1.5, 0.4), (3.0, 0.9)]
            for off, length in rhythms[int(rng.integers(len(rhythms)))]:
                if off < bpb:
                    for n in chord(b0 + off, rootless=True):
                        part.add(b0 + off, n, length, 0.55 + 0.25 * rng.random())
        elif style in ("arpeggio", "roll"):
            step = 0.5 if style == "arpeggio" else 0.25
            order = (0, 2, 1, 2) if style == "arpeggio" else (0, 1, 2, 3, 1, 2, 3, 0)
            for i in range(int(bpb / step)):
                notes = chord(b0 + step * i)
                if style == "roll":
                    notes = notes + [notes[0] + 12]
                n = notes[order[i % len(order)] % len(notes)]
                part.add(b0 + step * i, n, step * (3.0 if style == "arpeggio" else 1.5), 0.8 if i % 4 == 0 else 0.6)
        elif style == "loop":
            for off, length in loop_rhythm:
                for n in chord(b0 + off):
                    part.add(b0 + off, n, length, 0.75)
        elif style == "block":
            for i in range(bpb):
                for n in chord(b0 + i):
                    part.add(b0 + i, n, 0.8, 0.8 if i % 2 == 0 else 0.65)
        elif style != "none":
            raise ValueError(f"unknown accompaniment style {style!r}")


# --------------------------------------------------------------------------- melody

def write_melody(song: Song, part: Part, *, scale: str, center: int, step: float, density: float,
                 phrase_bars: int = 2, span: int = 7, min_intensity: float = 0.5) -> None:
    """A wandering scale melody in call-and-response phrases: ``phrase_bars`` bars of
    notes on a ``step``-beat grid (each slot sounding with probability ``density``),
    then as many bars of rest; sections with low intensity stay silent.
    Notebook: 01_data.ipynb
    """
    rng, bpb = song.rng, song.bpb
    degrees = SCALES[scale]
    pos = int(rng.integers(len(degrees)))
    for bar in range(song.bars):
        if song.intensity[bar] < min_intensity or (bar // phrase_bars) % 2 == 1:
            continue
        slots = int(bpb / step)
        held: list[tuple[float, int]] = []
        for i in range(slots):
            if rng.random() > density:
                continue
            pos += int(rng.choice([-2, -1, -1, 1, 1, 2, 0, 3, -3]))
            pos = int(np.clip(pos, -span, span))
            octave, idx = divmod(pos, len(degrees))
            note = nearest(song.key, center) + 12 * octave + degrees[idx]
            held.append((bar * bpb + i * step, note))
        for j, (beat, note) in enumerate(held):
            end = held[j + 1][0] if j + 1 < len(held) else (bar + 1) * bpb
            part.add(beat, note, max(step, min(end - beat, 2.0)) * 0.95, 0.7 + 0.3 * rng.random())


def write_rap(song: Song, part: Part, *, center: int, density: float) -> None:
    """Rhythmic spoken syllables on a sixteenth grid around one pitch (hip-hop vocals).

    Notebook: 01_data.ipynb
    """
    rng, bpb = song.rng, song.bpb
    for bar in range(song.bars):
        if song.intensity[bar] < 0.3:
            continue
        for i in range(bpb * 4):
            if rng.random() < density * (1.2 if i % 2 == 0 else 0.7):
                part.add(bar * bpb + i / 4, center + int(rng.choice([0, 0, 2, -2, 3, 5])), 0.2, 0.6 + 0.4 * rng.random())
