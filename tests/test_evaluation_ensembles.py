"""genrelib.evaluation.ensembles: ``SegmentPredictions`` and ensembles that average them
(aligned genre orders, same tracks and labels, other segmentations)."""

from __future__ import annotations

import numpy as np
import pytest

from genrelib.evaluation import SegmentPredictions, check_same_genres, ensemble_predictions


def _member(seed, *, genres=("a", "b", "c"), tracks=8, per_track=4):
    rng = np.random.default_rng(seed)
    ids = np.repeat([f"t{i}" for i in range(tracks)], per_track)
    y = np.repeat(np.arange(tracks) % len(genres), per_track)
    return SegmentPredictions(rng.dirichlet(np.ones(len(genres)), size=len(y)), y, ids, genres)


def test_ensemble_is_the_mean_of_the_members() -> None:
    members = [_member(0), _member(1), _member(2)]
    ensemble = ensemble_predictions(members)
    assert ensemble.probs.shape == (32, 3) and ensemble.genres == ("a", "b", "c")
    np.testing.assert_allclose(ensemble.probs, (members[0].probs + members[1].probs
                                                + members[2].probs) / 3)
    np.testing.assert_array_equal(ensemble.y, members[0].y)
    np.testing.assert_array_equal(ensemble.track_ids, members[0].track_ids)
    # two identical members give the member's own evaluation, number for number
    twice = ensemble_predictions([members[0], members[0]])
    assert twice.evaluate().to_dict() == members[0].evaluate().to_dict()
    assert ensemble_predictions([members[1]]).evaluate().to_dict() == members[1].evaluate().to_dict()


def test_an_ensemble_fixes_a_track_one_member_gets_wrong() -> None:
    genres = ("a", "b", "c")
    ids, y = ["t0", "t0", "t1", "t1"], [0, 0, 1, 1]
    unsure_wrong = SegmentPredictions([[0.3, 0.4, 0.3], [0.3, 0.4, 0.3], [0.1, 0.8, 0.1],
                                       [0.1, 0.8, 0.1]], y, ids, genres)  # t0 -> b: wrong
    sure_right = SegmentPredictions([[0.9, 0.05, 0.05], [0.9, 0.05, 0.05], [0.2, 0.5, 0.3],
                                     [0.2, 0.5, 0.3]], y, ids, genres)
    assert unsure_wrong.evaluate().track_pred.tolist() == [1, 1]
    ensemble = ensemble_predictions([unsure_wrong, sure_right]).evaluate()
    assert ensemble.track_pred.tolist() == [0, 1] and ensemble.track_accuracy == 1.0


def test_ensemble_aligns_genre_order_and_refuses_other_genres() -> None:
    member = _member(0)
    reordered = member.with_genre_order(("c", "a", "b"))
    np.testing.assert_array_equal(reordered.probs[:, 1], member.probs[:, 0])
    assert [reordered.genres[i] for i in reordered.y] == [member.genres[i] for i in member.y]
    ensemble = ensemble_predictions([member, reordered])
    assert ensemble.genres == member.genres
    np.testing.assert_allclose(ensemble.probs, member.probs)
    other = _member(1, genres=("a", "b", "d"))
    with pytest.raises(ValueError, match=r"share their genre list: cnn-2 differs from cnn-1 "
                                         r"\(only in cnn-1: c; only in cnn-2: d\)"):
        ensemble_predictions([member, other], names=["cnn-1", "cnn-2"])
    fewer = _member(2, genres=("a", "b"))  # a subset: nothing is "only in" it (no empty list)
    with pytest.raises(ValueError, match=r"cnn-3 differs from cnn-1 \(only in cnn-1: c\)$"):
        check_same_genres({"cnn-1": member.genres, "cnn-3": fewer.genres})
    with pytest.raises(ValueError, match="some order"):
        member.with_genre_order(("a", "b"))


def test_ensemble_refuses_other_tracks_or_labels() -> None:
    member = _member(0)
    fewer = _member(1, tracks=6)
    with pytest.raises(ValueError, match=r"same tracks: member 1 and member 0 differ on 2 tracks, "
                                         r"e.g. \['t6', 't7'\]"):
        ensemble_predictions([member, fewer])
    relabelled = SegmentPredictions(member.probs, (member.y + 1) % 3, member.track_ids, member.genres)
    with pytest.raises(ValueError, match="disagree on the true genre of track 't0'"):
        ensemble_predictions([member, relabelled])
    with pytest.raises(ValueError, match="at least one member"):
        ensemble_predictions([])


def test_ensemble_of_other_segmentations_averages_track_probabilities() -> None:
    """A member with 4 segments per track and one with a single row per track (another
    segment length, or a track-level model) in another track order."""
    segments = _member(0)
    per_track = _member(1, per_track=1)
    shuffled = np.random.default_rng(2).permutation(8)
    per_track = SegmentPredictions(per_track.probs[shuffled], per_track.y[shuffled],
                                   per_track.track_ids[shuffled], per_track.genres)
    ensemble = ensemble_predictions([segments, per_track])
    assert ensemble.probs.shape == (8, 3) and ensemble.track_ids.tolist() == [f"t{i}" for i in range(8)]
    expected = (segments.probs.reshape(8, 4, 3).mean(axis=1) + _member(1, per_track=1).probs) / 2
    np.testing.assert_allclose(ensemble.probs, expected)
    np.testing.assert_array_equal(ensemble.y, np.arange(8) % 3)



def test_as_many_segments_on_another_grid_are_not_the_same_segments() -> None:
    """A log-mel model (3 s every 1.5 s) and a tagger's probe (2.976 s every 1.488 s) give 19
    rows per 30 s clip each, but segment i is not the same audio: averaged per track, not per
    row. Members that do not know their grid (None) are taken at their word."""
    from genrelib.config import FeatureConfig, segment_grid
    from genrelib.evaluation.ensembles import same_segments
    from genrelib.pretrained import EmbeddingSpec

    mel, probe = segment_grid(FeatureConfig()), segment_grid(EmbeddingSpec("MSD_vgg"))
    assert mel == "3 s segments every 1.5 s at 22050 Hz" and mel != probe
    a, b = _member(0), _member(1)
    on = lambda m, grid: SegmentPredictions(m.probs, m.y, m.track_ids, m.genres, segments=grid)  # noqa: E731
    assert same_segments([on(a, mel), on(b, mel)]) and same_segments([on(a, mel), b])
    assert not same_segments([on(a, mel), on(b, probe)])
    ensemble = ensemble_predictions([on(a, mel), on(b, probe)])
    np.testing.assert_allclose(ensemble.probs, (a.probs.reshape(8, 4, 3).mean(axis=1)
                                                + b.probs.reshape(8, 4, 3).mean(axis=1)) / 2)
    assert ensemble_predictions([on(a, mel), on(b, mel)]).probs.shape == (32, 3)  # row by row
