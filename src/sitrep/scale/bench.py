"""`sitrep bench scale`: the whole path (ingest, extract, store, merge) at several sizes.

The corpus is the bench corpus (``sitrep.bench.build_corpus``: the example articles with
varied towns, dates and numbers) written to one JSONL file per size. Each run is a fresh
subprocess, so its peak RSS is its own:

* local: what `sitrep extract FILE` runs (``scale.stream.extract_to_store``, batched writes
  and merges) into a new SQLite store: end-to-end articles/s, the pipeline-only rate of the
  same run (documents / seconds spent in ``Pipeline.run``), their ratio, peak RSS, the time
  split into pipeline / save / merge, and the projected wall time of a 250,000-article day;
* Dask with 1 and 2 workers (the bench needs the scale extra): `sitrep extract
  --engine dask` end to end (cluster start-up included and also given apart), the driver's
  peak RSS, and whether its merged incidents are the local engine's;
* incremental merge: ``ADD_DOCS`` (or ``SITREP_SCALE_ADD``) more articles merged into an
  empty store and into the store of the largest size (merge seconds of each, and their
  ratio). The new articles are a stream's next batch: published in the five weeks after the
  store's last day, as a monitoring team adds this month's news to what it holds.
  The same count of articles from the store's own period is merged into both stores too
  (``..._same_period``): there every new report has more stored neighbours in a bigger store
  (the corpus's six years hold more reports per day), so that ratio measures density too.

Articles reach the engines in publication order, as a feed delivers them.

Sizes: ``--sizes`` (comma-separated), else ``SITREP_SCALE_SIZES``, else ``DEFAULT_SIZES``.
``SITREP_SCALE_DASK_SIZES`` (comma-separated) limits the Dask runs to those sizes (default:
every size), so a 100,000-article local run fits in one sitting.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ..bench import (
    _PEAK_SNIPPET,
    BenchContext,
    _rate,
    _ratio,
    build_corpus,
    env_sizes,
    register,
)
from .engine import require_dask

DEFAULT_SIZES = (300, 1000)
ADD_DOCS = 1000
DAY_DOCS = 250_000
CHILD_TIMEOUT_S = 6 * 3600

_CHILD = r"""
import hashlib, json, resource, sys, time
t0 = time.perf_counter()
mode, src, db = sys.argv[1:4]
from sitrep.store import Store

def incidents(db):
    from sitrep.merge import canonical_events
    st = Store(db)
    groups = sorted(",".join(sorted(ce["report_ids"])) for ce in canonical_events(st))
    st.close()
    return len(groups), hashlib.sha1("\n".join(groups).encode()).hexdigest()[:16]

if mode in ("local", "add"):
    from sitrep.pipeline import Pipeline
    from sitrep.scale.stream import extract_to_store
    pipe = Pipeline()
    _ = pipe.gazetteer
    t_ready = time.perf_counter()
    store = Store(db)
    out = extract_to_store([src], store, pipe)
    store.close()
    out = {k: out[k] for k in ("documents", "events", "canonical_total", "seconds",
                               "pipeline_s", "save_s", "merge_s")}
    out["startup_s"] = t_ready - t0
else:
    from sitrep.scale import run_dask
    t_ready = time.perf_counter()
    r = run_dask([src], None, db, n_workers=int(mode[4:]))
    out = {"documents": r["documents"], "events": r["events"],
           "canonical_total": r["merged_events"], "seconds": r["seconds"],
           "extract_s": r["extract_seconds"], "startup_s": r["startup_seconds"]}
