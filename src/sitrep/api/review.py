"""Review actions: correct fields, confirm, reject as not-an-event, merge, split.

Each action runs in one transaction: it changes the events table (so every read, filter and
export sees the reviewed data), records the event's review state in ``event_reviews`` and
appends who / when / before / after to ``review_log``. Corrections are also kept as
overrides, and ``reapply_reviews`` writes them again after the pipeline re-codes a document.

An id can name an incident (a merged event: its id is the id of its first report) as well as
a report. Reviewing an incident corrects its row and its first report; merging incidents
moves the reports of the others into it; splitting an incident by ``report_ids`` moves those
reports out into a new incident (a split by ``parts`` copies the first report with other
fields, and the copy is an incident of its own). Incident rows are recomputed from their
reports by the merge stage's own rule, then the incident's corrections are applied again.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from ..export import event_id_cnty
from ..merge.schema import canonical_events as incidents
from ..merge.schema import event_reports
from ..models import EVENT_TYPES, SUB_TO_TYPE, disorder_type, interaction_code, parse_day
from ..store import bump_events_version
from ..store.schema import event_evidence, event_sources, events
from .schema import event_reviews, review_log

ACTIONS = ("correct", "confirm", "reject", "merge", "split")
CLAIM_STATUSES = ("claimed", "reported", "confirmed", "disputed")
TEXT_FIELDS = {
    "actor1": 300, "assoc_actor_1": 300, "actor2": 300, "assoc_actor_2": 300,
    "country": 100, "admin1": 200, "admin2": 200, "admin3": 200, "location": 200,
    "notes": 5000, "tags": 500, "source": 500, "source_scale": 100, "region": 100,
}
INT_FIELDS = {"time_precision": (1, 3), "geo_precision": (1, 3), "inter1": (0, 8),
              "inter2": (0, 8), "fatalities": (0, 1_000_000), "injured": (0, 1_000_000)}
FLOAT_FIELDS = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}
OTHER_FIELDS = {"event_date", "event_type", "sub_event_type", "claim_status",
                "civilian_targeting"}
EDITABLE = set(TEXT_FIELDS) | set(INT_FIELDS) | set(FLOAT_FIELDS) | OTHER_FIELDS


class ReviewError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _now() -> datetime:
    return datetime.now(UTC)


def _name(key: Any) -> str:
    """A submitted field name as an error message shows it: quoted, at most 40 characters
    (error messages name what was wrong; they never echo what was sent)."""
    text = str(key)
    return repr(text if len(text) <= 40 else text[:40] + "...")


def _check_value(name: str, value: Any) -> Any:
    if name not in EDITABLE:
        raise ReviewError(f"field {_name(name)} cannot be corrected; editable: "
                          f"{', '.join(sorted(EDITABLE))}")
    if name in TEXT_FIELDS:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ReviewError(f"{name} must be a string")
        value = value.strip()
        if len(value) > TEXT_FIELDS[name]:
            raise ReviewError(f"{name} is longer than {TEXT_FIELDS[name]} characters")
        return value
    if name in INT_FIELDS:
        lo, hi = INT_FIELDS[name]
        if value in (None, "") and name in ("inter1", "inter2"):
            return None
        try:
            iv = int(value)
        except (TypeError, ValueError) as e:
            raise ReviewError(f"{name} must be a whole number") from e
        if isinstance(value, float) and value != iv or not lo <= iv <= hi:
            raise ReviewError(f"{name} must be a whole number from {lo} to {hi}")
        return None if name in ("inter1", "inter2") and iv == 0 else iv
    if name in FLOAT_FIELDS:
        lo, hi = FLOAT_FIELDS[name]
        try:
            fv = float(value)
        except (TypeError, ValueError) as e:
            raise ReviewError(f"{name} must be a number") from e
        if not lo <= fv <= hi:
            raise ReviewError(f"{name} must be between {lo} and {hi}")
        return fv
    if name == "event_date":
        try:
            return parse_day(value).isoformat()
        except ValueError as e:
            raise ReviewError(f"event_date: {e}") from e
    if name == "event_type":
        if not isinstance(value, str) or value not in EVENT_TYPES:
            raise ReviewError(f"unknown event_type; use one of {', '.join(EVENT_TYPES)}")
        return value
    if name == "sub_event_type":
        if not isinstance(value, str) or value not in SUB_TO_TYPE:
            raise ReviewError("unknown sub_event_type; use one of the event types' sub-types "
                              "(GET /api/meta)")
        return value
    if name == "claim_status":
        if value not in CLAIM_STATUSES:
            raise ReviewError(f"claim_status must be one of {', '.join(CLAIM_STATUSES)}")
        return value
    if name == "civilian_targeting":
        if value not in ("", "Civilian targeting", None):
            raise ReviewError("civilian_targeting must be '' or 'Civilian targeting'")
        return value or ""
    raise ReviewError(f"field {_name(name)} cannot be corrected")  # pragma: no cover


def validate_fields(current: dict, fields: dict) -> dict:
    """Checked, normalised new values plus the derived ACLED columns they change."""
    if not isinstance(fields, dict) or not fields:
        raise ReviewError("give the corrected fields as an object, e.g. "
                          '{"fatalities": 3}')
    new = {k: _check_value(k, v) for k, v in fields.items()}
    et = new.get("event_type", current.get("event_type"))
    sub = new.get("sub_event_type", current.get("sub_event_type"))
    if "sub_event_type" in new and "event_type" not in new:
        et = new["event_type"] = SUB_TO_TYPE[sub]
    if SUB_TO_TYPE.get(sub) != et:
        raise ReviewError(f"sub_event_type {sub!r} is not a kind of {et!r}: correct "
                          "sub_event_type too")
    derived: dict[str, Any] = {}
    if "event_type" in new or "sub_event_type" in new:
        derived["disorder_type"] = disorder_type(et, sub)
    if "inter1" in new or "inter2" in new:
        derived["interaction"] = interaction_code(new.get("inter1", current.get("inter1")),
                                                  new.get("inter2", current.get("inter2")))
    if "event_date" in new:
        derived["year"] = int(new["event_date"][:4])
    return {**new, **derived}


def _event(conn: Connection, event_id: str) -> dict:
    r = conn.execute(select(events).where(events.c.id == event_id)).mappings().first()
    if r is None:
        first = _members(conn, event_id)      # an incident whose first report is gone
        if first:
            r = conn.execute(select(events).where(events.c.id == first[0])).mappings().first()
    if r is None:
        raise ReviewError(f"no event {_name(event_id)}", 404)
    return dict(r)


# ---------------------------------------------------------------------- incidents
def _incident(conn: Connection, iid: str) -> dict | None:
    r = conn.execute(select(incidents).where(incidents.c.id == iid)).mappings().first()
    return dict(r) if r else None


def _members(conn: Connection, iid: str) -> list[str]:
    return list(conn.execute(select(event_reports.c.event_id)
                             .where(event_reports.c.canonical_id == iid)
                             .order_by(event_reports.c.added_at, event_reports.c.event_id)
                             ).scalars())


def _incident_overrides(conn: Connection, iid: str, fields: dict) -> None:
    """Write corrected fields that the incidents table has onto an incident's row."""
    vals = {k: v for k, v in fields.items() if k in incidents.c and k != "id"}
    if vals:
        conn.execute(update(incidents).where(incidents.c.id == iid).values(**vals))


