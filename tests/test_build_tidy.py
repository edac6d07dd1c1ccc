"""Tidying an executed chapter (genrelib.build.tidy): one parameters cell with the values
used, machine paths made portable, TensorFlow's start-up logs and tqdm's ipywidgets notice
removed."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

from genrelib.build.tidy import portable_names, tidy_executed_notebook


def test_backend_start_up_logs_are_removed_other_outputs_kept(tmp_path: Path) -> None:
    noise = ("/work/main/.venv/lib/python3.12/site-packages/tqdm/auto.py:21: TqdmWarning: IProgress not "
             "found. Please update jupyter and ipywidgets. See https://ipywidgets.readthedocs.io/en/stable/"
             "user_install.html\n"
             "  from .autonotebook import tqdm as notebook_tqdm\n"
             "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
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
    # Break tried: the tqdm lines left out of BACKEND_NOISE -> 9 lines dropped, not 13.
    assert tidy_executed_notebook(path).noise_lines == 13  # absl prints TF's warning on stdout
    outputs = nbformat.read(path, as_version=4).cells[0].outputs
    assert [o["text"] for o in outputs] == ["UserWarning: keep me\n", "I0000 a line like a log, kept\n"]
    assert tidy_executed_notebook(path).noise_lines == 0


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


def test_portable_names_list_a_folder_as_given_and_through_its_symbolic_links(
        tmp_path: Path) -> None:
    """A cache reached through a symbolic link is replaced under both of its paths."""
    real = tmp_path / "disk" / "cache"
    real.mkdir(parents=True)
    link = tmp_path / "cache-link"
    link.symlink_to(real, target_is_directory=True)
    names = dict(portable_names(cache_dir=link, root=None, home="/"))
    assert names == {str(link): "$GENREBOOK_CACHE", str(real): "$GENREBOOK_CACHE"}


def test_a_folder_inside_a_longer_path_is_not_replaced(tmp_path: Path) -> None:
    """A folder matches as a whole path only: not where another path merely ends with it."""
    home = tmp_path / "home" / "ada"
    outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"/mnt{home}/x {home}/y\n")]
    path = _executed_notebook(tmp_path / "nb.ipynb", outputs=outputs,
                              injected="# Parameters\nseed = 1\n")
    result = tidy_executed_notebook(path, names=portable_names(root=None, home=home))
    assert nbformat.read(path, as_version=4).cells[2].outputs[0].text == f"/mnt{home}/x ~/y\n"
    assert result.paths_replaced == 1


def test_tidy_merges_into_annotated_and_non_ascii_parameters(tmp_path: Path) -> None:
    """Annotated assignments take the injected value; a non-ASCII line above keeps the offsets."""
    own = '# données — « défaut »\nseed: int = 0  # graine\nprofile = "quick"'
    path = _executed_notebook(tmp_path / "nb.ipynb", outputs=[], parameters=own,
                              injected='# Parameters\nseed = 7\nprofile = "full"\n')
    tidy_executed_notebook(path)
    cells = nbformat.read(path, as_version=4).cells
    assert [c.metadata.get("tags", []) for c in cells] == [[], ["parameters"], []]
    assert cells[1].source == '# données — « défaut »\nseed: int = 7  # graine\nprofile = "full"'


def test_the_build_log_says_what_tidying_changed() -> None:
    """``Tidied.describe`` names each change: merged parameters, paths and removed log lines."""
    from genrelib.build.tidy import Tidied

    assert Tidied(parameters_merged=True, paths_replaced=3, noise_lines=2).describe() == (
        "parameters merged, 3 machine path(s) made portable, "
        "2 TensorFlow log or tqdm notice line(s) removed")
    assert Tidied(parameters_merged=False, paths_replaced=0, noise_lines=0).describe() == ""


def test_a_folder_followed_or_preceded_by_a_dot_or_dash_is_another_name(tmp_path: Path) -> None:
    """``/home/ada.bak``, ``/home/ada-old`` and a path ending ``.``/``-`` + folder are kept."""
    home = tmp_path / "home" / "ada"
    text = f"{home}.bak/z {home}-old/w /srv/a.{home}/x /srv/a-{home}/y {home}/v\n"
    outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    path = _executed_notebook(tmp_path / "nb.ipynb", outputs=outputs,
                              injected="# Parameters\nseed = 1\n")
    result = tidy_executed_notebook(path, names=portable_names(root=None, home=home))
    shown = nbformat.read(path, as_version=4).cells[2].outputs[0].text
    assert shown == f"{home}.bak/z {home}-old/w /srv/a.{home}/x /srv/a-{home}/y ~/v\n"
    assert result.paths_replaced == 1


def test_a_bare_annotation_in_the_parameters_cell_gets_the_injected_value_below(
        tmp_path: Path) -> None:
    """``seed: int`` (no value) stays; the injected ``seed`` is appended like a new name."""
    path = _executed_notebook(tmp_path / "nb.ipynb", outputs=[],
                              parameters='seed: int\nprofile = "quick"',
                              injected='# Parameters\nseed = 7\nprofile = "full"\n')
    tidy_executed_notebook(path)
    cells = nbformat.read(path, as_version=4).cells
    assert [c.metadata.get("tags", []) for c in cells] == [[], ["parameters"], []]
    assert cells[1].source == 'seed: int\nprofile = "full"\nseed = 7'


def test_merged_parameters_list_each_name_once_without_a_blank_line(tmp_path: Path) -> None:
    """Known names are replaced in place, not appended again; a new name follows directly."""
    path = _executed_notebook(tmp_path / "nb.ipynb", outputs=[], parameters="seed = 0\n",
                              injected="# Parameters\nseed = 3\nepochs = 2\n")
    tidy_executed_notebook(path)
    assert nbformat.read(path, as_version=4).cells[1].source == "seed = 3\nepochs = 2"


def test_markdown_cells_get_no_outputs_when_noise_is_removed(tmp_path: Path) -> None:
    """Only code cells have outputs: tidying leaves a markdown cell without an outputs field."""
    noise = ("WARNING: All log messages before absl::InitializeLog() is called are written "
             "to STDERR\n")
    outputs = [nbformat.v4.new_output("stream", name="stderr", text=noise)]
    path = _executed_notebook(tmp_path / "nb.ipynb", outputs=outputs,
                              injected="# Parameters\nseed = 1\n")
    assert tidy_executed_notebook(path).noise_lines == 1
    nb = nbformat.read(path, as_version=4)
    assert "outputs" not in nb.cells[0]
    nbformat.validate(nb)


def test_a_tensorflow_log_line_from_a_header_file_is_removed(tmp_path: Path) -> None:
    """TensorFlow's C++ log lines come from ``.h`` files too (``device_compiler.h:186]``)."""
    line = ("I0000 00:00:1795614563.855573   28227 device_compiler.h:186] Compiled cluster "
            "using XLA!  This line is logged at most once for the lifetime of the process.\n")
    cell = nbformat.v4.new_code_cell("fit()")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text=line + "kept\n")]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    assert tidy_executed_notebook(path).noise_lines == 1
    assert nbformat.read(path, as_version=4).cells[0].outputs[0].text == "kept\n"
