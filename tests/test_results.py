"""The reference records: exported without machine paths, pooled over folds with intervals,
beside the study's figures, with their training time. The page made from them is tested in
tests/test_build_pages.py."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genrelib import runs
from genrelib.evaluation import bootstrap_interval
from genrelib.build.pages import GPU_REFERENCE_COMMAND, results_page
from genrelib.results import (PAIRED_RECORDS, PREDICTIONS_FILE, REFERENCE_COMMAND, STUDY_TEST_ACCURACY, data_label,
                              display_paired, export_records, format_pvalue, load_predictions, load_records, paired_records,
                              paired_table, reference_summary, shared_values, summarize, training_hours)

GENRES = ["blues", "classical", "country"]


def _run(folder: Path, *, model: str, protocol: str, confusion, fold=None, data="/abs/gtzan-mini/genres",
         seed=0, finished="2026-11-26T10:00:00+00:00", device="CPU (2 cores)", machine="Linux x86_64",
         segment_accuracy=0.6) -> Path:
    """A run folder as train_run writes it (records plus a stand-in for the weights)."""
    confusion = np.asarray(confusion)
    n = int(confusion.sum())
    runs.save_json({"model": model, "profile": "full", "seed": seed, "data": data, "n_tracks": 80,
                    "finished": finished, "device": device, "machine": machine, "genres": GENRES},
                   folder / runs.CONFIG_FILE)
    runs.save_json({"model": model, "protocol": protocol, "epochs_run": 4, "seconds_per_epoch": 1.5,
                    "test": {"n_tracks": n, "track_accuracy": float(np.trace(confusion) / n),
                             "macro_f1": 0.5, "segment_accuracy": segment_accuracy, "genres": GENRES,
                             "confusion": confusion.tolist()}},
                   folder / runs.METRICS_FILE)
    runs.save_json({"protocol": protocol, "fold": fold, "train": [], "valid": [], "test": []},
                   folder / runs.SPLIT_FILE)
    (folder / runs.HISTORY_FILE).write_text("epoch,loss\n1,2.0\n")
    (folder / runs.MODEL_FILE).write_bytes(b"weights")
    return folder


def test_data_labels_are_portable() -> None:
    assert data_label({"data": "/home/me/.cache/genre-book/synthetic/gtzan-synth-v2-seed0-8x30s",
                       "n_tracks": 80}) == "synthetic (80 tracks)"
    assert data_label({"data": "/work/shared/data/gtzan-mini/genres", "n_tracks": 80}) == "GTZAN mini set (80 tracks)"
    assert data_label({"data": "/data/Data/genres_original", "n_tracks": 999}) == "GTZAN (999 tracks)"
    assert data_label({"data": "/srv/music/genres", "n_tracks": 1000}) == "GTZAN (1000 tracks)"
    assert data_label({"data": "/srv/my-songs", "n_tracks": 12}) == "my-songs (12 tracks)"


def test_export_copies_records_only_and_no_machine_path(tmp_path: Path) -> None:
    runs_dir, out = tmp_path / "runs", tmp_path / "records"
    _run(runs_dir / "cnn" / "kfold2" / "fold0", model="cnn", protocol="kfold", fold=0, confusion=np.eye(3) * 2)
    (runs_dir / "cnn" / "unfinished").mkdir(parents=True)  # no metrics: not a record
    written = export_records(runs_dir, out)
    assert written == [out / "cnn" / "kfold2" / "fold0"]
    files = sorted(p.name for p in written[0].iterdir())
    assert files == sorted([runs.CONFIG_FILE, runs.METRICS_FILE, runs.SPLIT_FILE, runs.HISTORY_FILE])
    text = "".join(p.read_text() for p in written[0].iterdir())
    assert "/abs/" not in text and "GTZAN mini set (80 tracks)" in text


def test_folds_are_pooled_with_intervals_beside_the_study(tmp_path: Path) -> None:
    a = [[2, 0, 0], [0, 1, 1], [0, 0, 2]]
    b = [[1, 1, 0], [0, 1, 0], [0, 0, 0]]  # a smaller fold: pooling is not the mean of the folds
    _run(tmp_path / "cnn" / "kfold2" / "fold0", model="cnn", protocol="kfold", fold=0, confusion=a)
    _run(tmp_path / "cnn" / "kfold2" / "fold1", model="cnn", protocol="kfold", fold=1, confusion=b,
         finished="2026-11-27T10:00:00+00:00")
    _run(tmp_path / "cnn" / "artist", model="cnn", protocol="artist", confusion=[[1, 0, 0], [1, 0, 0], [0, 0, 1]])
    records = load_records(tmp_path)
    assert len(records) == 3 and set(records["group"]) == {"cnn/kfold2", "cnn/artist"}
    summary = summarize(records, n_resamples=500).set_index("protocol")
    pooled = np.asarray(a) + np.asarray(b)
    assert summary.loc["kfold", "runs"] == 2 and summary.loc["kfold", "test_tracks"] == 9
    assert summary.loc["kfold", "track_accuracy"] == pytest.approx(7 / 9)  # the folds' mean is 0.75
    # macro F1 of the pooled confusion, by hand: per class 2tp / (row + column)
    f1 = [2 * pooled[i, i] / (pooled[i].sum() + pooled[:, i].sum()) for i in range(3)]
    assert summary.loc["kfold", "macro_f1"] == pytest.approx(np.mean(f1))
    y_true = np.repeat([0, 0, 1, 1, 2], [3, 1, 2, 1, 2])
    y_pred = np.repeat([0, 1, 1, 2, 2], [3, 1, 2, 1, 2])
    assert summary.loc["kfold", "track_accuracy_ci"] == bootstrap_interval(
        y_true, y_pred, metric="accuracy", n_resamples=500, seed=0, n_classes=3)
    low, high = summary.loc["kfold", "track_accuracy_ci"]
    assert low <= 7 / 9 <= high and high - low > 0.1
    assert summary.loc["kfold", "study"] == STUDY_TEST_ACCURACY["cnn"]
    assert np.isnan(summary.loc["artist", "study"])  # the study measured a random split only
    assert summary.loc["kfold", "finished"].startswith("2026-11-27")
    assert summary.loc["kfold", "data"] == "GTZAN mini set (80 tracks)"
    assert list(reference_summary("cnn", root=tmp_path)["protocol"]) == ["kfold", "artist"]
    assert reference_summary("rnn", root=tmp_path).empty
    given = reference_summary("cnn", root=tmp_path / "nothing here", summary=summarize(records))
    pd.testing.assert_frame_equal(given, reference_summary("cnn", root=tmp_path))  # root not read again


def test_a_cross_validation_directly_below_the_root_is_named_by_its_model(tmp_path: Path) -> None:
    """Chapter 7 reads a folder of protocols ("random", "kfold5/fold0"...) of one model.
    Break tried: the label taken from the fold's folder (relative.parts[0]) -> "kfold5", fails."""
    _run(tmp_path / "random", model="logreg", protocol="random", confusion=np.eye(3, dtype=int))
    _run(tmp_path / "kfold2" / "fold0", model="logreg", protocol="kfold", fold=0, confusion=np.eye(3, dtype=int))
    _run(tmp_path / "cnn-small-crop" / "kfold2" / "fold0", model="cnn", protocol="kfold", fold=0,
         confusion=np.eye(3, dtype=int))
    records = load_records(tmp_path)
    assert sorted(zip(records["group"], records["model"])) == [
        ("cnn-small-crop/kfold2", "cnn-small-crop"), ("kfold2", "logreg"), ("random", "logreg")]


