"""Ingest: sources (files, folders, HTML, RSS/Atom feeds, JSONL, stdin, URLs) -> Documents.

    for item in iter_documents(["news/"], published=date(2018, 7, 7)):
        if isinstance(item, IngestError): report(item)
        else: pipeline.run(item)
"""

from .feeds import FeedError, looks_like_feed, parse_feed
from .fetch import FetchError, FetchResult, check_url, fetch, sniff
from .html import HtmlResult, extract_html, html_to_text, looks_like_html
from .page import informal_score, is_chrome_line, split_page
from .sources import (
    DEFAULT_MAX_BYTES,
    IngestError,
    count_inputs,
    decode_bytes,
    fetched_documents,
    is_url,
    iter_documents,
    make_document,
    parse_published,
)

__all__ = [
    "DEFAULT_MAX_BYTES", "FeedError", "FetchError", "FetchResult", "HtmlResult", "IngestError",
    "check_url", "count_inputs", "decode_bytes", "extract_html", "fetch", "fetched_documents",
    "html_to_text",
    "informal_score", "is_chrome_line", "is_url", "iter_documents", "looks_like_feed",
    "looks_like_html", "make_document", "parse_feed", "parse_published", "sniff", "split_page",
]
