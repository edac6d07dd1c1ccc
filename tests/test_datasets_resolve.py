"""Where a notebook's data comes from (genrelib.datasets.resolve): a given folder as an
absolute path, or the profile's synthetic set generated once, atomically, even when two
runs generate it at the same time."""

from __future__ import annotations

import dataclasses
import sys
import types
from pathlib import Path

import pytest
from helpers import write_silent_wav

from genrelib.config import GTZAN_GENRES, get_profile
from genrelib.datasets import index_dataset, resolve_data_dir, synthetic_cache_dir


@pytest.fixture()
def generator_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """A stand-in generator module writing one short clip per genre; its calls, in order
    (its ``fail`` attribute, when true, kills it mid-way; its ``before_rename`` hook, when set,
    runs after the clips are written, as another process would)."""
    calls: list[dict] = []

    def generate(out_dir, *, tracks_per_genre=100, seconds=30.0, seed=0, **_):
        calls.append({"out": Path(out_dir), "n": tracks_per_genre, "seconds": seconds,
                      "seed": seed})
        for genre in GTZAN_GENRES[:2]:
            write_silent_wav(Path(out_dir) / "genres" / genre / f"{genre}.00000.wav", 0.25)
        if getattr(generate, "fail", False):
            raise RuntimeError("killed mid-way")
        if getattr(generate, "before_rename", None):
            generate.before_rename()
        return Path(out_dir)

    module = types.ModuleType("genrelib.datasets.synthetic")
    module.generate_synthetic_gtzan = generate
    module.SYNTHETIC_VERSION = "7"
    monkeypatch.setitem(sys.modules, "genrelib.datasets.synthetic", module)
    import genrelib.datasets

    monkeypatch.setattr(genrelib.datasets, "synthetic", module, raising=False)
    return calls


def test_a_relative_data_dir_is_returned_absolute(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder named relative to the working directory comes back absolute (a notebook
    that changes directory later still finds it). Break tried: the path returned as given."""
    (tmp_path / "music").mkdir()
    monkeypatch.chdir(tmp_path)
    path = resolve_data_dir("music")
    assert path.is_absolute() and path == (tmp_path / "music").resolve()


def test_the_synthetic_set_has_the_profiles_length(tmp_path: Path,
                                                   generator_calls: list[dict]) -> None:
    """The synthetic clips last the profile's ``synthetic_seconds`` (its folder says so).
    Break tried: always 30 s clips -> the generator gets 30.0."""
    profile = dataclasses.replace(get_profile("quick"), synthetic_tracks_per_genre=2,
                                  synthetic_seconds=5.0)
    path = resolve_data_dir(None, profile=profile, seed=1, cache_dir=tmp_path)
    assert [(c["n"], c["seconds"], c["seed"]) for c in generator_calls] == [(2, 5.0, 1)]
    assert path == synthetic_cache_dir(tracks_per_genre=2, seconds=5.0, seed=1, cache_dir=tmp_path)
    assert path.name == "gtzan-synth-v7-seed1-2x5s"


def test_a_run_that_finishes_second_uses_the_first_ones_set(tmp_path: Path,
                                                             generator_calls: list[dict]) -> None:
    """Two runs generating the same set at once: the one whose rename fails because the
    other's complete folder is already in place returns that folder and removes its own copy.
    Break tried: every failed rename raised -> OSError."""
    profile = dataclasses.replace(get_profile("quick"), synthetic_tracks_per_genre=1,
                                  synthetic_seconds=1.0)
    target = synthetic_cache_dir(tracks_per_genre=1, seconds=1.0, seed=0, cache_dir=tmp_path)

    def other_run_finishes_first() -> None:
        write_silent_wav(target / "genres" / "blues" / "blues.00000.wav", 0.25)

    import genrelib.datasets.synthetic as stand_in

    stand_in.generate_synthetic_gtzan.before_rename = other_run_finishes_first
    assert resolve_data_dir(None, profile=profile, cache_dir=tmp_path) == target.resolve()
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary folder left
    assert len(generator_calls) == 1


def test_resolve_data_dir_generates_once_and_caches(tmp_path: Path, generator_calls: list[dict]) -> None:
    quick = get_profile("quick")
    path = resolve_data_dir(None, profile="quick", seed=3, cache_dir=tmp_path)
    assert path == synthetic_cache_dir(tracks_per_genre=quick.synthetic_tracks_per_genre,
                                       seconds=quick.synthetic_seconds, seed=3, cache_dir=tmp_path)
    assert path.name == f"gtzan-synth-v7-seed3-{quick.synthetic_tracks_per_genre}x30s"
    assert generator_calls[0]["n"] == quick.synthetic_tracks_per_genre and generator_calls[0]["seed"] == 3
    assert resolve_data_dir("", profile=quick, seed=3, cache_dir=tmp_path) == path
    assert len(generator_calls) == 1
    assert len(index_dataset(path).tracks) == 2
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp folder left


def test_resolve_data_dir_uses_the_env_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             generator_calls: list[dict]) -> None:
    monkeypatch.setenv("GENREBOOK_CACHE", str(tmp_path / "envcache"))
    path = resolve_data_dir(None, profile="full")
    assert path.is_relative_to((tmp_path / "envcache").resolve())
    assert "100x30s" in path.name


def test_resolve_data_dir_is_atomic_when_generation_fails(tmp_path: Path, generator_calls: list[dict]) -> None:
    import genrelib.datasets.synthetic as stand_in

    stand_in.generate_synthetic_gtzan.fail = True
    with pytest.raises(RuntimeError, match="killed"):
        resolve_data_dir(None, cache_dir=tmp_path)
    assert list((tmp_path / "synthetic").iterdir()) == []


def test_resolve_data_dir_with_a_path(tmp_path: Path) -> None:
    assert resolve_data_dir(str(tmp_path)) == tmp_path.resolve()
    with pytest.raises(FileNotFoundError, match="leave data_dir empty"):
        resolve_data_dir(tmp_path / "absent")
    with pytest.raises(NotADirectoryError):
        resolve_data_dir(write_silent_wav(tmp_path / "a.wav", 0.25))
    with pytest.raises(ValueError, match="unknown profile"):
        resolve_data_dir(None, profile="huge", cache_dir=tmp_path)
