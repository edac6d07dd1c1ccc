"""Find a labelled audio folder and list its files: ``root/<label>/<audio file>``.

This module only walks folders; it never opens audio (see ``index.py``) and knows nothing
about GTZAN (see ``gtzan.py``). The user may point at the root itself or at a folder up to
two levels above it (``gtzan/`` -> ``gtzan/genres/`` or ``Data/`` -> ``Data/genres_original/``).
"""

from __future__ import annotations

import os
import unicodedata
import warnings
from pathlib import Path

from genrelib.errors import GenrelibWarning

__all__ = ["AUDIO_EXTENSIONS", "MAX_SEARCH_DEPTH", "OTHER_AUDIO_EXTENSIONS", "UnreadAudioWarning", "broken_link",
           "find_root", "ignored_files", "is_audio_file", "label_folders", "list_audio_files", "strip_audio_suffix",
           "track_id_from_path", "warn_unread_audio"]

#: File name endings read as audio (case-insensitive). Anything else in a label folder
#: (``.mf`` lists, ``.txt`` notes, images) is not audio and is ignored (``ignored_files`` names it).
AUDIO_EXTENSIONS: tuple[str, ...] = (".wav", ".au", ".flac", ".ogg", ".mp3", ".aiff", ".aif")

#: Audio formats genrelib does not decode: such a file below the root is named
#: (``warn_unread_audio``), never left out without a word.
OTHER_AUDIO_EXTENSIONS: tuple[str, ...] = (".m4a", ".aac", ".opus", ".wma", ".mp4", ".webm")

#: How many folder levels above the label folders ``find_root`` looks through.
MAX_SEARCH_DEPTH = 2


def broken_link(path: Path) -> str | None:
    """"broken symbolic link (to TARGET)" when ``path`` is a link to nothing, else None."""
    return f"broken symbolic link (to {os.readlink(path)})" if path.is_symlink() and not path.exists() else None


def is_audio_file(path: Path) -> bool:
    """True for a visible regular file whose name ends in one of ``AUDIO_EXTENSIONS``.

    Hidden files (``.DS_Store``, macOS ``._blues.00000.wav`` resource forks) are not audio.
    """
    return (not path.name.startswith(".") and path.suffix.lower() in AUDIO_EXTENSIONS
            and path.is_file())


def strip_audio_suffix(name: str) -> str:
    """``genres/blues/blues.00000.wav`` -> ``genres/blues/blues.00000``: drops an ending in
    ``AUDIO_EXTENSIONS`` (any case) and nothing else (``blues.00000`` stays as it is);
    backslashes become slashes.
    """
    name = name.strip().replace("\\", "/")
    stem, dot, suffix = name.rpartition(".")
    return stem if dot and "/" not in suffix and f".{suffix.lower()}" in AUDIO_EXTENSIONS else name


def track_id_from_path(path: str | os.PathLike[str]) -> str:
    """The track id a file path stands for: its file name without an audio ending, e.g.
    ``blues.00000``, ``blues.00000.wav``, ``genres/blues/blues.00000.au`` or
    ``genres\\blues\\blues.00000.wav`` -> ``blues.00000``.
    """
    return strip_audio_suffix(os.fspath(path)).rsplit("/", 1)[-1]


def _subfolders(folder: Path) -> list[Path]:
    try:
        entries = sorted(folder.iterdir())
    except (PermissionError, NotADirectoryError):
        return []
    return [p for p in entries
            if p.is_dir() and not p.name.startswith(".") and p.name != "__MACOSX"]


