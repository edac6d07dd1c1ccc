"""The Keras port of the four taggers against the ORIGINAL trained graphs of the musicnn wheel.

tests/data/pretrained_reference.json holds what the original TF1 graphs compute for the
3 patches of ``reference_signal()``: the 50 tag probabilities of every patch and 32 numbers
of one embedding layer (musicnn "penultimate", vgg "flatten" = pool5), for all four models.
It was written once by running this file as a script (``PYTHONPATH=. python
tests/test_pretrained_port.py``, TensorFlow 2.21 in graph mode): each wheel's ``.meta`` is
parsed, its ``_output_shapes`` attributes (written by TF 1.12, which TF 2 rejects) are
deleted, the graph is imported with ``tf.compat.v1.train.import_meta_graph`` and restored
from the checkpoint prefix ``<folder>/``, then run with ``is_training`` False. No code of
genrelib's port (nor the wheel's ``models.py``, whose MSD_vgg pooling is not the trained
one) takes part; only the input patches come from ``genrelib.pretrained.inputs``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

REFERENCE = Path(__file__).resolve().parent / "data" / "pretrained_reference.json"
MODELS = ("MSD_musicnn", "MSD_vgg", "MTT_musicnn", "MTT_vgg")
#: The layer each architecture's reference embedding comes from, and its tensor in the graph.
EMBEDDING = {"musicnn": ("penultimate", "model/batch_normalization_10/batchnorm/add_1:0"),
             "vgg": ("flatten", "model/max_pooling2d_4/MaxPool:0")}
N_STORED = 32  # embedding numbers stored per patch (evenly spaced indices)

needs_musicnn = pytest.mark.skipif(
    importlib.util.find_spec("musicnn") is None,
    reason="the pretrained weights' package is not installed: pip install --no-deps musicnn==0.1.0")


def reference_signal() -> np.ndarray:
    """9 s of music-like sound at 16 kHz (float32, peak < 1): an A minor chord of harmonic
    tones with a slow tremolo, a decaying 60 Hz kick every 0.5 s and noise hats between
    them (seed 19)."""
    sr = 16_000
    t = np.arange(9 * sr) / sr
    chord = sum(0.08 / h * np.sin(2 * np.pi * f * h * t) for f in (220.0, 261.63, 329.63) for h in range(1, 6))
    chord = chord * (0.75 + 0.25 * np.sin(2 * np.pi * 0.5 * t))
    beat = t % 0.5
    kick = 0.5 * np.sin(2 * np.pi * 60.0 * beat) * np.exp(-beat / 0.08)
    noise = np.diff(np.random.default_rng(19).standard_normal(t.size + 1))
    hats = 0.05 * noise * np.exp(-((t + 0.25) % 0.5) / 0.03)
    return (chord + kick + hats).astype(np.float32)


def reference_patches() -> np.ndarray:
    from genrelib.pretrained.inputs import clip_patches

    return clip_patches(reference_signal())


def _indices(dim: int) -> np.ndarray:
    return np.linspace(0, dim - 1, N_STORED).round().astype(int)


def _input_summary(x: np.ndarray) -> dict:
    return {"shape": list(x.shape), "mean": float(x.mean()), "std": float(x.std()),
            "patch1_frame100": [float(v) for v in x[1, 100, :8]]}


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def patches(reference: dict) -> np.ndarray:
    x = reference_patches()
    summary = _input_summary(x)
    expected = reference["input"]
    assert summary["shape"] == expected["shape"]
    np.testing.assert_allclose([summary["mean"], summary["std"], *summary["patch1_frame100"]],
                               [expected["mean"], expected["std"], *expected["patch1_frame100"]], atol=1e-4,
                               err_msg="the input patches changed (genrelib.pretrained.inputs or librosa): "
                                       "the port cannot be compared; fix the input, do not regenerate")
    return x


def _port_outputs(net, x: np.ndarray, layer: str) -> tuple[np.ndarray, np.ndarray]:
    import keras

    both = keras.Model(net.input, [net.output, net.get_layer(layer).output])
    tags, embedding = (np.asarray(a) for a in both.predict_on_batch(x))
    return tags, embedding.reshape(len(x), -1)


def _check(net, model: str, reference: dict, x: np.ndarray) -> None:
    layer = EMBEDDING[model.split("_")[1]][0]
    tags, embedding = _port_outputs(net, x, layer)
    stored = reference["models"][model]
    np.testing.assert_allclose(tags, stored["tags"], rtol=0, atol=1e-5, err_msg=f"{model} tags")
    assert stored["embedding"]["layer"] == layer
    np.testing.assert_allclose(embedding[:, stored["embedding"]["indices"]], stored["embedding"]["values"],
                               rtol=1e-5, atol=1e-5, err_msg=f"{model} {layer}")


@needs_musicnn
@pytest.mark.parametrize("model", MODELS)
def test_port_reproduces_the_original_graph(model: str, reference: dict, patches: np.ndarray,
                                            tmp_path: Path) -> None:
    pytest.importorskip("keras")
    from genrelib.pretrained import load_pretrained

    _check(load_pretrained(model, cache_dir=tmp_path), model, reference, patches)


@needs_musicnn
def test_msd_vgg_pooling_is_the_trained_one(reference: dict, patches: np.ndarray,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The pooling of the wheel's models.py (MTT_vgg's) gives the same shapes, so MSD_vgg's
    weights load into it without error: only the reference comparison catches it."""
    pytest.importorskip("keras")
    from genrelib.pretrained import convert_weights, vgg_net

    monkeypatch.setitem(vgg_net.VGG_POOLS, "MSD_vgg", vgg_net.VGG_POOLS["MTT_vgg"])
    with pytest.raises(AssertionError, match="MSD_vgg"):
        _check(convert_weights("MSD_vgg"), "MSD_vgg", reference, patches)


