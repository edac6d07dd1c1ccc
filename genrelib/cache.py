"""Where the caches live, atomic file writes, and the .npz files of the feature cache.

Every cache (synthetic data, features, the chapters' runs) lives under one root,
``$GENREBOOK_CACHE`` or ``~/.cache/genre-book`` (:func:`cache_root`). Every file is written
to a hidden temporary file in the same folder, flushed to disk and then moved into place
with ``os.replace`` (atomic on POSIX and Windows), so a run that is interrupted leaves
either the old file, the new file, or nothing, never half a file.
Notebook: 02_features.ipynb
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np

from genrelib.errors import GenrelibWarning

__all__ = ["CACHE_ENV", "DEFAULT_CACHE_ROOT", "CacheFileWarning", "atomic_file", "atomic_path", "atomic_save_npz",
           "atomic_write_bytes", "atomic_write_text", "cache_root", "default_cache_dir", "read_npz"]


class CacheFileWarning(GenrelibWarning):
    """A cached file (features, embeddings, converted weights) that could not be used and is
    computed again: nothing is lost but time; the message names the file and why."""


#: The environment variable that moves every cache (synthetic data, features, the chapters' runs).
CACHE_ENV = "GENREBOOK_CACHE"
#: Where the caches go when ``$GENREBOOK_CACHE`` is not set.
DEFAULT_CACHE_ROOT = Path("~/.cache/genre-book")


def cache_root() -> Path:
    """``$GENREBOOK_CACHE`` when the variable is set, else ``~/.cache/genre-book`` (expanded)."""
    base = os.environ.get(CACHE_ENV)
    return Path(base).expanduser() if base else DEFAULT_CACHE_ROOT.expanduser()


def default_cache_dir(subdir: str, *, root: str | os.PathLike[str] | None = None) -> Path:
    """``<root>/<subdir>``, ``root`` defaulting to :func:`cache_root` (an empty ``root`` too):
    e.g. ``default_cache_dir("features")`` is ``~/.cache/genre-book/features``.
    Notebook: 09_using_the_model.ipynb
    """
    base = Path(root).expanduser() if root is not None and str(root).strip() else cache_root()
    return base / subdir


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A hidden temporary path beside ``path`` (same suffix) for a writer that wants a file
    name rather than an open file (e.g. Keras' ``model.save``); when the ``with`` block ends
    without error the file is renamed onto ``path``, otherwise removed.

    Creates the parent folder; an existing file at ``path`` is untouched until the rename.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".tmp{path.suffix}")
    os.close(fd)
    try:
        yield Path(tmp_name)
        os.chmod(tmp_name, 0o644)  # mkstemp creates 0600; outputs are readable like any file
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_file(path: str | os.PathLike[str], mode: str = "wb", *, fsync: bool = False,
                **open_options: Any) -> Iterator[IO[Any]]:
    """Open a hidden temporary file beside ``path`` for writing (see :func:`atomic_path`); when
    the ``with`` block ends without error it is (optionally fsync'ed and) renamed onto
    ``path``, otherwise removed. ``open_options`` go to ``open`` (e.g. ``newline=""`` for csv).
    """
    with atomic_path(path) as tmp, open(tmp, mode, **open_options) as handle:
        yield handle
        handle.flush()
        if fsync:
            os.fsync(handle.fileno())


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_file`); returns ``path``.
    """
    with atomic_file(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`atomic_file`); returns ``path``.
    """
    with atomic_file(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return Path(path)


def atomic_save_npz(path: str | os.PathLike[str], arrays: dict[str, np.ndarray]) -> Path:
    """Write ``arrays`` as an uncompressed .npz at ``path`` atomically and fsync'ed
    (see :func:`atomic_file`). On any error the temporary file is removed and the error
    re-raised; an existing file at ``path`` is left untouched. Returns ``path``.
    """
    with atomic_file(path, "wb", fsync=True) as handle:
        np.savez(handle, **arrays)
    return Path(path)


def read_npz(path: str | os.PathLike[str]) -> dict[str, np.ndarray] | None:
    """Every array of the .npz at ``path`` loaded into memory, or None when the file is missing.

    Raises ValueError naming the file when it exists but is corrupt or truncated (callers
    treat that as a cache miss). Object arrays are refused (``allow_pickle=False``).
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except Exception as error:  # BadZipFile, EOFError, OSError, ValueError, ...
        raise ValueError(f"{path}: corrupt or incomplete cache file ({type(error).__name__}: {error})") from None
