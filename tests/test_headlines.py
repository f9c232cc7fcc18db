"""A headline alone (a feed item, a wire slug): the incident told in the present or the
passive, and placed only in the country it names. Headlines written for these tests."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.mark.parametrize("headline,sub,country", [
    # a named side in the present tense: events._substantive (headline, attack word, an actor)
    ("Rebel fighters attacks LNA positions at Sidra oil port", "Armed clash", "Libya"),
    # the passive with a place and no actor: "hit by ... deadly attacks"
    ("Northern Burkina Faso hit by two new deadly attacks", "Attack", "Burkina Faso"),
])
def test_a_headline_tells_an_incident_in_the_present(pipeline, headline, sub, country):
    got = [(e.sub_event_type, e.country) for e in pipeline.run_text(headline, date(2022, 5, 4))]
    assert got == [(sub, country)]


def test_a_headline_over_a_body_that_tells_the_incident_is_not_a_second_event(pipeline):
    text = ("Gunmen attack village in Zamfara\n\n"
            "Gunmen on Tuesday killed seven villagers in Kauran Namoda, Zamfara state, "
            "police said.")
    got = [(e.event_date, e.fatalities) for e in pipeline.run_text(text, date(2022, 5, 4))]
    assert got == [("2022-05-03", 7)]


def test_a_county_abroad_is_no_place_for_a_headline_that_names_the_country(pipeline):
    # geo.resolve: outside the hinted countries only a real town, never an admin unit
    # ("Young" read as Young County, Texas)
    evs = pipeline.run_text("Sixty Young Children Trapped in Myanmar Junta Raid",
                            date(2023, 3, 4))
    assert [(e.country, e.location) for e in evs] == [("Myanmar", "")]


@pytest.mark.parametrize("headline,country", [
    # events._ABROAD: people named by the country they come from because they are abroad
    ("Japanese engineer shot dead by gunmen on highway", ""),
    ("Cambodian peacekeeper killed in ambush", ""),
    # ... and the wire's short form of the country they are in (countries.yaml alias)
    ("Burundi UN peacekeeper killed in ambush in C.Africa", "Central African Republic"),
    # a demonym that modifies a place noun still says where ("tourist resort")
    ("Reporter shot and killed in Mexican tourist resort", "Mexico"),
])
def test_a_foreigners_demonym_is_not_where_the_event_was(pipeline, headline, country):
    evs = pipeline.run_text(headline, date(2021, 6, 2))
    assert [e.country for e in evs] == [country]
