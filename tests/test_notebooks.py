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
def test_the_set_up_shows_genrelibs_warnings_as_lines(path: Path) -> None:
    """The set-up cell (the first code cell after the parameters) calls
    ``show_warnings_briefly()``: a warning of genrelib's is a line of output on the page, not
    a stderr block, which the book's build test refuses (tests/test_book.py)."""
    code_cells = [c for c in _read(path).cells if c.cell_type == "code"]
    calls = [node for node in ast.walk(_code(code_cells[2])) if isinstance(node, ast.Call)
             and getattr(node.func, "id", "") == "show_warnings_briefly"]
    assert calls, f"{path.name}: call show_warnings_briefly() in the set-up cell (from genrelib import ...)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_anatomy_sections(path: Path) -> None:
    text = "\n".join(c.source for c in _read(path).cells if c.cell_type == "markdown")
    for heading in ("## What we saw", "## Try it"):
        assert heading in text, f"{path.name}: missing the '{heading}' section"


#: The first line of a cell that shows library code verbatim (tests/test_chapter_code.py
#: keeps the cell identical to the library).
SHOWN_FROM_LIBRARY = re.compile(r"# From genrelib/[\w/]+\.py \(a test keeps this cell identical to the library\)")
#: The first line of a cell whose functions are the reader's own, not genrelib's (an
#: exercise's solution, an experiment): they may not reuse a genrelib name.
READERS_OWN = re.compile(r"# Your own code \(not in genrelib\)(:.*)?")
def _genrelib_names() -> frozenset[str]:
    """Every top-level function, class and constant name of genrelib's modules."""
    names = set()
    for path in (REPO / "genrelib").rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    return frozenset(names)


GENRELIB_NAMES = _genrelib_names()


def _code(cell: nbformat.NotebookNode) -> ast.Module:
    """A code cell's syntax tree (IPython's %magics and !commands left out)."""
    return ast.parse("\n".join(line for line in cell.source.splitlines()
                               if not line.lstrip().startswith(("%", "!"))))


def forks(cells: list[nbformat.NotebookNode]) -> list[str]:
    """The definitions of a chapter that could silently fork genrelib's logic: a ``def`` or
    ``class`` outside a library-copy cell, unless its cell is marked READERS_OWN and its name
    is no genrelib name."""
    problems = []
    for index, cell in enumerate(cells):
        first = cell.source.partition("\n")[0]
        if cell.cell_type != "code" or SHOWN_FROM_LIBRARY.fullmatch(first):
            continue
        defined = [node.name for node in ast.walk(_code(cell))
                   if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        if defined and not READERS_OWN.fullmatch(first):
            problems.append(f"cell {index} defines {defined}: put the code in genrelib and show it in a "
                            "library-copy cell, or start the cell with '# Your own code (not in genrelib)'")
        elif clash := sorted(set(defined) & GENRELIB_NAMES):
            problems.append(f"cell {index} redefines genrelib's {clash}: a copy that can drift; "
                            "show the library's in a library-copy cell instead")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_definitions_are_library_copies_or_the_readers_own(path: Path) -> None:
    """Logic does not fork silently: a chapter's ``def``/``class`` is a copy of genrelib's
    (tests/test_chapter_code.py keeps it equal) or explicitly the reader's own."""
    problems = forks(_read(path).cells)
    assert not problems, f"{path.name}: " + "; ".join(problems)


def test_the_fork_check_catches_an_unmarked_def_and_a_renamed_copy() -> None:
    """Breaks tried: a ``def vote(...)`` in a plain cell, and a cell marked as the reader's own
    that defines ``aggregate_tracks``: both reported; the marked, new name passes."""
    new = nbformat.v4.new_code_cell
    cells = [new("def vote(p):\n    return p.argmax(1)"),
             new("# Your own code (not in genrelib): a vote\ndef aggregate_tracks(p):\n    pass"),
             new("# Your own code (not in genrelib): a vote\ndef my_vote(p):\n    pass"),
             new("# From genrelib/evaluation/aggregate.py (a test keeps this cell identical to the library)\n"
                 "def aggregate_tracks(p):\n    pass")]
    problems = forks(cells)
    assert len(problems) == 2
    assert problems[0].startswith("cell 0 defines ['vote']")
    assert problems[1].startswith("cell 1 redefines genrelib's ['aggregate_tracks']")


#: The Keras code each model chapter shows in its code cells (issue 18): its layers, and the
#: training loop's ``compile`` and ``fit``.
KERAS_CODE = {
    "03_cnn.ipynb": {"Conv2D", "MaxPooling2D", "Dense", "compile", "fit"},
    "04_rnn.ipynb": {"LSTM", "Dense", "compile", "fit"},
    "05_crnn.ipynb": {"Permute", "Reshape", "GRU", "Bidirectional", "compile", "fit"},
}


def keras_code(cells: list[nbformat.NotebookNode]) -> set[str]:
    """The ``keras.layers.X`` a chapter's code cells name, and the methods they call
    (``model.compile(...)`` -> "compile")."""
    found = set()
    for cell in cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(_code(cell)):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
                    and node.value.attr == "layers"):
                found.add(node.attr)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                found.add(node.func.attr)
    return found


