"""The book pipeline: the runner executes the chapters with papermill, stops at the first
failing notebook naming it and the cell, tidies the executed copies (one parameters cell
with the values used, no machine paths, no TensorFlow start-up logs), and Jupyter Book
builds the HTML from them. The full run (every chapter, quick profile, synthetic data,
seed 1 so that the values shown differ from the committed defaults, then the HTML build)
happens once per session and is marked slow; its pages are checked as a reader sees them.
Chapters 1-2 also run on the real GTZAN mini set when it is present."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest
from test_notebooks import CHAPTER_PARAMETERS

from genrelib.book import (BookBuildError, NotebookExecutionError, build_html, execute_notebooks,
                           find_notebooks, portable_names, stage_book, tidy_executed_notebook,
                           toc_files)

REPO = Path(__file__).resolve().parents[1]
CHAPTERS = find_notebooks(REPO / "notebooks")
_PLOT_CALL = re.compile(r"\bplots\.plot_\w+\(")
# What the slow build passes to every chapter (seed 1: not the committed default 0).
BUILD_PARAMETERS = {"data_dir": "", "profile": "quick", "seed": 1}
# Keras' verbose=2 epoch lines: "43/43 - 16s - 372ms/step - accuracy: ...".
KERAS_PROGRESS = re.compile(r"\d+/\d+ - \d+m?s - \d+m?s/step")
# An integer shown as a float by pandas (an int setting in a float column).
FLOAT_INTEGER = re.compile(r"(?<![\d.])\d+\.000000(?!\d)")


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


def _write_notebook(path: Path, sources: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A chapter")]
    params = nbformat.v4.new_code_cell('data_dir = ""\nprofile = "quick"\nseed = 0')
    params.metadata["tags"] = ["parameters"]
    nb.cells.append(params)
    nb.cells.extend(nbformat.v4.new_code_cell(s) for s in sources)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


# --------------------------------------------------------------------------- fast: the runner


def test_failing_notebook_is_named_with_its_cell_and_stops_the_run(tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write_notebook(folder / "01_ok.ipynb", ["print(profile, seed, repr(data_dir))",
                                             "import os; print(os.environ['GENREBOOK_CACHE'])"])
    _write_notebook(folder / "02_broken.ipynb", ["x = 1", "raise RuntimeError('deliberate failure')"])
    _write_notebook(folder / "03_after.ipynb", ["print('must not run')"])
    lines: list[str] = []
    with pytest.raises(NotebookExecutionError) as caught:
        execute_notebooks(notebooks_dir=folder, out_dir=tmp_path / "out", cache_dir=tmp_path / "cache",
                          seed=3, log=lines.append)
    error = caught.value
    assert error.notebook.name == "02_broken.ipynb"
    assert error.cell_index == 3  # title, parameters, "x = 1", then the failing cell
    assert error.ename == "RuntimeError" and "deliberate failure" in error.evalue
    message = str(error)
    assert "02_broken.ipynb" in message and "cell 3" in message and "deliberate failure" in message
    assert not (tmp_path / "out" / "03_after.ipynb").exists(), "the run must stop at the first failure"
    assert any(re.search(r"01_ok\.ipynb\s+\d+\.\d s\b", line) for line in lines), lines
    executed = nbformat.read(tmp_path / "out" / "01_ok.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert "quick 3 ''" in printed, "papermill parameters were not injected"
    # The executed copy is tidied: one parameters cell with the values used, portable paths.
    tagged = [c for c in executed.cells if c.metadata.get("tags")]
    assert [c.metadata.tags for c in tagged] == [["parameters"]], "the injected cell must be merged"
    assert "seed = 3" in tagged[0].source
    assert "$GENREBOOK_CACHE\n" in printed and str(tmp_path / "cache") not in printed


def test_cli_reports_the_failing_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    import genrelib.book as book
    from genrelib.cli import main

    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write_notebook(folder / "01_broken.ipynb", ["1 / 0"])
    monkeypatch.setattr(book, "NOTEBOOKS_DIR", folder)
    monkeypatch.setenv("GENREBOOK_CACHE", str(tmp_path / "cache"))
    code = main(["book", "--no-html", "--out", str(tmp_path / "build")])
    err = capsys.readouterr().err
    assert code == 1
    assert "01_broken.ipynb" in err and "cell 2" in err and "ZeroDivisionError" in err


def test_find_notebooks_orders_and_filters(tmp_path: Path) -> None:
    for name in ("02_b.ipynb", "01_a.ipynb", "10_c.ipynb", "scratch.ipynb"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in find_notebooks(tmp_path)] == ["01_a.ipynb", "02_b.ipynb", "10_c.ipynb"]
    assert [p.name for p in find_notebooks(tmp_path, only=["2", "01_a"])] == ["01_a.ipynb", "02_b.ipynb"]
    with pytest.raises(ValueError, match="no notebook matches '07'"):
        find_notebooks(tmp_path, only=["07"])


def test_unknown_profile_and_missing_data_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown profile"):
        execute_notebooks(profile="fast", out_dir=tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        execute_notebooks(data_dir=tmp_path / "nowhere", out_dir=tmp_path)


def test_staging_refuses_a_toc_entry_that_was_not_executed(tmp_path: Path) -> None:
    executed = tmp_path / "executed"
    executed.mkdir()
    with pytest.raises(FileNotFoundError, match="notebooks/01_data"):
        stage_book(executed_dir=executed, stage_dir=tmp_path / "stage", root=REPO)


def test_book_configuration_builds_offline_from_executed_copies() -> None:
    import yaml

    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    assert config["execute"]["execute_notebooks"] == "off"
    assert config["bibtex_bibfiles"] == ["references.bib"]
    assert config["repository"]["url"].startswith("https://github.com/")
    assert {"binderhub_url", "colab_url"} <= set(config["launch_buttons"])
    toc = toc_files(REPO / "_toc.yml")
    assert toc[0] == "book/intro" and "book/references" in toc and "book/setup" in toc


# --------------------------------------------------------------------------- slow: the whole book


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every chapter executed (quick profile, synthetic data) and the HTML book built."""
    root = tmp_path_factory.mktemp("book")
    runs = execute_notebooks(**BUILD_PARAMETERS, out_dir=root / "executed",
                             cache_dir=root / "cache", timeout=600)
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
    assert "data:audio/wav;base64," in text


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_page_shows_one_parameters_cell_with_the_values_used(built_book: dict, chapter: Path) -> None:
    cells = _cells(_page(built_book, chapter))
    assigning = [(classes, text) for classes, text in cells if re.search(r"^\s*profile\s*=", text, re.M)]
    assert len(assigning) == 1, f"{chapter.stem}: {len(assigning)} cells set the parameters, a reader needs one"
    classes, text = assigning[0]
    assert "tag_parameters" in classes
    shown = {node.targets[0].id: ast.literal_eval(node.value) for node in ast.parse(text.strip()).body}
    used = {**BUILD_PARAMETERS, **CHAPTER_PARAMETERS.get(chapter.name, {})}  # its own at their defaults
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
def test_published_chapters_show_no_machine_paths(built_book: dict) -> None:
    html = built_book["html"]
    # The pages, and the .ipynb copies the download button offers.
    published = sorted((html / "notebooks").glob("*.html")) + sorted((html / "_sources" / "notebooks").glob("*"))
    assert len(published) >= 2 * len(CHAPTERS)
    folders = {"the home folder": Path.home(), "the repository": REPO,
               "the cache folder": built_book["cache"].resolve()}
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


