"""How a file compares with the training data (genrelib.predict.checks): its level, and its
features in units of the training standardiser; the notes say when the genres mean little."""

from __future__ import annotations

import numpy as np
import pytest

from genrelib.predict.checks import (FAR_DISTANCE, MIN_VARIATION_VALUES, SILENCE_DBFS, STEADY_VARIATION,
                                     InputMeter, InputReport)

REFERENCE = (np.array([0.0, 10.0, -5.0]), np.array([1.0, 2.0, 0.5]))  # 3 feature rows


def meter_of(X: np.ndarray, y: np.ndarray, references=(REFERENCE,)) -> InputReport:
    meter = InputMeter(list(references))
    for start in range(0, len(y), 1000):  # chunk by chunk, as predict_file does
        meter.add_audio(y[start:start + 1000])
    for start in range(0, len(X), 4):
        for member in range(len(references)):
            meter.add_features(member, X[start:start + 4])
    return meter.report()


def standardised_noise(n: int, seed: int = 0) -> np.ndarray:
    """Features (n, 3, 20) distributed as the training set's."""
    z = np.random.default_rng(seed).standard_normal((n, 3, 20))
    return REFERENCE[0][None, :, None] + z * REFERENCE[1][None, :, None]


def test_features_like_the_training_set_are_at_distance_and_variation_one():
    report = meter_of(standardised_noise(50), np.full(22050, 0.1))
    assert report.distance == pytest.approx(1.0, abs=0.05)
    assert report.variation == pytest.approx(1.0, abs=0.05)
    assert report.rms_dbfs == pytest.approx(-20.0)
    assert report.notes == [] and not report.silent and not report.unfamiliar


def test_far_features_steady_features_and_silence_get_their_notes():
    far = meter_of(standardised_noise(10) + 4 * REFERENCE[1][None, :, None], np.full(100, 0.1))
    assert far.distance == pytest.approx(np.sqrt(1 + 16), abs=0.3) and far.unfamiliar
    assert far.notes == [f"unlike the training data (its features lie {far.distance:.1f} training standard "
                         f"deviations from the training mean, root mean square over the features; above "
                         f"{FAR_DISTANCE:g}): the genres say little"]

    steady = meter_of(np.broadcast_to(REFERENCE[0][None, :, None], (10, 3, 20)), np.full(100, 0.1))
    assert steady.variation == pytest.approx(0.0) and steady.distance == pytest.approx(0.0)
    assert steady.unfamiliar and steady.notes[0].startswith("unlike the training data (its features vary 0.00 times")
    assert STEADY_VARIATION > 0

    faint = meter_of(standardised_noise(10), np.full(100, 10 ** (-70 / 20)))
    assert faint.rms_dbfs == pytest.approx(-70.0) and faint.silent
    assert faint.notes == [f"near-silent (RMS -70 dBFS, below {SILENCE_DBFS:g} dBFS): the genres say little"]
    quiet = meter_of(standardised_noise(10), np.full(100, 10 ** (-50 / 20)))
    assert not quiet.silent and quiet.notes == []

    zeros = meter_of(standardised_noise(10), np.zeros(100))
    assert zeros.rms_dbfs is None and zeros.silent
    assert zeros.to_dict() == {"rms_dbfs": None, "distance": pytest.approx(zeros.distance, abs=1e-3),
                               "variation": pytest.approx(zeros.variation, abs=1e-3), "silent": True,
                               "unfamiliar": False, "sample_rate": None}


def test_an_ensemble_takes_the_farthest_member_and_a_member_without_reference_is_skipped():
    X = standardised_noise(10)
    shifted = (REFERENCE[0] + 5 * REFERENCE[1], REFERENCE[1])  # X lies 5 std below its mean
    report = meter_of(X, np.full(100, 0.1), references=(REFERENCE, shifted, None))
    assert report.distance == pytest.approx(np.sqrt(1 + 25), abs=0.3) and report.unfamiliar
    alone = meter_of(X, np.full(100, 0.1), references=(None,))
    assert alone.distance is None and alone.variation is None and alone.notes == []
    assert InputReport(-20.0, None, None, truncated="truncated: 1.0 of 2.0 seconds: predicted on what is there"
                       ).notes == ["truncated: 1.0 of 2.0 seconds: predicted on what is there"]


def test_a_few_segments_of_per_segment_statistics_get_no_variation_note():
    """A model of one value per row and segment (logreg, a probe): a 3 s clip has no spread to
    measure, so no "steady tone" note; enough segments are measured again. A log-mel segment
    (many frames) is measured on its own."""
    rows = REFERENCE[0] + 0.1 * REFERENCE[1]  # music-like values, one segment's statistics
    one = meter_of(rows[None, :], np.full(100, 0.1))
    assert one.variation is None and one.distance == pytest.approx(0.1) and not one.unfamiliar and one.notes == []
    few = meter_of(standardised_noise(MIN_VARIATION_VALUES - 1)[:, :, 0], np.full(100, 0.1))
    assert few.variation is None and not few.unfamiliar
    steady = meter_of(np.broadcast_to(rows, (MIN_VARIATION_VALUES, 3)), np.full(100, 0.1))
    assert steady.variation == pytest.approx(0.0) and steady.unfamiliar  # enough segments, no spread
    one_log_mel = meter_of(standardised_noise(1), np.full(100, 0.1))  # 20 frames of one segment
    assert one_log_mel.variation is not None


def test_a_recording_exactly_at_the_silence_threshold_is_not_silent() -> None:
    """Near-silent means strictly below ``SILENCE_DBFS``: a level exactly at it is not silent
    and gets no note.

    Break tried: ``rms_dbfs < SILENCE_DBFS`` -> ``<=`` -> silent is True, the assert fails."""
    report = InputReport(rms_dbfs=SILENCE_DBFS, distance=None, variation=None)
    assert report.silent is False and report.notes == []


def test_an_ensemble_takes_the_smallest_variation_over_its_members() -> None:
    """The same features vary as much as one member's training spread (variation 1) but a tenth
    of the other's (0.1): the report keeps the smallest, so the file reads as unfamiliar.

    Break tried: ``max(variations)`` -> variation 1.0 and not unfamiliar, the first assert fails."""
    X = np.array([-1.0, 1.0] * 5).reshape(10, 1, 1)
    narrow, wide = (np.zeros(1), np.ones(1)), (np.zeros(1), np.full(1, 10.0))
    report = meter_of(X, np.full(100, 0.1), references=(narrow, wide))
    assert report.variation == pytest.approx(0.1)
    assert report.unfamiliar and report.distance == pytest.approx(1.0)