def _has_audio(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            return any(is_audio_file(Path(entry.path)) for entry in entries)
    except (PermissionError, NotADirectoryError):
        return False


def label_folders(root: str | os.PathLike[str]) -> list[Path]:
    """The sub-folders of ``root`` that directly hold at least one audio file, sorted by name."""
    return [sub for sub in _subfolders(Path(root)) if _has_audio(sub)]


def _looks_like_gtzan(root: Path) -> bool:
    from genrelib.config import GTZAN_GENRES

    labels = {p.name for p in label_folders(root)}
    return bool(labels) and labels <= set(GTZAN_GENRES)


def find_root(path: str | os.PathLike[str], *, max_depth: int = MAX_SEARCH_DEPTH) -> Path:
    """The folder whose sub-folders are the labels, found at ``path`` or up to ``max_depth``
    levels below it (breadth first: the shallowest root wins).

    When one level holds several candidate roots, the one whose labels are all GTZAN genres
    wins; if that does not decide, ValueError lists them so the user can point at one.
    Raises FileNotFoundError / NotADirectoryError for a bad ``path`` and ValueError when
    no ``<label>/<audio file>`` tree is found. Returns an absolute path.
    """
    given = Path(path).expanduser()
    if not given.exists():
        raise FileNotFoundError(
            f"dataset folder {str(given)!r} does not exist: give the folder that holds the genre "
            f"folders (or a folder up to {max_depth} levels above it)")
    if not given.is_dir():
        raise NotADirectoryError(
            f"{str(given)!r} is a file: give the folder that holds the genre folders")
    given = given.resolve()
    level = [given]
    for _depth in range(max_depth + 1):
        roots = [folder for folder in level if label_folders(folder)]
        if len(roots) == 1:
            return roots[0]
        if len(roots) > 1:
            gtzan = [root for root in roots if _looks_like_gtzan(root)]
            if len(gtzan) == 1:
                return gtzan[0]
            listed = ", ".join(str(root) for root in roots)
            raise ValueError(
                f"found {len(roots)} folders of labelled audio under {str(given)!r} ({listed}): "
                f"point at the one you mean")
        level = [sub for folder in level for sub in _subfolders(folder)]
    hint = ""
    if _has_audio(given):
        hint = (" It holds audio files itself: point at its parent, the folder whose "
                "sub-folders are the labels.")
    raise ValueError(
        f"no labelled audio found in {str(given)!r}: expected <root>/<label>/<file> with files "
        f"ending in {', '.join(AUDIO_EXTENSIONS)}, with <root> at most {max_depth} levels "
        f"below the folder given.{hint}")


def list_audio_files(root: str | os.PathLike[str]) -> list[tuple[str, Path]]:
    """Every ``(label, absolute path)`` of ``root/<label>/<audio file>``, sorted by label then name.

    Only files directly inside a label folder count (deeper folders are not labels). Paths
    keep the root as given (made absolute, symbolic links not resolved), so a dataset reached
    through a link is indexed under the link. A label is the folder's name in Unicode's
    composed form (NFC): "música" copied from macOS (decomposed, NFD) is the same genre.
    """
    root = Path(root).absolute()
    found: list[tuple[str, Path]] = []
    for folder in label_folders(root):
        files = sorted(p for p in folder.iterdir() if is_audio_file(p))
        found.extend((unicodedata.normalize("NFC", folder.name), file) for file in files)
    return sorted(found, key=lambda item: (item[0], item[1].name))


def ignored_files(root: str | os.PathLike[str]) -> list[dict[str, str]]:
    """The files below ``root`` that ``list_audio_files`` does not read, each with why: an
    audio file deeper than a label folder (``pop/live/x.flac``), a file in a label folder
    whose name is not audio, audio in a format genrelib does not read (``OTHER_AUDIO_EXTENSIONS``,
    anywhere below the root), and a broken symbolic link. Hidden files, ``__MACOSX`` and the files
    beside the label folders (``tracks.csv``, a manifest) are not data and are left out.

    Returns
    -------
    list of dict
        ``{"relative_path", "reason"}``, in path order.
    """
    root = Path(root).absolute()
    labels = set(label_folders(root))
    ignored = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and d != "__MACOSX")
        here = Path(folder)
        for name in sorted(files) if here != root else []:
            path = here / name
            if name.startswith(".") or (is_audio_file(path) and here in labels):
                continue
            if broken := broken_link(path):
                reason = f"{broken}: nothing to read"
            elif path.suffix.lower() in OTHER_AUDIO_EXTENSIONS:
                reason = "an audio format genrelib does not read: convert it (e.g. to .flac) to use it"
            elif here in labels:
                reason = f"not an audio file name (read: {', '.join(AUDIO_EXTENSIONS)})"
            elif path.suffix.lower() in AUDIO_EXTENSIONS:
                reason = "not directly in a label folder: only <root>/<label>/<file> is read"
            else:
                continue
            ignored.append({"relative_path": path.relative_to(root).as_posix(), "reason": reason})
    return ignored


class UnreadAudioWarning(GenrelibWarning):
    """Audio below a dataset's root that its index does not read: deeper than a label folder
    (``Metal/Some Album/01.wav``), or in a format genrelib does not decode (``.m4a``)."""


def warn_unread_audio(root: str | os.PathLike[str], *, stacklevel: int = 3) -> None:
    """One ``UnreadAudioWarning`` naming the audio files of ``ignored_files(root)`` (audio in a
    sub-folder of a label folder, or a name in ``OTHER_AUDIO_EXTENSIONS``): a genre whose
    files all lie in an album folder would otherwise vanish from the index without a word."""
    unread = [item["relative_path"] for item in ignored_files(root)
              if item["reason"].startswith("not directly") or
              Path(item["relative_path"]).suffix.lower() in OTHER_AUDIO_EXTENSIONS]
    if unread:
        shown = ", ".join(unread[:5]) + (f" and {len(unread) - 5} more" if len(unread) > 5 else "")
        warnings.warn(f"{len(unread)} audio file(s) under {root} are not read: {shown}. Only "
                      f"<root>/<genre>/<file> in {', '.join(AUDIO_EXTENSIONS)} is read: move album "
                      "folders' files up into their genre folder, convert other formats (e.g. to "
                      ".flac); `genrelib data check` lists every file left out", UnreadAudioWarning,
                      stacklevel=stacklevel)
