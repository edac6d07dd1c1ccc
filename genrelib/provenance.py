"""What a result was computed with: the versions of Python and the book's libraries, and a
configuration as a table (every chapter prints both; runs record the versions).
Notebook: 01_data.ipynb
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["BOOK_PACKAGES", "CPU_NOT_RECORDED", "GENRELIB_DIR", "cpu_of", "machine_description",
           "settings_table", "source_digest", "versions"]

#: The packages whose versions every chapter prints.
BOOK_PACKAGES: tuple[str, ...] = ("genrelib", "numpy", "scipy", "librosa", "scikit-learn",
                                  "pandas", "matplotlib", "keras", "tensorflow-cpu")


#: The genrelib package's folder (its sources).
GENRELIB_DIR = Path(__file__).resolve().parent


def source_digest(package_dir: str | Path = GENRELIB_DIR, *, leave_out: Iterable[str] = ()) -> str:
    """SHA-256 (hex) of every source file below ``package_dir``: relative path and bytes, in
    path order; caches and ``.pyc`` files are skipped, and so are the top-level entries named
    in ``leave_out``. Any edit, addition or removal of a file changes it (run records keep
    its first 16 digits; the book's notebook cache keys on it).
    """
    package_dir, leave_out = Path(package_dir), set(leave_out)
    digest = hashlib.sha256()
    files = sorted(p for p in package_dir.rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
                   and p.relative_to(package_dir).parts[0] not in leave_out)
    for path in files:
        digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


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


#: The widest vector instructions a CPU offers, widest first (``/proc/cpuinfo`` flag, name):
#: oneDNN and other math kernels choose their code by them, so the same run can differ in its
#: last digits between two CPUs, and 30 epochs of training turn that into a different model.
SIMD_LEVELS: tuple[tuple[str, str], ...] = (("avx512f", "AVX-512"), ("avx2", "AVX2"), ("avx", "AVX"),
                                            ("asimd", "NEON"))


def machine_description(cpuinfo: str | Path = "/proc/cpuinfo") -> str:
    """The machine a record names: system, architecture, CPU model and its widest vector
    instructions, e.g. "Linux x86_64, Intel(R) Xeon(R) Processor, AVX-512" (the model and the
    instructions only where ``cpuinfo`` can be read; elsewhere ``platform.processor()``).
    Two records trained alike on machines that differ here may differ beyond their seed.
    Notebook: 08_small_data.ipynb
    """
    parts, model, flags = [f"{platform.system()} {platform.machine()}"], "", set()
    try:
        for line in Path(cpuinfo).read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            key = key.strip().lower()
            if key in ("model name", "hardware", "cpu model") and not model:
                model = value.strip()
            elif key in ("flags", "features") and not flags:
                flags = set(value.split())
    except OSError:
        model = platform.processor()
    parts += [model] if model else []
    parts += [next((name for flag, name in SIMD_LEVELS if flag in flags), "")] if flags else []
    return ", ".join(part for part in parts if part)


#: What :func:`cpu_of` says for a record that names no CPU (records made before runs
#: recorded :func:`machine_description`'s CPU part say only "Linux x86_64").
CPU_NOT_RECORDED = "not recorded"


def cpu_of(machine: str | None) -> str:
    """The CPU part of a :func:`machine_description` (what follows "system architecture, "):
    "Intel(R) Xeon(R) Processor, AVX-512"; ``CPU_NOT_RECORDED`` when ``machine`` is missing
    or names the system only. Tables of records show it so that rows trained on different
    CPUs are seen to be so.
    Notebook: 08_small_data.ipynb
    """
    _, comma, cpu = (machine or "").partition(", ")
    return cpu.strip() if comma and cpu.strip() else CPU_NOT_RECORDED


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
