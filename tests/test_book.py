"""The built book as a reader sees it (slow): every chapter executed (quick profile, seed 1
so that the values shown differ from the committed defaults, a fresh cache) and the HTML
built, once per session; its pages are checked. The build tooling's own tests are
tests/test_build_*.py.

The data: the real GTZAN mini set where it is found (``GENREBOOK_GTZAN_MINI`` or
``../shared/data/gtzan-mini``, as in CI), so one build checks both the pages and that the
quick profile learns real music; elsewhere (a fresh clone) the synthetic data that ``make
book`` uses. Where the book ran on real data, tests/test_build_execute.py runs chapters 1
and 2 on synthetic data (the path a fresh clone takes: the data generated and indexed).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
from conftest import real_mini_set
from test_notebooks import CHAPTER_PARAMETERS

from genrelib.build import build_html, execute_notebooks, find_notebooks, toc_files
from genrelib.pipeline.records import load_run_record
from genrelib.runs import default_run_dir

REPO = Path(__file__).resolve().parents[1]
CHAPTERS = find_notebooks(REPO / "notebooks")
_PLOT_CALL = re.compile(r"\bplots\.plot_\w+\(")
#: The real GTZAN mini set, or None: the book is then built on synthetic data.
REAL_DATA = real_mini_set()
# What the slow build passes to every chapter (seed 1: not the committed default 0).
BUILD_PARAMETERS = {"data_dir": str(REAL_DATA or ""), "profile": "quick", "seed": 1}
# What the pages show of them: a data folder as "$DATA", never the machine's path.
SHOWN_PARAMETERS = {**BUILD_PARAMETERS, "data_dir": "$DATA" if REAL_DATA else ""}
# Keras' verbose=2 epoch lines: "43/43 - 16s - 372ms/step - accuracy: ...".
KERAS_PROGRESS = re.compile(r"\d+/\d+ - \d+m?s - \d+m?s/step")
# An integer shown as a float by pandas (an int setting in a float column).
FLOAT_INTEGER = re.compile(r"(?<![\d.])\d+\.000000(?!\d)")
# A count of a million or more without separators (2880138), as a whole table cell.
BARE_MILLIONS = re.compile(r"-?\d{7,}")


def _figure_calls(path: Path) -> int:
    """How many figures a chapter draws: its calls into genrelib.plots."""
    nb = nbformat.read(path, as_version=4)
    return sum(len(_PLOT_CALL.findall(c.source)) for c in nb.cells if c.cell_type == "code")


def _training_chapters() -> list[Path]:
    """The chapters that train a model (call ``train_run``): chapters 3-5 today."""
    return [p for p in CHAPTERS
            if any("train_run(" in c.source for c in nbformat.read(p, as_version=4).cells)]


def _page(built_book: dict, chapter: Path) -> Path:
    page = built_book["html"] / "notebooks" / f"{chapter.stem}.html"
    assert page.is_file(), f"{page} was not built"
    return page


def _cells(page: Path) -> list[tuple[list[str], str]]:
    """Each code cell of a built page: its classes (``tag_parameters``...) and its input's text."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return [(div.get("class", []), div.select_one("div.cell_input").get_text() if div.select_one("div.cell_input") else "")
            for div in soup.select("div.cell")]


def _visible_text(page: Path) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text()


