"""Actor mentions in a sentence, and their ACLED names once the country is known."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..models import FRONT_KEYS, ActorRef
from .lexicon import Lexicon, _alt, _wb
from .prefilter import Gate

GENERIC_KINDS = ("unidentified", "gang", "communal", "civilians", "crowd")


@dataclass
class Mention:
    ref: ActorRef
    start: int           # sentence-relative
    end: int


_PARTY = re.compile(r"\b(?:Party|Congress|Alliance|League|Union for|Rally|Democratic Movement)\b")
_NAME = r"[A-Z][\w'’-]+(?:\s+(?:al|el|bin|ibn|Al|El|[A-Z][\w'’-]+))*"
_TRIBAL = re.compile(
    rf"(?:(?P<n0>{_NAME})\s+and\s+)?"
    rf"(?P<n1>{_NAME})\s+(?P<k1>tribesm[ae]n|tribal fighters|tribal gunmen|tribal militias?|"
    rf"clansm[ae]n|clan militias?|clan fighters)\b|"
    rf"(?:militiam[ae]n|fighters|gunmen|members)\s+(?:from|of)\s+(?:the\s+)?(?P<n2>{_NAME})\s+"
    rf"(?P<k2>clan|sub-clan|tribe)\b")
_STATE_VERB = re.compile(
    r"(?:\s+and\s+[A-Z][\w-]+(?:\s+[A-Z][\w-]+)?)?\s+(?:reportedly\s+|also\s+)?(?:conducted|launched|"
    r"carried out|deployed|struck|shelled|fired|attacked|withdrew|sent|bombed|shot down|"
    r"intercepted|seized|captured|bombarded|targeted|retook|recaptured|raided)\b")
_generic_cache: dict[int, dict[str, re.Pattern]] = {}
_SUSPECTED_OF = re.compile(r"\s+(?:(?:who\s+(?:are|were|is|was)\s+)?(?:believed|suspected|thought|"
                           r"said|reported|presumed|alleged)\s+to\s+(?:be|belong\s+to|be\s+from)|"
                           r"identified\s+as|affiliated\s+(?:with|to))\s+(?:the\s+|an?\s+)?", re.I)


def _generic_res(lex: Lexicon) -> dict[str, re.Pattern]:
    key = id(lex)
    if key not in _generic_cache:
        _generic_cache[key] = {k: _wb(_alt(lex.generic.get(k, []))) for k in GENERIC_KINDS}
    return _generic_cache[key]


_gate_cache: dict[int, tuple[Gate, tuple]] = {}


def _actor_gate(lex: Lexicon) -> Gate:
    """Which of find_actors' scanning patterns can match a sentence (prefilter.py): the
    state units, the case-sensitive names, the state forces, the tribes and the generic kinds.
    Built again when the lexicon's patterns are other objects than it was built from."""
    generic = _generic_res(lex)
    made_of = (lex.unit_re, lex.named_cs_re, lex.state_res, generic)
    cached = _gate_cache.get(id(lex))
    if cached is None or any(a is not b for a, b in zip(cached[1], made_of, strict=True)):
        pats = {"unit": lex.unit_re, "named_cs": lex.named_cs_re, "tribal": _TRIBAL}
        pats.update({("state", k): rx for k, rx in lex.state_res.items()})
        pats.update({("generic", k): rx for k, rx in generic.items()})
        cached = _gate_cache[id(lex)] = (Gate({k: v for k, v in pats.items() if v is not None}),
                                         made_of)
    return cached[0]


_WEAPON_OBJECT = re.compile(r"\b(?:fired|fires|firing|launched|launching|launches|supplied|"
                            r"using|used|with|of)\s+(?:\w+\s+)?$", re.I)


def _overlaps(spans, s, e):
    return any(not (e <= a or s >= b) for a, b in spans)


