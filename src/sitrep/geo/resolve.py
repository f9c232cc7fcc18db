"""Choose and code an event's location from the place mentions found by the extractor.

``place_event(event, body, gazetteer)`` fills location, coordinates, admin units, country,
iso, region and geo_precision (CODEBOOK section 5):
  1  the named town itself (or a base / named site);
  2  near / outskirts / countryside of a town, an unlisted village coded to its district's
     town or to the town named as its context, or a district resolved to its main town;
  3  only a province / region (or a natural feature) known: coded to its largest town.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from pathlib import Path

from sitrep.models import (
    FRONT_KEYS,
    MASTHEAD_WORDS,
    PHRASE_END_WORDS,
    PLACE_FIELDS,
    Event,
    Place,
    PlaceMention,
)

from . import countries as _countries
from .distance import haversine_km
from .fronts import NEAR_KM, Front, front_for
from .gazetteer import Gazetteer
from .normalize import cached_normalize as _norm
from .normalize import normalize

_STOPLIST = Path(__file__).with_name("stoplist.txt")
_RESTRICTED = Path(__file__).with_name("restricted.txt")
_LEADS = Path(__file__).with_name("leads.txt")
ADMIN_FEATURES = ("A1", "A2", "A3", "PCLI")
_NATURAL = {"MT", "MTS", "HLL", "HLLS", "VAL", "PLN", "DSRT", "OAS", "ISL", "ISLS", "PEN",
            "AREA", "RGN", "RGNE", "FRST", "WAD", "LCTY", "PASS"}
_KIND_WANT = {"province": "A1", "region": "A1", "state": "A1", "governorate": "A1",
              "district": "A2", "county": "A2", "city": "P", "town": "P", "village": "P",
              "neighbourhood": "P", "neighborhood": "P"}

_default_gaz: Gazetteer | None = None


def default_gazetteer() -> Gazetteer:
    global _default_gaz
    if _default_gaz is None:
        _default_gaz = Gazetteer.load()
    return _default_gaz


@lru_cache(maxsize=1)
def stoplist() -> frozenset[str]:
    words = set()
    with open(_STOPLIST, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#"):
                words.add(normalize(line))
                words.add(" ".join(line.lower().split()))
    return frozenset(words)


@lru_cache(maxsize=1)
def restricted() -> dict[str, frozenset[str]]:
    """Names that are places only in some countries (restricted.txt): key -> ISO2 codes."""
    out: dict[str, frozenset[str]] = {}
    with open(_RESTRICTED, encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and not line.startswith("#") and "\t" in line:
                name, codes = line.rstrip("\n").split("\t", 1)
                out[normalize(name)] = frozenset(c.strip().upper() for c in codes.split(","))
    return out


@lru_cache(maxsize=1)
def name_leads() -> frozenset[str]:
    """leads.txt: words that open a place name without naming another place."""
    with open(_LEADS, encoding="utf-8") as fh:
        return frozenset(w for line in fh if (w := line.split("#", 1)[0].strip().lower()))


@lru_cache(maxsize=1)
def demonyms() -> frozenset[str]:
    """Demonyms of the country lexicon ("Iranian", "Syrians"): a people, never a place."""
    data = _countries.lexicon_countries()
    return frozenset(normalize(d) for c in data.values() if isinstance(c, dict)
                     for d in c.get("demonyms") or ())


def is_stopped(text: str) -> bool:
    """True for a mention that must never resolve to a place ("Amaq", "Jazeera Storm",
    "Iranian")."""
    k = _norm(text)
    if not k or k in stoplist() or k in demonyms():
        return True
    toks = k.split()
    return all(t in stoplist() for t in toks)


def _clean(text: str) -> str:
    t = text.strip().strip(",.;:()\"'#")
    if t.lower().startswith("the "):
        t = t[4:]
    return t


def _ok(gaz: Gazetteer, text: str, i: int, exact: bool) -> bool:
    """Filter weak hits: short single words need a populated or admin entry."""
    f = gaz.feat[i]
    key = _norm(text)
    if " " not in key and len(key) < 4:
        return f in ADMIN_FEATURES or (f == "P" and int(gaz.pop[i]) > 0)
    if not exact:
        return int(gaz.pop[i]) > 0 or f in ADMIN_FEATURES
    return True


def scored_candidates(mention: PlaceMention | str, gaz: Gazetteer, country: str | None = None,
                      admin_context=(), want: str = "", hints=(), strong=(),
                      front: Front | None = None) -> list[tuple[float, int]]:
    """(score, entry index) for a mention, best first, after stoplist, filters, context.
    ``front``: the event is fire on that front, so a namesake on it comes first."""
    text = mention if isinstance(mention, str) else mention.text
    if not want and not isinstance(mention, str):
        want = _KIND_WANT.get(mention.kind_hint, "")
    text = _clean(text)
    if not text or is_stopped(text):
        return []
    out = []
    own = _norm(text)
    # "Hyderabad city (Hyderabad, Sindh)": a district named after its town says nothing about
    # which town of that name; the province does
    ctx = [c for c in admin_context if c and not is_stopped(c) and _norm(_clean(c)) != own]
    ctx_cc: set[str] = set()
    # the countries in which a unit the text names is an admin unit ("X (Mendoza)": Argentina)
    admin_cc: set[str] = set()
    big = False
    for unit in ctx:
        iso = _countries.country(unit)
        if iso:
            ctx_cc.add(iso)
            big = True
            continue
        # every country where the unit name exists as an admin unit or a real town, and then
        # its smaller namesakes too ("Arnissa of Pella": a town of 2,500)
        for k, (_, j, e) in enumerate(gaz.candidates(unit)):
            if e:
                ctx_cc.add(gaz.cc[j])
                big = big or gaz.feat[j] in ADMIN_FEATURES or int(gaz.pop[j]) >= 5000
                if k < 8 and gaz.feat[j] in ("A1", "A2"):
                    admin_cc.add(gaz.cc[j])
    if not big:
        ctx_cc = set()
    hints = [h for h in hints if h]
    if strong:
        hints = [h for h in hints if h in strong]   # the text names the country: trust that
    only = restricted().get(own)
    for s, i, exact in gaz.candidates(text, country=country, want=want):
        if not _ok(gaz, text, i, exact):
            continue
        if only is not None and gaz.cc[i] not in only:
            continue
        cc = gaz.cc[i]
        if hints:
            if cc in hints:
                s += 500 - 60 * hints.index(cc) if cc != (country or "") else 0
            elif not exact:
                continue   # a loose spelling match in a country the text never points to
            elif int(gaz.pop[i]) < 100000 and gaz.feat[i] == "P":
                if strong:
                    continue   # a small namesake abroad, when the text names the country
                s -= 300
        elif not exact and int(gaz.pop[i]) < 50000 and not any(
                gaz.contains(i, u) for u in ctx):
            continue   # a loose spelling of a small place, unless inside a unit the text names
        if gaz.feat[i] == "PCLI" and ctx:
            continue
        if gaz.feat[i] == "P" and getattr(mention, "kind_hint", "") == "landmark":
            continue   # "the X": a region, a feature or a building, not a town
        if front is not None and cc == front.country and gaz.feat[i] == "P":
            # a frontline namesake first, a listed place before an unlisted one: outweighs
            # population (10 per decade), not the country or the units the text names
            km = front.distance(float(gaz.lat[i]), float(gaz.lon[i]))
            s += (150 if km <= NEAR_KM else 0) + (100 if km <= 2 else 0)
        inside = False
        for unit in ctx:
            if gaz.contains(i, unit):
                s += 300 if inside else 700     # each further unit the text names: more
                inside = True
        if ctx_cc and not inside and gaz.cc[i] not in ctx_cc:
            if not exact or int(gaz.pop[i]) < 100000:
                continue
            s -= 400   # a large city named outright, with context in another language
        if len(_norm(text)) <= 4 and _norm(gaz.names[i]) != _norm(text) and \
                cc not in hints and cc not in ctx_cc:
            continue   # a short alias of some other place, with nothing to confirm it
        if ctx and not exact and not inside:
            continue   # a loose spelling match outside the units the text names
        if not exact and not hints and not ctx:
            continue   # a loose spelling match with nothing to confirm it
        if ctx and not inside and gaz.feat[i] == "P" and any(
                _is_admin_in(gaz, u, cc) for u in ctx):
            continue   # a namesake outside the province the text names: code to the unit
        if ctx and not inside and admin_cc and cc not in admin_cc and cc not in hints:
            continue   # a namesake in a country where no unit the text names is a province
        out.append((s, i))
    out.sort(key=lambda t: -t[0])   # stable: ties keep the gazetteer order
    return out


NEIGHBOURHOOD_KM = 25   # a neighbourhood lies this close to the town it is given in


def _town_of(m: PlaceMention, mentions, cands, gaz: Gazetteer, hint, hints, strong
             ) -> int | None:
    """The first town `m` is given in that resolves, through the units that town is given in
    in turn ("Saray of Kahramankazan", "Kahramankazan (Kazan), Ankara": Kazan in Ankara)."""
    seen = set()
    todo = [(name, m.context[k + 1:]) for k, name in enumerate(m.context)]
    while todo:
        name, rest = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        other = next((j for j, x in enumerate(mentions) if x.text == name and x is not m), None)
        c = cands[other] if other is not None else scored_candidates(
            name, gaz, hint, rest, hints=hints, strong=strong)
        c = [x for x in c if gaz.feat[x[1]] == "P"]
        if c:
            return c[0][1]
        if other is not None:
            ctx = mentions[other].context
            todo += [(n, ctx[k + 1:]) for k, n in enumerate(ctx)]
    return None


CITY_OF_DISTRICT_POP = 100_000   # a city big enough to have predefined districts


def _city_of_district(m: PlaceMention, gaz: Gazetteer, hint, ctx, hints, strong
                      ) -> list[tuple[float, int]]:
    """CODEBOOK 5: city districts are "City - District" ("Mogadishu-Hodan", "Athens-North
    Athens"); a district the gazetteer does not list is coded to its city."""
    text = _clean(m.text)
    if m.kind_hint in ("road", "province"):
        return []    # "the Kabul-Jalalabad highway", "Jammu-Kashmir": not a city's district
    parts = re.split(r"\s*-\s*", text, maxsplit=1)
    if len(parts) < 2 or len(parts[0]) < 3 or not parts[1]:
        return []
    head, tail = parts

    def cities(name):
        return [(s, i) for s, i in scored_candidates(name, gaz, hint, ctx, hints=hints,
                                                    strong=strong)
                if gaz.feat[i] == "P" and int(gaz.pop[i]) >= CITY_OF_DISTRICT_POP and
                normalize(gaz.names[i]) == normalize(name)]

    if cities(tail):
        return []    # two cities: a road or corridor between them ("Kabul-Jalalabad")
    return cities(head)


def _is_admin_in(gaz: Gazetteer, unit: str, cc: str) -> bool:
    """Is `unit` an admin unit of country `cc` in the gazetteer?"""
    return any(e and gaz.cc[j] == cc and gaz.feat[j] in ("A1", "A2")
               for _, j, e in gaz.candidates(unit, country=cc)[:3])


def resolve_mention(mention: PlaceMention | str, gazetteer: Gazetteer,
                    country: str | None = None, admin_context=()) -> Place | None:
    """The best gazetteer entry for one mention (stoplist, country, containment, population)."""
    ctx = list(admin_context)
    if isinstance(mention, PlaceMention):
        ctx += [c for c in mention.context if c not in ctx]
    cands = scored_candidates(mention, gazetteer, country, ctx)
    return gazetteer.place(cands[0][1]) if cands else None


def _precision(gaz: Gazetteer, i: int, m: PlaceMention) -> int:
    f = gaz.feat[i]
    if f == "A1" or f == "PCLI" or f in _NATURAL:
        return 3
    if f in ("A2", "A3"):
        return 2     # a district: its admin2 or admin3 unit
    if f == "P" and m.kind_hint in ("province", "region", "governorate", "state"):
        return 3
    if f == "P" and m.kind_hint in ("district", "county"):
        return 2
    return 2 if m.role == "near" else 1


def place_event(event: Event, body: str, gazetteer: Gazetteer) -> None:
    """Choose the event location from ``event.places`` and fill the event's geo fields."""
    gaz = gazetteer
    hint = (event.country_hint or "").upper() or None
    hints = [h.upper() for h in (event.country_hints or ([hint] if hint else []))]
    strong = [h.upper() for h in event.strong_hints]
    mentions = [m for m in event.places if m.text and not is_stopped(_clean(m.text))]
    admin_texts = [_clean(m.text) for m in mentions if m.role == "admin"]
    front = front_of(event, [hint, *hints])
    # a unit the text places the event in that is a province of one country, or of one of the
    # countries the text points to ("Gordi (Mamprugo Moaduri, North East)": Ghana's region,
    # though Fulani point to Nigeria first), says which country it is in
    unit_cc: set[str] = set()
    for m in mentions:
        for u in m.context:
            unit_cc |= _countries.subdivision_countries(_clean(u))
    pick = [h for h in hints if h in unit_cc] if hints else sorted(unit_cc)
    if len(pick) == 1 and pick[0] != hint:
        hint = pick[0]
        hints = [hint] + [h for h in hints if h != hint]

    # countries named as places become hints, never locations
    for m in mentions:
        iso = _countries.country(_clean(m.text))
        if iso:
            event.hint_spans.setdefault(iso.upper(), (m.start, m.end))   # its words
        if iso and not hint:
            c = gaz.candidates(_clean(m.text))
            if c and gaz.feat[c[0][1]] == "PCLI":
                hint = iso
                hints.insert(0, iso)

    # first pass: each mention's candidates with its own context, then the units the other
    # mentions name ("at X village under Y police station in Z district (Bihar)")
    event_ctx = [c for mm in mentions for c in mm.context]
    cands: list[list[tuple[float, int]]] = []
    for m in mentions:
        ctx = list(m.context) + ([] if m.role == "admin" else
                                 [a for a in admin_texts if a not in m.context])
        ctx += [c for c in event_ctx if c not in ctx and c != m.text]
        c = scored_candidates(m, gaz, hint, ctx, hints=hints, strong=strong, front=front)
        if not c:
            c = _city_of_district(m, gaz, hint, ctx, hints, strong)
        cands.append(c)

    # a neighbourhood lies in the town it is given in ("Saray neighbourhood of Kahramankazan
    # (Kazan), Ankara"): a namesake far from that town is another place, and the town (or the
    # unit it is given in) is where it happened
    for k, (m, c) in enumerate(zip(mentions, cands, strict=True)):
        if m.kind_hint != "neighbourhood" or not c or not m.context:
            continue
        town = _town_of(m, mentions, cands, gaz, hint, hints, strong)
        if town is not None:
            cands[k] = [x for x in c if haversine_km(
                gaz.lat[x[1]], gaz.lon[x[1]], gaz.lat[town], gaz.lon[town]) <= NEIGHBOURHOOD_KM]

    # second pass: agreement with the other mentions' best guesses (distance)
    # only a mention that is sure of its place vouches for the others' ("El Palmar", found in
    # a dozen countries, must not pull "Leon" to Nicaragua)
    tops = [(k, c[0][1]) for k, c in enumerate(cands) if c and
            (len(c) == 1 or c[0][0] - c[1][0] >= 200 or gaz.cc[c[0][1]] == gaz.cc[c[1][1]])]
    if tops and sum(1 for c in cands if c) > 1:
        for k, c in enumerate(cands):
            if len(c) < 2:
                continue
            others = [i for kk, i in tops if kk != k and gaz.feat[i] != "PCLI"]
            if not others:
                continue
            rescored = []
            for s, i in c:
                d = min(haversine_km(gaz.lat[i], gaz.lon[i], gaz.lat[j], gaz.lon[j])
                        for j in others)
                s += 250 if d < 100 else 120 if d < 400 else 0
                rescored.append((s, i))
            rescored.sort(key=lambda t: -t[0])   # stable: ties keep the gazetteer order
            cands[k] = rescored

    # a loose spelling far from the town the sentence measures from ("the village of Kabaya,
    # about 20 km north of Goma": Kabeya-Kamwanga, 600 km off, is another place): the town
    # stands for it (CODEBOOK 5: an unlisted village goes to the nearest listed town, 2)
    bearings = [c[0][1] for m, c in zip(mentions, cands, strict=True)
                if m.role == "near" and c and c[0][1] in dict(tops).values()]
    for k, (m, c) in enumerate(zip(mentions, cands, strict=True)):
        if m.role == "in" and c and bearings and not any(
                e and i == c[0][1] for _, i, e in gaz.candidates(_clean(m.text))) and all(
                haversine_km(gaz.lat[c[0][1]], gaz.lon[c[0][1]], gaz.lat[j], gaz.lon[j]) > 150
                for j in bearings):
            cands[k] = []
    # a mention that names the province of another mention's place is context, not the
    # location ("Darbasiyah countryside in al-Hasakeh", "Tal Tamer ... in Al-Hasakeh")
    for k, (m, c) in enumerate(zip(mentions, cands, strict=True)):
        if m.role not in ("in", "near") or not c:
            continue
        for j, (m2, c2) in enumerate(zip(mentions, cands, strict=True)):
            if j != k and m2.role in ("in", "near") and c2 and \
                    gaz.feat[c[0][1]] == "P" and gaz.contains(c[0][1], _clean(m2.text)) and \
                    not gaz.contains(c2[0][1], _clean(m.text)):
                cands[j] = []
    chosen: tuple[PlaceMention, int] | None = None
    for roles in (("in", "near"), ("admin",), ("other",)):
        for m, c in zip(mentions, cands, strict=True):
            if m.role in roles and c:
                i = c[0][1]
                if m.role == "other" and (gaz.cc[i] not in hints if hints else
                                          int(gaz.pop[i]) < 50000 and
                                          gaz.feat[i] not in ADMIN_FEATURES) and \
                        not any(gaz.contains(i, u) for u in m.context):
                    continue   # a place named in passing, with nothing tying it to the event
                if gaz.feat[i] == "PCLI":
                    hint = hint or gaz.cc[i]
                    continue
                chosen = (m, i)
                break
        if chosen:
            break
        if roles in (("in", "near"), ("other",)):
            # an unlisted village: code it to the town or district named as its context
            for m in mentions:
                if m.role not in roles or not m.context:
                    continue
                for k, unit in enumerate(m.context):
                    um = next((x for x in mentions if x.text == unit and x is not m), None)
                    # "(Pobe-Mengao, Soum)": the units a village is given in are admin units
                    want = _KIND_WANT.get(um.kind_hint, "") if um else "A2"
                    c = scored_candidates(unit, gaz, hint, m.context[k + 1:], want=want,
                                          hints=hints, strong=strong, front=front)
                    if c and gaz.feat[c[0][1]] != "PCLI":
                        i = c[0][1]
                        # a province coded to its town of the same name: that town, 2
                        prec = 3 if gaz.feat[i] == "A1" and (
                            want == "A1" or normalize(gaz.names[int(gaz.anchor[i])]) !=
                            normalize(_clean(unit))) else 2
                        _fill(event, gaz, i, prec)
                        event.add_evidence("location", m.start, m.end, body)
                        _text_admin1(event, gaz, i, event_ctx)
                        return
    if chosen is not None and not strong:
        chosen = _coherent(chosen, mentions, cands, gaz, hints)
    if chosen is None and body and event.sentence_end > event.sentence_start:
        # no phrase the extractor offered resolves: spot gazetteer names in the report itself
        # ("Car bomb hits Kabul", "Ramallah clashes"), countries and stoplisted words aside
        text = body[event.sentence_start:event.sentence_end]
        letters = [ch for ch in text if ch.isalpha()]
        shouting = letters and sum(ch.isupper() for ch in letters) > 0.6 * len(letters)
        for m in ([] if shouting else find_places(text, gaz)):
            if _countries.country(_clean(m.text)):
                continue   # a country is a hint, never a town ("Bangladesh" the neighbourhood)
            a, b = m.start + event.sentence_start, m.end + event.sentence_start
            if any(ev.field in ("actor1", "actor2", "source") and not (b <= ev.start or
                                                                      a >= ev.end)
                   for ev in event.evidence):
                continue   # part of an actor's or outlet's name ("Boko Haram")
            m = PlaceMention(m.text, m.start + event.sentence_start,
                             m.end + event.sentence_start, "in", m.kind_hint, m.context)
            c = scored_candidates(m, gaz, hint, m.context, hints=hints, strong=strong, front=front)
            c = [x for x in c if gaz.feat[x[1]] != "PCLI"]
            if any(a <= m.start < b for a, b in event.datelines):
                # the city a wire story was filed from ("BANGKOK (AP) -" over a strike in
                # Myanmar, a regional bureau's): the place only in the country the text
                # points to first, or when it points to none
                c = [x for x in c if gaz.cc[x[1]] == hint] if hint else c
                if any(m2.role in ("in", "near") and _countries.country(_clean(m2.text))
                       for m2 in event.places):
                    c = []   # "ABUJA (GNS) - militants attacked a base in northeastern
                    # Nigeria": the text says the place is somewhere in the country, not
                    # the city the story was filed from
            big = [x for x in c if int(gaz.pop[x[1]]) >= 20000 or gaz.feat[x[1]] in ADMIN_FEATURES]
            inside = [x for x in c if gaz.cc[x[1]] in hints] if hints else big
            # outside the hinted countries only a real town (foreign forces act abroad), not
            # an admin unit ("Sixty Young Children Trapped in Myanmar Junta Raid": Young
            # County, Texas)
            c = inside or ([] if strong else [x for x in big if not hints or
                                              gaz.feat[x[1]] not in ADMIN_FEATURES])
            if c:
                chosen = (m, c[0][1])
                break
    if chosen is None:
        fill_country(event, hint or "")
        if hint and event.event_type == "Strategic developments":
            # ACLED codes countrywide strategic developments to the capital (precision 3)
            cap = [i for _, i, e in gaz.candidates(event.country) if e and
                   gaz.feat[i] == "PCLI" and gaz.cc[i] == hint]
            if cap:
                _fill(event, gaz, cap[0], 3)
        return
    m, i = chosen
    prec = _precision(gaz, i, m)
    if m.role == "admin" and gaz.feat[i] == "P":
        prec = max(prec, 2)
    _fill(event, gaz, i, prec)
    event.add_evidence("location", m.start, m.end, body)
    _text_admin1(event, gaz, i, event_ctx + [x.text for x in mentions if x is not m])


COHERENT_KM = 400   # the places of one report lie this close together


def _coherent(chosen: tuple[PlaceMention, int], mentions, cands, gaz: Gazetteer, hints
              ) -> tuple[PlaceMention, int]:
    """The places of one report lie together (spatial minimality, as in toponym resolution):
    a chosen place that no other mention of the event can lie near, in a country the text
    does not point to, yields to a place of an in/near/admin mention that one or more of the
    other mentions can lie near, where the chosen name has no namesake ("the Palma bridge
    near Bohssas on the Tripoli highway": Bohssas, which a Tripoli lies near, not Palma de
    Mallorca). Where the chosen name has one, the agreement between mentions decided."""
    m0, i0 = chosen
    if gaz.cc[i0] in hints:
        return chosen
    pts = [[(float(gaz.lat[i]), float(gaz.lon[i])) for _, i in c if gaz.feat[i] != "PCLI"]
           for c in cands]
    keys = [_norm(_clean(m.text)) for m in mentions]

    def near(i: int, ps) -> bool:
        la, lo = float(gaz.lat[i]), float(gaz.lon[i])
        return any(haversine_km(la, lo, a, b) <= COHERENT_KM for a, b in ps)

    def support(k: int, i: int) -> int:
        return sum(1 for kk, ps in enumerate(pts) if keys[kk] != keys[k] and near(i, ps))

    k0 = next(k for k, m in enumerate(mentions) if m is m0)
    if support(k0, i0):
        return chosen
    for roles in (("in", "near"), ("admin",)):
        for k, (m, c) in enumerate(zip(mentions, cands, strict=True)):
            if m.role not in roles or k == k0:
                continue
            for _, i in c:
                if gaz.feat[i] == "PCLI" or not support(k, i):
                    continue
                if near(i, pts[k0]):
                    return chosen   # the chosen name has a namesake there: agreement's call
                return m, i
    return chosen


def _clear(ev: Event) -> None:
    for f in PLACE_FIELDS:
        setattr(ev, f, None if f in ("latitude", "longitude", "geonameid", "iso",
                                     "geo_precision") else "")
    ev.evidence = [e for e in ev.evidence if e.field != "location"]


def document_country(events: list[Event]) -> str:
    """The country a page is about: the one its events' strong cues (a country or its admin
    units named, a group's home) and their placed locations agree on; "" when none leads."""
    from collections import Counter

    votes: Counter = Counter()
    for ev in events:
        for iso in dict.fromkeys(h.upper() for h in ev.strong_hints):
            votes[iso] += 2
        if ev.country_code:
            votes[ev.country_code] += 1
            if ev.country_code in (h.upper() for h in ev.strong_hints):
                votes[ev.country_code] += 1
    if not votes:
        return ""
    (top, n), *rest = votes.most_common(2) + [("", 0)]
    return top if n >= 3 and n >= 2 * rest[0][1] else ""


SAME_PLACE_KM = 15    # two tellings placed this close are one place (a village, its town)


def same_place(a: Event, b: Event, km: float = SAME_PLACE_KM) -> bool:
    """Two placed events are at one place: the same gazetteer entry, or within ``km``
    (places with no GeoNames id, such as fronts.tsv's villages, by distance alone)."""
    if a.latitude is None or b.latitude is None:
        return False
    return (a.geonameid is not None and a.geonameid == b.geonameid) or \
        haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) <= km


