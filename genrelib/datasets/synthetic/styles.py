"""The ten genre styles: the ranges and choices a track of each genre is drawn from (tempo,
swing, grooves, progressions, bass / accompaniment / lead styles and instruments, effects,
noise, mix), and the crossover variant two artists of each genre play instead.

Grooves, progressions and instruments are named here and defined in ``grooves``,
``harmony`` and ``instruments``; every (lo, hi) pair is a range to draw from.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genrelib.config import GTZAN_GENRES

#: Drum kit ranges (lo, hi pairs): kick (start Hz, end Hz, decay s), snare (tone Hz, noise
#: decay s), hat / ohat / ride (decay s); a style's ``kit`` overrides some of them.
DRUM_KIT_DEFAULT: dict[str, Any] = {
    "kick": (110.0, 160.0, 45.0, 60.0, 0.18, 0.35), "snare": (170.0, 240.0, 0.10, 0.22),
    "hat": (0.03, 0.06), "ohat": (0.18, 0.35), "ride": (0.6, 1.2),
}


def _style(**kw: Any) -> dict[str, Any]:
    """A genre style: these defaults, overridden by ``kw``."""
    base: dict[str, Any] = dict(
        tempo=(90.0, 130.0), swing=(0.0, 0.0), swing_unit=0.5, meter=(4,), rubato=0.0,
        grooves=["rock_beat"], fill="fill", crash=True, humanize=(0.05, 0.12), timing_ms=(3.0, 8.0),
        progressions=["axis"], keys=tuple(range(12)),
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
        tempo=(64.0, 110.0), swing=(0.11, 0.17), grooves=["shuffle", "shuffle_ride"], fill="fill_soft",
        progressions=["twelve_bar", "quick_change"], bass=["boogie", "walking"],
        bass_timbres=["bass_finger", "bass_upright"], bass_register=(36, 43),
        comps=[("shuffle", "clean_guitar"), ("shuffle", "crunch_guitar"), ("block", "honky_piano"),
               ("shuffle", "acoustic_guitar")],
        comp2=[("block", "piano"), ("pad", "organ")], leads=["harmonica", "lead_guitar", "voice"],
        lead_scale="blues", lead_step=(0.5, 0.25), drive=(0.0, 3.0), lead_drive=(1.0, 4.0),
        hiss=(0.0, 0.015), crackle=(0.0, 0.02), hum=(0.0, 0.01), lowpass=(5500.0, 10000.0),
        reverb=(0.5, 1.2), wet=(0.08, 0.25),
    ),
    "classical": _style(
        tempo=(52.0, 120.0), meter=(4, 3), rubato=(0.6), grooves=["none"], fill=None, crash=False,
        progressions=["classical_cadence", "classical_circle", "classical_minor"],
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
        tempo=(88.0, 150.0), swing=(0.0, 0.04), grooves=["boom_chick", "train"], fill="fill_soft",
        progressions=["i_iv_v", "i_i_iv_v", "axis"], bass=["root_fifth"],
        bass_timbres=["bass_finger", "bass_upright"], bass_register=(38, 45),
        comps=[("strum", "acoustic_guitar"), ("strum", "twang_guitar"), ("roll", "banjo"), ("strum", "clean_guitar")],
        comp2=[("roll", "banjo"), ("strum", "acoustic_guitar"), ("block", "honky_piano")],
        leads=["fiddle", "steel_guitar", "voice", "twang_guitar", "harmonica"], lead_scale="penta_major",
        lead_step=(0.5, 0.25), hiss=(0.0, 0.012), lowpass=(5000.0, 11000.0), reverb=(0.5, 1.0),
        wet=(0.05, 0.2), comp_center=(58, 66),
    ),
    "disco": _style(
        tempo=(108.0, 130.0), grooves=["disco", "four_floor"], fill="fill_soft",
        progressions=["disco_vamp", "disco_ii_v", "minor_vamp"],
        bass=["octave8"], bass_timbres=["bass_finger", "bass_synth", "bass_pick"], bass_register=(33, 41),
        comps=[("stab", "string_stab"), ("stab", "clav"), ("strum", "clean_guitar"), ("pad", "synth_pad")],
        comp2=[("pad", "strings"), ("stab", "brass"), ("bubble", "clav")],
        leads=["strings", "voice", "brass", "synth_lead"], lead_scale="dorian", lead_step=(0.5, 1.0),
        hiss=(0.0, 0.006), lowpass=(8000.0, 11000.0), reverb=(0.8, 1.5), wet=(0.1, 0.25),
    ),
    "hiphop": _style(
        tempo=(80.0, 100.0), swing=(0.04, 0.12), swing_unit=0.25, grooves=["boom_bap", "boom_bap2"], fill=None,
        crash=False, progressions=["loop_min", "loop_min2", "minor_vamp"],
        bass=["sub"], bass_timbres=["bass_sub", "bass_finger"], bass_register=(29, 38),
        comps=[("loop", "epiano"), ("loop", "piano"), ("loop", "strings"), ("loop", "brass")],
        comp_center=(56, 64), comp2=[("pad", "synth_pad")], leads=["synth_lead"], lead_density=(0.0, 0.2),
        rap=0.55, hiss=(0.002, 0.01), crackle=(0.01, 0.04), lowpass=(5000.0, 11000.0), bitcrush=True,
        reverb=(0.3, 0.8), wet=(0.03, 0.12),
        mix={"drums": 1.0, "bass": -1.0, "comp": -6.0, "comp2": -10.0, "lead": -10.0, "vocal": -3.0},
        kit={"kick": (90.0, 130.0, 40.0, 52.0, 0.3, 0.6)},
    ),
    "jazz": _style(
        tempo=(100.0, 220.0), swing=(0.12, 0.19), grooves=["jazz_ride", "jazz_brush"], fill=None, crash=False,
        progressions=["ii_v_i", "rhythm_changes", "autumn"], bass=["walking"],
        bass_timbres=["bass_upright"], bass_register=(36, 43),
        comps=[("jazz", "piano"), ("jazz", "epiano"), ("jazz", "clean_guitar")], comp_center=(60, 67),
        comp2=[], leads=["sax", "brass", "piano", "flute"], lead_scale="dorian", lead_step=(0.5,),
        lead_density=(0.6, 0.9), hiss=(0.002, 0.015), crackle=(0.0, 0.01), lowpass=(5000.0, 10000.0),
        reverb=(0.6, 1.4), wet=(0.1, 0.3), humanize=(0.15, 0.25), timing_ms=(6.0, 12.0),
        mix={"drums": -3.0, "bass": -1.0, "comp": -4.0, "comp2": -8.0, "lead": -3.0, "vocal": -5.0},
        kit={"ride": (0.9, 1.6)}, intensity_floor=0.4,
    ),
    "metal": _style(
        tempo=(130.0, 200.0), grooves=["metal_double", "metal_gallop", "metal_blast"],
        progressions=["metal_i", "phrygian"], keys=(2, 4, 0, 11),
        bass=["chug16"], bass_timbres=["bass_pick"], bass_register=(26, 33),
        comps=[("chug16", "dist_guitar")], comp_center=(42, 50), comp_density=(0.6, 0.95),
        comp2=[("power8", "dist_guitar")], leads=["lead_guitar"], lead_scale="harmonic_minor",
        lead_step=(0.25,), lead_density=(0.5, 0.9), drive=(8.0, 35.0), lead_drive=(6.0, 15.0),
        cabinet=(2500.0, 4500.0), reverb=(0.4, 1.0), wet=(0.05, 0.15),
        mix={"drums": 0.0, "bass": -5.0, "comp": -1.0, "comp2": -7.0, "lead": -5.0, "vocal": -5.0},
        kit={"kick": (120.0, 170.0, 50.0, 65.0, 0.08, 0.15)},
    ),
    "pop": _style(
        tempo=(90.0, 126.0), grooves=["pop_beat", "pop_beat2"], progressions=["axis", "axis2", "doo_wop"],
        bass=["synth", "root8"], bass_timbres=["bass_synth", "bass_finger"], bass_register=(33, 41),
        comps=[("pad", "synth_pad"), ("strum", "acoustic_guitar"), ("block", "piano"), ("stab", "synth_pluck"),
               ("stab", "string_stab")],
        comp2=[("arpeggio", "synth_pluck"), ("pad", "strings"), ("block", "epiano")],
        leads=["voice", "synth_lead"], lead_scale="penta_major", lead_step=(0.5, 0.25),
        lead_density=(0.5, 0.8), reverb=(0.8, 1.6), wet=(0.12, 0.3), lowpass=(9000.0, 11000.0),
        mix={"drums": 0.0, "bass": -3.0, "comp": -5.0, "comp2": -8.0, "lead": -3.0, "vocal": -5.0},
    ),
    "reggae": _style(
        tempo=(64.0, 92.0), swing=(0.0, 0.07), grooves=["one_drop", "one_drop2"], fill="fill_soft", crash=False,
        progressions=["reggae_i_iv", "reggae_min", "reggae_i_v"],
        bass=["reggae"], bass_timbres=["bass_round", "bass_finger"], bass_register=(31, 40),
        comps=[("skank", "clean_guitar"), ("skank", "piano"), ("skank", "organ")],
        comp2=[("bubble", "organ"), ("skank", "clean_guitar")], leads=["voice", "organ", "brass"],
        lead_scale="penta_major", lead_step=(0.5, 1.0), hiss=(0.0, 0.01), lowpass=(6000.0, 10000.0),
        echo=(0.2, 0.45), reverb=(0.6, 1.5), wet=(0.1, 0.3),
        mix={"drums": 0.0, "bass": 0.0, "comp": -5.0, "comp2": -8.0, "lead": -5.0, "vocal": -5.0},
    ),
    "rock": _style(
        tempo=(100.0, 150.0), grooves=["rock_beat", "rock_beat2", "rock_ride"],
        progressions=["rock_mix", "rock_iv_v", "axis"], bass=["root8"], bass_timbres=["bass_pick", "bass_finger"],
        bass_register=(33, 41),
        comps=[("power8", "crunch_guitar"), ("power8", "dist_guitar"), ("strum", "crunch_guitar")],
        comp_center=(48, 57), comp2=[("strum", "acoustic_guitar"), ("pad", "organ")],
        leads=["lead_guitar", "voice"], lead_scale="penta_minor", drive=(3.0, 14.0), lead_drive=(3.0, 10.0),
        cabinet=(3000.0, 5500.0), reverb=(0.5, 1.2), wet=(0.08, 0.2),
        mix={"drums": 0.0, "bass": -4.0, "comp": -2.0, "comp2": -8.0, "lead": -5.0, "vocal": -5.0},
    ),
}

# (description, overrides): the crossover variant of each genre; seven of them borrow from a confusable neighbour.
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "blues": ("straight blues-rock (like rock/country)", dict(
        swing=(0.0, 0.03), tempo=(96.0, 130.0), grooves=["rock_beat", "boom_chick"], drive=(3.0, 8.0),
        comps=[("power8", "crunch_guitar"), ("strum", "twang_guitar")], bass=["root8"])),
    "classical": ("solo piano / organ chorale", dict(
        comps=[("arpeggio", "piano"), ("block", "piano"), ("pad", "organ")], comp2=[],
        leads=["piano"], wet=(0.15, 0.3))),
    "country": ("western swing (like blues)", dict(
        swing=(0.10, 0.16), progressions=["western_swing"], grooves=["shuffle", "boom_chick"],
        bass=["walking", "boogie"], leads=["fiddle", "steel_guitar", "harmonica"])),
    "disco": ("disco-pop with a backbeat (like pop)", dict(
        grooves=["pop_beat", "pop_beat2"], progressions=["axis", "disco_vamp"], bass=["synth", "octave8"],
        comps=[("pad", "synth_pad"), ("stab", "synth_pluck")], leads=["voice"])),
    "hiphop": ("trap-leaning beat (like pop/disco)", dict(
        grooves=["trap"], swing=(0.0, 0.03), bitcrush=False, comps=[("pad", "synth_pad"), ("arpeggio", "synth_pluck")],
        crackle=(0.0, 0.0))),
    "jazz": ("brushed ballad", dict(
        tempo=(60.0, 96.0), grooves=["jazz_brush"], leads=["sax", "piano"], lead_density=(0.4, 0.6))),
    "metal": ("doom / traditional metal at half time (like rock)", dict(
        tempo=(70.0, 110.0), grooves=["half_time", "rock_beat"], comps=[("power8", "dist_guitar")],
        bass=["root8"], drive=(6.0, 15.0))),
    "pop": ("dance-pop on four-on-the-floor (like disco)", dict(
        grooves=["four_floor", "disco"], tempo=(110.0, 128.0), bass=["octave8", "synth"],
        comps=[("stab", "string_stab"), ("pad", "synth_pad")])),
    "reggae": ("steppers (four-on-the-floor kick)", dict(grooves=["steppers", "one_drop"])),
    "rock": ("hard rock (like metal)", dict(
        drive=(12.0, 25.0), tempo=(130.0, 170.0), grooves=["rock_beat2", "metal_gallop"],
        comps=[("chug16", "dist_guitar"), ("power8", "dist_guitar")], comp_center=(44, 52))),
}



def check_genre(genre: str) -> None:
    """Raise ValueError unless ``genre`` is one of the ten synthetic genres."""
    if genre not in STYLES:
        raise ValueError(f"unknown synthetic genre {genre!r}; choose one of {list(GTZAN_GENRES)}")


def draw(rng: np.random.Generator, lo_hi: tuple[float, float]) -> float:
    """One value drawn uniformly from a style range (lo, hi)."""
    return float(rng.uniform(lo_hi[0], lo_hi[1]))
