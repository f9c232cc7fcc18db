"""Place phrases in a sentence: where the event happened, in order of preference.

Only the phrase is found here; the gazetteer (sitrep.geo) decides what it is.
"""

from __future__ import annotations

import re

from ..models import MASTHEAD_WORDS, PHRASE_END_WORDS, PlaceMention
from .prefilter import Gate

_PART = r"(?:al|el|ad|ar|as|ash|at|az|an|ed|er|es|ez|de|del|della|di|da|do|dos|das|du|des|la|le|les|los|las|y|bin|ibn|bou|ben|abu|um|umm|wa|van|von|der|sur|sous|en|e)"
_CAP = r"(?:#?[A-Z][\w'’`ʿ-]*|[A-Z]\.)"
NAME = rf"{_CAP}(?:(?:\s+|-|\s+-\s+){_PART}(?:-|\s+)(?={_CAP})|\s+|-)?(?:{_CAP}(?:(?:\s+|-)(?:{_PART}(?:-|\s+))?{_CAP}){{0,4}})?"
NAME_RE = re.compile(rf"(?<![\w'’-])(?:(?:{_PART})[- ])?{_CAP}(?:(?:\s+(?:{_PART}[\s-]+){{0,2}}|-){_CAP}){{0,5}}")
KIND_WORDS = {
    "district": "district", "districts": "district", "province": "province",
    "governorate": "province", "state": "province", "region": "province", "county": "district",
    "municipality": "district", "commune": "district", "department": "province",
    "prefecture": "province", "oblast": "province", "raion": "district", "regency": "district",
    "subdistrict": "district", "sub-district": "district", "subdivision": "district",
    "upazila": "district", "tehsil": "district", "payam": "district", "sector": "area",
    "township": "district",
    "city": "city", "town": "city", "towns": "city", "cities": "city", "village": "village",
    "villages": "village", "area": "area",
    "neighbourhood": "neighbourhood", "neighborhood": "neighbourhood", "quarter": "neighbourhood",
    "camp": "area", "countryside": "near", "outskirts": "near", "suburb": "neighbourhood",
    "valley": "area", "mountains": "area", "desert": "area", "locality": "village",
    "road": "road", "highway": "road", "street": "road", "avenue": "road",
    "square": "neighbourhood",
}
_PREP = re.compile(
    # "in the capital Dhaka", "in the northern city Kirkuk": the kind in apposition
    r"\b((?:in|at|near)\s+the\s+(?:[a-z]+\s+){0,2}?(?:capital|city|town|port)(?=\s+(?-i:[A-Z]))|"
    r"in|at|near|around|outside|inside|throughout|within|surrounding|on the outskirts of|"
    r"(?:(?:eastern|western|northern|southern|central)\s+)?(?:part|parts|centre|center|heart|"
    r"edge|side|vicinity|environs) of|(?:people|residents|inhabitants|villagers|population) of|outskirts of|close to|"
    r"north of|south of|east of|west of|northeast of|northwest of|southeast of|southwest of|"
    r"(?:northern|southern|eastern|western|central) countryside of|countryside of|"
    r"(?:the )?(?:town|village|city|district|province|governorate|area|region|state|county|"
    r"municipality|commune|neighbou?rhood|locality|villages|towns|cities) of|across|between|"
    r"toward|towards|"
    r"\d+(?:[.,]\d+)?\s*-?\s*(?:km|kms|kilomet(?:er|re)s?|miles?)\s+(?:(?:to\s+the\s+)?(?:north|south|"
    r"east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)?\s+)?(?:from|of|outside)"
    r"(?:\s+the\s+(?:town|village|city)\s+of)?|"
    r"into|to|over|on|along|of|by)\s+(?:the\s+)?", re.I)
_NEAR = re.compile(r"near|around|outside|outskirts|close to|north of|south of|east of|west of|"
                   r"\d\s*-?\s*(?:km|kilomet|mile)|"
                   r"surrounding|vicinity|environs|edge|"
                   r"northeast of|northwest of|southeast of|southwest of|countryside", re.I)
_STOP_START = {"The", "On", "In", "At", "A", "An", "As", "Around", "According", "Reported",
               "During", "After", "Before", "Following", "Neither", "No", "This", "That",
               "These", "Those", "It", "He", "She", "They", "We", "I", "His", "Her", "Their",
               "Its", "Our", "Some", "Several", "Two", "Three", "One", "Meanwhile", "Also",
               "However", "Earlier", "Later", "Last", "Local", "Security", "Police", "Military",
               "Army", "Government", "Unknown", "Unidentified", "Suspected", "Presumed",
               "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
               "January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December", "Mr", "Mrs", "Dr", "President",
               "Minister", "General", "Governor", "Colonel", "Captain", "Commander", "Chief",
               "Islamic", "State", "Forces", "Force", "Federal", "National", "Coalition",
               "Property", "Looting", "Movement", "Non-violent", "Explosive",
               "Arrests", "Armed", "Violent", "Peaceful", "Protesters", "Rioters"}


