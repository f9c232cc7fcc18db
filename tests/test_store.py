"""Store: every test on SQLite (file and in-memory) and PostgreSQL (see conftest_pg.py: skipped
outside CI without a server, failed in CI)."""

from __future__ import annotations

from datetime import date

import conftest_pg
import pytest

from sitrep.models import Document, Event, Source, content_id
from sitrep.store import Store, default_db_path

db_url = conftest_pg.db_url    # fixture: SQLite file, SQLite memory, PostgreSQL
store = conftest_pg.store      # fixture: a Store on db_url
pg_url = conftest_pg.pg_url    # fixture: PostgreSQL only

def doc(body: str, **kw) -> Document:
    return Document(id=content_id(body), text=body, body=body, **kw)


IED = doc("ISIS Cells Attack SDF In Raqqa\n\nOn July 6, Amaq said ISIS cells targeted an SDF "
          "vehicle with an IED in al-Noor, Raqqa, on July 5.",
          url="https://example.org/ied", title="ISIS Cells Attack SDF In Raqqa",
          published=date(2018, 7, 7), source_name="Example", comments=["the rats!!!"],
          chrome=["Back To Top"], path="ied.txt")
ARREST = doc("Najaf police arrest IS leader\n\nThe Najaf police yesterday arrested an Islamic "
             "State reconnaissance leader.", published=date(2019, 4, 2))


def ied_event(d: Document = IED, sentence_start: int = 31, fatalities: int = 0) -> Event:
    e = Event(doc_id=d.id, event_type="Explosions/Remote violence",
              sub_event_type="Remote explosive/landmine/IED", event_date="2018-07-05",
              actor1="Islamic State (Syria)", inter1=2,
              actor2="SDF: Syrian Democratic Forces", inter2=2, country="Syria",
              country_code="SY", admin1="Ar Raqqa", location="Raqqa", latitude=35.95,
              longitude=39.01, fatalities=fatalities, claim_status="confirmed",
              confidence=0.8, geonameid=163915, sentence_start=sentence_start,
              sentence_end=len(d.body),
              sources=[Source(doc_id=d.id, outlet="Amaq", role="claim", party="isis",
                              url=d.url)])
    e.add_evidence("actor1", d.body.index("ISIS cells"), d.body.index("ISIS cells") + 10, d.body)
    e.add_evidence("location", d.body.index("Raqqa,"), d.body.index("Raqqa,") + 5, d.body)
    return e


def arrest_event(date_: str = "2019-04-01") -> Event:
    return Event(doc_id=ARREST.id, event_type="Strategic developments",
                 sub_event_type="Arrests", event_date=date_, actor1="Police Forces of Iraq",
                 inter1=1, actor2="Islamic State (Iraq)", inter2=2, country="Iraq",
                 country_code="IQ", location="Najaf", latitude=32.0, longitude=44.33,
                 sentence_start=30)


def test_save_same_document_twice_is_stored_once(store: Store):
    assert store.save(IED, [ied_event()]) is True
    assert store.save(IED, [ied_event()]) is False
    assert store.add_document(IED) is False
    assert store.counts() == {"documents": 1, "events": 1}
    assert store.has_document(IED.id) and not store.has_document("nope")
    got = store.get_document(IED.id)
    assert got.body == IED.body and got.published == date(2018, 7, 7)
    assert got.comments == ["the rats!!!"] and got.chrome == ["Back To Top"]
    assert (got.url, got.title, got.source_name, got.path) == (
        IED.url, IED.title, "Example", "ied.txt")
    assert store.get_document("nope") is None


