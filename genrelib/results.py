"""The reference records: the small files of the reference runs (no weights), committed
under ``results/reference/``. ``export_records`` copies them from run folders with a portable
data label, ``load_records`` reads them back (one row per run), ``summarize`` pools the folds
of a cross-validation into one track accuracy and macro F1 per model and protocol with
bootstrap 95 % intervals, beside the study's figures; ``display_table`` formats them;
``paired_records`` pairs two records' per-track predictions (McNemar). The book's results
page (``genrelib.build.pages``) is made from them.
"""

from __future__ import annotations

import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genrelib import runs
from genrelib.cache import atomic_file
from genrelib.config import GTZAN_GENRES, GTZAN_TRACKS_PER_GENRE
from genrelib.datasets.splits import artist_groups
from genrelib.evaluation import (PairedTest, bootstrap_interval, classification_report, cluster_bootstrap_interval,
                                 cluster_sign_flip_pvalue, mcnemar_exact, sign_flip_floor)
from genrelib.evaluation.intervals import independent_ratio_band
from genrelib.models import MODEL_KINDS
from genrelib.provenance import CPU_NOT_RECORDED, cpu_of

__all__ = ["PAIRED_RECORDS", "PREDICTIONS_FILE", "RECORDS_DIR", "REFERENCE_COMMAND", "STUDY_TABLE2",
           "STUDY_TEST_ACCURACY", "artist_intervals", "artist_paired", "chosen_C", "data_label", "display_paired",
           "display_table", "export_records", "format_pvalue", "load_predictions", "load_records", "paired_records",
           "paired_table", "percent", "percent_points", "protocol_gap", "record_predictions", "reference_summary",
           "shared_values", "summarize", "table2", "training_hours", "write_evaluation_record",
           "write_predictions"]

#: Where the reference records live in the repository.
RECORDS_DIR = Path(__file__).resolve().parents[1] / "results" / "reference"
#: The command that regenerates them (the results page says how long the recorded runs took).
REFERENCE_COMMAND = "genrelib reference path/to/gtzan-mini --runs runs/reference --records results/reference"
#: The study's Table 2: test accuracy and macro precision / recall / F1 on its held-out test
#: split of the full GTZAN (100 test tracks, 800 for training; the study calls it the standard
#: split and does not say how it was drawn: the book reads it as random 80/10/10 by track).
STUDY_TABLE2: dict[str, dict[str, float]] = {
    "cnn": {"accuracy": 0.815, "precision": 0.80, "recall": 0.82, "f1": 0.81},
    "rnn": {"accuracy": 0.74, "precision": 0.75, "recall": 0.74, "f1": 0.74},
    "crnn": {"accuracy": 0.887, "precision": 0.86, "recall": 0.90, "f1": 0.88},
}
#: The study's test accuracy per model (from ``STUDY_TABLE2``).
STUDY_TEST_ACCURACY: dict[str, float] = {model: row["accuracy"] for model, row in STUDY_TABLE2.items()}
#: The order of the protocols on the page: cross-validation and random splits first.
PROTOCOL_ORDER: tuple[str, ...] = ("kfold", "random", "artist", "artist_kfold", "lists")
#: A record's per-track predictions on its test set: one row per test track, columns
#: ``PREDICTION_COLUMNS`` (written by ``genrelib reference`` beside each run's metrics.json).
PREDICTIONS_FILE = "predictions.csv"
PREDICTION_COLUMNS: tuple[str, ...] = ("track_id", "true", "predicted")
#: The files of a run folder that are records (small, no weights).
RECORD_FILES: tuple[str, ...] = (runs.CONFIG_FILE, runs.METRICS_FILE, runs.SPLIT_FILE, runs.HISTORY_FILE,
                                 PREDICTIONS_FILE)
#: The paired tests chapter 10 and the results page show: (model A, model B), each a record
#: label of ``load_records``; the best probe, the MSD and MTT VGG probes fitted alike, the
#: fine-tuned MSD and MTT VGGs and the fine-tuned musicnn against logreg, fine-tuning against
#: probing, the probe against logreg with C chosen in training for both, and the probe of
#: issue 19's feasibility protocol (mean rows, the geometric rule) against logreg voting and
#: logreg under the same rule; then the best MSD probe, the MTT probe and logreg against the
#: CRNN trained from scratch (chapter 5, the study's best model).
PAIRED_RECORDS: tuple[tuple[str, str], ...] = (("vgg-probe-tracks", "logreg"), ("vgg-probe", "logreg"),
                                               ("vgg-probe-mtt", "logreg"), ("vgg-finetune", "logreg"),
                                               ("vgg-finetune-mtt", "logreg"), ("musicnn-finetune", "logreg"),
                                               ("vgg-finetune", "vgg-probe"), ("vgg-probe-cv", "logreg-cv"),
                                               ("vgg-probe-tracks-geometric", "logreg"),
                                               ("vgg-probe-tracks-geometric", "logreg-geometric"),
                                               ("vgg-probe-tracks", "crnn"), ("vgg-probe-mtt", "crnn"),
                                               ("logreg", "crnn"))


