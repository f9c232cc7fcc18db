"""Streaming extract into a store: memory independent of the input size.

    writer = BatchWriter(store)                   # save_many + merge, every BATCH_DOCS documents
    summary = extract_to_store(["day.jsonl"], store, pipe)   # what `sitrep extract` runs

Documents and their events are held only until their batch is written: a batch is saved in
one transaction (``Store.save_many``), then its reports are merged (``merge_documents`` on the
batch's documents, which reads the nearby stored clusters back from the store, keeping what
it read for the next batch in the writer's ``MergeWindow``). A killed run
loses at most the batch being written, and its rerun merges what was saved but not merged.
Batches are cut by document count in input order only, so every engine that feeds a writer
the same documents in the same order (the local loop, the Dask engine's ordered reader)
stores and merges exactly the same rows.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from ..models import Document, Event

__all__ = ["BATCH_DOCS", "BatchWriter", "extract_to_store"]

BATCH_DOCS = 200          # documents per transaction (and per merge)


@dataclass
class BatchWriter:
    """Collects (document, events) pairs and writes them a batch at a time."""

    store: object
    batch_docs: int = BATCH_DOCS
    merge: bool = True
    documents: int = 0
    new_documents: int = 0
    merged: bool = False           # some batch was merged (canonical_total counts then)
    save_s: float = 0.0
    merge_s: float = 0.0
    on_merge: Callable[[int], None] | None = None     # called with the batch's size
    window: object = None          # the MergeWindow its merges share (made on first use)
    _batch: list[tuple[Document, list[Event]]] = field(default_factory=list)
    _ids: set[str] = field(default_factory=set)

    def pending(self, doc_id: str) -> bool:
        """The document is in the batch not written yet."""
        return doc_id in self._ids

    def add(self, doc: Document, events: list[Event]) -> None:
        if doc.id in self._ids:          # a repeat: the earlier copy is stored first
            self.flush()
        self._batch.append((doc, events))
        self._ids.add(doc.id)
        if len(self._batch) >= self.batch_docs:
            self.flush()

    def flush(self) -> None:
        if not self._batch:
            return
        batch, self._batch, self._ids = self._batch, [], set()
        t = time.perf_counter()
        self.new_documents += sum(self.store.save_many(batch))
        self.documents += len(batch)
        self.save_s += time.perf_counter() - t
        if self.merge:
            from ..merge import MergeWindow, merge_documents

            if self.on_merge:
                self.on_merge(len(batch))
            if self.window is None:
                self.window = MergeWindow()
            t = time.perf_counter()
            merge_documents(self.store, list(dict.fromkeys(d.id for d, _ in batch)),
                            count=False, window=self.window,
                            saved=batch,
                            saved_version=getattr(self.store, "events_written", None))
            self.merged = True
            self.merge_s += time.perf_counter() - t

    @property
    def canonical_total(self) -> int | None:
        """Canonical events in the store after the merges (None when none ran): one count,
        asked for at the end, not a scan of the whole table after every batch."""
        if not self.merged:
            return None
        from ..merge import canonical_count

        return canonical_count(self.store)


def _read_ahead(items: Iterable, store, n: int) -> Iterator[tuple[object, dict | None]]:
    """Each input item with the stored metadata of its chunk of ``n`` documents, read in one
    query before the chunk is extracted (one lookup per document cost about as much as
    saving it)."""
    it = iter(items)
    while chunk := list(islice(it, n)):
        known = store.known_metadata(d.id for d in chunk if isinstance(d, Document))
        for item in chunk:
            yield item, known


def extract_to_store(paths: list[str], store, pipe, *, published: date | None = None,
                     allow_private: bool | None = None, merge: bool = True,
                     batch_docs: int = BATCH_DOCS,
                     on_item: Callable[[object], None] | None = None,
                     on_merge: Callable[[int], None] | None = None) -> dict:
    """Ingest ``paths``, extract every document with ``pipe`` and write the results to
    ``store`` batch by batch (see the module docstring). ``on_item(item)`` is called once per
    input item (a Document or an IngestError), after it is handled; ``on_merge(n)`` before
    the reports of a batch of n documents are merged.

    Returns counts (documents, new_documents, events, by_type, canonical_total), failures
    [(path, reason)], ``undated`` (id -> the day each document without a publication date
    resolved against) and seconds: total, pipeline, save, merge."""
    from ..ingest import IngestError, iter_documents

    t0 = time.perf_counter()
    writer = BatchWriter(store, batch_docs=batch_docs, merge=merge, on_merge=on_merge)
    n_docs = n_events = 0
    pipe_s = 0.0
    failures: list[tuple[str, str]] = []
    by_type: Counter = Counter()
    undated: dict[str, date] = {}      # undated document id -> the day it resolved against
    # the --published fallback is applied after the stored copy's metadata (below)
    seen: set[str] = set()
    for item, known in _read_ahead(iter_documents(paths, None, allow_private=allow_private),
                                   store, batch_docs):
        if isinstance(item, IngestError):
            failures.append((item.path, item.reason))
            if on_item:
                on_item(item)
            continue
        n_docs += 1
        if item.id in seen:              # a repeat: its stored metadata is the earlier copy's
            if writer.pending(item.id):
                writer.flush()
            known = None
        seen.add(item.id)
        item, day = store.with_known_metadata(item, published, known)
        t = time.perf_counter()
        try:
            events = pipe.run(item, ref=day)
        except Exception as e:  # one bad document never loses the others
            failures.append((item.path or item.id, f"extraction failed: {e!r}"))
            if on_item:
                on_item(item)
            continue
        finally:
            pipe_s += time.perf_counter() - t
        writer.add(item, events)
        if item.published is None:
            undated[item.id] = day
        n_events += len(events)
        by_type.update(ev.event_type for ev in events)
        if on_item:
            on_item(item)
    writer.flush()
    return {"documents": n_docs, "new_documents": writer.new_documents, "events": n_events,
            "by_type": dict(by_type), "canonical_total": writer.canonical_total,
            "failures": failures, "undated": undated,
            "seconds": time.perf_counter() - t0, "pipeline_s": pipe_s,
            "save_s": writer.save_s, "merge_s": writer.merge_s}
