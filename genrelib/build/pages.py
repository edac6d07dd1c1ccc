"""The book's pages made at build time from the repository's records, never typed: the
results page (``genrelib.results``) and the appendix on training speed
(``genrelib.build.speed``)."""

from __future__ import annotations

from pathlib import Path

from genrelib.build.chapters import REPO_ROOT

#: Pages of the book made at build time from the repository's records, not written by hand.
GENERATED_PAGES: tuple[str, ...] = ("book/results", "book/speed")


def write_generated_pages(stage_dir: Path, *, root: Path = REPO_ROOT) -> list[Path]:
    """Write the generated pages (``GENERATED_PAGES``) into ``stage_dir``: the results page
    from the reference records under ``root/results/reference`` (``genrelib.results``), the
    appendix on training speed and its figure from ``root/benchmarks/records``
    (``genrelib.build.speed``)."""
    from genrelib.build.speed import SPEED_RECORDS_DIR, speed_page
    from genrelib.results import RECORDS_DIR, results_page

    book = Path(stage_dir) / "book"
    book.mkdir(parents=True, exist_ok=True)
    results = book / "results.md"
    results.write_text(results_page(root / RECORDS_DIR.relative_to(REPO_ROOT)), encoding="utf-8")
    speed = book / "speed.md"
    speed.write_text(speed_page(root / SPEED_RECORDS_DIR.relative_to(REPO_ROOT),
                                figure=book / "speed.png"), encoding="utf-8")
    return [results, speed]
