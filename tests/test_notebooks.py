"""Static checks of the chapter notebooks (fast): committed without outputs, papermill
parameters, kernel, anatomy, and in step with the table of contents."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from genrelib.build import GENERATED_PAGES, find_notebooks, toc_files

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = find_notebooks(REPO / "notebooks")
PARAMETERS = {"data_dir": "", "profile": "quick", "seed": 0}
#: Parameters a chapter adds to the three every chapter has (the book runner leaves them at
#: their defaults; a reader changes them): chapter 9 predicts the reader's own recording.
CHAPTER_PARAMETERS = {"09_using_the_model.ipynb": {"audio_path": ""}}


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def test_there_are_chapters() -> None:
    names = [p.stem for p in NOTEBOOKS]
    assert names[:2] == ["01_data", "02_features"], names
    numbers = [int(n[:2]) for n in names]
    assert numbers == sorted(set(numbers)), f"chapter numbers must be unique and ordered: {names}"


def test_every_notebook_file_is_a_chapter() -> None:
    stray = [p.name for p in (REPO / "notebooks").glob("*.ipynb") if p not in NOTEBOOKS]
    assert not stray, f"notebooks not named NN_name.ipynb (the runner would skip them): {stray}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path) -> None:
    nb = _read(path)
    dirty = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or execution counts; clear them before committing"
    assert "papermill" not in nb.metadata, f"{path.name} is an executed copy (papermill metadata)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell(path: Path) -> None:
    nb = _read(path)
    tagged = [cell for cell in nb.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: needs exactly one cell tagged 'parameters', found {len(tagged)}"
    cell = tagged[0]
    assert cell.cell_type == "code"
    values = {}
    for node in ast.parse(cell.source).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, \
            f"{path.name}: the parameters cell may hold simple assignments only"
        values[node.targets[0].id] = ast.literal_eval(node.value)
    expected = {**PARAMETERS, **CHAPTER_PARAMETERS.get(path.name, {})}
    assert values == expected, f"{path.name}: parameters must be exactly {expected}, got {values}"
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert code_cells[1] is cell, f"{path.name}: the parameters cell must be the first code cell after " \
        "the install cell (tests/test_build_launch.py)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_kernel_and_title(path: Path) -> None:
    nb = _read(path)
    assert nb.metadata.get("kernelspec", {}).get("name") == "genre-book", \
        f"{path.name}: kernelspec name must be 'genre-book'"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith(f"# {int(path.name[:2])}. "), \
        f"{path.name}: the first cell must be the chapter's '# {int(path.name[:2])}. title' with its promise " \
        "(the number is the file's: the table of contents does not number chapters by position)"
    assert len(first.source.splitlines()) >= 3, f"{path.name}: the title cell needs its two-line promise"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_anatomy_sections(path: Path) -> None:
    text = "\n".join(c.source for c in _read(path).cells if c.cell_type == "markdown")
    for heading in ("## What we saw", "## Try it"):
        assert heading in text, f"{path.name}: missing the '{heading}' section"


#: The first line of a cell that shows library code verbatim (a test of that library module
#: keeps the cell identical to it, e.g. tests/test_features_spectral.py for chapter 2).
SHOWN_FROM_LIBRARY = re.compile(r"# From genrelib/[\w/]+\.py \(a test keeps this cell identical to the library\)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_logic_defined_in_notebooks(path: Path) -> None:
    """Functions and classes live in genrelib; notebooks only call them, or show them
    verbatim in a cell marked SHOWN_FROM_LIBRARY."""
    for index, cell in enumerate(_read(path).cells):
        if cell.cell_type != "code" or SHOWN_FROM_LIBRARY.fullmatch(cell.source.partition("\n")[0]):
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        tree = ast.parse(source)
        defined = [node.name for node in ast.walk(tree)
                   if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        assert not defined, f"{path.name} cell {index} defines {defined}: move them into genrelib"


def test_toc_lists_exactly_the_notebooks() -> None:
    listed = [f for f in toc_files(REPO / "_toc.yml") if f.startswith("notebooks/")]
    on_disk = [f"notebooks/{p.stem}" for p in NOTEBOOKS]
    assert sorted(listed) == sorted(on_disk), (
        f"_toc.yml and notebooks/ disagree: only in _toc.yml {sorted(set(listed) - set(on_disk))}, "
        f"only on disk {sorted(set(on_disk) - set(listed))}")
    assert listed == sorted(listed), "_toc.yml must list the chapters in order"


def test_toc_pages_exist() -> None:
    for entry in toc_files(REPO / "_toc.yml"):
        if entry.startswith("notebooks/") or entry in GENERATED_PAGES:
            continue
        assert (REPO / f"{entry}.md").is_file(), f"_toc.yml lists {entry}, but {entry}.md does not exist"


def test_citations_exist_in_bibliography() -> None:
    keys = set(re.findall(r"@\w+\{([^,]+),", (REPO / "references.bib").read_text(encoding="utf-8")))
    sources = [p.read_text(encoding="utf-8") for p in (REPO / "book").glob("*.md")]
    sources += [c.source for p in NOTEBOOKS for c in _read(p).cells if c.cell_type == "markdown"]
    cited = {key.strip() for text in sources for group in re.findall(r"\{cite[pt]?\}`([^`]+)`", text)
             for key in group.split(",")}
    assert cited, "no citation found in the book"
    assert not cited - keys, f"cited but not in references.bib: {sorted(cited - keys)}"
