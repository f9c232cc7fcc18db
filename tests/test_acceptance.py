"""PRODUCT.md's acceptance cases, run on the real articles in ../shared/examples."""

from __future__ import annotations

from datetime import date

import pytest

from sitrep.ingest import iter_documents


def _events(pipeline, path, published):
    docs = list(iter_documents([str(path)], published))
    assert len(docs) == 1 and not hasattr(docs[0], "reason"), docs
    doc = docs[0]
    return doc, pipeline.run(doc)


@pytest.fixture(scope="module")
def ied(pipeline, shared_dir):
    return _events(pipeline, shared_dir / "examples" / "raqqa-ied-attacks-with-comments.txt",
                   date(2018, 7, 7))


@pytest.fixture(scope="module")
def revenge(pipeline, shared_dir):
    return _events(pipeline, shared_dir / "examples" / "raqqa-revenge-attacks.txt",
                   date(2019, 4, 2))


def _near_raqqa(ev):
    return ev.latitude is not None and abs(ev.latitude - 35.95) < 0.6 and \
        abs(ev.longitude - 39.0) < 0.8


def test_ied_first_attack_al_noor(ied):
    doc, evs = ied
    hits = [e for e in evs if e.event_date == "2018-07-05"
            and e.sub_event_type == "Remote explosive/landmine/IED"
            and e.actor1.startswith("Islamic State")
            and "Syrian Democratic Forces" in e.actor2 and e.fatalities == 0]
    assert hits, [(e.event_date, e.sub_event_type, e.actor1, e.actor2, e.fatalities) for e in evs]
    ev = hits[0]
    assert ev.country == "Syria" and _near_raqqa(ev)
    assert any(s.outlet == "Amaq" and s.role == "claim" for s in ev.sources)
    assert ev.claim_status == "claimed"
    # the notes name the district and who claimed it, in the report's own words
    assert "al-Noor" in ev.notes and ev.notes.startswith("On 5 July 2018, ")
    assert ev.notes.endswith("Claimed by Amaq.") and "revealed that" not in ev.notes
    # every coded field points into the body
    for e in ev.evidence:
        assert doc.body[e.start:e.end] == e.text


def test_ied_second_attack_confirmed(ied):
    _, evs = ied
    hits = [e for e in evs if e.event_date == "2018-07-05"
            and e.sub_event_type == "Remote explosive/landmine/IED" and 1 <= e.fatalities <= 4]
    assert hits, [(e.event_date, e.sub_event_type, e.fatalities) for e in evs]
    ev = hits[0]
    assert ev.actor1.startswith("Islamic State") and _near_raqqa(ev)
    assert ev.claim_status == "confirmed"
    roles = {s.role for s in ev.sources}
    assert {"claim", "confirmation"} <= roles
    assert "al-Hadiqah al-Bayda" in ev.notes and "four SDF fighters" in ev.notes
    assert "Claimed by Amaq; confirmed by Raqqa is Being Slaughtered Silently." in ev.notes


def test_ied_recalled_june_attack(ied):
    _, evs = ied
    hits = [e for e in evs if e.event_date and e.event_date.startswith("2018-06")
            and e.time_precision == 3 and e.actor1.startswith("Islamic State")]
    assert hits, [(e.event_date, e.time_precision, e.actor1) for e in evs]
    assert "Syrian Democratic Forces" in hits[0].actor2
    assert hits[0].notes.startswith("In June 2018, ISIS cells") and \
        "Hammam al-Turkmen" in hits[0].notes


def test_nothing_from_comments(ied):
    doc, evs = ied
    assert "Trump" not in doc.body and "rats kills" not in doc.body
    assert len(doc.comments) >= 4
    for ev in evs:
        assert "Damascus" not in (ev.location or "")
        for e in ev.evidence:
            assert "Trump" not in e.text and "Putin" not in e.text
        assert "Trump" not in ev.notes and "rats" not in ev.notes


def test_revenge_civilians(revenge):
    _, evs = revenge
    hits = [e for e in evs if e.actor1.startswith("Islamic State")
            and e.actor2.startswith("Civilians") and e.civilian_targeting]
    assert hits, [(e.sub_event_type, e.actor1, e.actor2, e.fatalities) for e in evs]
    assert hits[0].fatalities == 3
    assert _near_raqqa(hits[0])


def test_revenge_last_week_hq_attack(revenge):
    _, evs = revenge
    hits = [e for e in evs if e.time_precision == 2 and e.actor1.startswith("Islamic State")
            and e.event_date and "2019-03-2" in e.event_date]
    assert hits, [(e.event_date, e.time_precision, e.sub_event_type, e.actor1) for e in evs]
    assert "headquarters of Jazeera Storm" in hits[0].notes


def test_revenge_najaf_arrest(revenge):
    _, evs = revenge
    hits = [e for e in evs if e.sub_event_type == "Arrests" and e.event_date == "2019-04-01"]
    assert hits, [(e.event_date, e.sub_event_type, e.location) for e in evs]
    ev = hits[0]
    assert ev.country == "Iraq" and ev.location.startswith("Najaf")
    assert ev.actor1.startswith("Police Forces of Iraq")
    assert ev.actor2.startswith("Islamic State")


def test_no_event_for_plans_or_prison_measures(revenge):
    doc, evs = revenge
    from sitrep.extract.text import split_sentences

    firsts = []
    for ev in evs:
        first = next(s for s in split_sentences(doc.body) if s.end > ev.sentence_start)
        firsts.append(first.text)
    assert not any("large-scale offensive" in f for f in firsts), firsts
    assert not any("strengthened security at the prisons" in f for f in firsts), firsts
    assert not any(ev.location.startswith("Deir") for ev in evs)
