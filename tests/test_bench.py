"""`sitrep bench`: the corpus builder and the report's shape. Timings are never asserted."""

from __future__ import annotations

import json
import re

import pytest

from sitrep import bench
from sitrep.bench import (
    BENCHES,
    TOWNS,
    build_corpus,
    corpus_stats,
    load_articles,
    load_spacy_ner,
    main,
)

PIPELINE_KEYS = {
    "docs", "tokens", "seconds", "docs_per_s", "tokens_per_s", "events", "failures",
    "peak_rss_mb", "floor_docs_per_s", "floor_tokens_per_s", "subset_docs",
    "pipeline_subset_docs_per_s", "spacy_model", "spacy_docs_per_s", "spacy_tokens_per_s",
    "spacy_skipped", "ratio_pipeline_spacy", "ratio_pipeline_floor", "cold_version_s",
    "cold_first_extraction_s",
}


@pytest.fixture(scope="module")
def corpus200():
    return build_corpus(200, seed=7)


def test_bundled_articles_found():
    arts = load_articles()
    assert len(arts) >= 10
    assert all(a.raw.strip() and a.published for a in arts)


def test_corpus_distinct_ids(corpus200):
    assert len(corpus200) == 200
    assert len({d.id for d in corpus200}) == 200
    assert all(d.body.strip() for d in corpus200)


def test_corpus_deterministic_and_prefix_stable(corpus200):
    again = build_corpus(200, seed=7)
    assert [d.id for d in again] == [d.id for d in corpus200]
    assert [d.published for d in again] == [d.published for d in corpus200]
    small = build_corpus(50, seed=7)
    assert [d.id for d in small] == [d.id for d in corpus200[:50]]
    other = build_corpus(50, seed=8)
    n_arts = len(load_articles())
    assert [d.id for d in other][n_arts:] != [d.id for d in small][n_arts:]


def test_a_next_batch_is_dated_after_the_corpus(corpus200):
    """`bench scale` merges a stream's next batch: every article built `after` a day is
    published in the weeks after it, its weekdays kept (whole weeks from its article)."""
    from datetime import timedelta

    from sitrep.scale.bench import in_stream_order

    shipped = {a.name: a.published for a in load_articles()}
    last = max(d.published for d in corpus200)
    nxt = build_corpus(60, seed=8, after=last)
    assert len({d.id for d in nxt}) == 60
    assert all(last < d.published <= last + timedelta(weeks=5) for d in nxt)
    assert all((d.published - shipped[d.path.rsplit("/", 1)[-1]]).days % 7 == 0 for d in nxt)
    assert not {d.id for d in nxt} & {d.id for d in corpus200}
    ordered = in_stream_order(corpus200)
    days = [d.published for d in ordered]
    assert days == sorted(days) and days != [d.published for d in corpus200]


def test_corpus_varied(corpus200):
    st = corpus_stats(corpus200)
    assert st["distinct_ids"] == 200
    assert st["distinct_towns"] > 60
    assert st["distinct_published_dates"] > 100
    months = "January|February|March|April|May|June|July|August|September|October|November|" \
             "December"
    written = {m.group(0) for d in corpus200
               for m in re.finditer(rf"\b\d{{1,2}} (?:{months}) \d{{4}}\b", d.body)}
    assert len(written) > 50
    # the same article, many different texts
    first = corpus200[0].path.rsplit("/", 1)[-1]
    same = [d for d in corpus200 if d.path.endswith("/" + first)]
    assert len({d.body for d in same}) == len(same) > 5


def test_dates_shift_by_whole_weeks(corpus200):
    arts = {a.name: a for a in load_articles()}
    for d in corpus200:
        art = arts[d.path.rsplit("/", 1)[-1]]
        if art.published and d.published:
            assert (d.published - art.published).days % 7 == 0


def test_originals_first(corpus200):
    arts = load_articles()
    for art, doc in zip(arts, corpus200, strict=False):
        assert doc.path.endswith("/" + art.name)
        assert doc.published == art.published


def test_towns_are_real_towns_of_their_country():
    from sitrep.geo import Gazetteer

    g = Gazetteer.load()
    bad = []
    for cc, towns in TOWNS.items():
        for t in towns:
            c = g.candidates(t, cc)
            if not (c and c[0][2] and g.cc[c[0][1]] == cc and g.feat[c[0][1]] == "P"):
                bad.append((cc, t))
    assert not bad


