"""Every coded country points to the words it came from (issue 16: no event in a country the
text does not name or imply). Texts written for these tests."""

from __future__ import annotations

from datetime import date

from sitrep.evaluate import country_unsupported


def _country_words(ev) -> list[str]:
    return [e.text for e in ev.evidence if e.field == "country"]


def test_a_demonym_is_the_evidence_of_a_country_no_place_names(pipeline):
    (ev,) = pipeline.run_text("Gunmen killed three Afghan soldiers at a checkpoint on Monday.",
                              date(2021, 6, 2))
    assert ev.country == "Afghanistan" and not ev.location
    assert _country_words(ev) == ["Afghan soldiers"]
    assert not country_unsupported(ev)


def test_a_country_named_in_a_headline_is_the_evidence_of_the_report_under_it(pipeline):
    # (geo.resolve: a country named as a place is a hint, and its words the evidence)
    text = ("Twelve killed in poll-related violence as voting gets underway in Bangladesh;"
            "Fifteen killed in polls violence")
    evs = pipeline.run_text(text, date(2018, 12, 20))
    assert evs and all(e.country == "Bangladesh" for e in evs)
    assert all(_country_words(e) == ["Bangladesh"] or any(
        x.field == "location" for x in e.evidence) for e in evs)


def test_an_event_that_takes_the_place_of_the_one_before_takes_its_words(pipeline):
    text = ("On 6 May, more than 400 youths gathered at the central square of Agia "
            "Paraskevi, defying a ban on public gatherings. They clashed with police who "
            "tried to disperse them.")
    evs = pipeline.run_text(text, date(2020, 5, 7))
    assert evs and all(e.country == "Greece" for e in evs)
    assert all(any(x.field in ("location", "country") for x in e.evidence) for e in evs)


def test_an_unsupported_country_is_counted():
    assert country_unsupported({"country": "Italy", "evidence": []})
    assert not country_unsupported({"country": "Italy", "evidence": [
        {"field": "country", "start": 0, "end": 7, "text": "Italian"}]})
    assert not country_unsupported({"country": "", "evidence": []})


def _event(cc: str, **kw):
    from sitrep.geo.resolve import fill_country
    from sitrep.models import Event

    ev = Event("d1", "Battles", "Armed clash", **kw)
    fill_country(ev, cc)
    return ev


def test_the_last_words_for_a_country_are_its_actor_or_its_name_anywhere():
    from sitrep.geo.resolve import country_evidence
    from sitrep.models import ActorRef

    body = "Officers of the GSU repelled the gunmen. Kenyan officials gave no toll."
    by_actor = _event("KE", actors1=[ActorRef("police", country="KE")])
    by_actor.add_evidence("actor1", 0, 19, body)
    by_name = _event("KE")
    country_evidence([by_actor, by_name], body)
    assert _country_words(by_actor) == ["Officers of the GSU"]
    assert _country_words(by_name) == ["Kenyan"]


def test_a_country_the_text_gives_no_words_for_is_not_kept():
    # geo.resolve.country_evidence: an unplaced event whose country nothing in the text
    # names or implies keeps no country (issue 16), rather than a guess
    from sitrep.geo.resolve import country_evidence

    ev = _event("KE")
    country_evidence([ev], "Gunmen attacked a checkpoint at night, the army said.")
    assert ev.country_code == "" and ev.country == "" and not country_unsupported(ev)


def test_a_country_inside_a_longer_countrys_name_is_not_its_evidence():
    from sitrep.geo.countries import named_in

    assert named_in("Fighting spread in South Sudan on Monday.", "SD") is None
    assert named_in("Fighting spread in South Sudan on Monday.", "SS") == (19, 30)
