"""Assemble coded events from sentences: cues -> type, actors -> roles, dates, counts, sources.

Pure functions: a Document and the lexicon in, Events out. The codebook's close-pair rules
(CODEBOOK.md section 2) are implemented in `classify`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from ..models import FRONT_KEYS, PLACE_FIELDS, ActorRef, Document, Event, PlaceMention, Source
from . import model
from .actors import Mention, find_actors, mark_gang_signs
from .dates import (
    DateMention,
    as_reported,
    dateline_end,
    days_before,
    days_before_told,
    find_dates,
    spans_days,
    time_unknown,
)
from .fatalities import bomber_counted, bomber_died, count_casualties
from .lexicon import Lexicon, load_lexicon
from .notes import key_passage
from .places import find_place_mentions
from .rules import Facts, Rule, fired_rules, load_codebook, pattern, predicate
from .score import decide
from .text import Sentence, split_sentences

ARMED_KINDS = {"named", "military", "police", "unidentified", "gang", "communal",
               "identity_militia"}
_NEXT_DAY = re.compile(r"\b(?:the next day|the following day|a day later)\b", re.I)
# What is an event and where an incident ends (not_an_event, separate_incident,
# continues_incident, background, new_topic) are named patterns in data/codebook/codebook.yaml.
_SAME_DAY = re.compile(r"\b(?:in|on) the same day\b|\bthe same day\b|\blater that day\b", re.I)
_REPORTING = re.compile(r"\b(revealed|said|says|reported|announced|claimed|stated|confirmed|"
                        r"published|released a statement|told)\b", re.I)
_TOLL = re.compile(r"\b(?:death|casualty|fatality)\s+tolls?\b|\btolls?\b", re.I)
# a reporting verb just before a date, maybe with how it was told ("said in a statement on
# Sunday", "told Reuters by phone on Monday"): the day it was told, not the incident's
_SAID_BEFORE = re.compile(r"\b(?:said|says|reported|announced|stated|confirmed|added|"
                          r"claimed|"
                          r"told (?:\w+ ){0,2}?(?:reporters|journalists|AFP|Reuters|AP))"
                          r"(?:\s+(?:in|by|via|on|through|over)\s+(?:(?:a|an|the|its|his|her|their)"
                          r"\s+)?[\w-]+(?:\s+[\w-]+){0,2})?\s+(?:late\s+|early\s+)?$", re.I)
# "<a span> after <an incident>": the clause tells an earlier incident on another day
_DAYS_AFTER = re.compile(r"\b(?:(?:a|one|two|three|four|five|six|\d+|several|a few)\s+(?:days?|weeks?)|"
                         r"the day|days|weeks)\s+after\s+(?:(?:a|an|the|last\s+\w+'s)\s+)?"
                         r"(?:[\w'’-]+\s+){0,2}?(?:attacks?|shelling|blasts?|explosions?|"
                         r"clash(?:es)?|raids?|strikes?|airstrikes?|bombings?|killings?|ambush|"
                         r"assault|fighting)\b", re.I)
# a non-restrictive relative clause, from its comma to a date in it ("..., the woman who died
# in police custody last month, ...")
_RELATIVE = re.compile(r"\s*(?:(?:the|a|an)\s+)?(?:[\w'’-]+\s+){0,4}?(?:who|which|whose)\s", re.I)
_AS_REPORTED = re.compile(r"\(?\bas reported\b\)?", re.I)   # a date's precision, not a clause
_WEAK_SHELL = re.compile(r"(?i)missiles?|rockets?|mortars?|artillery|katyushas?|rpgs?|howitzers?")
_FIRE_VERB = re.compile(r"(?i)\b(?:fired|firing|fire|launched|launching|hit|struck|landed|fell|"
                        r"targeted|targeting|shelled|pounded|exploded|killed|injured|wounded|"
                        r"attack(?:ed|s)?|strikes?|barrage|salvos?|impact)\b")
_PREFIX = {
    "property destruction": "loot", "looting": "loot", "security measures": "change",
    "movement of forces": "change", "arrests": "arrest", "arrest": "arrest",
    "disrupted weapons use": "disrupted", "weapons seizure": "disrupted",
    "non-violent transfer of territory": "territory", "headquarters or base established": "hq",
    "agreement": "agreement", "non-violent activity": "other", "other": "other",
    "explosive remnants of war": "other", "change to group/activity": "change",
}


@dataclass
class Cue:
    cls: str
    start: int   # document offsets
    end: int
    text: str


@dataclass
class Draft:
    """An event being assembled from one or more sentences."""

    sentences: list[Sentence]
    cues: list[Cue]
    mentions: list[tuple[Sentence, Mention]]
    dates: list[DateMention]
    paragraph: int
    headline: bool = False
    prefix: str = ""

    def classes(self) -> set[str]:
        s = {c.cls for c in self.cues}
        if self.prefix:
            s.add("prefix:" + self.prefix)
        return s


# ---------------------------------------------------------------- cues

def find_cues(sent: Sentence, lex: Lexicon,
              quiet: list[tuple[int, int]] | None = None) -> list[Cue]:
    """The sentence's cues; `quiet`: its attribution spans, when the caller has them."""
    out = []
    text = sent.text
    head = re.match(r"\s*[A-Z][A-Za-z /-]{3,45}:\s", text)
    skip = head.end() if head and _prefix(sent) else 0   # "Security measures: On ..."
    quiet = attribution_spans(text) if quiet is None else quiet
    live = lex.live_cues(text)
    for cls, rx in lex.cues.items():
        if cls not in live:
            continue   # the class's literals are not in the sentence: it cannot match
        for m in rx.finditer(text):
            if m.start() < skip or any(a <= m.start() < b for a, b in quiet):
                continue
            if m.group() in ("March", "May") or (m.group().lower() == "march" and re.search(
                    r"\d\s*$", text[:m.start()])):
                continue   # the month
            if cls == "grenade" and re.match(r"\s*launcher", text[m.end():], re.I):
                continue
            if cls == "protest" and pattern("protest_modifier").match(text, m.end()) and \
                    m.group().lower() in ("protest", "protests") and \
                    not re.search(r"\bto\s+$", text[max(0, m.start() - 4):m.start()]):
                continue   # "Protest organisers have called for ...": people, not a protest
            if cls in ("attack", "clash") and re.search(r"\b(?:news agency|outlet|media)\s*$",
                                                        text[:m.start()], re.I):
                continue
            if _is_modal(text, m.start(), lex, cls):
                continue
            if cls != "protest" and _in_grievance(text, m.start()):
                continue
            if cls == "shelling" and _WEAK_SHELL.fullmatch(m.group()) and not _FIRE_VERB.search(
                    text):
                continue
            out.append(Cue(cls, sent.start + m.start(), sent.start + m.end(), m.group()))
    # arms told as found or seized ("two grenades were recovered from the site"): what was
    # seized, not a use of it (CODEBOOK 2: Disrupted weapons use, arms seized)
    seized = [(c.start, c.end) for c in out if c.cls == "disrupted"]
    return [c for c in out if c.cls not in _WEAPON_CLASSES or
            not any(a <= c.start and c.end <= b for a, b in seized)]


_WEAPON_CLASSES = {"grenade", "ied", "shelling", "explosion", "air", "suicide", "chemical"}


_ATTRIBUTION = re.compile(
    r",\s+(?:(?:the|a|an|his|her|their|local|state|military|security|police|medical|"
    r"hospital|government|official|rights)\s+)?(?:[\w'’-]+\s+){0,4}(?:said|says|told|reported|"
    r"stated|added|claimed|confirmed|announced)(?:\s+(?:on|in|late|early|yesterday|today|"
    r"\w+day)\b[^,]{0,30})?\s*[.!?\"”]*\s*$|"
    r"\baccording to\s+[^,.;]{2,60}", re.I)


def attribution_spans(text: str) -> list[tuple[int, int]]:
    """Spans that only say who reported ("..., police said."), not who did what."""
    return [(m.start(), m.end()) for m in _ATTRIBUTION.finditer(text)]


def modal_words(text: str, lex: Lexicon) -> list[re.Match]:
    """The modality lexicon's words in text, without the month of May ("on 2 May 2020")."""
    out = []
    for m in lex.modality.finditer(text):
        w = m.group()
        if w == "May" and re.match(r"\s*\d|,?\s*\d{4}", text[m.end():]):
            continue
        if w.lower() == "may" and re.search(r"\d\s*$", text[:m.start()]):
            continue
        out.append(m)
    return out


_GRIEVANCE = re.compile(
    r"\b(?:protest(?:s|ed|ing|ers)?|demonstrat(?:ed|ing|ion|ions|ors)|rall(?:y|ied|ies)|"
    r"march(?:ed|es)?|sit-ins?|strikes?|went on strike)\b[^;.]{0,60}?"
    r"\b(?:against|over|for|demanding|denouncing|condemning|to (?:denounce|condemn|demand))\s+",
    re.I)
_GRIEVANCE_END = re.compile(r"[;.]|,\s|\b(?:and|then|while|before|after|but|when)\b", re.I)


def _in_grievance(text: str, pos: int) -> bool:
    """A cue inside what a demonstration is about ("protested for the arrest of the men who
    torched their wheat"), not something the crowd or anyone did there (CODEBOOK 2: a
    demonstration's type comes from how it was held)."""
    window = text[max(0, pos - 120):pos]
    last = None
    for m in _GRIEVANCE.finditer(window):
        last = m
    return last is not None and not _GRIEVANCE_END.search(window[last.end():])


def _is_modal(text: str, pos: int, lex: Lexicon, cls: str = "") -> bool:
    """A cue inside a plan, fear, forecast, threat or denial, or negated."""
    window = text[max(0, pos - 70):pos]
    # cut the window at a clause boundary that ends a previous, factual clause
    cut = max(window.rfind(";"), window.rfind(". "))
    if cut >= 0:
        window = window[cut + 1:]
    for m in modal_words(window, lex):
        w = m.group()
        if w[0].isupper() and w.lower() in ("will",) and m.start() > 0:
            continue
        # a completed event verb after the modal word makes it factual again
        tail = window[m.end():]
        if re.search(r"\b(?:killed|attacked|exploded|clashed|arrested|struck|shelled|"
                     r"stormed|seized|abducted|kidnapped|protested|demonstrated)\b", tail, re.I) \
                and not re.search(r"\b(?:to|will|would|could|may|might|be)\s+\w+$", tail):
            continue
        return True
    if re.search(r"\b(?:no|not|never|neither|nor|without)\s+(?:\w+\s+){0,3}$", window, re.I):
        return True
    if pattern("planned_after").match(text, pos):
        return True   # "a rally has been planned from Lal Chowk on Tuesday"
    for m in pattern("called_for").finditer(text, max(0, pos - 120), pos + 80):
        if m.start() <= pos < m.end():
            return True   # "announced a wheel-jam strike for Thursday", "have called a
            # national strike and march in Paris for Thursday, February 1, to protest": the
            # cue inside a protest to come
    if re.search(r"\b(?:during|since|before|throughout) the (?:final|last|previous|recent|"
                 r"earlier|past|first|major|big|large-scale)\s+$", window, re.I):
        return True   # a past campaign named as a time reference
    if re.search(r"\b(?:end|ending|cessation|halt) of (?:the\s+)?$", window, re.I):
        return True   # "the end of fighting in Tigray has allowed trade to resume": a state
    if cls in ("arrest", "abduct") and re.search(
            r"\b(?:are|is|remain|remains)\s+(?:still\s+|being\s+)?$", window, re.I):
        return True   # a state ("where thousands are detained"), not an incident
    return False


def _prefix(sent: Sentence) -> str:
    m = re.match(r"\s*([A-Z][A-Za-z /-]{3,45}):\s", sent.text)
    if m and m.group(1).lower() in _PREFIX:
        return _PREFIX[m.group(1).lower()]
    return ""


# ---------------------------------------------------------------- classification

def _first(cues: list[Cue], *classes: str) -> Cue | None:
    hits = [c for c in cues if c.cls in classes]
    return min(hits, key=lambda c: c.start) if hits else None


def _facts(d: Draft, agent: ActorRef | None, patient: ActorRef | None) -> Facts:
    return Facts(d.classes(), draft_text(d),
                 agent.kind if agent is not None else "none",
                 patient.kind if patient is not None else "none",
                 lambda *cls: _first(d.cues, *cls), lambda cue, n: text_after(d, cue, n),
                 d, agent, patient)


def classify(d: Draft, agent: ActorRef | None, patient: ActorRef | None) -> list[Rule]:
    """The codebook rules (data/codebook/rules/*.yaml) that fire on the draft."""
    return fired_rules(_facts(d, agent, patient))


def rule_cue(d: Draft, rule: Rule | None) -> Cue | None:
    """The cue a rule names as its evidence: the first cue of its classes."""
    return _first(d.cues, *rule.cue) if rule is not None and rule.cue else None


# ---------------------------------------------------------------- predicates (rules' `if`)

@predicate("riotword")
def _riotword(f: Facts) -> bool:
    """The first sentence says riot ("riots broke out", "rioters") as a cue: not riot police,
    not a feared or past riot (the cue's own modality checks)."""
    s0 = f.draft.sentences[0]
    return any(c.cls == "riot" and s0.start <= c.start < s0.end and re.match(
        r"(?i)riot", c.text) for c in f.draft.cues)


@predicate("protest_or_riotword")
def _protest_or_riotword(f: Facts) -> bool:
    return "protest" in f.classes or f.holds("riotword")


def _armed_agent(f: Facts) -> bool:
    return f.agent in ("named", "unidentified", "gang", "communal", "military")


def _crowd_leads(f: Facts) -> bool:
    """A crowd is named shortly before the first protest, riot or mob cue."""
    d = f.draft
    first_cue = f.first_cue("protest", "riot", "mob")
    first_sent = d.sentences[0].text
    rel = (first_cue.start - d.sentences[0].start) if first_cue is not None else None
    return _crowd_subject(first_sent, rel if rel is not None and 0 <= rel < len(first_sent)
                          else None)


