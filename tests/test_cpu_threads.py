"""genrelib.cpu_threads: each of several TensorFlow processes sharing the CPU gets its share
of the cores (the measurement behind it: benchmarks/bench_concurrency.py)."""

from __future__ import annotations

import os

import pytest

from genrelib.cpu_threads import THREAD_VARIABLES, shared_cpu_environment, threads_per_process


@pytest.mark.parametrize("processes,cores,threads", [(1, 2, 2), (2, 2, 1), (3, 2, 1), (2, 16, 8), (3, 16, 5)])
def test_each_process_gets_its_share_of_the_cores_and_at_least_one(processes, cores, threads) -> None:
    assert threads_per_process(processes, cores) == threads


def test_several_processes_get_every_pool_sized() -> None:
    """TensorFlow's two pools and the BLAS/OpenMP ones (numpy, SciPy, scikit-learn)."""
    assert {"TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS",
            "OPENBLAS_NUM_THREADS"} <= set(THREAD_VARIABLES)
    assert shared_cpu_environment(2, environ={}, cores=2) == {name: "1" for name in THREAD_VARIABLES}
    assert shared_cpu_environment(2, environ={"PATH": "/bin"}, cores=8) == {name: "4" for name in THREAD_VARIABLES}


def test_one_process_keeps_the_defaults_and_a_variable_the_user_set_is_kept() -> None:
    assert shared_cpu_environment(1, environ={}, cores=2) == {}
    for name in THREAD_VARIABLES:
        others = {other: "1" for other in THREAD_VARIABLES if other != name}
        assert shared_cpu_environment(2, environ={name: "4"}, cores=2) == others


def test_no_process_is_refused() -> None:
    with pytest.raises(ValueError, match="processes must be an integer >= 1, got 0"):
        shared_cpu_environment(0, environ={}, cores=2)
    with pytest.raises(ValueError, match="processes must be an integer >= 1, got -1"):
        threads_per_process(-1, 2)


def test_each_test_worker_takes_its_share(monkeypatch: pytest.MonkeyPatch) -> None:
    """tests/conftest.py: in each of 2 pytest-xdist workers on 2 cores, one thread per pool;
    outside xdist nothing is set."""
    import conftest

    for name in THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("genrelib.cpu_threads.os.cpu_count", lambda: 2)
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)
    conftest.pytest_configure(None)
    assert not any(name in os.environ for name in THREAD_VARIABLES)
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    conftest.pytest_configure(None)
    assert {name: os.environ.get(name) for name in THREAD_VARIABLES} == {name: "1" for name in THREAD_VARIABLES}
