"""genrelib.cli's parsing: an unknown argument is reported by the command it was given to
(that command's usage and name, exit 2) with the option it resembles, at every level."""

from __future__ import annotations

import pytest

from genrelib.cli import main


@pytest.mark.parametrize("argv,usage,error", [
    (["evaluate", "run", "--data", "d", "--jsn"], "usage: genrelib evaluate ",
     "genrelib evaluate: error: unrecognized arguments: --jsn (did you mean --json?)"),
    (["data", "check", ".", "--jsn", "--colour"], "usage: genrelib data check ",
     "genrelib data check: error: unrecognized arguments: --jsn --colour (did you mean --json for --jsn?)"),
    (["predict", "run", "a.wav", "--timline=x.png"], "usage: genrelib predict ",
     "genrelib predict: error: unrecognized arguments: --timline=x.png (did you mean --timeline?)"),
    (["train", "data", "--out", "x", "extra"], "usage: genrelib train ",
     "genrelib train: error: unrecognized arguments: extra"),
    (["--colour"], "usage: genrelib [-h]", "genrelib: error: unrecognized arguments: --colour"),
])
def test_an_unknown_argument_is_reported_by_its_command(argv, usage, error, capsys) -> None:
    """Break tried: ``parser.parse_args`` instead of ``_parse`` in main -> the top-level usage
    and "genrelib: error" for every command (the first four cases fail)."""
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage), err
    assert err.rstrip("\n").splitlines()[-1] == error


def test_known_arguments_parse_as_before(tmp_path, capsys) -> None:
    """Abbreviations argparse accepts stay accepted (``--jso`` is ``--json``), and the
    command's parser in the namespace changes nothing the command sees."""
    (tmp_path / "rock").mkdir()
    assert main(["data", "check", str(tmp_path), "--jso"]) == 2  # runs: the folder holds no audio
    assert "no labelled audio" in capsys.readouterr().err