# "Libya's Misrata": a place inside the unit named before it
_POSSESSIVE = re.compile(rf"({NAME_RE.pattern})['’]s\s+({NAME_RE.pattern})")
_OWNER = re.compile(r"([^'’]+)['’]s\s+(?=\S)")     # the "Mali's " of a name "Mali's Mopti"
# "the Najaf police", "Kabul police chief": a force named after its town or province
_FORCE_OF = re.compile(rf"({NAME_RE.pattern})\s+(?i:police|provincial police|security forces|"
                       rf"authorities|governor|municipality)\b")
# "Tripoli's protesters", "Kabul's streets": the people or a site of a town
_CROWD_OF = re.compile(rf"({NAME_RE.pattern})['’]s\s+(?:[a-z-]+\s+)?(?:protesters|"
                       r"demonstrators|residents|streets|main square|outskirts|suburbs|"
                       r"neighbou?rhoods?|old city|city cent(?:re|er)|central market)\b")
_NOT_A_TOWN = _STOP_START | {"Today", "Yesterday", "Tonight", "Tomorrow", "This", "Last",
                             "Next"}
_GATE = Gate({"prep": _PREP, "possessive": _POSSESSIVE, "force": _FORCE_OF,
              "crowd": _CROWD_OF})


# what says a "the X" is named after a town: the kind word after a coordinated name ("the
# Bijapur and Dantewada border"), a common noun ("the Bar Elias intersection")
_KIND_LATER = re.compile(rf"\s+and\s+{NAME_RE.pattern}\s+(?:borders?|{'|'.join(KIND_WORDS)})\b|"
                         rf"\s+(?!(?:{PHRASE_END_WORDS})\b)[a-z]{{3,}}\b")


def _kind_after(sent: str, end: int) -> tuple[str, int]:
    """The admin or feature word after a name ("Qasbah sector area"), up to two of them."""
    kind, pos = "", end
    for _ in range(2):
        # ("Jenin refugee camp", "the Abu Shouk displacement camp": the camp's kind)
        m = re.match(r"(?:'s|’s)?\s+(?:refugee\s+|displacement\s+|IDP\s+|transit\s+)?([a-z-]+)\b",
                     sent[pos:])
        if not (m and m.group(1) in KIND_WORDS):
            break
        kind = kind or KIND_WORDS[m.group(1)]
        pos += m.end()
    return kind, pos


def _context_after(sent: str, end: int) -> tuple[list[str], int]:
    """Containing units given after a place: "X (Beni, Nord-Kivu)", "X, Kandahar"."""
    ctx: list[str] = []
    m = re.match(r"\s*\(([^()]{2,80})\)", sent[end:])
    if m:
        for part in re.split(r",|;|/", m.group(1)):
            part = re.sub(r"\b(?:district|province|governorate|state|region|county|"
                          r"municipality|commune|city|town|department)\b", "", part,
                          flags=re.I).strip(" .")
            if part and part[0].isupper():
                ctx.append(part)
        more, pos = _comma_units(sent, end + m.end())   # "Kahramankazan (Kazan), Ankara"
        return ctx + more, pos
    m = re.match(rf"\s+in\s+(?:the\s+)?(?:(?:northern|southern|eastern|western|central)\s+)?"
                 rf"({NAME_RE.pattern})\s+(?:countryside|province|governorate|district|region|"
                 rf"state|county)\b", sent[end:])
    if m and m.group(1).split()[0] not in _STOP_START:
        return [m.group(1)], end + m.end()   # "Maan town in Hama countryside"
    m = re.match(rf"\s+of\s+(?:the\s+)?(?:city|town|province|governorate|district|region)?"
                 rf"\s*(?:of\s+)?({NAME_RE.pattern})", sent[end:])
    if m and m.group(1).split()[0] not in _STOP_START:
        return [m.group(1)], end + m.end()   # "the Al-Rawdah area of Taiz"
    return _comma_units(sent, end)


