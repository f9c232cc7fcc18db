"""Pure core of the merge stage: event reports -> canonical events. No I/O.

A `Report` is one coded event as one document tells it (built from an `Event` or a stored
event row). `Merger` groups reports into clusters, one per real-world incident:

* blocking: a report is only compared with clusters indexed under the same country, event
  family and a day within its date window (1 day for an exact date, 7 for a week, 31 for a
  month), and, when it has coordinates, a neighbouring 0.5 degree grid cell. Cost per report is
  bounded by the density of reports per block, so a stream grows near-linearly.
* scoring: type compatibility, dates, distance, actors, fatalities, text similarity of the
  evidence sentence; hard vetoes for incompatible types, dates outside the window, places too
  far apart, and distinct sub-locations (districts, neighbourhoods) or targets named in the
  evidence: two IEDs in two districts of one city on one day stay two events.
* clustering: a report joins the best cluster whose members it is compatible with (complete
  linkage on vetoes, average linkage on the score), else it starts a new cluster whose id is
  the report's id: ids are stable as reports are added.

`canonical(members)` gives the canonical fields: the most precise date and place, the actors
most reports agree on, ACLED's most conservative fatalities, and every source with its role
and the cluster's `claim_status`.
"""

from __future__ import annotations

import functools
import heapq
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ..geo.distance import haversine_km
from ..models import EVENT_TYPES, SUB_TO_TYPE, as_date

__all__ = [
    "Report", "Merger", "cluster_reports", "pair_score", "canonical", "claim_status",
    "report_from_event", "report_from_row", "family", "THRESHOLD", "pairwise_prf",
]

# ---------------------------------------------------------------------- constants
FAMILY = {
    "Battles": "violence", "Explosions/Remote violence": "violence",
    "Violence against civilians": "violence", "Protests": "demonstration",
    "Riots": "demonstration", "Strategic developments": "strategic",
}
# Days either side of the date that a report of this time precision may match.
WINDOW = {1: 1, 2: 7, 3: 31}
MAX_WINDOW = max(WINDOW.values())
CELL_DEG = 0.5                    # spatial blocking: grid cell size in degrees
MAX_MEMBERS_COMPARED = 16         # linkage compares a report with at most this many members
THRESHOLD = 0.62                  # average pair score needed to join a cluster

# Sub-event types that different sources commonly give for one incident.
_COMPATIBLE = [
    {"Suicide bomb", "Remote explosive/landmine/IED", "Attack", "Grenade"},
    {"Air/drone strike", "Shelling/artillery/missile attack"},
    {"Armed clash", "Attack", "Government regains territory",
     "Non-state actor overtakes territory"},
    {"Remote explosive/landmine/IED", "Armed clash"},          # IED then a gunfight
    {"Attack", "Abduction/forced disappearance", "Sexual violence"},
    {"Peaceful protest", "Protest with intervention", "Excessive force against protesters",
     "Violent demonstration"},
    {"Violent demonstration", "Mob violence"},
    {"Excessive force against protesters", "Attack"},            # a deadly crackdown
]
# Sub-event types indexed under a second family too (a crackdown reported as an attack).
EXTRA_FAMILIES = {"Excessive force against protesters": ("violence",)}
COMPATIBLE = {(a, b) for group in _COMPATIBLE for a in group for b in group if a != b}
_SUB_ORDER = {sub: i for i, sub in enumerate(s for subs in EVENT_TYPES.values() for s in subs)}

GENERIC_PREFIXES = ("Unidentified", "Civilians", "Protesters", "Rioters")

_STOP = frozenset("""
a an the and or of in on at to for from by with as into near after before during over under
was were is are be been being has have had it its this that these those their them they he she
his her said says say told according reported reports report also who which what when where
while than then there here not no but about around more least some other another one two three
four five six seven eight nine ten first second last new yesterday today monday tuesday
wednesday thursday friday saturday sunday january february march april may june july august
september october november december local sources source official officials people
""".split())
_TOKEN = re.compile(r"[a-z][a-z'\-]{2,}")


def _literals(pattern: str) -> tuple[str, ...]:
    """The plain text each top-level alternative starts with, lowercased: 'checkpoints?'
    -> 'checkpoint', 'health cent(?:er|re)' -> 'health cent'."""
    alts, depth, cur = [], 0, ""
    for c in pattern:
        depth += (c == "(") - (c == ")")
        if c == "|" and depth == 0:
            alts, cur = [*alts, cur], ""
        else:
            cur += c
    out = []
    for alt in [*alts, cur]:
        m = re.search(r"[\\()\[\]?*+{.]", alt)
        lit = alt if m is None else alt[:m.start()]
        if m is not None and m.group() in "?*{":     # the quantified character is optional
            lit = lit[:-1]
        out.append(lit.lower())
    return tuple(out)


