"""The code a chapter teaches is the code the library runs.

A chapter shows a library function on the page in a code cell whose first line is
``# From genrelib/<module>.py (a test keeps this cell identical to the library)``, followed
by the function's ``def`` (or ``class``) exactly as it is in that file; the cell runs, so a
reader can edit it and re-run the chapter. These tests fail when the page and the library
drift apart: the text of every definition, and, for the models of chapters 3-5, the model
each one builds (layers, shapes, parameter counts, configurations).
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MARKER = re.compile(r"^# From (genrelib/[\w/]+\.py) \(a test keeps this cell identical to the library\)\s*$")


def library_cells() -> list[tuple[str, int, str, str]]:
    """(notebook name, cell number, library path, cell source) of every marked cell."""
    found = []
    for path in NOTEBOOKS:
        for number, cell in enumerate(nbformat.read(path, as_version=4).cells):
            first = cell.source.split("\n", 1)[0]
            if cell.cell_type == "code" and (match := MARKER.match(first)):
                found.append((path.name, number, match.group(1), cell.source))
    return found


CELLS = library_cells()


def definitions(source: str) -> dict[str, str]:
    """{name: exact source text} of the top-level functions and classes of ``source``."""
    tree = ast.parse(source)
    return {node.name: ast.get_source_segment(source, node)
            for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}


def test_chapters_show_library_code() -> None:
    """At least the models, the vote, the log-mel and the statistics are shown."""
    shown = {name for *_, source in CELLS for name in definitions(source)}
    for name in ("build_cnn", "build_rnn", "build_crnn", "aggregate_tracks", "bootstrap_interval",
                 "mcnemar_exact"):
        assert name in shown, f"no chapter shows {name} in a library-copy cell"


@pytest.mark.parametrize(("notebook", "number", "library", "source"), CELLS,
                         ids=[f"{n}:{c}" for n, c, *_ in CELLS])
def test_page_code_is_the_library_code(notebook: str, number: int, library: str, source: str) -> None:
    """Break tried: one changed default in a chapter's build_cnn -> this test fails."""
    on_page = definitions(source)
    assert on_page, f"{notebook} cell {number} claims to copy {library} but defines nothing"
    in_library = definitions((ROOT / library).read_text(encoding="utf-8"))
    for name, text in on_page.items():
        assert name in in_library, f"{notebook} cell {number} defines {name}, which {library} does not"
        assert text == in_library[name], (
            f"{notebook} cell {number}: {name} differs from {library}; copy the library's "
            "definition into the cell (or change both)")


def _module_name(library: str) -> str:
    return library[:-3].replace("/", ".")


def _layers(model) -> list[tuple[str, str, tuple, int, dict]]:
    rows = []
    for layer in model.layers:
        config = {k: v for k, v in layer.get_config().items() if k != "name"}
        rows.append((layer.name, type(layer).__name__, tuple(layer.output.shape), layer.count_params(),
                     config))
    return rows


MODEL_CELLS = [(n, c, lib, src) for n, c, lib, src in CELLS
               if {"build_cnn", "build_rnn", "build_crnn"} & set(definitions(src))]


@pytest.mark.parametrize(("notebook", "number", "library", "source"), MODEL_CELLS,
                         ids=[f"{n}:{c}" for n, c, *_ in MODEL_CELLS])
def test_page_model_is_the_library_model(notebook: str, number: int, library: str, source: str) -> None:
    """The model the chapter's cell builds equals the library's, layer by layer.

    Break tried: a sixth conv block added to the cell's build_cnn -> this test fails.
    """
    module = importlib.import_module(_module_name(library))
    namespace = dict(vars(module))
    exec(compile(source, f"{notebook}:cell{number}", "exec"), namespace)  # noqa: S102 - our own notebook
    for name in {"build_cnn", "build_rnn", "build_crnn"} & set(definitions(source)):
        shape = (130, 20) if name == "build_rnn" else (128, 130, 1)
        page = namespace[name](input_shape=shape, n_classes=10)
        library_model = getattr(module, name)(input_shape=shape, n_classes=10)
        assert page.count_params() == library_model.count_params()
        assert _layers(page) == _layers(library_model)
