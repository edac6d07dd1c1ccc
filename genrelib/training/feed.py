"""The input feed: a seeded stream of training batches, gathered by a background thread
while the device computes, so the training step never waits for NumPy."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

#: Batches the input pipeline (:class:`BatchFeed`) gathers ahead of the one being trained on.
PREFETCH_BATCHES = 4
#: The last word of the seed of an augmented batch's generator (``BatchFeed(augment=...)``).
AUGMENT_STREAM = 8

#: ``augment(rows, rng) -> (x, y)``: the batch of training rows ``rows`` (e.g. an ``Augmenter``).
AugmentFn = Callable[[np.ndarray, np.random.Generator], tuple[np.ndarray, np.ndarray]]


class BatchFeed:
    """An endless stream of ``(x, y)`` batches, epoch after epoch, gathered ``prefetch``
    batches ahead by a background thread while the model trains.

    Epoch ``e`` visits the rows in the order ``np.random.default_rng([e, seed]).permutation(n)``
    (in order with ``shuffle=False``), in ``steps`` batches; batch ``k`` depends on
    (seed, k) alone: not on timing, backend or device count. Keras takes ``stream()``
    (``model.fit(feed.stream(), steps_per_epoch=feed.steps)``); ``close()`` stops the thread.

    Parameters
    ----------
    x : np.ndarray, shape (n, ...)
        Training inputs in model shape.
    y : np.ndarray, shape (n,)
        Their labels.
    batch_size : int
        Rows per batch; the last, shorter batch of an epoch is cut to a multiple of
        ``multiple``.
    shuffle : bool
        Reshuffle every epoch (default) or keep the rows in order.
    seed : int
        The shuffle's (and the augmentation's) seed.
    multiple : int
        The devices a batch is split over (keeps every row on one device).
    shard : (int, int)
        (i, p): process i of p (multi-host) takes the i-th of p equal slices of every batch.
    prefetch : int
        Batches gathered ahead; 0 gathers in the caller.
    augment : callable or None
        ``augment(rows, rng) -> (x, y)`` gives batch ``k`` from its rows with
        ``rng = np.random.default_rng([seed, epoch, batch, AUGMENT_STREAM])`` (e.g. an
        ``augment.Augmenter``): the augmented stream, too, depends on (seed, k) alone.

    Attributes
    ----------
    steps : int
        Batches per epoch.
    wait_seconds : float
        Seconds ``next_batch`` waited for a batch that was not ready (``DataWaitMeter``).

    Notebook: 08_small_data.ipynb
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, *, batch_size: int, shuffle: bool = True,
                 seed: int = 0, multiple: int = 1, shard: tuple[int, int] = (0, 1),
                 prefetch: int = PREFETCH_BATCHES, augment: AugmentFn | None = None) -> None:
        n, (index, processes) = len(x), shard
        if len(y) != n:
            raise ValueError(f"x has {n} rows but y has {len(y)}")
        if batch_size < 1 or batch_size % multiple or multiple % processes:
            raise ValueError(f"batch_size {batch_size} must be a positive multiple of multiple="
                             f"{multiple}, itself a multiple of the {processes} processes")
        self.x, self.y, self.batch_size, self.shuffle = x, np.asarray(y), int(batch_size), shuffle
        self.seed, self.shard, self.prefetch = int(seed) % 2**63, (index, processes), int(prefetch)
        self.augment = augment
        rest = n % batch_size
        self._full, self._last = n // batch_size, rest - rest % multiple
        self.steps = self._full + (self._last > 0)
        if self.steps == 0:
            raise ValueError(f"{n} training rows cannot fill one batch split over {multiple} devices")
        self.wait_seconds, self.served = 0.0, 0
        self._order: tuple[int, np.ndarray] | None = None
        self._pending: deque[Future] = deque()
        self._submitted, self._closed = 0, False
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def order(self, epoch: int) -> np.ndarray:
        """The row order of ``epoch`` (a permutation of range(n))."""
        n = len(self.x)
        if not self.shuffle:
            return np.arange(n)
        return np.random.default_rng([epoch, self.seed]).permutation(n)

    def batch(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Batch ``k`` of the stream (epoch ``k // steps``, batch ``k % steps`` of it)."""
        epoch, i = divmod(k, self.steps)
        with self._lock:  # one permutation per epoch, shared by its batches
            if self._order is None or self._order[0] != epoch:
                self._order = (epoch, self.order(epoch))
            order = self._order[1]
        size = self.batch_size if i < self._full else self._last
        rows = order[i * self.batch_size: i * self.batch_size + size]
        index, processes = self.shard
        if processes > 1:
            part = len(rows) // processes
            rows = rows[index * part:(index + 1) * part]
        if self.augment is not None:
            return self.augment(rows, np.random.default_rng([self.seed, epoch, i, AUGMENT_STREAM]))
        return np.take(self.x, rows, axis=0), np.take(self.y, rows, axis=0)

    def _submit(self) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="genrelib-feed")
        self._pending.append(self._pool.submit(self.batch, self._submitted))
        self._submitted += 1

    def next_batch(self) -> tuple[np.ndarray, np.ndarray]:
        """The next batch of the stream; the time spent waiting for it goes to ``wait_seconds``."""
        start = time.perf_counter()
        if self.prefetch <= 0 or self._closed:
            batch = self.batch(self._submitted)
            self._submitted += 1
        else:
            if not self._pending:
                self._submit()
            future = self._pending.popleft()
            while len(self._pending) < self.prefetch:
                self._submit()
            batch = future.result()
        self.wait_seconds += time.perf_counter() - start
        self.served += 1
        return batch

    def __iter__(self) -> "BatchFeed":
        return self

    def __next__(self) -> tuple[np.ndarray, np.ndarray]:
        if self._closed:
            raise StopIteration
        return self.next_batch()

    def stream(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The batches as a Python generator (what ``model.fit`` takes); ends after ``close``."""
        while not self._closed:
            yield self.next_batch()

    def close(self) -> None:
        """Stop the background thread (batches already asked for are finished, not lost)."""
        self._closed = True
        self._pending.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=False)
