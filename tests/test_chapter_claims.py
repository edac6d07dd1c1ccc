"""The words of chapter 10's "What we saw", checked against the committed records.

That section reads findings off the records in words ("about as good as", "passes
Bonferroni's bar", "a couple of tracks at most") that no cell computes. Each claim is
checked here on the records the chapter reads (``results/reference``), so a record added
or re-run that overturns one fails this test, and the prose must then be revised with it.
The counts are tracks out of 80 (by track) or 48 (artist-grouped folds).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genrelib.evaluation import bonferroni_bar
from genrelib.results import chosen_C, load_records, paired_table, record_predictions, summarize

KFOLD, ARTIST = "kfold", "artist_kfold"
PROTOCOLS = (KFOLD, ARTIST)
REPO_CHAPTER = "notebooks/10_transfer_learning.ipynb"


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return load_records()


@pytest.fixture(scope="module")
def right(records: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(model, protocol) -> tracks right, pooled over the folds."""
    summary = summarize(records, n_resamples=10)  # the intervals are not read here
    return {(r.model, r.protocol): int(round(r.track_accuracy * r.test_tracks))
            for r in summary.itertuples()}


@pytest.fixture(scope="module")
def paired(records: pd.DataFrame) -> pd.DataFrame:
    return paired_table(records).set_index(["a", "b", "protocol"])


def _move(right, a: str, b: str, protocol: str) -> int:
    return right[a, protocol] - right[b, protocol]


def test_the_section_still_says_what_is_checked_here() -> None:
    """The checks below follow these sentences: edit one, revisit its check."""
    with open(REPO_CHAPTER, encoding="utf-8") as file:
        cells = json.load(file)["cells"]
    start = next(i for i, c in enumerate(cells) if "".join(c["source"]).startswith("## What we saw"))
    text = " ".join("".join(cells[start + 2]["source"]).split())
    for sentence in ("a probe on the MSD taggers is about as good as the logistic regression",
                     "the best probe (picked on these records, which flatters it) against chapter 5's CRNN passes "
                     "Bonferroni's bar on both protocols",
                     "tested over artists on the artist folds (the table above), the probe's lead over the CRNN falls "
                     "below 0.05 but not below the bar",
                     "the MSD's tags name jazz and the MTT's do not",
                     "the logistic regression against the CRNN falls below 0.05 on both but not below the bar",
                     "On unheard artists the MSD VGG probes hold up better than the statistics",
                     "The MTT probes, whose pretraining is unlikely to have heard GTZAN's songs, stay within a few tracks",
                     "the MTT VGG probe's lead by track gives a p below 0.05 but not below the bar",
                     "the largest move is musicnn's on unheard artists",
                     "by a couple of tracks at most: up for the MTT probe by track, down or not at all for the others",
                     "the choice does not bring a probe to the aim of 93 %",
                     "the same accuracy on both protocols",
                     "never fewer, on both protocols",
                     "The MTT probe fitted and tested on mean rows gets several more unheard-artist tracks right",
                     "moves the logistic regression's by no more than a couple of tracks on any of the five assignments",
                     "while the probe stays ahead of it seed after seed",
                     "a lead the paired test at seed 0 cannot tell from chance",
                     "the lead is nearly all one genre: jazz, which the logistic regression never gets right on unheard "
                     "artists and the probe mostly does, at every seed, while on the other genres the two stay within two "
                     "tracks of each other",
                     "*vgg-finetune* and *vgg-probe* are within a few tracks of each other on both protocols, and their "
                     "paired tests are far from 0.05",
                     "the folds chose C all over the grid",
                     "The MTT probe gets no jazz track right either there",
                     "the probe fitted on track rows most often chose the grid's largest, 100"):
        assert sentence in text, f"chapter 10's 'What we saw' no longer says: {sentence!r}"


def test_the_caveat_still_says_what_is_checked_here() -> None:
    with open(REPO_CHAPTER, encoding="utf-8") as file:
        cells = {c.get("id"): c for c in json.load(file)["cells"]}
    text = " ".join("".join(cells["c10-caveat-md"]["source"]).split())
    for sentence in ("it stays within a few tracks of them, above or below",
                     "only by track does its lead over chapter 5's CRNN, the network trained from scratch it is tested "
                     "against, give a p below 0.05 (not below the bar"):
        assert sentence in text, f"chapter 10's caveat no longer says: {sentence!r}"


def _right_per_genre(records: pd.DataFrame, model: str, protocol: str) -> tuple[pd.Series, pd.Series]:
    """(tracks right, tracks tested) per genre of a record, from its predictions."""
    tested = record_predictions(records, model, protocol)
    assert tested is not None, (model, protocol)
    return (tested["true"] == tested["predicted"]).groupby(tested["true"]).sum(), tested["true"].value_counts()