# Sub-locations named in the evidence: "al-Noor district", "district of Hodan", "Bakara market".
_NAME = r"(?:(?:al|el|ad|ar|as|an|at|ash|az)[-\s])?[A-Z][\w'\u2019-]*(?:\s+(?:(?:al|el)-)?[A-Z][\w'\u2019-]*){0,2}"
_SUBLOC_AFTER = ("district", "neighbou?rhood", "quarter", "suburb", "roundabout", "square",
                 "street", "road", "market", "camp", "sector", "ward", "area")
_SUBLOC_BEFORE = ("district", "neighbou?rhood", "quarter", "suburb", "area", "village", "ward",
                  "sector")
_SUBLOC_RE = re.compile(
    r"(?P<a>" + _NAME + r")\s+(?:" + "|".join(_SUBLOC_AFTER) + r")\b"
    r"|\b(?:" + "|".join(_SUBLOC_BEFORE) + r")\s+of\s+"
    r"(?P<b>" + _NAME + r")")
# every match holds one of these words as written (the pattern is case-sensitive)
_SUBLOC_WORDS = tuple(dict.fromkeys(_literals("|".join(_SUBLOC_AFTER + _SUBLOC_BEFORE))))
_SUBLOC_GATE = re.compile("|".join(map(re.escape, _SUBLOC_WORDS)))
_SUBLOC_SKIP = frozenset({"the", "a", "an", "this", "that", "one", "same", "residential",
                          "industrial", "central", "eastern", "western", "northern",
                          "southern", "old", "main", "city", "town", "border", "rural"})
# Targets: classes of things attacked. Reports naming disjoint classes are two incidents.
_TARGETS = {
    "market": r"market|bazaar|marketplace",
    "mosque": r"mosque",
    "church": r"church|cathedral",
    "checkpoint": r"checkpoints?|roadblocks?",
    "school": r"school|university|college|madrasa",
    "health": r"hospital|clinic|health cent(?:er|re)",
    "hotel": r"hotel|restaurant|caf[eé]",
    "convoy": r"convoy|patrol|vehicle|truck|humvee|car",
    "base": r"base|barracks|outpost|garrison|military post|camp",
    "police": r"police station|police post|police headquarters",
    "bus": r"bus|minibus",
    "wedding": r"wedding|funeral",
    "prison": r"prison|jail",
    "office": r"office|headquarters|compound|ministry",
}
_TARGET_RES = [(k, re.compile(r"\b(?:" + v + r")s?\b", re.I)) for k, v in _TARGETS.items()]


# a class can match only where one of its alternatives' literal starts occurs in the text
_TARGET_LITERALS = {k: _literals(v) for k, v in _TARGETS.items()}
_TARGET_GATES = [(k, re.compile("|".join(map(re.escape, _TARGET_LITERALS[k]))), rx)
                 for k, rx in _TARGET_RES]     # one literal scan per class, in C
_DENIAL_RE = re.compile(r"\b(?:den(?:y|ied|ies|ial)|rejected|dismissed)\b[^.]{0,60}\b"
                        r"(?:responsib|involve|claim|role|report)", re.I)
_DENIAL_WORDS = ("deny", "deni", "rejected", "dismissed")    # one occurs in every match


def family(event_type: str) -> str:
    return FAMILY.get(event_type, "other")


def _norm_name(s: str) -> str:
    s = s.lower().replace("\u2019", "'")
    s = re.sub(r"^(?:al|el|ad|ar|as|an|at|ash|az)[-\s]", "", s)
    return re.sub(r"[^a-z0-9]+", "", s)


def sublocations(text: str, exclude: Iterable[str] = ()) -> frozenset[str]:
    """Normalised names of sub-locations (districts, neighbourhoods...) named in the text."""
    text = text or ""
    if not _SUBLOC_GATE.search(text):                  # most sentences name none
        return frozenset()
    ex = {_norm_name(x) for x in exclude if x}
    out = set()
    for m in _SUBLOC_RE.finditer(text):
        name = m.group("a") or m.group("b") or ""
        name = re.split(r"['\u2019]s\s+", name)[-1]       # "Mogadishu's Hodan" -> "Hodan"
        words = name.split()
        while words and words[0].lower() in _SUBLOC_SKIP:
            words = words[1:]
        if not words:
            continue
        n = _norm_name(" ".join(words))
        if n and n not in ex and len(n) > 2:
            out.add(n)
    return frozenset(out)


