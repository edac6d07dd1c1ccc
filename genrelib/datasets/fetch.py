"""Get GTZAN: download its archive (resuming, ``datasets.download``), extract it safely and
verify every file against the MD5s shipped with genrelib.

``fetch_gtzan(dest)`` downloads ``GTZAN_URL`` (the Hugging Face copy of ``marsyas/gtzan``,
extracting to ``genres/<genre>/<genre>.000NN.wav``), extracts its regular files into
``dest`` and compares them with ``gtzan_manifest_path()`` (``manifest.verify_checksums``);
a folder that already holds every track is only verified. Extraction refuses the whole
archive when a member would land outside ``dest`` or names an absolute path, and moves each
file into place with ``os.replace``, so an interrupted run never leaves half a file.
"""

from __future__ import annotations

import os
import re
import shutil
import tarfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from genrelib.datasets.download import (MANUAL_SOURCES, FetchError, download_file, file_hash,
                                        looks_like_html, parse_archive_hash)
from genrelib.datasets.folder import find_root, list_audio_files, track_id_from_path
from genrelib.datasets.manifest import ChecksumReport, read_manifest, verify_checksums

__all__ = ["ARCHIVE_NAME", "GTZAN_URL", "MANUAL_SOURCES", "FetchError", "FetchResult", "download_file",
           "extract_archive", "fetch_gtzan", "gtzan_manifest_path", "parse_archive_hash"]

#: Where ``genrelib data fetch gtzan`` downloads GTZAN from (``--url`` overrides it).
GTZAN_URL = "https://huggingface.co/datasets/marsyas/gtzan/resolve/main/data/genres.tar.gz"
#: The archive's file name in the destination folder (``.part`` while incomplete).
ARCHIVE_NAME = "genres.tar.gz"
_MANIFEST_FILE = "gtzan_md5.csv"

@dataclass
class FetchResult:
    """What ``fetch_gtzan`` did: ``dest`` (absolute), ``downloaded`` (the archive was
    fetched or resumed in this call), ``extracted`` (files moved into place, 0 when the
    folder was already complete) and ``checksums`` (every file of ``dest`` against the
    manifest).
    """

    dest: Path
    downloaded: bool
    extracted: int
    checksums: ChecksumReport

    @property
    def ok(self) -> bool:
        """True when no file mismatches its MD5 and no manifest entry is missing."""
        return not self.checksums.checksum_mismatches and not self.checksums.missing


def gtzan_manifest_path() -> Path:
    """The MD5 manifest of the 1,000 GTZAN tracks shipped with genrelib
    (``track_id,relative_path,md5``, the paths as in the Hugging Face archive).
    """
    return Path(str(resources.files("genrelib.datasets").joinpath(_MANIFEST_FILE)))


def _is_metadata_junk(name: str) -> bool:
    """macOS resource forks (``._x``), ``.DS_Store`` and ``__MACOSX/``: not data."""
    parts = name.split("/")
    return "__MACOSX" in parts or parts[-1].startswith("._") or parts[-1] == ".DS_Store"


def _absolute(name: str) -> bool:
    """A member name that starts at a root ("/x", "\\x") or a drive ("C:x")."""
    return name.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", name))


def extract_archive(archive: str | os.PathLike[str], dest: str | os.PathLike[str]) -> list[Path]:
    """Extract the regular files of the tar archive ``archive`` (any compression) into
    ``dest`` and return their paths.

    Every member is vetted first: when one names an absolute path, or would be written
    outside ``dest`` (tarfile's ``data`` filter: ``../``, a link out, a device file), the
    whole archive is refused with ``FetchError`` naming it, and nothing is written. An HTML
    page saved in place of the archive is named as such. macOS metadata (``._*``,
    ``.DS_Store``, ``__MACOSX/``) is skipped. Files are unpacked into a hidden folder of
    ``dest`` and moved into place one by one (``os.replace``), replacing files already there.
    A damaged archive raises ``FetchError``.
    """
    archive, dest = Path(archive), Path(dest).absolute()
    with open(archive, "rb") as handle:
        if looks_like_html(handle.read(512)):
            raise FetchError(f"{archive} is an HTML page, not a tar.gz archive (a login or error page "
                             "saved in its place?); delete it and run again")
    staging = dest / ".genres-extract"
    shutil.rmtree(staging, ignore_errors=True)
    placed: list[Path] = []
    try:
        with tarfile.open(archive, "r:*") as tar:
            chosen: list[tuple[tarfile.TarInfo, str]] = []
            for member in tar.getmembers():
                if _absolute(member.name):
                    raise FetchError(
                        f"{archive}: refused, member {member.name!r} has an absolute path (it would "
                        f"be placed under {dest}, not where it says); nothing was extracted. Delete "
                        "the archive and get GTZAN from a source you trust")
                try:
                    vetted = tarfile.data_filter(member, str(staging))
                except tarfile.FilterError as error:
                    raise FetchError(
                        f"{archive}: refused, member {member.name!r} would be written outside "
                        f"{dest} ({type(error).__name__}); nothing was extracted. Delete the archive "
                        f"and get GTZAN from a source you trust") from None
                if member.isfile() and not _is_metadata_junk(vetted.name):
                    chosen.append((member, vetted.name))
            staging.mkdir(parents=True)
            tar.extractall(staging, members=[member for member, _ in chosen], filter="data")
        for _, name in chosen:
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, target)
            placed.append(target)
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise FetchError(f"{archive} is damaged or not a tar archive ({type(error).__name__}: {error}); "
                         f"delete it and run again") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return placed


