"""Downloading a file over HTTP that survives a broken connection, and says what happened.

The download goes to ``NAME.part``; a later run asks the server for the rest (HTTP
``Range``, with ``If-Range`` naming the version the part came from, so a file that changed
on the server is fetched afresh rather than glued onto an old part). The file is renamed
into place only when complete. Network problems raise ``FetchError``: one line that names
the manual alternatives (``MANUAL_SOURCES``) and, when a part is kept, how to resume; an
HTML page sent in place of the file is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from genrelib.cache import atomic_write_text

__all__ = ["FetchError", "MANUAL_SOURCES", "RETRY_WAIT_S", "check_download_url", "download_file", "file_hash",
           "looks_like_html", "parse_archive_hash", "partial_download_note"]

#: Where to get GTZAN by hand when the download fails (also in README, "Getting GTZAN").
MANUAL_SOURCES: tuple[tuple[str, str], ...] = (
    ("Kaggle", "https://www.kaggle.com/datasets/andradaolteanu/gtzan-dataset-music-genre-classification"),
    ("Hugging Face", "https://huggingface.co/datasets/marsyas/gtzan"),
)
#: Seconds waited before the n-th automatic resume of an interrupted download is n times this.
RETRY_WAIT_S = 2.0

_CHUNK = 1 << 20
_HASH_RE = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{64})$")
_CONTENT_RANGE_RE = re.compile(r"^bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)$")


class FetchError(Exception):
    """The download or the archive failed; the message is one line that says what to do."""


class _Interrupted(Exception):
    """The transfer broke off after it started: the part file is kept for a resume."""


def parse_archive_hash(value: str) -> str:
    """``value`` lower-cased when it is an MD5 (32 hex digits) or a SHA-256 (64); ValueError otherwise."""
    digest = value.strip().lower()
    if not _HASH_RE.match(digest):
        raise ValueError(f"{value!r} is neither an MD5 (32 hex digits) nor a SHA-256 (64 hex digits)")
    return digest


def check_download_url(value: str) -> str:
    """``value`` when it is an http(s) address with a host; ValueError saying what to give
    otherwise (a local archive is unpacked by hand: ``data fetch`` then only verifies it)."""
    from urllib.parse import urlsplit

    parts = urlsplit(value.strip())
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return value.strip()
    raise ValueError(
        f"--url {value!r} is not an http:// or https:// address. For an archive you already have, "
        "unpack it into DIR (tar xzf genres.tar.gz -C DIR) and run `genrelib data fetch gtzan DIR`: "
        "a folder that holds every track is only verified")


def _manual_hint() -> str:
    sources = "; ".join(f"{name}: {url}" for name, url in MANUAL_SOURCES)
    return (f"Get GTZAN by hand instead ({sources}; see README, \"Getting GTZAN\"), unpack it and "
            f"run `genrelib data check DIR`")


def file_hash(path: Path, digest: str) -> str:
    """The MD5 (``digest`` of 32 hex digits) or SHA-256 (64) of a file, in hex."""
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


def looks_like_html(head: bytes) -> bool:
    """Whether the first bytes of a file are an HTML page (a login, error or download page
    served in place of the file)."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<!--"))


def _html_page(url: str) -> FetchError:
    return FetchError(f"the server sent an HTML page, not a tar.gz ({url}): a login, error or "
                      f"download page? {_manual_hint()}")


def partial_download_note(part: Path) -> str:
    """"the partial download (N bytes) is kept in PART: run the same command again to
    resume", or "" when there is no part (or an empty one)."""
    size = part.stat().st_size if part.is_file() else 0
    if not size:
        return ""
    return f"the partial download ({size:,} bytes) is kept in {part}: run the same command again to resume"


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
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media in ("text/html", "application/xhtml+xml"):
            if not offset:
                _discard(part, state_file)
            raise _html_page(url)
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
                                           unit_divisor=1024, disable=not progress,
                                           desc=part.name.removesuffix(".part"),
                                           leave=False) as bar:
            while True:
                try:
                    chunk = next(stream)
                except StopIteration:
                    break
                except (TransportError, requests.exceptions.RequestException, OSError) as error:
                    out.flush()
                    raise _Interrupted(_reason(error)) from None
                if out.tell() == 0 and looks_like_html(chunk[:512]):
                    out.close()
                    _discard(part, state_file)
                    raise _html_page(url)
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
    the part stays for the next call (every ``FetchError`` then ends with
    ``partial_download_note``). An HTML page in place of the file is refused and not kept.
    ``expected_hash`` (MD5 or SHA-256 hex) is checked once
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
        except FetchError as error:  # the server cannot be reached (any more), refuses, ...
            kept = partial_download_note(part)
            if kept:
                raise FetchError(f"{error}; {kept}") from None
            raise
        except _Interrupted as error:
            if attempt >= retries:
                kept = partial_download_note(part) or "nothing was kept: run the same command again"
                raise FetchError(f"the download of {url} was interrupted ({error}); {kept}") from None
            attempt += 1
            log(f"download interrupted ({error}); resuming (try {attempt} of {retries})")
            time.sleep(RETRY_WAIT_S * attempt)
    if expected_hash:
        actual = file_hash(part, expected_hash)
        if actual != expected_hash:
            _discard(part, state_file)
            raise FetchError(f"the archive downloaded from {url} has hash {actual}, expected "
                             f"{expected_hash}; it was removed: run again to download it afresh, or "
                             f"check the --md5 value")
    os.replace(part, path)
    _discard(state_file)
    return path


