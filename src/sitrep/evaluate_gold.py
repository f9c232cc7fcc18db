"""Gold sets for `sitrep evaluate`: loading and the normalisers used to compare coded values.

Formats read by `load_gold`:

- JSONL as in ../shared/gold: one text a line with `id`, `text`, `published`, `source` and
  `events` (the human-coded events it reports; empty when it reports none). Events are either
  ACLED-style (event_type, sub_event_type, actor1, ...) or UCDP GED-style (type_of_violence,
  side_a, side_b, fatalities_best/low/high, ...). UCDP events are mapped to what both schemes
  share (date, country, admin1, coordinates, fatalities); their type and actor fields are kept
  for display only and never scored.
- ACLED CSV exports (2019+ column layout, with or without disorder_type / civilian_targeting):
  `notes` is the text, rows with identical notes make one item, publication date = the latest
  event date of the item unless a `published` column gives it.

Gold events come out as plain dicts with a `scheme` key ("acled" or "ucdp"). For ACLED events,
values missing from the gold are derived (and listed in the event's `derived` key):

- `disorder_type`: `models.disorder_type(event_type, sub_event_type)`;
- `civilian_targeting`: "Civilians targeted" when event_type is "Violence against civilians"
  or actor2 starts with "Civilians", else "" (only when the gold has no such value at all: an
  empty civilian_targeting column in a newer export means "not targeted" and is kept);
- `interaction`: `models.interaction_code(inter1, inter2)`.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from .models import SUB_TO_TYPE, as_date, disorder_type, interaction_code

__all__ = [
    "GoldItem", "load_gold", "parse_date", "normalise_gold_event", "fold", "norm_actor",
    "norm_place", "norm_admin1", "same_admin1", "norm_country", "canonical_country", "derive_civilian_targeting",
    "place_name",
]


@dataclass
class GoldItem:
    """One text and the events human coders coded from it."""

    id: str
    text: str
    published: date | None
    source: str                                   # "acled", "ucdp", ...
    events: list[dict] = field(default_factory=list)
    meta: dict = field(default_factory=dict)      # flags, region, origin, line number...


# ---------------------------------------------------------------------------- normalisers

def fold(value) -> str:
    """Lower case, no diacritics, every run of non-alphanumerics collapsed to one space."""
    if value is None:
        return ""
    s = unicodedata.normalize("NFKD", str(value))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", s).split())


_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_ABBR_PREFIX = re.compile(r"^\s*[^\s:()]{1,20}:\s+")


def norm_actor(name) -> str:
    """ACLED actor name for comparison.

    Drops bracketed qualifiers ("Islamic State (Syria)" -> "islamic state", "Military Forces of
    Iraq (2014-)" -> "military forces of iraq") and the "ABBR: " prefix ("QSD: Syrian
    Democratic Forces" -> "syrian democratic forces"), then folds case and punctuation.
    None and "" both give "".
    """
    if not name:
        return ""
    s = str(name)
    while True:
        t = _BRACKETED.sub(" ", s)
        if t == s:
            break
        s = t
    s = _ABBR_PREFIX.sub("", s)
    return fold(s)


def norm_place(name) -> str:
    """Place name for comparison: case, diacritics, hyphens and punctuation folded."""
    return fold(name)


_ADMIN_WORDS = {"province", "governorate", "state", "region", "division", "oblast",
                "department", "prefecture", "district", "autonomna", "pokrajina", "autonomous",
                "wilayat", "muhafazat", "provincia", "estado", "departamento", "of", "de"}
_ARTICLES = {"al", "el", "ad", "as", "ar", "an", "at", "ash", "az"}
_VOWELS = str.maketrans("", "", "aeiouy")


def norm_admin1(name) -> str:
    """Admin1 for comparison: a transliteration's skeleton. Folded; generic words dropped
    ("Rakhine State" ~ "Rakhine", "Autonomna Pokrajina Vojvodina" ~ "Vojvodina") and a leading
    Arabic article ("Al Qadisiyah" ~ "Qadissiya"); then the first letter and the consonants
    after it, doubled letters once, no final h ("Idleb" ~ "Idlib", "Ma'rib" ~ "Marib"). No
    translation ("Nord-Kivu" stays apart from "North Kivu", "Beyrouth" from "Beirut")."""
    s = _admin1_letters(name)
    if not s:
        return ""
    skel = s[0] + s[1:].translate(_VOWELS)
    out = "".join(c for i, c in enumerate(skel) if i == 0 or c != skel[i - 1])
    return out[:-1] if len(out) > 1 and out.endswith("h") else out


def _edits(a: str, b: str) -> int:
    """Levenshtein distance (the strings are short admin names)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _admin1_letters(name) -> str:
    words = fold(name).split()
    kept = [w for w in words if w not in _ADMIN_WORDS] or words
    if len(kept) > 1 and kept[0] in _ARTICLES:
        kept = kept[1:]
    return "".join(kept)


def same_admin1(a, b) -> bool:
    """Two spellings of one admin1: the same skeleton (`norm_admin1`) and at most two letters
    apart once generic words and the article are gone ("Idleb" ~ "Idlib", "Qadissiya" ~ "Al
    Qadisiyah"; DR Congo's Tshopo and Tshuapa share a skeleton but are two provinces)."""
    if norm_admin1(a) != norm_admin1(b):
        return False
    return _edits(_admin1_letters(a), _admin1_letters(b)) <= 2


# folded name -> canonical (ACLED) country name
_COUNTRY_ALIASES = {
    "dr congo": "Democratic Republic of Congo",
    "drc": "Democratic Republic of Congo",
    "congo drc": "Democratic Republic of Congo",
    "congo kinshasa": "Democratic Republic of Congo",
    "democratic republic of the congo": "Democratic Republic of Congo",
    "congo": "Republic of Congo",
    "congo brazzaville": "Republic of Congo",
    "republic of the congo": "Republic of Congo",
    "bosnia herzegovina": "Bosnia and Herzegovina",
    "burma": "Myanmar",
    "cote d ivoire": "Ivory Coast",
    "turkiye": "Turkey",
    "usa": "United States",
    "united states of america": "United States",
    "czech republic": "Czechia",
    "swaziland": "eSwatini",
    "eswatini": "eSwatini",
    "timor leste": "East Timor",
    "cabo verde": "Cape Verde",
    "palestinian territories": "Palestine",
    "state of palestine": "Palestine",
    "republic of macedonia": "North Macedonia",
    "macedonia": "North Macedonia",
}


def canonical_country(name) -> str:
    """Country name without UCDP's parenthesised old names, aliases mapped to ACLED's names:
    "Myanmar (Burma)" -> "Myanmar", "DR Congo (Zaire)" -> "Democratic Republic of Congo",
    "Yemen (North Yemen)" -> "Yemen", "Bosnia-Herzegovina" -> "Bosnia and Herzegovina"."""
    if not name:
        return ""
    s = re.sub(r"\s*\([^()]*\)", "", str(name)).strip()
    return _COUNTRY_ALIASES.get(fold(s), s)


def norm_country(name) -> str:
    return fold(canonical_country(name))


_PLACE_KIND_WORDS = {"town", "village", "district", "city", "province", "settlement", "township",
                     "sub district", "area", "camp", "oblast", "region", "state", "county",
                     "municipality", "neighbourhood", "neighborhood", "hamlet", "governorate"}


def place_name(gold: dict) -> str:
    """The gold event's place name: ACLED `location`, or UCDP's where_coordinates without its
    trailing kind word ("Aleppo city" -> "Aleppo")."""
    if gold.get("location"):
        return str(gold["location"])
    wc = str(gold.get("where_coordinates") or "").strip()
    for kind in sorted(_PLACE_KIND_WORDS, key=len, reverse=True):
        if fold(wc).endswith(" " + kind):
            return re.sub(r"[\s-]*" + r"[\s-]+".join(kind.split()) + r"\s*$", "", wc,
                          flags=re.IGNORECASE).strip()
    return wc


def derive_civilian_targeting(event_type, actor2) -> str:
    """The rule used when a gold event has no civilian_targeting value."""
    if fold(event_type) == "violence against civilians":
        return "Civilians targeted"
    if str(actor2 or "").strip().lower().startswith("civilians"):
        return "Civilians targeted"
    return ""


# ---------------------------------------------------------------------------- values

_DATE_FORMATS = ("%Y-%m-%d", "%d-%b-%y", "%d-%b-%Y", "%d-%B-%y", "%d-%B-%Y", "%d %b %Y",
                 "%d %B %Y", "%d %b %y", "%B %d, %Y", "%b %d, %Y", "%Y/%m/%d")


def parse_date(value) -> date | None:
    """ISO ("2020-05-09", also with a time), ACLED's "9-May-20" and "09 May 2020", or None."""
    d = as_date(value)   # ISO dates and datetimes, RFC 2822
    if d is not None or value is None or value == "":
        return d
    s = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    return None


def _int(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _float(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _iso(value) -> str | None:
    d = parse_date(value)
    return d.isoformat() if d else None


_ACLED_INTS = ("inter1", "inter2", "interaction", "time_precision", "geo_precision",
               "fatalities", "iso", "year")


def _is_ucdp(ev: dict) -> bool:
    return any(k in ev for k in ("type_of_violence", "side_a", "fatalities_best"))


def normalise_gold_event(ev: dict) -> dict:
    """Gold event dict in the evaluator's shape (idempotent): typed values, canonical country,
    `scheme` set, derived ACLED fields filled (names listed in `derived`)."""
    if ev.get("scheme") in ("acled", "ucdp") and ev.get("_normalised"):
        return ev
    return _from_ucdp(ev) if _is_ucdp(ev) else _from_acled(ev)


def _from_acled(ev: dict) -> dict:
    out = dict(ev)
    out["scheme"] = "acled"
    out["_normalised"] = True
    derived = list(out.get("derived") or [])
    out["event_date"] = _iso(out.get("event_date"))
    for k in _ACLED_INTS:
        if k in out:
            out[k] = _int(out[k])
    for k in ("latitude", "longitude"):
        if k in out:
            out[k] = _float(out[k])
    if not out.get("event_type") and out.get("sub_event_type") in SUB_TO_TYPE:
        out["event_type"] = SUB_TO_TYPE[out["sub_event_type"]]
        derived.append("event_type")
    if "country" in out:
        out["country_raw"] = out["country"]
        out["country"] = canonical_country(out["country"])
    et = out.get("event_type")
    if et:
        if not out.get("disorder_type"):
            out["disorder_type"] = disorder_type(et, out.get("sub_event_type") or "")
            derived.append("disorder_type")
        if isinstance(out.get("civilian_targeting"), bool):   # the page set's true / false
            out["civilian_targeting"] = "Civilians targeted" if out["civilian_targeting"] else ""
        if out.get("civilian_targeting") is None:
            out["civilian_targeting"] = derive_civilian_targeting(et, out.get("actor2"))
            derived.append("civilian_targeting")
    if "inter1" in out and out.get("interaction") is None:
        code = interaction_code(out.get("inter1"), out.get("inter2"))
        out["interaction"] = code
        derived.append("interaction")
    out["derived"] = derived
    return out


def _from_ucdp(ev: dict) -> dict:
    out = {
        "scheme": "ucdp",
        "_normalised": True,
        "event_date": _iso(ev.get("event_date") or ev.get("date_start")),
        "date_end": _iso(ev.get("date_end")),
        "country": canonical_country(ev.get("country")),
        "country_raw": ev.get("country"),
        "admin1": ev.get("admin1"),
        "admin2": ev.get("admin2"),
        "where_coordinates": ev.get("location") or ev.get("where_coordinates"),
        "latitude": _float(ev.get("latitude")),
        "longitude": _float(ev.get("longitude")),
        "fatalities": _int(ev.get("fatalities_best", ev.get("best"))),
        "fatalities_low": _int(ev.get("fatalities_low", ev.get("low"))),
        "fatalities_high": _int(ev.get("fatalities_high", ev.get("high"))),
        # display only, never scored
        "type_of_violence": _int(ev.get("type_of_violence")),
        "side_a": ev.get("side_a"),
        "side_b": ev.get("side_b"),
        "where_prec": _int(ev.get("where_prec")),
        "date_prec": _int(ev.get("date_prec")),
        "deaths_civilians": _int(ev.get("deaths_civilians")),
        "derived": [],
    }
    return out


# ---------------------------------------------------------------------------- loading

def load_gold(path: str | Path) -> list[GoldItem]:
    """Gold items from a JSONL file (../shared/gold formats) or an ACLED CSV export."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return _load_acled_csv(path)
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return _load_jsonl(path)
    with path.open(encoding="utf-8-sig") as f:
        head = f.read(4096).lstrip()
    return _load_jsonl(path) if head.startswith("{") else _load_acled_csv(path)


def _load_jsonl(path: Path) -> list[GoldItem]:
    items: list[GoldItem] = []
    with path.open(encoding="utf-8-sig") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: not JSON ({exc})") from exc
            where = f"{path.name}:{lineno}"
            if row.get("file") and not row.get("text"):
                row = {**row, "text": _page_text(path.parent, str(row["file"]), where),
                       "id": row.get("id") or str(row["file"])}
                item = _item_from_row(row, where)
                item.meta.update(page=True, url=row.get("url") or "")
                items.append(item)
                continue
            items.append(_item_from_row(row, where))
    return items


def _page_text(folder: Path, name: str, where: str) -> str:
    """The page a page-set row names (`file`, beside the gold file; never outside it)."""
    page = (folder / name).resolve()
    if not page.is_relative_to(folder.resolve()):
        raise ValueError(f"{where}: file {name!r} is outside {folder}")
    try:
        return page.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ValueError(f"{where}: cannot read page {name!r}: {exc.strerror}") from None


def _item_from_row(row: dict, where: str) -> GoldItem:
    raw_events = row.get("events") or []
    events = [normalise_gold_event(e) for e in raw_events]
    source = row.get("source") or ("ucdp" if any(e["scheme"] == "ucdp" for e in events)
                                   else "acled")
    published = parse_date(row.get("published")) or _latest_date(events)
    meta = {k: row[k] for k in ("flags", "region", "origin") if k in row}
    meta["where"] = where
    return GoldItem(id=str(row.get("id") or where), text=row.get("text") or row.get("notes") or "",
                    published=published, source=source, events=events, meta=meta)


def _latest_date(events: list[dict]) -> date | None:
    dates = [d for d in (parse_date(e.get("event_date")) for e in events) if d]
    return max(dates) if dates else None


def _natural_key(s: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", s))


def _load_acled_csv(path: Path) -> list[GoldItem]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        columns = set(reader.fieldnames or [])
        if "notes" not in columns:
            raise ValueError(f"{path}: no `notes` column: not an ACLED export")
        groups: dict[str, list[tuple[int, dict]]] = {}
        for rowno, row in enumerate(reader, 2):
            notes = (row.get("notes") or "").strip()
            if notes:
                groups.setdefault(notes, []).append((rowno, row))
    items = []
    for notes, rows in groups.items():
        events = []
        for _, row in rows:
            ev = {}
            for k, v in row.items():
                if k is None or k in ("notes", "published"):
                    continue
                v = (v or "").strip()
                # an empty civilian_targeting cell means "not targeted", not "unknown"
                ev[k] = v if (v or k == "civilian_targeting") else None
            events.append(normalise_gold_event(ev))
        ids = [r.get("event_id_cnty") for _, r in rows if r.get("event_id_cnty")]
        item_id = "acled:" + min(ids, key=_natural_key) if ids else f"{path.name}:{rows[0][0]}"
        published = None
        if "published" in columns:
            published = max((d for d in (parse_date(r.get("published")) for _, r in rows) if d),
                            default=None)
        items.append(GoldItem(id=item_id, text=notes, published=published or
                              _latest_date(events), source="acled", events=events,
                              meta={"where": f"{path.name}:{rows[0][0]}", "rows": len(rows)}))
    return items