def _recompute(conn: Connection, iid: str, cause: str) -> None:
    """An incident's row from its reports (the merge stage's rule, with its change history),
    or gone when it has none left; then its own corrections again."""
    from ..merge.db import load_reports, rewrite_cluster

    now = _now()
    old = _incident(conn, iid)
    ids = _members(conn, iid)
    rewrite_cluster(conn, iid, load_reports(conn, event_ids=ids) if ids else [], old, now,
                    cause)
    if not ids:
        return
    st = _state(conn, iid)
    if st:
        _incident_overrides(conn, iid, json.loads(st["overrides"] or "{}"))


def _move_reports(conn: Connection, report_ids: list[str], to: str) -> set[str]:
    """Move reports into incident ``to`` (a report not merged yet joins it); returns the
    incidents they left."""
    left = set(conn.execute(select(event_reports.c.canonical_id)
                            .where(event_reports.c.event_id.in_(report_ids))).scalars())
    conn.execute(update(event_reports).where(event_reports.c.event_id.in_(report_ids))
                 .values(canonical_id=to))
    have = set(conn.execute(select(event_reports.c.event_id)
                            .where(event_reports.c.event_id.in_(report_ids))).scalars())
    for rid in report_ids:
        if rid in have:
            continue
        r = conn.execute(select(events.c.doc_id, events.c.source).where(events.c.id == rid)
                         ).first()
        if r is not None:
            conn.execute(insert(event_reports).values(
                event_id=rid, canonical_id=to, doc_id=r[0], role="report",
                outlet=r[1] or "", score=None, added_at=_now()))
    return left - {to}


