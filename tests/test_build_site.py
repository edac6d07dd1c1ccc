"""The HTML build (genrelib.build.site): staging, Jupyter Book's configuration, a failing
build's output, the publishing workflow, and no rebuild when nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from genrelib.build.chapters import toc_files
from genrelib.build.site import BookBuildError, build_html, stage_book

REPO = Path(__file__).resolve().parents[1]


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


def _small_book(root: Path) -> Path:
    (root / "book").mkdir(parents=True)
    (root / "_config.yml").write_text("title: small\nexecute:\n  execute_notebooks: 'off'\n")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\n")
    (root / "references.bib").write_text("")
    (root / "book" / "intro.md").write_text("# Intro\n")
    return root


def test_unchanged_sources_are_not_built_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Jupyter Book runs when a staged file or --strict changed, or the HTML is gone; not otherwise."""
    import subprocess

    from genrelib.build import site

    builds: list[list[str]] = []

    def fake_jupyter_book(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        builds.append(command)
        html = Path(command[command.index("--path-output") + 1]) / "_build" / "html"
        html.mkdir(parents=True, exist_ok=True)
        (html / "index.html").write_text(f"build {len(builds)}")
        return subprocess.CompletedProcess(command, 0, stdout="", stderr="")

    monkeypatch.setattr(site.subprocess, "run", fake_jupyter_book)
    root = _small_book(tmp_path / "root")
    executed = tmp_path / "executed"
    executed.mkdir()
    lines: list[str] = []

    def build(**options: object) -> str:
        index = build_html(executed_dir=executed, out_dir=tmp_path / "build", root=root, log=lines.append,
                           **options)
        return index.read_text()

    assert build() == "build 1" and "--all" in builds[0]
    assert build() == "build 1" and len(builds) == 1
    assert any("skipped: the staged sources are those of the last build" in line for line in lines)
    (root / "book" / "intro.md").write_text("# Intro, reworded\n")
    assert build() == "build 2"
    (executed / "01_a.ipynb").write_text("{}")
    assert build() == "build 3", "a changed executed chapter is a changed source"
    assert build(strict=True) == "build 4" and "-W" in builds[-1]
    assert build(strict=True) == "build 4"
    (tmp_path / "build" / "html" / "index.html").unlink()
    assert build(strict=True) == "build 5"


@pytest.mark.slow
def test_formulas_render_from_the_built_site(tmp_path: Path) -> None:
    """The book's own Sphinx settings (_config.yml) load MathJax from the built HTML, not a CDN.

    Break tried: the sphinx-mathjax-offline extension left out of _config.yml -> the page loads
    https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js and this test fails.
    """
    import re

    import yaml

    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    root = _small_book(tmp_path / "root")
    small = {"title": "small", "execute": {"execute_notebooks": "off"}, "parse": config["parse"],
             "sphinx": {k: v for k, v in config["sphinx"].items() if k == "extra_extensions"}}
    (root / "_config.yml").write_text(yaml.safe_dump(small), encoding="utf-8")
    (root / "book" / "intro.md").write_text("# Intro\n\nInline $a^2 + b^2$ and\n\n$$X[k] = \\sum_n x[n]$$\n")
    (tmp_path / "executed").mkdir()
    index = build_html(executed_dir=tmp_path / "executed", out_dir=tmp_path / "build", root=root, log=None)
    page = index.parent / "book" / "intro.html"  # index.html only redirects to the root page
    sources = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', page.read_text(encoding="utf-8"), re.I)
    assert sources, "the page with formulas loads no MathJax"
    for source in sources:
        assert "://" not in source, f"MathJax comes from {source}, not from the built site"
        assert (page.parent / source).is_file(), f"{source} is not in the built HTML"


def test_staging_refuses_a_missing_book_source_and_says_how_to_fix_a_toc(tmp_path: Path) -> None:
    """A missing book source is named; a toc entry not executed comes with the remedy."""
    root = _small_book(tmp_path / "root")
    (root / "references.bib").unlink()
    with pytest.raises(FileNotFoundError, match=r"the book source \S*references\.bib is missing"):
        stage_book(executed_dir=tmp_path, stage_dir=tmp_path / "stage", root=root)
    (root / "references.bib").write_text("")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\n"
                                   "chapters:\n  - file: notebooks/01_a\n")
    with pytest.raises(FileNotFoundError, match=r"execute them first \(genrelib book\) or drop"):
        stage_book(executed_dir=tmp_path, stage_dir=tmp_path / "stage", root=root)


