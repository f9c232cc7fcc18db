"""HTML to plain text with the standard library only (a stop-gap before a real extractor).

Block elements become paragraph breaks; script/style and similar are dropped; text inside
<nav>, <header> menus, <footer>, <aside> and <form> is returned separately as chrome.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

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
        if tag not in self._stack:
            return
        while self._stack:
            t = self._stack.pop()
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