def test_main_pipeline_writes_json(tmp_path):
    out = tmp_path / "bench.json"
    assert main(what="pipeline", n_docs=30, json_out=str(out)) == 0
    rep = json.loads(out.read_text())
    assert rep["n_docs"] == 30 and rep["what"] == ["pipeline"]
    assert rep["corpus"]["docs"] == rep["corpus"]["distinct_ids"] == 30
    p = rep["benches"]["pipeline"]
    assert PIPELINE_KEYS <= set(p)
    assert p["docs"] == 30 and p["failures"] == 0 and p["events"] > 0
    for k in ("docs_per_s", "tokens_per_s", "floor_docs_per_s", "floor_tokens_per_s",
              "pipeline_subset_docs_per_s", "ratio_pipeline_floor", "peak_rss_mb",
              "cold_version_s", "cold_first_extraction_s"):
        assert p[k] > 0, k
    assert p["cold_first_extraction_events"] > 0
    if p["spacy_skipped"] is None:
        assert p["spacy_docs_per_s"] > 0 and p["ratio_pipeline_spacy"] > 0
        assert "ner" in p["spacy_components"]
    else:
        assert p["ratio_pipeline_spacy"] is None
    assert rep["peak_rss_mb"] >= p["peak_rss_mb"]


def test_spacy_missing_is_a_skip(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "SPACY_MODELS", ("no_such_spacy_model_xyz",))
    nlp, why = load_spacy_ner()
    assert nlp is None and why
    out = tmp_path / "b.json"
    assert main(what="pipeline", n_docs=5, json_out=str(out), cold_runs=0, quiet=True) == 0
    p = json.loads(out.read_text())["benches"]["pipeline"]
    assert p["spacy_skipped"] and p["ratio_pipeline_spacy"] is None
    assert p["spacy_docs_per_s"] is None and p["docs_per_s"] > 0
    assert p["cold_version_s"] is None


def test_registry_plugs_in(tmp_path, monkeypatch):
    seen = {}

    def fake(ctx):
        seen["docs"] = len(ctx.corpus)
        return {"things_per_s": 1.0}

    monkeypatch.setitem(BENCHES, "fake", fake)
    out = tmp_path / "f.json"
    assert main(what="fake", n_docs=4, json_out=str(out), quiet=True) == 0
    rep = json.loads(out.read_text())
    assert rep["benches"] == {"fake": {"things_per_s": 1.0}} and seen["docs"] == 4
    assert rep["corpus"]["docs"] == 4


def test_failing_bench_reported(tmp_path, monkeypatch):
    def boom(ctx):
        raise ValueError("nope")

    monkeypatch.setitem(BENCHES, "boom", boom)
    out = tmp_path / "f.json"
    assert main(what="boom", n_docs=2, json_out=str(out), quiet=True) == 1
    assert "nope" in json.loads(out.read_text())["benches"]["boom"]["error"]


def test_unknown_bench():
    assert main(what="nonsense", n_docs=2, quiet=True) == 2


def test_gazetteer_bench_imports_a_generated_dump(tmp_path, monkeypatch):
    """The 2-million-row figure is the bench's; here a small dump goes the same way."""
    monkeypatch.setenv("SITREP_BENCH_GAZ_ROWS", "3000")
    out = tmp_path / "gaz.json"
    assert main(what="gazetteer", n_docs=4, json_out=str(out), cold_runs=1, quiet=True) == 0
    g = json.loads(out.read_text())["benches"]["gazetteer"]
    assert g["dump_rows"] == 3000 and g["import_rows"] >= 3000 + 750
    assert g["imported_entries"] > g["entries"]
    for k in ("import_rows_per_s", "import_peak_rss_mb", "index_size_mb",
              "imported_cold_open_s", "imported_lookups_per_s", "memory_docs_per_s",
              "disk_docs_per_s", "ratio_disk_memory_docs_per_s", "disk_peak_rss_mb"):
        assert g[k] and g[k] > 0, k
    assert g["extract_docs"] == 4


def test_scale_dask_sizes(monkeypatch):
    """SITREP_SCALE_DASK_SIZES keeps the Dask runs to the sizes named (a 100k local run
    then fits in one sitting); unset, every size runs both engines."""
    from sitrep.scale.bench import dask_sizes

    monkeypatch.delenv("SITREP_SCALE_DASK_SIZES", raising=False)
    assert dask_sizes([3000, 100_000]) == {3000, 100_000}
    monkeypatch.setenv("SITREP_SCALE_DASK_SIZES", "3_000,5000")
    assert dask_sizes([3000, 100_000]) == {3000}


def test_subprocess_peak_is_its_own(tmp_path):
    """A bench child's peak RSS is its own: ru_maxrss carries the parent's peak over exec on
    Linux (the scale bench's parent holds the whole corpus), VmHWM does not."""
    import subprocess
    import sys

    from sitrep.bench import _PEAK_SNIPPET
    from sitrep.scale.bench import _child

    if not sys.platform.startswith("linux"):
        pytest.skip("VmHWM is Linux's")
    held = bytearray(300 * 2**20)
    for i in range(0, len(held), 4096):
        held[i] = 1
    out = subprocess.run([sys.executable, "-c", _PEAK_SNIPPET + "\nprint(peak_mb())"],
                         capture_output=True, text=True, check=True).stdout
    assert float(out) < 150
    assert "_PEAK_SNIPPET" in _child.__code__.co_names     # the scale children report it
    del held
