"""Wires the stages for one document: extract -> geo -> naming. No storage here."""

from __future__ import annotations

from datetime import date

from .models import Document, Event, content_id


class Pipeline:
    """Holds the heavy state (lexicons, gazetteer) once; runs documents through it."""

    def __init__(self, gazetteer=None):
        self._gazetteer = gazetteer

    def run(self, doc: Document) -> list[Event]:  # pragma: no cover - replaced below
        raise NotImplementedError

    def run_text(self, text: str, published: date | None = None, doc_id: str | None = None,
                 url: str = "", title: str = "") -> list[Event]:
        doc = Document(id=doc_id or content_id(text), text=text, body=text,
                       published=published, url=url, title=title)
        return self.run(doc)
