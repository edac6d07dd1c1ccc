"""Which files make the book: the chapter notebooks in order, the chapters each one waits for,
and the table of contents."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

#: The repository root (the book's sources, ``notebooks/``, ``results/``, ``benchmarks/``).
REPO_ROOT = Path(__file__).resolve().parents[2]
#: Where the chapter notebooks live.
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
_NOTEBOOK_NAME = re.compile(r"^(\d\d)_[A-Za-z0-9_\-]+\.ipynb$")


def find_notebooks(notebooks_dir: Path | None = None, *,
                   only: Sequence[str] | None = None) -> list[Path]:
    """The chapter notebooks ``NN_name.ipynb`` of ``notebooks_dir`` in chapter order.

    ``only`` keeps the chapters whose number ("01") or name ("01_data" or
    "01_data.ipynb") is listed; ValueError names any entry that matches nothing.
    """
    notebooks_dir = Path(notebooks_dir) if notebooks_dir is not None else NOTEBOOKS_DIR
    if not notebooks_dir.is_dir():
        raise FileNotFoundError(f"notebook folder {notebooks_dir} does not exist")
    found = sorted(p for p in notebooks_dir.iterdir() if _NOTEBOOK_NAME.match(p.name))
    if only is None:
        return found
    wanted = [str(item).strip() for item in only if str(item).strip()]
    chosen: list[Path] = []
    for item in wanted:
        stem = item[:-len(".ipynb")] if item.endswith(".ipynb") else item
        hits = [p for p in found if p.stem == stem or p.name[:2] == stem.zfill(2)]
        if not hits:
            names = ", ".join(p.stem for p in found) or "none"
            raise ValueError(f"no notebook matches {item!r} in {notebooks_dir} (chapters: {names})")
        chosen.extend(p for p in hits if p not in chosen)
    return sorted(chosen)


def toc_files(toc_path: Path) -> list[str]:
    """Every ``file:`` entry of a Jupyter Book ``_toc.yml`` (root first), without suffix.
    """
    import yaml

    data = yaml.safe_load(Path(toc_path).read_text(encoding="utf-8"))
    files: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if key in node:
                    files.append(str(node[key]))
            for value in node.values():
                if isinstance(value, (list, dict)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return files


#: Chapters every later chapter waits for when chapters run side by side: chapter 1 makes
#: (or indexes) the data and chapter 2 computes its features, which the others read.
PREPARING_CHAPTERS: tuple[str, ...] = ("01", "02")
# A run folder of chapter NN in a code cell: default_run_dir("03_cnn", ...), "05_crnn", f"08_cnn_{x}".
_RUN_FOLDER_LITERAL = re.compile(r"""["'](\d\d)_[A-Za-z]""")


def chapter_dependencies(notebooks: Sequence[Path]) -> dict[Path, list[Path]]:
    """For each chapter, the chapters of ``notebooks`` that must finish before it starts when
    chapters run side by side (``genrelib book --jobs``): the earlier chapters whose run
    folders (a string starting "NN_" in a code cell, e.g. ``default_run_dir("03_cnn")``) it
    reuses, and the ``PREPARING_CHAPTERS`` before it. A chapter never waits for a later one.
    """
    import nbformat

    by_number = {p.name[:2]: p for p in notebooks}
    needs: dict[Path, list[Path]] = {}
    for path in notebooks:
        number = path.name[:2]
        code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        wanted = set(_RUN_FOLDER_LITERAL.findall(code)) | set(PREPARING_CHAPTERS)
        needs[path] = [by_number[n] for n in sorted(wanted) if n < number and n in by_number]
    return needs
