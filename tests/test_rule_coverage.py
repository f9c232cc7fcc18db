"""The rule book is complete: every rule has a positive and a negative example, every close
pair of CODEBOOK.md section 2 has a rule with both, and every named pattern and predicate is
used (Datasette's documentation test, applied to the codebook)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitrep.extract import rules as rules_mod
from sitrep.extract.rules import PREDICATES, load_codebook

CODEBOOK_MD = Path(__file__).resolve().parents[2] / "shared" / "CODEBOOK.md"
SRC = Path(rules_mod.__file__).resolve().parent


def _kinds(rule):
    pos = [e for e in rule.examples if e["expect"] in rule.vote]
    neg = [e for e in rule.examples if e["expect"] not in rule.vote]
    return pos, neg


@pytest.mark.parametrize("rule", load_codebook().rules, ids=lambda r: r.id)
def test_every_rule_has_a_positive_and_a_negative_example(rule):
    pos, neg = _kinds(rule)
    assert pos, f"{rule.id} ({rule.file}): no example coded as {list(rule.vote)}"
    assert neg, f"{rule.id} ({rule.file}): no near-miss example"
    assert rule.codebook, f"{rule.id}: which codebook line does it implement?"


def test_every_close_pair_has_a_rule_with_both_kinds_of_example():
    book = load_codebook()
    for pair in book.close_pairs:
        covered = [r for r in book.rules if pair in r.codebook and all(_kinds(r))]
        assert covered, f"close pair {pair!r}: no rule with a positive and a negative example"


def test_close_pairs_are_the_codebooks():
    if not CODEBOOK_MD.exists():
        pytest.skip("../shared/CODEBOOK.md is not beside the checkout")
    text = CODEBOOK_MD.read_text(encoding="utf-8")
    block = text.split("**Close pairs**", 1)[1].split("\n## ", 1)[0]
    names = re.findall(r"^- \*([^*]+?):?\*", block, re.M)
    assert names and set(names) == set(load_codebook().close_pairs), names


def test_every_predicate_and_pattern_is_used():
    book = load_codebook()
    named = {p for r in book.rules for k in ("if", "unless") for p in r.when.get(k, ())}
    assert set(PREDICATES) == named, set(PREDICATES) ^ named
    code = "\n".join(p.read_text(encoding="utf-8") for p in SRC.glob("*.py"))
    in_code = set(re.findall(r'pattern\("(\w+)"\)', code))
    import yaml
    raw = [yaml.safe_load(p.read_text(encoding="utf-8"))
           for p in (SRC.parent / "data" / "codebook" / "rules").glob("*.yaml")]
    used = set()
    for rules in raw:
        for r in rules:
            for k, v in (r.get("when") or {}).items():
                if k in ("text", "not_text"):
                    used.update([v] if isinstance(v, str) else v)
                elif k in ("cue_text", "not_cue_text", "after"):
                    used.add(v["pattern"])
    assert set(book.patterns) == used | in_code, set(book.patterns) ^ (used | in_code)


def test_a_bad_rule_file_is_a_clear_error(tmp_path):
    good = {"hierarchy": [], "patterns": {}, "kinds": {}, "classes": {}}
    with pytest.raises(ValueError, match="unknown condition"):
        rules_mod._compile_when({"alll": ["kill"]}, {}, {}, "x.y")
    with pytest.raises(ValueError, match="no pattern"):
        rules_mod._compile_when({"text": "nope"}, {}, good["patterns"], "x.y")


def test_every_rule_is_needed(monkeypatch):
    """Without any one rule, some example is coded differently: no rule is dead or only
    restates another (the examples of a rule that can never win would still pass)."""
    from dataclasses import replace

    from test_rules import code, winner

    book = load_codebook()
    examples = [ex for r in book.rules for ex in r.examples]
    won: dict[str, list[tuple[str, str]]] = {}
    for ex in examples:
        evs = code(ex["text"])
        if evs:
            won.setdefault(winner(evs[0]), []).append((ex["text"], evs[0].sub_event_type))
    idle = []
    for rule in book.rules:
        monkeypatch.setattr(rules_mod, "load_codebook",
                            lambda r=rule: replace(book, rules=tuple(
                                x for x in book.rules if x is not r)))
        changed = False
        for text, sub in won.get(rule.id, []):
            evs = code(text)
            if not evs or evs[0].sub_event_type != sub:
                changed = True
                break
        if not changed:
            idle.append(rule.id)
    monkeypatch.undo()
    assert not idle, f"rules no example needs: {idle}"
