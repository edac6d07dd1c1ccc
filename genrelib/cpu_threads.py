"""How many threads each process gets when several share the CPU.

By default every process sizes its thread pools to all the cores: TensorFlow's two pools
(inside one operation, and between operations) and numpy's and scikit-learn's BLAS/OpenMP
pools. Two processes side by side then ask for twice the cores there are, and OpenBLAS
threads wait by spinning. Measured on the 2-core VM of ``benchmarks/RESULTS.md``
(``benchmarks/bench_concurrency.py``): two CNN trainings at once with the default pools did
1.0 to 1.5 times the work per second of one alone, from run to run, and 1.5 times with one
thread per pool each, every run; two processes of numpy matrix products with the default
threads did 0.3 to 0.4 times the work of one alone, and 1.0 to 1.1 times with one BLAS thread
each. So ``genrelib book --jobs N`` gives each chapter's kernel that
runs beside others, and ``make test`` each test worker, its share of the cores
(``threads_per_process``). A variable the user set is left as it is; one process alone
keeps the libraries' defaults.

Importing this module imports nothing heavy (no TensorFlow, no numpy).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

#: The variables that size the thread pools, read once when each library starts:
#: TensorFlow's two pools, then OpenMP's, OpenBLAS's (numpy, SciPy) and MKL's.
THREAD_VARIABLES: tuple[str, ...] = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS",
                                     "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def threads_per_process(processes: int, cores: int | None = None) -> int:
    """The cores each of ``processes`` processes gets: ``cores // processes``, at least 1.

    ``cores`` defaults to ``os.cpu_count()``.
    """
    if int(processes) < 1:
        raise ValueError(f"processes must be an integer >= 1, got {processes!r}")
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return max(1, int(cores) // int(processes))


def shared_cpu_environment(processes: int, *, environ: Mapping[str, str] | None = None,
                           cores: int | None = None) -> dict[str, str]:
    """The environment variables to add for one of ``processes`` processes that run at once:
    each pool of ``THREAD_VARIABLES`` sized to ``threads_per_process``, except those that
    ``environ`` (default ``os.environ``) sets already. Empty for a single process.

    Examples
    --------
    >>> shared_cpu_environment(2, environ={"OMP_NUM_THREADS": "4"}, cores=8)
    {'TF_NUM_INTRAOP_THREADS': '4', 'TF_NUM_INTEROP_THREADS': '4', 'OPENBLAS_NUM_THREADS': '4', 'MKL_NUM_THREADS': '4'}
    >>> shared_cpu_environment(1, environ={}, cores=8)
    {}
    """
    threads = str(threads_per_process(processes, cores))  # checks processes >= 1
    environ = os.environ if environ is None else environ
    if int(processes) == 1:
        return {}
    return {name: threads for name in THREAD_VARIABLES if name not in environ}
