"""Event dates and time precision from explicit and relative date phrases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from .lexicon import Lexicon, load_lexicon
from .prefilter import Gate

MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"])}
MONTHS.update({k[:3]: v for k, v in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MON = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(\d{4}))?"

_PATTERNS = [
    ("dmy", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MON}{_YEAR}\b", re.I)),
    ("mdy", re.compile(rf"\b{_MON}\s+{_DAY}\b{_YEAR}", re.I)),
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    # "on 11/03/2023", "12.03.2023", "13-08-2023" (South Asian papers): day first, as police
    # releases and most of the world write it, unless the second number cannot be a month
    # ("03/25/2023")
    ("num", re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2((?:19|20)\d\d)"
                       r"(?![\d/-]|\.\d)")),
    # a digest's line opened by its day and month: "18/10 - Bamenda: ..."
    ("dm", re.compile(r"(?m)^[ \t]*(\d{1,2})/(\d{1,2})(?=\s*[-–—:]\s)")),
    ("rel", re.compile(
        r"\b(the day before yesterday|"
        r"(?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?: of)? last week|"
        r"yesterday|today|tonight|this (?:morning|afternoon|evening)|last night|overnight|"
        r"earlier today|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
        r"(?:\s+(?:morning|afternoon|evening|night))?|"
        r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:\s+(?:morning|afternoon|evening|night))?|"
        r"last (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
        r"last week|earlier this week|this week|(?:last|this past) weekend|over the weekend|"
        r"at the weekend|(?:a|one|two|three|four|[1-4]) weeks? ago|"
        r"last month|earlier this month|this month|"
        r"(?:two|three|four|five|six|2|3|4|5|6) days (?:ago|earlier|before)|"
        r"\d{1,2} days ago|"
        r"the day before|the previous day|a day earlier|(?:a|one) week (?:earlier|before)|"
        r"in the past (?:few )?(?:hours|days)|"
        r"hours? ago)\b", re.I)),
    ("my", re.compile(rf"\b(?:in|during|since|early|late|mid-?|(?:at\s+)?the\s+(?:end|start|"
                      rf"beginning)\s+of)\s+{_MON}(?:\s+(\d{{4}}))?\b", re.I)),
]
_NUMWORD = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
# A wire dateline opening a paragraph: the place the story was filed from in capitals
# ("CAIRO Oct 22", "ADEN, Yemen, Oct. 22 (Xinhua) --") or as a name and a comma ("Tripoli,
# 9 May 2023 -"), the day it was filed, an agency, a dash. Its day is the report's, not an
# incident's.
_NOT_PLACE = (r"(?!(?:On|In|At|By|Since|From|Until|Last|Early|Late|Around|Between|Before|After|"
              r"During|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)")
_WEEKDAY = r"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s*)?"
_DATELINE = re.compile(
    rf"^\s*(?:(?:[A-Z][A-Z'’.\-]+(?:\s+[A-Z][A-Z'’.\-]+){{0,3}}\s*,?|"
    rf"{_NOT_PLACE}[A-Z][\w'’.\-]+(?:\s+[A-Z][\w'’.\-]+){{0,3}}\s*,)"
    # the country, maybe in several words ("Democratic Republic of Congo")
    rf"(?:\s*[A-Z][\w'’.\-]+(?:\s+(?:of|the|and|[A-Z][\w'’.\-]+)){{0,4}}\s*,)?\s*{_WEEKDAY}"
    rf"(?i:{_MON}\s+{_DAY}|{_DAY}\s+{_MON}){_YEAR}"
    rf"\s*(?:\([A-Za-z .&\-]{{2,25}}\)\s*)?(?:[-–—:]+|(?=[A-Z“\"]))|"
    # no place, a wire's story from several: "March 3 (Reuters) -"
    rf"(?i:{_MON}\s+{_DAY}|{_DAY}\s+{_MON}){_YEAR}\s*\([A-Za-z .&\-]{{2,25}}\)\s*[-–—:]+)")

_GATE = Gate(dict(_PATTERNS))   # which kinds of date phrase can occur in a text


@dataclass
class DateMention:
    date: date
    precision: int
    start: int
    end: int
    text: str


def _today() -> date:
    return datetime.now(UTC).date()


def _year_for(month: int, day: int, ref: date | None) -> int:
    """The year of a day-month without one: the latest not after ref (a day or two ahead is
    taken as this year's: time zones), ref defaulting to today."""
    ref = ref or _today()
    y = ref.year
    try:
        if date(y, month, min(day, 28)) > ref + timedelta(days=2):
            y -= 1
    except ValueError:
        pass
    return y


def _month_year(month: int, ref: date | None) -> int:
    """The year of a month named without one: the latest such month not after ref ("since
    December" written in November is last December), ref defaulting to today."""
    ref = ref or _today()
    return ref.year if month <= ref.month else ref.year - 1


_MONTH_START = re.compile(r"^(?:early|(?:at\s+)?the\s+(?:start|beginning)\s+of)\b", re.I)
_MONTH_END = re.compile(r"^(?:late|(?:at\s+)?the\s+end\s+of)\b", re.I)


def _month_day(phrase: str, y: int, m: int) -> int:
    """CODEBOOK 4, a month only: mid-month (the 15th); its start or end, the 1st or its last
    day ("early May" 1, "late April" 30, "at the end of February" 28 or 29)."""
    if _MONTH_START.match(phrase):
        return 1
    if _MONTH_END.match(phrase):
        return ((date(y + (m == 12), m % 12 + 1, 1)) - timedelta(days=1)).day
    return 15


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_dates(text: str, ref: date | None, offset: int = 0) -> list[DateMention]:
    """All date phrases in `text`, resolved against publication date `ref`."""
    out: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def free(s, e):
        return all(e <= a or s >= b for a, b in taken)

    live = _GATE.live(text)
    for kind, pat in _PATTERNS:
        if kind not in live:
            continue
        for m in pat.finditer(text):
            if not free(m.start(), m.end()):
                continue
            d, prec = None, 1
            if kind == "dmy":
                day, mon, yr = int(m.group(1)), MONTHS[m.group(2).lower()[:3]], m.group(3)
                d = _safe(int(yr) if yr else _year_for(mon, day, ref), mon, day)
            elif kind == "mdy":
                mon, day, yr = MONTHS[m.group(1).lower()[:3]], int(m.group(2)), m.group(3)
                if m.group(1).lower() == "may" and not yr and day > 31:
                    continue
                d = _safe(int(yr) if yr else _year_for(mon, day, ref), mon, day)
            elif kind == "iso":
                d = _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            elif kind == "dm":
                day, mon = int(m.group(1)), int(m.group(2))
                d = _safe(_year_for(mon, day, ref), mon, day) if mon <= 12 else None
            elif kind == "num":
                a, b, yr = int(m.group(1)), int(m.group(3)), int(m.group(4))
                d = _safe(yr, a, b) if b > 12 else _safe(yr, b, a)
            elif kind == "my":
                mon = MONTHS[m.group(1).lower()[:3]]
                yr = int(m.group(2)) if m.group(2) else _month_year(mon, ref)
                d, prec = _safe(yr, mon, _month_day(m.group(), yr, mon)), 3
                if d is not None and ref is not None and d > ref and \
                        (yr, mon) == (ref.year, ref.month):
                    d = ref                   # "in December" written on 1 December
            elif kind == "rel" and ref is not None:
                d, prec = _relative(m.group(1).lower(), ref)
            if d is None:
                continue
            taken.append((m.start(), m.end()))
            out.append(DateMention(d, prec, offset + m.start(), offset + m.end(), m.group()))
    out.sort(key=lambda x: x.start)
    # "Earlier this month, on November 3": a period the next phrase narrows to its day is
    # one date, the day
    # ("on Saturday, 9 July", "Monday 11 July": the weekday names the date's day)
    return [x for k, x in enumerate(out) if not (
        k + 1 < len(out) and (x.precision >= 3 and out[k + 1].precision < x.precision or
                              _WEEKDAY_ONLY.fullmatch(x.text) and out[k + 1].precision == 1
                              and not _WEEKDAY_ONLY.fullmatch(out[k + 1].text)) and
        _NARROWED.fullmatch(text[x.end - offset:out[k + 1].start - offset]))]


_NARROWED = re.compile(r"\s*,?\s*(?:on|in|at)?\s*")
_WEEKDAY_ONLY = re.compile(r"(?:on\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|"
                           r"sunday)", re.I)


# the same without a day: a place in capitals, maybe an agency, a dash ("BAMAKO -",
# "SANAA (Reuters) -"); it says where the story was filed, not when
_UNDATED_LINE = re.compile(r"^\s*[A-Z][A-Z'’.\-]+(?:\s+[A-Z][A-Z'’.\-]+){0,3}\s*"
                           r"(?:,\s*[A-Z][\w'’.\-]+(?:\s+[A-Z][\w'’.\-]+){0,2}\s*)?"
                           r"(?:\([A-Za-z .&\-]{2,25}\)\s*)?[-–—:]+\s+")


def dateline_end(text: str, undated: bool = False) -> int:
    """Where a paragraph's wire dateline ends in `text` (the paragraph's first sentence), or 0
    when it opens with none ("KABUL, Oct 5 (Reuters) - Gunmen ..." -> the offset of "Gunmen").
    undated: also a dateline with no day ("BAMAKO - Armed men ...")."""
    m = _DATELINE.match(text) or (_UNDATED_LINE.match(text) if undated else None)
    return m.end() if m else 0


# A span of days: "from 19 to 24 January", "between 3 and 5 May", "3-5 May".
_SPAN = re.compile(rf"\b(?:(?:from|between)\s+{_DAY}(?:\s+{_MON})?\s+(?:to|and|until|till)\s+|"
                   rf"{_DAY}\s*[-–]\s*)(?={_DAY}\s+{_MON})", re.I)

_SPAN_ON = re.compile(rf"\s*(?:to|until|till|-|–)\s*{_DAY}\b", re.I)   # "30 April to 2 May"


def spans_days(text: str, start: int, end: int) -> bool:
    """Whether the date phrase at text[start:end] opens or closes a span of days ("from 19 to
    24 January", "30 April to 2 May"): the span, not one day."""
    return any(m.end() == start for m in _SPAN.finditer(text, 0, end)) or \
        bool(_SPAN_ON.match(text, end))


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMWORD.get(word, 2)


_BACK = re.compile(r"(?:a|the) day (?:earlier|before)|the previous day|(\w+) days (?:earlier|before)|"
                   r"((?:a|one) week) (?:earlier|before)")


def days_before(phrase: str) -> int | None:
    """Days a phrase counts back from a day the text told before it ("a day earlier" 1, "two
    days before" 2, "a week earlier" 7); None for any other phrase."""
    m = _BACK.fullmatch(phrase.strip().lower())
    if m is None:
        return None
    if m.group(2):
        return 7
    return _count(m.group(1)) if m.group(1) else 1


# "the strikes came a day after rebels shelled ...": the incident told came N days after the
# one the sentence goes on to tell
_CAME_AFTER = re.compile(r"\b(?:came|comes|followed|happened|occurred)\s+(a|one|two|three|four|"
                         r"five|six|\d)\s+(days?|weeks?)\s+after\b", re.I)


def days_before_told(text: str) -> int | None:
    """Days the incident a sentence tells of lies before the one told just before it ("came a
    day after" 1, "came two days after" 2, "came a week after" 7: a week, precision 2); None
    when the sentence says no such thing."""
    m = _CAME_AFTER.search(text)
    if not m:
        return None
    return _count(m.group(1).lower()) * (7 if m.group(2).lower().startswith("week") else 1)


def _relative(phrase: str, ref: date) -> tuple[date | None, int]:
    p = phrase.replace("on ", "", 1) if phrase.startswith("on ") else phrase
    if p in ("last night",):       # before the part of the day is cut off below ("last")
        return ref - timedelta(days=1), 1
    if p in ("this morning", "this afternoon", "this evening"):
        return ref, 1
    p = re.sub(r"\s+(morning|afternoon|evening|night)$", "", p)
    if p in ("today", "tonight", "earlier today") or p.startswith("in the past") or \
            p.endswith("hours ago") or p == "hour ago":
        return ref, 1
    if p == "the day before yesterday":
        return ref - timedelta(days=2), 1
    if p in ("yesterday", "overnight"):
        return ref - timedelta(days=1), 1
    if p in ("the day before", "the previous day", "a day earlier"):
        return ref - timedelta(days=1), 1
    if re.fullmatch(r"(?:a|one) week (?:earlier|before)", p):
        return ref - timedelta(days=7), 2
    m = re.match(r"(\w+) days (?:ago|earlier|before)", p)
    if m:
        return ref - timedelta(days=_count(m.group(1))), 1
    m = re.fullmatch(r"(\w+day)(?: of)? last week", p)
    if m and m.group(1) in WEEKDAYS:   # "on Wednesday last week": that day of the week before
        return ref - timedelta(days=ref.weekday() + 7) + timedelta(
            days=WEEKDAYS.index(m.group(1))), 1
    wd = p.replace("last ", "")
    if wd in WEEKDAYS:
        delta = (ref.weekday() - WEEKDAYS.index(wd)) % 7
        if delta == 0 and p.startswith("last"):
            delta = 7
        return ref - timedelta(days=delta), 1
    if p in ("last week",):
        monday = ref - timedelta(days=ref.weekday() + 7)
        return monday + timedelta(days=2), 2
    if p in ("earlier this week", "this week"):
        return ref - timedelta(days=max(ref.weekday() // 2, 0)), 2
    m = re.match(r"(\w+) weeks? ago", p)
    if m:   # CODEBOOK 4: a week or similar span, precision 2
        return ref - timedelta(days=7 * _count(m.group(1))), 2
    if p in ("last weekend", "this past weekend", "over the weekend", "at the weekend"):
        sat = ref - timedelta(days=(ref.weekday() - 5) % 7 or 7)
        return sat, 2
    if p == "last month":
        first = ref.replace(day=1) - timedelta(days=1)
        return first.replace(day=15), 3
    if p in ("earlier this month", "this month"):
        return ref.replace(day=min(15, ref.day)), 3
    return None, 1


def as_reported(text: str, lex: Lexicon | None = None) -> bool:
    """Whether `text` holds a report-only phrase ("on or around", triggers.yaml `as_reported`)
    that lowers a day-precise date to time precision 2."""
    rx = (lex or load_lexicon()).as_reported
    return bool(rx and rx.search(text))


def time_unknown(text: str, lex: Lexicon | None = None) -> bool:
    """Whether `text` tells of a body found (triggers.yaml `time_unknown`): the day of death
    is unknown, so a day-precise date is coded at time precision 2."""
    rx = (lex or load_lexicon()).time_unknown
    return bool(rx and rx.search(text))
