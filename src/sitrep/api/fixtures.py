"""A demo / test database: the bundled example articles run through the real pipeline, plus
one hostile article whose text carries HTML that must never run in the dashboard."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

from ..store import Store

HOSTILE_RAW = """Gunmen attack police checkpoint in Kunduz

Taliban fighters attacked a police checkpoint in Kunduz city on Monday, killing two \
policemen, officials said. <script>window.__pwned=1</script> Witnesses posted photos \
online. <img src=x onerror="window.__pwned=1"> The attack lasted an hour.
"""
HOSTILE_TITLE = 'Checkpoint attack <img src=x onerror="window.__pwned=1">'
HOSTILE_PUBLISHED = date(2021, 5, 12)


def examples_dir() -> Path:
    return Path(str(resources.files("sitrep") / "examples"))


def seed_examples(store: Store, pipeline=None, *, hostile: bool = True) -> dict:
    """Run the pipeline on the bundled examples (and the hostile article) and save them.
    then merge them into incidents. Returns {"documents", "events", "incidents",
    "hostile_doc_id"}."""
    from ..ingest import IngestError, iter_documents, make_document
    from ..pipeline import Pipeline

    pipe = pipeline or Pipeline()
    n_docs = n_events = 0
    docs = [d for d in iter_documents([str(examples_dir())]) if not isinstance(d, IngestError)]
    hostile_id = None
    if hostile:
        h = make_document(HOSTILE_RAW, path="hostile.txt", url="https://example.org/hostile",
                          title=HOSTILE_TITLE, published=HOSTILE_PUBLISHED,
                          source_name="Example <b>Wire</b>")
        hostile_id = h.id
        docs.append(h)
    for doc in docs:
        evs = pipe.run(doc)
        store.save(doc, evs)
        n_docs += 1
        n_events += len(evs)
    from ..merge import merge_documents

    merged = merge_documents(store)          # as `sitrep extract` does
    return {"documents": n_docs, "events": n_events, "incidents": merged.canonical_total,
            "hostile_doc_id": hostile_id}
