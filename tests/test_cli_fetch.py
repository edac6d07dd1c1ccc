"""``genrelib data fetch``'s report (genrelib.commands.data.run_fetch) from a given fetch
result: ``fetch_gtzan`` is replaced here, so no server, archive or file is needed
(tests/test_fetch.py downloads for real)."""

from __future__ import annotations

from pathlib import Path

import pytest

from genrelib.cli import main
from genrelib.datasets import fetch
from genrelib.datasets.fetch import FetchResult
from genrelib.datasets.manifest import ChecksumReport


def fetch_with(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, report: ChecksumReport,
               extracted: int) -> int:
    """``genrelib data fetch gtzan DEST`` whose download and extraction gave ``report``."""
    dest = tmp_path / "gtzan"
    result = FetchResult(dest=dest, downloaded=bool(extracted), extracted=extracted,
                         checksums=report)
    monkeypatch.setattr(fetch, "fetch_gtzan", lambda *args, **kwargs: result)
    return main(["data", "fetch", "gtzan", str(dest), "--quiet"])


def test_files_of_another_format_are_listed_as_not_verified(tmp_path, monkeypatch, capsys) -> None:
    """A file whose format differs from the manifest's (a .wav for its .au) is named as not
    verified; it fails nothing. Break tried: the unverified listing dropped -> no line."""
    unverified = [{"path": str(tmp_path / "gtzan/genres/blues/blues.00000.wav"),
                   "relative_path": "genres/blues/blues.00000.wav",
                   "reason": "a .wav, the manifest's is .au"}]
    report = ChecksumReport(unverified=unverified, verified=999)
    assert fetch_with(monkeypatch, tmp_path, report, extracted=0) == 0
    out = capsys.readouterr().out.splitlines()
    assert ("1 files not verified (another format than the manifest's): "
            "genres/blues/blues.00000.wav") in out
    assert "checksums: 999 verified, 0 mismatched, 0 missing" in out


def test_tracks_missing_after_an_extraction_blame_the_archive(tmp_path, monkeypatch,
                                                              capsys) -> None:
    """Manifest tracks missing right after extracting an archive: the archive is not the
    complete GTZAN (another --url?), said on stderr; missing from a folder fetched earlier,
    only the count. Break tried: the archive sentence dropped -> the cause goes unsaid."""
    report = ChecksumReport(missing=["genres/blues/blues.00001.au"], verified=998)
    assert fetch_with(monkeypatch, tmp_path, report, extracted=998) == 1
    captured = capsys.readouterr()
    assert "checksums: 998 verified, 0 mismatched, 1 missing (998 files extracted)" in captured.out
    assert captured.err == (f"PROBLEMS: 1 track(s) of the manifest are not in {tmp_path / 'gtzan'} "
                            "although the archive was extracted: it is not the complete GTZAN "
                            "the manifest describes (another --url?)\n")
    assert fetch_with(monkeypatch, tmp_path, report, extracted=0) == 1
    captured = capsys.readouterr()
    assert captured.err == f"PROBLEMS: 1 track(s) of the manifest are not in {tmp_path / 'gtzan'}\n"
    assert "make book" not in captured.out