def test_event_round_trip_with_evidence_and_sources(store: Store):
    ev = ied_event()
    store.save(IED, [ev])
    got = store.get_event(ev.id)
    assert got["id"] == ev.id and got["doc_id"] == IED.id
    assert got["event_date"] == "2018-07-05" and got["year"] == 2018
    assert got["disorder_type"] == "Political violence" and got["interaction"] == 22
    assert got["event_id_cnty"].startswith("SR-SY")
    assert got["latitude"] == pytest.approx(35.95) and got["geonameid"] == 163915
    assert got["doc_url"] == IED.url
    assert [e["field"] for e in got["evidence"]] == ["actor1", "location"]
    for e in got["evidence"]:
        assert IED.body[e["start"]:e["end"]] == e["text"]
    assert got["sources"] == [{"doc_id": IED.id, "outlet": "Amaq", "role": "claim",
                               "party": "isis", "url": IED.url, "start": -1, "end": -1,
                               "title": IED.title}]
    assert store.get_event("0" * 16) is None


def test_replace_events(store: Store):
    store.save(IED, [ied_event(sentence_start=31), ied_event(sentence_start=100)])
    store.save(ARREST, [arrest_event()])
    assert store.counts()["events"] == 3
    new = ied_event(sentence_start=31, fatalities=2)
    assert store.replace_events(IED.id, [new]) == 1
    rows = list(store.iter_events(doc_id=IED.id))
    assert [r["id"] for r in rows] == [new.id] and rows[0]["fatalities"] == 2
    assert len(rows[0]["evidence"]) == 2 and len(rows[0]["sources"]) == 1
    assert store.counts() == {"documents": 2, "events": 2}
    assert store.replace_events(IED.id, []) == 0
    assert store.counts()["events"] == 1      # the other document's event is untouched
    assert list(store.iter_events(doc_id=IED.id)) == []


def test_save_is_one_transaction(store: Store):
    bad = [arrest_event(), arrest_event()]    # same id twice: rejected
    with pytest.raises(ValueError, match="same id"):
        store.save(ARREST, bad)
    assert store.counts() == {"documents": 0, "events": 0}
    with pytest.raises(ValueError, match="belongs to document"):
        store.save(IED, [arrest_event()])
    assert not store.has_document(IED.id)


def test_filters(store: Store):
    store.save(IED, [ied_event()])
    store.save(ARREST, [arrest_event("2019-04-01"), arrest_event("2019-03-25")])

    def ids(**f):
        return [r["event_date"] + "/" + r["country"] for r in store.iter_events(**f)]

    assert ids() == ["2018-07-05/Syria", "2019-03-25/Iraq", "2019-04-01/Iraq"]
    assert ids(country="Iraq") == ["2019-03-25/Iraq", "2019-04-01/Iraq"]
    assert ids(country="sy") == ["2018-07-05/Syria"]
    assert ids(event_type="Strategic developments", date_from="2019-03-30") == [
        "2019-04-01/Iraq"]
    assert ids(sub_event_type="Remote explosive/landmine/IED") == ["2018-07-05/Syria"]
    assert ids(actor="islamic state") == ["2018-07-05/Syria", "2019-03-25/Iraq",
                                          "2019-04-01/Iraq"]
    assert ids(actor="police") == ["2019-03-25/Iraq", "2019-04-01/Iraq"]
    assert ids(actor="democratic forces") == ["2018-07-05/Syria"]
    assert ids(date_from=date(2019, 1, 1), date_to=date(2019, 3, 31)) == ["2019-03-25/Iraq"]
    assert ids(date_to="2018-07-05") == ["2018-07-05/Syria"]
    assert ids(limit=2) == ["2018-07-05/Syria", "2019-03-25/Iraq"]
    assert ids(limit=2, offset=2) == ["2019-04-01/Iraq"]
    assert ids(country="Narnia") == []
    assert store.counts() == {"documents": 2, "events": 3}


