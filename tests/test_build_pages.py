"""The pages made from records at build time (genrelib.build.pages): both are written, and
the same records give the same bytes (the HTML build is skipped when nothing changed).
The results page's content is tested in tests/test_results.py, the speed appendix's in
tests/test_build_speed.py."""

from __future__ import annotations

from pathlib import Path

from genrelib.build.chapters import REPO_ROOT
from genrelib.build.pages import GENERATED_PAGES, write_generated_pages


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_generated_pages_are_written_and_reproducible(tmp_path: Path) -> None:
    pages = write_generated_pages(tmp_path / "a", root=REPO_ROOT)
    assert [p.relative_to(tmp_path / "a").with_suffix("").as_posix() for p in pages] == list(GENERATED_PAGES)
    first = _files(tmp_path / "a")
    assert set(first) == {"book/results.md", "book/speed.md", "book/speed.png"}
    write_generated_pages(tmp_path / "b", root=REPO_ROOT)
    assert _files(tmp_path / "b") == first


def test_the_pages_are_made_from_the_records_of_the_root_given(tmp_path: Path) -> None:
    """Both pages read ``root``'s records, not the repository's."""
    import json

    records = tmp_path / "repo" / "benchmarks" / "records"
    records.mkdir(parents=True)
    environment = {"backend": "jax", "device": "GPU (a test card)", "date": "2030-01-02"}
    row = {"model": "cnn", "loop": "plain", "train_segments": 100, "first_epoch_s": 2.0,
           "s_per_epoch": 1.0}
    record = {"environment": environment, "results": [row]}
    (records / "training-loop-test.json").write_text(json.dumps(record))
    results, speed = write_generated_pages(tmp_path / "stage", root=tmp_path / "repo")
    assert "No reference records yet" in results.read_text()
    text = speed.read_text()
    assert "- `training-loop-test.json`: GPU (a test card)" in text
    assert "Not measured yet" not in text and "training-loop-cpu" not in text
