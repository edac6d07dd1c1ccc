"""Where a command writes: checked before it starts, and no empty folder left when it fails.

A command names its outputs with ``parser.set_defaults(outputs=[(label, dest, kind)])``
(``kind`` FOLDER or FILE); ``genrelib.cli`` calls ``check_declared`` before the command runs
and ``remove_empty_created`` when it fails. A bad place is one ``UserError`` line naming the
path and the cause (exit 2). Nothing is created by the check itself.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from genrelib.errors import UserError

__all__ = ["FILE", "FOLDER", "check_declared", "check_output", "remove_empty_created", "start"]

FOLDER, FILE = "folder", "file"

#: (output path, its nearest folder that existed before the command): what
#: ``remove_empty_created`` may remove, for the command now running.
_WATCHED: list[tuple[Path, Path]] = []


def start() -> None:
    """Forget the outputs of an earlier command (``genrelib.cli.main`` calls it first)."""
    _WATCHED.clear()


def _existing_ancestor(path: Path) -> Path:
    """``path`` itself or its nearest ancestor that exists (as anything)."""
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path(path.anchor or ".")


def _check_writable(folder: Path, label: str, path: Path) -> None:
    """UserError naming ``path`` unless a file can be created in the existing ``folder``."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise UserError(f"{label} {path}: cannot write in {folder} ({error.strerror or error})") from None


def check_output(path: str | os.PathLike[str], kind: str, label: str) -> Path:
    """Check that a command can write its output ``path`` before it starts.

    Parameters
    ----------
    path : str or PathLike
        The output: a folder (created with its parents by the command) or a file (whose
        folder must exist).
    kind : str
        ``FOLDER`` or ``FILE``.
    label : str
        How the user gave it (``--out``, ``OUT``), named in the message.

    Returns
    -------
    Path
        ``path``, expanded; its folders created later are removed again by
        ``remove_empty_created`` if the command fails and leaves them empty.

    Raises
    ------
    UserError
        One line naming the path and the cause: an existing file where a folder is
        wanted (or the reverse), a file on the way, a folder that does not exist (FILE),
        or a place where nothing can be written (read-only, no permission).
    """
    path = Path(path).expanduser()
    existing = _existing_ancestor(path.absolute())
    if kind == FILE:
        if path.is_dir():
            raise UserError(f"{label} {path}: is a folder, not a file: give a file name")
        if not path.absolute().parent.is_dir():
            raise UserError(f"{label} {path}: its folder does not exist ({path.parent})")
        _check_writable(path.absolute().parent, label, path)
        return path
    if existing == path.absolute() and not path.is_dir():
        raise UserError(f"{label} {path}: exists and is a file, not a folder: give a folder")
    if not existing.is_dir():
        raise UserError(f"{label} {path}: {existing} is a file, not a folder")
    _check_writable(existing, label, path)
    _WATCHED.append((path.absolute(), existing))
    return path


def check_declared(args: argparse.Namespace) -> None:
    """``check_output`` for every output a command declared in ``args.outputs`` (a list of
    (label, dest, kind)) and that was given (not None)."""
    for label, dest, kind in getattr(args, "outputs", None) or ():
        value = getattr(args, dest, None)
        if value not in (None, ""):
            check_output(value, kind, label)


def _holds_files(folder: Path) -> bool:
    return any(not entry.is_dir() or entry.is_symlink() for entry in folder.rglob("*"))


def remove_empty_created() -> list[Path]:
    """After a failed command: remove every watched output folder that did not exist before
    it and holds no file (only empty folders), and the empty folders made above it.

    Returns
    -------
    list of Path
        The folders removed.
    """
    removed = []
    for path, existing in _WATCHED:
        folder = path
        while folder != existing and existing in folder.parents:
            if folder.is_dir() and not folder.is_symlink() and not _holds_files(folder):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
            elif folder.exists():
                break
            folder = folder.parent
    _WATCHED.clear()
    return removed