out["peak_rss_mb"] = peak_mb()     # VmHWM: ru_maxrss would carry the bench's own peak
out["children_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
if mode != "add":
    out["incidents"], out["incidents_sha1"] = incidents(db)
print(json.dumps(out))
"""


def scale_sizes(ctx: BenchContext) -> list[int]:
    got = ctx.state.get("scale_sizes")
    if not got:
        got = env_sizes("SITREP_SCALE_SIZES") or DEFAULT_SIZES
    return [max(1, int(n)) for n in got]


def dask_sizes(sizes: list[int]) -> set[int]:
    """The sizes the Dask engine runs at: ``SITREP_SCALE_DASK_SIZES``, else all of them."""
    named = env_sizes("SITREP_SCALE_DASK_SIZES")
    return set(named) & set(sizes) if named else set(sizes)


def in_stream_order(docs: list) -> list:
    """The documents as a feed delivers them: by publication day (stable, undated last)."""
    return sorted(docs, key=lambda d: (d.published is None, d.published or 0))


def write_jsonl(docs, path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps({"url": d.url, "title": d.title, "text": d.text,
                                 "source": d.source_name,
                                 "published": d.published.isoformat() if d.published else None},
                                ensure_ascii=False) + "\n")


def _child(mode: str, src: Path, db: Path) -> dict[str, Any]:
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", _PEAK_SNIPPET + _CHILD, mode, str(src), str(db)],
                       capture_output=True, text=True, timeout=CHILD_TIMEOUT_S)
    if p.returncode != 0:
        tail = p.stderr.strip().splitlines()[-1:] or ["failed"]
        raise RuntimeError(f"bench scale ({mode}): {tail[0]}")
    out = json.loads(p.stdout.strip().splitlines()[-1])
    out["wall_s"] = time.perf_counter() - t
    return out


@register("scale")
def bench_scale(ctx: BenchContext) -> dict[str, Any]:
    """Ingest -> extract -> store -> merge end to end, local engine and Dask, per size."""
    require_dask("sitrep bench scale")          # say what to install before any work
    sizes = scale_sizes(ctx)
    with_dask = dask_sizes(sizes)
    add_docs = int(os.environ.get("SITREP_SCALE_ADD", ADD_DOCS))
    out: dict[str, Any] = {"sizes": sizes, "cpu_count": os.cpu_count(),
                           "dask_sizes": sorted(with_dask),
                           "day_docs": DAY_DOCS}
    tmp = Path(tempfile.mkdtemp(prefix="sitrep-bench-scale-"))
    try:
        corpus = build_corpus(max(sizes) + add_docs, ctx.seed)
        for n in sizes:
            src = tmp / f"corpus-{n}.jsonl"
            write_jsonl(in_stream_order(corpus[:n]), src)
            k = f"n{n}"
            ctx.log(f"scale: {n:,} articles, local engine")
            loc = _child("local", src, tmp / f"local-{n}.db")
            e2e = _rate(loc["documents"], loc["seconds"])
            pipe = _rate(loc["documents"], loc["pipeline_s"])
            out[f"{k}_local_docs_per_s"] = e2e
            out[f"{k}_local_pipeline_docs_per_s"] = pipe
            out[f"{k}_ratio_local_e2e_pipeline"] = _ratio(e2e, pipe)
            out[f"{k}_local_peak_mb"] = round(loc["peak_rss_mb"], 1)
            out[f"{k}_local_pipeline_s"] = round(loc["pipeline_s"], 2)
            out[f"{k}_local_save_s"] = round(loc["save_s"], 2)
            out[f"{k}_local_merge_s"] = round(loc["merge_s"], 2)
            out[f"{k}_local_other_s"] = round(loc["seconds"] - loc["pipeline_s"]
                                              - loc["save_s"] - loc["merge_s"], 2)
            out[f"{k}_local_startup_s"] = round(loc["startup_s"], 2)
            out[f"{k}_local_events"] = loc["events"]
            out[f"{k}_local_incidents"] = loc["incidents"]
            out[f"{k}_day_local_h"] = round(DAY_DOCS / e2e / 3600, 2) if e2e else None
            dask = n in with_dask
            for w in (1, 2) if dask else ():
                ctx.log(f"scale: {n:,} articles, dask with {w} worker{'s' * (w > 1)}")
                r = _child(f"dask{w}", src, tmp / f"dask{w}-{n}.db")
                rate = _rate(r["documents"], r["seconds"])
                out[f"{k}_dask{w}_docs_per_s"] = rate
                # the same, cluster start-up excluded (it does not grow with the input)
                out[f"{k}_dask{w}_running_docs_per_s"] = _rate(
                    r["documents"], r["seconds"] - r["startup_s"])
                out[f"{k}_dask{w}_startup_s"] = round(r["startup_s"], 2)
                out[f"{k}_dask{w}_extract_s"] = round(r["extract_s"], 2)
                out[f"{k}_dask{w}_driver_peak_mb"] = round(r["peak_rss_mb"], 1)
                out[f"{k}_dask{w}_same_incidents"] = (
                    r["incidents_sha1"] == loc["incidents_sha1"]
                    and r["incidents"] == loc["incidents"])
                out[f"{k}_day_dask{w}_h"] = round(DAY_DOCS / rate / 3600, 2) if rate else None
            if dask:
                out[f"{k}_ratio_dask2_dask1"] = _ratio(out[f"{k}_dask2_docs_per_s"],
                                                       out[f"{k}_dask1_docs_per_s"])
                out[f"{k}_ratio_dask2_dask1_running"] = _ratio(
                    out[f"{k}_dask2_running_docs_per_s"], out[f"{k}_dask1_running_docs_per_s"])
            for f in tmp.glob(f"dask*-{n}.db*"):
                f.unlink()
        # incremental merge: the same new articles into an empty store and the largest one
        big = max(sizes)
        last = max((d.published for d in corpus[:big] if d.published), default=None)
        batches = {"": in_stream_order(build_corpus(add_docs, ctx.seed + 1, after=last)),
                   "_same_period": corpus[big:big + add_docs]}
        del corpus
        out["add_docs"] = add_docs
        for tag, docs in batches.items():
            add = tmp / f"add{tag}.jsonl"
            write_jsonl(docs, add)
            ctx.log(f"scale: {add_docs:,} more articles{tag.replace('_', ' ')} into an empty "
                    f"store and a {big:,} store")
            empty = _child("add", add, tmp / f"add-empty{tag}.db")
            shutil.copy(tmp / f"local-{big}.db", tmp / f"add-big{tag}.db")
            full = _child("add", add, tmp / f"add-big{tag}.db")
            out[f"add_merge_empty{tag}_s"] = round(empty["merge_s"], 2)
            out[f"add_merge_into_{big}{tag}_s"] = round(full["merge_s"], 2)
            out[f"ratio_add_merge_big_empty{tag}"] = _ratio(full["merge_s"], empty["merge_s"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    n = big
    out["note"] = (f"{n:,} articles end to end: local {out[f'n{n}_local_docs_per_s']}/s "
                   f"({out[f'n{n}_ratio_local_e2e_pipeline']} of the pipeline-only rate), "
                   f"peak {out[f'n{n}_local_peak_mb']} MB, a 250k-article day in "
                   f"{out[f'n{n}_day_local_h']} h"
                   + "".join(f"; at {m:,} Dask 2 workers {out[f'n{m}_ratio_dask2_dask1']}x "
                             "one worker" for m in sorted(with_dask))
                   + f" on {out['cpu_count']} CPUs; merging {add_docs:,} more into the "
                   f"{n:,} store costs {out['ratio_add_merge_big_empty']}x an empty one "
                   f"({out['ratio_add_merge_big_empty_same_period']}x when they fall in the "
                   f"store's own period)")
    ctx.log(f"scale: {out['note']}")
    return out
