"""ACLED's actor name forms (CODEBOOK.md section 3) on sentences written for these tests.
Each test fails if the rule or lexicon entry it names is removed."""

from __future__ import annotations

from datetime import date


def one(pipeline, text, published=date(2021, 3, 4)):
    evs = pipeline.run_text(text, published)
    assert len(evs) == 1, [(e.sub_event_type, e.actor1) for e in evs]
    return evs[0]


def test_unattributed_front_fire_is_coded_between_the_fronts_two_sides(pipeline):
    # countries.yaml `front_sides`: nobody named, on a front with two known sides
    ev = one(pipeline, "On 3 March 2021, monitors recorded 12 explosions of undetermined "
                       "origin near Avdiivka, Donetsk region.")
    assert ev.country == "Ukraine" and ev.actor1 == "Military Forces of Ukraine (2019-)"
    assert ev.actor2 == ""
    ev = one(pipeline, "On 3 March 2021, monitors reported an exchange of fire near Avdiivka, "
                       "Donetsk region.")
    assert (ev.actor1, ev.actor2) == ("Military Forces of Ukraine (2019-)",
                                      "NAF: United Armed Forces of Novorossiya")
    assert (ev.inter1, ev.inter2) == (1, 2)


def test_unattributed_fire_elsewhere_stays_an_unidentified_armed_group(pipeline):
    ev = one(pipeline, "On 3 March 2021, monitors reported an exchange of fire near Kidal, Mali.")
    assert ev.actor1 == ev.actor2 == "Unidentified Armed Group (Mali)"


def test_governmental_positions_are_the_state_military(pipeline):
    ev = one(pipeline, "On 3 March 2021, NAF fighters fired mortars at the governmental "
                       "positions near Avdiivka, Donetsk region.")
    assert ev.actor1 == "NAF: United Armed Forces of Novorossiya"
    assert ev.actor2 == "Military Forces of Ukraine (2019-)"
    ev = one(pipeline, "On 3 March 2021, rebels fired mortars at government positions near "
                       "Kidal, Mali.")
    assert ev.actor2.startswith("Military Forces of Mali")