@pytest.mark.slow
@pytest.mark.realdata
def test_chapters_1_2_and_7_on_the_real_mini_set(gtzan_mini: Path, tmp_path: Path) -> None:
    runs = execute_notebooks(profile="quick", data_dir=gtzan_mini, seed=0, notebooks=["01", "02", "07"],
                             out_dir=tmp_path / "executed", cache_dir=tmp_path / "cache", timeout=900)
    assert [r.name for r in runs] == ["01_data.ipynb", "02_features.ipynb", "07_evaluation.ipynb"]

    def text(run) -> str:
        return "".join(str(o) for c in nbformat.read(run.output, as_version=4).cells
                       if c.cell_type == "code" for o in c.get("outputs", []))

    assert "80 readable tracks" in text(runs[0]) and "John Lee Hooker" in text(runs[0])
    evaluation = text(runs[2])
    assert "80 tracks; 8 test tracks, the same for all five models" in evaluation
    assert "synthetic (80 tracks)" not in evaluation  # the protocols ran on the real tracks


def test_build_failure_carries_the_builder_output(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "book").mkdir(parents=True)
    (root / "_config.yml").write_text("title: broken\nexecute:\n  execute_notebooks: 'off'\n")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nparts: [not a mapping]\n")
    (root / "references.bib").write_text("")
    (root / "book" / "intro.md").write_text("# Intro\n")
    (tmp_path / "executed").mkdir()
    with pytest.raises(BookBuildError, match="jupyter-book build failed"):
        build_html(executed_dir=tmp_path / "executed", out_dir=tmp_path / "build", root=root, log=None)


