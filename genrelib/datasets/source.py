"""What a run or an evaluation reads: a dataset folder or an already built index.

Notebook: 01_data.ipynb
"""

from __future__ import annotations

import os
from typing import Union

from genrelib.datasets.index import DatasetIndex, index_dataset

#: A dataset folder (GTZAN in either layout, any ``<genre>/<audio files>`` tree) or its index.
DataSource = Union[str, "os.PathLike[str]", DatasetIndex]


def as_index(data: DataSource, *, progress: bool = False) -> DatasetIndex:
    """The index of ``data``: ``data`` itself when it is a DatasetIndex, else ``index_dataset``.

    Parameters
    ----------
    data : str, path or DatasetIndex
    progress : bool
        A progress bar while indexing a folder.

    Returns
    -------
    DatasetIndex
    """
    if isinstance(data, DatasetIndex):
        return data
    if not isinstance(data, (str, os.PathLike)):
        raise TypeError(f"data must be a dataset folder or a DatasetIndex, got {type(data).__name__}")
    return index_dataset(data, progress=progress)
