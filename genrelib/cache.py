"""A small on-disk array cache with atomic writes (used by the feature cache).

Every file is written to a hidden temporary file in the same folder, flushed to disk and
then moved into place with ``os.replace`` (atomic on POSIX and Windows), so a run that is
interrupted leaves either the old file, the new file, or nothing, never half a file.
Notebook: 02_features.ipynb
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["atomic_save_npz", "default_cache_dir", "read_npz"]


def default_cache_dir(subdir: str = "features") -> Path:
    """``$GENREBOOK_CACHE/<subdir>`` when the variable is set, else ``~/.cache/genre-book/<subdir>``.

    Notebook: 02_features.ipynb
    """
    base = os.environ.get("GENREBOOK_CACHE")
    root = Path(base).expanduser() if base else Path.home() / ".cache" / "genre-book"
    return root / subdir


def atomic_save_npz(path: str | os.PathLike[str], arrays: dict[str, np.ndarray]) -> Path:
    """Write ``arrays`` as an uncompressed .npz at ``path`` atomically (temp file + os.replace).

    Creates the parent folder. On any error the temporary file is removed and the error
    re-raised; an existing file at ``path`` is left untouched. Returns ``path``.
    Notebook: 02_features.ipynb
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)  # mkstemp creates 0600; a cache is readable like any output
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    return path


def read_npz(path: str | os.PathLike[str]) -> dict[str, np.ndarray] | None:
    """Every array of the .npz at ``path`` loaded into memory, or None when the file is missing.

    Raises ValueError naming the file when it exists but is corrupt or truncated (callers
    treat that as a cache miss). Object arrays are refused (``allow_pickle=False``).
    Notebook: 02_features.ipynb
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except Exception as error:  # BadZipFile, EOFError, OSError, ValueError, ...
        raise ValueError(f"{path}: corrupt or incomplete cache file ({type(error).__name__}: {error})") from None
