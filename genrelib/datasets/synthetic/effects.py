"""Effects on whole buses: placing sounds, filters, distortion, echo, reverb, bit-crushing
and recording noise. Randomness comes in as a ``numpy.random.Generator``; all audio is
float32 of shape (n_samples,).
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import fft, signal


def peak_normalise(x: np.ndarray) -> np.ndarray:
    """``x`` scaled to peak 1 (unchanged when silent), float32 of the same shape."""
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    return (x / peak).astype(np.float32) if peak > 0 else x.astype(np.float32)


def place(bus: np.ndarray, start: int, wave: np.ndarray, gain: float) -> None:
    """Add ``gain * wave`` into ``bus`` from sample ``start`` (cut at both ends), in place."""
    n = bus.shape[0]
    if start >= n or gain == 0.0:
        return
    if start < 0:
        if -start >= wave.shape[0]:
            return
        wave = wave[-start:]
        start = 0
    end = min(n, start + wave.shape[0])
    bus[start:end] += np.float32(gain) * wave[: end - start]


def distort(x: np.ndarray, *, drive: float) -> np.ndarray:
    """tanh saturation after normalising ``x`` to peak 1; ``drive`` 1 (warm) .. 40 (metal)."""
    if drive <= 0:
        return x
    y = np.tanh(np.float32(drive) * peak_normalise(x))
    return (y / np.float32(np.tanh(drive))).astype(np.float32)


@functools.lru_cache(maxsize=256)
def _sos(kind: str, cutoff: float, sample_rate: int, order: int) -> np.ndarray:
    return signal.butter(order, min(cutoff, 0.45 * sample_rate), btype=kind, fs=sample_rate, output="sos")


def lowpass(x: np.ndarray, cutoff: float, sample_rate: int, *, order: int = 2) -> np.ndarray:
    """Butterworth low-pass at ``cutoff`` Hz (rounded to 10 Hz)."""
    return signal.sosfilt(_sos("lowpass", round(cutoff, -1), sample_rate, order), x).astype(np.float32)


def highpass(x: np.ndarray, cutoff: float, sample_rate: int, *, order: int = 2) -> np.ndarray:
    """Butterworth high-pass at ``cutoff`` Hz (rounded to 10 Hz)."""
    return signal.sosfilt(_sos("highpass", round(cutoff, -1), sample_rate, order), x).astype(np.float32)


def master_eq(x: np.ndarray, sample_rate: int, *, shelf: float, shelf_hz: float, lowpass_hz: float,
              highpass_hz: float) -> np.ndarray:
    """The mastering EQ in one pass: a bass shelf (``x + shelf * lowpass(x, shelf_hz)``,
    first order), a 2nd-order low-pass at ``lowpass_hz`` and a 1st-order high-pass at
    ``highpass_hz``, as one cascade of second-order sections.
    """
    b_lp, a_lp = signal.butter(1, min(shelf_hz, 0.45 * sample_rate), fs=sample_rate)
    b_shelf = np.r_[a_lp + shelf * b_lp, 0.0]
    a_shelf = np.r_[a_lp, 0.0]
    sos = np.vstack([
        np.r_[b_shelf, a_shelf],
        _sos("lowpass", round(lowpass_hz, -1), sample_rate, 2),
        _sos("highpass", round(highpass_hz), sample_rate, 1),
    ])
    return signal.sosfilt(sos, x).astype(np.float32)


def echo(x: np.ndarray, *, delay: int, feedback: float, repeats: int = 4) -> np.ndarray:
    """Feedback delay (dub echo): ``repeats`` copies, one every ``delay`` samples."""
    y = x.copy()
    for r in range(1, repeats + 1):
        shift = r * delay
        if shift >= x.shape[0]:
            break
        y[shift:] += np.float32(feedback**r) * x[:-shift]
    return y


def reverb(x: np.ndarray, sample_rate: int, *, seconds: float, wet: float, rng: np.random.Generator) -> np.ndarray:
    """Convolution with exponentially decaying noise (RT60 = ``seconds``), mixed ``wet``."""
    if wet <= 0 or seconds <= 0:
        return x
    n_ir = int(min(seconds, 2.5) * sample_rate)
    t = np.arange(n_ir, dtype=np.float32) / np.float32(sample_rate)
    ir = rng.standard_normal(n_ir).astype(np.float32) * np.exp(-6.9 * t / seconds)
    ir = lowpass(ir, 5000.0, sample_rate)
    ir /= np.float32(np.sqrt(np.sum(ir**2)) + 1e-9)
    size = fft.next_fast_len(x.shape[0] + n_ir, real=True)
    wet_sig = fft.irfft(fft.rfft(x, size) * fft.rfft(ir, size), size)[: x.shape[0]]
    return (x + np.float32(wet) * wet_sig.astype(np.float32)).astype(np.float32)


def noise_bed(n: int, sample_rate: int, *, hiss: float, crackle: float, hum: float,
              rng: np.random.Generator) -> np.ndarray:
    """Recording noise, shape (n,): hiss (pink-ish), vinyl crackle (sparse clicks) and mains
    hum; levels are linear amplitudes relative to a full-scale mix.
    """
    out = np.zeros(n, dtype=np.float32)
    if hiss > 0:  # uniform noise, softened by a two-tap average (cheap pink-ish tilt)
        white = rng.random(n + 1, dtype=np.float32) - np.float32(0.5)
        out += np.float32(hiss * 2.5) * (white[1:] + white[:-1])
    if crackle > 0:  # ~40 clicks per second, each a differentiated impulse
        count = int(n / sample_rate * 40)
        pos = rng.integers(0, n, size=count)
        amp = rng.standard_normal(count).astype(np.float32) * np.float32(crackle) * 4
        clicks = np.zeros(n + 1, dtype=np.float32)
        np.add.at(clicks, pos + 1, amp)
        out += np.diff(clicks)
    if hum > 0:
        t = np.arange(n, dtype=np.float32) / np.float32(sample_rate)
        out += np.float32(hum) * (np.sin(2 * np.pi * 60.0 * t) + 0.5 * np.sin(2 * np.pi * 120.0 * t)).astype(np.float32)
    return out


def bitcrush(x: np.ndarray, *, bits: int, hold: int) -> np.ndarray:
    """Lo-fi sampler grit: quantise to ``bits`` and hold every ``hold``-th sample."""
    y = x
    if hold > 1:
        y = np.repeat(y[::hold], hold)[: x.shape[0]]
    if bits < 16:
        scale = np.float32(2 ** (bits - 1))
        peak = float(np.max(np.abs(y))) or 1.0
        y = np.round(y / np.float32(peak) * scale) / scale * np.float32(peak)
    return y.astype(np.float32)
