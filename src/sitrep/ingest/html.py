"""HTML to text: trafilatura for the article (body, reader comments, title, date, site name),
the standard library parser for page chrome and as the fallback.

`html_to_text` (stdlib only): block elements become paragraph breaks; script/style and similar
are dropped; text inside <nav>, <header> menus, <footer>, <aside> and <form> is returned
separately as chrome. It is linear in the input, whatever the nesting depth.

`extract_html` runs trafilatura (with comment extraction on, kept apart from the body) on pages
of a sane size, and falls back to `html_to_text` when trafilatura fails, finds nothing, or the
page is too large or has too many tags for it to finish quickly.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from html.parser import HTMLParser

log = logging.getLogger(__name__)

# trafilatura logs its own failures; we report them per document instead.
logging.getLogger("trafilatura").addHandler(logging.NullHandler())
logging.getLogger("htmldate").addHandler(logging.NullHandler())

# Above these, trafilatura's time grows faster than linearly (6 MB / 200k tags: ~40 s); the
# stdlib parser stays well under a second per MB.
TRAFILATURA_MAX_CHARS = 5_000_000
TRAFILATURA_MAX_TAGS = 40_000

_BLOCK = {
    "address", "article", "blockquote", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "ol", "p", "pre", "section", "summary", "table", "tr", "ul", "title",
    "caption", "tbody", "thead", "tfoot",
}
_SKIP = {"script", "style", "noscript", "template", "svg", "head", "iframe", "canvas", "object",
         "select", "button"}
_CHROME = {"nav", "footer", "aside", "form", "menu"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
         "source", "track", "wbr"}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.chrome: list[str] = []
        self._skip = 0
        self._chrome = 0
        self._stack: list[str] = []
        self._open: Counter[str] = Counter()   # tags on the stack: O(1) "is it open?"
        self.title = ""
        self._in_title = False

    def _out(self) -> list[str]:
        return self.chrome if self._chrome else self.parts

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "title":
            self._in_title = True
        if tag in _VOID:
            if tag == "br":
                self._out().append("\n")
            elif tag == "hr":
                self._out().append("\n\n")
            return
        self._stack.append(tag)
        self._open[tag] += 1
        if tag in _SKIP:
            self._skip += 1
        elif tag in _CHROME:
            self._chrome += 1
            self.chrome.append("\n\n")
        elif tag in _BLOCK:
            self._out().append("\n\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag == "br":
            self._out().append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if not self._open[tag]:
            return
        while self._stack:
            t = self._stack.pop()
            self._open[t] -= 1
            if t in _SKIP:
                self._skip -= 1
            elif t in _CHROME:
                self._chrome -= 1
                self.chrome.append("\n\n")
            elif t in _BLOCK:
                self._out().append("\n\n")
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._skip:
            return
        self._out().append(data)


def _tidy(s: str) -> str:
    lines = [" ".join(line.split()) for line in s.split("\n")]
    out = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def html_to_text(html: str) -> tuple[str, list[str], str]:
    """Return (text, chrome_lines, html_title). Paragraphs in text are separated by a blank
    line; inline whitespace is collapsed."""
    p = _TextParser()
    p.feed(html)
    p.close()
    text = _tidy("".join(p.parts))
    chrome = [c for c in _tidy("".join(p.chrome)).split("\n") if c.strip()]
    return text, chrome, " ".join(p.title.split())


def looks_like_html(text: str) -> bool:
    head = text[:4000].lstrip().lower()
    if head.startswith(("<!doctype html", "<html")):
        return True
    return head.startswith("<") and bool(re.search(r"<(body|p|div|article|h1)[\s>]", head))


@dataclass
class HtmlResult:
    """What a page yields: article text (paragraphs one blank line apart), reader comments,
    chrome lines, and the metadata found in the page."""

    text: str
    comments: list[str] = field(default_factory=list)
    chrome: list[str] = field(default_factory=list)
    title: str = ""
    published: date | None = None
    site_name: str = ""
    extractor: str = "stdlib"      # "trafilatura" or "stdlib"


_PRUNE = ["//nav", "//footer", "//aside", "//form", "//menu"]


def _paragraphs(text: str) -> str:
    return _tidy("\n\n".join(line for line in text.split("\n")))


@cache
def trafilatura_module():
    """trafilatura, or None when it cannot be imported; says so once per process.

    A broken install (lxml 6 without `lxml_html_clean`, say) must not pass silently: the
    stdlib parser finds no dates, comments or site names, so every event would be undated."""
    try:
        import trafilatura
        from trafilatura.settings import set_date_params  # noqa: F401
    except Exception as exc:   # noqa: BLE001 - ImportError, or a dependency failing at import
        log.warning("trafilatura cannot be imported (%s: %s); HTML pages are read with the "
                    "basic parser, without dates, reader comments or site names. Reinstall "
                    "with README's command (pinned dependencies) to fix it.",
                    type(exc).__name__, exc)
        return None
    return trafilatura


def _trafilatura(html: str, url: str = ""):
    if len(html) > TRAFILATURA_MAX_CHARS or html.count("<") > TRAFILATURA_MAX_TAGS:
        return None
    trafilatura = trafilatura_module()
    if trafilatura is None:
        return None
    try:
        from trafilatura.settings import set_date_params

        params = set_date_params(extensive=False)   # dates from the page's metadata only
        return trafilatura.bare_extraction(
            html, url=url or None, include_comments=True, with_metadata=True,
            include_tables=True, prune_xpath=_PRUNE, date_extraction_params=params)
    except Exception:   # noqa: BLE001 - any failure of the extractor means: use the fallback
        return None


def extract_html(html: str, url: str = "") -> HtmlResult:
    """The article in an HTML page: trafilatura when it can, else the stdlib parser."""
    text, chrome, title = html_to_text(html)
    res = HtmlResult(text=text, chrome=chrome, title=title)
    t = _trafilatura(html, url)
    if t is None:
        return res
    body = _paragraphs(getattr(t, "text", "") or "")
    if body:
        res.text = body
        res.extractor = "trafilatura"
        res.comments = [c for c in (" ".join(x.split())
                                    for x in (getattr(t, "comments", "") or "").split("\n"))
                        if c]
    res.title = " ".join((getattr(t, "title", "") or "").split()) or title
    res.site_name = " ".join((getattr(t, "sitename", "") or "").split())
    raw_date = getattr(t, "date", None)
    if raw_date:
        try:
            res.published = date.fromisoformat(str(raw_date)[:10])
        except ValueError:
            res.published = None
    return res
