"""Per-patch embeddings of a clip and of a dataset (cached like genrelib's features)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers import noise

keras = pytest.importorskip("keras")

from genrelib.features import SkippedClipWarning  # noqa: E402
from genrelib.pretrained import embeddings  # noqa: E402
from genrelib.pretrained.embeddings import EmbeddingSpec, embed_clip, extract_embeddings  # noqa: E402

needs_musicnn = pytest.mark.skipif(
    importlib.util.find_spec("musicnn") is None,
    reason="the pretrained weights' package is not installed: pip install --no-deps musicnn==0.1.0")


def test_spec_defaults_layers_and_sizes() -> None:
    assert EmbeddingSpec("MSD_musicnn").layer == "penultimate"
    assert EmbeddingSpec("MTT_vgg").layer == "flatten"
    spec = EmbeddingSpec("MSD_vgg", "pool4")
    assert spec.n_features == 128 and spec.segment_shape == (128, 1) and spec.segments_per_clip == 19
    assert EmbeddingSpec("MSD_musicnn", "mean_pool", overlap=0.0).segments_per_clip == 10
    assert EmbeddingSpec.from_dict(spec.to_dict()) == spec
    with pytest.raises(ValueError, match="MSD_musicnn has no embedding layer 'pool5'.*penultimate"):
        EmbeddingSpec("MSD_musicnn", "pool5")
    with pytest.raises(ValueError, match="unknown pretrained model"):
        EmbeddingSpec("GTZAN_vgg")
    with pytest.raises(ValueError, match="clip_seconds must be at least one patch"):
        EmbeddingSpec(clip_seconds=2.0)


def test_cache_key_covers_model_layer_and_input() -> None:
    paths = {embeddings.embedding_cache_path("abc", spec, cache_dir="/c") for spec in (
        EmbeddingSpec("MSD_vgg"), EmbeddingSpec("MTT_vgg"), EmbeddingSpec("MSD_vgg", "pool5"),
        EmbeddingSpec("MSD_vgg", overlap=0.0), EmbeddingSpec("MSD_vgg", clip_seconds=10.0))}
    paths.add(embeddings.embedding_cache_path("abd", EmbeddingSpec("MSD_vgg"), cache_dir="/c"))
    assert len(paths) == 6 and all(p.parent == Path("/c/pretrained") for p in paths)


def _tone(path: Path, seconds: float, freq: float, sr: int = 22_050) -> None:
    t = np.arange(int(seconds * sr)) / sr
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, 0.3 * np.sin(2 * np.pi * freq * t) * (1 + np.sin(2 * np.pi * 2 * t)) / 2, sr)


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory: pytest.TempPathFactory):
    """Two genres of two 6 s tones, and one 1 s clip (shorter than a patch)."""
    from genrelib.datasets import index_dataset

    root = tmp_path_factory.mktemp("tones")
    for genre, freqs in (("low", (110.0, 150.0)), ("high", (1500.0, 2500.0))):
        for i, freq in enumerate(freqs):
            _tone(root / genre / f"{genre}{i}.wav", 6.0, freq)
    _tone(root / "high" / "short.wav", 1.0, 2000.0)
    return index_dataset(root)


@needs_musicnn
def test_embed_clip_gives_one_row_per_patch(tmp_path: Path) -> None:
    y = (0.1 * np.random.default_rng(1).standard_normal(16_000 * 9)).astype(np.float32)
    spec = EmbeddingSpec("MSD_vgg", "pool3", overlap=0.0, clip_seconds=9.0)
    E = embed_clip(y, spec, cache_dir=tmp_path)
    assert E.shape == (3, 128) and E.dtype == np.float32  # (23, 12, 128) maps averaged
    penultimate = embed_clip(y, EmbeddingSpec("MTT_musicnn", overlap=0.0, clip_seconds=9.0), cache_dir=tmp_path)
    assert penultimate.shape == (3, 200) and np.isfinite(penultimate).all()


@needs_musicnn
def test_extract_embeddings_skips_unusable_clips_and_caches(tiny_dataset, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    spec = EmbeddingSpec("MTT_musicnn", "mean_pool", clip_seconds=6.0)
    assert spec.segments_per_clip == 3
    with pytest.warns(SkippedClipWarning, match=r"short\.wav.*shorter than one segment"):
        fs = extract_embeddings(tiny_dataset, spec, cache_dir=tmp_path, progress=False)
    assert fs.X.shape == (4 * 3, 753, 1) and fs.config == spec
    assert fs.n_tracks == 4 and [s["track_id"] for s in fs.skipped] == ["short"]
    assert fs.segment_index.tolist() == [0, 1, 2] * 4
    tracks = tiny_dataset.tracks.set_index("track_id")
    assert [tiny_dataset.genres[g] for g in fs.y[::3]] == tracks.loc[fs.track_ids[::3], "genre"].tolist()
    one = embed_clip(tracks.loc[fs.track_ids[0], "path"], spec, cache_dir=tmp_path)
    np.testing.assert_allclose(fs.X[:3, :, 0], one, rtol=1e-5, atol=1e-5)
    assert list((tmp_path / "pretrained").glob("MTT_musicnn-mean_pool-*.npz"))

    def no_compute(*args, **kwargs):
        raise AssertionError("recomputed although cached")

    monkeypatch.setattr(embeddings, "_embed_patches", no_compute)
    with pytest.warns(SkippedClipWarning, match="short.wav"):  # the cached set still says so
        again = extract_embeddings(tiny_dataset, spec, cache_dir=tmp_path, progress=False)
    np.testing.assert_array_equal(again.X, fs.X)
    np.testing.assert_array_equal(again.track_ids, fs.track_ids)


@needs_musicnn
def test_a_corrupt_cache_file_is_recomputed(tiny_dataset, tmp_path: Path) -> None:
    spec = EmbeddingSpec("MSD_vgg", "pool5", clip_seconds=6.0)
    path = embeddings.embedding_cache_path(tiny_dataset.fingerprint(), spec, cache_dir=tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"truncated")
    from genrelib.cache import CacheFileWarning

    with pytest.warns(CacheFileWarning, match="ignoring embedding cache file"):
        fs = extract_embeddings(tiny_dataset, spec, cache_dir=tmp_path, progress=False)
    assert fs.X.shape == (12, 128, 1)


def _noise(seconds: float) -> np.ndarray:
    """Noise at the taggers' 16 kHz (helpers.noise)."""
    return noise(seconds, 16_000, seed=1)


