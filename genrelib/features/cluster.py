"""Features on a Dask cluster: ``extract_features(scheduler=ADDRESS)`` runs the same per-track
function on that cluster's workers through joblib's Dask backend (same cache file,
bit-identical features); a scheduler that cannot be used is one clear ``SchedulerError``.
Needs ``pip install 'genrelib[cluster]'``.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from genrelib.config import FeatureConfig
from genrelib.features.worker import _one_blas_thread, _track_features

__all__ = ["CLUSTER_EXTRA", "SCHEDULER_TIMEOUT", "SchedulerError", "check_scheduler_address"]

#: Seconds ``extract_features(scheduler=...)`` waits for the Dask scheduler to answer, then
#: for a first worker, before it gives up with a SchedulerError.
SCHEDULER_TIMEOUT = 5.0
#: The pip extra that installs Dask for ``scheduler=``: ``pip install 'genrelib[cluster]'``.
CLUSTER_EXTRA = "cluster"


class SchedulerError(ValueError):
    """``extract_features(scheduler=...)`` cannot use that scheduler: Dask is not installed,
    the address is malformed, nothing answers there within ``SCHEDULER_TIMEOUT`` seconds, or
    no worker joins it. The one-line message names the address and what to do (a ValueError,
    so the command line prints it without a traceback and exits with 2)."""


def _cluster_track(path: str, cfg: FeatureConfig) -> tuple[np.ndarray | None, str | None]:
    """``_track_features`` as a task on a Dask worker, with one BLAS thread as locally."""
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"{path} does not exist on the Dask worker on {socket.gethostname()}: the workers must "
            "read the audio under the same path as this machine (a shared filesystem)")
    with _one_blas_thread():
        return _track_features(path, cfg)


_START_A_SCHEDULER = ("start one (`dask scheduler`, then `dask worker ADDRESS` on each machine; "
                      "book/setup.md, Features on a cluster) and give the address it prints, "
                      "e.g. tcp://HOST:8786")


def _scheduler_endpoint(address: str) -> tuple[str, int] | None:
    """(host, port) of a TCP-based scheduler address (tcp, tls, ws, wss; no scheme means tcp),
    None for the others (inproc, ucx); SchedulerError naming it when it is malformed."""
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port
    from distributed.comm.registry import backends

    try:
        scheme, location = parse_address(address)
        if scheme not in backends:
            raise ValueError(f"unknown scheme {scheme!r} (known: {', '.join(sorted(backends))})")
        if scheme not in ("tcp", "tls", "ws", "wss"):
            return None
        host, port = parse_host_port(location)
        if not host or not 0 < int(port) < 65536:
            raise ValueError("it needs a host and a port between 1 and 65535")
    except (TypeError, ValueError) as error:
        raise SchedulerError(f"scheduler address {address!r} is malformed ({error}): give "
                             "tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786") from None
    return host, int(port)


def _unreachable(error: BaseException) -> str:
    """Why a scheduler could not be reached, in a few words."""
    if isinstance(error, ConnectionRefusedError):
        return "nothing is listening there (connection refused)"
    if isinstance(error, socket.gaierror):
        return f"its host name is unknown ({error.strerror})"
    if isinstance(error, TimeoutError):
        return f"no answer within {SCHEDULER_TIMEOUT:g} s"
    return str(error) or type(error).__name__


def check_scheduler_address(address: Any) -> str:
    """``address`` stripped, or SchedulerError (one line) when it is no Dask scheduler address
    (empty, malformed) or Dask is not installed; nothing is contacted. ``extract_features``
    calls it first, so a bad address is refused even when every feature is cached (no chapter
    uses a cluster: book/setup.md, Features on a cluster).
    """
    if not isinstance(address, str) or not address.strip():
        raise SchedulerError(f"scheduler must be a Dask scheduler's address such as "
                             f"tcp://HOST:8786, got {address!r}")
    address = address.strip()
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise SchedulerError(f"scheduler {address!r} needs Dask, which is not installed: "
                             f"pip install 'genrelib[{CLUSTER_EXTRA}]'") from None
    _scheduler_endpoint(address)
    return address


@contextlib.contextmanager
def _dask_client(address: str) -> Iterator[Any]:
    """A ``distributed.Client`` of the scheduler at ``address``, closed on exit; SchedulerError
    (one line: the address and what to do) when Dask is missing or the address is malformed
    or does not answer within SCHEDULER_TIMEOUT seconds."""
    address = check_scheduler_address(address)
    import distributed

    endpoint = _scheduler_endpoint(address)
    try:
        if endpoint is not None:  # a plain TCP connection fails at once where nothing listens
            socket.create_connection(endpoint, timeout=SCHEDULER_TIMEOUT).close()
        client = distributed.Client(address, timeout=SCHEDULER_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, AssertionError) as error:
        raise SchedulerError(f"cannot reach a Dask scheduler at {address}: {_unreachable(error)}; "
                             f"{_START_A_SCHEDULER}") from None
    try:
        yield client
    finally:
        client.close()


def _dask_results(paths: list[str], cfg: FeatureConfig, scheduler: str,
                  stack: contextlib.ExitStack) -> Iterable[tuple[np.ndarray | None, str | None]]:
    """``_cluster_track`` of every path, in order, on the cluster of ``scheduler`` through
    joblib's Dask backend (every worker thread of the cluster; ``n_jobs`` does not apply)."""
    from joblib import Parallel, delayed, parallel_config

    client = stack.enter_context(_dask_client(scheduler))
    stack.enter_context(parallel_config(backend="dask", client=client,
                                        wait_for_workers_timeout=SCHEDULER_TIMEOUT))
    try:
        return Parallel(n_jobs=-1, return_as="generator")(delayed(_cluster_track)(p, cfg) for p in paths)
    except TimeoutError:  # joblib: no worker joined in wait_for_workers_timeout
        raise SchedulerError(f"the Dask scheduler at {scheduler} has no worker (none joined within "
                             f"{SCHEDULER_TIMEOUT:g} s): start some with `dask worker {scheduler}`") from None
