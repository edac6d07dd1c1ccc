"""genrelib.runs: the JSON files of a run folder."""

from __future__ import annotations

import numpy as np

from genrelib.runs import load_json, save_json


def test_save_json_writes_standard_json(tmp_path) -> None:
    path = save_json({"x": float("nan"), "a": np.arange(3), "f": np.float32(0.5)}, tmp_path / "x.json")
    assert "NaN" not in path.read_text()
    assert load_json(path) == {"x": None, "a": [0, 1, 2], "f": 0.5}



def test_a_chapters_run_folder_names_its_profile_and_seed(tmp_path) -> None:
    """The notebooks' runs of one chapter keep a folder per profile and seed, so a quick run is
    never read back as the full one (``reuse=True``) or overwritten by it. Break tried: the
    profile left out of the folder's name -> quick and full share a folder."""
    from genrelib.runs import default_run_dir

    quick = default_run_dir("03_cnn", profile="quick", seed=0, cache_dir=tmp_path)
    assert quick == tmp_path / "runs" / "03_cnn-quick-seed0"
    assert len({quick, default_run_dir("03_cnn", profile="full", seed=0, cache_dir=tmp_path),
                default_run_dir("03_cnn", profile="quick", seed=1, cache_dir=tmp_path)}) == 3
