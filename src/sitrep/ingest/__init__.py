"""Ingest: sources (files, folders, HTML, JSONL, stdin) -> Documents.

    for item in iter_documents(["news/"], published=date(2018, 7, 7)):
        if isinstance(item, IngestError): report(item)
        else: pipeline.run(item)
"""

from .html import html_to_text, looks_like_html
from .page import informal_score, is_chrome_line, split_page
from .sources import (
    DEFAULT_MAX_BYTES,
    IngestError,
    decode_bytes,
    iter_documents,
    make_document,
    parse_published,
)

__all__ = [
    "DEFAULT_MAX_BYTES", "IngestError", "decode_bytes", "html_to_text", "informal_score",
    "is_chrome_line", "iter_documents", "looks_like_html", "make_document", "parse_published",
    "split_page",
]
