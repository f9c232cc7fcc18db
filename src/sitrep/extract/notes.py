"""Notes an analyst can use: the event told in the report's own words.

ACLED's notes are one or two short sentences: a date phrase, who did what to whom, where
(with the district or village), the outcome, and disputes over it (CODEBOOK.md, `notes`). The
report's key sentence carries most of that already, with the sub-location and target an
analyst reads notes for; `key_passage` trims it (the reporting frame "X revealed that", the
trailing "according to X", a dateline) and adds the next sentence of the incident when that is
where the toll is. `write_notes` puts the date phrase in front and says who claimed or
confirmed it. Plain text: it is stored, exported and shown as text, never as markup.
"""

from __future__ import annotations

import re
from datetime import date

from ..models import Event
from .dates import dateline_end

MAX_CHARS = 420

_FRAME = re.compile(
    r"^\s*(?:(?:On|In|Late on|Early on)\s+[^,]{3,30},\s*)?(?:the\s+)?[\w'’.\- ]{0,70}?\b"
    r"(?:revealed|reported|said|says|announced|claimed|stated|confirmed|added|noted)"
    r"(?:\s+(?:on|late on|early on)\s+\w+(?:\s+\d{1,2})?)?\s+that\s+", re.I)
_TAIL = re.compile(r"(?:,\s*|\s+)(?:according to|as reported by|citing)\s+[^,.;]{2,80}"
                   r"(?=[.;]?\s*$)|,\s+(?:[\w'’-]+\s+){0,5}(?:said|reported|told \w+)"
                   r"(?:\s+on\s+\w+)?(?=[.;]?\s*$)", re.I)
# a first word that is not a name, lower-cased after the date phrase ("On 5 July 2018, two ...")
_COMMON_START = re.compile(r"(?:The|A|An|At least|In|After|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|"
                           r"Several|Some|Dozens|Hundreds|Thousands|Unknown|Unidentified|"
                           r"Suspected|Armed|Gunmen|Police|Security|Soldiers|Troops|Residents|"
                           r"Protesters|Demonstrators|Villagers|Militants|Fighters)\b")
_TOLL = re.compile(r"\b(?:killed|killing|dead|died|deaths?|wounded|wounding|injured|injuring|"
                   r"casualties|bodies)\b", re.I)


_LINK = re.compile(r"^(?:Indeed|Meanwhile|Moreover|Furthermore|In addition|Additionally|However|"
                   r"Also|Separately|Elsewhere|Besides|Following this|Then)\s*,?\s+", re.I)
# a leading time phrase the date phrase replaces ("Last month,", "In the same day,", "On July 5,")
_WHEN = re.compile(r"^(?:(?:On|In|Late on|Early on|Late|Early|By|At|During|Around|Since)\s+"
                   r"[^,]{2,32}|Last \w+|Yesterday(?: \w+)?|Today|(?:Earlier|Later)(?: \w+){0,3}|"
                   r"Overnight|This (?:morning|afternoon|evening|week))\s*,\s+")


def _trim(sentence: str) -> str:
    s = " ".join(sentence.split())
    s = s[dateline_end(s, undated=True):].lstrip()
    m = _FRAME.match(s)
    if m and len(s) - m.end() > 40:
        s = s[m.end():]
    s = _LINK.sub("", s)
    s = _TAIL.sub("", s).rstrip(" ,;:")
    if s and s[-1] not in ".!?\"”":
        s += "."
    return s


def key_passage(sentences: list[str], key: int = 0) -> str:
    """The key sentence (index `key` of the incident's sentences), trimmed, and the next one
    when the toll is told there and not in the key sentence."""
    if not sentences:
        return ""
    key = min(max(key, 0), len(sentences) - 1)
    out = _trim(sentences[key])
    if not _TOLL.search(out):
        nxt = next((s for s in sentences[key + 1:] if _TOLL.search(s)), None)
        if nxt is not None:
            more = _trim(nxt)
            if len(out) + len(more) + 1 <= MAX_CHARS:
                out = f"{out} {more}"
    if len(out) > MAX_CHARS:
        cut = out.rfind(" ", 0, MAX_CHARS - 1)
        out = out[:cut if cut > 0 else MAX_CHARS - 1].rstrip(" ,;:") + "…"
    return out


def _date_phrase(ev: Event) -> str:
    if not ev.event_date:
        return ""
    d = date.fromisoformat(ev.event_date)
    ds = f"{d.day} {d.strftime('%B')} {d.year}"
    return {1: f"On {ds}", 2: f"Around {ds} (as reported)",
            3: f"In {d.strftime('%B')} {d.year}"}.get(ev.time_precision, f"On {ds}")


def _sources_clause(ev: Event) -> str:
    by_role: dict[str, list[str]] = {}
    for s in ev.sources:
        names = by_role.setdefault(s.role, [])
        if s.outlet and s.outlet not in names:
            names.append(s.outlet)
    parts = []
    if by_role.get("claim"):
        parts.append("claimed by " + " and ".join(by_role["claim"]))
    if by_role.get("confirmation"):
        parts.append("confirmed by " + " and ".join(by_role["confirmation"]))
    if not parts:
        return ""
    clause = "; ".join(parts)
    return clause[0].upper() + clause[1:] + "."


def write_notes(ev: Event, key: str = "") -> str:
    """The notes: the date phrase, then the report's key passage (`key`) with who claimed or
    confirmed it; without a key passage, a one-line summary in the style of ACLED's notes."""
    when = _date_phrase(ev)
    if key:
        body = key
        if when:
            rest = _WHEN.sub("", body)
            if len(rest) > 20:
                body = rest
            if _COMMON_START.match(body):
                body = body[0].lower() + body[1:]
            body = f"{when}, {body}"
        elif body[0].islower():
            body = body[0].upper() + body[1:]
        src = _sources_clause(ev)
        return f"{body} {src}".strip()
    place = ev.location or "an unresolved location"
    if ev.admin1 and ev.admin1 != ev.location:
        place += f" ({ev.admin1}, {ev.country})" if ev.country else f" ({ev.admin1})"
    elif ev.country and ev.country != ev.location:
        place += f" ({ev.country})"
    who = ev.actor1 or "an unidentified actor"
    what = ev.sub_event_type.lower()
    target = f" against {ev.actor2}" if ev.actor2 else ""
    tail = f"; {ev.fatalities} fatalities" if ev.fatalities else ""
    if ev.claim_status == "claimed":
        tail += " (claimed by the perpetrator's outlet)"
    return f"{when}, {who}: {what}{target} in {place}{tail}.".lstrip(", ")