def _comma_units(sent: str, pos: int) -> tuple[list[str], int]:
    """Units given after a comma, up to three: "X, Kandahar", "X, Zhari district, Kandahar"."""
    ctx: list[str] = []
    for _ in range(3):
        m = re.match(rf"\s*,\s+(?:the\s+)?({NAME_RE.pattern})(?:\s+(?:district|province|"
                     rf"governorate|state|region|county|municipality|department|city))?"
                     rf"(?=\s*(?:[,.;)]|$|\s+(?:in|on|at|near|and|while|after|as|when|where|"
                     rf"killing|wounding|injuring|to|with|against|amid|following|during|"
                     rf"over|which|who|demanding|denouncing|protesting)\b))", sent[pos:])
        if not m or m.group(1) in _STOP_START:
            break
        ctx.append(m.group(1))
        pos += m.end()
    return ctx, pos


_AND_NEXT = re.compile(r"(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*,?\s+as well as\s+)(?:in\s+|at\s+)?"
                       r"(?:the\s+)?")


def _siblings(sent: str, pos: int, offset: int, exclude, seen: set[int], plural: str = ""
              ) -> list[PlaceMention]:
    """Places coordinated with the one ending at ``pos``, each with its own containing units:
    "in Al Amir (As Sawmaah, Al Bayda) and Dhirwah (Mukayras, Al Bayda)" (CODEBOOK 1: several
    places give one event each; the gazetteer decides whether they are distinct places)."""
    out: list[PlaceMention] = []
    joined = False
    for _ in range(4):
        j = _AND_NEXT.match(sent, pos)
        m = NAME_RE.match(sent, j.end()) if j else None
        if not m or m.group().split()[0] in _STOP_START:
            break
        s, e = m.start(), m.end()
        if s in seen or any(not (e <= a or s >= b) for a, b in exclude):
            break
        kind, kend = _kind_after(sent, e)
        kind = kind or plural   # "the towns of Shebekino and Graivoron": both towns
        ctx, cend = _context_after(sent, kend)
        if not ctx and kind not in ("district", "village", "city", "area", "road",
                                    "neighbourhood"):
            break   # "in Kabul and Kandahar" stays one place list only with units or kinds
        out.append(PlaceMention(m.group(), offset + s, offset + e, "in", kind, ctx))
        joined = joined or not j.group().strip().startswith(",") or "and" in j.group()
        pos = cend if ctx else kend
    if not joined:
        return []   # "in Lunsar town, Marampa subdivision (...)": a unit, not a second place
    seen.update(m.start - offset for m in out)
    return out


