"""Chapter 2's figures (02_features): STFT -> mel -> dB -> MFCC, segmentation and
standardisation.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from genrelib.plots.colours import SET_COLOURS


def plot_stft(y: np.ndarray, steps: "dict[str, np.ndarray]", cfg: Any) -> Figure:
    """The waveform (top) and its STFT magnitude (bottom, shown in dB for visibility,
    linear frequency axis: dB relative to the clip's loudest bin, the 80 dB below it shown,
    unlike the log-mel's fixed reference). ``steps`` is ``genrelib.features.feature_steps(y, cfg)``.
    Notebook: 02_features.ipynb
    """
    import librosa
    import librosa.display

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 5.5), layout="constrained",
                                      height_ratios=[1, 2.5])
    t = np.arange(len(y)) / cfg.sample_rate
    top.plot(t, y, linewidth=0.3, color="#333333")
    top.set_xlim(0, t[-1] if len(t) else 1)
    top.set_title(f"waveform: {len(y)} samples at {cfg.sample_rate} Hz")
    top.set_xlabel("time (s)")
    top.set_ylabel("amplitude")
    shown = librosa.amplitude_to_db(steps["stft"], ref=np.max, top_db=80.0)
    mesh = librosa.display.specshow(shown, sr=cfg.sample_rate, hop_length=cfg.hop_length,
                                    x_axis="time", y_axis="linear", ax=bottom, cmap="magma")
    fig.colorbar(mesh, ax=bottom, format="%+.0f dB", label="dB below the loudest bin")
    bottom.set_xlabel("time (s)")
    bottom.set_title(f"|STFT|: n_fft {cfg.n_fft}, hop {cfg.hop_length} -> "
                     f"{steps['stft'].shape[0]} bins x {steps['stft'].shape[1]} frames")
    return fig


def plot_mel_filterbank(cfg: Any, *, every: int = 8) -> Figure:
    """Every ``every``-th triangular mel filter over frequency: narrow at low frequencies,
    wide at high ones. Notebook: 02_features.ipynb
    """
    from genrelib.features import mel_filterbank

    bank = mel_filterbank(cfg)
    freqs = np.linspace(0, cfg.sample_rate / 2, bank.shape[1])
    fig, ax = plt.subplots(figsize=(10, 3), layout="constrained")
    for i in range(0, bank.shape[0], every):
        ax.plot(freqs, bank[i], linewidth=1)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("weight")
    ax.set_title(f"mel filterbank: {bank.shape[0]} filters x {bank.shape[1]} STFT bins "
                 f"(every {every}th shown)")
    return fig


def plot_mel_steps(steps: "dict[str, np.ndarray]", cfg: Any) -> Figure:
    """The mel spectrogram in power (left, almost black: a few loud bins dominate) and in
    dB (right, the log-mel the models see, fixed reference 1.0; one linear colour scale from
    its lowest to its highest value, no colour centred on 0 dB). Notebook: 02_features.ipynb
    """
    import librosa.display

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
    for ax, key, title, unit in ((left, "mel_power", "mel power (linear)", None),
                                 (right, "log_mel", "log-mel: 10 log10(power)", "%+.0f dB")):
        values = steps[key]
        mesh = librosa.display.specshow(values, sr=cfg.sample_rate, hop_length=cfg.hop_length,
                                        x_axis="time", y_axis="mel", ax=ax, cmap="magma",
                                        vmin=float(np.min(values)), vmax=float(np.max(values)))
        fig.colorbar(mesh, ax=ax, format=unit) if unit else fig.colorbar(mesh, ax=ax)
        ax.set_xlabel("time (s)")
        ax.set_title(f"{title}: {values.shape}")
    return fig


def plot_mfcc(steps: "dict[str, np.ndarray]", cfg: Any) -> Figure:
    """The MFCCs (DCT of the log-mel over the mel axis) of a clip: coefficient x frame.
    Notebook: 02_features.ipynb
    """
    import librosa.display

    fig, ax = plt.subplots(figsize=(10, 3.2), layout="constrained")
    mfcc = steps["mfcc"]
    mesh = librosa.display.specshow(mfcc, sr=cfg.sample_rate, hop_length=cfg.hop_length,
                                    x_axis="time", ax=ax, cmap="coolwarm",
                                    vmin=-float(np.max(np.abs(mfcc))), vmax=float(np.max(np.abs(mfcc))))
    fig.colorbar(mesh, ax=ax, label="coefficient value")
    ax.set_yticks(np.arange(0, mfcc.shape[0], 2), [str(i) for i in range(0, mfcc.shape[0], 2)])  # rows centred on i
    ax.set_ylabel("MFCC index")
    ax.set_xlabel("time (s)")
    ax.set_title(f"MFCC: {steps['mfcc'].shape[0]} coefficients x {steps['mfcc'].shape[1]} frames")
    return fig


def plot_segmentation(y: np.ndarray, cfg: Any) -> Figure:
    """The clip's waveform with its overlapping segments drawn as bars underneath
    (``segments_per_clip`` of ``segment_seconds`` each, hop ``segment_hop_samples``).
    Notebook: 02_features.ipynb
    """
    from genrelib.audio import segment_starts

    starts = segment_starts(len(y), cfg) / cfg.sample_rate
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 4), sharex=True, layout="constrained",
                                      height_ratios=[1, 1.3])
    top.plot(np.arange(len(y)) / cfg.sample_rate, y, linewidth=0.3, color="#333333")
    top.set_title(f"{len(starts)} segments of {cfg.segment_seconds:g} s, "
                  f"{cfg.overlap:.0%} overlap")
    for i, start in enumerate(starts):
        bottom.barh(i % 2, cfg.segment_seconds, left=start, height=0.8,
                    color=SET_COLOURS["train"] if i % 2 == 0 else SET_COLOURS["valid"],
                    edgecolor="white")
        bottom.text(start + cfg.segment_seconds / 2, i % 2, str(i), ha="center", va="center",
                    color="white", fontsize=7)
    bottom.set_yticks([0, 1], ["even", "odd"])
    bottom.set_xlabel("time (s)")
    return fig


def plot_standardization(before: np.ndarray, train_after: np.ndarray,
                         test_after: np.ndarray, *, feature: str = "mel band") -> Figure:
    """Per-feature mean (line) and std (band) before standardisation (left) and after it
    for the train and test sets (right). Arrays have shape (n_segments, n_features, frames);
    the statistics are taken over segments and frames. Train is exactly 0 +/- 1 after,
    test only approximately: the standardiser was fitted on train alone.
    Notebook: 02_features.ipynb
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.6), layout="constrained")

    def band(ax, X, label, colour):
        mean, std = X.mean(axis=(0, 2)), X.std(axis=(0, 2))
        k = np.arange(len(mean))
        ax.plot(k, mean, color=colour, label=f"{label} mean")
        ax.fill_between(k, mean - std, mean + std, color=colour, alpha=0.2, label=f"{label} ±1 std")

    band(left, before, "train", SET_COLOURS["train"])
    left.set_title("before: raw values (dB)")
    band(right, train_after, "train", SET_COLOURS["train"])
    band(right, test_after, "test", SET_COLOURS["test"])
    right.set_title("after: standardised with train statistics")
    for ax in (left, right):
        ax.set_xlabel(feature)
        ax.legend(fontsize=8, loc="best")
    return fig