def test_iter_events_pages_through_many(store: Store):
    d = doc("Many events\n\n" + "A clash happened. " * 800)
    evs = [Event(doc_id=d.id, event_type="Battles", sub_event_type="Armed clash",
                 event_date=f"2020-01-{1 + i % 28:02d}", sentence_start=i * 18)
           for i in range(1203)]
    store.save(d, evs)
    rows = list(store.iter_events())
    assert len(rows) == 1203 and len({r["id"] for r in rows}) == 1203
    assert [r["event_date"] for r in rows] == sorted(r["event_date"] for r in rows)
    assert len(list(store.iter_events(limit=700, offset=600))) == 603


def test_sqlite_file_persists(tmp_path):
    path = tmp_path / "deep" / "dir" / "s.db"
    with Store(path) as s:
        s.save(IED, [ied_event()])
    with Store(f"sqlite:///{path}") as s:
        assert s.counts() == {"documents": 1, "events": 1}
        assert s.save(IED, []) is False and s.counts()["events"] == 0


def test_in_memory_is_private():
    a, b = Store(":memory:"), Store("sqlite://")
    a.save(IED, [ied_event()])
    assert a.counts()["documents"] == 1 and b.counts()["documents"] == 0


def test_default_db_path(monkeypatch, tmp_path):
    monkeypatch.setenv("SITREP_DB", str(tmp_path / "x.db"))
    assert default_db_path() == str(tmp_path / "x.db")
    monkeypatch.delenv("SITREP_DB")
    assert default_db_path().endswith("sitrep.db") and "sitrep" in default_db_path()


def test_one_date_coercion_for_every_stage():
    """models.as_date is the date coercion ingest, store, merge, watch, scale and evaluation
    share: ISO dates and datetimes, RFC 2822, date and datetime objects; None otherwise."""
    from datetime import date, datetime

    from sitrep.evaluate_gold import parse_date
    from sitrep.ingest import parse_published
    from sitrep.merge.core import Report
    from sitrep.models import as_date, iso_date

    d = date(2020, 5, 9)
    for v in ("2020-05-09", "2020-05-09T23:10:00Z", "2020-05-09 10:00", " 2020-05-09 ",
              "Sat, 09 May 2020 10:00:00 +0000", datetime(2020, 5, 9, 23, 59), d):
        assert as_date(v) == d, v
        assert parse_published(v) == d and parse_date(v) == d, v
    for v in (None, "", "2020-99-99", "yesterday", "9 May"):
        assert as_date(v) is None, v
    assert parse_date("9-May-20") == d               # ACLED's own format, gold files only
    assert iso_date(datetime(2020, 5, 9, 8)) == iso_date("2020-05-09T08:00") == "2020-05-09"
    assert iso_date("") is None
    # merge reads a report's day with it (a datetime or an RFC date is no longer "no day")
    r = Report(id="r", doc_id="d", event_type="Battles", sub_event_type="Armed clash",
               date="Sat, 09 May 2020 10:00:00 +0000").prepare()
    assert r.day == d.toordinal()


def test_country_filter_is_the_same_for_store_merge_and_api(store: Store):
    """One filter builder: the stored events, the merged events and the API match a country
    by name, alias or ISO2 in any case ("iraq", "IRAQ", "iq", "Republic of Iraq"), and page
    through results the same way."""
    from sitrep.api.query import EventFilters, iter_events
    from sitrep.api.schema import create_api_tables
    from sitrep.merge.db import canonical_events, merge_documents

    create_api_tables(store.engine)
    store.save(IED, [ied_event()])
    store.save(ARREST, [arrest_event("2019-04-01"), arrest_event("2019-03-25")])
    merge_documents(store)
    for c in ("Iraq", "iraq", "IRAQ", "iq", "IQ", "Republic of Iraq"):
        assert [r["event_date"] for r in store.iter_events(country=c)] == \
            ["2019-03-25", "2019-04-01"], c
        assert {r["country"] for r in canonical_events(store, country=c)} == {"Iraq"}, c
        api = list(iter_events(store.engine, EventFilters(country=[c]), sort="date"))
        assert [r["event_date"] for r in api] == ["2019-03-25", "2019-04-01"], c
    assert list(iter_events(store.engine, EventFilters(country=["narnia"]))) == []
    assert list(store.iter_events(country="narnia")) == []
    # the API lists mean "any of", as the store's single values do
    both = iter_events(store.engine, EventFilters(country=["syria", "iq"]), sort="date")
    assert [r["country"] for r in both] == ["Syria", "Iraq", "Iraq"]
    # the one pager: limit and offset the same everywhere
    assert [r["event_date"] for r in iter_events(
        store.engine, EventFilters(), sort="date", limit=2, offset=1, chunk=1)] == \
        [r["event_date"] for r in store.iter_events(limit=2, offset=1)] == \
        ["2019-03-25", "2019-04-01"]


