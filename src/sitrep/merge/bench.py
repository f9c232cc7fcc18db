"""`sitrep bench merge`: time and peak memory of the merge core on synthetic report streams.

A stream is a fixed daily volume of reports (``PER_DAY``) from 15 countries with 600 towns
each, so a longer stream covers more days at the same density, as a real feed does. Each
incident is reported 1-5 times with varied dates (precision 1-3, +-1 day), places (the town,
a nearby town, the region), actors (named or unidentified), fatalities, roles and wording;
one incident in ten has a twin on the same day in the same town, in another district and on
another target (the near misses the merge must keep apart). Reports arrive in publication
order; the merger indexes by (country, family, day, grid cell) and evicts days older than
the widest window, so memory stays flat and time grows linearly with the stream.

Each size runs in a fresh subprocess: the CPU time of the merge's own calls (eviction and
``Merger.add``; generating reports, preparing them and scoring the result against the
labels are outside it), also without the garbage collections that fell inside those calls
(measured with gc.callbacks), wall time of generation alone and with the merge, peak RSS
above the interpreter's baseline, pairwise precision and recall against the generator's
incident labels, and comparisons per report.
Sizes: ``SITREP_BENCH_MERGE_SIZES`` (comma-separated; default 10000,100000,1000000).
"""

from __future__ import annotations

import heapq
import json
import math
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any

from ..bench import BenchContext, env_sizes, register
from .core import MAX_WINDOW, Merger, Report

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
PER_DAY = 1500
START_DAY = 737425            # 2020-01-01
HORIZON = MAX_WINDOW + 7      # days a cluster stays open after its latest report

_COUNTRIES = {   # ISO2: (lat0, lat1, lon0, lon1)
    "SY": (32.5, 37.0, 36.0, 41.5), "IQ": (29.5, 37.0, 39.0, 48.0), "YE": (13.0, 18.0, 43.0, 52.0),
    "AF": (30.0, 38.0, 61.0, 71.0), "SO": (-1.0, 11.0, 41.0, 51.0), "NG": (5.0, 13.5, 3.0, 14.0),
    "ML": (11.0, 20.0, -11.0, 4.0), "BF": (10.0, 15.0, -5.0, 2.0), "CD": (-12.0, 4.0, 15.0, 30.0),
    "UA": (45.0, 52.0, 23.0, 40.0), "MM": (10.0, 28.0, 93.0, 101.0), "MX": (15.0, 32.0, -117.0, -87.0),
    "IN": (8.0, 34.0, 68.0, 89.0), "KE": (-4.0, 4.0, 34.0, 41.0), "NE": (12.0, 23.0, 0.0, 15.0),
}
_TYPES = [   # (event_type, sub_event_type, weight)
    ("Explosions/Remote violence", "Remote explosive/landmine/IED", 3),
    ("Explosions/Remote violence", "Air/drone strike", 2),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", 2),
    ("Battles", "Armed clash", 4), ("Violence against civilians", "Attack", 3),
    ("Violence against civilians", "Abduction/forced disappearance", 1),
    ("Protests", "Peaceful protest", 3), ("Protests", "Protest with intervention", 1),
    ("Strategic developments", "Arrests", 1),
]
_ACTORS = ["Islamic State", "Al Shabaab", "Taliban", "JNIM", "ADF", "Houthi Movement",
           "Military Forces", "Police Forces", "HTS", "SDF"]
_DISTRICTS = ["Hodan", "Wadajir", "al-Noor", "Karama", "Shuhada", "Jazeera", "Tahrir", "Salam",
              "Nasr", "Wahda"]
_TARGETS = ["market", "checkpoint", "patrol", "mosque", "school", "convoy", "base", "hotel"]
_FILLER = ["fighters", "attack", "killed", "wounded", "residents", "local", "witnesses",
           "security", "forces", "blast", "gunmen", "villagers", "officials", "early", "night"]


def _towns(rng: random.Random) -> dict[str, list[tuple[str, float, float, str]]]:
    out = {}
    for cc, (a, b, c, d) in _COUNTRIES.items():
        out[cc] = [(f"{cc}-T{i}", rng.uniform(a, b), rng.uniform(c, d), f"{cc}-A{i % 12}")
                   for i in range(600)]
    return out


