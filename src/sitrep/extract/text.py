"""Sentences and paragraphs with character offsets into the document body."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREV = {
    "mr", "mrs", "ms", "dr", "gen", "col", "lt", "capt", "sgt", "maj", "st", "no", "vs", "jr",
    "sr", "prof", "gov", "sen", "rep", "brig", "cpl", "pvt", "adm", "cmdr", "rev", "hon", "est",
    "approx", "dept", "univ", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.n", "u.k", "e.g", "i.e", "km",
    "mt", "ft", "al",
}
# Sentence ends; also ";" glued to the next title ("Title one;Title two"), as wires and event
# datasets join several report titles into one field.
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*\n+|;(?=[\"'#\[(]?[A-Z0-9])")


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int
    is_headline: bool = False


def paragraphs(body: str) -> list[tuple[int, int]]:
    """Spans of paragraphs: blocks separated by blank lines (single newlines also split
    short lines such as headlines)."""
    spans = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", body):
        if m.group().strip():
            spans.append((m.start(), m.end()))
    return spans


# a live blog's update stamp on the line above its headline ("16:20 GMT")
_STAMP_LINE = re.compile(r"^\s*\d{1,2}[:.]\d{2}\s*(?:GMT|UTC|BST|CET|EAT|WAT|IST|[AaPp]\.?[Mm]\.?|"
                         r"local time)?\s*\n")


def _is_headline(text: str) -> bool:
    t = _STAMP_LINE.sub("", text.strip(), count=1)
    return bool(t) and len(t) < 200 and not re.search(r"[.!?\"”]\s*$", t) and "\n" not in t


def split_sentences(body: str) -> list[Sentence]:
    out: list[Sentence] = []
    for pi, (ps, pe) in enumerate(paragraphs(body)):
        para = body[ps:pe]
        headline = _is_headline(para) and (pi == 0 or len(para) < 250)
        start = 0
        for m in _BOUNDARY.finditer(para):
            cut = m.start() + len(m.group().rstrip())
            prev = para[start:m.start() + 1]
            if m.group().startswith(";"):
                _add(out, body, ps + start, ps + m.start(), pi, headline or _is_headline(
                    para[start:m.start()]))
                start = m.end()
                continue
            word = re.search(r"([A-Za-z.]+)\.$", prev.strip())
            if word and word.group(1).lower().rstrip(".") in _ABBREV and "\n" not in m.group():
                continue
            if word and len(word.group(1)) == 1 and word.group(1).isupper():  # initials
                continue
            seg = para[start:cut]
            if seg.strip():
                _add(out, body, ps + start, ps + cut, pi, headline)
            start = m.end()
        if para[start:].strip():
            _add(out, body, ps + start, pe, pi, headline)
    return out


def _add(out, body, s, e, pi, headline):
    while s < e and body[s].isspace():
        s += 1
    while e > s and body[e - 1].isspace():
        e -= 1
    if e > s:
        out.append(Sentence(s, e, body[s:e], pi, headline))
