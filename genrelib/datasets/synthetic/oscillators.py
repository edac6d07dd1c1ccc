"""Tonal notes: band-limited single-cycle wavetables read at the note's pitch, shaped by
an attack-decay-sustain-release envelope. All audio is float32 of shape (n_samples,).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

TABLE_SIZE = 4096
_MAX_HARMONICS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48)


def midi_to_hz(midi: float) -> float:
    """Frequency in Hz of a MIDI note number (A4 = 69 = 440 Hz)."""
    return 440.0 * 2.0 ** ((midi - 69.0) / 12.0)


def _drawbars(n: int, gains: tuple[tuple[int, float], ...]) -> np.ndarray:
    a = np.zeros(n)
    for h, g in gains:
        if h <= n:
            a[h - 1] = g
    return a


def _spectrum(kind: str, n: int) -> np.ndarray:
    """Harmonic amplitudes (n,) of a named waveform family."""
    k = np.arange(1, n + 1, dtype=np.float64)
    odd = (k % 2 == 1).astype(np.float64)
    if kind == "saw":
        return 1.0 / k
    if kind == "square":
        return odd / k
    if kind == "pulse":  # 25 % duty cycle: nasal, clavinet-like
        return np.abs(np.sin(np.pi * k * 0.25)) / k
    if kind == "triangle":
        return odd / k**2
    if kind == "sine":
        return (k == 1).astype(np.float64)
    if kind == "organ":  # drawbars 16', 8', 5 1/3', 4', 2 2/3', 2'
        return _drawbars(n, ((1, 1.0), (2, 0.8), (3, 0.6), (4, 0.5), (6, 0.35), (8, 0.3)))
    if kind == "reed":  # saxophone / harmonica: strong low-mid formant
        return (1.0 / k) * (1.0 + 2.5 * np.exp(-(((k - 4.0) / 2.0) ** 2))) * (0.55 + 0.45 * odd)
    if kind == "piano":
        return (1.0 / k**1.3) * (1.0 + 0.3 * np.cos(k * 1.7))
    if kind == "epiano":  # tine: fundamental + bell partials
        return _drawbars(n, ((1, 1.0), (2, 0.25), (3, 0.08), (4, 0.12), (7, 0.05)))
    if kind == "string":  # bowed: saw with a body resonance bump
        return (1.0 / k) * (1.0 + 0.8 * np.exp(-(((k - 3.0) / 1.5) ** 2)))
    raise ValueError(f"unknown waveform kind {kind!r}")


@functools.lru_cache(maxsize=512)
def wavetable(kind: str, brightness: float, max_harmonic: int) -> np.ndarray:
    """One cycle, shape (TABLE_SIZE,) float32, of ``kind`` with harmonics 1..max_harmonic.

    ``brightness`` in [0, 1] tilts the spectrum: 1 keeps it, 0 adds a 1/k^2 roll-off.
    The peak is normalised to 1. Cached: the tables are shared by every note of a track.
    """
    a = _spectrum(kind, max_harmonic)
    k = np.arange(1, max_harmonic + 1, dtype=np.float64)
    a = a * k ** (-2.0 * (1.0 - brightness))
    spectrum = np.zeros(TABLE_SIZE // 2 + 1, dtype=np.complex128)
    spectrum[1: max_harmonic + 1] = -0.5j * TABLE_SIZE * a  # sum of a_k sin(2 pi k x), via one inverse FFT
    table = np.fft.irfft(spectrum, TABLE_SIZE)
    peak = np.max(np.abs(table))
    return (table / (peak if peak > 0 else 1.0)).astype(np.float32)


def _harmonic_limit(freq: float, sample_rate: int) -> int:
    limit = int(0.45 * sample_rate / max(freq, 1.0))
    usable = [h for h in _MAX_HARMONICS if h <= limit]
    return usable[-1] if usable else 1


@dataclass(frozen=True)
class Timbre:
    """How a tonal instrument sounds: waveform, envelope, pluck, vibrato, unison.

    ``adsr`` is (attack s, decay s, sustain level, release s), see :func:`envelope`;
    ``pluck`` > 0 starts bright and fades to ``brightness * 0.3`` with that time constant
    (s); ``vibrato`` is (rate Hz, depth cents); ``unison`` voices are spread ``detune`` cents.
    """

    kind: str = "saw"
    brightness: float = 0.7
    adsr: tuple[float, float, float, float] = (0.005, 0.4, 0.0, 0.03)
    pluck: float = 0.0
    vibrato: tuple[float, float] = (0.0, 0.0)
    unison: int = 1
    detune: float = 0.0


def _voice_phase(freq: float, t: np.ndarray, voice: int, timbre: Timbre) -> np.ndarray:
    """Phase in cycles (n,) of unison voice ``voice``: detuned, with vibrato."""
    voices = max(1, timbre.unison)
    cents = 0.0 if voices == 1 else timbre.detune * (2.0 * voice / (voices - 1) - 1.0)
    f = freq * 2.0 ** (cents / 1200.0)
    phase = f * t + 0.37 * voice
    rate, depth = timbre.vibrato
    if depth > 0 and rate > 0:
        d = 2.0 ** (depth / 1200.0) - 1.0
        phase += f * d * (1.0 - np.cos(2.0 * np.pi * rate * t + voice)) / (2.0 * np.pi * rate)
    return phase


def render_note(freq: float, n_samples: int, sample_rate: int, timbre: Timbre) -> np.ndarray:
    """One note of ``timbre`` at ``freq`` Hz: float32, shape (max(n_samples, 8),)."""
    n = max(int(n_samples), 8)
    t = np.arange(n, dtype=np.float64) / sample_rate
    h = _harmonic_limit(freq * (1.0 + timbre.detune / 1200.0), sample_rate)
    b = round(float(np.clip(timbre.brightness, 0.0, 1.0)) * 20.0) / 20.0  # 0.05 steps: tables are shared
    bright = wavetable(timbre.kind, b, h)
    dark = wavetable(timbre.kind, round(b * 6.0) / 20.0, h) if timbre.pluck > 0 else None
    out = np.zeros(n, dtype=np.float32)
    voices = max(1, timbre.unison)
    for v in range(voices):
        idx = (_voice_phase(freq, t, v, timbre) * TABLE_SIZE).astype(np.int64) & (TABLE_SIZE - 1)
        if dark is None:
            out += bright[idx]
        else:
            fade = np.exp(-t / timbre.pluck).astype(np.float32)
            out += dark[idx] + fade * (bright[idx] - dark[idx])
    out *= np.float32(1.0 / voices)
    attack, decay, sustain, release = timbre.adsr
    return out * envelope(n, sample_rate, attack=attack, decay=decay, sustain=sustain, release=release)


def envelope(n: int, sample_rate: int, *, attack: float, decay: float, sustain: float,
             release: float) -> np.ndarray:
    """Attack-decay-sustain-release gain curve, float32 of shape (n,), ending at 0."""
    t = np.arange(n, dtype=np.float32) / np.float32(sample_rate)
    a = max(attack, 1e-4)
    env = np.minimum(t / np.float32(a), np.float32(1.0))
    after = np.maximum(t - np.float32(a), np.float32(0.0))
    env *= np.float32(sustain) + np.float32(1.0 - sustain) * np.exp(-after / np.float32(max(decay, 1e-3)))
    r = min(int(release * sample_rate), n)
    if r > 0:
        env[n - r:] *= np.linspace(1.0, 0.0, r, dtype=np.float32)
    return env