def synthetic_stream(n: int, seed: int = 2024, per_day: int = PER_DAY
                     ) -> Iterator[tuple[Report, str, int]]:
    """(report, incident label, publication day) in publication order; n reports."""
    rng = random.Random(f"sitrep-merge-bench:{seed}")
    towns = _towns(rng)
    ccs = list(_COUNTRIES)
    types = [(et, st) for et, st, w in _TYPES for _ in range(w)]
    heap: list = []
    emitted = 0
    day = START_DAY
    seq = 0
    inc_id = 0
    while emitted < n:
        made = 0
        while made < per_day:
            inc_id += 1
            cc = rng.choice(ccs)
            town = rng.choice(towns[cc])
            et, st = rng.choice(types)
            actor = rng.choice(_ACTORS)
            fat = rng.choice([0, 0, 1, 2, 3, 5, 8, 12])
            district = rng.choice(_DISTRICTS) if rng.random() < 0.5 else ""
            target = rng.choice(_TARGETS)
            incidents = [(f"i{inc_id}", district, target)]
            if rng.random() < 0.1:           # a twin: same day, town and type, elsewhere in it
                d2 = rng.choice([x for x in _DISTRICTS if x != district])
                t2 = rng.choice([x for x in _TARGETS if x != target])
                incidents.append((f"i{inc_id}b", d2, t2))
            for label, dist, tgt in incidents:
                for _k in range(rng.randint(1, 5)):
                    r = rng.random()
                    tp = 1 if r < 0.9 else (2 if r < 0.97 else 3)
                    dday = day + (rng.choice((-1, 1)) if tp == 1 and rng.random() < 0.1 else 0)
                    g = rng.random()
                    lat, lon, loc, gp = town[1], town[2], town[0], 1
                    if g < 0.15:
                        lat += rng.uniform(-0.08, 0.08)
                        lon += rng.uniform(-0.08, 0.08)
                        loc, gp = loc + "-near", 2
                    elif g < 0.18:
                        gp = 3
                        loc = town[3]
                    a1 = actor if rng.random() < 0.7 else f"Unidentified Armed Group ({cc})"
                    role = "claim" if rng.random() < 0.15 else "report"
                    words = rng.sample(_FILLER, 5)
                    place = f"in {dist} district of {town[0]}" if dist and rng.random() < 0.8 \
                        else f"in {town[0]}"
                    text = f"{' '.join(words[:3])} {tgt} {place} {' '.join(words[3:])}"
                    f = max(0, fat + rng.choice((0, 0, 0, 1, -1, 2)))
                    seq += 1
                    rep = Report(
                        id=f"r{seq}", doc_id=f"d{seq}", date=None, time_precision=tp,
                        event_type=et, sub_event_type=st, actor1=a1, actor2="",
                        lat=lat, lon=lon, admin1=town[3], country_code=cc, location=loc,
                        geo_precision=gp, fatalities=f, role=role, text=text)
                    rep.date = None
                    rep.day = dday
                    pub = dday + rng.randint(0, 2) if tp == 1 else day + 2
                    heapq.heappush(heap, (pub, seq, rep, label))
                    made += 1
        while heap and heap[0][0] <= day and emitted < n:
            pub, _, rep, label = heapq.heappop(heap)
            emitted += 1
            yield rep, label, pub
        day += 1


def _prepare(r: Report) -> Report:
    """prepare() without the date parse (the stream sets day directly)."""
    day = r.day
    r.prepare()
    r.day = day
    return r