def targets(text: str, low: str | None = None) -> frozenset[str]:
    """The target classes named in the text; a class's pattern runs only when one of its
    literals occurs in the lowercased text (`low`, when the caller has it)."""
    low = (text or "").lower() if low is None else low
    return frozenset(k for k, gate, rx in _TARGET_GATES
                     if gate.search(low) and rx.search(text))


def tokens(text: str) -> frozenset[str]:
    return frozenset(_TOKEN.findall((text or "").lower())).difference(_STOP)


def _cell(lat: float | None, lon: float | None) -> tuple[int, int] | None:
    if lat is None or lon is None:
        return None
    return (math.floor(lat / CELL_DEG), math.floor(lon / CELL_DEG))


@functools.lru_cache(maxsize=65536)
def _near(cell: tuple[int, int]) -> frozenset[tuple[int, int]]:
    """A cell and its eight neighbours (once per cell: each report asks for its own)."""
    return frozenset((cell[0] + i, cell[1] + j) for i in (-1, 0, 1) for j in (-1, 0, 1))


def is_generic(actor: str) -> bool:
    return not actor or actor.startswith(GENERIC_PREFIXES)


def is_state(actor: str) -> bool:
    return actor.startswith(("Military Forces of", "Police Forces of", "Government of"))


# ---------------------------------------------------------------------- the record
@dataclass(slots=True, eq=False)
class Report:
    """One event as one source reports it: what the merge compares."""

    id: str
    doc_id: str = ""
    date: str | None = None            # YYYY-MM-DD
    time_precision: int = 1
    event_type: str = ""
    sub_event_type: str = ""
    actor1: str = ""
    actor2: str = ""
    lat: float | None = None
    lon: float | None = None
    admin1: str = ""
    country_code: str = ""
    location: str = ""
    geo_precision: int | None = None
    fatalities: int = 0
    claimed_fatalities: int | None = None
    role: str = "report"               # claim / report / confirmation (the report as a whole)
    outlet: str = ""
    party: str = ""
    text: str = ""                     # evidence: the event's sentence
    published: str | None = None
    sources: list[dict] = field(default_factory=list)   # {doc_id, outlet, role, party, url}
    row: dict | None = None            # the stored event row, when built from one
    # derived, filled by prepare()
    day: int | None = None
    family: str = ""
    fams: tuple = ()
    cell: tuple[int, int] | None = None
    toks: frozenset = frozenset()
    actors: frozenset = frozenset()    # actor1 and actor2 that are named (not generic)
    sublocs: frozenset = frozenset()
    tgts: frozenset = frozenset()
    denial: bool = False
    places: frozenset = frozenset()    # normalised place names: location and its surface form
    unplaced: bool = False             # no coordinates and no location: country may be a guess
    place_text: str = ""               # surface text of the location evidence, when known
    caps: str | None = None            # its capitalised words, normalised (_named_in, lazily)

    def prepare(self, index_only: bool = False) -> Report:
        """Fill the derived fields; ``index_only``: only those the blocking index reads (day,
        families, cell, window, unplaced), for a report that is indexed, never scored."""
        day = as_date(self.date)
        self.day = day.toordinal() if day else None
        self.family = family(self.event_type or SUB_TO_TYPE.get(self.sub_event_type, ""))
        self.fams = (self.family, *EXTRA_FAMILIES.get(self.sub_event_type, ()))
        # a region-level place (geo precision 3) is compared with every cell of its block
        self.cell = _cell(self.lat, self.lon) if (self.geo_precision or 1) < 3 else None
        if self.time_precision not in WINDOW:
            self.time_precision = 1
        self.unplaced = self.lat is None and not self.location
        if index_only:
            return self
        text = self.text or ""
        low = text.lower()
        self.toks = tokens(text)
        self.actors = frozenset(x for x in (self.actor1, self.actor2) if not is_generic(x))
        self.sublocs = sublocations(text, (self.location, self.admin1))
        self.tgts = targets(text, low)
        self.denial = (any(w in low for w in _DENIAL_WORDS)
                       and bool(_DENIAL_RE.search(text)))
        self.places = frozenset(n for n in (_norm_name(self.location),
                                            _norm_name(self.place_text)) if len(n) > 2)
        return self

    @property
    def window(self) -> int:
        return WINDOW[self.time_precision]


def _role_of(sources: list[dict]) -> tuple[str, str, str]:
    """(role, outlet, party) of a report from the outlets it cites."""
    if not sources:
        return "report", "", ""
    roles = {s.get("role") or "report" for s in sources}
    claim = next((s for s in sources if s.get("role") == "claim"), None)
    if "confirmation" in roles:
        s = next(s for s in sources if s.get("role") == "confirmation")
        return "confirmation", s.get("outlet", ""), ""
    if claim is not None and roles == {"claim"}:
        return "claim", claim.get("outlet", ""), claim.get("party", "")
    s = next((s for s in sources if s.get("role") != "claim"), sources[0])
    return "report", s.get("outlet", ""), ""


