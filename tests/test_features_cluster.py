"""Features on a Dask cluster (``extract_features(..., scheduler=...)``, ``genrelib features
--scheduler``, ``genrelib train --scheduler``): a local cluster started here (two worker
processes of one thread each, on 127.0.0.1) gives bit-identical features in the same cache
file as a local run, and the work really runs on its workers; a scheduler that cannot be used
(nothing listening, malformed address, no worker, Dask not installed, audio the workers
cannot see) is a one-line error naming it, quickly, exit code 2 from the command line.

Needs the [cluster] extra (dask, distributed), which ``make test`` installs."""

from __future__ import annotations

import shutil
import socket
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from distributed import Client, LocalCluster

import genrelib.features.cluster as C
import genrelib.features.extract as E
from genrelib.cache import read_npz
from genrelib.cli import main
from genrelib.config import FeatureConfig
from genrelib.datasets import index_dataset
from genrelib.features import SchedulerError, extract_features, feature_cache_path

# A shorter clip keeps the extraction quick while using the real 22,050 Hz log-mel recipe.
CFG = FeatureConfig(clip_seconds=6.0)
LOOPBACK_ANY_PORT = "127.0.0.1:0"  # the scheduler's HTTP server, never the default :8787


@pytest.fixture(scope="module")
def cluster():
    """A local Dask cluster: its scheduler in this process, two worker processes (nannies,
    as ``dask worker`` starts them) of one thread each, on the loopback address only."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=LOOPBACK_ANY_PORT) as local:
        with Client(local.scheduler_address, set_as_default=False) as client:
            yield local.scheduler_address, client


def tasks_run(client: Client) -> int:
    """Tasks the cluster's workers have executed so far."""
    return sum(client.run(lambda dask_worker: dask_worker.state.executed_count).values())


