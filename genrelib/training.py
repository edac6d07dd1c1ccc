"""Fitting a Keras model with the study's recipe: seeding, callbacks, the training loop,
the input pipeline, precision and devices.

Recipe (``TrainConfig``): Adam 1e-3, sparse categorical cross-entropy, batch 32, at most
50 epochs, early stopping on validation loss with the best weights restored, learning
rate divided by 10 on a plateau, stop on NaN, L2 1e-4 on the kernels (in the model),
a checkpoint of the best weights and a CSV history.

How it runs (the same on every Keras backend; the GPU path is JAX):

* **Input pipeline.** Training batches come from a :class:`BatchFeed`: a background thread
  gathers the next batches (``PREFETCH_BATCHES`` ahead) while the device computes, so the
  step never waits for NumPy. The shuffle is a function of the seed and the epoch alone,
  the same on every backend and any number of devices. :class:`DataWaitMeter` records the
  share of each epoch's training time spent waiting for a batch (``data_wait_fraction``).
* **Precision.** ``TrainConfig.precision`` "mixed" builds the model with a Keras mixed
  policy (``precision_policy``: bfloat16 compute, float32 variables; float16 with loss
  scaling on GPUs without bfloat16); the softmax stays float32.
* **Devices.** ``training_scope`` builds and trains under ``keras.distribution.DataParallel``
  over every visible device when there are several (JAX backend; ``plan_devices``).

``fit_model`` trains any Keras model on arrays and ``predict_probs`` scores it; the
whole run (index, split, features, fit, evaluate, run folder) is ``genrelib.pipeline``.
Notebook: 03_cnn.ipynb
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd

from genrelib import runs
from genrelib.config import TrainConfig
from genrelib.models.classical import predict_classical
from genrelib.models.kinds import is_classical, model_input

#: ``fit_model(verbose=TABLE)``: one compact line per epoch (see :class:`EpochTable`).
TABLE = "table"


def device_description() -> str:
    """What Keras trains on, in words: e.g. "CPU (2 cores)", "GPU x1" (TensorFlow), "GPU
    (NVIDIA H100 ...)" (JAX/PyTorch). Recorded with every run and benchmark, so a time is
    never quoted without its machine.
    """
    backend, cores = keras.backend.backend(), f"CPU ({os.cpu_count()} cores)"
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            return f"GPU x{len(gpus)}" if gpus else cores
        if backend == "jax":
            import jax

            device = jax.devices()[0]
            return cores if device.platform == "cpu" else f"GPU ({device.device_kind})"
        if backend == "torch":
            import torch

            return f"GPU ({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else cores
    except Exception as error:  # reporting only: never fail a run for it
        return f"unknown ({type(error).__name__}: {error})"
    return f"unknown (backend {backend})"


def set_seed(seed: int, *, deterministic: bool = True) -> None:
    """Seed Python, NumPy and the Keras backend (``keras.utils.set_random_seed``).

    With ``deterministic`` on TensorFlow, also ``tf.config.experimental.enable_op_determinism()``
    so that the same seed on a CPU gives the same weights and metrics run after run
    (for the whole process; a few GPU ops become slower).
    Notebook: 03_cnn.ipynb
    """
    keras.utils.set_random_seed(int(seed))
    if deterministic and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


#: Batches the input pipeline (:class:`BatchFeed`) gathers ahead of the one being trained on.
PREFETCH_BATCHES = 4
#: The last word of the seed of an augmented batch's generator (``BatchFeed(augment=...)``).
AUGMENT_STREAM = 8


def _gpu_has_bfloat16() -> bool | None:
    """Whether the backend's first GPU computes in bfloat16 natively (NVIDIA compute
    capability >= 8.0: A100, H100, L4, RTX 30xx and later); None without a GPU."""
    backend = keras.backend.backend()
    try:
        if backend == "jax":
            import jax

            device = jax.devices()[0]
            if device.platform != "gpu":
                return None
            capability = str(getattr(device, "compute_capability", "") or "")
            return not capability.replace(".", "").isdigit() or float(capability) >= 8.0
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            if not gpus:
                return None
            details = tf.config.experimental.get_device_details(gpus[0])
            return tuple(details.get("compute_capability", (8, 0)))[0] >= 8
        if backend == "torch":
            import torch

            return bool(torch.cuda.is_bf16_supported()) if torch.cuda.is_available() else None
    except Exception:  # an unknown accelerator: assume bfloat16, the common case today
        return True
    return None


def precision_policy(precision: str = "float32") -> str:
    """The Keras dtype policy of ``TrainConfig.precision``: "float32" -> "float32";
    "mixed" -> "mixed_bfloat16" (bfloat16 compute, float32 variables; bfloat16 has float32's
    range, so the loss needs no scaling) on CPUs, TPUs and GPUs with bfloat16 (NVIDIA compute
    capability >= 8.0), "mixed_float16" on older GPUs (V100, T4: float16 tensor cores; Keras
    then scales the loss with a LossScaleOptimizer). ValueError for another value.
    """
    if precision == "float32":
        return "float32"
    if precision != "mixed":
        raise ValueError(f"precision must be 'float32' or 'mixed', got {precision!r}")
    return "mixed_float16" if _gpu_has_bfloat16() is False else "mixed_bfloat16"


@dataclass(frozen=True)
class DevicePlan:
    """Where a model trains: ``count`` of the ``visible`` devices of ``kind`` ("cpu", "gpu",
    "tpu") of Keras backend ``backend``, over ``processes`` processes, with the Keras dtype
    policy ``dtype_policy``; data-parallel when ``count`` > 1. ``to_dict`` is what a run's
    config.json records as "devices".
    """

    backend: str
    kind: str
    count: int
    visible: int
    processes: int
    dtype_policy: str

    @property
    def data_parallel(self) -> bool:
        return self.count > 1

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "data_parallel": self.data_parallel}


def _visible_devices() -> tuple[str, int, int]:
    """(kind, number of devices of that kind in every process, processes) for the backend."""
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        names = keras.distribution.list_devices()  # ["gpu:0", "gpu:1"], every process's
        return names[0].split(":")[0], len(names), jax.process_count()
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = len(tf.config.list_physical_devices("GPU"))
        return ("gpu", gpus, 1) if gpus else ("cpu", 1, 1)
    if backend == "torch":
        import torch

        return ("gpu", torch.cuda.device_count(), 1) if torch.cuda.is_available() else ("cpu", 1, 1)
    return "cpu", 1, 1


def plan_devices(train: TrainConfig = TrainConfig()) -> DevicePlan:
    """The devices and dtype policy that ``train`` trains with, here and now.

    ``train.devices`` None (the default) takes every visible device (the most that split
    ``train.batch_size`` evenly: all of them for batch 32 on 2, 4 or 8 GPUs), a number takes
    that many. Several devices need the JAX backend (``keras.distribution`` implements data
    parallelism for JAX); on TensorFlow or PyTorch the default is one device. On a CPU, JAX
    sees one device unless ``XLA_FLAGS=--xla_force_host_platform_device_count=N`` simulates N.
    ValueError, saying what to change, when the request cannot be met.
    """
    backend = keras.backend.backend()
    kind, visible, processes = _visible_devices()
    wanted = train.devices
    if backend != "jax":
        if wanted not in (None, 1):
            raise ValueError(f"devices={wanted}: training on several devices needs KERAS_BACKEND=jax "
                             f"(keras.distribution's data parallelism); with {backend} genrelib "
                             "trains on one device")
        count = 1
    elif wanted is not None and wanted > visible:
        raise ValueError(f"devices={wanted}, but JAX sees {visible} {kind} device(s): ask for at "
                         f"most {visible}")
    elif processes > 1:  # multi-host: every device of every process, one global batch
        count = visible
        if wanted not in (None, visible):
            raise ValueError(f"with {processes} processes genrelib trains on all {visible} devices: "
                             f"leave devices unset (got {wanted})")
    else:
        count = wanted or max(d for d in range(1, visible + 1) if train.batch_size % d == 0)
    if train.batch_size % count:
        raise ValueError(f"batch size {train.batch_size} does not split evenly over {count} devices: "
                         f"choose a multiple of {count} (or fewer devices)")
    return DevicePlan(backend=backend, kind=kind, count=count, visible=visible,
                      processes=processes, dtype_policy=precision_policy(train.precision))


@contextlib.contextmanager
def training_scope(train: TrainConfig = TrainConfig()) -> Iterator[DevicePlan]:
    """Build, then fit, a model inside it to train it as ``train`` says: with its dtype policy
    (``precision_policy``) and, when ``plan_devices`` gives several devices,
    ``keras.distribution.DataParallel`` over them (the variables are replicated on every
    device, each batch is split between them, the gradients are averaged: the same updates
    as one device with the whole batch). Yields the DevicePlan; restores the previous dtype
    policy and distribution on exit. Predicting afterwards needs no scope.

        with training_scope(train) as plan:
            model = build_model("crnn", ...)
            history = fit_model(model, x, y, train=train)
    """
    plan = plan_devices(train)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(plan.dtype_policy)
    try:
        if plan.data_parallel:
            devices = keras.distribution.list_devices()[: plan.count]
            with keras.distribution.DataParallel(devices=devices).scope():
                yield plan
        else:
            yield plan
    finally:
        keras.config.set_dtype_policy(previous)


def _replicas() -> tuple[int, int, int]:
    """(devices a batch is split over, this process's index, processes) under the active
    ``keras.distribution`` (1, 0, 1 without one)."""
    distribution = keras.distribution.distribution()
    if distribution is None:
        return 1, 0, 1
    count = int(np.size(distribution.device_mesh.devices))
    if keras.backend.backend() == "jax":
        import jax

        return count, jax.process_index(), jax.process_count()
    return count, 0, 1


class BatchFeed:
    """The input pipeline: an endless stream of ``(x, y)`` batches, epoch after epoch, that a
    background thread gathers ``prefetch`` batches ahead while the model trains.

    Epoch ``e`` visits the rows of ``x`` (n, ...) and ``y`` (n,) in the order
    ``np.random.default_rng([e, seed]).permutation(n)`` (in order with ``shuffle=False``), in
    ``steps`` batches of ``batch_size``; the last, shorter one is cut to a multiple of
    ``multiple`` (the devices a batch is split over; it keeps every row on one device). Batch
    ``k`` depends on (seed, k) alone: not on timing, backend or device count. With
    ``shard=(i, p)`` (process i of p, multi-host) each batch is the i-th of p equal slices of
    the global batch. ``wait_seconds`` adds up the time ``next`` waited for a batch that was
    not ready (``DataWaitMeter``); ``prefetch=0`` gathers in the caller, all of it waiting.
    Keras takes ``stream()`` (``model.fit(feed.stream(), steps_per_epoch=feed.steps)``);
    ``close()`` stops the thread. With ``augment`` (e.g. an ``augment.Augmenter``) batch
    ``k``'s rows are given to ``augment(rows, rng)`` with
    ``rng = np.random.default_rng([seed, epoch, batch, AUGMENT_STREAM])`` and its ``(x, y)`` is
    the batch: the augmented stream, too, depends on (seed, k) alone
    (Notebook: 08_small_data.ipynb).
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, *, batch_size: int, shuffle: bool = True,
                 seed: int = 0, multiple: int = 1, shard: tuple[int, int] = (0, 1),
                 prefetch: int = PREFETCH_BATCHES,
                 augment: Callable[[np.ndarray, np.random.Generator], tuple[np.ndarray, np.ndarray]] | None = None,
                 ) -> None:
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


