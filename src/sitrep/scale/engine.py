"""The extract stage as a pure function over partitions of the input, run locally or on Dask.

    summary = run_dask(["news/", "gdelt-day.jsonl"], published=None, db="sitrep.db",
                       scheduler=None, n_workers=2)

1. ``plan_partitions`` cuts the input (files, folders, URLs, JSONL, Parquet, stdin) into
   partitions in the order ``iter_documents`` reads it: runs of plain files (and URLs), line
   ranges of JSONL files, row ranges of Parquet files. Inputs that cannot be read become
   IngestErrors at once. (Parquet input, columns as JSONL: url, title, published, text, is
   read by this engine only.)
2. ``extract_partition`` (on a worker) reads its partition with the ingest code, runs every
   document through a Pipeline cached once per process (lexicons and gazetteer are loaded once
   per worker), and writes two Parquet outputs under ``parquet_dir``:
   ``documents/part-NNNNNN.parquet`` and ``events/part-NNNNNN.parquet`` (the event date is a
   column). It returns a small summary (counts, IngestErrors, files written).
3. ``merge_into_store`` reads the files back partition by partition, in input order, as
   soon as the partitions before them are done (while the workers extract the rest), and
   feeds them to the batched writer of ``sitrep extract`` (``scale.stream.BatchWriter``):
   the same batches, so the same stored rows and the same merged events as the local engine.

Workers must see the input paths and ``parquet_dir`` (a shared filesystem) when the scheduler
is remote. A ``parquet_dir`` given is kept (its ``documents/`` and ``events/`` are replaced at
the start of a run); without one a temporary directory is used and removed.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..ingest import DEFAULT_MAX_BYTES, IngestError, iter_documents
from ..ingest.sources import JSONL_SUFFIXES, _from_jsonl_lines, _walk
from ..models import Document
from .rows import (
    DOCUMENT_SCHEMA,
    EVENT_SCHEMA,
    document_from_record,
    document_record,
    event_from_record,
    event_record,
)

PARQUET_SUFFIXES = {".parquet", ".pq"}
DEFAULT_PARTITION_SIZE = 200          # documents (files, JSONL lines, Parquet rows) per task


# ---------------------------------------------------------------------- partitions
@dataclass(frozen=True)
class Partition:
    """One task's share of the input.

    kind: "files" (plain/HTML files, each read as by iter_documents), "jsonl" (bytes
    [start, end) of a JSONL file whose first line there is line ``first_line``), "parquet"
    (rows [start, end) of a Parquet file of articles), "stdin" (the bytes read from stdin),
    "errors" (inputs rejected while planning).
    """

    index: int
    kind: str
    paths: tuple[str, ...] = ()
    start: int = 0
    end: int = 0
    first_line: int = 1
    data: bytes = b""
    errors: tuple[tuple[str, str], ...] = ()


def _jsonl_ranges(path: Path, size: int) -> Iterator[tuple[int, int, int]]:
    """(byte start, byte end, first line number) of runs of ``size`` lines."""
    start = pos = 0
    first = line_no = 1
    n = 0
    with path.open("rb") as fh:
        for line in fh:
            pos += len(line)
            line_no += 1
            n += 1
            if n == size:
                yield start, pos, first
                start, first, n = pos, line_no, 0
    if n:
        yield start, pos, first


def plan_partitions(paths: list[str], *, partition_size: int = DEFAULT_PARTITION_SIZE,
                    stdin=None) -> list[Partition]:
    """Partitions of the input in iter_documents' order (see ``Partition``)."""
    parts: list[Partition] = []
    run: list[str] = []

    def add(**kw) -> None:
        parts.append(Partition(index=len(parts), **kw))

    def flush() -> None:
        if run:
            add(kind="files", paths=tuple(run))
            run.clear()

    def one_file(f: Path) -> None:
        suffix = f.suffix.lower()
        if suffix in JSONL_SUFFIXES or suffix in PARQUET_SUFFIXES:
            flush()
            try:
                if suffix in JSONL_SUFFIXES:
                    for s, e, first in _jsonl_ranges(f, partition_size):
                        add(kind="jsonl", paths=(str(f),), start=s, end=e, first_line=first)
                else:
                    n = pq.ParquetFile(f).metadata.num_rows
                    for s in range(0, n, partition_size):
                        add(kind="parquet", paths=(str(f),), start=s,
                            end=min(n, s + partition_size))
            except OSError as e:
                add(kind="errors", errors=((str(f), f"cannot read ({e.strerror or e})"),))
            except pa.ArrowException as e:
                add(kind="errors", errors=((str(f), f"not readable Parquet ({e})"),))
            return
        run.append(str(f))
        if len(run) >= partition_size:
            flush()

    for p in paths:
        if p[:8].lower().startswith(("http://", "https://")):   # fetched by iter_documents
            run.append(p)
            if len(run) >= partition_size:
                flush()
            continue
        if p == "-":
            flush()
            fh = stdin if stdin is not None else __import__("sys").stdin.buffer
            add(kind="stdin", data=fh.read(DEFAULT_MAX_BYTES + 1))
            continue
        path = Path(p).expanduser()
        if path.is_dir():
            for f in _walk(path):
                one_file(f)
        elif path.is_file():
            one_file(path)
        else:
            flush()
            add(kind="errors",
                errors=((p, "not a regular file" if path.exists() else "not found"),))
    flush()
    return parts


