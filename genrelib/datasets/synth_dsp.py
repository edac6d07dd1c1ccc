"""Sound sources and effects of the synthetic GTZAN generator (numpy/scipy only).

Tonal notes are read from band-limited single-cycle wavetables (one gather per sample),
drums are short one-shots rendered once per track and added at sample-exact onsets,
and the effects (distortion, echo, reverb, filters, noise beds) work on whole buses.
Every function is deterministic given its arguments (randomness comes in as a
``numpy.random.Generator``). All audio is float32, shape (n_samples,).
Notebook: 01_data.ipynb
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import fft, signal

TABLE_SIZE = 4096
_MAX_HARMONICS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48)


def midi_to_hz(midi: float) -> float:
    """Frequency in Hz of a MIDI note number (A4 = 69 = 440 Hz). Notebook: 01_data.ipynb"""
    return 440.0 * 2.0 ** ((midi - 69.0) / 12.0)


def _spectrum(kind: str, n: int) -> np.ndarray:
    """Harmonic amplitudes (n,) of a named waveform family."""
    k = np.arange(1, n + 1, dtype=np.float64)
    odd = (k % 2 == 1).astype(np.float64)
    if kind == "saw":
        a = 1.0 / k
    elif kind == "square":
        a = odd / k
    elif kind == "pulse":  # 25 % duty cycle: nasal, clavinet-like
        a = np.abs(np.sin(np.pi * k * 0.25)) / k
    elif kind == "triangle":
        a = odd / k**2
    elif kind == "sine":
        a = (k == 1).astype(np.float64)
    elif kind == "organ":  # drawbars 16', 8', 5 1/3', 4', 2 2/3', 2'
        a = np.zeros(n)
        for h, g in ((1, 1.0), (2, 0.8), (3, 0.6), (4, 0.5), (6, 0.35), (8, 0.3)):
            if h <= n:
                a[h - 1] = g
    elif kind == "reed":  # saxophone / harmonica: strong low-mid formant
        a = (1.0 / k) * (1.0 + 2.5 * np.exp(-(((k - 4.0) / 2.0) ** 2))) * (0.55 + 0.45 * odd)
    elif kind == "piano":
        a = (1.0 / k**1.3) * (1.0 + 0.3 * np.cos(k * 1.7))
    elif kind == "epiano":  # tine: fundamental + bell partials
        a = np.zeros(n)
        for h, g in ((1, 1.0), (2, 0.25), (3, 0.08), (4, 0.12), (7, 0.05)):
            if h <= n:
                a[h - 1] = g
    elif kind == "string":  # bowed: saw with a body resonance bump
        a = (1.0 / k) * (1.0 + 0.8 * np.exp(-(((k - 3.0) / 1.5) ** 2)))
    else:
        raise ValueError(f"unknown waveform kind {kind!r}")
    return a


@functools.lru_cache(maxsize=512)
def wavetable(kind: str, brightness: float, max_harmonic: int) -> np.ndarray:
    """One cycle (TABLE_SIZE,) float32 of ``kind`` with harmonics 1..max_harmonic.

    ``brightness`` in [0, 1] tilts the spectrum: 1 keeps it, 0 adds a 1/k^2 roll-off.
    The peak is normalised to 1. Cached (tables are shared by every note of a track).
    Notebook: 01_data.ipynb
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

    ``pluck`` > 0 starts bright and fades to ``brightness * 0.3`` with that time
    constant (s); ``decay`` (s) is the exponential fall towards ``sustain``;
    ``vibrato`` is (rate Hz, depth cents); ``unison`` voices are spread ``detune`` cents.
    Notebook: 01_data.ipynb
    """

    kind: str = "saw"
    brightness: float = 0.7
    attack: float = 0.005
    decay: float = 0.4
    sustain: float = 0.0
    release: float = 0.03
    pluck: float = 0.0
    vibrato: tuple[float, float] = (0.0, 0.0)
    unison: int = 1
    detune: float = 0.0


def render_note(freq: float, n_samples: int, sample_rate: int, timbre: Timbre) -> np.ndarray:
    """One note of ``timbre`` at ``freq`` Hz: float32 array of shape (n_samples,).

    Notebook: 01_data.ipynb
    """
    n = max(int(n_samples), 8)
    t = np.arange(n, dtype=np.float64) / sample_rate
    h = _harmonic_limit(freq * (1.0 + timbre.detune / 1200.0), sample_rate)
    b = round(float(np.clip(timbre.brightness, 0.0, 1.0)) * 20.0) / 20.0  # 0.05 steps: tables are shared
    bright = wavetable(timbre.kind, b, h)
    dark = wavetable(timbre.kind, round(b * 6.0) / 20.0, h) if timbre.pluck > 0 else None
    rate, depth = timbre.vibrato
    out = np.zeros(n, dtype=np.float32)
    voices = max(1, timbre.unison)
    for v in range(voices):
        cents = 0.0 if voices == 1 else timbre.detune * (2.0 * v / (voices - 1) - 1.0)
        f = freq * 2.0 ** (cents / 1200.0)
        phase = f * t + 0.37 * v
        if depth > 0 and rate > 0:
            d = 2.0 ** (depth / 1200.0) - 1.0
            phase += f * d * (1.0 - np.cos(2.0 * np.pi * rate * t + v)) / (2.0 * np.pi * rate)
        idx = (phase * TABLE_SIZE).astype(np.int64) & (TABLE_SIZE - 1)
        if dark is None:
            out += bright[idx]
        else:
            fade = np.exp(-t / timbre.pluck).astype(np.float32)
            out += dark[idx] + fade * (bright[idx] - dark[idx])
    out *= np.float32(1.0 / voices)
    return out * envelope(n, sample_rate, attack=timbre.attack, decay=timbre.decay,
                          sustain=timbre.sustain, release=timbre.release)


def envelope(n: int, sample_rate: int, *, attack: float, decay: float, sustain: float,
             release: float) -> np.ndarray:
    """Attack-decay-sustain-release gain curve, float32 (n,), ending at 0.

    Notebook: 01_data.ipynb
    """
    t = np.arange(n, dtype=np.float32) / np.float32(sample_rate)
    a = max(attack, 1e-4)
    env = np.minimum(t / np.float32(a), np.float32(1.0))
    after = np.maximum(t - np.float32(a), np.float32(0.0))
    env *= np.float32(sustain) + np.float32(1.0 - sustain) * np.exp(-after / np.float32(max(decay, 1e-3)))
    r = min(int(release * sample_rate), n)
    if r > 0:
        env[n - r:] *= np.linspace(1.0, 0.0, r, dtype=np.float32)
    return env


# --------------------------------------------------------------------------- drums

def _t(seconds: float, sample_rate: int) -> np.ndarray:
    return np.arange(int(seconds * sample_rate), dtype=np.float32) / np.float32(sample_rate)


def _norm(x: np.ndarray) -> np.ndarray:
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    return (x / peak).astype(np.float32) if peak > 0 else x.astype(np.float32)


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
    """Bass drum: a sine swept from f_start to f_end Hz plus a click. Notebook: 01_data.ipynb"""
    t = _t(min(4.0 * decay, 1.5), sample_rate)
    freq = f_end + (f_start - f_end) * np.exp(-t / sweep)
    phase = np.cumsum(freq) / sample_rate
    body = np.sin(2 * np.pi * phase) * np.exp(-t / decay)
    body[: int(0.02 * sample_rate)] += click * _filtered_noise(int(0.02 * sample_rate), rng, sample_rate,
                                                                low=1500, high=None) * np.exp(-t[: int(0.02 * sample_rate)] / 0.004)
    return _norm(body)


def snare(sample_rate: int, *, tone: float = 190.0, tone_decay: float = 0.08, noise_decay: float = 0.15,
          snappy: float = 0.7, high: float = 8000.0, rng: np.random.Generator) -> np.ndarray:
    """Snare: a short drum tone plus band-passed noise (the wires). Notebook: 01_data.ipynb"""
    t = _t(min(5.0 * noise_decay, 1.0), sample_rate)
    body = np.sin(2 * np.pi * tone * t) * np.exp(-t / tone_decay)
    wires = _filtered_noise(t.size, rng, sample_rate, low=900.0, high=high) * np.exp(-t / noise_decay)
    return _norm((1 - snappy) * body + snappy * 2.0 * wires)


def hat(sample_rate: int, *, decay: float = 0.05, low: float = 6000.0, rng: np.random.Generator) -> np.ndarray:
    """Hi-hat (closed: short decay, open: long): high-passed noise plus metallic squares.
    Notebook: 01_data.ipynb"""
    t = _t(min(6.0 * decay, 1.2), sample_rate)
    metal = sum(np.sign(np.sin(2 * np.pi * f * t)) for f in (205.3, 304.4, 369.6, 522.7, 540.0, 800.0))
    x = _filtered_noise(t.size, rng, sample_rate, low=low, high=None) + 0.15 * metal
    x = signal.sosfilt(signal.butter(2, min(low, 0.45 * sample_rate), btype="highpass", fs=sample_rate,
                                     output="sos"), x)
    return _norm(x * np.exp(-t / decay))


def ride(sample_rate: int, *, decay: float = 0.9, pitch: float = 1.0, rng: np.random.Generator) -> np.ndarray:
    """Ride / crash cymbal: inharmonic partials with a ping, long decay. Notebook: 01_data.ipynb"""
    t = _t(min(3.0 * decay, 3.0), sample_rate)
    partials = sum(np.sin(2 * np.pi * pitch * f * t + i) for i, f in enumerate((3120., 4280., 5150., 6390., 7010.)))
    wash = _filtered_noise(t.size, rng, sample_rate, low=3000.0 * pitch, high=None)
    ping = np.exp(-t / 0.01)
    return _norm((0.4 * partials + 0.8 * wash) * np.exp(-t / decay) * (0.6 + 0.4 * ping))


def clap(sample_rate: int, *, decay: float = 0.12, rng: np.random.Generator) -> np.ndarray:
    """Hand clap: three quick noise bursts and a tail. Notebook: 01_data.ipynb"""
    t = _t(0.05 + 5.0 * decay, sample_rate)
    noise = _filtered_noise(t.size, rng, sample_rate, low=800.0, high=5000.0)
    env = np.exp(-np.maximum(t - 0.02, 0) / decay)
    for k in range(3):
        env += np.exp(-np.abs(t - 0.01 * k) / 0.003) * (t >= 0.01 * k)
    return _norm(noise * env)


def rim(sample_rate: int, *, tone: float = 500.0, rng: np.random.Generator) -> np.ndarray:
    """Rim shot / cross-stick: a bright click with a short tone. Notebook: 01_data.ipynb"""
    t = _t(0.12, sample_rate)
    x = np.sin(2 * np.pi * tone * t) * np.exp(-t / 0.02) + 0.6 * _filtered_noise(
        t.size, rng, sample_rate, low=2000.0, high=None) * np.exp(-t / 0.006)
    return _norm(x)


def brush(sample_rate: int, *, decay: float = 0.15, rng: np.random.Generator) -> np.ndarray:
    """Brush stroke: soft, slowly swelling band-passed noise. Notebook: 01_data.ipynb"""
    t = _t(4.0 * decay, sample_rate)
    env = (1 - np.exp(-t / 0.02)) * np.exp(-t / decay)
    return _norm(_filtered_noise(t.size, rng, sample_rate, low=1500.0, high=7000.0) * env)


def tom(sample_rate: int, *, pitch: float = 110.0, decay: float = 0.25, rng: np.random.Generator) -> np.ndarray:
    """Tom: a sine with a short downward sweep. Notebook: 01_data.ipynb"""
    t = _t(4.0 * decay, sample_rate)
    freq = pitch * (1.0 + 0.6 * np.exp(-t / 0.02))
    x = np.sin(2 * np.pi * np.cumsum(freq) / sample_rate) * np.exp(-t / decay)
    return _norm(x + 0.1 * _filtered_noise(t.size, rng, sample_rate, low=500.0, high=4000.0) * np.exp(-t / 0.03))


# --------------------------------------------------------------------------- effects

def place(bus: np.ndarray, start: int, wave: np.ndarray, gain: float) -> None:
    """Add ``gain * wave`` into ``bus`` from sample ``start`` (cut at both ends), in place.

    Notebook: 01_data.ipynb
    """
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
    """tanh saturation after normalising ``x`` to peak 1; ``drive`` 1 (warm) .. 40 (metal).

    Notebook: 01_data.ipynb
    """
    if drive <= 0:
        return x
    y = np.tanh(np.float32(drive) * _norm(x))
    return (y / np.float32(np.tanh(drive))).astype(np.float32)


@functools.lru_cache(maxsize=256)
def _sos(kind: str, cutoff: float, sample_rate: int, order: int) -> np.ndarray:
    return signal.butter(order, min(cutoff, 0.45 * sample_rate), btype=kind, fs=sample_rate, output="sos")


def lowpass(x: np.ndarray, cutoff: float, sample_rate: int, *, order: int = 2) -> np.ndarray:
    """Butterworth low-pass (cutoff Hz). Notebook: 01_data.ipynb"""
    return signal.sosfilt(_sos("lowpass", round(cutoff, -1), sample_rate, order), x).astype(np.float32)


def master_eq(x: np.ndarray, sample_rate: int, *, shelf: float, shelf_hz: float, lowpass_hz: float,
              highpass_hz: float) -> np.ndarray:
    """One pass of the mastering EQ: a bass shelf (``x + shelf * lowpass(x, shelf_hz)``,
    first order), a 2nd-order low-pass at ``lowpass_hz`` and a 1st-order high-pass at
    ``highpass_hz``, as one cascade of second-order sections. Notebook: 01_data.ipynb
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