def _machine_path(folder: Path) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.\-])" + re.escape(str(folder)) + r"(?![\w.\-])")


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every chapter executed (quick profile; the real mini set, else synthetic data), two at a
    time as ``make book`` runs them, so the real chapters that share runs meet side by side
    (``.ci/run`` took 774 s this way and 778 s one at a time, benchmarks/RESULTS.md), and the
    HTML built."""
    root = tmp_path_factory.mktemp("book")
    runs = execute_notebooks(**BUILD_PARAMETERS, out_dir=root / "executed",
                             cache_dir=root / "cache", timeout=600, jobs=2)
    index = build_html(executed_dir=root / "executed", out_dir=root / "build")
    return {"runs": runs, "index": index, "html": index.parent, "cache": root / "cache"}


@pytest.mark.slow
def test_every_chapter_executes(built_book: dict) -> None:
    assert [run.name for run in built_book["runs"]] == [p.name for p in CHAPTERS]
    for run in built_book["runs"]:
        nb = nbformat.read(run.output, as_version=4)
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if o.output_type == "error"]
        assert not errors, f"{run.name}: error outputs {errors}"


def _outputs(run) -> str:
    return "".join(str(o) for c in nbformat.read(run.output, as_version=4).cells
                   if c.cell_type == "code" for o in c.get("outputs", []))


@pytest.mark.slow
@pytest.mark.realdata
def test_on_the_real_mini_set_the_chapters_read_real_tracks_and_the_quick_profile_learns(built_book: dict) -> None:
    if REAL_DATA is None:
        pytest.skip("real GTZAN mini set not found (GENREBOOK_GTZAN_MINI or ../shared/data/gtzan-mini): "
                    "the book was built on synthetic data")
    runs = {run.name: run for run in built_book["runs"]}
    data = _outputs(runs["01_data.ipynb"])
    assert "80 readable tracks" in data and "John Lee Hooker" in data
    evaluation = _outputs(runs["07_evaluation.ipynb"])
    assert "80 tracks; 8 test tracks, the same for all five models" in evaluation
    assert "data_dir '$DATA'" in evaluation and "data_dir '(synthetic)'" not in evaluation  # real tracks
    # The quick profile (three epochs) learns real GTZAN: chapters 3 and 5 train the CNN and
    # the CRNN on a random split by track (8 test tracks, 152 segments). Chance is 10 %: each
    # model's segment accuracy must reach 30 %, and together they must get at least 7 of their
    # 16 test tracks right (P = 0.05 % under chance). One model's 8 tracks alone move with the
    # CPU: the CNN got 3 of 8 on an AMD EPYC VM (2026-12-07) where an Intel Xeon gave 4 or more.
    tests = {name: load_run_record(default_run_dir(name, profile="quick", seed=BUILD_PARAMETERS["seed"],
                                                   cache_dir=built_book["cache"])).metrics.test
             for name in ("03_cnn", "05_crnn")}
    assert all(test.n_tracks == 8 and test.segment_accuracy >= 0.3 for test in tests.values()), tests
    assert sum(round(test.track_accuracy * test.n_tracks) for test in tests.values()) >= 7, tests


@pytest.mark.slow
def test_index_and_prose_pages_are_built(built_book: dict) -> None:
    html = built_book["html"]
    assert built_book["index"].is_file()
    for entry in toc_files(REPO / "_toc.yml"):
        assert (html / f"{entry}.html").is_file(), f"page {entry}.html was not built"
    references = (html / "book" / "references.html").read_text(encoding="utf-8")
    for author in ("Tzanetakis", "Sturm", "Kereliuk", "Choi", "Ashraf"):
        assert author in references, f"the bibliography lacks {author}"


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_page_shows_its_figures(built_book: dict, chapter: Path) -> None:
    page = built_book["html"] / "notebooks" / f"{chapter.stem}.html"
    assert page.is_file(), f"{page} was not built"
    text = page.read_text(encoding="utf-8")
    images = re.findall(r"<img[^>]+src=\"([^\"]*_images/[^\"]+\.png|data:image/png[^\"]*)\"", text)
    expected = _figure_calls(chapter)
    assert expected > 0, f"{chapter.name} draws no figure"
    assert len(images) >= expected, f"{page.name}: {len(images)} figures shown, {expected} drawn"
    assert "absl::InitializeLog" not in text, f"{page.name} shows TensorFlow's start-up logs"
    assert "WARNING:tensorflow" not in text, f"{page.name} shows TensorFlow's warnings"
    for src in images:
        if not src.startswith("data:"):
            assert (page.parent / src).resolve().is_file(), f"{page.name}: missing image {src}"
    assert "Traceback" not in text, f"{page.name} shows a traceback"


@pytest.mark.slow
def test_chapter_1_has_an_audio_player_per_genre(built_book: dict) -> None:
    text = (built_book["html"] / "notebooks" / "01_data.html").read_text(encoding="utf-8")
    assert text.count("<audio") >= 10, "chapter 1 should embed one player per genre"
    assert "data:audio/mpeg;base64," in text


@pytest.mark.slow
def test_every_player_of_the_book_is_compressed(built_book: dict) -> None:
    """Players come from genrelib.explore (MP3: about 48 KiB for 8 s, not 344 KiB of WAV):
    an IPython ``Audio`` of raw samples on a page would embed WAV."""
    pages = {page.name: page.read_text(encoding="utf-8")
             for page in sorted((built_book["html"] / "notebooks").glob("*.html"))}
    wav = [name for name, text in pages.items() if "data:audio/wav" in text]
    assert not wav, f"pages embedding WAV players (use genrelib.explore.audio_player or listen): {wav}"
    assert sum("data:audio/mpeg" in text for text in pages.values()) >= 5


@pytest.mark.slow
def test_chapter_10_reads_five_fold_assignments_from_the_records(built_book: dict) -> None:
    """The probe and logreg at seeds 0-4, by the vote and from each track's mean row
    (results/reference: vgg-probe-tracks[-geometric][-seedN], logreg[-geometric][-seedN]) on
    both protocols: a record lost or unread shortens the list (a seed counts only where all
    four models have its record)."""
    text = _visible_text(built_book["html"] / "notebooks" / "10_transfer_learning.html")
    for protocol in ("by track", "on unheard artists"):
        line = (f"Over 5 assignments of the tracks to folds (seeds 0, 1, 2, 3, 4; records), {protocol}: "
                "the `fit_on=tracks` probe ")
        assert line.replace("`", "") in text.replace("`", ""), f"chapter 10 does not say: {line}"
    said = re.findall(r"on average \([\d.]+ % to [\d.]+ %\) from each track['’]s mean row", text)  # Sphinx curls quotes
    assert len(said) == 2, f"chapter 10 gives the mean-row probe's average on {len(said)} protocols, not 2"


@pytest.mark.slow
def test_chapter_8_lists_its_own_records_only(built_book: dict) -> None:
    """Chapter 8's record tables and summary: its small CNNs beside chapter 7's rows (cnn, crnn,
    logreg), never the records of later chapters (chapter 10's probes) or of other seeds."""
    text = _visible_text(built_book["html"] / "notebooks" / "08_small_data.html")
    assert "cnn-small-mixup" in text and "Artist-grouped folds (tested genres only): " in text, \
        "chapter 8 does not show its records"
    shown = [name for name in ("vgg-probe", "vgg-finetune", "musicnn-probe", "logreg-geometric", "logreg-seed1")
             if name in text]
    assert not shown, f"chapter 8 lists records that are not its own: {shown}"


@pytest.mark.slow
def test_chapter_7_shows_a_dash_where_a_test_has_no_value(built_book: dict) -> None:
    """The paired tests' table: McNemar's exact test has no degrees of freedom ("–", not None)."""
    from bs4 import BeautifulSoup

    page = built_book["html"] / "notebooks" / "07_evaluation.html"
    tables = [table for table in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find_all("table")
              if "McNemar (exact)" in table.get_text() and "paired t-test" in table.get_text()]
    assert tables, "chapter 7 shows no table of its paired tests"
    cells = [td.get_text(strip=True) for td in tables[0].find_all("td")]
    assert "None" not in cells and "–" in cells, cells


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_page_shows_one_parameters_cell_with_the_values_used(built_book: dict, chapter: Path) -> None:
    cells = _cells(_page(built_book, chapter))
    assigning = [(classes, text) for classes, text in cells if re.search(r"^\s*profile\s*=", text, re.M)]
    assert len(assigning) == 1, f"{chapter.stem}: {len(assigning)} cells set the parameters, a reader needs one"
    classes, text = assigning[0]
    assert "tag_parameters" in classes
    shown = {node.targets[0].id: ast.literal_eval(node.value) for node in ast.parse(text.strip()).body}
    used = {**SHOWN_PARAMETERS, **CHAPTER_PARAMETERS.get(chapter.name, {})}  # its own at their defaults
    assert shown == used, f"{chapter.stem} shows {shown}, the build used {used}"


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_page_has_no_injected_parameters_cell(built_book: dict, chapter: Path) -> None:
    page = _page(built_book, chapter)
    assert "injected-parameters" not in page.read_text(encoding="utf-8"), \
        f"{page.name} still shows papermill's injected-parameters cell"
    assert not any("# Parameters" in text for _, text in _cells(page))


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_page_shows_integers_as_integers(built_book: dict, chapter: Path) -> None:
    text = _visible_text(_page(built_book, chapter))
    found = [text[max(0, m.start() - 40):m.end()].split("\n")[-3:] for m in FLOAT_INTEGER.finditer(text)]
    assert not found, f"{chapter.stem} shows integers as floats (an int in a float column): {found[:5]}"


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_tables_write_millions_with_separators(built_book: dict, chapter: Path) -> None:
    """A count of a million or more in a table reads 2,880,138, not 2880138 (chapter 6's
    segment-epochs and the parameter columns of chapters 3 and 5 did). A per-layer table
    (``summary_table``: an ``output_shape`` column) keeps Keras' bare integers."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_page(built_book, chapter).read_text(encoding="utf-8"), "html.parser")
    bare = [(header[:6], cell) for table in soup.select("table")
            if "output_shape" not in (header := [th.get_text().strip() for th in table.select("th")])
            for cell in (td.get_text().strip() for td in table.select("td")) if BARE_MILLIONS.fullmatch(cell)]
    assert not bare, f"{chapter.stem} shows counts without thousands separators: {bare[:5]}"


@pytest.mark.slow
def test_published_chapters_show_no_machine_paths(built_book: dict) -> None:
    html = built_book["html"]
    # The pages, and the .ipynb copies the download button offers.
    published = sorted((html / "notebooks").glob("*.html")) + sorted((html / "_sources" / "notebooks").glob("*"))
    assert len(published) >= 2 * len(CHAPTERS)
    folders = {"the home folder": Path.home(), "the repository": REPO,
               "the cache folder": built_book["cache"].resolve(),
               **({"the data folder": REAL_DATA} if REAL_DATA else {})}
    leaks = []
    for path in published:
        text = path.read_text(encoding="utf-8")
        for what, folder in folders.items():
            for match in _machine_path(folder).finditer(text):
                leaks.append(f"{path.relative_to(html)}: {what}: ...{text[max(0, match.start() - 30):match.end() + 40]}")
    assert not leaks, f"{len(leaks)} machine path(s) published, e.g.\n" + "\n".join(leaks[:8])


@pytest.mark.slow
@pytest.mark.parametrize("chapter", _training_chapters(), ids=lambda p: p.stem)
def test_training_chapter_shows_no_keras_progress_lines(built_book: dict, chapter: Path) -> None:
    text = _visible_text(_page(built_book, chapter))
    lines = [line.strip()[:100] for line in text.splitlines() if KERAS_PROGRESS.search(line)]
    assert not lines, f"{chapter.stem} shows {len(lines)} Keras progress line(s), e.g. {lines[:2]}"


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_page_hides_the_install_cell(built_book: dict, chapter: Path) -> None:
    """The Colab install cell (tests/test_build_launch.py) runs in the build but is not shown."""
    text = _page(built_book, chapter).read_text(encoding="utf-8")
    assert "GENREBOOK_SOURCE" not in text and "find_spec" not in text, f"{chapter.stem} shows the install cell"


@pytest.mark.slow
def test_chapter_page_has_launch_buttons_for_its_notebook(built_book: dict) -> None:
    import yaml

    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)/?", config["repository"]["url"])
    assert match, f"repository.url {config['repository']['url']!r} is not a GitHub repository"
    owner, repo = match.groups()
    branch = config["repository"].get("branch", "main")
    chapter = next(p for p in CHAPTERS if p.stem == "03_cnn")
    notebook = f"notebooks/{chapter.name}"
    text = _page(built_book, chapter).read_text(encoding="utf-8")
    colab = f"https://colab.research.google.com/github/{owner}/{repo}/blob/{branch}/{notebook}"
    binder = f"https://mybinder.org/v2/gh/{owner}/{repo}/{branch}?urlpath=lab/tree/{notebook}"
    assert f'href="{colab}"' in text, f"{chapter.stem}.html has no Colab button for {notebook}"
    assert f'href="{binder}"' in text, f"{chapter.stem}.html has no Binder button for {notebook}"


def _all_pages(built_book: dict) -> list[Path]:
    html = built_book["html"]
    return sorted((html / "notebooks").glob("*.html")) + sorted((html / "book").glob("*.html"))


@pytest.mark.slow
def test_no_page_shows_a_warning_or_a_site_packages_path(built_book: dict) -> None:
    """Issue 18: a reader never sees a library's warning (with its site-packages path) on a page.

    Break tried: librosa's FutureWarning line (with its site-packages path) put into chapter
    8's built page -> this test fails naming 08_small_data.html."""
    found = []
    for page in _all_pages(built_book):
        text = _visible_text(page)
        for pattern in ("site-packages", "Warning:", "RuntimeWarning", "FutureWarning"):
            if pattern in text:
                at = text.index(pattern)
                found.append(f"{page.name}: ...{text[max(0, at - 60):at + 60]!r}")
    assert not found, f"{len(found)} page(s) show warnings:\n" + "\n".join(found[:8])


@pytest.mark.slow
def test_formulas_render_offline_on_every_chapter(built_book: dict) -> None:
    """MathJax comes from the built site (_static/mathjax), never from a CDN, on every page
    that has formulas (tests/test_build_site.py checks the extension on a one-page book).

    Break tried: chapter 2's built page pointed at MathJax on jsdelivr -> this test fails."""
    remote = []
    for page in _all_pages(built_book):
        sources = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', page.read_text(encoding="utf-8"), re.I)
        remote += [f"{page.name}: {src}" for src in sources if "://" in src or "_static/mathjax" not in src]
        for src in sources:
            assert (page.parent / src).resolve().is_file(), f"{page.name}: {src} is not in the built site"
    assert not remote, "MathJax loaded from outside the built site:\n" + "\n".join(remote[:5])


@pytest.mark.slow
def test_every_table_of_the_results_page_scrolls_within_the_page(built_book: dict) -> None:
    """Issue 18: a wide table scrolls inside the content column instead of being cut off.

    Break tried: the theme's scroll container renamed on the built results page -> fails."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((built_book["html"] / "book" / "results.html").read_text(encoding="utf-8"),
                         "html.parser")
    tables = soup.select("article table") or soup.select("table")
    assert tables, "the results page shows no table"
    loose = [t.get_text(" ", strip=True)[:60] for t in tables
             if t.find_parent("div", class_="pst-scrollable-table-container") is None]
    assert not loose, f"{len(loose)} table(s) of the results page outside a scroll container: {loose}"
