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