def _by_site(ev: Event, body: str, gaz: Gazetteer) -> list[Event]:
    """CODEBOOK 1: several places give one event each. A report whose place phrase
    coordinates several places, each with its own units ("clashed in Al Amir (As Sawmaah,
    Al Bayda) and Dhirwah (Mukayras, Al Bayda)"), is one event per distinct place the
    gazetteer finds, the toll split evenly (the first ones take the remainder, CODEBOOK 6).
    Places that fall back to one unit ("at Khaulian and Penga villages in Baghsar sector",
    neither listed) stay one event there."""
    groups: dict[int, list[PlaceMention]] = {}
    for m in ev.places:
        if m.group and m.role in ("in", "near"):
            groups.setdefault(m.group, []).append(m)
    sites = next((g for g in groups.values() if len(g) > 1), None)
    if sites is None:
        place_event(ev, body, gaz)
        return [ev]
    copies: dict[object, Event] = {}
    for m in sites:
        c = copy.deepcopy(ev)
        c.places = [m] + [p for p in ev.places if p.group != m.group]
        place_event(c, body, gaz)
        # one event per distinct place: a GeoNames id, or the point of a place without one
        key = c.geonameid if c.geonameid is not None else (
            (c.latitude, c.longitude) if c.latitude is not None else None)
        if key is not None and key not in copies:
            copies[key] = c
    if len(copies) < 2:
        place_event(ev, body, gaz)
        return [ev]
    out = list(copies.values())
    for f in ("fatalities", "injured"):
        n = getattr(ev, f) or 0
        base, rest = divmod(n, len(out))
        for k, c in enumerate(out):
            setattr(c, f, base + (1 if k < rest else 0))
    for c in out:
        c.site = c.location
    return out


