"""The models and the training loop under Keras' other backends (JAX, PyTorch).

Keras 3 runs the same model code on TensorFlow (the default here), JAX or PyTorch. When
one of those is installed, the model and training tests run again in a subprocess with
``KERAS_BACKEND`` set to it (all but those in ``NOT_RERUN``, each with its reason);
otherwise the check is skipped with the install command.
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
#: Tests of BACKEND_TESTS not run again under the other backends (each re-run costs minutes on
#: 2 cores): what they check does not depend on the backend, or another re-run test trains the
#: same thing. Every model kind still builds, saves, loads, trains and predicts identically for
#: a seed under JAX (test_same_seed_same_weights_and_predictions), and early stopping, the
#: checkpoint and mixed precision run there too.
NOT_RERUN = {
    "test_cnn_variant_trains_one_step": "each kind trains under the same-seed test",
    "test_rnn_variant_trains_one_step": "each kind trains under the same-seed test",
    "test_crnn_variant_trains_one_step": "each kind trains under the same-seed test",
    "test_fit_writes_history_and_checkpoint": "the checkpoint is read by the early-stopping test",
    "test_stops_on_nan": "TerminateOnNaN is a Keras callback, the same on every backend",
    "test_without_validation_monitors_training_loss": "the monitor choice is Python, not backend",
    "test_data_wait_fraction_sees_a_slow_input_pipeline": "timing of the Python feed only",
    "test_fit_model_trains_a_model_written_in_a_notebook_cell": "the same fit as the same-seed test",
    "test_every_variant_round_trips_through_save_and_load":
        "each kind round-trips under the backend in test_standardizer_inside_model_and_round_trip; "
        "the variants differ in layer settings, which Keras serialises the same on every backend",
    "test_standardizer_fitted_on_other_features_is_refused": "a refusal raised in Python before any backend op",
}


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
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
               "-k", " and ".join(f"not {name}" for name in NOT_RERUN),
               *(str(TESTS / name) for name in BACKEND_TESTS)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=TESTS.parent)
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
    assert result.returncode == 0, f"KERAS_BACKEND={backend}: model tests failed\n{tail}"


def test_the_backend_test_files_exist() -> None:
    """A renamed test file must be renamed here too, or its tests stop running under JAX."""
    missing = [name for name in BACKEND_TESTS if not (TESTS / name).is_file()]
    assert not missing, f"tests/test_backends.py BACKEND_TESTS names missing files: {missing}"


def test_the_tests_not_rerun_exist() -> None:
    """A renamed test must be renamed in NOT_RERUN too, or it runs again under JAX unnoticed."""
    sources = "".join((TESTS / name).read_text(encoding="utf-8") for name in BACKEND_TESTS
                      if (TESTS / name).is_file())
    missing = [name for name in NOT_RERUN if f"def {name}(" not in sources]
    assert not missing, f"tests/test_backends.py NOT_RERUN names tests that do not exist: {missing}"
