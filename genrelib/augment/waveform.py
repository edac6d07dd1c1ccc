"""Audio-level augmentation (time stretch, pitch shift, noise) on a few augmented copies of
every clip, computed once and cached: an STFT per segment and per epoch would dominate an
epoch on 2 CPU cores. Every draw comes from ``default_rng([seed, crc32(track_id), copy])``."""

from __future__ import annotations

import hashlib
import json
import warnings
import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from genrelib.audio import load_audio
from genrelib.augment.names import AUDIO_AUGMENTATIONS
from genrelib.cache import atomic_save_npz, default_cache_dir, read_npz
from genrelib.config import FeatureConfig
from genrelib.features import FEATURES_VERSION, FeatureSet, clip_features

if TYPE_CHECKING:
    from genrelib.datasets import DatasetIndex

# Two notices from inside librosa 1.0 on every stretch or pitch shift, not caused by our call:
# its time_stretch passes its own deprecated hop_length/n_fft to phase_vocoder, and numba's
# float32 phasor flags a spurious "invalid value encountered in cast" (the phasors are finite,
# of modulus 1, equal to exp(i phase) to float32 rounding). Filtered where they are raised
# (process-wide, as catch_warnings is not thread-safe and audio_copies uses threads).
warnings.filterwarnings("ignore", r"The `(hop_length|n_fft)` parameter is deprecated", FutureWarning,
                        module=r"librosa\.effects")
warnings.filterwarnings("ignore", "invalid value encountered in cast", RuntimeWarning,
                        module=r"numba\.np\.ufunc\.dufunc")

NOISE_SNR_DB = (20.0, 40.0)
PITCH_SEMITONES = 2.0
STRETCH_RATE = (0.9, 1.1)
AUDIO_COPIES = 2
#: Version of the audio-copy computation; part of their cache key (2: a speed-up is continued
#: from its own start instead of zero-padded, so copies cached by version 1 are not reused).
AUDIO_COPIES_VERSION = 2


def augment_audio(y: np.ndarray, rng: np.random.Generator, names: Sequence[str], *,
                  sample_rate: int) -> np.ndarray:
    """One augmented version of a signal.

    For each of ``names`` present, in this order: a time stretch by a rate in
    ``STRETCH_RATE``, a pitch shift by up to +-``PITCH_SEMITONES`` semitones
    (``librosa.effects``), white noise at an SNR in ``NOISE_SNR_DB``.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
        The signal.
    rng : np.random.Generator
        Its three draws are always made, so the stream never shifts with ``names``.
    names : sequence of str
        Audio augmentation names ("stretch", "pitch", "noise"; applied in that order).
    sample_rate : int
        Hz.

    Returns
    -------
    np.ndarray of float32, shape (n,)
        Cut to ``len(y)``; a speed-up (rate > 1) ends early and is then continued from its
        own start (``np.pad(..., mode="wrap")``), so a copy never ends in digital silence
        (zero padding left up to ``n * (1 - 1 / max(STRETCH_RATE))`` samples of it, 2.7 s of
        a 30 s clip, trained on with the clip's genre). The seam joins the stretched
        audio's end to its start, as a loop would. Deterministic for a given ``rng``.

    Notebook: 08_small_data.ipynb
    """
    import librosa

    n, out = len(y), np.asarray(y, dtype=np.float32)
    rate, steps, snr = (rng.uniform(*STRETCH_RATE), rng.uniform(-PITCH_SEMITONES, PITCH_SEMITONES),
                        rng.uniform(*NOISE_SNR_DB))  # always drawn: the stream never shifts
    if "stretch" in names:
        out = librosa.effects.time_stretch(out, rate=rate)
    if "pitch" in names:
        out = librosa.effects.pitch_shift(out, sr=sample_rate, n_steps=steps, res_type="soxr_hq")
    if len(out) < n:  # a speed-up: the audio goes on from its own start, never silence
        out = np.pad(out, (0, n - len(out)), mode="wrap")
    out = out[:n].astype(np.float32)
    if "noise" in names:
        power = float(np.mean(out ** 2)) or 1e-10
        out = out + rng.normal(0, np.sqrt(power / 10 ** (snr / 10)), n).astype(np.float32)
    return out


def _track_seed(track_id: str) -> int:
    return zlib.crc32(track_id.encode())


def audio_copies(index: "DatasetIndex", cfg: FeatureConfig, names: Sequence[str], *, seed: int = 0,
                 copies: int = AUDIO_COPIES, cache_dir: str | Path | None = None,
                 n_jobs: int = 2) -> list[FeatureSet]:
    """The features of augmented audio copies of every track.

    Copy c of a track is an ``augment_audio`` version of its clip drawn with
    ``default_rng([seed, crc32(track_id), c])``, so a track's copies do not depend on the
    other tracks. Cached in one .npz (key: data fingerprint, cfg, names, seed, copies,
    parameters).

    Parameters
    ----------
    index : DatasetIndex
        The tracks.
    cfg : FeatureConfig
        The features computed from each copy.
    names : sequence of str
        Augmentation names; the audio ones are applied (none: no copies, []).
    seed : int
    copies : int
        Copies per track.
    cache_dir : str, Path or None
        Where the .npz goes (None: the feature cache).
    n_jobs : int
        Threads.

    Returns
    -------
    list of FeatureSet
        ``copies`` FeatureSets, each of every track of ``index``.

    Notebook: 08_small_data.ipynb
    """
    audio = [n for n in names if n in AUDIO_AUGMENTATIONS]
    if not audio or copies < 1:
        return []
    key = json.dumps([index.fingerprint(), cfg.cache_key(), FEATURES_VERSION, AUDIO_COPIES_VERSION, audio,
                      int(seed), int(copies), NOISE_SNR_DB, PITCH_SEMITONES, STRETCH_RATE])
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir("features")
    path = root / f"augmented-{hashlib.sha256(key.encode()).hexdigest()[:24]}.npz"
    tracks = index.tracks
    try:
        cached = read_npz(path)
    except ValueError:
        cached = None
    if cached is None:
        def one(row: tuple[str, str]) -> np.ndarray:
            track_id, file = row
            y = load_audio(file, sample_rate=cfg.sample_rate, clip_seconds=cfg.clip_seconds)
            return np.stack([clip_features(augment_audio(
                y, np.random.default_rng([seed, _track_seed(track_id), c]), audio,
                sample_rate=cfg.sample_rate), cfg) for c in range(copies)])
        with ThreadPoolExecutor(max_workers=max(1, n_jobs)) as pool:
            X = np.stack(list(pool.map(one, zip(tracks["track_id"].astype(str), tracks["path"].astype(str)))))
        cached = {"X": X.astype(np.float32)}
        atomic_save_npz(path, cached)
    X = cached["X"]  # (n_tracks, copies, n_segments, F, frames)
    genre_index = {g: i for i, g in enumerate(index.genres)}
    y = np.repeat([genre_index[g] for g in tracks["genre"]], X.shape[2])
    ids = np.repeat(tracks["track_id"].astype(str).to_numpy(), X.shape[2])
    return [FeatureSet(X=X[:, c].reshape(-1, *X.shape[3:]), y=y, track_ids=ids, genres=index.genres,
                       config=cfg) for c in range(X.shape[1])]