def data_label(config: dict[str, Any]) -> str:
    """A portable name for a run's data: "synthetic (80 tracks)", "GTZAN mini set (80
    tracks)", "GTZAN (999 tracks)" or "<folder> (N tracks)", from its config.json record.
    Notebook: 07_evaluation.ipynb
    """
    path, n = Path(str(config.get("data", ""))), int(config.get("n_tracks", 0))
    names = [part.lower() for part in path.parts]
    if any(name.startswith("gtzan-synth") or name == "synthetic" for name in names):
        return f"synthetic ({n} tracks)"
    if any("gtzan-mini" in name for name in names):
        return f"GTZAN mini set ({n} tracks)"
    full_size = n >= len(GTZAN_GENRES) * GTZAN_TRACKS_PER_GENRE - 1  # the Kaggle copy has 999
    if any("gtzan" in name for name in names) or path.name == "genres_original" or (
            path.name == "genres" and full_size):
        return f"GTZAN ({n} tracks)"
    folder = path.parent.name if path.name == "genres" else path.name
    return f"{folder or 'data'} ({n} tracks)"


def write_evaluation_record(result: Any, out: str | Path, *, model: str, protocol: str,
                            config: dict[str, Any]) -> Path:
    """A record (config.json, metrics.json) of an evaluation that is no single run, e.g. an
    ensemble or test-time averaging over a cross-validation's out-of-fold predictions
    (``pipeline.cross_validated_predictions``): ``result`` an EvaluationResult of all its
    tracks, ``config`` what made it (members, hop, data label, profile, seed, device,
    ``finished``). :func:`load_records` reads it as one run. Returns ``out``.
    Notebook: 08_small_data.ipynb
    """
    out = Path(out)
    runs.save_json(config, out / runs.CONFIG_FILE)
    runs.save_json({"model": model, "protocol": protocol, "test": result.to_dict()}, out / runs.METRICS_FILE)
    write_predictions(result, out)
    return out


def write_predictions(result: Any, folder: str | Path) -> Path:
    """Write ``folder/PREDICTIONS_FILE``: the true and predicted genre of every track of an
    evaluation, so that two records can be paired track by track (:func:`paired_records`).

    Parameters
    ----------
    result : EvaluationResult
        E.g. a run's ``test`` (``train_run(...).test``): ``track_ids``, ``track_true`` and
        ``track_pred`` (n_tracks,), indices into ``genres``.
    folder : str or Path
        A run folder or a record folder.

    Returns
    -------
    Path
        The CSV written (columns ``PREDICTION_COLUMNS``, one row per track), atomically.

    Notebook: 10_transfer_learning.ipynb
    """
    genres = np.asarray(result.genres)
    table = pd.DataFrame(dict(zip(PREDICTION_COLUMNS, (np.asarray(result.track_ids).astype(str),
                                                       genres[result.track_true], genres[result.track_pred]))))
    path = Path(folder) / PREDICTIONS_FILE
    with atomic_file(path, "w", encoding="utf-8", newline="") as handle:
        table.to_csv(handle, index=False)
    return path


def _run_folders(root: Path) -> list[Path]:
    return sorted(p.parent for p in root.rglob(runs.METRICS_FILE) if (p.parent / runs.CONFIG_FILE).is_file())


def export_records(run_root: str | Path, out: str | Path) -> list[Path]:
    """Copy the records (``RECORD_FILES``) of every finished run folder below ``run_root``
    to the same relative place below ``out``; the config's data folder becomes
    :func:`data_label` (no machine path is committed). Returns the folders written."""
    run_root, out = Path(run_root), Path(out)
    written = []
    for folder in _run_folders(run_root):
        target = out / folder.relative_to(run_root)
        config = runs.load_json(folder / runs.CONFIG_FILE)
        runs.save_json({**config, "data": data_label(config)}, target / runs.CONFIG_FILE)
        for name in RECORD_FILES[1:]:
            if (folder / name).is_file():
                target.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(folder / name, target / name)
        written.append(target)
    return written


