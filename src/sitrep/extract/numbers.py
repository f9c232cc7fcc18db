"""Counts in text: digits, number words, vague quantities (ACLED's conventions)."""

from __future__ import annotations

import re

UNITS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "lone": 1, "two": 2, "both": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "a dozen": 12, "dozen": 12, "a couple of": 2, "couple of": 2, "a pair of": 2,
    "half a dozen": 6,
}
# ACLED: vague counts. "several/many/few" 3 (10 for a large attack), "dozens" 12,
# "tens" 10, "hundreds" 100; "thousands" 1000 is Sitrep's policy.
VAGUE = {
    "several": 3, "many": 3, "few": 3, "a few": 3, "some": 3, "a number of": 3, "numerous": 3,
    "multiple": 3, "scores of": 20, "dozens": 12, "dozens of": 12, "tens": 10, "tens of": 10,
    "hundreds": 100, "hundreds of": 100, "thousands": 1000, "thousands of": 1000,
    "an unspecified number of": 3, "unspecified number of": 3, "an unknown number of": 3,
    "unknown number of": 3, "a large number of": 10, "large number of": 10,
    "a handful of": 3, "handful of": 3,
}
_WORDS = sorted(list(UNITS) + list(VAGUE), key=len, reverse=True)
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
# "two dozen" 24; "twenty-odd", "20-odd" the round number
_DOZENS = r"(?:\d+|two|three|four|five|six)\s+dozen"
NUMBER_RE = (
    r"(?:" + _DOZENS + r"|(?:\d+|" + _TENS + r")-odd|"
    r"\d{1,3}(?:,\d{3})+|\d+|" + _TENS + r"[- ](?:one|two|three|four|five|six|seven|eight|nine)|"
    + "|".join(re.escape(w) for w in _WORDS) + r")"
)


def parse_number(s: str) -> tuple[int, bool] | None:
    """Parse a count; returns (value, vague)."""
    t = s.strip().lower()
    t = re.sub(r"^(?:at least|at most|about|around|approximately|nearly|almost|some|over|"
               r"more than|up to|an estimated|roughly|close to|as many as|no fewer than|"
               r"no less than|all|between)\s+", "", t)   # ("killed all four members": four)
    m = re.fullmatch(r"(\w+)\s+dozen", t)
    if m and (m.group(1).isdigit() or m.group(1) in UNITS):
        return (int(m.group(1)) if m.group(1).isdigit() else UNITS[m.group(1)]) * 12, False
    t = re.sub(r"-odd$", "", t)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", t):
        return int(t.replace(",", "")), False
    m = re.fullmatch(_TENS + r"[- ](one|two|three|four|five|six|seven|eight|nine)", t)
    if m:
        return UNITS[t.split("-")[0].split(" ")[0]] + UNITS[m.group(1)], False
    if t in UNITS:
        return UNITS[t], False
    if t in VAGUE:
        return VAGUE[t], True
    return None
