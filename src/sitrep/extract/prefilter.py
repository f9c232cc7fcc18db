"""Literal prefilters: run a regex on a text only when it can match there.

`required_literals(rx)` reads a compiled pattern's parse tree and returns a set of strings
one of which every match must contain (lower-cased), or None when there is no such set (the
pattern then always runs). It is conservative by construction: optional parts, repeats that
may be absent, character classes (other than small sets of literal characters), backreferences
and anything unknown contribute nothing; zero-width parts (lookarounds, word boundaries,
anchors) consume no characters and never split a literal. Case: literals and the text are
both lower-cased (`fold`), so a case-sensitive pattern is gated as if it were
case-insensitive: it may run needlessly, never be skipped wrongly. Only ASCII characters and
uncased non-ASCII characters (punctuation such as ’) take part in literals; a cased
non-ASCII character ends the literal.

`Gate(patterns)` compiles the literals of many patterns into one Aho-Corasick automaton;
`gate.live(text)` is the set of patterns that can match `text` (or any part of it), in one
pass over the text. Set SITREP_PREFILTER=0 (or `prefilter.ENABLED = False`) to run every
pattern, e.g. to check that output does not change.
"""

from __future__ import annotations

import os
import re
from collections.abc import Hashable, Iterable, Mapping

try:   # Python 3.11+: the parser is re._parser (sre_parse is a deprecated alias)
    from re import _constants as C
    from re import _parser as sre_parse
except ImportError:   # pragma: no cover
    import sre_constants as C
    import sre_parse

ENABLED = os.environ.get("SITREP_PREFILTER", "1").strip().lower() not in ("0", "off", "false",
                                                                           "no")

# Non-ASCII characters that Python's re, with IGNORECASE, matches to an ASCII letter (Kelvin
# sign to k, dotless i and dotted capital I to i, long s to s). str.lower() does not map them
# to that letter, so `fold` does it first. tests/test_prefilter.py scans every code point to
# check this table is complete for the running Python.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})

MAX_EXACT = 256      # cross products of alternatives beyond this stop being expanded
MAX_LITERALS = 4096  # a pattern with more literals than this always runs
MAX_CLASS = 10       # a character class of more characters ends a literal ([A-Z], \w)


def fold(text: str) -> str:
    """The text as literals are compared with it: every character re.IGNORECASE would match
    to an ASCII letter becomes that letter, then lower case."""
    return text.lower() if text.isascii() else text.translate(_FOLD).lower()


def _usable(ch: str) -> bool:
    """Can this literal character take part in a literal? ASCII, or a non-ASCII character
    without case (’, –): re.IGNORECASE matches it to itself only."""
    return ch.isascii() or (ch.lower() == ch == ch.upper() and ch.casefold() == ch)


def _char(code: int) -> str | None:
    ch = chr(code)
    return ch.lower() if _usable(ch) else None


def _minimal(lits: set[str]) -> frozenset[str]:
    """Drop literals that contain a shorter one of the set (the shorter one is present
    whenever the longer one is)."""
    out: list[str] = []
    for s in sorted(lits, key=len):
        if not any(t in s for t in out):
            out.append(s)
    return frozenset(out)


def _better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """The more selective of two necessary sets: longer shortest literal, then fewer."""
    if a is None:
        return b
    if b is None:
        return a
    ka = (min(map(len, a)), -len(a))
    kb = (min(map(len, b)), -len(b))
    return a if ka >= kb else b


def _in_chars(items) -> set[str] | None:
    """The characters of a class like [’'] or [- ], or None (categories, negation, more
    than MAX_CLASS characters, cased non-ASCII)."""
    out: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            ch = _char(av)
            if ch is None:
                return None
            out.add(ch)
        elif op is C.RANGE:
            lo, hi = av
            if hi - lo >= MAX_CLASS:
                return None
            for code in range(lo, hi + 1):
                ch = _char(code)
                if ch is None:
                    return None
                out.add(ch)
        else:   # NEGATE, CATEGORY, RANGE_UNI_IGNORE ...: not a small literal set
            return None
    return out if out and len(out) <= MAX_CLASS else None


