"""Schema and fact checks for the lexicons in src/sitrep/data (countries, actors, outlets)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pycountry
import pytest
import yaml

DATA = Path(__file__).resolve().parents[1] / "src" / "sitrep" / "data"
EXTRA_ISO = {"PS", "XK", "TW"}
FORCES = {"military", "police", "government"}
SCALES = {"Local partner", "Subnational", "National", "Regional", "International", "New media", "Other"}
ACTOR_KEYS = {"key", "name", "per_country", "variants", "aliases", "alias_variants", "case_sensitive", "inter",
              "countries", "state_like", "force", "unit", "foreign", "years", "note", "shared_aliases",
              "members", "theatres", "pairs"}
OUTLET_KEYS = {"name", "aliases", "party", "zero_fatalities", "scale", "country", "domains", "case_sensitive",
               "ambiguous"}


def _load(name):
    with open(DATA / name, encoding="utf-8") as f:
        return yaml.safe_load(f)


@pytest.fixture(scope="module")
def countries():
    return _load("countries.yaml")


@pytest.fixture(scope="module")
def actors():
    return _load("actors.yaml")


@pytest.fixture(scope="module")
def outlets():
    return _load("outlets.yaml")


def valid_iso(code: str) -> bool:
    return code in EXTRA_ISO or pycountry.countries.get(alpha_2=code) is not None


def _lex():
    from sitrep.extract.lexicon import load_lexicon

    return load_lexicon()


def regime_start(iso: str, when: str) -> int:
    """The start year of the regime the real naming code picks for an event on ISO `when`."""
    from sitrep.extract.actors import regime_label

    _, period = regime_label(_lex(), iso, int(when[:4]), when)
    return int(period[1:5])


def label(iso: str, force: str, when: str) -> str:
    """The state label the extractor gives force `force` of `iso` in an event on `when`."""
    from sitrep.extract.actors import name_actor
    from sitrep.models import ActorRef

    name, inter = name_actor(ActorRef(kind=force, country=iso), _lex(), iso, int(when[:4]), when)
    assert inter == 1, (iso, force, name, inter)
    return name


# ------------------------------------------------------------------ countries
def test_countries_schema(countries):
    assert isinstance(countries, dict)
    for iso, e in countries.items():
        assert valid_iso(iso), iso
        for k in ("name", "label", "demonyms", "aliases", "regimes"):
            assert k in e, (iso, k)
        assert isinstance(e["name"], str) and e["name"], iso
        assert isinstance(e["label"], str) and e["label"], iso
        assert isinstance(e["demonyms"], list) and isinstance(e["aliases"], list), iso
        if e.get("sovereign") is not None:
            assert e["sovereign"] == "" or countries[e["sovereign"]]["regimes"], iso
        for unit_phrase, u in (e.get("units") or {}).items():
            assert u["force"] in FORCES, (iso, unit_phrase)
            # an empty unit label names the force itself ("FARDC": the DRC's military)
            assert isinstance(u["unit"], str), (iso, unit_phrase)


def test_every_un_member_has_regimes(countries):
    sovereign = [iso for iso, e in countries.items() if "sovereign" not in e]
    assert len(sovereign) >= 196  # 193 UN members + PS, XK, TW (+ Vatican)
    for iso in ("PS", "XK", "TW", "SY", "YE", "CD", "SS", "MM", "UA"):
        assert countries[iso]["regimes"], iso


def test_regimes_sorted_and_non_overlapping(countries):
    for iso, e in countries.items():
        regs = e["regimes"]
        for r in regs:
            assert isinstance(r["start"], int) and 1800 < r["start"] < 2100, iso
            if r.get("end") is not None:
                assert r["end"] >= r["start"], iso
            if r.get("start_date"):
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(r["start_date"])), iso
                assert str(r["start_date"]).startswith(str(r["start"])), iso
        for prev, nxt in zip(regs, regs[1:], strict=False):
            assert prev.get("end") is not None, (iso, "only the last regime may be open")
            # ACLED closes a regime in the year the next one starts: touching years are allowed
            assert nxt["start"] >= prev["end"], iso
            assert nxt["start"] > prev["start"], iso
            # needed for the boundary year and for as-of rendering of historical labels
            assert nxt.get("start_date"), (iso, "every successor regime needs start_date")


def test_country_facts(countries):
    """Regime choice and label rendering, through the extractor's own regime_label/name_actor."""
    d = "2020-05-01"
    assert regime_start("IQ", d) == 2018
    assert label("SY", "military", d) == "Military Forces of Syria (2000-2024)"
    assert label("SY", "military", "2025-01-10") == "Military Forces of Syria (2024-)"
    assert label("AF", "police", d) == "Police Forces of Afghanistan (2014-2021)"
    assert label("AF", "military", "2021-09-01") == "Military Forces of Afghanistan (2021-)"
    assert label("AF", "government", "2021-09-01") == "Government of Afghanistan (2021-)"
    assert label("ML", "military", "2019-03-01") == "Military Forces of Mali (2013-2020)"
    assert label("CD", "police", d) == "Police Forces of the Democratic Republic of Congo (2019-)"
    assert label("IN", "police", d) == "Police Forces of India (2014-)"
    assert label("LY", "military", d) == \
        "Military Forces of Libya (2016-2021) Government of National Accord"
    # the changeover year: the later regime applies from its start_date, not from 1 January
    assert regime_start("US", d) == 2017
    assert regime_start("US", "2021-01-19") == 2017
    assert regime_start("US", "2021-01-21") == 2021
    # ACLED's 2020 export still showed AF (2014-) and ML (2013-) open: their successors
    # started after that export's date (see data/README.md on historical exports)
    for iso in ("AF", "ML"):
        regs = countries[iso]["regimes"]
        i = next(k for k, r in enumerate(regs) if r["start"] == regime_start(iso, "2019-03-01"))
        assert str(regs[i + 1]["start_date"]) > "2020-05-16", iso
    assert countries["AF"]["units"]["NDS"] == {"force": "police", "unit": "National Directorate of Security"}
    assert countries["CM"]["units"]["Gendarmerie"]["force"] == "military"
    assert "DRC" in countries["CD"]["aliases"]
    assert "Burma" in countries["MM"]["aliases"]
    coded_2020 = {"AF": 2014, "AM": 2018, "AZ": 2003, "BD": 2009, "BY": 1994, "BF": 2015, "CM": 1982, "CU": 1959,
                  "CD": 2019, "EG": 2014, "FR": 2017, "GR": 2019, "IN": 2014, "ID": 2014, "IR": 1989, "IQ": 2018,
                  "IL": 2009, "LB": 2020, "NG": 2015, "PK": 2018, "PE": 2018, "RU": 2000, "SO": 2017, "ZA": 1994,
                  "SS": 2011, "SY": 2000, "TN": 2019, "TR": 2016, "UA": 2019, "US": 2017, "YE": 2012}
    for iso, start in coded_2020.items():
        assert regime_start(iso, d) == start, iso


