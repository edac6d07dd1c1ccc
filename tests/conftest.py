"""Shared fixtures.

Real-data tests use the 80-track GTZAN mini set named by the environment variable
``GENREBOOK_GTZAN_MINI`` (``.ci/run`` sets it to ``../shared/data/gtzan-mini``); when it
is unset, ``../shared/data/gtzan-mini`` beside the project root is used if it exists.
The full GTZAN metadata (md5 manifest, fault-filtered split lists) is found the same way
through ``GENREBOOK_GTZAN_META``. Tests needing either skip with the reason when absent.

The trained runs several test files read are trained once per session (each test that asks
for one is marked slow): ``tiny_run`` (the library's tiny CNN, tests/helpers.py
``tiny_spec``) and ``cli_cnn_run``/``cli_cnn_run_seed2`` (``genrelib train`` runs).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from genrelib.cpu_threads import shared_cpu_environment

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


def pytest_configure(config: pytest.Config) -> None:
    """In each of N pytest-xdist workers (``make test``: one per core), the thread pools
    (TensorFlow's, BLAS's, OpenMP's) take the worker's share of the cores (genrelib.cpu_threads):
    workers with the default pools fight over the cores. The subprocesses and book kernels a
    worker starts inherit it."""
    workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT")
    if workers:
        os.environ.update(shared_cpu_environment(int(workers)))


def _configured(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    return Path(value) if value else default


def real_mini_set() -> Path | None:
    """The real GTZAN mini set as the ``gtzan_mini`` fixture finds it, or None where it is
    absent (tests/test_book.py then builds the book on synthetic data)."""
    path = _configured("GENREBOOK_GTZAN_MINI", SHARED_DATA / "gtzan-mini")
    return path.resolve() if path.is_dir() else None


def _data_dir(variable: str, default: Path, what: str) -> Path:
    path = _configured(variable, default)
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


# --------------------------------------------------------------------------- trained runs


@pytest.fixture(scope="session")
def tiny_index(tiny_synthetic):
    """The DatasetIndex of the tiny synthetic set."""
    from genrelib.datasets import index_dataset

    return index_dataset(tiny_synthetic)


@pytest.fixture(scope="session")
def tiny_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The feature cache of the tiny library runs (their small features, computed once)."""
    return tmp_path_factory.mktemp("tiny-features")


@pytest.fixture(scope="session")
def tiny_run(tiny_index, tiny_cache, tmp_path_factory):
    """One finished tiny CNN run (``helpers.tiny_spec()``: 10 validation and 10 test tracks,
    one epoch), trained once; tests copy its folder before touching it."""
    from helpers import tiny_spec

    from genrelib.pipeline import train_run

    return train_run(tiny_index, tiny_spec(), out_dir=tmp_path_factory.mktemp("tiny-run") / "run",
                     cache_dir=tiny_cache, verbose=0)


def _cli_cnn_run(data: Path, out: Path, seed: int, cache: Path) -> Path:
    """``genrelib train DATA --model cnn`` with ``helpers.TINY_CNN_ARGS``, 6 epochs, a third of
    the tracks for validation, no test set."""
    from helpers import TINY_CNN_ARGS

    from genrelib.cli import main

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GENREBOOK_CACHE", str(cache))
        code = main(["train", str(data), "--model", "cnn", "--profile", "quick", "--out", str(out),
                     "--epochs", "6", "--seed", str(seed), "--split", "random",
                     "--val-fraction", "0.34", "--test-fraction", "0", "--quiet", *TINY_CNN_ARGS])
    assert code == 0
    return out


@pytest.fixture(scope="session")
def cli_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-cache")


@pytest.fixture(scope="session")
def cli_cnn_run(tiny_synthetic, tmp_path_factory, cli_cache) -> Path:
    """The folder of a tiny CNN trained by ``genrelib train`` (seed 1) on the tiny synthetic
    set: 20 training and 10 validation tracks, default features (19 segments per clip)."""
    return _cli_cnn_run(tiny_synthetic, tmp_path_factory.mktemp("cli-runs") / "cnn-seed1", 1, cli_cache)


@pytest.fixture(scope="session")
def cli_cnn_run_seed2(tiny_synthetic, tmp_path_factory, cli_cache) -> Path:
    """``cli_cnn_run`` with seed 2 (another split and other initial weights)."""
    return _cli_cnn_run(tiny_synthetic, tmp_path_factory.mktemp("cli-runs") / "cnn-seed2", 2, cli_cache)


@pytest.fixture(scope="session")
def cli_classical_runs(tiny_synthetic, tmp_path_factory, cli_cache) -> dict[str, Path]:
    """``genrelib train --model logreg|svm`` on the tiny synthetic set (seed 1: 20 training
    tracks, 10 validation tracks, no test set): {model kind: run folder}."""
    from genrelib.cli import main

    out = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GENREBOOK_CACHE", str(cli_cache))
        for kind in ("logreg", "svm"):
            out[kind] = tmp_path_factory.mktemp("classical") / kind
            assert main(["train", str(tiny_synthetic), "--model", kind, "--out", str(out[kind]),
                         "--seed", "1", "--val-fraction", "0.34", "--test-fraction", "0",
                         "--quiet"]) == 0
    return out