def find_place_mentions(sent: str, offset: int = 0,
                        exclude: list[tuple[int, int]] | None = None) -> list[PlaceMention]:
    """Place phrases in a sentence (offsets are document offsets: sentence start + offset)."""
    exclude = exclude or []
    out: list[PlaceMention] = []
    seen: set[int] = set()
    live = _GATE.live(sent)
    for pm in (_PREP.finditer(sent) if "prep" in live else ()):
        prep = pm.group(1).lower()
        start = pm.end()
        m = NAME_RE.match(sent, start)
        direction = re.match(r"(?:northern|southern|eastern|western|central|north-?eastern|"
                             r"north-?western|south-?eastern|south-?western)\s+", sent[start:])
        if direction and not m:
            m = NAME_RE.match(sent, start + direction.end())
            prep = "near" if m and not _OWNER.match(m.group()) else prep
        if not m:
            continue
        s, e = m.start(), m.end()
        name = m.group()
        name = re.sub(r"(?:'s|’s)$", "", name)
        e = s + len(name)
        owner = _OWNER.match(name)
        if owner:     # "in central Mali's Mopti region": Mopti, in Mali
            s, name = s + owner.end(), name[owner.end():]
        first = name.split()[0].split("-")[0]
        if first in _STOP_START and len(name.split()) == 1:
            continue
        if len(name.split()) > 1 and name.split()[-1] in MASTHEAD_WORDS:
            continue   # a newspaper ("told the Sahel Ledger"), not a place
        if any(not (e <= a or s >= b) for a, b in exclude) or s in seen:
            continue
        seen.add(s)
        kind, kend = _kind_after(sent, e)
        ctx, cend = _context_after(sent, kend)
        if owner:
            ctx = [owner.group(1), *ctx]
        if prep.endswith(" of") and prep.split()[-2] in KIND_WORDS:
            kind = KIND_WORDS[prep.split()[-2]] if not kind else kind
        if not kind and pm.group().lower().endswith("the ") and not pm.group(1).lower(
                ).endswith(("capital", "city", "town", "port")) and not _KIND_LATER.match(
                sent, e) and name.split()[-1].lower() not in KIND_WORDS:
            # English names a town without an article: "outside the Saray" is a building,
            # "in the Sahel" a region; "the Tarmiyah area", "the town of X" say their kind
            kind = "landmark"
        role = "near" if _NEAR.search(prep) or kind == "near" else "in"
        if prep in ("to", "toward", "towards", "into", "over", "by", "across", "on",
                    "along", "between", "of"):
            role = "other"
            # "air raids on Majzar district"; not "on Murree road", a road named after a
            # town, not where it happened ("... on Murree road in Rawalpindi")
            if prep in ("on", "over") and kind in ("district", "village", "city", "area"):
                role = "in"
        head = PlaceMention(name, offset + s, offset + e, role, kind, ctx)
        out.append(head)
        if role in ("in", "near") and kind != "province" and not re.search(
                r"\bbetween\b", sent[max(0, pm.start() - 12):pm.end()], re.I):
            # places coordinated with this one; "between X and Y" is one place, a road
            plural = KIND_WORDS.get(prep.split()[-2], "") if prep.endswith(" of") and \
                prep.split()[-2] in ("villages", "towns", "cities") else ""
            for sib in _siblings(sent, cend if ctx else kend, offset, exclude, seen, plural):
                head.group = sib.group = offset + s
                sib.role = role
                out.append(sib)
    # "Libya's Misrata", "Pakistan's Karachi": a place inside the unit named before it.
    for m in (_POSSESSIVE.finditer(sent) if "possessive" in live else ()):
        s2, e2 = m.start(2), m.end(2)
        if s2 in seen or m.group(2).split()[0] in _STOP_START:
            continue
        seen.add(s2)
        kind, _ = _kind_after(sent, e2)
        out.append(PlaceMention(m.group(2), offset + s2, offset + e2, "in", kind,
                                [m.group(1)]))
    # "Tripoli's protesters held signs": where the crowd or site is (not a country's: "Sudan's
    # army" is whose, the geo stage reads country names)
    for m in (_CROWD_OF.finditer(sent) if "crowd" in live else ()):
        s, e = m.start(1), m.end(1)
        if s in seen or m.group(1).split()[0] in _NOT_A_TOWN or any(
                not (e <= a or s >= b) for a, b in exclude) or len(m.group(1).split()) > 2:
            continue
        seen.add(s)
        out.append(PlaceMention(m.group(1), offset + s, offset + e, "in", "city", []))
    # A force named after its town or province: "the Najaf police", "Kabul police chief".
    for m in (_FORCE_OF.finditer(sent) if "force" in live else ()):
        s, e = m.start(1), m.end(1)
        if s in seen or m.group(1).split()[0] in _STOP_START:
            continue
        seen.add(s)
        out.append(PlaceMention(m.group(1), offset + s, offset + e, "in", "city", []))
    # Names followed by an admin word with no preposition: "Zhari district, Balkh".
    for m in NAME_RE.finditer(sent):
        s, e = m.start(), m.end()
        owner = _OWNER.match(m.group())
        if s in seen or (owner and s + owner.end() in seen) or \
                any(not (e <= a or s >= b) for a, b in exclude):
            continue
        kind, kend = _kind_after(sent, e)
        if kind in ("district", "province", "city", "village", "area", "road"):
            first = m.group().split()[0]
            if first in _STOP_START:
                continue
            ctx, _ = _context_after(sent, kend)
            seen.add(s)
            out.append(PlaceMention(m.group(), offset + s, offset + e, "other", kind, ctx))
    # "at the Bijapur and Dantewada border (Chhattisgarh)", "in Passiana, Patiala (Punjab)":
    # units in brackets just after a place that has none contain it, with the unit named
    # between them
    if "(" in sent:
        for m in re.finditer(r"\(([^()]{2,80})\)", sent):
            units, _ = _context_after(sent, m.start())
            for p in out:
                gap = sent[p.end - offset:m.start()]
                if p.context or p.role not in ("in", "near") or p.end - offset > m.start() \
                        or len(gap) > 40:
                    continue
                if any(q is not p and p.end <= q.start and q.end - offset <= m.start()
                       and q.context for q in out):
                    continue   # the brackets belong to a later place with its own units
                chain = re.fullmatch(rf"\s*,\s+({NAME_RE.pattern})\s*", gap)
                if not chain and re.fullmatch(r"[A-Z][A-Z0-9&-]{1,5}", m.group(1).strip()) and \
                        re.search(rf"{NAME_RE.pattern}\s*$", gap):
                    continue   # another name's acronym: "the Islamic State (IS)"
                p.context = ([chain.group(1)] if chain else []) + list(units)
    out.sort(key=lambda p: ({"in": 0, "near": 1, "other": 2}.get(p.role, 3), p.start))
    return out
