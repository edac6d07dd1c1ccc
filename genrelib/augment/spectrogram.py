"""Augmentations of feature segments (n, n_features, frames): SpecAugment's time and
frequency masks (Park et al. 2019), a gain in dB, and mixup (Zhang et al. 2018)."""

from __future__ import annotations

import numpy as np

from genrelib.config import FeatureConfig

MASKS = 2
MAX_TIME_MASK = 20  # frames (0.46 s)
MAX_FREQ_MASK = 16  # mel bands (or MFCC rows, at most a quarter of them)
GAIN_DB = 6.0
MIXUP_ALPHA = 0.2


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


def time_mask(x: np.ndarray, rng: np.random.Generator, *, masks: int = MASKS,
              max_width: int = MAX_TIME_MASK) -> np.ndarray:
    """Segments with time bands set to the segment's mean (SpecAugment).

    Parameters
    ----------
    x : np.ndarray, shape (n, n_features, frames)
    rng : np.random.Generator
    masks : int
        Bands per segment.
    max_width : int
        Widest band, in frames (each is 0..``max_width`` wide).

    Returns
    -------
    np.ndarray of float32, shape (n, n_features, frames)
        A copy of ``x``.

    Notebook: 08_small_data.ipynb
    """
    return _mask(x, rng, axis=2, masks=masks, max_width=max_width)


def freq_mask(x: np.ndarray, rng: np.random.Generator, *, masks: int = MASKS,
              max_width: int = MAX_FREQ_MASK) -> np.ndarray:
    """Segments with bands of feature rows set to the segment's mean (SpecAugment).

    Parameters
    ----------
    x : np.ndarray, shape (n, n_features, frames)
    rng : np.random.Generator
    masks : int
        Bands per segment.
    max_width : int
        Widest band, in rows (and at most a quarter of the rows).

    Returns
    -------
    np.ndarray of float32, shape (n, n_features, frames)
        A copy of ``x``.

    Notebook: 08_small_data.ipynb
    """
    return _mask(x, rng, axis=1, masks=masks, max_width=min(max_width, max(1, x.shape[1] // 4)))


def gain(x: np.ndarray, rng: np.random.Generator, *, feature_kind: str = "mel",
         db: float = GAIN_DB) -> np.ndarray:
    """Segments played ``g ~ U(-db, db)`` dB louder, one gain per segment.

    Log-mel + g is exact while no bin is at the -100 dB floor; on MFCCs the 0th
    (orthonormal DCT) coefficient moves by g * sqrt(n_mels) with n_mels = 128.

    Parameters
    ----------
    x : np.ndarray, shape (n, n_features, frames)
        Log-mel dB or MFCCs.
    rng : np.random.Generator
    feature_kind : {"mel", "mfcc"}
        What ``x`` holds (ValueError otherwise).
    db : float
        The largest gain, in dB.

    Returns
    -------
    np.ndarray of float32, shape (n, n_features, frames)

    Notebook: 08_small_data.ipynb
    """
    g = rng.uniform(-db, db, size=len(x)).astype(np.float32)
    out = np.array(x, dtype=np.float32, copy=True)
    if feature_kind == "mel":
        out += g[:, None, None]
    elif feature_kind == "mfcc":
        out[:, 0, :] += g[:, None] * np.sqrt(np.float32(FeatureConfig().n_mels))
    else:
        raise ValueError(f"gain needs 'mel' or 'mfcc' features, got {feature_kind!r}")
    return out


def mixup(x: np.ndarray, y: np.ndarray, rng: np.random.Generator, *, n_classes: int,
          alpha: float = MIXUP_ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """Mixup: ``lam * x + (1 - lam) * x[perm]``, and the same for one-hot labels.

    One ``lam ~ Beta(alpha, alpha)`` per segment, ``perm`` a random pairing within the batch.

    Parameters
    ----------
    x : np.ndarray, shape (n, n_features, frames)
    y : np.ndarray, shape (n,) of int or (n, n_classes) of soft labels
    rng : np.random.Generator
    n_classes : int
    alpha : float

    Returns
    -------
    (np.ndarray, np.ndarray)
        Mixed x, float32 (n, n_features, frames), and soft labels, float32
        (n, n_classes), rows summing to 1.

    Notebook: 08_small_data.ipynb
    """
    soft = np.eye(n_classes, dtype=np.float32)[y] if np.asarray(y).ndim == 1 else np.asarray(y, np.float32)
    lam = rng.beta(alpha, alpha, size=len(x)).astype(np.float32)
    perm = rng.permutation(len(x))
    mixed = lam[:, None, None] * x + (1 - lam[:, None, None]) * x[perm]
    return mixed.astype(np.float32), lam[:, None] * soft + (1 - lam[:, None]) * soft[perm]
