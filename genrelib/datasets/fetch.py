"""Get GTZAN: download its archive (resuming an interrupted download), extract it safely and
verify every file against the MD5s shipped with genrelib.

``fetch_gtzan(dest)`` downloads ``GTZAN_URL`` (the Hugging Face copy of ``marsyas/gtzan``,
whose archive extracts to ``genres/<genre>/<genre>.000NN.wav``) to ``dest/genres.tar.gz``,
extracts its regular files into ``dest`` and compares them with ``gtzan_manifest_path()``
(the 1,000 published checksums) through ``manifest.verify_checksums``. When ``dest``
already holds every track of the manifest it only verifies them: nothing is downloaded.

The download goes to ``genres.tar.gz.part``; a later run asks the server for the rest
(HTTP ``Range``, with ``If-Range`` naming the version the part came from, so a file that
changed on the server is fetched afresh rather than glued onto an old part). The archive
is renamed into place only when complete. Extraction refuses the whole archive when any
member would land outside ``dest`` (tarfile's ``data`` filter decides), unpacks into a
hidden folder and moves each file into place with ``os.replace``, so an interrupted run
never leaves half a file under ``genres/``.

Network problems (no name resolution, refused connection, timeout, an HTTP error) raise
``FetchError`` with a one-line message that names the manual alternatives (``MANUAL_SOURCES``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tarfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from genrelib.cache import atomic_write_text
from genrelib.datasets.folder import find_root, list_audio_files, track_id_from_path
from genrelib.datasets.manifest import ChecksumReport, read_manifest, verify_checksums

__all__ = ["ARCHIVE_NAME", "GTZAN_URL", "MANUAL_SOURCES", "FetchError", "FetchResult", "download_file",
           "extract_archive", "fetch_gtzan", "gtzan_manifest_path", "parse_archive_hash"]

#: Where ``genrelib data fetch gtzan`` downloads GTZAN from (``--url`` overrides it).
GTZAN_URL = "https://huggingface.co/datasets/marsyas/gtzan/resolve/main/data/genres.tar.gz"
#: The archive's file name in the destination folder (``.part`` while incomplete).
ARCHIVE_NAME = "genres.tar.gz"
#: Where to get GTZAN by hand when the download fails (also in README, "Getting GTZAN").
MANUAL_SOURCES: tuple[tuple[str, str], ...] = (
    ("Kaggle", "https://www.kaggle.com/datasets/andradaolteanu/gtzan-dataset-music-genre-classification"),
    ("Hugging Face", "https://huggingface.co/datasets/marsyas/gtzan"),
)
#: Seconds waited before the n-th automatic resume of an interrupted download is n times this.
RETRY_WAIT_S = 2.0

_MANIFEST_FILE = "gtzan_md5.csv"
_CHUNK = 1 << 20
_HASH_RE = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{64})$")
_CONTENT_RANGE_RE = re.compile(r"^bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)$")


class FetchError(Exception):
    """The download or the archive failed; the message is one line that says what to do."""


class _Interrupted(Exception):
    """The transfer broke off after it started: the part file is kept for a resume."""


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


def parse_archive_hash(value: str) -> str:
    """``value`` lower-cased when it is an MD5 (32 hex digits) or a SHA-256 (64); ValueError otherwise."""
    digest = value.strip().lower()
    if not _HASH_RE.match(digest):
        raise ValueError(f"{value!r} is neither an MD5 (32 hex digits) nor a SHA-256 (64 hex digits)")
    return digest


def _manual_hint() -> str:
    sources = "; ".join(f"{name}: {url}" for name, url in MANUAL_SOURCES)
    return (f"Get GTZAN by hand instead ({sources}; see README, \"Getting GTZAN\"), unpack it and "
            f"run `genrelib data check DIR`")


def _file_hash(path: Path, digest: str) -> str:
    algorithm = "md5" if len(digest) == 32 else "sha256"
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, algorithm).hexdigest()


def _validator(headers) -> str | None:
    """What ``If-Range`` may name: a strong ETag, else Last-Modified."""
    etag = headers.get("ETag")
    if etag and not etag.startswith("W/"):
        return etag
    return headers.get("Last-Modified")


def _read_state(path: Path) -> dict:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _discard(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _transfer(url: str, part: Path, state_file: Path, *, timeout: float, progress: bool,
              log: Callable[[str], None]) -> None:
    """One request: start ``part`` or append the rest to it. Raises ``FetchError`` when the
    server cannot be reached or refuses, ``_Interrupted`` when the transfer breaks off.
    """
    import requests
    from tqdm import tqdm
    from urllib3.exceptions import HTTPError as TransportError

    offset = part.stat().st_size if part.is_file() else 0
    state = _read_state(state_file)
    headers = {"Accept-Encoding": "identity"}
    if offset and state.get("url") == url:
        headers["Range"] = f"bytes={offset}-"
        if state.get("validator"):
            headers["If-Range"] = state["validator"]
        log(f"resuming the download at {offset:,} bytes")
    elif offset:  # a part from another URL: start again
        _discard(part, state_file)
        offset = 0
    try:
        response = requests.get(url, headers=headers, stream=True, timeout=timeout)
    except requests.exceptions.Timeout as error:
        raise FetchError(f"no answer from {url} within {timeout:g} s ({type(error).__name__}). "
                         f"{_manual_hint()}") from None
    except requests.exceptions.RequestException as error:
        raise FetchError(f"cannot reach {url} ({_reason(error)}). {_manual_hint()}") from None
    with response:
        total: int | None
        if response.status_code == 416 and offset:  # nothing left after our part
            match = _CONTENT_RANGE_RE.match(response.headers.get("Content-Range", ""))
            if match and match[3] != "*" and int(match[3]) == offset:
                return
            _discard(part, state_file)
            raise _Interrupted("the partial download does not fit the file on the server; starting again")
        if response.status_code >= 400:
            raise FetchError(f"{url} answered HTTP {response.status_code} {response.reason}. "
                             f"{_manual_hint()}")
        if response.status_code == 206:
            match = _CONTENT_RANGE_RE.match(response.headers.get("Content-Range", ""))
            if not match or match[1] is None or int(match[1]) > offset:
                _discard(part, state_file)
                raise _Interrupted(f"unusable Content-Range {response.headers.get('Content-Range')!r}; "
                                   f"starting again")
            offset = int(match[1])  # a server may resend a little more than asked
            total = None if match[3] == "*" else int(match[3])
            with open(part, "a+b") as handle:
                handle.truncate(offset)
        else:  # 200: the whole file (first request, Range ignored, or the file changed)
            if offset:
                log("the server sent the whole file: starting the download again")
            offset = 0
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            part.write_bytes(b"")
        atomic_write_text(state_file, json.dumps({"url": url, "validator": _validator(response.headers)}))
        stream = response.raw.stream(_CHUNK, decode_content=False)
        with open(part, "ab") as out, tqdm(total=total, initial=offset, unit="B", unit_scale=True,
                                           unit_divisor=1024, disable=not progress, desc=ARCHIVE_NAME,
                                           leave=False) as bar:
            while True:
                try:
                    chunk = next(stream)
                except StopIteration:
                    break
                except (TransportError, requests.exceptions.RequestException, OSError) as error:
                    out.flush()
                    raise _Interrupted(_reason(error)) from None
                out.write(chunk)
                bar.update(len(chunk))
    size = part.stat().st_size
    if total is not None and size < total:
        raise _Interrupted(f"the connection closed after {size:,} of {total:,} bytes")


def _reason(error: BaseException) -> str:
    """The innermost message of a requests/urllib3 error, on one line."""
    while error.__context__ is not None and not str(error):
        error = error.__context__
    text = " ".join(str(error).split()) or type(error).__name__
    for marker in ("Name or service not known", "Temporary failure in name resolution",
                   "nodename nor servname", "Connection refused", "Network is unreachable",
                   "timed out", "Connection reset", "IncompleteRead"):
        if marker in text:
            return f"{type(error).__name__}: {marker}"
    return f"{type(error).__name__}: {text[:200]}"


def download_file(url: str, path: str | os.PathLike[str], *, expected_hash: str | None = None,
                  timeout: float = 60.0, retries: int = 3, progress: bool = True,
                  log: Callable[[str], None] = lambda message: None) -> Path:
    """Download ``url`` to ``path``, resuming from ``path + ".part"`` when an earlier run was
    interrupted, and return ``path``.

    A transfer that breaks off is resumed up to ``retries`` times in this call (waiting
    ``RETRY_WAIT_S``, then twice that, ...); after that ``FetchError`` says to run again, and
    the part stays for the next call. ``expected_hash`` (MD5 or SHA-256 hex) is checked once
    the file is complete; on a mismatch the file is removed and ``FetchError`` raised. The
    file appears at ``path`` only when complete (``os.replace``). ``progress`` shows a tqdm
    bar on stderr; ``log`` receives one-line notes (resume, restart).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    state_file = path.with_name(path.name + ".part.json")
    attempt = 0
    while True:
        try:
            _transfer(url, part, state_file, timeout=timeout, progress=progress, log=log)
            break
        except _Interrupted as error:
            if attempt >= retries:
                raise FetchError(
                    f"the download of {url} was interrupted ({error}); {part.stat().st_size if part.exists() else 0:,} "
                    f"bytes are kept in {part}: run the same command again to resume") from None
            attempt += 1
            log(f"download interrupted ({error}); resuming (try {attempt} of {retries})")
            time.sleep(RETRY_WAIT_S * attempt)
    if expected_hash:
        actual = _file_hash(part, expected_hash)
        if actual != expected_hash:
            _discard(part, state_file)
            raise FetchError(f"the archive downloaded from {url} has hash {actual}, expected "
                             f"{expected_hash}; it was removed: run again to download it afresh, or "
                             f"check the --md5 value")
    os.replace(part, path)
    _discard(state_file)
    return path


