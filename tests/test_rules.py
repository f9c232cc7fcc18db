"""Every coding rule's examples (data/codebook/rules/*.yaml), run through the extractor.

A positive example (`expect` is the sub-type the rule votes for) must be coded as that sub-type
with the rule as the winning vote, so deleting or weakening the rule fails it. A negative
example (another sub-type, or "No event") is a near miss the rule must not decide: it must be
coded as `expect`. `civilian_targeting: true|false` also checks that field."""

from __future__ import annotations

import re
from datetime import date

import pytest

from sitrep.extract.events import extract_events
from sitrep.extract.rules import load_codebook
from sitrep.models import Document

NO_EVENT = "No event"
REF = date(2021, 6, 10)


def _examples():
    for rule in load_codebook().rules:
        for i, ex in enumerate(rule.examples):
            yield pytest.param(rule, ex, id=f"{rule.id}[{i}]")


def code(text: str):
    doc = Document(id="ex", text=text, body=text, published=REF)
    return extract_events(doc, ref=REF)


def winner(ev) -> str:
    m = re.match(r"rules: (\S+)", ev.why)
    return m.group(1) if m else ""


@pytest.mark.parametrize("rule, ex", list(_examples()))
def test_rule_example(rule, ex):
    evs = code(ex["text"])
    want = ex["expect"]
    got = [(e.sub_event_type, e.why) for e in evs]
    if want == NO_EVENT:
        assert not evs, got
        return
    assert evs, f"no event coded, expected {want}"
    ev = evs[0]
    assert ev.sub_event_type == want, got
    if want in rule.vote:
        assert winner(ev) == rule.id, got
    else:
        assert winner(ev) != rule.id, got
    if "civilian_targeting" in ex:
        assert bool(ev.civilian_targeting) == ex["civilian_targeting"], ev.civilian_targeting
