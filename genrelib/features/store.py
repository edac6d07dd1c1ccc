"""The on-disk cache of feature sets: one .npz per (data fingerprint, FeatureConfig, version),
written atomically (``genrelib.cache``); a corrupt or stale file is recomputed, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path

import numpy as np

from genrelib.cache import CacheFileWarning, atomic_save_npz, default_cache_dir, read_npz
from genrelib.config import FeatureConfig
from genrelib.features.featureset import FeatureSet

__all__ = ["FEATURES_VERSION", "STATS_VERSION", "feature_cache_path"]

#: Version of the feature computation; part of every cache key (bump it when the maths changes).
FEATURES_VERSION = 1
#: Version of the "stats" computation alone; part of the cache key of "stats" features only
#: (bump it when the descriptors or their maths change: log-mel and MFCC caches stay valid).
STATS_VERSION = 1


def feature_cache_path(
    fingerprint: str, cfg: FeatureConfig, *, cache_dir: str | os.PathLike[str] | None = None
) -> Path:
    """The cache file of the features of data ``fingerprint`` under ``cfg``.

    Parameters
    ----------
    fingerprint : str
        The data's fingerprint (``DatasetIndex.fingerprint()``).
    cfg : FeatureConfig
        The features.
    cache_dir : str or PathLike, optional
        The folder; None: ``default_cache_dir("features")``.

    Returns
    -------
    Path
        ``<cache_dir>/<kind><n_features>-<hash>.npz`` where the hash covers the fingerprint,
        ``cfg.cache_key()`` (every FeatureConfig field, ``kind`` included, but ``n_mfcc`` for
        "mel") and FEATURES_VERSION, and for "stats" also STATS_VERSION.

    Notebook: 02_features.ipynb
    """
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir("features")
    key = f"{fingerprint}|{cfg.cache_key()}|v{FEATURES_VERSION}"
    if cfg.kind == "stats":
        key += f"|stats{STATS_VERSION}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return root / f"{cfg.kind}{cfg.n_features}-{digest}.npz"


def _save_cached(path: Path, features: FeatureSet, fingerprint: str) -> None:
    """Write ``features`` of data ``fingerprint`` at ``path`` (atomically)."""
    meta = {
        "version": FEATURES_VERSION,
        "fingerprint": fingerprint,
        "config": features.config.to_dict(),
        "skipped": features.skipped,
    }
    atomic_save_npz(path, {
        "X": features.X,
        "y": features.y,
        "track_ids": features.track_ids,
        "segment_index": features.segment_index,
        "genres": np.array(features.genres, dtype=str),
        "meta": np.array(json.dumps(meta)),
    })


def _load_cached(path: Path, fingerprint: str, cfg: FeatureConfig) -> FeatureSet | None:
    """The cached FeatureSet, or None when absent; a corrupt or stale file warns and gives None."""
    try:
        data = read_npz(path)
        if data is None:
            return None
        meta = json.loads(str(data["meta"]))
        if meta.get("version") != FEATURES_VERSION or meta.get("fingerprint") != fingerprint:
            raise ValueError("it was written for other data or another feature version")
        if FeatureConfig.from_dict(meta["config"]).cache_key() != cfg.cache_key():  # a log-mel file: any n_mfcc
            raise ValueError("it was written with another FeatureConfig")
        features = FeatureSet(X=data["X"], y=data["y"], track_ids=data["track_ids"],
                              genres=tuple(data["genres"].tolist()), config=cfg,
                              segment_index=data["segment_index"], skipped=list(meta.get("skipped", [])))
        if features.X.shape[1:] != cfg.segment_shape:
            raise ValueError(f"its segments have shape {features.X.shape[1:]}, expected {cfg.segment_shape}")
        return features
    except Exception as error:  # corrupt, truncated or stale: recompute, never crash
        warnings.warn(f"ignoring feature cache file {path} and recomputing: {error}", CacheFileWarning, stacklevel=3)
        return None
