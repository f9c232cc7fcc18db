"""Read sources (text/HTML files, RSS/Atom feeds, folders, JSONL, stdin, http(s) URLs) into
Documents.

Problems with one document never stop the run: they come out of the iterator as IngestError.
"""

from __future__ import annotations

import codecs
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from ..models import Document, as_date, content_id
from .feeds import FEED_SUFFIXES, FeedError, feed_documents, looks_like_feed
from .html import extract_html, looks_like_html
from .page import split_page

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MB
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SIDECAR_SUFFIX = ".meta.json"
_MAGIC = (b"%PDF", b"\x89PNG", b"PK\x03\x04", b"\x1f\x8b", b"GIF8", b"\xff\xd8\xff",
          b"\x7fELF", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!", b"SQLite format 3")
_TEXT_CONTROLS = {9, 10, 12, 13, 27, 8}


@dataclass
class IngestError:
    """A source that did not become a Document, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class _Rejected(Exception):
    pass


def _mb(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= 10 * MB else f"{n / MB:.1f} MB".replace(".0 MB", " MB")


def decode_bytes(data: bytes) -> str:
    """Decode a document's bytes to text, or raise _Rejected with the reason.

    Order: a BOM (UTF-8, UTF-16, UTF-32) decides; NUL bytes or many control bytes mean binary;
    then strict UTF-8; then UTF-8 with replacement when under 1% of characters are bad.
    """
    if not data.strip():
        raise _Rejected("empty")
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as e:
                raise _Rejected(f"not valid {enc.upper().replace('-SIG', '')} text") from e
            if not text.strip():
                raise _Rejected("empty")
            return text
    sample = data[:65536]
    if data.startswith(_MAGIC) or b"\x00" in sample:
        raise _Rejected("binary file")
    controls = sum(1 for b in sample if b < 32 and b not in _TEXT_CONTROLS or b == 127)
    if controls > 0.05 * len(sample):
        raise _Rejected("binary file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    if text.count("\ufffd") >= 0.01 * max(len(text), 1):
        raise _Rejected("not valid UTF-8 text")
    return text


# ISO dates and datetimes ("2018-07-07", "2018-07-07T10:00:00Z") and RFC 2822 dates
parse_published = as_date


def make_document(raw: str, *, path: str = "", url: str = "", title: str = "",
                  published: date | None = None, source_name: str = "", language: str = "en",
                  html: bool | None = None, fallback_published: date | None = None
                  ) -> Document:
    """Build a Document from decoded text (or HTML): split chrome and comments, hash the body.

    A title given by the source (sidecar, JSONL) wins over the detected headline; when the
    page has no headline line of its own, it is put first in the body for the extractor.
    HTML goes through trafilatura (body, reader comments, title, date, site name) with the
    stdlib parser as fallback. published (from the source) wins over the page's own date,
    which wins over fallback_published (the --published flag).
    """
    if html is None:
        html = looks_like_html(raw)
    html_chrome: list[str] = []
    html_comments: list[str] = []
    page_text = raw
    html_title = ""
    if html:
        res = extract_html(raw, url)
        page_text, html_chrome, html_title = res.text, res.chrome, res.title
        html_comments = res.comments
        published = published or res.published
        source_name = source_name or res.site_name
    found_title, body, comments, chrome = split_page(page_text)
    final_title = (title or found_title or html_title).strip()
    if final_title and not found_title and not body.startswith(final_title):
        body = f"{final_title}\n\n{body}" if body else final_title
    return Document(id=content_id(body), text=raw, body=body, title=final_title, url=url,
                    published=published or fallback_published, source_name=source_name,
                    language=language or "en", comments=html_comments + comments,
                    chrome=html_chrome + chrome, path=path)


def _read_limited(fh: BinaryIO, max_bytes: int) -> bytes:
    data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _Rejected(f"too large (more than {_mb(max_bytes)})")
    return data


def _sidecar(path: Path) -> Path:
    name = path.name
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return path.with_name(stem + SIDECAR_SUFFIX)


def _read_sidecar(path: Path) -> tuple[dict, IngestError | None]:
    side = _sidecar(path)
    if not side.is_file():
        return {}, None
    try:
        meta = json.loads(side.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        return {}, IngestError(str(side), f"sidecar not readable JSON ({e.__class__.__name__})")
    if not isinstance(meta, dict):
        return {}, IngestError(str(side), "sidecar is not a JSON object")
    return meta, None


def _from_feed_bytes(data: bytes, label: str, published: date | None
                     ) -> Iterator[Document | IngestError]:
    try:
        for _entry, doc, error in feed_documents(data, label, published):
            if doc is None:
                yield IngestError(label, error)
            else:
                yield doc
    except FeedError as e:
        yield IngestError(label, str(e))


def _is_feed(path: Path, data: bytes) -> bool:
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return False
    return suffix in FEED_SUFFIXES or looks_like_feed(data)


def _from_file(path: Path, published: date | None, max_bytes: int
               ) -> Iterator[Document | IngestError]:
    meta, err = _read_sidecar(path)
    if err:
        yield err
    pub = parse_published(meta.get("published"))
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise _Rejected(f"too large ({_mb(size)} > {_mb(max_bytes)})")
        with path.open("rb") as fh:
            data = _read_limited(fh, max_bytes)
        if data.strip() and _is_feed(path, data):
            if data.startswith(_MAGIC):
                raise _Rejected("binary file")
            yield from _from_feed_bytes(data, str(path), pub or published)
            return
        raw = decode_bytes(data)
    except _Rejected as e:
        yield IngestError(str(path), str(e))
        return
    except OSError as e:
        yield IngestError(str(path), f"cannot read ({e.strerror or e})")
        return
    doc = make_document(raw, path=str(path), url=str(meta.get("url") or ""),
                        title=str(meta.get("title") or ""), published=pub,
                        fallback_published=published,
                        source_name=str(meta.get("source") or meta.get("source_name") or ""),
                        language=str(meta.get("language") or "en"),
                        html=True if path.suffix.lower() in HTML_SUFFIXES else None)
    if not doc.body.strip():
        yield IngestError(str(path), "no article text (only page chrome or comments)")
        return
    yield doc


def _from_jsonl_lines(lines, label: str, published: date | None, max_bytes: int
                      ) -> Iterator[Document | IngestError]:
    for n, line in enumerate(lines, 1):
        where = f"{label}:{n}"
        if isinstance(line, bytes):
            if len(line) > max_bytes:
                yield IngestError(where, f"line {n}: too large ({_mb(len(line))} > "
                                         f"{_mb(max_bytes)})")
                continue
            try:
                line = line.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError:
                yield IngestError(where, f"line {n}: not valid UTF-8 text")
                continue
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            yield IngestError(where, f"line {n}: not JSON")
            continue
        if not isinstance(rec, dict):
            yield IngestError(where, f"line {n}: not a JSON object")
            continue
        text, is_html = rec.get("text"), False
        if not (isinstance(text, str) and text.strip()):
            text, is_html = rec.get("html"), True
        if not (isinstance(text, str) and text.strip()):
            yield IngestError(where, f"line {n}: no text (needs a non-empty 'text' or 'html')")
            continue
        doc = make_document(text, path=where, url=str(rec.get("url") or ""),
                            title=str(rec.get("title") or ""),
                            published=parse_published(rec.get("published")),
                            fallback_published=published,
                            source_name=str(rec.get("source") or rec.get("source_name") or ""),
                            language=str(rec.get("language") or "en"), html=is_html or None)
        if not doc.body.strip():
            yield IngestError(where, f"line {n}: no article text")
            continue
        yield doc


def _from_jsonl(path: Path, published: date | None, max_bytes: int
                ) -> Iterator[Document | IngestError]:
    try:
        fh = path.open("rb")
    except OSError as e:
        yield IngestError(str(path), f"cannot read ({e.strerror or e})")
        return
    with fh:
        yield from _from_jsonl_lines(fh, str(path), published, max_bytes)


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                continue
            yield Path(root) / name


def _from_path(path: Path, published: date | None, max_bytes: int
               ) -> Iterator[Document | IngestError]:
    if path.suffix.lower() in JSONL_SUFFIXES:
        yield from _from_jsonl(path, published, max_bytes)
    else:
        yield from _from_file(path, published, max_bytes)


def _from_stdin(published: date | None, max_bytes: int, stdin: BinaryIO | None
                ) -> Iterator[Document | IngestError]:
    fh = stdin if stdin is not None else sys.stdin.buffer
    try:
        data = _read_limited(fh, max_bytes)
        if data.lstrip()[:1] == b"{":
            lines = data.splitlines()
            try:
                json.loads(lines[0])
                yield from _from_jsonl_lines(lines, "stdin", published, max_bytes)
                return
            except (json.JSONDecodeError, UnicodeDecodeError):
                pass
        raw = decode_bytes(data)
    except _Rejected as e:
        yield IngestError("stdin", str(e))
        return
    doc = make_document(raw, path="stdin", fallback_published=published)
    if not doc.body.strip():
        yield IngestError("stdin", "no article text (only page chrome or comments)")
        return
    yield doc


def fetched_documents(res, label: str, published: date | None = None
                      ) -> Iterator[tuple[str, Document | IngestError]]:
    """(item key, Document or IngestError) from a FetchResult: one per feed entry (key: the
    entry's guid or link), or one for a page (key: its content id)."""
    from .fetch import sniff

    kind = sniff(res.content_type, res.data, res.url)
    if kind == "feed":
        try:
            for entry, doc, error in feed_documents(res.data, label, published):
                yield entry.key, (doc if doc is not None else IngestError(label, error))
        except FeedError as e:
            yield "", IngestError(label, str(e))
        return
    if kind == "binary":
        yield "", IngestError(label, f"not text ({res.content_type or 'unknown type'})")
        return
    try:
        raw = decode_bytes(res.data)
    except _Rejected as e:
        yield "", IngestError(label, str(e))
        return
    doc = make_document(raw, path=label, url=res.url, fallback_published=published,
                        html=True if kind == "html" else None)
    if not doc.body.strip():
        yield "", IngestError(label, "no article text (only page chrome or comments)")
        return
    yield doc.id, doc


def is_url(p: str) -> bool:
    return p[:8].lower().startswith(("http://", "https://"))


def _from_url(url: str, published: date | None, max_bytes: int, allow_private: bool | None
              ) -> Iterator[Document | IngestError]:
    from .fetch import FetchError, fetch

    try:
        res = fetch(url, allow_private=allow_private, max_bytes=max_bytes)
    except FetchError as e:
        yield IngestError(url, str(e))
        return
    for _key, item in fetched_documents(res, url, published):
        yield item


def count_inputs(paths: list[str]) -> int | None:
    """About how many items ``iter_documents`` will give for ``paths`` (one per file, one per
    non-blank JSONL line), for a progress total; None when it cannot be known beforehand
    (stdin, URLs, feeds)."""
    n = 0
    for p in paths:
        if p == "-" or is_url(p):
            return None
        path = Path(p).expanduser()
        files = _walk(path) if path.is_dir() else [path] if path.is_file() else None
        if files is None:        # missing: one IngestError
            n += 1
            continue
        for f in files:
            suffix = f.suffix.lower()
            if suffix in FEED_SUFFIXES:
                return None
            if suffix not in JSONL_SUFFIXES:
                n += 1
                continue
            try:
                with f.open("rb") as fh:
                    n += sum(1 for line in fh if line.strip())
            except OSError:
                n += 1
    return n


def iter_documents(paths: list[str], published: date | None = None, *,
                   max_bytes: int = DEFAULT_MAX_BYTES, stdin: BinaryIO | None = None,
                   allow_private: bool | None = None
                   ) -> Iterator[Document | IngestError]:
    """Documents from files, folders (recursive, sorted, hidden files skipped), JSONL files,
    HTML pages (.html/.htm), RSS/Atom feeds (.xml/.rss/.atom: one Document per entry),
    http(s) URLs (fetched: page or feed) and "-" (stdin; JSONL when its first line is a JSON
    object).

    published: the publication date to use where the source gives none (a JSONL field, a
    NAME.meta.json sidecar, a feed entry's or a page's own date wins). max_bytes: larger
    documents are rejected without being read (downloads are cut off there).
    allow_private: fetch URLs on loopback/private/link-local addresses (default: refused,
    unless SITREP_ALLOW_PRIVATE=1).
    """
    for p in paths:
        if p == "-":
            yield from _from_stdin(published, max_bytes, stdin)
            continue
        if is_url(p):
            yield from _from_url(p, published, max_bytes, allow_private)
            continue
        path = Path(p).expanduser()
        if path.is_dir():
            for f in _walk(path):
                yield from _from_path(f, published, max_bytes)
        elif path.is_file():
            yield from _from_path(path, published, max_bytes)
        elif path.exists():
            yield IngestError(p, "not a regular file")
        else:
            yield IngestError(p, "not found")