@pytest.mark.parametrize("overlap", [0.0, 0.5])
def test_segments_per_clip_is_the_number_of_patches_cut(overlap: float) -> None:
    """``segments_per_clip`` is the number of patches ``clip_patches`` cuts from a clip of
    ``clip_seconds``, down to a clip of exactly one patch (2.976 s: 187 centred frames).
    Break tried: the frame count without its 1 + (centred frames) -> one frame short."""
    from genrelib.pretrained import inputs

    for seconds in (inputs.PATCH_SECONDS, 4.5, 6.0, 9.0, 30.0):
        spec = EmbeddingSpec(layer="patch", overlap=overlap, clip_seconds=seconds)
        cut = inputs.clip_patches(_noise(seconds), overlap=overlap, clip_seconds=seconds)
        assert spec.segments_per_clip == len(cut), (seconds, overlap)


def test_segment_hop_samples_is_where_the_next_patch_starts() -> None:
    """Patch 1 of a clip is the log-mel of the signal from ``segment_hop_samples`` on:
    23,808 samples (1.488 s) at overlap 0.5, 47,872 (2.992 s) without overlap.
    Break tried: hop frames times n_fft instead of the STFT hop -> other numbers."""
    from genrelib.pretrained import inputs

    y = _noise(9.0)
    for overlap, expected in ((0.5, 23_808), (0.0, 47_872)):
        hop = EmbeddingSpec(overlap=overlap).segment_hop_samples
        assert hop == expected
        second = inputs.clip_patches(y, overlap=overlap)[1]
        shifted = inputs.log_mel(y[hop:])[:inputs.PATCH_FRAMES]
        # the inner frames (the edges' frames see the reflected padding)
        np.testing.assert_allclose(second[4:-4], shifted[4:-4], rtol=1e-5, atol=1e-5)


def test_the_patch_layer_is_the_input_patches_mel_bands_down() -> None:
    """The "patch" layer needs no network: row i is input patch i transposed to (96 mel
    bands, 187 frames), band 0 the lowest, as ``embed_clip`` and ``recording_features`` give it.
    Break tried: the mel axis flipped -> fails."""
    from genrelib.pretrained import inputs, recording_features

    y = _noise(9.0)
    spec = EmbeddingSpec(layer="patch", overlap=0.0, clip_seconds=9.0)
    assert spec.n_features == 96 and spec.segment_shape == (96, 187)
    expected = np.transpose(inputs.clip_patches(y), (0, 2, 1))
    np.testing.assert_array_equal(embed_clip(y, spec), expected)
    np.testing.assert_array_equal(recording_features(y, spec), expected)


def test_recording_features_read_the_whole_recording() -> None:
    """``recording_features`` is not cut to ``spec.clip_seconds`` (``embed_clip`` is): 9 s
    without overlap give 3 patches even when the spec's clips last 3 s.
    Break tried: recording_features cutting to clip_seconds -> 1 patch."""
    from genrelib.pretrained import recording_features

    y = _noise(9.0)
    spec = EmbeddingSpec(layer="patch", overlap=0.0, clip_seconds=3.0)
    assert recording_features(y, spec).shape == (3, 96, 187)
    assert embed_clip(y, spec).shape == (1, 96, 187)


@needs_musicnn
def test_map_layers_are_averaged_over_time_and_frequency(tmp_path: Path) -> None:
    """A layer of (time, mel, maps) gives per patch each map's mean over time and mel.
    Break tried: the maximum in place of the mean -> fails (the shapes still match)."""
    from genrelib.pretrained import inputs, load_pretrained

    y = _noise(9.0)
    spec = EmbeddingSpec("MSD_vgg", "pool3", overlap=0.0, clip_seconds=9.0)
    E = embed_clip(y, spec, cache_dir=tmp_path)
    net = load_pretrained("MSD_vgg", cache_dir=tmp_path)
    maps = np.asarray(keras.Model(net.input, net.get_layer("pool3").output).predict_on_batch(
        inputs.clip_patches(y)))
    assert maps.shape == (3, 23, 12, 128)
    np.testing.assert_allclose(E, maps.mean(axis=(1, 2)), rtol=1e-4, atol=1e-6)


@needs_musicnn
def test_every_patch_is_embedded_whatever_the_batch_size(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Patches go through the network ``_PATCH_BATCH`` at a time: with batches of 2, the 3
    patches of 9 s still give 3 rows, the same as in one batch.
    Break tried: each batch's slice one patch short -> a row lost."""
    from genrelib.pretrained import recording_features

    y = _noise(9.0)
    spec = EmbeddingSpec("MSD_vgg", "flatten", overlap=0.0, clip_seconds=9.0)
    whole = recording_features(y, spec, cache_dir=tmp_path)
    monkeypatch.setattr(embeddings, "_PATCH_BATCH", 2)
    batched = recording_features(y, spec, cache_dir=tmp_path)
    assert whole.shape == batched.shape == (3, 256, 1)
    np.testing.assert_allclose(batched, whole, rtol=1e-5, atol=1e-6)
