"""``genrelib predict`` and ``genrelib.predict``: any file, chunked = whole file, bad input.

One tiny CNN and one logistic regression are trained on the tiny synthetic set for the whole
module; every audio file is generated here with soundfile (other rates, stereo, long, silent,
broken). The chunked path (``audio.stream_audio`` -> ``features.SegmentStream`` -> the models a
batch at a time) is checked against whole-file processing (``load_audio`` + ``clip_features``)
and its memory against a 30 s clip; every bad input is reported with its path and reason while
the other files are predicted (exit 1), usage errors exit 2, and nothing prints NaN.
"""

from __future__ import annotations

import csv
import json
import os
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

pytest.importorskip("keras")

from genrelib import predict as P  # noqa: E402
from genrelib.audio import AudioError, load_audio, stream_audio  # noqa: E402
from genrelib.cli import main  # noqa: E402
from genrelib.config import FeatureConfig  # noqa: E402
from genrelib.features import SegmentStream, clip_features  # noqa: E402
from genrelib.runs import METADATA_MEMBER, find_model_file, read_model_metadata  # noqa: E402

TINY_CNN = ["--option", "filters=[4,8]", "--option", "dense_units=8", "--option", "dropout=0",
            "--option", "dense_dropout=0"]
SR = 22050


# --------------------------------------------------------------------------- fixtures


def _train(data: Path, out: Path, *options: str) -> Path:
    code = main(["train", str(data), "--out", str(out), "--profile", "quick", "--seed", "1",
                 "--val-fraction", "0.34", "--test-fraction", "0", "--quiet", *options])
    assert code == 0
    return out


@pytest.fixture(scope="module")
def cnn(tiny_synthetic, tmp_path_factory, module_cache) -> Path:
    return _train(tiny_synthetic, tmp_path_factory.mktemp("runs") / "cnn", "--model", "cnn",
                  "--epochs", "2", *TINY_CNN)


@pytest.fixture(scope="module")
def logreg(tiny_synthetic, tmp_path_factory, module_cache) -> Path:
    return _train(tiny_synthetic, tmp_path_factory.mktemp("runs") / "logreg", "--model", "logreg")


@pytest.fixture(scope="module")
def predictor(cnn) -> P.Predictor:
    return P.load_predictor(cnn)


@pytest.fixture(scope="module")
def ensemble(cnn, logreg) -> P.Predictor:
    return P.load_predictor([cnn, logreg])


def music(seconds: float, rate: int = SR, channels: int = 1, seed: int = 0) -> np.ndarray:
    """A non-stationary test signal (n, channels): a gliding, pulsing tone, clicks, and noise
    that comes and goes; the channels differ."""
    n = int(round(seconds * rate))
    t = np.arange(n) / rate
    rng = np.random.default_rng(seed)
    freq = 330 + 220 * np.sin(2 * np.pi * 0.07 * t)
    tone = 0.3 * np.sin(2 * np.pi * np.cumsum(freq) / rate) * (0.3 + 0.7 * np.sin(2 * np.pi * 0.3 * t) ** 2)
    clicks = 0.5 * (np.sin(2 * np.pi * 2 * t) > 0.95) * rng.standard_normal(n)
    noise = 0.15 * rng.standard_normal(n) * (t % 20 > 12)
    left, right = tone + clicks, 0.5 * tone + noise
    both = np.stack([left, right], axis=1) if channels == 2 else (left + right)[:, None] / 2
    return both.astype(np.float32)


def write_silent_wav(path: Path, seconds: float) -> Path:
    """``seconds`` of digital silence (16-bit zeros) at 22,050 Hz."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.zeros(int(seconds * SR), np.int16), SR, subtype="PCM_16")
    return path


def write(path: Path, seconds: float, *, rate: int = SR, channels: int = 1, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, music(seconds, rate, channels, seed), rate)
    return path


def rewrite_model(run: Path, out: Path, edit) -> Path:
    """A copy of ``run``'s model file in ``out`` with its genrelib.json changed by ``edit``."""
    source = find_model_file(run)
    meta = read_model_metadata(source)
    edit(meta)
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out / source.name, "w") as new:
        for item in old.infolist():
            new.writestr(item, json.dumps(meta) if item.filename == METADATA_MEMBER else old.read(item))
    return out / source.name