def test_regime_label_follows_the_data(monkeypatch):
    """regime_label reads the regimes from the lexicon: a changed start_date moves the
    changeover, an added suffix is rendered."""
    import copy

    from sitrep.extract import lexicon as L
    from sitrep.extract.actors import name_actor
    from sitrep.models import ActorRef

    real = L._load

    def edited(name):
        data = real(name)
        if name == "countries.yaml":
            data = copy.deepcopy(data)
            regs = data["US"]["regimes"]
            nxt = next(r for r in regs if r["start"] == 2021)
            nxt["start_date"] = "2021-03-01"
            nxt["suffix"] = "Test Suffix"
        return data

    monkeypatch.setattr(L, "_load", edited)
    lex = L.load_lexicon.__wrapped__()
    us = ActorRef(kind="military", country="US")
    assert name_actor(us, lex, "US", 2021, "2021-02-01")[0] == \
        "Military Forces of the United States (2017-2021)"
    assert name_actor(us, lex, "US", 2021, "2021-03-02")[0] == \
        "Military Forces of the United States (2021-2025) Test Suffix"


# ------------------------------------------------------------------ actors
def test_actors_schema(actors, countries):
    assert isinstance(actors, list) and len(actors) >= 150
    keys = [a["key"] for a in actors]
    assert len(keys) == len(set(keys))
    for a in actors:
        assert set(a) <= ACTOR_KEYS, (a["key"], set(a) - ACTOR_KEYS)
        for k in ("key", "name", "aliases", "inter", "countries"):
            assert k in a, (a.get("key"), k)
        assert re.fullmatch(r"[a-z0-9_]+", a["key"]), a["key"]
        assert isinstance(a["name"], str) and a["name"].strip() == a["name"] and a["name"], a["key"]
        assert a["inter"] in range(1, 9), a["key"]
        assert a["aliases"] and all(isinstance(x, str) and x for x in a["aliases"]), a["key"]
        assert all(valid_iso(c) for c in a["countries"]), a["key"]
        for c, v in (a.get("variants") or {}).items():
            assert valid_iso(c) and isinstance(v, str) and v, (a["key"], c)
        for al in a.get("alias_variants") or {}:
            assert al in a["aliases"], (a["key"], al)
        cs = a.get("case_sensitive") or []
        assert set(cs) <= set(a["aliases"]), a["key"]
        for al in a["aliases"]:
            if len(al) <= 3:
                assert al in cs, (a["key"], al, "short aliases must be case-sensitive")
        if "state_like" in a:
            assert a["state_like"] in countries, a["key"]
            assert a["inter"] == 1 or a.get("foreign"), a["key"]
        if "force" in a:
            assert a["force"] in FORCES, a["key"]
        if a.get("foreign"):
            assert a["inter"] == 8, a["key"]
        if "years" in a:
            y = a["years"]
            assert set(y) <= {"start", "end", "start_date"} and y, a["key"]
            if "start" in y and "end" in y:
                assert y["start"] <= y["end"], a["key"]
            if "start_date" in y:      # the first day within the start year
                assert str(y["start_date"]).startswith(f"{y['start']}-"), a["key"]