FIRE_TYPES = ("Battles", "Explosions/Remote violence")


def front_of(event: Event, countries) -> Front | None:
    """The front (fronts.tsv) an event is fire on: a battle or remote violence, on its day,
    in one of `countries` (the ones the text points to), with an actor of that front: a side,
    or the unnamed shooter that naming codes between the sides (countries.yaml
    `front_sides`)."""
    if event.event_type not in FIRE_TYPES:
        return None
    for cc in dict.fromkeys(c for c in countries if c):
        fr = front_for(cc, event.event_date)
        if fr is None:
            continue
        for r in event.actors1 + event.actors2:
            if r.key in FRONT_KEYS or r.key in fr.sides or (
                    r.kind in fr.sides and (r.country or cc).upper() == fr.country):
                return fr
    return None


def place_events(events: list[Event], body: str, gazetteer: Gazetteer) -> str:
    """Place every event of one document, then hold them to the document's country (issue
    15: a page-level prior): an event placed in another country that its own sentences give
    no cue for, 1,000 km or more from the page's other events and its capital (a namesake
    abroad, not a raid across a border), is placed again from the document's country, or
    keeps only that country. Returns the country ("" if the page has no clear one)."""
    placed: list[Event] = []
    for ev in events:
        placed += _by_site(ev, body, gazetteer)
    events[:] = placed
    doc = document_country(events) if len(events) > 1 else ""
    if not doc:
        return ""
    home = [(e.latitude, e.longitude) for e in events
            if e.country_code == doc and e.latitude is not None]
    gaz = gazetteer
    home += [(float(gaz.lat[i]), float(gaz.lon[i])) for _, i, e in
             gaz.candidates(_countries.acled_country(doc))[:3]
             if e and gaz.feat[i] == "PCLI" and gaz.cc[i] == doc][:1]   # its capital
    for ev in events:
        own = [h.upper() for h in ev.country_hints + ev.strong_hints]
        if not ev.country_code or ev.country_code == doc or ev.country_code in own:
            continue
        if ev.latitude is not None and min(
                (haversine_km(ev.latitude, ev.longitude, la, lo) for la, lo in home),
            default=1e9) < 1000:
            continue        # across a border from the page's other events: may well be so
        hints = (ev.country_hints, ev.strong_hints, ev.country_hint)
        ev.country_hints = [doc] + [h for h in ev.country_hints if h.upper() != doc]
        ev.strong_hints = [doc]
        ev.country_hint = doc
        _clear(ev)
        place_event(ev, body, gazetteer)
        ev.country_hints, ev.strong_hints, ev.country_hint = hints
        if ev.country_code != doc:      # nothing at home: the country, not a namesake abroad
            _clear(ev)
            fill_country(ev, doc)
    return doc


