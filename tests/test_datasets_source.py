"""genrelib.datasets.source: what a run or an evaluation reads, a dataset folder or its index."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import make_dataset

from genrelib.datasets import DatasetIndex
from genrelib.datasets.source import as_index


def test_as_index_takes_a_folder_or_an_index(tmp_path) -> None:
    """A folder (str or Path) is indexed; an index is used as it is (not indexed again: a
    run on a subset of tracks keeps its subset); anything else is a TypeError naming it.

    Break tried: as_index without its DatasetIndex branch (index_dataset(data.root)) -> the
    subset's tracks come back whole and this test fails."""
    root = make_dataset(tmp_path / "data", per_genre=3)
    from_str, from_path = as_index(str(root)), as_index(Path(root))
    assert isinstance(from_str, DatasetIndex) and len(from_str.tracks) == 6
    assert from_path.tracks["track_id"].tolist() == from_str.tracks["track_id"].tolist()
    subset = from_str.subset(from_str.tracks["track_id"].tolist()[:2])
    assert as_index(subset) is subset and len(as_index(subset).tracks) == 2
    with pytest.raises(TypeError, match="a dataset folder or a DatasetIndex, got list"):
        as_index([root])