def report_from_event(ev, text: str | None = None, body: str | None = None) -> Report:
    """A Report from an `Event` (the sentence comes from `body` when given)."""
    if text is None:
        if body is not None and ev.sentence_end > ev.sentence_start:
            text = body[ev.sentence_start:ev.sentence_end]
        else:
            text = " ".join(e.text for e in ev.evidence)
    srcs = [{"doc_id": s.doc_id or ev.doc_id, "outlet": s.outlet, "role": s.role,
             "party": s.party, "url": s.url} for s in ev.sources]
    role, outlet, party = _role_of(srcs)
    return Report(
        id=ev.id, doc_id=ev.doc_id, date=ev.event_date, time_precision=ev.time_precision or 1,
        event_type=ev.event_type, sub_event_type=ev.sub_event_type, actor1=ev.actor1,
        actor2=ev.actor2, lat=ev.latitude, lon=ev.longitude, admin1=ev.admin1,
        country_code=ev.country_code, location=ev.location, geo_precision=ev.geo_precision,
        fatalities=ev.fatalities or 0, claimed_fatalities=ev.claimed_fatalities, role=role,
        outlet=outlet, party=party, text=text or "", sources=srcs,
        place_text=next((e.text for e in ev.evidence if e.field == "location"), ""),
        row=ev.to_dict()).prepare()


def report_from_row(row: dict, body: str | None = None, sentence: str | None = None
                    ) -> Report:
    """A Report from a stored event row (Store.iter_events shape: `sources` attached).
    The evidence text is `sentence` when given (body[sentence_start:sentence_end], read by
    the database), else cut from `body`, else the evidence spans joined."""
    s0, s1 = row.get("sentence_start") or 0, row.get("sentence_end") or 0
    if sentence is not None:
        text = sentence
    elif body and s1 > s0:
        text = body[s0:s1]
    else:
        text = " ".join(e.get("text", "") for e in row.get("evidence") or [])
    srcs = [dict(s) for s in row.get("sources") or []]
    role, outlet, party = _role_of(srcs)
    pub = row.get("doc_published")
    return Report(
        id=row["id"], doc_id=row.get("doc_id") or "", date=row.get("event_date"),
        time_precision=row.get("time_precision") or 1, event_type=row.get("event_type") or "",
        sub_event_type=row.get("sub_event_type") or "", actor1=row.get("actor1") or "",
        actor2=row.get("actor2") or "", lat=row.get("latitude"), lon=row.get("longitude"),
        admin1=row.get("admin1") or "", country_code=row.get("country_code") or "",
        location=row.get("location") or "", geo_precision=row.get("geo_precision"),
        fatalities=row.get("fatalities") or 0, claimed_fatalities=row.get("claimed_fatalities"),
        role=role, outlet=outlet, party=party, text=text,
        published=str(pub)[:10] if pub else None, sources=srcs, row=row,
        place_text=row.get("place_text") or next(
            (e.get("text", "") for e in row.get("evidence") or [] if e.get("field") == "location"),
            "")).prepare()


# ---------------------------------------------------------------------- pair score
def _actor_score(a: Report, b: Report) -> float:
    na, nb = a.actors, b.actors
    if na and nb:
        if na & nb:
            return 1.0 if na == nb else 0.8
        return 0.0
    return 0.5


def _named_in(u: Report, p: Report) -> bool:
    """An unplaced report (its country guessed from an actor) that names the other's place."""
    if not u.unplaced or p.unplaced or not p.places:
        return False
    words = u.caps
    if words is None:      # once per report: it is asked again for every candidate
        words = u.caps = _norm_name(" ".join(_CAPS.findall(u.text or "")))
    return any(n in words for n in p.places)


_CAPS = re.compile(r"[A-Z][\w'\u2019-]*")


_KM_PER_DEG_LAT = 111.0   # a lower bound: the mean Earth radius gives 111.195 km per degree


