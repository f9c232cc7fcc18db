"""Document -> coded Events with Evidence. Pure functions, no I/O.

`extract_events(doc)` finds and codes events; after place resolution (sitrep.geo),
`name_actors(event)` gives the actors their ACLED names for the event's country and year
and writes the notes (the key passage in the report's words, after a date phrase).
"""

from __future__ import annotations

from ..models import Event
from .actors import coalition_of, name_actor
from .events import extract_events, fold_placed
from .lexicon import Lexicon, load_lexicon
from .notes import write_notes

__all__ = ["extract_events", "fold_placed", "name_actors", "load_lexicon", "Lexicon", "write_notes"]


def name_actors(ev: Event, lex: Lexicon | None = None, as_of: str | None = None) -> Event:
    """Name actor1/actor2 (+ associated actors) by ACLED's conventions and set inter codes.
    `as_of` (ISO day): state labels as they stood that day (see regime_label)."""
    lex = lex or load_lexicon()
    iso = ev.country_code or ev.country_hint
    year = ev.year

    def names(refs):
        out = []
        for r in refs:
            coalition = coalition_of(r, lex, iso)
            if coalition is not None:
                out.append((coalition["name"], coalition.get("inter")))
                if not r.country:
                    continue
            n, inter = name_actor(r, lex, iso, year, ev.event_date, as_of)
            if n and n not in [x[0] for x in out]:
                out.append((n, inter))
        return out

    a1, a2 = names(ev.actors1), names(ev.actors2)
    if a1:
        ev.actor1, ev.inter1 = a1[0]
        extra = [n for n, _ in a1[1:] if n != ev.actor1]
        if extra:
            ev.assoc_actor_1 = "; ".join([x for x in [ev.assoc_actor_1] if x] + extra)
    if a2:
        ev.actor2, ev.inter2 = a2[0]
        if ev.actor2 == ev.actor1 and ev.event_type not in ("Battles", "Riots"):
            ev.actor2, ev.inter2 = "", None
    if ev.assoc_actor_1 and iso:
        own = ev.actors1[0].country if ev.actors1 and ev.actors1[0].kind in (
            "protesters", "rioters") else ""
        cn = (lex.countries.get(own or iso) or {}).get("name", "")   # "Sudanese refugees"
        parts = []
        for p in ev.assoc_actor_1.split("; "):
            if "(" not in p and cn and p in (lex.generic.get("identity") or {}):
                p = f"{p} ({cn})"
            parts.append(p)
        ev.assoc_actor_1 = "; ".join(parts)
    if ev.actor2.startswith("Civilians") and ev.event_type in (
            "Violence against civilians", "Explosions/Remote violence", "Riots") \
            or ev.event_type == "Violence against civilians" \
            or ev.sub_event_type == "Excessive force against protesters":
        ev.civilian_targeting = "Civilians targeted"
    if ev.sub_event_type == "Government regains territory" and ev.inter1 == 8:
        ev.sub_event_type = "Non-state actor overtakes territory"   # a foreign force takes it
    ev.notes = write_notes(ev, ev.notes)   # the key passage extract_events kept
    return ev

