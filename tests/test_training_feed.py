"""genrelib.training.feed: the seeded, prefetched batch stream (BatchFeed)."""

from __future__ import annotations

import numpy as np
import pytest

from genrelib.training.feed import BatchFeed


def _rows(n: int) -> tuple[np.ndarray, np.ndarray]:
    """x row i holds i (as float), y row i is i: a batch shows which rows it took."""
    return np.arange(n, dtype="float32").reshape(n, 1), np.arange(n)


def _epochs(feed: BatchFeed, n_epochs: int) -> list[list[np.ndarray]]:
    """The row numbers of every batch of ``n_epochs`` epochs of ``feed``."""
    out = []
    for _ in range(n_epochs):
        batches = [next(feed) for _ in range(feed.steps)]
        for x, y in batches:
            np.testing.assert_array_equal(x[:, 0], y)  # x and y rows stay paired
        out.append([y for _, y in batches])
    feed.close()
    return out


def test_feed_visits_every_row_once_per_epoch_in_an_order_set_by_the_seed() -> None:
    x, y = _rows(50)
    epochs = _epochs(BatchFeed(x, y, batch_size=8, seed=3), 3)
    for batches in epochs:
        assert [len(b) for b in batches] == [8] * 6 + [2]
        assert sorted(np.concatenate(batches).tolist()) == list(range(50))
    orders = [np.concatenate(b) for b in epochs]
    assert not np.array_equal(orders[0], orders[1])  # reshuffled every epoch
    assert not np.array_equal(orders[0], np.arange(50))
    # the stream is a function of the seed alone: no prefetching thread changes it
    again = _epochs(BatchFeed(x, y, batch_size=8, seed=3, prefetch=0), 3)
    for a, b in zip(epochs, again, strict=True):
        for p, q in zip(a, b, strict=True):
            np.testing.assert_array_equal(p, q)
    other = _epochs(BatchFeed(x, y, batch_size=8, seed=4), 1)
    assert not np.array_equal(np.concatenate(other[0]), orders[0])
    in_order = _epochs(BatchFeed(x, y, batch_size=8, shuffle=False), 1)
    np.testing.assert_array_equal(np.concatenate(in_order[0]), np.arange(50))


def test_feed_splits_batches_evenly_over_devices_and_processes() -> None:
    """With 2 devices the short last batch is cut to an even size (a different row is left
    out each epoch); with 2 processes each gets half of every global batch."""
    x, y = _rows(51)
    epochs = _epochs(BatchFeed(x, y, batch_size=8, multiple=2, seed=0), 4)
    left_out = set()
    for batches in epochs:
        assert [len(b) for b in batches] == [8] * 6 + [2]
        seen = np.concatenate(batches)
        assert len(set(seen.tolist())) == 50
        left_out |= set(range(51)) - set(seen.tolist())
    assert len(left_out) > 1
    whole = _epochs(BatchFeed(x, y, batch_size=8, multiple=2, seed=0), 2)
    halves = [_epochs(BatchFeed(x, y, batch_size=8, multiple=2, seed=0, shard=(i, 2)), 2)
              for i in (0, 1)]
    for e in range(2):
        for k, batch in enumerate(whole[e]):
            np.testing.assert_array_equal(np.concatenate([halves[0][e][k], halves[1][e][k]]), batch)
    with pytest.raises(ValueError, match="multiple of multiple=2"):
        BatchFeed(x, y, batch_size=7, multiple=2)
    with pytest.raises(ValueError, match="cannot fill one batch"):
        BatchFeed(x[:1], y[:1], batch_size=8, multiple=2)


def test_feed_refuses_unpaired_rows_and_stops_when_closed() -> None:
    x, y = _rows(6)
    with pytest.raises(ValueError, match="x has 6 rows but y has 5"):
        BatchFeed(x, y[:5], batch_size=2)
    feed = BatchFeed(x, y, batch_size=4, prefetch=2)
    stream = feed.stream()
    first = next(stream)
    assert feed.steps == 2 and len(first[1]) == 4 and feed.served == 1
    feed.close()
    assert list(stream) == [] and list(feed) == []


def test_augmentation_draws_a_new_stream_for_every_epoch_and_batch() -> None:
    """The augment function's generator depends on (seed, epoch, batch): the same batch
    position draws differently in the next epoch, and a feed with the same seed repeats it.

    Break tried: the epoch left out of the augmentation's seed -> batch 0 of epoch 1 draws
    the same numbers as batch 0 of epoch 0."""
    x, y = _rows(8)

    def draws(seed: int) -> list[float]:
        feed = BatchFeed(x, y, batch_size=4, shuffle=False, seed=seed, prefetch=0,
                         augment=lambda rows, rng: (np.full((len(rows), 1), rng.random()), y[rows]))
        return [float(feed.batch(k)[0][0, 0]) for k in range(2 * feed.steps)]

    first = draws(3)
    assert len(set(first)) == len(first)  # every (epoch, batch) its own stream
    assert first == draws(3)
    assert first != draws(4)