def load_records(root: str | Path = RECORDS_DIR) -> pd.DataFrame:
    """One row per run record below ``root``: ``group`` (its folder, e.g. "cnn/kfold5"),
    ``model`` (the model kind; for a variant recorded under a folder of another name, e.g.
    chapter 8's "cnn-small-crop/kfold5", that name), ``protocol``, ``fold``, ``data``,
    ``profile``, ``seed``, ``augment`` (the run's augmentations, a tuple; empty for none or
    an ensemble record), ``finished``, ``device``, ``cpu`` (the CPU model and its widest vector
    instructions, ``provenance.cpu_of``; an ensemble's, its members'; "not recorded" in older
    records), ``epochs_run``, ``best_epoch`` (the epoch whose weights were kept),
    ``train_tracks`` and ``valid_tracks`` (split.json's; None without one), ``seconds_per_epoch``,
    the test set's ``test_tracks``, ``track_accuracy``, ``macro_f1``, ``segment_accuracy`` and
    its ``confusion`` (array), ``genres`` and ``members`` (an ensemble's or test-time average's
    member records, config.json's ``member_dirs``; empty for a run).
    Runs without a test set are left out. Empty frame when there are none.
    Notebook: 07_evaluation.ipynb
    """
    root = Path(root)
    rows = []
    for folder in _run_folders(root) if root.is_dir() else []:
        config, metrics = runs.load_json(folder / runs.CONFIG_FILE), runs.load_json(folder / runs.METRICS_FILE)
        test = metrics.get("test")
        if not test:
            continue
        split = runs.load_json(folder / runs.SPLIT_FILE) if (folder / runs.SPLIT_FILE).is_file() else {}
        relative = folder.relative_to(root)
        group = relative.parent if split.get("fold") is not None else relative  # a fold: its k-fold
        label = group.parts[0] if len(group.parts) > 1 else metrics["model"]  # "<label>/<protocol>"
        rows.append({
            "group": group.as_posix(),
            "model": metrics["model"] if label in MODEL_KINDS else label,  # a variant: its folder
            "protocol": metrics["protocol"], "fold": split.get("fold"),
            "data": data_label(config) if Path(str(config.get("data", ""))).is_absolute() else config.get("data"),
            "profile": config.get("profile"), "seed": config.get("seed"),
            "augment": tuple((config.get("train_config") or {}).get("augment") or ()),
            "finished": config.get("finished"), "device": config.get("device"), "cpu": cpu_of(config.get("machine")),
            "epochs_run": metrics.get("epochs_run"), "best_epoch": metrics.get("best_epoch"),
            "train_tracks": _split_count(split, "train"), "valid_tracks": _split_count(split, "valid"),
            "seconds_per_epoch": metrics.get("seconds_per_epoch"),
            "test_tracks": test["n_tracks"], "track_accuracy": test["track_accuracy"],
            "macro_f1": test["macro_f1"], "segment_accuracy": test["segment_accuracy"],
            "confusion": np.asarray(test["confusion"], dtype=np.int64), "genres": tuple(test["genres"]),
            "members": tuple(config.get("member_dirs") or ()),
        })
    return _members_cpu(pd.DataFrame(rows))


def _split_count(split: dict[str, Any], part: str) -> int | None:
    """How many tracks a split.json puts in ``part``: a count, or (older records) the ids listed."""
    listed = split.get(part)
    return listed if listed is None or isinstance(listed, int) else len(listed)


def _members_cpu(records: pd.DataFrame) -> pd.DataFrame:
    """An ensemble or test-time averaging record (``members``) names no machine of its own:
    its runs trained where its members did, so its ``cpu`` is theirs (every distinct one, "; "
    between), read from the members' records beside it."""
    if records.empty:
        return records
    cpus = records.groupby("group")["cpu"].agg(lambda c: "; ".join(sorted(set(c))))
    derived = [("; ".join(sorted({part for d in members if d in cpus.index for part in cpus[d].split("; ")}))
                if members and cpu == CPU_NOT_RECORDED else cpu) or CPU_NOT_RECORDED
               for members, cpu in zip(records["members"], records["cpu"])]
    return records.assign(cpu=derived)


def _fold_order(folder: Path) -> tuple[int, str]:
    """Sort key of fold folders: fold2 before fold10."""
    return len(folder.name), folder.name


def _prediction_files(folder: Path) -> list[Path]:
    """The predictions files a record keeps or should keep: its own, else one per fold."""
    if (folder / PREDICTIONS_FILE).is_file():
        return [folder / PREDICTIONS_FILE]
    return [f / PREDICTIONS_FILE for f in sorted(folder.glob("fold*"), key=_fold_order)
            if (f / runs.METRICS_FILE).is_file()]


def load_predictions(folder: str | Path) -> pd.DataFrame:
    """The per-track predictions a record keeps: its own ``PREDICTIONS_FILE``, or for a
    cross-validation (``<label>/kfold5``) its folds' (``fold<k>/PREDICTIONS_FILE``), each
    track tested once.

    Returns
    -------
    pd.DataFrame
        Columns ``PREDICTION_COLUMNS`` (strings), one row per tested track, in fold order.
        ValueError names a folder that keeps no predictions (a record written before they
        were kept: regenerate it with ``genrelib reference``) or a track tested twice.

    Notebook: 10_transfer_learning.ipynb
    """
    folder = Path(folder)
    files = _prediction_files(folder)
    missing = [str(f) for f in files if not f.is_file()]
    if not files or missing:
        raise ValueError(f"{', '.join(missing) or folder / PREDICTIONS_FILE}: no per-track predictions in "
                         "this record (written before records kept them); regenerate it with genrelib reference")
    table = pd.concat([pd.read_csv(f, dtype=str) for f in files], ignore_index=True)
    if list(table.columns) != list(PREDICTION_COLUMNS):
        raise ValueError(f"{folder}: expected columns {list(PREDICTION_COLUMNS)} in {PREDICTIONS_FILE}, "
                         f"got {list(table.columns)}")
    twice = table["track_id"][table["track_id"].duplicated()].tolist()
    if twice:
        raise ValueError(f"{folder}: track {twice[0]!r} is tested more than once ({len(twice)} repeats)")
    return table


def paired_records(a: str | Path, b: str | Path, *, root: str | Path = RECORDS_DIR) -> PairedTest:
    """McNemar's exact test of two records on the same tracks, from their kept predictions.

    Parameters
    ----------
    a, b : str or Path
        Record folders, relative to ``root`` (e.g. "vgg-probe-tracks/kfold5" and
        "logreg/kfold5", ``load_records``' ``group``) or absolute.
    root : str or Path
        The records' folder.

    Returns
    -------
    PairedTest
        ``evaluation.mcnemar_exact`` of their per-track correctness, the tracks paired by
        id whatever their order (``only_a_right``: tracks only ``a`` got right). ValueError
        names a track only one of them predicted, or one whose true genre they disagree on.

    Notebook: 10_transfer_learning.ipynb
    """
    both = _paired_predictions(a, b, root=root)
    return mcnemar_exact(both["predicted_a"] == both["true_a"], both["predicted_b"] == both["true_b"])


