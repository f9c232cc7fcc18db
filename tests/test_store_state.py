"""Store: polling state (seen items, validators) and races, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import conftest_pg

from sitrep.models import Document, Event, content_id
from sitrep.store import Store

db_url = conftest_pg.db_url
store = conftest_pg.store
shared_db_url = conftest_pg.shared_db_url


def _doc(i: int) -> Document:
    body = f"Clash {i}\n\nGovernment forces clashed with rebels near Idlib on Monday ({i})."
    return Document(id=content_id(body), text=body, body=body, path=f"d{i}.txt")


def _events(d: Document) -> list[Event]:
    out = []
    for k in range(3):
        e = Event(doc_id=d.id, event_type="Battles", sub_event_type="Armed clash",
                  event_date="2019-03-04", sentence_start=k)
        e.add_evidence("location", d.body.index("Idlib"), d.body.index("Idlib") + 5, d.body)
        out.append(e)
    return out


def test_seen_items_and_source_state(store: Store):
    src = "https://example.org/feed"
    assert store.source_state(src) is None and store.seen_items(src) == set()
    d = _doc(1)
    assert store.save(d, _events(d), seen=(src, "guid-1")) is True
    store.mark_seen(src, "guid-2")
    store.mark_seen(src, "guid-2")                   # idempotent
    assert store.seen_items(src) == {"guid-1", "guid-2"}
    assert store.seen_items(src, ["guid-2", "guid-3"]) == {"guid-2"}
    assert store.seen_items("other") == set()
    store.set_source_state(src, etag='"abc"', last_modified="Wed, 03 Apr 2019 09:00:00 GMT",
                           n_items=2)
    st = store.source_state(src)
    assert (st["etag"], st["last_status"], st["n_items"]) == ('"abc"', "ok", 2)
    store.set_source_state(src, status="not modified")       # validators kept
    st = store.source_state(src)
    assert st["etag"] == '"abc"' and st["last_status"] == "not modified"
    assert st["last_polled"] is not None


def test_save_with_seen_is_one_transaction(store: Store):
    d = _doc(2)
    bad = _events(d) + _events(d)           # duplicate ids: the save fails as a whole
    try:
        store.save(d, bad, seen=("src", "item"))
    except ValueError:
        pass
    assert store.seen_items("src") == set() and not store.has_document(d.id)


def test_concurrent_saves_of_the_same_documents(shared_db_url):
    """Threads (each with its own Store, i.e. its own connections) saving the same documents
    in different orders: no error, each document once, events replaced not doubled."""
    docs = [_doc(i) for i in range(30)]
    Store(shared_db_url).close()              # schema created once (also safe concurrently)
    errors: list[BaseException] = []

    def work(order: list[Document]) -> None:
        s = Store(shared_db_url)
        try:
            for d in order:
                s.save(d, _events(d))
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
        finally:
            s.close()

    orders = [docs, docs[::-1], docs[10:] + docs[:10], docs[::2] + docs[1::2]]
    threads = [threading.Thread(target=work, args=(o,)) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    with Store(shared_db_url) as s:
        assert s.counts() == {"documents": 30, "events": 90}
        rows = list(s.iter_events())
        assert all(len(r["evidence"]) == 1 for r in rows)
