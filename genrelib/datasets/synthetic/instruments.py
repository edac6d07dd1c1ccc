"""The instrument presets: one :class:`Timbre` per instrument name, and the instruments a
track may borrow from any genre.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from genrelib.datasets.synthetic.oscillators import Timbre

T = Timbre
INSTRUMENTS: dict[str, Timbre] = {
    "acoustic_guitar": T("saw", 0.85, (0.002, 0.6, 0.0, 0.04), pluck=0.08),
    "twang_guitar": T("pulse", 0.9, (0.002, 0.45, 0.0, 0.04), pluck=0.05),
    "clean_guitar": T("saw", 0.6, (0.003, 0.8, 0.1, 0.05), pluck=0.12),
    "crunch_guitar": T("saw", 0.8, (0.004, 1.0, 0.5, 0.03)),
    "dist_guitar": T("saw", 0.9, (0.003, 1.5, 0.8, 0.02), unison=2, detune=8.0),
    "piano": T("piano", 0.75, (0.002, 0.9, 0.0, 0.08), pluck=0.25),
    "honky_piano": T("piano", 0.85, (0.002, 0.7, 0.0, 0.06), pluck=0.2, unison=2, detune=12.0),
    "epiano": T("epiano", 0.7, (0.003, 1.2, 0.0, 0.1)),
    "organ": T("organ", 0.8, (0.01, 1.0, 1.0, 0.03)),
    "strings": T("string", 0.7, (0.25, 1.0, 1.0, 0.25), vibrato=(5.5, 12.0), unison=3, detune=9.0),
    "synth_pad": T("saw", 0.45, (0.15, 1.0, 0.9, 0.2), unison=2, detune=14.0),
    "synth_pluck": T("square", 0.75, (0.002, 0.25, 0.0, 0.03), pluck=0.05),
    "string_stab": T("string", 0.85, (0.01, 0.15, 0.3, 0.05), unison=3, detune=12.0),
    "clav": T("pulse", 0.9, (0.001, 0.12, 0.0, 0.02), pluck=0.03),
    "harpsichord": T("saw", 0.95, (0.001, 0.7, 0.0, 0.05), pluck=0.15),
    "brass": T("saw", 0.7, (0.04, 0.6, 0.7, 0.06), vibrato=(5.0, 8.0)),
    "sax": T("reed", 0.75, (0.03, 0.8, 0.75, 0.06), vibrato=(5.0, 18.0)),
    "harmonica": T("reed", 0.9, (0.02, 0.6, 0.7, 0.05), vibrato=(6.5, 25.0)),
    "flute": T("triangle", 0.4, (0.06, 1.0, 0.9, 0.08), vibrato=(5.0, 12.0)),
    "violin": T("string", 0.85, (0.05, 1.0, 0.9, 0.08), vibrato=(6.0, 20.0)),
    "fiddle": T("string", 0.95, (0.02, 0.8, 0.8, 0.04), vibrato=(6.5, 15.0)),
    "steel_guitar": T("triangle", 0.6, (0.04, 1.5, 0.7, 0.1), vibrato=(4.5, 30.0)),
    "banjo": T("square", 0.9, (0.001, 0.25, 0.0, 0.02), pluck=0.03),
    "lead_guitar": T("saw", 0.9, (0.005, 1.0, 0.8, 0.04), vibrato=(5.5, 20.0)),
    "synth_lead": T("square", 0.7, (0.01, 0.8, 0.8, 0.05), vibrato=(5.0, 10.0)),
    "voice": T("reed", 0.55, (0.05, 1.0, 0.9, 0.1), vibrato=(5.2, 22.0)),
    "rap_voice": T("reed", 0.65, (0.008, 0.08, 0.3, 0.03)),
    "bass_finger": T("triangle", 0.5, (0.004, 0.5, 0.3, 0.04), pluck=0.1),
    "bass_upright": T("triangle", 0.35, (0.003, 0.35, 0.1, 0.05), pluck=0.05),
    "bass_pick": T("saw", 0.55, (0.002, 0.4, 0.5, 0.02), pluck=0.06),
    "bass_synth": T("saw", 0.5, (0.003, 0.25, 0.6, 0.02)),
    "bass_sub": T("sine", 1.0, (0.003, 0.9, 0.2, 0.05)),
    "bass_round": T("sine", 1.0, (0.005, 0.6, 0.7, 0.05)),
    "cello": T("string", 0.6, (0.12, 1.0, 0.9, 0.15), vibrato=(5.0, 12.0), unison=2, detune=6.0),
}
del T

#: Instruments that may play any genre's accompaniment or lead (see ``BORROW_PROBABILITY``).
BORROWABLE: tuple[str, ...] = tuple(name for name in INSTRUMENTS
                                    if not name.startswith(("bass", "rap")) and name != "cello")
#: How often a track plays its accompaniment or lead on a borrowed instrument: the genre
#: then has to be recognised from how the part is played, not from what plays it.
BORROW_PROBABILITY = 0.4


def borrow(rng: np.random.Generator, instrument: str) -> str:
    """``instrument``, or with probability ``BORROW_PROBABILITY`` any of ``BORROWABLE``."""
    if rng.random() < BORROW_PROBABILITY:
        return BORROWABLE[int(rng.integers(len(BORROWABLE)))]
    return instrument


def with_brightness(timbre: Timbre, offset: float) -> Timbre:
    """``timbre`` made brighter (offset > 0) or darker, its brightness clipped to [0.05, 1]."""
    return replace(timbre, brightness=float(np.clip(timbre.brightness + offset, 0.05, 1.0)))