class DataWaitMeter(keras.callbacks.Callback):
    """Adds ``data_wait_fraction`` to the logs: the seconds the training loop waited for the
    next batch of ``feed`` (a BatchFeed) during the epoch, over the epoch's training time (from
    its start to the start of validation). 0 means the device never waited for data. Where
    steps are dispatched ahead of the device (JAX, TensorFlow's prefetching thread), the
    training time ends when the loop has handed over the last step, so it is an upper bound.
    """

    def __init__(self, feed: BatchFeed) -> None:
        super().__init__()
        self.feed = feed

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start, self._waited = time.perf_counter(), self.feed.wait_seconds
        self._train_end: tuple[float, float] | None = None

    def on_test_begin(self, logs: dict | None = None) -> None:
        if getattr(self, "_train_end", 0) is None:  # validation inside fit: training is over
            self._train_end = (time.perf_counter(), self.feed.wait_seconds)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        end, waited = self._train_end or (time.perf_counter(), self.feed.wait_seconds)
        if logs is not None:
            fraction = (waited - self._waited) / max(end - self._start, 1e-9)
            logs["data_wait_fraction"] = float(min(1.0, max(0.0, fraction)))


class EpochTimer(keras.callbacks.Callback):
    """Adds ``epoch_seconds`` (wall time of the epoch, validation included) to the logs.
    """

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["epoch_seconds"] = time.perf_counter() - self._start