@pytest.mark.parametrize("name", sorted(KERAS_CODE))
def test_model_chapters_show_their_keras_code(name: str) -> None:
    """Break tried: chapter 4's build_rnn cell replaced by an import and its one-batch check
    removed -> LSTM, compile and fit are reported missing."""
    missing = KERAS_CODE[name] - keras_code(_read(REPO / "notebooks" / name).cells)
    assert not missing, f"{name}: no code cell shows {sorted(missing)}"


#: Chapters already written to issue 18's anatomy (a checked exercise, hidden "What we saw"
#: code); the other chapters join when they are converted.
CONVERTED = ("03_cnn.ipynb", "04_rnn.ipynb", "05_crnn.ipynb")


def _section(cells: list[nbformat.NotebookNode], heading: str) -> list[nbformat.NotebookNode]:
    """The cells after the markdown cell that opens with ``heading``, up to the next '## '."""
    start = next((i for i, c in enumerate(cells) if c.cell_type == "markdown"
                  and c.source.startswith(heading)), None)
    if start is None:
        return []
    rest = cells[start + 1:]
    end = next((i for i, c in enumerate(rest) if c.cell_type == "markdown" and c.source.startswith("## ")),
               len(rest))
    return rest[:end]


def _assigned(tree: ast.Module) -> dict[str, ast.expr | None]:
    """{name: value} of the top-level ``name = value`` statements of a cell (value None for
    a name assigned as part of a tuple, ``a, b = ...``)."""
    found: dict[str, ast.expr | None] = {}
    for node in tree.body:
        for target in node.targets if isinstance(node, ast.Assign) else []:
            if isinstance(target, ast.Name):
                found[target.id] = node.value
            elif isinstance(target, ast.Tuple):
                found.update({e.id: None for e in target.elts if isinstance(e, ast.Name)})
    return found


def exercise_problems(cells: list[nbformat.NotebookNode]) -> list[str]:
    """What keeps the exercises of a "Try it" section from being checkable: each is three code
    cells in a row, the reader's (visible, ``name = ...`` for each answer to fill in), the
    solution (tagged "hide-cell": it assigns every answer, and runs in CI) and the check
    (visible, an ``assert`` on the answers)."""
    code = [c for c in cells if c.cell_type == "code"]
    hidden = [i for i, c in enumerate(code) if "hide-cell" in c.metadata.get("tags", [])]
    if not hidden:
        return ["no exercise (a collapsed solution cell, tag 'hide-cell')"]
    problems = []
    for i in hidden:
        first = code[i].source.partition("\n")[0]
        if i == 0 or i + 1 == len(code) or {"hide-cell", "hide-input"} & {
                *code[i - 1].metadata.get("tags", []), *code[i + 1].metadata.get("tags", [])}:
            problems.append(f"{first!r}: needs a visible exercise cell before it and a visible check after it")
            continue
        answers = {name for name, value in _assigned(_code(code[i - 1])).items()
                   if isinstance(value, ast.Constant) and value.value is Ellipsis}
        missing = answers - set(_assigned(_code(code[i])))
        checked = {node.id for a in ast.walk(_code(code[i + 1])) if isinstance(a, ast.Assert)
                   for node in ast.walk(a) if isinstance(node, ast.Name)}
        if not answers:
            problems.append(f"{first!r}: the cell before it leaves no answer to fill in (name = ...)")
        elif missing:
            problems.append(f"{first!r}: does not compute the answers {sorted(missing)}")
        elif not checked & answers:
            problems.append(f"{first!r}: the cell after it asserts none of the answers {sorted(answers)}")
    return problems


@pytest.mark.parametrize("name", CONVERTED)
def test_try_it_has_checked_exercises(name: str) -> None:
    """An exercise the reader fills in, a hidden solution executed in CI, an assert that checks
    the answers. Break tried: chapter 5's first check made a print (no assert) -> fails."""
    problems = exercise_problems(_section(_read(REPO / "notebooks" / name).cells, "## Try it"))
    assert not problems, f"{name}, '## Try it': " + "; ".join(problems)


def test_the_exercise_check_catches_each_missing_part() -> None:
    """Breaks tried: no reader cell, a solution that leaves an answer out, a check without assert."""
    new = nbformat.v4.new_code_cell
    solution = new("x = 1\ny = 2", metadata={"tags": ["hide-cell"]})
    reader, check = new("x = ...\ny = ..."), new("assert (x, y) == (1, 2)")
    assert exercise_problems([reader, solution, check]) == []
    assert "visible exercise cell" in exercise_problems([solution, check])[0]
    assert "does not compute the answers ['y']" in exercise_problems(
        [reader, new("x = 1", metadata={"tags": ["hide-cell"]}), check])[0]
    assert "asserts none" in exercise_problems([reader, solution, new("print(x, y)")])[0]
    assert "no answer to fill in" in exercise_problems([new("x = 0"), solution, check])[0]


@pytest.mark.parametrize("name", CONVERTED)
def test_what_we_saw_hides_its_formatting_code(name: str) -> None:
    """Break tried: the hide-input tag removed from chapter 3's "What we saw" cell -> fails."""
    cells = [c for c in _section(_read(REPO / "notebooks" / name).cells, "## What we saw")
             if c.cell_type == "code"]
    assert cells, f"{name}: '## What we saw' has no code cell reading the chapter's numbers"
    shown = [i for i, c in enumerate(cells) if "hide-input" not in c.metadata.get("tags", [])]
    assert not shown, f"{name}: the code of 'What we saw' must be tagged hide-input (cells {shown})"


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
