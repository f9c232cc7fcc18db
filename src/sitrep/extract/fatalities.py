"""Fatality and injury counts by ACLED's conservative rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numbers import NUMBER_RE, parse_number
from .prefilter import Gate

_Q = (r"(?:(?:at least|at most|about|around|approximately|nearly|almost|some|over|more than|all|between|"
      r"up to|an estimated|roughly|close to|as many as|no fewer than|no less than)\s+)?")
QNUM = rf"({_Q}{NUMBER_RE})"
_DEATH = (r"(?:killed|dead|died|dies|die|shot dead|neutrali[sz]ed|embraced martyrdom|executed|murdered|beheaded|slain|massacred|martyred|"
          r"lost (?:their|his|her) li(?:v|f)es?|deprived of (?:their |his |her )?li(?:v|f)es?|"
          r"burned to death|burnt to death|"
          r"shot and killed|stabbed to death|beaten to death|hacked to death|shot to death|"
          r"lynched|perished)")
_HURT = r"(?:injured|wounded|hurt|hospitali[sz]ed)"
_AUX = r"(?:\s+(?:were|was|have been|had been|are|is|being|got|reportedly|allegedly|also|later|" \
       r"all|subsequently|who were|who was|and|been))*"
# the words of the dead's noun phrase; "and a/an" starts another one ("two soldiers and a
# civilian were killed": each phrase counts)
_NOUNS = (r"(?:\s+(?!\d|one\b|two\b|three\b|four\b|five\b|six\b|seven\b|eight\b|nine\b|ten\b|"
          r"and\s+(?:a|an)\b)[#\w'’\x22“”-]+){0,5}?")
_EXCLUDE_AFTER = re.compile(r"\s*-?\s*(?:days?|weeks?|months?|years?|km|kilomet|miles?|hours?|"
                            r"minutes?|percent|%|am|pm|a\.m|p\.m|vehicles?|houses?|homes?|january|february|"
                            r"march|april|may|june|july|august|september|october|november|"
                            r"december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
                            r"buildings?|shops?|trucks?|cars?|villages?|rounds?|shells?|"
                            r"rockets?|mortars?|missiles?|times?|metres|meters|kg|tons?)\b", re.I)

# "<a noun> killed <someone>": active voice, the subject did the killing
_ACTIVE_KILL = re.compile(r"^(?:a|an)\s+(?:(?!were\b|was\b|been\b|is\b|are\b)[#\w'’-]+\s+)+"
                          r"(?:killed|kills)$", re.I)
_OBJECT = re.compile(rf"\s+(?:{QNUM}|his|her|their|the|a|an)\b", re.I)
_ONE_OBJECT = re.compile(r"\s+(a|an|his|her|the)\s+(?!(?:\d|one|two|three|four|five|six|seven|"
                         r"eight|nine|ten|dozens?|scores|hundreds|several|many|few)\b)", re.I)
_SUICIDE = re.compile(r"\bsuicide\b|\bbomber\b", re.I)
_AGE = re.compile(r"-years?-old\b", re.I)    # "23-year-old Ahmed": an age, one person

# two sources' figures in one sentence, not two groups of dead: "the army said five were
# killed, but the disaster office later recovered four bodies"
_DIFFER = re.compile(r"\b(?:but|however|whereas|while|though|although|other sources|others)\b",
                     re.I)
_SAYS = re.compile(r"\b(?:said|says|reported|claimed|put|according)\b", re.I)

_PATTERNS_DEATH = [
    re.compile(rf"\b{QNUM}{_NOUNS}{_AUX}\s+(?:reportedly\s+)?{_DEATH}\b", re.I),
    re.compile(rf"\b(?:killing|killed|kills|kill|leaving|left|claimed the lives of|executed|"
               rf"lynched|lynching|beat to death|beating to death|hacked to death|"
               rf"murdered|slaughtered|massacred|shot dead|beheaded|shooting dead|"
               rf"shot and killed|resulting in the deaths? of|deaths? of)\s+{QNUM}\b", re.I),
    # "the death toll rose to 20", and with where it is from: "the death toll from the raid
    # on the camp in the city of Tulkarem climbed to five"; a toll is the dead's unless it
    # says whose ("the toll from Sunday's strikes rose to five", "put the toll at 17"); a
    # number of dead named by who they were ("the number of police officers killed ... has
    # risen to six")
    re.compile(rf"(?<!injury )(?<!injured )(?<!casualty )(?<!wounded )\b(?:toll|number of (?:the )?"
               rf"(?:[\w()'’-]+\s+){{0,5}}?(?:dead|deaths|fatalities|victims|killed)(?:\s+[a-z]+)?)\s+"
               rf"(?:(?:\w+\s+){{0,3}}?|[^.;:,]{{0,100}}?\b(?:rose|risen|rises|"
               rf"climbed|climbs|increased|reached|jumped|stood|stands|went up)\s+)"
               rf"(?:to|at|of)\s+{QNUM}\b", re.I),
    re.compile(rf"\b{QNUM}\s+(?:people\s+|persons\s+)?(?:dead|deaths|fatalities|bodies|corpses)\b",
               re.I),
    re.compile(rf"\b(?:bod(?:y|ies)|corpses?|remains)\s+of\s+{QNUM}\b", re.I),
    re.compile(rf"\b(?:claimed|claiming|cost)\s+{QNUM}\s+(?:\w+\s+)?lives\b", re.I),   # "claimed 7 lives"
]
# the other side's dead, after their number: "five of the attackers", "12 militants"
_ATTACKERS_DEAD = re.compile(r"\s+(?:of\s+the\s+|of\s+their\s+)?(?:\w+\s+)?(?:attackers|assailants|"
                             r"militants|gunmen|bandits|insurgents|raiders|terrorists|"
                             r"jihadists|rebels|fighters)\b", re.I)
# "killing a family of five": the family's members (read before "killing a" is one dead)
_FAMILY = re.compile(rf"\b(?:killing|killed|kills|kill|massacred|wiped out)\s+(?:a|an|the|all)\s+"
                     rf"(?:\w+\s+)?(?:family|families|household|group|crew)\s+of\s+{QNUM}\b", re.I)
_PATTERNS_HURT = [
    re.compile(rf"\b{QNUM}{_NOUNS}{_AUX}\s+(?:seriously\s+|critically\s+|slightly\s+)?{_HURT}\b",
               re.I),
    re.compile(rf"\b(?:injuring|injured|wounding|wounded|injures|wounds|leaving)\s+{QNUM}\b", re.I),
    re.compile(rf"\b{QNUM}\s+(?:people\s+)?(?:injured|wounded|injuries)\b", re.I),
]
_NONE = re.compile(r"\b(?:no (?:one|body|casualties|fatalities|deaths|injuries|victims|losses|"
                   r"reports? (?:on|of) (?:casualties|fatalities|injuries))|"
                   r"neither (?:fatalities|injuries|casualties|deaths)|"
                   r"without (?:causing )?(?:any )?(?:casualties|injuries|fatalities|deaths)|"
                   r"nobody (?:was )?(?:killed|hurt|injured)|no-one (?:was )?killed|"
                   r"(?:fatalities|casualties|deaths) (?:were|was) not reported|"
                   r"none (?:were|was) (?:killed|injured|hurt))\b", re.I)
_OR = re.compile(r"\b(?:kill(?:ed|ing)?\s+or\s+(?:injur|wound)\w*|(?:injur|wound)\w*\s+or\s+"
                 r"kill\w*|casualties)\b", re.I)
_AND = re.compile(rf"\b(?:kill(?:ed|ing)\s+and\s+(?:injur|wound)\w*|dead\s+(?:and|or)\s+(?:injured|"
                  rf"wounded))\s+{QNUM}", re.I)
# Who a bare "killed" speaks of, whatever the noun (things are not killed): "Peacekeeper
# killed in ambush", "Gunmen kill vaccinator in Kurram" are one dead, "Palestinians killed by
# troops" several (CODEBOOK 6: plural deaths with no number, 3). Not a collective, a pronoun,
# a quantifier or a verb or adverb next to "killed" ("no one", "those killed", "were killed").
_NOT_A_VICTIM = (r"(?:people|police|personnel|staff|crew|family|militia|gang|group|unit|team|"
                 r"convoy|patrol|one|nobody|none|anyone|everyone|who|he|she|it|him|her|them|"
                 r"himself|herself|themselves|us|that|which|and|or|not|never|also|being|been|"
                 r"be|is|was|were|are|had|has|have|his|its|this|thus|later|then|those|these|"
                 r"some|all|many|few|more|most|each|any|both|twice|once|several|others|"
                 r"dozens|scores|hundreds|thousands|tens|always|perhaps|time)\b")
_BARE_END = (r"(?=\s+(?:in|at|near|by|on|after|during|as|while|when|amid|outside|inside|over|"
             r"following)\b|\s*(?:[,.;:]|\s-\s|$))")
_ONE_KILLED = (rf"(?<![\w'-])(?!{_NOT_A_VICTIM})[a-z][a-z-]*[a-rt-z](?<!men)(?<!ren)(?<!ly)"
               rf"\s+(?:was\s+)?killed{_BARE_END}|"
               rf"\b(?:kills?|killed|killing|murders?|murdered)\s+(?:an?\s+|one\s+)?"
               rf"(?!{_NOT_A_VICTIM})[a-z][a-z-]*[a-rt-z](?<!men)(?<!ren)(?<!ly){_BARE_END}")
_SOME_KILLED = (rf"(?<![\w'-])(?!{_NOT_A_VICTIM})[a-z][a-z-]*s\s+(?:(?:were|have been|had been)"
                rf"\s+)?(?:reportedly\s+)?killed{_BARE_END}")
_VAGUE_DEATH = re.compile(r"\b(?:deaths|killings|fatalities|(?:people|civilians|soldiers|"
                          r"militants|fighters|members|elements|policemen|troops|others|"
                          r"persons|villagers|residents|children|women|men)\s+(?:\w+\s+){0,2}"
                          r"(?:were|have been|had been)\s+(?:reportedly\s+)?(?:killed|shot dead|"
                          r"executed|murdered)|"
                          r"(?:killed|killing|kills?) (?:(?:several|many|dozens of|scores of|a number of)"
                          r"\s+)?(?:[A-Z][\w-]+\s+){0,2}(?:people|civilians|soldiers|militants|fighters|"
                          r"members|elements|policemen|troops|villagers|residents|rebels|"
                          r"insurgents|terrorists|extremists|jihadists|gunmen|pro-[\w-]+ "
                          r"(?:fighters|elements))|there are deaths)\b|"
                          rf"{_SOME_KILLED}", re.I)
_SINGULAR = (r"(?:terrorist|militant|soldier|policeman|policewoman|civilian|man|woman|child|boy|"
             r"girl|activist|doctor|priest|journalist|leader|commander|officer|student|worker|"
             r"farmer|teacher|trader|professor|bomber|suspect|driver|official|chief|guard|"
             r"fighter|rebel|insurgent|cleric|imam|pastor|businessman|mayor|judge|lawyer|"
             r"shopkeeper|preacher|convert|blogger|writer|villager|resident|herder|youth|"
             r"victim|teenager|teen|owner|person|passenger|hostage|detainee|prisoner|protester|"
             r"demonstrator|other)")
_DIED_SINGLE = re.compile(r"\b(?:a|an|one|the)\s+(?:\w+\s+){0,3}(?:was|has been)\s+(?:shot dead|"
                          r"killed|murdered|executed|beheaded|found dead|stabbed to death|shot to "
                          r"death|beaten to death)|\b(?:body|corpse) of (?:a|an|one)\b|"
                          r"(?:shot|stabbed|beat|beaten) (?:\w+ ){0,3}(?:to death|dead)\b|"
                          r"\b(?:was|were) (?:found|pronounced|declared) dead\b|"
                          r"\bsuccumbed to (?:his|her|their) (?:injuries|wounds)\b|"
                          rf"\b{_SINGULAR}\s+(?:was\s+)?(?:killed|shot dead|hacked to death|"
                          r"murdered|dies|died|stabbed to death|beheaded)\b|"
                          rf"\b(?:kills?|killed|killing|murders?|murdered)\s+(?:a |an |the |one )?"
                          rf"(?:[\w'-]+\s+){{0,2}}{_SINGULAR}\b(?!s)|"
                          r"\bresult(?:ed|ing) in (?:one|a single) (?:death|fatality)\b|"
                          r"\bresult(?:ed|ing) in the death of (?:the|a|an|one|his|her)\b|"
                          r"\b(?:deadly|fatal)\b|"
                          rf"{_ONE_KILLED}", re.I)


# "denied reports that 10 soldiers were killed": the clause denied, to where the sentence goes
# on in its own voice (", saying 7 were killed", ", which killed 15")
_DENIED = re.compile(r"\b(?:denied|denies|deny|dismissed|rejected|refuted)\s+(?:(?:the\s+|media\s+|"
                     r"earlier\s+)*(?:reports?|claims?|allegations?|rumou?rs?)\s+)?that\b"
                     r"(?:(?!,\s*(?:which|who|saying|adding|but|while|as)\b|\s+(?:which|that)\s+"
                     r"(?:killed|left)\b)[^.;])*", re.I)
_COUNT_BEFORE = re.compile(rf"\b{QNUM}(?:\s+(?!and\b)[\w'’-]+){{0,3}}\s+$", re.I)
# a suicide bomber who died in the act ("blew himself up, killing 3"): one more dead, unless
# the count already holds him ("killing 4 including the bomber")
_BLEW_UP = re.compile(r"\b(?:blew (?:himself|herself) up|detonated (?:his|her) (?:\w+ )?(?:vest|belt)|"
                      r"blowing (?:himself|herself) up)\b", re.I)
_BOMBER_COUNTED = re.compile(r"\b(?:including|among them|and) the (?:suicide )?(?:bomber|attacker)\b|"
                             r"\bincluding (?:himself|herself)\b", re.I)
# one more dead beside a count: "The toll rose to nine, and the bomber was also killed"
_ONE_ALSO = re.compile(r"\b(?:the|a|an|one|another)\s+(?:[\w'’-]+\s+){0,2}?(?!people\b|others\b)"
                       r"[\w'’-]*[a-rt-z]\s+(?:was|had been|has been)\s+also\s+(?:killed|shot dead)|"
                       r"\b(?:the|a|an|one|another)\s+(?:[\w'’-]+\s+){0,2}?(?!people\b|others\b)"
                       r"[\w'’-]*[a-rt-z]\s+also\s+died\b", re.I)
_ONE_NP = r"(?:a|an|one)\s+(?:[\w'’-]+\s+){0,2}?[\w'’-]+"
_SINGLES_DIED = re.compile(rf"\b{_ONE_NP}(?:\s*,\s*{_ONE_NP}){{0,3}},?\s+and\s+{_ONE_NP}\s+"
                           rf"(?:were|have been|had been)\s+(?:reportedly\s+)?(?:killed|shot dead|"
                           rf"murdered|executed|found dead|stabbed to death|beaten to death)\b",
                           re.I)
# after "killed 3 soldiers": "and 2 civilians" (not "and 2 were injured", "and wounded 2")
_AND_MORE = re.compile(rf"(?:\s+(?!and\b)[\w'’-]+){{1,3}}?,?\s+and\s+{QNUM}(?=\s+(?!(?:head\s+of\s+)?"
                       rf"(?:cattle|cows|goats|sheep|camels|livestock|animals|donkeys)\b)[\w'’-]+)",
                       re.I)
# "a woman and her three children", "the district chief and his two bodyguards": one and N
_KIN_KILLED_BEFORE = re.compile(r"\b(?:kill(?:ed|ing|s)?|shot dead|shooting dead|murdered|"
                                r"executed|beheaded)\s+$", re.I)
_KIN_KILLED_AFTER = re.compile(r"\s*(?:[\w'’-]+\s+){0,2}?(?:were|have been|had been)\s+(?:killed|"
                               r"shot dead|murdered|executed|found dead)\b", re.I)
_AND_KIN = re.compile(rf"\b(?:a|an|one|the)\s+(?:[\w'’-]+\s+){{0,2}}?[\w'’-]+\s+and\s+(?:his|her|their)"
                      rf"\s+{QNUM}\s+[\w'’-]+", re.I)
_HURT_AFTER = re.compile(r"\s+(?:[\w'’-]+\s+){0,2}?(?:were|was|are)?\s*(?:injured|wounded|hurt)\b|"
                         r"\s+(?:others?\s+)?(?:injured|wounded|hurt)\b", re.I)
_BETWEEN = re.compile(rf"\b(between\s+{NUMBER_RE})\s+and\s+{NUMBER_RE}\b", re.I)
_ABBREV = re.compile(r"(?<=[A-Za-z])\s*\((?:[A-Z][A-Za-z.&-]{0,3}){1,4}\)(?=\s+\w)")
_SUBSET = re.compile(r",\s*(?:including|among them|among whom|mostly|most of them)\b[^,]{0,60},|"
                     r"\b(?:one|two|three|four|five|\d+|some|many|most)\s+of\s+(?:the|those)\s+"
                     r"(?:dead|killed|victims|deceased|bodies)\b", re.I)
_DEATH_RE = re.compile(_DEATH, re.I)
_KILLED = re.compile(r"\bkill(?:ed|ing)\b(?!\s+or)", re.I)
# which of the patterns above can match a sentence (prefilter.py)
_GATE = Gate([_FAMILY, *_PATTERNS_DEATH, *_PATTERNS_HURT, _NONE, _OR, _AND, _VAGUE_DEATH, _DIED_SINGLE,
              _SUBSET, _DEATH_RE, _KILLED, _DENIED, _SINGLES_DIED, _BLEW_UP, _AND_KIN, _ONE_ALSO])


@dataclass
class Count:
    value: int
    vague: bool
    start: int
    end: int


def _collect(text: str, patterns, live=None) -> list[Count]:
    out: list[Count] = []
    taken: list[tuple[int, int]] = []
    for p in patterns:
        if live is not None and p not in live:
            continue   # cannot match the text
        for m in p.finditer(text):
            g = m.group(1)
            gs, ge = m.start(1), m.end(1)
            if any(not (ge <= a or gs >= b) for a, b in taken):
                continue
            age = _AGE.match(text, ge)
            if _EXCLUDE_AFTER.match(text, ge) and p is not _PATTERNS_DEATH[0] and not age:
                continue
            parsed = (1, False) if age else parse_number(g)   # "killed 23-year-old X": one
            if parsed is None:
                continue
            if 1900 <= parsed[0] <= 2100 and re.search(
                    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2},?\s+)?$"
                    r"|\b(?:in|since|of|year)\s+$", text[max(0, gs - 16):gs], re.I):
                continue   # a year, not a count ("on 15 July 2020 after a man died")
            if p is _PATTERNS_DEATH[0] and g.lower() in ("a", "an") and not re.search(
                    r"\b(?:were|was|been|is|are)\b|\b(?:killed|dead|died)\b", m.group(), re.I):
                continue   # "A mob lynched ...": the subject, not a victim count
            if p is _PATTERNS_DEATH[0] and g.lower() not in ("a", "an") and re.search(
                    r"\b(?:killed|kills)$", m.group(), re.I) and not re.search(
                    r"\b(?:were|was|been|is|are|being|got|who)\b", m.group(), re.I) and \
                    _OBJECT.match(text, m.end()):
                continue   # "bandits numbering about thirty killed three villagers": the
                # killers, not the dead (the dead are counted after the verb)
            if p is _PATTERNS_DEATH[0] and g.lower() in ("a", "an") and _ACTIVE_KILL.search(
                    m.group()) and _OBJECT.match(text, m.end()) and not _SUICIDE.search(m.group()):
                # "A roadside bomb killed three soldiers": the killer, who lived (a suicide
                # bomber counts, CODEBOOK 6); "a gunman killed his brother": one dead, the
                # brother
                one = _ONE_OBJECT.match(text, m.end())
                if one:
                    taken.append((one.start(1), one.end(1)))
                    out.append(Count(1, False, one.start(1), one.end(1)))
                continue
            if p is _PATTERNS_HURT[0] and (_DEATH_RE.search(text, ge, m.end()) or re.search(
                    r"\b(?:killed|killing|kills|kill)\s+$", text[max(0, gs - 12):gs], re.I)):
                continue   # "killed two and wounded 11", "left nine dead and injured ten": the dead
            if p is _PATTERNS_DEATH[1] and re.match(r"(?:leaving|left)\b", m.group(), re.I) and \
                    not re.match(r"(?:\s+[\w-]+){0,3}?\s+(?:dead|killed)\b", text[ge:], re.I):
                continue   # "leaving four of them in hospital" is not a death toll
            # "3 TMF fighters and 1 police personnel dead": sum a conjunction before it.
            taken.append((m.start(), ge) if p is _FAMILY else (gs, ge))   # ("killing a family")
            out.append(Count(parsed[0], parsed[1], gs, ge))
            if p is _PATTERNS_DEATH[1] and (more := _AND_MORE.match(text, ge)) and \
                    not _HURT_AFTER.match(text, more.end()):
                # "killed 3 soldiers and 2 civilians": the second noun phrase's dead too
                v = parse_number(more.group(1))
                if v:
                    taken.append((more.start(1), more.end(1)))
                    out.append(Count(v[0], v[1], more.start(1), more.end(1)))
            if p is _PATTERNS_DEATH[0] or p is _PATTERNS_HURT[0]:
                pre = text[max(0, gs - 60):gs]
                mm = re.search(rf"\b{QNUM}(?:\s+[#\w'’-]+){{1,4}}\s*(?:,|\band\b)\s+$", pre,
                               re.I)
                if mm:
                    v = parse_number(mm.group(1))
                    ps = gs - len(pre) + mm.start(1)
                    if re.search(r"\b(?:were|was|are|is|killed|dead|died|wounded|injured|hurt|"
                                 r"jan\w*|feb\w*|march|april|may|june|july|aug\w*|sept?\w*|"
                                 r"oct\w*|nov\w*|dec\w*|days?|years?|hours?)\b",
                                 pre[mm.end(1):], re.I):
                        v = None   # "4 policemen were killed and 5 ...", "On 2 May, 4 ..."
                    if v and not any(not (ps + len(mm.group(1)) <= a or ps >= b)
                                     for a, b in taken):
                        taken.append((ps, ps + len(mm.group(1))))
                        out.append(Count(v[0], v[1], ps, ps + len(mm.group(1))))
    return out


_ECHO = re.compile(r"(?<=[a-z])\s\(\d+\)(?=\s)", re.I)   # after a number word ("two (2)")


def bomber_died(text: str) -> bool:
    """The text says a suicide bomber blew himself up (and so died: CODEBOOK 6 counts him)."""
    return bool(_BLEW_UP.search(text))


def bomber_counted(text: str) -> bool:
    """The text's toll says it includes the bomber, or counts him on his own."""
    return bool(_BOMBER_COUNTED.search(text) or _ONE_ALSO.search(text) and re.search(
        r"\b(?:bomber|attacker)\b", text, re.I))