def pair_score(a: Report, b: Report) -> float | None:
    """How likely two reports describe one incident, in [0, 1]; None: they cannot."""
    if a.family != b.family and b.family not in a.fams and a.family not in b.fams:
        return None
    if a.country_code != b.country_code and not _named_in(a, b) and not _named_in(b, a):
        return None
    # -- type
    if a.sub_event_type == b.sub_event_type:
        t = 1.0
    elif a.family == "strategic":
        return None
    elif (a.sub_event_type, b.sub_event_type) in COMPATIBLE:
        t = 0.6
    elif a.event_type == b.event_type:
        t = 0.5
    else:
        return None
    # -- date
    if a.day is None or b.day is None:
        d = 0.4 if a.day is None and b.day is None else None
        if d is None:
            return None
    else:
        dd = abs(a.day - b.day)
        if dd > max(WINDOW[a.time_precision], WINDOW[b.time_precision]):
            return None
        if a.time_precision == 1 and b.time_precision == 1:
            d = 1.0 if dd == 0 else 0.45
        else:
            d = 0.75
    # -- place
    if a.lat is not None and b.lat is not None:
        coarse = (a.geo_precision or 1) >= 2 or (b.geo_precision or 1) >= 2
        limit = 60.0 if coarse else 30.0
        # a degree of latitude is at least _KM_PER_DEG_LAT km on any path: farther apart in
        # latitude alone is beyond the limit without the great-circle distance
        km = limit + 1.0 if abs(a.lat - b.lat) * _KM_PER_DEG_LAT > limit else \
            haversine_km(a.lat, a.lon, b.lat, b.lon)
        if km > limit:
            if not ((a.geo_precision or 1) >= 3 or (b.geo_precision or 1) >= 3) or \
                    a.admin1 != b.admin1:
                return None
            p = 0.4
        elif km < 2.0:
            p = 1.0
        elif km < 10.0:
            p = 0.7
        elif km < 25.0:
            p = 0.45
        else:
            p = 0.25
    elif a.location and b.location and _norm_name(a.location) == _norm_name(b.location):
        p = 0.9
    elif _named_in(a, b) or _named_in(b, a):
        p = 0.8                           # the unplaced report names the other's place
    elif a.admin1 and b.admin1:
        if a.admin1 != b.admin1:
            return None
        p = 0.45
    else:
        p = 0.3
    # -- sub-locations and targets named in the evidence
    if a.sublocs and b.sublocs and not (a.sublocs & b.sublocs):
        return None
    sub = 1.0 if a.sublocs & b.sublocs else 0.0
    if a.tgts and b.tgts:
        tg = 1.0 if a.tgts & b.tgts else -1.0
    else:
        tg = 0.0
    # -- actors, fatalities, text
    act = _actor_score(a, b)
    fa, fb = a.fatalities or 0, b.fatalities or 0
    fat = 0.0
    if fa and fb:
        lo, hi = min(fa, fb), max(fa, fb)
        fat = 0.5 if lo == hi else (0.0 if hi <= 3 * lo + 2 else -0.5)
    ta, tb = a.toks, b.toks
    if ta and tb:
        shared = len(ta & tb)
        txt = shared / (len(ta) + len(tb) - shared)      # the Jaccard index, without the union
    else:
        txt = 0.0
    score = (0.22 * t + 0.18 * d + 0.22 * p + 0.16 * act + 0.14 * min(1.0, 2.2 * txt)
             + 0.08 * max(sub, 0.5 if not (a.sublocs or b.sublocs) else 0.0)
             + 0.12 * tg + 0.04 * fat)
    return max(0.0, min(1.0, score))


# ---------------------------------------------------------------------- clustering
def _precision_key(r: Report):
    return (r.time_precision, r.geo_precision or 9, r.day or 0, r.published or "", r.id)


