"""The scale engine: partitions, Parquet rows, and Dask output equal to the single-process run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from sitrep.bench import build_corpus
from sitrep.ingest import IngestError, iter_documents
from sitrep.scale import iter_partition, plan_partitions, read_event_rows, run_local
from sitrep.scale.bench import write_jsonl
from sitrep.scale.rows import event_from_record, event_record
from sitrep.store import Store
from sitrep.store.schema import documents, event_evidence, event_sources, events

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "sitrep" / "examples"


@pytest.fixture(scope="module")
def corpus_input(tmp_path_factory) -> list[str]:
    """~20 documents: a JSONL file (with one bad line), two plain files, one binary file."""
    root = tmp_path_factory.mktemp("scale-in")
    docs = build_corpus(18, seed=11)
    lines = [json.dumps({"url": d.url, "title": d.title, "text": d.text,
                         "published": d.published.isoformat() if d.published else None})
             for d in docs]
    lines.insert(7, "{not json")
    (root / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    folder = root / "files"
    folder.mkdir()
    for name in ("somalia-mogadishu-suicide-bombing", "kenya-saba-saba-protests"):
        for suffix in (".txt", ".meta.json"):
            (folder / f"{name}{suffix}").write_bytes((EXAMPLES / f"{name}{suffix}").read_bytes())
    (folder / "zz-image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    return [str(root / "articles.jsonl"), str(folder), str(root / "missing.txt")]


def _store_rows(db: str) -> dict[str, list[dict]]:
    """All stored rows, minus the wall-clock columns, sorted."""
    st = Store(db)
    out = {}
    with st.engine.connect() as conn:
        for t, key in ((documents, "id"), (events, "id"), (event_evidence, "pk"),
                       (event_sources, "pk")):
            rows = [dict(r) for r in conn.execute(select(t).order_by(t.c[key])).mappings()]
            for r in rows:
                for k in ("created_at", "timestamp", "ingested_at"):
                    r.pop(k, None)
            out[t.name] = rows
    st.close()
    return out


def _single_process(paths: list[str], db: str) -> list[tuple[str, str]]:
    """What `sitrep extract` does (cli.extract), without the CLI."""
    from sitrep.pipeline import Pipeline

    pipe, store, failures = Pipeline(), Store(db), []
    for item in iter_documents(paths):
        if isinstance(item, IngestError):
            failures.append((item.path, item.reason))
            continue
        store.save(item, pipe.run(item))
    store.close()
    return failures


def test_partitions_read_like_iter_documents(corpus_input):
    parts = plan_partitions(corpus_input, partition_size=4)
    assert {p.kind for p in parts} == {"jsonl", "files", "errors"}
    got = [it for p in parts for it in iter_partition(p)]
    want = list(iter_documents(corpus_input))
    assert [(type(x).__name__, getattr(x, "id", None), x.path) for x in got] == \
           [(type(x).__name__, getattr(x, "id", None), x.path) for x in want]
    assert any(isinstance(x, IngestError) and x.path.endswith("articles.jsonl:8") for x in got)


def test_event_row_round_trip(pipeline):
    doc = next(d for d in iter_documents([str(EXAMPLES)]) if not isinstance(d, IngestError))
    evs = pipeline.run(doc)
    assert evs
    for k, ev in enumerate(evs):
        row = event_record(ev, 0, 0, k)
        back = event_from_record(row)
        assert back.to_dict() == {**ev.to_dict()}
        assert isinstance(row["evidence"], str) and json.loads(row["evidence"])


def test_event_to_dict_is_asdict_without_the_working_state(pipeline):
    """to_dict skips deep-copying the place mentions and actor references; what it returns
    is still asdict's export, key for key and in order, evidence and sources as dicts."""
    import dataclasses

    working = ("actors1", "actors2", "places", "country_hints", "strong_hints", "hint_spans",
               "datelines")
    docs = [d for d in iter_documents([str(EXAMPLES)]) if not isinstance(d, IngestError)]
    evs = [ev for d in docs[:4] for ev in pipeline.run(d)]
    assert any(ev.places for ev in evs) and any(ev.evidence for ev in evs)
    for ev in evs:
        want = {k: v for k, v in dataclasses.asdict(ev).items() if k not in working}
        want.update(disorder_type=ev.disorder_type, interaction=ev.interaction, year=ev.year,
                    id=ev.id)
        got = ev.to_dict()
        assert list(got) == list(want) and got == want
        assert all(isinstance(e, dict) for e in got["evidence"] + got["sources"])


def test_local_engine_equals_single_process(corpus_input, tmp_path):
    failures = _single_process(corpus_input, str(tmp_path / "plain.db"))
    summary = run_local(corpus_input, None, str(tmp_path / "local.db"),
                        parquet_dir=str(tmp_path / "pq"), partition_size=4)
    assert summary["failures"] == failures
    assert len(failures) == 3                    # bad JSON line, binary file, missing file
    assert summary["documents"] == 20 and summary["events"] > 20
    assert _store_rows(str(tmp_path / "local.db")) == _store_rows(str(tmp_path / "plain.db"))
    # one events file per partition, the event date a column of it
    files = sorted(p.name for p in (tmp_path / "pq" / "events").iterdir())
    assert files == [f"part-{i:06d}.parquet" for i in range(len(files))]
    assert 1 < len(files) <= summary["partitions"]
    rows = read_event_rows(str(tmp_path / "pq"))
    assert len(rows) == summary["events"]
    assert len({r["event_date"] for r in rows}) > 5


