"""Which notebooks make the book (genrelib.build.chapters): chapters in order, a pick of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from genrelib.build.chapters import find_notebooks


def test_find_notebooks_orders_and_filters(tmp_path: Path) -> None:
    for name in ("02_b.ipynb", "01_a.ipynb", "10_c.ipynb", "scratch.ipynb"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in find_notebooks(tmp_path)] == ["01_a.ipynb", "02_b.ipynb", "10_c.ipynb"]
    assert [p.name for p in find_notebooks(tmp_path, only=["2", "01_a"])] == ["01_a.ipynb", "02_b.ipynb"]
    with pytest.raises(ValueError, match="no notebook matches '07'"):
        find_notebooks(tmp_path, only=["07"])


def _chapter(path: Path, *sources: str) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('"09_not_code"')]
                                  + [nbformat.v4.new_code_cell(s) for s in sources])
    nbformat.write(nb, path)
    return path


def test_a_chapter_waits_for_chapters_1_and_2_and_for_the_earlier_chapters_whose_runs_it_reuses(tmp_path: Path) -> None:
    from genrelib.build.chapters import chapter_dependencies

    one, two = _chapter(tmp_path / "01_a.ipynb", "x = 1"), _chapter(tmp_path / "02_b.ipynb", "y = 2")
    three = _chapter(tmp_path / "03_c.ipynb", 'run = default_run_dir("03_cnn")')
    four = _chapter(tmp_path / "04_d.ipynb", "run = default_run_dir('03_cnn')")
    five = _chapter(tmp_path / "05_e.ipynb", 'folder = f"04_cv_{seed}"', '"07_later" and "99"')
    needs = chapter_dependencies([one, two, three, four, five])
    assert needs == {one: [], two: [one], three: [one, two], four: [one, two, three],
                     five: [one, two, four]}, "a later chapter's name or a markdown cell must not count"
    # Chapters left out of the build are not waited for.
    assert chapter_dependencies([three, four]) == {three: [], four: [three]}


def test_the_books_chapters_wait_for_the_runs_they_reuse() -> None:
    """The run folders the chapters share (chapter 3's CNN, 5's CRNN, 7's logistic regression);
    chapter 10 fits its own logistic regression ("10_logreg") and so does not wait for chapter 7."""
    from genrelib.build.chapters import chapter_dependencies

    needs = {p.name[:2]: {q.name[:2] for q in qs} for p, qs in chapter_dependencies(find_notebooks()).items()}
    assert needs["01"] == set() and needs["02"] == {"01"}
    assert {"03"} <= needs["05"] and {"03", "04", "05"} <= needs["07"]
    assert {"03", "05"} <= needs["09"] and needs["10"] == {"01", "02", "03", "08"}
    assert all(n < chapter for chapter, ns in needs.items() for n in ns)


def test_a_run_folder_named_in_markdown_only_is_not_waited_for(tmp_path: Path) -> None:
    """Only code cells count: prose naming an earlier chapter's run adds no dependency."""
    import nbformat

    from genrelib.build.chapters import chapter_dependencies

    three = _chapter(tmp_path / "03_c.ipynb", 'run = default_run_dir("03_cnn")')
    four = _chapter(tmp_path / "04_d.ipynb", "x = 1")
    nb = nbformat.read(four, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell('Chapter 3 trained "03_cnn".'))
    nbformat.write(nb, four)
    assert chapter_dependencies([three, four]) == {three: [], four: []}


def test_find_notebooks_takes_file_names_skips_blanks_and_lists_a_chapter_once(
        tmp_path: Path) -> None:
    """``only`` may name "01_a.ipynb", hold blank entries, or name a chapter twice."""
    for name in ("01_a.ipynb", "02_b.ipynb"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in find_notebooks(tmp_path, only=["01_a.ipynb"])] == ["01_a.ipynb"]
    assert [p.name for p in find_notebooks(tmp_path, only=["", " ", "02"])] == ["02_b.ipynb"]
    assert [p.name for p in find_notebooks(tmp_path, only=["1", "01_a"])] == ["01_a.ipynb"]


def test_only_files_named_exactly_nn_name_ipynb_are_chapters(tmp_path: Path) -> None:
    """A backup such as ``01_a.ipynb.orig`` is not a chapter; a missing folder is named."""
    for name in ("01_a.ipynb", "01_a.ipynb.orig", "02_b.ipynb~"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in find_notebooks(tmp_path)] == ["01_a.ipynb"]
    with pytest.raises(FileNotFoundError, match="notebook folder .*none does not exist"):
        find_notebooks(tmp_path / "none")
