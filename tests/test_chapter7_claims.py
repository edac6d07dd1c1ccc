"""Numbers chapter 7 (notebooks/07_evaluation.ipynb) types in its prose, checked against where
they come from: the study's Table 2 (``genrelib.results.STUDY_TABLE2``), the binomial
arithmetic it shows, the quick profile's split and ``bootstrap_interval``'s defaults. A changed
constant or setting fails here until the page says it too."""

from __future__ import annotations

import inspect
import math
from pathlib import Path

import nbformat
import pandas as pd

from genrelib.config import GTZAN_GENRES, get_profile
from genrelib.datasets.splits import random_split
from genrelib.evaluation.intervals import bootstrap_interval
from genrelib.results import STUDY_TABLE2, STUDY_TEST_ACCURACY

CHAPTER = Path(__file__).resolve().parents[1] / "notebooks" / "07_evaluation.ipynb"


def _markdown() -> str:
    notebook = nbformat.read(CHAPTER, as_version=4)
    return " ".join(" ".join(c.source for c in notebook.cells if c.cell_type == "markdown").split())


def _percent(share: float) -> str:
    """0.815 -> "81.5 %", 0.74 -> "74 %" (as the page writes the study's numbers)."""
    return f"{100 * share:.1f}".removesuffix(".0") + " %"


def test_the_study_numbers_in_the_prose_are_its_table() -> None:
    """The CNN's and CRNN's accuracies, the CRNN's macro recall beside its accuracy, and the
    range of the study's three accuracies. Break tried: the CRNN's recall 0.90 made 0.89 ->
    fails."""
    text = _markdown()
    cnn, crnn = STUDY_TABLE2["cnn"], STUDY_TABLE2["crnn"]
    low, high = min(STUDY_TEST_ACCURACY.values()), max(STUDY_TEST_ACCURACY.values())
    for claim in (f"its {_percent(cnn['accuracy'])} and {_percent(crnn['accuracy'])} are not one run's track",
                  f"its CRNN row ({_percent(crnn['accuracy'])} against {crnn['recall']:.2f})",
                  f"the study reports {_percent(low).removesuffix(' %')} to {_percent(high)} for its models"):
        assert claim in text, claim
    # The argument itself: on 100 tracks an accuracy is a whole percent, and on a balanced test
    # set it equals the macro recall; the study's CRNN row breaks both.
    assert round(100 * cnn["accuracy"]) != 100 * cnn["accuracy"]
    assert crnn["accuracy"] != crnn["recall"]


def test_the_binomial_arithmetic_in_the_prose_holds() -> None:
    """sqrt(0.85 * 0.15 / 100) is about 3.6 points, a 95 % interval about +-7 points, some 14
    wide. Break tried: the chapter's "3.6" typed as "3.9" -> fails."""
    text = _markdown()
    n, accuracy = 100, 0.85
    standard_error = 100 * math.sqrt(accuracy * (1 - accuracy) / n)
    half_width = 1.96 * standard_error
    assert f"$\\sqrt{{0.85 \\cdot 0.15 / {n}}} \\approx {standard_error:.1f}$ points" in text
    assert f"about ±{half_width:.0f} points (some {2 * half_width:.0f} points wide)" in text
    assert f"For {n} test tracks (the study's test set) at a hypothetical {100 * accuracy:.0f} % accuracy" in text


def test_the_quick_profiles_test_set_is_the_size_the_prose_names() -> None:
    """"the quick profile's 8" test tracks: the synthetic set it generates (8 a genre, 80
    tracks, like the mini set's 80) split 80/10/10 by track. Break tried: the quick profile's
    synthetic_tracks_per_genre 8 made 10 -> fails."""
    per_genre = get_profile("quick").synthetic_tracks_per_genre
    tracks = pd.DataFrame([{"track_id": f"{genre}.{i:05d}", "genre": genre, "path": f"{genre}/{i}.wav"}
                           for genre in GTZAN_GENRES for i in range(per_genre)])
    test_tracks = len(random_split(tracks, seed=0).test)
    assert f"(the quick profile's {test_tracks}) the percentile bootstrap covers less" in _markdown()


def test_the_bootstrap_facts_in_the_prose_are_its_defaults() -> None:
    """2,000 resamples (the default of bootstrap_interval), and "75.1 %, an accuracy no 48 tracks
    give": no k/48 prints as 75.1 %, while 75.0 % is one (36/48). Break tried: the default
    n_resamples 2000 made 1000 -> fails."""
    text = _markdown()
    resamples = inspect.signature(bootstrap_interval).parameters["n_resamples"].default
    assert f"repeat {resamples:,} times" in text
    assert f"(the same {resamples:,} resamples, seed 0)" in text
    assert "could print 75.1 %, an accuracy no 48 tracks give" in text
    shown = {f"{100 * k / 48:.1f}" for k in range(49)}
    assert "75.1" not in shown and "75.0" in shown