def _paired_predictions(a: str | Path, b: str | Path, *, root: str | Path) -> pd.DataFrame:
    """Two records' kept predictions paired by track id (columns ``true_a``, ``predicted_a``,
    ``true_b``, ``predicted_b``); ValueError names a track only one of them predicted, or one
    whose true genre they disagree on."""
    left, right = (load_predictions(Path(root) / name) for name in (a, b))
    for one, other, one_name, other_name in ((left, right, a, b), (right, left, b, a)):
        alone = sorted(set(one["track_id"]) - set(other["track_id"]))
        if alone:
            raise ValueError(f"{one_name} and {other_name} must predict the same tracks: {len(alone)} only in "
                             f"{one_name}: {', '.join(map(repr, alone[:5]))}{', ...' * (len(alone) > 5)}")
    both = left.merge(right, on="track_id", suffixes=("_a", "_b"), validate="one_to_one")
    differ = both[both["true_a"] != both["true_b"]]
    if len(differ):
        row = differ.iloc[0]
        raise ValueError(f"{a} and {b} disagree on the true genre of track {row.track_id!r}: "
                         f"{row.true_a!r} vs {row.true_b!r}")
    return both


def paired_table(records: pd.DataFrame, pairs: tuple[tuple[str, str], ...] = PAIRED_RECORDS, *,
                 protocols: tuple[str, ...] = ("kfold", "artist_kfold"),
                 root: str | Path = RECORDS_DIR) -> pd.DataFrame:
    """One row per pair of models and protocol: :func:`paired_records` of their records.

    Parameters
    ----------
    records : pd.DataFrame
        :func:`load_records` rows of ``root`` (they name each model's record folder).
    pairs : tuple of (str, str)
        (model A, model B) as in ``records``' ``model`` column.
    protocols : tuple of str
        The protocols paired; a pair without a record of a protocol is left out.

    Returns
    -------
    pd.DataFrame
        Columns ``a``, ``b``, ``protocol``, ``tracks``, ``a_accuracy``, ``b_accuracy``,
        ``only_a_right``, ``only_b_right`` and ``pvalue`` (McNemar, exact, two-sided).

    Notebooks: 05_crnn.ipynb, 07_evaluation.ipynb, 08_small_data.ipynb, 10_transfer_learning.ipynb
    """
    rows = []
    for a, b in pairs:
        for protocol in protocols:
            groups = [records.loc[(records["model"] == m) & (records["protocol"] == protocol), "group"].unique()
                      for m in (a, b)]
            if any(len(g) != 1 for g in groups):
                continue
            test = paired_records(groups[0][0], groups[1][0], root=root)
            rows.append({"a": a, "b": b, "protocol": protocol, "tracks": test.n_tracks,
                         "a_accuracy": (test.both_right + test.only_a_right) / test.n_tracks,
                         "b_accuracy": (test.both_right + test.only_b_right) / test.n_tracks,
                         "only_a_right": test.only_a_right, "only_b_right": test.only_b_right,
                         "pvalue": test.pvalue})
    return pd.DataFrame(rows, columns=["a", "b", "protocol", "tracks", "a_accuracy", "b_accuracy",
                                       "only_a_right", "only_b_right", "pvalue"])


def format_pvalue(pvalue: float) -> str:
    """A p-value as the book prints it: three decimals, below 0.001 two significant digits
    ("2.2e-04"), so that a small p never reads as 0.000.
    Notebooks: 05_crnn.ipynb, 07_evaluation.ipynb, 08_small_data.ipynb, 10_transfer_learning.ipynb
    """
    return f"{pvalue:.3f}" if pvalue >= 0.001 else f"{pvalue:.1e}"


def display_paired(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`paired_table` rows as the book shows them: accuracies in per cent, the counts
    of tracks only one model got right, McNemar's p-value to three decimals (below 0.001: two
    significant digits).
    Notebooks: 05_crnn.ipynb, 07_evaluation.ipynb, 08_small_data.ipynb, 10_transfer_learning.ipynb
    """
    return pd.DataFrame([{
        "model A": row.a, "model B": row.b, "protocol": row.protocol, "tracks": row.tracks,
        "A right": percent(row.a_accuracy), "B right": percent(row.b_accuracy),
        "only A right": row.only_a_right, "only B right": row.only_b_right,
        "McNemar p (exact)": format_pvalue(row.pvalue),
    } for row in table.itertuples(index=False)])


def _pairs(confusion: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(true, predicted) class of every track counted in a confusion matrix."""
    true, pred = np.nonzero(confusion)
    counts = confusion[true, pred]
    return np.repeat(true, counts), np.repeat(pred, counts)