def compared(members: list) -> list:
    """The members linkage compares a report with: all, or the first and the last
    MAX_MEMBERS_COMPARED/2 of a larger cluster (in the order they joined it)."""
    if len(members) <= MAX_MEMBERS_COMPARED:
        return members
    return members[:MAX_MEMBERS_COMPARED // 2] + members[-MAX_MEMBERS_COMPARED // 2:]


class Merger:
    """Online clustering of reports with a blocking index. Cluster ids are the ids of their
    first reports, or the ids given to `seed()` (stored canonical events).

        m = Merger()
        for r in reports: m.add(r)          # -> cluster id
        m.clusters                           # id -> [Report]
    """

    def __init__(self, threshold: float = THRESHOLD,
                 score: Callable[[Report, Report], float | None] = pair_score):
        self.threshold = threshold
        self.score = score
        self.clusters: dict[str, list[Report]] = {}
        self.assign: dict[str, str] = {}          # report id -> cluster id
        # (country, family, day) -> {cell or None: {cluster id: None}} (ordered, O(1) removal)
        self._index: dict[tuple, dict] = {}
        self._days: dict[str, set] = {}           # cluster id -> indexed (key, cell)
        self._last: dict[str, int] = {}           # cluster id -> latest member day
        self._heap: list[tuple[int, str]] = []    # (latest day, cluster id), for eviction
        self.comparisons = 0

    # -- index
    def _register(self, cid: str, r: Report) -> None:
        """Index a cluster under its member's day (and, for a week or month precision, every
        day of its window, so exact-date reports find it by looking one day either side)."""
        seen = self._days.get(cid)
        if seen is None:
            seen = self._days[cid] = set()
        if r.day is not None and r.day > self._last.get(cid, -1):
            self._last[cid] = r.day
            heapq.heappush(self._heap, (r.day, cid))
        if r.day is None:
            days: Iterable = (None,)
        elif r.time_precision > 1:
            days = range(r.day - r.window, r.day + r.window + 1)
        else:
            days = (r.day,)
        # every cluster is also indexed country-blind ("*all", scanned only by unplaced
        # reports, whose country may be a guess); unplaced ones under "*unplaced" too
        ccs = (r.country_code, "*all", "*unplaced") if r.unplaced else (r.country_code, "*all")
        index = self._index
        for fam in r.fams:
            for day in days:
                for cc in ccs:
                    entry = key, cell = (cc, fam, day), (r.cell if cc != "*all" else None)
                    if entry in seen:
                        continue
                    seen.add(entry)
                    # get before set: setdefault would build an empty dict on every call
                    by_cell = index.get(key)
                    if by_cell is None:
                        by_cell = index[key] = {}
                    ids = by_cell.get(cell)
                    if ids is None:
                        ids = by_cell[cell] = {}
                    ids[cid] = None

    def _candidates(self, r: Report) -> list[str]:
        out: dict[str, None] = {}
        index = self._index
        cc = r.country_code
        if r.day is None:
            days: Iterable = (None,)
        else:
            days = range(r.day - r.window, r.day + r.window + 1)
        near = None if r.cell is None else _near(r.cell)
        ccs = (cc, "*all") if r.unplaced else (cc, "*unplaced")
        for fam in r.fams:
            for day in days:
                for c0 in ccs:
                    by_cell = index.get((c0, fam, day))
                    if not by_cell:
                        continue
                    if near is None:
                        for ids in by_cell.values():
                            out.update(ids)
                    elif len(by_cell) <= 10:
                        for c, ids in by_cell.items():
                            if c is None or c in near:
                                out.update(ids)
                    else:
                        for c in near:
                            ids = by_cell.get(c)
                            if ids:
                                out.update(ids)
                        ids = by_cell.get(None)
                        if ids:
                            out.update(ids)
        return list(out)

    # -- clustering
    def best(self, r: Report) -> tuple[str | None, float]:
        """The candidate cluster of the highest average score of r against its members (of
        equal ones, the greatest id: the choice does not depend on the order the index holds
        its clusters in), if it reaches the threshold; a cluster any member vetoes is out."""
        best_id, best_s = None, self.threshold
        clusters, score = self.clusters, self.score
        n = 0
        for cid in self._candidates(r):
            members = clusters.get(cid)
            if not members:
                continue
            if len(members) > MAX_MEMBERS_COMPARED:
                members = compared(members)
            total = 0.0
            for m in members:
                n += 1
                s = score(r, m)
                if s is None:
                    break
                total += s
            else:
                s = total / len(members)
                if s > best_s or (s == best_s and (best_id is None or cid > best_id)):
                    best_id, best_s = cid, s
        self.comparisons += n
        return best_id, best_s

    def add(self, r: Report) -> str:
        if r.id in self.assign:
            return self.assign[r.id]
        cid, _ = self.best(r)
        if cid is None:
            cid = r.id
            while cid in self.clusters:            # a stale id: never reuse a live cluster
                cid = cid + "'"
            self.clusters[cid] = []
        self.clusters[cid].append(r)
        self.assign[r.id] = cid
        self._register(cid, r)
        return cid

    def seed(self, cid: str, members: list[Report], index: list[Report] | None = None
             ) -> None:
        """An existing cluster (a stored canonical event) with its id.

        ``index``: every member, when ``members`` holds only those linkage compares (see
        `compared`); the blocking index registers these, so candidates are the same as with
        every member seeded, and so are links as long as members are only appended."""
        self.clusters[cid] = list(members)
        for m in (members if index is None else index):
            self.assign[m.id] = cid
            self._register(cid, m)

    def add_all(self, reports: Iterable[Report], sort: bool = True) -> list[str]:
        rs = sorted(reports, key=_precision_key) if sort else reports
        return [self.add(r) for r in rs]

    def evict_before(self, day: int) -> Iterator[tuple[str, list[Report]]]:
        """Streaming: drop (and yield) the clusters whose latest report is dated before `day`,
        with their index entries. Call it with the publication day minus a horizon longer than
        the widest window plus the usual reporting delay."""
        heap = self._heap
        while heap and heap[0][0] < day:
            last, cid = heapq.heappop(heap)
            if self._last.get(cid) != last:
                continue                      # the cluster got a later report: re-queued
            del self._last[cid]
            for key, cell in self._days.pop(cid, ()):
                by_cell = self._index.get(key)
                if by_cell is None:
                    continue
                ids = by_cell.get(cell)
                if ids:
                    ids.pop(cid, None)
                    if not ids:
                        del by_cell[cell]
                        if not by_cell:
                            del self._index[key]
            members = self.clusters.pop(cid)
            for m in members:
                self.assign.pop(m.id, None)
            yield cid, members


def cluster_reports(reports: Iterable[Report], threshold: float = THRESHOLD
                    ) -> dict[str, list[Report]]:
    """Batch clustering: the most precise reports first, then the others join them."""
    m = Merger(threshold=threshold)
    m.add_all(reports)
    return m.clusters


# ---------------------------------------------------------------------- canonical fields
def _vote(values: Iterable[str], order: dict | None = None) -> str:
    c = Counter(v for v in values if v)
    if not c:
        return ""
    return min(c, key=lambda v: (-c[v], (order or {}).get(v, 999), v))


def _vote_actor(values: Iterable[str]) -> str:
    """The actor most reports give; a named non-state group counts double (a report that
    does not name the perpetrator says "unidentified"), ties go to the named one."""
    w: Counter = Counter()
    for v in values:
        if v:
            w[v] += 1.0 if is_generic(v) or is_state(v) else 2.0
    if not w:
        return ""
    return min(w, key=lambda v: (-w[v], is_generic(v), v))


def claim_status(members: list[Report]) -> str:
    """claimed (only party outlets), reported, confirmed (a claim plus an independent report
    or an explicit confirmation), disputed (a denial, or conflicting perpetrators)."""
    if any(m.denial for m in members):
        return "disputed"
    victims = {m.actor2 for m in members}
    perps = {m.actor1 for m in members if m.actor1 and not is_generic(m.actor1)
             and not is_state(m.actor1) and m.actor1 not in victims
             and m.event_type != "Battles"}
    if len(perps) > 1:
        return "disputed"
    roles = {m.role for m in members}
    if "claim" in roles:
        if roles - {"claim"}:
            return "confirmed"
        return "claimed"
    if "confirmation" in roles:
        return "confirmed"
    return "reported"


def fatalities(members: list[Report]) -> tuple[int, int | None]:
    """(fatalities, claimed_fatalities): the lowest figure independent sources give, else the
    lowest a party gives (already zeroed for outlets ACLED zeroes); claims kept apart."""
    indep = [m.fatalities for m in members if m.role != "claim" and m.fatalities]
    claims = [m for m in members if m.role == "claim"]
    claimed = [m.claimed_fatalities if m.claimed_fatalities is not None else m.fatalities
               for m in claims]
    claimed_f = max(claimed) if claimed else None
    if indep:
        return min(indep), claimed_f
    party = [m.fatalities for m in claims if m.fatalities]
    return (min(party) if party else 0), claimed_f


def sources(members: list[Report]) -> list[dict]:
    """Every source of the cluster: the outlets each report cites (with their roles), and each
    document itself when it cites none. One entry per (document, outlet, role)."""
    out, seen = [], set()
    for m in members:
        srcs = m.sources or [{"doc_id": m.doc_id, "outlet": m.outlet, "role": m.role,
                              "party": m.party, "url": ""}]
        for s in srcs:
            key = (s.get("doc_id") or m.doc_id, s.get("outlet") or "", s.get("role") or "")
            if key in seen:
                continue
            seen.add(key)
            out.append({"doc_id": key[0], "outlet": key[1], "role": key[2] or "report",
                        "party": s.get("party") or "", "url": s.get("url") or "",
                        "event_id": m.id})
    return out


def n_sources(srcs: list[dict]) -> int:
    """Distinct sources: outlets by name, documents that cite no outlet by id."""
    return len({("o", s["outlet"].lower()) if s.get("outlet") else ("d", s["doc_id"])
                for s in srcs})


def _best(members: list[Report], key) -> Report:
    return min(members, key=key)


# the stored row's columns a canonical row reads (canonical() and the store's writer)
ROW_FIELDS = ("country", "iso", "region", "admin2", "admin3", "geonameid", "admin1_code",
              "civilian_targeting", "inter1", "inter2", "assoc_actor_1", "assoc_actor_2",
              "injured", "source_scale", "confidence", "notes")


def canonical(members: list[Report]) -> dict:
    """Canonical fields of a cluster (plain values; `row` fields copied where useful)."""
    if not members:
        raise ValueError("empty cluster")
    # date: the most precise, then the date most reports give, then the earliest
    tp = min(m.time_precision for m in members)
    dates = Counter(m.date for m in members if m.time_precision == tp and m.date)
    when = min(dates, key=lambda d: (-dates[d], d)) if dates else None
    date_src = next((m for m in members if m.date == when and m.time_precision == tp),
                    members[0])
    # place: the best geo precision, the location most of those agree on, one with a district
    placed = [m for m in members if m.lat is not None] or members
    gp = min((m.geo_precision or 9) for m in placed)
    locs = Counter(m.location for m in placed if (m.geo_precision or 9) == gp)
    loc = min(locs, key=lambda x: (-locs[x], -len(x or ""), x or "")) if locs else ""
    place_src = next((m for m in placed if m.location == loc and (m.geo_precision or 9) == gp),
                     placed[0])
    # type: the sub-event type most reports give, ties to the higher one in ACLED's order
    sub = _vote((m.sub_event_type for m in members), _SUB_ORDER)
    etype = SUB_TO_TYPE.get(sub, members[0].event_type)
    # actors: named ones before generic ones, the most agreed first
    actor1 = _vote_actor(m.actor1 for m in members)
    a2_votes = [m.actor2 for m in members if m.actor2 and m.actor2 != actor1]
    a2_votes += [m.actor1 for m in members if m.actor1 and m.actor1 != actor1
                 and etype == "Battles"]
    actor2 = _vote_actor(a2_votes)
    fat, claimed = fatalities(members)
    srcs = sources(members)
    docs = sorted({m.doc_id for m in members if m.doc_id})
    outlets = list(dict.fromkeys(s["outlet"] for s in srcs if s["outlet"]))
    roles = Counter(s["role"] for s in srcs)
    out = {
        "event_date": when, "time_precision": tp, "event_type": etype, "sub_event_type": sub,
        "actor1": actor1, "actor2": actor2,
        "country_code": place_src.country_code, "admin1": place_src.admin1,
        "location": place_src.location, "latitude": place_src.lat,
        "longitude": place_src.lon, "geo_precision": place_src.geo_precision,
        "fatalities": fat, "claimed_fatalities": claimed,
        "claim_status": claim_status(members), "n_sources": n_sources(srcs),
        "n_reports": len(members), "n_documents": len(docs), "source": "; ".join(outlets),
        "roles": dict(roles), "sources": srcs, "report_ids": [m.id for m in members],
        "document_ids": docs,
    }
    # fields carried by the stored rows of the chosen members
    def from_row(m: Report, names: tuple[str, ...]) -> None:
        if m.row:
            for n in names:
                if n in m.row:
                    out[n] = m.row[n]

    from_row(place_src, ("country", "iso", "region", "admin2", "admin3", "geonameid",
                         "admin1_code"))
    type_src = next((m for m in members if m.sub_event_type == sub), members[0])
    from_row(type_src, ("civilian_targeting",))
    inter = {}
    for m in members:
        if m.row:
            inter.setdefault(m.actor1, m.row.get("inter1"))
            inter.setdefault(m.actor2, m.row.get("inter2"))
    out["inter1"] = inter.get(actor1)
    out["inter2"] = inter.get(actor2) if actor2 else None
    for k in ("assoc_actor_1", "assoc_actor_2"):
        vals = [p for m in members if m.row for p in (m.row.get(k) or "").split("; ") if p]
        out[k] = "; ".join(dict.fromkeys(vals))
    inj = [m.row.get("injured") or 0 for m in members if m.row]
    inj = [x for x in inj if x]
    out["injured"] = min(inj) if inj else 0
    del date_src
    return out


# ---------------------------------------------------------------------- evaluation helper
def pairwise_prf(truth: dict[str, str], pred: dict[str, str]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering (report id -> cluster label)."""
    ids = [i for i in truth if i in pred]
    both: Counter = Counter((truth[i], pred[i]) for i in ids)
    t_sizes: Counter = Counter(truth[i] for i in ids)
    p_sizes: Counter = Counter(pred[i] for i in ids)

    def pairs(c):
        return sum(n * (n - 1) // 2 for n in c.values())

    tp, n_true, n_pred = pairs(both), pairs(t_sizes), pairs(p_sizes)
    prec = tp / n_pred if n_pred else 1.0
    rec = tp / n_true if n_true else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": prec, "recall": rec, "f1": f1, "true_pairs": n_true,
            "predicted_pairs": n_pred, "correct_pairs": tp}