def _parquet_lines(path: str, start: int, end: int) -> Iterator[bytes]:
    """Rows of a Parquet file of articles as JSONL lines (dates as ISO text)."""
    pf = pq.ParquetFile(path)
    pos = 0
    for batch in pf.iter_batches(batch_size=1024):
        if pos >= end:
            break
        lo, hi = max(start - pos, 0), min(end - pos, batch.num_rows)
        if lo < hi:
            for rec in batch.slice(lo, hi - lo).to_pylist():
                yield json.dumps(rec, default=str, ensure_ascii=False).encode("utf-8")
        pos += batch.num_rows


def iter_partition(part: Partition, published: date | None = None
                   ) -> Iterator[Document | IngestError]:
    """The Documents and IngestErrors of one partition, exactly as iter_documents gives them."""
    for p, reason in part.errors:
        yield IngestError(p, reason)
    if part.kind == "files":
        yield from iter_documents(list(part.paths), published)
    elif part.kind == "stdin":
        yield from iter_documents(["-"], published, stdin=io.BytesIO(part.data))
    elif part.kind == "jsonl":
        path = part.paths[0]
        try:
            with open(path, "rb") as fh:
                fh.seek(part.start)
                data = fh.read(part.end - part.start)
        except OSError as e:
            yield IngestError(path, f"cannot read ({e.strerror or e})")
            return
        # blank placeholder lines keep the line numbers (and "file.jsonl:N" paths) right
        lines = itertools.chain(itertools.repeat(b"", part.first_line - 1), io.BytesIO(data))
        yield from _from_jsonl_lines(lines, path, published, DEFAULT_MAX_BYTES)
    elif part.kind == "parquet":
        path = part.paths[0]
        lines = itertools.chain(itertools.repeat(b"", part.start),
                                _parquet_lines(path, part.start, part.end))
        yield from _from_jsonl_lines(lines, path, published, DEFAULT_MAX_BYTES)


# ---------------------------------------------------------------------- worker side
_PIPELINES: dict[bool, object] = {}
_LOCK = threading.Lock()


def get_pipeline(use_geo: bool = True):
    """This process's Pipeline (lexicons, gazetteer): built once, then reused by every task."""
    pipe = _PIPELINES.get(use_geo)
    if pipe is None:
        with _LOCK:
            pipe = _PIPELINES.get(use_geo)
            if pipe is None:
                from ..pipeline import Pipeline

                pipe = Pipeline(use_geo=use_geo)
                if use_geo:
                    _ = pipe.gazetteer               # load now, not inside the first task
                _PIPELINES[use_geo] = pipe
    return pipe


def _write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)                          # a retried task never leaves half a file


def extract_partition(part: Partition, published: date | None, out_dir: str,
                      use_geo: bool = True) -> dict:
    """Extract one partition and write its Parquet files. Pure but for the files written
    (always the same names and content for the same partition). Returns a summary."""
    pipe = get_pipeline(use_geo)
    docs: list[dict] = []
    evs: list[dict] = []
    errors: list[list[str]] = []
    by_type: dict[str, int] = {}
    for seq, item in enumerate(iter_partition(part, published)):
        if isinstance(item, IngestError):
            errors.append([item.path, item.reason])
            continue
        try:
            events = pipe.run(item)
            ev_rows = [event_record(ev, part.index, seq, k) for k, ev in enumerate(events)]
        except Exception as e:  # one bad document never loses the others
            errors.append([item.path or item.id, f"extraction failed: {e!r}"])
            continue
        docs.append(document_record(item, part.index, seq))
        evs.extend(ev_rows)
        for ev in events:
            by_type[ev.event_type] = by_type.get(ev.event_type, 0) + 1
    out = Path(out_dir)
    name = f"part-{part.index:06d}.parquet"
    files: list[str] = []
    if docs:
        _write(pa.Table.from_pylist(docs, schema=DOCUMENT_SCHEMA), out / "documents" / name)
        files.append(f"documents/{name}")
    if evs:
        _write(pa.Table.from_pylist(evs, schema=EVENT_SCHEMA), out / "events" / name)
        files.append(f"events/{name}")
    return {"index": part.index, "documents": len(docs), "events": len(evs), "errors": errors,
            "by_type": by_type, "files": files}