def _is_metadata_junk(name: str) -> bool:
    """macOS resource forks (``._x``), ``.DS_Store`` and ``__MACOSX/``: not data."""
    parts = name.split("/")
    return "__MACOSX" in parts or parts[-1].startswith("._") or parts[-1] == ".DS_Store"


def extract_archive(archive: str | os.PathLike[str], dest: str | os.PathLike[str]) -> list[Path]:
    """Extract the regular files of the tar archive ``archive`` (any compression) into
    ``dest`` and return their paths.

    Every member is vetted first with tarfile's ``data`` filter: when one would be written
    outside ``dest`` (``../``, a link out, a device file) the whole archive is refused with
    ``FetchError`` naming it, and nothing is written. macOS metadata (``._*``,
    ``.DS_Store``, ``__MACOSX/``) is skipped. Files are unpacked into a hidden folder of
    ``dest`` and moved into place one by one (``os.replace``), replacing files already there.
    A damaged archive raises ``FetchError``.
    """
    archive, dest = Path(archive), Path(dest).absolute()
    staging = dest / ".genres-extract"
    shutil.rmtree(staging, ignore_errors=True)
    placed: list[Path] = []
    try:
        with tarfile.open(archive, "r:*") as tar:
            chosen: list[tuple[tarfile.TarInfo, str]] = []
            for member in tar.getmembers():
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
            if expected_hash and _file_hash(archive, expected_hash) != expected_hash:
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