def test_dask_equals_local(corpus_input, tmp_path):
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    from sitrep.scale import run_dask

    local = run_local(corpus_input, None, str(tmp_path / "local.db"),
                      parquet_dir=str(tmp_path / "pq-local"), partition_size=4)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        dask = run_dask(corpus_input, None, str(tmp_path / "dask.db"),
                        scheduler=cluster.scheduler_address,
                        parquet_dir=str(tmp_path / "pq-dask"), partition_size=4)
    assert dask["workers"] == 2 and dask["partitions"] == local["partitions"] > 2
    for k in ("documents", "events", "by_type", "failures", "new_documents"):
        assert dask[k] == local[k], k
    # identical event rows, sorted by id, and byte-identical Parquet files
    assert read_event_rows(str(tmp_path / "pq-dask")) == read_event_rows(str(tmp_path / "pq-local"))
    files_l = sorted(p.relative_to(tmp_path / "pq-local")
                     for p in (tmp_path / "pq-local").rglob("*.parquet"))
    files_d = sorted(p.relative_to(tmp_path / "pq-dask")
                     for p in (tmp_path / "pq-dask").rglob("*.parquet"))
    assert files_l == files_d and files_l
    for rel in files_l:
        local_bytes = (tmp_path / "pq-local" / rel).read_bytes()
        assert local_bytes == (tmp_path / "pq-dask" / rel).read_bytes(), rel
    # and the same store
    assert _store_rows(str(tmp_path / "dask.db")) == _store_rows(str(tmp_path / "local.db"))


def test_dask_local_cluster_started_by_engine(corpus_input, tmp_path):
    pytest.importorskip("distributed")
    from sitrep.scale import run_dask

    s = run_dask(corpus_input[:1], None, None, n_workers=2, merge=False, partition_size=10)
    assert s["workers"] == 2 and s["documents"] == 18 and s["db"] is None
    assert s["parquet_dir"] is None               # a temporary directory, removed


def test_parquet_input(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    docs = build_corpus(5, seed=3)
    pq.write_table(pa.Table.from_pylist([{"url": d.url, "title": d.title, "text": d.text,
                                          "published": d.published} for d in docs]),
                   tmp_path / "a.parquet")
    s = run_local([str(tmp_path / "a.parquet")], None, str(tmp_path / "x.db"), partition_size=2)
    assert s["documents"] == 5 and s["partitions"] == 3 and not s["failures"]
    assert Store(str(tmp_path / "x.db")).counts()["documents"] == 5


def _merged_incidents(db: str) -> list[list[str]]:
    """Merged events as sorted lists of their report ids (plus the canonical fields)."""
    from sitrep.merge import canonical_events

    st = Store(db)
    out = sorted((sorted(ce["report_ids"]), ce["event_date"], ce["sub_event_type"],
                  ce["location"], ce["fatalities"], ce["n_sources"])
                 for ce in canonical_events(st))
    st.close()
    return out


def test_dask_merges_like_local_extract(tmp_path, monkeypatch):
    """The Dask engine stores and merges through the same batched writer as `sitrep extract`
    (local engine): the same merged incidents, also when the input spans several batches."""
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    from sitrep.scale import run_dask, stream
    from sitrep.scale.engine import get_pipeline

    monkeypatch.setattr(stream, "BATCH_DOCS", 7)        # several batches, several merges
    docs = build_corpus(40, seed=5)
    docs += docs[3:6]                                     # repeats, in a later batch
    src = tmp_path / "in.jsonl"
    write_jsonl(docs, src)
    local_db = str(tmp_path / "local.db")
    with Store(local_db) as st:
        s = stream.extract_to_store([str(src)], st, get_pipeline(), batch_docs=7)
    assert s["documents"] == 43 and s["new_documents"] == 40 and s["canonical_total"]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        d = run_dask([str(src)], None, str(tmp_path / "dask.db"),
                     scheduler=cluster.scheduler_address, partition_size=3)
    assert d["documents"] == 43 and d["new_documents"] == 40
    assert d["merged_events"] == s["canonical_total"]
    local = _merged_incidents(local_db)
    assert _merged_incidents(str(tmp_path / "dask.db")) == local
    assert any(len(ids) > 1 for ids, *_ in local)         # reports did merge
    assert _store_rows(str(tmp_path / "dask.db")) == _store_rows(local_db)


def test_streamed_merge_equals_merges_that_read_back(tmp_path, monkeypatch):
    """`sitrep extract`'s writer builds each batch's reports from the events it has just
    saved and keeps what it read in a MergeWindow; the merge tables are those of merges that
    read every batch back from the store afresh."""
    from itertools import islice

    from test_merge import _merge_tables

    from sitrep.merge import merge_documents
    from sitrep.scale import stream
    from sitrep.scale.engine import get_pipeline

    docs = build_corpus(60, seed=11)
    src = tmp_path / "in.jsonl"
    write_jsonl(docs, src)
    built = []
    real = stream.BatchWriter.flush

    def flush(self):
        built.append(self.window)
        return real(self)

    monkeypatch.setattr(stream.BatchWriter, "flush", flush)
    with Store(str(tmp_path / "a.db")) as st:
        s = stream.extract_to_store([str(src)], st, get_pipeline(), batch_docs=9)
        streamed = _merge_tables(st)
    assert s["documents"] == 60 and any(w is not None for w in built)   # a window was kept
    with Store(str(tmp_path / "b.db")) as st:
        stream.extract_to_store([str(src)], st, get_pipeline(), batch_docs=9, merge=False)
        ids = iter([d.id for d in iter_documents([str(src)], None)])
        while batch := list(islice(ids, 9)):
            merge_documents(st, batch)
        afresh = _merge_tables(st)
    assert streamed == afresh
    assert any(r["n_reports"] > 1 for r in streamed["canonical_events"])   # reports merged