# --------------------------------------------------------------------------- the reference


def _original_graph_outputs(model: str, x: np.ndarray, fetch: list[str]) -> list[np.ndarray]:
    import tensorflow as tf
    from tensorflow.core.protobuf import meta_graph_pb2

    from genrelib.pretrained.wheel import checkpoint_dir

    folder = checkpoint_dir(model)
    meta = meta_graph_pb2.MetaGraphDef()
    meta.ParseFromString((folder / ".meta").read_bytes())
    for node in meta.graph_def.node:  # TF 1.12's shape annotations, rejected by TF 2
        if "_output_shapes" in node.attr:
            del node.attr["_output_shapes"]
    graph = tf.Graph()
    with graph.as_default():
        saver = tf.compat.v1.train.import_meta_graph(meta, clear_devices=True)
        with tf.compat.v1.Session(graph=graph) as session:
            saver.restore(session, str(folder) + "/")
            return session.run(fetch, {"model/Placeholder:0": x, "model/Placeholder_2:0": False})


def write_reference(path: Path = REFERENCE) -> None:
    """Run the four original graphs on ``reference_patches()`` and write ``path``."""
    x = reference_patches()
    out: dict = {"about": "Outputs of the musicnn 0.1.0 wheel's original TF1 graphs on reference_patches() "
                          "of tests/test_pretrained_port.py (see its docstring).",
                 "input": _input_summary(x), "models": {}}
    for model in MODELS:
        layer, tensor = EMBEDDING[model.split("_")[1]]
        tags, embedding = _original_graph_outputs(model, x, ["model/Sigmoid:0", tensor])
        embedding = embedding.reshape(len(x), -1)
        indices = _indices(embedding.shape[1])
        out["models"][model] = {
            "tags": [[float(f"{v:.7g}") for v in row] for row in tags],
            "embedding": {"layer": layer, "indices": indices.tolist(),
                          "values": [[float(f"{v:.7g}") for v in row[indices]] for row in embedding]},
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(out, indent=1)  # then one line per list of numbers
    text = re.sub(r"\[[-0-9.e,\s]+\]", lambda m: json.dumps(json.loads(m.group(0)), separators=(",", ":")), text)
    path.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {path} ({path.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    import tensorflow as tf

    tf.compat.v1.disable_eager_execution()
    write_reference()