def test_backend_start_up_logs_are_removed_other_outputs_kept(tmp_path: Path) -> None:
    noise = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
             "I0000 00:00:1795614563.855573   28227 port.cc:153] oneDNN custom operations are on.\n"
             "E0000 00:00:1795612778.816190   20661 node_def_util.cc:682] NodeDef mentions attribute\n"
             "WARNING:tensorflow:5 out of the last 13 calls to <function TensorFlowTrainer.make_predict_"
             "function.<locals>.one_step_on_data_distributed at 0x7f11e535eb60> triggered tf.function "
             "retracing. Tracing is expensive and the excessive number of tracings could be due to (1)\n")
    cell = nbformat.v4.new_code_cell("import keras")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text=noise),
        nbformat.v4.new_output("stream", name="stderr", text=noise + "UserWarning: keep me\n"),
        nbformat.v4.new_output("stream", name="stdout", text="I0000 a line like a log, kept\n"),
        nbformat.v4.new_output("stream", name="stdout", text=noise.splitlines(keepends=True)[-1]),
    ]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    assert tidy_executed_notebook(path).noise_lines == 9  # absl prints TF's warning on stdout
    outputs = nbformat.read(path, as_version=4).cells[0].outputs
    assert [o["text"] for o in outputs] == ["UserWarning: keep me\n", "I0000 a line like a log, kept\n"]
    assert tidy_executed_notebook(path).noise_lines == 0


# --------------------------------------------------------------------------- fast: the tidy step


