"""Country names, ACLED spellings, ISO numeric codes and ACLED regions (from countries.tsv)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .normalize import cached_fold, cached_normalize, light

_TSV = Path(__file__).with_name("countries.tsv")


@dataclass(frozen=True)
class CountryInfo:
    iso2: str
    iso3: str
    iso_numeric: int
    acled_name: str
    region: str
    aliases: tuple[str, ...]


@lru_cache(maxsize=1)
def countries() -> dict[str, CountryInfo]:
    out: dict[str, CountryInfo] = {}
    with open(_TSV, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip() or line.startswith("#"):
                continue
            f = line.rstrip("\n").split("\t")
            f += [""] * (6 - len(f))
            aliases = tuple(a for a in f[5].split("|") if a)
            out[f[0]] = CountryInfo(f[0], f[1], int(f[2] or 0), f[3], f[4], aliases)
    return out


def _alias_key(name: str) -> str:
    k = light(name)
    if k.startswith("the "):
        k = k[4:]
    return k


@lru_cache(maxsize=1)
def _alias_map() -> dict[str, str]:
    m: dict[str, str] = {}
    for iso, c in countries().items():
        for n in (c.acled_name, *c.aliases):
            m.setdefault(_alias_key(n), iso)
    for iso, c in countries().items():     # ACLED names win over another country's alias
        m[_alias_key(c.acled_name)] = iso
    m.pop("", None)
    return m


def country(name: str) -> str | None:
    """ISO2 for a country name or common variant ("DRC", "Ivory Coast", "Burma"); no demonyms."""
    if not name:
        return None
    return _alias_map().get(_alias_key(name))


def acled_country(iso2: str) -> str:
    c = countries().get((iso2 or "").upper())
    return c.acled_name if c else ""


def iso_numeric(iso2: str) -> int | None:
    c = countries().get((iso2 or "").upper())
    return c.iso_numeric if c else None


def acled_region(iso2: str) -> str:
    c = countries().get((iso2 or "").upper())
    return c.region if c else ""


@lru_cache(maxsize=1)
def _subdivisions() -> dict[str, frozenset[str]]:
    """Folded top-level subdivision names (pycountry's ISO 3166-2, which has the provinces
    and regions made since the gazetteer's admin tables: "Haut-Katanga", Ghana's
    "North East") -> the countries that have one of that name."""
    import pycountry

    out: dict[str, set[str]] = {}
    for sd in pycountry.subdivisions:
        if getattr(sd, "parent_code", None):
            continue
        out.setdefault(cached_fold(cached_normalize(sd.name)), set()).add(sd.country_code)
    return {k: frozenset(v) for k, v in out.items() if k}


def subdivision_countries(name: str) -> frozenset[str]:
    """The countries with a top-level subdivision of this name (ISO 3166-2); the names the
    text gives repeat across events, so their keys are cached."""
    return _subdivisions().get(cached_fold(cached_normalize(name or "")), frozenset())


@lru_cache(maxsize=1)
def _all_words() -> tuple[re.Pattern, dict[str, str]]:
    """Every country's names and demonyms as one pattern, longest first (so "South Sudan" is
    South Sudan's, not Sudan's, and "Guinea-Bissau" not Guinea's), and the country of each."""
    data = lexicon_countries()
    owner: dict[str, str] = {}
    for iso, c in countries().items():
        entry = data.get(iso) or {}
        for w in (c.acled_name, *c.aliases, entry.get("name") or "",
                  *(entry.get("aliases") or ()), *(entry.get("demonyms") or ())):
            if len(w) >= 3:
                owner.setdefault(w, iso)
    words = sorted(owner, key=len, reverse=True)
    rx = re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b(?![-\w])")
    return rx, owner


@lru_cache(maxsize=1)
def lexicon_countries() -> dict:
    """countries.yaml, the country lexicon (names, demonyms, regimes, units), read once."""
    from importlib import resources

    import yaml

    text = resources.files("sitrep.data").joinpath("countries.yaml").read_text("utf-8")
    return yaml.safe_load(text) or {}


def named_in(text: str, iso2: str) -> tuple[int, int] | None:
    """Where the text first names the country or its people ("Kenya", "Kenyan"), if it does:
    the words that stand for an event's country when nothing closer does (issue 16)."""
    if not iso2 or not text:
        return None
    rx, owner = _all_words()
    return next(((m.start(), m.end()) for m in rx.finditer(text)
                 if owner.get(m.group()) == iso2.upper()), None)
