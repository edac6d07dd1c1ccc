"""The book's pages made at build time from the repository's records, never typed: the
results page (from ``genrelib.results``' reference records) and the appendix on training
speed (``genrelib.build.speed``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from genrelib.build.chapters import REPO_ROOT
from genrelib.build.speed import on_gpu
from genrelib.evaluation import bonferroni_bar
from genrelib.models import MODEL_KINDS
from genrelib.results import (RECORDS_DIR, REFERENCE_COMMAND, display_paired, display_table, load_records,
                              paired_table, shared_values, summarize, training_hours)

#: Pages of the book made at build time from the repository's records, not written by hand.
GENERATED_PAGES: tuple[str, ...] = ("book/results", "book/speed")
#: The results page's tables: the study's models and the classical baselines, then chapter 8's
#: variants (augmentation, ensembles, test-time averaging). A column of ``PER_GROUP_COLUMNS``
#: whose value is the same on every row of a data set is said once, under its heading.
STUDY_COLUMNS: tuple[str, ...] = ("model", "protocol", "runs", "test tracks", "track accuracy [95 % CI]",
                                  "macro F1 [95 % CI]", "the study reports")
VARIANT_COLUMNS: tuple[str, ...] = ("model", "protocol", "runs", "test tracks", "track accuracy [95 % CI]",
                                    "macro F1 [95 % CI]")
PER_GROUP_COLUMNS: tuple[str, ...] = ("seed", "device", "cpu", "finished")
#: The same command on a machine with a GPU (JAX is the book's GPU backend).
GPU_REFERENCE_COMMAND = f"KERAS_BACKEND=jax {REFERENCE_COMMAND}"

_INTRO = """# Results from records

Every result on this page (the tables, the paired tests, the training hours) is computed,
when the book is built, from the run records committed under `results/reference/`
(configuration and metrics of each run, no weights); only the description of the data and
the protocols below is written by hand. *Track accuracy* and *macro F1* pool the test tracks of all
runs of a row (a k-fold cross-validation tests every track once) and come with a
bootstrap 95 % interval over those tracks. That interval draws tracks one at a time, as if
they were independent; songs by one artist are not, and chapter 7 draws whole artists
instead (on the k-fold and artist-fold rows it checks, the artist folds' intervals widen the
most). The column *the study reports* quotes the
test accuracy of the study's Table 2 {cite}`chen_genre` (its held-out test split of the full
GTZAN, 10 tracks of each genre, read here as a random 80/10/10 split by track stratified by
genre: the study does not say how it was drawn), shown beside our random-split protocols
only: it was measured on other data. A row right on none of its tracks (or on all) gets an
interval of no width, [0.0, 0.0]: every resample of all-wrong tracks is all wrong, so the
bootstrap cannot show the uncertainty of a 0; chapters 3 and 7 give the exact binomial
interval instead.

*kfold* rows are a cross-validation by track (artists can be on both sides); *artist*
rows keep every artist on one side. A genre played by a single artist (on the GTZAN
mini set: blues, classical, reggae and rock) then lies wholly in one set: when that set
is the test set, the model never heard the genre and cannot name it. An artist row therefore
mixes two losses, unheard artists and unheard genres, and its accuracy can be capped far
below 100 % (chapter 7 shows how); it does not tell how much of the k-fold accuracy was
recognising artists.
*artist_kfold* rows are artist-grouped folds that test every track of the genres played
by two or more artists once, on an unheard artist (the mini set's other six genres);
single-artist genres stay in training. Their macro F1 still averages over all ten genres,
the four untested ones counting 0, so it cannot exceed 0.6 there (chapter 8 gives it over
the tested genres). *runs* counts the records pooled in a row (the folds; 1 for an
ensemble or test-time averaging of a finished cross-validation); *seed* is the seed its runs
used (the folds of one cross-validation share it; an ensemble's record gives its command's seed,
its members are named in its config.json). *cpu* is the processor the
row's runs trained on, as their records name it ("not recorded" in records made before runs
recorded it): the same command and seed on two CPUs can end several points apart (chapter 8).
"""


def markdown_table(table: pd.DataFrame) -> list[str]:
    """The lines of a Markdown table of ``table``'s columns and rows (cells as ``str``)."""
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    return lines + ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]


