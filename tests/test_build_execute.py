"""The chapter runner (genrelib.build.execute): papermill with the parameters, the first
failing notebook named with its cell, each chapter logged as it starts and ends, and the
executed-chapter cache (a hit on an unchanged chapter, a re-run when its code changes).
Throwaway two-cell notebooks stand in for the chapters; the real chapters run in
tests/test_book.py (slow)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest

from conftest import real_mini_set

from genrelib.build.execute import NotebookExecutionError, execute_notebooks
from genrelib.cpu_threads import THREAD_VARIABLES


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
    import genrelib.build.execute as execute
    from genrelib.cli import main

    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write_notebook(folder / "01_broken.ipynb", ["1 / 0"])
    monkeypatch.setattr(execute, "NOTEBOOKS_DIR", folder)
    monkeypatch.setenv("GENREBOOK_CACHE", str(tmp_path / "cache"))
    code = main(["book", "--no-html", "--out", str(tmp_path / "build")])
    err = capsys.readouterr().err
    assert code == 1
    assert "01_broken.ipynb" in err and "cell 2" in err and "ZeroDivisionError" in err


def test_cli_jobs_reach_the_runner_and_a_bad_count_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    import genrelib.build as build
    from genrelib.build.execute import default_jobs
    from genrelib.cli import main

    asked: list[int] = []
    monkeypatch.setattr(build, "execute_notebooks", lambda **options: asked.append(options["jobs"]) or [])
    out = str(tmp_path / "build")
    assert main(["book", "--no-html", "--out", out, "--jobs", "3"]) == 0
    assert main(["book", "--no-html", "--out", out]) == 0
    assert asked == [3, default_jobs()] and default_jobs() in (1, 2)
    assert main(["book", "--no-html", "--out", out, "--jobs", "0"]) == 2
    assert "genrelib book: error: --jobs must be an integer >= 1, got 0" in capsys.readouterr().err
    assert asked == [3, default_jobs()], "a refused count must not start a build"


def test_unknown_profile_and_missing_data_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown profile"):
        execute_notebooks(profile="fast", out_dir=tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        execute_notebooks(data_dir=tmp_path / "nowhere", out_dir=tmp_path)


@pytest.mark.slow
def test_chapters_1_and_2_on_synthetic_data_where_the_book_test_reads_real_data(tmp_path: Path) -> None:
    """tests/test_book.py builds the book on the real mini set where it is found (CI): the
    synthetic path a fresh clone takes (data generated, cached and indexed) then runs here."""
    if real_mini_set() is None:
        pytest.skip("tests/test_book.py builds the book on synthetic data here (no real GTZAN mini set)")
    runs = execute_notebooks(profile="quick", data_dir="", seed=0, notebooks=["01", "02"],
                             out_dir=tmp_path / "executed", cache_dir=tmp_path / "cache", timeout=600)
    assert [r.name for r in runs] == ["01_data.ipynb", "02_features.ipynb"]
    data = "".join(str(o) for c in nbformat.read(runs[0].output, as_version=4).cells
                   if c.cell_type == "code" for o in c.get("outputs", []))
    assert "data_dir '(synthetic)'" in data and "80 readable tracks" in data


# --------------------------------------------------------------------------- the executed-chapter cache
TOKEN = "import uuid; print('run', uuid.uuid4().hex)"  # a new token each time the cell runs


def _token(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    texts = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    return next(m.group(0) for t in texts if (m := re.search(r"run [0-9a-f]{32}", t)))


def _build(folder: Path, tmp_path: Path, lines: list[str], **options):
    lines.clear()
    return execute_notebooks(notebooks_dir=folder, out_dir=tmp_path / "out", cache_dir=tmp_path / "cache",
                             log=lines.append, **options)


def _logged(lines: list[str], pattern: str) -> bool:
    return any(re.search(pattern, line) for line in lines)


def test_an_unchanged_chapter_comes_from_the_cache_and_a_changed_one_runs_again(tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    path = _write_notebook(folder / "01_a.ipynb", [TOKEN])
    output = tmp_path / "out" / "01_a.ipynb"
    lines: list[str] = []

    assert not _build(folder, tmp_path, lines)[0].cached
    assert _logged(lines, r"\[1/1\] 01_a\.ipynb\s+started \(not executed before\)$"), lines
    assert _logged(lines, r"\[1/1\] 01_a\.ipynb\s+\d+\.\d s\b"), lines
    assert _logged(lines, r"all notebooks\s+\d+\.\d s \(1 executed, 0 cached\)"), lines
    executed, token = output.read_text(), _token(output)

    run = _build(folder, tmp_path, lines)[0]
    assert run.cached and _logged(lines, r"\[1/1\] 01_a\.ipynb\s+cached \(\d+\.\d s\)$"), lines
    assert not _logged(lines, "started") and _logged(lines, r"\(0 executed, 1 cached\)")
    assert output.read_text() == executed, "a hit writes the very copy the execution wrote"

    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "# A chapter, reworded"
    nbformat.write(nb, path)
    assert _build(folder, tmp_path, lines)[0].cached, "a markdown edit needs no execution"
    shown = nbformat.read(output, as_version=4)
    assert shown.cells[0].source == "# A chapter, reworded" and _token(output) == token

    nb.cells[2].source = TOKEN + "\nprint('edited')"
    nbformat.write(nb, path)
    assert not _build(folder, tmp_path, lines)[0].cached
    assert _logged(lines, r"started \(code cells changed\)") and _token(output) != token

    token = _token(output)
    assert not _build(folder, tmp_path, lines, seed=4)[0].cached
    assert _logged(lines, r"started \(parameters changed\)") and _token(output) != token
    assert _build(folder, tmp_path, lines, seed=4)[0].cached

    assert not _build(folder, tmp_path, lines, seed=4, fresh=True)[0].cached
    assert _logged(lines, r"started \(--fresh\)")


def test_a_changed_genrelib_file_or_data_folder_runs_the_chapter_again(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import numpy as np
    import soundfile as sf

    from genrelib.build import notebook_cache

    package = tmp_path / "genrelib"
    shutil.copytree(notebook_cache.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(notebook_cache, "PACKAGE_DIR", package)
    data = tmp_path / "data"
    for genre in ("blues", "jazz"):
        (data / genre).mkdir(parents=True)
        sf.write(data / genre / f"{genre}.00000.wav", np.zeros(2205, dtype=np.float32), 22050)
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write_notebook(folder / "01_a.ipynb", [TOKEN])
    lines: list[str] = []

    assert not _build(folder, tmp_path, lines, data_dir=data)[0].cached
    assert _build(folder, tmp_path, lines, data_dir=data)[0].cached

    module = next(package.rglob("evaluation*.py"))
    module.write_text(module.read_text() + "\n# a library edit\n")
    assert not _build(folder, tmp_path, lines, data_dir=data)[0].cached
    assert _logged(lines, r"started \(genrelib source changed\)"), lines
    assert _build(folder, tmp_path, lines, data_dir=data)[0].cached

    sf.write(data / "jazz" / "jazz.00000.wav", np.zeros(4410, dtype=np.float32), 22050)
    assert not _build(folder, tmp_path, lines, data_dir=data)[0].cached
    assert _logged(lines, r"started \(data changed\)"), lines


def test_the_kernels_own_output_goes_to_its_log_not_the_build_log(tmp_path: Path,
                                                                  capfd: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write_notebook(folder / "01_noisy.ipynb", ["import os; os.write(2, b'C-level start-up noise\\n')"])
    execute_notebooks(notebooks_dir=folder, out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", log=None)
    assert "start-up noise" not in capfd.readouterr().err
    assert "start-up noise" in (tmp_path / "out" / "01_noisy.kernel.log").read_text()


def test_a_notebook_without_parameters_cell_runs_and_is_not_kept(tmp_path: Path) -> None:
    """Papermill gives it a parameters cell, so its copy does not pair up with it: no cache."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(TOKEN)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "01_bare.ipynb")
    lines: list[str] = []
    assert not _build(folder, tmp_path, lines)[0].cached
    assert "seed = 0" in nbformat.read(tmp_path / "out" / "01_bare.ipynb", as_version=4).cells[0].source
    assert not _build(folder, tmp_path, lines)[0].cached


