"""``extract_features``: the features of every track of a dataset, computed in parallel
(joblib threads by default: the FFT, BLAS and file reading release the GIL, so no worker
has to start or send its result back) or on a Dask cluster, and cached on disk.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Literal

import numpy as np

from genrelib.config import FeatureConfig
from genrelib.datasets.quality import (ClipLengthWarning, SampleRateWarning, warn_clip_lengths, warn_clip_quality,
                                       warn_sample_rates)
from genrelib.datasets.source import as_index
from genrelib.errors import GenrelibWarning
from genrelib.features.cluster import _dask_results, check_scheduler_address
from genrelib.features.featureset import FeatureSet
from genrelib.features.spectral import mfcc_from_log_mel
from genrelib.features.store import _load_cached, _save_cached, feature_cache_path
from genrelib.features.worker import _one_blas_thread, _track_features

if TYPE_CHECKING:  # type hints only
    from genrelib.datasets import DatasetIndex

__all__ = ["ClipLengthWarning", "SampleRateWarning", "SkippedClipWarning", "extract_features", "warn_clip_lengths",
           "warn_clip_quality", "warn_sample_rates", "warn_skipped"]

_MFCC_CHUNK = 4096  # segments per DCT call when deriving MFCCs from a cached log-mel set


class SkippedClipWarning(GenrelibWarning):
    """Issued once per clip that could not be used (the message names the file and reason)."""


def warn_skipped(skipped: list[dict[str, str]]) -> None:
    """One SkippedClipWarning per skipped clip, naming its file and the reason."""
    for item in skipped:  # AudioError messages already start with the file name
        reason = item["reason"] if item["path"] in item["reason"] else f"{item['path']}: {item['reason']}"
        warnings.warn(f"skipped clip {reason}", SkippedClipWarning, stacklevel=3)


def _resolve_jobs(n_jobs: int | None, n_tasks: int) -> int:
    """Workers to start: ``n_jobs`` (None: all cores), at most one per task."""
    import joblib

    jobs = joblib.effective_n_jobs(-1 if n_jobs is None else n_jobs)
    return max(1, min(jobs, n_tasks))


def _run_tracks(paths: list[str], cfg: FeatureConfig, *, n_jobs: int, backend: str, progress: bool,
                scheduler: str | None = None) -> Iterator[tuple[np.ndarray | None, str | None]]:
    """Yield ``_track_features`` of every path, in order, with a tqdm bar: in this process
    (``n_jobs`` workers of ``backend``) or, given ``scheduler``, on that Dask cluster."""
    from joblib import Parallel, delayed
    from tqdm import tqdm

    with contextlib.ExitStack() as stack:
        stack.enter_context(_one_blas_thread())
        if scheduler is not None:
            results: Iterable = _dask_results(paths, cfg, scheduler, stack)
        elif n_jobs == 1:
            results = (_track_features(p, cfg) for p in paths)
        else:
            results = Parallel(n_jobs=n_jobs, backend=backend, return_as="generator")(
                delayed(_track_features)(p, cfg) for p in paths
            )
        where = "" if scheduler is None else f" on {scheduler}"
        yield from tqdm(results, total=len(paths), desc=f"{cfg.kind} features{where}", unit="track",
                        disable=not progress)


def _compute(
    index: "DatasetIndex", cfg: FeatureConfig, *, n_jobs: int | None, backend: str, progress: bool,
    scheduler: str | None = None,
) -> FeatureSet:
    """The FeatureSet of every track of ``index``, computed (no cache)."""
    tracks = index.tracks
    paths = [str(p) for p in tracks["path"].tolist()]
    ids = [str(t) for t in tracks["track_id"].tolist()]
    labels = np.asarray(index.labels(), dtype=np.int64)
    # Every usable clip is normalised to clip_samples, so it has exactly segments_per_clip
    # segments: fill one preallocated array as results arrive (peak memory ~ the result).
    per_clip = cfg.segments_per_clip
    X = np.empty((len(paths) * per_clip, *cfg.segment_shape), dtype=np.float32)
    kept: list[int] = []
    skipped: list[dict[str, str]] = []
    results = _run_tracks(paths, cfg, n_jobs=_resolve_jobs(n_jobs, len(paths)), backend=backend,
                          progress=progress, scheduler=scheduler)
    for i, (feats, reason) in enumerate(results):
        if feats is None:
            skipped.append({"path": paths[i], "track_id": ids[i],
                            "reason": str(reason).removeprefix(f"{paths[i]}: ")})
            continue
        row = len(kept) * per_clip
        X[row:row + per_clip] = feats
        kept.append(i)
    if skipped:  # shrink in place (a copy would hold the set twice: 2.5 GB for GTZAN)
        X.resize((len(kept) * per_clip, *cfg.segment_shape), refcheck=False)
    warn_skipped(skipped)
    return FeatureSet(
        X=X,
        y=np.repeat(labels[kept], per_clip),
        track_ids=np.repeat(np.array([ids[i] for i in kept], dtype=str), per_clip),
        genres=tuple(index.genres),
        config=cfg,
        segment_index=np.tile(np.arange(per_clip, dtype=np.int64), len(kept)),
        skipped=skipped,
    )


def _mfcc_from_mel_set(mel: FeatureSet, cfg: FeatureConfig) -> FeatureSet:
    """The "mfcc" FeatureSet of ``cfg`` from the log-mel set of the same config."""
    X = np.empty((len(mel), *cfg.segment_shape), dtype=np.float32)
    for start in range(0, len(mel), _MFCC_CHUNK):
        X[start:start + _MFCC_CHUNK] = mfcc_from_log_mel(mel.X[start:start + _MFCC_CHUNK], n_mfcc=cfg.n_mfcc)
    return FeatureSet(X=X, y=mel.y, track_ids=mel.track_ids, genres=mel.genres, config=cfg,
                      segment_index=mel.segment_index, skipped=list(mel.skipped))


def extract_features(
    index: "DatasetIndex | str | os.PathLike[str]",
    cfg: FeatureConfig,
    *,
    cache_dir: str | os.PathLike[str] | Literal[False] | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
    backend: str = "threading",
    scheduler: str | None = None,
) -> FeatureSet:
    """Features of every track of ``index`` (in its row order), computed in parallel and cached.

    Each clip is loaded (mono, ``cfg.sample_rate``, cut/padded to ``cfg.clip_seconds``) and
    featurised by ``clip_features``. Unusable clips (unreadable, shorter than one segment)
    are skipped with a SkippedClipWarning naming each file and listed in ``skipped``; clips far
    from ``cfg.clip_seconds`` (padded with silence, or cut) give one ClipLengthWarning; clips
    below ``cfg.sample_rate`` beside others that are not, one SampleRateWarning.

    Parameters
    ----------
    index : DatasetIndex, or a dataset folder (indexed first, as ``index_dataset``)
        The tracks (paths, labels, genres).
    cfg : FeatureConfig
        The features.
    cache_dir : str, PathLike, False or None
        Folder of the cache file ``feature_cache_path(index.fingerprint(), cfg, ...)``,
        written atomically; None: ``$GENREBOOK_CACHE/features`` or
        ``~/.cache/genre-book/features``; False: no cache. A corrupt file is recomputed with
        a warning; MFCCs are derived from the cached log-mel set of the same config when
        there is one (same values, no audio decoding).
    n_jobs : int, optional
        Parallel joblib workers; None: all cores.
    progress : bool
        Show a tqdm bar.
    backend : str
        "threading" (default: the heavy steps release the GIL and no worker has to start or
        pickle its result back; see benchmarks/RESULTS.md) or "loky" (processes).
    scheduler : str, optional
        A Dask scheduler's address (e.g. ``"tcp://10.0.0.5:8786"``): the clips run on that
        cluster's workers instead (all their threads; ``n_jobs`` and ``backend`` do not
        apply), one BLAS thread per task as locally, so the features are bit-identical to a
        local run and go to the same cache file. The workers must read the audio under the
        same paths (a shared filesystem) with the same library versions; the scheduler is
        contacted only when something has to be computed. Needs ``pip install
        'genrelib[cluster]'``.

    Returns
    -------
    FeatureSet
        X float32 of shape (n_usable_tracks * segments_per_clip, *cfg.segment_shape), e.g.
        (1520, 128, 130) for 80 clips of 30 s; y, track_ids and segment_index per segment.

    Raises
    ------
    SchedulerError
        One line naming the address and what to do, when Dask is missing, the address is
        malformed, nothing answers there within ``SCHEDULER_TIMEOUT`` seconds or no worker joins.
    FileNotFoundError
        When a Dask worker cannot see a clip.

    Notebook: 02_features.ipynb
    """
    if not isinstance(cfg, FeatureConfig):
        raise TypeError(f"cfg must be a FeatureConfig, e.g. FeatureConfig() or FeatureConfig(kind='mfcc'), "
                        f"got {type(cfg).__name__} {cfg!r}")
    if scheduler is not None:  # refused before any file is read, cached features or not
        check_scheduler_address(scheduler)
    index = as_index(index, progress=progress)
    warn_clip_quality(index.tracks, cfg)
    if cache_dir is False:
        return _compute(index, cfg, n_jobs=n_jobs, backend=backend, progress=progress, scheduler=scheduler)
    fingerprint = index.fingerprint()
    path = feature_cache_path(fingerprint, cfg, cache_dir=cache_dir)
    cached = _load_cached(path, fingerprint, cfg)
    if cached is not None:
        warn_skipped(cached.skipped)
        return cached
    features = None
    if cfg.kind == "mfcc":
        mel_cfg = cfg.with_(kind="mel")
        mel_path = feature_cache_path(fingerprint, mel_cfg, cache_dir=cache_dir)
        mel = _load_cached(mel_path, fingerprint, mel_cfg)
        if mel is not None:
            features = _mfcc_from_mel_set(mel, cfg)
            warn_skipped(features.skipped)
    if features is None:
        features = _compute(index, cfg, n_jobs=n_jobs, backend=backend, progress=progress,
                            scheduler=scheduler)
    _save_cached(path, features, fingerprint)
    return features