def test_training_hours_sum_the_recorded_epochs_per_device(tmp_path: Path) -> None:
    """Break tried: seconds_per_epoch alone (without x epochs_run) -> 4 x too little, fails."""
    _run(tmp_path / "cnn" / "kfold2" / "fold0", model="cnn", protocol="kfold", fold=0, confusion=np.eye(3))
    _run(tmp_path / "cnn" / "kfold2" / "fold1", model="cnn", protocol="kfold", fold=1, confusion=np.eye(3))
    hours = training_hours(load_records(tmp_path))
    assert hours == {"CPU (2 cores)": pytest.approx(2 * 4 * 1.5 / 3600)}  # 2 runs, 4 epochs of 1.5 s
    assert training_hours(load_records(tmp_path / "none")) == {}


def _tables(page: str) -> list[list[list[str]]]:
    """The Markdown tables of a page: rows of cells, the header first."""
    tables, rows = [], []
    for line in page.splitlines() + [""]:
        if line.startswith("|"):
            if not line.startswith("|---"):
                rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            tables.append(rows)
            rows = []
    return tables


def test_the_page_is_computed_from_the_records(tmp_path: Path) -> None:
    empty = results_page(tmp_path / "none")
    assert "No reference records yet" in empty and REFERENCE_COMMAND in empty
    _run(tmp_path / "rnn" / "kfold2" / "fold0", model="rnn", protocol="kfold", fold=0,
         confusion=[[3, 1, 0], [0, 4, 0], [0, 0, 4]])
    page = results_page(tmp_path)
    row = next(line for line in page.splitlines() if line.startswith("| rnn |"))
    assert "| kfold |" in row and "| 12 |" in row and "91.7 %" in row  # 11 of 12 tracks
    assert f"{100 * STUDY_TEST_ACCURACY['rnn']:.1f} %" in row
    assert "Every row: seed 0; device CPU (2 cores); CPU model not recorded; finished 2026-11-26." in page
    assert REFERENCE_COMMAND in page and "{cite}`chen_genre`" in page


