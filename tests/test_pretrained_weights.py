"""The taggers' weights: every checkpoint variable mapped, converted once into the feature
cache and read back from there; a clear error when the musicnn package is missing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from genrelib.errors import UserError  # noqa: E402
from genrelib.pretrained import weights, wheel  # noqa: E402

needs_musicnn = pytest.mark.skipif(
    importlib.util.find_spec("musicnn") is None,
    reason="the pretrained weights' package is not installed: pip install --no-deps musicnn==0.1.0")


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The models whose checkpoint ``weights`` reads, in order."""
    seen: list[str] = []

    def counting(model: str) -> dict[str, np.ndarray]:
        seen.append(model)
        return wheel.read_checkpoint(model)

    monkeypatch.setattr(weights, "read_checkpoint", counting)
    return seen


@needs_musicnn
@pytest.mark.parametrize("model", wheel.MODEL_NAMES)
def test_every_checkpoint_variable_has_one_keras_weight(model: str) -> None:
    variables = wheel.read_checkpoint(model)
    mapped = [name for names in weights.checkpoint_map(model).values() for name in names]
    assert sorted(mapped) == sorted(variables)  # each exactly once, none left over
    net = weights.convert_weights(model)
    assert net.count_params() == sum(v.size for v in variables.values())
    assert net.count_params() == (792_079 if model.endswith("musicnn") else 607_030)


@needs_musicnn
def test_weights_are_converted_once_then_read_from_the_cache(tmp_path: Path, conversions: list[str]) -> None:
    path = weights.weights_path("MTT_vgg", cache_dir=tmp_path)
    assert path == tmp_path / "pretrained" / "MTT_vgg.weights.h5" and not path.exists()
    first = weights.load_pretrained("MTT_vgg", cache_dir=tmp_path)
    assert conversions == ["MTT_vgg"] and path.is_file()
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    second = weights.load_pretrained("MTT_vgg", cache_dir=tmp_path)
    assert conversions == ["MTT_vgg"]  # read from the .h5, not converted again
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@needs_musicnn
def test_a_corrupt_weights_file_is_converted_again(tmp_path: Path, conversions: list[str]) -> None:
    path = weights.weights_path("MSD_vgg", cache_dir=tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not an HDF5 file")
    with pytest.warns(UserWarning, match="converting again"):
        weights.load_pretrained("MSD_vgg", cache_dir=tmp_path)
    assert conversions == ["MSD_vgg"]
    weights.load_pretrained("MSD_vgg", cache_dir=tmp_path)
    assert conversions == ["MSD_vgg"]


def test_missing_package_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs with or without musicnn installed: the package is looked up under a name that
    does not exist."""
    monkeypatch.setattr(wheel, "PACKAGE", "musicnn_is_not_installed_here")
    for call in (lambda: weights.load_pretrained("MSD_musicnn", cache_dir=tmp_path),
                 lambda: wheel.tag_names("MSD"), wheel.licence_text):
        with pytest.raises(wheel.MissingWeightsError) as raised:
            call()
        assert "pip install --no-deps musicnn==0.1.0" in str(raised.value)
        assert isinstance(raised.value, UserError) and isinstance(raised.value, ImportError)
    assert not weights.weights_path("MSD_musicnn", cache_dir=tmp_path).exists()


@needs_musicnn
def test_converted_weights_load_without_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    weights.load_pretrained("MTT_musicnn", cache_dir=tmp_path)
    monkeypatch.setattr(wheel, "PACKAGE", "musicnn_is_not_installed_here")
    assert weights.load_pretrained("MTT_musicnn", cache_dir=tmp_path).name == "MTT_musicnn"


def test_unknown_model_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="MSD_musicnn.*MTT_vgg"):
        weights.weights_path("MSD_resnet")