def test_actor_filter_escapes_like_wildcards(store: Store):
    store.save(IED, [ied_event()])
    assert len(list(store.iter_events(actor="islamic state"))) == 1
    assert list(store.iter_events(actor="%")) == []     # a literal %, not "anything"
    assert list(store.iter_events(actor="islamic_state")) == []


def test_reingest_with_weaker_metadata_keeps_the_best_known(store: Store):
    import dataclasses
    from datetime import UTC, datetime

    today = datetime.now(UTC).date()
    fresh, day = store.with_known_metadata(ARREST, fallback_published=date(2030, 1, 1))
    assert fresh is ARREST and day == today                   # not stored: as given
    bare = dataclasses.replace(IED, published=None, url="", source_name="", title="")
    fresh, day = store.with_known_metadata(bare, fallback_published=date(2030, 1, 1))
    assert fresh.published == date(2030, 1, 1) and day == today   # the fallback, when new
    store.save(IED, [ied_event()])
    got, day = store.with_known_metadata(bare, fallback_published=date(2030, 1, 1))
    assert (got.published, got.url, got.source_name, got.title) == (
        IED.published, IED.url, IED.source_name, IED.title)   # the stored copy's, not none
    assert day == today
    store.save(bare, [ied_event()])                           # saving a weaker copy
    kept = store.get_document(IED.id)
    assert (kept.published, kept.url, kept.source_name) == (IED.published, IED.url,
                                                            IED.source_name)
    # a new known date is what the events are now coded with: the row follows
    store.save(dataclasses.replace(IED, published=date(2018, 7, 8)), [ied_event()])
    assert store.get_document(IED.id).published == date(2018, 7, 8)
    assert store.counts() == {"documents": 1, "events": 1}


def test_why_is_stored_and_an_earlier_database_gains_the_column(tmp_path):
    path = tmp_path / "old.db"
    s = Store(path)
    ev = ied_event()
    ev.why = "rules: remote.ied 68"
    s.save(IED, [ev])
    assert s.get_event(ev.id)["why"] == "rules: remote.ied 68"
    with s.engine.begin() as conn:   # what a database from before the column looks like
        from sqlalchemy import text
        conn.execute(text("ALTER TABLE events DROP COLUMN why"))
    s.engine.dispose()
    again = Store(path, create=False)
    assert again.get_event(ev.id)["why"] == ""
    again.save(ARREST, [arrest_event()])
    assert again.counts()["events"] == 2


def _rows(s: Store) -> dict:
    from sqlalchemy import select

    from sitrep.store.schema import documents, event_evidence, event_sources, events

    drop = {"created_at", "timestamp", "ingested_at"}
    with s.engine.connect() as c:
        return {t.name: [{k: v for k, v in dict(r).items() if k not in drop}
                         for r in c.execute(select(t).order_by(*t.primary_key.columns))
                         .mappings()]
                for t in (documents, events, event_evidence, event_sources)}


