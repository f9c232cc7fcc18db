"""`sitrep bench scale`: articles/s of the extract stage, single process vs Dask 1 and 2 workers.

The corpus is the bench corpus (``sitrep.bench.build_corpus``: the example articles with
varied towns, dates and numbers) written to one JSONL file, so every engine reads the same
input the same way (line-range partitions). Timed: partition extraction and the Parquet
writes, after the workers have loaded the gazetteer (cluster start-up is reported apart).
The store merge is the same single writer for every engine; it is timed once, on a prefix.

Corpus size: 20,000 articles unless ``--docs`` is given a value other than its default (2000),
or ``SITREP_SCALE_DOCS`` is set.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from ..bench import BenchContext, _rate, _ratio, build_corpus, register
from .engine import DEFAULT_PARTITION_SIZE, require_dask, run_dask, run_local

SCALE_DOCS = 20_000
CLI_DEFAULT_DOCS = BenchContext.n_docs          # 2000: `sitrep bench --docs` default
MERGE_SAMPLE_DOCS = 1000


def scale_docs(ctx: BenchContext) -> int:
    env = os.environ.get("SITREP_SCALE_DOCS")
    if env:
        return max(1, int(env))
    return ctx.n_docs if ctx.n_docs != CLI_DEFAULT_DOCS else SCALE_DOCS


def write_jsonl(docs, path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps({"url": d.url, "title": d.title, "text": d.text,
                                 "source": d.source_name,
                                 "published": d.published.isoformat() if d.published else None},
                                ensure_ascii=False) + "\n")


@register("scale")
def bench_scale(ctx: BenchContext) -> dict[str, Any]:
    """Single process vs Dask with 1 and 2 workers on the same JSONL corpus."""
    require_dask("sitrep bench scale")          # say what to install before any work
    n = scale_docs(ctx)
    docs = ctx.corpus if n == ctx.n_docs else build_corpus(n, ctx.seed)
    size = max(10, min(DEFAULT_PARTITION_SIZE, n // 16))   # enough tasks to balance 2 workers
    out: dict[str, Any] = {"docs": len(docs), "partitions": None, "partition_size": size,
                           "cpu_count": os.cpu_count()}
    tmp = Path(tempfile.mkdtemp(prefix="sitrep-bench-scale-"))
    try:
        src = tmp / "corpus.jsonl"
        ctx.log(f"scale: writing {len(docs)} articles to JSONL")
        write_jsonl(docs, src)
        del docs

        ctx.log("scale: single process")
        local = run_local([str(src)], None, None, parquet_dir=str(tmp / "pq-local"),
                          merge=False, partition_size=size)
        out["partitions"] = local["partitions"]
        out["events"] = local["events"]
        out["single_s"] = local["extract_seconds"]
        out["single_docs_per_s"] = _rate(local["documents"], local["extract_seconds"])

        for k in (1, 2):
            ctx.log(f"scale: dask, {k} worker{'s' if k > 1 else ''}")
            t = time.perf_counter()
            r = run_dask([str(src)], None, None, n_workers=k,
                         parquet_dir=str(tmp / f"pq-dask{k}"), merge=False, partition_size=size)
            wall = time.perf_counter() - t
            if r["events"] != local["events"] or r["documents"] != local["documents"]:
                raise RuntimeError(f"dask ({k} workers) coded {r['events']} events, "
                                   f"single process {local['events']}")
            out[f"dask{k}_s"] = r["extract_seconds"]
            out[f"dask{k}_docs_per_s"] = _rate(r["documents"], r["extract_seconds"])
            out[f"dask{k}_startup_s"] = round(wall - r["extract_seconds"], 3)

        # the store merge (one writer, same for every engine), on a prefix of the corpus
        from ..store import Store
        from .engine import merge_into_store, plan_partitions

        k = max(1, MERGE_SAMPLE_DOCS // size)
        sample = [{"index": p.index, **_summary_files(tmp / "pq-local", p.index)}
                  for p in plan_partitions([str(src)], partition_size=size)[:k]]
        n_merge = sum(s["documents"] for s in sample)
        store = Store(str(tmp / "merge.db"))
        t = time.perf_counter()
        merge_into_store(store, str(tmp / "pq-local"), sample)
        store.close()
        out["merge_docs"] = n_merge
        out["merge_docs_per_s"] = _rate(n_merge, time.perf_counter() - t)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    out["ratio_dask1_single"] = _ratio(out["dask1_docs_per_s"], out["single_docs_per_s"])
    out["ratio_dask2_single"] = _ratio(out["dask2_docs_per_s"], out["single_docs_per_s"])
    out["ratio_dask2_dask1"] = _ratio(out["dask2_docs_per_s"], out["dask1_docs_per_s"])
    out["note"] = (f"{out['docs']:,} articles: single process {out['single_docs_per_s']}/s, "
                   f"Dask 1 worker {out['dask1_docs_per_s']}/s "
                   f"({out['ratio_dask1_single']}x), 2 workers {out['dask2_docs_per_s']}/s "
                   f"({out['ratio_dask2_single']}x single, {out['ratio_dask2_dask1']}x 1 worker) "
                   f"on {out['cpu_count']} CPUs; store merge {out['merge_docs_per_s']}/s")
    ctx.log(f"scale: {out['note']}")
    return out


def _summary_files(out_dir: Path, index: int) -> dict:
    """The files one partition wrote (what extract_partition's summary lists)."""
    name = f"part-{index:06d}.parquet"
    files = [f"documents/{name}"] if (out_dir / "documents" / name).exists() else []
    files += sorted(str(p.relative_to(out_dir)) for p in out_dir.glob(f"events/*/{name}"))
    import pyarrow.parquet as pq

    n = pq.read_metadata(out_dir / files[0]).num_rows if files else 0
    return {"files": files, "documents": n}
