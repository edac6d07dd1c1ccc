"""Lead lines: a wandering scale melody in call-and-response phrases, and rapped syllables."""

from __future__ import annotations

import numpy as np

from genrelib.datasets.synthetic.harmony import SCALES, nearest
from genrelib.datasets.synthetic.score import Part, Song


def _phrase_notes(song: Song, bar: int, degrees: tuple[int, ...], pos: int, *, center: int, step: float,
                  density: float, span: int) -> tuple[list[tuple[float, int]], int]:
    """The (beat, MIDI note) onsets of one bar of melody, and the scale position reached."""
    rng = song.rng
    held: list[tuple[float, int]] = []
    for i in range(int(song.bpb / step)):
        if rng.random() > density:
            continue
        pos += int(rng.choice([-2, -1, -1, 1, 1, 2, 0, 3, -3]))
        pos = int(np.clip(pos, -span, span))
        octave, idx = divmod(pos, len(degrees))
        held.append((bar * song.bpb + i * step, nearest(song.key, center) + 12 * octave + degrees[idx]))
    return held, pos


def write_melody(song: Song, part: Part, *, scale: str, center: int, step: float, density: float,
                 phrase_bars: int = 2, span: int = 7, min_intensity: float = 0.5) -> None:
    """A wandering melody in ``scale`` (a key of ``SCALES``) around the MIDI note ``center``:
    ``phrase_bars`` bars of notes on a ``step``-beat grid (each slot sounding with
    probability ``density``), then as many bars of rest; bars of low intensity stay silent.
    """
    rng, bpb = song.rng, song.bpb
    degrees = SCALES[scale]
    pos = int(rng.integers(len(degrees)))
    for bar in range(song.bars):
        if song.intensity[bar] < min_intensity or (bar // phrase_bars) % 2 == 1:
            continue
        held, pos = _phrase_notes(song, bar, degrees, pos, center=center, step=step, density=density, span=span)
        for j, (beat, note) in enumerate(held):
            end = held[j + 1][0] if j + 1 < len(held) else (bar + 1) * bpb
            part.add(beat, note, max(step, min(end - beat, 2.0)) * 0.95, 0.7 + 0.3 * rng.random())


def write_rap(song: Song, part: Part, *, center: int, density: float) -> None:
    """Rhythmic spoken syllables on a sixteenth grid around the MIDI note ``center``."""
    rng, bpb = song.rng, song.bpb
    for bar in range(song.bars):
        if song.intensity[bar] < 0.3:
            continue
        for i in range(bpb * 4):
            if rng.random() < density * (1.2 if i % 2 == 0 else 0.7):
                part.add(bar * bpb + i / 4, center + int(rng.choice([0, 0, 2, -2, 3, 5])), 0.2,
                         0.6 + 0.4 * rng.random())
