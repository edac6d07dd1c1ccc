"""Cross-validation by track: one run per fold, every track tested once, and the
out-of-fold predictions that ensembles and test-time averaging are scored on
(``cross_validate``: chapters 7 and 8).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from genrelib import runs
from genrelib.datasets import DatasetIndex
from genrelib.datasets.source import DataSource, as_index
from genrelib.datasets.splits import artist_kfold_splits, kfold_splits
from genrelib.errors import GenrelibWarning
from genrelib.evaluation import SegmentPredictions
from genrelib.pipeline.records import RunResult
from genrelib.pipeline.run import capped_index, train_run
from genrelib.pipeline.scoring import run_predictions
from genrelib.pipeline.spec import Hardware, RunSpec, check_spec

#: The fold protocols of ``cross_validate``.
CV_PROTOCOLS: tuple[str, ...] = ("kfold", "artist_kfold")


def cross_validate(data: DataSource, spec: RunSpec, *, out_dir: str | Path, n_folds: int = 5,
                   protocol: str = "kfold", hardware: Hardware | None = None,
                   reuse: bool = False, overwrite: bool = False,
                   cache_dir: str | Path | None = None, verbose: int | str = 2) -> list[RunResult]:
    """One ``train_run`` per fold, written to ``out_dir/fold<k>``.

    Parameters
    ----------
    data : str, path or DatasetIndex
    spec : RunSpec
        Its ``split`` is replaced by each fold's; its ``valid_fraction`` sizes each fold's
        validation set, taken from the training tracks.
    n_folds : int
        Number of folds (``kfold_splits``' and ``artist_kfold_splits``' name for it).
    protocol : {"kfold", "artist_kfold"}
        "kfold": folds by track, stratified by genre (every track tested once).
        "artist_kfold": every track of a genre played by two or more artists is tested once,
        on an unheard artist; a single-artist genre stays in training.
    hardware, reuse, overwrite, cache_dir, verbose
        As in ``train_run``; with ``reuse`` finished folds are read back, so an interrupted
        cross-validation resumes where it stopped. A Dask scheduler computes the features
        once (the first fold); the others read the cache.

    Returns
    -------
    list of RunResult, one per fold

    Notebook: 07_evaluation.ipynb
    """
    check_spec(spec)
    if protocol not in CV_PROTOCOLS:
        raise ValueError(f"protocol must be one of {list(CV_PROTOCOLS)}, got {protocol!r}")
    index = capped_index(data, profile=spec.profile, progress=verbose in (1, 2))
    cut = kfold_splits if protocol == "kfold" else artist_kfold_splits
    splits = cut(index.tracks, n_folds=n_folds, valid_fraction=spec.valid_fraction, seed=spec.seed)
    return [train_run(index, spec.with_(split=split), out_dir=Path(out_dir).expanduser() / f"fold{split.fold}",
                      hardware=hardware, reuse=reuse, overwrite=overwrite, cache_dir=cache_dir,
                      verbose=verbose)
            for split in splits]


def fold_dirs(cv_dir: str | Path) -> list[Path]:
    """The fold run folders of a cross-validation (``cv_dir/fold<k>`` with a split.json),
    in fold order. ValueError when there is none."""
    folds = sorted(Path(cv_dir).expanduser().glob("fold*"),
                   key=lambda p: int(p.name[4:]) if p.name[4:].isdigit() else -1)
    folds = [f for f in folds if (f / runs.SPLIT_FILE).is_file()]
    if not folds:
        raise ValueError(f"{cv_dir} holds no fold<k> run folder with a {runs.SPLIT_FILE}: "
                         "run pipeline.cross_validate first")
    return folds


def cross_validated_predictions(cv_dir: str | Path, data: DataSource, *,
                                hop_frames: int | None = None,
                                cache_dir: str | Path | None = None,
                                progress: bool = False) -> SegmentPredictions:
    """Out-of-fold predictions of a cross-validation: every fold's run scores the test
    tracks of its own split.json, so each tested track is predicted by a model that never
    trained on it.

    Parameters
    ----------
    cv_dir : str or Path
        ``cross_validate``'s ``out_dir``.
    data : str, path or DatasetIndex
    hop_frames : int, optional
        Test-time averaging over segments every ``hop_frames`` frames (``run_predictions``).

    Returns
    -------
    SegmentPredictions
        The folds' predictions concatenated in fold order; two such predictions of the
        same tracks ensemble with ``evaluation.ensemble_predictions``.

    Notebook: 08_small_data.ipynb
    """
    folds = fold_dirs(cv_dir)
    index = as_index(data, progress=progress)
    tested = {fold: [str(t) for t in runs.load_json(fold / runs.SPLIT_FILE)["test"]] for fold in folds}
    _check_tested_tracks(tested, index)
    parts = []
    for fold in folds:  # every track scored (one feature set, cached once), the fold's test kept
        scored = run_predictions(fold, index, cache_dir=cache_dir, progress=progress, hop_frames=hop_frames)
        keep = np.isin(scored.track_ids, np.asarray(tested[fold], dtype=str))
        parts.append(SegmentPredictions(scored.probs[keep], scored.y[keep], scored.track_ids[keep], scored.genres))
    return SegmentPredictions(np.concatenate([p.probs for p in parts]),
                              np.concatenate([p.y for p in parts]),
                              np.concatenate([p.track_ids for p in parts]), parts[0].genres)


def _check_tested_tracks(tested: dict[Path, list[str]], index: DatasetIndex) -> None:
    """ValueError when none of the folds' test tracks is in ``index`` (other data, or the
    same folder with its track ids changed: a file name that now repeats makes every id
    ``genre/name``); a warning naming those missing when some are."""
    ids = set(index.tracks["track_id"].astype(str))
    wanted = [t for fold_ids in tested.values() for t in fold_ids]
    missing = [t for t in wanted if t not in ids]
    if not missing:
        return
    example = f"e.g. {missing[0]!r}; DATA has {sorted(ids)[0]!r}" if ids else ""
    text = (f"{len(missing)} of the {len(wanted)} tracks the folds tested are not in {index.root} "
            f"({example}): track ids are file names (genre/name where a name repeats in the "
            "folder), so give the data the cross-validation read, as it was then")
    if len(missing) == len(wanted):
        raise ValueError(text)
    warnings.warn(text + "; the others are scored", GenrelibWarning, stacklevel=3)