def test_actor_aliases_unique(actors):
    seen: dict[str, str] = {}
    for a in actors:
        cs = set(a.get("case_sensitive") or [])
        shared = set(a.get("shared_aliases") or [])
        for al in a["aliases"]:
            if al in shared:
                continue
            norm = al if al in cs else al.lower()
            assert norm not in seen or seen[norm] == a["key"], (al, seen.get(norm), a["key"])
            seen[norm] = a["key"]
        # and no duplicates inside one actor
        norms = [al if al in cs else al.lower() for al in a["aliases"]]
        assert len(norms) == len(set(norms)), a["key"]


def test_actor_facts(actors):
    by = {a["key"]: a for a in actors}
    isl = by["islamic_state"]
    assert "Daesh" in isl["aliases"] and "IS" in isl["case_sensitive"] and isl["per_country"]
    assert isl["variants"]["NE"] == "Islamic State (Greater Sahara)"
    assert isl["alias_variants"]["ISWAP"] == "Islamic State (West Africa)"
    assert by["houthis"]["state_like"] == "YE" and by["houthis"]["inter"] == 1
    assert by["sdf"]["name"] == "QSD: Syrian Democratic Forces"
    assert by["hts"]["name"] == "HTS: Hayat Tahrir al Sham"
    assert by["restoring_hope"]["inter"] == 8
    assert by["fulani_ethnic_militia"]["inter"] == 4 and by["fulani_ethnic_militia"]["per_country"]
    names = {a["name"] for a in actors}
    for n in ("Taliban", "Al Shabaab", "Hezbollah", "Hamas Movement", "PKK: Kurdistan Workers Party",
              "JNIM: Group for Support of Islam and Muslims", "Mayi Mayi Militia", "ADF: Allied Democratic Forces",
              "Ambazonian Separatists (Cameroon)", "Operation Restoring Hope", "Global Coalition Against Daesh",
              "Opposition Rebels (Syria)", "Military Forces of Libya (2014-) Haftar Faction",
              "Military Forces of Libya (2016-) Government of National Accord"):
        assert n in names, n


