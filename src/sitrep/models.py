"""Plain dataclasses passed between the stages.

ingest -> Document -> extract -> Event (with Evidence, ActorRef, PlaceMention) -> geo -> store.

These records are the contract between stages: change them deliberately.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache

# ACLED's column order (2019+ layout plus disorder_type / civilian_targeting / tags).
ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
]

# Sitrep's extra columns, after ACLED's.
EXTRA_COLUMNS = [
    "sitrep_id", "injured", "claimed_fatalities", "claim_status", "confidence", "geonameid",
    "admin1_code", "document_ids", "document_urls", "n_sources",
]

EVENT_TYPES = {
    "Battles": ["Armed clash", "Government regains territory",
                "Non-state actor overtakes territory"],
    "Protests": ["Excessive force against protesters", "Protest with intervention",
                 "Peaceful protest"],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Explosions/Remote violence": ["Chemical weapon", "Air/drone strike", "Suicide bomb",
                                   "Shelling/artillery/missile attack",
                                   "Remote explosive/landmine/IED", "Grenade"],
    "Violence against civilians": ["Sexual violence", "Attack",
                                   "Abduction/forced disappearance"],
    "Strategic developments": ["Agreement", "Arrests", "Change to group/activity",
                               "Disrupted weapons use", "Headquarters or base established",
                               "Looting/property destruction",
                               "Non-violent transfer of territory", "Other"],
}
SUB_TO_TYPE = {sub: et for et, subs in EVENT_TYPES.items() for sub in subs}


def as_date(value, *, required: bool = False) -> date | None:
    """The calendar date of a date, a datetime, an ISO date or datetime string ("2018-07-07",
    "2018-07-07T10:00:00Z", anything starting with YYYY-MM-DD) or an RFC 2822 date; None for
    None, "" and anything else, or ValueError when `required`. The one date coercion of the
    project: ingest, store, merge, watch, scale and evaluation call it."""
    d = _as_date(value)
    if d is None and required:
        raise ValueError(f"not a date (YYYY-MM-DD): {value!r}")
    return d


def _as_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    s = str(value).strip()
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(s).date()
    except (TypeError, ValueError, IndexError):
        return None


def iso_date(value) -> str | None:
    """"YYYY-MM-DD" of a date or datetime; a string as stored (its first 10 characters);
    None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()[:10]
    return str(value)[:10]


def disorder_type(event_type: str, sub_event_type: str) -> str:
    """ACLED Table 2: disorder type from event and sub-event type."""
    if sub_event_type == "Excessive force against protesters":
        return "Political violence; Demonstrations"
    if event_type == "Strategic developments":
        return "Strategic developments"
    if event_type == "Protests" or sub_event_type == "Violent demonstration":
        return "Demonstrations"
    return "Political violence"


def interaction_code(inter1: int | None, inter2: int | None) -> int | None:
    """ACLED interaction: the two inter codes, lower first; one actor gives X0."""
    if not inter1 and not inter2:
        return None
    codes = sorted(c for c in (inter1, inter2) if c)
    if len(codes) == 1:
        return codes[0] * 10
    return codes[0] * 10 + codes[1]


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_day(value: str) -> date:
    """A calendar day written exactly YYYY-MM-DD (what the API and CLI filters take).
    ValueError, with a reason that does not repeat the input, for anything else:
    "2020-99-99", "yesterday", "2020-01-01T00:00", "20200101"."""
    text = str(value).strip()
    if not _DAY.fullmatch(text):
        raise ValueError("dates are written YYYY-MM-DD, e.g. 2021-03-31")
    try:
        return date.fromisoformat(text)
    except ValueError as e:
        raise ValueError(f"no such day: {text} (dates are YYYY-MM-DD)") from e


def content_id(text: str) -> str:
    """Stable document id: hash of the normalised content."""
    norm = " ".join(text.split())
    return hashlib.sha256(norm.encode("utf-8", "surrogatepass")).hexdigest()[:20]


