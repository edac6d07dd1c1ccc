"""Writing one track's score from its artist's style: tempo, swing, key, the timing grid,
the form (sections and their intensity), the harmony, then every part (drums, bass, one
or two accompaniments, lead, rap).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from genrelib.datasets.synthetic.accompaniment import write_comp
from genrelib.datasets.synthetic.bass_lines import write_bass
from genrelib.datasets.synthetic.grooves import DRUMS, GROOVES, write_drums
from genrelib.datasets.synthetic.harmony import PROGRESSIONS, expand_progression
from genrelib.datasets.synthetic.instruments import INSTRUMENTS, borrow, with_brightness
from genrelib.datasets.synthetic.melody import write_melody, write_rap
from genrelib.datasets.synthetic.score import Grid, Part, Song
from genrelib.datasets.synthetic.styles import draw


def _draw_grid(s: dict[str, Any], rng: np.random.Generator, seconds: float) -> tuple[Grid, int, int]:
    """The track's timing grid, key and number of bars (enough for ``seconds``)."""
    bpm = draw(rng, s["tempo"]) * float(rng.uniform(0.96, 1.04))
    swing = max(0.0, draw(rng, s["swing"]) + float(rng.normal(0.0, 0.01))) if s["swing"][1] > 0 else 0.0
    bpb = s["meter"]
    keys = s["keys"]
    key = int(keys[int(rng.integers(len(keys)))]) if rng.random() < 0.7 else int(rng.integers(12))
    bars = int(math.ceil(seconds * bpm / 60.0 / bpb)) + 2
    grid = Grid(bpm=bpm, beats_per_bar=bpb, swing=min(swing, 0.25), swing_unit=s["swing_unit"],
                start_beat=float(rng.uniform(0.0, bpb)), rubato=float(s["rubato"]) * float(rng.random()),
                rubato_period=float(rng.uniform(8.0, 24.0)))
    return grid, key, bars


def _draw_form(rng: np.random.Generator, bars: int, floor: float) -> tuple[list[int], list[float]]:
    """Sections of 4 or 8 bars: the section number and arrangement intensity of every bar."""
    sections: list[int] = []
    intensity: list[float] = []
    sec = int(rng.integers(0, 4))
    while len(sections) < bars:
        length = int(rng.choice([4, 8]))
        level = float(rng.choice([0.4, 0.7, 1.0, 1.0])) if sec > 0 else float(rng.uniform(0.2, 1.0))
        level = max(level, floor)
        sections += [sec] * length
        intensity += [level] * length
        sec += 1
    return sections[:bars], intensity[:bars]


def _drum_parts(song: Song, s: dict[str, Any], rng: np.random.Generator) -> list[Part]:
    """One part per drum that plays (none when the style has no grooves)."""
    if not any(GROOVES[g] for g in s["grooves"]):
        return []
    parts = {name: Part("drums") for name in DRUMS}
    write_drums(song, parts, s["grooves"], fill=s["fill"], crash=s["crash"],
                humanize=draw(rng, s["humanize"]), variation=0.3)
    return [p for p in parts.values() if p.events]


def _comp_parts(song: Song, s: dict[str, Any], rng: np.random.Generator, bright: float) -> list[Part]:
    """The accompaniment ("comp") and, when the artist has one, the second one ("comp2")."""
    parts = []
    for bus, choices in (("comp", s["comps"]), ("comp2", s["comp2"])):
        if choices:
            style, inst = choices[0]
            inst = borrow(rng, inst)
            part = Part(bus, with_brightness(INSTRUMENTS[inst], bright), strum=0.012 if style == "strum" else 0.0)
            center = int(rng.integers(*s["comp_center"])) + (12 if bus == "comp2" and style != "pad" else 0)
            write_comp(song, part, style, center=center, density=draw(rng, s["comp_density"]))
            parts.append(part)
    return parts


def _write_parts(song: Song, s: dict[str, Any], rng: np.random.Generator) -> list[Part]:
    bright = s["brightness"] + float(rng.uniform(-0.1, 0.1))
    parts = _drum_parts(song, s, rng)
    bass = Part("bass", with_brightness(INSTRUMENTS[s["bass_timbres"][0]], bright))
    write_bass(song, bass, s["bass"][0], register=int(rng.integers(*s["bass_register"])),
               density=draw(rng, s["comp_density"]))
    parts.append(bass)
    parts += _comp_parts(song, s, rng, bright)
    lead = Part("lead", with_brightness(INSTRUMENTS[borrow(rng, s["leads"][0])], bright))
    write_melody(song, lead, scale=s["lead_scale"], center=int(rng.integers(*s["lead_center"])),
                 step=float(rng.choice(s["lead_step"])), density=draw(rng, s["lead_density"]))
    parts.append(lead)
    if s["rap"] > 0:
        rap = Part("vocal", INSTRUMENTS["rap_voice"])
        write_rap(song, rap, center=int(rng.integers(45, 55)), density=s["rap"] * float(rng.uniform(0.7, 1.1)))
        parts.append(rap)
    return parts


def write_song(style: dict[str, Any], rng: np.random.Generator, seconds: float) -> tuple[Song, list[Part]]:
    """Draw a track's song (grid, key, form, harmony) and write its parts from an artist's
    ``style``, using ``rng`` alone; enough bars for ``seconds`` from the random start.
    """
    grid, key, bars = _draw_grid(style, rng, seconds)
    sections, intensity = _draw_form(rng, bars, style["intensity_floor"])
    progression = PROGRESSIONS[style["progressions"][int(rng.integers(len(style["progressions"])))]]
    chords = expand_progression(progression, bars, key=key)
    song = Song(rng=rng, grid=grid, bars=bars, key=key, chords=chords, sections=sections, intensity=intensity)
    return song, _write_parts(song, style, rng)