def _executed_notebook(path: Path, *, injected: str, outputs: list, parameters: str | None = None,
                       metadata: dict | None = None) -> Path:
    """A small notebook as papermill leaves it: title, parameters cell, injected cell, one cell."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A chapter\n\nIts promise.")]
    params = nbformat.v4.new_code_cell(parameters if parameters is not None else
                                       'data_dir = ""  # empty: synthetic data\nprofile = "quick"\nseed = 0')
    params.metadata["tags"] = ["parameters"]
    params.execution_count = 1
    inject = nbformat.v4.new_code_cell(injected)
    inject.metadata["tags"] = ["injected-parameters"]
    inject.execution_count = 2
    work = nbformat.v4.new_code_cell("print(data)")
    work.outputs = outputs
    nb.cells += [params, inject, work]
    nb.metadata["papermill"] = metadata or {}
    nbformat.write(nb, path)
    return path


def _parameters(cell: nbformat.NotebookNode) -> dict:
    return {node.targets[0].id: ast.literal_eval(node.value) for node in ast.parse(cell.source).body}


def test_tidy_merges_the_injected_values_into_the_parameters_cell(tmp_path: Path) -> None:
    path = _executed_notebook(
        tmp_path / "nb.ipynb", outputs=[],
        injected='# Parameters\ndata_dir = "gtzan"\nprofile = "full"\nseed = 3\nepochs = 2.5\n')
    result = tidy_executed_notebook(path)
    assert result.parameters_merged
    cells = nbformat.read(path, as_version=4).cells
    assert [c.cell_type for c in cells] == ["markdown", "code", "code"], "the injected cell must go"
    tags = [c.metadata.get("tags", []) for c in cells]
    assert tags == [[], ["parameters"], []]
    merged = cells[1]
    values = _parameters(merged)
    assert values == {"data_dir": "gtzan", "profile": "full", "seed": 3, "epochs": 2.5}
    assert type(values["seed"]) is int, "papermill's integer literal must stay an integer"
    assert merged.source.splitlines()[:3] == ['data_dir = "gtzan"  # empty: synthetic data',
                                              'profile = "full"', 'seed = 3'], "layout and comments stay"
    assert merged.execution_count == 1
    assert not tidy_executed_notebook(path).parameters_merged, "a tidied notebook stays as it is"


def test_tidy_keeps_papermill_cell_when_the_parameters_cell_is_not_plain_python(tmp_path: Path) -> None:
    path = _executed_notebook(tmp_path / "nb.ipynb", outputs=[], parameters="%matplotlib inline\nseed = 0",
                              injected="# Parameters\nseed = 4\n")
    tidy_executed_notebook(path)
    cells = nbformat.read(path, as_version=4).cells
    tagged = [c for c in cells if c.metadata.get("tags")]
    assert [c.metadata.tags for c in tagged] == [["parameters"]]
    assert tagged[0].source == "seed = 4"


def test_tidy_replaces_machine_paths_with_portable_names(tmp_path: Path) -> None:
    home = tmp_path / "home" / "ada"
    root = home / "genre-book"
    cache = root / ".cache" / "genre-book"   # as .ci/run sets it: inside the repository
    data = tmp_path / "datasets" / "gtzan"
    names = portable_names(cache_dir=cache, data_dir=data, root=root, home=home)
    assert [name for _, name in names] == ["$GENREBOOK_CACHE", "", "$DATA", "~"], "most specific first"
    red, reset = "\x1b[0;32m", "\x1b[0m"
    outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"{cache}/synthetic/x.wav\n{home}\n"),
        nbformat.v4.new_output("execute_result", execution_count=3, data={
            "text/plain": f"root: {data}/genres",
            "text/html": f"<td>{root}/genrelib/training.py</td><td>{root}2/other</td>",
            "text/markdown": f"cwd `{root}`, notes in {home}/notes.txt",
        }),
        nbformat.v4.new_output("error", ename="ValueError", evalue=f"no file {data}/a.wav",
                               traceback=[f"File {red}{root}/genrelib/x.py:3{reset}, in f",
                                          f"{red}{cache}{reset}"]),
    ]
    path = _executed_notebook(tmp_path / "nb.ipynb", outputs=outputs,
                              injected=f'# Parameters\ndata_dir = "{data}"\nprofile = "quick"\nseed = 0\n',
                              metadata={"input_path": f"{root}/notebooks/nb.ipynb",
                                        "parameters": {"data_dir": str(data)}})
    result = tidy_executed_notebook(path, names=names)
    nb = nbformat.read(path, as_version=4)
    params, work = nb.cells[1], nb.cells[2]
    assert _parameters(params)["data_dir"] == "$DATA"
    stream, shown, error = work.outputs
    assert stream.text == "$GENREBOOK_CACHE/synthetic/x.wav\n~\n"
    assert shown.data["text/plain"] == "root: $DATA/genres"
    assert shown.data["text/html"] == "<td>genrelib/training.py</td><td>~/genre-book2/other</td>"
    assert shown.data["text/markdown"] == "cwd `.`, notes in ~/notes.txt"
    assert error.evalue == "no file $DATA/a.wav"
    assert error.traceback == [f"File {red}genrelib/x.py:3{reset}, in f", f"{red}$GENREBOOK_CACHE{reset}"]
    assert nb.metadata.papermill == {"input_path": "notebooks/nb.ipynb", "parameters": {"data_dir": "$DATA"}}
    assert str(tmp_path) not in nbformat.writes(nb)
    assert result.paths_replaced == 13
    assert tidy_executed_notebook(path, names=names).paths_replaced == 0


def test_portable_names_skip_empty_folders_and_the_filesystem_root(tmp_path: Path) -> None:
    names = dict(portable_names(cache_dir=tmp_path / "c", data_dir=None, root="", home="/"))
    assert names == {str(tmp_path / "c"): "$GENREBOOK_CACHE"}


# --------------------------------------------------------------------------- fast: publishing


def test_publishing_workflow_builds_with_make_book_and_deploys_pages() -> None:
    import yaml

    path = REPO / ".github" / "workflows" / "book.yml"
    assert path.is_file(), "the GitHub Pages workflow .github/workflows/book.yml is missing"
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "workflow_dispatch" in triggers and triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"]["pages"] == "write" and workflow["permissions"]["id-token"] == "write"
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    uses = [step.get("uses", "") for step in steps]
    for action in ("actions/checkout@v", "actions/setup-python@v", "actions/configure-pages@v",
                   "actions/upload-pages-artifact@v", "actions/deploy-pages@v"):
        assert any(u.startswith(action) for u in uses), f"the workflow does not use {action}N"
    python = next(step for step in steps if step.get("uses", "").startswith("actions/setup-python@"))
    assert str(python["with"]["python-version"]) == "3.12"
    assert any(step.get("run", "").strip() == "make book" for step in steps), "build with `make book`"
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "_build/html", "upload what `make book` writes"
