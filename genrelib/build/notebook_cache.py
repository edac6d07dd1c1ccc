"""The executed-chapter cache: a chapter whose inputs did not change is not executed again.

A chapter's key hashes its code cells, the parameters, every file of the ``genrelib``
package but the build tooling (never imported in a chapter's kernel), the data (synthetic:
generator version and size; a folder: its index fingerprint) and the environment (Python,
dependency versions, Keras backend, kernel). Copies are kept as papermill wrote them; a hit
is tidied and merged into the chapter as it is now, so a markdown edit needs no re-run.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.metadata
import json
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genrelib.build.chapters import REPO_ROOT
from genrelib.cache import atomic_write_text
from genrelib.provenance import GENRELIB_DIR, source_digest

#: The cache's folder below ``$GENREBOOK_CACHE``.
CACHE_SUBDIR = "executed-notebooks"
#: Executed copies kept per chapter (other profiles, seeds or data stay warm too).
KEEP_PER_CHAPTER = 4
#: The ``genrelib`` package: every file below it is part of each key, but those of
#: ``NOT_IN_KERNEL`` (its subpackages that no chapter's kernel imports).
PACKAGE_DIR = GENRELIB_DIR  # the genrelib package (provenance keeps the path)
NOT_IN_KERNEL = ("build",)
#: What each part of a key stands for, as the build log names a change.
PART_NAMES = {"code": "code cells", "parameters": "parameters", "library": "genrelib source",
              "data": "data", "environment": "environment"}


@dataclass(frozen=True)
class CacheKey:
    """What one chapter's execution depends on: ``parts`` maps each name of ``PART_NAMES``
    to a hash or fingerprint; ``digest`` hashes them all."""

    notebook: str
    parts: dict[str, str]

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.parts, sort_keys=True).encode()).hexdigest()


def code_digest(nb: Any) -> str:
    """Hash of a notebook's code cells (their source, in order) and kernel language."""
    digest = hashlib.sha256(str(nb.metadata.get("kernelspec", {}).get("language", "")).encode())
    for cell in nb.cells:
        if cell.cell_type == "code":
            digest.update(b"\0cell\0" + cell.source.encode("utf-8"))
    return digest.hexdigest()


def library_digest(package_dir: Path | None = None) -> str:
    """Hash of every file below ``package_dir`` (default ``PACKAGE_DIR``, the genrelib
    package): relative path and bytes; caches, ``.pyc`` and ``NOT_IN_KERNEL`` left out
    (``provenance.source_digest``)."""
    return source_digest(PACKAGE_DIR if package_dir is None else package_dir, leave_out=NOT_IN_KERNEL)


def data_fingerprint(data_dir: str | os.PathLike[str], profile: str) -> str:
    """The data the chapters read: for "" the synthetic GTZAN's generator version and size
    (the profile's), else the fingerprint of the folder's index (ids, genres, sizes, mtimes)."""
    if not str(data_dir):
        from genrelib.config import get_profile
        from genrelib.datasets.synthetic import SYNTHETIC_VERSION

        settings = get_profile(profile)
        return (f"synthetic v{SYNTHETIC_VERSION} {settings.synthetic_tracks_per_genre} tracks/genre "
                f"x {settings.synthetic_seconds:g} s")
    from genrelib.datasets import index_dataset

    return f"index {index_dataset(data_dir).fingerprint()}"


def _dependency_names(root: Path = REPO_ROOT) -> list[str]:
    """Every distribution the project names in pyproject.toml (dependencies and extras)."""
    import tomllib

    from packaging.requirements import Requirement

    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        lines = list(project.get("dependencies", []))
        lines += [line for extra in project.get("optional-dependencies", {}).values() for line in extra]
    else:
        try:
            lines = importlib.metadata.requires("genrelib") or []
        except importlib.metadata.PackageNotFoundError:
            lines = []
    names = {Requirement(line).name for line in lines}
    return sorted(name for name in names if name != "genrelib")


def environment_digest(kernel: str) -> str:
    """Hash of what else shapes the outputs: Python, machine, the installed version of every
    dependency of the project, ``$KERAS_BACKEND`` and the kernel's name."""
    parts = [sys.version, platform.machine(), f"kernel={kernel}",
             f"KERAS_BACKEND={os.environ.get('KERAS_BACKEND', '')}"]
    for name in _dependency_names():
        try:
            parts.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{name} absent")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def notebook_key(nb: Any, name: str, *, parameters: dict[str, Any], library: str, data: str,
                 environment: str) -> CacheKey:
    """The key of one chapter (``nb`` as read by nbformat) under this build's inputs."""
    return CacheKey(notebook=name, parts={
        "code": code_digest(nb), "parameters": json.dumps(parameters, sort_keys=True),
        "library": library, "data": data, "environment": environment})


def merge_outputs(source: Any, executed: Any) -> Any | None:
    """``source`` (the chapter now) with the outputs of ``executed`` (an executed, tidied copy
    of a chapter with the same code cells, see ``genrelib.build.tidy``): markdown, cell ids
    and tags come from ``source``; code, outputs and execution records from ``executed``.
    None when the code cells do not pair up."""
    merged = copy.deepcopy(source)
    mine = [cell for cell in merged.cells if cell.cell_type == "code"]
    theirs = [cell for cell in executed.cells if cell.cell_type == "code"]
    if len(mine) != len(theirs):
        return None
    for cell, done in zip(mine, theirs, strict=True):
        cell.source = done.source  # the parameters cell shows the values this build used
        cell.outputs = done.get("outputs", [])
        cell.execution_count = done.get("execution_count")
        for key in ("papermill", "execution"):
            if key in done.metadata:
                cell.metadata[key] = done.metadata[key]
    for key in ("papermill", "language_info", "widgets"):
        if key in executed.metadata:
            merged.metadata[key] = executed.metadata[key]
    return merged


class NotebookCache:
    """Executed chapters, as papermill wrote them, under ``folder``: one
    ``<stem>-<digest>.ipynb`` per key, with ``<stem>.last.json`` (the parts of the last key
    stored) to say why a key missed."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def path(self, key: CacheKey) -> Path:
        return self.folder / f"{Path(key.notebook).stem}-{key.digest[:20]}.ipynb"

    def _last(self, key: CacheKey) -> Path:
        return self.folder / f"{Path(key.notebook).stem}.last.json"

    def load(self, key: CacheKey) -> Any | None:
        """The executed copy kept under ``key``, or None (none, or one that cannot be read)."""
        import nbformat

        try:
            return nbformat.read(self.path(key), as_version=4)
        except (OSError, ValueError):
            return None

    def store(self, key: CacheKey, executed: Path) -> Path:
        """Keep the executed copy ``executed`` under ``key``; older entries of the chapter
        beyond ``KEEP_PER_CHAPTER`` are removed. Returns the entry's path."""
        path = self.path(key)
        atomic_write_text(path, Path(executed).read_text(encoding="utf-8"))
        atomic_write_text(self._last(key), json.dumps(key.parts, indent=1, sort_keys=True))
        entries = sorted(self.folder.glob(f"{Path(key.notebook).stem}-*.ipynb"),
                         key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP_PER_CHAPTER:]:
            old.unlink(missing_ok=True)
        return path

    def why_missed(self, key: CacheKey) -> str:
        """What changed since the chapter was last stored ("code cells, data changed"), or
        "not executed before"."""
        try:
            last = json.loads(self._last(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "not executed before"
        changed = [PART_NAMES[name] for name in PART_NAMES if last.get(name) != key.parts.get(name)]
        return (", ".join(changed) + " changed") if changed else "cached copy missing"