@dataclass
class Document:
    """One article as ingested: body split from chrome and reader comments."""

    id: str
    text: str                      # the full raw text as received (after decoding)
    body: str                      # article body only: what events are extracted from
    title: str = ""
    url: str = ""
    published: date | None = None
    source_name: str = ""          # outlet / site name, if known
    language: str = "en"
    comments: list[str] = field(default_factory=list)   # reader comments: kept, never coded
    chrome: list[str] = field(default_factory=list)     # menus, share bars, "Back To Top"
    path: str = ""                 # where it came from (file path, url, "stdin", "file.jsonl:12")


@dataclass
class Evidence:
    """Where a coded field came from: a character span of Document.body."""

    field: str
    start: int
    end: int
    text: str
    doc_id: str = ""


# an event's place, as the geo stage codes it (copied whole when one telling of an incident
# takes another's place)
PLACE_FIELDS = ("location", "latitude", "longitude", "geonameid", "geo_precision", "country",
                "country_code", "iso", "region", "admin1", "admin1_code", "admin2")

# the unnamed shooters on a front with two known sides (countries.yaml `front_sides`): naming
# codes the first side as actor1, the second as actor2
FRONT_KEYS = ("front_side_1", "front_side_2")


@dataclass
class ActorRef:
    """An actor as found in text, before naming by country and date.

    kind: "named" (a group with its own ACLED name), "military", "police", "government",
    "civilians", "protesters", "rioters", "unidentified", "gang", "communal", "ethnic_militia".
    """

    kind: str
    name: str = ""                 # final ACLED-style name, filled by naming
    key: str = ""                  # lexicon key for named actors
    country: str = ""              # ISO2 of the actor's country, when known (e.g. "Afghan forces")
    unit: str = ""                 # e.g. "National Directorate of Security", "Gendarmerie"
    inter: int | None = None
    start: int = -1                # span in Document.body
    end: int = -1
    text: str = ""
    foreign: bool = False          # state forces acting outside their own country (inter 8)


# the last word of a newspaper's name ("the Sahel Ledger", "the Kabul Times"): the name
# before it is a masthead, not a place; extract and geo's spotter share it
MASTHEAD_WORDS = frozenset({
    "Times", "Post", "Herald", "Tribune", "Ledger", "Courier", "Observer", "Gazette",
    "Chronicle", "Monitor", "Daily", "Guardian", "Express", "Mail", "Journal", "Telegraph",
    "Standard", "Sentinel", "Dispatch", "Reporter", "Inquirer"})

# words after "the X" that end its phrase: no noun follows, so X is not a thing named after a
# town ("the Saray and ...", but "the Saadnayel highway"); extract and geo's spotter share it
PHRASE_END_WORDS = ("and|or|in|on|at|of|to|with|near|for|by|from|after|as|was|were|is|are|has|"
                    "had|have|which|who|that|where|when|while")


@dataclass
class PlaceMention:
    """A place phrase in text, in order of preference for the event location.

    role: "in" (the event happened there), "near" (near / outskirts / countryside of it),
    "admin" (a containing unit given as context: "(Beni, Nord-Kivu)"), "other".
    """

    text: str
    start: int
    end: int
    role: str = "in"
    kind_hint: str = ""            # "district", "province", "city", "village", "neighbourhood",
    # "area", "road", "near" (extract.places.KIND_WORDS); "landmark": "the X" with no kind and
    # no noun after it ("outside the Saray"), a building or a region, never a town
    context: list[str] = field(default_factory=list)  # containing units named with it
    group: int = 0                 # places coordinated in one phrase share it ("X (..) and Y")


@dataclass
class Place:
    """A resolved gazetteer entry."""

    geonameid: int
    name: str
    latitude: float
    longitude: float
    country_code: str              # ISO2
    country: str = ""
    admin1: str = ""
    admin1_code: str = ""
    admin2: str = ""
    population: int = 0
    feature: str = "P"             # "P" populated place, "A1" admin1, "A2" admin2, "PCLI" country


@dataclass
class Source:
    doc_id: str
    outlet: str = ""
    role: str = "report"           # "claim" (a party's outlet), "report", "confirmation"
    party: str = ""                # actor key the outlet speaks for, for claims
    url: str = ""
    start: int = -1
    end: int = -1


