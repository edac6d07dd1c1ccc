"""The book pipeline: the runner executes the chapters with papermill, stops at the first
failing notebook naming it and the cell, and Jupyter Book builds the HTML from the
executed copies. The full run (every chapter, quick profile, synthetic data, then the
HTML build) happens once per session and is marked slow; chapters 1-2 also run on the real
GTZAN mini set when it is present."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from genrelib.book import (BookBuildError, NotebookExecutionError, build_html, execute_notebooks,
                           find_notebooks, stage_book, toc_files)

REPO = Path(__file__).resolve().parents[1]
CHAPTERS = find_notebooks(REPO / "notebooks")
_PLOT_CALL = re.compile(r"\bplots\.plot_\w+\(")


def _figure_calls(path: Path) -> int:
    """How many figures a chapter draws: its calls into genrelib.plots."""
    nb = nbformat.read(path, as_version=4)
    return sum(len(_PLOT_CALL.findall(c.source)) for c in nb.cells if c.cell_type == "code")


def _write_notebook(path: Path, sources: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A chapter")]
    params = nbformat.v4.new_code_cell('data_dir = ""\nprofile = "quick"\nseed = 0')
    params.metadata["tags"] = ["parameters"]
    nb.cells.append(params)
    nb.cells.extend(nbformat.v4.new_code_cell(s) for s in sources)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


# --------------------------------------------------------------------------- fast: the runner


def test_failing_notebook_is_named_with_its_cell_and_stops_the_run(tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write_notebook(folder / "01_ok.ipynb", ["print(profile, seed, repr(data_dir))"])
    _write_notebook(folder / "02_broken.ipynb", ["x = 1", "raise RuntimeError('deliberate failure')"])
    _write_notebook(folder / "03_after.ipynb", ["print('must not run')"])
    lines: list[str] = []
    with pytest.raises(NotebookExecutionError) as caught:
        execute_notebooks(notebooks_dir=folder, out_dir=tmp_path / "out", cache_dir=tmp_path / "cache",
                          seed=3, log=lines.append)
    error = caught.value
    assert error.notebook.name == "02_broken.ipynb"
    assert error.cell_index == 3  # title, parameters, "x = 1", then the failing cell
    assert error.ename == "RuntimeError" and "deliberate failure" in error.evalue
    message = str(error)
    assert "02_broken.ipynb" in message and "cell 3" in message and "deliberate failure" in message
    assert not (tmp_path / "out" / "03_after.ipynb").exists(), "the run must stop at the first failure"
    assert any("01_ok.ipynb" in line and line.rstrip().endswith("s") for line in lines), lines
    executed = nbformat.read(tmp_path / "out" / "01_ok.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert "quick 3 ''" in printed, "papermill parameters were not injected"


def test_cli_reports_the_failing_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    import genrelib.book as book
    from genrelib.cli import main

    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write_notebook(folder / "01_broken.ipynb", ["1 / 0"])
    monkeypatch.setattr(book, "NOTEBOOKS_DIR", folder)
    monkeypatch.setenv("GENREBOOK_CACHE", str(tmp_path / "cache"))
    code = main(["book", "--no-html", "--out", str(tmp_path / "build")])
    err = capsys.readouterr().err
    assert code == 1
    assert "01_broken.ipynb" in err and "cell 2" in err and "ZeroDivisionError" in err


def test_find_notebooks_orders_and_filters(tmp_path: Path) -> None:
    for name in ("02_b.ipynb", "01_a.ipynb", "10_c.ipynb", "scratch.ipynb"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in find_notebooks(tmp_path)] == ["01_a.ipynb", "02_b.ipynb", "10_c.ipynb"]
    assert [p.name for p in find_notebooks(tmp_path, only=["2", "01_a"])] == ["01_a.ipynb", "02_b.ipynb"]
    with pytest.raises(ValueError, match="no notebook matches '07'"):
        find_notebooks(tmp_path, only=["07"])


def test_unknown_profile_and_missing_data_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown profile"):
        execute_notebooks(profile="fast", out_dir=tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        execute_notebooks(data_dir=tmp_path / "nowhere", out_dir=tmp_path)


def test_staging_refuses_a_toc_entry_that_was_not_executed(tmp_path: Path) -> None:
    executed = tmp_path / "executed"
    executed.mkdir()
    with pytest.raises(FileNotFoundError, match="notebooks/01_data"):
        stage_book(executed_dir=executed, stage_dir=tmp_path / "stage", root=REPO)


def test_book_configuration_builds_offline_from_executed_copies() -> None:
    import yaml

    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    assert config["execute"]["execute_notebooks"] == "off"
    assert config["bibtex_bibfiles"] == ["references.bib"]
    assert config["repository"]["url"].startswith("https://github.com/")
    assert {"binderhub_url", "colab_url"} <= set(config["launch_buttons"])
    toc = toc_files(REPO / "_toc.yml")
    assert toc[0] == "book/intro" and "book/references" in toc and "book/setup" in toc


# --------------------------------------------------------------------------- slow: the whole book


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every chapter executed (quick profile, synthetic data) and the HTML book built."""
    root = tmp_path_factory.mktemp("book")
    runs = execute_notebooks(profile="quick", data_dir="", seed=0, out_dir=root / "executed",
                             cache_dir=root / "cache", timeout=600)
    index = build_html(executed_dir=root / "executed", out_dir=root / "build")
    return {"runs": runs, "index": index, "html": index.parent}


