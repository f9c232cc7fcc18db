"""Who decides an event's sub-type: the codebook rules, or the learned head where they are silent.

Measured on dev_full's tune half (sha1("split:"+id) starting 0-7) and checked on the other:
letting the head's log-probabilities outvote the rules' choice lowered event_type at every
weight tried (rule vote of 1, 2, 3, 4 and 6 log-odds: 74.9 ... 84.5% against the rules' 85.2%
on tune), because the head alone types 60% of ACLED notes right and the rules 82%. So the rules
decide every draft they can type, and the head types only a short report in which the rules
found no cue and no modal word at all (the month of May is not one), when its best event label
has `MODEL_ONLY_MIN` probability and outscores "No event". That raised recall from 95.4 to
97.3% (tune) and 94.7 to 97.9% (check), event_type from 85.2 to 86.1% and 84.5 to 86.1%,
sub_event_type from 82.5 to 83.3% and 81.8 to 83.3%. Letting it also type drafts whose cues
the rules set aside coded 8 of the 18 plans, threats and denials of tests/corpus (the rules
code 2; this gate, 2): dev_full has no non-events to show that cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import SUB_TO_TYPE
from .model import NO_EVENT

MODEL_ONLY_MIN = 0.2   # chosen on the tune half


@dataclass
class Decision:
    event_type: str
    sub_event_type: str
    why: str           # "rules" or "model (p=0.83)": shown with the event


def decide(rule_sub: str | None, probs: dict[str, float] | None) -> Decision | None:
    """The sub-type of a draft, or None when it is no event."""
    if rule_sub is not None:
        return Decision(SUB_TO_TYPE[rule_sub], rule_sub, "rules")
    if not probs:
        return None
    best = max((s for s in probs if s != NO_EVENT), key=probs.__getitem__)
    if probs[best] < MODEL_ONLY_MIN or probs[best] < probs.get(NO_EVENT, 0.0):
        return None
    return Decision(SUB_TO_TYPE[best], best, f"model (p={probs[best]:.2f})")
