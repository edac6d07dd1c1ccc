"""What a worker does for one track: load the clip and compute its features, with one
BLAS/OpenMP thread in the process while any extraction runs (the workers already use every
core, and the features are then bit-identical whatever the number of workers, locally or on
a Dask cluster).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from genrelib.audio import AudioError, load_audio
from genrelib.config import FeatureConfig
from genrelib.features.segments import clip_features

__all__: list[str] = []


def _track_features(path: str, cfg: FeatureConfig) -> tuple[np.ndarray | None, str | None]:
    """(features, None) for a usable clip, (None, reason) for an unusable one (worker)."""
    try:
        y = load_audio(path, sample_rate=cfg.sample_rate, clip_seconds=cfg.clip_seconds,
                       min_seconds=cfg.segment_seconds)
    except AudioError as error:
        return None, str(error)
    return clip_features(y, cfg), None


@functools.lru_cache(maxsize=1)
def _threadpools() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # finds the BLAS/OpenMP libraries once (~1 ms), then reused


_blas_lock = threading.Lock()
_blas_users = 0  # extractions (local runs, Dask tasks) running in this process
_blas_limiter: Any = None


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """One BLAS/OpenMP thread in this process while any extraction runs in it.
    Reference-counted, so that the tasks of a Dask worker with several threads do not
    restore the limits under one another. (threadpoolctl lets one thread at a time set a
    pthreads OpenBLAS; Dask's nanny starts every worker with OPENBLAS/OMP/MKL_NUM_THREADS=1
    anyway.)"""
    global _blas_users, _blas_limiter
    with _blas_lock:
        if _blas_users == 0:
            _blas_limiter = _threadpools().limit(limits=1)
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                _blas_limiter.restore_original_limits()
                _blas_limiter = None