def _state(conn: Connection, event_id: str) -> dict | None:
    r = conn.execute(select(event_reviews).where(event_reviews.c.event_id == event_id)
                     ).mappings().first()
    return dict(r) if r else None


def _set_state(conn: Connection, event_id: str, status: str, who: str, *,
               overrides: dict | None = None, merged_into: str | None = None) -> None:
    old = _state(conn, event_id)
    ov = json.loads(old["overrides"]) if old else {}
    if overrides:
        ov.update(overrides)
    values = {"status": status, "merged_into": merged_into, "overrides": json.dumps(ov),
              "updated_at": _now(), "updated_by": who}
    if old is None:
        conn.execute(insert(event_reviews).values(event_id=event_id, **values))
    else:
        conn.execute(update(event_reviews).where(event_reviews.c.event_id == event_id)
                     .values(**values))


def _log(conn: Connection, event_id: str, action: str, who: str, token: str, before, after,
         note: str, related: list[str] | None = None) -> int:
    r = conn.execute(insert(review_log).values(
        event_id=event_id, action=action, who=who, token=token, at=_now(),
        before=None if before is None else json.dumps(before, default=str),
        after=None if after is None else json.dumps(after, default=str),
        note=note, related=json.dumps(related or [])).returning(review_log.c.pk))
    return int(r.scalar_one())


def _copy_children(conn: Connection, src_id: str, dst_id: str, *, skip_docs: set[str]
                   ) -> None:
    for row in conn.execute(select(event_evidence).where(event_evidence.c.event_id == src_id)
                            .order_by(event_evidence.c.pk)).mappings():
        if row["doc_id"] in skip_docs:
            continue
        d = {k: v for k, v in row.items() if k != "pk"}
        conn.execute(insert(event_evidence).values(**{**d, "event_id": dst_id}))
    for row in conn.execute(select(event_sources).where(event_sources.c.event_id == src_id)
                            .order_by(event_sources.c.pk)).mappings():
        if row["doc_id"] in skip_docs:
            continue
        d = {k: v for k, v in row.items() if k != "pk"}
        conn.execute(insert(event_sources).values(**{**d, "event_id": dst_id}))


def _incident_docs(conn: Connection, iid: str) -> list[str]:
    return list(dict.fromkeys(conn.execute(
        select(event_reports.c.doc_id).where(event_reports.c.canonical_id == iid)
        .order_by(event_reports.c.added_at, event_reports.c.event_id)).scalars()))


def _source_docs(conn: Connection, ev: dict) -> list[str]:
    docs = [ev["doc_id"]] + [r[0] for r in conn.execute(
        select(event_sources.c.doc_id).where(event_sources.c.event_id == ev["id"]))]
    return list(dict.fromkeys(docs))


