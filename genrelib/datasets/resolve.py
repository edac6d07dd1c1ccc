"""Where a notebook's data comes from: the folder the user gave, or the built-in synthetic
GTZAN (sized by the run profile), generated once into a cache folder.

The synthetic set is generated into a hidden temporary folder beside its final place and
renamed into place only when complete, so a killed run never leaves a half dataset that
looks finished.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from genrelib.cache import default_cache_dir
from genrelib.config import Profile, get_profile

__all__ = ["resolve_data_dir", "synthetic_cache_dir"]


def synthetic_cache_dir(*, tracks_per_genre: int, seconds: float, seed: int,
                        cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The cache folder of one synthetic dataset:
    ``<cache>/synthetic/gtzan-synth-v<version>-seed<seed>-<n>x<seconds>s``, where <cache> is
    ``cache_dir``, else ``$GENREBOOK_CACHE``, else ``~/.cache/genre-book``, and <version> is
    the generator's ``SYNTHETIC_VERSION`` (so a changed generator never reuses old audio).
    """
    from genrelib.datasets.synthetic import SYNTHETIC_VERSION

    name = f"gtzan-synth-v{SYNTHETIC_VERSION}-seed{int(seed)}-{int(tracks_per_genre)}x{float(seconds):g}s"
    return default_cache_dir("synthetic", root=cache_dir) / name


def resolve_data_dir(data_dir: str | os.PathLike[str] | None, *, profile: str | Profile = "quick",
                     seed: int = 0, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder to index: ``data_dir`` itself when given (absolute; FileNotFoundError /
    NotADirectoryError when it is not an existing folder), else (None or "") the synthetic
    GTZAN of ``profile`` (``synthetic_tracks_per_genre`` x ``synthetic_seconds``, ``seed``),
    generated on first use into ``synthetic_cache_dir(...)`` and reused afterwards.
    Notebook: 01_data.ipynb
    """
    if data_dir is not None and str(data_dir).strip():
        path = Path(data_dir).expanduser()
        if not path.exists():
            raise FileNotFoundError(
                f"data_dir {str(path)!r} does not exist: give the folder holding the genre "
                f"folders (e.g. .../genres or .../Data/genres_original), or leave data_dir "
                f"empty to use the built-in synthetic dataset")
        if not path.is_dir():
            raise NotADirectoryError(f"data_dir {str(path)!r} is a file, not a folder")
        return path.resolve()

    settings = profile if isinstance(profile, Profile) else get_profile(profile)
    target = synthetic_cache_dir(tracks_per_genre=settings.synthetic_tracks_per_genre,
                                 seconds=settings.synthetic_seconds, seed=seed,
                                 cache_dir=cache_dir)
    if target.is_dir():
        return target.resolve()
    from genrelib.datasets.synthetic import generate_synthetic_gtzan

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    try:
        generate_synthetic_gtzan(tmp, tracks_per_genre=settings.synthetic_tracks_per_genre,
                                 seconds=settings.synthetic_seconds, seed=seed)
        try:
            os.rename(tmp, target)
        except OSError:
            if not target.is_dir():  # not a concurrent run finishing first: a real error
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target.resolve()