def test_on_unheard_artists_the_probes_lead_is_nearly_all_jazz(records) -> None:
    """At every seed logreg gets no jazz track right on unheard artists, the probe most of
    them; jazz carries the largest part of the lead and the other genres differ by two
    tracks at most."""
    for suffix in [""] + [f"-seed{s}" for s in range(1, 5)]:
        probe, tested = _right_per_genre(records, "vgg-probe-tracks" + suffix, ARTIST)
        logreg, _ = _right_per_genre(records, "logreg" + suffix, ARTIST)
        lead = probe - logreg
        assert lead.idxmax() == "jazz" and logreg["jazz"] == 0 and probe["jazz"] > tested["jazz"] / 2, suffix
        assert abs(lead.sum() - lead["jazz"]) <= 2, suffix  # "the other genres within two tracks"
        assert lead["jazz"] >= lead.sum() - 2, suffix  # "nearly all"
    assert _right_per_genre(records, "vgg-probe-mtt", ARTIST)[0]["jazz"] == 0  # "The MTT probe gets no jazz track right"


def test_the_mean_over_assignments_keeps_the_tracks_luck(records) -> None:
    """"its interval over those tracks ... is about as wide as one run's": the chapter's
    bootstrap of the five-assignment mean over the test tracks, against seed 0's interval."""
    with open(REPO_CHAPTER, encoding="utf-8") as file:
        said = {c.get("id"): " ".join("".join(c["source"]).split()) for c in json.load(file)["cells"]}
    assert "interval over those tracks (the lines under the tables) is about as wide as one run's" in said[
        "c10-folds-moved-md"]
    one_run = summarize(records[records["model"] == "vgg-probe-tracks"], n_resamples=2000).set_index("protocol")
    for protocol in PROTOCOLS:
        columns = []
        for name in ["vgg-probe-tracks"] + [f"vgg-probe-tracks-seed{s}" for s in range(1, 5)]:
            tested = record_predictions(records, name, protocol)
            columns.append((tested["true"] == tested["predicted"]).set_axis(tested["track_id"]))
        share = pd.concat(columns, axis=1).mean(axis=1).to_numpy()
        means = share[np.random.default_rng(0).integers(0, len(share), (2000, len(share)))].mean(axis=1)
        width = np.subtract(*np.percentile(means, [97.5, 2.5]))
        low, high = one_run.loc[protocol, "track_accuracy_ci"]
        assert 0.7 <= width / (high - low) <= 1.2, (protocol, width, high - low)


def test_the_fold_assignments_lead_by_track_is_within_chance_at_seed_0(paired) -> None:
    assert paired.loc[("vgg-probe-tracks", "logreg", KFOLD), "pvalue"] >= 0.05


def test_fine_tuning_moves_the_probe_a_few_tracks_far_from_significance(right, paired) -> None:
    for protocol in PROTOCOLS:
        assert abs(_move(right, "vgg-finetune", "vgg-probe", protocol)) <= 4, protocol
        assert paired.loc[("vgg-finetune", "vgg-probe", protocol), "pvalue"] >= 0.5, protocol


def test_the_mtt_probes_stay_within_a_few_tracks_of_logreg_above_or_below(right, paired) -> None:
    moves = [_move(right, a, b, protocol) for a, b in (("vgg-probe-mtt", "logreg"), ("vgg-probe-mtt-cv", "logreg-cv"),
                                                       ("vgg-probe-mtt-tracks-geometric", "logreg-geometric"),
                                                       ("vgg-finetune-mtt", "logreg")) for protocol in PROTOCOLS]
    assert all(abs(m) <= 4 for m in moves) and min(moves) < 0 and max(moves) > 0
    assert paired.loc[("vgg-probe-mtt", "crnn", KFOLD), "pvalue"] < 0.05  # "only by track"
    assert paired.loc[("vgg-probe-mtt", "crnn", ARTIST), "pvalue"] >= 0.05


def test_the_c_the_folds_chose(records) -> None:
    """"All over the grid"; the track-row probe "most often chose the grid's largest, 100"."""
    chosen = {model: chosen_C(records, model, protocols=PROTOCOLS)
              for model in ("logreg-cv", "vgg-probe-cv", "vgg-probe-tracks-cv", "vgg-probe-mtt-cv")}
    assert all(len(c) == 10 for c in chosen.values()), chosen
    assert len({c for cs in chosen.values() for c in cs}) >= 4
    assert pd.Series(chosen["vgg-probe-tracks-cv"]).value_counts().idxmax() == 100.0


def test_by_track_the_msd_probes_match_logreg_and_both_lead_the_deep_models(right) -> None:
    for probe in ("vgg-probe", "vgg-probe-tracks", "musicnn-probe", "musicnn-probe-tracks"):
        assert abs(_move(right, probe, "logreg", KFOLD)) <= 4, probe  # "about as good": 5 % of 80
        for deep in ("cnn", "crnn", "cnn-small-mixup"):
            assert _move(right, probe, deep, KFOLD) >= 8, (probe, deep)  # "far above": 10 points
    for deep in ("cnn", "crnn", "cnn-small-mixup"):
        assert _move(right, "logreg", deep, KFOLD) >= 8, deep