class EpochTable(keras.callbacks.Callback):
    """Prints one compact line per epoch (epoch, loss, accuracy, validation loss and
    accuracy, learning rate, seconds) under a header, instead of Keras' long log lines.

    Reads the logs that the callbacks before it filled (``epoch_seconds``, ``learning_rate``),
    so it goes last. Notebook: 03_cnn.ipynb
    """

    COLUMNS: tuple[tuple[str, str, str], ...] = (
        ("loss", "loss", "8.4f"), ("accuracy", "acc", "6.3f"), ("val_loss", "val_loss", "9.4f"),
        ("val_accuracy", "val_acc", "8.3f"), ("learning_rate", "lr", "9.2e"),
        ("epoch_seconds", "seconds", "8.1f"),
    )

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._header_shown = False

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        shown = [(key, title, fmt) for key, title, fmt in self.COLUMNS if key in logs]
        if not self._header_shown:
            widths = [len(format(0.0, fmt)) for _, _, fmt in shown]
            print("epoch" + "".join(f" {title:>{w}}" for (_, title, _), w in zip(shown, widths)))
            self._header_shown = True
        print(f"{epoch + 1:>5}" + "".join(f" {float(logs[key]):{fmt}}" for key, _, fmt in shown),
              flush=True)


def make_callbacks(
    train: TrainConfig, *, run_dir: str | Path | None = None, monitor: str = "val_loss"
) -> list[keras.callbacks.Callback]:
    """The study's callbacks: EpochTimer, TerminateOnNaN, EarlyStopping (restore best weights),
    ReduceLROnPlateau (factor ``train.reduce_lr_factor``) and, with ``run_dir``,
    ModelCheckpoint (best weights, ``checkpoint.weights.h5``) and CSVLogger (``history.csv``).
    Notebook: 03_cnn.ipynb
    """
    callbacks: list[keras.callbacks.Callback] = [
        EpochTimer(),
        keras.callbacks.TerminateOnNaN(),
        keras.callbacks.EarlyStopping(
            monitor=monitor, patience=train.early_stopping_patience, restore_best_weights=True
        ),
        keras.callbacks.ReduceLROnPlateau(
            monitor=monitor, factor=train.reduce_lr_factor, patience=train.reduce_lr_patience,
            min_lr=train.min_learning_rate,
        ),
    ]
    if run_dir is not None:
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        callbacks += [
            keras.callbacks.ModelCheckpoint(
                str(run_dir / runs.CHECKPOINT_FILE), monitor=monitor, save_best_only=True,
                save_weights_only=True,
            ),
            keras.callbacks.CSVLogger(str(run_dir / runs.HISTORY_FILE)),
        ]
    return callbacks