# ---------------------------------------------------------------------- merge
def read_partition(out_dir: str, summary: dict) -> list[tuple[Document, list]]:
    """(Document, events) of one partition from its Parquet files, in input order."""
    out = Path(out_dir)
    docs: list[dict] = []
    by_seq: dict[int, list[dict]] = {}
    for rel in summary["files"]:
        rows = pq.read_table(out / rel).to_pylist()
        if rel.startswith("documents/"):
            docs.extend(rows)
            continue
        for r in rows:
            by_seq.setdefault(r["doc_seq"], []).append(r)
    result = []
    for drow in sorted(docs, key=lambda r: r["doc_seq"]):
        erows = sorted(by_seq.get(drow["doc_seq"], []), key=lambda r: r["event_seq"])
        result.append((document_from_record(drow), [event_from_record(r) for r in erows]))
    return result


def read_event_rows(parquet_dir: str) -> list[dict]:
    """Every event row under ``parquet_dir``, sorted by id."""
    rows = []
    for f in sorted(Path(parquet_dir, "events").glob("*.parquet")):
        rows.extend(pq.read_table(f).to_pylist())
    return sorted(rows, key=lambda r: (r["id"], r["part"], r["doc_seq"], r["event_seq"]))


class _OrderedWriter:
    """Feeds finished partitions to a BatchWriter in input order, as soon as every partition
    before them is done."""

    def __init__(self, store, out_dir: str, merge_events: bool):
        from . import stream

        self.out_dir = out_dir
        self.writer = stream.BatchWriter(store, batch_docs=stream.BATCH_DOCS,
                                         merge=merge_events)
        self.waiting: dict[int, dict] = {}
        self.next = 0
        self.seconds = 0.0

    def done(self, summary: dict, order: list[int]) -> None:
        t = time.perf_counter()
        self.waiting[summary["index"]] = summary
        while self.next < len(order) and order[self.next] in self.waiting:
            s = self.waiting.pop(order[self.next])
            for doc, events in read_partition(self.out_dir, s):
                self.writer.add(doc, events)
            self.next += 1
        self.seconds += time.perf_counter() - t

    def close(self) -> None:
        t = time.perf_counter()
        self.writer.flush()
        self.seconds += time.perf_counter() - t


def merge_into_store(store, out_dir: str, summaries: list[dict],
                     merge_events: bool = False) -> int:
    """Save every partition's documents and events in input order through the batched
    writer (merging each batch's reports when ``merge_events``). Returns new documents."""
    w = _OrderedWriter(store, out_dir, merge_events)
    order = sorted(s["index"] for s in summaries)
    for s in summaries:
        w.done(s, order)
    w.close()
    return w.writer.new_documents


# ---------------------------------------------------------------------- drivers
@dataclass
class _Run:
    engine: str
    parquet_dir: str
    keep: bool
    t0: float = field(default_factory=time.perf_counter)
    store: object = None


def _prepare_dir(parquet_dir: str | None) -> tuple[str, bool]:
    if parquet_dir:
        p = Path(parquet_dir)
        for sub in ("documents", "events"):        # a fresh output: no stale partitions
            shutil.rmtree(p / sub, ignore_errors=True)
        p.mkdir(parents=True, exist_ok=True)
        return str(p), True
    return tempfile.mkdtemp(prefix="sitrep-scale-"), False


def _open_writer(run: _Run, db: str | None, merge: bool, merge_events: bool):
    """The store and the ordered batched writer of a run (None when not storing)."""
    if not merge:
        return None
    from ..store import Store, default_db_path

    run.store = Store(db or default_db_path())
    return _OrderedWriter(run.store, run.parquet_dir, merge_events)


def _finish(run: _Run, parts: list[Partition], summaries: list[dict], writer,
            t_extract: float, extra: dict) -> dict:
    summaries = sorted(summaries, key=lambda s: s["index"])
    failures = [tuple(e) for s in summaries for e in s["errors"]]
    by_type: dict[str, int] = {}
    for s in summaries:
        for k, v in s["by_type"].items():
            by_type[k] = by_type.get(k, 0) + v
    n_docs = sum(s["documents"] for s in summaries)
    out = {"engine": run.engine, "partitions": len(parts), "documents": n_docs,
           "events": sum(s["events"] for s in summaries), "by_type": dict(sorted(by_type.items())),
           "failures": failures, "new_documents": None, "db": None,
           "parquet_dir": run.parquet_dir if run.keep else None,
           "extract_seconds": round(t_extract, 3), "merge_seconds": None,
           "merged_events": None, **extra}
    if writer is not None:
        try:
            writer.close()
            out["new_documents"] = writer.writer.new_documents
            out["merged_events"] = writer.writer.canonical_total
            out["db"] = run.store.url
        finally:
            run.store.close()
        # time the driver spent writing (partly while the workers were still extracting)
        out["merge_seconds"] = round(writer.seconds, 3)
    if not run.keep:
        shutil.rmtree(run.parquet_dir, ignore_errors=True)
    out["seconds"] = round(time.perf_counter() - run.t0, 3)
    out["docs_per_s"] = round(n_docs / t_extract, 1) if t_extract > 0 else None
    return out