def test_the_paired_tests_against_the_crnn_and_logreg_fall_as_the_section_says(paired) -> None:
    bar = bonferroni_bar(len(paired))
    p = lambda a, b, protocol: paired.loc[(a, b, protocol), "pvalue"]  # noqa: E731
    for protocol in PROTOCOLS:
        assert p("vgg-probe-tracks", "crnn", protocol) < bar
        assert bar <= p("logreg", "crnn", protocol) < 0.05
    assert bar <= p("vgg-probe-mtt", "crnn", KFOLD) < 0.05
    assert p("vgg-probe-mtt", "crnn", ARTIST) >= 0.05  # "its lead could be chance"
    against_logreg = paired[paired.index.get_level_values("b").str.startswith("logreg")]
    artist = against_logreg[against_logreg.index.get_level_values("protocol") == ARTIST]
    assert (artist["pvalue"] >= bar).all()  # "cannot rule out chance once their number is counted"


@pytest.mark.realdata
def test_over_artists_the_probes_lead_over_the_crnn_is_below_005_not_the_bar(records, paired, gtzan_mini) -> None:
    """"tested over artists on the artist folds, the probe's lead over the CRNN falls below 0.05
    but not below the bar" (the bar of all the paired tests, as by track). Needs the mini set's
    artists. Break tried: artist_paired grouping by track (McNemar's p, 0.0013) -> fails."""
    from genrelib.datasets import index_dataset
    from genrelib.results import artist_paired

    pair = paired_table(records, [("vgg-probe-tracks", "crnn")])
    pair = pair[pair["protocol"] == ARTIST]
    p = artist_paired(records, pair, index_dataset(gtzan_mini))["artist-level p"].iloc[0]
    assert bonferroni_bar(len(paired)) <= p < 0.05, p


def test_only_the_msd_tags_name_jazz() -> None:
    """"the MSD's tags name jazz and the MTT's do not" (any spelling)."""
    from genrelib.pretrained import tag_names

    assert "jazz" in [t.lower() for t in tag_names("MSD")]
    assert not [t for t in tag_names("MTT") if "jazz" in t.lower()]


def test_on_unheard_artists_the_msd_vgg_probes_lead_and_the_mtt_probes_stay_near_logreg(right) -> None:
    for probe in ("vgg-probe", "vgg-probe-tracks"):
        assert _move(right, probe, "logreg", ARTIST) > 0, probe
    for protocol in PROTOCOLS:
        assert abs(_move(right, "vgg-probe-mtt", "logreg", protocol)) <= 4, protocol  # "a few tracks"


def test_fitting_on_mean_rows_moves_each_probe_a_few_tracks_most_for_musicnn_on_artists(right) -> None:
    moves = {(probe, protocol): _move(right, f"{probe}-tracks", probe, protocol)
             for probe in ("vgg-probe", "musicnn-probe") for protocol in PROTOCOLS}
    assert all(abs(m) <= 6 for m in moves.values()) and min(moves.values()) < 0  # "not always up"
    largest = max(moves, key=lambda k: abs(moves[k]))
    assert largest == ("musicnn-probe", ARTIST) and list(moves.values()).count(moves[largest]) == 1


def test_choosing_c_in_training_moves_a_couple_of_tracks_up_only_for_the_mtt_probe_by_track(right) -> None:
    for model in ("vgg-probe", "vgg-probe-tracks", "vgg-probe-mtt", "logreg"):
        for protocol in PROTOCOLS:
            move = _move(right, f"{model}-cv", model, protocol)
            assert abs(move) <= 2, (model, protocol)
            if (model, protocol) == ("vgg-probe-mtt", KFOLD):
                assert move > 0
            else:
                assert move <= 0, (model, protocol)
    for model in ("vgg-probe-cv", "vgg-probe-tracks-cv", "vgg-probe-mtt-cv"):
        assert right[model, KFOLD] < int(np.ceil(0.93 * 80)), model  # the aim of 93 %


def test_the_mean_row_rule_at_seed_0(right) -> None:
    for protocol in PROTOCOLS:  # the MSD probe: "the same accuracy on both protocols"
        assert right["vgg-probe-tracks-geometric", protocol] == right["vgg-probe-tracks", protocol]
    assert _move(right, "vgg-probe-mtt-tracks-geometric", "vgg-probe-mtt", ARTIST) >= 3  # "several more"


def test_over_the_five_fold_assignments(right) -> None:
    """Seeds 0-4 (the -seedN records): the mean-row rule never below the vote, logreg's
    mean-row rule within two tracks of its vote, the probe ahead of logreg at every seed."""
    for protocol in PROTOCOLS:
        for suffix in [""] + [f"-seed{s}" for s in range(1, 5)]:
            vote, mean_row = right["vgg-probe-tracks" + suffix, protocol], right["vgg-probe-tracks-geometric" + suffix, protocol]
            assert mean_row >= vote, (suffix, protocol)
            logreg = right["logreg" + suffix, protocol]
            assert abs(right["logreg-geometric" + suffix, protocol] - logreg) <= 2, (suffix, protocol)
            assert vote > logreg, (suffix, protocol)