def expected_segments(seconds: float, cfg: FeatureConfig = FeatureConfig()) -> int:
    n = int(round(seconds * cfg.sample_rate))
    return 1 + (n - cfg.segment_samples) // cfg.segment_hop_samples


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["predict", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


# --------------------------------------------------------------------------- chunked = whole


@pytest.mark.parametrize("ext, rate, channels", [
    ("wav", 44100, 2), ("flac", 48000, 1), ("ogg", 16000, 2), ("au", 8000, 1), ("mp3", 44100, 2)])
def test_any_format_rate_and_channel_count_streams_as_it_loads(tmp_path, predictor, ext, rate, channels):
    path = write(tmp_path / f"clip.{ext}", 7.0, rate=rate, channels=channels)
    whole = load_audio(path, clip_seconds=None)
    chunks = list(stream_audio(path, chunk_seconds=1.3))
    assert len(chunks) >= 5 and max(map(len, chunks)) < 1.5 * SR  # about a chunk, not the file
    np.testing.assert_allclose(np.concatenate(chunks), whole, rtol=0, atol=1e-6)
    result = P.predict_file(predictor, path, chunk_seconds=1.3)
    assert result.segments == 1 + (len(whole) - 66150) // 33075 == 3
    np.testing.assert_allclose(result.probs.sum(axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(result.starts, [0, 1.5, 3.0])


@pytest.mark.parametrize("kind", ["mel", "mfcc", "stats"])
def test_segment_stream_equals_clip_features(kind):
    cfg = FeatureConfig(kind=kind)
    y = music(20.3)[:, 0]
    y[5 * SR:7 * SR] = 0  # silence inside
    exact = y[:4 * 33075 + 66150]  # its last segment ends at its last sample: frames in the end padding
    for signal in (y, exact):
        whole = clip_features(signal, cfg)
        for size in (1000, 33075, 7 * SR + 5):
            stream = SegmentStream(cfg)
            parts = [stream.feed(signal[i:i + size]) for i in range(0, len(signal), size)]
            parts.append(stream.finish())
            assert max(len(p) for p in parts) < len(whole) or size > len(signal) / 2
            np.testing.assert_allclose(np.concatenate(parts), whole, rtol=1e-5, atol=1e-4)
    stream = SegmentStream(cfg)
    assert stream.feed(y[:SR]).shape == (0, *cfg.segment_shape)
    with pytest.raises(ValueError, match="shorter than one segment"):
        stream.finish()


def test_chunked_prediction_equals_the_whole_file_on_a_long_stereo_recording(tmp_path, ensemble):
    path = write(tmp_path / "long.wav", 100.0, rate=44100, channels=2, seed=3)
    whole = P.predict_file(ensemble, path, chunk_seconds=None)
    assert whole.segments == expected_segments(100.0) == 65
    for chunk_seconds in (7.3, P.CHUNK_SECONDS):
        chunked = P.predict_file(ensemble, path, chunk_seconds=chunk_seconds)
        np.testing.assert_allclose(chunked.probs, whole.probs, rtol=0, atol=1e-5)
        np.testing.assert_array_equal(chunked.starts, whole.starts)
        assert [g for g, _ in chunked.top_k] == [g for g, _ in whole.top_k]
    assert len({row["genre"] for row in whole.timeline}) > 1  # the signal changes: so do the answers


def test_a_ten_minute_song_needs_about_the_memory_of_a_30_s_clip(tmp_path, predictor):
    short = write_silent_wav(tmp_path / "short.wav", 30.0)
    long = tmp_path / "long.wav"
    sf.write(long, music(600.0, channels=1), SR, subtype="PCM_16")
    P.predict_file(predictor, short)  # warm-up (filterbanks, the model's first call)

    def peak(path: Path, chunk_seconds: float | None) -> int:
        tracemalloc.start()
        try:
            P.predict_file(predictor, path, chunk_seconds=chunk_seconds)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    clip, song = peak(short, P.CHUNK_SECONDS), peak(long, P.CHUNK_SECONDS)
    assert song < 2 * clip, (clip, song)
    assert peak(long, None) > 5 * clip  # what whole-file processing would need


# --------------------------------------------------------------------------- results


def test_top_k_and_timeline_follow_the_probabilities():
    probs = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.5, 0.3]], dtype=np.float32)
    result = P.FilePrediction(Path("a.wav"), ("blues", "jazz", "rock"), probs, np.array([0, 1.5, 3.0]), k=2)
    assert result.segments == 3
    assert [g for g, _ in result.top_k] == ["jazz", "blues"]
    np.testing.assert_allclose([p for _, p in result.top_k], [0.5, 0.8 / 3], rtol=1e-6)
    assert result.timeline == [{"start": 0.0, "genre": "jazz", "probability": pytest.approx(0.7)},
                               {"start": 1.5, "genre": "blues", "probability": pytest.approx(0.5)},
                               {"start": 3.0, "genre": "jazz", "probability": pytest.approx(0.5)}]
    assert set(result.to_dict()) == {"path", "top_k", "segments", "timeline", "notes", "input"}
    assert result.notes == [] and result.to_dict()["input"] is None  # no InputReport given
    assert result.to_dict()["top_k"][0] == ["jazz", pytest.approx(0.5)]


def test_silence_is_predicted_with_finite_probabilities(tmp_path, ensemble):
    path = write_silent_wav(tmp_path / "silence.wav", 6.0)
    for chunk_seconds in (P.CHUNK_SECONDS, None):
        result = P.predict_file(ensemble, path, chunk_seconds=chunk_seconds)
        assert result.segments == 3 and np.isfinite(result.probs).all()
        np.testing.assert_allclose(result.probs.sum(axis=1), 1, atol=1e-5)