def test_the_page_says_the_data_once_and_splits_the_variants_off(tmp_path: Path) -> None:
    """Break tried: the data column put back into STUDY_COLUMNS -> the label is in every row, fails."""
    for fold in range(2):
        _run(tmp_path / "cnn" / "kfold2" / f"fold{fold}", model="cnn", protocol="kfold", fold=fold,
             confusion=np.eye(3, dtype=int))
        _run(tmp_path / "cnn-small-crop" / "kfold2" / f"fold{fold}", model="cnn", protocol="kfold",
             fold=fold, confusion=np.eye(3, dtype=int), seed=fold)
    _run(tmp_path / "cnn-small-gain" / "random", model="cnn", protocol="random", seed=2, confusion=np.eye(3, dtype=int))
    _run(tmp_path / "cnn-synth" / "random", model="cnn", protocol="random", confusion=np.eye(3, dtype=int),
         data="/abs/gtzan-synth-v2-seed0")
    page = results_page(tmp_path)
    assert page.count("GTZAN mini set (80 tracks)") == 1  # in its heading only
    assert "## GTZAN mini set (80 tracks), full profile" in page and "## synthetic (80 tracks), full profile" in page
    tables = _tables(page)
    assert [t[0][0] for t in tables] == ["model"] * 3
    study, variants = tables[0], tables[1]
    assert [r[0] for r in study[1:]] == ["cnn"]
    assert [r[0] for r in variants[1:]] == ["cnn-small-crop", "cnn-small-gain"]
    assert len(study[0]) <= 7 and "data" not in study[0] and "device" not in study[0]
    assert variants[0][-1] == "seed" and [r[-1] for r in variants[1:]] == ["0,1", "2"]  # they differ: a column


def test_the_page_says_what_the_records_cost_and_that_no_gpu_was_measured(tmp_path: Path) -> None:
    """Break tried: the GPU sentence printed unconditionally -> the GPU record case fails."""
    _run(tmp_path / "cnn" / "kfold2" / "fold0", model="cnn", protocol="kfold", fold=0, confusion=np.eye(3, dtype=int))
    page = results_page(tmp_path)
    assert f"took {4 * 1.5 / 3600:.1f} h on CPU (2 cores)" in page
    assert "not measured yet" in page and GPU_REFERENCE_COMMAND in page
    assert "minutes on a GPU" not in page
    _run(tmp_path / "cnn" / "artist", model="cnn", protocol="artist", confusion=np.eye(3, dtype=int),
         device="GPU (NVIDIA H200)")
    assert "not measured yet" not in results_page(tmp_path)