@predicate("protest_like")
def _protest_like(f: Facts) -> bool:
    """A demonstration or a crowd is told: a protest or mob cue, the word riot, or a riot cue
    with a crowd as its subject and no armed doer; not an arrest *for* taking part."""
    has = f.classes
    like = "protest" in has or "mob" in has or f.holds("riotword") or (
        "riot" in has and _crowd_leads(f) and not _armed_agent(f))
    if like and "protest" in has and "arrest" in has and re.search(
            r"\bfor (?:participating|taking part|joining|organi[sz]ing|calling for)\b", f.text,
            re.I) and f.first_cue("arrest").start < f.first_cue("protest").start:
        return False
    return like


@predicate("protest_leads")
def _protest_leads(f: Facts) -> bool:
    """The crowd event leads the report: a crowd is its subject, no violence is named, the
    crowd cue comes before the first violent cue, or the doer is not armed (codebook 1: a
    protest turning to clashes is typed by the crowd)."""
    if not f.holds("protest_like"):
        return False
    first_cue = f.first_cue("protest", "riot", "mob")
    if first_cue is None:
        return False
    first_violent = f.first_cue("kill", "clash", "air", "shelling", "ied", "suicide",
                                "chemical", "grenade")
    return (_crowd_leads(f) or first_violent is None or first_cue.start < first_violent.start
            or not _armed_agent(f) or _FIRED_ON.search(
                f.text[:max(0, first_cue.start - f.draft.sentences[0].start)]) is not None)


# the gathering is what was fired on ("security forces opened fire on a sit-in"): the crowd
# is the target, whoever fired (CODEBOOK 2: lethal force on protesters is Excessive force)
_FIRED_ON = re.compile(r"\b(?:opened fire|fired(?: live (?:rounds|ammunition|bullets))?|shot)"
                       r"\s+(?:on|at|into)\s+(?:a|an|the)?\s*(?:[\w-]+\s+)?$", re.I)


@predicate("arrests_at_protest")
def _arrests_pred(f: Facts) -> bool:
    return _arrests_at_the_protest(f.draft)


@predicate("crowd_agent")
def _crowd_agent_pred(f: Facts) -> bool:
    return _crowd_agent(f.draft, f.agent_ref)


_ARREST_VERB = re.compile(r"(?i)arrest(?:ed|ing)|detain(?:ed|ing)|apprehended|into custody|rounded up")
_ISSUE_BEFORE = re.compile(r"(?i)\b(?:against|over|demand\w*|release|for|who|had been|has been|"
                           r"have been|after|since|denounc\w+|condemn\w*)\b[^.;,]*$")
_BACKSTORY_AFTER = re.compile(r"(?i)^\s*(?:in connection with|on (?:charges|accusations)|for "
                              r"(?:allegedly|accusing|his|her|their|the murder|the killing)|"
                              r"(?:\d+|two|three|several) (?:days|weeks|months|years) ago|last|earlier)")


def _arrests_at_the_protest(d: Draft) -> bool:
    """An arrest reported as happening at the protest ("7 were detained by police") is an
    intervention (codebook: dispersal by tear gas, batons, detentions); an arrest that is the
    protest's issue ("against the arrest of", "who had been detained") or its backstory ("was
    arrested in connection with a case") is not."""
    return _at_the_protest(d, "arrest", _ARREST_VERB)


_KILL_WORD = re.compile(r"(?i)\b(?:killed|shot dead|shot and killed|died|dead|killing)\b")


@predicate("harm_at_protest")
def _harm_at_protest(f: Facts) -> bool:
    """A death told as happening at the protest ("was shot dead by police during a protest"),
    not the protest's issue ("to protest against the killing of") or its backstory."""
    return _at_the_protest(f.draft, "kill", _KILL_WORD)


def _at_the_protest(d: Draft, cls: str, verb: re.Pattern) -> bool:
    for cue in d.cues:
        if cue.cls != cls or not verb.search(cue.text):
            continue
        s = next((x for x in d.sentences if x.start <= cue.start < x.end), None)
        if s is None:
            continue
        before, after = s.text[:cue.start - s.start], s.text[cue.end - s.start:]
        if _ISSUE_BEFORE.search(before) or _BACKSTORY_AFTER.search(after):
            continue
        return True
    return False


def _crowd_agent(d: Draft, agent: ActorRef | None) -> bool:
    """The doer is several unorganised, unarmed people ("five persons", "local residents")."""
    if agent is None or agent.kind not in ("civilians", "crowd") or agent.start < 0:
        return False
    s = next((x for x in d.sentences if x.start <= agent.start < x.end), None)
    if s is None:
        return False
    words = s.text[agent.start - s.start:agent.end - s.start]
    text = " ".join(x.text for x in d.sentences)
    plural = re.search(r"(?i)(?:s|men|people|folk)$", words.strip())
    return bool(plural) and not pattern("armed_doer").search(text)


def text_after(d: Draft, cue: Cue | None, n: int) -> str:
    if cue is None:
        return ""
    for s in d.sentences:
        if s.start <= cue.start < s.end:
            return s.text[cue.end - s.start:cue.end - s.start + n]
    return ""


def _crowd_subject(sent: str, upto: int | None = None) -> bool:
    """Is a crowd the subject: named shortly before the first protest/riot cue?"""
    if upto is None:
        return bool(pattern("crowd_subject").search(sent[:120]))
    return bool(pattern("crowd_subject").search(sent[max(0, upto - 160):upto + 1]))


# ---------------------------------------------------------------- roles

_BY = re.compile(r"\bby\s+(?:the\s+|an?\s+|suspected\s+|presumed\s+|alleged\s+|unknown\s+|"
                 r"unidentified\s+|heavy\s+|(?:a\s+)?group\s+of\s+|members\s+of\s+(?:the\s+)?|"
                 r"[A-Z][\w-]+\s+){0,4}$")
_CLAUSE = re.compile(r"^(?:On|Around|As reported on|Reported on|In|Late on|Early on)\b[^,]{3,45},|"
                     r";|\bthat\b|\bwhen\b|\bafter\b|\bwhile\b|\bwhereas\b|\bbefore\b|"
                     r"\b(?:said|says|reported|claimed|stated|announced|added)\b")
_BETWEEN = re.compile(r"\bbetween\s+(?:the\s+)?$", re.I)
# "a truck driven by X", "a car owned by X": the by-phrase names an owner, not the doer
_NOT_AGENT_BY = re.compile(r"\b(?:driven|owned|run|manned|carried|used|occupied|"
                           r"inhabited|guarded|controlled|held)\s*$", re.I)
_SUBJECT_VERB = re.compile(r"(?:\s+\w+ly)*(?:\s+(?:were|was|have been|has been|had been|are|is|"
                           r"got)(?:\s+\w+ly)?)?\s+", re.I)


def assign_roles(d: Draft, trig_pos: int) -> tuple[Mention | None, Mention | None,
                                                    list[Mention]]:
    """(agent, patient, others) around the trigger, handling passive voice and 'by'."""
    sent0 = d.sentences[0]
    ms = [m for s, m in d.mentions if s is sent0]
    if not ms:
        ms = [m for _, m in d.mentions]
    rel = trig_pos - sent0.start
    text = sent0.text
    if not d.cues and ms and rel <= ms[0].start:
        # no cue word (the learned head types the report): the verb after the first actor
        # phrase, the sentence's subject, stands for the trigger
        v = _SUBJECT_VERB.match(text, ms[0].end)
        rel = v.end() if v else ms[0].end
    cue_ends = [c.end - sent0.start for c in d.cues if sent0.start <= c.start < sent0.end]
    by = [m for m in ms if (b := _BY.search(text[max(0, m.start - 40):m.start]))
          and not _NOT_AGENT_BY.search(text[max(0, m.start - 40):m.start][:b.start()])
          and (m.start <= rel + 60 or any(0 <= m.start - e <= 45 for e in cue_ends))]
    agent = patient = None
    holder = next((m for m in ms if m.start <= rel < m.end and m.ref.kind in
                   ("military", "police", "named")), None)
    if holder is not None and not by:
        # the cue is part of the actor's phrase: "Russian warplanes struck ..."
        agent = holder
        patient = next((m for m in ms if m.start >= holder.end), None)
    elif by:
        agent = by[0]
        rest = [m for m in ms if m is not agent]
        before = [m for m in rest if m.start < rel]
        after = [m for m in rest if m.start >= rel]
        patient = before[-1] if before else (after[0] if after else None)
        if patient is not None and patient.ref.kind == "unidentified":
            better = next((m for m in after if m.start > patient.start
                           and m.ref.kind in ("named", "military", "police")), None)
            patient = better or patient
    else:
        before = [m for m in ms if m.end <= rel + 1]
        after = [m for m in ms if m.start >= rel]
        btw = [m for m in after if _BETWEEN.search(text[max(0, m.start - 20):m.start])]
        subj = []
        passive = re.match(r"\s*(?:were|was|have been|had been|are|is|got)\b",
                           text[before[-1].end:rel] if before else "", re.I) or \
            re.search(r"\b(?:were|was|been)\s+(?:\w+\s+)?$", text[:rel], re.I)
        if btw:
            agent = btw[0]
            patient = next((m for m in after if m.start > agent.end), None)
        elif passive and before:
            patient = before[-1]
            # "9 militants were killed when the army repulsed their attack"
            agent = next((m for m in after if m.ref.kind in ARMED_KINDS and
                          m.ref.kind != patient.ref.kind), None)
        else:
            bounds = [m.end() for m in _CLAUSE.finditer(text[:max(rel, 0)])]
            lo = bounds[-1] if bounds else 0
            subj = [m for m in before if m.start >= lo]
            if not subj and before:
                subj = [before[-1]]
            agent = subj[0] if subj else (before[-1] if before else None)
            if agent is not None and agent.ref.kind in ("civilians",) and len(before) > 1 \
                    and before[-2].ref.kind not in ("civilians",):
                agent = before[-2]
            patient = next((m for m in after if m is not agent), None)
            if patient is not None and patient.ref.kind == "unidentified":
                better = next((m for m in after if m is not agent and m.start > patient.start
                               and m.ref.kind in ("named", "military", "police")), None)
                patient = better or patient
            if agent is None and after and (
                    re.search(r"\b(?:between|involving|among)\b", text[rel:after[0].start]) or
                    re.match(r"(?i)clash|fight|fighting|gun ?battle|exchange", text[rel:])):
                # "clashes between X and Y"
                agent = after[0]
                patient = after[1] if len(after) > 1 else None
            if agent is not None and patient is None and len(subj) > 1:
                # "X and Y clashed", "military forces of India and Pakistan exchanged fire"
                patient = next((m for m in subj if m is not agent and
                                (m.ref.key, m.ref.kind, m.ref.country) !=
                                (agent.ref.key, agent.ref.kind, agent.ref.country)), None)
    if agent is not None and patient is not None and not by and re.search(
            r"\b(?:repell?(?:ed|led)|repulsed|thwarted|foiled|fended off|pushed back)\b",
            text[agent.end:agent.end + 40], re.I):
        agent, patient = patient, agent   # the attacker is actor1, not the defender
    umbrella = next((m for m in ms if m.ref.kind == "named" and re.search(
        r"\b(?:operating |fighting )?under (?:the )?(?:umbrella of |banner of |command of )?$",
        text[max(0, m.start - 40):m.start])), None)
    if umbrella is not None and agent is not None and umbrella is not agent and \
            umbrella.start < rel:
        agent = umbrella   # "opposition rebels under OPS looted ...": coded to the umbrella
    if agent is not None and patient is None and re.search(
            r"\b(?:amongst|among) (?:each other|themselves)\b|\beach other\b|\binternal\b",
            text, re.I):
        patient = agent   # infighting: the same actor on both sides
    if agent is None:
        # the perpetrator named elsewhere in the report, e.g. "X claimed to have killed ..."
        later = [m for s, m in d.mentions if s is not sent0 and m.ref.kind == "named"
                 and (m.ref.inter or 0) in (2, 3, 4)]
        claim = [m for s, m in d.mentions if s is not sent0 and m.ref.kind == "named"
                 and re.match(r"\s+(?:\w+\s+)?(?:claimed|said it|took responsibility)",
                              s.text[m.end:])]
        agent = (claim or later or [None])[0]
    elif agent.ref.kind == "unidentified" and agent.ref.country == "":
        # "militants attacked the post ... JNIM claimed responsibility": the claimant
        claim = [m for s, m in d.mentions if s is not sent0 and m.ref.kind == "named"
                 and (m.ref.inter or 0) in (2, 3, 4) and _CLAIMS.match(s.text, m.end)]
        agent = claim[0] if claim else agent
    others = [m for m in ms if m is not agent and m is not patient]
    return agent, patient, others


# ---------------------------------------------------------------- drafts

def _told_on(body: str, x: DateMention, within: Sentence) -> bool:
    """Date `x` of sentence `within` is the day it was told ("police said on Monday")."""
    return bool(_SAID_BEFORE.search(body[max(within.start, x.start - 60):x.start]))


def _own_days(body: str, s: Sentence | None, dates: list[DateMention],
              d: Draft | None = None) -> list[DateMention]:
    """The dates of sentence `s` (or of draft `d`'s sentences) that are not the day it was
    told ("police said on Monday")."""
    def sentence(x):
        return s or next((t for t in d.sentences if t.start <= x.start < t.end), d.sentences[0])
    return [x for x in dates if not _told_on(body, x, sentence(x))]


def _reporting_after(body: str, x: DateMention, end: int) -> re.Match | None:
    """A reporting verb in the 70 characters after the date, within its sentence (`end`):
    "On July 6, Amaq revealed"; "(as reported)" is the date's precision, not a clause. The
    match is relative to the date's end."""
    after = _AS_REPORTED.sub(lambda m: " " * len(m.group()), body[x.end:min(x.end + 70, end)])
    return _REPORTING.search(after)