@lru_cache(maxsize=1 << 16)
def _hashed_id(key: str) -> str:
    """An event's id from its key (asked for often while a batch is stored and merged)."""
    return hashlib.sha1(key.encode()).hexdigest()[:16]


@dataclass
class Event:
    """One coded event: ACLED's columns plus Sitrep's evidence, sources and confidence."""

    doc_id: str
    event_type: str
    sub_event_type: str
    event_date: str | None = None      # YYYY-MM-DD
    time_precision: int = 1
    actor1: str = ""
    assoc_actor_1: str = ""
    inter1: int | None = None
    actor2: str = ""
    assoc_actor_2: str = ""
    inter2: int | None = None
    civilian_targeting: str = ""
    iso: int | None = None
    region: str = ""
    country: str = ""
    admin1: str = ""
    admin2: str = ""
    admin3: str = ""
    location: str = ""
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    source: str = ""
    source_scale: str = ""
    notes: str = ""
    fatalities: int = 0
    tags: str = ""
    # Sitrep's own fields
    injured: int = 0
    claimed_fatalities: int | None = None
    claim_status: str = "reported"     # claimed / reported / confirmed / disputed
    confidence: float = 0.5
    why: str = ""                      # what decided the sub-type: rules, model, or both
    geonameid: int | None = None
    admin1_code: str = ""
    country_code: str = ""             # ISO2
    sentence_start: int = 0
    sentence_end: int = 0
    evidence: list[Evidence] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    # working state between extract and geo (not exported)
    actors1: list[ActorRef] = field(default_factory=list)
    actors2: list[ActorRef] = field(default_factory=list)
    places: list[PlaceMention] = field(default_factory=list)
    site: str = ""                    # one of several places a report names (CODEBOOK 1)
    country_hint: str = ""             # ISO2 suggested by the text (demonyms, "in Iraq")
    country_hints: list[str] = field(default_factory=list)  # all suggested ISO2s, best first
    strong_hints: list[str] = field(default_factory=list)   # named in text / groups' homes
    hint_spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # ISO2 -> its words
    datelines: list[tuple[int, int]] = field(default_factory=list)  # wire datelines in its text

    @property
    def disorder_type(self) -> str:
        return disorder_type(self.event_type, self.sub_event_type)

    @property
    def interaction(self) -> int | None:
        return interaction_code(self.inter1, self.inter2)

    @property
    def year(self) -> int | None:
        return int(self.event_date[:4]) if self.event_date else None

    @property
    def id(self) -> str:
        """Stable id: document, sentence and the coded type."""
        key = f"{self.doc_id}:{self.sentence_start}:{self.sub_event_type}:{self.event_date}"
        if self.site:
            key += f":{self.site}"
        return _hashed_id(key)

    def add_evidence(self, field_name: str, start: int, end: int, body: str) -> None:
        if 0 <= start < end <= len(body):
            self.evidence.append(Evidence(field_name, start, end, body[start:end], self.doc_id))

    def to_dict(self) -> dict:
        """The exported fields (not the working state) and the derived ones, as plain values:
        what ``asdict`` gives minus the working state, without deep-copying the working
        state's place mentions and actor references first (most of the cost)."""
        d = {}
        for name in _event_exported():
            v = getattr(self, name)
            d[name] = [asdict(x) for x in v] if name in ("evidence", "sources") else v
        d["disorder_type"] = self.disorder_type
        d["interaction"] = self.interaction
        d["year"] = self.year
        d["id"] = self.id
        return d


_EVENT_WORKING = frozenset(("actors1", "actors2", "places", "country_hints", "strong_hints",
                            "hint_spans", "datelines"))


@lru_cache(maxsize=1)
def _event_exported() -> tuple[str, ...]:
    """Event's fields in order, the working state left out; every one but evidence and
    sources holds a plain value (str, int, float or None)."""
    return tuple(f.name for f in fields(Event) if f.name not in _EVENT_WORKING)