def test_the_book_stage_writes_the_results_page(tmp_path: Path) -> None:
    from genrelib.build.pages import GENERATED_PAGES, write_generated_pages

    root = tmp_path / "repo"
    _run(root / "results" / "reference" / "crnn" / "artist", model="crnn", protocol="artist",
         confusion=[[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    pages = write_generated_pages(tmp_path / "stage", root=root)
    assert [p.relative_to(tmp_path / "stage").with_suffix("").as_posix() for p in pages] == list(GENERATED_PAGES)
    assert "| crnn | artist |" in pages[0].read_text()


def test_rows_trained_on_different_cpus_say_so(tmp_path: Path) -> None:
    """The same command on two CPUs can end points apart (chapter 8): a row names every CPU its
    runs trained on, and the page gives the CPU a column where rows differ.

    Break tried: summarize keeping the first fold's CPU only -> the mixed row names one, fails."""
    intel, amd = "Linux x86_64, Intel(R) Xeon(R) Processor, AVX-512", "Linux x86_64, AMD EPYC 7B13, AVX2"
    for fold, machine in enumerate((intel, amd)):
        _run(tmp_path / "cnn" / "kfold2" / f"fold{fold}", model="cnn", protocol="kfold", fold=fold,
             confusion=np.eye(3, dtype=int), machine=machine)
    _run(tmp_path / "rnn" / "kfold2" / "fold0", model="rnn", protocol="kfold", fold=0, confusion=np.eye(3, dtype=int))
    records = load_records(tmp_path)
    assert list(records["cpu"]) == ["Intel(R) Xeon(R) Processor, AVX-512", "AMD EPYC 7B13, AVX2", "not recorded"]
    summary = summarize(records, n_resamples=10).set_index("model")
    assert summary.loc["cnn", "cpu"] == "AMD EPYC 7B13, AVX2; Intel(R) Xeon(R) Processor, AVX-512"
    assert summary.loc["rnn", "cpu"] == "not recorded"
    study = _tables(results_page(tmp_path))[0]
    column = study[0].index("cpu")
    assert [r[column] for r in study[1:]] == ["AMD EPYC 7B13, AVX2; Intel(R) Xeon(R) Processor, AVX-512",
                                              "not recorded"]


def test_shared_values_are_said_once() -> None:
    """Break tried: nunique() == 1 replaced by >= 1 -> the seed column (two values) dropped, fails."""
    import pandas as pd

    table = pd.DataFrame({"model": ["cnn", "rnn"], "data": ["GTZAN (999 tracks)"] * 2, "seed": ["0", "1"],
                          "device": ["CPU (2 cores)"] * 2})
    sentence, rest = shared_values(table)
    assert sentence == "every row: data GTZAN (999 tracks); device CPU (2 cores)"
    assert list(rest.columns) == ["model", "seed"]
    assert shared_values(table[["model"]])[0] == ""
    machine = table.assign(cpu="not recorded")  # the column is named as what it holds
    assert shared_values(machine)[0].endswith("; CPU model not recorded")


def test_committed_records_hold_no_machine_paths() -> None:
    from genrelib.results import RECORDS_DIR

    for path in sorted(RECORDS_DIR.rglob("*.json")) if RECORDS_DIR.is_dir() else []:
        config = json.loads(path.read_text())
        if path.name == runs.CONFIG_FILE:
            assert not str(config.get("data", "")).startswith("/"), f"{path} names a machine path"


def test_records_say_which_augmentations_made_them() -> None:
    """Chapter 8 lists the augmentations measured on real data from this column."""
    records = load_records()
    by_model = records.groupby("model")["augment"].agg(lambda column: set(column))
    assert by_model["cnn-small-crop"] == {("crop",)} and by_model["cnn"] == {()}
    assert by_model["cnn-small"] == {()}


def _predictions(folder: Path, rows: list[tuple[str, str, str]]) -> None:
    """A record's kept predictions: (track id, true genre, predicted genre) per test track."""
    folder.mkdir(parents=True, exist_ok=True)
    text = "track_id,true,predicted\n" + "".join(f"{t},{g},{p}\n" for t, g, p in rows)
    (folder / PREDICTIONS_FILE).write_text(text)


#: Six tracks: A right on t0-t4, B right on t0, t1 and t5 (only A: t2, t3, t4; only B: t5).
_TRUTH = [("t0", "blues"), ("t1", "blues"), ("t2", "classical"), ("t3", "classical"), ("t4", "country"),
          ("t5", "country")]
_A = ["blues", "blues", "classical", "classical", "country", "blues"]
_B = ["blues", "blues", "country", "blues", "blues", "country"]


def _two_records(root: Path) -> None:
    """Model a as two folds of a cross-validation, model b as one file in another order."""
    for fold, tracks in enumerate(((0, 2, 4), (1, 3, 5))):
        _run(root / "a" / "kfold2" / f"fold{fold}", model="a", protocol="kfold", fold=fold,
             confusion=np.eye(3, dtype=int))
        _predictions(root / "a" / "kfold2" / f"fold{fold}", [(*_TRUTH[i], _A[i]) for i in tracks])
    _run(root / "b" / "kfold2", model="b", protocol="kfold", confusion=np.eye(3, dtype=int))
    _predictions(root / "b" / "kfold2", [(*_TRUTH[i], _B[i]) for i in (5, 3, 1, 0, 2, 4)])


def test_two_records_are_paired_by_track_whatever_their_order(tmp_path: Path) -> None:
    """Break tried: pairing by row position instead of by track id -> t0 is paired with t5, fails."""
    from genrelib.evaluation import mcnemar_exact

    _two_records(tmp_path)
    test = paired_records("a/kfold2", "b/kfold2", root=tmp_path)
    truth = np.array([g for _, g in _TRUTH])
    expected = mcnemar_exact(np.array(_A) == truth, np.array(_B) == truth)
    assert (test.only_a_right, test.only_b_right, test.both_right, test.both_wrong) == (3, 1, 2, 0)
    assert test == expected and test.pvalue == pytest.approx(0.625)  # 2 * P(X >= 3), X ~ Bin(4, 1/2)
    assert paired_records(tmp_path / "b" / "kfold2", tmp_path / "a" / "kfold2").only_a_right == 1
    assert list(load_predictions(tmp_path / "a" / "kfold2")["track_id"]) == ["t0", "t2", "t4", "t1", "t3", "t5"]


def test_pairing_names_a_track_one_record_lacks_or_a_record_without_predictions(tmp_path: Path) -> None:
    """Break tried: the check of the track sets removed -> the merge drops t5 silently, no error, fails."""
    _two_records(tmp_path)
    _predictions(tmp_path / "b" / "kfold2", [(*_TRUTH[i], _B[i]) for i in range(5)])  # t5 missing
    with pytest.raises(ValueError, match=r"must predict the same tracks: 1 only in a/kfold2: 't5'"):
        paired_records("a/kfold2", "b/kfold2", root=tmp_path)
    _predictions(tmp_path / "b" / "kfold2", [("t0", "rock", "rock"), *[(*_TRUTH[i], _B[i]) for i in range(1, 6)]])
    with pytest.raises(ValueError, match=r"disagree on the true genre of track 't0': 'blues' vs 'rock'"):
        paired_records("a/kfold2", "b/kfold2", root=tmp_path)
    (tmp_path / "a" / "kfold2" / "fold1" / PREDICTIONS_FILE).unlink()
    with pytest.raises(ValueError, match=r"fold1/predictions.csv: no per-track predictions .* genrelib reference"):
        paired_records("a/kfold2", "b/kfold2", root=tmp_path)


def test_the_paired_table_shows_mcnemar_p_values_of_both_protocols(tmp_path: Path) -> None:
    """Break tried: the p-value column filled with the t-test's p -> 0.625 not shown, fails."""
    _two_records(tmp_path)
    records = load_records(tmp_path)
    table = paired_table(records, (("a", "b"), ("a", "absent")), protocols=("kfold", "artist_kfold"), root=tmp_path)
    assert table[["a", "b", "protocol", "tracks", "only_a_right", "only_b_right"]].values.tolist() == [
        ["a", "b", "kfold", 6, 3, 1]]  # no artist_kfold records, no model "absent": left out
    assert table["a_accuracy"].tolist() == [5 / 6] and table["b_accuracy"].tolist() == [3 / 6]
    shown = display_paired(table).iloc[0]
    assert (shown["A right"], shown["B right"], shown["McNemar p (exact)"]) == ("83.3 %", "50.0 %", "0.625")


def test_a_small_p_value_is_never_printed_as_zero() -> None:
    """Break tried: three decimals for every p -> 2.2e-04 reads "0.000", fails."""
    assert [format_pvalue(p) for p in (0.5, 0.001, 2.2e-4, 3e-9)] == ["0.500", "0.001", "2.2e-04", "3.0e-09"]


def test_the_committed_records_of_the_paired_tests_keep_predictions_matching_their_confusions() -> None:
    """Every fold record of the models ``PAIRED_RECORDS`` names keeps predictions.csv, and its
    rows make the very confusion matrix of its metrics.json. Break tried: one committed row's
    predicted genre changed -> that fold's confusion differs, fails."""
    import pandas as pd

    from genrelib.results import PAIRED_RECORDS, RECORDS_DIR

    records = load_records()
    shown = records[records["model"].isin({m for pair in PAIRED_RECORDS for m in pair})]
    assert set(shown["protocol"]) >= {"kfold", "artist_kfold"}
    for row in shown.itertuples(index=False):
        folder = RECORDS_DIR / row.group / (f"fold{int(row.fold)}" if pd.notna(row.fold) else "")
        kept = pd.read_csv(folder / PREDICTIONS_FILE, dtype=str)
        index = {g: i for i, g in enumerate(row.genres)}
        counts = np.zeros_like(row.confusion)
        np.add.at(counts, (kept["true"].map(index), kept["predicted"].map(index)), 1)
        assert np.array_equal(counts, row.confusion), folder


def test_every_pair_chapter_8_tests_has_its_records() -> None:
    """``paired_table`` leaves out a pair without records (a chapter may pair models not yet
    run), so chapter 8's pairs are checked here against the committed records: each is tested
    on 5-fold by track at least. Break tried: a pair renamed to a record that does not exist
    (``cnn-small-crop-rerun`` -> ``cnn-small-crop-rerun2``) -> fails."""
    import ast

    import nbformat

    notebook = nbformat.read(Path(__file__).resolve().parents[1] / "notebooks" / "08_small_data.ipynb", as_version=4)
    source = next(c.source for c in notebook.cells if c.cell_type == "code" and c.source.startswith("pairs = "))
    pairs = ast.literal_eval(ast.parse(source).body[0].value)
    table = paired_table(load_records(), pairs)
    tested = set(zip(table["a"], table["b"], table["protocol"]))
    assert len(pairs) >= 5 and all((a, b, "kfold") in tested for a, b in pairs), set(pairs) - {t[:2] for t in tested}


def test_the_results_page_shows_the_paired_tests_of_the_records() -> None:
    """Break tried: _paired_lines left out of results_page -> no such section, fails; the p-values
    below 0.05 counted instead of those below the bar -> fails."""
    page = results_page()
    assert "## Paired tests: chapter 10's pretrained models against logreg, the CRNN and each other" in page
    section = page.split("## Paired tests")[1]
    table = paired_table(load_records())
    assert len(table) == 2 * len(PAIRED_RECORDS)  # every pair, two protocols
    below = int((table["pvalue"] < 0.05 / len(table)).sum())
    assert f"{len(table)} tests in all: Bonferroni's bar for a 5 % chance of any false alarm is " \
           f"{0.05 / len(table):.4f}, and {below} of the p-values" in section
    assert (table["pvalue"] < 0.05 / len(table)).any(), "the records hold a difference past the bar (probe vs CRNN)"
    for row, shown in zip(table.itertuples(), display_paired(table)["McNemar p (exact)"]):
        line = next(x for x in section.splitlines() if x.startswith(f"| {row.a} | {row.b} | {row.protocol} |"))
        assert line.endswith(f"| {row.only_a_right} | {row.only_b_right} | {shown} |")


def test_percentages_round_halves_up_whatever_their_binary_neighbour() -> None:
    """77 of 80 tracks is 96.25 %, 51 of 80 63.75 %: one decimal, halves up, the same on every
    row (printing 100 * 0.9625 with :.1f gives 96.2, 100 * 0.6125 gives 61.3)."""
    from genrelib.results import percent

    assert [percent(n / 80) for n in (77, 51, 49, 40)] == ["96.3 %", "63.8 %", "61.3 %", "50.0 %"]
    assert percent(float("nan")) == "–" and percent(None) == "–"
    # a rough figure to whole percents rounds halves up too (f"{0.125:.0%}" gives "12%")
    assert [percent(v, decimals=0) for v in (0.125, 0.935, 0.5, 1.0)] == ["13 %", "94 %", "50 %", "100 %"]


def test_percentage_points_for_a_table_round_as_the_sentences_do() -> None:
    """A table of percentage points beside sentences that use percent(): 69 of 80 tracks reads
    86.3 in both (pandas' round(1) gave 86.2); a difference rounds away from 0 at a half.

    Break tried: round(100 * value, 1) -> 86.2."""
    import math

    from genrelib.results import percent, percent_points

    assert [percent_points(n / 80) for n in (69, 73, 77)] == [86.3, 91.3, 96.3]
    assert f"{percent_points(69 / 80)} %" == percent(69 / 80)
    assert percent_points(-1 / 80) == -1.3 and math.isnan(percent_points(float("nan")))
    # whole points as percent(..., decimals=0) prints them (round(62.5) gives 62)
    assert [percent_points(v, decimals=0) for v in (0.625, 0.375)] == [63.0, 38.0]
    assert f"{percent_points(5 / 8, decimals=0):.0f} %" == percent(5 / 8, decimals=0)


def test_the_mini_set_book_setup_lists_is_the_one_the_records_split() -> None:
    """book/setup.md's recipe for the GTZAN mini set (files 0-7 of each genre, jazz 0-2 and
    4-8) names exactly the tracks the committed records split into training, validation and
    test sets. Break tried: jazz's numbers as 0-7 in the recipe -> fails."""
    import re

    from genrelib.config import GTZAN_GENRES

    setup = (Path(__file__).resolve().parents[1] / "book" / "setup.md").read_text(encoding="utf-8")
    numbers = re.search(r'numbers="([\d ]+)"; \[ "\$g" = jazz \] && numbers="([\d ]+)"', setup)
    assert numbers, "book/setup.md no longer gives the mini set's recipe"
    recipe = {f"{genre}.0000{n}" for genre in GTZAN_GENRES
              for n in (numbers[2] if genre == "jazz" else numbers[1]).split()}
    from genrelib.results import RECORDS_DIR

    recorded = set()
    for split in RECORDS_DIR.glob("*/kfold5/fold*/split.json"):
        config = json.loads((split.parent / "config.json").read_text(encoding="utf-8"))
        if not str(config.get("data", "")).startswith("GTZAN mini set"):  # a portable name
            continue
        parts = json.loads(split.read_text(encoding="utf-8"))
        recorded |= set(parts["train"]) | set(parts["valid"]) | set(parts["test"])
    assert len(recipe) == 80 and recorded == recipe, sorted(recorded ^ recipe)


def test_an_ensemble_record_takes_the_cpu_of_its_members() -> None:
    """An ensemble or test-time averaging record names no machine: its cpu is its members'
    (each distinct one), and stays "not recorded" where they say nothing. Break tried: the
    records returned as read -> the ensemble rows say "not recorded"."""
    from genrelib.provenance import CPU_NOT_RECORDED
    from genrelib.results import _members_cpu

    intel, amd = "Intel(R) Xeon(R) Processor, AVX-512", "AMD EPYC 7B13, AVX2"
    records = pd.DataFrame({
        "group": ["a/kfold5", "a/kfold5", "b/kfold5", "ens/kfold5", "tta/kfold5", "old/kfold5", "lost/kfold5"],
        "cpu": [intel, intel, amd, CPU_NOT_RECORDED, CPU_NOT_RECORDED, CPU_NOT_RECORDED, CPU_NOT_RECORDED],
        "members": [(), (), (), ("a/kfold5", "b/kfold5"), ("a/kfold5",), (), ("gone/kfold5",)]})
    shown = _members_cpu(records)
    assert shown["cpu"].tolist() == [intel, intel, amd, f"{amd}; {intel}", intel, CPU_NOT_RECORDED, CPU_NOT_RECORDED]
    committed = load_records()  # load_records applies it: a test-time average of the committed re-runs
    cpu = lambda model: set(committed.loc[committed["model"] == model, "cpu"])  # noqa: E731
    assert cpu("cnn-small-crop-tta16-rerun") == cpu("cnn-small-crop-rerun") == {intel}
    tta = committed[committed["model"] == "cnn-small-crop-tta16-rerun"]
    assert set(tta["members"]) == {("cnn-small-crop-rerun/kfold5",)}


def test_protocol_gap_compares_the_protocols_on_the_same_tracks() -> None:
    """The k-fold record restricted to the 48 tracks the artist folds test (the CNN's 70.0 % on
    all 80 is 64.6 % there), paired track by track with the artist folds.

    Break tried: the k-fold record not restricted (all 80 tracks) -> mcnemar_exact refuses
    sequences of different lengths; the protocols swapped -> the counts swap."""
    from genrelib.results import RECORDS_DIR, load_predictions, protocol_gap

    gap = protocol_gap("cnn").iloc[0]
    artist = load_predictions(RECORDS_DIR / "cnn" / "artist_kfold5")
    assert gap["tracks both test"] == len(artist) == 48
    assert (gap["kfold right"], gap["artist_kfold right"]) == ("64.6 %", "56.3 %")
    assert (gap["only kfold right"], gap["only artist_kfold right"]) == (9, 5)
    assert protocol_gap("no-such-model").empty


def test_the_segment_accuracy_of_folds_of_unequal_size_is_weighted_by_their_tracks(tmp_path: Path) -> None:
    """Artist folds test unequal numbers of tracks: a fold of 6 at 0.9 and one of 3 at 0.3 pool
    to 0.7 (every track gives as many segments), not their plain mean 0.6.

    Break tried: the plain mean of the folds (as before) -> 0.6."""
    _run(tmp_path / "cnn" / "artist_kfold2" / "fold0", model="cnn", protocol="artist_kfold", fold=0,
         confusion=np.eye(3) * 2, segment_accuracy=0.9)
    _run(tmp_path / "cnn" / "artist_kfold2" / "fold1", model="cnn", protocol="artist_kfold", fold=1,
         confusion=np.eye(3), segment_accuracy=0.3)
    summary = summarize(load_records(tmp_path), n_resamples=100).set_index("protocol")
    assert summary.loc["artist_kfold", "test_tracks"] == 9
    assert summary.loc["artist_kfold", "segment_accuracy"] == pytest.approx(0.7)


def test_record_predictions_reads_the_one_record_of_a_model_and_protocol() -> None:
    """Break tried: returning the first of several groups -> the protocol with two records
    (none here) would pass; returning an empty frame for a missing record -> ``is None`` fails."""
    from genrelib.results import RECORDS_DIR, load_predictions, load_records, record_predictions

    records = load_records()
    found = record_predictions(records, "cnn", "artist_kfold")
    assert found is not None and found.equals(load_predictions(RECORDS_DIR / "cnn" / "artist_kfold5"))
    assert record_predictions(records, "cnn", "no-such-protocol") is None
    assert record_predictions(records.iloc[:0], "cnn", "kfold") is None


class _Index:
    """The part of a DatasetIndex that ``artist_intervals`` reads: root, tracks, length."""

    def __init__(self, root: str, tracks: pd.DataFrame) -> None:
        self.root, self.tracks = Path(root), tracks

    def __len__(self) -> int:
        return len(self.tracks)


def test_artist_intervals_resample_the_records_artists_beside_their_track_intervals() -> None:
    """On the committed records: with one artist per track both intervals are summarize's
    (the reference table's); with one artist per genre the artists' interval differs and the
    wrong tracks' artists are their genres; another data's label or a missing track gives no row.
    Breaks tried: the tracks left in file order (the track interval no longer summarize's);
    the label check dropped (rows on synthetic data)."""
    from genrelib.results import RECORDS_DIR, artist_intervals, display_table

    records = load_records(RECORDS_DIR)
    tracks = load_predictions(RECORDS_DIR / "cnn" / "kfold5")[["track_id", "true"]]
    assert len(tracks) == 80
    mini = "/data/gtzan-mini/genres"
    alone = artist_intervals(records, _Index(mini, tracks.assign(artist=tracks["track_id"])), models=("cnn", "logreg"))
    assert list(zip(alone["model"], alone["protocol"])) == [("cnn", "kfold"), ("cnn", "artist_kfold"),
                                                            ("logreg", "kfold"), ("logreg", "artist_kfold")]
    table = display_table(summarize(records)).set_index(["model", "protocol"])
    for row in alone.to_dict("records"):
        quoted = table.loc[(row["model"], row["protocol"]), "track accuracy [95 % CI]"]
        by_track = row["95 % CI, tracks resampled"]
        assert quoted == f"{row['track accuracy']} {by_track}" == f"{row['track accuracy']} {row['95 % CI, artists resampled']}"
        assert row["artist groups"] == row["test tracks"] and row["their artist groups"] == row["wrong tracks"]
        low, high = row["independent errors' ratios (90 %)"]
        assert low <= 1.0 <= high  # one track per artist: the two intervals are the same, whatever is shuffled

    by_genre = artist_intervals(records, _Index(mini, tracks.assign(artist=tracks["true"])), models=("cnn",))
    kfold = by_genre.iloc[0]
    predictions = load_predictions(RECORDS_DIR / "cnn" / "kfold5")
    wrong = predictions[predictions["true"] != predictions["predicted"]]
    assert kfold["artist groups"] == 10 and kfold["their artist groups"] == wrong["true"].nunique()
    assert kfold["95 % CI, artists resampled"] != kfold["95 % CI, tracks resampled"]

    assert artist_intervals(records, _Index("/data/synthetic/genres", tracks.assign(artist="a")), models=("cnn",)).empty
    tested_twice = load_predictions(RECORDS_DIR / "cnn" / "artist_kfold5")["track_id"].iloc[0]  # by both protocols
    fewer = tracks[tracks["track_id"] != tested_twice].assign(artist="a")
    assert artist_intervals(records, _Index(mini, pd.concat([fewer, fewer.iloc[:1]])), models=("cnn",)).empty


@pytest.mark.realdata
def test_on_the_mini_sets_artists_the_records_intervals_widen_most_on_the_artist_folds(gtzan_mini) -> None:
    """What the results page says of chapter 7's artist intervals: wider for most rows (the
    five models of the reference table, both fold protocols), the artist folds' most."""
    from genrelib.datasets import index_dataset
    from genrelib.results import RECORDS_DIR, artist_intervals

    table = artist_intervals(load_records(RECORDS_DIR), index_dataset(gtzan_mini, progress=False),
                             models=("cnn", "rnn", "crnn", "logreg", "svm"))
    assert len(table) == 10
    assert (table["width ratio"] > 1).sum() > len(table) / 2
    median = table.groupby("protocol")["width ratio"].median()
    assert median["artist_kfold"] > median["kfold"] > 1, median


def test_chosen_C_reads_each_folds_choice_in_fold_order(tmp_path: Path) -> None:
    """The C of each fold's history.csv, fold order, the protocols asked for; none for a fixed C.
    Break tried: the folds sorted by name (fold10 before fold2) -> fails."""
    from genrelib.results import chosen_C

    for fold, c in enumerate([0.1, 100.0, 1.0] + [10.0] * 8):
        folder = _run(tmp_path / "logreg-cv" / "kfold11" / f"fold{fold}", model="logreg-cv", protocol="kfold",
                      fold=fold, confusion=np.eye(3, dtype=int))
        (folder / runs.HISTORY_FILE).write_text(f"epoch,C,mean_log_loss\n1,{c},0.5\n")
    _run(tmp_path / "logreg" / "kfold2" / "fold0", model="logreg", protocol="kfold", fold=0, confusion=np.eye(3))
    records = load_records(tmp_path)
    assert chosen_C(records, "logreg-cv", root=tmp_path) == [0.1, 100.0, 1.0] + [10.0] * 8
    assert chosen_C(records, "logreg-cv", protocols=("artist_kfold",), root=tmp_path) == []
    assert chosen_C(records, "logreg", root=tmp_path) == []


def test_artist_intervals_leave_out_a_record_that_keeps_no_predictions(tmp_path: Path) -> None:
    """A record made before records kept per-track predictions gives no row (not an error), as in
    chapter 8, whose table mixes both. Break tried: the kept-predictions check dropped -> the
    ValueError of load_predictions."""
    from genrelib.results import artist_intervals

    _run(tmp_path / "cnn" / "kfold2" / "fold0", model="cnn", protocol="kfold", fold=0, confusion=np.eye(3, dtype=int))
    tracks = pd.DataFrame({"track_id": [f"blues.{i:05d}" for i in range(80)], "artist": "a"})  # the record's label
    assert artist_intervals(load_records(tmp_path), _Index("/data/gtzan-mini/genres", tracks), models=("cnn",),
                            root=tmp_path).empty


def test_artist_paired_with_one_artist_per_track_is_mcnemar() -> None:
    """paired_table's rows tested over artists: with each track its own artist the sign flip is
    McNemar's test again (exact up to 20 differing tracks, estimated beyond); another data's
    label gives NaN. Break tried: the groups counted where both models agree -> fails; the
    floor's k taken as the artists where they differ -> fails."""
    from genrelib.results import RECORDS_DIR, artist_paired

    records = load_records(RECORDS_DIR)
    tracks = load_predictions(RECORDS_DIR / "cnn" / "kfold5")[["track_id"]]
    paired = paired_table(records, (("logreg", "cnn"), ("svm", "crnn")))
    mini = _Index("/data/gtzan-mini/genres", tracks.assign(artist=tracks["track_id"]))
    both = artist_paired(records, paired, mini)
    assert len(both) == 4
    np.testing.assert_allclose(both["artist-level p"], both["pvalue"], atol=0.01)
    assert (both["artists where they differ"] == both["only_a_right"] + both["only_b_right"]).all()
    assert (both["artists with a net difference"] == both["artists where they differ"]).all()
    # Artists of several tracks (here: each genre one artist): one whose tracks only A and only B got
    # right cancel out of the k of the floor 2/2^k, though it is counted where they differ.
    genre = artist_paired(records, paired, _Index("/data/gtzan-mini/genres",
                                                  tracks.assign(artist=tracks["track_id"].str.split(".").str[0])))
    k, differ = genre["artists with a net difference"], genre["artists where they differ"]
    assert (k <= differ).all() and (k < differ).any()
    np.testing.assert_allclose(genre["smallest possible p"], 2.0 / 2.0 ** k)
    elsewhere = artist_paired(records, paired, _Index("/data/synthetic/genres", tracks.assign(artist="a")))
    assert elsewhere["artist-level p"].isna().all()



def test_reference_training_gives_each_folds_tracks_and_kept_epoch_in_fold_order() -> None:
    """reference_training reads split.json's track counts and metrics.json's best_epoch and
    epochs_run of every run of a model, fold by fold, a protocol a row in the tables' order.
    Break tried: best_epoch and epochs_run swapped in load_records -> fails."""
    from genrelib.results import RECORDS_DIR, reference_training

    table = reference_training("rnn").set_index("protocol")
    assert list(table.index) == ["kfold", "artist", "artist_kfold"]
    metrics = [json.loads((RECORDS_DIR / "rnn" / "kfold5" / f"fold{k}" / "metrics.json").read_text(encoding="utf-8"))
               for k in range(5)]
    assert table.at["kfold", "kept epoch per run"] == ", ".join(str(m["best_epoch"]) for m in metrics)
    assert table.at["kfold", "epochs run"] == ", ".join(str(m["epochs_run"]) for m in metrics)
    assert table.at["kfold", "training tracks"] == "58, 58, 58, 58, 58" and table.at["artist", "validation tracks"] == "10"
    assert all(int(b) <= int(r) for b, r in zip(table.at["artist_kfold", "kept epoch per run"].split(", "),
                                                table.at["artist_kfold", "epochs run"].split(", ")))
    assert reference_training("no-such-model").empty