def _node(op, av) -> tuple[set[str] | None, frozenset[str] | None]:
    """(exact, required) of one parse item: `exact` the finite set of strings it matches
    (None: unknown or too many; "" for zero width), `required` a set one of which every
    match contains (None: none known)."""
    if op is C.LITERAL:
        ch = _char(av)
        return ({ch} if ch is not None else None), None
    if op is C.IN:
        chars = _in_chars(av)
        return chars, None
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return {""}, None     # zero width: consumes nothing
    if op is C.SUBPATTERN:
        return _seq(av[-1])
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _seq(av)
    if op is C.BRANCH:
        exact: set[str] | None = set()
        req: set[str] | None = set()
        for alt in av[1]:
            e, r = _seq(alt)
            if exact is not None:
                exact = exact | e if e is not None and len(exact) + len(e) <= MAX_EXACT \
                    else None
            if req is not None:
                if r is None and e is not None and "" not in e:
                    r = _minimal(e)
                req = req | r if r is not None else None
        return exact, (_minimal(req) if req else None)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        lo, hi, sub = av
        e, r = _seq(sub)
        if lo == 0:
            if hi == 1 and e is not None:
                return e | {""}, None
            return None, None
        if e is not None and "" not in e:
            r = _better(r, _minimal(e))
        if lo == hi and e is not None and len(e) ** lo <= MAX_EXACT:
            out = {""}
            for _ in range(lo):
                out = {a + b for a in out for b in e}
            return out, r
        return None, r
    # ANY, NOT_LITERAL, GROUPREF, GROUPREF_EXISTS, CATEGORY, *_IGNORE ops, ...: unknown
    return None, None


def _seq(items) -> tuple[set[str] | None, frozenset[str] | None]:
    """(exact, required) of a sequence: literals are the cross products of consecutive items
    with a finite set of strings; the best necessary set of the sequence is kept."""
    cur: set[str] = {""}
    whole = True      # every item so far had a finite exact set
    best: frozenset[str] | None = None

    def close(run: set[str]) -> None:
        nonlocal best
        if run and "" not in run:
            best = _better(best, _minimal(run))

    for op, av in items:
        e, r = _node(op, av)
        best = _better(best, r)
        if e is not None and len(cur) * len(e) <= MAX_EXACT:
            cur = {a + b for a in cur for b in e}
            continue
        close(cur)
        whole = False
        cur = set(e) if e is not None and len(e) <= MAX_EXACT else {""}
    close(cur)
    return (cur if whole else None), best


def required_literals(rx: re.Pattern | str, flags: int = 0) -> frozenset[str] | None:
    """Strings (lower case) one of which every match of `rx` contains; None when no such set
    is known, and the pattern must always run. A pattern that can match the empty string has
    none."""
    if isinstance(rx, re.Pattern):
        pattern, flags = rx.pattern, rx.flags
    else:
        pattern = rx
    if isinstance(pattern, bytes):
        return None
    try:
        tree = sre_parse.parse(pattern, flags)
    except Exception:   # pragma: no cover - re.compile accepted it; be safe anyway
        return None
    exact, req = _seq(list(tree))
    if exact is not None and "" not in exact:
        req = _better(req, _minimal(exact))
    if req is None or not req or "" in req or len(req) > MAX_LITERALS:
        return None
    return req


class Gate:
    """Which of several patterns can match a text: one Aho-Corasick pass over the folded
    text finds the literals present; a pattern without required literals is always live.

    `patterns` maps keys to compiled patterns (or is an iterable of patterns, each its own
    key). `live(text)` returns the keys of the patterns that may match somewhere in `text`;
    a pattern not in it cannot match `text` or any part of it."""

    def __init__(self, patterns: Mapping[Hashable, re.Pattern] | Iterable[re.Pattern]):
        import ahocorasick

        items = list(patterns.items()) if isinstance(patterns, Mapping) else \
            [(p, p) for p in patterns]
        self.patterns: dict[Hashable, re.Pattern] = dict(items)
        self.keys = frozenset(self.patterns)
        self.literals: dict[Hashable, frozenset[str] | None] = {}
        by_lit: dict[str, set[Hashable]] = {}
        for key, rx in items:
            lits = required_literals(rx)
            self.literals[key] = lits
            for lit in lits or ():
                by_lit.setdefault(lit, set()).add(key)
        self.always = frozenset(k for k, v in self.literals.items() if v is None)
        self._auto = None
        if by_lit:
            self._auto = ahocorasick.Automaton()
            for lit, keys in by_lit.items():
                self._auto.add_word(lit, frozenset(keys))
            self._auto.make_automaton()
        self.checks = 0       # texts gated
        self.skipped = 0      # patterns ruled out, summed over texts

    def live(self, text: str) -> frozenset[Hashable]:
        if not ENABLED or self._auto is None:
            return self.keys
        found = set(self.always)
        n = len(self.keys)
        for _, keys in self._auto.iter(fold(text)):
            found |= keys
            if len(found) == n:
                break
        self.checks += 1
        self.skipped += n - len(found)
        return frozenset(found)