def run_local(paths: list[str], published: date | None, db: str | None,
              parquet_dir: str | None = None, *, merge: bool = True,
              partition_size: int = DEFAULT_PARTITION_SIZE, use_geo: bool = True,
              stdin=None, merge_events: bool = True) -> dict:
    """The same partitions, function, files and writer as ``run_dask``, in this process.
    ``extract_seconds`` counts the extraction only (the writes are ``merge_seconds``)."""
    out_dir, keep = _prepare_dir(parquet_dir)
    run = _Run("local", out_dir, keep)
    parts = plan_partitions(paths, partition_size=partition_size, stdin=stdin)
    get_pipeline(use_geo)
    writer = _open_writer(run, db, merge, merge_events)
    order = [p.index for p in parts]
    summaries = []
    t_extract = 0.0
    for p in parts:
        t = time.perf_counter()
        summaries.append(extract_partition(p, published, out_dir, use_geo))
        t_extract += time.perf_counter() - t
        if writer is not None:
            writer.done(summaries[-1], order)
    return _finish(run, parts, summaries, writer, t_extract,
                   {"workers": 1, "scheduler": None})


try:                                   # dask is an optional extra ("sitrep[scale]")
    from distributed import WorkerPlugin as _WorkerPlugin
except ImportError:  # pragma: no cover - without dask only run_local is available
    _WorkerPlugin = object

SCALE_EXTRA = "pip install 'sitrep[scale]'"


class DaskMissing(ImportError):
    """The Dask engine was asked for without the scale extra installed."""


def require_dask(what: str = "the Dask engine") -> None:
    """Raise DaskMissing, saying what to install, unless dask and distributed import."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as e:
        missing = getattr(e, "name", None) or "dask"
        raise DaskMissing(f"{what} needs Dask ({missing!r} is not installed); install the "
                          f"scale extra: {SCALE_EXTRA}") from None


class PipelinePreload(_WorkerPlugin):
    """Dask worker plugin: builds the worker's Pipeline (gazetteer included) at start-up."""

    name = "sitrep-pipeline"

    def __init__(self, use_geo: bool = True):
        self.use_geo = use_geo

    def setup(self, worker=None):
        get_pipeline(self.use_geo)


def run_dask(paths: list[str], published: date | None, db: str | None,
             scheduler: str | None = None, n_workers: int = 2,
             parquet_dir: str | None = None, *, merge: bool = True,
             partition_size: int = DEFAULT_PARTITION_SIZE, use_geo: bool = True,
             stdin=None, progress=None, merge_events: bool = True) -> dict:
    """Extract on Dask: ``scheduler`` is a scheduler address (``tcp://host:8786``); without
    one a LocalCluster of ``n_workers`` single-threaded worker processes is started and
    closed. Returns the same summary as ``run_local`` (plus the worker count and address).
    ``progress``: optional callable(done, total) called as partitions finish.
    ``merge_events``: after saving, merge reports of the same event across documents (as
    ``sitrep extract`` does); ``merged_events`` is then the canonical total.
    Raises DaskMissing (saying what to install) without the scale extra."""
    import logging

    require_dask()
    from distributed import Client, LocalCluster, as_completed

    out_dir, keep = _prepare_dir(parquet_dir)
    run = _Run("dask", out_dir, keep)
    parts = plan_partitions(paths, partition_size=partition_size, stdin=stdin)
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    writer = None
    try:
        client.register_plugin(PipelinePreload(use_geo), name=PipelinePreload.name)
        workers = len(client.scheduler_info().get("workers", {}))
        address = client.scheduler.address
        writer = _open_writer(run, db, merge, merge_events)
        order = [p.index for p in parts]
        t = time.perf_counter()
        futures = client.map(extract_partition, parts, published=published, out_dir=out_dir,
                             use_geo=use_geo, pure=False)
        summaries = []
        for done, fut in enumerate(as_completed(futures), 1):
            summaries.append(fut.result())
            if writer is not None:      # store what is done, in order, while workers extract
                writer.done(summaries[-1], order)
            if progress:
                progress(done, len(futures))
        t_extract = time.perf_counter() - t
    except BaseException:
        if run.store is not None:
            run.store.close()
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return _finish(run, parts, summaries, writer, t_extract,
                   {"workers": workers, "scheduler": scheduler or address,
                    "startup_seconds": round(t - run.t0, 3)})