def test_save_many_is_saves_in_a_row(store: Store, tmp_path):
    """One transaction for the batch, the same rows as one save per document: a document
    repeated in the batch is new once, and its later copy's events (and metadata) win."""
    bare = doc(IED.body)                                    # the same text, no metadata
    batch = [(ARREST, [arrest_event()]), (IED, [ied_event()]),
             (bare, [ied_event(fatalities=3)]), (ARREST, [arrest_event("2019-04-02")])]
    assert store.save_many(batch) == [True, True, False, False]
    with Store(tmp_path / "one-by-one.db") as ref:
        assert [ref.save(d, evs) for d, evs in batch] == [True, True, False, False]
        assert _rows(store) == _rows(ref)
    got = {e["doc_id"]: e for e in store.iter_events()}
    assert got[IED.id]["fatalities"] == 3 and got[ARREST.id]["event_date"] == "2019-04-02"
    assert store.get_document(IED.id).url == IED.url          # kept: the copy had none
    assert store.save_many([]) == []
    with pytest.raises(ValueError):                           # nothing of the batch is saved
        store.save_many([(doc("Another text entirely."), []),
                         (IED, [arrest_event()])])
    assert store.counts() == {"documents": 2, "events": 2}


def test_insert_many_writes_what_sqlalchemy_writes(tmp_path):
    """The compiled SQLite path stores the same values as SQLAlchemy's own executemany: dates
    through the column type (no '+00:00' suffix), floats, NULLs; a table whose omitted column
    has a Python-side default takes SQLAlchemy's path and still gets the default."""
    from datetime import UTC, datetime

    from sqlalchemy import (
        Column,
        DateTime,
        Float,
        Integer,
        MetaData,
        String,
        Table,
        create_engine,
        insert,
        select,
    )

    from sitrep.store import insert_many

    md = MetaData()
    t = Table("t", md, Column("pk", Integer, primary_key=True), Column("name", String),
              Column("at", DateTime), Column("x", Float))
    d = Table("d", md, Column("pk", Integer, primary_key=True), Column("name", String),
              Column("kind", String, default="plain"))
    eng = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    md.create_all(eng)
    now = datetime(2026, 3, 4, 5, 6, 7, 890, tzinfo=UTC)
    rows = [{"name": "Raqqa'; DROP TABLE t; --", "at": now, "x": 1},
            {"name": None, "at": None, "x": None}]
    with eng.begin() as conn:
        insert_many(conn, t, rows)
        conn.execute(insert(t), rows)
        insert_many(conn, d, [{"name": "a"}])
        got = conn.exec_driver_sql("SELECT name, at, x FROM t ORDER BY pk").all()
        assert got[:2] == got[2:]
        assert got[0] == ("Raqqa'; DROP TABLE t; --", "2026-03-04 05:06:07.000890", 1.0)
        assert conn.execute(select(d.c.kind)).scalar_one() == "plain"
        with pytest.raises(ValueError):
            insert_many(conn, t, [{"name": "a", "at": None, "x": 1}, {"name": "b"}])


def test_two_first_writers_count_their_writes_of_events_once_each(pg_url):
    """The events version's row is created by whichever first writer commits first; the
    other waits and counts on (an UPDATE-then-INSERT let both insert it: a unique violation
    in two concurrent first extracts)."""
    import threading

    from sitrep.store import bump_events_version

    st = Store(pg_url)
    gate, done, errors = threading.Event(), [], []

    def first_writer():
        try:
            with st.engine.begin() as conn:
                done.append(bump_events_version(conn))
                gate.wait(5)               # hold the new row uncommitted a moment
        except Exception as e:      # noqa: BLE001 - the assertion below reports it
            errors.append(e)

    t = threading.Thread(target=first_writer)
    t.start()
    while not done and t.is_alive():
        pass
    timer = threading.Timer(0.5, gate.set)
    timer.start()
    with st.engine.begin() as conn:    # waits for the first writer's commit, then counts on
        second = bump_events_version(conn)
    t.join()
    timer.join()
    st.close()
    assert not errors and done == [(0, 1)] and second == (1, 2)