def test_staging_finds_executed_chapters_and_generated_pages(tmp_path: Path) -> None:
    """Toc entries resolve to the executed copies (.ipynb) and the generated pages (.md)."""
    root = _small_book(tmp_path / "root")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n"
                                   "  - file: notebooks/01_a\n  - file: book/results\n")
    executed = tmp_path / "executed"
    executed.mkdir()
    (executed / "01_a.ipynb").write_text("{}")
    (executed / "01_a.kernel.log").write_text("kernel noise\n")
    stage = stage_book(executed_dir=executed, stage_dir=tmp_path / "stage", root=root)
    assert sorted(p.name for p in (stage / "notebooks").iterdir()) == ["01_a.ipynb"]
    assert (stage / "book" / "results.md").is_file() and (stage / "references.bib").is_file()


def test_a_failed_build_carries_the_builders_output_and_warnings_are_printed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The error quotes Jupyter Book's output; a good build prints its warnings and errors."""
    import subprocess

    from genrelib.build import site

    def failing(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        return subprocess.CompletedProcess(command, 2, stdout="",
                                           stderr="The Table of Contents is malformed")

    monkeypatch.setattr(site.subprocess, "run", failing)
    root = _small_book(tmp_path / "root")
    with pytest.raises(BookBuildError,
                       match=r"exit code 2\)[^\n]*\n.*The Table of Contents is malformed"):
        build_html(executed_dir=tmp_path, out_dir=tmp_path / "build", root=root, log=None)

    def warning(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        html = Path(command[command.index("--path-output") + 1]) / "_build" / "html"
        html.mkdir(parents=True, exist_ok=True)
        (html / "index.html").write_text("built")
        return subprocess.CompletedProcess(command, 0, stdout="intro.md:3: WARNING: a\nreading\n",
                                           stderr="intro.md:4: ERROR: b\n")

    monkeypatch.setattr(site.subprocess, "run", warning)
    lines: list[str] = []
    build_html(executed_dir=tmp_path, out_dir=tmp_path / "build", root=root, log=lines.append)
    assert "  intro.md:3: WARNING: a" in lines and "  intro.md:4: ERROR: b" in lines
    assert any(line.endswith(" s, 2 warning(s)") for line in lines), lines


def test_a_renamed_file_changes_the_tree_digest(tmp_path: Path) -> None:
    """The digest of a staged tree covers file names, not only contents."""
    from genrelib.build.site import tree_digest

    (tmp_path / "a.md").write_text("# A\n")
    before = tree_digest(tmp_path)
    (tmp_path / "a.md").rename(tmp_path / "b.md")
    assert tree_digest(tmp_path) != before


def test_staging_again_drops_a_chapter_no_longer_executed(tmp_path: Path) -> None:
    """The stage is made afresh: an executed copy removed since the last staging is gone."""
    root = _small_book(tmp_path / "root")
    executed = tmp_path / "executed"
    executed.mkdir()
    (executed / "01_a.ipynb").write_text("{}")
    stage_book(executed_dir=executed, stage_dir=tmp_path / "stage", root=root)
    (executed / "01_a.ipynb").unlink()
    stage = stage_book(executed_dir=executed, stage_dir=tmp_path / "stage", root=root)
    assert list((stage / "notebooks").iterdir()) == []


def test_a_toc_entry_with_its_suffix_is_found(tmp_path: Path) -> None:
    """``file: book/intro.md`` (suffix written out) names a staged file as well."""
    root = _small_book(tmp_path / "root")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro.md\n")
    stage = stage_book(executed_dir=tmp_path, stage_dir=tmp_path / "stage", root=root)
    assert (stage / "book" / "intro.md").is_file()


def test_jupyter_book_runs_in_the_stage_quietly_and_keeps_going_when_strict(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The builder runs in the staged folder with Python warnings off; strict keeps going."""
    import subprocess

    from genrelib.build import site

    calls: list[tuple[list[str], dict]] = []

    def fake(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        calls.append((command, kwargs))
        html = Path(command[command.index("--path-output") + 1]) / "_build" / "html"
        html.mkdir(parents=True, exist_ok=True)
        (html / "index.html").write_text("built")
        return subprocess.CompletedProcess(command, 0, stdout="", stderr="")

    monkeypatch.setattr(site.subprocess, "run", fake)
    root = _small_book(tmp_path / "root")
    build_html(executed_dir=tmp_path, out_dir=tmp_path / "build", root=root, strict=True, log=None)
    command, kwargs = calls[0]
    assert command[-3:] == ["--all", "-W", "--keep-going"]
    assert Path(kwargs["cwd"]) == (tmp_path / "build" / "_source").resolve()
    assert kwargs["env"]["PYTHONWARNINGS"] == "ignore"


def test_a_build_that_writes_no_index_page_fails(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Exit code 0 without ``index.html`` is a failed build, with the builder's output."""
    import subprocess

    from genrelib.build import site

    def no_page(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        html = Path(command[command.index("--path-output") + 1]) / "_build" / "html"
        html.mkdir(parents=True, exist_ok=True)
        return subprocess.CompletedProcess(command, 0, stdout="no pages written\n", stderr="")

    monkeypatch.setattr(site.subprocess, "run", no_page)
    root = _small_book(tmp_path / "root")
    with pytest.raises(BookBuildError, match=r"exit code 0\)[^\n]*\nno pages written"):
        build_html(executed_dir=tmp_path, out_dir=tmp_path / "build", root=root, log=None)
    assert not (tmp_path / "build" / "html").exists()


def test_a_failed_build_quotes_the_end_of_a_long_output(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The error keeps the last 8,000 characters, where the builder names the cause."""
    import subprocess

    from genrelib.build import site

    def long_failure(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        return subprocess.CompletedProcess(command, 1, stdout="reading sources\n" * 1000,
                                           stderr="Extension error: the cause\n")

    monkeypatch.setattr(site.subprocess, "run", long_failure)
    root = _small_book(tmp_path / "root")
    with pytest.raises(BookBuildError, match="Extension error: the cause") as error:
        build_html(executed_dir=tmp_path, out_dir=tmp_path / "build", root=root, log=None)
    assert len(str(error.value).split("its output:\n")[1]) == 8000


def test_html_half_copied_by_an_interrupted_build_is_built_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The last build's stamp goes before building: HTML left half copied is not kept."""
    import shutil
    import subprocess

    from genrelib.build import site

    builds: list[int] = []
    copy_fails = [False]
    real_copytree = shutil.copytree

    def fake_jupyter_book(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        builds.append(1)
        html = Path(command[command.index("--path-output") + 1]) / "_build" / "html"
        html.mkdir(parents=True, exist_ok=True)
        (html / "index.html").write_text(f"build {len(builds)}")
        return subprocess.CompletedProcess(command, 0, stdout="", stderr="")

    def copytree(source: Path, target: Path, **kwargs: object) -> object:
        done = real_copytree(source, target, **kwargs)
        if copy_fails[0] and Path(target).name == "html":
            raise OSError("No space left on device")
        return done

    monkeypatch.setattr(site.subprocess, "run", fake_jupyter_book)
    monkeypatch.setattr(site.shutil, "copytree", copytree)
    root = _small_book(tmp_path / "root")

    def build() -> str:
        return build_html(executed_dir=tmp_path / "none", out_dir=tmp_path / "build", root=root,
                          log=None).read_text()

    assert build() == "build 1"
    (root / "book" / "intro.md").write_text("# Intro, reworded\n")
    copy_fails[0] = True
    with pytest.raises(OSError, match="No space left"):
        build()
    copy_fails[0] = False
    (root / "book" / "intro.md").write_text("# Intro\n")
    assert build() == "build 3", "build 2's half-copied HTML must not pass for build 1's"
