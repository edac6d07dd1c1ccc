"""Embeddings: what a pretrained tagger computes for every 3 s patch of a clip, as features.

A patch's embedding is the output of one named layer (``EmbeddingSpec``); a layer with time
or frequency axes is averaged over them, and the layer "patch" is the network's input itself
(what a fine-tuned network reads). ``extract_embeddings`` embeds a whole dataset into a
``FeatureSet`` (one row per patch, shape (dim, 1) like the "stats" features; (96, 187) for
"patch"), cached per data fingerprint and spec like ``genrelib.features.extract_features``;
``recording_features`` embeds every patch of a whole recording (``genrelib predict``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from genrelib.audio import AudioError
from genrelib.cache import CacheFileWarning, atomic_save_npz, default_cache_dir, read_npz
from genrelib.features import FeatureSet
from genrelib.features.extract import warn_skipped
from genrelib.pretrained import inputs
from genrelib.pretrained.embedding_spec import DEFAULT_LAYERS, PATCH_LAYER, EmbeddingSpec, embedding_layers
from genrelib.pretrained.weights import shared_model

if TYPE_CHECKING:
    import keras

    from genrelib.datasets import DatasetIndex

__all__ = ["DEFAULT_LAYERS", "EMBEDDINGS_VERSION", "PATCH_LAYER", "EmbeddingSpec", "embed_clip",
           "embedding_cache_path", "embedding_layers", "extract_embeddings", "recording_features"]

#: Version of the embedding computation; part of every cache key (bump it when it changes).
EMBEDDINGS_VERSION = 1
#: Patches embedded per network call: a 30 s clip's 19 in one, a long recording's in steps
#: (a VGG's first maps take 9 MiB per patch).
_PATCH_BATCH = 32


@functools.lru_cache(maxsize=8)
def _embedder(model: str, layer: str, cache_dir: str | None) -> "keras.Model":
    import keras

    net = shared_model(model, cache_dir=cache_dir)
    return keras.Model(net.input, net.get_layer(layer).output, name=f"{model}_{layer}")


def _embed_patches(patches: np.ndarray, spec: EmbeddingSpec, cache_dir: str | None) -> np.ndarray:
    """(n_patches, n_features) embeddings; (n_patches, 96, 187) for the input patches."""
    if spec.layer == PATCH_LAYER:
        return np.ascontiguousarray(np.transpose(patches, (0, 2, 1)), dtype=np.float32)
    embedder = _embedder(spec.model, str(spec.layer), cache_dir)
    parts = []
    for start in range(0, len(patches), _PATCH_BATCH):
        out = np.asarray(embedder.predict_on_batch(patches[start:start + _PATCH_BATCH]), dtype=np.float32)
        parts.append(out.mean(axis=tuple(range(1, out.ndim - 1))) if out.ndim > 2 else out)
    return np.concatenate(parts) if parts else np.zeros((0, spec.n_features), dtype=np.float32)


def _rows(embedded: np.ndarray) -> np.ndarray:
    """Embeddings as feature rows (n, n_features, frames): a column per patch, or the patch."""
    return embedded[:, :, np.newaxis] if embedded.ndim == 2 else embedded


def _cache_arg(cache_dir: str | os.PathLike[str] | None) -> str | None:
    return None if cache_dir is None else str(Path(cache_dir).expanduser())


def embed_clip(clip: "str | os.PathLike[str] | np.ndarray", spec: EmbeddingSpec | None = None, *,
               cache_dir: str | os.PathLike[str] | None = None) -> np.ndarray:
    """The embedding of every 3 s patch of a clip.

    Parameters
    ----------
    clip : path or np.ndarray
        An audio file or a mono signal at 16 kHz (n_samples,), cut or zero-padded to
        ``spec.clip_seconds`` first.
    spec : EmbeddingSpec, optional
        Model, layer and patch overlap (default ``EmbeddingSpec()``).
    cache_dir : path, optional
        The feature cache holding the converted weights.

    Returns
    -------
    np.ndarray
        float32 (n_patches, spec.n_features), e.g. (19, 200) for a 30 s clip with the
        defaults; row i is the patch starting at frame ``i * hop_frames(overlap)``
        ((n_patches, 96, 187) for ``PATCH_LAYER``).

    Notebook: 10_transfer_learning.ipynb
    """
    spec = spec or EmbeddingSpec()
    patches = inputs.clip_patches(clip, overlap=spec.overlap, clip_seconds=spec.clip_seconds)
    return _embed_patches(patches, spec, _cache_arg(cache_dir))


def recording_features(clip: "str | os.PathLike[str] | np.ndarray", spec: EmbeddingSpec, *,
                       cache_dir: str | os.PathLike[str] | None = None) -> np.ndarray:
    """The features of every patch of a whole recording, shaped like ``extract_embeddings``' X.

    Parameters
    ----------
    clip : path or np.ndarray
        An audio file or a mono signal at 16 kHz (n_samples,) of any length from one patch
        (2.976 s); NOT cut to ``spec.clip_seconds`` (a 30 s clip gives the same rows as
        ``extract_embeddings``).
    spec : EmbeddingSpec
        Model, layer and patch overlap.
    cache_dir : path, optional
        The feature cache holding the converted weights.

    Returns
    -------
    np.ndarray
        float32 (n_patches, *spec.segment_shape): (n, n_features, 1), or (n, 96, 187) for
        ``PATCH_LAYER``; patch i starts at ``i * spec.segment_hop_samples / 16000`` s.

    Notebook: 10_transfer_learning.ipynb
    """
    patches = inputs.clip_patches(clip, overlap=spec.overlap, clip_seconds=None)
    return _rows(_embed_patches(patches, spec, _cache_arg(cache_dir)))


def embedding_cache_path(fingerprint: str, spec: EmbeddingSpec, *,
                         cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """``<cache_dir>/pretrained/<model>-<layer>-<hash>.npz``, the hash covering the data
    fingerprint, ``spec.cache_key()`` and EMBEDDINGS_VERSION (``cache_dir`` None: the
    feature cache)."""
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir("features")
    key = f"{fingerprint}|{spec.cache_key()}|v{EMBEDDINGS_VERSION}"
    return root / "pretrained" / f"{spec.model}-{spec.layer}-{hashlib.sha256(key.encode()).hexdigest()[:24]}.npz"


def _compute(index: "DatasetIndex", spec: EmbeddingSpec, cache_dir: str | None, *, n_jobs: int | None,
             progress: bool) -> FeatureSet:
    from joblib import Parallel, delayed
    from tqdm import tqdm

    tracks = index.tracks
    paths = [str(p) for p in tracks["path"].tolist()]
    ids = [str(t) for t in tracks["track_id"].tolist()]
    labels = np.asarray(index.labels(), dtype=np.int64)

    def patches_of(path: str) -> tuple[np.ndarray | None, str | None]:
        try:
            return inputs.clip_patches(path, overlap=spec.overlap, clip_seconds=spec.clip_seconds), None
        except AudioError as error:
            return None, str(error)

    rows, kept, skipped = [], [], []
    jobs = Parallel(n_jobs=-1 if n_jobs is None else n_jobs, backend="threading", return_as="generator")
    results = jobs(delayed(patches_of)(p) for p in paths)
    for i, (patches, reason) in enumerate(tqdm(results, total=len(paths), unit="track", disable=not progress,
                                               desc=f"{spec.model} {spec.layer} embeddings")):
        if patches is None:
            skipped.append({"path": paths[i], "track_id": ids[i],
                            "reason": str(reason).removeprefix(f"{paths[i]}: ")})
            continue
        rows.append(_embed_patches(patches, spec, cache_dir))
        kept.append(i)
    warn_skipped(skipped)
    per_clip = spec.segments_per_clip
    X = np.concatenate(rows) if rows else np.zeros((0, *spec.segment_shape), dtype=np.float32)
    return FeatureSet(X=_rows(X), y=np.repeat(labels[kept], per_clip),
                      track_ids=np.repeat(np.array([ids[i] for i in kept], dtype=str), per_clip),
                      genres=tuple(index.genres), config=spec,  # type: ignore[arg-type]
                      segment_index=np.tile(np.arange(per_clip, dtype=np.int64), len(kept)), skipped=skipped)


def _save(path: Path, features: FeatureSet, fingerprint: str, spec: EmbeddingSpec) -> None:
    meta = {"version": EMBEDDINGS_VERSION, "fingerprint": fingerprint, "spec": spec.to_dict(),
            "skipped": features.skipped}
    atomic_save_npz(path, {"X": features.X, "y": features.y, "track_ids": features.track_ids,
                           "segment_index": features.segment_index,
                           "genres": np.array(features.genres, dtype=str), "meta": np.array(json.dumps(meta))})


def _load(path: Path, fingerprint: str, spec: EmbeddingSpec) -> FeatureSet | None:
    """The cached set, or None when absent; a corrupt or stale file warns and gives None."""
    try:
        data = read_npz(path)
        if data is None:
            return None
        meta = json.loads(str(data["meta"]))
        if (meta.get("version"), meta.get("fingerprint")) != (EMBEDDINGS_VERSION, fingerprint):
            raise ValueError("it was written for other data or another embedding version")
        if EmbeddingSpec.from_dict(meta["spec"]) != spec:
            raise ValueError("it was written with another EmbeddingSpec")
        return FeatureSet(X=data["X"], y=data["y"], track_ids=data["track_ids"], genres=tuple(data["genres"].tolist()),
                          config=spec, segment_index=data["segment_index"],  # type: ignore[arg-type]
                          skipped=list(meta.get("skipped", [])))
    except Exception as error:  # corrupt, truncated or stale: recompute, never crash
        warnings.warn(f"ignoring embedding cache file {path} and recomputing: {error}", CacheFileWarning,
                      stacklevel=3)
        return None


def extract_embeddings(index: "DatasetIndex", spec: EmbeddingSpec | None = None, *,
                       cache_dir: str | os.PathLike[str] | Literal[False] | None = None,
                       n_jobs: int | None = None, progress: bool = True) -> FeatureSet:
    """The embeddings of every track of ``index`` (in its row order), one row per 3 s patch.

    Parameters
    ----------
    index : DatasetIndex
        The tracks (``genrelib.datasets.index_dataset``).
    spec : EmbeddingSpec, optional
        Model, layer, patch overlap and clip length (default ``EmbeddingSpec()``).
    cache_dir : path or False, optional
        The feature cache (None: ``$GENREBOOK_CACHE/features``): embeddings are saved
        atomically in ``embedding_cache_path(index.fingerprint(), spec, cache_dir=...)`` and
        read back by later calls (a corrupt file is recomputed with a warning); the
        converted weights live there too. False: compute, save nothing (the weights still go
        to the default cache).
    n_jobs : int, optional
        Threads that decode the clips and compute their spectrograms (None: all cores).
    progress : bool
        Show a tqdm bar.

    Returns
    -------
    FeatureSet
        X float32 (n_tracks * spec.segments_per_clip, n_features, 1), e.g. (1520, 200, 1)
        for 80 clips of 30 s ((n, 96, 187) for ``PATCH_LAYER``); y, track_ids, segment_index as for
        ``extract_features``; ``config`` is ``spec``. Unreadable clips (or shorter than one patch)
        are skipped with
        a SkippedClipWarning naming the file, and listed in ``skipped``.

    Notebook: 10_transfer_learning.ipynb
    """
    spec = spec or EmbeddingSpec()
    if cache_dir is False:
        return _compute(index, spec, None, n_jobs=n_jobs, progress=progress)
    fingerprint = index.fingerprint()
    path = embedding_cache_path(fingerprint, spec, cache_dir=cache_dir)
    cached = _load(path, fingerprint, spec)
    if cached is not None:
        warn_skipped(cached.skipped)
        return cached
    features = _compute(index, spec, _cache_arg(cache_dir), n_jobs=n_jobs, progress=progress)
    _save(path, features, fingerprint, spec)
    return features