def _table(title: str, rows: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    """A heading, what every row shares in one sentence, then a table of the rest."""
    shared, rest = shared_values(rows[[*columns, *PER_GROUP_COLUMNS]], PER_GROUP_COLUMNS)
    return [f"### {title}", "", *([shared[0].upper() + shared[1:] + ".", ""] if shared else []),
            *markdown_table(rest), ""]


def _data_section(shown: pd.DataFrame, is_study: pd.Series) -> list[str]:
    """One data set's rows: the study's models, then every other record (chapters 8 and 10)."""
    study = is_study.to_numpy()
    lines = []
    if study.any():
        lines += _table("The study's models and the classical baselines", shown[study], STUDY_COLUMNS)
    if (~study).any():
        lines += _table("Variants: chapter 8's small CNNs (augmentation, ensembles, test-time averaging), "
                        "chapter 10's pretrained models, other seeds and rules",
                        shown[~study], VARIANT_COLUMNS)
    return lines


def _paired_lines(records: pd.DataFrame, root: str | Path) -> list[str]:
    """Chapter 10's paired tests (``results.PAIRED_RECORDS``), from the records' predictions."""
    table = paired_table(records, root=root)
    if table.empty:
        return []
    bar = bonferroni_bar(len(table))
    below = int((table["pvalue"] < bar).sum())
    return ["## Paired tests: chapter 10's pretrained models against logreg, the CRNN and each other", "",
            "McNemar's exact test (chapter 7) of two models on the same tracks, computed from the "
            "per-track predictions the records keep: only the tracks exactly one of the two got right "
            "count (*only A right*, *only B right*); p is two-sided.", "",
            *markdown_table(display_paired(table)), "",
            f"{len(table)} tests in all: Bonferroni's bar for a 5 % chance of any false alarm is "
            f"{bar:.4f}, and {below} of the p-values {'is' if below == 1 else 'are'} below it. Each test counts "
            "the tracks as independent draws; chapter 10 tests the same pairs over artists, where the tracks of one "
            "artist go together and fewer tests pass, and its best probe was picked on these records, which "
            "flatters that probe's tests.", ""]


def _hours(records: pd.DataFrame) -> str:
    hours = training_hours(records)
    return "; ".join(f"{h:.1f} h on {device}" for device, h in hours.items()) or "not recorded"


def _cost_lines(records: pd.DataFrame) -> list[str]:
    """What regenerating the records costs, from their own timings; a GPU is said not measured."""
    study = records["model"].isin(MODEL_KINDS)
    text = ("The command below regenerates the kfold and artist rows of the first table (resumable). "
            f"The training epochs of those runs took {_hours(records[study])} in all: the sum of epochs x "
            "seconds per epoch in their records, features and evaluation not included. Chapter 8 "
            f"gives the commands of its variants (their training epochs: {_hours(records[~study])}).")
    if not any(on_gpu(device) for device in training_hours(records)):
        text += (" On a GPU: **not measured yet**; on a machine with one, run "
                 f"`{GPU_REFERENCE_COMMAND}` and commit its records.")
    return [text, ""]


def results_page(root: str | Path = RECORDS_DIR) -> str:
    """The markdown of the book's results page, computed from the records below ``root``: one
    section per data set and profile (what all its rows share said once under the heading),
    the study's models apart from chapter 8's variants, and what regenerating them costs."""
    records = load_records(root)
    summary = summarize(records)
    lines = [_INTRO]
    if summary.empty:
        lines += ["No reference records yet. Regenerate them with:", ""]
    else:
        for (data, profile), group in summary.groupby(["data", "profile"], sort=False):
            lines += [f"## {data}, {profile} profile", ""]
            lines += _data_section(display_table(group), group["model"].isin(MODEL_KINDS))
        lines += _paired_lines(records, root)
        lines += _cost_lines(records)
    lines += ["```bash", REFERENCE_COMMAND, "```", ""]
    return "\n".join(lines)


def write_generated_pages(stage_dir: Path, *, root: Path = REPO_ROOT) -> list[Path]:
    """Write the generated pages (``GENERATED_PAGES``) into ``stage_dir``: the results page
    from the reference records under ``root/results/reference``, the appendix on training
    speed and its figure from ``root/benchmarks/records`` (``genrelib.build.speed``)."""
    from genrelib.build.speed import SPEED_RECORDS_DIR, speed_page

    book = Path(stage_dir) / "book"
    book.mkdir(parents=True, exist_ok=True)
    results = book / "results.md"
    results.write_text(results_page(root / RECORDS_DIR.relative_to(REPO_ROOT)), encoding="utf-8")
    speed = book / "speed.md"
    speed.write_text(speed_page(root / SPEED_RECORDS_DIR.relative_to(REPO_ROOT),
                                figure=book / "speed.png"), encoding="utf-8")
    return [results, speed]