def country_evidence(events: list[Event], body: str, told: list[Event] = ()) -> None:
    """An event whose country no place of its own says gets the words that point to that
    country as its country's evidence: its own ("Italian", "the LNA", "in northern Mali"),
    else the page's (another event's place or words for the same country, also of the
    ``told`` events folded into others since they were placed). One the text
    gives no words for keeps none (`evaluate`'s ``country_unsupported``: issue 16)."""
    page: dict[str, tuple[int, int]] = {}    # the page's own words for each country
    for ev in [*events, *told]:
        for e in ev.evidence:
            if e.field in ("location", "country") and ev.country_code:
                page.setdefault(ev.country_code.upper(), (e.start, e.end))
        for iso, at in ev.hint_spans.items():
            page.setdefault(iso.upper(), at)
    for ev in events:
        if ev.country_code and not any(e.field in ("location", "country") for e in ev.evidence):
            cc = ev.country_code.upper()
            at = ev.hint_spans.get(cc) or page.get(cc) or _actor_span(ev, cc) or \
                _countries.named_in(body, cc)
            if at:
                ev.add_evidence("country", at[0], at[1], body)
            elif ev.latitude is None:
                _clear_country(ev)   # nowhere the text names or implies: not a guess


def _clear_country(ev: Event) -> None:
    ev.country_code, ev.country, ev.iso, ev.region = "", "", None, ""