def compile_model(model: keras.Model, train: TrainConfig, *, soft_labels: bool = False) -> keras.Model:
    """Compile with Adam(``train.learning_rate``), sparse categorical cross-entropy, accuracy.

    Accuracy is weighted by the rows' weights when there are any (none in training; the
    zero-weight rows that pad validation across several devices do not count). With
    ``soft_labels`` (mixup, Notebook: 08_small_data.ipynb) the labels are probability rows:
    categorical cross-entropy, accuracy of the argmax.
    """
    if soft_labels:
        loss, metric = keras.losses.CategoricalCrossentropy(), keras.metrics.CategoricalAccuracy(name="accuracy")
    else:
        loss, metric = keras.losses.SparseCategoricalCrossentropy(), "accuracy"
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=train.learning_rate),
        loss=loss,
        weighted_metrics=[metric],
    )
    return model


def _padded(x: np.ndarray, y: np.ndarray, multiple: int) -> tuple[np.ndarray, ...]:
    """(x, y, weights) padded with copies of rows up to a multiple of ``multiple`` rows.

    The copies weigh 0 and the real rows padded/real, so that Keras' validation loss (per
    batch the weighted sum over the batch's rows, averaged over batches weighted by their
    rows, padding included) is exactly the mean over the real rows; weighted accuracy is
    exact for any positive weight.
    """
    n, pad = len(x), -len(x) % multiple
    weights = np.concatenate([np.full(n, (n + pad) / n, "float32"), np.zeros(pad, "float32")])
    rows = np.concatenate([np.arange(n), np.arange(pad) % n])
    return np.take(x, rows, axis=0), np.take(y, rows, axis=0), weights


