"""README.md opens with what the book is and a Quick start of exactly two commands."""

from __future__ import annotations

import re
from pathlib import Path


def _section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def _commands(section: str) -> list[str]:
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section, flags=re.S)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_quick_start_is_exactly_make_book_and_make_test(repo_root: Path) -> None:
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    assert _commands(_section(text, "Quick start")) == ["make book", "make test"]


def test_readme_opens_with_what_the_book_is(repo_root: Path) -> None:
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    before_quick_start = text.split("## Quick start")[0]
    assert "genre classification" in before_quick_start and "GTZAN" in before_quick_start
    assert "(being written)" not in text


def test_readme_says_where_to_get_gtzan(repo_root: Path) -> None:
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    for needle in ("marsyas/gtzan", "kaggle.com", "jazz.00054.wav", "make book DATA="):
        assert needle in text, f"README.md should mention {needle!r}"


def test_setup_page_in_step_with_readme(repo_root: Path) -> None:
    setup = (repo_root / "book" / "setup.md").read_text(encoding="utf-8")
    for needle in ("make book", "make test", "make lab", "marsyas/gtzan", "jazz.00054.wav",
                   "environment.yml", "GENREBOOK_CACHE", "make book VENV=$CONDA_PREFIX"):
        assert needle in setup, f"book/setup.md should mention {needle!r}"

