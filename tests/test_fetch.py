"""``genrelib data fetch gtzan``: download (with resume), safe extraction and MD5 verification,
all offline against a small archive served by a local HTTP server with Range support.
"""

from __future__ import annotations

import hashlib
import io
import re
import socket
import tarfile
import threading
import tomllib
import types
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from genrelib.cli import main
from genrelib.config import GTZAN_GENRES
from genrelib.datasets import download as download_module
from genrelib.datasets.fetch import (FetchError, fetch_gtzan, gtzan_manifest_path,
                                     parse_archive_hash)
from genrelib.datasets.manifest import read_manifest

ROOT = Path(__file__).resolve().parents[1]
TRACKS = [("blues", 0), ("blues", 1), ("jazz", 0), ("jazz", 1)]


def au_bytes(seed: int) -> bytes:
    """A short mono 16-bit .au of noise (incompressible, so the archive has some size)."""
    buffer = io.BytesIO()
    noise = np.random.default_rng(seed).uniform(-0.5, 0.5, 4000)
    sf.write(buffer, noise, 8000, format="AU", subtype="PCM_16")
    return buffer.getvalue()


def make_archive(files: dict[str, bytes]) -> bytes:
    """A .tar.gz holding ``files`` (member name -> content)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def tracks() -> dict[str, bytes]:
    return {f"genres/{g}/{g}.{i:05d}.au": au_bytes(k) for k, (g, i) in enumerate(TRACKS)}


@pytest.fixture()
def manifest(tmp_path, tracks) -> Path:
    rows = [{"track_id": Path(rel).stem, "relative_path": rel, "md5": hashlib.md5(data).hexdigest()}
            for rel, data in tracks.items()]
    path = tmp_path / "md5.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


class ArchiveServer(ThreadingHTTPServer):
    daemon_threads = True
    files: dict[str, bytes]
    requests: list[dict]
    cut_once: bool = False       # close the connection halfway through the next full answer
    ignore_range: bool = False   # answer 200 with the whole file even to a Range request
    no_length: bool = False      # no Content-Length: the body ends when the connection closes
    content_type: str | None = None  # a Content-Type header to send
    etag: str = '"v1"'           # the ETag header sent
    last_modified: str | None = None  # a Last-Modified header to send

    def handle_error(self, request, client_address) -> None:
        """Stay quiet when the client hangs up early (the fetch stops at an HTML page).

        socketserver's default prints the server thread's traceback to stderr, which is
        the stream these tests read for the command's one-line message.
        """


class RangeHandler(BaseHTTPRequestHandler):
    """GET with ``Range: bytes=N-`` (206 / 416) and a strong ETag; records every request."""

    protocol_version = "HTTP/1.1"
    server: ArchiveServer

    def do_GET(self) -> None:  # noqa: N802
        asked = self.headers.get("Range")
        self.server.requests.append({"path": self.path, "range": asked,
                                     "if_range": self.headers.get("If-Range")})
        body = self.server.files.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", asked or "")
        if match and not self.server.ignore_range:
            start = int(match[1])
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        if self.server.no_length:
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(body) - start))
        self.send_header("ETag", self.server.etag)
        if self.server.last_modified:
            self.send_header("Last-Modified", self.server.last_modified)
        if self.server.content_type:
            self.send_header("Content-Type", self.server.content_type)
        self.end_headers()
        payload = body[start:]
        if self.server.cut_once:
            self.server.cut_once = False
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[ArchiveServer]:
    httpd = ArchiveServer(("127.0.0.1", 0), RangeHandler)
    httpd.files, httpd.requests = {}, []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def serve(server: ArchiveServer, archive: bytes, name: str = "/genres.tar.gz") -> str:
    server.files[name] = archive
    return f"http://127.0.0.1:{server.server_address[1]}{name}"


def fetch_cli(dest: Path, url: str, manifest: Path, *extra: str) -> int:
    return main(["data", "fetch", "gtzan", str(dest), "--url", url, "--checksums", str(manifest),
                 "--quiet", *extra])


def test_good_archive_is_extracted_verified_and_a_second_run_only_verifies(
        tmp_path, server, tracks, manifest, capsys):
    url = serve(server, make_archive({**tracks, "genres/blues/._blues.00000.au": b"\x00" * 211}))
    dest = tmp_path / "gtzan"
    assert fetch_cli(dest, url, manifest) == 0
    out = capsys.readouterr().out
    for rel, data in tracks.items():
        assert (dest / rel).read_bytes() == data
    assert not (dest / "genres/blues/._blues.00000.au").exists()  # macOS metadata skipped
    assert "checksums: 4 verified, 0 mismatched, 0 missing" in out
    assert f"make book DATA={dest}" in out and f"genrelib data check {dest}" in out
    assert sorted(p.name for p in dest.iterdir()) == ["genres"]  # archive, .part, staging gone
    served = len(server.requests)

    assert fetch_cli(dest, url, manifest) == 0
    out = capsys.readouterr().out
    assert len(server.requests) == served, "a complete folder must not be downloaded again"
    assert "4 verified" in out and f"make book DATA={dest}" in out


def test_keep_archive_and_archive_hash(tmp_path, server, tracks, manifest, capsys):
    archive = make_archive(tracks)
    url = serve(server, archive)
    dest = tmp_path / "gtzan"
    sha256 = hashlib.sha256(archive).hexdigest()
    assert fetch_cli(dest, url, manifest, "--keep-archive", "--md5", sha256.upper()) == 0
    assert (dest / "genres.tar.gz").read_bytes() == archive
    capsys.readouterr()

    other = tmp_path / "other"
    assert fetch_cli(other, url, manifest, "--md5", "0" * 32) == 1
    err = capsys.readouterr().err
    assert "expected 00000000000000000000000000000000" in err and "Traceback" not in err
    assert not (other / "genres").exists() and not list(other.glob("genres.tar.gz*"))

    assert fetch_cli(other, url, manifest, "--md5", "not-a-hash") == 2
    assert "neither an MD5" in capsys.readouterr().err


def test_a_corrupt_file_is_reported_by_name_and_exits_1(tmp_path, server, tracks, manifest, capsys):
    files = dict(tracks)
    files["genres/jazz/jazz.00001.au"] = files["genres/jazz/jazz.00001.au"][:-10] + b"\x01" * 10
    url = serve(server, make_archive(files))
    assert fetch_cli(tmp_path / "gtzan", url, manifest) == 1
    captured = capsys.readouterr()
    assert "CHECKSUM MISMATCH genres/jazz/jazz.00001.au" in captured.out
    assert "checksums: 3 verified, 1 mismatched, 0 missing" in captured.out
    assert "make book" not in captured.out and "PROBLEMS" in captured.err


def test_a_file_missing_from_the_archive_is_reported_by_name_and_exits_1(
        tmp_path, server, tracks, manifest, capsys):
    files = dict(tracks)
    del files["genres/blues/blues.00001.au"]
    url = serve(server, make_archive(files))
    assert fetch_cli(tmp_path / "gtzan", url, manifest) == 1
    captured = capsys.readouterr()
    assert "MISSING 1 manifest entries not found on disk: genres/blues/blues.00001.au" in captured.out
    assert "checksums: 3 verified, 0 mismatched, 1 missing" in captured.out
    assert "make book" not in captured.out and "PROBLEMS" in captured.err


def test_an_interrupted_download_is_resumed_by_the_next_run(tmp_path, server, tracks, manifest,
                                                             monkeypatch, capsys):
    archive = make_archive(tracks)
    url = serve(server, archive)
    server.cut_once = True
    dest = tmp_path / "gtzan"
    monkeypatch.setattr(download_module, "RETRY_WAIT_S", 0.0)
    with pytest.raises(FetchError, match="run the same command again to resume"):
        fetch_gtzan(dest, url=url, manifest=manifest, retries=0, progress=False)
    part = dest / "genres.tar.gz.part"
    assert part.stat().st_size == len(archive) // 2
    assert not (dest / "genres").exists()

    assert fetch_cli(dest, url, manifest) == 0
    assert server.requests[-1]["range"] == f"bytes={len(archive) // 2}-"
    assert server.requests[-1]["if_range"] == '"v1"'
    assert "4 verified" in capsys.readouterr().out
    assert not part.exists()


def test_one_run_resumes_by_itself_and_restarts_when_the_server_ignores_range(
        tmp_path, server, tracks, manifest, monkeypatch):
    archive = make_archive(tracks)
    url = serve(server, archive)
    monkeypatch.setattr(download_module, "RETRY_WAIT_S", 0.0)
    server.cut_once = True
    result = fetch_gtzan(tmp_path / "a", url=url, manifest=manifest, retries=1, progress=False)
    assert result.ok and result.downloaded and result.extracted == 4
    assert [r["range"] for r in server.requests] == [None, f"bytes={len(archive) // 2}-"]

    server.requests.clear()
    server.cut_once, server.ignore_range = True, False
    with pytest.raises(FetchError):
        fetch_gtzan(tmp_path / "b", url=url, manifest=manifest, retries=0, progress=False)
    server.ignore_range = True  # 200 + whole file: the part must be rewritten, not appended to
    result = fetch_gtzan(tmp_path / "b", url=url, manifest=manifest, retries=0, progress=False)
    assert result.ok and server.requests[-1]["range"] is not None


def test_a_short_body_without_length_is_not_taken_for_the_whole_file(
        tmp_path, server, tracks, manifest):
    archive = make_archive(tracks)
    url = serve(server, archive)
    dest = tmp_path / "gtzan"
    server.cut_once = True
    with pytest.raises(FetchError, match="interrupted"):
        fetch_gtzan(dest, url=url, manifest=manifest, retries=0, progress=False)
    # the resumed answer carries its total only in Content-Range and ends early, cleanly
    server.cut_once = server.no_length = True
    with pytest.raises(FetchError, match=f"closed after .* of {len(archive):,} bytes"):
        fetch_gtzan(dest, url=url, manifest=manifest, retries=0, progress=False)
    assert not (dest / "genres.tar.gz").exists()
    assert fetch_gtzan(dest, url=url, manifest=manifest, retries=0, progress=False).ok


def test_a_complete_part_file_is_finished_without_downloading(tmp_path, server, tracks, manifest):
    archive = make_archive(tracks)
    url = serve(server, archive)
    dest = tmp_path / "gtzan"
    dest.mkdir()
    (dest / "genres.tar.gz.part").write_bytes(archive)  # all bytes came, the rename did not happen
    (dest / "genres.tar.gz.part.json").write_text(f'{{"url": "{url}", "validator": "\\"v1\\""}}')
    result = fetch_gtzan(dest, url=url, manifest=manifest, retries=0, progress=False)
    assert result.ok and server.requests[-1]["range"] == f"bytes={len(archive)}-"
    assert len(server.requests) == 1


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_server_gives_one_clear_line_and_exit_1(tmp_path, manifest, capsys):
    dest = tmp_path / "gtzan"
    assert fetch_cli(dest, f"http://127.0.0.1:{closed_port()}/genres.tar.gz", manifest) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err + captured.out
    assert "cannot reach" in lines[0] and "Connection refused" in lines[0]
    assert "kaggle.com/datasets/andradaolteanu" in lines[0]
    assert "huggingface.co/datasets/marsyas/gtzan" in lines[0]
    assert not list(dest.glob("genres.tar.gz*"))


def test_http_errors_and_timeouts_are_clear(tmp_path, server, manifest, capsys):
    url = f"http://127.0.0.1:{server.server_address[1]}/nothing-here.tar.gz"
    assert fetch_cli(tmp_path / "gtzan", url, manifest) == 1
    err = capsys.readouterr().err
    assert "HTTP 404" in err and "Traceback" not in err and "kaggle.com" in err

    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        with pytest.raises(FetchError, match=r"no answer .* within 0.2 s.*Kaggle"):
            fetch_gtzan(tmp_path / "slow", url=f"http://127.0.0.1:{silent.getsockname()[1]}/g.tar.gz",
                        manifest=manifest, timeout=0.2, progress=False)


def test_an_archive_with_a_member_outside_dir_is_refused(tmp_path, server, tracks, manifest, capsys):
    url = serve(server, make_archive({**tracks, "genres/../../evil.au": b"gotcha"}))
    dest = tmp_path / "deep" / "gtzan"
    assert fetch_cli(dest, url, manifest) == 1
    err = capsys.readouterr().err
    assert "refused" in err and "genres/../../evil.au" in err and "Traceback" not in err
    assert not (tmp_path / "evil.au").exists() and not (tmp_path / "deep" / "evil.au").exists()
    assert not (dest / "genres").exists(), "nothing may be extracted from a refused archive"


HTML = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Log in first</body></html>\n" * 50


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", None])
def test_an_html_page_instead_of_the_archive_is_named(tmp_path, server, manifest, capsys, content_type):
    server.content_type = content_type  # said by the header (whatever the body), or sniffed
    url = serve(server, b"Access denied\n" * 50 if content_type else HTML)
    dest = tmp_path / "gtzan"
    assert fetch_cli(dest, url, manifest) == 1
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert f"the server sent an HTML page, not a tar.gz ({url})" in lines[0]
    assert not list(dest.glob("genres*"))  # nothing kept to resume from


def test_an_html_page_already_downloaded_is_named_when_extracting(tmp_path, manifest, capsys):
    dest = tmp_path / "gtzan"
    dest.mkdir()
    (dest / "genres.tar.gz").write_bytes(HTML)  # e.g. saved by hand from a browser
    assert fetch_cli(dest, "http://127.0.0.1:9/unused.tar.gz", manifest) == 1
    err = capsys.readouterr().err
    assert f"{dest / 'genres.tar.gz'} is an HTML page, not a tar.gz" in err and "delete it" in err


def stop(server: ArchiveServer) -> None:
    server.shutdown()
    server.server_close()  # connections are refused from now on


def test_a_lost_connection_ends_with_the_kept_part_and_how_to_resume(tmp_path, server, tracks, manifest,
                                                                    monkeypatch, capsys):
    archive = make_archive(tracks)
    url = serve(server, archive)
    server.cut_once = True
    # the connection breaks halfway, and the server is gone when the download is resumed
    monkeypatch.setattr(download_module, "time", types.SimpleNamespace(sleep=lambda s: stop(server)))
    dest = tmp_path / "gtzan"
    assert fetch_cli(dest, url, manifest) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    part = dest / "genres.tar.gz.part"
    assert part.stat().st_size == len(archive) // 2
    assert f"the partial download ({len(archive) // 2:,} bytes) is kept in {part}" in last
    assert "run the same command again to resume" in last


def test_an_interrupted_fetch_says_the_part_is_kept(tmp_path, server, tracks, manifest, monkeypatch, capsys):
    url = serve(server, make_archive(tracks))

    def interrupted(url, part, *args, **kwargs):
        part.write_bytes(b"x" * 1000)
        raise KeyboardInterrupt

    monkeypatch.setattr(download_module, "_transfer", interrupted)
    dest = tmp_path / "gtzan"
    assert fetch_cli(dest, url, manifest) == 130
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"interrupted: the partial download (1,000 bytes) is kept in {dest / 'genres.tar.gz.part'}" in last
    assert "run the same command again to resume" in last


@pytest.mark.parametrize("member", ["/genres/blues/blues.00099.au", "/etc/cron.d/gtzan"])
def test_an_archive_member_with_an_absolute_path_is_refused(tmp_path, server, tracks, manifest, capsys, member):
    url = serve(server, make_archive({**tracks, member: b"gotcha"}))
    dest = tmp_path / "gtzan"
    assert fetch_cli(dest, url, manifest) == 1
    err = capsys.readouterr().err
    assert "refused" in err and f"{member!r}" in err and "absolute path" in err and "Traceback" not in err
    assert not (dest / "genres").exists() and not (dest / member.lstrip("/")).exists()


def test_the_shipped_manifest_lists_the_1000_gtzan_tracks(repo_root):
    table = read_manifest(gtzan_manifest_path())  # raises on a malformed MD5
    assert len(table) == 1000 and table["track_id"].is_unique
    genres = table["track_id"].str.split(".").str[0]
    assert genres.value_counts().to_dict() == {genre: 100 for genre in GTZAN_GENRES}
    assert table["md5"].str.fullmatch(r"[0-9a-f]{32}").all()
    expected_ids = {f"{g}.{i:05d}" for g in GTZAN_GENRES for i in range(100)}
    assert set(table["track_id"]) == expected_ids
    # installed with the package, not only present in the source tree
    pyproject = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))
    data = pyproject["tool"]["setuptools"]["package-data"]
    assert gtzan_manifest_path().name in data["genrelib.datasets"]


def test_archive_hash_parsing():
    assert parse_archive_hash(" ABCDEF" + "0" * 26) == "abcdef" + "0" * 26
    assert len(parse_archive_hash("f" * 64)) == 64
    with pytest.raises(ValueError, match="neither an MD5"):
        parse_archive_hash("f" * 40)


@pytest.mark.parametrize("url", ["notaurl", "/tmp/genres.tar.gz", "ftp://example.org/genres.tar.gz", "http://"])
def test_a_url_that_is_no_web_address_is_a_usage_error(tmp_path, manifest, url, capsys):
    """Refused before anything is written, exit 2 (not a network failure's 1), saying what to
    do with an archive already at hand.

    Break tried: no ``check_download_url`` in run_fetch -> exit 1 "cannot reach" (and
    "downloading ..." on stdout)."""
    assert fetch_cli(tmp_path / "gtzan", url, manifest) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and not (tmp_path / "gtzan").exists()
    assert captured.err == (f"genrelib data: error: --url {url!r} is not an http:// or https:// address. "
                            "For an archive you already have, unpack it into DIR (tar xzf genres.tar.gz "
                            "-C DIR) and run `genrelib data fetch gtzan DIR`: a folder that holds every "
                            "track is only verified\n")


def test_a_resume_names_last_modified_when_the_etag_is_weak(tmp_path, server, monkeypatch) -> None:
    """If-Range may only name a strong ETag: with a weak one the resume names Last-Modified instead.

    Break tried: take any ETag as the validator -> the resume sends If-Range 'W/"v1"'.
    """
    url = serve(server, b"x" * 4000, name="/file.bin")
    server.etag, server.last_modified = 'W/"v1"', "Wed, 21 Oct 2015 07:28:00 GMT"
    server.cut_once = True
    monkeypatch.setattr(download_module, "RETRY_WAIT_S", 0.0)
    target = tmp_path / "file.bin"
    with pytest.raises(FetchError, match="interrupted"):
        download_module.download_file(url, target, retries=0, progress=False)
    assert download_module.download_file(url, target, retries=0, progress=False).read_bytes() == b"x" * 4000
    assert server.requests[-1]["range"] == "bytes=2000-"
    assert server.requests[-1]["if_range"] == "Wed, 21 Oct 2015 07:28:00 GMT"


def test_a_part_longer_than_the_file_on_the_server_is_downloaded_afresh(tmp_path, server, monkeypatch) -> None:
    """A 416 answer means "nothing left" only when the server's size equals the part's; a part
    longer than the file (the file changed) is discarded and the file downloaded again.

    Break tried: take any 416 with a Content-Range as complete -> the stale 5000-byte part becomes the file.
    """
    url = serve(server, b"y" * 3000, name="/file.bin")
    monkeypatch.setattr(download_module, "RETRY_WAIT_S", 0.0)
    target = tmp_path / "file.bin"
    (tmp_path / "file.bin.part").write_bytes(b"x" * 5000)
    (tmp_path / "file.bin.part.json").write_text(f'{{"url": "{url}", "validator": "\\"v1\\""}}')
    assert download_module.download_file(url, target, retries=1, progress=False).read_bytes() == b"y" * 3000
    assert [r["range"] for r in server.requests] == ["bytes=5000-", None]