def fit_model(
    model: keras.Model, x_train: np.ndarray, y_train: np.ndarray,
    x_valid: np.ndarray | None = None, y_valid: np.ndarray | None = None, *,
    train: TrainConfig = TrainConfig(), run_dir: str | Path | None = None, verbose: int | str = 2,
    augment: Any | None = None,
) -> pd.DataFrame:
    """Compile and train ``model`` on model-shaped arrays; returns the history, one row per epoch.

    ``x_*`` as given by ``models.model_input`` (e.g. (n, 128, 130, 1)), ``y_*`` int (n,).
    Without validation data, early stopping and the plateau rule watch the training loss.
    The best weights (lowest monitored loss) are in the model on return. History columns:
    ``epoch`` (1-based), ``loss``, ``accuracy``, [``val_loss``, ``val_accuracy``],
    ``learning_rate``, ``epoch_seconds``, ``data_wait_fraction`` (:class:`DataWaitMeter`).
    ``verbose``: 0 silent, 1 progress bar, 2 one line per epoch, ``"table"`` (:data:`TABLE`)
    one compact line per epoch (:class:`EpochTable`). Batches come from a :class:`BatchFeed`
    shuffled by ``train.seed``; call ``set_seed`` before building the model for repeatable
    runs. Inside ``training_scope`` (model built there too) it trains on every device of the
    scope's data-parallel distribution: each batch is split between them; validation rows are
    padded with zero-weight copies to a multiple of the device count.
    ``augment``: an ``augment.Augmenter`` over the same training rows (in model shape), whose
    batches replace the plain ones (``BatchFeed(augment=...)``); with soft labels (mixup) the
    loss is categorical cross-entropy and validation labels are one-hot. None (default):
    the study's recipe, bit for bit. Notebook: 08_small_data.ipynb
    """
    if len(x_train) == 0:
        raise ValueError("no training segments: the training split is empty")
    for name, x in (("training", x_train), ("validation", x_valid)):
        if x is not None and not np.isfinite(x).all():
            bad = int(np.size(x) - np.count_nonzero(np.isfinite(x)))
            raise ValueError(f"the {name} features contain {bad} NaN/inf values: recompute them "
                             "(genrelib features) or drop the clips they come from")
    has_valid = x_valid is not None and y_valid is not None and len(x_valid) > 0
    monitor = "val_loss" if has_valid else "loss"
    devices, process, processes = _replicas()
    soft = bool(augment is not None and augment.soft_labels)
    compile_model(model, train, soft_labels=soft)
    feed = BatchFeed(x_train, np.asarray(y_train), batch_size=train.batch_size, seed=train.seed,
                     multiple=devices, shard=(process, processes), augment=augment)
    if soft and has_valid:
        y_valid = np.eye(int(model.output_shape[-1]), dtype=np.float32)[np.asarray(y_valid)]
    callbacks = [DataWaitMeter(feed), *make_callbacks(train, run_dir=run_dir, monitor=monitor)]
    if verbose == TABLE:
        callbacks.append(EpochTable())
    validation = None
    if has_valid:
        validation = ((x_valid, np.asarray(y_valid)) if devices == 1
                      else _padded(x_valid, np.asarray(y_valid), devices))
        part = len(validation[0]) // processes  # each process feeds its slice (multi-host)
        validation = tuple(a[process * part:(process + 1) * part] for a in validation)
    try:
        history = model.fit(
            feed.stream(), steps_per_epoch=feed.steps, epochs=train.epochs,
            validation_data=validation, validation_batch_size=train.batch_size // processes,
            callbacks=callbacks, shuffle=False, verbose=0 if verbose == TABLE else verbose,
        )  # shuffle=False: the feed shuffles, Keras would only warn that it cannot
    finally:
        feed.close()
    frame = pd.DataFrame(history.history)
    frame.insert(0, "epoch", np.arange(1, len(frame) + 1))
    if not all(np.isfinite(w).all() for w in model.get_weights()):
        raise FloatingPointError(
            f"training diverged (loss NaN/inf by epoch {len(frame)}) before any epoch ended with "
            f"finite weights: lower the learning rate (now {train.learning_rate})"
        )
    return frame


def segment_embeddings(model: keras.Model, X: np.ndarray, *, kind: str, batch_size: int = 64) -> np.ndarray:
    """What a Keras model's last hidden layer makes of each segment: the input of its output
    layer (``"genre"``), shape (n_segments, width), for raw features X (n, n_features, frames).
    Chapter 7 maps them to 2-D to see which genres the model keeps apart.
    Notebook: 07_evaluation.ipynb
    """
    if is_classical(kind):
        raise ValueError(f"a {kind} model has no hidden layer: embeddings need a deep model")
    hidden = keras.Model(model.inputs, model.get_layer("genre").input)
    return np.asarray(hidden.predict(model_input(X, kind), batch_size=batch_size, verbose=0))


def predict_probs(model: keras.Model, X: np.ndarray, *, kind: str, batch_size: int = 64) -> np.ndarray:
    """Class probabilities (n_segments, n_classes) for raw features X (n, n_features, frames)
    from a Keras model, or from a classical one (``kind`` "logreg"/"svm": X of "stats"
    features, (n, n_features, 1); ``classical.predict_classical``).
    """
    if is_classical(kind):
        return predict_classical(model, X)
    if len(X) == 0:
        return np.zeros((0, int(model.output_shape[-1])), dtype=np.float32)
    return np.asarray(model.predict(model_input(X, kind), batch_size=batch_size, verbose=0))


