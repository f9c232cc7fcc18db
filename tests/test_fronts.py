"""Fronts (geo/fronts.tsv): frontline places enter the gazetteer, and fire on a front is placed
at a namesake on it. Sentences written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from sitrep.geo.distance import haversine_km
from sitrep.geo.fronts import FrontsFileError, front_for, fronts, read_fronts


def one(pipeline, text, published=date(2020, 5, 2)):
    evs = pipeline.run_text(text, published)
    assert len(evs) == 1, [(e.sub_event_type, e.location) for e in evs]
    return evs[0]


def test_every_front_names_its_countrys_two_sides_and_stands_for_a_period():
    from sitrep.extract import load_lexicon

    lex = load_lexicon()
    assert fronts()
    for fr in fronts():
        assert list(fr.sides) == lex.countries[fr.country]["front_sides"], fr.id
        assert fr.start < fr.end and len(fr.places) >= 50
        held = {p.held_by for p in fr.places}
        assert held == set(fr.sides), (fr.id, held)
    assert front_for("UA", "2020-05-01") is not None
    assert front_for("ua", "2020-05-01T10:00") is not None
    assert front_for("UA", "2014-08-01") is None      # before Minsk II fixed the line
    assert front_for("UA", "2023-01-01") is None      # the line of 2015-2022 no longer holds
    assert front_for("SY", "2020-05-01") is None


def test_a_frontline_village_cities500_lacks_is_placed_on_the_front(pipeline):
    ev = one(pipeline, "On 1 May 2020, the OSCE SMM observed a total of 12 explosions "
                       "involving unknown weapons near Zolote-5.")
    assert (ev.country, ev.admin1, ev.location) == ("Ukraine", "Luhansk", "Zolote-5")
    assert ev.geonameid is None      # not a GeoNames entry
    assert haversine_km(ev.latitude, ev.longitude, 48.66, 38.57) < 3


def test_a_listed_spelling_reaches_the_cities500_town_it_names(pipeline):
    # OSCE's "Kominternove" is GeoNames' Pikuzy: the town takes the spelling, no second entry
    ev = one(pipeline, "On 1 May 2020, the OSCE SMM observed a total of 3 explosions "
                       "involving unknown weapons near Kominternove.")
    assert ev.location == "Pikuzy" and ev.geonameid is not None and ev.geonameid > 0


def test_fire_on_the_front_takes_the_frontline_namesake(pipeline):
    # cities500's Katerynivka near Luhansk city has 17,000 people; the one the OSCE reports
    # from is the frontline village by Zolote, 50 km west
    ev = one(pipeline, "On 1 May 2020, the OSCE SMM observed a total of 2 explosions "
                       "involving unknown weapons near Katerynivka.")
    assert ev.country == "Ukraine"
    assert haversine_km(ev.latitude, ev.longitude, 48.67, 38.48) < 5, (ev.latitude, ev.longitude)
    # not fire on a front (a protest): the ordinary ranking, population first
    ev = one(pipeline, "On 1 May 2020, about 40 pensioners protested in Katerynivka, Luhansk "
                       "region, over unpaid pensions.")
    assert haversine_km(ev.latitude, ev.longitude, 48.67, 38.48) > 20, (ev.latitude,
                                                                          ev.longitude)


_HEAD = "@front\tx\tUA\t2015-01-01\t2016-01-01\tmilitary\tnaf\n"


@pytest.mark.parametrize("text, error", [
    ("military\tAvdiivka\t\t48.14\t37.75\t05\n", "after an @front line"),
    (_HEAD + "rebels\tAvdiivka\t\t48.14\t37.75\t05\n", "not a side of x"),
    (_HEAD, "lists no places"),
    (_HEAD.replace("2015-01-01", "1 Jan 2015"), "YYYY-MM-DD"),
    (_HEAD + "naf\tDonetsk\t\t48,02\t37.80\t05\n", "not a latitude"),
])
def test_a_bad_fronts_file_is_a_clear_error(tmp_path, text, error):
    p = tmp_path / "fronts.tsv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(FrontsFileError, match=error):
        read_fronts(p)


def test_two_frontline_villages_without_a_geonames_id_are_two_places(pipeline):
    # fronts.tsv's own villages carry no GeoNames id: same place only when close by
    a = one(pipeline, "On 1 May 2020, the OSCE SMM observed a total of 12 explosions "
                      "involving unknown weapons near Zolote-5.")
    b = one(pipeline, "On 1 May 2020, the OSCE SMM observed a total of 4 explosions "
                      "involving unknown weapons near Sakhanka.")
    from sitrep.extract import fold_placed
    from sitrep.geo.resolve import same_place

    assert a.geonameid is None and b.geonameid is None
    assert not same_place(a, b) and same_place(a, a)
    # the page-level fold keeps the two incidents apart (it used to take None == None)
    b.doc_id = a.doc_id
    kept = fold_placed([a, b], pipeline.lexicon, same_place)
    assert sorted(e.location for e in kept) == ["Sakhanka", "Zolote-5"]


def test_only_fire_takes_the_frontline_namesake(pipeline):
    # an arrest by Ukrainian soldiers is no fire on the front: the ordinary ranking
    ev = one(pipeline, "On 1 May 2020, Ukrainian soldiers arrested two men in Katerynivka, "
                       "Luhansk region, for smuggling.")
    assert ev.sub_event_type == "Arrests" and ev.actor1.startswith("Military Forces of Ukraine")
    assert haversine_km(ev.latitude, ev.longitude, 48.67, 38.48) > 20, (ev.sub_event_type,
                                                                          ev.latitude)