def _in_relative(body: str, start: int, x: DateMention) -> bool:
    """The date sits in a relative clause after a comma ("Amini, the woman who died in custody
    last month, ..."): the day of the recalled incident the clause tells, not the sentence's
    (CODEBOOK 1). `start`: where the date's sentence starts."""
    clause = body[start:x.start]
    comma = clause.rfind(",")
    return comma >= 0 and bool(_RELATIVE.match(clause[comma + 1:]))


_NIGHT = re.compile(r"\b(?:overnight|night)\b", re.I)
_THAT_DAY = re.compile(r"\bthat (?:morning|afternoon|evening|night|day)\b", re.I)
_NIGHT_ONLY = re.compile(r"overnight|last night|tonight", re.I)   # no day named
_CAME_DAYS_AFTER = re.compile(r"\b(?:came|comes|followed|happened|occurred)\s+(?:just\s+|only\s+)?"
                              r"(?:(?:a\s+few|several)\s+)?(?:days|weeks)\s+after\b", re.I)
_WHO = re.compile(r"\b(?:who|which)\s+(?:had\s+|have\s+|has\s+)?[a-z]+ed\b")


def _split_on_dates(s: Sentence, dates: list[DateMention]) -> list[Sentence]:
    """A sentence that reports two dated incidents ("explosions today, after those of last
    week ...") is split at the clause before each further date."""
    distinct = []
    for d in dates:
        if not distinct or d.date != distinct[-1].date:
            distinct.append(d)
    if len(distinct) < 2:
        return [s]
    cuts = []
    for d in distinct[1:]:
        rel = d.start - s.start
        k = max(s.text.rfind(", ", 0, rel), s.text.rfind("; ", 0, rel))
        if k > 20 and (not cuts or k > cuts[-1]):
            cuts.append(k + 2)
    if not cuts:
        return [s]
    out, prev = [], 0
    for k in cuts + [len(s.text)]:
        seg = s.text[prev:k]
        if seg.strip():
            out.append(Sentence(s.start + prev, s.start + prev + len(seg.rstrip(", ;")),
                                seg.rstrip(", ;"), s.paragraph, s.is_headline))
        prev = k
    return out


class DocSentences:
    """A document's sentences, split once, and their date phrases, found once per sentence
    (a sentence is asked for its dates before and after it is split at them, and again when
    an undated draft looks back; the headline, the dating and the borrowed places all read
    the same sentences)."""

    def __init__(self, body: str, ref: date | None):
        self.sentences: list[Sentence] = split_sentences(body)   # read only
        self._dates: dict[tuple[int, str], list[DateMention]] = {}
        self._openers: dict[int, int] = {}   # a paragraph's first sentence -> its dateline's end
        self._filed_from: dict[int, int] = {}   # ... and its dateline's, dated or not
        seen = set()
        for s in self.sentences:
            if s.paragraph not in seen:
                seen.add(s.paragraph)
                self._openers[s.start] = dateline_end(s.text)
                self._filed_from[s.start] = dateline_end(s.text, undated=True)
        self.ref = self._filed(ref)

    def _filed(self, ref: date | None) -> date | None:
        """CODEBOOK 4: "yesterday" and "on Tuesday" resolve against the day the story was
        written. A wire story's dateline gives it; a page that reposts the story a few days
        later (an aggregator, a weekly digest) keeps it, so its first dateline of at most a
        week before the page's own date is the reference day."""
        if ref is None:
            return ref
        for s in self.sentences[:12]:
            end = self._openers.get(s.start, 0)
            if end:
                told = find_dates(s.text[:end], ref)
                if told and 0 < (ref - told[0].date).days <= 7:
                    return told[0].date
                return ref
        return ref

    def datelines(self, sentences: list[Sentence]) -> list[tuple[int, int]]:
        """The wire datelines ("BANGKOK (AP) -", "DAKAR, Senegal (AFP) -") opening these
        sentences, as spans of the body: where the story was filed, not where it happened."""
        return [(s.start, s.start + end) for s in sentences
                if (end := self._filed_from.get(s.start, 0))]

    def dates(self, s: Sentence) -> list[DateMention]:
        key = (s.start, s.text)
        found = self._dates.get(key)
        if found is None:
            found = find_dates(s.text, self.ref, s.start)
            end = self._openers.get(s.start, 0)
            if end and any(x.start >= s.start + end for x in found):
                # the dateline's day is when the story was filed: beside a day the sentence
                # gives, it is not the incident's
                found = [x for x in found if x.start >= s.start + end]
            # a day to come ("would be arraigned on Thursday", "will resume next week") is
            # no incident's day
            to_come = pattern("day_to_come")
            found = [x for x in found if not to_come.search(s.text, 0, x.start - s.start)]
            self._dates[key] = found
        return list(found)


CONTINUES_GAP = 2   # a later paragraph that refers back may come after one in between (a quote)


def _asides(sents: list[Sentence], cur: Draft, upto: int) -> bool:
    """The paragraphs between the incident told and paragraph `upto` are asides to it (a
    witness's words, details): they name no place the incident's sentences did not. (A
    later paragraph past them continues the incident only with no toll of its own: another
    party's toll is another telling, `_retells`.)"""
    return all(_no_new_place(x.text, cur, locative=False) for x in sents
               if cur.paragraph < x.paragraph < upto)


def _drafts(doc: Document, lex: Lexicon, ref: date | None,
            ds: DocSentences | None = None) -> list[Draft]:
    ds = ds if ds is not None else DocSentences(doc.body, ref)
    sents: list[Sentence] = []
    for s in ds.sentences:
        sents += _split_on_dates(s, [d for d in ds.dates(s)
                                     if not _reporting_after(doc.body, d, s.end)
                                     and not _in_relative(doc.body, s.start, d)
                                     and not pattern("planned_for").search(
                                         doc.body, max(s.start, d.start - 30), d.start)
                                     and not _period_start(doc.body, d)])
    drafts: list[Draft] = []
    cur: Draft | None = None
    for s in sents:
        quiet = attribution_spans(s.text)
        cues = [c for c in find_cues(s, lex, quiet) if not _named_by_past_year(s, c, ref)]
        prefix = _prefix(s)
        dates = ds.dates(s)
        mentions = [(s, m) for m in find_actors(s.text, lex)
                    if not any(a <= m.start < b for a, b in quiet)]
        new_par = cur is not None and s.paragraph != cur.paragraph
        if cur is not None and (cues or prefix) and not dates and ref is not None and \
                _past_year(s.text, ref):
            continue   # "X was also attacked in 2019, when ...": history, told by its year
        if (cues or prefix) and not dates and pattern("past_war").search(s.text):
            continue   # "whose troops fought alongside federal forces during the Tigray war"
        if (cues or prefix) and dates and all(d.precision >= 3 and _SINCE.search(
                s.text[max(0, d.start - s.start - 80):d.start - s.start]) for d in dates):
            continue   # "a surge in attacks since November 2022": a period, not an incident
        if cur is not None and not new_par and pattern("background").search(s.text) and \
                not pattern("separate_incident").search(s.text) and not _opens_with_day(s, dates):
            cur.sentences.append(s)   # background to the current event: no cues, no dates
            continue
        if cur is not None and not new_par and pattern("new_topic").search(s.text) and (
                not (cues or prefix) or not _substantive(s, cues, mentions, dates)):
            continue   # another development, not reported as an incident: not this event's
        if cur is not None and (cues or prefix) and not dates and _CAME_DAYS_AFTER.search(s.text):
            continue   # "the attack came days after a convoy was ambushed": an earlier incident
            # on a day not told (CODEBOOK 4: vaguer reports are dropped)
        if cues or prefix:
            separate = bool(pattern("separate_incident").search(s.text))
            # a day after a reporting verb ("the rescuers said on Monday") is when it was told
            # (nor the day of the burials: "a resident who attended the burials on Sunday
            # said 19 had died")
            own_date = [x for x in dates if not _SAME_DAY.search(s.text) and not
                        _told_on(doc.body, x, s) and not pattern("aftermath").search(
                            doc.body, max(s.start, x.start - 40), x.start)]
            date_differs = bool(own_date) and cur is not None and (
                not cur.dates or own_date[0].date != cur.dates[0].date or
                _new_place(s, own_date, cur, lex))
            after = pattern("aftermath").search(s.text)
            if cur is not None and not separate and after and not count_casualties(s.text)[0]:
                continue   # "Security forces cordoned off the area and launched a search
                # operation", "the funeral prayers of the martyred policemen": after the
                # incident told, none of its own
            if cur is not None and not separate and not cur.headline and \
                    _confirms_told(s, cur):
                cur.sentences.append(s)     # its toll and details join the incident's
                cur.mentions += mentions
                continue
            if cur is not None and not separate and _REACTION.search(s.text):
                continue   # "the minister blamed the attack on ...", "the UN condemned the
                # killings": a reaction to the incident told, not an incident (issue 15)
            if cur is not None and not cur.headline and not own_date and not separate and \
                    not pattern("new_topic").search(s.text) and _toll_told_again(s, cues, cur):
                # "Another official said seven guards had died", "the group said it had
                # killed 15 soldiers": another source's figure for the incident told, not an
                # incident (CODEBOOK 6: sources differ, the lowest)
                cur.sentences.append(s)
                continue
            claims = [m for m in mentions if m[1].ref.kind == "named" and _CLAIMS.match(
                s.text, m[1].end)]
            said = _CLAIM_SAYING.search(s.text) if claims else None
            # (the group's own account after its claim: ", saying its fighters had killed 20")
            told_cues = [c for c in cues if said is None or c.start - s.start < said.start()]
            if cur is not None and not dates and not separate and (
                    _anaphoric(s, told_cues) or said is not None and not told_cues):
                # "did not comment on the shelling": the incident already coded; who claims
                # it is its perpetrator ("Al Shabaab claimed responsibility for the blast")
                if claims:
                    cur.sentences.append(s)
                    cur.mentions += claims
                    cur.paragraph = s.paragraph   # (the rest of the claim's paragraph too)
                elif s.paragraph == cur.paragraph + 1:
                    cur.sentences.append(s)   # "The raids hit the village of Kansafra": where
                continue
            if cur is not None and not separate and not cur.headline and \
                    pattern("toll_rose").search(s.text):
                # "the death toll from the blast rose to 40 on Tuesday": the incident told,
                # counted again; its day is the count's, not an incident's. "The toll from
                # Sunday's strikes": the incident of that day, if another was told since
                named = [x.date for x in dates if re.match(r"['’]s\b", doc.body[x.end:x.end + 3])]
                target = next((d for d in reversed(drafts) if named and d.dates and
                               d.dates[0].date == named[0] and not d.headline and
                               days_before(d.dates[0].text) is None), cur)
                target.sentences.append(s)
                target.mentions += mentions
                continue
            if cur is not None and new_par and not separate and not cur.headline and \
                    _quoted(s, cues, doc.body) and (not own_date or own_date[0].date in {
                        x.date for x in _own_days(doc.body, None, cur.dates, cur)}):
                continue   # a witness's words on the incident told: no incident of their own
                # (an army statement that quotes its day: "... early Monday," the army said)
            cur_days = _own_days(doc.body, None, cur.dates, cur) if cur is not None else []
            undated_cur = cur is not None and not cur_days
            # "The fighting ... erupted overnight": a part of the night told, a day from the
            # incident's, is when it began, not another day
            night = bool(own_date) and bool(_NIGHT.search(own_date[0].text)) and any(
                abs((own_date[0].date - x.date).days) <= 1 for x in cur_days)
            if new_par and (s.paragraph == cur.paragraph + 1 or s.paragraph <= cur.paragraph +
                            CONTINUES_GAP and _asides(sents, cur, s.paragraph) and
                            not count_casualties(s.text)[0]) and not separate \
                    and (not own_date or undated_cur or night) and not s.is_headline \
                    and not cur.headline and not pattern("new_topic").search(s.text) \
                    and pattern("continues_incident").search(s.text) \
                    and not days_before_told(s.text):   # ("came a day after ..."): another
                # a later paragraph about the same incident: "the raid", "the protesters",
                # a toll that rose; it has no day of its own and no marker of a new incident
                cur.sentences.append(s)
                cur.mentions += mentions
                cur.cues += cues   # how far it went ("police later used tear gas")
                cur.paragraph = s.paragraph
                if undated_cur:   # "The assault took place on Friday": the lede said only
                    cur.dates += own_date   # when it was told
                continue
            if cur is None or new_par or separate or date_differs or s.is_headline \
                    or cur.headline or pattern("new_topic").search(s.text):
                if not prefix and not _substantive(s, cues, mentions, dates):
                    if cur is not None and not new_par:
                        cur.sentences.append(s)
                        cur.mentions += mentions
                    continue
                cur = Draft([s], cues, mentions, dates, s.paragraph, s.is_headline, prefix)
                drafts.append(cur)
                continue
            target = _latest(drafts, cur)
            target.sentences.append(s)
            target.cues += cues
            target.mentions += mentions
            target.dates += dates
        elif cur is not None and not new_par:
            target = _latest(drafts, cur)
            target.sentences.append(s)
            target.mentions += mentions
            target.dates += dates
        elif cur is not None and not cur.headline and pattern("toll_rose").search(s.text) and \
                not pattern("separate_incident").search(s.text) and \
                not pattern("new_topic").search(s.text):
            # "By Wednesday the toll had risen to five officers": the incident told, counted
            # again in a paragraph of its own with no event word; its day is the count's
            cur.sentences.append(s)
        elif cur is not None and s.paragraph == cur.paragraph + 1 and not cur.headline and \
                pattern("continues_incident").search(s.text) and not \
                pattern("separate_incident").search(s.text) and not \
                pattern("new_topic").search(s.text) and not (
                    _own_days(doc.body, s, dates) and _own_days(doc.body, None, cur.dates, cur)):
            # "The assault took place on Friday in the village of Lanfiera": the next paragraph
            # tells where (and, when the lede only said when it was told, when) the incident
            # told happened, with no event word of its own
            cur.sentences.append(s)
            cur.mentions += mentions
            cur.dates += dates
            cur.paragraph = s.paragraph
    for d in drafts:
        d.sentences.sort(key=lambda x: x.start)
    # A headline that summarises the body is not a second event.
    body_drafts = [d for d in drafts if not d.headline]
    heads = [d for d in drafts if d.headline]
    if body_drafts:
        return body_drafts, heads
    return drafts, []