def _actor_span(ev: Event, cc: str) -> tuple[int, int] | None:
    """The words naming an actor of that country ("the Kenyan police", "GNA forces"): they
    imply where the event was when no place does."""
    for f, refs in (("actor1", ev.actors1), ("actor2", ev.actors2)):
        if refs and (refs[0].country or "").upper() == cc and not refs[0].foreign:
            at = next(((e.start, e.end) for e in ev.evidence if e.field == f), None)
            if at:
                return at
    return None


_ADMIN_WORD = re.compile(r"\s+(?:province|governorate|state|region|department|oblast|"
                         r"prefecture|county|division)$", re.I)


def _text_admin1(event: Event, gaz: Gazetteer, i: int, names) -> None:
    """The report's own name for the province ("(Rafah, North Sinai)") when it denotes the
    admin1 that contains the place: reports and coders write admin names their way, and
    GeoNames' transliteration ("Shamal Sina'") is the less familiar one."""
    a = int(gaz.anchor[i])
    for n in names:
        n = _ADMIN_WORD.sub("", _clean(n))
        if n and not is_stopped(n) and not _countries.country(n) and gaz.in_admin1(a, n):
            event.admin1 = n
            return


def fill_country(event: Event, iso2: str) -> None:
    if not iso2:
        return
    event.country_code = iso2
    event.country = _countries.acled_country(iso2)
    event.iso = _countries.iso_numeric(iso2)
    event.region = _countries.acled_region(iso2)


