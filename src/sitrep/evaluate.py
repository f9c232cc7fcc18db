"""`sitrep evaluate`: run the pipeline on a gold set and measure it.

    python -m sitrep.evaluate GOLD [--json OUT] [--errors N] [--limit N]

Matching (per text): every gold event is matched to at most one predicted event, greedily on a
score (same event_type +3, same sub_event_type +1, date equal +2 / within 7 days +1, distance
< 25 km +2 / < 161 km +1, an actor in common +1). A predicted event of any type can match, so
a wrong type counts as a type error, not as a miss. Gold events left over are misses, predicted
events left over are extras. A text whose pipeline run raises is scored as all misses and the
error is recorded.

Field accuracy is reported twice: "strict" over all gold events that have the field (a miss
counts wrong; the headline) and "matched" over matched gold events only. A field is scored for
a gold event only when the gold has it: UCDP events are scored on date, country, admin1,
coordinates and fatalities (best, and within low..high) only. Comparisons:

- actors: `norm_actor` (case, punctuation, bracketed qualifiers and "ABBR: " prefixes dropped;
  None ~ ""); `actor_pair` compares the set {actor1, actor2} ignoring order;
- inter1/inter2/interaction: 0 ~ None;
- country: canonical names (UCDP's "(old name)" dropped, aliases mapped); for UCDP gold,
  "Palestine" is accepted for "Israel" (UCDP files Gaza/West Bank events under Israel);
- admin1: case, diacritics, hyphens folded, a trailing "state"/"province"/"region"... dropped;
- location (name): folded; ACLED gold only (UCDP's where_coordinates is not a place name);
- date: exact / within 7 days (for UCDP, inside date_start..date_end counts as exact);
- loc_Nkm: haversine distance <= N km; a prediction without coordinates is wrong;
- fatalities: exact and within +-1 of ACLED's count / UCDP's best; `fatalities_range`:
  UCDP low <= predicted <= high.

`location_in_text` repeats the figures for gold events whose place name appears in the text
(headlines often do not name the place).
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .evaluate_gold import (
    GoldItem,
    fold,
    load_gold,
    norm_actor,
    norm_country,
    norm_place,
    normalise_gold_event,
    parse_date,
    place_name,
    same_admin1,
)
from .geo.distance import haversine_km
from .models import disorder_type, interaction_code

__all__ = [
    "FIELDS", "GoldItem", "EventResult", "ItemResult", "Report", "load_gold", "evaluate",
    "match_score", "score_item", "haversine_km", "print_report", "main",
]

DISTANCE_BUCKETS = (1, 10, 25, 161)

# Scored fields, in report order.
FIELDS = [
    "event_type", "sub_event_type", "disorder_type", "actor1", "actor2", "actor1_full",
    "actor2_full", "actor_pair", "inter1", "inter2", "interaction", "civilian_targeting", "country", "admin1", "admin1_exact",
    "location", "date_exact", "date_7d", "time_precision", "geo_precision",
    *(f"loc_{km}km" for km in DISTANCE_BUCKETS),
    "fatalities_exact", "fatalities_pm1", "fatalities_range",
]

FIELD_LABELS = {
    "date_exact": "date (exact)", "date_7d": "date (within 7 days)",
    **{f"loc_{km}km": f"location within {km} km" for km in DISTANCE_BUCKETS},
    "location": "location (name)", "actor_pair": "actor pair (any order)",
    "admin1": "admin1 (spelling variants accepted)",
    "admin1_exact": "admin1 (exact: only case and accents folded)",
    "actor1": "actor1 (brackets and prefixes dropped)", "actor1_full": "actor1 (full name)",
    "actor2": "actor2 (brackets and prefixes dropped)", "actor2_full": "actor2 (full name)",
    "fatalities_exact": "fatalities (exact)", "fatalities_pm1": "fatalities (within +-1)",
    "fatalities_range": "fatalities (UCDP low..high)",
}

# Badness weights for --errors: miss > wrong type > wrong actor > far location > fatalities.
BADNESS = {"miss": 10000.0, "type": 1000.0, "actor": 100.0, "location": 10.0,
           "fatalities": 1.0, "extra": 0.5}

MISSED = "(missed)"

ACLED_ATTRIBUTION = (
    "ACLED gold: Armed Conflict Location & Event Data (ACLED), https://acleddata.com; "
    "Raleigh, C., Linke, A., Hegre, H. and Karlsen, J. (2010) \"Introducing ACLED: An Armed "
    "Conflict Location and Event Dataset\", Journal of Peace Research 47(5): 651-660. Rows were "
    "filtered, de-duplicated by text and sampled; coder annotations removed from the text.")
UCDP_ATTRIBUTION = (
    "UCDP gold (CC BY 4.0): Sundberg, R. and Melander, E. (2013) \"Introducing the UCDP "
    "Georeferenced Event Dataset\", Journal of Peace Research 50(4): 523-532; Davies, S., "
    "Pettersson, T. and Oberg, M. (2022) \"Organized violence 1989-2021 and drone warfare\", "
    "Journal of Peace Research 59(4).")


# ---------------------------------------------------------------------------- helpers

def _get(pred, name: str, default=None):
    """Attribute of an Event, or key of an event dict."""
    if isinstance(pred, dict):
        return pred.get(name, default)
    return getattr(pred, name, default)


def country_unsupported(pred) -> bool:
    """A predicted event with a country that no words of the text stand for: no location and
    no country evidence (issue 16: no event in a country the text does not name or imply)."""
    if not _get(pred, "country"):
        return False
    fields = {(e.get("field") if isinstance(e, dict) else e.field)
              for e in _get(pred, "evidence") or ()}
    return not fields & {"location", "country"}


def _pred_disorder(pred) -> str:
    value = _get(pred, "disorder_type")
    if value:
        return value
    return disorder_type(_get(pred, "event_type") or "", _get(pred, "sub_event_type") or "")


def _pred_interaction(pred):
    value = _get(pred, "interaction")
    if value is not None:
        return value
    return interaction_code(_get(pred, "inter1"), _get(pred, "inter2"))


def _code(value) -> int | None:
    """inter codes: 0, "", None all mean no actor."""
    try:
        return int(value) or None
    except (TypeError, ValueError):
        return None


def _distance(gold: dict, pred) -> float | None:
    glat, glon = gold.get("latitude"), gold.get("longitude")
    plat, plon = _get(pred, "latitude"), _get(pred, "longitude")
    if None in (glat, glon, plat, plon):
        return None
    return haversine_km(float(glat), float(glon), float(plat), float(plon))


def _date_gap(gold: dict, pred) -> int | None:
    """Days between the predicted date and the gold date (or UCDP's start..end range)."""
    start = parse_date(gold.get("event_date"))
    p = parse_date(_get(pred, "event_date"))
    if start is None or p is None:
        return None
    end = parse_date(gold.get("date_end")) or start
    if end < start:
        end = start
    if p < start:
        return (start - p).days
    if p > end:
        return (p - end).days
    return 0


def _actor_set(actor1, actor2) -> frozenset[str]:
    return frozenset(a for a in (norm_actor(actor1), norm_actor(actor2)) if a)


def _location_in_text(gold: dict, text: str) -> bool:
    name = fold(place_name(gold))
    return bool(name) and f" {name} " in f" {fold(text)} "


# ---------------------------------------------------------------------------- scoring

def match_score(gold: dict, pred) -> float:
    """How well a predicted event fits a gold event (higher is better; 0 still can match)."""
    score = 0.0
    if gold.get("event_type") and fold(gold["event_type"]) == fold(_get(pred, "event_type")):
        score += 3
    if gold.get("sub_event_type") and (fold(gold["sub_event_type"])
                                       == fold(_get(pred, "sub_event_type"))):
        score += 1
    gap = _date_gap(gold, pred)
    if gap is not None:
        score += 2 if gap == 0 else 1 if gap <= 7 else 0
    dist = _distance(gold, pred)
    if dist is not None:
        score += 2 if dist < 25 else 1 if dist < 161 else 0
    if _actor_set(gold.get("actor1"), gold.get("actor2")) & _actor_set(
            _get(pred, "actor1"), _get(pred, "actor2")):
        score += 1
    return score


def applicable_fields(gold: dict) -> list[str]:
    """The fields this gold event can be scored on (those the gold has)."""
    have = set()
    if gold.get("event_type"):
        have |= {"event_type", "disorder_type", "civilian_targeting"}
        if gold.get("sub_event_type"):
            have.add("sub_event_type")
    if "actor1" in gold:
        have |= {"actor1", "actor1_full", "actor_pair"}
    if "actor2" in gold:
        have |= {"actor2", "actor2_full"}
    if "inter1" in gold:
        have |= {"inter1", "inter2", "interaction"}
    for k in ("country", "admin1", "location"):
        if k in gold:
            have.add(k)
    if "admin1" in gold:
        have.add("admin1_exact")
    if parse_date(gold.get("event_date")):
        have |= {"date_exact", "date_7d"}
    for k in ("time_precision", "geo_precision"):
        if gold.get(k) is not None:
            have.add(k)
    if gold.get("latitude") is not None and gold.get("longitude") is not None:
        have |= {f"loc_{km}km" for km in DISTANCE_BUCKETS}
    if gold.get("fatalities") is not None:
        have |= {"fatalities_exact", "fatalities_pm1"}
    if gold.get("fatalities_low") is not None and gold.get("fatalities_high") is not None:
        have.add("fatalities_range")
    return [f for f in FIELDS if f in have]


def compare_fields(gold: dict, pred) -> dict[str, bool]:
    """field -> correct, for the fields that apply to this gold event."""
    out: dict[str, bool] = {}
    dist = _distance(gold, pred)
    gap = _date_gap(gold, pred)
    pfat = _get(pred, "fatalities")
    for f in applicable_fields(gold):
        if f in ("event_type", "sub_event_type", "civilian_targeting"):
            ok = fold(gold.get(f)) == fold(_get(pred, f))
        elif f == "disorder_type":
            ok = fold(gold.get(f)) == fold(_pred_disorder(pred))
        elif f in ("actor1", "actor2"):
            ok = norm_actor(gold.get(f)) == norm_actor(_get(pred, f))
        elif f in ("actor1_full", "actor2_full"):
            ok = fold(gold.get(f[:6])) == fold(_get(pred, f[:6]))
        elif f == "actor_pair":
            ok = _actor_set(gold.get("actor1"), gold.get("actor2")) == _actor_set(
                _get(pred, "actor1"), _get(pred, "actor2"))
        elif f in ("inter1", "inter2"):
            ok = _code(gold.get(f)) == _code(_get(pred, f))
        elif f == "interaction":
            ok = _code(gold.get(f)) == _code(_pred_interaction(pred))
        elif f == "country":
            g, p = norm_country(gold.get(f)), norm_country(_get(pred, f))
            ok = g == p or (gold.get("scheme") == "ucdp" and g == "israel" and p == "palestine")
        elif f == "admin1":
            ok = same_admin1(gold.get(f), _get(pred, f))
        elif f == "admin1_exact":
            ok = fold(gold.get("admin1")) == fold(_get(pred, "admin1"))
        elif f == "location":
            ok = norm_place(gold.get(f)) == norm_place(_get(pred, f))
        elif f == "date_exact":
            ok = gap == 0
        elif f == "date_7d":
            ok = gap is not None and gap <= 7
        elif f in ("time_precision", "geo_precision"):
            ok = _get(pred, f) is not None and int(_get(pred, f)) == int(gold[f])
        elif f.startswith("loc_"):
            ok = dist is not None and dist <= int(f[4:-2])
        elif f == "fatalities_exact":
            ok = pfat is not None and int(pfat) == int(gold["fatalities"])
        elif f == "fatalities_pm1":
            ok = pfat is not None and abs(int(pfat) - int(gold["fatalities"])) <= 1
        elif f == "fatalities_range":
            ok = pfat is not None and gold["fatalities_low"] <= int(pfat) <= gold["fatalities_high"]
        else:  # pragma: no cover - FIELDS and this function go together
            raise KeyError(f)
        out[f] = bool(ok)
    return out


@dataclass
class EventResult:
    """One gold event and what it was matched to."""

    gold_index: int
    gold: dict
    pred_index: int | None              # index into ItemResult.predictions, None = miss
    score: float | None
    distance_km: float | None
    fields: dict[str, bool]             # applicable fields only; all False for a miss
    location_in_text: bool
    country: str
    in_gazetteer: bool | None = None    # the gold place has a gazetteer entry within 25 km

    @property
    def matched(self) -> bool:
        return self.pred_index is not None


@dataclass
class ItemResult:
    item: GoldItem
    predictions: list
    events: list[EventResult]
    extras: list[int]                   # indexes of unmatched predictions
    error: str | None = None
    badness: float = 0.0

    def to_case(self) -> dict:
        """Compact JSON record of this item (no text)."""
        evs = []
        for er in self.events:
            p = self.predictions[er.pred_index] if er.matched else None
            diffs = {}
            if p is not None:
                for f, ok in er.fields.items():
                    if not ok:
                        diffs[f] = [_show_gold(er.gold, f), _show_pred(p, f)]
            evs.append({
                "gold_index": er.gold_index, "pred_index": er.pred_index, "score": er.score,
                "distance_km": None if er.distance_km is None else round(er.distance_km, 2),
                "location_in_text": er.location_in_text,
                "wrong": [f for f, ok in er.fields.items() if not ok], "diffs": diffs,
            })
        return {"id": self.item.id, "source": self.item.source, "badness": self.badness,
                "error": self.error, "n_gold": len(self.events),
                "n_pred": len(self.predictions), "extras": self.extras, "events": evs,
                "predictions": [_pred_summary(p) for p in self.predictions]}


def _badness(events: list[EventResult], n_extra: int, error: str | None) -> float:
    b = BADNESS["extra"] * n_extra
    for er in events:
        if not er.matched:
            b += BADNESS["miss"]
            continue
        f = er.fields
        if f.get("event_type") is False:
            b += BADNESS["type"]
        if f.get("actor1") is False or f.get("actor2") is False:
            b += BADNESS["actor"]
        if f.get("loc_25km") is False:
            b += BADNESS["location"]
        fat_ok = f.get("fatalities_range", f.get("fatalities_exact"))
        if fat_ok is False:
            b += BADNESS["fatalities"]
    if error and not events:
        b += BADNESS["miss"]
    return b


def score_item(item: GoldItem, predictions: list, error: str | None = None,
               min_score: float = 0.0) -> ItemResult:
    """Match one text's predictions to its gold events and score every field."""
    golds = [normalise_gold_event(e) for e in item.events]
    pairs = sorted(((match_score(g, p), gi, pi) for gi, g in enumerate(golds)
                    for pi, p in enumerate(predictions)), key=lambda t: (-t[0], t[1], t[2]))
    gold_to_pred: dict[int, tuple[int, float]] = {}
    used: set[int] = set()
    for score, gi, pi in pairs:
        if score < min_score:
            break
        if gi in gold_to_pred or pi in used:
            continue
        gold_to_pred[gi] = (pi, score)
        used.add(pi)
    events = []
    for gi, g in enumerate(golds):
        lit = _location_in_text(g, item.text)
        if gi in gold_to_pred:
            pi, score = gold_to_pred[gi]
            p = predictions[pi]
            events.append(EventResult(gi, g, pi, score, _distance(g, p), compare_fields(g, p),
                                      lit, g.get("country") or ""))
        else:
            events.append(EventResult(gi, g, None, None, None,
                                      dict.fromkeys(applicable_fields(g), False), lit,
                                      g.get("country") or ""))
    extras = [pi for pi in range(len(predictions)) if pi not in used]
    return ItemResult(item, list(predictions), events, extras, error,
                      _badness(events, len(extras), error))


# ---------------------------------------------------------------------------- report

def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def summarise(results: list[ItemResult],
              item_filter: Callable[[ItemResult], bool] | None = None,
              event_filter: Callable[[EventResult], bool] | None = None) -> dict:
    """Counts, recall, extras per text, precision and per-field accuracy over a subset.

    With `event_filter`, only the gold events it keeps are scored and only texts with at least
    one of them are counted (for their predictions and extras)."""
    items = [r for r in results if item_filter is None or item_filter(r)]
    if event_filter is not None:
        items = [r for r in items if any(event_filter(e) for e in r.events)]
    events = [e for r in items for e in r.events if event_filter is None or event_filter(e)]
    n_pred = sum(len(r.predictions) for r in items)
    n_extra = sum(len(r.extras) for r in items)
    n_matched = sum(e.matched for e in events)
    fields = {}
    for f in FIELDS:
        scored = [e for e in events if f in e.fields]
        if not scored:
            continue
        correct = sum(e.fields[f] for e in scored)
        n_m = sum(e.matched for e in scored)
        fields[f] = {"strict": _ratio(correct, len(scored)), "matched": _ratio(correct, n_m),
                     "correct": correct, "n": len(scored), "n_matched": n_m}
    return {
        "n_items": len(items), "n_gold": len(events), "n_pred": n_pred,
        "n_matched": n_matched, "n_missed": len(events) - n_matched, "n_extra": n_extra,
        "n_errors": sum(r.error is not None for r in items),
        "recall": _ratio(n_matched, len(events)),
        "precision": _ratio(n_pred - n_extra, n_pred),
        "extras_per_text": _ratio(n_extra, len(items)),
        "country_unsupported": sum(country_unsupported(p) for r in items
                                   for p in r.predictions),
        "fields": fields,
    }


@dataclass
class Report:
    results: list[ItemResult]
    summary: dict
    location_in_text: dict
    in_gazetteer: dict
    by_source: dict[str, dict]
    by_country: dict[str, dict]
    confusion: dict[str, dict[str, int]]
    extras_by_type: dict[str, int]
    meta: dict = field(default_factory=dict)

    @classmethod
    def build(cls, results: list[ItemResult], meta: dict | None = None) -> Report:
        by_source = {s: summarise(results, item_filter=lambda r, s=s: r.item.source == s)
                     for s in sorted({r.item.source for r in results})}
        by_country = {}
        for c in sorted({e.country for r in results for e in r.events}):
            s = summarise(results, event_filter=lambda e, c=c: e.country == c)
            by_country[c or "(none)"] = {
                "n_items": s["n_items"], "n_gold": s["n_gold"], "recall": s["recall"],
                "event_type": s["fields"].get("event_type", {}).get("strict"),
                "loc_25km": s["fields"].get("loc_25km", {}).get("strict"),
            }
        confusion: dict[str, dict[str, int]] = {}
        extras_by_type: dict[str, int] = {}
        for r in results:
            for e in r.events:
                gt = e.gold.get("event_type")
                if not gt:
                    continue
                pt = (_get(r.predictions[e.pred_index], "event_type") or "(none)"
                      if e.matched else MISSED)
                row = confusion.setdefault(gt, {})
                row[pt] = row.get(pt, 0) + 1
            for pi in r.extras:
                pt = _get(r.predictions[pi], "event_type") or "(none)"
                extras_by_type[pt] = extras_by_type.get(pt, 0) + 1
        return cls(results=results, summary=summarise(results),
                   location_in_text=summarise(results, event_filter=lambda e: e.location_in_text),
                   in_gazetteer=summarise(results, event_filter=lambda e: bool(e.in_gazetteer)),
                   by_source=by_source, by_country=by_country, confusion=confusion,
                   extras_by_type=extras_by_type, meta=dict(meta or {}))

    def worst(self, n: int) -> list[ItemResult]:
        """The n worst texts by badness (0 = nothing wrong, never listed)."""
        ranked = sorted((r for r in self.results if r.badness > 0),
                        key=lambda r: (-r.badness, r.item.id))
        return ranked[:n]

    def attribution(self) -> list[str]:
        sources = {r.item.source for r in self.results}
        return ([ACLED_ATTRIBUTION] if "acled" in sources else []) + (
            [UCDP_ATTRIBUTION] if "ucdp" in sources else [])

    def to_dict(self, cases: bool = True) -> dict:
        out = {
            "meta": self.meta,
            "summary": self.summary,
            "location_in_text": self.location_in_text,
            "gold_place_in_gazetteer": self.in_gazetteer,
            "by_source": self.by_source,
            "by_country": self.by_country,
            "confusion": self.confusion,
            "extras_by_type": self.extras_by_type,
            "errors": [{"id": r.item.id, "error": r.error} for r in self.results if r.error],
            "attribution": self.attribution(),
        }
        if cases:
            out["cases"] = [r.to_case() for r in self.worst(len(self.results))]
        return out

    def to_json(self, indent: int | None = 2, cases: bool = True) -> str:
        return json.dumps(self.to_dict(cases=cases), indent=indent, ensure_ascii=False,
                          default=str)


def evaluate(items: Iterable[GoldItem], pipeline,
             progress: Callable[[int, int], None] | None = None,
             min_score: float = 0.0) -> Report:
    """Run `pipeline.run_text(text, published, doc_id=id)` on every item and score it; a page
    of a page set (`file` + `events` rows) goes through ingest first, as `sitrep extract` does,
    and `pipeline.run(doc, labels_as_published=False)`: page sets are coded with today's state
    labels, the ACLED notes as their historical export named them (`make_pipeline`).

    `progress(done, total)` is called after each item. An exception from the pipeline is
    caught per item: that text scores as all misses and the error is kept."""
    items = list(items)
    results = []
    for i, item in enumerate(items):
        error = None
        try:
            if item.meta.get("page") and hasattr(pipeline, "run"):
                # a whole scraped page: ingest splits body, chrome and comments as for a file
                from .ingest.sources import make_document

                doc = make_document(item.text, path=item.id, url=item.meta.get("url", ""),
                                    published=item.published)
                # pages are coded now, with today's state labels ("(2014-2024)" for a 2024
                # page), not as they stood when the page came out, as an old export has them
                kw = {"labels_as_published": False} if "labels_as_published" in \
                    inspect.signature(pipeline.run).parameters else {}
                preds = list(pipeline.run(doc, **kw) or [])
            else:
                preds = list(pipeline.run_text(item.text, item.published, doc_id=item.id)
                             or [])
        except Exception as exc:  # one bad text must not stop the evaluation
            preds, error = [], f"{type(exc).__name__}: {exc}"
        results.append(score_item(item, preds, error, min_score=min_score))
        if progress is not None:
            progress(i + 1, len(items))
    gaz = getattr(pipeline, "gazetteer", None)
    if gaz is not None and hasattr(gaz, "lookup"):
        for r in results:
            for e in r.events:
                e.in_gazetteer = gold_place_in_gazetteer(e.gold, gaz)
    return Report.build(results)


def gold_place_in_gazetteer(gold: dict, gaz) -> bool | None:
    """Could the gazetteer place this gold event at all? (an entry named like the gold
    location within 25 km of its coordinates). None when the gold has no coordinates."""
    lat, lon = gold.get("latitude"), gold.get("longitude")
    name = place_name(gold)
    if lat is None or lon is None or not name:
        return None
    name = re.split(r"[-(]| - ", str(name))[0].strip()
    for p in gaz.lookup(name, limit=50):
        if haversine_km(lat, lon, p.latitude, p.longitude) <= 25:
            return True
    return False


# ---------------------------------------------------------------------------- printing

def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _fmt(x) -> str:
    if x is None or x == "":
        return "-"
    if isinstance(x, float):
        return f"{x:.4g}"
    return str(x)


def _show_gold(gold: dict, f: str):
    if f in ("date_exact", "date_7d"):
        end = gold.get("date_end")
        start = gold.get("event_date")
        return f"{start}..{end}" if end and end != start else start
    if f.startswith("loc_"):
        return [gold.get("latitude"), gold.get("longitude")]
    if f in ("fatalities_exact", "fatalities_pm1"):
        return gold.get("fatalities")
    if f == "fatalities_range":
        return [gold.get("fatalities_low"), gold.get("fatalities_high")]
    if f == "actor_pair":
        return [gold.get("actor1"), gold.get("actor2")]
    if f in ("actor1_full", "actor2_full"):     # the full names the field compares
        return gold.get(f[:6])
    return gold.get(f)


def _show_pred(pred, f: str):
    if f in ("date_exact", "date_7d"):
        return _get(pred, "event_date")
    if f.startswith("loc_"):
        return [_get(pred, "latitude"), _get(pred, "longitude")]
    if f.startswith("fatalities"):
        return _get(pred, "fatalities")
    if f == "actor_pair":
        return [_get(pred, "actor1"), _get(pred, "actor2")]
    if f in ("actor1_full", "actor2_full"):
        return _get(pred, f[:6])
    if f == "disorder_type":
        return _pred_disorder(pred)
    if f == "interaction":
        return _pred_interaction(pred)
    return _get(pred, f)


def _pred_summary(pred) -> dict:
    keys = ("event_type", "sub_event_type", "event_date", "actor1", "actor2", "inter1",
            "inter2", "civilian_targeting", "country", "admin1", "location", "latitude",
            "longitude", "geo_precision", "time_precision", "fatalities")
    return {k: _get(pred, k) for k in keys}


def _fields_table(title: str, fields: dict[str, dict], *others: tuple[str, dict]) -> Table:
    t = Table(title=title, title_justify="left")
    t.add_column("field")
    t.add_column("strict (all gold)", justify="right")
    t.add_column("over matched", justify="right")
    t.add_column("n", justify="right")
    for name, _ in others:
        t.add_column(name, justify="right")
    for f in FIELDS:
        if f not in fields:
            continue
        s = fields[f]
        t.add_row(FIELD_LABELS.get(f, f), _pct(s["strict"]), _pct(s["matched"]),
                  f"{s['correct']}/{s['n']}",
                  *(_pct(o.get(f, {}).get("strict")) for _, o in others))
    return t


# (label, gold key, prediction key, fields whose failure marks the row)
_CASE_ROWS = [
    ("event_type", "event_type", "event_type", ("event_type",)),
    ("sub_event_type", "sub_event_type", "sub_event_type", ("sub_event_type",)),
    ("event_date", "event_date", "event_date", ("date_exact",)),
    ("actor1", "actor1", "actor1", ("actor1",)),
    ("actor2", "actor2", "actor2", ("actor2",)),
    ("inter1/inter2", None, None, ("inter1", "inter2")),
    ("civilian_targeting", "civilian_targeting", "civilian_targeting", ("civilian_targeting",)),
    ("country", "country", "country", ("country",)),
    ("admin1", "admin1", "admin1", ("admin1",)),
    ("location", None, "location", ("location",)),
    ("coordinates", None, None, ("loc_25km",)),
    ("fatalities", None, "fatalities", ("fatalities_exact", "fatalities_range")),
]


def _case_table(er: EventResult, pred) -> Table:
    g = er.gold
    t = Table(show_header=True, box=None, pad_edge=False)
    t.add_column("")
    t.add_column("field")
    t.add_column("gold")
    t.add_column("predicted" if pred is not None else "predicted (MISSED)")
    if g.get("scheme") == "ucdp":
        t.add_row("", "ucdp type/sides",
                  Text(f"{g.get('type_of_violence')}: {g.get('side_a')} / {g.get('side_b')}"),
                  "")
    for label, gk, pk, fields in _CASE_ROWS:
        if not any(f in er.fields for f in fields):
            continue
        if label == "inter1/inter2":
            gv = f"{_fmt(g.get('inter1'))} / {_fmt(g.get('inter2'))}"
            pv = f"{_fmt(_get(pred, 'inter1'))} / {_fmt(_get(pred, 'inter2'))}" if pred else ""
        elif label == "location":
            gv, pv = place_name(g), _fmt(_get(pred, pk)) if pred else ""
        elif label == "coordinates":
            gv = f"{_fmt(g.get('latitude'))}, {_fmt(g.get('longitude'))}"
            pv = ""
            if pred is not None:
                pv = f"{_fmt(_get(pred, 'latitude'))}, {_fmt(_get(pred, 'longitude'))}"
                if er.distance_km is not None:
                    pv += f"  ({er.distance_km:.1f} km)"
        elif label == "fatalities":
            gv = _fmt(g.get("fatalities"))
            if g.get("fatalities_low") is not None:
                gv += f" ({g.get('fatalities_low')}..{g.get('fatalities_high')})"
            pv = _fmt(_get(pred, pk)) if pred else ""
        else:
            gv = _fmt(_show_gold(g, "date_exact") if gk == "event_date" else g.get(gk))
            pv = _fmt(_get(pred, pk)) if pred else ""
        if label == "fatalities" and "fatalities_range" in er.fields:
            fields = ("fatalities_range",)          # UCDP: inside low..high is right
        wrong = any(er.fields.get(f) is False for f in fields)
        mark = Text("x", style="bold red") if wrong else Text("")
        t.add_row(mark, label, Text(gv), Text(pv, style="red" if wrong and pred else ""))
    return t


def print_case(r: ItemResult, console: Console, max_text: int = 1200) -> None:
    text = r.item.text if len(r.item.text) <= max_text else r.item.text[:max_text] + " ..."
    head = f"{r.item.id}  [{r.item.source}]  badness {r.badness:g}  published {r.item.published}"
    body: list = [Text(text)]
    if r.error:
        body.append(Text(f"pipeline error: {r.error}", style="bold red"))
    if not r.events:
        body.append(Text("(gold: no events)", style="dim"))
    for er in r.events:
        pred = r.predictions[er.pred_index] if er.matched else None
        body.append(Text(f"gold event {er.gold_index + 1}"
                         + (f"  (match score {er.score:g})" if er.matched else ""), style="bold"))
        body.append(_case_table(er, pred))
        if pred is not None and _get(pred, "why"):
            body.append(Text(f"why this type: {_get(pred, 'why')}", style="dim"))
    for pi in r.extras:
        p = r.predictions[pi]
        body.append(Text(
            f"extra: {_get(p, 'event_type')} / {_get(p, 'sub_event_type')}  "
            f"{_fmt(_get(p, 'event_date'))}  {_fmt(_get(p, 'actor1'))} vs "
            f"{_fmt(_get(p, 'actor2'))}  at {_fmt(_get(p, 'location'))}  "
            f"fatalities {_fmt(_get(p, 'fatalities'))}"
            + (f"  (why: {_get(p, 'why')})" if _get(p, "why") else ""), style="yellow"))
    console.print(Panel(Group(*body), title=Text(head), title_align="left"))


def print_report(report: Report, console: Console | None = None, errors: int = 0) -> None:
    """Rich tables: headline, per-field accuracy, confusion, per source, per country; then the
    `errors` worst texts side by side with gold and prediction."""
    console = console or Console(width=None if sys.stdout.isatty() else 140)
    s = report.summary
    head = Table(title="Sitrep evaluation" + (f": {report.meta['gold']}"
                                              if report.meta.get("gold") else ""),
                 title_justify="left")
    head.add_column("subset")
    for col in ("texts", "gold events", "predicted", "matched", "missed", "extras",
                "pipeline errors", "recall", "precision", "extras / text"):
        head.add_column(col, justify="right")
    lit = report.location_in_text
    for label, x in (("all", s), ("location in text", lit)):
        head.add_row(label, str(x["n_items"]), str(x["n_gold"]), str(x["n_pred"]), str(x["n_matched"]),
                     str(x["n_missed"]), str(x["n_extra"]), str(x["n_errors"]), _pct(x["recall"]),
                     _pct(x["precision"]), "-" if x["extras_per_text"] is None
                     else f"{x['extras_per_text']:.2f}")
    console.print(head)
    console.print(Text(f"second row: gold events whose place name appears in the text "
                       f"({lit['n_gold']} of {s['n_gold']})", style="dim"))
    others = [("loc-in-text strict", lit["fields"])]
    others += [(f"{src} strict", v["fields"]) for src, v in report.by_source.items()
               if len(report.by_source) > 1]
    console.print(_fields_table("Field accuracy", s["fields"], *others))
    gz = report.in_gazetteer
    if gz.get("n_gold"):
        f = gz["fields"]
        console.print(Text(
            f"gold place in the gazetteer ({gz['n_gold']} of {s['n_gold']} events): location "
            f"within 1 km {_pct(f.get('loc_1km', {}).get('strict'))}, 10 km "
            f"{_pct(f.get('loc_10km', {}).get('strict'))}, 25 km "
            f"{_pct(f.get('loc_25km', {}).get('strict'))}, 161 km "
            f"{_pct(f.get('loc_161km', {}).get('strict'))}"))

    if report.confusion:
        pred_types = sorted({p for row in report.confusion.values() for p in row if p != MISSED}
                            | set(report.extras_by_type))
        cm = Table(title="Event types: gold (rows) x predicted (columns)", title_justify="left")
        cm.add_column("gold \\ predicted")
        for p in pred_types:
            cm.add_column(p, justify="right")
        cm.add_column(MISSED, justify="right")
        for gt in sorted(report.confusion):
            row = report.confusion[gt]
            cm.add_row(gt, *(str(row.get(p, "")) for p in pred_types), str(row.get(MISSED, "")))
        if report.extras_by_type:
            cm.add_row(Text("(extra)", style="dim"),
                       *(str(report.extras_by_type.get(p, "")) for p in pred_types), "")
        console.print(cm)

    if report.by_source:
        st = Table(title="Per source", title_justify="left")
        for col in ("source", "texts", "gold", "recall", "extras / text", "type acc", "country",
                    "date exact", "loc 25 km", "fatal. +-1"):
            st.add_column(col, justify="right" if col != "source" else "left")
        for src, v in report.by_source.items():
            fl = v["fields"]
            st.add_row(Text(str(src)), str(v["n_items"]), str(v["n_gold"]), _pct(v["recall"]),
                       "-" if v["extras_per_text"] is None else f"{v['extras_per_text']:.2f}",
                       *(_pct(fl.get(f, {}).get("strict")) for f in
                         ("event_type", "country", "date_exact", "loc_25km", "fatalities_pm1")))
        console.print(st)

    if report.by_country:
        ct = Table(title="Per country (strict)", title_justify="left")
        for col in ("country", "texts", "gold", "recall", "type acc", "loc 25 km"):
            ct.add_column(col, justify="right" if col != "country" else "left")
        for c, v in sorted(report.by_country.items(), key=lambda kv: (-kv[1]["n_gold"], kv[0])):
            ct.add_row(Text(str(c)), str(v["n_items"]), str(v["n_gold"]), _pct(v["recall"]),
                       _pct(v["event_type"]), _pct(v["loc_25km"]))
        console.print(ct)

    pages = [r for r in report.results if r.item.meta.get("page")]
    if pages:
        pt = Table(title="Per page (incidents)", title_justify="left")
        for col in ("page", "gold", "coded", "matched", "recall", "precision"):
            pt.add_column(col, justify="right" if col != "page" else "left")
        for r in pages:
            gold, coded = len(r.events), len(r.predictions)
            hit = sum(e.pred_index is not None for e in r.events)
            pt.add_row(Text(r.item.id), str(gold), str(coded), str(hit),
                       _pct(hit / gold) if gold else "-", _pct(hit / coded) if coded else "-")
        console.print(pt)

    errs = [r for r in report.results if r.error]
    if errs:
        console.print(Text(f"{len(errs)} text(s) raised in the pipeline, e.g. "
                           f"{errs[0].item.id}: {errs[0].error}", style="red"))
    if errors:
        worst = report.worst(errors)
        console.print(Text(f"\n{len(worst)} worst texts (miss > type > actor > place > "
                           f"fatalities)", style="bold"))
        for r in worst:
            print_case(r, console)
    console.print(Text(summary_line(report), style="bold"))
    for line in report.attribution():
        console.print(Text(line, style="dim"))


_SUMMARY_FIELDS = ("event_type", "sub_event_type", "actor1_full", "actor2_full", "actor1",
                   "actor2", "inter1", "country",
                   "admin1", "admin1_exact", "date_exact", "loc_25km", "loc_161km",
                   "fatalities_exact",
                   "fatalities_range")


def summary_line(report: Report) -> str:
    """The headline figures in one paragraph, printed last so a `tail` of the output has
    them."""
    s = report.summary
    parts = [f"recall {_pct(s['recall'])}", f"extras/text {s['extras_per_text'] or 0:.2f}"]
    for f in _SUMMARY_FIELDS:
        v = s["fields"].get(f, {}).get("strict")
        if v is not None:
            parts.append(f"{f} {_pct(v)}")
    parts.append(f"events in a country no words of the text stand for "
                 f"{s.get('country_unsupported', 0)}")
    gz = report.in_gazetteer
    v = gz.get("fields", {}).get("loc_25km", {}).get("strict") if gz.get("n_gold") else None
    if v is not None:
        parts.append(f"loc_25km where the gold place is in the gazetteer {_pct(v)}")
    return "Summary (strict, all gold events): " + "; ".join(parts)


# ---------------------------------------------------------------------------- entry points

def make_pipeline():
    """The real pipeline, built with its default resources. The ACLED gold sets are
    historical exports, so state actors are named as their labels stood when each report came
    out ("(2014-)" in 2020 data, not today's "(2014-2021)"; see data/README.md); the page
    sets are coded now, with today's labels (``evaluate`` runs pages that way)."""
    from .pipeline import Pipeline
    return Pipeline(labels_as_published=True)


def split_half(item_id: str) -> str:
    """The coder issue's fixed split of a gold set: "tune" when sha1("split:" + id) starts
    with 0-7, else "check". Errors are read on the tune half; the check half says whether a
    change generalises."""
    return "tune" if hashlib.sha1(("split:" + item_id).encode()).hexdigest()[0] in "01234567" \
        else "check"


def main(gold_path: str | Path, json_out: str | Path | None = None, errors: int = 0,
         limit: int | None = None, *, split: str | None = None, pipeline=None,
         console: Console | None = None) -> int:
    """Evaluate GOLD; print the report; write JSON to `json_out` if given. Exit code: 0, or 2
    when the gold file is missing or unreadable."""
    console = console or Console(width=None if sys.stdout.isatty() else 140)
    path = Path(gold_path)
    if not path.is_file():
        console.print(Text(f"gold file not found: {path}", style="red"),
                      Text("(the ACLED and UCDP gold sets live in ../shared/gold and are not "
                           "shipped with Sitrep)"))
        return 2
    try:
        items = load_gold(path)
    except (OSError, ValueError) as exc:
        console.print(Text(f"cannot read {path}: {exc}", style="red"))
        return 2
    if split is not None:
        if split not in ("tune", "check"):
            console.print(f"[red]unknown split {split!r}: use tune or check[/red]")
            return 2
        items = [it for it in items if split_half(it.id) == split]
    if limit is not None:
        items = items[:limit]
    pipeline = pipeline if pipeline is not None else make_pipeline()

    from rich.progress import Progress
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("evaluating", total=len(items))
        report = evaluate(items, pipeline,
                          progress=lambda done, total: bar.update(task, completed=done))
    report.meta.update({"gold": str(path), "limit": limit, "split": split, "date": date.today().isoformat()})
    print_report(report, console, errors=errors)
    if json_out:
        Path(json_out).write_text(report.to_json() + "\n", encoding="utf-8")
        console.print(Text(f"JSON report written to {json_out}"))
    return 0


def _cli(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sitrep.evaluate",
                                 description="Measure the pipeline against a gold set.")
    ap.add_argument("gold", help="gold JSONL (../shared/gold format) or ACLED CSV export")
    ap.add_argument("--json", dest="json_out", help="write the report as JSON here")
    ap.add_argument("--errors", type=int, default=0, help="print the N worst texts")
    ap.add_argument("--limit", type=int, default=None, help="only the first N texts")
    ap.add_argument("--split", choices=("tune", "check"), help="only one half of the set")
    a = ap.parse_args(argv)
    return main(a.gold, json_out=a.json_out, errors=a.errors, limit=a.limit, split=a.split)


if __name__ == "__main__":
    sys.exit(_cli())
