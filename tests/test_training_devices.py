"""genrelib.training.devices: the precision policy per device, the device plan, data-parallel
training over several devices, and the train command's options for them (--batch-size,
--lr, --precision, --devices).

Several devices are simulated on the CPU under JAX
(``XLA_FLAGS=--xla_force_host_platform_device_count=2``) in a subprocess, so this test
process keeps its own backend and single device. Not re-run under JAX by
tests/test_backends.py (the subprocess is JAX already).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytest.importorskip("keras")

from genrelib.cli import main  # noqa: E402
from genrelib.config import TrainConfig  # noqa: E402
from genrelib.training import devices, plan_devices, precision_policy  # noqa: E402

TINY_CNN = ["--option", "filters=[4,8]", "--option", "dense_units=16",
            "--option", "dropout=0", "--option", "dense_dropout=0"]


# --------------------------------------------------------------------------- precision, devices


def test_precision_policy_per_device(monkeypatch) -> None:
    """mixed: bfloat16 on a CPU and on GPUs that have it, float16 on older GPUs."""
    assert precision_policy("float32") == "float32"
    assert precision_policy("mixed") == "mixed_bfloat16"  # this machine: no GPU
    monkeypatch.setattr(devices, "_gpu_has_bfloat16", lambda: False)  # e.g. a V100 or T4
    assert precision_policy("mixed") == "mixed_float16"
    monkeypatch.setattr(devices, "_gpu_has_bfloat16", lambda: True)  # A100, H100
    assert precision_policy("mixed") == "mixed_bfloat16"
    with pytest.raises(ValueError, match="'float32' or 'mixed', got 'fp16'"):
        precision_policy("fp16")


def test_one_device_here_and_several_refused_with_the_reason() -> None:
    plan = plan_devices(TrainConfig())
    assert (plan.count, plan.kind, plan.data_parallel, plan.dtype_policy) == (1, "cpu", False, "float32")
    assert plan.to_dict()["count"] == 1
    with pytest.raises(ValueError, match="KERAS_BACKEND=jax|JAX sees 1"):
        plan_devices(TrainConfig(devices=2))


TWO_DEVICES = textwrap.dedent('''
    import json, sys
    import numpy as np
    from genrelib import models
    from genrelib.config import TrainConfig
    from genrelib.pipeline import Hardware, RunSpec, train_run
    from genrelib.training import fit_model, plan_devices, predict_probs, set_seed, training_scope

    data, cache, out = sys.argv[1:4]
    report = {}
    # 1. fit_model on arrays: 64 training rows (no batch cut), 19 validation rows (odd: padded)
    rng = np.random.default_rng(0)
    y = np.arange(83) % 4
    X = rng.normal(size=(83, 16, 24)).astype("float32")
    for c in range(4):
        X[y == c, 3 * c:3 * c + 3] += 2.0
    fits = {}
    for devices in (1, 2):
        train = TrainConfig(epochs=3, batch_size=8, devices=devices)
        set_seed(0)
        with training_scope(train) as plan:
            model = models.build_cnn(input_shape=(16, 24, 1), n_classes=4, filters=(4, 8), dense_units=8)
            history = fit_model(model, models.model_input(X[:64], "cnn"), y[:64],
                                models.model_input(X[64:], "cnn"), y[64:], train=train, verbose=0)
        fits[devices] = (plan.count, history, model.get_weights(), predict_probs(model, X[64:], model_kind="cnn"))
    columns = ["loss", "accuracy", "val_loss", "val_accuracy"]
    report["fit"] = {str(d): {"count": c, "history": h[columns].to_numpy().tolist()}
                     for d, (c, h, _, _) in fits.items()}
    report["fit_weights_diff"] = max(float(np.abs(a - b).max()) for a, b in zip(fits[1][2], fits[2][2]))
    report["fit_probs_diff"] = float(np.abs(fits[1][3] - fits[2][3]).max())
    # 2. train_run: the default takes both devices and records them
    for name, devices in (("one", 1), ("default", None)):
        spec = RunSpec(model="cnn", profile="quick", epochs=2, seed=0, valid_fraction=0.34,
                       test_fraction=0.34, options={"filters": (4, 8), "dense_units": 8})
        result = train_run(data, spec, out_dir=f"{out}/{name}", cache_dir=cache, verbose=0,
                           hardware=Hardware(devices=devices, batch_size=16))
        config = json.load(open(f"{out}/{name}/config.json"))
        report[name] = {"devices": config["devices"], "train_config": config["train_config"],
                        "history": result.history[["loss", "val_loss", "val_accuracy"]].to_numpy().tolist(),
                        "test": [result.metrics.test.segment_accuracy, result.metrics.test.track_accuracy]}
    # 3. requests that cannot be met
    errors = []
    for cfg in (TrainConfig(devices=3), TrainConfig(batch_size=33, devices=2)):
        try:
            plan_devices(cfg)
        except ValueError as error:
            errors.append(str(error))
    report["errors"] = errors
    report["auto_odd_batch"] = plan_devices(TrainConfig(batch_size=33)).count
    print("REPORT " + json.dumps(report))
''')


@pytest.mark.slow
def test_two_simulated_devices_train_as_one(tiny_synthetic, tmp_path) -> None:
    """JAX with 2 host devices: data-parallel training gives the same history, weights and
    test metrics as one device (up to float rounding), and the run records 2 devices."""
    pytest.importorskip("jax")
    env = dict(os.environ, KERAS_BACKEND="jax",
               XLA_FLAGS="--xla_force_host_platform_device_count=2", TF_CPP_MIN_LOG_LEVEL="2")
    done = subprocess.run([sys.executable, "-c", TWO_DEVICES, str(tiny_synthetic),
                           str(tmp_path / "cache"), str(tmp_path / "runs")],
                          env=env, capture_output=True, text=True, timeout=600)
    lines = [line for line in done.stdout.splitlines() if line.startswith("REPORT ")]
    assert done.returncode == 0 and lines, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(lines[-1].removeprefix("REPORT "))
    # fit_model: the same updates (padding of the odd validation set included)
    assert report["fit"]["1"]["count"] == 1 and report["fit"]["2"]["count"] == 2
    np.testing.assert_allclose(report["fit"]["2"]["history"], report["fit"]["1"]["history"], atol=1e-5)
    assert report["fit_weights_diff"] < 1e-5 and report["fit_probs_diff"] < 1e-5
    # train_run: both devices by default, recorded; same metrics within tolerance
    one, two = report["one"], report["default"]
    assert two["devices"] == {"backend": "jax", "kind": "cpu", "count": 2, "visible": 2,
                              "processes": 1, "dtype_policy": "float32", "data_parallel": True}
    assert one["devices"]["count"] == 1 and one["train_config"]["devices"] == 1
    assert two["train_config"]["devices"] is None and two["train_config"]["batch_size"] == 16
    np.testing.assert_allclose(two["history"], one["history"], atol=1e-4)
    np.testing.assert_allclose(two["test"], one["test"], atol=1e-6)
    # what cannot be done is said
    assert "JAX sees 2 cpu device(s)" in report["errors"][0]
    assert "batch size 33 does not split evenly over 2 devices" in report["errors"][1]
    assert report["auto_odd_batch"] == 1  # by default: the most devices that split the batch


# --------------------------------------------------------------------------- the command line


@pytest.mark.parametrize("argv,message", [
    (["--batch-size", "0"], "--batch-size must be an integer >= 1, got 0"),
    (["--batch-size=-8"], "--batch-size must be an integer >= 1, got -8"),
    (["--lr", "0"], "--lr must be a positive number, got 0.0"),
    (["--lr=-1e-3"], "--lr must be a positive number, got -0.001"),
    (["--lr", "nan"], "--lr must be a positive number, got nan"),
    (["--devices", "0"], "--devices must be an integer >= 1, got 0"),
    (["--devices", "2"], "KERAS_BACKEND=jax"),
])
def test_bad_training_options_are_refused(argv, message, tmp_path, capsys) -> None:
    assert main(["train", str(tmp_path), "--out", str(tmp_path / "run"), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("genrelib train: error: ") and message in err, err


def test_unknown_precision_is_refused_by_the_parser(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["train", str(tmp_path), "--out", str(tmp_path / "run"), "--precision", "half"])
    assert stop.value.code == 2
    assert "argument --precision: invalid choice: 'half'" in capsys.readouterr().err


@pytest.mark.slow
def test_training_options_reach_the_run_record(tiny_synthetic, tmp_path, module_cache) -> None:
    """--batch-size scales the learning rate (1e-3 x 64/32), --lr wins over it, --precision
    mixed trains in bfloat16; config.json and metrics.json say so."""
    records = {}
    for name, extra in (("scaled", ["--precision", "mixed"]), ("given", ["--lr", "5e-4"])):
        out = tmp_path / name
        assert main(["train", str(tiny_synthetic), "--out", str(out), "--epochs", "1",
                     "--batch-size", "64", "--val-fraction", "0.34", "--test-fraction", "0",
                     "--quiet", *TINY_CNN, *extra]) == 0
        records[name] = (json.loads((out / "config.json").read_text()),
                         json.loads((out / "metrics.json").read_text()))
    config, metrics = records["scaled"]
    assert config["train_config"]["batch_size"] == 64
    assert config["train_config"]["learning_rate"] == pytest.approx(2e-3)
    assert config["train_config"]["precision"] == "mixed"
    assert config["devices"]["dtype_policy"] == "mixed_bfloat16" and config["devices"]["count"] == 1
    assert 0 <= metrics["data_wait_fraction"] <= 1 and np.isfinite(metrics["valid"]["segment_accuracy"])
    config, _ = records["given"]
    assert (config["train_config"]["batch_size"], config["train_config"]["learning_rate"]) == (64, 5e-4)
    assert config["train_config"]["precision"] == "float32"


def test_by_default_jax_takes_the_most_devices_that_split_the_batch_evenly(monkeypatch) -> None:
    """With 4 devices visible to JAX and batches of 6, the default plan takes 3 (6 / 3 = 2 each),
    not all 4 (which would refuse the batch size); batches of 8 take all 4.

    Break tried: default to every visible device -> ValueError "batch size 6 does not split evenly".
    """
    monkeypatch.setattr(devices.keras.backend, "backend", lambda: "jax")
    monkeypatch.setattr(devices, "_visible_devices", lambda: ("gpu", 4, 1))
    plan = plan_devices(TrainConfig(batch_size=6))
    assert (plan.count, plan.visible, plan.data_parallel) == (3, 4, True)
    assert plan_devices(TrainConfig(batch_size=8)).count == 4