@pytest.mark.slow
def test_every_chapter_executes(built_book: dict) -> None:
    assert [run.name for run in built_book["runs"]] == [p.name for p in CHAPTERS]
    for run in built_book["runs"]:
        nb = nbformat.read(run.output, as_version=4)
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if o.output_type == "error"]
        assert not errors, f"{run.name}: error outputs {errors}"


@pytest.mark.slow
def test_index_and_prose_pages_are_built(built_book: dict) -> None:
    html = built_book["html"]
    assert built_book["index"].is_file()
    for entry in toc_files(REPO / "_toc.yml"):
        assert (html / f"{entry}.html").is_file(), f"page {entry}.html was not built"
    references = (html / "book" / "references.html").read_text(encoding="utf-8")
    for author in ("Tzanetakis", "Sturm", "Kereliuk", "Choi", "Ashraf"):
        assert author in references, f"the bibliography lacks {author}"
    intro = (html / "book" / "intro.html").read_text(encoding="utf-8")
    assert "mybinder.org" in intro or "colab" in intro.lower() or "launch" in intro.lower()


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_page_shows_its_figures(built_book: dict, chapter: Path) -> None:
    page = built_book["html"] / "notebooks" / f"{chapter.stem}.html"
    assert page.is_file(), f"{page} was not built"
    text = page.read_text(encoding="utf-8")
    images = re.findall(r"<img[^>]+src=\"([^\"]*_images/[^\"]+\.png|data:image/png[^\"]*)\"", text)
    expected = _figure_calls(chapter)
    assert expected > 0, f"{chapter.name} draws no figure"
    assert len(images) >= expected, f"{page.name}: {len(images)} figures shown, {expected} drawn"
    assert "absl::InitializeLog" not in text, f"{page.name} shows TensorFlow's start-up logs"
    for src in images:
        if not src.startswith("data:"):
            assert (page.parent / src).resolve().is_file(), f"{page.name}: missing image {src}"
    assert "Traceback" not in text, f"{page.name} shows a traceback"


@pytest.mark.slow
def test_chapter_1_has_an_audio_player_per_genre(built_book: dict) -> None:
    text = (built_book["html"] / "notebooks" / "01_data.html").read_text(encoding="utf-8")
    assert text.count("<audio") >= 10, "chapter 1 should embed one player per genre"
    assert "data:audio/wav;base64," in text


@pytest.mark.slow
@pytest.mark.realdata
def test_chapters_1_and_2_on_the_real_mini_set(gtzan_mini: Path, tmp_path: Path) -> None:
    runs = execute_notebooks(profile="quick", data_dir=gtzan_mini, seed=0, notebooks=["01", "02"],
                             out_dir=tmp_path / "executed", cache_dir=tmp_path / "cache", timeout=600)
    assert [r.name for r in runs] == ["01_data.ipynb", "02_features.ipynb"]
    text = "".join(str(o) for c in nbformat.read(runs[0].output, as_version=4).cells
                   if c.cell_type == "code" for o in c.get("outputs", []))
    assert "80 readable tracks" in text and "John Lee Hooker" in text


def test_build_failure_carries_the_builder_output(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "book").mkdir(parents=True)
    (root / "_config.yml").write_text("title: broken\nexecute:\n  execute_notebooks: 'off'\n")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nparts: [not a mapping]\n")
    (root / "references.bib").write_text("")
    (root / "book" / "intro.md").write_text("# Intro\n")
    (tmp_path / "executed").mkdir()
    with pytest.raises(BookBuildError, match="jupyter-book build failed"):
        build_html(executed_dir=tmp_path / "executed", out_dir=tmp_path / "build", root=root, log=None)


def test_backend_start_up_logs_are_removed_other_outputs_kept(tmp_path: Path) -> None:
    from genrelib.book import drop_backend_noise

    noise = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
             "I0000 00:00:1795614563.855573   28227 port.cc:153] oneDNN custom operations are on.\n"
             "E0000 00:00:1795612778.816190   20661 node_def_util.cc:682] NodeDef mentions attribute\n")
    cell = nbformat.v4.new_code_cell("import keras")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text=noise),
        nbformat.v4.new_output("stream", name="stderr", text=noise + "UserWarning: keep me\n"),
        nbformat.v4.new_output("stream", name="stdout", text="I0000 stdout is never touched\n"),
    ]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    assert drop_backend_noise(path) == 6
    outputs = nbformat.read(path, as_version=4).cells[0].outputs
    assert [o["text"] for o in outputs] == ["UserWarning: keep me\n", "I0000 stdout is never touched\n"]
    assert drop_backend_noise(path) == 0
