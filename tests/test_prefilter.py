"""The literal prefilter (sitrep/extract/prefilter.py): a pattern is skipped only where it
cannot match, and extraction is the same with and without it."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pytest

from sitrep.extract import prefilter
from sitrep.extract.prefilter import Gate, fold, required_literals

ROOT = Path(__file__).resolve().parents[1]


def lits(pattern, flags=0):
    out = required_literals(re.compile(pattern, flags))
    return None if out is None else set(out)


# ------------------------------------------------------------------ literal extraction

@pytest.mark.parametrize("pattern, flags, expected", [
    (r"sarin", 0, {"sarin"}),
    (r"(?:foo|bar)", 0, {"foo", "bar"}),
    # an optional part is not required; the literal before it is
    (r"kill(?:ed|ing)?", re.I, {"kill"}),
    (r"(?:air )?drones?", re.I, {"drone"}),
    (r"s?vbied", re.I, {"vbied"}),
    # a finite character class expands; a wide one ends the literal
    (r"air[- ]?raids?", re.I, {"airraid", "air-raid", "air raid"}),
    (r"[a-z]+ed\b", 0, {"ed"}),
    (r"[^x]yz", 0, {"yz"}),
    # case: literals are lower case, whatever the flags
    (r"Taliban", re.I, {"taliban"}),
    (r"Taliban", 0, {"taliban"}),
    (r"(?i:POLICE|Governor)\b", 0, {"police", "governor"}),
    # zero-width parts never add a literal and never split one
    (r"(?<![\w-])(?:riot)(?![\w])", re.I, {"riot"}),
    (r"(?<!gas )(?<!tear-gas )shell(?:ed|ing|s)", re.I, {"shelled", "shelling", "shells"}),
    (r"foo(?=bar)", 0, {"foo"}),
    (r"\bdeath\b toll", 0, {"death toll"}),
    # repeats: exactly n copies expand, optional ones do not count
    (r"(?:ab){2}", 0, {"abab"}),
    (r"a{0,3}b", 0, {"b"}),
    (r"(?:\w+ ){0,3}strikes?", re.I, {"strike"}),
    (r"(?:ha)+!", 0, {"ha"}),
    # longer literals that contain a shorter one of the set are dropped
    (r"(?:kill|killed|skill)", 0, {"kill"}),
    # each alternative contributes its own literal; the best one of a sequence is kept
    (r"\b(?:\d+ )?(?:dead|died)\s+in\s+(?:\w+)", re.I, {"dead", "died"}),
    # a cased non-ASCII letter ends the literal (re.I matches it to other letters)
    (r"café", re.I, {"caf"}),
    # an uncased one (punctuation) takes part
    (r"['’]s\b", 0, {"'s", "’s"}),
])
def test_required_literals(pattern, flags, expected):
    assert lits(pattern, flags) == expected


@pytest.mark.parametrize("pattern", [
    r"\d+",                      # no literal at all
    r"[A-Z][\w'-]+",             # classes only
    r"(?:foo)?\w+",              # the literal is optional
    r"foo|\w+",                  # one alternative has none
])
def test_a_pattern_without_required_literals_always_runs(pattern):
    rx = re.compile(pattern)
    assert required_literals(rx) is None
    gate = Gate({"p": rx})
    assert gate.live("") == {"p"}
    assert gate.live("nothing that looks like anything") == {"p"}


def test_empty_matching_pattern_has_no_literals():
    assert required_literals(re.compile(r"(?:foo)?")) is None
    assert required_literals(re.compile(r"")) is None
    assert lits(r"(?:foo|)bar?") == {"ba"}


def test_gate_live_set():
    gate = Gate({"kill": re.compile(r"\bkill(?:ed|s)?\b", re.I),
                 "date": re.compile(r"\d{4}-\d\d-\d\d"),
                 "any": re.compile(r"[A-Z]\w+")})
    assert gate.live("Gunmen KILLED two") == {"kill", "any"}
    assert gate.live("on 2020-01-03") == {"date", "any"}
    assert gate.live("nothing here") == {"any"}
    # a gate may let a pattern run that then does not match ("skilled"), never the reverse
    assert "kill" in gate.live("a skilled worker")


def test_gate_off_runs_everything(monkeypatch):
    gate = Gate({"kill": re.compile(r"kill", re.I)})
    monkeypatch.setattr(prefilter, "ENABLED", False)
    assert gate.live("nothing") == {"kill"}


def test_case_folding_matches_re_ignorecase():
    """Characters re.IGNORECASE matches to an ASCII letter (Kelvin sign, long s, dotted and
    dotless i) keep the pattern live."""
    for word, text in (("killed", "\u212aILLED"), ("shelling", "\u017fHELLING"),
                       ("militia", "M\u0130L\u0131T\u0130A")):
        rx = re.compile(word, re.I)
        assert rx.search(text)
        assert Gate({"w": rx}).live(text) == {"w"}


def _all_chars() -> str:
    return "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000)


def test_fold_table_is_complete_for_this_python():
    """Every non-ASCII character re.IGNORECASE matches to an ASCII letter folds to it."""
    chars = _all_chars()
    for letter in "abcdefghijklmnopqrstuvwxyz":
        for m in re.finditer(letter, chars, re.I):
            assert fold(m.group()) == letter, (hex(ord(m.group())), letter)


def _project_gates():
    from sitrep.extract import dates, fatalities, places
    from sitrep.extract.actors import _actor_gate
    from sitrep.extract.lexicon import load_lexicon

    lex = load_lexicon()
    return [lex.cue_gate, _actor_gate(lex), dates._GATE, fatalities._GATE, places._GATE]


def test_non_ascii_literal_characters_match_only_themselves():
    """A non-ASCII character in a project literal: whatever re.IGNORECASE matches to it,
    folded, is that character."""
    used = {ch for g in _project_gates() for ls in g.literals.values() for lit in ls or ()
            for ch in lit if not ch.isascii()}
    chars = _all_chars()
    for ch in used:
        for m in re.finditer(re.escape(ch), chars, re.I):
            assert ch in fold(m.group()), (ch, m.group())


def test_project_patterns_are_gated():
    """The cue classes, casualty, actor, date and place patterns all have literals (a
    pattern whose literals the analysis cannot find would silently always run)."""
    gates = _project_gates()
    assert len(gates[0].keys) >= 25   # the cue classes of triggers.yaml
    for g in gates:
        assert g.always == frozenset(), sorted(map(str, g.always))


def test_cues_changed_after_loading_are_gated_afresh():
    """A lexicon whose cues change in use (a class added, a pattern replaced) never has a
    class skipped by a gate built for the old cues."""
    from dataclasses import replace

    from sitrep.extract.events import find_cues
    from sitrep.extract.lexicon import load_lexicon
    from sitrep.extract.text import Sentence

    lex = load_lexicon()
    text = "Gunmen frobnicated a checkpoint and killed two guards."
    changed = replace(lex, cues={**lex.cues, "kill": re.compile(r"\bfrobnicat\w+", re.I),
                                 "new": re.compile(r"checkpoint", re.I)})
    assert changed.cue_gate is lex.cue_gate   # copied: built for the old cues
    found = {(c.cls, c.text) for c in find_cues(Sentence(0, len(text), text, 0), changed)}
    assert {("kill", "frobnicated"), ("new", "checkpoint")} <= found
    assert ("kill", "killed") not in found
    assert lex.cue_gate.patterns == lex.cues


def test_actor_patterns_changed_after_loading_are_gated_afresh():
    from dataclasses import replace

    from sitrep.extract.actors import find_actors
    from sitrep.extract.lexicon import load_lexicon

    lex = replace(load_lexicon())
    text = "Troops of the Frobnicator Brigade raided the village."
    before = {m.ref.unit for m in find_actors(text, lex)}
    assert "Frobnicator Brigade" not in before
    lex.unit_map = {**lex.unit_map, "frobnicator brigade": ("AF", "military",
                                                           "Frobnicator Brigade")}
    lex.unit_re = re.compile(r"(?<![\w-])(frobnicator brigade)(?![\w])", re.I)
    assert "Frobnicator Brigade" in {m.ref.unit for m in find_actors(text, lex)}


# ------------------------------------------------------------------ texts

def _texts() -> list[tuple[str, str, date | None]]:
    """Real texts shipped with the project and its tests: the bundled example articles and
    bench variants of them, the sentence corpus, the merge reports, the rule examples."""
    from sitrep.bench import build_corpus
    from sitrep.extract.rules import load_codebook

    out = [(d.id, d.body, d.published) for d in build_corpus(40)]
    for name in ("corpus/sentences.jsonl", "corpus/merge/reports.jsonl"):
        for line in (ROOT / "tests" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append((row["id"], row["text"], date.fromisoformat(row["published"])))
    for rule in load_codebook().rules:
        for i, ex in enumerate(rule.examples):
            out.append((f"{rule.id}:{i}", ex["text"], date(2021, 6, 30)))
    for page in sorted((ROOT / "tests" / "data" / "pages").glob("*.txt")):
        out.append((page.name, page.read_text(encoding="utf-8"), date(2021, 6, 30)))
    return out


def test_skipped_patterns_do_not_match_real_sentences():
    """Sentence by sentence: every pattern a gate rules out finds nothing there."""
    from sitrep.extract.text import split_sentences

    gates = _project_gates()
    pats = [(g, k, rx) for g in gates for k, rx in g.patterns.items()]
    n_skipped = 0
    for _, body, _ in _texts():
        for s in split_sentences(body):
            live = {id(g): g.live(s.text) for g in gates}
            for g, k, rx in pats:
                if k not in live[id(g)]:
                    n_skipped += 1
                    assert rx.search(s.text) is None, (k, s.text)
    assert n_skipped > 1000


def _extract_all(texts) -> list[dict]:
    from sitrep.extract import extract_events
    from sitrep.models import Document

    out = []
    for doc_id, body, published in texts:
        doc = Document(id=doc_id, text=body, body=body, published=published)
        out.append({"id": doc_id, "events": [asdict(e) for e in extract_events(doc)]})
    return out


@pytest.fixture(scope="module")
def texts():
    return _texts()


@pytest.fixture(scope="module")
def without_prefilter(texts):
    old = prefilter.ENABLED
    prefilter.ENABLED = False
    try:
        return _extract_all(texts)
    finally:
        prefilter.ENABLED = old


def test_extraction_is_identical_with_and_without_the_prefilter(texts, without_prefilter):
    """All fields of every event (actors, places, evidence spans, notes) are the same."""
    assert prefilter.ENABLED
    with_ = _extract_all(texts)
    assert sum(len(r["events"]) for r in with_) > 200
    for a, b in zip(with_, without_prefilter, strict=True):
        assert a == b, a["id"]


def test_an_unsound_gate_changes_the_output(texts, without_prefilter, monkeypatch):
    """The comparison above can fail: a gate that wrongly rules out one cue class, a date
    kind, a casualty pattern, a generic actor kind or the place phrases is caught."""
    from sitrep.extract import fatalities

    real_live = Gate.live
    for drop in ("kill", "dmy", fatalities._PATTERNS_DEATH[0], ("generic", "unidentified"),
                 "prep"):
        monkeypatch.setattr(Gate, "live", lambda self, text, d=drop: real_live(self, text) - {d})
        assert _extract_all(texts) != without_prefilter, drop


# ------------------------------------------------------------------ random patterns

_LITERALS = ["a", "b", "k", "s", "i", "kill", "ed", "X", " ", "-", "'", "\u2019", "\u00e9",
             "St"]
_CLASSES = [("[ab]", "a"), ("[a-c]", "b"), (r"\w", "z"), (".", "?"), (r"\d", "7"),
            ("[^x]", "y"), (r"[- ]", " "), (r"[K\u00e9]", "K"), (r"\s", " ")]
_ZERO = [(r"\b", ""), (r"(?=a)", ""), (r"(?!b)", ""), (r"(?<=a)", ""), (r"(?<![\w-])", ""),
         ("^", ""), ("$", "")]


def _regexes():
    from hypothesis import strategies as st

    atom = st.one_of(st.sampled_from(_LITERALS).map(lambda w: (re.escape(w), w)),
                     st.sampled_from(_CLASSES), st.sampled_from(_ZERO))

    def extend(inner):
        seq = st.lists(inner, min_size=1, max_size=4).map(
            lambda xs: ("".join(p for p, _ in xs), "".join(t for _, t in xs)))
        alt = st.tuples(st.lists(inner, min_size=2, max_size=3), st.integers(0, 2)).map(
            lambda a: ("(?:" + "|".join(p for p, _ in a[0]) + ")", a[0][a[1] % len(a[0])][1]))
        rep = st.tuples(inner, st.sampled_from(["?", "*", "+", "{0,2}", "{2}", "{1,3}", "??"]),
                        st.integers(0, 3)).map(
            lambda r: (f"(?:{r[0][0]}){r[1]}", r[0][1] * (r[2] if r[1] not in "{2}" else 2)))
        ci = inner.map(lambda x: (f"(?i:{x[0]})", x[1]))
        return st.one_of(seq, alt, rep, ci)

    return st.recursive(atom, extend, max_leaves=10)


def _variants(sample: str) -> list[str]:
    odd = sample.replace("k", "\u212a").replace("s", "\u017f").replace("i", "\u0131")
    return [sample, sample.upper(), sample.swapcase(), odd, odd.upper(), "x" + sample + "y",
            "the " + sample.title() + " end", sample.replace("i", "\u0130")]


def test_random_patterns_are_never_skipped_where_they_match():
    """Property: on random patterns (literals, classes, alternations, repeats, lookarounds,
    anchors, inline and global case-insensitivity) and texts built to match them, a pattern
    that matches a text is always live there."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=800, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_regexes(), st.sampled_from([0, re.I]))
    def check(rx_sample, flags):
        pattern, sample = rx_sample
        try:
            rx = re.compile(pattern, flags)
        except re.error:
            return
        gate = Gate({"p": rx})
        for text in _variants(sample):
            if rx.search(text):
                assert gate.live(text) == {"p"}, (pattern, text, gate.literals["p"])

    check()
