"""The models and the training loop under Keras' other backends (JAX, PyTorch).

Keras 3 runs the same model code on TensorFlow (the default here), JAX or PyTorch. When
one of those is installed, the model and training tests run again in a subprocess with
``KERAS_BACKEND`` set to it; otherwise the check is skipped with the install command.
JAX (the book's GPU path) comes with ``make test`` (the ``[jax]`` extra). A backend named in
``$GENREBOOK_REQUIRE_BACKENDS`` (comma-separated; ``.ci/run`` sets ``jax``) must be
installed: its check fails instead of skipping.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
#: The test files of the Keras models and of the fit (the classical models, the feed and the
#: device plan do not depend on the backend; tests/test_training_devices.py runs JAX itself).
BACKEND_TESTS = ("test_models_kinds.py", "test_models_layers.py", "test_models_cnn.py",
                 "test_models_rnn.py", "test_models_crnn.py", "test_models_builders.py",
                 "test_models_inspection.py", "test_training_fit.py", "test_training_callbacks.py")
INSTALL = {"jax": "pip install -e '.[jax]'", "torch": "pip install torch==2.13.0"}


def required_backends() -> set[str]:
    return {b.strip() for b in os.environ.get("GENREBOOK_REQUIRE_BACKENDS", "").split(",") if b.strip()}


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_models_and_training_run_under_backend(backend: str) -> None:
    if importlib.util.find_spec(backend) is None:
        message = (f"{backend} is not installed: `{INSTALL[backend]}` to run the model tests "
                   f"under KERAS_BACKEND={backend}")
        if backend in required_backends():
            pytest.fail(f"{message} (GENREBOOK_REQUIRE_BACKENDS requires it)")
        pytest.skip(message)
    env = dict(os.environ, KERAS_BACKEND=backend)
    used = subprocess.run([sys.executable, "-c", "import keras; print(keras.backend.backend())"],
                          env=env, capture_output=True, text=True)
    assert used.stdout.strip().splitlines()[-1:] == [backend], used.stdout + used.stderr
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               *(str(TESTS / name) for name in BACKEND_TESTS)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=TESTS.parent)
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
    assert result.returncode == 0, f"KERAS_BACKEND={backend}: model tests failed\n{tail}"


def test_the_backend_test_files_exist() -> None:
    """A renamed test file must be renamed here too, or its tests stop running under JAX."""
    missing = [name for name in BACKEND_TESTS if not (TESTS / name).is_file()]
    assert not missing, f"tests/test_backends.py BACKEND_TESTS names missing files: {missing}"
