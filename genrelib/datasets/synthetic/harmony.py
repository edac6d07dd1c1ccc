"""Harmony: scales, chord qualities, the chord progressions of the genres (written in
Roman numerals) and chord voicings.
"""

from __future__ import annotations

import re

SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "harmonic_minor": (0, 2, 3, 5, 7, 8, 11),
    "blues": (0, 3, 5, 6, 7, 10),
    "penta_major": (0, 2, 4, 7, 9),
    "penta_minor": (0, 3, 5, 7, 10),
}

CHORDS: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7), "min": (0, 3, 7), "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11),
    "m7": (0, 3, 7, 10), "9": (0, 4, 7, 10, 14), "m9": (0, 3, 7, 10, 14), "6": (0, 4, 7, 9),
    "5": (0, 7, 12), "dim": (0, 3, 6), "m7b5": (0, 3, 6, 10),
}

_DEGREES = {"I": 0, "II": 2, "III": 4, "IV": 5, "V": 7, "VI": 9, "VII": 11}
_CHORD_SYMBOL = re.compile(r"(b?)(VII|VI|V|IV|III|II|I)(\w*?)(?:\*([\d.]+))?", re.IGNORECASE)

# Roman numerals over the key: upper case a major triad, lower case a minor one, any other
# quality of CHORDS written after the numeral; "*2" lasts two bars (default one).
_PROGRESSION_SHEETS = {
    "twelve_bar": "I7*4 IV7*2 I7*2 V7 IV7 I7 V7",
    "quick_change": "I7 IV7 I7*2 IV7*2 I7*2 V7 IV7 I7*2",
    "i_iv_v": "I*2 IV V",
    "i_i_iv_v": "I I IV V",
    "axis": "I V vi IV",
    "axis2": "vi IV I V",
    "doo_wop": "I vi IV V",
    "rock_mix": "I5 bVII5 IV5 I5",
    "rock_iv_v": "I5*2 IV5 V5",
    "metal_i": "I5*2 bVI5 bVII5",
    "phrygian": "I5 bII5 I5 bIII5",
    "minor_vamp": "im7*2 ivm7*2",
    "disco_vamp": "im9 IV9",
    "disco_ii_v": "iim7 V9 Imaj7*2",
    "loop_min": "im7 bVImaj7",
    "loop_min2": "im9*2",
    "ii_v_i": "iim7 V7 Imaj7*2",
    "rhythm_changes": "Imaj7*0.5 vim7*0.5 iim7*0.5 V7*0.5",
    "autumn": "ivm7 bVII7 bIIImaj7 bVImaj7 iim7b5 V7 im7*2",
    "reggae_i_iv": "I IV",
    "reggae_min": "i bVII",
    "reggae_i_v": "I*2 V*2",
    "classical_cadence": "I IV V7 I",
    "classical_circle": "I vi ii V7",
    "classical_minor": "i iv V7 i bVI iidim V7*2",
    "western_swing": "I6*2 VI7 II7 V7*2 I6*2",
}


def parse_progression(sheet: str) -> list[tuple[int, str, float]]:
    """Roman numerals (e.g. ``"I7*4 IV7*2 bVII5 vi iim7b5"``) -> a list of (semitones above
    the key, chord quality, length in bars). Raises ValueError naming a bad symbol.
    """
    chords = []
    for symbol in sheet.split():
        match = _CHORD_SYMBOL.fullmatch(symbol)
        quality = match.group(3) if match else ""
        if match and not quality:
            quality = "maj" if match.group(2).isupper() else "min"
        if not match or quality not in CHORDS:
            raise ValueError(f"bad chord symbol {symbol!r}: write a Roman numeral (b for flat), "
                             f"then a quality of {list(CHORDS)}, then *bars")
        offset = _DEGREES[match.group(2).upper()] - (1 if match.group(1) else 0)
        chords.append((offset % 12, quality, float(match.group(4) or 1)))
    return chords


PROGRESSIONS: dict[str, list[tuple[int, str, float]]] = {
    name: parse_progression(sheet) for name, sheet in _PROGRESSION_SHEETS.items()}


def expand_progression(progression: list[tuple[int, str, float]], bars: int, *,
                       key: int) -> list[tuple[int, str]]:
    """Repeat a progression of (semitones above the key, quality, length in bars) to cover
    ``bars`` bars; returns one (root pitch class, quality) per half bar (2 * bars items).
    """
    halves: list[tuple[int, str]] = []
    while len(halves) < 2 * bars:
        for offset, quality, length in progression:
            halves.extend([((key + offset) % 12, quality)] * max(1, int(round(length * 2))))
    return halves[: 2 * bars]


def nearest(pc: int, center: int) -> int:
    """The MIDI note of pitch class ``pc`` closest to the MIDI note ``center``."""
    return center + ((pc - center + 6) % 12) - 6


def voicing(root: int, quality: str, *, center: int, rootless: bool = False) -> list[int]:
    """Close-position chord notes (MIDI, ascending) around ``center``; ``rootless`` drops
    the root of chords of four notes or more (jazz comping).
    """
    intervals = CHORDS[quality]
    if rootless and len(intervals) >= 4:
        intervals = intervals[1:]
    base = nearest(root, center - 5)
    return sorted(base + i for i in intervals)