def _pooled(group: pd.DataFrame, *, n_resamples: int, seed: int) -> dict[str, Any]:
    genres = group["genres"].iloc[0]
    y_true, y_pred = _pairs(np.sum(np.stack(group["confusion"].to_list()), axis=0))
    report = classification_report(y_true, y_pred, genres=genres)
    row: dict[str, Any] = {"track_accuracy": report.accuracy, "macro_f1": report.macro_f1}
    for metric in ("accuracy", "macro_f1"):
        low, high = bootstrap_interval(y_true, y_pred, metric=metric, n_resamples=n_resamples,
                                       level=0.95, seed=seed, n_classes=len(genres))
        row["track_accuracy_ci" if metric == "accuracy" else "macro_f1_ci"] = (low, high)
    return row


def summarize(records: pd.DataFrame, *, n_resamples: int = 2000, seed: int = 0) -> pd.DataFrame:
    """One row per (model, protocol, data, profile): ``runs`` (folds), ``test_tracks``,
    the POOLED ``track_accuracy`` and ``macro_f1`` over all the runs' test tracks (their
    confusion matrices summed; each track of a k-fold is tested once) with bootstrap 95 %
    intervals (``*_ci``), ``segment_accuracy`` (the runs' mean weighted by their test tracks:
    the pooled value where every track gives as many segments, as 30 s clips do; a plain mean
    would weigh a fold of 6 test tracks like one of 12), ``seeds``, ``finished`` (last),
    ``device``, ``cpu`` (each distinct value once) and ``study`` (the study's reported test
    accuracy, for the random-split protocols of the models it trained; NaN elsewhere).
    Notebook: 07_evaluation.ipynb
    """
    if records.empty:
        return pd.DataFrame()
    rows = []
    for (model, protocol, data, profile), group in records.groupby(
            ["model", "protocol", "data", "profile"], sort=False):
        rows.append({
            "model": model, "protocol": protocol, "data": data, "profile": profile,
            "runs": len(group), "test_tracks": int(group["test_tracks"].sum()),
            **_pooled(group, n_resamples=n_resamples, seed=seed),
            "segment_accuracy": float(np.average(group["segment_accuracy"], weights=group["test_tracks"])
                                      if group["test_tracks"].sum() > 0 else group["segment_accuracy"].mean()),
            "seeds": ",".join(str(s) for s in sorted(set(group["seed"]))),
            "finished": max(str(f) for f in group["finished"]),
            "device": ", ".join(sorted({str(d) for d in group["device"]})),
            "cpu": "; ".join(sorted({str(c) for c in group["cpu"]})),
            "study": STUDY_TEST_ACCURACY.get(model, np.nan) if protocol in ("random", "kfold") else np.nan,
        })
    return pd.DataFrame(rows).sort_values(
        ["model", "protocol"], kind="stable",
        key=lambda column: column.map(lambda v: _rank(MODEL_KINDS if column.name == "model" else PROTOCOL_ORDER, v)),
    ).reset_index(drop=True)


def _rank(order: tuple[str, ...], value: str) -> int:
    return order.index(value) if value in order else len(order)


def _half_up(value: float, decimals: int = 1) -> str:
    """``value`` to ``decimals`` decimals (default one), halves up: 0.9625 and 0.6375 as
    fractions of 80 tracks are 96.3 and 63.8, not 96.2 or 63.7 as their binary neighbours
    would print."""
    step = Decimal(1).scaleb(-decimals)
    return str(Decimal(repr(round(float(value), 9))).quantize(step, rounding=ROUND_HALF_UP))


def percent(value: float | None, decimals: int = 1) -> str:
    """A fraction as the book's tables and sentences print it: "96.3 %" (one decimal, halves
    up; ``decimals=0`` for a rough figure: "13 %" for 0.125, where ``:.0%`` gives "12%"), "–"
    when missing. Notebooks: every chapter's sentences beside its tables, e.g. 03_cnn.ipynb,
    05_crnn.ipynb, 08_small_data.ipynb, 10_transfer_learning.ipynb."""
    missing = value is None or (isinstance(value, float) and np.isnan(value))
    return "–" if missing else f"{_half_up(100 * value, decimals)} %"


def percent_points(value: float, decimals: int = 1) -> float:
    """A fraction as percentage points to ``decimals`` decimals (default one), halves up, as a
    number for a table or a difference whose sentences use :func:`percent` (0.8625 -> 86.3,
    where ``round(86.25, 1)`` gives 86.2; 0.625 with ``decimals=0`` -> 63.0, where
    ``round(62.5)`` gives 62).
    Notebooks: 01_data.ipynb, 03_cnn.ipynb, 04_rnn.ipynb, 05_crnn.ipynb, 06_tuning.ipynb, 07_evaluation.ipynb,
    08_small_data.ipynb, 10_transfer_learning.ipynb
    """
    return float(_half_up(100 * value, decimals)) if np.isfinite(value) else float("nan")


