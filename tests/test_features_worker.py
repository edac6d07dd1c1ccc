"""One track on one worker (genrelib.features.worker): the features of a usable clip, the
reason for an unusable one, and one BLAS thread while any extraction runs (nested uses
counted, the setting restored after the last)."""

from __future__ import annotations

import numpy as np
from helpers import SMALL, make_dataset
from threadpoolctl import threadpool_info, threadpool_limits

from genrelib.audio import load_audio
from genrelib.features import clip_features
from genrelib.features.worker import _one_blas_thread, _track_features


def blas_threads() -> set[int]:
    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


def test_track_features_of_a_usable_and_an_unusable_clip(tmp_path):
    data = make_dataset(tmp_path / "data", genres=("jazz",), per_genre=2)
    good, bad = sorted((data / "genres" / "jazz").glob("*.wav"))
    features, reason = _track_features(str(good), SMALL)
    assert reason is None
    y = load_audio(good, sample_rate=SMALL.sample_rate, clip_seconds=SMALL.clip_seconds)
    np.testing.assert_array_equal(features, clip_features(y, SMALL))
    bad.write_bytes(b"not audio" * 50)
    features, reason = _track_features(str(bad), SMALL)
    assert features is None and bad.name in reason


def test_one_blas_thread_while_any_extraction_runs_then_the_setting_back():
    with threadpool_limits(limits=2, user_api="blas"):
        assert blas_threads() == {2}
        with _one_blas_thread():
            assert blas_threads() == {1}
            with _one_blas_thread():  # a second extraction in the same process
                assert blas_threads() == {1}
            assert blas_threads() == {1}  # the first one still runs
        assert blas_threads() == {2}
