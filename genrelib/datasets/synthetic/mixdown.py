"""From rendered buses to the final clip: bus effects (distortion, bit-crushing, dub echo),
the mix, room reverb and dynamics, then mastering (EQ, recording noise, loudness). Every
draw comes from the track's rng, in a fixed order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genrelib.datasets.synthetic import effects
from genrelib.datasets.synthetic.styles import draw


def apply_bus_effects(buses: dict[str, np.ndarray], s: dict[str, Any], rng: np.random.Generator, *,
                      bpm: float, sample_rate: int) -> None:
    """Distort the accompaniment and lead through a cabinet filter, bit-crush and echo the
    accompaniment, as the artist's style ``s`` says; ``buses`` (name -> (n,)) is changed in place.
    """
    sr = sample_rate
    for bus, drive_range in (("comp", s["drive"]), ("lead", s["lead_drive"])):
        drive = draw(rng, drive_range)
        if drive > 0 and bus in buses:
            buses[bus] = effects.lowpass(effects.distort(buses[bus], drive=drive), draw(rng, s["cabinet"]), sr)
    if s["bitcrush"] and "comp" in buses:
        crushed = effects.bitcrush(buses["comp"], bits=int(rng.integers(8, 12)), hold=int(rng.integers(1, 3)))
        buses["comp"] = effects.lowpass(crushed, float(rng.uniform(3000, 6000)), sr)
    feedback = draw(rng, s["echo"])
    if feedback > 0 and "comp" in buses:
        delay = int(60.0 / bpm * 0.75 * sr)
        buses["comp"] = effects.echo(buses["comp"], delay=delay, feedback=feedback)


def mix_buses(buses: dict[str, np.ndarray], s: dict[str, Any], rng: np.random.Generator, *, n: int,
              sample_rate: int) -> np.ndarray:
    """Each bus to unit RMS, then to the artist's level in dB plus per-track variation;
    summed, put in a room (reverb) and given slow swells (dynamics). Float32, shape (n,).
    """
    mix = np.zeros(n, dtype=np.float32)
    for name, bus in buses.items():
        rms = float(np.sqrt(np.mean(np.square(bus, dtype=np.float32)))) + 1e-9
        level_db = s["mix"].get(name, -6.0) + float(rng.uniform(-4.0, 4.0))
        mix += np.float32(10 ** (level_db / 20.0) / rms) * bus
    mix = effects.reverb(mix, sample_rate, seconds=draw(rng, s["reverb"]), wet=draw(rng, s["wet"]), rng=rng)
    depth = draw(rng, s["dynamics"])
    if depth > 0:
        t = np.arange(n, dtype=np.float32) / np.float32(sample_rate)
        swell = np.sin(2 * np.pi * t / float(rng.uniform(12, 30)) + float(rng.uniform(0, 6.3)))
        mix *= (1.0 - depth * 0.5 * (1 + swell)).astype(np.float32)
    return mix


def master(mix: np.ndarray, s: dict[str, Any], rng: np.random.Generator, *, sample_rate: int) -> np.ndarray:
    """Mastering: every track its own EQ (bass shelf, top-end cut, whatever the genre, so
    that the spectral envelope alone does not give the class away), peak normalisation,
    recording noise (maybe tape hiss), then loudness. Float32, shape of ``mix``.
    """
    n, sr = mix.shape[0], sample_rate
    cutoff = (draw(rng, s["lowpass"]) if rng.random() < 0.5
              else float(np.exp(rng.uniform(np.log(3500.0), np.log(11000.0)))))
    mix = effects.master_eq(mix, sr, shelf=float(rng.uniform(-0.6, 1.2)), shelf_hz=float(rng.uniform(150.0, 400.0)),
                            lowpass_hz=cutoff, highpass_hz=float(rng.uniform(25.0, 60.0)))
    peak = float(np.max(np.abs(mix))) + 1e-9
    mix /= np.float32(peak)
    hiss = draw(rng, s["hiss"]) + (float(rng.uniform(0.002, 0.015)) if rng.random() < 0.3 else 0.0)
    mix += effects.noise_bed(n, sr, hiss=hiss, crackle=draw(rng, s["crackle"]), hum=draw(rng, s["hum"]), rng=rng)
    return _loudness(mix, rng)


def _loudness(mix: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``mix`` at an RMS of -20..-12 dBFS, lowered if needed so that it peaks <= 0.98."""
    rms = float(np.sqrt(np.mean(np.square(mix, dtype=np.float32)))) + 1e-9
    target = 10 ** (float(rng.uniform(-20.0, -12.0)) / 20.0)
    gain = target / rms
    peak = float(np.max(np.abs(mix))) * gain
    if peak > 0.98:
        gain *= 0.98 / peak
    return (mix * np.float32(gain)).astype(np.float32)
