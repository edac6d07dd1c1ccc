"""Docstring pointers stay true.

A public definition of ``genrelib`` (a module, or a function, class or method whose name
does not start with ``_``) may name the chapter that teaches it, in a line
``Notebook: NN_name.ipynb`` (several chapters: comma-separated). Each named notebook must
exist and its text (markdown or code) must mention the definition by name (a module: its
own name or a public name it defines, e.g. ``cross_validate`` for
``genrelib.pipeline.crossval``). Conversely,
every genrelib function or class a chapter's code uses carries a pointer to a chapter.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "genrelib"
NOTEBOOKS = ROOT / "notebooks"
POINTER = re.compile(r"Notebooks?:\s*(.+)")
NOTEBOOK_NAME = re.compile(r"\b\d\d_[\w-]+\.ipynb\b")


def notebook_text(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells)


CHAPTERS: dict[str, str] = {p.name: notebook_text(p) for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))}


def pointed_notebooks(docstring: str | None) -> list[str]:
    """The notebook names of every ``Notebook:`` line of a docstring, in order."""
    names: list[str] = []
    for match in POINTER.finditer(docstring or ""):
        names += NOTEBOOK_NAME.findall(match.group(1))
    return names


def mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text) is not None


def public_definitions(path: Path) -> Iterator[tuple[str, str | tuple[str, ...], str | None]]:
    """(qualified name, name(s) a chapter would use, docstring) of the module and of every
    public function, class and method of a public class in ``path``. A module is named by
    its last component or any public function or class it defines."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined = tuple(node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))
                    and not node.name.startswith("_"))
    yield module, (module.rsplit(".", 1)[-1], *defined), ast.get_docstring(tree)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            yield f"{module}.{node.name}", node.name, ast.get_docstring(node)
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and not item.name.startswith("_"):
                        yield f"{module}.{node.name}.{item.name}", item.name, ast.get_docstring(item)


DEFINITIONS = [d for p in sorted(PACKAGE.rglob("*.py")) for d in public_definitions(p)]


def false_pointers(definitions, chapters: dict[str, str]) -> list[str]:
    problems = []
    for qualified, name, docstring in definitions:
        names = (name,) if isinstance(name, str) else name
        for notebook in pointed_notebooks(docstring):
            if notebook not in chapters:
                problems.append(f"{qualified}: names {notebook}, which does not exist")
            elif not any(mentions(chapters[notebook], n) for n in names):
                problems.append(f"{qualified}: names {notebook}, which never mentions {names[0]!r}"
                                + (f" nor any of {list(names[1:])}" if len(names) > 1 else ""))
    return problems


def test_every_pointer_names_a_chapter_that_mentions_the_definition() -> None:
    assert CHAPTERS, "no chapter notebooks found"
    problems = false_pointers(DEFINITIONS, CHAPTERS)
    assert not problems, "untrue docstring pointers:\n" + "\n".join(problems)


def test_the_pointer_check_catches_a_missing_chapter_and_an_unmentioned_name() -> None:
    chapters = {"01_data.ipynb": "we call index_dataset(path) here"}
    definitions = [
        ("m.index_dataset", "index_dataset", "Index it.\nNotebook: 01_data.ipynb"),
        ("m.other", "other", "Other.\nNotebook: 01_data.ipynb"),
        ("m.later", "later", "Later. Notebooks: 01_data.ipynb, 09_later.ipynb (part 2)"),
        ("m.index", "index", "Notebook: 01_data.ipynb"),  # a word inside another name does not count
        ("pkg.used", ("used", "index_dataset"), "Notebook: 01_data.ipynb"),  # a module: a name it defines
        ("pkg.unused", ("unused", "other", "index"), "Notebook: 01_data.ipynb"),
    ]
    problems = false_pointers(definitions, chapters)
    assert problems == [
        "m.other: names 01_data.ipynb, which never mentions 'other'",
        "m.later: names 01_data.ipynb, which never mentions 'later'",
        "m.later: names 09_later.ipynb, which does not exist",
        "m.index: names 01_data.ipynb, which never mentions 'index'",
        "pkg.unused: names 01_data.ipynb, which never mentions 'unused' nor any of ['other', 'index']",
    ]


# --------------------------------------------------------------------------- what chapters use
def used_in_code(code: str) -> set[tuple[str, str]]:
    """(module, name) of every genrelib function/class/submodule a chapter's code imports
    and of every ``alias.attr`` it reads from an imported genrelib module."""
    tree = ast.parse(code)
    used: set[tuple[str, str]] = set()
    module_aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("genrelib"):
            for alias in node.names:
                used.add((node.module, alias.name))
                module_aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("genrelib"):
                    module_aliases[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in module_aliases):
            used.add((module_aliases[node.value.id], node.attr))
    return used


def chapter_code(text_cells: list[dict]) -> str:
    return "\n".join("".join(c["source"]) for c in text_cells if c["cell_type"] == "code")


def taught_objects() -> list[tuple[str, str, object]]:
    """(chapter, 'module.name', object) for every genrelib function or class a chapter uses."""
    found = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        code = chapter_code(json.loads(path.read_text(encoding="utf-8"))["cells"])
        for module_name, name in sorted(used_in_code(code)):
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError:
                continue  # e.g. `from genrelib import plots` is the module itself, seen below
            obj = getattr(module, name, None)
            if callable(obj) and getattr(obj, "__module__", "").startswith("genrelib"):
                found.append((path.name, f"{module_name}.{name}", obj))
    return found


@pytest.mark.slow
def test_every_function_a_chapter_uses_points_to_a_chapter() -> None:
    missing = sorted({f"{qualified} (used in {chapter})" for chapter, qualified, obj in taught_objects()
                      if not pointed_notebooks(obj.__doc__)})
    assert not missing, "add a 'Notebook: ...' line to the docstring of:\n" + "\n".join(missing)


def test_chapter_code_usage_is_found() -> None:
    code = ("from genrelib import plots, get_profile\nfrom genrelib.datasets import (a,\n  b)\n"
            "fig = plots.plot_x(1)\nimport genrelib.features as F\nF.log_mel(y)\n")
    assert used_in_code(code) == {
        ("genrelib", "plots"), ("genrelib", "get_profile"), ("genrelib.datasets", "a"),
        ("genrelib.datasets", "b"), ("genrelib.plots", "plot_x"), ("genrelib.features", "log_mel"),
    }