def _files_on_disk(dest: Path) -> list[tuple[str, Path, str]]:
    """``[(track id, absolute path, path relative to dest)]`` of the audio under ``dest``
    (the label root found by ``find_root``); empty when there is none yet.
    """
    try:
        root = find_root(dest)
    except ValueError as error:
        if str(error).startswith("no labelled audio"):
            return []
        raise
    return [(track_id_from_path(path), path, path.relative_to(dest).as_posix())
            for _, path in list_audio_files(root)]


def fetch_gtzan(dest: str | os.PathLike[str], *, url: str = GTZAN_URL,
                manifest: str | os.PathLike[str] | pd.DataFrame | None = None,
                expected_hash: str | None = None, keep_archive: bool = False,
                timeout: float = 60.0, retries: int = 3, progress: bool = True,
                log: Callable[[str], None] = lambda message: None) -> FetchResult:
    """Make ``dest`` hold GTZAN as ``dest/genres/<genre>/<genre>.000NN.<ext>``, verified.

    When every track of ``manifest`` (default: ``gtzan_manifest_path()``; a path or the
    table ``read_manifest`` returns) is already under ``dest``, only verifies. Otherwise
    downloads ``url`` to ``dest/genres.tar.gz`` (see ``download_file``: resume, progress,
    ``expected_hash``), or reuses a complete archive already there, extracts it (see
    ``extract_archive``), removes the archive unless ``keep_archive``, and verifies every
    file by MD5. Returns a ``FetchResult``; raises ``FetchError`` for network and archive
    problems, ``NotADirectoryError`` when ``dest`` is a file.
    """
    dest = Path(dest).expanduser().absolute()
    if dest.exists() and not dest.is_dir():
        raise NotADirectoryError(f"{str(dest)!r} is a file: give the folder to put GTZAN in")
    source = gtzan_manifest_path() if manifest is None else manifest
    table = source if isinstance(source, pd.DataFrame) else read_manifest(source)
    wanted = set(table["track_id"])
    files = _files_on_disk(dest) if dest.is_dir() else []
    downloaded, extracted = False, 0
    if wanted - {track_id for track_id, _, _ in files}:
        archive = dest / ARCHIVE_NAME
        if archive.is_file():
            log(f"using the archive already downloaded: {archive}")
            if expected_hash and file_hash(archive, expected_hash) != expected_hash:
                archive.unlink()
                raise FetchError(f"{archive} does not have the hash {expected_hash}; it was removed: "
                                 f"run again to download it afresh")
        else:
            log(f"downloading {url}\n  to {archive}")
            download_file(url, archive, expected_hash=expected_hash, timeout=timeout,
                          retries=retries, progress=progress, log=log)
            downloaded = True
        log(f"extracting {archive.name} into {dest}")
        extracted = len(extract_archive(archive, dest))
        if not keep_archive:
            archive.unlink()
        files = _files_on_disk(dest)
    else:
        log(f"{dest} already holds all {len(wanted)} tracks of the manifest: verifying only, "
            f"nothing downloaded")
    log(f"verifying {len(files)} files against {len(table)} MD5s")
    report = verify_checksums(files, table)
    if not isinstance(source, pd.DataFrame):
        report.manifest = str(source)
    return FetchResult(dest=dest, downloaded=downloaded, extracted=extracted, checksums=report)
