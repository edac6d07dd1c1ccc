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
    """{name: exact source text} of the top-level functions, classes and constants
    (``NAME = ...``, ``NAME: type = ...``) of ``source``."""
    tree = ast.parse(source)
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found[node.name] = ast.get_source_segment(source, node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                found[targets[0].id] = ast.get_source_segment(source, node)
    return found


#: What each chapter must show in a library-copy cell (issue 18: the code that is the lesson).
SHOWN = {
    "03_cnn.ipynb": ("conv_block", "l2_penalty", "build_cnn", "aggregate_tracks"),
    "04_rnn.ipynb": ("build_rnn",),
    "05_crnn.ipynb": ("build_crnn",),
    "06_tuning.ipynb": ("choose_configuration",),
    "07_evaluation.ipynb": ("bootstrap_interval", "cluster_bootstrap_interval", "group_resamples",
                            "independent_ratio_band", "mcnemar_exact"),
    "08_small_data.ipynb": ("mixup", "cluster_sign_flip_pvalue"),
}


@pytest.mark.parametrize(("notebook", "name"), [(n, f) for n, names in SHOWN.items() for f in names],
                         ids=[f"{n}:{f}" for n, names in SHOWN.items() for f in names])
def test_chapter_shows_library_code(notebook: str, name: str) -> None:
    """Break tried: the library-copy cell of build_rnn turned into a plain import -> fails."""
    shown = {f for n, _, _, source in CELLS if n == notebook for f in definitions(source)}
    assert name in shown, f"{notebook} does not show {name} in a library-copy cell"


def test_constants_are_compared_too() -> None:
    """A constant copied beside a function is held to the library's text as well."""
    source = "X: int = 3\n\ndef f(a):\n    return a\n"
    assert definitions(source) == {"X": "X: int = 3", "f": "def f(a):\n    return a"}


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


BUILDERS = ("build_cnn", "build_rnn", "build_crnn")
MODEL_CELLS = [(n, c, lib, src) for n, c, lib, src in CELLS if set(BUILDERS) & set(definitions(src))]
#: Every branch of each builder: the defaults, then options that switch layers on or off.
VARIANTS = {
    "build_cnn": ({}, {"kernel_size": 5, "batch_norm": True},
                  {"filters": (8, 16), "dropout": 0.0, "dense_dropout": 0.0, "l2": 0.0}),
    "build_rnn": ({}, {"n_layers": 1, "dropout": 0.0}, {"n_layers": 3, "units": 16, "l2": 0.0}),
    "build_crnn": ({}, {"rnn": "lstm", "bidirectional": False, "pooling": "mean"},
                   {"conv_blocks": 5, "batch_norm": True, "rnn_dropout": 0.0, "l2": 0.0}),
}


def test_every_model_chapter_shows_its_model() -> None:
    """Chapters 3, 4 and 5 each hold the builder they teach (so the test below covers them)."""
    shown = {(n, name) for n, _, _, src in MODEL_CELLS for name in set(BUILDERS) & set(definitions(src))}
    assert shown == {("03_cnn.ipynb", "build_cnn"), ("04_rnn.ipynb", "build_rnn"),
                     ("05_crnn.ipynb", "build_crnn")}


def page_namespace(notebook: str, number: int, library: str) -> dict:
    """The library module's namespace after running the chapter's library-copy cells up to
    ``number`` in order, so the page's builder calls the page's ``conv_block`` too."""
    namespace = dict(vars(importlib.import_module(_module_name(library))))
    for n, c, _, source in CELLS:
        if n == notebook and c <= number:
            exec(compile(source, f"{n}:cell{c}", "exec"), namespace)  # noqa: S102 - our own notebook
    return namespace


@pytest.mark.parametrize(("notebook", "number", "library", "source"), MODEL_CELLS,
                         ids=[f"{n}:{c}" for n, c, *_ in MODEL_CELLS])
def test_page_model_is_the_library_model(notebook: str, number: int, library: str, source: str) -> None:
    """The model the chapter's cells build equals the library's, layer by layer, for the
    defaults and the options that change the layers.

    Breaks tried: a sixth conv block added to chapter 3's build_cnn, the LSTM's
    return_sequences flipped in chapter 4's build_rnn, chapter 5's Permute((2, 1, 3)) made
    Permute((1, 2, 3)) and the pooling in chapter 3's conv_block made (1, 2): each fails.
    """
    module = importlib.import_module(_module_name(library))
    namespace = page_namespace(notebook, number, library)
    for name in set(BUILDERS) & set(definitions(source)):
        shape = (130, 20) if name == "build_rnn" else (128, 130, 1)
        for options in VARIANTS[name]:
            page = namespace[name](input_shape=shape, n_classes=10, **options)
            library_model = getattr(module, name)(input_shape=shape, n_classes=10, **options)
            assert page.count_params() == library_model.count_params(), (name, options)
            assert _layers(page) == _layers(library_model), (name, options)