_HEAD_VIOLENCE = re.compile(r"\b(?:attack|hit|strike|struck|kill|bomb|target|revenge|claim|"
                            r"blast|explo)\w*", re.I)


def _headline_perpetrator(doc: Document, lex: Lexicon,
                          ds: DocSentences | None = None) -> ActorRef | None:
    """A named armed group that the headline or standfirst makes the subject of violence."""
    sents = ds.sentences if ds is not None else split_sentences(doc.body)
    lead = [s for s in sents if s.is_headline] + [s for s in sents if s.paragraph == 1][:1]
    for s in lead[:3]:
        if not _HEAD_VIOLENCE.search(s.text):
            continue
        ms = find_actors(s.text, lex)
        if ms and ms[0].ref.kind == "named" and (ms[0].ref.inter or 0) in (2, 3, 4):
            r = ms[0].ref
            return ActorRef(kind="named", key=r.key, inter=r.inter, name=r.name)
    return None


_EVENT_NOUN = re.compile(r"(?i)(?:attacks?|shelling|blasts?|explosions?|clash(?:es)?|raids?|"
                         r"strikes?|airstrikes?|bombings?|incidents?|killings?|ambush|assault|"
                         r"abductions?|kidnappings?|protests?|demonstrations?|riots?|fighting|"
                         r"gunfights?|firefights?|gun ?battles?|shootouts?|encounters?|"
                         r"bombardments?|massacres?|shootings?)")


def _anaphoric(s: Sentence, cues: list[Cue]) -> bool:
    """Every cue is a definite event noun referring back ("the shelling", "this attack")."""
    return bool(cues) and all(_EVENT_NOUN.fullmatch(c.text) and re.search(
        r"\b(?:the|this|that|these|those|such)\s+(?:deadly\s+|latest\s+|recent\s+)?$",
        s.text[max(0, c.start - s.start - 30):c.start - s.start], re.I) for c in cues)


_YEAR = re.compile(r"\b(?:in|during|throughout)\s+((?:19|20)\d\d)\b(?![-/]\d)|"
                   r"\bthe\s+((?:19|20)\d\d)\s+(?=[a-z])", re.I)   # ("the 2019 protest movement")


# a date that starts a period: "since 2015", "since the TTP ended a truce in November 2022"
_SINCE = re.compile(r"\bsince\b[^,;.:()\"“”]*$", re.I)


def _period_start(body: str, x: DateMention) -> bool:
    """A date that starts a period ("held by the RSF since October"), not an incident's day."""
    return x.text.lower().startswith("since") or bool(
        _SINCE.search(body, max(0, x.start - 60), x.start))


def _past_year(text: str, ref: date) -> bool:
    """The sentence, which has no date, names a year before the report's ("in 2019"): history
    told beside the news (CODEBOOK 4: reports vaguer than a month are dropped; issue 15)."""
    return any(int(m.group(1) or m.group(2)) < ref.year for m in _YEAR.finditer(text))


# a reaction to the incident told, naming it as the object: "blamed the attack on",
# "condemned Sunday's bombing", "accused the army of carrying out the strike"
_REACTION = re.compile(
    r"\b(?:blamed|blames|blaming|accused|accuses|condemned|condemns|condemning|denounced|"
    r"denounces|deplored|deplores|mourned|decried|(?:ordered|orders|ordering|called for|calls "
    r"for|calling for|launched|opened|demanded|demands) (?:an? |the )?(?:\w+ )?(?:investigation|"
    r"inquiry|probe|enquiry)|(?:alarmed|concerned|shocked|saddened|appalled)[\"”’']? "
    r"(?:by|at|over))"
    r"\b[^.;]{0,60}?\b(?:the|this|that|these|those|such|\w+day's|reports of)\s+"
    r"(?:[\w-]+\s+){0,3}?(?:" + _EVENT_NOUN.pattern.replace("(?i)", "") +
    r"|deaths?|casualties)\b", re.I)


# an authority confirming the incident told ("The police command confirmed the attack in a
# statement on Monday, putting the death toll at nine"; "the governor confirmed the two
# incidents"): that incident, its toll and details in an official's words; its day stays
# the incident's, not the statement's (issue 15: statements about an event are not events)
_CONFIRMED = re.compile(
    r"\b(?:confirmed|confirms|acknowledged|acknowledges|verified)\s+(?:that\s+)?(?:the|this|"
    r"that|these|those|both)\s+(?:[\w-]+\s+){0,2}?(?:" +    # ("the two incidents")
    _EVENT_NOUN.pattern.replace("(?i)", "") + r"|deaths?|casualties)\b", re.I)


def _confirms_told(s: Sentence, cur: Draft) -> bool:
    """An authority confirms the incident told (`_CONFIRMED`) and names no place where it
    happened that the incident's sentences did not."""
    return bool(_CONFIRMED.search(s.text)) and _no_new_place(s.text, cur)


# an incident named by a year before the report's ("the deadly 2021 attack on a mast"): a
# past incident recalled, not one told (CODEBOOK 4: vaguer than a month is dropped)
_YEAR_NAMED = re.compile(r"\b(?:the|a|an|its|their)\s+(?:[\w-]+\s+){0,2}?((?:19|20)\d\d)\s+$",
                         re.I)
