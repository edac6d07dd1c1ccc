"""Data augmentation for small data: a seeded stream of altered training segments.

Every segment of a clip is an exact slice of one whole-clip log-mel (or MFCC) matrix
(``features.clip_features``: segment i starts at frame ``segment_frame_starts[i]``), so the
clip's whole matrix is rebuilt from its segments without touching the audio
(:class:`ClipBank`), and a training segment can be cut at ANY frame of its clip:

* ``crop``: each epoch, every training segment is cut at a uniformly random frame offset of
  its own clip (never across the clip's end, never from another track: the bank holds the
  training tracks only); validation and test keep the fixed 1.5 s grid.
* ``time_mask`` / ``freq_mask`` (SpecAugment, Park et al. 2019): up to ``MASKS`` bands of at
  most ``MAX_TIME_MASK`` frames / ``MAX_FREQ_MASK`` rows set to the segment's mean.
* ``gain``: a random gain of +-``GAIN_DB`` dB, exact in the log-mel domain (the dB reference
  is fixed, so a gain adds a constant; on MFCCs it moves the 0th coefficient only).
* ``mixup`` (Zhang et al. 2018): each segment mixed with another of its batch,
  ``lam ~ Beta(MIXUP_ALPHA, MIXUP_ALPHA)``, labels mixed the same way (soft labels).
* ``noise``, ``pitch``, ``stretch``: audio-level (white noise at a random SNR, pitch shift,
  time stretch) on ``AUDIO_COPIES`` augmented copies of every clip computed ONCE and cached
  (``audio_copies``), because an STFT per segment and per epoch would dominate an epoch on 2
  CPU cores; each epoch a segment is taken from the original clip or one of its copies.
  They use ``librosa.effects`` with an explicit NumPy Generator rather than audiomentations,
  whose transforms draw their parameters from Python's global ``random`` module (not
  reproducible per clip when copies are computed in parallel threads).

Every draw comes from ``np.random.default_rng([seed, epoch, batch, ...])`` (or, for the
audio copies, ``[seed, track, copy]``): the same seed gives the same augmented stream,
whatever the timing or the thread. Names are parsed by :func:`parse_augment`
(``"default"`` = :data:`DEFAULT_AUGMENT`). Training uses an :class:`Augmenter`
(``training.fit_model(augment=...)``); test-time averaging over a denser hop uses
:func:`dense_segments`.
Notebook: 08_small_data.ipynb
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from genrelib.audio import load_audio
from genrelib.cache import atomic_save_npz, default_cache_dir, read_npz
from genrelib.config import FeatureConfig
from genrelib.features import FEATURES_VERSION, FeatureSet, clip_features, segment_frame_starts
from genrelib.models import model_input

if TYPE_CHECKING:
    from genrelib.datasets import DatasetIndex

__all__ = ["AUDIO_AUGMENTATIONS", "AUGMENTATIONS", "Augmenter", "ClipBank", "DEFAULT_AUGMENT",
           "audio_copies", "augment_audio", "dense_segments", "freq_mask", "gain",
           "mixup", "parse_augment", "time_mask"]

#: Every augmentation, in the order they are applied, with what it does.
AUGMENTATIONS: dict[str, str] = {
    "noise": "audio: white noise at a random SNR (cached copies)",
    "pitch": "audio: pitch shift by a random number of semitones (cached copies)",
    "stretch": "audio: time stretch by a random rate (cached copies)",
    "crop": "segments cut at a random frame offset of their clip each epoch",
    "gain": "a random gain in dB (exact on log-mel)",
    "freq_mask": "SpecAugment frequency masks",
    "time_mask": "SpecAugment time masks",
    "mixup": "pairs of segments and their labels mixed",
}
#: The audio-level ones (they need ``audio_copies``).
AUDIO_AUGMENTATIONS: tuple[str, ...] = ("noise", "pitch", "stretch")
#: What ``--augment default`` means: what chapter 8 recommends after measuring on the 80 real
#: tracks (5-fold CV by track, small CNN, seed 0): crops + mixup 73.8 %, crops alone 68.8 %,
#: crops + SpecAugment masks 60.0 %, none 66.2 % (the 95 % intervals overlap: see the chapter).
DEFAULT_AUGMENT: tuple[str, ...] = ("crop", "mixup")

MASKS = 2
MAX_TIME_MASK = 20  # frames (0.46 s)
MAX_FREQ_MASK = 16  # mel bands (or MFCC rows, at most a quarter of them)
GAIN_DB = 6.0
MIXUP_ALPHA = 0.2
NOISE_SNR_DB = (20.0, 40.0)
PITCH_SEMITONES = 2.0
STRETCH_RATE = (0.9, 1.1)
AUDIO_COPIES = 2
#: Version of the audio-copy computation; part of their cache key.
AUDIO_COPIES_VERSION = 1


def parse_augment(spec: str | Sequence[str] | None) -> tuple[str, ...]:
    """Augmentation names from "crop,mixup" (or a list), in :data:`AUGMENTATIONS` order,
    without repeats; "default" expands to :data:`DEFAULT_AUGMENT`; None, "" and "none" give ().
    ValueError listing the accepted names for an unknown one.
    Notebook: 08_small_data.ipynb
    """
    if spec is None:
        return ()
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    names: set[str] = set()
    for item in (str(i).strip().lower() for i in items):
        if item in ("", "none"):
            continue
        if item == "default":
            names.update(DEFAULT_AUGMENT)
        elif item in AUGMENTATIONS:
            names.add(item)
        else:
            raise ValueError(f"unknown augmentation {item!r}; choose from "
                             f"{', '.join(AUGMENTATIONS)} (comma-separated), 'default' "
                             f"({','.join(DEFAULT_AUGMENT)}) or 'none'")
    return tuple(name for name in AUGMENTATIONS if name in names)


# --------------------------------------------------------------------------- the clips


@dataclass
class ClipBank:
    """The whole-clip feature matrices of some tracks, rebuilt from their segments.

    ``clips`` float32 (n_tracks, n_versions, n_features, n_frames): version 0 is the clip,
    1.. its augmented audio copies; ``track_ids`` (n_tracks,); ``frames`` the segment length;
    ``grid`` (n_segments_per_clip,) the first frame of every grid segment.
    Notebook: 08_small_data.ipynb
    """

    clips: np.ndarray
    track_ids: np.ndarray
    frames: int
    grid: np.ndarray

    @classmethod
    def from_features(cls, features: FeatureSet, copies: Sequence[FeatureSet] = ()) -> "ClipBank":
        """The bank of every track of ``features`` (and of the same tracks in ``copies``).
        ValueError for "stats" features (one column per segment: nothing to slice)."""
        cfg = features.config
        if cfg.kind == "stats":
            raise ValueError("augmentation needs frame features (mel or mfcc), not 'stats'")
        grid = segment_frame_starts(cfg.clip_samples, cfg)
        tracks = np.array(list(dict.fromkeys(features.track_ids.tolist())), dtype=str)
        versions = [features, *(c.select(tracks.tolist()) for c in copies)]
        n_frames = int(grid[-1]) + cfg.frames_per_segment
        clips = np.zeros((len(tracks), len(versions), cfg.n_features, n_frames), dtype=np.float32)
        position = {t: i for i, t in enumerate(tracks.tolist())}
        for v, fs in enumerate(versions):
            rows = np.array([position[t] for t in fs.track_ids.tolist()], dtype=np.int64)
            for row, seg, x in zip(rows, fs.segment_index, fs.X):
                start = int(grid[seg])
                clips[row, v, :, start:start + cfg.frames_per_segment] = x
        return cls(clips=clips, track_ids=tracks, frames=cfg.frames_per_segment, grid=grid)

    @property
    def n_frames(self) -> int:
        return int(self.clips.shape[-1])

    def rows_of(self, track_ids: np.ndarray) -> np.ndarray:
        """Bank row of every track id (KeyError naming an id not in the bank)."""
        position = {t: i for i, t in enumerate(self.track_ids.tolist())}
        return np.array([position[t] for t in np.asarray(track_ids, dtype=str).tolist()], dtype=np.int64)

    def cut(self, rows: np.ndarray, offsets: np.ndarray, versions: np.ndarray | None = None) -> np.ndarray:
        """Segments (len(rows), n_features, frames) of bank rows ``rows`` from frame ``offsets``
        of version ``versions`` (default 0). ValueError when a cut would leave its clip."""
        offsets = np.asarray(offsets, dtype=np.int64)
        if offsets.size and (offsets.min() < 0 or offsets.max() > self.n_frames - self.frames):
            raise ValueError(f"offsets must lie in [0, {self.n_frames - self.frames}]")
        versions = np.zeros(len(rows), np.int64) if versions is None else np.asarray(versions)
        window = offsets[:, None] + np.arange(self.frames)[None, :]  # (n, frames)
        clips = self.clips[np.asarray(rows)[:, None], np.asarray(versions)[:, None], :, window]
        return np.ascontiguousarray(np.transpose(clips, (0, 2, 1)))  # (n, frames, F) -> (n, F, frames)


def dense_segments(features: FeatureSet, *, hop_frames: int) -> FeatureSet:
    """The same tracks cut every ``hop_frames`` frames instead of on the 1.5 s grid (65
    frames), for test-time averaging: e.g. hop 16 gives 74 segments per 30 s clip instead
    of 19. Exact slices of the clips' matrices (no audio decoded). Order: track by track.
    Notebook: 08_small_data.ipynb
    """
    if hop_frames < 1:
        raise ValueError(f"hop_frames must be >= 1, got {hop_frames}")
    bank = ClipBank.from_features(features)
    starts = np.arange(0, bank.n_frames - bank.frames + 1, hop_frames)
    rows = np.repeat(np.arange(len(bank.track_ids)), len(starts))
    label = dict(zip(features.track_ids.tolist(), features.y.tolist()))
    return FeatureSet(X=bank.cut(rows, np.tile(starts, len(bank.track_ids))),
                      y=np.array([label[t] for t in bank.track_ids[rows].tolist()]),
                      track_ids=bank.track_ids[rows], genres=features.genres,
                      config=features.config, segment_index=np.tile(np.arange(len(starts)), len(bank.track_ids)))


# --------------------------------------------------------------------------- feature-level


def time_mask(x: np.ndarray, rng: np.random.Generator, *, masks: int = MASKS,
              max_width: int = MAX_TIME_MASK) -> np.ndarray:
    """A copy of segments ``x`` (n, n_features, frames) with up to ``masks`` time bands of
    0..``max_width`` frames each set to the segment's mean. Notebook: 08_small_data.ipynb"""
    return _mask(x, rng, axis=2, masks=masks, max_width=max_width)


