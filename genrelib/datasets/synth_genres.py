"""The ten synthetic genres and their artists: what defines each class.

``STYLES`` holds the numbers the generator draws from (tempo and swing ranges, drum
grooves, progressions, bass/accompaniment/lead styles and timbres, distortion, noise);
``VARIANTS`` the crossover style that two artists of each genre play, borrowing from
its confusable neighbour; :func:`make_artist` fixes one artist's sound (timbres, mix, tempo tendency,
drum kit). ``GENRE_TRAITS`` summarises all of it in words for the book.
Notebook: 01_data.ipynb
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from genrelib.config import GTZAN_GENRES
from genrelib.datasets.synth_dsp import Timbre

ARTISTS_PER_GENRE = 6
CROSSOVER_ARTISTS = (1, 4)  # artists who play their genre's crossover variant

# ---------------------------------------------------------------- instrument presets
T = Timbre
INSTRUMENTS: dict[str, Timbre] = {
    "acoustic_guitar": T("saw", 0.85, 0.002, 0.6, 0.0, 0.04, pluck=0.08),
    "twang_guitar": T("pulse", 0.9, 0.002, 0.45, 0.0, 0.04, pluck=0.05),
    "clean_guitar": T("saw", 0.6, 0.003, 0.8, 0.1, 0.05, pluck=0.12),
    "crunch_guitar": T("saw", 0.8, 0.004, 1.0, 0.5, 0.03),
    "dist_guitar": T("saw", 0.9, 0.003, 1.5, 0.8, 0.02, unison=2, detune=8.0),
    "piano": T("piano", 0.75, 0.002, 0.9, 0.0, 0.08, pluck=0.25),
    "honky_piano": T("piano", 0.85, 0.002, 0.7, 0.0, 0.06, pluck=0.2, unison=2, detune=12.0),
    "epiano": T("epiano", 0.7, 0.003, 1.2, 0.0, 0.1),
    "organ": T("organ", 0.8, 0.01, 1.0, 1.0, 0.03),
    "strings": T("string", 0.7, 0.25, 1.0, 1.0, 0.25, vibrato=(5.5, 12.0), unison=3, detune=9.0),
    "synth_pad": T("saw", 0.45, 0.15, 1.0, 0.9, 0.2, unison=2, detune=14.0),
    "synth_pluck": T("square", 0.75, 0.002, 0.25, 0.0, 0.03, pluck=0.05),
    "string_stab": T("string", 0.85, 0.01, 0.15, 0.3, 0.05, unison=3, detune=12.0),
    "clav": T("pulse", 0.9, 0.001, 0.12, 0.0, 0.02, pluck=0.03),
    "harpsichord": T("saw", 0.95, 0.001, 0.7, 0.0, 0.05, pluck=0.15),
    "brass": T("saw", 0.7, 0.04, 0.6, 0.7, 0.06, vibrato=(5.0, 8.0)),
    "sax": T("reed", 0.75, 0.03, 0.8, 0.75, 0.06, vibrato=(5.0, 18.0)),
    "harmonica": T("reed", 0.9, 0.02, 0.6, 0.7, 0.05, vibrato=(6.5, 25.0)),
    "flute": T("triangle", 0.4, 0.06, 1.0, 0.9, 0.08, vibrato=(5.0, 12.0)),
    "violin": T("string", 0.85, 0.05, 1.0, 0.9, 0.08, vibrato=(6.0, 20.0)),
    "fiddle": T("string", 0.95, 0.02, 0.8, 0.8, 0.04, vibrato=(6.5, 15.0)),
    "steel_guitar": T("triangle", 0.6, 0.04, 1.5, 0.7, 0.1, vibrato=(4.5, 30.0)),
    "banjo": T("square", 0.9, 0.001, 0.25, 0.0, 0.02, pluck=0.03),
    "lead_guitar": T("saw", 0.9, 0.005, 1.0, 0.8, 0.04, vibrato=(5.5, 20.0)),
    "synth_lead": T("square", 0.7, 0.01, 0.8, 0.8, 0.05, vibrato=(5.0, 10.0)),
    "voice": T("reed", 0.55, 0.05, 1.0, 0.9, 0.1, vibrato=(5.2, 22.0)),
    "rap_voice": T("reed", 0.65, 0.008, 0.08, 0.3, 0.03),
    "bass_finger": T("triangle", 0.5, 0.004, 0.5, 0.3, 0.04, pluck=0.1),
    "bass_upright": T("triangle", 0.35, 0.003, 0.35, 0.1, 0.05, pluck=0.05),
    "bass_pick": T("saw", 0.55, 0.002, 0.4, 0.5, 0.02, pluck=0.06),
    "bass_synth": T("saw", 0.5, 0.003, 0.25, 0.6, 0.02),
    "bass_sub": T("sine", 1.0, 0.003, 0.9, 0.2, 0.05),
    "bass_round": T("sine", 1.0, 0.005, 0.6, 0.7, 0.05),
    "cello": T("string", 0.6, 0.12, 1.0, 0.9, 0.15, vibrato=(5.0, 12.0), unison=2, detune=6.0),
}
del T

# ------------------------------------------------------------------- drum grooves
ROCK_BEAT = {"kick": "x.....x.x.......", "snare": "....X.......X...", "hat": "x.x.x.x.x.x.x.x."}
ROCK_BEAT2 = {"kick": "x.......x.x.....", "snare": "....X.......X..o", "hat": "x.x.x.x.x.x.x.x."}
ROCK_RIDE = {"kick": "x.....x.x.x.....", "snare": "....X.......X...", "ride": "x.x.x.x.x.x.x.x."}
FOUR_FLOOR = {"kick": "X...x...X...x...", "clap": "....x.......x...", "hat": "x.x.x.x.x.x.x.x.",
              "ohat": "..x...x...x...x."}
DISCO = {"kick": "X...x...X...x...", "snare": "....X.......X...", "hat": "xxxxxxxxxxxxxxxx",
         "ohat": "..x...x...x...x."}
POP_BEAT = {"kick": "x.....x...x.....", "clap": "....X.......X...", "hat": "x.x.x.x.x.x.x.x."}
POP_BEAT2 = {"kick": "x..x....x.......", "snare": "....X.......X...", "hat": "x.xxx.xxx.xxx.xx"}
SHUFFLE = {"kick": "x.......x.......", "snare": "....X.......X...", "hat": "x.x.x.x.x.x.x.x."}
SHUFFLE_RIDE = {"kick": "x.....o.x.......", "snare": "....X.......X...", "ride": "x.x.x.x.x.x.x.x."}
TRAIN = {"kick": "x.......x.......", "snare": "oxoXoxoXoxoXoxoX", "hat": "........"}
BOOM_CHICK = {"kick": "x.......x.......", "snare": "....X.......X...", "hat": "..x...x...x...x."}
BOOM_BAP = {"kick": "X......x..x.....", "snare": "....X.......X...", "hat": "x.x.x.x.x.x.x.x."}
BOOM_BAP2 = {"kick": "X.x.......x..x..", "snare": "....X.......X...", "hat": "x.xxx.x.x.xxx.x."}
JAZZ_RIDE = {"ride": "x...x.x.x...x.x.", "hat": "....x.......x...", "kick": "o.......o.......",
             "snare": "......o.....o..."}
JAZZ_BRUSH = {"brush": "x.x.x.x.x.x.x.x.", "hat": "....x.......x...", "kick": "o...............",
              "ride": "x...x.x.x...x.x."}
ONE_DROP = {"kick": "........X.......", "rim": "........x.......", "hat": "x.x.x.x.x.x.x.x."}
ONE_DROP2 = {"kick": "........X.......", "snare": "........x.......", "hat": "x.xxx.x.x.xxx.x.",
             "rim": "..........o....."}
STEPPERS = {"kick": "X...x...X...x...", "rim": "........x.......", "hat": "x.x.x.x.x.x.x.x."}
METAL_DOUBLE = {"kick": "xxxxxxxxxxxxxxxx", "snare": "....X.......X...", "hat": "x.x.x.x.x.x.x.x."}
METAL_GALLOP = {"kick": "x.xxx.xxx.xxx.xx", "snare": "....X.......X...", "ride": "x.x.x.x.x.x.x.x."}
METAL_BLAST = {"kick": "x.x.x.x.x.x.x.x.", "snare": ".x.x.x.x.x.x.x.x", "ride": "x.x.x.x.x.x.x.x."}
HALF_TIME = {"kick": "x.......x.x.....", "snare": "........X.......", "ride": "x...x...x...x..."}
FILL = {"snare": "........x.xxXxXx", "tom": "............x.x."}
FILL_SOFT = {"snare": "..........o.x.x.", "tom": "............x..."}

# -------------------------------------------------------------------- progressions
# (semitones above the key, chord quality, length in bars)
TWELVE_BAR = [(0, "7", 4), (5, "7", 2), (0, "7", 2), (7, "7", 1), (5, "7", 1), (0, "7", 1), (7, "7", 1)]
QUICK_CHANGE = [(0, "7", 1), (5, "7", 1), (0, "7", 2), (5, "7", 2), (0, "7", 2), (7, "7", 1), (5, "7", 1),
                (0, "7", 2)]
I_IV_V = [(0, "maj", 2), (5, "maj", 1), (7, "maj", 1)]
I_I_IV_V = [(0, "maj", 1), (0, "maj", 1), (5, "maj", 1), (7, "maj", 1)]
AXIS = [(0, "maj", 1), (7, "maj", 1), (9, "min", 1), (5, "maj", 1)]
AXIS2 = [(9, "min", 1), (5, "maj", 1), (0, "maj", 1), (7, "maj", 1)]
DOO_WOP = [(0, "maj", 1), (9, "min", 1), (5, "maj", 1), (7, "maj", 1)]
ROCK_MIX = [(0, "5", 1), (10, "5", 1), (5, "5", 1), (0, "5", 1)]
ROCK_IV_V = [(0, "5", 2), (5, "5", 1), (7, "5", 1)]
METAL_I = [(0, "5", 2), (8, "5", 1), (10, "5", 1)]
PHRYGIAN = [(0, "5", 1), (1, "5", 1), (0, "5", 1), (3, "5", 1)]
MINOR_VAMP = [(0, "m7", 2), (5, "m7", 2)]
DISCO_VAMP = [(0, "m9", 1), (5, "9", 1)]
DISCO_II_V = [(2, "m7", 1), (7, "9", 1), (0, "maj7", 2)]
LOOP_MIN = [(0, "m7", 1), (8, "maj7", 1)]
LOOP_MIN2 = [(0, "m9", 2)]
II_V_I = [(2, "m7", 1), (7, "7", 1), (0, "maj7", 2)]
RHYTHM_CHANGES = [(0, "maj7", 0.5), (9, "m7", 0.5), (2, "m7", 0.5), (7, "7", 0.5)]
AUTUMN = [(5, "m7", 1), (10, "7", 1), (3, "maj7", 1), (8, "maj7", 1), (2, "m7b5", 1), (7, "7", 1), (0, "m7", 2)]
REGGAE_I_IV = [(0, "maj", 1), (5, "maj", 1)]
REGGAE_MIN = [(0, "min", 1), (10, "maj", 1)]
REGGAE_I_V = [(0, "maj", 2), (7, "maj", 2)]
CLASSICAL_CADENCE = [(0, "maj", 1), (5, "maj", 1), (7, "7", 1), (0, "maj", 1)]
CLASSICAL_CIRCLE = [(0, "maj", 1), (9, "min", 1), (2, "min", 1), (7, "7", 1)]
CLASSICAL_MINOR = [(0, "min", 1), (5, "min", 1), (7, "7", 1), (0, "min", 1), (8, "maj", 1), (2, "dim", 1),
                   (7, "7", 2)]
WESTERN_SWING = [(0, "6", 2), (9, "7", 1), (2, "7", 1), (7, "7", 2), (0, "6", 2)]

DRUM_KIT_DEFAULT: dict[str, Any] = {
    "kick": (110.0, 160.0, 45.0, 60.0, 0.18, 0.35), "snare": (170.0, 240.0, 0.10, 0.22),
    "hat": (0.03, 0.06), "ohat": (0.18, 0.35), "ride": (0.6, 1.2),
}


def _style(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict(
        tempo=(90.0, 130.0), swing=(0.0, 0.0), swing_unit=0.5, meter=(4,), rubato=0.0,
        grooves=[ROCK_BEAT], fill=FILL, crash=True, humanize=(0.05, 0.12), timing_ms=(3.0, 8.0),
        progressions=[AXIS], scale="major", keys=tuple(range(12)),
        bass=["root8"], bass_timbres=["bass_finger"], bass_register=(36, 43),
        comps=[("strum", "acoustic_guitar")], comp_center=(58, 66), comp_density=(0.8, 1.0),
        comp2=[], leads=["lead_guitar"], lead_scale="penta_minor", lead_step=(0.5,),
        lead_density=(0.4, 0.7), lead_center=(67, 76), rap=0.0,
        drive=(0.0, 0.0), lead_drive=(0.0, 0.0), cabinet=(3000.0, 6000.0),
        hiss=(0.0, 0.004), crackle=(0.0, 0.0), hum=(0.0, 0.0), lowpass=(9000.0, 11000.0),
        reverb=(0.6, 1.4), wet=(0.05, 0.2), echo=(0.0, 0.0), bitcrush=False, dynamics=(0.0, 0.1),
        mix={"drums": 0.0, "bass": -3.0, "comp": -4.0, "comp2": -8.0, "lead": -6.0, "vocal": -5.0},
        kit={}, intensity_floor=0.3,
    )
    base.update(kw)
    return base


STYLES: dict[str, dict[str, Any]] = {
    "blues": _style(
        tempo=(64.0, 110.0), swing=(0.11, 0.17), grooves=[SHUFFLE, SHUFFLE_RIDE], fill=FILL_SOFT,
        progressions=[TWELVE_BAR, QUICK_CHANGE], bass=["boogie", "walking"],
        bass_timbres=["bass_finger", "bass_upright"], bass_register=(36, 43),
        comps=[("shuffle", "clean_guitar"), ("shuffle", "crunch_guitar"), ("block", "honky_piano"),
               ("shuffle", "acoustic_guitar")],
        comp2=[("block", "piano"), ("pad", "organ")], leads=["harmonica", "lead_guitar", "voice"],
        lead_scale="blues", lead_step=(0.5, 0.25), drive=(0.0, 3.0), lead_drive=(1.0, 4.0),
        hiss=(0.0, 0.015), crackle=(0.0, 0.02), hum=(0.0, 0.01), lowpass=(5500.0, 10000.0),
        reverb=(0.5, 1.2), wet=(0.08, 0.25),
    ),
    "classical": _style(
        tempo=(52.0, 120.0), meter=(4, 3), rubato=(0.6), grooves=[{}], fill=None, crash=False,
        progressions=[CLASSICAL_CADENCE, CLASSICAL_CIRCLE, CLASSICAL_MINOR], scale="major",
        bass=["sustained"], bass_timbres=["cello"], bass_register=(36, 45),
        comps=[("pad", "strings"), ("arpeggio", "piano"), ("arpeggio", "harpsichord"), ("pad", "organ")],
        comp_center=(55, 64), comp2=[("pad", "strings"), ("arpeggio", "piano")],
        leads=["violin", "flute", "piano"], lead_scale="major", lead_step=(1.0, 0.5),
        lead_density=(0.5, 0.85), lead_center=(69, 79), hiss=(0.0, 0.01), lowpass=(6000.0, 11000.0),
        reverb=(1.5, 2.5), wet=(0.25, 0.5), dynamics=(0.2, 0.5), timing_ms=(5.0, 15.0),
        mix={"drums": 0.0, "bass": -4.0, "comp": -2.0, "comp2": -6.0, "lead": -3.0, "vocal": -5.0},
        intensity_floor=0.5,
    ),
    "country": _style(
        tempo=(88.0, 150.0), swing=(0.0, 0.04), grooves=[BOOM_CHICK, TRAIN], fill=FILL_SOFT,
        progressions=[I_IV_V, I_I_IV_V, AXIS], bass=["root_fifth"],
        bass_timbres=["bass_finger", "bass_upright"], bass_register=(38, 45),
        comps=[("strum", "acoustic_guitar"), ("strum", "twang_guitar"), ("roll", "banjo"), ("strum", "clean_guitar")],
        comp2=[("roll", "banjo"), ("strum", "acoustic_guitar"), ("block", "honky_piano")],
        leads=["fiddle", "steel_guitar", "voice", "twang_guitar", "harmonica"], lead_scale="penta_major",
        lead_step=(0.5, 0.25), hiss=(0.0, 0.012), lowpass=(5000.0, 11000.0), reverb=(0.5, 1.0),
        wet=(0.05, 0.2), comp_center=(58, 66),
    ),
    "disco": _style(
        tempo=(108.0, 130.0), grooves=[DISCO, FOUR_FLOOR], fill=FILL_SOFT,
        progressions=[DISCO_VAMP, DISCO_II_V, MINOR_VAMP], scale="dorian",
        bass=["octave8"], bass_timbres=["bass_finger", "bass_synth", "bass_pick"], bass_register=(33, 41),
        comps=[("stab", "string_stab"), ("stab", "clav"), ("strum", "clean_guitar"), ("pad", "synth_pad")],
        comp2=[("pad", "strings"), ("stab", "brass"), ("bubble", "clav")],
        leads=["strings", "voice", "brass", "synth_lead"], lead_scale="dorian", lead_step=(0.5, 1.0),
        hiss=(0.0, 0.006), lowpass=(8000.0, 11000.0), reverb=(0.8, 1.5), wet=(0.1, 0.25),
    ),
    "hiphop": _style(
        tempo=(80.0, 100.0), swing=(0.04, 0.12), swing_unit=0.25, grooves=[BOOM_BAP, BOOM_BAP2], fill=None,
        crash=False, progressions=[LOOP_MIN, LOOP_MIN2, MINOR_VAMP], scale="minor",
        bass=["sub"], bass_timbres=["bass_sub", "bass_finger"], bass_register=(29, 38),
        comps=[("loop", "epiano"), ("loop", "piano"), ("loop", "strings"), ("loop", "brass")],
        comp_center=(56, 64), comp2=[("pad", "synth_pad")], leads=["synth_lead"], lead_density=(0.0, 0.2),
        rap=0.55, hiss=(0.002, 0.01), crackle=(0.01, 0.04), lowpass=(5000.0, 11000.0), bitcrush=True,
        reverb=(0.3, 0.8), wet=(0.03, 0.12),
        mix={"drums": 1.0, "bass": -1.0, "comp": -6.0, "comp2": -10.0, "lead": -10.0, "vocal": -3.0},
        kit={"kick": (90.0, 130.0, 40.0, 52.0, 0.3, 0.6)},
    ),
    "jazz": _style(
        tempo=(100.0, 220.0), swing=(0.12, 0.19), grooves=[JAZZ_RIDE, JAZZ_BRUSH], fill=None, crash=False,
        progressions=[II_V_I, RHYTHM_CHANGES, AUTUMN], scale="major", bass=["walking"],
        bass_timbres=["bass_upright"], bass_register=(36, 43),
        comps=[("jazz", "piano"), ("jazz", "epiano"), ("jazz", "clean_guitar")], comp_center=(60, 67),
        comp2=[], leads=["sax", "brass", "piano", "flute"], lead_scale="dorian", lead_step=(0.5,),
        lead_density=(0.6, 0.9), hiss=(0.002, 0.015), crackle=(0.0, 0.01), lowpass=(5000.0, 10000.0),
        reverb=(0.6, 1.4), wet=(0.1, 0.3), humanize=(0.15, 0.25), timing_ms=(6.0, 12.0),
        mix={"drums": -3.0, "bass": -1.0, "comp": -4.0, "comp2": -8.0, "lead": -3.0, "vocal": -5.0},
        kit={"ride": (0.9, 1.6)}, intensity_floor=0.4,
    ),
    "metal": _style(
        tempo=(130.0, 200.0), grooves=[METAL_DOUBLE, METAL_GALLOP, METAL_BLAST],
        progressions=[METAL_I, PHRYGIAN], scale="minor", keys=(2, 4, 0, 11),
        bass=["chug16"], bass_timbres=["bass_pick"], bass_register=(26, 33),
        comps=[("chug16", "dist_guitar")], comp_center=(42, 50), comp_density=(0.6, 0.95),
        comp2=[("power8", "dist_guitar")], leads=["lead_guitar"], lead_scale="harmonic_minor",
        lead_step=(0.25,), lead_density=(0.5, 0.9), drive=(8.0, 35.0), lead_drive=(6.0, 15.0),
        cabinet=(2500.0, 4500.0), reverb=(0.4, 1.0), wet=(0.05, 0.15),
        mix={"drums": 0.0, "bass": -5.0, "comp": -1.0, "comp2": -7.0, "lead": -5.0, "vocal": -5.0},
        kit={"kick": (120.0, 170.0, 50.0, 65.0, 0.08, 0.15)},
    ),
    "pop": _style(
        tempo=(90.0, 126.0), grooves=[POP_BEAT, POP_BEAT2], progressions=[AXIS, AXIS2, DOO_WOP],
        bass=["synth", "root8"], bass_timbres=["bass_synth", "bass_finger"], bass_register=(33, 41),
        comps=[("pad", "synth_pad"), ("strum", "acoustic_guitar"), ("block", "piano"), ("stab", "synth_pluck"),
               ("stab", "string_stab")],
        comp2=[("arpeggio", "synth_pluck"), ("pad", "strings"), ("block", "epiano")],
        leads=["voice", "synth_lead"], lead_scale="penta_major", lead_step=(0.5, 0.25),
        lead_density=(0.5, 0.8), reverb=(0.8, 1.6), wet=(0.12, 0.3), lowpass=(9000.0, 11000.0),
        mix={"drums": 0.0, "bass": -3.0, "comp": -5.0, "comp2": -8.0, "lead": -3.0, "vocal": -5.0},
    ),
    "reggae": _style(
        tempo=(64.0, 92.0), swing=(0.0, 0.07), grooves=[ONE_DROP, ONE_DROP2], fill=FILL_SOFT, crash=False,
        progressions=[REGGAE_I_IV, REGGAE_MIN, REGGAE_I_V], scale="major",
        bass=["reggae"], bass_timbres=["bass_round", "bass_finger"], bass_register=(31, 40),
        comps=[("skank", "clean_guitar"), ("skank", "piano"), ("skank", "organ")],
        comp2=[("bubble", "organ"), ("skank", "clean_guitar")], leads=["voice", "organ", "brass"],
        lead_scale="penta_major", lead_step=(0.5, 1.0), hiss=(0.0, 0.01), lowpass=(6000.0, 10000.0),
        echo=(0.2, 0.45), reverb=(0.6, 1.5), wet=(0.1, 0.3),
        mix={"drums": 0.0, "bass": 0.0, "comp": -5.0, "comp2": -8.0, "lead": -5.0, "vocal": -5.0},
    ),
    "rock": _style(
        tempo=(100.0, 150.0), grooves=[ROCK_BEAT, ROCK_BEAT2, ROCK_RIDE],
        progressions=[ROCK_MIX, ROCK_IV_V, AXIS], bass=["root8"], bass_timbres=["bass_pick", "bass_finger"],
        bass_register=(33, 41), comps=[("power8", "crunch_guitar"), ("power8", "dist_guitar"), ("strum", "crunch_guitar")],
        comp_center=(48, 57), comp2=[("strum", "acoustic_guitar"), ("pad", "organ")],
        leads=["lead_guitar", "voice"], lead_scale="penta_minor", drive=(3.0, 14.0), lead_drive=(3.0, 10.0),
        cabinet=(3000.0, 5500.0), reverb=(0.5, 1.2), wet=(0.08, 0.2),
        mix={"drums": 0.0, "bass": -4.0, "comp": -2.0, "comp2": -8.0, "lead": -5.0, "vocal": -5.0},
    ),
}

# The crossover artist of each genre borrows from its confusable neighbour.
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "blues": ("straight blues-rock (like rock/country)", dict(
        swing=(0.0, 0.03), tempo=(96.0, 130.0), grooves=[ROCK_BEAT, BOOM_CHICK], drive=(3.0, 8.0),
        comps=[("power8", "crunch_guitar"), ("strum", "twang_guitar")], bass=["root8"])),
    "classical": ("solo piano / organ chorale", dict(
        comps=[("arpeggio", "piano"), ("block", "piano"), ("pad", "organ")], comp2=[],
        leads=["piano"], wet=(0.15, 0.3))),
    "country": ("western swing (like blues)", dict(
        swing=(0.10, 0.16), progressions=[WESTERN_SWING], grooves=[SHUFFLE, BOOM_CHICK],
        bass=["walking", "boogie"], leads=["fiddle", "steel_guitar", "harmonica"])),
    "disco": ("disco-pop with a backbeat (like pop)", dict(
        grooves=[POP_BEAT, POP_BEAT2], progressions=[AXIS, DISCO_VAMP], bass=["synth", "octave8"],
        comps=[("pad", "synth_pad"), ("stab", "synth_pluck")], leads=["voice"])),
    "hiphop": ("trap-leaning beat (like pop/disco)", dict(
        grooves=[{"kick": "X.....x...x..x..", "clap": "....X.......X...", "hat": "xxxxxxxxxxxxxxxx"}],
        swing=(0.0, 0.03), bitcrush=False, comps=[("pad", "synth_pad"), ("arpeggio", "synth_pluck")],
        crackle=(0.0, 0.0))),
    "jazz": ("brushed ballad", dict(
        tempo=(60.0, 96.0), grooves=[JAZZ_BRUSH], leads=["sax", "piano"], lead_density=(0.4, 0.6))),
    "metal": ("doom / traditional metal at half time (like rock)", dict(
        tempo=(70.0, 110.0), grooves=[HALF_TIME, ROCK_BEAT], comps=[("power8", "dist_guitar")],
        bass=["root8"], drive=(6.0, 15.0))),
    "pop": ("dance-pop on four-on-the-floor (like disco)", dict(
        grooves=[FOUR_FLOOR, DISCO], tempo=(110.0, 128.0), bass=["octave8", "synth"],
        comps=[("stab", "string_stab"), ("pad", "synth_pad")])),
    "reggae": ("steppers (four-on-the-floor kick)", dict(grooves=[STEPPERS, ONE_DROP])),
    "rock": ("hard rock (like metal)", dict(
        drive=(12.0, 25.0), tempo=(130.0, 170.0), grooves=[ROCK_BEAT2, METAL_GALLOP],
        comps=[("chug16", "dist_guitar"), ("power8", "dist_guitar")], comp_center=(44, 52))),
}

ARTIST_NAMES: dict[str, tuple[str, ...]] = {
    "blues": ("Muddy Creek Slim", "Big Mama Delta", "Lightnin' Joe Parker", "Blind Willie Stone",
              "The Crossroads Electric", "Howlin' Ray Tucker"),
    "classical": ("Orchestra of the Lower Rhine", "Clara Weissmann (piano)", "Sinfonia Nova",
                  "Ensemble Aurora Baroque", "Johann Brandt (organ & piano)", "The Arden String Quartet"),
    "country": ("Dusty Boots McCall", "The Tumbleweed Sisters", "Hank Whitfield", "Lone Pine Ramblers",
                "The Texas Playboys Revue", "Loretta Sue Hayes"),
    "disco": ("Mirrorball Express", "Donna Starr", "The Saturday Knights", "Funk Factory 77",
              "Silk & Sequins", "The Velvet Rollers"),
    "hiphop": ("MC Brickhouse", "Dusty Crates Crew", "Lil Metronome", "The Boom Bap Society",
               "Kid Sampler", "Queen Cadence"),
    "jazz": ("The Bluestone Quartet", "Ella Brightwater", "Sonny Vale Quintet", "Dizzy Heights",
             "The Brushwork Trio", "Art Lennox Sextet"),
    "metal": ("Iron Crypt", "Thunder Anvil", "Black Glacier", "Serpent Throne", "Ashen Gallows",
              "Doomhammer"),
    "pop": ("Kelly Sparks", "The Daydreamers", "Jay Nova", "Sugar Avenue", "Neon Hearts", "Mira Lane"),
    "reggae": ("Roots Ambassadors", "Jah Steady", "The Island Rockers", "Natty Lion", "Sound System Seven",
               "Marcia Riddim"),
    "rock": ("The Loose Gravel", "Highway Static", "Johnny Voltage", "Red Barn Revival", "Steel Horses",
             "The Weekend Arsonists"),
}

_TITLE_A = ("Midnight", "Lonesome", "Electric", "Golden", "Broken", "Silver", "Velvet", "Crimson", "Rolling",
            "Empty", "Burning", "Blue", "Sweet", "Wild", "Distant", "Lucky")
_TITLE_B = ("Train", "River", "Highway", "Heart", "Rain", "Night", "Road", "Dream", "Fire", "Moon", "Town",
            "Dance", "Line", "Sky", "Street", "Song")


@dataclass(frozen=True)
class GenreTraits:
    """What defines one synthetic genre, in words and ranges (for the book's table).

    Notebook: 01_data.ipynb
    """

    genre: str
    tempo_bpm: tuple[float, float]
    swing: tuple[float, float]
    drums: str
    bass: str
    harmony: str
    instruments: str
    sound: str
    confused_with: tuple[str, ...]
    crossover: str


def _traits() -> dict[str, GenreTraits]:
    words = {
        "blues": ("shuffle: kick 1 & 3, snare 2 & 4, swung eighths", "boogie / walking", "12-bar I7-IV7-V7, blues scale",
                  "clean or crunchy guitar riff, honky-tonk piano, harmonica", "light overdrive, tape hiss, hum, dull top end",
                  ("country", "jazz", "rock")),
        "classical": ("no drums; rubato tempo, 3/4 or 4/4", "sustained cello roots", "cadences, circle of fifths, minor with V7",
                      "string ensemble, piano / harpsichord arpeggios, violin or flute melody",
                      "large hall reverb, slow crescendos, quiet", ("jazz",)),
        "country": ("boom-chick or train beat, straight eighths", "root-fifth on 1 & 3 with walk-ups",
                    "major triads I-IV-V", "strummed acoustic / twangy guitar, banjo rolls, fiddle, steel guitar",
                    "clean, bright, little reverb", ("blues", "rock")),
        "disco": ("four-on-the-floor kick, open hat on every off-beat, sixteenth hats", "octave-jumping eighths",
                  "minor 9th / dominant 9th vamps, ii-V-I", "string stabs, clavinet, brass, strings",
                  "clean, bright, medium reverb", ("pop", "reggae")),
        "hiphop": ("boom-bap: syncopated kick, hard snare 2 & 4, swung sixteenths", "sub bass following the kick",
                   "a one- or two-chord minor loop", "sampled e-piano / piano / strings loop, rapped syllables",
                   "bit-crushed loop, vinyl crackle, loud drums", ("pop", "disco", "reggae")),
        "jazz": ("swing ride (ding, ding-a-ding), hi-hat on 2 & 4, brushes", "walking quarter notes",
                 "ii-V-I with 7th chords, rhythm changes", "piano or guitar comping (rootless voicings), sax, trumpet, flute",
                 "room reverb, loose timing, old-recording hiss", ("blues", "classical")),
        "metal": ("double-kick sixteenths, gallops, blast beats", "palm-muted sixteenth chugs",
                  "minor / phrygian power-chord riffs in low keys", "heavily distorted guitars, shred lead",
                  "hard tanh distortion, dark cabinet filter", ("rock",)),
        "pop": ("backbeat with claps, straight eighths", "syncopated synth or finger bass",
                "I-V-vi-IV, vi-IV-I-V, doo-wop", "synth pads and plucks, piano, acoustic guitar, sung melody",
                "clean, polished, wide reverb", ("disco", "rock", "hiphop")),
        "reggae": ("one drop: kick and rim on 3 only", "round, melodic bass with rests on the one",
                   "I-IV or i-bVII two-chord vamps", "off-beat guitar / piano skank, organ bubble",
                   "dub echo, spring reverb, deep bass", ("hiphop", "disco")),
        "rock": ("straight-eighth backbeat, crashes on section starts", "root eighths", "power chords I-bVII-IV, I-IV-V",
                 "overdriven rhythm guitars, lead guitar, voice", "medium tanh distortion, cabinet filter",
                 ("metal", "blues", "country")),
    }
    out = {}
    for g in GTZAN_GENRES:
        s = STYLES[g]
        drums, bass, harmony, instruments, sound, confused = words[g]
        out[g] = GenreTraits(g, s["tempo"], s["swing"], drums, bass, harmony, instruments, sound, confused,
                             VARIANTS[g][0])
    return out


GENRE_TRAITS: dict[str, GenreTraits] = _traits()


@dataclass(frozen=True)
class Artist:
    """A synthetic artist: a fixed sound shared by all of their tracks.

    ``style`` is the genre style (with the crossover variant applied for the crossover
    artist) narrowed to the artist's choices: one or two grooves, a progression, bass /
    accompaniment / lead instruments, a tempo and swing tendency, mix levels, effects
    and a drum kit. Notebook: 01_data.ipynb
    """

    genre: str
    index: int
    name: str
    crossover: bool
    style: dict[str, Any]


def _pick(rng: np.random.Generator, items: list[Any], k: int = 1) -> list[Any]:
    k = min(k, len(items))
    order = rng.permutation(len(items))[:k]
    return [items[int(i)] for i in sorted(order)]


def _between(rng: np.random.Generator, lo_hi: tuple[float, float], width: float) -> tuple[float, float]:
    """A sub-range of relative ``width`` of (lo, hi), at a random place."""
    lo, hi = lo_hi
    span = (hi - lo) * width
    start = lo + (hi - lo - span) * rng.random()
    return (start, start + span)


def make_artist(genre: str, index: int, *, seed: int = 0) -> Artist:
    """The ``index``-th artist of ``genre`` in the world of ``seed`` (deterministic).

    Artists ``CROSSOVER_ARTISTS`` of every genre play the crossover variant that borrows
    from a confusable genre. Notebook: 01_data.ipynb
    """
    if genre not in STYLES:
        raise ValueError(f"unknown synthetic genre {genre!r}; choose one of {list(GTZAN_GENRES)}")
    g = GTZAN_GENRES.index(genre)
    rng = np.random.default_rng([seed, g, 7919, index])
    style = dict(STYLES[genre])
    crossover = index % ARTISTS_PER_GENRE in CROSSOVER_ARTISTS
    if crossover:
        style.update(VARIANTS[genre][1])
    s: dict[str, Any] = dict(style)
    s["tempo"] = _between(rng, style["tempo"], 0.45)
    s["swing"] = _between(rng, style["swing"], 0.6)
    s["grooves"] = _pick(rng, style["grooves"], 2)
    rng.shuffle(s["grooves"])
    s["progressions"] = _pick(rng, style["progressions"], 2)
    s["bass"] = _pick(rng, style["bass"], 1)
    s["bass_timbres"] = _pick(rng, style["bass_timbres"], 1)
    s["comps"] = _pick(rng, style["comps"], 1)
    s["comp2"] = _pick(rng, style["comp2"], 1) if style["comp2"] and rng.random() < 0.7 else []
    s["leads"] = _pick(rng, style["leads"], 1)
    s["keys"] = tuple(int(k) for k in _pick(rng, list(style["keys"]), 3))
    for name in ("drive", "lead_drive", "hiss", "crackle", "hum", "lowpass", "reverb", "wet", "echo",
                 "cabinet", "dynamics", "humanize", "timing_ms", "comp_density", "lead_density"):
        s[name] = _between(rng, style[name], 0.4)
    s["brightness"] = float(rng.uniform(-0.2, 0.2))
    s["mix"] = {bus: db + float(rng.uniform(-3.0, 3.0)) for bus, db in style["mix"].items()}
    s["meter"] = int(rng.choice(style["meter"]))
    kit = {**DRUM_KIT_DEFAULT, **style["kit"]}
    s["kit"] = {name: tuple(float(v) for v in _between_tuple(rng, values)) for name, values in kit.items()}
    return Artist(genre, index, ARTIST_NAMES[genre][index % ARTISTS_PER_GENRE], crossover, s)


def _between_tuple(rng: np.random.Generator, values: tuple[float, ...]) -> tuple[float, ...]:
    """Kit ranges come in (lo, hi) pairs; draw one value per pair, a narrow artist range."""
    return tuple(float(rng.uniform(values[i], values[i + 1])) for i in range(0, len(values), 2))


def track_title(rng: np.random.Generator) -> str:
    """An invented song title such as "Midnight Train". Notebook: 01_data.ipynb"""
    return f"{_TITLE_A[int(rng.integers(len(_TITLE_A)))]} {_TITLE_B[int(rng.integers(len(_TITLE_B)))]}"


def with_brightness(timbre: Timbre, offset: float) -> Timbre:
    """``timbre`` made brighter (offset > 0) or darker, clipped to [0.05, 1]. Notebook: 01_data.ipynb"""
    return replace(timbre, brightness=float(np.clip(timbre.brightness + offset, 0.05, 1.0)))