def free_port() -> int:
    """A loopback port where nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def index(tiny_synthetic):
    return index_dataset(tiny_synthetic, progress=False)


def test_cluster_features_are_bit_identical_to_local_and_share_the_cache(index, cluster, tmp_path, monkeypatch):
    address, client = cluster
    local = extract_features(index, CFG, cache_dir=False, progress=False)
    before = tasks_run(client)
    remote = extract_features(index, CFG, cache_dir=tmp_path, progress=False, scheduler=address)
    assert tasks_run(client) > before, "the features were not computed on the cluster's workers"
    assert remote.X.shape == (30 * CFG.segments_per_clip, 128, 130)
    assert np.array_equal(remote.X, local.X)  # bit for bit: one BLAS thread per task, as locally
    for name in ("y", "track_ids", "segment_index"):
        assert np.array_equal(getattr(remote, name), getattr(local, name)), name
    # the same cache file (same name, same key) as a local run: a local call reads it back
    path = feature_cache_path(index.fingerprint(), CFG, cache_dir=tmp_path)
    assert sorted(tmp_path.glob("*.npz")) == [path]
    assert np.array_equal(read_npz(path)["X"], local.X)
    monkeypatch.setattr(E, "_track_features", lambda *a, **k: pytest.fail("computed again despite the cache"))
    again = extract_features(index, CFG, cache_dir=tmp_path, progress=False)
    assert np.array_equal(again.X, local.X)


def test_features_command_with_scheduler(tiny_synthetic, index, cluster, tmp_path, capsys):
    address, client = cluster
    out = tmp_path / "features"
    before = tasks_run(client)
    assert main(["features", str(tiny_synthetic), "--out", str(out), "--scheduler", address, "--quiet"]) == 0
    assert tasks_run(client) > before
    text = capsys.readouterr().out
    assert f"cluster:   Dask scheduler {address}" in text and "30 tracks, 570 segments" in text
    mel = FeatureConfig()
    local = extract_features(index.subset(index.tracks["track_id"][:2]), mel, cache_dir=False, progress=False)
    cached = read_npz(feature_cache_path(index.fingerprint(), mel, cache_dir=out))["X"]
    assert np.array_equal(cached[:2 * 19], local.X)
    assert sorted(f.name.split("-")[0] for f in out.glob("*.npz")) == ["mel128", "mfcc20"]


BAD_ADDRESSES = {
    "nothing listening": (lambda: f"tcp://127.0.0.1:{free_port()}", "connection refused"),
    "no scheme, nothing listening": (lambda: f"127.0.0.1:{free_port()}", "connection refused"),
    "no port": (lambda: "localhost", "malformed"),
    "scheme only": (lambda: "tcp://", "malformed"),
    "not a Dask scheme": (lambda: "http://127.0.0.1:8786", "malformed"),
    "port out of range": (lambda: "tcp://127.0.0.1:99999", "malformed"),
}


@pytest.mark.parametrize("case", list(BAD_ADDRESSES))
def test_bad_scheduler_address_is_a_one_line_error_quickly(tiny_synthetic, tmp_path, capfd, case):
    make_address, reason = BAD_ADDRESSES[case]
    address = make_address()
    start = time.perf_counter()
    code = main(["features", str(tiny_synthetic), "--out", str(tmp_path / "o"), "--scheduler", address,
                 "--quiet"])
    seconds = time.perf_counter() - start
    err = capfd.readouterr().err
    assert code == 2
    assert seconds < 3, f"the error took {seconds:.1f} s"
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("genrelib features: error: "), err
    assert address in lines[0] and reason in lines[0] and "tcp://" in lines[0]
    assert "Traceback" not in err
    assert not list((tmp_path / "o").glob("*.npz"))


def test_train_passes_the_scheduler_to_the_features(tiny_synthetic, tmp_path, capfd, module_cache):
    address = f"tcp://127.0.0.1:{free_port()}"
    code = main(["train", str(tiny_synthetic), "--model", "logreg", "--out", str(tmp_path / "run"),
                 "--scheduler", address, "--quiet"])
    err = capfd.readouterr().err
    assert code == 2 and f"cannot reach a Dask scheduler at {address}" in err and "Traceback" not in err


def test_a_malformed_address_is_refused_even_when_every_feature_is_cached(index, tmp_path):
    """A cached run reads no clip, so the cluster is never used; the address is still checked
    first (it passed silently: `features --scheduler garbage` exited 0 on a cached folder).
    Break tried: the check in extract_features removed -> no error."""
    extract_features(index, CFG, cache_dir=tmp_path, progress=False)  # every feature cached
    with pytest.raises(SchedulerError, match=r"scheduler address 'garbage' is malformed"):
        extract_features(index, CFG, cache_dir=tmp_path, progress=False, scheduler="garbage")
    assert C.check_scheduler_address(" tcp://10.0.0.5:8786 ") == "tcp://10.0.0.5:8786"  # nothing contacted


def test_scheduler_without_workers_is_a_clear_error(index, monkeypatch, tmp_path):
    monkeypatch.setattr(C, "SCHEDULER_TIMEOUT", 1.0)
    with LocalCluster(n_workers=0, processes=False, host="127.0.0.1", protocol="tcp://",
                      dashboard_address=LOOPBACK_ANY_PORT) as empty:
        start = time.perf_counter()
        with pytest.raises(SchedulerError, match=r"has no worker.*dask worker tcp://127\.0\.0\.1"):
            extract_features(index, CFG, cache_dir=tmp_path, progress=False, scheduler=empty.scheduler_address)
        assert time.perf_counter() - start < 5
    assert not list(tmp_path.glob("*.npz"))


def test_dask_not_installed_names_the_extra(index, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(SchedulerError, match=r"needs Dask.*pip install 'genrelib\[cluster\]'"):
        extract_features(index, CFG, cache_dir=False, progress=False, scheduler="tcp://127.0.0.1:8786")


def test_audio_the_workers_cannot_see_is_named(tiny_synthetic, cluster, tmp_path):
    address, _ = cluster
    data = tmp_path / "data"
    for genre in ("blues", "jazz"):
        (data / genre).mkdir(parents=True)
        shutil.copy(next(Path(tiny_synthetic).rglob(f"{genre}/*.wav")), data / genre)
    index = index_dataset(data, progress=False)
    gone = Path(index.tracks["path"][1])
    gone.unlink()  # e.g. a folder that is not shared with the workers
    with pytest.raises(FileNotFoundError, match=rf"{gone.name} does not exist on the Dask worker.*shared filesystem"):
        extract_features(index, CFG, cache_dir=False, progress=False, scheduler=address)


def test_every_task_runs_with_one_blas_thread_then_restores_it(index, monkeypatch):
    """What a worker does per task (``_cluster_track``), here in this process: one BLAS thread
    while any task runs (also while a second one overlaps it, as on a worker of several
    threads), the worker's own setting back once the last has finished."""
    import threading

    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads() -> set[int]:
        return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}

    seen: list[tuple[str, set[int]]] = []
    first_inside, second_done = threading.Event(), threading.Event()

    def track(path, cfg):
        if not first_inside.is_set():  # the first task stays in until the second has finished
            first_inside.set()
            assert second_done.wait(10)
            seen.append(("first", blas_threads()))
        else:
            seen.append(("second", blas_threads()))
        return None, "probe"

    def second_task():
        first_inside.wait(10)
        C._cluster_track(path, CFG)
        seen.append(("between", blas_threads()))  # the first task is still running
        second_done.set()

    monkeypatch.setattr(C, "_track_features", track)
    path = str(index.tracks["path"][0])
    # threadpoolctl lets one thread control a pthreads OpenBLAS: this one (the first task's)
    with threadpool_limits(limits=2, user_api="blas"):
        assert blas_threads() == {2}
        other = threading.Thread(target=second_task)
        other.start()
        C._cluster_track(path, CFG)
        other.join(10)
        assert seen == [("second", {1}), ("between", {1}), ("first", {1})]
        assert blas_threads() == {2}