def _fill(event: Event, gaz: Gazetteer, i: int, precision: int) -> None:
    a = int(gaz.anchor[i])
    town = gaz.place(a)
    unit = gaz.place(i)
    event.location = town.name
    event.latitude = round(float(gaz.lat[a]), 4)
    event.longitude = round(float(gaz.lon[a]), 4)
    event.geonameid = town.geonameid if town.geonameid > 0 else None
    event.geo_precision = precision
    fill_country(event, town.country_code)
    event.admin1 = town.admin1
    event.admin1_code = town.admin1_code
    event.admin2 = unit.admin2 if gaz.feat[i] == "A2" else town.admin2


# ---------------------------------------------------------------------- spotting
_TOKEN = re.compile(r"[^\W\d_][\w'’ʿ]*(?:-[\w'’ʿ]+)*", re.UNICODE)
_PARTICLES = {"al", "el", "ad", "ar", "as", "ash", "at", "az", "an", "ez", "es", "ed", "bin",
              "ibn", "bni", "de", "du", "la", "le", "des", "of", "upon"}
_KIND_WORDS = {"province": "province", "governorate": "province", "district": "district",
               "city": "city", "town": "city", "village": "village", "region": "province",
               "state": "province", "county": "district", "neighbourhood": "neighbourhood",
               "neighborhood": "neighbourhood"}