# ------------------------------------------------------------------ outlets
def test_outlets_schema(outlets, actors):
    keys = {a["key"] for a in actors}
    names = [o["name"] for o in outlets]
    assert len(names) == len(set(names))
    seen: dict[str, str] = {}
    for o in outlets:
        assert set(o) <= OUTLET_KEYS, (o["name"], set(o) - OUTLET_KEYS)
        for k in ("name", "aliases", "party", "zero_fatalities", "scale", "country"):
            assert k in o, (o.get("name"), k)
        assert o["scale"] in SCALES, o["name"]
        assert isinstance(o["zero_fatalities"], bool), o["name"]
        assert o["country"] == "" or valid_iso(o["country"]), o["name"]
        party = o["party"]
        if party:
            if party.startswith("state:"):
                assert valid_iso(party[6:]), o["name"]
            else:
                assert party in keys, (o["name"], party)
        assert set(o.get("case_sensitive") or []) <= set(o["aliases"]), o["name"]
        for al in o["aliases"]:
            norm = al if al in (o.get("case_sensitive") or []) else al.lower()
            assert norm not in seen or seen[norm] == o["name"], (al, seen.get(norm), o["name"])
            seen[norm] = o["name"]


def test_outlet_facts(outlets):
    by = {o["name"]: o for o in outlets}
    assert by["Amaq"]["party"] == "islamic_state"
    assert by["Voice of Jihad"]["zero_fatalities"] is True
    assert [o["name"] for o in outlets if o["zero_fatalities"]] == ["Voice of Jihad"]
    assert by["SOHR"]["scale"] == "Other"
    assert by["Reuters"]["scale"] == "International"
    assert by["Al Masirah"]["party"] == "houthis"


def test_country_names_unambiguous(countries):
    seen: dict[str, str] = {}
    for iso, e in countries.items():
        # a territory ACLED codes under its sovereign (Hong Kong: China) shares its name
        own = [] if e.get("sovereign") and e["name"] == countries[e["sovereign"]]["name"] \
            else [e["name"]]
        for x in [*own, *e["demonyms"], *e["aliases"]]:
            assert seen.setdefault(x.lower(), iso) == iso, (x, seen[x.lower()], iso)


def test_countries_yaml_and_countries_tsv_agree_on_every_code(countries):
    """The extractor names actors from countries.yaml ("Civilians (X)"), geo names the event's
    country from geo/countries.tsv: for one code both must give the same ACLED name."""
    from sitrep.extract.actors import country_name
    from sitrep.geo.countries import acled_country
    from sitrep.geo.countries import countries as tsv

    historic = {"AN", "CS"}          # dissolved states kept in the TSV for old GeoNames data
    assert set(tsv()) - historic == set(countries)
    lex = _lex()
    for iso in countries:
        assert country_name(lex, iso) == acled_country(iso), iso
    assert acled_country("HK") == acled_country("MO") == "China"
    assert acled_country("AX") == "Aland Islands"
    assert acled_country("VI") == "US Virgin Islands"


def test_cue_and_generic_lexicons_are_valid_regex_lists():
    """Every entry of the cue and generic-actor files is a string that compiles (a YAML
    slip such as an unquoted "(?: x)" turns an entry into a mapping)."""
    from sitrep.extract.lexicon import load_lexicon

    for name in ("triggers.yaml", "generic_actors.yaml"):
        data = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))

        def walk(o, path=name):
            if isinstance(o, dict):
                for k, v in o.items():
                    walk(v, f"{path}/{k}")
            elif isinstance(o, list):
                for x in o:
                    assert isinstance(x, str), (path, x)
                    re.compile(x)

        walk(data)
    assert load_lexicon().cues


# ------------------------------------------------------------------ data the code must read
def _lexicon_with(monkeypatch, name: str, edit):
    """A Lexicon built by the real loader from the data files, `name` changed by `edit`."""
    import copy

    from sitrep.extract import lexicon as L

    real = L._load

    def edited(n):
        data = real(n)
        if n == name:
            data = copy.deepcopy(data)
            edit(data)
        return data

    monkeypatch.setattr(L, "_load", edited)
    return L.load_lexicon.__wrapped__()


