"""The merge stage: pure core, store integration (incremental, stable ids, history), the
corpus precision/recall, the CLI command and the bench plumbing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from sitrep.merge import (
    canonical_count,
    canonical_events,
    canonical_history,
    canonical_id_of,
    merge_documents,
)
from sitrep.merge.core import (
    Merger,
    Report,
    canonical,
    claim_status,
    cluster_reports,
    pair_score,
    pairwise_prf,
    sublocations,
    targets,
)
from sitrep.models import Document, content_id
from sitrep.store import Store

CORPUS = Path(__file__).parent / "corpus" / "merge" / "reports.jsonl"


def rep(id, **kw) -> Report:
    base = dict(doc_id="d" + id, date="2018-07-05", time_precision=1,
                event_type="Explosions/Remote violence",
                sub_event_type="Remote explosive/landmine/IED", actor1="Islamic State (Syria)",
                actor2="QSD: Syrian Democratic Forces", lat=35.9528, lon=39.0079,
                admin1="Ar-Raqqah", country_code="SY", location="Ar Raqqah", geo_precision=1,
                text="An IED hit an SDF patrol in Raqqa")
    base.update(kw)
    return Report(id=id, **base).prepare()


# ---------------------------------------------------------------------- core
def test_same_incident_merges_and_districts_stay_apart():
    a = rep("a", text="An IED hit an SDF patrol in the al-Noor district of Raqqa")
    b = rep("b", text="A roadside bomb struck SDF fighters in al-Noor district, Raqqa",
            actor1="Unidentified Armed Group (Syria)")
    c = rep("c", text="A bomb went off among SDF fighters in al-Hadiqah al-Bayda district "
                      "of Raqqa")
    assert pair_score(a, b) is not None and pair_score(a, b) > 0.62
    assert pair_score(a, c) is None                      # two districts: two incidents
    clusters = cluster_reports([a, b, c])
    assert sorted(len(v) for v in clusters.values()) == [1, 2]


def test_vetoes_type_date_place():
    a = rep("a")
    assert pair_score(a, rep("b", date="2018-07-08")) is None         # 3 days, exact dates
    assert pair_score(a, rep("b", date="2018-07-20", time_precision=3)) is not None
    assert pair_score(a, rep("b", event_type="Strategic developments",
                             sub_event_type="Arrests")) is None
    assert pair_score(a, rep("b", event_type="Violence against civilians",
                             sub_event_type="Abduction/forced disappearance")) is None
    assert pair_score(a, rep("b", lat=36.5, lon=40.7, location="Hasakah")) is None
    assert pair_score(a, rep("b", country_code="IQ")) is None


def test_actors_score_named_agreement_over_generic_over_conflict():
    # the named (non-generic) actors of the two reports: the same, one side unnamed, disjoint
    a = rep("a")
    kw = dict(date="2018-07-06", text="Fighters died in a blast in Raqqa")   # a score below 1
    same = rep("b", **kw)
    unnamed = rep("b", actor1="Unidentified Armed Group (Syria)", actor2="Civilians (Syria)",
                  **kw)
    other = rep("b", actor1="HTS: Hayat Tahrir al Sham", actor2="", **kw)
    assert a.actors == {"Islamic State (Syria)", "QSD: Syrian Democratic Forces"}
    assert not unnamed.actors
    assert pair_score(a, same) > pair_score(a, unnamed) > pair_score(a, other)


def test_sublocations_and_possessives():
    assert sublocations("in Mogadishu's Hodan district on Thursday") == {"hodan"}
    assert sublocations("in the district of Hodan") == {"hodan"}
    assert sublocations("in the al-Noor district of Raqqa") == {"noor"}
    assert sublocations("in Raqqa city", exclude=["Raqqa"]) == frozenset()
    # both spellings pass the literal gate that skips sentences naming no sub-location word
    assert sublocations("in the Hodan neighbourhood") == {"hodan"}
    assert sublocations("in the Hodan neighborhood") == {"hodan"}
    assert sublocations("Gunmen shot two men in Hodan") == frozenset()


def test_targets_literal_gate_finds_what_each_class_pattern_finds():
    from sitrep.merge.core import _TARGET_LITERALS, _TARGET_RES

    said = ["Gunmen stormed two Police Stations and torched a minibus near the market.",
            "The convoy hit a ROADBLOCK outside the garrison town.",
            "A bomb went off at a health centre and a cafe; the ministry condemned it.",
            "Shells fell on the police headquarters compound.",
            "Militants scarred the area but no target was named.",       # 'car' inside a word
            "The carS were burnt at the Health Center.", ""]
    for text in said:
        assert targets(text) == {k for k, rx in _TARGET_RES if rx.search(text)}, text
    assert targets(said[0]) == {"police", "bus", "market"}
    assert targets(said[4]) == frozenset()
    # the literals are the alternatives' plain starts: an optional letter is not required
    assert "checkpoint" in _TARGET_LITERALS["checkpoint"]
    assert "health cent" in _TARGET_LITERALS["health"] and "re" not in _TARGET_LITERALS["health"]


def test_merger_ids_stable_and_seed():
    m = Merger()
    a, b = rep("a"), rep("b", doc_id="x")
    assert m.add(a) == "a" and m.add(b) == "a"
    m2 = Merger()
    m2.seed("canon-1", [a])
    assert m2.add(rep("c")) == "canon-1"
    # seeded with the members linkage compares, indexed by all: a report that only a member
    # left out of `members` reaches by its day still finds the cluster
    late = rep("late", date="2018-07-09")
    m3 = Merger()
    m3.seed("canon-2", [a], index=[a, late])
    assert m3._candidates(rep("d", date="2018-07-10")) == ["canon-2"]
    assert Merger()._candidates(rep("d", date="2018-07-10")) == []
    m4 = Merger()
    m4.seed("canon-2", [a])
    assert m4._candidates(rep("d", date="2018-07-10")) == []


def test_canonical_fields_and_claim_status():
    claim = rep("a", role="claim", outlet="Amaq", fatalities=4, claimed_fatalities=4,
                time_precision=1)
    local = rep("b", role="report", fatalities=1, actor1="Unidentified Armed Group (Syria)",
                location="Raqqa - al-Noor", geo_precision=1)
    vague = rep("c", role="report", fatalities=2, time_precision=2, date="2018-07-04",
                geo_precision=2)
    c = canonical([vague, claim, local])
    assert c["event_date"] == "2018-07-05" and c["time_precision"] == 1
    assert c["actor1"] == "Islamic State (Syria)"
    assert c["fatalities"] == 1 and c["claimed_fatalities"] == 4
    assert c["claim_status"] == "confirmed"
    assert claim_status([claim]) == "claimed"
    assert claim_status([local]) == "reported"
    other = rep("d", actor1="Hayat Tahrir al Sham", role="claim")
    assert claim_status([claim, other]) == "disputed"
    denial = rep("e", text="The group denied any responsibility for the blast in Raqqa")
    assert claim_status([claim, denial]) == "disputed"


def test_pairwise_prf():
    r = pairwise_prf({"1": "a", "2": "a", "3": "b"}, {"1": "x", "2": "x", "3": "x"})
    assert r["recall"] == 1.0 and r["precision"] == pytest.approx(1 / 3)


# ---------------------------------------------------------------------- corpus
@pytest.fixture(scope="module")
def corpus_store(pipeline):
    items = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    store = Store(":memory:")
    truth, docs = {}, []
    for it in items:
        doc = Document(id=content_id(it["text"]), text=it["text"], body=it["text"],
                       published=date.fromisoformat(it["published"]), source_name=it["source"],
                       url=f"https://example.org/{it['id']}")
        evs = pipeline.run(doc)
        store.save(doc, evs)
        docs.append(doc.id)
        for ev in evs:
            truth[ev.id] = it["incident"]
    yield store, truth, items, docs
    store.close()


def test_corpus_shape():
    items = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    incidents: dict[str, list] = {}
    for it in items:
        incidents.setdefault(it["incident"], []).append(it)
    assert len(incidents) >= 15
    assert all(2 <= len(v) <= 5 for v in incidents.values())
    assert {it["style"] for it in items} >= {"wire", "local", "claim", "government"}


def test_corpus_pairwise_precision_recall(corpus_store):
    store, truth, _, _ = corpus_store
    merge_documents(store, rebuild=True)
    pred = {eid: ce["id"] for ce in canonical_events(store) for eid in ce["report_ids"]}
    prf = pairwise_prf(truth, pred)
    assert prf["precision"] >= 0.95, prf
    assert prf["recall"] >= 0.95, prf


def test_corpus_near_misses_apart_and_sources(corpus_store):
    store, truth, _, _ = corpus_store
    merge_documents(store)
    raqqa = [ce for ce in canonical_events(store, country="SY", date_from="2018-07-05",
                                            date_to="2018-07-05",
                                            sub_event_type="Remote explosive/landmine/IED")]
    labels = [{truth[e] for e in ce["report_ids"]} for ce in raqqa]
    assert {"syr-raqqa-noor-ied"} in labels and {"syr-raqqa-hadiqah-ied"} in labels
    for ce in raqqa:
        assert ce["n_sources"] >= 2
        assert ce["claim_status"] == "confirmed"
        assert any(s["role"] == "claim" and s["outlet"] == "Amaq" for s in ce["sources"])
        assert ce["actor1"] == "Islamic State (Syria)"


# ---------------------------------------------------------------------- incremental
def _doc(text, pub, source):
    return Document(id=content_id(text), text=text, body=text, published=pub,
                    source_name=source)


def test_incremental_stable_ids_history_and_prune(pipeline):
    store = Store(":memory:")
    pub = date(2020, 6, 15)
    d1 = _doc("Taliban fighters attacked an army checkpoint in Imam Sahib district of Kunduz "
              "on 14 June 2020, killing five soldiers, officials said.", pub, "Tolo News")
    d2 = _doc("Three Afghan soldiers died when Taliban insurgents attacked their checkpoint in "
              "Imam Sahib district of Kunduz on 14 June 2020, Pajhwok reported.", pub, "Pajhwok")
    d3 = _doc("Al Shabaab militants attacked a police station in Afgooye on 14 June 2020, "
              "killing two officers.", pub, "Garowe Online")
    store.save(d1, pipeline.run(d1))
    r1 = merge_documents(store, [d1.id])
    assert r1.created == 1 and r1.reports >= 1
    (ce,) = list(canonical_events(store))
    cid = ce["id"]
    assert ce["fatalities"] == 5
    store.save(d2, pipeline.run(d2))
    store.save(d3, pipeline.run(d3))
    r2 = merge_documents(store, [d2.id, d3.id])
    assert r2.created == 1 and r2.updated == 1
    ce = next(canonical_events(store, canonical_id=cid, history=True))
    assert ce["n_sources"] == 2 and ce["fatalities"] == 3
    assert any(h["field"] == "fatalities" and h["old_value"] == "5" and h["new_value"] == "3"
               for h in ce["history"])
    assert [h["action"] for h in canonical_history(store, cid)][0] == "create"
    ev2 = next(store.iter_events(doc_id=d2.id))
    assert canonical_id_of(store, ev2["id"]) == cid
    # nothing new: nothing changes
    r3 = merge_documents(store, count=False)
    assert r3.reports == 0 and r3.created == r3.updated == 0
    # a stream's batches skip the count (a scan of the whole table); one count at the end
    assert r3.canonical_total is None
    assert canonical_count(store) == len(list(canonical_events(store))) == r2.canonical_total
    # a full rebuild keeps the ids
    merge_documents(store, rebuild=True)
    assert cid in {c["id"] for c in canonical_events(store)}
    # re-extracting a document to no events prunes its memberships
    store.replace_events(d2.id, [])
    r4 = merge_documents(store)
    assert r4.pruned >= 1
    ce = next(canonical_events(store, canonical_id=cid))
    assert ce["n_sources"] == 1 and ce["fatalities"] == 5
    store.close()


def test_tables_created_on_fresh_store(tmp_path):
    store = Store(tmp_path / "x.db")
    assert list(canonical_events(store)) == []
    assert merge_documents(store).canonical_total == 0
    store.close()


# ---------------------------------------------------------------------- cli and bench
def test_cli_merge(tmp_path, pipeline):
    from typer.testing import CliRunner

    from sitrep.cli import app

    db = tmp_path / "m.db"
    store = Store(db)
    d = _doc("An IED exploded on 5 July 2018 next to an SDF patrol in Raqqa, Amaq claimed.",
             date(2018, 7, 6), "Amaq")
    store.save(d, pipeline.run(d))
    store.close()
    res = CliRunner().invoke(app, ["merge", "--db", str(db)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(app, ["merge", "--db", str(db), "--all"])
    assert res.exit_code == 0, res.output
    store = Store(db)
    assert len(list(canonical_events(store))) == 1
    store.close()


def test_bench_merge_small(monkeypatch):
    from sitrep.bench import BENCHES, BenchContext, _load_plugins
    from sitrep.merge.bench import run_size, synthetic_stream

    _load_plugins()
    assert "merge" in BENCHES
    reps = list(synthetic_stream(500, seed=1))
    assert len(reps) == 500
    assert [p for _, _, p in reps] == sorted(p for _, _, p in reps)
    fig = run_size(2000, seed=1)
    assert fig["precision"] > 0.7 and fig["recall"] > 0.9
    # the merge's own calls only: generation and label scoring fall outside its CPU time
    assert 0 < fig["merge_cpu_s"] < fig["cpu_s"] and fig["merge_gc_s"] <= fig["gc_s"]
    ctx = BenchContext(cold_runs=0)
    ctx.state["merge_sizes"] = [1000, 2000]
    out = BENCHES["merge"](ctx)
    assert out["n2000_merge_s"] > 0 and "n2000_time_growth_vs_linear" in out
    assert out["n2000_us_per_report_without_gc"] <= out["n2000_us_per_report"]


# ---------------------------------------------------------------------- windowed candidates
def _synthetic_store(db: str, n: int = 900) -> list[list[str]]:
    """Stored documents of one event each, from the merge bench's stream (dates, precisions,
    places, unplaced reports); returns the document ids in three batches."""
    from datetime import date as _date

    from sitrep.merge.bench import synthetic_stream
    from sitrep.models import Event, Evidence

    store = Store(db)
    ids: list[str] = []
    for k, (r, _label, _pub) in enumerate(synthetic_stream(n, seed=7, per_day=40)):
        body = f"Dispatch {k}. {r.text}."
        unplaced = k % 11 == 0                  # no place at all: compared country-blind
        doc = Document(id=f"doc{k:05d}", text=body, body=body, source_name=f"Outlet {k % 9}",
                       published=_date.fromordinal(r.day + 1))
        ev = Event(doc_id=doc.id, event_type=r.event_type, sub_event_type=r.sub_event_type,
                   event_date=_date.fromordinal(r.day).isoformat(),
                   time_precision=r.time_precision, actor1=r.actor1, fatalities=r.fatalities,
                   country_code=r.country_code, admin1="" if unplaced else r.admin1,
                   location="" if unplaced else r.location,
                   latitude=None if unplaced else r.lat, longitude=None if unplaced else r.lon,
                   geo_precision=None if unplaced else r.geo_precision,
                   sentence_start=len(f"Dispatch {k}. "), sentence_end=len(body))
        ev.evidence.append(Evidence("event_type", ev.sentence_start, len(body),
                                    body[ev.sentence_start:], doc.id))
        store.save(doc, [ev])
        ids.append(doc.id)
    store.close()
    return [ids[: n // 3], ids[n // 3: 2 * n // 3], ids[2 * n // 3:]]


def _merge_tables(store) -> dict:
    from sqlalchemy import select

    from sitrep.merge.schema import canonical_events as ce_t
    from sitrep.merge.schema import canonical_history as hist_t
    from sitrep.merge.schema import event_reports as er_t

    with store.engine.connect() as c:
        drop = ("created_at", "updated_at", "changed_at", "added_at", "pk")
        return {t.name: sorted(({k: v for k, v in dict(r).items() if k not in drop}
                                for r in c.execute(select(t)).mappings()), key=repr)
                for t in (ce_t, er_t, hist_t)}


def _merged_tables(db: str, batches: list[list[str]], windows=None) -> dict:
    """Merge the stored documents batch by batch (``windows``: the MergeWindow each batch
    passes, default none: each reads afresh); the merge tables after the last."""
    with Store(db) as store:
        for k, b in enumerate(batches):
            merge_documents(store, b, window=windows[k] if windows else None)
        return _merge_tables(store)


def test_windowed_candidates_merge_like_every_cluster_loaded(tmp_path, monkeypatch):
    """The merge reads only the stored clusters with a member where a new report can be
    compared; a stream's window keeps them from one batch to the next. The tables are the
    same as when every stored cluster is read afresh for every batch: with one window for
    all batches, with one that forgets what falls behind a short horizon, and with one that
    another writer's merge between its batches makes read afresh."""
    import shutil

    from sqlalchemy import select

    import sitrep.merge.db as mdb

    batches = _synthetic_store(str(tmp_path / "a.db"))
    for name in "bcde":
        shutil.copy(tmp_path / "a.db", tmp_path / f"{name}.db")
    read: list[tuple[int, int]] = []
    real = mdb._span_cids

    def counted(conn, spans, undated):
        got = real(conn, spans, undated)
        read.append((len(got), conn.execute(select(mdb.func.count())
                                            .select_from(mdb.ce_t)).scalar_one()))
        return got

    monkeypatch.setattr(mdb, "_span_cids", counted)
    windowed = _merged_tables(str(tmp_path / "a.db"), batches)
    fresh_reads, read[:] = sum(k for k, _ in read), []
    one = mdb.MergeWindow()
    kept = _merged_tables(str(tmp_path / "b.db"), batches, [one] * 3)
    kept_reads = sum(k for k, _ in read)
    short = mdb.MergeWindow(horizon_days=3)
    forgetful = _merged_tables(str(tmp_path / "c.db"), batches, [short] * 3)
    other = mdb.MergeWindow()
    interrupted = _merged_tables(str(tmp_path / "d.db"), batches, [other, None, other])
    monkeypatch.setattr(mdb, "_span_cids", lambda conn, spans, undated: set(
        conn.execute(select(mdb.ce_t.c.id)).scalars()))
    every = _merged_tables(str(tmp_path / "e.db"), batches)
    assert windowed == every == kept == forgetful == interrupted
    n_ce = len(windowed["canonical_events"])
    assert 250 < n_ce < 850                                 # reports did merge
    assert any(r["n_reports"] > 1 and len({m["doc_id"] for m in windowed["event_reports"]
                                           if m["canonical_id"] == r["id"]}) > 1
               for r in windowed["canonical_events"])
    # a batch read a part of the stored clusters, not all of them; a kept window reads
    # fewer than batches reading afresh, and the short horizon forgot some of its clusters
    assert kept_reads < fresh_reads
    assert 0 < short.n_reports < one.n_reports