_CTX_GAP = re.compile(r"(\s+(district|province|governorate|region|county|city|town))?"
                      r"(,\s*|\s+in\s+|,\s+in\s+|\s*\(\s*)$", re.I)
_LOCATIVE = re.compile(r"\b(in|near|at|outside|of|village|town|around|from|into|toward|towards)"
                       r"\s+(the\s+)?$", re.I)


def _cap(tok: str) -> bool:
    if tok[:1].isupper():
        tail = tok.rsplit("-", 1)[-1] if "-" in tok else ""
        return not (len(tail) >= 3 and tail.islower())      # "Non-state", "Pro-government"
    head, _, rest = tok.partition("-")
    return bool(rest) and head.lower() in _PARTICLES and rest[:1].isupper()


def _tail_of_name(text: str, toks, k: int, gaz: Gazetteer, c) -> bool:
    """The phrase ends a longer proper name the gazetteer does not hold ("Butovka-Donetskaya
    Mine"): a capitalised word runs straight into it, so it names something else. A word of
    leads.txt before it ("Western Avdiivka"), a particle, a demonym, an admin
    unit or a town of 100,000 still counts."""
    if k == 0 or any(gaz.feat[j] in ADMIN_FEATURES or int(gaz.pop[j]) >= 100000
                     for _, j, _ in c):
        return False
    prev = toks[k - 1]
    gap = text[prev.end():toks[k].start()]
    word = prev.group()
    if gap not in (" ", "-") or not _cap(word) or word.lower() in name_leads():
        return False
    if _norm(word) in demonyms():
        return False   # "Elias-el Marj" never gets here: _words splits the particle off
    lead = text[max(0, prev.start() - 3):prev.start()]
    if prev.start() < 2 or re.search(r"([.!?:\n#*]\s*|^\s*)$", lead):
        return False   # the word before opens the sentence ("Yesterday Mosul ...")
    return True


class _Tok:
    """A word of the fallback spotter: the span of a match, as re.Match gives it."""

    __slots__ = ("_s", "_e", "_t")

    def __init__(self, text: str, s: int, e: int):
        self._s, self._e, self._t = s, e, text[s:e]

    def start(self) -> int:
        return self._s

    def end(self) -> int:
        return self._e

    def group(self) -> str:
        return self._t