def highpass(x: np.ndarray, cutoff: float, sample_rate: int, *, order: int = 2) -> np.ndarray:
    """Butterworth high-pass (cutoff Hz). Notebook: 01_data.ipynb"""
    return signal.sosfilt(_sos("highpass", round(cutoff, -1), sample_rate, order), x).astype(np.float32)


def echo(x: np.ndarray, *, delay: int, feedback: float, repeats: int = 4) -> np.ndarray:
    """Feedback delay (dub echo): ``repeats`` copies every ``delay`` samples. Notebook: 01_data.ipynb"""
    y = x.copy()
    for r in range(1, repeats + 1):
        shift = r * delay
        if shift >= x.shape[0]:
            break
        y[shift:] += np.float32(feedback**r) * x[:-shift]
    return y


def reverb(x: np.ndarray, sample_rate: int, *, seconds: float, wet: float, rng: np.random.Generator) -> np.ndarray:
    """Convolution with exponentially decaying noise (RT60 = ``seconds``), mixed ``wet``.

    Notebook: 01_data.ipynb
    """
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
    """Recording noise: hiss (pink-ish), vinyl crackle (sparse clicks) and mains hum.

    Levels are linear amplitudes relative to a full-scale mix. Notebook: 01_data.ipynb
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
    """Lo-fi sampler grit: quantise to ``bits`` and hold every ``hold`` samples. Notebook: 01_data.ipynb"""
    y = x
    if hold > 1:
        y = np.repeat(y[::hold], hold)[: x.shape[0]]
    if bits < 16:
        scale = np.float32(2 ** (bits - 1))
        peak = float(np.max(np.abs(y))) or 1.0
        y = np.round(y / np.float32(peak) * scale) / scale * np.float32(peak)
    return y.astype(np.float32)
