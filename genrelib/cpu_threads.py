"""How many threads each TensorFlow process gets when several share the CPU.

By default every TensorFlow process sizes its two thread pools (inside one operation, and
between operations) to all the cores. Two trainings side by side then ask for twice the
cores there are: measured on the 2-core VM of ``benchmarks/RESULTS.md``
(``benchmarks/bench_concurrency.py``), two CNN trainings with the default pools did the same
work per second as one alone, and 1.5 times as much with one thread per pool each. So
``genrelib book --jobs N`` gives each chapter's kernel, and ``make test`` each test worker,
its share of the cores (``threads_per_process``), unless the variables are set already: the
user's choice wins. One process alone keeps TensorFlow's default.

Importing this module imports nothing heavy (no TensorFlow).

Notebook: 03_cnn.ipynb (how long training takes)
"""

from __future__ import annotations

import os
from collections.abc import Mapping

#: The variables TensorFlow reads for the sizes of its two thread pools, at its first operation.
THREAD_VARIABLES: tuple[str, ...] = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


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
    """The environment variables to add for one of ``processes`` TensorFlow processes that run
    at once: each thread pool sized to ``threads_per_process``. Empty for a single process, and
    when ``environ`` (default ``os.environ``) sets either variable already.

    Examples
    --------
    >>> shared_cpu_environment(2, environ={}, cores=2)
    {'TF_NUM_INTRAOP_THREADS': '1', 'TF_NUM_INTEROP_THREADS': '1'}
    >>> shared_cpu_environment(2, environ={"TF_NUM_INTRAOP_THREADS": "4"}, cores=2)
    {}
    """
    threads = str(threads_per_process(processes, cores))  # checks processes >= 1
    environ = os.environ if environ is None else environ
    if int(processes) == 1 or any(name in environ for name in THREAD_VARIABLES):
        return {}
    return {name: threads for name in THREAD_VARIABLES}
