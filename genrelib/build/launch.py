"""The chapters' first code cell: on Colab (or any Jupyter without genrelib) it fetches the
book's repository, named in ``_config.yml``, and installs genrelib from it (and, for a chapter
that uses the pretrained taggers, musicnn's weights without their dependencies); where
genrelib is installed (``make book``, Binder) it does nothing. It is hidden on the pages (``remove-cell``).
``python -m genrelib.build.launch`` writes it into every chapter (after a fork changes the
repository in ``_config.yml``); Binder's own set-up is ``binder/``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from genrelib.build.chapters import NOTEBOOKS_DIR, REPO_ROOT, find_notebooks

#: The install cell's id in every chapter, and its tag (Jupyter Book leaves it off the page).
CELL_ID = "install-genrelib"
HIDE_TAG = "remove-cell"
#: Environment variables the cell reads: a local checkout to install instead of cloning the
#: repository, and extra pip options (the offline test: --no-deps --no-build-isolation).
SOURCE_ENV = "GENREBOOK_SOURCE"
PIP_OPTIONS_ENV = "GENREBOOK_PIP_OPTIONS"
#: What the chapters need beside the core dependencies (Keras for chapters 3-9, Optuna for 6).
EXTRAS = "models,tune"
#: pyproject's extra installed WITHOUT its dependencies by a chapter that imports
#: ``PRETRAINED_MODULE`` (chapter 10: musicnn's wheel, the source of the taggers' weights).
PRETRAINED_EXTRA = "pretrained"
PRETRAINED_MODULE = "genrelib.pretrained"


def pretrained_pins(pyproject: Path = REPO_ROOT / "pyproject.toml") -> tuple[str, ...]:
    """The pins of pyproject's ``PRETRAINED_EXTRA`` ("musicnn==0.1.0"), as the Makefile and
    Binder's postBuild install them (``--no-deps``)."""
    import tomllib

    project = tomllib.loads(Path(pyproject).read_text(encoding="utf-8"))["project"]
    return tuple(project["optional-dependencies"][PRETRAINED_EXTRA])


def repository(config_path: Path = REPO_ROOT / "_config.yml") -> tuple[str, str]:
    """``(url, branch)`` of the book's repository, from ``_config.yml``'s ``repository``."""
    import yaml

    config = yaml.safe_load(Path(config_path).read_text(encoding="utf-8"))
    section = config.get("repository") or {}
    if not str(section.get("url", "")).startswith("https://"):
        raise ValueError(f"{config_path}: repository.url must be the book's https:// repository URL")
    return str(section["url"]), str(section.get("branch", "main"))


def install_cell_source(url: str, branch: str, *, no_deps: tuple[str, ...] = ()) -> str:
    """The Python source of the install cell for the repository ``url`` at ``branch``;
    ``no_deps``: pins installed after genrelib without their dependencies (chapter 10's)."""
    extra = "".join(f'''
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *options, "--no-deps",
                    "{pin}"], check=True)''' for pin in no_deps)
    return f'''# On Colab (or any Jupyter without genrelib): fetch the book's repository and install
# genrelib from it, with its pinned dependencies. Where genrelib is installed this does nothing.
import importlib.util
import os
import shlex
import subprocess
import sys

if importlib.util.find_spec("genrelib") is None:
    source = os.path.abspath(os.environ.get("{SOURCE_ENV}", "genre-book"))
    if not os.path.isdir(source):
        subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--branch", "{branch}",
                        "{url}", source], check=True)
    options = shlex.split(os.environ.get("{PIP_OPTIONS_ENV}", ""))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *options,
                    "--editable", source + "[{EXTRAS}]"], check=True){extra}
    sys.path.insert(0, source)  # the editable install is seen by new kernels; this one too'''


def chapter_install_source(nb: object, url: str, branch: str) -> str:
    """The install cell of the chapter ``nb`` (a notebook): with ``pretrained_pins()`` when
    one of its code cells imports ``PRETRAINED_MODULE``."""
    uses = any(cell.cell_type == "code" and not is_install_cell(cell) and PRETRAINED_MODULE in cell.source
               for cell in nb.cells)
    return install_cell_source(url, branch, no_deps=pretrained_pins() if uses else ())


def is_install_cell(cell: object) -> bool:
    """Whether a notebook cell is the install cell (by its id)."""
    return getattr(cell, "cell_type", None) == "code" and cell.get("id") == CELL_ID


def write_install_cells(notebooks: Sequence[Path] | None = None, *,
                        config_path: Path = REPO_ROOT / "_config.yml") -> list[Path]:
    """Make the install cell the first code cell of every chapter (``notebooks``, default all),
    with the repository of ``config_path``: inserted before the first code cell, or its
    source replaced. Nothing else in a notebook changes. Returns the notebooks written."""
    import nbformat

    url, branch = repository(config_path)
    written = []
    for path in notebooks if notebooks is not None else find_notebooks(NOTEBOOKS_DIR):
        nb = nbformat.read(path, as_version=4)
        source = chapter_install_source(nb, url, branch)
        existing = next((cell for cell in nb.cells if is_install_cell(cell)), None)
        if existing is not None:
            if existing.source == source and HIDE_TAG in existing.metadata.get("tags", []):
                continue
            existing.source = source
            existing.metadata["tags"] = [HIDE_TAG]
        else:
            cell = nbformat.v4.new_code_cell(source, id=CELL_ID)
            cell.metadata["tags"] = [HIDE_TAG]
            first = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), len(nb.cells))
            nb.cells.insert(first, cell)
        nbformat.write(nb, path)
        written.append(Path(path))
    return written


if __name__ == "__main__":
    for written_path in write_install_cells():
        print(f"install cell written: {written_path}")
    sys.exit(0)