def apply_review(engine: Engine, event_id: str, req: dict, *, token: str) -> dict:
    """Run one review action; returns {"event_id", "action", "audit_ids", "created"}."""
    action = req.get("action")
    if action not in ACTIONS:
        raise ReviewError(f"action must be one of {', '.join(ACTIONS)}")
    who = str(req.get("reviewer") or "").strip()[:200] or token
    note = str(req.get("note") or "").strip()[:2000]
    audit: list[int] = []
    created: list[str] = []
    with engine.begin() as conn:
        ev = _event(conn, event_id)
        inc = _incident(conn, event_id)
        is_incident = inc is not None
        if is_incident:       # the incident's coding, which may differ from its 1st report's
            ev.update({k: v for k, v in inc.items() if k in events.c and k != "id"})
        state = _state(conn, event_id)
        old_status = state["status"] if state else None
        if state and state["status"] == "merged" and action != "confirm":
            raise ReviewError(f"event {event_id} was merged into {state['merged_into']}", 409)
        if action in ("confirm", "reject"):
            if req.get("fields"):
                raise ReviewError(f"{action} takes no fields; use action 'correct'")
            status = "confirmed" if action == "confirm" else "rejected"
            _set_state(conn, event_id, status, who)
            audit.append(_log(conn, event_id, action, who, token,
                              {"review_status": old_status}, {"review_status": status}, note))
        elif action == "correct":
            new = validate_fields(ev, req.get("fields"))
            changed = {k: v for k, v in new.items() if ev.get(k) != v}
            if not changed:
                raise ReviewError("nothing to change: the event already has these values")
            changed["timestamp"] = int(_now().timestamp())
            conn.execute(update(events).where(events.c.id == ev["id"]).values(**changed))
            bump_events_version(conn)
            if is_incident:
                _incident_overrides(conn, event_id, changed)
            user_fields = {k: v for k, v in changed.items() if k in EDITABLE}
            _set_state(conn, event_id, "corrected", who, overrides=user_fields)
            before = {k: ev.get(k) for k in changed if k != "timestamp"}
            after = {k: v for k, v in changed.items() if k != "timestamp"}
            before["review_status"], after["review_status"] = old_status, "corrected"
            audit.append(_log(conn, event_id, "correct", who, token, before, after, note))
        elif action == "merge":
            others = req.get("merge_ids") or []
            if not isinstance(others, list) or not others or not all(
                    isinstance(x, str) for x in others):
                raise ReviewError("merge needs merge_ids: the events to merge into this one")
            others = list(dict.fromkeys(x for x in others if x != event_id))
            if not others:
                raise ReviewError("cannot merge an event into itself")
            docs = _incident_docs if is_incident else _source_docs
            before_docs = docs(conn, ev if not is_incident else event_id)
            for oid in others:
                other = _event(conn, oid)
                ost = _state(conn, oid)
                if ost and ost["status"] == "merged":
                    raise ReviewError(f"event {oid} was already merged into "
                                      f"{ost['merged_into']}", 409)
                if is_incident:     # its reports (or the report itself) join this incident
                    moved = _members(conn, oid) or [oid]
                    for left in _move_reports(conn, moved, event_id):
                        _recompute(conn, left, oid)
                else:
                    have = set(_source_docs(conn, ev))
                    if other["doc_id"] not in have:
                        conn.execute(insert(event_sources).values(
                            event_id=event_id, doc_id=other["doc_id"],
                            outlet=other["source"] or "", role="report", party="", url="",
                            start=-1, end=-1))
                    _copy_children(conn, oid, event_id, skip_docs=have)
                _set_state(conn, oid, "merged", who, merged_into=event_id)
                audit.append(_log(conn, oid, "merged_into", who, token,
                                  {"review_status": ost["status"] if ost else None},
                                  {"review_status": "merged", "merged_into": event_id}, note,
                                  [event_id]))
            _set_state(conn, event_id, old_status if old_status in ("confirmed", "corrected")
                       else "confirmed", who)
            if is_incident:
                _recompute(conn, event_id, others[0])
            after_docs = docs(conn, ev if not is_incident else event_id)
            audit.append(_log(conn, event_id, "merge", who, token,
                              {"source_documents": before_docs},
                              {"source_documents": after_docs, "merged": others}, note, others))
        elif req.get("report_ids"):     # split an incident by its reports
            if not is_incident:
                raise ReviewError("report_ids split an incident; this id is a report: use "
                                  "parts")
            ids = req["report_ids"]
            members = _members(conn, event_id)
            if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
                raise ReviewError("report_ids must be a list of report ids")
            ids = list(dict.fromkeys(ids))
            stray = [x for x in ids if x not in members]
            if stray:
                raise ReviewError(f"report {_name(stray[0])} is not a report of this incident")
            if len(ids) >= len(members):
                raise ReviewError("leave at least one report in the incident")
            nid = next((x for x in ids if x != event_id), None)
            if nid is None:
                raise ReviewError("the incident keeps its first report; tick the others")
            if nid == event_id or _incident(conn, nid) is not None:
                nid = hashlib.sha1(f"{event_id}:split:{_now().isoformat()}".encode()
                                   ).hexdigest()[:16]
            _move_reports(conn, ids, nid)
            _recompute(conn, nid, event_id)
            _recompute(conn, event_id, nid)
            _set_state(conn, nid, "split", who)
            audit.append(_log(conn, nid, "split_from", who, token, None,
                              {"reports": ids}, note, [event_id]))
            created.append(nid)
            _set_state(conn, event_id, "split", who)
            audit.append(_log(conn, event_id, "split", who, token,
                              {"review_status": old_status, "reports": members},
                              {"review_status": "split", "split_into": created,
                               "reports": [m for m in members if m not in ids]},
                              note, created))
        else:  # split into copies with other fields
            parts = req.get("parts") or []
            if not isinstance(parts, list) or not parts or not all(
                    isinstance(p, dict) for p in parts):
                raise ReviewError("split needs parts: a list of field objects, one per new "
                                  "event (fields that differ from this event), or, for an "
                                  "incident, report_ids: the reports that are another "
                                  "incident")
            stamp = _now()
            for k, part in enumerate(parts):
                new = validate_fields(ev, part) if part else {}
                nid = hashlib.sha1(f"{event_id}:split:{k}:{stamp.isoformat()}".encode()
                                   ).hexdigest()[:16]
                row = {**ev, **new, "id": nid, "created_at": stamp,
                       "timestamp": int(stamp.timestamp()),
                       "event_id_cnty": event_id_cnty(nid, ev.get("country_code"))}
                conn.execute(insert(events).values(**row))
                _copy_children(conn, ev["id"], nid, skip_docs=set())
                _set_state(conn, nid, "split", who,
                           overrides={k2: v for k2, v in new.items() if k2 in EDITABLE})
                if is_incident:             # the copy is an incident of its own
                    _move_reports(conn, [nid], nid)
                    _recompute(conn, nid, event_id)
                audit.append(_log(conn, nid, "split_from", who, token, None,
                                  {k2: row[k2] for k2 in sorted(set(new) | {"event_type",
                                   "sub_event_type", "event_date", "location"})}, note,
                                  [event_id]))
                created.append(nid)
            _set_state(conn, event_id, "split", who)
            audit.append(_log(conn, event_id, "split", who, token,
                              {"review_status": old_status},
                              {"review_status": "split", "split_into": created}, note, created))
    return {"event_id": event_id, "action": action, "audit_ids": audit, "created": created}


