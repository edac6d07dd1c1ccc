"""Where and in which precision a model trains: the dtype policy, the devices, the
data-parallel scope, and a description of the machine for every record.

Several devices need the JAX backend (``keras.distribution.DataParallel``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import keras
import numpy as np

from genrelib.config import TrainConfig


def device_description() -> str:
    """What Keras trains on, in words, recorded with every run and benchmark.

    Returns
    -------
    str
        E.g. "CPU (2 cores)", "GPU x1" (TensorFlow), "GPU (NVIDIA H100 ...)" (JAX/PyTorch),
        so a time is never quoted without its machine.
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
    """The Keras dtype policy of ``TrainConfig.precision``.

    Parameters
    ----------
    precision : {"float32", "mixed"}

    Returns
    -------
    str
        "float32" for "float32". For "mixed": "mixed_bfloat16" (bfloat16 compute, float32
        variables; bfloat16 has float32's range, so the loss needs no scaling) on CPUs, TPUs
        and GPUs with bfloat16 (NVIDIA compute capability >= 8.0), "mixed_float16" on older
        GPUs (V100, T4; Keras then scales the loss). ValueError for another value.
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

    Parameters
    ----------
    train : TrainConfig
        ``train.devices`` None (the default) takes every visible device (the most that
        split ``train.batch_size`` evenly), a number takes that many; ``train.precision``
        gives the dtype policy (``precision_policy``).

    Returns
    -------
    DevicePlan
        Several devices need the JAX backend; on TensorFlow or PyTorch the default is one.
        On a CPU, JAX sees one device unless ``XLA_FLAGS=--xla_force_host_platform_device_count=N``
        simulates N. ValueError, saying what to change, when the request cannot be met.
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
    """Build, then fit, a model inside it to train it as ``train`` says.

    Sets the dtype policy (``precision_policy``) and, when ``plan_devices`` gives several
    devices, ``keras.distribution.DataParallel`` over them (the variables are replicated on
    every device, each batch is split between them, the gradients are averaged: the same
    updates as one device with the whole batch). Restores the previous dtype policy and
    distribution on exit. Predicting afterwards needs no scope.

        with training_scope(train) as plan:
            model = build_model("crnn", ...)
            history = fit_model(model, x, y, train=train)

    Parameters
    ----------
    train : TrainConfig
        Its ``precision`` and ``devices``.

    Yields
    ------
    DevicePlan
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


def active_replicas() -> tuple[int, int, int]:
    """How the active ``keras.distribution`` splits a batch.

    Returns
    -------
    tuple of 3 ints
        (devices a batch is split over, this process's index, processes); (1, 0, 1)
        without a distribution.
    """
    distribution = keras.distribution.distribution()
    if distribution is None:
        return 1, 0, 1
    count = int(np.size(distribution.device_mesh.devices))
    if keras.backend.backend() == "jax":
        import jax

        return count, jax.process_index(), jax.process_count()
    return count, 0, 1
