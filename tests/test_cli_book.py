"""``genrelib book``'s options (genrelib.commands.book): what reaches the notebook runner and
the HTML build, which are replaced here (tests/test_book.py builds the book for real)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import genrelib.build as build
from genrelib.cli import main


@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Each call of execute_notebooks and build_html, in order, with its arguments."""
    made: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(build, "execute_notebooks", lambda **kw: made.append(("execute", kw)) or [])
    monkeypatch.setattr(build, "build_html", lambda **kw: made.append(("html", kw)))
    return made


def test_only_strict_and_html_only_reach_the_build(tmp_path: Path, calls) -> None:
    """--only passes its chapters (empty items dropped), --strict reaches the HTML build,
    --html-only builds the pages without executing. Break tried: each option ignored."""
    out = tmp_path / "build"
    assert main(["book", "--out", str(out), "--only", "01,03,", "--strict"]) == 0
    assert [name for name, _ in calls] == ["execute", "html"]
    assert calls[0][1]["notebooks"] == ["01", "03"] and calls[0][1]["out_dir"] == out / "executed"
    assert calls[1][1] == {"executed_dir": out / "executed", "out_dir": out, "strict": True}
    calls.clear()
    assert main(["book", "--out", str(out), "--html-only"]) == 0
    assert calls == [("html", {"executed_dir": out / "executed", "out_dir": out, "strict": False})]


def test_no_html_and_html_only_together_are_refused(tmp_path: Path, calls, capsys) -> None:
    """The two options exclude each other: exit 2, one line, nothing run."""
    assert main(["book", "--out", str(tmp_path / "build"), "--no-html", "--html-only"]) == 2
    assert capsys.readouterr().err == ("genrelib book: error: --no-html and --html-only exclude "
                                       "each other\n")
    assert calls == []


def test_a_failed_html_build_is_one_error_line_and_exit_1(tmp_path: Path, monkeypatch,
                                                          capsys) -> None:
    """A Jupyter Book failure (BookBuildError) is one ``genrelib book: error:`` line, exit 1.
    Break tried: the except clause dropped -> a traceback."""
    def fails(**_: Any) -> None:
        raise build.BookBuildError("jupyter-book build failed: see _build/html/reports")

    monkeypatch.setattr(build, "build_html", fails)
    assert main(["book", "--out", str(tmp_path / "build"), "--html-only"]) == 1
    assert capsys.readouterr().err == ("genrelib book: error: jupyter-book build failed: see "
                                       "_build/html/reports\n")
