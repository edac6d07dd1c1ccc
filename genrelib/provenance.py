"""What a result was computed with: the versions of Python and the book's libraries, and a
configuration as a table (every chapter prints both; runs record the versions).
Notebook: 01_data.ipynb
"""

from __future__ import annotations

import platform
from collections.abc import Iterable
from importlib import metadata
from typing import Any

import pandas as pd

__all__ = ["BOOK_PACKAGES", "settings_table", "versions"]

#: The packages whose versions every chapter prints.
BOOK_PACKAGES: tuple[str, ...] = ("genrelib", "numpy", "scipy", "librosa", "scikit-learn",
                                  "pandas", "matplotlib", "keras", "tensorflow-cpu")


def versions(packages: Iterable[str] = BOOK_PACKAGES) -> dict[str, str]:
    """The installed versions of Python and of ``packages``, from their metadata only
    (importing nothing, so TensorFlow is not loaded).

    Parameters
    ----------
    packages : iterable of str
        Distribution names; default ``BOOK_PACKAGES``.

    Returns
    -------
    dict of str to str
        ``{"python": "3.12.1", package: version, ...}``; "not installed" for a missing package.

    Notebook: 01_data.ipynb
    """
    found = {"python": platform.python_version()}
    for name in packages:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def settings_table(settings: Any, *, name: str | None = None) -> pd.DataFrame:
    """A configuration as a one-column table, one row per setting, every value shown with
    its own type (``epochs`` 3, not 3.000000 as a numeric column would print it); a setting
    left at None reads "None (what it means)" where the configuration's ``NONE_MEANS`` says
    (``TrainConfig``'s ``devices``: "None (every visible device)").

    Parameters
    ----------
    settings : object with ``to_dict()``, or a mapping
        A frozen configuration (``FeatureConfig``, ``TrainConfig``, ...) or a dict.
    name : str, optional
        The column's heading; default the class name ("value" for a mapping).

    Returns
    -------
    pandas.DataFrame
        Shape (n_settings, 1), indexed by setting name, dtype object.

    Notebook: 03_cnn.ipynb
    """
    values = settings.to_dict() if hasattr(settings, "to_dict") else dict(settings)
    meaning = getattr(settings, "NONE_MEANS", {})
    values = {key: f"None ({meaning[key]})" if value is None and key in meaning else value
              for key, value in values.items()}
    title = name or (type(settings).__name__ if hasattr(settings, "to_dict") else "value")
    return pd.Series(values, dtype=object, name=title).to_frame()