def run_size(n: int, seed: int = 2024, merge: bool = True) -> dict[str, Any]:
    """Run one stream in this process: figures for it."""
    import gc
    import resource
    import time

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gc_s = 0.0
    gc_t0 = [0.0]

    merge_gc_s = 0.0
    in_merge = [False]

    def on_gc(phase, _info):            # CPU time spent in the garbage collector
        nonlocal gc_s, merge_gc_s
        if phase == "start":
            gc_t0[0] = time.process_time()
        else:
            spent = time.process_time() - gc_t0[0]
            gc_s += spent
            if in_merge[0]:             # a collection that fell inside the merge's calls
                merge_gc_s += spent

    gc.callbacks.append(on_gc)
    t0 = time.perf_counter()
    c0 = time.process_time()
    m = Merger()
    true_sizes: Counter = Counter()
    tp = pred = 0
    last_pub = None
    open_labels: dict[str, Counter] = {}

    def close(members):
        nonlocal tp, pred
        c = Counter(open_labels.pop(x.id) for x in members)
        tp += sum(k * (k - 1) // 2 for k in c.values())
        pred += len(members) * (len(members) - 1) // 2

    merge_cpu = 0.0     # CPU time in the merge itself, measured where it runs
    for rep, label, pub in synthetic_stream(n, seed):
        _prepare(rep)
        true_sizes[label] += 1
        if not merge:
            continue
        in_merge[0] = True
        c1 = time.process_time()
        evicted = ([members for _cid, members in m.evict_before(pub - HORIZON)]
                   if last_pub is not None and pub != last_pub else ())
        last_pub = pub
        m.add(rep)
        merge_cpu += time.process_time() - c1
        in_merge[0] = False
        for members in evicted:          # scoring against the labels: not the merge's time
            close(members)
        open_labels[rep.id] = label
    if merge:
        for members in list(m.clusters.values()):
            close(members)
    secs = time.perf_counter() - t0
    cpu = time.process_time() - c0
    gc.callbacks.remove(on_gc)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base_rss
    true_pairs = sum(k * (k - 1) // 2 for k in true_sizes.values())
    return {"n": n, "seconds": secs, "cpu_s": cpu, "merge_cpu_s": merge_cpu, "gc_s": gc_s,
            "merge_gc_s": merge_gc_s,
            "peak_mb": peak,
            "comparisons": m.comparisons,
            "precision": tp / pred if pred else 1.0,
            "recall": tp / true_pairs if true_pairs else 1.0}


_CHILD = """
import json, sys
from sitrep.merge.bench import run_size
print(json.dumps(run_size(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1")))
"""


def _child(n: int, seed: int, merge: bool) -> dict[str, Any]:
    p = subprocess.run([sys.executable, "-c", _CHILD, str(n), str(seed), "1" if merge else "0"],
                       capture_output=True, text=True, timeout=3600)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "failed")
    return json.loads(p.stdout.strip().splitlines()[-1])


def sizes_from_env() -> list[int]:
    return env_sizes("SITREP_BENCH_MERGE_SIZES") or list(DEFAULT_SIZES)


@register("merge")
def bench_merge(ctx: BenchContext) -> dict[str, Any]:
    """Merge core on synthetic streams: time, peak RSS and quality per size."""
    sizes = ctx.state.get("merge_sizes") or sizes_from_env()
    out: dict[str, Any] = {"per_day": PER_DAY, "sizes": sizes}
    prev = None
    for n in sizes:
        ctx.log(f"merge: stream of {n:,} reports (generation only, then with merge)")
        gen = _child(n, ctx.seed, False)
        full = _child(n, ctx.seed, True)
        # CPU time of the merge, measured around its calls in the merging child (wall time is
        # noisy on a shared machine; and the difference of two children's CPU times is not a
        # measure: a cold first child, compiling and importing, can cost more than both)
        merge_s = max(1e-9, full["merge_cpu_s"])
        k = f"n{n}"
        out[f"{k}_merge_s"] = round(merge_s, 3)
        out[f"{k}_merge_wall_s"] = round(max(0.0, full["seconds"] - gen["seconds"]), 3)
        out[f"{k}_generate_s"] = round(gen["cpu_s"], 3)
        out[f"{k}_us_per_report"] = round(1e6 * merge_s / n, 2)
        # the merge alone: the garbage collections that fell inside its calls (triggered by
        # generation and merge alike) taken out
        gc_s = full.get("merge_gc_s", 0.0)
        out[f"{k}_gc_s"] = round(gc_s, 3)
        out[f"{k}_us_per_report_without_gc"] = round(1e6 * max(1e-9, merge_s - gc_s) / n, 2)
        out[f"{k}_peak_mb"] = round(full["peak_mb"], 1)
        out[f"{k}_generate_peak_mb"] = round(gen["peak_mb"], 1)
        out[f"{k}_comparisons_per_report"] = round(full["comparisons"] / n, 2)
        out[f"{k}_precision"] = round(full["precision"], 4)
        out[f"{k}_recall"] = round(full["recall"], 4)
        if prev is not None:
            pn, ps = prev
            # 1.0: linear; above 1: worse than linear (time per report grows)
            out[f"{k}_time_growth_vs_linear"] = round((merge_s / ps) / (n / pn), 3)
            out[f"{k}_log_slope"] = round(math.log(merge_s / ps) / math.log(n / pn), 3)
        prev = (n, merge_s)
    return out
