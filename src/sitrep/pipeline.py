"""Wires the stages for one document: extract -> geo -> the incidents a page tells twice
(extract.fold_placed, with the places known) -> actor naming. No storage here."""

from __future__ import annotations

from datetime import date

from .extract import extract_events, fold_placed, load_lexicon, name_actors
from .models import PLACE_FIELDS, Document, Event, content_id


def _inherit_place(ev: Event, prev: Event) -> None:
    """An unresolved place ("in the district of X") in an article about one city takes the
    city of the previous event, at geo_precision 2 at best (ACLED: unknown district: the
    city)."""
    for f in PLACE_FIELDS:
        if f != "geo_precision":
            setattr(ev, f, getattr(prev, f))
    ev.geo_precision = max(prev.geo_precision or 1, 2)
    # the words that named the place are its evidence here too
    ev.evidence += [e for e in prev.evidence if e.field == "location"
                    and not any(x.field == "location" for x in ev.evidence)][:1]


LEDE_SENTENCES = 3   # the lede: the body's first sentences after the headline


def _lede_place(doc: Document, gazetteer) -> Event | None:
    """The first place the lede names that resolves to a town ("clashes in Sugapa District,
    Intan Jaya Regency, from 19 to 24 January"), as an event holding only that place."""
    from .extract.events import DocSentences
    from .extract.places import find_place_mentions
    from .geo.resolve import place_event

    ds = DocSentences(doc.body, None)
    lede = [s for s in ds.sentences if not s.is_headline][:LEDE_SENTENCES]
    for s in lede:
        probe = Event(doc.id, "", "", places=find_place_mentions(s.text, s.start))
        if not probe.places:
            continue
        probe.sentence_start, probe.sentence_end = s.start, s.end
        probe.datelines = ds.datelines([s])
        place_event(probe, doc.body, gazetteer)
        if probe.latitude is not None and (probe.geo_precision or 1) <= 2:
            return probe
    return None


class Pipeline:
    """Holds the heavy state (lexicons, gazetteer) once; runs documents through it."""

    def __init__(self, gazetteer=None, use_geo: bool = True, labels_as_published: bool = False):
        """labels_as_published: name state actors as their labels stood on each document's
        publication day (an ended regime open, "(2014-)"), as a historical ACLED export
        shows them; by default the current labels ("(2014-2021)")."""
        self.lexicon = load_lexicon()
        self.labels_as_published = labels_as_published
        self._gazetteer = gazetteer
        self.use_geo = use_geo

    @property
    def gazetteer(self):
        if self._gazetteer is None and self.use_geo:
            from .geo import Gazetteer

            self._gazetteer = Gazetteer.load()
        return self._gazetteer

    def run(self, doc: Document, ref: date | None = None,
            labels_as_published: bool | None = None) -> list[Event]:
        """The document's events. ref: the day a document without a publication date
        resolves its relative dates against (its ingest date; default today).
        labels_as_published: this run's label convention (default: the pipeline's)."""
        as_published = self.labels_as_published if labels_as_published is None \
            else labels_as_published
        events = extract_events(doc, self.lexicon, ref)
        told: list[Event] = []
        if events and self.use_geo:
            from .geo.resolve import fill_country, place_events, same_place

            home = place_events(events, doc.body, self.gazetteer)
            told = list(events)
            # a later telling of an incident, now that places are known: the same day,
            # type and place (or none of its own), its actors compatible
            events[:] = fold_placed(events, self.lexicon, same_place)
            # an event told before any placed one, with no place of its own, is where the
            # lede says the story is (issue 15: a page-level place every event starts from)
            prev = _lede_place(doc, self.gazetteer) if any(
                e.latitude is None for e in events) else None
            for ev in events:
                if ev.latitude is None and prev is not None and (
                        not ev.country_code or ev.country_code == prev.country_code):
                    _inherit_place(ev, prev)
                if ev.latitude is not None:
                    prev = ev
                if not ev.country_code and not ev.country_hint and home:
                    fill_country(ev, home)     # nowhere of its own: the page's country
            if any(e.latitude is not None for e in events):
                # a page that places its incidents, and one it gives no place for: a total or
                # a summary told by country only ("13 civilians killed in two Darfur cities
                # at the weekend"), not coded (CODEBOOK 5: country-only violence)
                events[:] = [e for e in events if e.latitude is not None]
        for ev in events:
            if not ev.country_code and ev.country_hint:
                ev.country_code = ev.country_hint
            as_of = doc.published.isoformat() if as_published and doc.published else None
            name_actors(ev, self.lexicon, as_of)
        if events:
            from .geo.resolve import country_evidence

            country_evidence(events, doc.body, told)
        return events

    def run_text(self, text: str, published: date | None = None, doc_id: str | None = None,
                 url: str = "", title: str = "") -> list[Event]:
        doc = Document(id=doc_id or content_id(text), text=text, body=text,
                       published=published, url=url, title=title)
        return self.run(doc)
