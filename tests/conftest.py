"""Shared fixtures.

Real-data tests use the 80-track GTZAN mini set named by the environment variable
``GENREBOOK_GTZAN_MINI`` (``.ci/run`` sets it to ``../shared/data/gtzan-mini``); when it
is unset, ``../shared/data/gtzan-mini`` beside the project root is used if it exists.
The full GTZAN metadata (md5 manifest, fault-filtered split lists) is found the same way
through ``GENREBOOK_GTZAN_META``. Tests needing either skip with the reason when absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


def _data_dir(variable: str, default: Path, what: str) -> Path:
    value = os.environ.get(variable)
    path = Path(value) if value else default
    if not path.is_dir():
        pytest.skip(
            f"{what} not found at {path}: set {variable} to its folder "
            f"(it lives in ../shared/data beside the project root) to run this test"
        )
    return path.resolve()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def gtzan_mini() -> Path:
    """The real 80-track GTZAN mini set (genres/<genre>/<genre>.000NN.wav + tracks.csv)."""
    return _data_dir("GENREBOOK_GTZAN_MINI", SHARED_DATA / "gtzan-mini", "real GTZAN mini set")


@pytest.fixture(scope="session")
def gtzan_meta() -> Path:
    """Full-GTZAN metadata: md5.csv, fault_filtered_{train,valid,test}.txt, artists_titles.txt."""
    return _data_dir("GENREBOOK_GTZAN_META", SHARED_DATA / "gtzan-meta", "GTZAN metadata folder")


@pytest.fixture(scope="session")
def tiny_synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic GTZAN (3 tracks per genre, 30 s) generated once per test session."""
    from genrelib.datasets.synthetic import generate_synthetic_gtzan

    out = tmp_path_factory.mktemp("tiny_synthetic")
    return generate_synthetic_gtzan(out, tracks_per_genre=3, seconds=30.0, seed=0)


@pytest.fixture(scope="module")
def module_cache(tmp_path_factory: pytest.TempPathFactory):
    """$GENREBOOK_CACHE set to a fresh folder for one test module (its runs and features)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("GENREBOOK_CACHE", str(tmp_path_factory.mktemp("cache")))
    yield patch
    patch.undo()


def write_silent_wav(path: Path, seconds: float, *, sample_rate: int = 22050) -> Path:
    """A mono 16-bit WAV of ``seconds`` of silence at ``path`` (folders created)."""
    import wave

    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(np.zeros(int(sample_rate * seconds), dtype=np.int16).tobytes())
    return path
