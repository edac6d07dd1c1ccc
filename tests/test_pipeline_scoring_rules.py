"""genrelib.pipeline.scoring's rule shared by several runs (``shared_aggregation``): fast, no
trained run (tests/test_pipeline_scoring.py reads one and is marked slow)."""

from __future__ import annotations

from genrelib.config import AGGREGATION_METHODS
from genrelib.pipeline.scoring import shared_aggregation


def test_runs_are_scored_by_their_shared_rule_or_the_vote_when_they_differ() -> None:
    """Runs that agree on a rule are scored by it; runs that differ fall back to the vote.

    Break tried: shared_aggregation returning the first run's rule always -> "mean" for
    runs of "mean" and "geometric" instead of "vote"."""
    vote = AGGREGATION_METHODS[0]
    assert vote == "vote"
    assert shared_aggregation(["mean", "mean"]) == "mean"
    assert shared_aggregation(["geometric"]) == "geometric"
    assert shared_aggregation(["mean", "geometric"]) == vote
    assert shared_aggregation(["geometric", "mean", "mean"]) == vote
