"""Loads the data-file lexicons once (actors, countries, outlets, cues, generic actors)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

from .prefilter import Gate


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
    demonym_re: PhraseMatcher | None = None
    demonym_map: dict[str, str] = field(default_factory=dict)
    named_re: PhraseMatcher | None = None
    named_cs_re: re.Pattern | None = None
    alias_map: dict[str, tuple[dict, str]] = field(default_factory=dict)
    outlet_re: PhraseMatcher | None = None
    outlet_map: dict[str, dict] = field(default_factory=dict)
    unit_map: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    unit_re: re.Pattern | None = None
    as_reported: re.Pattern | None = None     # triggers.yaml `as_reported`
    time_unknown: re.Pattern | None = None    # triggers.yaml `time_unknown`
    state_markers: frozenset[str] = frozenset()   # generic_actors.yaml `state_markers`
    cue_gate: Gate | None = None   # which cue classes can match a text (prefilter.py)

    def live_cues(self, text: str):
        """The cue classes that can match somewhere in `text` (the others cannot)."""
        if self.cue_gate is None or self.cue_gate.patterns != self.cues:
            self.cue_gate = Gate(self.cues)   # built for other cues (a lexicon changed in use)
        return self.cue_gate.live(text)


class _Hit:
    """The slice of a regex Match that callers use: group(), group(1), start(), end()."""

    __slots__ = ("_s", "_e", "_t")

    def __init__(self, text: str, s: int, e: int):
        self._t, self._s, self._e = text, s, e

    def group(self, i: int = 0) -> str:
        return self._t[self._s:self._e]

    def start(self, i: int = 0) -> int:
        return self._s

    def end(self, i: int = 0) -> int:
        return self._e


class PhraseMatcher:
    """Many literal phrases at once (Aho-Corasick), on word boundaries, longest leftmost
    first and never overlapping: what a big `(?<![\\w-])(a|b|...)(?![\\w])` alternation
    does, at a fraction of the cost. Case-insensitive phrases are matched on lower case;
    `case_sensitive` ones exactly. An optional possessive ('s) is consumed."""

    def __init__(self, phrases=(), case_sensitive=(), possessive: bool = False):
        import ahocorasick

        self.possessive = possessive
        self._ci = ahocorasick.Automaton()
        self._cs = ahocorasick.Automaton()
        n_ci = n_cs = 0
        for p in set(phrases):
            if p:
                self._ci.add_word(p.lower(), len(p))
                n_ci += 1
        for p in set(case_sensitive):
            if p:
                self._cs.add_word(p, len(p))
                n_cs += 1
        self._ci.make_automaton() if n_ci else None
        self._cs.make_automaton() if n_cs else None
        self._has = (n_ci > 0, n_cs > 0)

    def __bool__(self) -> bool:
        return any(self._has)

    def _raw(self, text: str):
        if self._has[0]:
            low = text.lower() if len(text.lower()) == len(text) else None
            if low is not None:
                for end, n in self._ci.iter(low):
                    yield end + 1 - n, end + 1
        if self._has[1]:
            for end, n in self._cs.iter(text):
                yield end + 1 - n, end + 1

    def finditer(self, text: str):
        hits = []
        for s, e in self._raw(text):
            if s > 0 and (text[s - 1].isalnum() or text[s - 1] in "_-"):
                continue
            if e < len(text) and (text[e].isalnum() or text[e] == "_"):
                if not (self.possessive and text[e] in "'’"):
                    continue
            hits.append((s, e))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        last = -1
        for s, e in hits:
            if s < last:
                continue
            ee = e
            if self.possessive and text[e:e + 2] in ("'s", "’s") and not (
                    e + 2 < len(text) and text[e + 2].isalnum()):
                ee = e + 2
            last = ee
            yield _PossHit(text, s, e, ee) if ee != e else _Hit(text, s, e)

    def search(self, text: str):
        return next(iter(self.finditer(text)), None)


class _PossHit(_Hit):
    """A phrase with its possessive: group(1) is the phrase, group() and end() include 's."""

    __slots__ = ("_e1",)

    def __init__(self, text, s, e1, e):
        super().__init__(text, s, e)
        self._e1 = e1

    def group(self, i: int = 0) -> str:
        return self._t[self._s:(self._e1 if i else self._e)]


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
    lex.cue_gate = Gate(cues)   # (live_cues rebuilds it if the cues change)
    lex.as_reported = _wb(_alt(trig["as_reported"])) if trig.get("as_reported") else None
    lex.time_unknown = _wb(_alt(trig["time_unknown"])) if trig.get("time_unknown") else None
    lex.state_markers = frozenset(generic.get("state_markers") or [])
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
                # (its own entry, see actors.name_actor); elsewhere the plainest label, not the
                # last country's ("Border Guard", not Iran's "... Border Guard Command")
                entry = ("", entry[1], min(entry[2], old[2], key=len))
            lex.unit_map[key] = entry
    lex.demonym_map = dm
    if dm:
        long_ = [n for n in dm if len(n) >= 4]
        short = [n for n in dm if len(n) < 4]
        # short upper-case forms (US, UK, DRC, CAR) match case-sensitively: "car" is a car
        lex.demonym_re = PhraseMatcher(long_, short, possessive=True)
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
        lex.named_re = PhraseMatcher(ci)
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
    if ol or ol_cs:
        lex.outlet_re = PhraseMatcher(ol, ol_cs)
    return lex
