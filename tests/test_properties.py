"""Property-based tests (hypothesis) on ingest and extract: no exception on any input, spans
always inside the text, ids stable."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitrep.ingest import IngestError, extract_html, iter_documents, make_document
from sitrep.ingest.feeds import FeedError, parse_feed
from sitrep.models import Document, content_id

WORDS = ["Clashes", "in", "Idlib", "killed", "five", "Boko Haram", "attacked", "Borno", "on",
         "Monday", "yesterday", "police", "arrested", "protesters", "IED", "Raqqa", "SDF",
         "airstrike", "إدلب", "\u202e", "\x00", "\ufffd", "&amp;", "<p>", "</div>", "\n", "\n\n",
         ".", ",", "!!!", "Mr.", "Reply", "Back To Top", "3 comments", "2019-04-01", "12"]
texty = st.one_of(st.text(max_size=400),
                  st.lists(st.sampled_from(WORDS), max_size=80).map(" ".join))
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@SETTINGS
@given(texty, st.booleans())
def test_make_document_any_text(text, html):
    d = make_document(text, html=html)
    assert d.id == content_id(d.body)
    assert make_document(text, html=html).id == d.id          # stable
    assert "\n\n\n" not in d.body


@SETTINGS
@given(st.binary(max_size=600))
def test_iter_documents_any_bytes(data):
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("x.txt", "x.html", "x.xml", "x.jsonl"):
            p = Path(tmp) / name
            p.write_bytes(data)
            for item in iter_documents([str(p)]):
                assert isinstance(item, Document | IngestError)
                if isinstance(item, IngestError):
                    assert item.reason
                else:
                    assert item.body.strip() and item.id == content_id(item.body)


@SETTINGS
@given(st.lists(st.sampled_from(["<div>", "</div>", "<p>", "</p>", "<script>", "</script>",
                                 "<nav>", "</nav>", "<!--", "-->", "<b", ">", "text", "Idlib",
                                 "&lt;", "&#0;", "&#x110000;", "<![CDATA[", "]]>", "\n"]),
                max_size=120).map("".join))
def test_extract_html_any_markup(html):
    res = extract_html(html)
    assert isinstance(res.text, str) and isinstance(res.comments, list)


@SETTINGS
@given(st.one_of(st.binary(max_size=300),
                 st.text(max_size=300).map(lambda t: f"<rss><channel>{t}</channel></rss>"
                                           .encode())))
def test_parse_feed_any_bytes(data):
    try:
        _title, entries = parse_feed(data)
    except FeedError as e:
        assert str(e)
    else:
        for e in entries:
            assert isinstance(e.text, str) and isinstance(e.key, str)


@SETTINGS
@given(texty)
def test_extract_any_text_spans_inside_and_ids_stable(pipeline, text):
    doc = make_document(text, html=False)
    if not doc.body.strip():
        return
    evs = pipeline.run(doc)
    again = pipeline.run(make_document(text, html=False))
    assert [e.id for e in evs] == [e.id for e in again]
    for ev in evs:
        assert ev.doc_id == doc.id
        assert 0 <= ev.sentence_start <= ev.sentence_end <= len(doc.body)
        for e in ev.evidence:
            assert 0 <= e.start < e.end <= len(doc.body)
            assert doc.body[e.start:e.end] == e.text