def reapply_reviews(engine: Engine) -> int:
    """Write the stored corrections again where the events table (or an incident's row, which
    a merge recomputed) lost them (re-coded documents keep their event ids). Returns the
    number of events updated."""
    n = 0
    with engine.begin() as conn:
        rows = conn.execute(select(event_reviews.c.event_id, event_reviews.c.overrides)
                            .where(event_reviews.c.overrides != "{}")).all()
        for eid, ov in rows:
            fields = json.loads(ov or "{}")
            inc = _incident(conn, eid)
            if inc is not None and fields:
                stale = {k: v for k, v in fields.items() if k in incidents.c and inc[k] != v}
                if stale:
                    _incident_overrides(conn, eid, stale)
            r = conn.execute(select(events).where(events.c.id == eid)).mappings().first()
            if r is None or not fields:
                continue
            stale = {k: v for k, v in fields.items() if k in events.c and r[k] != v}
            if stale:
                try:
                    stale.update({k: v for k, v in validate_fields(dict(r), stale).items()
                                  if k not in stale})
                except ReviewError:
                    pass
                conn.execute(update(events).where(events.c.id == eid).values(**stale))
                bump_events_version(conn)
                n += 1
    return n


def reapply_stored_reviews(store) -> int:
    """reapply_reviews where the database has reviews (after a merge recomputed incidents or
    an extract re-coded documents); 0 when nothing was ever reviewed."""
    from sqlalchemy import inspect

    if not inspect(store.engine).has_table(event_reviews.name):
        return 0
    return reapply_reviews(store.engine)