def freq_mask(x: np.ndarray, rng: np.random.Generator, *, masks: int = MASKS,
              max_width: int = MAX_FREQ_MASK) -> np.ndarray:
    """A copy of segments ``x`` (n, n_features, frames) with up to ``masks`` bands of
    0..``max_width`` feature rows (at most a quarter of them) set to the segment's mean.
    Notebook: 08_small_data.ipynb"""
    return _mask(x, rng, axis=1, masks=masks, max_width=min(max_width, max(1, x.shape[1] // 4)))


def _mask(x: np.ndarray, rng: np.random.Generator, *, axis: int, masks: int, max_width: int) -> np.ndarray:
    out = np.array(x, dtype=np.float32, copy=True)
    size = out.shape[axis]
    fill = out.mean(axis=(1, 2))
    for i in range(len(out)):
        for _ in range(masks):
            width = int(rng.integers(0, max_width + 1))
            start = int(rng.integers(0, size - width + 1))
            if axis == 1:
                out[i, start:start + width, :] = fill[i]
            else:
                out[i, :, start:start + width] = fill[i]
    return out


def gain(x: np.ndarray, rng: np.random.Generator, *, kind: str = "mel", db: float = GAIN_DB) -> np.ndarray:
    """Segments ``x`` (n, n_features, frames) of log-mel dB (``kind`` "mel") or MFCCs ("mfcc")
    played ``g ~ U(-db, db)`` dB louder, one gain per segment: log-mel + g (exact while no bin
    is at the -100 dB floor); MFCC: the 0th (orthonormal DCT) coefficient + g * sqrt(n_mels)
    with n_mels = 128. Notebook: 08_small_data.ipynb"""
    g = rng.uniform(-db, db, size=len(x)).astype(np.float32)
    out = np.array(x, dtype=np.float32, copy=True)
    if kind == "mel":
        out += g[:, None, None]
    elif kind == "mfcc":
        out[:, 0, :] += g[:, None] * np.sqrt(np.float32(FeatureConfig().n_mels))
    else:
        raise ValueError(f"gain needs 'mel' or 'mfcc' features, got {kind!r}")
    return out


def mixup(x: np.ndarray, y: np.ndarray, rng: np.random.Generator, *, n_classes: int,
          alpha: float = MIXUP_ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """Mixup: ``lam * x + (1 - lam) * x[perm]`` and the same for one-hot labels, one
    ``lam ~ Beta(alpha, alpha)`` per segment, ``perm`` a random pairing within the batch.
    ``y`` int (n,) or soft (n, n_classes); returns (x, soft labels (n, n_classes) float32,
    rows summing to 1). Notebook: 08_small_data.ipynb"""
    soft = np.eye(n_classes, dtype=np.float32)[y] if np.asarray(y).ndim == 1 else np.asarray(y, np.float32)
    lam = rng.beta(alpha, alpha, size=len(x)).astype(np.float32)
    perm = rng.permutation(len(x))
    mixed = lam[:, None, None] * x + (1 - lam[:, None, None]) * x[perm]
    return mixed.astype(np.float32), lam[:, None] * soft + (1 - lam[:, None]) * soft[perm]


# --------------------------------------------------------------------------- audio-level


def augment_audio(y: np.ndarray, rng: np.random.Generator, names: Sequence[str], *,
                  sample_rate: int) -> np.ndarray:
    """One augmented version of signal ``y`` (n,): for each of ``names`` present, in this order,
    a time stretch by a rate in ``STRETCH_RATE``, a pitch shift by up to
    +-``PITCH_SEMITONES`` semitones (``librosa.effects``), white noise at an SNR in
    ``NOISE_SNR_DB``; the result is cut or zero-padded to ``len(y)``, float32.
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
    out = np.pad(out, (0, max(0, n - len(out))))[:n].astype(np.float32)
    if "noise" in names:
        power = float(np.mean(out ** 2)) or 1e-10
        out = out + rng.normal(0, np.sqrt(power / 10 ** (snr / 10)), n).astype(np.float32)
    return out


def _track_seed(track_id: str) -> int:
    return zlib.crc32(track_id.encode())


def audio_copies(index: "DatasetIndex", cfg: FeatureConfig, names: Sequence[str], *, seed: int = 0,
                 copies: int = AUDIO_COPIES, cache_dir: str | Path | None = None,
                 n_jobs: int = 2) -> list[FeatureSet]:
    """``copies`` FeatureSets of every track of ``index``, each from an ``augment_audio``
    version of the clip (the audio names of ``names``) drawn with
    ``default_rng([seed, crc32(track_id), copy])``, so a track's copies do not depend on the
    other tracks. Cached in one .npz (key: data fingerprint, cfg, names, seed, copies,
    parameters); computed in ``n_jobs`` threads. Notebook: 08_small_data.ipynb
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


# --------------------------------------------------------------------------- the stream


class Augmenter:
    """The augmented training batches of one run: ``augmenter(rows, rng)`` gives the batch of
    training rows ``rows`` (indices into ``train``, a FeatureSet of raw features) as
    ``(x, y)``: x raw features (n, n_features, frames) float32, y int (n,), or soft labels
    (n, n_classes) with ``mixup``. ``copies``: ``audio_copies`` of (at least) the training
    tracks, when ``names`` hold audio augmentations. ``soft_labels`` says whether y is soft
    (the loss is then categorical cross-entropy). With ``model`` (a model kind) x comes in
    that model's input shape (``models.model_input``). Notebook: 08_small_data.ipynb
    """

    def __init__(self, names: Sequence[str], train: FeatureSet, *, copies: Sequence[FeatureSet] = (),
                 model: str | None = None) -> None:
        self.names = parse_augment(list(names))
        if not self.names:
            raise ValueError("an Augmenter needs at least one augmentation; train without one instead")
        if any(n in AUDIO_AUGMENTATIONS for n in self.names) and not copies:
            raise ValueError(f"{[n for n in self.names if n in AUDIO_AUGMENTATIONS]} need the clips' "
                             "augmented audio copies (augment.audio_copies)")
        self.kind, self.n_classes = train.config.kind, len(train.genres)
        self.bank = ClipBank.from_features(train, copies)
        self.rows = self.bank.rows_of(train.track_ids)
        self.grid = self.bank.grid[train.segment_index]
        self.y, self.model = train.y, model

    @property
    def soft_labels(self) -> bool:
        return "mixup" in self.names

    def __call__(self, rows: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        rows = np.asarray(rows, dtype=np.int64)
        n = len(rows)
        offsets = (rng.integers(0, self.bank.n_frames - self.bank.frames + 1, size=n)
                   if "crop" in self.names else self.grid[rows])
        versions = rng.integers(0, self.bank.clips.shape[1], size=n)
        x, y = self.bank.cut(self.rows[rows], offsets, versions), self.y[rows]
        if "gain" in self.names:
            x = gain(x, rng, kind=self.kind)
        if "freq_mask" in self.names:
            x = freq_mask(x, rng)
        if "time_mask" in self.names:
            x = time_mask(x, rng)
        if "mixup" in self.names:
            x, y = mixup(x, y, rng, n_classes=self.n_classes)
        return (x if self.model is None else model_input(x, self.model)), y

    def describe(self) -> dict[str, Any]:
        """What config.json records: the names and their parameters."""
        return {"names": list(self.names), "versions_per_clip": int(self.bank.clips.shape[1])}
