"""Crash safety and concurrency of `sitrep extract` into one store (SQLite file and PostgreSQL).

* kill -9 in the middle of a large batch, then the same command again: every document stored
  exactly once, and the events, evidence and sources exactly those of an uninterrupted run
  (no half-written event, no orphan).
* kill -9 at several points of a batch whose documents repeat 500 documents later, then the
  same command again: every document once, every event merged once, the same merged events
  as an uninterrupted run.
* two processes extracting overlapping folders at the same time: no duplicates, no lock or
  deadlock errors, the same rows as one run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import conftest_pg
import pytest
from sqlalchemy import func, select

from sitrep.store import Store
from sitrep.store.schema import documents, event_evidence, event_sources, events

shared_db_url = conftest_pg.shared_db_url

PLACES = ["Saraqib", "Idlib", "Raqqa", "Maiduguri", "Kunduz", "Mogadishu", "Taiz", "Beni"]
TEMPLATES = [
    "Clashes near {p}\n\nGovernment forces clashed with rebel fighters near {p} on Monday, "
    "killing {n} fighters, a monitor said (report {i}).",
    "Bomb in {p}\n\nAn IED exploded in {p} on Sunday, killing {n} civilians and wounding "
    "{m} others, police said (report {i}).",
    "Protest in {p}\n\nHundreds of people protested in {p} on Tuesday against rising prices; "
    "police arrested {n} protesters (report {i}).",
]


def make_corpus(folder: Path, n: int, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(start, start + n):
        t = TEMPLATES[i % len(TEMPLATES)]
        p = folder / f"doc{i:05d}.txt"
        p.write_text(t.format(p=PLACES[i % len(PLACES)], n=2 + i % 7, m=3 + i % 5, i=i),
                     encoding="utf-8")
        out.append(p)
    return out


def _cmd(paths: list[str], db: str) -> list[str]:
    return [sys.executable, "-m", "sitrep.cli", "extract", *paths, "--db", db, "-q",
            "--published", "2019-03-05"]


def _env() -> dict:
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


def run_extract(paths: list[str], db: str) -> subprocess.CompletedProcess:
    return subprocess.run(_cmd(paths, db), capture_output=True, text=True, env=_env(),
                          timeout=600)


def snapshot(db: str) -> dict:
    """Everything stored, keyed so duplicates show up as counts."""
    with Store(db) as s, s.engine.connect() as c:
        docs = c.execute(select(documents.c.id, documents.c.path)).all()
        evs = c.execute(select(events.c.id, events.c.doc_id)).all()
        ev_ids = {e[0] for e in evs}
        evid = c.execute(select(event_evidence.c.event_id, event_evidence.c.field,
                                event_evidence.c.start, event_evidence.c.end)).all()
        srcs = c.execute(select(event_sources.c.event_id, event_sources.c.role)).all()
        doc_ids = {d[0] for d in docs}
        orphans = ([e for e in evs if e[1] not in doc_ids]
                   + [x for x in evid if x[0] not in ev_ids]
                   + [x for x in srcs if x[0] not in ev_ids])
        no_evidence = ev_ids - {x[0] for x in evid}
        return {"docs": sorted(docs), "events": sorted(evs), "evidence": sorted(evid),
                "sources": sorted(srcs), "orphans": orphans, "no_evidence": no_evidence}


def count_docs(db: str) -> int:
    try:
        with Store(db) as s, s.engine.connect() as c:
            return c.execute(select(func.count()).select_from(documents)).scalar_one()
    except Exception:  # noqa: BLE001 - the schema may not exist yet
        return 0


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, dict]:
    """A corpus and what one uninterrupted run stores from it."""
    base = tmp_path_factory.mktemp("corpus")
    folder = base / "docs"
    make_corpus(folder, 400)
    db = str(base / "reference.db")
    p = run_extract([str(folder)], db)
    assert p.returncode == 0, p.stderr
    snap = snapshot(db)
    assert len(snap["docs"]) == 400 and len(snap["events"]) >= 300
    assert not snap["orphans"] and not snap["no_evidence"]
    return folder, snap


def _same(snap: dict, ref: dict, folder: Path) -> None:
    assert not snap["orphans"] and not snap["no_evidence"]
    assert [d[0] for d in snap["docs"]] == [d[0] for d in ref["docs"]]   # each once
    assert snap["events"] == ref["events"]
    assert snap["evidence"] == ref["evidence"]
    assert snap["sources"] == ref["sources"]


def test_kill_9_mid_batch_then_rerun(reference, shared_db_url):
    folder, ref = reference
    db = shared_db_url
    proc = subprocess.Popen(_cmd([str(folder)], db), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=_env())
    deadline = time.monotonic() + 120
    n = 0
    while time.monotonic() < deadline and proc.poll() is None:
        n = count_docs(db)
        if n >= 40:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the batch finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    killed_at = count_docs(db)
    assert 40 <= killed_at < 400, killed_at
    mid = snapshot(db)
    assert not mid["orphans"] and not mid["no_evidence"]
    # every stored document has all its events (none half-written)
    ref_by_doc: dict[str, int] = {}
    for _eid, did in ref["events"]:
        ref_by_doc[did] = ref_by_doc.get(did, 0) + 1
    mid_by_doc: dict[str, int] = {}
    for _eid, did in mid["events"]:
        mid_by_doc[did] = mid_by_doc.get(did, 0) + 1
    for did, _path in mid["docs"]:
        assert mid_by_doc.get(did, 0) == ref_by_doc.get(did, 0)

    p = run_extract([str(folder)], db)
    assert p.returncode == 0, p.stderr
    _same(snapshot(db), ref, folder)


def test_concurrent_extracts_overlapping(reference, shared_db_url, tmp_path):
    folder, ref = reference
    files = sorted(folder.glob("*.txt"))
    a = [str(f) for f in files[:260]]
    b = [str(f) for f in files[140:]][::-1]          # overlap, in the opposite order
    c = [str(f) for f in files[100:300]]
    db = shared_db_url
    procs = [subprocess.Popen(_cmd(paths, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=_env()) for paths in (a, b, c)]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (_out, errs) in zip(procs, outs, strict=True):
        assert p.returncode == 0, errs
        low = errs.lower()
        assert "locked" not in low and "deadlock" not in low and "traceback" not in low
    _same(snapshot(db), ref, folder)


# ---------------------------------------------------------------------- repeated documents
# Two articles, alternating, each line with its own last line ("Dispatch N"), so every line is
# its own document; the first lines come back at the end, more than 500 documents later (the
# merge reads ids 500 at a time: a repeated id must not come back from two chunks).
ARTICLES = [
    "Fighting near Saraqib\n\nGovernment forces fought rebel fighters near Saraqib on "
    "Monday, killing four fighters, a local monitor said.",
    "Roadside bomb in Maiduguri\n\nA roadside bomb exploded in Maiduguri on Sunday, killing "
    "three civilians, police said.",
]
N_DISTINCT, N_REPEATED = 550, 50


def write_dispatches(path: Path, n_distinct: int = N_DISTINCT,
                     n_repeated: int = N_REPEATED) -> Path:
    import json

    lines = [json.dumps({"text": f"{ARTICLES[i % 2]}\n\nDispatch {i}",
                         "published": "2019-03-05", "source": "Wire"})
             for i in range(n_distinct)]
    lines += lines[:n_repeated]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def merged_state(db: str) -> dict:
    """Documents, events and how the merge grouped them; asserts the merge is complete."""
    from sitrep.merge.schema import canonical_events as ce_t
    from sitrep.merge.schema import event_reports as er_t

    with Store(db) as s, s.engine.connect() as c:
        doc_ids = sorted(c.execute(select(documents.c.id)).scalars())
        evs = sorted(c.execute(select(events.c.id, events.c.doc_id)).all())
        members = c.execute(select(er_t.c.event_id, er_t.c.canonical_id)).all()
        canon = dict(c.execute(select(ce_t.c.id, ce_t.c.n_reports)).all())
    ev_ids = {e for e, _ in evs}
    member_of = dict(members)
    assert len(member_of) == len(members)                   # each report once
    assert set(member_of) == ev_ids                          # every event merged, none stale
    groups: dict[str, list[str]] = {}
    for eid, cid in members:
        groups.setdefault(cid, []).append(eid)
    assert set(groups) == set(canon)                         # no empty or missing canonical
    assert all(canon[cid] == len(ms) for cid, ms in groups.items())
    return {"docs": doc_ids, "events": evs,
            "groups": sorted(sorted(ms) for ms in groups.values())}


class DocCounter:
    """Stored documents, read through a plain read-only connection (no schema writes, so
    polling never competes with the extract for the write lock)."""

    def __init__(self, db: str):
        from sqlalchemy import create_engine

        self.engine = create_engine(db if "://" in db else f"sqlite:///{db}")

    def __call__(self) -> int:
        try:
            with self.engine.connect() as c:
                return c.execute(select(func.count()).select_from(documents)).scalar_one()
        except Exception:  # noqa: BLE001 - the schema may not exist yet
            return 0

    def close(self) -> None:
        self.engine.dispose()


def kill_when_stored(paths: list[str], db: str, n: int, counter: DocCounter) -> bool:
    """Run the extract and kill -9 it once n documents are stored; False when it finished
    first."""
    proc = subprocess.Popen(_cmd(paths, db), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=_env())
    deadline = time.monotonic() + 300          # a safety net against a hang, not a timing
    while proc.poll() is None and counter() < n and time.monotonic() < deadline:
        time.sleep(0.005)
    if proc.poll() is not None:
        return False
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    return True


@pytest.fixture(scope="module")
def dispatches(tmp_path_factory) -> tuple[Path, dict]:
    """The dispatch corpus and what one uninterrupted run stores and merges from it."""
    base = tmp_path_factory.mktemp("dispatches")
    jl = write_dispatches(base / "dispatches.jsonl")
    db = str(base / "reference.db")
    p = run_extract([str(jl)], db)
    assert p.returncode == 0, p.stderr[-3000:]
    ref = merged_state(db)
    assert len(ref["docs"]) == N_DISTINCT and len(ref["events"]) >= N_DISTINCT
    return jl, ref


def test_document_repeated_501_documents_later(tmp_path, shared_db_url):
    import json

    lines = [json.dumps({"text": f"Police arrest protesters in Nairobi\n\nPolice arrested "
                                 f"{2 + i % 9} protesters in Nairobi on 7 July 2021 after a "
                                 f"march against taxes.\n\nBulletin {i}"})
             for i in range(501)]
    jl = tmp_path / "bulletins.jsonl"
    jl.write_text("\n".join([*lines, lines[0]]) + "\n", encoding="utf-8")
    p = run_extract([str(jl)], shared_db_url)
    assert p.returncode == 0, p.stderr[-3000:]
    assert "Traceback" not in p.stderr and "IntegrityError" not in p.stderr
    state = merged_state(shared_db_url)
    assert len(state["docs"]) == 501 and len(state["events"]) >= 501
    assert state["groups"]                                   # merged events exist


def test_kill_9_at_several_points_then_rerun(dispatches, shared_db_url):
    jl, ref = dispatches
    db = shared_db_url
    counter = DocCounter(db)
    try:
        # early, mid-batch, and once every distinct document is stored (re-saving the
        # repeated lines or merging; the run may also have finished by then)
        killed = [kill_when_stored([str(jl)], db, n, counter)
                  for n in (1, N_DISTINCT // 2, N_DISTINCT)]
        assert killed[:2] == [True, True], killed
        mid = snapshot(db)
        assert not mid["orphans"] and not mid["no_evidence"]
        assert counter() >= N_DISTINCT // 2
    finally:
        counter.close()
    p = run_extract([str(jl)], db)
    assert p.returncode == 0, p.stderr[-3000:]
    assert "Traceback" not in p.stderr
    assert merged_state(db) == ref
