"""Drum grooves, written like a drum machine's step sequencer, and the writer that loops
them over a song with fills, crashes and human variation.
"""

from __future__ import annotations

import numpy as np

from genrelib.datasets.synthetic.score import Part, Song

#: The drums of the kit, in a fixed order (it seeds each drum's sound).
DRUMS = ("kick", "snare", "hat", "ohat", "ride", "crash", "clap", "rim", "brush", "tom")

# One bar of sixteenth steps per drum: 'X' accent, 'x' hit, 'o' ghost note, '.' rest.
_GROOVE_SHEETS = {
    "none": "",
    "rock_beat": "kick x.....x.x....... | snare ....X.......X... | hat x.x.x.x.x.x.x.x.",
    "rock_beat2": "kick x.......x.x..... | snare ....X.......X..o | hat x.x.x.x.x.x.x.x.",
    "rock_ride": "kick x.....x.x.x..... | snare ....X.......X... | ride x.x.x.x.x.x.x.x.",
    "four_floor": "kick X...x...X...x... | clap ....x.......x... | hat x.x.x.x.x.x.x.x. | ohat ..x...x...x...x.",
    "disco": "kick X...x...X...x... | snare ....X.......X... | hat xxxxxxxxxxxxxxxx | ohat ..x...x...x...x.",
    "pop_beat": "kick x.....x...x..... | clap ....X.......X... | hat x.x.x.x.x.x.x.x.",
    "pop_beat2": "kick x..x....x....... | snare ....X.......X... | hat x.xxx.xxx.xxx.xx",
    "shuffle": "kick x.......x....... | snare ....X.......X... | hat x.x.x.x.x.x.x.x.",
    "shuffle_ride": "kick x.....o.x....... | snare ....X.......X... | ride x.x.x.x.x.x.x.x.",
    "train": "kick x.......x....... | snare oxoXoxoXoxoXoxoX | hat ........",
    "boom_chick": "kick x.......x....... | snare ....X.......X... | hat ..x...x...x...x.",
    "boom_bap": "kick X......x..x..... | snare ....X.......X... | hat x.x.x.x.x.x.x.x.",
    "boom_bap2": "kick X.x.......x..x.. | snare ....X.......X... | hat x.xxx.x.x.xxx.x.",
    "trap": "kick X.....x...x..x.. | clap ....X.......X... | hat xxxxxxxxxxxxxxxx",
    "jazz_ride": "ride x...x.x.x...x.x. | hat ....x.......x... | kick o.......o....... | snare ......o.....o...",
    "jazz_brush": "brush x.x.x.x.x.x.x.x. | hat ....x.......x... | kick o............... | ride x...x.x.x...x.x.",
    "one_drop": "kick ........X....... | rim ........x....... | hat x.x.x.x.x.x.x.x.",
    "one_drop2": "kick ........X....... | snare ........x....... | hat x.xxx.x.x.xxx.x. | rim ..........o.....",
    "steppers": "kick X...x...X...x... | rim ........x....... | hat x.x.x.x.x.x.x.x.",
    "metal_double": "kick xxxxxxxxxxxxxxxx | snare ....X.......X... | hat x.x.x.x.x.x.x.x.",
    "metal_gallop": "kick x.xxx.xxx.xxx.xx | snare ....X.......X... | ride x.x.x.x.x.x.x.x.",
    "metal_blast": "kick x.x.x.x.x.x.x.x. | snare .x.x.x.x.x.x.x.x | ride x.x.x.x.x.x.x.x.",
    "half_time": "kick x.......x.x..... | snare ........X....... | ride x...x...x...x...",
    "fill": "snare ........x.xxXxXx | tom ............x.x.",
    "fill_soft": "snare ..........o.x.x. | tom ............x...",
}


def parse_groove(sheet: str) -> dict[str, str]:
    """``"kick x...x... | snare ....X..."`` -> ``{"kick": "x...x...", "snare": "....X..."}``
    (in the sheet's order; "" -> {}). Raises ValueError naming an unknown drum.
    """
    groove = {}
    for lane in filter(None, (lane.strip() for lane in sheet.split("|"))):
        drum, pattern = lane.split(maxsplit=1)
        if drum not in DRUMS:
            raise ValueError(f"unknown drum {drum!r} in groove {sheet!r}; choose from {DRUMS}")
        groove[drum] = pattern
    return groove


#: The grooves (and fills) by name: drum -> step pattern.
GROOVES: dict[str, dict[str, str]] = {name: parse_groove(sheet) for name, sheet in _GROOVE_SHEETS.items()}


def parse_pattern(pattern: str) -> list[tuple[int, float]]:
    """Step string -> [(step, velocity)]: 'X' accent 1.0, 'x' hit 0.78, 'o' ghost 0.38."""
    vel = {"X": 1.0, "x": 0.78, "o": 0.38}
    return [(i, vel[c]) for i, c in enumerate(pattern.replace(" ", "")) if c in vel]


def _play_bar(song: Song, parts: dict[str, Part], bar: int, groove: dict[str, str], *,
              humanize: float, variation: float) -> None:
    rng = song.rng
    for name, pattern in groove.items():
        for step, v in parse_pattern(pattern):
            if step >= song.bpb * 4:  # sixteenth steps beyond a 3/4 bar
                continue
            if variation and v < 0.5 and rng.random() < variation:
                continue
            vv = v * (1.0 + humanize * rng.standard_normal())
            parts[name].add(bar * song.bpb + step / 4, name, 1.0, float(np.clip(vv, 0.1, 1.2)))


def write_drums(song: Song, parts: dict[str, Part], grooves: list[str], *, fill: str | None, crash: bool,
                humanize: float, variation: float) -> None:
    """Loop the named ``grooves`` (one per section, in turn) into ``parts`` (drum name ->
    Part), with the ``fill`` groove over each section's last bar, a crash on section starts,
    ghost notes dropped with probability ``variation`` and velocities varied by ``humanize``.
    """
    for bar in range(song.bars):
        groove = GROOVES[grooves[song.sections[bar] % len(grooves)]]
        if fill and song.section_end(bar) and song.intensity[bar] > 0.3:
            groove = {**groove, **GROOVES[fill]}
        _play_bar(song, parts, bar, groove, humanize=humanize, variation=variation)
        if crash and song.section_start(bar) and song.intensity[bar] > 0.5:
            parts["crash"].add(bar * song.bpb, "crash", 2.0, 0.9)