def _span(path: Path) -> tuple[float, float]:
    """When a throwaway chapter's kernel started and ended its work (it printed both)."""
    nb = nbformat.read(path, as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    start, end = re.search(r"span ([\d.]+) ([\d.]+)", text).groups()
    return float(start), float(end)


SPAN = "import time; t0 = time.time(); time.sleep({}); print('span', t0, time.time())"


def test_with_two_jobs_independent_chapters_overlap_and_a_chapter_waits_for_the_runs_it_reuses(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write_notebook(folder / "01_data.ipynb", [SPAN.format(0)])
    _write_notebook(folder / "02_features.ipynb", [SPAN.format(0)])
    # Chapter 3 ends while chapter 4 still runs: a build that moved this process's working
    # directory per chapter would end in the notebooks folder.
    _write_notebook(folder / "03_short.ipynb", ['run = "03_model"', SPAN.format(2)])
    _write_notebook(folder / "04_long.ipynb", [SPAN.format(7), "import os; print('cwd', os.getcwd())"])
    _write_notebook(folder / "05_reuses_3.ipynb", ['run = "03_model"', SPAN.format(0),
                                                   "import os; os.write(2, b'noise of chapter 5\\n')"])
    lines: list[str] = []
    here, moves = os.getcwd(), []
    change_directory = os.chdir
    monkeypatch.setattr(os, "chdir", lambda path: moves.append(path) or change_directory(path))
    runs = _build(folder, tmp_path, lines, jobs=2)
    # Threads share the working directory: one chapter's chdir would move the other's
    # (papermill itself re-enters the current folder, which moves nothing).
    away = [path for path in moves if os.path.realpath(path) != os.path.realpath(here)]
    assert os.getcwd() == here and not away, f"the build moved this process's working directory: {away}"
    assert [r.notebook.name[:2] for r in runs] == ["01", "02", "03", "04", "05"]
    printed = "".join(o.get("text", "") for c in nbformat.read(runs[3].output, as_version=4).cells
                      if c.cell_type == "code" for o in c.outputs)
    assert f"cwd {folder}\n" in printed, "a chapter runs in its notebooks folder"
    span = {r.notebook.name[:2]: _span(r.output) for r in runs}
    assert span["01"][1] <= span["02"][0] and span["02"][1] <= span["03"][0], "chapters 1 and 2 come first"
    assert span["04"][0] < span["03"][1], "chapter 4 needs nothing of chapter 3: it runs beside it"
    assert span["05"][0] >= span["03"][1], "chapter 5 reuses chapter 3's run: it waits for it"
    assert _logged(lines, r"jobs=2"), lines
    assert "noise of chapter 5" in (tmp_path / "out" / "05_reuses_3.kernel.log").read_text()
    assert "noise" not in (tmp_path / "out" / "04_long.kernel.log").read_text()
    # Run again: every chapter from the cache, whatever the order they finished in.
    assert all(r.cached for r in _build(folder, tmp_path, lines, jobs=2))


def test_with_two_jobs_a_failure_starts_no_further_chapter_and_is_raised(tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write_notebook(folder / "01_data.ipynb", ["x = 1"])
    _write_notebook(folder / "02_features.ipynb", ["raise RuntimeError('deliberate failure')"])
    _write_notebook(folder / "03_after.ipynb", ["print('must not run')"])
    with pytest.raises(NotebookExecutionError, match="02_features.ipynb failed in cell 2"):
        _build(folder, tmp_path, [], jobs=2)
    assert not (tmp_path / "out" / "03_after.ipynb").exists()
    with pytest.raises(ValueError, match="jobs must be an integer >= 1, got 0"):
        _build(folder, tmp_path, [], jobs=0)


THREADS = ("import os; print('threads', os.environ.get('TF_NUM_INTRAOP_THREADS'), "
           "os.environ.get('TF_NUM_INTEROP_THREADS'))")


def _threads_seen(run) -> str:
    nb = nbformat.read(run.output, as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    return re.search(r"threads (\S+) (\S+)", text).group(0)


def test_with_two_jobs_chapters_side_by_side_share_the_cores_and_one_alone_keeps_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two TensorFlow kernels with the default thread pools fight over the cores
    (genrelib.cpu_threads): with jobs=2 on 4 cores, chapters 3 and 4 (side by side) size their
    pools to 2; chapters 1, 2 and 5 (each alone: every other chapter waits for it) keep
    TensorFlow's default, as every chapter of a one-job build does; a variable the user set
    reaches every kernel unchanged."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name, runs in (("01_data", ""), ("02_features", ""), ("03_cnn", 'run = "03_model"\n'),
                       ("04_rnn", 'run = "04_model"\n'), ("05_both", 'runs = "03_model", "04_model"\n')):
        _write_notebook(folder / f"{name}.ipynb", [runs + THREADS])
    for name in THREAD_VARIABLES:  # a test worker sets them (tests/conftest.py)
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("genrelib.cpu_threads.os.cpu_count", lambda: 4)

    def seen(jobs: int, build: str) -> list[str]:
        runs = execute_notebooks(notebooks_dir=folder, out_dir=tmp_path / build, fresh=True, log=None,
                                 cache_dir=tmp_path / "cache", jobs=jobs)
        return [_threads_seen(run) for run in runs]

    default, shared = "threads None None", "threads 2 2"
    assert seen(2, "two") == [default, default, shared, shared, default]
    assert "TF_NUM_INTRAOP_THREADS" not in os.environ, "the build's own environment is left as it was"
    assert seen(1, "one") == [default] * 5
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "3")
    chosen = "threads 3 None"
    assert seen(2, "chosen") == [chosen, chosen, "threads 3 2", "threads 3 2", chosen]


# --------------------------------------------------------------------- inputs, messages, defaults
def test_the_error_names_cell_0_the_cells_first_line_and_the_executed_copy(tmp_path: Path) -> None:
    """The message names the cell (0 included), its first non-blank line and the failed copy."""
    copy = tmp_path / "out" / "01_a.ipynb"
    error = NotebookExecutionError(notebook=tmp_path / "01_a.ipynb", output=copy, cell_index=0,
                                   ename="ZeroDivisionError", evalue="division by zero",
                                   source="\n   x = 1 / 0  \ny = 2")
    assert str(error) == ("notebook 01_a.ipynb failed in cell 0: "
                          "ZeroDivisionError: division by zero\n"
                          "  the cell starts with: x = 1 / 0\n"
                          f"  the executed copy with the traceback: {copy}")
    unknown = NotebookExecutionError(notebook=tmp_path / "01_a.ipynb", output=tmp_path,
                                     cell_index=None, ename="E", evalue="v")
    assert "failed in an unknown cell: E: v" in str(unknown) and "starts with" not in str(unknown)


def test_the_books_kernel_is_the_default_only_for_this_interpreter(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """"genre-book" when its kernel runs this environment's Python, else "python3"."""
    import sys
    from types import SimpleNamespace

    from jupyter_client import kernelspec

    from genrelib.build.execute import KERNEL_NAME, default_kernel_name

    executable = [sys.executable]

    def spec(self: object, name: str) -> SimpleNamespace:
        return SimpleNamespace(argv=[*executable, "-m", "ipykernel_launcher"])

    monkeypatch.setattr(kernelspec.KernelSpecManager, "get_kernel_spec", spec)
    assert default_kernel_name() == KERNEL_NAME
    executable[0] = str(tmp_path / "other-env" / "bin" / "python")
    assert default_kernel_name() == "python3"


def test_two_cores_run_two_chapters_at_a_time_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """``default_jobs``: 2 from two cores up, 1 on one core (or when the count is unknown)."""
    from genrelib.build.execute import default_jobs

    for cores, jobs in ((1, 1), (None, 1), (2, 2), (16, 2)):
        monkeypatch.setattr("genrelib.build.execute.os.cpu_count", lambda cores=cores: cores)
        assert default_jobs() == jobs, cores


def test_a_folder_without_chapters_is_refused(tmp_path: Path) -> None:
    """No ``NN_name.ipynb`` in the folder: FileNotFoundError naming it."""
    (tmp_path / "notebooks").mkdir()
    with pytest.raises(FileNotFoundError, match="no chapter notebooks"):
        execute_notebooks(notebooks_dir=tmp_path / "notebooks", out_dir=tmp_path / "out",
                          cache_dir=tmp_path / "cache", log=None)


def test_the_kernel_is_part_of_the_environment_key(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache key's environment is that of the kernel the chapters run on."""
    import genrelib.build.execute as execute

    asked: list[str] = []

    class Stop(Exception):
        """Raised before any chapter runs."""

    def stop(kernel: str) -> str:
        asked.append(kernel)
        raise Stop

    monkeypatch.setattr(execute, "environment_digest", stop)
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write_notebook(folder / "01_a.ipynb", ["x = 1"])
    with pytest.raises(Stop):
        execute_notebooks(notebooks_dir=folder, out_dir=tmp_path / "out",
                          cache_dir=tmp_path / "cache", kernel_name="some-kernel", log=None)
    assert asked == ["some-kernel"]


def test_the_chapters_get_the_profile_and_data_given_and_the_build_restores_its_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel sees the profile and data folder (shown as $DATA) and inline figures even
    under MPLBACKEND=Agg; the build's own environment is left as it was."""
    import numpy as np
    import soundfile as sf

    data = tmp_path / "data"
    for genre in ("blues", "jazz"):
        (data / genre).mkdir(parents=True)
        sf.write(data / genre / f"{genre}.00000.wav", np.zeros(2205, dtype=np.float32), 22050)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("PYDEVD_DISABLE_FILE_VALIDATION", raising=False)
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write_notebook(folder / "01_a.ipynb",
                    ["import os; print(profile, data_dir, os.environ['MPLBACKEND'])"])
    run = execute_notebooks(notebooks_dir=folder, out_dir=tmp_path / "out", profile="full",
                            cache_dir=tmp_path / "cache", data_dir=data, log=None)[0]
    cells = nbformat.read(run.output, as_version=4).cells
    assert cells[2].outputs[0]["text"] == "full $DATA module://matplotlib_inline.backend_inline\n"
    assert 'data_dir = "$DATA"' in cells[1].source and 'profile = "full"' in cells[1].source
    assert os.environ["MPLBACKEND"] == "Agg" and "PYDEVD_DISABLE_FILE_VALIDATION" not in os.environ


def test_with_two_jobs_a_failure_starts_no_chapter_that_was_ready(tmp_path: Path) -> None:
    """Chapters ready but not started when one fails never start; the log names the kernel's log."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write_notebook(folder / "03_fails.ipynb", ["raise RuntimeError('deliberate failure')"])
    # Chapter 4 ends 2 s after chapter 3's failed copy exists: 3's failure is seen while 5 is ready.
    failed_copy = tmp_path / "out" / "03_fails.ipynb"
    _write_notebook(folder / "04_runs.ipynb", [
        "import pathlib, time\nfor _ in range(600):\n"
        f"    if pathlib.Path({str(failed_copy)!r}).exists():\n"
        "        break\n    time.sleep(0.1)\ntime.sleep(2)"])
    _write_notebook(folder / "05_ready.ipynb", ["print('must not run')"])
    lines: list[str] = []
    with pytest.raises(NotebookExecutionError, match="03_fails.ipynb failed in cell 2"):
        _build(folder, tmp_path, lines, jobs=2)
    assert not (tmp_path / "out" / "05_ready.ipynb").exists(), lines
    failed = str(tmp_path / "out" / "03_fails.kernel.log")
    assert _logged(lines, r"03_fails\.ipynb\s+FAILED after\s+\d+\.\d s \(the kernel's own log: "
                   + re.escape(failed) + r"\)"), lines


def test_a_cell_past_the_timeout_stops_the_build(tmp_path: Path) -> None:
    """``timeout`` seconds per cell: a longer cell fails the build."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write_notebook(folder / "01_slow.ipynb", ["import time; time.sleep(30)"])
    with pytest.raises(TimeoutError):
        _build(folder, tmp_path, [], timeout=2)
