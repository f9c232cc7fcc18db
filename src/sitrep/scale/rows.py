"""Deterministic row format for documents and events, as written to Parquet by the scale engine.

Events: the fields of ``Event.to_dict()`` in a fixed order (dataclass order, then the derived
``disorder_type``, ``interaction``, ``year``, ``id``), evidence and sources as JSON strings, then
three ordering columns (``part``, ``doc_seq``, ``event_seq``) so a merge can replay the
single-process order. One events file per partition, ``event_date`` a column like the others
(a file per date and partition cost more to write and read than the events in it).
"""

from __future__ import annotations

import dataclasses
import json

import pyarrow as pa

from ..models import Document, Event, Evidence, Source, as_date

# Exported fields: those Event.to_dict() keeps (the working state between stages is dropped).
_EXPORTED = set(Event(doc_id="", event_type="", sub_event_type="").to_dict())
_DERIVED = [("disorder_type", pa.string()), ("interaction", pa.int64()), ("year", pa.int64()),
            ("id", pa.string())]
_ORDER = [("part", pa.int64()), ("doc_seq", pa.int64()), ("event_seq", pa.int64())]


def _arrow_type(annotation: str) -> pa.DataType:
    a = annotation.replace(" ", "")
    if a.startswith("list["):
        return pa.string()                      # evidence / sources: JSON text
    if a.startswith("int"):
        return pa.int64()
    if a.startswith("float"):
        return pa.float64()
    return pa.string()


EVENT_FIELDS: list[str] = [f.name for f in dataclasses.fields(Event) if f.name in _EXPORTED]
EVENT_SCHEMA = pa.schema(
    [pa.field(f.name, _arrow_type(str(f.type))) for f in dataclasses.fields(Event)
     if f.name in _EXPORTED]
    + [pa.field(n, t) for n, t in _DERIVED] + [pa.field(n, t) for n, t in _ORDER])

DOCUMENT_SCHEMA = pa.schema([
    ("id", pa.string()), ("url", pa.string()), ("title", pa.string()),
    ("published", pa.date32()), ("source_name", pa.string()), ("language", pa.string()),
    ("path", pa.string()), ("body", pa.string()), ("comments", pa.string()),
    ("chrome", pa.string()), ("part", pa.int64()), ("doc_seq", pa.int64()),
])


def _json(v) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def event_record(ev: Event, part: int, doc_seq: int, event_seq: int) -> dict:
    """One event as a flat row (see the module docstring)."""
    d = ev.to_dict()
    row = {name: d[name] for name in EVENT_FIELDS}
    row["evidence"] = _json(d["evidence"])
    row["sources"] = _json(d["sources"])
    for name, _ in _DERIVED:
        row[name] = d[name]
    row.update(part=part, doc_seq=doc_seq, event_seq=event_seq)
    return row


def event_from_record(row: dict) -> Event:
    """The Event back from its row (what Store.save needs); its id is checked."""
    kw = {name: row[name] for name in EVENT_FIELDS if name not in ("evidence", "sources")}
    ev = Event(**kw)
    ev.evidence = [Evidence(**e) for e in json.loads(row["evidence"] or "[]")]
    ev.sources = [Source(**s) for s in json.loads(row["sources"] or "[]")]
    if ev.id != row["id"]:
        raise ValueError(f"event row {row['id']} does not round-trip (got {ev.id})")
    return ev


def document_record(doc: Document, part: int, doc_seq: int) -> dict:
    return {"id": doc.id, "url": doc.url or "", "title": doc.title or "",
            "published": doc.published, "source_name": doc.source_name or "",
            "language": doc.language or "en", "path": doc.path or "", "body": doc.body,
            "comments": _json(list(doc.comments)), "chrome": _json(list(doc.chrome)),
            "part": part, "doc_seq": doc_seq}


def document_from_record(row: dict) -> Document:
    pub = row["published"]
    if pub is not None:
        pub = as_date(pub, required=True)
    return Document(id=row["id"], text=row["body"], body=row["body"], title=row["title"],
                    url=row["url"], published=pub, source_name=row["source_name"],
                    language=row["language"], comments=json.loads(row["comments"] or "[]"),
                    chrome=json.loads(row["chrome"] or "[]"), path=row["path"])
