"""Export events: ACLED-compatible CSV, GeoJSON, JSONL.

Rows are dicts as returned by Store.iter_events (or Event objects, or Event.to_dict()).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import IO, Any

from .models import (
    ACLED_COLUMNS,
    EXTRA_COLUMNS,
    Event,
    disorder_type,
    interaction_code,
    iso_date,
)

COLUMNS = ACLED_COLUMNS + EXTRA_COLUMNS

__all__ = ["COLUMNS", "csv_safe", "event_id_cnty", "export_record", "json_record",
           "write_acled_csv", "write_geojson", "write_json", "write_jsonl"]


def event_id_cnty(event_id: str, iso2: str | None = "") -> str:
    """Sitrep's event_id_cnty: "SR-" + ISO2 (or XX) + a number from the event id.

    Stable for a given event id, and never equal to an ACLED id (those are ISO3 + digits,
    e.g. "SYR1234"; ours always carry the "SR-" prefix).
    """
    cc = (iso2 or "").strip().upper()
    cc = cc if len(cc) == 2 and cc.isalpha() else "XX"
    try:
        n = int(event_id[:12], 16)
    except (TypeError, ValueError):
        n = int.from_bytes(str(event_id).encode()[:6].ljust(6, b"\0"), "big")
    return f"SR-{cc}{n}"


def _row(item: Any) -> dict:
    if isinstance(item, Event):
        return item.to_dict()
    return dict(item)


def _int(v) -> int | None:
    if v is None or v == "":
        return None
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _unique(xs: Iterable[str]) -> list[str]:
    out: list[str] = []
    for x in xs:
        if x and x not in out:
            out.append(x)
    return out


def export_record(item: Any) -> dict:
    """One event as an ordered dict of COLUMNS (ACLED's, then Sitrep's), derived fields
    filled in. Values are Python values (None for missing numbers)."""
    r = _row(item)
    event_date = iso_date(r.get("event_date")) or ""
    sources = r.get("sources") or []
    doc_id = r.get("doc_id") or ""
    doc_ids = _unique([doc_id] + [s.get("doc_id", "") for s in sources])
    urls = _unique([r.get("doc_url") or ""] + [s.get("url", "") for s in sources])
    sid = r.get("id") or r.get("sitrep_id") or ""
    iso2 = r.get("country_code") or ""
    out: dict[str, Any] = {c: r.get(c) for c in COLUMNS}
    out.update({
        "event_id_cnty": event_id_cnty(sid, iso2) if sid else (r.get("event_id_cnty") or ""),
        "event_date": event_date,
        "year": int(event_date[:4]) if event_date[:4].isdigit() else _int(r.get("year")),
        "disorder_type": disorder_type(r.get("event_type") or "", r.get("sub_event_type") or "")
        if r.get("event_type") else (r.get("disorder_type") or ""),
        "interaction": interaction_code(_int(r.get("inter1")), _int(r.get("inter2"))),
        "source": r.get("source") or "; ".join(_unique(s.get("outlet", "") for s in sources)),
        "fatalities": _int(r.get("fatalities")) or 0,
        "sitrep_id": sid,
        "document_ids": ";".join(doc_ids),
        "document_urls": ";".join(urls),
        "n_sources": max(len(doc_ids), 1 if doc_id else 0),
    })
    return out


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def csv_safe(text: str) -> str:
    """A CSV cell's text that no spreadsheet runs as a formula: text starting with
    = + - @ tab or CR gets a leading single quote, as OWASP advises. Plain numbers
    ("-12.5", "+3") are left as they are, so they stay numbers."""
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _cell(v) -> str:
    """One CSV cell: every export's CSV (CLI and API) goes through here."""
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".") if v == v else ""
    if isinstance(v, datetime | date):
        return v.isoformat()
    return csv_safe(str(v))


def write_acled_csv(rows: Iterable[Any], fh: IO[str]) -> int:
    """ACLED column names and order, then Sitrep's extra columns. Returns rows written.
    Open fh with newline="" (csv module convention)."""
    w = csv.writer(fh, lineterminator="\r\n")
    w.writerow(COLUMNS)
    n = 0
    for item in rows:
        rec = export_record(item)
        w.writerow([_cell(rec[c]) for c in COLUMNS])
        n += 1
    return n


def _jsonable(v):
    if isinstance(v, datetime | date):
        return v.isoformat()
    return v


def write_geojson(rows: Iterable[Any], fh: IO[str]) -> tuple[int, int]:
    """A GeoJSON FeatureCollection of Points, properties = the CSV columns.
    Rows without coordinates are skipped and counted. Returns (written, skipped); the skip
    count is also recorded in the collection's "sitrep" member."""
    fh.write('{"type": "FeatureCollection", "features": [')
    written = skipped = 0
    for item in rows:
        rec = export_record(item)
        lat, lon = rec.get("latitude"), rec.get("longitude")
        try:
            lat, lon = float(lat), float(lon)
        except (TypeError, ValueError):
            skipped += 1
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            skipped += 1
            continue
        feat = {"type": "Feature", "id": rec["sitrep_id"],
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {k: _jsonable(v) for k, v in rec.items()}}
        fh.write(("\n" if not written else ",\n") + json.dumps(feat, ensure_ascii=False))
        written += 1
    fh.write('\n], "sitrep": ' + json.dumps({"written": written,
                                             "skipped_without_coordinates": skipped}) + "}\n")
    return written, skipped


def json_record(item: Any) -> dict:
    """One event for JSON output: the CSV columns plus doc_id, evidence and sources."""
    r = _row(item)
    rec = export_record(r)
    rec["doc_id"] = r.get("doc_id", "")
    rec["evidence"] = r.get("evidence") or []
    rec["sources"] = r.get("sources") or []
    return rec


def write_jsonl(rows: Iterable[Any], fh: IO[str]) -> int:
    """One event a line: the CSV columns plus doc_id, evidence and sources."""
    n = 0
    for item in rows:
        fh.write(json.dumps(json_record(item), ensure_ascii=False, default=_jsonable) + "\n")
        n += 1
    return n


def write_json(rows: Iterable[Any], fh: IO[str]) -> int:
    """One JSON array of ``json_record``s. Returns rows written."""
    fh.write("[")
    n = 0
    for item in rows:
        fh.write(("\n" if not n else ",\n")
                 + json.dumps(json_record(item), ensure_ascii=False, default=_jsonable))
        n += 1
    fh.write("\n]\n" if n else "]\n")
    return n