def count_casualties(text: str) -> tuple[int, int, bool, list[tuple[int, int]]]:
    """(fatalities, injured, vague, evidence spans) for one sentence, by ACLED's rules."""
    # "between 10 and 15 people were killed": the lowest of a range (CODEBOOK 6)
    if "etween" in text:
        text = _BETWEEN.sub(lambda m: m.group(1) + " " * (len(m.group()) - len(m.group(1))), text)
    # "two Frontier Corps (FC) soldiers were killed": a unit's abbreviation inside the noun
    # phrase of the dead is read as a space (offsets kept)
    if "(" in text:
        text = _ABBREV.sub(lambda m: " " * len(m.group()), text)
    # "two (2) of the bandits", "thirty (30)": the figure echoed in brackets (offsets kept)
    if "(" in text:
        text = _ECHO.sub(lambda m: " " * len(m.group()) if parse_number(
            text[max(0, m.start() - 12):m.start()].split()[-1]) else m.group(), text)
    # "No one killed in blast": "no one" is nobody, not a count of one (offsets kept)
    if "o one" in text or "o-one" in text:
        text = re.sub(r"\b([Nn])o[ -]one\b", r"\1obody", text)
    live = _GATE.live(text)
    # "the army denied reports that 10 soldiers were killed": a denied toll is no toll
    if _DENIED in live:
        text = _DENIED.sub(lambda m: " " * len(m.group()) if _DEATH_RE.search(m.group())
                           else m.group(), text)
        live = _GATE.live(text)
    # "Eight civilians, including three children, were killed": the subset is not added
    if _SUBSET in live:
        blanked = _SUBSET.sub(lambda m: " " * len(m.group()), text)
        if blanked != text:
            text, live = blanked, _GATE.live(blanked)

    def search(rx, s=text):
        return rx.search(s) if rx in live else None

    if search(_NONE) and not search(_DEATH_RE, text.split("No ")[0] if "No " in text else ""):
        deaths_none = True
    else:
        deaths_none = False
    spans: list[tuple[int, int]] = []
    fatal, vague = 0, False
    m_and = search(_AND)
    if m_and and m_and.group().lower().startswith("dead") and \
            _COUNT_BEFORE.search(text, 0, m_and.start()):
        m_and = None   # "left nine people dead and injured ten": the dead are counted
    if m_and:  # "killing and injuring four": at least one died
        shared = parse_number(m_and.group(1))
        # "killing and injuring dozens of fighters": a vague number of dead, by its word
        # (CODEBOOK 6: "several", "a number of" 3, or 10 in a large attack; "dozens" 12)
        fatal, vague = (shared[0], True) if shared and shared[1] else (1, False)
        spans.append((m_and.start(1), m_and.end(1)))
    elif not search(_OR) or search(_KILLED):
        counts = _collect(text, [_FAMILY, *_PATTERNS_DEATH], live)
        toll = search(_PATTERNS_DEATH[2])
        if toll:   # "death toll rises to 20 as three more killed": the toll includes them,
            # not the attackers' dead ("... adding that troops killed five of the attackers")
            counts = [c for c in counts if c.start == toll.start(1) or (
                _ATTACKERS_DEAD.match(text, c.end) and not _ATTACKERS_DEAD.match(
                    text, toll.end(1)))] or counts
        kin = search(_AND_KIN)
        if kin and (_KIN_KILLED_BEFORE.search(text, 0, kin.start()) or
                    _KIN_KILLED_AFTER.match(text, kin.end())):
            # "killed a woman and her three children": the one, and the N with her
            n = parse_number(kin.group(1))
            at = [c for c in counts if c.start == kin.start(1)]
            one = [c for c in counts if kin.start() <= c.start < kin.start(1) and c.value == 1]
            if n and at:
                at[0].value += 1
            elif n and one:
                one[0].value, one[0].vague = n[0] + 1, n[1]
            elif n and not counts:
                counts = [Count(n[0] + 1, n[1], kin.start(1), kin.end(1))]
        singles = search(_SINGLES_DIED)
        if singles and all(singles.start() <= c.start < singles.end() for c in counts):
            # "a man and a woman were killed": one dead per singular noun phrase joined
            counts = [Count(1 + len(re.findall(r"(?:,|\band)\s+(?:a|an|one)\s", singles.group(),
                                               re.I)), False, singles.start(), singles.end())]
        if counts:
            counts.sort(key=lambda c: c.start)   # (in the text's order, not the patterns')
            fatal = sum(c.value for c in counts)
            between = text[counts[0].end:counts[-1].start]
            if len(counts) > 1 and _DIFFER.search(between) and _SAYS.search(between):
                # (another source's verb between the figures: "police said 3 ... while
                # residents said 7"; not "two policemen died while a militant was killed")
                fatal = min(c.value for c in counts)   # sources differ: the lowest (CODEBOOK 6)
                counts = [min(counts, key=lambda c: c.value)]
            vague = any(c.vague for c in counts)
            spans += [(c.start, c.end) for c in counts]
            blew = search(_BLEW_UP)
            if blew and not _BOMBER_COUNTED.search(text) and \
                    not any(c.end <= blew.start() and c.value == 1 for c in counts):
                fatal += 1   # the suicide bomber died too and counts (CODEBOOK 6)
                spans.append((blew.start(), blew.end()))
            elif (one := search(_ONE_ALSO)) and not any(
                    one.start() <= c.start < one.end() for c in counts):
                fatal += 1   # (CODEBOOK 6: all the dead, the attackers too)
                spans.append((one.start(), one.end()))
        elif (m := search(_DIED_SINGLE)) or (m := search(_ONE_ALSO)):
            fatal = 1   # ("The bomber was also killed.")
            spans.append((m.start(), m.end()))
        elif m := search(_VAGUE_DEATH):
            fatal, vague = 3, True
            spans.append((m.start(), m.end()))
    if deaths_none and (not spans or vague):
        fatal, vague = 0, False
    hurt = _collect(text, _PATTERNS_HURT, live)
    injured = sum(c.value for c in hurt)
    if m_and:
        v = parse_number(m_and.group(1))
        injured = max(injured, (v[0] - 1) if v else 0)
    return fatal, injured, vague, spans