def test_a_large_stored_cluster_is_read_in_full_only_when_it_grows(tmp_path, monkeypatch):
    """A stored cluster is seeded with the members linkage compares (the first and last 8)
    and indexed by all of them; only a cluster that receives a report reads the rest, for
    its canonical row. The tables are those of a merge that reads every member."""
    import shutil
    from datetime import date as _date

    import sitrep.merge.db as mdb
    from sitrep.models import Event, Evidence

    def save(store, k, day, town, lat, lon, sub="Armed clash"):
        body = f"Dispatch {k}. Fighters clashed with soldiers in {town}, killing {k % 3} people."
        doc = Document(id=f"doc{k:04d}", text=body, body=body, source_name=f"Outlet {k % 7}",
                       published=_date(2024, 3, day))
        ev = Event(doc_id=doc.id, event_type="Battles", sub_event_type=sub,
                   event_date=_date(2024, 3, day).isoformat(), time_precision=1,
                   actor1="Unidentified Armed Group (Nigeria)", fatalities=k % 3,
                   country_code="NG", admin1="Borno", location=town, latitude=lat,
                   longitude=lon, geo_precision=1, sentence_start=len(f"Dispatch {k}. "),
                   sentence_end=len(body))
        ev.evidence.append(Evidence("event_type", ev.sentence_start, len(body),
                                    body[ev.sentence_start:], doc.id))
        store.save(doc, [ev])
        return doc.id

    # one incident reported 40 times over four batches, next to a second incident elsewhere
    # that only the first batch reports, and a third that gets reports in batches 1 and 4
    batches: list[list[str]] = [[], [], [], []]
    with Store(str(tmp_path / "a.db")) as s:
        for k in range(40):
            batches[k // 10].append(save(s, k, 5, "Bama", 11.52, 13.69))
        for k in range(40, 46):
            batches[0].append(save(s, k, 5, "Damboa", 11.15, 12.76))
        for k in range(46, 66):
            batches[0 if k < 64 else 3].append(save(s, k, 6, "Gwoza", 11.08, 13.69))
    shutil.copy(tmp_path / "a.db", tmp_path / "b.db")

    read: list[int] = []            # stored members read in full, per merge
    real_load, real_merge = mdb.load_reports, mdb._merge

    def counted(conn, **kw):
        got = real_load(conn, **kw)
        if kw.get("event_ids") is not None:
            read[-1] += len(got)
        return got

    def merge(*a):
        read.append(0)
        return real_merge(*a)

    monkeypatch.setattr(mdb, "load_reports", counted)
    monkeypatch.setattr(mdb, "_merge", merge)
    seeded = _merged_tables(str(tmp_path / "a.db"), batches)
    shutil.copy(tmp_path / "b.db", tmp_path / "c.db")
    w = mdb.MergeWindow()                  # a stream that starts after another's first merge
    kept = _merged_tables(str(tmp_path / "c.db"), batches, [None, w, w, w])
    monkeypatch.setattr(mdb, "compared", lambda ms: ms)      # every member read in full
    whole = _merged_tables(str(tmp_path / "b.db"), batches)
    assert seeded == whole == kept
    sizes = sorted(r["n_reports"] for r in seeded["canonical_events"])
    assert sizes == [6, 20, 40]            # Bama grew past 16 members; Gwoza had 18 stored
    # reads per merge, first of the runs that read compared members (each batch afresh, then
    # one window for batches 2-4), then of the one that reads all: Gwoza (18 stored, next to
    # Bama) is read in full only in batch 4, when it grows; a window reads a member once:
    # in batch 3 it holds Bama in full and Gwoza's compared members
    mine, once, every = read[:4], read[4:8], read[8:]
    assert mine[1] < every[1] and mine[2] < every[2] and sum(mine) < sum(every)
    assert once[1] == mine[1] and once[2] == 0 < mine[2] and sum(once) < sum(mine)


def test_an_unplaced_report_that_names_the_place_links_across_a_guessed_country():
    # no coordinates and no location: its country is a guess (from an actor), but the text
    # names the other report's town
    placed = rep("p", location="Raqqa")
    named = rep("u", lat=None, lon=None, location="", admin1="", country_code="IQ",
                text="Islamic State fighters detonated an IED near Raqqa on Thursday")
    silent = rep("s", lat=None, lon=None, location="", admin1="", country_code="IQ",
                 text="Islamic State fighters detonated an IED on Thursday")
    assert named.unplaced and pair_score(named, placed) is not None
    assert pair_score(silent, placed) is None
    assert "raqqa" in named.caps          # its capitalised words, kept for the next candidate


def _dispatch(k: int, day: int, town: str, lat: float, lon: float, sub: str = "Armed clash",
              source: str = "", url: str = "", published=True):
    """A one-event document of a Borno fight on 2024-03-<day> (k picks its id and toll)."""
    from datetime import date as _date

    from sitrep.models import Event, Evidence

    body = f"Dispatch {k}. Fighters clashed with soldiers in {town}, killing {k % 3} people."
    doc = Document(id=f"doc{k:04d}", text=body, body=body, url=url,
                   source_name=source or f"Outlet {k % 7}",
                   published=_date(2024, 3, day) if published else None)
    ev = Event(doc_id=doc.id, event_type="Battles", sub_event_type=sub,
               event_date=_date(2024, 3, day).isoformat(), time_precision=1,
               actor1="Unidentified Armed Group (Nigeria)", fatalities=k % 3,
               country_code="NG", admin1="Borno", location=town, latitude=lat, longitude=lon,
               geo_precision=1, sentence_start=len(f"Dispatch {k}. "), sentence_end=len(body))
    ev.evidence.append(Evidence("event_type", ev.sentence_start, len(body),
                                body[ev.sentence_start:], doc.id))
    return doc, [ev]


@pytest.mark.parametrize("case", ["gap", "resave", "review", "metadata"])
def test_a_window_holds_only_what_the_store_holds(tmp_path, case):
    """A window between batches stays true to the store: it reads a day it has not read even
    when days either side are held ("gap": a cluster an earlier run stored on 7 March, the
    window having read 4-6 and 8-10), and reads afresh after another writer re-saved an
    event without merging ("resave") or a reviewer corrected one ("review"); reports built
    from a saved copy that the store holds otherwise (no metadata of its own) are read back
    ("metadata"). The tables are those of batches merged afresh."""
    import shutil

    from sqlalchemy import select

    from sitrep.api.review import apply_review
    from sitrep.api.schema import create_api_tables
    from sitrep.merge import MergeWindow
    from sitrep.store.schema import events

    bama, damboa = ("Bama", 11.52, 13.69), ("Damboa", 11.15, 12.76)
    db = tmp_path / "a.db"
    with Store(str(db)) as s:
        if case == "gap":
            s.save(*_dispatch(1, 7, *bama))
            merge_documents(s, ["doc0001"])           # stored by an earlier run
            for k, day, place, sub in ((2, 5, damboa, "Attack"), (3, 9, damboa, "Attack"),
                                       (4, 7, bama, "Armed clash")):
                s.save(*_dispatch(k, day, *place, sub=sub))
            batches = [["doc0002"], ["doc0003"], ["doc0004"]]
        elif case == "metadata":
            s.save(*_dispatch(1, 7, *bama, source="Daily Trust", url="http://x/1"))
            merge_documents(s, ["doc0001"])
            batches = []
        else:
            for k in (1, 2):
                s.save(*_dispatch(k, 7, *bama))      # one incident, told twice
            batches = [["doc0001"], ["doc0002"]]
    shutil.copy(db, tmp_path / "b.db")

    def run(path, window):
        with Store(str(path)) as s:
            if case == "metadata":        # the same page again, from a source with no metadata
                doc, evs = _dispatch(1, 8, *bama, published=False)
                doc.source_name = ""
                s.save_many([(doc, evs)])
                merge_documents(s, [doc.id], saved=[(doc, evs)] if window else None)
                return _merge_tables(s)
            for k, b in enumerate(batches):
                merge_documents(s, b, window=window)
                if k == 0 and case == "resave":     # another process re-extracts it
                    s.save(*_dispatch(1, 20, *bama))
                elif k == 0 and case == "review":
                    create_api_tables(s.engine)
                    with s.engine.connect() as c:
                        eid = c.execute(select(events.c.id)
                                        .where(events.c.doc_id == "doc0001")).scalar()
                    apply_review(s.engine, eid, {"action": "correct",
                                                 "fields": {"event_date": "2024-03-20"}},
                                 token="t")
            return _merge_tables(s)

    assert run(db, MergeWindow()) == run(tmp_path / "b.db", None)