def test_non_finite_probabilities_or_samples_fail_the_file(tmp_path, predictor, cnn, capsys, monkeypatch):
    good = write(tmp_path / "good.wav", 4.0)
    nan = tmp_path / "nan.wav"
    samples = music(4.0)
    samples[1000] = np.nan
    sf.write(nan, samples, SR, subtype="FLOAT")
    results = list(P.predict_paths(predictor, [good, nan], progress=False))
    assert isinstance(results[0], P.FilePrediction)
    assert results[1].path == nan and "NaN or infinite samples" in results[1].reason

    def nan_scores(self, X):
        return np.full((len(X), len(self.genres)), np.nan, dtype=np.float32)

    monkeypatch.setattr(P.ModelMember, "_score_batch", nan_scores)
    (failure,) = P.predict_paths(predictor, [good], progress=False)
    assert failure.path == good and "probabilities of 1 segment(s) are not finite" in failure.reason
    code, out, err = run_cli(capsys, str(cnn), str(good), "--json")
    [entry] = json.loads(out)  # the file keeps its entry, with its reason and no genre
    assert code == 1 and entry["top_k"] == [] and entry["error"].startswith("the probabilities")
    assert f"{good}: the probabilities" in err
    json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} in the JSON"))  # no non-finite number


# --------------------------------------------------------------------------- ensembles and models


def test_an_ensemble_is_the_mean_of_its_members_matched_by_genre_name(tmp_path, cnn, logreg, predictor):
    path = write(tmp_path / "clip.flac", 9.0, rate=32000, channels=2)
    shuffled = rewrite_model(logreg, tmp_path / "shuffled",
                             lambda m: m.update(genres=m["genres"][::-1]))  # columns named in reverse
    alone = P.predict_file(P.load_predictor(shuffled), path)
    assert alone.genres == predictor.genres[::-1]
    both = P.predict_file(P.load_predictor([cnn, shuffled]), path)
    assert both.genres == predictor.genres
    first = P.predict_file(predictor, path)
    np.testing.assert_allclose(both.probs, (first.probs + alone.probs[:, ::-1]) / 2, rtol=0, atol=1e-6)


def test_an_ensemble_refuses_other_genres_or_other_segments(tmp_path, cnn, logreg, capsys):
    renamed = rewrite_model(logreg, tmp_path / "renamed", lambda m: m["genres"].__setitem__(9, "ambient"))
    with pytest.raises(ValueError, match=r"share their genre list.*only in .*model.skops: ambient\)$"):
        P.load_predictor([cnn, renamed])
    code, _, err = run_cli(capsys, str(cnn), str(tmp_path), "--ensemble", str(renamed))
    assert code == 2 and err.startswith("genrelib predict: error:") and "ambient" in err
    shorter = rewrite_model(logreg, tmp_path / "two-seconds",
                            lambda m: m["feature_config"].update(segment_seconds=2.0))
    with pytest.raises(ValueError, match="same segments.*2 s segments every 1 s"):
        P.load_predictor([cnn, shorter])


@pytest.mark.parametrize("edit, named", [
    (lambda m: m["feature_config"].update(n_cqt=84), r"feature_config \(unknown FeatureConfig keys: \['n_cqt'\]"),
    (lambda m: m["feature_config"].update(kind="cqt"), r"feature_config \(kind must be one of .* got 'cqt'"),
    (lambda m: m.update(model_kind="transformer"), r"model_kind \(unknown model kind 'transformer'"),
    (lambda m: m.pop("genres"), r"genres \(missing\)"),
])
def test_a_model_whose_settings_this_version_cannot_compute_is_refused(tmp_path, cnn, capsys, edit, named):
    model = rewrite_model(cnn, tmp_path / "future", edit)
    with pytest.raises(ValueError, match=named):
        P.load_predictor(model)
    code, _, err = run_cli(capsys, str(model), str(tmp_path))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "retrain it" in err


# --------------------------------------------------------------------------- bad input


