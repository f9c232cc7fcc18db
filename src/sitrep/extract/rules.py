"""The codebook's coding rules as data, and the small engine that runs them.

Rules live in `data/codebook/rules/*.yaml`; what they share (the sub-type hierarchy, groups of
actor kinds and cue classes, named text patterns, the close pairs) in `data/codebook/
codebook.yaml`. A rule says when it fires and which sub-type it votes for, with what weight;
the engine never names a sub-type or a word. Tests run every rule's examples
(tests/test_rules.py) and require a positive and a negative example for each rule and each
close pair of CODEBOOK.md section 2 (tests/test_rule_coverage.py).

`when` keys (all must hold):
  all / any / none      cue classes of the draft (triggers.yaml; "prefix:X" for a category
                        heading such as "Looting: ...")
  text / not_text       named patterns (one or a list, every one) found / not found in the
                        draft's text
  cue_text / not_cue_text  {cue: [classes], pattern: name}: the first cue of those classes
                        matches / does not match the pattern
  after                 {cue: [classes], n: chars, pattern: name}: the pattern within n
                        characters after that cue
  agent / not_agent, patient / not_patient   actor kinds of the doer and the target ("none":
                        no actor found)
  if / unless           named predicates: structural tests registered with `predicate`
                        (sitrep/extract/events.py), e.g. who leads the sentence
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from ..models import SUB_TO_TYPE

CONDITIONS = {"all", "any", "none", "text", "not_text", "cue_text", "not_cue_text", "after",
              "agent", "not_agent", "patient", "not_patient", "if", "unless"}
PREDICATES: dict[str, Callable[[Facts], bool]] = {}


def predicate(name: str):
    """Register a structural test that rules can name in `if` / `unless`."""
    def deco(fn):
        PREDICATES[name] = fn
        return fn
    return deco


@dataclass
class Facts:
    """What rules test about one draft, computed once."""

    classes: set[str]
    text: str
    agent: str                 # actor kind of the doer, or "none"
    patient: str
    first_cue: Callable[..., Any]   # first_cue(*classes) -> Cue | None
    after: Callable[[Any, int], str]   # after(cue, n) -> the text after the cue
    draft: Any = None          # for predicates
    agent_ref: Any = None
    patient_ref: Any = None
    _memo: dict[str, bool] = field(default_factory=dict)

    def holds(self, name: str) -> bool:
        if name not in self._memo:
            self._memo[name] = bool(PREDICATES[name](self))
        return self._memo[name]


@dataclass(frozen=True)
class Rule:
    id: str
    codebook: str
    when: dict
    vote: dict[str, float]
    cue: tuple[str, ...]
    examples: tuple[dict, ...]
    file: str


@dataclass(frozen=True)
class Codebook:
    hierarchy: tuple[str, ...]
    demonstration_order: tuple[str, ...]
    close_pairs: tuple[str, ...]
    patterns: dict[str, re.Pattern]
    rules: tuple[Rule, ...]
    background_days: int


def _read(path) -> Any:
    with path.open("r", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _pattern(spec: dict) -> re.Pattern:
    alt = "|".join(f"(?:{w})" for w in sorted(spec["words"], key=len, reverse=True))
    if not spec.get("raw"):
        alt = rf"\b(?:{alt})\b"
    elif spec.get("before") or spec.get("after"):
        alt = f"{spec.get('before', '')}(?:{alt}){spec.get('after', '')}"
    return re.compile(alt, 0 if spec.get("case_sensitive") else re.I)


def _expand(values, groups: dict) -> frozenset[str]:
    out = set()
    for v in [values] if isinstance(values, str) else values:
        out.update(groups.get(v, [v]))
    return frozenset(out)


def _compile_when(when: dict, groups: dict, patterns: dict, rid: str) -> dict:
    unknown = set(when) - CONDITIONS
    if unknown:
        raise ValueError(f"rule {rid}: unknown condition {sorted(unknown)}")
    out = {}
    for k, v in when.items():
        if k in ("all", "any", "none", "agent", "not_agent", "patient", "not_patient"):
            out[k] = _expand(v, groups)
        elif k in ("text", "not_text"):
            names = [v] if isinstance(v, str) else list(v)
            for n in names:
                if n not in patterns:
                    raise ValueError(f"rule {rid}: no pattern {n!r} in codebook.yaml")
            out[k] = tuple(patterns[n] for n in names)
        elif k in ("cue_text", "not_cue_text", "after"):
            if v["pattern"] not in patterns:
                raise ValueError(f"rule {rid}: no pattern {v['pattern']!r} in codebook.yaml")
            out[k] = (tuple(v["cue"]), patterns[v["pattern"]], int(v.get("n", 0)))
        else:   # if / unless
            out[k] = tuple([v] if isinstance(v, str) else v)
    return out


@lru_cache(maxsize=1)
def load_codebook() -> Codebook:
    base = resources.files("sitrep") / "data" / "codebook"
    meta = _read(base / "codebook.yaml")
    patterns = {k: _pattern(v) for k, v in meta["patterns"].items()}
    groups = {**meta.get("kinds", {}), **meta.get("classes", {})}
    rules, seen = [], set()
    for f in sorted((base / "rules").iterdir(), key=lambda p: p.name):
        if not f.name.endswith(".yaml"):
            continue
        for r in _read(f) or []:
            rid = r["id"]
            if rid in seen:
                raise ValueError(f"rule {rid}: defined twice")
            seen.add(rid)
            for sub in r["vote"]:
                if sub not in SUB_TO_TYPE:
                    raise ValueError(f"rule {rid}: votes for unknown sub-type {sub!r}")
            rules.append(Rule(rid, r.get("codebook", ""),
                              _compile_when(r.get("when") or {}, groups, patterns, rid),
                              {k: float(v) for k, v in r["vote"].items()},
                              tuple(r.get("cue") or ()), tuple(r.get("examples") or ()),
                              f.name))
    return Codebook(tuple(meta["hierarchy"]), tuple(meta.get("demonstration_order") or ()),
                    tuple(meta.get("close_pairs") or ()), patterns,
                    tuple(rules), int(meta["background_days"]))


def fires(rule: Rule, f: Facts) -> bool:
    w = rule.when
    if "all" in w and not w["all"] <= f.classes:
        return False
    if "any" in w and not w["any"] & f.classes:
        return False
    if "none" in w and w["none"] & f.classes:
        return False
    if "agent" in w and f.agent not in w["agent"]:
        return False
    if "not_agent" in w and f.agent in w["not_agent"]:
        return False
    if "patient" in w and f.patient not in w["patient"]:
        return False
    if "not_patient" in w and f.patient in w["not_patient"]:
        return False
    if "text" in w and not all(p.search(f.text) for p in w["text"]):
        return False
    if "not_text" in w and any(p.search(f.text) for p in w["not_text"]):
        return False
    for key, want in (("cue_text", True), ("not_cue_text", False)):
        if key in w:
            classes, pat, _ = w[key]
            cue = f.first_cue(*classes)
            if cue is None or bool(pat.search(cue.text)) != want:
                return False
    if "after" in w:
        classes, pat, n = w["after"]
        cue = f.first_cue(*classes)
        if cue is None or not pat.search(f.after(cue, n)):
            return False
    if "if" in w and not all(f.holds(p) for p in w["if"]):
        return False
    if "unless" in w and any(f.holds(p) for p in w["unless"]):
        return False
    return True


def fired_rules(f: Facts, book: Codebook | None = None) -> list[Rule]:
    book = book or load_codebook()
    return [r for r in book.rules if fires(r, f)]


def pattern(name: str) -> re.Pattern:
    """A named pattern of codebook.yaml, for predicates."""
    return load_codebook().patterns[name]