def _words(text: str) -> list[_Tok]:
    """The spotter's words: a hyphen joins two names ("the Halba-Qoubaiyat road", "the Bar
    Elias-el Marj intersection") and is a break between them, unless a particle is fused
    to the name it opens ("Deir ez-Zor", "al-Raqqa") or the part after it is lowercase
    ("Non-state")."""
    out: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if "-" not in tok:
            out.append(_Tok(text, m.start(), m.end()))
            continue
        start = pos = m.start()
        parts = tok.split("-")
        for j in range(1, len(parts)):
            pos += len(parts[j - 1]) + 1
            prev, part = parts[j - 1], parts[j]
            prev_name = prev[:1].isupper() and prev.lower() not in _PARTICLES
            if (part[:1].isupper() and prev.lower() not in _PARTICLES) or \
                    (part.lower() in _PARTICLES and prev_name):
                out.append(_Tok(text, start, pos - 1))
                start = pos
        out.append(_Tok(text, start, m.end()))
    return out


_ROUTE_AFTER = re.compile(r"(?:-[^\W\d_][\w'’ʿ]*(?:\s+(?:el|al|[A-Z][\w'’ʿ]*))*)?\s+(?:road|highway|"
                          r"motorway|route|axis|junction|intersection|crossroads?)\b", re.I)


def _on_route(text: str, start: int, end: int) -> bool:
    """The word is an end of a route named by its two ends ("the Halba-Qoubaiyat road")."""
    joined = text[end:end + 1] == "-" or text[start - 1:start] == "-"
    return joined and bool(_ROUTE_AFTER.match(text, end))


# after "the X", what leaves X a thing of its own: an end of phrase, not a common noun (a
# thing named after the town: "the Bar Elias intersection", "the Saadnayel highway")
_UNNAMED = re.compile(rf"\s*(?:[,.;:!?)\]]|$)|\s+(?:{PHRASE_END_WORDS})\b")


def find_places(text: str, gazetteer: Gazetteer | None = None) -> list[PlaceMention]:
    """Fallback spotter: capitalised 1-4 token phrases that are gazetteer names."""
    gaz = gazetteer or default_gazetteer()
    toks = _words(text)
    out: list[PlaceMention] = []
    k = 0
    stop_end = 0
    while k < len(toks):
        if k < stop_end:
            k += 1
            continue
        if not _cap(toks[k].group()):
            k += 1
            continue
        found = None
        for n in range(min(4, len(toks) - k), 0, -1):
            span = toks[k:k + n]
            if any(text[a.end():b.start()] not in (" ", "-") for a, b in zip(span, span[1:],
                                                                               strict=False)):
                continue
            if not _cap(span[-1].group()):
                continue
            if any(not _cap(t.group()) and t.group().lower() not in _PARTICLES for t in span):
                continue
            phrase = text[span[0].start():span[-1].end()]
            if is_stopped(phrase):
                if n > 1:
                    stop_end = k + n   # "Olive Branch": none of its words is a place either
                    break
                continue
            c = [(s, i, e) for s, i, e in gaz.candidates(phrase) if e]
            c = [(s, i, e) for s, i, e in c if _ok(gaz, phrase, i, e)]
            if not c:
                continue
            i = c[0][1]
            if _tail_of_name(text, toks, k, gaz, c):
                continue
            if k + n < len(toks) and toks[k + n].group() in MASTHEAD_WORDS and \
                    text[span[-1].end():toks[k + n].start()] == " ":
                break   # a newspaper ("the Sahel Ledger"), not a place
            if n == 1 and gaz.feat[i] == "P" and \
                    not any(gaz.feat[j] in ADMIN_FEATURES for _, j, _ in c) and \
                    not _LOCATIVE.search(text[max(0, span[0].start() - 25):span[0].start()]) \
                    and not _on_route(text, span[0].start(), span[-1].end()):
                # a lone capitalised word: only a sizeable town, bigger at a sentence start
                lead = text[max(0, span[0].start() - 3):span[0].start()]
                initial = span[0].start() < 2 or bool(re.search(r"([.!?:\n#*-]\s*|^\s*)$",
                                                                   lead))
                if int(gaz.pop[i]) < (100000 if initial else 20000):
                    continue
            found = (n, phrase, i, any(gaz.feat[j] in ("A1", "A2") for _, j, _ in c))
            break
        if not found:
            k += 1
            continue
        n, phrase, i, is_admin = found
        start, end = toks[k].start(), toks[k + n - 1].end()
        kind = ""
        nxt = toks[k + n] if k + n < len(toks) else None
        if nxt is not None and text[end:nxt.start()] == " ":
            kind = _KIND_WORDS.get(nxt.group().lower(), "")
        if not kind and text[max(0, start - 4):start] == "the " and _UNNAMED.match(text, end) \
                and phrase.split()[-1].lower() not in _KIND_WORDS:
            kind = "landmark"   # "outside the Saray": a building; "the Saadnayel highway" a road
        role = "admin" if gaz.feat[i] in ("A1", "PCLI") and not kind else "in"
        if kind in ("province",):
            role = "admin" if out else "in"
        before = text[max(0, start - 30):start].lower()
        if re.search(r"\b(near|outside|outskirts of|countryside of|north of|south of|east of|"
                     r"west of|km from|kilometres from|kilometers from)\s+(the\s+)?$", before):
            role = "near"
        m = PlaceMention(phrase, start, end, role=role, kind_hint=kind)
        # "X, Y" / "(X, Y)": Y is X's context
        if out and _CTX_GAP.match(text[out[-1].end:start]):
            prev = out[-1]
            for o in out:
                if o is prev or (o.context and o.context[-1] == prev.text):
                    o.context.append(phrase)
            if is_admin or gaz.feat[i] in ADMIN_FEATURES or kind in ("province", "district"):
                m.role = "admin"
        out.append(m)
        k += n
    return out
