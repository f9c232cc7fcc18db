"""Poll feeds and pages, ingest what is new (`sitrep watch`).

Per source the store remembers the ETag / Last-Modified of the last response (sent back as
If-None-Match / If-Modified-Since) and every item seen: feed entries by guid (else link), pages
by content id, so a changed page is a new document and an unchanged one is skipped. An item is
marked seen in the same transaction that stores its document and events, so a crash never loses
nor doubles one. Sources may also be local files (a feed, a page, a text), re-read each poll.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .sources import IngestError, fetched_documents, is_url, iter_documents

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(value: str) -> float:
    """"30s", "5m", "1h", "1d", "90" (seconds), "1h30m" -> seconds (> 0)."""
    s = str(value).strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", s):
        secs = float(s)
    else:
        parts = re.findall(r"(\d+(?:\.\d+)?)\s*([smhd])", s)
        if not parts or re.sub(r"(\d+(?:\.\d+)?)\s*([smhd])", "", s).strip():
            raise ValueError(f"not an interval (e.g. 30s, 5m, 1h): {value!r}")
        secs = sum(float(n) * _UNITS[u] for n, u in parts)
    if secs <= 0:
        raise ValueError(f"interval must be positive: {value!r}")
    return secs


@dataclass
class PollResult:
    source: str
    new_documents: int = 0
    events: int = 0
    seen_before: int = 0
    not_modified: bool = False
    errors: list[str] = field(default_factory=list)
    validators: tuple[str, str] | None = field(default=None, repr=False)  # etag, last-modified

    @property
    def ok(self) -> bool:
        return not self.errors


def _items(source: str, store, published: date | None, allow_private: bool | None,
           max_bytes: int | None, result: PollResult):
    """(key, Document | IngestError) of a source; updates the source's validators."""
    if not is_url(source):
        kw = {} if max_bytes is None else {"max_bytes": max_bytes}
        for item in iter_documents([source], published, **kw):
            key = item.id if not isinstance(item, IngestError) else ""
            yield key, item
        return
    from .fetch import DEFAULT_FETCH_MAX_BYTES, FetchError, fetch

    state = store.source_state(source) or {}
    try:
        res = fetch(source, allow_private=allow_private,
                    max_bytes=max_bytes or DEFAULT_FETCH_MAX_BYTES,
                    etag=state.get("etag") or "", last_modified=state.get("last_modified") or "")
    except FetchError as e:
        yield "", IngestError(source, str(e))
        return
    if res.not_modified:
        result.not_modified = True
        return
    yield from fetched_documents(res, source, published)
    result.validators = (res.etag, res.last_modified)


def poll_source(source: str, store, pipeline, *, published: date | None = None,
                allow_private: bool | None = None, max_bytes: int | None = None
                ) -> PollResult:
    """Fetch (or read) one source once and store the documents not seen before."""
    result = PollResult(source)
    n_items = 0
    for key, item in _items(source, store, published, allow_private, max_bytes, result):
        n_items += 1
        if isinstance(item, IngestError):
            result.errors.append(f"{item.path}: {item.reason}")
            continue
        key = key or item.id
        if store.seen_items(source, [key]):
            result.seen_before += 1
            continue
        # a document stored before (from another source, or `sitrep extract`) keeps its
        # known date: an undated copy must not re-date its events to today (a false surge)
        item, day = store.with_known_metadata(item, published)
        try:
            events = pipeline.run(item, ref=day)
        except Exception as e:  # noqa: BLE001 - one bad document never loses the others
            result.errors.append(f"{item.path or item.id}: extraction failed: {e!r}")
            continue
        if store.save(item, events, seen=(source, key)):
            result.new_documents += 1
        result.events += len(events)
    etag, last_modified = result.validators or (None, None)
    if result.not_modified:
        store.set_source_state(source, status="not modified")
    elif result.errors and not n_items - len(result.errors):
        # nothing usable came back: keep the old validators so the next poll fetches again
        store.set_source_state(source, status="error", error=result.errors[0][:500])
    else:
        store.set_source_state(source, etag=etag if etag is not None else "",
                               last_modified=last_modified if last_modified is not None else "",
                               status="error" if result.errors else "ok",
                               error=result.errors[0][:500] if result.errors else "",
                               n_items=n_items)
    return result


def watch(sources: list[str], store, pipeline, *, every: float = 300.0, once: bool = False,
          published: date | None = None, allow_private: bool | None = None,
          max_bytes: int | None = None, report: Callable[[PollResult], None] | None = None,
          sleep: Callable[[float], None] = time.sleep, max_rounds: int | None = None
          ) -> list[PollResult]:
    """Poll every source, then again every `every` seconds (once=True: one round). Returns
    the results of the last round."""
    rounds = 0
    while True:
        started = time.monotonic()
        results = []
        for src in sources:
            src = src if is_url(src) else str(Path(src).expanduser())
            try:
                r = poll_source(src, store, pipeline, published=published,
                                allow_private=allow_private, max_bytes=max_bytes)
            except Exception as e:  # noqa: BLE001 - a broken source never stops the others
                r = PollResult(src, errors=[f"{src}: poll failed: {e!r}"])
            results.append(r)
            if report:
                report(r)
        rounds += 1
        if once or (max_rounds is not None and rounds >= max_rounds):
            return results
        sleep(max(0.0, every - (time.monotonic() - started)))
