"""Notes in the report's own words (extract/notes.py), on sentences written for these tests."""

from __future__ import annotations

from datetime import date

from sitrep.extract.notes import key_passage, write_notes
from sitrep.models import Event, Source


def test_reporting_frame_attribution_and_link_words_are_trimmed():
    s = ("On 3 May, the ministry of defence said that gunmen on motorbikes ambushed a patrol "
         "near the village of Kabia in the Sahel region, according to local sources.")
    key = key_passage([s])
    assert key == ("gunmen on motorbikes ambushed a patrol near the village of Kabia in the "
                   "Sahel region.")
    undated = Event(doc_id="d", event_type="Battles", sub_event_type="Armed clash")
    assert write_notes(undated, key).startswith("Gunmen on motorbikes ambushed")
    assert key_passage(["Meanwhile, two rockets hit the port of Hodeidah on Sunday, "
                        "officials said."]) == "two rockets hit the port of Hodeidah on Sunday."


def test_the_toll_sentence_joins_a_key_sentence_without_one():
    out = key_passage(["Militants stormed a police post in Dera Bugti.",
                       "Residents fled to the hills.",
                       "Three constables were killed and two wounded, a hospital source said."])
    assert out == ("Militants stormed a police post in Dera Bugti. Three constables were "
                   "killed and two wounded.")
    long = "Militants stormed a police post in Dera Bugti " + "and nearby " * 60 + "hills."
    assert len(key_passage([long])) <= 420 and key_passage([long]).endswith("…")


def test_date_phrase_replaces_a_leading_time_phrase_and_sources_close_it():
    ev = Event(doc_id="d", event_type="Explosions/Remote violence",
               sub_event_type="Remote explosive/landmine/IED", event_date="2021-05-04",
               time_precision=1,
               sources=[Source(doc_id="d", outlet="Amaq", role="claim"),
                        Source(doc_id="d", outlet="Kurdistan 24", role="confirmation")])
    key = key_passage(["Yesterday, a roadside bomb hit a convoy in the district of al-Wadi "
                       "in Hasakah."])
    assert write_notes(ev, key) == (
        "On 4 May 2021, a roadside bomb hit a convoy in the district of al-Wadi in Hasakah. "
        "Claimed by Amaq; confirmed by Kurdistan 24.")
    ev.time_precision, ev.sources = 3, []
    assert write_notes(ev, key_passage(["Taliban fighters overran a checkpoint."])) == \
        "In May 2021, Taliban fighters overran a checkpoint."


def test_without_a_key_passage_a_summary_is_written():
    ev = Event(doc_id="d", event_type="Battles", sub_event_type="Armed clash",
               event_date=date(2020, 1, 2).isoformat(), actor1="Al Shabaab",
               location="Baidoa", country="Somalia", fatalities=2)
    assert write_notes(ev) == ("On 2 January 2020, Al Shabaab: armed clash in Baidoa "
                               "(Somalia); 2 fatalities.")


def test_a_wire_dateline_is_no_part_of_the_notes():
    """'MOGADISHU, March 3 (Reuters) -', 'BAMAKO -': where and when the story was filed
    (dates.dateline_end, one home with the dating), not the incident's words."""
    assert key_passage(["MOGADISHU, March 3 (Reuters) - A car bomb exploded near a checkpoint "
                        "in Mogadishu on Wednesday."]).startswith("A car bomb exploded")
    assert key_passage(["BAMAKO - Armed men killed 12 villagers in Ogossagou on Saturday."]
                       ).startswith("Armed men killed")
    assert key_passage(["UN peacekeepers were attacked near Kidal - the third time this month."]
                       ).startswith("UN peacekeepers")


def test_a_later_time_phrase_is_replaced_too():
    ev = Event(doc_id="d", event_type="Riots", sub_event_type="Violent demonstration",
               event_date="2023-07-17", time_precision=1)
    key = key_passage(["Later on Monday evening, dozens of young men set tyres on fire in "
                       "Numaniyah."])
    assert write_notes(ev, key) == ("On 17 July 2023, dozens of young men set tyres on fire in "
                                    "Numaniyah.")