def display_table(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`summarize` rows as the book shows them: percentages with their 95 % intervals,
    the study's figure, the date, the device and the CPU, one string per cell.
    Notebook: 07_evaluation.ipynb
    """
    return pd.DataFrame([{
        "model": row.model, "protocol": row.protocol, "data": row.data, "profile": row.profile,
        "runs": row.runs, "test tracks": row.test_tracks,
        "track accuracy [95 % CI]": "{} [{}, {}]".format(
            percent(row.track_accuracy), *(_half_up(100 * v) for v in row.track_accuracy_ci)),
        "macro F1 [95 % CI]": "{:.3f} [{:.3f}, {:.3f}]".format(row.macro_f1, *row.macro_f1_ci),
        "segment accuracy": percent(row.segment_accuracy), "the study reports": percent(row.study),
        "seed": row.seeds, "finished": row.finished[:10], "device": row.device,
        "cpu": row.cpu,
    } for row in summary.itertuples(index=False)])


#: The columns of a :func:`display_table` that often hold one value for every row.
SHARED_COLUMNS: tuple[str, ...] = ("data", "profile", "seed", "device", "cpu", "finished")


def shared_values(table: pd.DataFrame, columns: tuple[str, ...] = SHARED_COLUMNS) -> tuple[str, pd.DataFrame]:
    """Say once what every row of a table shares, instead of repeating it in every row.

    Parameters
    ----------
    table : pd.DataFrame
        E.g. :func:`display_table` rows.
    columns : tuple of str
        The columns to look at (those absent from ``table`` are skipped).

    Returns
    -------
    (sentence, rest) : tuple of str and pd.DataFrame
        "every row: data GTZAN mini set (80 tracks); device CPU (2 cores)" ("" when no column
        holds a single value), and ``table`` without those columns.

    Notebook: 07_evaluation.ipynb
    """
    same = [c for c in columns if c in table and len(table) and table[c].astype(str).nunique() == 1]
    said = {"cpu": "CPU model"}  # "device CPU (2 cores); CPU model not recorded", not "cpu not recorded"
    sentence = "every row: " + "; ".join(f"{said.get(c, c)} {table[c].iloc[0]}" for c in same) if same else ""
    return sentence, table.drop(columns=same)


def table2(evaluations: dict[str, Any]) -> pd.DataFrame:
    """The study's Table 2 rebuilt: one row per model (``evaluations`` maps a model kind to
    its test EvaluationResult): segment accuracy, track accuracy by vote with its 95 %
    interval, by mean probability and by geometric mean, macro precision / recall / F1 (tracks, over
    every genre: an untested one counts 0), the macro F1 over the genres with a test track, top-2 and
    top-3 accuracy, and the study's accuracy / precision / recall / F1 beside ("–" for a
    model it did not train). Numbers are fractions, intervals "[low, high]".
    Notebook: 07_evaluation.ipynb
    """
    rows = []
    for kind, result in evaluations.items():
        study = STUDY_TABLE2.get(kind, {})
        rows.append({
            "model": kind, "test tracks": result.n_tracks,
            "segment acc.": round(result.segment_accuracy, 3),
            "track acc. (vote)": round(result.track_accuracy, 3),
            "95 % CI": "[{:.2f}, {:.2f}]".format(*result.track_accuracy_ci),
            "track acc. (mean)": round(result.track_accuracy_by_method["mean"], 3),
            "track acc. (geometric)": round(result.track_accuracy_by_method["geometric"], 3),
            "precision": round(result.macro_precision, 3),
            "recall": round(result.macro_recall, 3),
            "F1": round(result.macro_f1, 3),
            "F1 (tested genres)": "–" if result.tested_macro_f1 is None else round(result.tested_macro_f1, 3),
            "top-2": round(result.top_k_accuracy[2], 3), "top-3": round(result.top_k_accuracy[3], 3),
            **{f"study {key}": study.get(key, "–") for key in ("accuracy", "precision", "recall", "f1")},
        })
    return pd.DataFrame(rows).set_index("model")


def reference_summary(model: str, *, root: str | Path = RECORDS_DIR,
                      summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """The reference results of one model (e.g. "cnn") as :func:`display_table` rows, which
    the chapters show beside their own quick run; an empty frame when there are none yet.
    ``summary``: :func:`summarize` rows already computed (then ``root`` is not read again).
    Notebook: 03_cnn.ipynb, 04_rnn.ipynb, 05_crnn.ipynb
    """
    if summary is None:
        summary = summarize(load_records(root))
    if summary.empty:
        return summary
    return display_table(summary[summary["model"] == model]).reset_index(drop=True)


def reference_training(model: str, *, root: str | Path = RECORDS_DIR) -> pd.DataFrame:
    """What each reference run of ``model`` trained on and how long, fold by fold, one row per
    protocol: its training and validation tracks (split.json), the epoch it kept (lowest
    validation loss) and the epochs it ran. An early kept epoch means the table scored a model
    that had barely trained. Empty when there is no record (or no epochs).
    Notebooks: 03_cnn.ipynb, 04_rnn.ipynb, 05_crnn.ipynb
    """
    records = load_records(root)
    if records.empty:
        return pd.DataFrame()
    runs_of = records[(records["model"] == model) & records["best_epoch"].notna()].sort_values("fold")
    joined = lambda values: ", ".join(str(int(v)) for v in values)  # noqa: E731
    return pd.DataFrame([{
        "model": model, "protocol": protocol,
        "training tracks": joined(group["train_tracks"]), "validation tracks": joined(group["valid_tracks"]),
        "kept epoch per run": joined(group["best_epoch"]), "epochs run": joined(group["epochs_run"])}
        for protocol, group in sorted(runs_of.groupby("protocol"), key=lambda item: _rank(PROTOCOL_ORDER, item[0]))])


def record_predictions(records: pd.DataFrame, model: str, protocol: str, *,
                       root: str | Path = RECORDS_DIR) -> pd.DataFrame | None:
    """:func:`load_predictions` of the one record of ``model`` under ``protocol`` among
    ``records`` (:func:`load_records` rows of ``root``); None when they hold none, or several.
    Notebooks: 05_crnn.ipynb, 07_evaluation.ipynb, 10_transfer_learning.ipynb
    """
    if records.empty:
        return None
    group = records.loc[(records["model"] == model) & (records["protocol"] == protocol), "group"].unique()
    return load_predictions(Path(root) / group[0]) if len(group) == 1 else None


def protocol_gap(model: str, *, root: str | Path = RECORDS_DIR) -> pd.DataFrame:
    """The folds by track and the artist-grouped folds on **the same tracks**: the artist folds
    test only the genres played by two or more artists (48 of the mini set's 80 tracks), so
    ``reference_summary``'s *kfold* and *artist_kfold* rows differ in their tracks as well as
    in their protocol. One row: the tracks both test, the share of them each protocol's
    record got right, the tracks only one got right and McNemar's exact p (``mcnemar_exact``).
    Empty when a record is missing. Notebooks: 03_cnn.ipynb, 04_rnn.ipynb
    """
    records = load_records(root)
    by_track, by_artist = (record_predictions(records, model, p, root=root) for p in ("kfold", "artist_kfold"))
    if by_track is None or by_artist is None:
        return pd.DataFrame()
    by_track, by_artist = by_track.set_index("track_id"), by_artist.set_index("track_id")
    by_track = by_track.loc[by_artist.index]  # the tracks the artist folds test
    test = mcnemar_exact(by_track["predicted"] == by_track["true"], by_artist["predicted"] == by_artist["true"])
    n = len(by_artist)
    return pd.DataFrame([{
        "model": model, "tracks both test": n,
        "kfold right": percent((test.both_right + test.only_a_right) / n),
        "artist_kfold right": percent((test.both_right + test.only_b_right) / n),
        "only kfold right": test.only_a_right, "only artist_kfold right": test.only_b_right,
        "McNemar p (exact)": format_pvalue(test.pvalue)}])


def _artists_here(index: Any) -> tuple[str, pd.Series]:
    """``index``'s data label (:func:`data_label`) and each track's artist group
    (``artist_groups``: an unknown artist is a group of its own track) by track id."""
    label = data_label({"data": str(index.root), "n_tracks": len(index)})
    return label, pd.Series(artist_groups(index.tracks), index=index.tracks["track_id"].astype(str))


def _made_here_with_predictions(rows: pd.DataFrame, label: str, root: str | Path) -> bool:
    """Whether the records ``rows`` (:func:`load_records` rows) were all made on the data
    labelled ``label`` and keep their per-track predictions (records made before they kept
    them do not)."""
    files = [f for group in rows["group"].unique() for f in _prediction_files(Path(root) / group)]
    return bool(len(rows)) and bool((rows["data"] == label).all()) and bool(files) and all(f.is_file() for f in files)


def artist_intervals(records: pd.DataFrame, index: Any, *, models: tuple[str, ...],
                     protocols: tuple[str, ...] = ("kfold", "artist_kfold"), root: str | Path = RECORDS_DIR,
                     n_resamples: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Each record's track accuracy with two 95 % intervals: its tracks resampled
    (``bootstrap_interval``, as in :func:`summarize`) and its artists resampled
    (``cluster_bootstrap_interval``, artists as ``artist_groups`` gives them).

    Parameters
    ----------
    records : pd.DataFrame
        :func:`load_records` rows.
    index : DatasetIndex
        The data the records were made on, for the tracks' artists: only records whose data
        label (:func:`data_label`) is this data's and whose tracks it holds get a row (the
        synthetic data reuses GTZAN's track ids, with other artists).
    models, protocols : tuple of str
    root, n_resamples, seed

    Returns
    -------
    pd.DataFrame
        One row per record found: model, protocol, test tracks, artist groups (a track of unknown
        artist is a group of its own), track accuracy, the two intervals in per cent, how much
        wider the artists' one is, the ratios errors independent of the artists would give
        (``independent_ratio_band``: a ratio above that band says the errors come by artist), and
        the wrong tracks' artist groups. Empty when no record matches this data; a record that
        keeps no per-track predictions (made before records kept them) gives no row.

    Notebook: 07_evaluation.ipynb
    """
    label, artist_of = _artists_here(index)
    rows = []
    for model in models:
        for protocol in protocols:
            rows_of = records[(records["model"] == model) & (records["protocol"] == protocol)]
            if not _made_here_with_predictions(rows_of, label, root):
                continue
            predictions = record_predictions(records, model, protocol, root=root)
            if predictions is None or not predictions["track_id"].isin(artist_of.index).all():
                continue
            genres = list(rows_of["genres"].iloc[0])
            y_true, y_pred = (predictions[c].map(genres.index).to_numpy() for c in ("true", "predicted"))
            order = np.lexsort((y_pred, y_true))  # summarize's order (by true, then predicted genre): its interval
            y_true, y_pred = y_true[order], y_pred[order]
            artists = artist_of.loc[predictions["track_id"]].to_numpy()[order]
            by_track = bootstrap_interval(y_true, y_pred, n_resamples=n_resamples, seed=seed)
            by_artist = cluster_bootstrap_interval(y_true, y_pred, artists, n_resamples=n_resamples, seed=seed)
            wrong = y_true != y_pred
            band = independent_ratio_band(y_true, y_pred, artists, n_resamples=n_resamples, seed=seed)
            rows.append({"model": model, "protocol": protocol, "test tracks": len(y_true),
                         "artist groups": len(set(artists)), "track accuracy": percent(1 - wrong.mean()),
                         "95 % CI, tracks resampled": "[{}, {}]".format(*(_half_up(100 * v) for v in by_track)),
                         "95 % CI, artists resampled": "[{}, {}]".format(*(_half_up(100 * v) for v in by_artist)),
                         "width ratio": round((by_artist[1] - by_artist[0]) / (by_track[1] - by_track[0]), 2)
                         if by_track[1] > by_track[0] else float("nan"),
                         "independent errors' ratios (90 %)": (round(band[0], 2), round(band[1], 2)),
                         "wrong tracks": int(wrong.sum()), "their artist groups": len(set(artists[wrong]))})
    return pd.DataFrame(rows)


def artist_paired(records: pd.DataFrame, paired: pd.DataFrame, index: Any, *,
                  root: str | Path = RECORDS_DIR) -> pd.DataFrame:
    """:func:`paired_table`'s rows with the same comparison tested over artists: ``artists where
    they differ`` (artist groups holding a track only one model got right), ``artists with a net
    difference`` (those of them whose tracks only A got right and only B got right do not cancel:
    the k of the test), ``artist-level p`` (``cluster_sign_flip_pvalue``) and ``smallest possible
    p`` (``sign_flip_floor(k)``, 2/2^k: with few such artists no result reaches 0.05); NaN for a
    pair whose records were not made on ``index``'s data, as :func:`artist_intervals` decides,
    or keep no predictions.
    Notebooks: 07_evaluation.ipynb, 08_small_data.ipynb, 10_transfer_learning.ipynb
    """
    label, artist_of = _artists_here(index)
    columns = ("artists where they differ", "artists with a net difference", "artist-level p", "smallest possible p")
    values: list[tuple[float, ...]] = []
    for row in paired.itertuples():
        of_protocol = records[records["protocol"] == row.protocol]
        groups_ab = [of_protocol.loc[of_protocol["model"] == m, "group"].unique() for m in (row.a, row.b)]
        if any(len(g) != 1 for g in groups_ab) or not _made_here_with_predictions(
                of_protocol[of_protocol["model"].isin([row.a, row.b])], label, root):
            values.append((np.nan,) * len(columns))
            continue
        both = _paired_predictions(groups_ab[0][0], groups_ab[1][0], root=root)  # as paired_records pairs them
        right_a, right_b = (both["predicted_a"] == both["true_a"]), (both["predicted_b"] == both["true_b"])
        groups = artist_of.reindex(both["track_id"].astype(str)).to_numpy()
        if pd.isna(groups).any():
            values.append((np.nan,) * len(columns))
            continue
        net = (right_a.astype(int) - right_b.astype(int)).groupby(groups).sum()  # each artist's net difference
        k = int((net != 0).sum())
        values.append((len(set(groups[(right_a != right_b).to_numpy()])), k,
                       cluster_sign_flip_pvalue(right_a, right_b, groups), sign_flip_floor(k)))
    return paired.assign(**{name: [v[i] for v in values] for i, name in enumerate(columns)})


def chosen_C(records: pd.DataFrame, model: str, *, protocols: tuple[str, ...] = ("kfold", "artist_kfold"),
             root: str | Path = RECORDS_DIR) -> list[float]:
    """The C each fold of ``model``'s records chose in training among the candidates of
    ``--option 'C=[...]'`` (``choose_C``; each fold's history.csv keeps it), over ``protocols``,
    in record and fold order. Empty when the records chose none (a fixed C, or no record).
    Notebook: 10_transfer_learning.ipynb
    """
    chosen = []
    for group in records.loc[(records["model"] == model) & records["protocol"].isin(protocols), "group"].unique():
        for fold in sorted((Path(root) / group).glob("fold*"), key=_fold_order):
            if not (fold / runs.HISTORY_FILE).is_file():
                continue
            table = pd.read_csv(fold / runs.HISTORY_FILE)
            if "C" in table.columns:
                chosen.append(float(table["C"].iloc[0]))
    return chosen


def training_hours(records: pd.DataFrame) -> dict[str, float]:
    """Hours of training epochs the records hold, per device: the sum over runs of
    ``epochs_run`` x ``seconds_per_epoch`` (feature extraction and evaluation not included;
    ensemble and test-time-averaging records train nothing and count 0).

    Parameters
    ----------
    records : pd.DataFrame
        :func:`load_records` rows.

    Returns
    -------
    dict
        {device: hours}, devices in order of appearance; empty when no record has timings.
    """
    if records.empty:
        return {}
    timed = records.dropna(subset=["epochs_run", "seconds_per_epoch"])
    seconds = (timed["epochs_run"] * timed["seconds_per_epoch"]).groupby(timed["device"].astype(str), sort=False).sum()
    return {device: float(total) / 3600 for device, total in seconds.items()}
