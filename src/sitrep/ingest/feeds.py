"""RSS/Atom feeds -> one Document per entry, with XML parsed safely.

The bytes are first parsed by defusedxml, which refuses entity declarations (billion laughs,
quadratic blow-up) and external references (XXE, external DTDs); only a document that passes is
handed to feedparser, and always as bytes (feedparser given a string that looks like a URL
would fetch it).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from ..models import Document
from .html import html_to_text

FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf"}
FEED_CONTENT_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
                      "application/xml", "text/xml", "application/feed+xml")

_FEED_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(rss|feed|RDF)[\s>/]")


class FeedError(Exception):
    """The bytes are not a feed that can be read safely; the message says why."""


@dataclass
class FeedEntry:
    key: str            # stable id of the entry within its feed: guid, else link, else hash
    title: str
    text: str           # title + summary/content as plain text
    url: str
    published: date | None
    source_name: str


def looks_like_feed(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):   # UTF-16: decode the head to look
        try:
            head = data[:8192].decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return False
    if not head.startswith(b"<"):
        return False
    return bool(_FEED_ROOT.search(head))


def check_xml(data: bytes) -> None:
    """Raise FeedError unless the XML is free of entity declarations and external references
    (and well formed)."""
    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    try:
        DET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as e:
        name = type(e).__name__
        if name == "EntitiesForbidden":
            raise FeedError("unsafe XML refused: entity declarations (billion laughs / XXE)"
                            ) from None
        if name == "ExternalReferenceForbidden":
            raise FeedError("unsafe XML refused: external reference") from None
        raise FeedError(f"unsafe XML refused ({name})") from None
    except Exception as e:  # noqa: BLE001 - ParseError and any expat error
        msg = str(e).split("\n")[0][:120]
        raise FeedError(f"not well-formed XML ({msg})") from None


def _entry_date(e) -> date | None:
    for k in ("published_parsed", "updated_parsed", "created_parsed"):
        t = e.get(k)
        if t:
            try:
                return date(t.tm_year, t.tm_mon, t.tm_mday)
            except (ValueError, AttributeError):
                continue
    return None


def _plain(value: str) -> str:
    if not value:
        return ""
    if "<" in value:
        return html_to_text(value)[0]
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", value) if p.strip())


def parse_feed(data: bytes) -> tuple[str, list[FeedEntry]]:
    """(feed title, entries) from feed bytes, or FeedError."""
    check_xml(data)
    import feedparser

    parsed = feedparser.parse(data, resolve_relative_uris=False, sanitize_html=True)
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    if not version and not entries:
        raise FeedError("not an RSS/Atom feed")
    feed = parsed.get("feed") or {}
    feed_title = " ".join(str(feed.get("title") or "").split())
    out: list[FeedEntry] = []
    for e in entries:
        title = " ".join(str(e.get("title") or "").split())
        parts = []
        for c in e.get("content") or []:
            v = c.get("value") if isinstance(c, dict) else None
            if v:
                parts.append(_plain(str(v)))
        if not parts:
            parts.append(_plain(str(e.get("summary") or e.get("description") or "")))
        text = "\n\n".join(p for p in parts if p)
        if title and not text.startswith(title):
            text = f"{title}\n\n{text}" if text else title
        url = str(e.get("link") or "")
        key = str(e.get("id") or url or "")
        if not key:
            key = "sha1:" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
        out.append(FeedEntry(key=key, title=title, text=text, url=url,
                             published=_entry_date(e), source_name=feed_title))
    return feed_title, out


def feed_documents(data: bytes, label: str, published: date | None = None
                   ) -> Iterator[tuple[FeedEntry, Document | None, str]]:
    """(entry, document, error) per entry: document None and error set when the entry has no
    text. Raises FeedError when the whole feed is refused."""
    from .sources import make_document

    _, entries = parse_feed(data)
    for n, entry in enumerate(entries, 1):
        if not entry.text.strip():
            yield entry, None, f"entry {n}: no text"
            continue
        doc = make_document(entry.text, path=f"{label}#{n}", url=entry.url, title=entry.title,
                            published=entry.published or published,
                            source_name=entry.source_name, html=False)
        if not doc.body.strip():
            yield entry, None, f"entry {n}: no article text"
            continue
        yield entry, doc, ""
