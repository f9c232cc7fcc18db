"""Wires the stages for one document: extract -> geo -> actor naming. No storage here."""

from __future__ import annotations

from datetime import date

from .extract import extract_events, load_lexicon, name_actors
from .models import Document, Event, content_id


class Pipeline:
    """Holds the heavy state (lexicons, gazetteer) once; runs documents through it."""

    def __init__(self, gazetteer=None, use_geo: bool = True):
        self.lexicon = load_lexicon()
        self._gazetteer = gazetteer
        self.use_geo = use_geo

    @property
    def gazetteer(self):
        if self._gazetteer is None and self.use_geo:
            from .geo import Gazetteer

            self._gazetteer = Gazetteer.load()
        return self._gazetteer

    def run(self, doc: Document) -> list[Event]:
        events = extract_events(doc, self.lexicon)
        if events and self.use_geo:
            from .geo.resolve import place_event

            gaz = self.gazetteer
            for ev in events:
                place_event(ev, doc.body, gaz)
        for ev in events:
            if not ev.country_code and ev.country_hint:
                ev.country_code = ev.country_hint
            name_actors(ev, self.lexicon)
        return events

    def run_text(self, text: str, published: date | None = None, doc_id: str | None = None,
                 url: str = "", title: str = "") -> list[Event]:
        doc = Document(id=doc_id or content_id(text), text=text, body=text,
                       published=published, url=url, title=title)
        return self.run(doc)
