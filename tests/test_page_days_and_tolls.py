"""Whole news pages written for these tests (issue 15): the day an incident happened, not
the day it was told, and the toll a page settles on. Each case would fail without its rule."""

from __future__ import annotations

from datetime import date

import pytest


def coded(pipeline, text, published):
    return [(e.event_date, e.time_precision, e.sub_event_type, e.fatalities)
            for e in pipeline.run_text(text, published)]


# ------------------------------------------------ the day it was told is not the incident's

@pytest.mark.parametrize("text,published,expected", [
    # the lede gives only the day the police spoke; the next paragraph the night of the raid
    ("Gunmen killed nine villagers in a raid on a farming settlement in Nigeria's Niger "
     "state, police said on Tuesday.\n\n"
     "The attackers stormed Gidan Kwano village in Shiroro local government area late on "
     "Sunday and opened fire on residents, police spokesman Wasiu Abiodun said.",
     date(2023, 5, 9), [("2023-05-07", 1, "Attack", 9)]),
    # a day after 'said in a statement' is when the army told it, not a clash of its own
    ("Three soldiers were killed on Friday when troops clashed with Abu Sayyaf militants in "
     "the southern Philippine province of Sulu, the military said.\n\n"
     "The clash took place near the town of Patikul, where troops had been pursuing the "
     "group for weeks, the military said in a statement on Saturday.",
     date(2022, 3, 14), [("2022-03-11", 1, "Armed clash", 3)]),
])
def test_a_lede_told_on_a_day_is_dated_by_the_paragraph_that_tells_the_incident(
        pipeline, text, published, expected):
    assert coded(pipeline, text, published) == expected


def test_a_witness_who_spoke_by_phone_on_a_day_opens_no_incident(pipeline):
    text = ("Gunmen killed at least 14 civilians in an attack on a village near the town of "
            "Gimbi in Ethiopia's Oromiya region on Saturday, residents said.\n\n"
            "\"They went from house to house and shot the men,\" one resident said by phone on "
            "Monday.")
    assert coded(pipeline, text, date(2022, 6, 20)) == [("2022-06-18", 1, "Attack", 14)]