def _precisions(text: str, lex) -> list[tuple[str, int]]:
    from datetime import date

    from sitrep.extract import extract_events
    from sitrep.models import Document

    doc = Document(id="t", text=text, body=text, published=date(2020, 5, 5))
    return [(e.event_date, e.time_precision) for e in extract_events(doc, lex)]


AROUND = "On or around 3 May 2020, gunmen killed two farmers in Kankara, Katsina."
GIVE_OR_TAKE = "Give or take 3 May 2020, gunmen killed two farmers in Kankara, Katsina."


def test_as_reported_phrases_come_from_triggers_yaml(monkeypatch):
    """triggers.yaml `as_reported` is what lowers a day-precise date to precision 2: removing
    an entry or adding one changes the extractor's time precision."""
    from sitrep.extract.lexicon import load_lexicon

    assert _precisions(AROUND, load_lexicon()) == [("2020-05-03", 2)]
    assert _precisions(GIVE_OR_TAKE, load_lexicon()) == [("2020-05-03", 1)]

    def drop(data):
        data["as_reported"] = [p for p in data["as_reported"] if "around" not in p]

    assert _precisions(AROUND, _lexicon_with(monkeypatch, "triggers.yaml", drop)) == \
        [("2020-05-03", 1)]
    monkeypatch.undo()

    def add(data):
        data["as_reported"].append("give or take")

    assert _precisions(GIVE_OR_TAKE, _lexicon_with(monkeypatch, "triggers.yaml", add)) == \
        [("2020-05-03", 2)]


FOUND = "On 3 May 2020, the body of a farmer was found near Kankara, Katsina."


def test_body_found_phrases_come_from_triggers_yaml(monkeypatch):
    """triggers.yaml `time_unknown` (a body found) lowers a day-precise date to precision 2:
    without the list the day stays precise."""
    from sitrep.extract.lexicon import load_lexicon

    assert _precisions(FOUND, load_lexicon()) == [("2020-05-03", 2)]

    def drop(data):
        data.pop("time_unknown")

    assert _precisions(FOUND, _lexicon_with(monkeypatch, "triggers.yaml", drop)) == \
        [("2020-05-03", 1)]


def test_state_markers_come_from_generic_actors_yaml(monkeypatch):
    """generic_actors.yaml `state_markers` are the words allowed between a demonym and a
    state noun ("Nigerian border troops"): the list in the file is the one the code uses."""
    from sitrep.extract.actors import find_actors
    from sitrep.extract.lexicon import load_lexicon

    def troops_country(text, lex):
        return [m.ref.country for m in find_actors(text, lex) if m.ref.kind == "military"]

    border = "Nigerian border troops fired at protesters in Lagos."
    para = "Nigerian paramilitary troops fired at protesters in Lagos."
    assert troops_country(border, load_lexicon()) == ["NG"]
    assert troops_country(para, load_lexicon()) == [""]

    def drop(data):
        data["state_markers"].remove("border")

    assert troops_country(border, _lexicon_with(monkeypatch, "generic_actors.yaml", drop)) == [""]
    monkeypatch.undo()

    def add(data):
        data["state_markers"].append("paramilitary")

    assert troops_country(para, _lexicon_with(monkeypatch, "generic_actors.yaml", add)) == ["NG"]


def test_shared_unit_phrase_takes_the_event_countrys_own_force():
    """'Gendarmerie' is listed by many countries: the event country's own entry decides the
    force (police in Mali and Burkina Faso, military in Cameroon); Brazil's Military Police
    are military forces."""
    from sitrep.extract.actors import find_actors, name_actor

    lex = _lex()

    def named(sent, iso, when="2020-05-01"):
        m = find_actors(sent, lex)[0]
        return name_actor(m.ref, lex, iso, int(when[:4]), when)[0]

    assert named("Gendarmes were attacked near the town.", "ML").startswith(
        "Police Forces of Mali (2013-")
    assert named("Gendarmes were attacked near the town.", "BF").startswith(
        "Police Forces of Burkina Faso (2015-")
    assert named("Gendarmes were attacked near the town.", "CM").startswith(
        "Military Forces of Cameroon (1982-")
    assert named("Military Police officers raided a house.", "BR").endswith(") Military Police")
    assert named("Military Police officers raided a house.", "BR").startswith(
        "Military Forces of Brazil")
    assert named("Federal police agents seized cocaine.", "BR").endswith(") Federal Police")
    assert named("Federal police agents seized cocaine.", "BR").startswith("Police Forces of Brazil")


