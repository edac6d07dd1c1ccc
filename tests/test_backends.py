"""The models and the training loop under Keras' other backends (JAX, PyTorch).

Keras 3 runs the same model code on TensorFlow (the default here), JAX or PyTorch. When
one of those is installed (``pip install jax`` or ``pip install torch``), the model and
training tests run again in a subprocess with ``KERAS_BACKEND`` set to it; otherwise the
check is skipped with the install command.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
BACKEND_TESTS = ("test_models.py", "test_training.py")


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_models_and_training_run_under_backend(backend: str) -> None:
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed: `pip install {backend}` to run the model "
                    f"tests under KERAS_BACKEND={backend}")
    env = dict(os.environ, KERAS_BACKEND=backend)
    used = subprocess.run([sys.executable, "-c", "import keras; print(keras.backend.backend())"],
                          env=env, capture_output=True, text=True)
    assert used.stdout.strip().splitlines()[-1:] == [backend], used.stdout + used.stderr
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               *(str(TESTS / name) for name in BACKEND_TESTS)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=TESTS.parent)
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
    assert result.returncode == 0, f"KERAS_BACKEND={backend}: model tests failed\n{tail}"
