"""Who decides an event's sub-type: a score over the candidate sub-types.

Each codebook rule that fires on a draft (sitrep/extract/rules.py, data/codebook/rules/*.yaml)
votes for one sub-type with a weight. A candidate's score is its strongest vote (rules of one
family restate the same evidence, so their votes do not add) plus `MODEL_WEIGHT` times the
learned head's probability for it; the codebook hierarchy breaks ties. The ids of all the
rules that fired are kept with the event ("why this type").

Where no rule fires, the head alone may type a short report in which the rules found no cue
and no modal word (the caller's gate); its best label must have `MODEL_ONLY_MIN` probability
and outscore "No event". Measured on dev_full's tune half (sha1("split:"+id) starting 0-7)
and checked on the other: letting the head's log-probabilities outvote the rules lowered
event_type at every weight tried (rule vote of 1 to 6 log-odds: 74.9 ... 84.5% against the
rules' 85.2% on tune), because the head alone types 60% of ACLED notes right and the rules
82%; the head-only path raised recall from 95.4 to 97.3% (tune) and 94.7 to 97.9% (check).
The head's share on rule votes is therefore bounded by `MODEL_WEIGHT`: it can only reorder
candidates whose rule weights are within that margin. Measured with the rules as data
(strict, tune / check): a share of 0, 2 and 5 gave event_type 90.8 / 90.8 / 90.7 and
sub_event_type 89.7 / 89.7 / 89.3 on tune, 91.1 / 91.1 on check for 0 and 2; no gain, and every
close decision would cost an encoder pass, so it is 0. A "No event" veto by the head (drop a
rule-typed draft when the head gives "No event" 0.9 or 0.7) removed 0 and 1 of the 23 extra
events on the article pages: not worth an encoder pass on every draft either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..models import SUB_TO_TYPE
from .model import NO_EVENT
from .rules import Rule, load_codebook

MODEL_ONLY_MIN = 0.2   # chosen on the tune half
MODEL_WEIGHT = 0.0     # the head's share in a rule-voted decision (chosen on the tune half)


@dataclass
class Decision:
    event_type: str
    sub_event_type: str
    why: str                     # "rules: protest.peaceful 86; also battle.clash 55"
    rule: Rule | None = None     # the strongest rule for the chosen sub-type
    fired: tuple[str, ...] = ()  # ids of every rule that fired


def _rank(sub: str) -> int:
    h = load_codebook().hierarchy
    return h.index(sub) if sub in h else len(h)


def decide(fired: list[Rule], probs: Callable[[], dict[str, float] | None]
           ) -> Decision | None:
    """The sub-type of a draft, or None when it is no event. `probs` is called only when the
    head's view can change the outcome."""
    if not fired:
        p = probs()
        if not p:
            return None
        best = max((s for s in p if s != NO_EVENT), key=p.__getitem__)
        if p[best] < MODEL_ONLY_MIN or p[best] < p.get(NO_EVENT, 0.0):
            return None
        return Decision(SUB_TO_TYPE[best], best, f"model (p={p[best]:.2f})")
    best_rule: dict[str, Rule] = {}
    score: dict[str, float] = {}
    for r in fired:
        for sub, w in r.vote.items():
            if w > score.get(sub, float("-inf")):
                score[sub], best_rule[sub] = w, r
    ranked = sorted(score.values(), reverse=True)
    model_note = ""
    if MODEL_WEIGHT > 0 and len(ranked) > 1 and ranked[0] - ranked[1] < MODEL_WEIGHT:
        p = probs()
        if p:
            for sub in score:
                score[sub] += MODEL_WEIGHT * p.get(sub, 0.0)
            model_note = "; model " + ", ".join(
                f"{s} p={p.get(s, 0.0):.2f}" for s in sorted(score, key=score.get,
                                                              reverse=True)[:2])
    sub = min(score, key=lambda s: (-score[s], _rank(s)))
    win = best_rule[sub]
    others = [f"{r.id} {max(r.vote.values()):g}" for r in fired if r is not win]
    why = f"rules: {win.id} {score[sub]:g}" + ("; also " + ", ".join(others) if others else "")
    return Decision(SUB_TO_TYPE[sub], sub, why + model_note, win,
                    tuple(r.id for r in fired))