def test_organised_crime_killing_by_unknown_perpetrators_is_a_gang_where_coded_so():
    """Bound hands, a beheading or a drive-by mark a gang killing: the unknown perpetrator is
    'Unidentified Gang (Mexico)', Brazil's own label there, and stays an armed group where the
    country's coding does not do so (or there is no such mark)."""
    from sitrep.extract.actors import mark_gang_signs, name_actor
    from sitrep.models import ActorRef, Event

    lex = _lex()

    def perpetrator(text, iso):
        ev = Event(doc_id="t", event_type="Violence against civilians", sub_event_type="Attack",
                   actors1=[ActorRef(kind="unidentified")])
        mark_gang_signs(ev, text, lex)
        return name_actor(ev.actors1[0], lex, iso, 2021, "2021-03-02")[0]

    tied = "The body of a trader was found by a road with his hands tied and gunshot wounds."
    assert perpetrator(tied, "MX") == "Unidentified Gang (Mexico)"
    assert perpetrator("Two men on a motorbike killed a taxi driver in a drive-by shooting.",
                       "SV") == "Unidentified Gang (El Salvador)"
    assert perpetrator(tied, "BR") == "Unidentified Gang and/or Police Militia"
    assert perpetrator(tied, "SY") == "Unidentified Armed Group (Syria)"
    assert perpetrator("Two armed men shot a shopkeeper dead.", "MX") == \
        "Unidentified Armed Group (Mexico)"


def test_state_labels_as_of_a_day_show_a_later_ended_regime_open():
    """As an export of that day showed them: Syria's regime is '(2000-)' as of 2020 and
    '(2000-2024)' once its successor has started; the default is today's label."""
    from sitrep.extract.actors import name_actor
    from sitrep.models import ActorRef

    lex, sy = _lex(), ActorRef(kind="military", country="SY")
    assert name_actor(sy, lex, "SY", 2020, "2020-05-01")[0] == "Military Forces of Syria (2000-2024)"
    assert name_actor(sy, lex, "SY", 2020, "2020-05-01", as_of="2020-05-03")[0] == \
        "Military Forces of Syria (2000-)"
    assert name_actor(sy, lex, "SY", 2020, "2020-05-01", as_of="2025-01-01")[0] == \
        "Military Forces of Syria (2000-2024)"
    af = ActorRef(kind="police", country="AF")
    assert name_actor(af, lex, "AF", 2021, "2021-06-01", as_of="2021-06-02")[0] == \
        "Police Forces of Afghanistan (2014-)"


def test_pipeline_can_name_state_actors_as_of_publication():
    from sitrep.pipeline import Pipeline

    text = "On 3 May 2020, Syrian regime forces shelled the village of Kansafra in Idlib."
    now = Pipeline(use_geo=False).run_text(text, date(2020, 5, 4))
    then = Pipeline(use_geo=False, labels_as_published=True).run_text(text, date(2020, 5, 4))
    assert now[0].actor1 == "Military Forces of Syria (2000-2024)"
    assert then[0].actor1 == "Military Forces of Syria (2000-)"


def test_evaluation_names_state_actors_as_the_historical_export_did():
    from sitrep.evaluate import make_pipeline

    assert make_pipeline().labels_as_published is True


def test_a_unit_phrase_several_countries_use_takes_the_plainest_label():
    from sitrep.extract import load_lexicon

    iso, force, unit = load_lexicon().unit_map["border guard"]
    assert (iso, force, unit) == ("", "police", "Border Guard")
