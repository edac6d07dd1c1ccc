"""Drum one-shots: short sounds rendered once per track and placed at every hit. Each
returns float32 of shape (n_samples,) with peak 1; noise comes from ``rng``.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from genrelib.datasets.synthetic.effects import highpass, lowpass, peak_normalise


def _t(seconds: float, sample_rate: int) -> np.ndarray:
    return np.arange(int(seconds * sample_rate), dtype=np.float32) / np.float32(sample_rate)


def _filtered_noise(n: int, rng: np.random.Generator, sample_rate: int, *, low: float | None,
                    high: float | None) -> np.ndarray:
    noise = rng.standard_normal(n).astype(np.float32)
    if low:
        noise = highpass(noise, low, sample_rate)
    if high:
        noise = lowpass(noise, high, sample_rate)
    return noise


def kick(sample_rate: int, *, f_start: float = 130.0, f_end: float = 50.0, sweep: float = 0.04,
         decay: float = 0.3, click: float = 0.2, rng: np.random.Generator) -> np.ndarray:
    """Bass drum: a sine swept from ``f_start`` to ``f_end`` Hz plus a click."""
    t = _t(min(4.0 * decay, 1.5), sample_rate)
    freq = f_end + (f_start - f_end) * np.exp(-t / sweep)
    phase = np.cumsum(freq) / sample_rate
    body = np.sin(2 * np.pi * phase) * np.exp(-t / decay)
    n_click = int(0.02 * sample_rate)
    body[:n_click] += click * _filtered_noise(n_click, rng, sample_rate, low=1500, high=None) * np.exp(
        -t[:n_click] / 0.004)
    return peak_normalise(body)


def snare(sample_rate: int, *, tone: float = 190.0, tone_decay: float = 0.08, noise_decay: float = 0.15,
          snappy: float = 0.7, high: float = 8000.0, rng: np.random.Generator) -> np.ndarray:
    """Snare: a short drum tone plus band-passed noise (the wires)."""
    t = _t(min(5.0 * noise_decay, 1.0), sample_rate)
    body = np.sin(2 * np.pi * tone * t) * np.exp(-t / tone_decay)
    wires = _filtered_noise(t.size, rng, sample_rate, low=900.0, high=high) * np.exp(-t / noise_decay)
    return peak_normalise((1 - snappy) * body + snappy * 2.0 * wires)


def hat(sample_rate: int, *, decay: float = 0.05, low: float = 6000.0, rng: np.random.Generator) -> np.ndarray:
    """Hi-hat (closed: short ``decay``, open: long): high-passed noise plus metallic squares."""
    t = _t(min(6.0 * decay, 1.2), sample_rate)
    metal = sum(np.sign(np.sin(2 * np.pi * f * t)) for f in (205.3, 304.4, 369.6, 522.7, 540.0, 800.0))
    x = _filtered_noise(t.size, rng, sample_rate, low=low, high=None) + 0.15 * metal
    x = signal.sosfilt(signal.butter(2, min(low, 0.45 * sample_rate), btype="highpass", fs=sample_rate,
                                     output="sos"), x)
    return peak_normalise(x * np.exp(-t / decay))


def ride(sample_rate: int, *, decay: float = 0.9, pitch: float = 1.0, rng: np.random.Generator) -> np.ndarray:
    """Ride / crash cymbal: inharmonic partials with a ping, long decay."""
    t = _t(min(3.0 * decay, 3.0), sample_rate)
    partials = sum(np.sin(2 * np.pi * pitch * f * t + i) for i, f in enumerate((3120., 4280., 5150., 6390., 7010.)))
    wash = _filtered_noise(t.size, rng, sample_rate, low=3000.0 * pitch, high=None)
    ping = np.exp(-t / 0.01)
    return peak_normalise((0.4 * partials + 0.8 * wash) * np.exp(-t / decay) * (0.6 + 0.4 * ping))


def clap(sample_rate: int, *, decay: float = 0.12, rng: np.random.Generator) -> np.ndarray:
    """Hand clap: three quick noise bursts and a tail."""
    t = _t(0.05 + 5.0 * decay, sample_rate)
    noise = _filtered_noise(t.size, rng, sample_rate, low=800.0, high=5000.0)
    env = np.exp(-np.maximum(t - 0.02, 0) / decay)
    for k in range(3):
        env += np.exp(-np.abs(t - 0.01 * k) / 0.003) * (t >= 0.01 * k)
    return peak_normalise(noise * env)


def rim(sample_rate: int, *, tone: float = 500.0, rng: np.random.Generator) -> np.ndarray:
    """Rim shot / cross-stick: a bright click with a short tone."""
    t = _t(0.12, sample_rate)
    x = np.sin(2 * np.pi * tone * t) * np.exp(-t / 0.02) + 0.6 * _filtered_noise(
        t.size, rng, sample_rate, low=2000.0, high=None) * np.exp(-t / 0.006)
    return peak_normalise(x)


def brush(sample_rate: int, *, decay: float = 0.15, rng: np.random.Generator) -> np.ndarray:
    """Brush stroke: soft, slowly swelling band-passed noise."""
    t = _t(4.0 * decay, sample_rate)
    env = (1 - np.exp(-t / 0.02)) * np.exp(-t / decay)
    return peak_normalise(_filtered_noise(t.size, rng, sample_rate, low=1500.0, high=7000.0) * env)


def tom(sample_rate: int, *, pitch: float = 110.0, decay: float = 0.25, rng: np.random.Generator) -> np.ndarray:
    """Tom: a sine with a short downward sweep."""
    t = _t(4.0 * decay, sample_rate)
    freq = pitch * (1.0 + 0.6 * np.exp(-t / 0.02))
    x = np.sin(2 * np.pi * np.cumsum(freq) / sample_rate) * np.exp(-t / decay)
    return peak_normalise(x + 0.1 * _filtered_noise(t.size, rng, sample_rate, low=500.0, high=4000.0)
                          * np.exp(-t / 0.03))
