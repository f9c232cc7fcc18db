"""Loads the data-file lexicons once (actors, countries, outlets, cues, generic actors)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml


def _load(name: str):
    path = resources.files("sitrep") / "data" / name
    if not path.is_file():
        return None
    with path.open("r", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _alt(patterns) -> str:
    """One alternation; longer patterns first so the longest phrase wins."""
    return "|".join(f"(?:{p})" for p in sorted(patterns, key=len, reverse=True))


@dataclass
class Lexicon:
    cues: dict[str, re.Pattern]
    modality: re.Pattern
    countries: dict
    actors: list
    outlets: list
    generic: dict
    state_res: dict[str, re.Pattern] = field(default_factory=dict)
    demonym_re: re.Pattern | None = None
    demonym_map: dict[str, str] = field(default_factory=dict)
    named_re: re.Pattern | None = None
    named_cs_re: re.Pattern | None = None
    alias_map: dict[str, tuple[dict, str]] = field(default_factory=dict)
    outlet_re: re.Pattern | None = None
    outlet_map: dict[str, dict] = field(default_factory=dict)
    unit_map: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    unit_re: re.Pattern | None = None


def _wb(alt: str, flags=re.I) -> re.Pattern:
    return re.compile(rf"(?<![\w-])(?:{alt})(?![\w])", flags)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    trig = _load("triggers.yaml") or {}
    cues = {k: _wb(_alt(v)) for k, v in trig.get("cues", {}).items()}
    modality = _wb(_alt(trig.get("modality", [])))
    countries = _load("countries.yaml") or {}
    actors = _load("actors.yaml") or []
    outlets = _load("outlets.yaml") or []
    generic = _load("generic_actors.yaml") or {}
    lex = Lexicon(cues, modality, countries, actors, outlets, generic)
    lex.state_res = {k: _wb(_alt(v)) for k, v in generic.get("state", {}).items()}
    # demonyms and country names -> ISO2
    dm = {}
    for iso, c in countries.items():
        for n in [c.get("name", ""), c.get("label", "")] + (c.get("demonyms") or []) + \
                (c.get("aliases") or []):
            n = (n or "").strip()
            if n.lower().startswith("the "):
                n = n[4:]
            if len(n) >= 4 or (len(n) >= 2 and n.isupper()):
                dm.setdefault(n.lower() if len(n) >= 4 else n, iso)
        for unit, spec in (c.get("units") or {}).items():
            key = unit.lower()
            entry = (iso, spec.get("force", "military"), spec.get("unit", unit))
            old = lex.unit_map.get(key)
            if old and old[0] != iso:
                # a phrase several countries use ("Gendarmerie"): the event's country decides
                entry = ("", entry[1], entry[2])
            lex.unit_map[key] = entry
    lex.demonym_map = dm
    if dm:
        long_ = sorted((n for n in dm if len(n) >= 4), key=len, reverse=True)
        short = sorted((n for n in dm if len(n) < 4), key=len, reverse=True)
        # short upper-case forms (US, UK, DRC, CAR) match case-sensitively: "car" is a car
        lex.demonym_re = re.compile(
            r"(?<![\w-])((?i:" + "|".join(re.escape(n) for n in long_) + r")|"
            + "|".join(re.escape(n) for n in short) + r")(?:'s|’s)?(?![\w])")
        for n in short:
            dm[n.lower()] = dm[n]
    if lex.unit_map:
        units = sorted(lex.unit_map, key=len, reverse=True)
        lex.unit_re = re.compile(r"(?<![\w-])(" + "|".join(re.escape(u) for u in units)
                                 + r")(?![\w])", re.I)
    ci, cs = [], []
    for a in actors:
        sens = set(a.get("case_sensitive") or [])
        for al in (a.get("aliases") or []) + [a.get("name", "")]:
            if not al:
                continue
            if al in sens or (len(al) <= 3 and al.isupper()):
                cs.append(al)
                lex.alias_map[al] = (a, al)
            else:
                ci.append(al)
                lex.alias_map.setdefault(al.lower(), (a, al))
    if ci:
        lex.named_re = re.compile(r"(?<![\w-])(" + "|".join(
            re.escape(x) for x in sorted(set(ci), key=len, reverse=True)) + r")(?![\w])", re.I)
    if cs:
        lex.named_cs_re = re.compile(r"(?<![\w-])(" + "|".join(
            re.escape(x) for x in sorted(set(cs), key=len, reverse=True)) + r")(?![\w])")
    ol, ol_cs = [], []
    for o in outlets:
        sens = set(o.get("case_sensitive") or [])
        for al in (o.get("aliases") or []) + [o.get("name", "")]:
            if not al:
                continue
            if al in sens or o.get("ambiguous") or (len(al) <= 4 and al.isupper()):
                ol_cs.append(al)
                lex.outlet_map.setdefault(al, o)
            else:
                ol.append(al)
                lex.outlet_map.setdefault(al.lower(), o)
    parts = []
    if ol:
        parts.append("(?i:" + "|".join(re.escape(x) for x in sorted(set(ol), key=len,
                                                                   reverse=True)) + ")")
    if ol_cs:
        parts.append("|".join(re.escape(x) for x in sorted(set(ol_cs), key=len, reverse=True)))
    if parts:
        lex.outlet_re = re.compile(r"(?<![\w-])(" + "|".join(parts) + r")(?![\w])")
    return lex