_MONTH_BEFORE = re.compile(r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+$")


def _named_by_past_year(s: Sentence, c: Cue, ref: date | None) -> bool:
    before = s.text[max(0, c.start - s.start - 40):c.start - s.start]
    m = _YEAR_NAMED.search(before)
    # (a month named with it dates it: "the December 2024 attack" is a recalled incident)
    return ref is not None and m is not None and int(m.group(1)) < ref.year and \
        not _MONTH_BEFORE.search(before[:m.start(1)]) and bool(_EVENT_NOUN.fullmatch(c.text))


# a source and its verb before the toll it gives ("the ministry had said", "according to")
_TOLD_BY = re.compile(r"\b(?:said|says|say|reported|told|put|gave|confirmed|counted|according to|"
                      r"citing)\b", re.I)


def _toll_told_again(s: Sentence, cues: list[Cue], cur: Draft) -> bool:
    """A sentence that only gives a source's figure of the dead for the incident being told:
    its cues are death words (or refer back: "the attack"), it says who told it, it counts
    the dead, and it names no place the incident's sentences did not."""
    if not cues or not all(c.cls == "kill" or (_EVENT_NOUN.fullmatch(c.text) and re.search(
            r"\b(?:the|this|that)\s+$", s.text[max(0, c.start - s.start - 12):c.start - s.start],
            re.I)) for c in cues):
        return False
    if not any(c.cls == "kill" for c in cues) or not _TOLD_BY.search(s.text):
        return False
    if not count_casualties(s.text)[0]:
        return False
    return _no_new_place(s.text, cur)


def _no_new_place(text: str, cur: Draft, locative: bool = True) -> bool:
    """The text names no place the incident's sentences did not, as where something was
    (after "in", "near", "at": `_LOCATIVE`; any place named "in" or "near" with ``locative``
    False)."""
    told = " ".join(x.text for x in cur.sentences).lower()
    return all(p.text.lower() in told for p in find_place_mentions(text)
               if p.role in ("in", "near") and (not locative or
                                                _LOCATIVE.search(text, 0, p.start)))


_LOCATIVE = re.compile(r"\b(?:in|near|at|outside|around|of)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,3}$",
                       re.I)   # a place named as where (not "Another police officer said")


# a group named claiming the incident told ("JNIM claimed responsibility"; not "never claimed")
_CLAIMS = re.compile(r"\s+(?!(?:never|not|has not|have not|did not|denied)\b)(?:\w+\s+)?"
                     r"(?:claimed (?:responsibility|the attack)|took responsibility)", re.I)


# a claimant's account after its claim: "claimed responsibility for the bombing, saying one of
# its fighters had detonated an explosive vest"
_CLAIM_SAYING = re.compile(r",?\s+(?:saying|adding|and said)\b", re.I)


_QUOTE_OPEN = "\"“«„‘'"
# a closing mark: a double quote, or a single one after the quotation's last punctuation
_QUOTE_CLOSE = re.compile(r"[”»\"]|(?<=[,.!?])[’']")
_SAID_BY = re.compile(r"[\s,]*(?:[\w'’-]+\s+){0,4}?(?:said|says|chanted|shouted|told|added|wrote)\b",
                      re.I)


def _quoted(s: Sentence, cues: list[Cue], body: str = "") -> bool:
    """A witness's or official's words quoted after the incident was told ("“We heard a huge
    blast and then gunfire,” said a shopkeeper"): every cue inside the quotation that opens
    the sentence. With no day of its own and no marker of another incident, it is about the
    incident being told (issue 15: the lede, details, tolls, quotes), and its words neither
    open an incident nor retype the one told ("gunfire" heard after a car bomb)."""
    text = s.text.lstrip()
    if not text or text[0] not in _QUOTE_OPEN:
        return False
    off = s.start + len(s.text) - len(text)
    close = _QUOTE_CLOSE.search(text, 1)
    if close is None:
        # a quotation of several sentences ("“Nine people died here. Eleven others remain
        # under treatment,” he said."): closed later in the paragraph, then who said it
        par_end = body.find("\n\n", s.end)
        rest = body[s.end:par_end if par_end >= 0 else len(body)]
        later = _QUOTE_CLOSE.search(rest)
        return bool(cues) and later is not None and not any(
            ch in _QUOTE_OPEN[:4] for ch in rest[:later.start()]) and \
            bool(_SAID_BY.match(rest, later.end()))
    end = off + close.start()
    if not re.match(r"[\s,.!?]*(?:[a-z]|$)", text[close.end():]):
        return False   # a scare-quoted name opens it ('"Islamic State" fighters attacked')
    said = _SAID_BY.match(text, close.end())
    if said:   # who said it is part of the quoting (", the protesters chanted")
        end = off + said.end()
    return bool(cues) and all(off < c.start < end for c in cues)


_LEAD_IN = re.compile(r"\W*(?:(?:and|but|also|then|earlier|later)\s*,?\s+)?(?:late\s+|early\s+)?",
                      re.I)


def _opens_with_day(s: Sentence, dates: list[DateMention]) -> bool:
    """The sentence opens with the day or week it tells of ("The previous day, a bomb ...",
    "Two weeks ago, gunmen ..."): a recalled incident of its own (CODEBOOK 1), not background
    to the one being told, whatever background word dates it ("previous day", "ago")."""
    first = min(dates, key=lambda x: x.start, default=None)
    return first is not None and first.precision <= 2 and bool(
        _LEAD_IN.fullmatch(s.text[:first.start - s.start]))


def _new_place(s: Sentence, own_date: list[DateMention], cur: Draft, lex: Lexicon) -> bool:
    """A sentence that gives its own day and says where it happened, in a place the current
    incident never names ("On Monday evening, gunmen also ambushed a patrol in Bannu" after an
    attack in Dera Ismail Khan that day), tells another incident on the same day (CODEBOOK 1:
    several places give one event each). A country named is not a new place; the same
    incident told again at its own place is folded back later (_same_incident)."""
    told = " ".join(x.text for x in cur.sentences).lower()
    spans = [(d.start - s.start, d.end - s.start) for d in own_date]
    for p in find_place_mentions(s.text, 0, spans):
        name = p.text.lower()
        if p.role in ("in", "near") and name not in lex.demonym_map and name not in told:
            return True
    return False


def _latest(drafts: list[Draft], cur: Draft) -> Draft:
    """Undated follow-up sentences belong to the newest incident of the paragraph, not to a
    recalled older one."""
    same = [d for d in drafts if d.paragraph == cur.paragraph and d.dates and not d.headline]
    if len(same) < 2 or not cur.dates:
        return cur
    return max(same, key=lambda d: (d.dates[0].date, d.sentences[0].start))


def _substantive(s: Sentence, cues: list[Cue], mentions, dates) -> bool:
    """Does a cue sentence report an actual incident (not generic commentary)?"""
    strong = {"kill", "air", "shelling", "ied", "suicide", "chemical", "grenade", "abduct",
              "sexual", "arrest", "protest", "riot", "mob", "loot", "territory", "disrupted",
              "hq", "agreement", "explosion", "clash", "other"}
    classes = {c.cls for c in cues}
    if pattern("not_an_event").search(s.text):
        return False
    if re.search(r"\b(?:campaign|wave|series|spate|string) of\b", s.text, re.I) and all(
            spans_days(s.text, x.start - s.start, x.end - s.start) for x in dates):
        return False   # a campaign summarised, undated or over a span of days, not an incident
        # (CODEBOOK 1: a multi-day report gives one event per day with reported activity)
    tolls = [(m.start() + s.start, m.end() + s.start) for m in _TOLL.finditer(s.text)]
    if tolls and not mentions and all(any(a <= c.start < b for a, b in tolls) for c in cues) \
            and not any(p.role in ("in", "near") for p in find_place_mentions(s.text)):
        return False   # "an earlier report put the death toll at seven": a figure for the
        # incident being told, with no actor or place of its own
    if classes & strong:
        if classes <= {"clash", "attack", "change", "explosion", "kill"} and not mentions \
                and not dates:
            fatal, injured, _, _ = count_casualties(s.text)
            return bool(fatal or injured or
                        re.search(r"\b(?:exploded|explosions? (?:hit|struck|rocked|shook)|"
                                  r"clashed|fought|ambushed|kill(?:ed|s)|shelled|deadly|"
                                  r"bloody|fatal)\b", s.text, re.I) or
                        re.search(r"\b(?:in|near|at)\s+[A-Z]", s.text))
        return True
    # only "attack"/"change" words: need an actor and a verb form, not a generic noun
    if not dates and re.search(r"\b(?:have|has)\s+(?:\w+\s+)?(?:targeted|attacked|launched|"
                                r"intensified|stepped up)\b", s.text, re.I):
        return False   # present perfect with no date: commentary on a campaign
    if (dates or re.search(r"\b(?:deadly|bloody|fatal)\b", s.text, re.I)) and mentions \
            and "attack" in classes:
        return True
    if s.is_headline and "attack" in classes and re.search(r"\b(?:armed attacks?|attack) "
                                                          r"(?:on|in|at)\b", s.text, re.I):
        return True   # a headline: "Armed attack on the town hall of X"
    if s.is_headline and "attack" in classes and (mentions or re.search(
            r"\b(?:deadly|bloody|fatal)\b|\b(?:in|near|at|on)\s+[A-Z]", s.text)):
        return True   # a headline tells an incident in the present or passive ("Saraya
        # attacks LNA at Naga oilfield", "Northern Burkina Faso hit by two new deadly
        # attacks"); it stands only when the body tells none (`_drafts`)
    return bool(mentions) and bool(re.search(
        r"\b(?:attacked|raided|stormed|targeted|opened fire|open fire|fired|shot|stabbed|beat|"
        r"assaulted|deployed|imposed|launched|conducted|patrolled|recruited|withdrew|"
        r"withdrawing|reinforced|established|instituted|enforc\w+|announced|began|brought|"
        r"set up|sent|moved|ordered|declared|formed|defected|arrived|carried out|dispersed)\b",
        s.text, re.I))


# ---------------------------------------------------------------- main

def extract_events(doc: Document, lex: Lexicon | None = None, ref: date | None = None
                   ) -> list[Event]:
    """Coded events of one document (before place resolution and actor naming).

    Dates resolve against the publication date; a document without one resolves against
    `ref` (the day it was ingested; default today). No event is dated after that day: a month
    or weekday without a year is the latest one not after it."""
    lex = lex or load_lexicon()
    ref = doc.published or ref or datetime.now(UTC).date()
    events: list[Event] = []
    prev_date: tuple[date, int] | None = None
    ds = DocSentences(doc.body, ref)
    drafts, _ = _drafts(doc, lex, ref, ds)
    if not drafts:
        # no cue word anywhere: the learned head may still know the verb ("stepped on an old
        # landmine"); only a short report is read whole, as one incident
        drafts = _uncued_drafts(doc, lex, ref, ds)
    perpetrator = _headline_perpetrator(doc, lex, ds)
    for d in drafts:
        ev = _build(doc, d, lex, prev_date, ref, ds)
        if ev is None:
            continue
        if perpetrator is not None and ev.actors1 and ev.actors1[0].kind == "unidentified" \
                and ev.actors1[0].start < 0 \
                and ev.event_type in ("Explosions/Remote violence", "Violence against civilians",
                                      "Battles") and not re.search(
                    r"\b(?:unknown|unidentified)\b", " ".join(s.text for s in d.sentences),
                    re.I):
            ev.actors1[0] = perpetrator   # the headline says who is behind it
        told = draft_text(d)
        mark_gang_signs(ev, told, lex)
        separate = bool(pattern("separate_incident").search(told))
        if events and _retells(events[-1], ev, d, separate):
            _fold(events[-1], ev, lex)   # (the toll its first telling lacked)
            continue
        same = None if separate else next(
            (e for e in events if _same_incident(e, ev, lex)), None)
        if same is None and not separate and events and _demonstration_told_on(
                events[-1], ev, told):
            same = events[-1]
        if same is None and not separate and events and _force_at_demonstration(events[-1], ev):
            last = events[-1]   # the riot's toll; it stays the demonstration it was
            if ev.fatalities and not last.fatalities:
                last.fatalities = ev.fatalities
                last.evidence += [x for x in ev.evidence if x.field == "fatalities"]
            last.injured = max(last.injured or 0, ev.injured or 0)
            continue
        if same is not None:
            _fold(same, ev, lex)
            if same is events[-1] and same.event_date:
                # the lede, dated only by its page, now has the day a later telling gave it:
                # the sentences after it count from that day
                prev_date = (date.fromisoformat(same.event_date), same.time_precision)
            continue
        if ev.event_date:
            prev_date = (date.fromisoformat(ev.event_date), ev.time_precision)
        events.append(ev)
    return _without_background(events, doc.published)


def _without_background(events: list[Event], published: date | None) -> list[Event]:
    """codebook.yaml `background_days`: beside an incident dated within that many days of
    the report's publication, one dated to the day longer before it is background (history,
    what led to it), not news. A month or season named without a year may be anchored to the
    wrong year, so only a date that names its day is dropped (precision 1, or 2 for a report
    date or the day a body was found). A report with no recent dated incident keeps its old
    ones (a late report, a retrospective)."""
    if published is None:
        return events
    days = load_codebook().background_days

    def age(e: Event) -> int | None:
        return (published - date.fromisoformat(e.event_date)).days if e.event_date else None

    def named_year(e: Event) -> bool:   # "in October 2021": a month no year is guessed for
        return any(x.field == "event_date" and re.search(r"\b(?:19|20)\d\d\b", x.text)
                   for x in e.evidence)

    if not any((a := age(e)) is not None and a <= days for e in events):
        return events
    return [e for e in events if not ((e.time_precision <= 2 or named_year(e)) and
                                      (age(e) or 0) > days)]


def _retells(last: Event, ev: Event, d: Draft, separate: bool) -> bool:
    """A later, undated draft that tells the previous incident again: same type, no place the
    previous one lacks, and either the same actor pair and no new number of dead (details,
    quotes) or one of its actors in another party's words (an army spokesman's "terrorists
    who opened fire" and "at least four" for the ministry's five Palestinians: the same raid;
    the first telling is kept). `separate`: the draft says it is another incident."""
    if d.dates or d.headline or separate:
        return False
    if (ev.event_type, ev.sub_event_type) != (last.event_type, last.sub_event_type):
        return False
    keys, last_keys = _actor_keys(ev), _actor_keys(last)
    if not (set(keys) & set(last_keys)) - {None}:
        return False
    known = {p.text.lower() for p in last.places}
    if any(p.text.lower() not in known for p in ev.places):
        return False
    return keys != last_keys or ev.fatalities in (0, last.fatalities)


_DEMONSTRATION = {"Protests", "Riots"}


def _where_mention(e: Event) -> PlaceMention | None:
    """Where the event happened: its first place named as "in", else as "near"; a country or
    a people's name ("Bangladeshi police ... in the capital Dhaka") only when nothing else is
    named."""
    demonyms = load_lexicon().demonym_map
    named = [p for role in ("in", "near") for p in e.places if p.role == role]
    return next((p for p in named if p.text.lower() not in demonyms), named[0] if named else None)


def _where(e: Event) -> str:
    m = _where_mention(e)
    return m.text.lower() if m else ""


def _same_incident(first: Event, ev: Event, lex: Lexicon) -> bool:
    """CODEBOOK 1: the same actor pair, place and day is one event, and demonstrations at one
    place and day are one event. A later draft on the same day, at the same place (its first
    place named as where it happened), of the same event type (a protest and a riot count as
    one demonstration) with the same actor pair is that incident told again (the caller
    leaves out drafts with a marker of a separate incident)."""
    if not ev.event_date or not first.event_date:
        return False
    if ev.event_date != first.event_date and not (_undated(first) and 0 <= (
            date.fromisoformat(first.event_date) - date.fromisoformat(ev.event_date)).days
            <= LEDE_DAYS):
        return False   # an undated lede ("the army announced the death of 11 soldiers"),
        # about an incident of that week, not of months before
    demo = {ev.event_type, first.event_type} <= _DEMONSTRATION
    if ev.event_type != first.event_type and not demo:
        return False
    if demo:
        if not (ev.actors1 and first.actors1):
            return False
    elif _pair(ev) != _pair(first):
        return False
    return _same_place(first, ev, lex)


# a part of a town where a crowd gathers or marches ("Tahrir Square", "the Jumhuriya bridge")
_SITE = re.compile(r"\b(?:squares?|bridges?|zone|street|road|avenue|boulevard|plaza|roundabout|bazaar|"
                   r"chowk|press club|"
                   r"parliament|palace|ministry|embassy|office|headquarters|university|campus|"
                   r"club|hospital|mosque|church|market|stadium|park|gate|building|compound)\b",
                   re.I)
_OTHER_GATHERING = re.compile(r"\b(?:also|similar|another|elsewhere|meanwhile|separately|"
                              r"too)\b", re.I)


def _demonstration_told_on(last: Event, ev: Event, told: str) -> bool:
    """CODEBOOK 1, demonstrations at one place, day and issue are one event: a later
    paragraph with no day of its own that goes on telling the demonstration just told
    ("Police used tear gas to push back protesters trying to cross the bridge") at no town of
    its own (a square, a bridge, a building of the city is no other place), with no word of
    another gathering ("also", "similar", "elsewhere")."""
    if not {last.event_type, ev.event_type} <= _DEMONSTRATION or not _undated(ev):
        return False
    if last.event_date != ev.event_date or _OTHER_GATHERING.search(told):
        return False
    where = _where(last)   # (a known place: the same place needs one)
    return bool(where) and all(p.text.lower() == where or _SITE.search(p.text)
                               for p in ev.places)


def _force_at_demonstration(last: Event, ev: Event) -> bool:
    """CODEBOOK 1, one event per demonstration: a later paragraph with no day of its own in
    which state forces shoot or beat people at the place of the riot or protest just told
    ("Police responded with tear gas and live bullets. A 19-year-old was shot in Nyalenda")
    tells how the demonstration was put down, not an attack of its own."""
    if last.event_type not in _DEMONSTRATION or ev.event_type != "Violence against civilians":
        return False
    if not _undated(ev) or last.event_date != ev.event_date:
        return False
    if not (ev.actors1 and ev.actors1[0].kind in ("police", "military")):
        return False
    where = _where(last)
    return bool(where) and (not ev.places or all(
        p.text.lower() == where or _SITE.search(p.text) or p.role not in ("in", "near")
        for p in ev.places) or _where(ev) in {p.text.lower() for p in last.places})


def _undated(e: Event) -> bool:
    """Dated from the publication day or a sentence before it, not from its own words."""
    return not any(x.field == "event_date" for x in e.evidence)


def _same_place(first: Event, ev: Event, lex: Lexicon) -> bool:
    """Where each happened agrees: the same place first, or one names the other's place, or
    one names only a country."""
    a, b = _where(first), _where(ev)
    if not a or not b:
        return False
    if a == b:
        return True
    # a place named as a bearing or a route's end ("in the town of Al-Shatrah north of
    # Nasiriyah", "the road linking the town to Nasiriyah") is not where it happened
    named_a = {p.text.lower() for p in first.places if p.role in ("in", "admin")}
    named_b = {p.text.lower() for p in ev.places if p.role in ("in", "admin")}
    if b in named_a or a in named_b:
        return True
    return a in lex.demonym_map or b in lex.demonym_map


def _fold_rank(sub: str) -> int:
    """Which sub-type a folded incident takes: a demonstration by how far it went (a protest
    turning to clashes is a riot), anything else by the codebook's table order."""
    book = load_codebook()
    if sub in book.demonstration_order:
        return book.demonstration_order.index(sub)
    return book.hierarchy.index(sub)


def _actor_keys(e: Event) -> tuple:
    """(actor1, actor2) as kind and key, before naming."""
    return tuple((a[0].kind, a[0].key) if a else None for a in (e.actors1, e.actors2))


def _pair(e: Event) -> frozenset:
    """The actor pair in any order (CODEBOOK 3: order means nothing)."""
    return frozenset(_actor_keys(e))


def _fold(first: Event, ev: Event, lex: Lexicon) -> None:
    """The incident is typed by the highest sub-type in the codebook's order (its actors with
    it) and takes the toll its first telling lacked."""
    if _fold_rank(ev.sub_event_type) < _fold_rank(first.sub_event_type):
        first.event_type, first.sub_event_type, first.why = (ev.event_type, ev.sub_event_type,
                                                             ev.why)
        first.actors1, first.actors2 = ev.actors1, ev.actors2
        first.evidence = [x for x in first.evidence if x.field not in (
            "event_type", "sub_event_type")] + [x for x in ev.evidence if x.field in (
                "event_type", "sub_event_type")]
    where, later = _where(first), _where(ev)
    if (not where or where in lex.demonym_map) and later and later not in lex.demonym_map:
        first.places = ev.places + first.places   # the incident's place, from a later line
    if _undated(first) and not _undated(ev):
        first.event_date, first.time_precision = ev.event_date, ev.time_precision
        first.evidence += [x for x in ev.evidence if x.field == "event_date"]
    if not first.fatalities and ev.fatalities:
        first.fatalities = ev.fatalities
        first.evidence += [x for x in ev.evidence if x.field == "fatalities"]
    first.injured = max(first.injured or 0, ev.injured or 0)


def _days_told_before(doc: Document, ds: DocSentences, s0: Sentence) -> list[DateMention]:
    """The days (or weeks) the body gave before sentence `s0`, not the days they were told."""
    return [x for s in ds.sentences if not s.is_headline and s.end <= s0.start
            for x in ds.dates(s) if x.precision <= 2 and not _told_on(doc.body, x, s)]


def _event_date(doc: Document, d: Draft, prev: tuple[date, int] | None, trig_pos: int,
                ref: date, lex: Lexicon | None = None, ds: DocSentences | None = None
                ) -> tuple[DateMention | None, date | None, int]:
    ds = ds if ds is not None else DocSentences(doc.body, ref)
    s0 = d.sentences[0]

    def told_on(x: DateMention) -> bool:   # "police said on Monday": the day it was told
        return _told_on(doc.body, x, next((s for s in d.sentences
                                           if s.start <= x.start < s.end), s0))

    cands = [x for x in d.dates if s0.start <= x.start < s0.end] or d.dates
    # "the South Darfur capital, held by the RSF since October, ... on Sunday morning": a
    # period's start beside the incident's day is not it
    cands = [x for x in cands if not _period_start(doc.body, x)] or cands
    if cands and all(told_on(x) for x in cands):
        # the lede gives only the day it was told; a later sentence of the draft its own day
        cands = [x for x in d.dates if not told_on(x)] or cands
    if len(cands) > 1:
        # drop dates that belong to a reporting clause ("On July 6, Amaq revealed that ...",
        # "the army said on Monday that ..."); a date that closes the clause of the incident
        # before it stays ("killed five on Sunday, police said on Tuesday")
        keep = []
        for x in cands:
            within = next((s for s in d.sentences if s.start <= x.start < s.end), s0)
            if told_on(x):
                continue
            if _in_relative(doc.body, within.start, x):
                continue
            rel = ([None] + list(_WHO.finditer(doc.body, within.start, x.start)))[-1]
            if rel and not re.search(r"[,;:()]", doc.body[rel.end():x.start]) and \
                    any(within.start <= c.start < rel.start() for c in d.cues):
                continue   # "recaptured the town from fighters who seized it last week": the
                # clause after the incident's verb recalls what came before it
            rep = _reporting_after(doc.body, x, within.end)
            if rep and not any(x.end <= c.start < x.end + rep.start() for c in d.cues) and \
                    not any(within.start <= c.start < x.start for c in d.cues):
                continue
            keep.append(x)
        # every date set aside: the day it was told stands in, before one the sentence
        # recalls ("recaptured the town from fighters who seized it last week, the army said
        # on Monday")
        cands = keep or [x for x in cands if told_on(x)] or cands
        # "an overnight raid ... late on Sunday": the night is the day the sentence names,
        # not the night before the report
        cands = [x for x in cands if not _NIGHT_ONLY.fullmatch(x.text)] or cands
    if cands:
        dm = cands[0]
        prec = dm.precision
        if prec == 1 and as_reported(doc.body[max(s0.start, dm.start - 25):dm.end + 20], lex):
            prec = 2
        back = days_before(dm.text)
        if back is not None and prev:
            # "a day earlier", "two days before": counted back from the incident just told,
            # not from the day of publication
            return dm, prev[0] - timedelta(days=back), max(prec, prev[1])
        if told_on(dm):
            # only the day it was told: it stands for the incident's day but is no evidence
            # of it, so a later telling that gives the day dates the incident (_undated)
            return None, dm.date, prec
        return dm, dm.date, prec
    if _SAME_DAY.search(s0.text) and prev:
        return None, prev[0], prev[1]
    if _THAT_DAY.search(s0.text):
        # "At least 17 people were killed that morning": the day the story gave just before
        # ("the raid on Saturday, 9 July"), however long before the report it was
        told = _days_told_before(doc, ds, s0)
        if told:
            return None, told[-1].date, told[-1].precision
    if (back := days_before_told(s0.text)) and prev:
        # "the strikes came a day after rebels shelled ...": the shelling is the day before
        # the strikes just told
        return None, prev[0] - timedelta(days=back), max(prev[1], 2 if back >= 7 else 1)
    if _NEXT_DAY.search(s0.text) and prev:
        return None, prev[0] + timedelta(days=1), prev[1]
    earlier = [x for s in ds.sentences if s.paragraph == s0.paragraph and
               s.end <= s0.start for x in ds.dates(s)]
    if earlier:
        x = earlier[-1]
        prec = x.precision
        if prec == 1 and as_reported(doc.body[max(0, x.start - 25):x.end + 20], lex):
            prec = 2
        return None, x.date, prec
    if prev:
        return None, prev[0], prev[1]
    # no incident told before it: the day the story has given so far ("on 12/03/2023 at
    # about 1900hrs, a distress call was received ...", then "The team engaged the hoodlums")
    before = _days_told_before(doc, ds, s0)
    if before and (ref is None or 0 <= (ref - before[-1].date).days <= LEDE_DAYS):
        return None, before[-1].date, before[-1].precision
    if doc.published:
        return None, doc.published, 2
    return None, None, 3


UNCUED_MAX_SENTENCES = 4


def _uncued_drafts(doc: Document, lex: Lexicon, ref: date,
                   ds: DocSentences | None = None) -> list[Draft]:
    """A report of a few sentences with no cue: one draft over its body, for the learned head
    to type (score.decide codes it only when the head is confident)."""
    ds = ds if ds is not None else DocSentences(doc.body, ref)
    sents = [s for s in ds.sentences if not s.is_headline]
    if not sents or len(sents) > UNCUED_MAX_SENTENCES or model.head() is None:
        return []
    live = lex.live_cues(doc.body)
    if modal_words(doc.body, lex) or any(rx.search(doc.body) for cls, rx in lex.cues.items()
                                         if cls in live):
        return []   # the rules saw a cue and set it aside (a plan, a denial, a habit)
    mentions = [(s, m) for s in sents for m in find_actors(s.text, lex)]
    dates = [x for s in sents for x in ds.dates(s)]
    return [Draft(sents, [], mentions, dates, sents[0].paragraph)]


def draft_text(d: Draft) -> str:
    """What the learned head reads: the draft's sentences, the first one first."""
    return " ".join(s.text for s in d.sentences)


def _build(doc: Document, d: Draft, lex: Lexicon, prev_date, ref: date,
           ds: DocSentences | None = None) -> Event | None:
    trig = _first([c for c in d.cues if c.cls not in ("change", "intervention", "other")],
                  *{c.cls for c in d.cues}) or (d.cues[0] if d.cues else None)
    trig_pos = trig.start if trig else d.sentences[0].start
    agent_m, patient_m, others = assign_roles(d, trig_pos)
    agent = agent_m.ref if agent_m else None
    patient = patient_m.ref if patient_m else None
    fired = classify(d, agent, patient)

    def probs():
        # the head reads every draft the rules vote on, but alone types only drafts with no
        # cue the rules know (score.py)
        if not fired and d.cues:
            return None
        return (model.predict([draft_text(d)]) or [None])[0]

    dec = decide(fired, probs)
    if dec is None:
        return None
    et, sub = dec.event_type, dec.sub_event_type
    cue = rule_cue(d, dec.rule) or trig
    ev = Event(doc_id=doc.id, event_type=et, sub_event_type=sub, why=dec.why)
    s0 = d.sentences[0]
    ev.sentence_start, ev.sentence_end = s0.start, d.sentences[-1].end
    if ds is not None:
        ev.datelines = ds.datelines(d.sentences)
    body = doc.body
    if cue is not None:
        ev.add_evidence("event_type", cue.start, cue.end, body)
        ev.add_evidence("sub_event_type", cue.start, cue.end, body)
    # date
    dm, dt, prec = _event_date(doc, d, prev_date, trig_pos, ref, lex, ds)
    if dt is not None and dt > ref:   # "the next day", a day-month a day or two ahead
        dt, prec = ref, max(prec, 2)  # (time zones): never after publication or ingest
    told = next((x for x in d.sentences if dm is not None and x.start <= dm.start < x.end),
                d.sentences[0])
    if dt is not None and prec == 1 and et not in _DEMONSTRATION and \
            time_unknown(told.text, lex):
        prec = 2   # the day a body was found, not the day of death
    if dt is not None:
        ev.event_date = dt.isoformat()
        ev.time_precision = prec
    if dm is not None:
        ev.add_evidence("event_date", dm.start, dm.end, body)
    # actors by event type
    _set_actors(ev, d, agent_m, patient_m, others, lex, body)
    # casualties: most conservative reading across the event's sentences
    fatal, injured, vague = 0, 0, False
    counts = []
    for s in d.sentences:
        if pattern("not_an_event").search(s.text):
            continue   # a total over a period is never this incident's toll (CODEBOOK 1)
        told = s.text
        if (k := dateline_end(told)):   # "Srinagar, Mar 6 (PTI) Terrorists shot dead ...":
            told = " " * k + told[k:]     # the day the story was filed is no count
        if (m := _DAYS_AFTER.search(told)) and m.start() > 0:
            told = told[:m.start()]   # "a day after an attack left nine dead": that attack's
            # toll, a recalled incident of its own (CODEBOOK 1), not this one's
        f, i, v, spans = count_casualties(told)
        injured = max(injured, i)
        if f:
            claim = bool(lex.outlet_re and any(
                (lex.outlet_map.get(m.group(1)) or lex.outlet_map.get(m.group(1).lower()) or
                 {}).get("party") for m in lex.outlet_re.finditer(s.text)))
            claim = claim or bool(re.search(r"\bclaim(?:ed|s)?\b", s.text, re.I))
            # "deadly", "fatal": at least one dead, a floor and no figure (issue 15: the
            # lowest-figure rule took it over the real toll)
            floor = all(told[a:b].lower() in ("deadly", "fatal") for a, b in spans)
            counts.append((claim, v or floor, f, s, spans))
    # "two of the raiders were also killed": more dead, not another source's figure
    more = [c for c in counts if _ALSO_DEAD.search(c[3].text)]
    counts = [c for c in counts if c not in more] if len(more) < len(counts) else []
    if counts:
        # ACLED: when reports differ, the lowest figure; a party's own claim only if alone
        pool = [c for c in counts if not c[0]] or counts
        exact = [c for c in pool if not c[1]] or pool
        # a toll that rose since the first telling is the figure now, not a source that
        # differs ("the death toll rose to 40")
        risen = [c for c in exact if pattern("toll_rose").search(c[3].text)]
        _, vague, fatal, s, spans = max(risen, key=lambda c: c[2]) if risen else \
            min(exact, key=lambda c: c[2])
        for a, b in spans:
            ev.add_evidence("fatalities", s.start + a, s.start + b, body)
    for _, v, f, s, spans in more:   # (CODEBOOK 6: all the dead, no split by side)
        fatal += f
        vague = vague or v
        for a, b in spans:
            ev.add_evidence("fatalities", s.start + a, s.start + b, body)
    told_toll = [c[3] for c in more] + ([s] if counts else [])   # the sentences counted
    if fatal and sub == "Suicide bomb" and any(bomber_died(x.text) for x in d.sentences) and \
            not any(bomber_died(x.text) or bomber_counted(x.text) for x in told_toll) and \
            not bomber_counted(" ".join(x.text for x in d.sentences)):
        fatal += 1   # the bomber who blew himself up, told apart from the toll (CODEBOOK 6)
    if vague and fatal == 3 and et in ("Battles", "Explosions/Remote violence") and \
            not any(r.kind == "civilians" for r in ev.actors2):
        fatal = 10   # ACLED: vague deaths in a large attack or on a front line
    if sub in ("Peaceful protest", "Protest with intervention"):
        fatal = 0   # deaths named in a protest report belong to another event
    ev.fatalities, ev.injured = fatal, injured
    # sources and claims
    _sources(ev, doc, d, lex)
    # notes: the key sentence in the report's own words (the date phrase is added after geo)
    key = next((i for i, x in enumerate(d.sentences) if cue is not None
                and x.start <= cue.start < x.end), 0)
    ev.notes = key_passage([x.text for x in d.sentences], key)
    # places: first sentence first, then the rest; never inside actor or outlet names
    exclude = [(m.start, m.end) for s, m in d.mentions if s is s0]
    places = find_place_mentions(s0.text, s0.start, exclude)
    first = len(places)
    # a lede that names only a region or the country ("in Samar province", "in Mexico's
    # Michoacan state"): a later sentence of the incident may name the town (CODEBOOK 5)
    where = [p for p in places if p.role in ("in", "near")]
    regional = bool(where) and all(_regional(p, places, lex) for p in where)
    cue_sents = {id(s) for s in d.sentences for c in d.cues if s.start <= c.start < s.end}
    for s in d.sentences[1:]:
        if id(s) in cue_sents and places and not regional:
            continue
        ex = [(m.start, m.end) for ss, m in d.mentions if ss is s]
        places += [p for p in find_place_mentions(s.text, s.start, ex) if p.role != "other"]
    if regional:
        finer = [p for p in places[first:] if p.role in ("in", "near") and
                 p.kind_hint in ("city", "village", "neighbourhood")]
        places = finer + [p for p in places if p not in finer]
    if not places:
        places = _borrowed_places(doc, d, lex, ds)
    ev.places = places
    ev.country_hints, ev.strong_hints, lead = _country_hints(ev, d, lex)
    ev.country_hint = (ev.strong_hints or lead or [""])[0]
    ev.confidence = _confidence(ev, d, cue)
    return ev


# a later sentence's dead in addition to those counted ("were also killed", "also died")
_ALSO_DEAD = re.compile(r"\b(?:were|was|had been|have been|has been)\s+also\s+(?:killed|shot dead)\b|"
                        r"\balso\s+(?:died|killed\s+(?:\w+\s+){0,2}?(?:of\s+)?the\s+(?:attackers|"
                        r"raiders|assailants|gunmen))\b", re.I)


def _regional(p: PlaceMention, named: list[PlaceMention], lex: Lexicon) -> bool:
    """A region or the country, not a town: named as a province, state or region, or the
    name inside such a phrase ("Mopti" of "Mali's Mopti region"), or a country."""
    name = p.text.lower()
    return p.kind_hint == "province" or name in lex.demonym_map or any(
        q.kind_hint == "province" and q.text.lower().endswith(name) for q in named)


def _borrowed_places(doc: Document, d: Draft, lex: Lexicon,
                     ds: DocSentences | None = None) -> list[PlaceMention]:
    """A draft that names no place ("the city has been shaken") takes the places of the
    sentences before it in its paragraph, nearest first, then of the headline, as 'near'."""
    s0 = d.sentences[0]
    sents = ds.sentences if ds is not None else split_sentences(doc.body)
    before = [s for s in sents if s.paragraph == s0.paragraph and s.end <= s0.start]
    heads = [s for s in sents if s.is_headline and s.end <= s0.start]
    for s in list(reversed(before)) + heads:
        ex = [(m.start, m.end) for m in find_actors(s.text, lex)]
        found = [p for p in find_place_mentions(s.text, s.start, ex) if p.role != "other"]
        if not found and s.is_headline:
            found = [PlaceMention(m.group(), s.start + m.start(), s.start + m.end(), "in")
                     for m in re.finditer(r"(?<![\w-])[A-Z][a-z]+(?:[- ][A-Z][a-z]+)?(?= "
                                          r"(?:civilians|residents|villagers|city|town))",
                                          s.text)]
        if found:
            return found
    return []


# Admin terms used by one country only: "Rafi LGA" is in Nigeria, "Kongor payam" in South Sudan.
_ADMIN_TERMS = {"LGAs?": "NG", "[Pp]ayams?": "SS", "[Uu]pazilas?": "BD", "[Ww]ored(?:a|as)": "ET",
                "[Kk]ebeles?": "ET", "[Bb]arangays?": "PH", "[Cc]hiefdoms?": "SL"}
_NOT_PLACE_DEMONYM = re.compile(
    r"[\s-](?:dollars?|currency|embassy|envoys?|-?backed|-?led|-?made|-?based|-?funded|"
    r"-?supported|-?trained|sanctions|president|administration|troops|patriot|companies|"
    r"company|firms?|nationals?|citizens?|passport|hospitals?|clinics?|schools?|university|"
    r"mosques?|church(?:es)?|banks?|restaurants?|hotels?|consulates?|charity|charities)\b",
    re.I)


# people named by the country they come from because they are abroad: their demonym says
# nothing about where the event was ("Italian aid worker killed in B'desh", "Cambodian
# peacekeeper killed in ambush", "Burundi UN peacekeeper killed in C.Africa")
_ABROAD = re.compile(r"\s+(?:UN\s+|aid\s+|humanitarian\s+|charity\s+)?(?:peacekeepers?|"
                     r"(?:aid|relief|charity|humanitarian) workers?|workers?|volunteers?|"
                     r"tourists?|missionar(?:y|ies)|expatriates?|hostages?|engineers?|"
                     r"journalists?|reporters?|nuns?|priests?|backpackers?)\b"
                     r"(?!\s+(?:resorts?|areas?|sites?|spots?|destinations?|towns?|cities|"
                     r"city|industry|sector|visas?|season|attractions?|unions?|party|"
                     r"parties|camps?)\b)", re.I)   # not a noun's modifier ("tourist resort")


def _abroad_isos(text: str, lex: Lexicon) -> set[str]:
    """The countries whose demonym names people who are abroad (`_ABROAD`)."""
    if not lex.demonym_re:
        return set()
    return {iso for m in lex.demonym_re.finditer(text) if _ABROAD.match(text, m.end())
            and (iso := lex.demonym_map.get(m.group(1).lower()))}


def _country_hints(ev: Event, d: Draft, lex: Lexicon) -> tuple[list[str], list[str], list[str]]:
    """Countries the text points to, best first, and the strong ones among them: countries
    named as places and named groups' home countries. Then the victims' and the state
    forces' demonyms (which may be foreign forces), then any other demonym. Third, the
    hints that may lead: all but the homes of a group active in several countries, which
    say where to look, not which country it is ("IS" is in Syria and Iraq, Fulani militias
    in a dozen countries)."""
    text = " ".join(s.text for s in d.sentences)
    out: list[str] = []
    strong: list[str] = []
    vague: set[str] = set()
    starts, k = [], 0      # where each sentence's text begins in ``text``
    for x in d.sentences:
        starts.append((k, x))
        k += len(x.text) + 1

    def span(a: int, b: int) -> tuple[int, int] | None:
        """The body span of text[a:b] (within one sentence)."""
        for k0, x in reversed(starts):
            if k0 <= a:
                return (x.start + a - k0, x.start + b - k0) if b - k0 <= len(x.text) else None
        return None

    def add(iso, is_strong=False, is_vague=False, at=None):
        if iso and at is not None and iso not in ev.hint_spans:
            ev.hint_spans[iso] = at    # the words that point to the country: its evidence
        if iso and not is_vague:
            vague.discard(iso)     # a group's home the text also points to otherwise
        elif iso and iso not in out:
            vague.add(iso)
        if iso and iso not in out:
            out.append(iso)
        if iso and is_strong and iso not in strong:
            strong.append(iso)

    for term, iso in _ADMIN_TERMS.items():
        if m := re.search(rf"\b{term}\b", text):
            add(iso, True, at=span(*m.span()))
    if lex.demonym_re:
        for m in re.finditer(r"(?:\bin|\bof|\bfrom|\bacross|\bthroughout|,|\()\s*(?:the\s+)?"
                             r"((?i:(?:(?:north|south)-?(?:east|west)(?:ern)?|northern|southern|"
                             r"eastern|western|central|north|south|east|west)\s+)?"
                             r"([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,3}))"
                             r"(?=\s*(?:[,.;:)\]]|$|\s+(?:on|in|and|after|as|when|where|while|"
                             r"during|near|since|amid|following|province|state|region|for|to|"
                             r"with|at|over|from|by|until|against)\b))",
                             text):
            # "in Central African Republic", "in South Sudan": the compass word may be the
            # country's own; "in northern Mali" is Mali
            for name in dict.fromkeys((m.group(1).lower(), m.group(2).lower())):
                iso = lex.demonym_map.get(name)
                c = lex.countries.get(iso) or {}
                if iso and name in {c.get("name", "").lower(),
                                    *(a.lower() for a in c.get("aliases") or [])}:
                    add(iso, True, at=span(*m.span(1)))
                    break
    refs = ev.actors1 + ev.actors2
    said = {id(m.ref): (x.start + m.start, x.start + m.end) for x, m in d.mentions}
    for r in refs:
        if r.kind == "named":
            a = next((x for x in lex.actors if x.get("key") == r.key), None) or {}
            homes = a.get("countries") or []
            multi = bool(a.get("variants") or a.get("per_country"))
            if r.name and a.get("variants"):
                homes = [k for k, v in a["variants"].items() if v == r.name] or homes
                multi = False   # the variant names its region ("Islamic State (Greater Sahara)")
            for iso in homes:
                # a group active in many countries says little about where this event was
                add(iso, len(homes) <= 3 and not multi, len(homes) > 1, at=said.get(id(r)))
    for r in refs:
        if r.kind in ("military", "police", "government") and r.country and r.name and \
                not r.foreign:
            add(r.country, True, at=said.get(id(r)))   # a named state-like actor of one
            # country ("GNA", "Houthis")
    abroad = _abroad_isos(text, lex)
    for r in refs:
        if r.kind in ("civilians",) and r.country and r.country not in abroad:
            add(r.country, at=said.get(id(r)))
    for x, m in d.mentions:
        if m.ref.kind == "civilians" and m.ref.country and m.ref.country not in abroad:
            add(m.ref.country, at=(x.start + m.start, x.start + m.end))
    for r in refs:
        if r.kind in ("military", "police", "government") and r.country and not r.foreign \
                and not r.name:
            add(r.country, at=said.get(id(r)))
    for x, m in d.mentions:
        if m.ref.country and not m.ref.foreign and not (
                m.ref.kind == "civilians" and m.ref.country in abroad):
            add(m.ref.country, at=(x.start + m.start, x.start + m.end))
    if lex.demonym_re:
        for m in lex.demonym_re.finditer(text):
            if _NOT_PLACE_DEMONYM.match(text, m.end()) or _ABROAD.match(text, m.end()):
                continue
            add(lex.demonym_map.get(m.group(1).lower()), at=span(m.start(1), m.end(1)))
    for src in ev.sources:   # a monitor that covers one country ("OSCE SMM-Ukraine") reports
        o = next((x for x in lex.outlets if x.get("name") == src.outlet), None) or {}
        if o.get("scale") == "Other" and o.get("country") and not o.get("party"):
            said_by = next(((e.start, e.end) for e in ev.evidence if e.field == "source"), None)
            add(o["country"], at=said_by)   # naming takes the country from this hint too
    return out, strong, [iso for iso in out if iso not in vague]


def _confidence(ev: Event, d: Draft, cue) -> float:
    c = 0.4
    if ev.actors1:
        c += 0.15
    if ev.event_date and ev.time_precision == 1:
        c += 0.15
    if ev.places:
        c += 0.15
    if cue is not None and cue.cls not in ("attack", "change", "other"):
        c += 0.1
    return round(min(c, 0.95), 2)


def _crowd_identity(text: str, lex: Lexicon) -> list[str]:
    out = []
    for label, words in (lex.generic.get("identity") or {}).items():
        rx = re.compile(r"(?<![\w-])(?:" + "|".join(words) + r")(?![\w])", re.I)
        if rx.search(text):
            out.append(label)
    return out


def trig_pos(d: Draft) -> int:
    cues = [c for c in d.cues if c.cls not in ("change", "intervention", "other")] or d.cues
    return min((c.start for c in cues), default=d.sentences[0].start)


def _set_actors(ev: Event, d: Draft, agent_m, patient_m, others, lex: Lexicon,
                body: str) -> None:
    et, sub = ev.event_type, ev.sub_event_type
    s0 = d.sentences[0]
    all_ms = [m for _, m in d.mentions]
    state_ms = [m for m in all_ms if m.ref.kind in ("military", "police")]

    def ref_of(m):
        return m.ref if m else None

    # where each actor phrase's sentence starts: a mention's span is relative to its own
    # sentence, and the roles may come from any sentence of the draft
    base = {id(m.ref): s.start for s, m in d.mentions}

    if et in ("Protests", "Riots"):
        crowd = ActorRef(kind="protesters" if et == "Protests" else "rioters")
        first_crowd = next((m for m in all_ms if m.ref.kind in ("crowd", "civilians")), None)
        if first_crowd:
            off = base.get(id(first_crowd.ref), s0.start)
            crowd.start, crowd.end = off + first_crowd.start, off + first_crowd.end
            crowd.country = first_crowd.ref.country   # "Chinese demonstrators": (China)
        ev.actors1 = [crowd]
        head = s0.text[: (first_crowd.end + 40) if first_crowd else 80]
        ev.assoc_actor_1 = "; ".join(_crowd_identity(head, lex))
        target = None
        if sub in ("Protest with intervention", "Excessive force against protesters") or \
                et == "Riots":
            target = next((m for m in state_ms), None)
        s0_ms = [m for x, m in d.mentions if x is s0]
        first_state = next((m for m in s0_ms if m.ref.kind in ("military", "police")), None)
        victim = next((m for m in s0_ms if m.ref.kind in ("civilians", "crowd") and (
            first_crowd is None or m.start > first_crowd.start) and m is not first_crowd), None)
        brawl = re.search(r"\b(?:clash\w*|fight\w*|brawl\w*|scuffle\w*)\b", s0.text, re.I)
        if sub == "Mob violence" and (first_state is None or (
                victim is not None and victim.start < first_state.start)):
            # the mob's own target comes first ("a mob attacked health workers and police");
            # police arriving later to arrest or disperse are not the other side
            target = None
            if brawl:
                # a brawl between two crowds: rioters on both sides (CODEBOOK 2: communal brawl)
                ev.actors2 = [ActorRef(kind="rioters", country=victim.ref.country if victim
                                       else "")]
            elif victim is not None:
                ev.actors2 = [ActorRef(kind="civilians", country=victim.ref.country)]
        if sub == "Mob violence" and target is None and not ev.actors2:
            target = patient_m if patient_m and patient_m.ref.kind not in ("crowd",) else None
            if target is None and not re.search(r"\b(?:clash\w*|fight\w*|brawl\w*)\b",
                                                s0.text, re.I):
                # a mob attacking people or their property: the victims are civilians
                ev.actors2 = [ActorRef(kind="civilians")]
        if target is not None:
            ev.actors2 = [target.ref]
        for r, fld in ((crowd, "actor1"), (target.ref if target else None, "actor2")):
            if r is not None and r.start >= 0:
                off = 0 if r is crowd else base.get(id(r), s0.start)
                ev.add_evidence(fld, r.start + off, r.end + off, body)
        return
    agent, patient = ref_of(agent_m), ref_of(patient_m)
    if et == "Violence against civilians":
        if agent is not None and agent.kind in ("civilians", "crowd"):
            agent, patient = (patient if patient and patient.kind in ARMED_KINDS else None), agent
        if agent is None:
            agent = next((m.ref for m in all_ms if m.ref.kind in ARMED_KINDS), None)
        ev.actors1 = [agent or ActorRef(kind="unidentified")]
        ev.actors2 = [ActorRef(kind="civilians", start=patient.start if patient else -1,
                               end=patient.end if patient else -1,
                               country=patient.country if patient and patient.kind in (
                                   "civilians", "crowd") else "")]
        ev.civilian_targeting = "Civilians targeted"
    elif sub == "Arrests":
        if agent is not None and agent.kind == "military" and re.search(
                r"security|forces", agent.text or "", re.I) and not re.search(
                r"army|military|soldier|troop", agent.text or "", re.I):
            agent = ActorRef(kind="police", country=agent.country, start=agent.start,
                             end=agent.end, text=agent.text)   # arrests are police work
        if agent is None or agent.kind not in ("military", "police", "government"):
            if agent is not None and agent.kind in ("named",) and patient is None:
                patient = agent
            agent = next((m.ref for m in state_ms), None) or ActorRef(kind="police")
        ev.actors1 = [agent]
        if patient is not None and patient is not agent:
            ev.actors2 = [patient if patient.kind != "crowd" else ActorRef(kind="civilians")]
        else:
            ev.actors2 = [ActorRef(kind="civilians")]
    else:
        if agent is None and patient is not None and et == "Battles":
            agent, patient = patient, None
        if agent is not None and agent.kind in ("civilians",) and et != "Strategic developments":
            # victims named first, attacker unknown
            patient, agent = agent, None
        unnamed = not any(m.ref.kind in ARMED_KINDS for m in all_ms)
        if agent is None and et in ("Battles", "Explosions/Remote violence",
                                    "Violence against civilians") or \
                (agent is None and sub == "Looting/property destruction"):
            # nobody named at all: on a front with two known sides (countries.yaml
            # `front_sides`), naming codes it between them
            agent = ActorRef(kind="unidentified",
                             key=FRONT_KEYS[0] if unnamed and et != "Violence against civilians"
                             else "")
        if et == "Battles" and patient is None:
            # the other side named elsewhere in the report ("At least five soldiers were
            # killed"), or the attacked post itself ("attacked a military base")
            other = next((m.ref for _, m in d.mentions if m.ref.kind in ARMED_KINDS
                          and agent is not None and (m.ref.kind, m.ref.key) !=
                          (agent.kind, agent.key)), None)
            if other is None and agent is not None and agent.kind not in ("military",) and \
                    re.search(r"\b(?:military|army) (?:base|post|outpost|camp|checkpoint|"
                              r"position|convoy|patrol)s?\b", " ".join(x.text for x in
                                                                      d.sentences), re.I):
                other = ActorRef(kind="military")
            patient = other or ActorRef(kind="unidentified", key=FRONT_KEYS[1] if unnamed else "")
        if agent is None and sub == "Other":
            # displacement, returns, mass graves: the people it happened to
            agent = next((m.ref for _, m in d.mentions if m.ref.kind == "civilians"), None)
        ev.actors1 = [agent] if agent else []
        ev.actors2 = [patient] if patient else []
        if sub in ("Change to group/activity", "Other", "Headquarters or base established",
                   "Non-violent transfer of territory") and patient is not None and \
                patient.kind not in ("civilians", "crowd") and patient_m is not None and \
                agent_m is not None and (patient_m.start < (trig_pos(d) - s0.start) or re.fullmatch(
                    r"\s+and\s+", s0.text[agent_m.end:patient_m.start])):
            # a co-subject ("Turkey and Russia conducted a joint patrol"): associated actor
            ev.actors1.append(patient)
            ev.actors2 = []
        elif sub in ("Change to group/activity", "Other") and patient is not None and \
                patient.kind == "named" and agent is not None and agent.kind == "government":
            ev.actors2 = []   # "the government released Taliban prisoners"
        if sub in ("Looting/property destruction", "Disrupted weapons use") and \
                ev.actors1 and ev.actors1[0].kind in ("military", "police") and re.search(
                    r"\b(?:drugs?|narco\w*|marijuana|cannabis|coca|cocaine|poppy|opium|"
                    r"trafficking|clandestine (?:laborator\w+|airstrip|lab))\b",
                    " ".join(s.text for s in d.sentences), re.I):
            ev.actors2 = [ActorRef(kind="gang")]
        if sub == "Looting/property destruction" and not ev.actors2:
            ev.actors2 = [ActorRef(kind="civilians")]
        if ev.actors2 and ev.actors2[0].kind == "civilians" and et in (
                "Explosions/Remote violence",):
            ev.civilian_targeting = "Civilians targeted"
    # associated actors: other armed actors acting with actor1 ("X and Y attacked")
    for m in others:
        if m.ref.kind in ("named", "military", "police") and agent_m is not None and \
                m.end <= agent_m.start + 2 and re.search(r"\band\b|,|\bwith\b",
                                                         s0.text[m.end:agent_m.start] + " and"):
            ev.actors1.append(m.ref)
    for refs in (ev.actors1, ev.actors2):
        if refs:
            full = _fullest(refs[0], all_ms)
            base[id(full)] = base.get(id(refs[0]), s0.start)   # the bare noun's span
            refs[0] = full
    for fld, refs in (("actor1", ev.actors1), ("actor2", ev.actors2)):
        if refs and refs[0].start >= 0 and refs[0].text:
            off = base.get(id(refs[0]), s0.start)
            ev.add_evidence(fld, off + refs[0].start, off + refs[0].end, body)


def _fullest(ref: ActorRef, mentions: list[Mention]) -> ActorRef:
    """A bare state noun ("the Police", "officers") stands for the unit the report named in
    full ("Military Police officers"): the unit is kept (CODEBOOK 3: units appended)."""
    if ref.kind not in ("military", "police") or ref.unit or ref.name or not ref.text:
        return ref
    word = re.sub(r"^(?:the|a|an)\s+", "", ref.text.strip(), flags=re.I).lower()
    for m in mentions:
        r = m.ref
        if r.kind in ("military", "police") and r.unit and r is not ref and \
                (not ref.country or r.country in ("", ref.country)) and \
                re.search(rf"\b{re.escape(word)}\b", r.text or "", re.I):
            return replace(r, start=ref.start, end=ref.end)
    return ref


def _sources(ev: Event, doc: Document, d: Draft, lex: Lexicon) -> None:
    if lex.outlet_re is None:
        return
    text_spans = [(s.start, s.text) for s in d.sentences]
    claims, confirms, reports = [], [], []
    for off, text in text_spans:
        for m in lex.outlet_re.finditer(text):
            o = lex.outlet_map.get(m.group(1)) or lex.outlet_map.get(m.group(1).lower())
            if not o:
                continue
            pre = text[max(0, m.start() - 40):m.start()]
            if o.get("ambiguous") and not re.search(
                    r"\b(?:according to|reported by|told|quoted by|citing|cited by|said|says|"
                    r"reported|via|source[sd]?:?)\s+(?:the\s+)?$", pre, re.I) and not re.match(
                    r"\s+(?:said|says|reported|reports|news|newspaper|agency|television|TV|radio)\b",
                    text[m.end():]):
                continue   # "Dawn" the outlet, not "at dawn"
            role = "claim" if o.get("party") else "report"
            if re.search(r"confirm\w*\s+(?:by\s+)?(?:the\s+)?$", pre, re.I):
                role = "confirmation"
            src = Source(doc_id=doc.id, outlet=o.get("name", m.group(1)), role=role,
                         party=o.get("party", ""), url=doc.url, start=off + m.start(),
                         end=off + m.end())
            {"claim": claims, "confirmation": confirms, "report": reports}[role].append((src, o))
    if any(re.search(r"\bconfirm", s.text, re.I) for s in d.sentences) and claims and reports:
        for src, _ in reports:
            src.role = "confirmation"
        confirms += reports
        reports = []
    for src, _ in claims + confirms + reports:
        ev.sources.append(src)
        ev.add_evidence("source", src.start, src.end, doc.body)
    outlets = []
    for src in ev.sources:
        if src.outlet not in outlets:
            outlets.append(src.outlet)
    if doc.source_name and doc.source_name not in outlets:
        outlets.append(doc.source_name)
    ev.source = "; ".join(outlets)
    scales = []
    for _, o in claims + confirms + reports:
        sc = o.get("scale")
        if sc and sc not in scales:
            scales.append(sc)
    ev.source_scale = "-".join(scales)
    first = d.sentences[0]
    claim_in_first = any(first.start <= src.start < first.end for src, _ in claims)
    if claims and not confirms and not reports and not claim_in_first:
        ev.claim_status = "reported"   # reported in the outlet's own voice; a claim as well
    elif claims and not confirms and not reports:
        ev.claim_status = "claimed"
    elif claims and confirms:
        ev.claim_status = "confirmed"
    elif confirms:
        ev.claim_status = "confirmed"
    else:
        ev.claim_status = "reported"
    # party outlets whose death claims ACLED zeroes (e.g. Voice of Jihad)
    if claims and not confirms and not reports and any(o.get("zero_fatalities")
                                                         for _, o in claims):
        ev.claimed_fatalities = ev.fatalities
        ev.fatalities = 0
    elif claims:
        ev.claimed_fatalities = ev.fatalities


# a crowd struck by a strike or a raid is its civilians, in one telling or the other
_UNARMED = {("crowd", ""): ("civilians", "")}


def _compatible(a: Event, b: Event) -> bool:
    """The same actor pair, or one side shared and the other unnamed in one telling ("the
    rebels" for the NPA named before, "the attackers")."""
    ka, kb = (tuple(_UNARMED.get(k, k) for k in _actor_keys(e)) for e in (a, b))
    if set(ka) == set(kb):
        return True
    sa, sb = [k for k in ka if k], [k for k in kb if k]
    shared = set(sa) & set(sb)
    # civilians in a battle are a telling's misreading (no battle has civilians on a side:
    # "opened fire on the base ..., many families hid"), no side of its own
    loose = {"unidentified"} | ({"civilians"} if "Battles" in (a.event_type, b.event_type)
                                else set())
    if not shared:
        return False   # (either side unnamed in either telling: a timeline's two incidents
        # at one place and day folded, articles/m23)
    return any(all(k[0] in loose for k in side if k not in shared)
               for side in (sa, sb))


_SETTLEMENT_KINDS = ("village", "city", "district", "province")


def _own_place(ev: Event, first: Event) -> PlaceMention | None:
    """The place `ev` says it happened at, when `first` does not name it."""
    m = _where_mention(ev)
    return m if m and m.text.lower() not in {p.text.lower() for p in first.places} else None


def fold_placed(events: list[Event], lex: Lexicon,
                same_place: Callable[[Event, Event], bool]) -> list[Event]:
    """CODEBOOK 1 at the page level, once places are resolved: a later draft with no day of
    its own, of the same event type as an earlier one that day, at the same place
    (`same_place`, the geo stage's judgement; or with no place of its own, right after it)
    and with compatible actors, is that incident told again (an army's account of the
    firefight in "Barangay Carabalan" after the lede's clash in Himamaylan). Demonstrations
    keep their own rule (one per place, day and issue), applied by `extract_events`."""
    out: list[Event] = []
    for ev in events:
        same = None
        if _undated(ev):
            for first in reversed(out):
                if first.event_date != ev.event_date and not _day_borrowed(first, ev):
                    continue
                if ev.event_type != first.event_type or ev.event_type in _DEMONSTRATION:
                    continue   # demonstrations: one per place, day *and issue*
                own = _own_place(ev, first)
                narrower = first is out[-1] and (_in_region(first, ev) or (
                    first.latitude is None and ev.latitude is not None and
                    (not _where(first) or _where(first) in lex.demonym_map)))
                # (or the lede placed the incident only in a country: "attacked a military
                # base in northeastern Nigeria", then "opened fire on the base in Damboa")
                if ev.latitude is None:
                    if first is not out[-1] or own and own.kind_hint in _SETTLEMENT_KINDS \
                            and not _told_at_region(first):
                        continue   # unplaced: the previous event's place, unless it names a
                        # village, town or district of its own ("in Kwall village"), not
                        # inside the only region the previous one names
                elif narrower:
                    pass
                elif first.latitude is None or not same_place(first, ev):
                    continue
                elif own and (ev.geo_precision or 1) > 1:
                    continue   # another named place, coded to the unit both fall back to
                if not _compatible(first, ev):
                    continue
                same = first
                if narrower:   # the lede's region, the telling's town in it: the town
                    for f in PLACE_FIELDS:
                        setattr(same, f, getattr(ev, f))
                    same.evidence = [x for x in same.evidence if x.field != "location"] + [
                        x for x in ev.evidence if x.field == "location"]
                break
        elif out and _lede_of(out[-1], ev, lex):
            same = out[-1]
            _fold(same, ev, lex)
            if ev.latitude is not None:   # (_lede_of: the lede has no place, or a region)
                for f in PLACE_FIELDS:
                    setattr(same, f, getattr(ev, f))
                same.evidence = [x for x in same.evidence if x.field != "location"] + [
                    x for x in ev.evidence if x.field == "location"]
            continue
        if same is not None:
            _fold(same, ev, lex)
            continue
        out.append(ev)
    return out


def _day_borrowed(first: Event, ev: Event) -> bool:
    """`ev` has no day of its own and the day it borrowed (a later sentence's, the page's) is
    at most LEDE_DAYS after `first`'s: its day says nothing against being `first` told again
    ("A militia leader put the number of dead at nine", after "By Wednesday the toll had
    risen" about Tuesday's attack)."""
    if not (first.event_date and ev.event_date) or not _undated(ev):
        return False
    gap = (date.fromisoformat(ev.event_date) - date.fromisoformat(first.event_date)).days
    return 0 <= gap <= LEDE_DAYS


def _told_at_region(e: Event) -> bool:
    """The text places `e` only at a region it names ("in the central Sagaing region")."""
    m = _where_mention(e)
    return m is not None and m.kind_hint == "province"


def _region_only(e: Event) -> bool:
    """Where `e` happened is only a region ("in central Mali's Mopti region", "in the Sagaing
    region"), however its name resolved (to the region, or to a town of that name)."""
    m = _where_mention(e)
    if m is None:
        return False
    if (e.geo_precision or 0) >= 3 or m.kind_hint == "province":
        return True
    name = m.text.lower()
    return any(p.kind_hint == "province" and p.text.lower().endswith(name) for p in e.places)


def _in_region(region: Event, ev: Event) -> bool:
    """`region` is placed only at a region and `ev` inside it, at a place of its own
    ("in the Bandiagara district")."""
    return region.latitude is not None and ev.latitude is not None and \
        _region_only(region) and not _region_only(ev) and \
        bool(region.admin1) and region.admin1 == ev.admin1 and \
        region.country_code == ev.country_code


LEDE_DAYS = 7   # a lede dated only by its page is about an incident at most this much older


def _lede_of(lede: Event, ev: Event, lex: Lexicon) -> bool:
    """A lede with neither a day nor a place of its own ("The army announced the death of 11
    soldiers in an attack"), right before a telling of the same type with both ("... targeted
    the detachment of Madjoari on Thursday"): the lede announced that incident, which gives
    it its day and place (CODEBOOK 1: a new event needs a new place, day or actor pair)."""
    where = _where(lede)
    if not _undated(lede) or _undated(ev):
        return False
    if lede.latitude is not None:
        # a region is no place of its own either ("in Nigeria's Niger state", coded to its
        # capital) when the telling is placed inside it or nowhere the gazetteer knows
        if (lede.geo_precision or 0) < 3 or not lede.admin1 or ev.latitude is not None and (
                lede.admin1 != ev.admin1 or lede.country_code != ev.country_code):
            return False
    elif where and where not in lex.demonym_map or ev.latitude is None:
        return False   # (a country named is no place of its own: "in eastern Burkina Faso")
    if lede.event_type != ev.event_type or ev.event_type in _DEMONSTRATION:
        return False
    if not lede.event_date or not ev.event_date or not 0 <= (
            date.fromisoformat(lede.event_date) - date.fromisoformat(ev.event_date)
    ).days <= LEDE_DAYS:
        return False
    return _compatible(lede, ev)
