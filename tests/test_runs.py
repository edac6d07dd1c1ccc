"""genrelib.runs: the JSON files of a run folder."""

from __future__ import annotations

import numpy as np

from genrelib.runs import load_json, save_json


def test_save_json_writes_standard_json(tmp_path) -> None:
    path = save_json({"x": float("nan"), "a": np.arange(3), "f": np.float32(0.5)}, tmp_path / "x.json")
    assert "NaN" not in path.read_text()
    assert load_json(path) == {"x": None, "a": [0, 1, 2], "f": 0.5}

