"""The pages made from records at build time (genrelib.build.pages): both are written, and
the same records give the same bytes (the HTML build is skipped when nothing changed).
The results page's content is tested in tests/test_results.py, the speed appendix's in
tests/test_build_speed.py."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_the_paired_tests_count_below_the_bar_in_the_right_number(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """One p-value below Bonferroni's bar "is" below it; two "are"."""
    import pandas as pd

    from genrelib.build import pages

    def lines(pvalues: list[float]) -> str:
        table = pd.DataFrame({"a": ["x"] * len(pvalues), "pvalue": pvalues})
        monkeypatch.setattr(pages, "paired_table", lambda records, root: table)
        monkeypatch.setattr(pages, "display_paired", lambda shown: shown)
        return "\n".join(pages._paired_lines(pd.DataFrame(), "unused"))

    assert "4 tests in all" in lines([0.001, 0.5, 0.5, 0.5])
    assert "and 1 of the p-values is below it" in lines([0.001, 0.5, 0.5, 0.5])
    assert "and 2 of the p-values are below it" in lines([0.001, 0.002, 0.5, 0.5])


def test_variants_without_records_have_their_hours_said_not_recorded() -> None:
    """Records of the study's models only: the variants' training time is "not recorded"."""
    import pandas as pd

    from genrelib.build.pages import _cost_lines

    records = pd.DataFrame({"model": ["cnn"], "device": ["CPU (2 cores)"], "epochs_run": [4],
                            "seconds_per_epoch": [900.0]})
    text = _cost_lines(records)[0]
    assert "took 1.0 h on CPU (2 cores) in all" in text
    assert "(their training epochs: not recorded)" in text


@pytest.mark.parametrize(("device", "measured"), [("GPU (NVIDIA H100 80GB HBM3)", True),
                                                  ("NVIDIA H200", True), ("CPU (2 cores)", False)])
def test_the_results_page_knows_a_gpu_by_the_speed_pages_rule(device: str, measured: bool) -> None:
    """A record trained on a card named without the word GPU still counts as a GPU run, as on
    the speed page (one rule, ``speed.on_gpu``): no "not measured yet" for the GPU then."""
    import pandas as pd

    from genrelib.build.pages import _cost_lines
    from genrelib.build.speed import on_gpu

    records = pd.DataFrame({"model": ["cnn"], "device": [device], "epochs_run": [4],
                            "seconds_per_epoch": [900.0]})
    assert on_gpu(device) is measured
    assert ("On a GPU: **not measured yet**" in _cost_lines(records)[0]) is not measured