def find_actors(sent: str, lex: Lexicon) -> list[Mention]:
    """Actor mentions in one sentence, longest and most specific first, no overlaps."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []
    head = re.match(r"\s*[A-Z][A-Za-z /-]{3,45}:\s", sent)   # "Movement of forces: On ..."
    if head and not re.search(r"\d", head.group()):
        taken.append((0, head.end()))

    def add(ref, s, e):
        if not _overlaps(taken, s, e):
            taken.append((s, e))
            ref.start, ref.end, ref.text = s, e, sent[s:e]
            found.append(Mention(ref, s, e))

    live = _actor_gate(lex).live(sent)
    # 1. State units ("NDS", "Border Security Force") and named groups from the lexicon.
    if lex.unit_re and "unit" in live:
        for m in lex.unit_re.finditer(sent):
            iso, force, unit = lex.unit_map[m.group(1).lower()]
            s = m.start()
            pre = re.search(r"(?:\(|\b(?:the|a|an)\s+)$", sent[:s])
            # the unit's members: "Military Police officers", "Federal Police forces"
            tail = re.match(r"\s+(?:forces|officers?|agents?|personnel|units?|troops|troopers|"
                            r"soldiers|members|men|patrols?|officials)\b", sent[m.end():], re.I)
            add(ActorRef(kind=force, country=iso, unit=unit), s if not pre else s,
                m.end() + (tail.end() if tail else 0))
    for rx in (lex.named_re, lex.named_cs_re):
        if rx is None or (rx is lex.named_cs_re and "named_cs" not in live):
            continue
        for m in rx.finditer(sent):
            al = m.group(1)
            entry = lex.alias_map.get(al) or lex.alias_map.get(al.lower())
            if not entry:
                continue
            a, alias = entry
            end = m.end()
            tail = re.match(r"(?:\s+(?:militants?|fighters?|members?|forces|cells?|insurgents?|"
                            r"rebels?|militiam[ae]n|militias?|elements|gunmen|jihadists?|"
                            r"group|troops|soldiers|supporters?|activists?))+", sent[end:], re.I)
            if not tail and a.get("state_like"):
                # a state-like actor's own arms: "LNA air force", "GNA warplanes"
                tail = re.match(r"\s+(?:air ?forces?|warplanes?|fighter jets?|jets|drones?|"
                                r"aircraft|helicopters?|navy|artillery)\b", sent[end:], re.I)
            if tail:
                end += tail.end()
            ref = ActorRef(kind="named", key=a.get("key", ""), inter=a.get("inter"))
            if tail and re.search(r"members?|supporters?|activists?", tail.group(), re.I) and \
                    _PARTY.search(a.get("name", "")):
                ref = ActorRef(kind="civilians")   # party members as victims are civilians
            elif re.search(r"\b(?:former|ex-|retired|defected)\s*(?:\w+\s+)?$",
                           sent[max(0, m.start() - 20):m.start()], re.I):
                ref = ActorRef(kind="civilians")   # a former fighter is a civilian (ACLED)
            variant = (a.get("alias_variants") or {}).get(alias)
            if variant:
                ref.name = variant
            if a.get("state_like"):
                ref.kind = a.get("force", "military")
                ref.country = a["state_like"]
                ref.unit = a.get("unit", "")
                ref.key = a.get("key", "")
                ref.name = a.get("name", "") if not a.get("per_regime", True) else ""
                ref.foreign = bool(a.get("foreign"))
                if a.get("name") and "(" in a.get("name"):
                    ref.name = a["name"]
            add(ref, m.start(), end)
    # 2. State forces, with a demonym or "of <country>" when given.
    for force in ("weapons", "police", "military", "government"):
        rx = lex.state_res.get(force)
        if rx is None or ("state", force) not in live:
            continue
        kind = "military" if force == "weapons" else force   # (the forces that fire them)
        for m in rx.finditer(sent):
            s, e = m.start(), m.end()
            iso = ""
            pre = sent[max(0, s - 40):s]
            if lex.demonym_re:
                dm = list(lex.demonym_re.finditer(pre))
                between = pre[dm[-1].end():].strip(" -") if dm else None
                if dm and (not between or between in lex.state_markers):
                    d = dm[-1]
                    iso = lex.demonym_map[d.group(1).lower()]
                    s = s - len(pre) + d.start()
                    both = re.search(r"\b([A-Z][\w'-]+)\s+and\s+$", sent[:s])
                    other = lex.demonym_map.get(both.group(1).lower()) if both else None
                    if other and other != iso:
                        # "Turkish and Russian forces": each country's force
                        add(ActorRef(kind=kind, country=other), both.start(1), both.end(1))
                post = re.match(r"\s+of\s+(?:the\s+)?([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*)", sent[e:])
                if not iso and post and post.group(1).lower() in lex.demonym_map:
                    iso = lex.demonym_map[post.group(1).lower()]
                    second = re.match(r"\s+and\s+(?:the\s+)?([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*)",
                                      sent[e + post.end():])
                    e += post.end()
                    if second and second.group(1).lower() in lex.demonym_map:
                        s2 = e + second.start(1)
                        add(ActorRef(kind=kind,
                                     country=lex.demonym_map[second.group(1).lower()]),
                            s2, e + second.end(1))
            word = m.group().lower()
            if force == "weapons":
                # "Russian missiles": that state's forces fired them; "fired Iranian missiles"
                # names where the missiles came from, not who fired them
                if iso and not _WEAPON_OBJECT.search(sent[max(0, s - 30):s]):
                    add(ActorRef(kind=kind, country=iso), s, e)
                continue
            if force == "military" and not iso and word in ("military", "army", "security") and re.match(
                    r"\s+(?:reinforcements|equipment|vehicles?|operations?|offensive|positions?|"
                    r"bases?|sources?|spokesm[ae]n|hardware|convoys?|targets?|installations?|"
                    r"courts?|service|campaign|intelligence|council|junta|leaders?|officials?|"
                    r"measures|situation|plan|aid|support|training|exercise)\b", sent[e:], re.I):
                continue   # an adjective ("HTS brought military reinforcements")
            if not iso and re.match(r"\s+of\s+(?:the\s+)?", sent[e:]) and _overlaps(
                    taken, e + 1, e + 12):
                continue   # "military forces of Artsakh": the named actor says it all
            if force == "police" and word == "officers" and not iso:
                # "officers" alone: police only when nothing says otherwise
                if re.search(r"\b(army|military)\s+$", sent[:s], re.I):
                    continue
            if force == "military" and word in ("personnel",) and not iso:
                continue
            if force == "government" and not iso and word in ("officials", "local officials",
                                                              "administration", "ministry"):
                continue
            ref = ActorRef(kind=force, country=iso)
            if re.search(r"\bformer\b|\bretired\b|\bex-", sent[max(0, s - 12):s], re.I):
                ref.kind = "former_" + force
            add(ref, s, e)
    # 2b. A country named as the doer: "Turkey and Russia conducted a joint patrol".
    if lex.demonym_re:
        for m in lex.demonym_re.finditer(sent):
            name = m.group(1)
            iso = lex.demonym_map.get(name.lower())
            c = lex.countries.get(iso) or {}
            names = {c.get("name", "").lower(), (c.get("label") or "").lower().replace("the ", "")}
            names |= {a.lower() for a in c.get("aliases") or []}
            if name.lower() not in names:
                continue
            if _STATE_VERB.match(sent, m.end()):
                add(ActorRef(kind="military", country=iso), m.start(), m.end())
    # 2c. Named tribes and clans: "Al Muaili tribesmen" -> "Al Muaili Tribal Militia (Yemen)".
    for m in (_TRIBAL.finditer(sent) if "tribal" in live else ()):
        name = (m.group("n1") or m.group("n2") or "").strip()
        if not name or name.split()[0] in ("The", "A", "An", "Two", "Local", "Armed", "Rival"):
            continue
        kind_word = (m.group("k1") or m.group("k2") or "").lower()
        label = "Clan Militia" if "clan" in kind_word else "Tribal Militia"
        n0 = (m.group("n0") or "").strip()
        if n0 and n0.split()[0] not in ("The", "A", "An", "Two", "Local", "Armed", "Rival"):
            # "between Al Tilan and Al Dahshal tribal militias": two militias
            add(ActorRef(kind="identity_militia", name=f"{n0} {label}", inter=4),
                m.start("n0"), m.end("n0"))
            add(ActorRef(kind="identity_militia", name=f"{name} {label}", inter=4),
                m.start("n1"), m.end())
            continue
        add(ActorRef(kind="identity_militia", name=f"{name} {label}", inter=4),
            m.start(), m.end())
    # 3. Generic unnamed actors.
    res = _generic_res(lex)
    for kind in ("unidentified", "gang", "communal", "crowd", "civilians"):
        if ("generic", kind) not in live:
            continue
        for m in res[kind].finditer(sent):
            s, e = m.start(), m.end()
            if kind == "civilians" and re.match(r"\s+(?:of|from)\s+(?:the\s+)?(?:[A-Z]|security|"
                                                r"police|army|military)", sent[e:]) and \
                    m.group().lower() in ("members", "member"):
                continue
            if kind in ("unidentified", "crowd") and re.match(r"\s+(?:of|from)\s+(?:the\s+)?",
                                                               sent[e:]) and _overlaps(
                    taken, e + 1, e + 16):
                continue   # "fighters of the Islamic State ...": the group is the actor
            if kind in ("unidentified", "civilians", "crowd") and _SUSPECTED_OF.match(sent, e) \
                    and _overlaps(taken, e + 1, e + 40):
                continue   # "gunmen believed to belong to IS": suspected X is coded X
            ref = ActorRef(kind=kind)
            if lex.demonym_re:
                pre = sent[max(0, s - 25):s]
                dm = list(lex.demonym_re.finditer(pre))
                if dm and not pre[dm[-1].end():].strip():
                    ref.country = lex.demonym_map[dm[-1].group(1).lower()]
                    s = s - len(pre) + dm[-1].start()
            add(ref, s, e)
    # 4. Plural demonyms standing alone for people ("Palestinians from the camp protested"):
    # civilians of that country.
    if lex.demonym_re:
        for m in lex.demonym_re.finditer(sent):
            name = m.group(1)
            iso = lex.demonym_map.get(name.lower())
            c = lex.countries.get(iso) or {}
            if not name.endswith("s") or name not in (c.get("demonyms") or []) or re.match(
                    r"\s+(?:[A-Z]|(?:forces|troops|soldiers|army|military|police|government|"
                    r"authorities|officials|jets|warplanes|drones)\b)", sent[m.end():]):
                continue
            add(ActorRef(kind="civilians", country=iso), m.start(), m.end())
    found.sort(key=lambda x: x.start)
    return _either(found, sent)


def _either(found: list[Mention], sent: str) -> list[Mention]:
    """"JNIM or ISGS militants", "Boko Haram/IS": one actor, named "X and/or Y" (CODEBOOK 3)."""
    out: list[Mention] = []
    for m in found:
        prev = out[-1] if out else None
        if prev is not None and prev.ref.kind == m.ref.kind == "named" and prev.ref.key and \
                m.ref.key and m.ref.key not in prev.ref.key.split("|") and \
                re.fullmatch(r"\s*(?:/|or|and/or)\s*", sent[prev.end:m.start]):
            prev.ref.key += "|" + m.ref.key
            prev.ref.name = f"{prev.ref.name or ''}|{m.ref.name or ''}"
            prev.end = prev.ref.end = m.end
            prev.ref.text = sent[prev.start:m.end]
            continue
        out.append(m)
    return out


def mark_gang_signs(ev, text: str, lex: Lexicon) -> None:
    """An unknown perpetrator of a killing with the marks of organised crime (generic_actors.yaml
    `gang_signs`: bound hands, beheading, torture, drive-by) is flagged; naming makes it a gang
    in countries whose coding does so (countries.yaml `gang_signs`)."""
    signs = lex.generic.get("gang_signs") or []
    if not signs or not ev.actors1 or ev.actors1[0].kind != "unidentified" or \
            ev.event_type not in ("Violence against civilians", "Battles"):
        return
    key = id(lex)
    if key not in _signs_cache:
        _signs_cache[key] = _wb(_alt(signs))
    if _signs_cache[key].search(text):
        ev.actors1[0] = replace(ev.actors1[0], key="gang_signs")


_signs_cache: dict[int, re.Pattern] = {}


# ---------------------------------------------------------------- naming

def regime_label(lex: Lexicon, iso: str, year: int | None, day: str | None = None,
                 as_of: str | None = None) -> tuple[str, str] | None:
    """(label, '(YYYY-)' period [+ suffix]) for the state of `iso` at the event's date.

    A regime applies from its `start` year (or exact `start_date`) to its `end` year; in a
    changeover year the one whose start_date has passed wins. `suffix` (e.g. "Government of
    National Accord") follows the period. With `as_of` (ISO day), the label is rendered as it
    stood then: an ended regime shows open ("(2014-)") when its successor started later, as in
    an ACLED export of that date."""
    c = lex.countries.get(iso)
    if not c:
        return None
    label = c.get("label") or c.get("name")
    regimes = c.get("regimes") or []
    chosen = None
    for r in regimes:
        start, end = r.get("start"), r.get("end")
        if year is None or ((start is None or start <= year) and (end is None or year <= end)):
            sd = str(r.get("start_date") or "")
            if day and sd and day < sd:
                continue
            chosen = r
    if chosen is None and regimes:
        chosen = regimes[-1]
    if not chosen:
        return label, ""
    end = chosen.get("end") or ""
    if end and as_of:
        nxt = regimes[regimes.index(chosen) + 1] if chosen in regimes[:-1] else None
        if nxt is not None and str(nxt.get("start_date") or nxt.get("start")) > as_of:
            end = ""
    period = f"({chosen.get('start', '')}-{end})"
    if chosen.get("suffix"):
        period += f" {chosen['suffix']}"
    return label, period


def country_name(lex: Lexicon, iso: str) -> str:
    c = lex.countries.get(iso) or {}
    return c.get("name", iso)


STATE_PREFIX = {"military": "Military Forces of", "police": "Police Forces of",
                "government": "Government of"}
GENERIC_NAMES = {"civilians": ("Civilians", 7), "protesters": ("Protesters", 6),
                 "rioters": ("Rioters", 5), "unidentified": ("Unidentified Armed Group", 3),
                 "gang": ("Unidentified Gang", 3), "communal": ("Unidentified Communal Militia", 4)}


def _own_unit(lex: Lexicon, iso: str, phrase: str) -> tuple[str, str] | None:
    """(force, unit label) of `phrase` in country `iso`'s own `units`, if it lists it."""
    units = (lex.countries.get(iso) or {}).get("units") or {}
    key = re.sub(r"^(?:the|a|an)\s+", "", (phrase or "").strip(), flags=re.I).lower()
    for k, spec in units.items():
        if k.lower() == key:
            return spec.get("force", "military"), spec.get("unit", k)
    return None


def _in_years(actor: dict, year: int | None, day: str | None) -> bool:
    """The lexicon entry has `years` and the event falls inside them (`start_date`, when
    given, is the first day of the start year the entry applies)."""
    yrs = actor.get("years") or {}
    if not yrs or year is None:
        return False
    if yrs.get("start") is not None and year < yrs["start"]:
        return False
    if yrs.get("end") is not None and year > yrs["end"]:
        return False
    first = yrs.get("start_date")
    return not (first and day and year == yrs.get("start") and day < str(first))


def name_actor(ref: ActorRef, lex: Lexicon, event_iso: str, year: int | None,
               day: str | None = None, as_of: str | None = None) -> tuple[str, int | None]:
    """The ACLED name and inter code of an actor in an event in country `event_iso`."""
    kind = ref.kind
    if kind == "identity_militia":
        cn = country_name(lex, event_iso) if event_iso else ""
        return (f"{ref.name} ({cn})" if cn else ref.name), 4
    if kind == "named" and "|" in ref.key:
        keys = ref.key.split("|")
        for a in lex.actors:
            pair = (a.get("pairs") or {}) if a.get("key") in keys else {}
            label = next((v for k, v in pair.items() if k in keys and k != a["key"]), None)
            if label and len(keys) == 2:
                return label, a.get("inter")   # a pair with its own ACLED label
        names: list[str] = []
        inter = None
        given = (ref.name or "").split("|")
        for j, k in enumerate(ref.key.split("|")):
            n = given[j] if j < len(given) else ""
            nm, i = name_actor(ActorRef(kind="named", key=k, name=n), lex, event_iso, year, day,
                               as_of)
            inter = inter if inter is not None else i
            names += [x for x in nm.split(" and/or ") if x not in names]
        return " and/or ".join(names), inter
    if kind == "named":
        a = next((x for x in lex.actors if x.get("key") == ref.key), None)
        if ref.name:
            return ref.name, ref.inter
        if a is None:
            return ref.text, ref.inter
        variants = a.get("variants") or {}
        if event_iso and event_iso in variants:
            return variants[event_iso], a.get("inter")
        if a.get("per_country"):
            cn = country_name(lex, event_iso) if event_iso else ""
            return (f"{a['name']} ({cn})" if cn else a["name"]), a.get("inter")
        return a.get("name", ref.text), a.get("inter")
    former = kind.startswith("former_")
    base = kind.replace("former_", "")
    if base in STATE_PREFIX and ref.unit and not former:
        # a unit that became a group of its own ("Rapid Support Forces" from April 2023): the
        # group's entry, within its years (actors.yaml `years`), names it
        entry = lex.alias_map.get(ref.text or "") or lex.alias_map.get((ref.text or "").lower())
        if entry and _in_years(entry[0], year, day):
            return entry[0]["name"], entry[0].get("inter")
    if base in STATE_PREFIX and ref.unit and not ref.country and event_iso:
        # a unit phrase several countries use ("Gendarmerie"): the event country's own entry
        # says which force it belongs to there
        own = _own_unit(lex, event_iso, ref.text)
        if own:
            base, unit = own
            ref = replace(ref, kind=("former_" if former else "") + base, unit=unit)
    if base in STATE_PREFIX:
        iso = ref.country or event_iso
        if ref.name:
            return ref.name, 8 if ref.foreign or (event_iso and iso != event_iso) else 1
        if not iso:
            return f"{STATE_PREFIX[base].replace(' of', '')} (unknown)", 1
        rl = regime_label(lex, iso, year, day, as_of)
        label, period = rl if rl else (country_name(lex, iso), "")
        name = f"{STATE_PREFIX[base]} {label} {period}".strip()
        if ref.unit:
            name = f"{name} {ref.unit}"
        if former:
            name = "Former " + name
        inter = 1
        if event_iso and iso != event_iso:
            inter = 8
        if former:
            inter = 7
        return name, inter
    if base == "unidentified" and ref.key in FRONT_KEYS and event_iso:
        sides = (lex.countries.get(event_iso) or {}).get("front_sides") or []
        if len(sides) == 2:
            side = sides[FRONT_KEYS.index(ref.key)]
            if side in STATE_PREFIX:
                return name_actor(ActorRef(kind=side), lex, event_iso, year, day, as_of)
            return name_actor(ActorRef(kind="named", key=side), lex, event_iso, year, day, as_of)
    if base in GENERIC_NAMES:
        label, inter = GENERIC_NAMES[base]
        gang_signs = (lex.countries.get(event_iso) or {}).get("gang_signs") if event_iso else None
        if base == "unidentified" and ref.key == "gang_signs" and gang_signs:
            if isinstance(gang_signs, str):
                return gang_signs, 3          # the country's own label for it
            label = GENERIC_NAMES["gang"][0]
        if base == "civilians" and re.search(r"\b(?:foreign|foreigners?|international|expatriates?"
                                             r"|tourists?)\b", ref.text or "", re.I):
            return "Civilians (International)", 7
        iso = event_iso or ref.country
        if base in ("civilians", "protesters", "rioters") and ref.country in lex.countries:
            iso = ref.country   # "Ethiopian refugees protested": Protesters (Ethiopia)
        cn = country_name(lex, iso) if iso else ""
        return (f"{label} ({cn})" if cn else label), inter
    return ref.text or "Unidentified Armed Group", 3


def coalition_of(ref: ActorRef, lex: Lexicon, event_iso: str) -> dict | None:
    """The coalition (actors.yaml `members` + `theatres`) a state force acts in: a member's
    military in one of its theatres ("Saudi forces" in Yemen), or "coalition forces" there.
    ACLED codes the coalition, the member state as an associated actor (CODEBOOK 3)."""
    if not event_iso or ref.kind != "military" or ref.name:
        return None
    for a in lex.actors:
        if event_iso not in (a.get("theatres") or []):
            continue
        if (ref.country and ref.country != event_iso and ref.country in (a.get("members") or [])) \
                or (not ref.country and re.match(r"(?i)coalition\b", ref.text or "")):
            return a
    return None

