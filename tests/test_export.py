"""Export: ACLED CSV (exact columns), GeoJSON, JSONL."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

from sitrep.export import event_id_cnty, write_acled_csv, write_geojson, write_jsonl
from sitrep.models import ACLED_COLUMNS, EXTRA_COLUMNS, Document, Event, Source, content_id
from sitrep.store import Store

BODY = ("Najaf police arrest IS leader\n\nThe Najaf police yesterday arrested an Islamic State "
        "reconnaissance leader, Alsumaria reported.")
DOC = Document(id=content_id(BODY), text=BODY, body=BODY, url="https://ex.org/najaf",
               published=date(2019, 4, 2))
OTHER = "0123456789abcdef0123"


def events() -> list[Event]:
    placed = Event(doc_id=DOC.id, event_type="Strategic developments", sub_event_type="Arrests",
                   event_date="2019-04-01", actor1="Police Forces of Iraq (2018-)", inter1=1,
                   actor2="Islamic State (Iraq)", inter2=2, country="Iraq", country_code="IQ",
                   iso=368, region="Middle East", admin1="An Najaf", location="Najaf",
                   latitude=32.02594, longitude=44.34625, geo_precision=1, fatalities=0,
                   confidence=0.9, geonameid=98463, sentence_start=31,
                   sources=[Source(doc_id=DOC.id, outlet="Alsumaria", url=DOC.url),
                            Source(doc_id=OTHER, outlet="Rudaw", url="https://rudaw.net/x",
                                   role="confirmation")])
    placed.add_evidence("actor1", 31, 47, BODY)
    unplaced = Event(doc_id=DOC.id, event_type="Protests", sub_event_type="Peaceful protest",
                     event_date="2019-03-30", actor1="Protesters (Iraq)", inter1=6,
                     country="Iraq", country_code="IQ", sentence_start=80)
    return [placed, unplaced]


def test_csv_header_and_values_from_store():
    s = Store(":memory:")
    s.save(DOC, events())
    buf = io.StringIO(newline="")
    assert write_acled_csv(s.iter_events(), buf) == 2
    buf.seek(0)
    reader = csv.reader(buf)
    header = next(reader)
    assert header == ACLED_COLUMNS + EXTRA_COLUMNS
    rows = [dict(zip(header, r, strict=True)) for r in reader]
    protest, arrest = rows            # ordered by date
    assert arrest["event_date"] == "2019-04-01" and arrest["year"] == "2019"
    assert arrest["disorder_type"] == "Strategic developments"
    assert arrest["interaction"] == "12" and protest["interaction"] == "60"
    assert protest["disorder_type"] == "Demonstrations"
    assert arrest["latitude"] == "32.02594" and protest["latitude"] == ""
    assert arrest["source"] == "Alsumaria; Rudaw"
    assert arrest["document_ids"] == f"{DOC.id};{OTHER}"
    assert arrest["document_urls"] == "https://ex.org/najaf;https://rudaw.net/x"
    assert arrest["n_sources"] == "2" and protest["n_sources"] == "1"
    assert arrest["confidence"] == "0.9" and arrest["geonameid"] == "98463"
    assert re.fullmatch(r"SR-IQ\d+", arrest["event_id_cnty"])
    assert arrest["event_id_cnty"] != protest["event_id_cnty"]
    assert arrest["sitrep_id"] == events()[0].id
    assert arrest["timestamp"].isdigit()


def test_csv_from_event_objects_matches_columns():
    buf = io.StringIO(newline="")
    write_acled_csv(events(), buf)
    lines = buf.getvalue().splitlines()
    assert lines[0] == ",".join(ACLED_COLUMNS + EXTRA_COLUMNS)
    assert len(lines) == 3


def test_event_id_cnty_stable_and_never_acled_like():
    ev = events()[0]
    a = event_id_cnty(ev.id, "IQ")
    assert a == event_id_cnty(ev.id, "iq") and a.startswith("SR-IQ")
    assert not re.fullmatch(r"[A-Z]{3}\d+", a)
    assert event_id_cnty(ev.id, "").startswith("SR-XX")


def test_geojson_valid_and_skips_unplaced():
    buf = io.StringIO()
    assert write_geojson(events(), buf) == (1, 1)
    fc = json.loads(buf.getvalue())
    assert fc["type"] == "FeatureCollection"
    assert fc["sitrep"]["skipped_without_coordinates"] == 1
    [f] = fc["features"]
    assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
    lon, lat = f["geometry"]["coordinates"]
    assert (lon, lat) == (44.34625, 32.02594)   # GeoJSON order: longitude first
    assert list(f["properties"]) == ACLED_COLUMNS + EXTRA_COLUMNS
    assert f["properties"]["sub_event_type"] == "Arrests"


def test_geojson_empty_is_valid():
    buf = io.StringIO()
    assert write_geojson([], buf) == (0, 0)
    assert json.loads(buf.getvalue())["features"] == []


def test_jsonl_has_evidence_and_sources():
    s = Store(":memory:")
    s.save(DOC, events())
    buf = io.StringIO()
    assert write_jsonl(s.iter_events(country="Iraq"), buf) == 2
    recs = [json.loads(line) for line in buf.getvalue().splitlines()]
    arrest = recs[1]
    assert arrest["evidence"] == [{"field": "actor1", "doc_id": DOC.id, "start": 31, "end": 47,
                                   "text": BODY[31:47]}]
    assert [x["outlet"] for x in arrest["sources"]] == ["Alsumaria", "Rudaw"]
    assert arrest["doc_id"] == DOC.id and arrest["event_date"] == "2019-04-01"