def broken_folder(root: Path) -> dict[str, Path]:
    """Good, silent and broken files (and a text file that a folder scan skips)."""
    files = {
        "good": write(root / "good.wav", 5.0),
        "stereo": write(root / "sub" / "deeper" / "stereo.ogg", 4.0, rate=44100, channels=2, seed=1),
        "silence": write_silent_wav(root / "silence.wav", 3.5),
        "short": write(root / "short.wav", 2.5),
        "empty": root / "empty.wav",
        "not audio": root / "fake.mp3",
        "header only": root / "header.wav",
        "truncated flac": root / "truncated.flac",
        "truncated wav": write(root / "truncated.wav", 10.0),
    }
    files["empty"].write_bytes(b"")
    files["not audio"].write_text("not a song\n" * 100)
    files["header only"].write_bytes(files["good"].read_bytes()[:40])
    sf.write(files["truncated flac"], music(20.0, channels=2), SR)
    data = files["truncated flac"].read_bytes()
    files["truncated flac"].write_bytes(data[: len(data) // 2])
    data = files["truncated wav"].read_bytes()
    files["truncated wav"].write_bytes(data[: len(data) // 2])
    (root / "notes.txt").write_text("liner notes")
    return files


REASONS = {"short": "shorter than one segment", "empty": "empty file", "not audio": "cannot decode audio",
           "header only": "cannot decode audio", "truncated flac": "truncated: ",
           "truncated wav": "truncated: 5.0 of 10.0 seconds"}


def test_a_folder_of_mixed_files_predicts_every_good_one(tmp_path, predictor):
    files = broken_folder(tmp_path / "music")
    results = list(P.predict_paths(predictor, [tmp_path / "music", tmp_path / "missing.wav"],
                                   chunk_seconds=2.0, progress=False))
    predicted = {r.path: r for r in results if isinstance(r, P.FilePrediction)}
    failed = {r.path: r.reason for r in results if isinstance(r, P.FileFailure)}
    assert set(predicted) == {files["good"], files["stereo"], files["silence"]}
    assert predicted[files["good"]].segments == expected_segments(5.0)
    assert set(failed) == {files[name] for name in REASONS} | {tmp_path / "missing.wav"}
    for name, reason in REASONS.items():
        assert reason in failed[files[name]], (name, failed[files[name]])
    assert failed[tmp_path / "missing.wav"] == "no such file or folder"
    assert [r.path for r in results if isinstance(r, P.FileFailure) and r.no_file] == [tmp_path / "missing.wav"]


def test_cli_reports_each_bad_file_and_exits_1(tmp_path, cnn, capsys, monkeypatch):
    """Break tried (the walks): the command's own passed_over_files walk before predict_paths'
    (as before) -> the music folder walked twice."""
    import genrelib.predict.files as predict_files

    files = broken_folder(tmp_path / "music")
    empty_folder = tmp_path / "nothing"
    empty_folder.mkdir()
    walked, walk = [], predict_files._walk_folder
    monkeypatch.setattr(predict_files, "_walk_folder", lambda folder: walked.append(folder) or walk(folder))
    code, out, err = run_cli(capsys, str(cnn), str(tmp_path / "music"), str(tmp_path / "missing.wav"),
                             str(empty_folder), str(tmp_path / "music" / "notes.txt"), "--json")
    assert code == 1
    entries = json.loads(out)  # one per file or path, in order; failures with their reason
    assert [r["path"] for r in entries if r["error"] is None] == [str(files[n]) for n in ("good", "silence", "stereo")]
    assert {r["path"]: r["error"] for r in entries if r["error"]}[str(tmp_path / "missing.wav")] == "no such file or folder"
    assert len(entries) == 3 + len(REASONS) + 3
    reported = [line for line in err.splitlines() if line.startswith("genrelib predict: /")]
    for name, reason in REASONS.items():
        assert any(f"{files[name]}: " in line and reason in line for line in reported), name
    assert any(f"{tmp_path / 'missing.wav'}: no such file or folder" in line for line in reported)
    assert any(f"{empty_folder}: no audio files" in line for line in reported)
    assert any("notes.txt: cannot decode audio" in line for line in reported)  # named: tried
    # In the folder, notes.txt is not audio by name: passed over, and said so (it was silent).
    assert (f"genrelib predict: {tmp_path / 'music'}: passed over 1 file that is not audio by name "
            "(read: .wav, .au, .flac, .ogg, .mp3, .aiff, .aif): notes.txt; if one is") in err
    assert len(reported) == len(REASONS) + 4
    assert reported[0].startswith(f"genrelib predict: {tmp_path / 'music'}: passed over")  # before any file's line
    assert sorted(walked) == sorted([tmp_path / "music", empty_folder])  # each folder walked once
    # 7 of the 10 files found fail; 2 of the 4 paths given (a missing file, an empty folder)
    # hold no file at all and are counted apart (they were "files" before).
    assert err.splitlines()[-1] == ("genrelib predict: 7 of 10 files could not be predicted; "
                                    "2 of 4 paths held no file to predict")


@pytest.mark.slow
def test_a_truncated_file_fails_unless_allowed_and_then_carries_a_note(tmp_path, cnn, capsys):
    half = write(tmp_path / "half.wav", 10.0)
    half.write_bytes(half.read_bytes()[:half.stat().st_size // 2])
    code, out, err = run_cli(capsys, str(cnn), str(half), "--json")
    [entry] = json.loads(out)
    assert code == 1 and entry["top_k"] == [] and "truncated" in entry["error"]
    assert f"genrelib predict: {half}: truncated: 5.0 of 10.0 seconds" in err
    code, out, err = run_cli(capsys, str(cnn), str(half), "--json", "--allow-truncated")
    assert code == 0
    [record] = json.loads(out)
    assert record["segments"] == expected_segments(5.0)
    assert "truncated: 5.0 of 10.0 seconds: predicted on what is there" in record["notes"]
    code, out, err = run_cli(capsys, str(cnn), str(half), "--allow-truncated")
    assert "  note: truncated: 5.0 of 10.0 seconds: predicted on what is there" in out.splitlines()


@pytest.mark.slow
def test_silence_and_noise_get_a_note_and_a_json_field(tmp_path, tiny_synthetic, cnn, logreg, capsys):
    silence = write_silent_wav(tmp_path / "silence.wav", 30.0)  # the all-zero 30 s WAV
    noise = tmp_path / "noise.wav"
    sf.write(noise, 0.1 * np.random.default_rng(0).standard_normal(10 * SR), SR)  # -20 dBFS
    heard = sorted(tiny_synthetic.rglob("*.wav"))[0]  # a track the models were trained on
    for model in (cnn, logreg):
        code, out, _ = run_cli(capsys, str(model), str(silence), str(noise), str(heard), "--json")
        assert code == 0
        records = {Path(r["path"]).name: r for r in json.loads(out)}
        assert records["silence.wav"]["input"]["silent"] and records["silence.wav"]["input"]["rms_dbfs"] is None
        assert records["silence.wav"]["notes"] == [
            "near-silent (every sample is 0, below -60 dBFS): the genres say little"]
        assert records["noise.wav"]["input"]["unfamiliar"] and not records["noise.wav"]["input"]["silent"]
        assert [n for n in records["noise.wav"]["notes"] if n.startswith("unlike the training data")]
        assert records[heard.name]["notes"] == [], (model, records[heard.name]["input"])
        assert records[heard.name]["input"]["distance"] < 2
    code, out, _ = run_cli(capsys, str(cnn), str(silence))
    assert "  note: near-silent (every sample is 0, below -60 dBFS): the genres say little" in out.splitlines()


def test_a_file_recorded_below_the_models_rate_gets_a_note(tmp_path, cnn, capsys):
    """8 kHz audio has nothing above 4 kHz, which the training music had: the prediction says so
    (train and features warn of it; a distance check can miss it). 44.1 kHz gets no such note.
    Break tried: the note compared with > instead of < -> the 8 kHz file has none."""
    low, high = write(tmp_path / "low.wav", 4.0, rate=8000), write(tmp_path / "high.wav", 4.0, rate=44100)
    code, out, _ = run_cli(capsys, str(cnn), str(low), str(high), "--json")
    records = {Path(r["path"]).name: r for r in json.loads(out)}
    assert code == 0 and records["low.wav"]["input"]["sample_rate"] == 8000
    assert [n for n in records["low.wav"]["notes"] if n.startswith(
        "recorded at 8,000 Hz, below the models' 22,050 Hz: nothing above 4,000 Hz")], records["low.wav"]["notes"]
    assert not [n for n in records["high.wav"]["notes"] if n.startswith("recorded at")]


@pytest.mark.parametrize("argv, message", [
    (["{nomodel}", "{audio}"], "is not a run folder"),
    (["{fake_model}", "{audio}"], "not a .keras model file"),
    (["{cnn}", "{audio}", "--top-k", "0"], "--top-k must be >= 1"),
    (["{cnn}", "{audio}", "--top-k", "11"], "the model knows 10 genres"),
    (["{cnn}", "{audio}", "--timeline", "{tmp}/figure.txt"], "give a .png file"),
    (["{cnn}", "{audio}", "{audio}", "--timeline", "{tmp}/figure.png"], "give a folder, not a .png name"),
    (["{cnn}", "{tmp}", "--timeline", "{tmp}/figure.png"], "give a folder, not a .png name"),
    (["{cnn}", "{audio}", "--csv", "{tmp}/no/such/folder.csv"], "its folder does not exist"),
])
def test_usage_errors_exit_2_with_one_line(tmp_path, cnn, capsys, argv, message):
    audio = write(tmp_path / "a.wav", 3.0)
    (tmp_path / "nomodel").mkdir()
    (tmp_path / "fake").mkdir()
    (tmp_path / "fake" / "model.keras").write_text("not a zip")
    names = {"nomodel": tmp_path / "nomodel", "fake_model": tmp_path / "fake" / "model.keras", "cnn": cnn,
             "audio": audio, "tmp": tmp_path}
    code, out, err = run_cli(capsys, *[a.format(**names) for a in argv])
    assert code == 2 and out == ""
    assert err.startswith("genrelib predict: error:") and message in err and len(err.splitlines()) == 1



def test_a_damaged_model_file_says_what_is_wrong_and_what_to_do(tmp_path, cnn, capsys):
    """A model.keras whose weights are garbled (its settings still readable): one line naming
    the file, the loader's complaint and the way out (it said only what went wrong).

    Break tried: the old message -> no "train it again"."""
    from genrelib.runs import RETRAIN_ADVICE, find_model_file

    damaged = tmp_path / "model.keras"
    with zipfile.ZipFile(find_model_file(cnn)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(damaged, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, b"garbled" if name.endswith(".h5") else data)
    code, out, err = run_cli(capsys, str(damaged), str(write(tmp_path / "a.wav", 3.0)))
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert err.startswith(f"genrelib predict: error: {damaged}: cannot load the model (")
    assert err.rstrip().endswith(f"the file is damaged or was written by another Keras; {RETRAIN_ADVICE}")



def test_the_default_top_k_of_a_two_genre_model_is_two(tiny_synthetic, tmp_path, capsys, module_cache):
    """``predict RUN FILE`` without --top-k on a model of 2 genres shows both (it refused:
    "--top-k 3: the model knows 2 genres", a flag never given); --top-k 3 is still refused.

    Break tried: the default 3 kept -> exit 2."""
    two = tmp_path / "two"
    two.mkdir()
    for genre in ("jazz", "rock"):
        (two / genre).symlink_to(Path(tiny_synthetic) / "genres" / genre)
    run = _train(two, tmp_path / "run", "--model", "logreg")
    song = next((two / "jazz").iterdir())
    code, out, _ = run_cli(capsys, str(run), str(song))
    assert code == 0 and [line.split()[0] for line in out.splitlines()[1:3]] == ["1.", "2."]
    assert "  3." not in out
    code, _, err = run_cli(capsys, str(run), str(song), "--top-k", "3")
    assert code == 2 and "--top-k 3: the model knows 2 genres" in err


# --------------------------------------------------------------------------- outputs


def test_cli_json_csv_and_table_agree_with_the_library(tmp_path, cnn, logreg, capsys):
    a = write(tmp_path / "a.wav", 8.0, rate=44100, channels=2)
    b = write(tmp_path / "b.flac", 3.2, seed=5)
    models = [str(cnn), "--ensemble", str(logreg)]
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    code, out, _ = run_cli(capsys, *models, str(a), str(empty), str(b), "--json", "--top-k", "2",
                           "--csv", str(tmp_path / "out.csv"))
    assert code == 1  # the empty file: a row of its own in the CSV, with its reason
    records = json.loads(out)
    library = [P.predict_file(P.load_predictor([cnn, logreg]), p, top_k=2) for p in (a, b)]
    keys = {"path", "top_k", "segments", "timeline", "notes", "input", "error"}
    assert [set(r) for r in records] == [keys] * 3  # the empty file keeps its entry, in order
    assert records[1] == {"path": str(empty), "top_k": [], "segments": 0, "timeline": [], "notes": [],
                          "input": None, "error": "empty file (0 bytes)"}
    records = [records[0], records[2]]
    assert [r["error"] for r in records] == [None, None]
    for record, result in zip(records, library):
        assert record["path"] == str(result.path) and record["segments"] == result.segments
        assert [g for g, _ in record["top_k"]] == [g for g, _ in result.top_k]
        np.testing.assert_allclose([p for _, p in record["top_k"]], [p for _, p in result.top_k], atol=1e-6)
        assert [set(row) for row in record["timeline"]] == [{"start", "genre", "probability"}] * result.segments
        assert [row["genre"] for row in record["timeline"]] == [row["genre"] for row in result.timeline]
        assert [row["start"] for row in record["timeline"]] == list(result.starts)
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["path", "segments", "top1_genre", "top1_probability", "top2_genre", "top2_probability",
                       "notes", "error"]
    assert rows[2] == [str(empty), "", "", "", "", "", "", "empty file (0 bytes)"]  # in the order given
    for row, result in zip([rows[1], rows[3]], library):
        (g1, p1), (g2, p2) = result.top_k
        assert row[:3] == [str(result.path), str(result.segments), g1] and row[4] == g2
        assert row[6] == " | ".join(result.notes) and row[7] == ""
        assert float(row[3]) == pytest.approx(p1, abs=1e-6) and float(row[5]) == pytest.approx(p2, abs=1e-6)
    assert len(rows) == 4
    code, out, _ = run_cli(capsys, *models, str(a), "--top-k", "2")
    (g1, p1), (g2, p2) = library[0].top_k
    assert out.splitlines()[:3] == [f"{a}  (4 segments)", f"  1. {g1:<12}{p1:6.3f}", f"  2. {g2:<12}{p2:6.3f}"]
    assert out.splitlines()[3].startswith(f"  over time: {library[0].timeline[0]['genre']} from 0 s")


def test_cli_timeline_is_one_figure_or_a_folder_of_figures(tmp_path, cnn, capsys):
    a = write(tmp_path / "in" / "song.wav", 4.0)
    b = write(tmp_path / "in" / "sub" / "song.flac", 4.0, seed=2)
    assert run_cli(capsys, str(cnn), str(a), "--timeline", str(tmp_path / "one.png"))[0] == 0
    assert (tmp_path / "one.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert run_cli(capsys, str(cnn), str(tmp_path / "in"), "--timeline", str(tmp_path / "figures"))[0] == 0
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["song-2.png", "song.png"]
    assert b.exists()
    # one file and "new/": a folder, made (the README's `--timeline figures/`; break: the slash ignored -> exit 2)
    assert run_cli(capsys, str(cnn), str(a), "--timeline", str(tmp_path / "new") + "/")[0] == 0
    assert [p.name for p in (tmp_path / "new").iterdir()] == ["song.png"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX file names are bytes; Windows names are always Unicode")
def test_cli_reads_and_writes_a_file_name_that_is_not_utf8(tmp_path, cnn, capsys):
    """An old archive's Latin-1 name (b"caf\\xe9.wav"): the audio is read (soundfile gets the name's
    bytes), and --csv keeps its row with the name escaped, beside the other files' rows.
    Breaks tried: sf.SoundFile(str) -> "cannot decode audio"; the CSV written strictly as UTF-8
    -> the write fails and the CSV keeps its header only."""
    good = write(tmp_path / "in" / "good.wav", 4.0)
    odd = write(tmp_path / "tmp.wav", 4.0, seed=3)
    latin = os.path.join(os.fsencode(tmp_path / "in"), b"caf\xe9.wav")
    os.replace(odd, latin)
    code, out, err = run_cli(capsys, str(cnn), str(tmp_path / "in"), "--csv", str(tmp_path / "out.csv"))
    assert code == 0, err
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 3 and {row[-1] for row in rows[1:]} == {""}  # both predicted, no error
    assert sorted(Path(row[0]).name for row in rows[1:]) == ["caf\\udce9.wav", "good.wav"]
    assert str(good) in out


def test_a_folder_walk_follows_linked_folders_and_names_broken_links(tmp_path):
    """``predict FOLDER`` reads a linked album too (once, even through a link loop), and a
    broken link with an audio name is a failure named with its target, not silence.

    Breaks tried: Path.rglob (as before) -> the linked album's file is missing and the broken
    link is not reported."""
    library, elsewhere = tmp_path / "library", tmp_path / "elsewhere"
    write(library / "album" / "a.wav", 3.0)
    write(elsewhere / "b.flac", 3.0)
    (library / "linked").symlink_to(elsewhere)
    (library / "album" / "loop").symlink_to(library)  # a loop: each real folder is read once
    (library / "gone.mp3").symlink_to(tmp_path / "nowhere.mp3")
    (library / "cover.jpg").write_bytes(b"\xff\xd8")  # not audio by name: not a failure
    found = P.audio_files([library])
    assert found[:1] == [library / "album" / "a.wav"] and found[2:] == [library / "linked" / "b.flac"]
    assert isinstance(found[1], P.FileFailure) and found[1].path == library / "gone.mp3"
    assert found[1].reason == f"broken symbolic link (to {tmp_path / 'nowhere.mp3'})" and not found[1].no_file
    # The files that are not audio by name are passed over, and named (a .opus was silently left).
    (elsewhere / "live.opus").write_bytes(b"OggS")
    assert P.passed_over_files([library, library / "album" / "a.wav", tmp_path / "none"]) == {
        library: [library / "cover.jpg", library / "linked" / "live.opus"]}
    assert P.passed_over_files([write(tmp_path / "clean" / "c.wav", 3.0).parent]) == {}
    # A hidden folder is not music (data check and train skip it): predict skips it too.
    write(library / ".trash" / "old.wav", 3.0)
    assert library / ".trash" / "old.wav" not in P.audio_files([library])


def test_one_path_given_as_a_string_is_one_path_and_an_unreadable_entry_stops_no_walk(tmp_path, monkeypatch):
    """``audio_files("song.wav")`` read the string character by character: "s", "o", ... and a
    "/" or "." in it walked the whole file system or the working folder. A file the walk may
    not look at (PermissionError, as /proc's entries) stopped the whole walk.

    Breaks tried: map(Path, paths) (as before) -> one FileFailure per character; no except
    OSError in the walk -> PermissionError."""
    song = write(tmp_path / "in" / "song.wav", 3.0)
    (tmp_path / "in" / "notes.txt").write_text("liner notes")
    assert P.audio_files(str(song)) == [song] == P.audio_files(song)
    assert P.audio_files(str(song.parent)) == [song]
    assert P.passed_over_files(str(song.parent)) == {song.parent: [song.parent / "notes.txt"]}
    locked = write(tmp_path / "in" / "locked.flac", 3.0)
    real_is_audio = P.files.is_audio_file

    def no_permission(path):
        if path == locked:
            raise PermissionError(13, "Permission denied")
        return real_is_audio(path)

    monkeypatch.setattr(P.files, "is_audio_file", no_permission)
    found = P.audio_files([song.parent])
    assert found[0] == P.FileFailure(locked, "cannot be read (Permission denied)") and found[1:] == [song]


def test_the_table_names_at_most_a_dozen_genre_changes(tmp_path):
    """A long recording whose top genre changes every segment printed a line of thousands of
    characters; the table names the first ``SHOWN_RUNS`` runs and counts the rest.

    Break tried: no cap -> the line names all 40 runs."""
    from types import SimpleNamespace

    from genrelib.commands.predict import SHOWN_RUNS, format_prediction
    from genrelib.predict import passed_over_message

    timeline = [{"start": 1.5 * i, "genre": ("rock", "metal")[i % 2], "probability": 0.6} for i in range(40)]
    prediction = SimpleNamespace(path=Path("long.wav"), segments=40, top_k=[("rock", 0.5)], timeline=timeline,
                                 notes=[])
    over_time = format_prediction(prediction).splitlines()[2]
    assert over_time.count(" from ") == SHOWN_RUNS == 12
    assert over_time.endswith("metal from 16.5 s, and 28 more changes (--json or --timeline shows them all)")
    prediction.timeline = timeline[:12]
    assert format_prediction(prediction).splitlines()[2].endswith("metal from 16.5 s")
    many = [tmp_path / f"{i}.m4a" for i in range(7)]
    assert passed_over_message(tmp_path, many).endswith(
        ": 0.m4a, 1.m4a, 2.m4a, 3.m4a, 4.m4a and 2 more; if one is a recording, convert it to one of those formats "
        "to predict it")


def test_from_python_passed_over_files_are_warned_and_wrong_arguments_are_named(predictor, cnn, tmp_path):
    """``predict_paths`` names a folder's files that are not audio by name in a warning (the
    command line prints them itself); ``predict_file`` refuses a run folder given for the
    predictor, a folder given for a file and a top_k that is no integer, saying what to do.

    Breaks tried: no warning in predict_paths -> pytest.warns fails; no predictor check ->
    AttributeError 'str' object has no attribute 'members'."""
    assert repr(predictor).startswith("Predictor(cnn ") and "\n" not in repr(predictor)  # no arrays
    song = write(tmp_path / "in" / "song.wav", 3.0)
    (tmp_path / "in" / "cover.jpg").write_bytes(b"\xff\xd8")
    with pytest.warns(P.PassedOverWarning, match=r"passed over 1 file that is not audio by name .*: cover\.jpg"):
        results = list(P.predict_paths(predictor, tmp_path / "in", progress=False))
    assert [r.path for r in results] == [song]
    with pytest.warns(P.PassedOverWarning):  # paths as a one-shot iterator: walked once, nothing lost
        assert [r.path for r in P.predict_paths(predictor, iter([tmp_path / "in"]), progress=False)] == [song]
    with pytest.raises(TypeError, match=r"predictor must be a Predictor, got str .*load_predictor\(run_dir\)"):
        P.predict_file(str(cnn), song)
    with pytest.raises(TypeError, match=r"predictor must be a Predictor"):  # at the call, not at the first
        P.predict_paths(str(cnn), tmp_path / "in")  # result (break: a generator function -> no error here)
    with pytest.raises(IsADirectoryError, match=r"is a folder: predict_paths\(predictor, folder\)"):
        P.predict_file(predictor, tmp_path / "in")
    with pytest.raises(ValueError, match=r"top_k must be an integer >= 1, got '3'"):
        P.predict_file(predictor, song, top_k="3")


def test_a_top_k_below_one_is_refused_before_the_file_is_read(predictor, tmp_path) -> None:
    """``predict_file`` refuses ``top_k`` 0 or negative (and a bool) with a ValueError
    naming it, before it looks at the file.

    Break tried: the check ``top_k < 1`` loosened to ``top_k < 0`` -> top_k=0 is accepted and
    the missing file raises an AudioError instead."""
    for bad in (0, -1, True):
        with pytest.raises(ValueError, match="top_k must be an integer >= 1"):
            P.predict_file(predictor, tmp_path / "absent.wav", top_k=bad)


def test_figures_of_recordings_with_one_name_are_numbered_apart(tmp_path) -> None:
    """Three recordings named song.* in one --timeline folder give song.png, song-2.png and
    song-3.png, none overwritten. Break tried: one try at a new name -> the third overwrites
    song-2.png."""
    from types import SimpleNamespace

    from genrelib.commands.predict import _save_timeline

    used: set[str] = set()
    for folder in ("a", "b", "c"):
        prediction = SimpleNamespace(path=tmp_path / folder / "song.wav",
                                     starts=np.array([0.0, 1.5]), genres=["jazz", "rock"],
                                     probs=np.array([[0.7, 0.3], [0.2, 0.8]]))
        _save_timeline(prediction, tmp_path, used)
    names = sorted(p.name for p in tmp_path.glob("*.png"))
    assert names == ["song-2.png", "song-3.png", "song.png"]
    assert used == {"song.png", "song-2.png", "song-3.png"}


def test_the_failure_summary_counts_files_and_paths_apart_and_names_only_what_failed() -> None:
    """Only files failed, only paths held nothing, or both: one clause each, no empty one.
    Break tried: the empty clauses kept -> "; 1 of 2 paths ..." and "... predicted; "."""
    from genrelib.commands.predict import failure_summary

    file, path = P.FileFailure(Path("a.wav"), "empty file (0 bytes)"), P.FileFailure(
        Path("none.wav"), "no such file or folder", no_file=True)
    assert failure_summary([file], 2, 1) == "1 of 3 files could not be predicted"
    assert failure_summary([path], 1, 2) == "1 of 2 paths held no file to predict"
    assert failure_summary([file, path], 0, 2) == ("1 of 1 files could not be predicted; "
                                                   "1 of 2 paths held no file to predict")
