"""Web ingest: HTML via trafilatura, RSS/Atom via feedparser, safe fetching (timeouts, byte cap,
redirects, SSRF refusal), and `sitrep watch`. The only server is a local one on 127.0.0.1."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sitrep.ingest import IngestError, iter_documents
from sitrep.ingest.feeds import FeedError, parse_feed
from sitrep.ingest.fetch import FetchError, check_url, fetch, make_client, sniff
from sitrep.ingest.poll import parse_interval, poll_source, watch
from sitrep.models import Document
from sitrep.store import Store

ARTICLE_HTML = """<!doctype html><html><head><title>Raid in Borno | Example News</title>
<meta property="og:site_name" content="Example News">
<meta property="og:title" content="Raid in Borno">
<meta property="article:published_time" content="2019-04-02T10:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Raid in Borno</h1>
<p>Boko Haram fighters raided a village in Borno state on Monday, killing five civilians,
officials said.</p>
<p>The attack happened near Maiduguri. Residents fled to the city after the gunmen burned
houses and stole livestock, a local official told reporters.</p>
<script>document.write('tracker')</script><img src="x" onerror="alert('pwned')">
</article>
<section id="comments" class="comments">
<div class="comment"><p>This is terrible, pray for them all!!!</p></div>
<div class="comment"><p>Where is the army? I am so angry about this.</p></div>
</section>
<footer>&copy; 2019 Example News. All rights reserved.</footer>
</body></html>"""


def rss(items: list[tuple[str, str, str, str]], title: str = "Example Wire") -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{pub}</pubDate><description><![CDATA[<p>{desc}</p>]]></description></item>"
        for t, link, pub, desc in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>https://example.org/</link>{body}</channel></rss>"
            ).encode()


ITEMS = [
    ("Clashes in Idlib", "https://example.org/idlib", "Mon, 04 Mar 2019 10:00:00 GMT",
     "Syrian government forces clashed with HTS fighters near Saraqib on Sunday."),
    ("Raid in Borno", "https://example.org/borno", "Tue, 02 Apr 2019 08:00:00 GMT",
     "Boko Haram fighters raided a village in Borno state, killing five."),
]
NEW_ITEM = ("Protest in Kampala", "https://example.org/kampala", "Wed, 03 Apr 2019 08:00:00 GMT",
            "Police arrested 20 protesters in Kampala on Tuesday, witnesses said.")

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Wire</title><id>urn:x</id>
<updated>2019-04-02T00:00:00Z</updated>
<entry><title>Airstrike in Idlib</title><id>urn:uuid:1</id>
<link href="https://example.org/a1"/><published>2019-04-01T09:00:00Z</published>
<updated>2019-04-01T09:00:00Z</updated>
<content type="html">&lt;p&gt;Russian warplanes struck Khan Shaykhun on Sunday.&lt;/p&gt;</content>
</entry></feed>"""


# --- a local HTTP server (127.0.0.1 only) --------------------------------------------------------

class Routes(dict):
    """path -> (status, headers, body) or a callable(handler) -> same."""

    def __init__(self):
        super().__init__()
        self.hits: list[tuple[str, dict]] = []


def _handler(routes: Routes):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            routes.hits.append((self.path, dict(self.headers)))
            r = routes.get(self.path)
            if r is None:
                status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
            else:
                status, headers, body = r(self) if callable(r) else r
            if body is None:     # the route wrote the response itself
                return
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if "Content-Length" not in headers and "Transfer-Encoding" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return H


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass   # the byte-cap and timeout tests hang up on purpose: no traceback in the log


@pytest.fixture
def server():
    routes = Routes()
    httpd = _QuietServer(("127.0.0.1", 0), _handler(routes))
    httpd.daemon_threads = True
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield base, routes
    httpd.shutdown()
    httpd.server_close()


# --- SSRF -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("url,why", [
    ("http://127.0.0.1/", "loopback"), ("http://localhost:8080/x", "loopback"),
    ("http://[::1]/", "loopback"), ("http://10.1.2.3/", "private"),
    ("http://192.168.0.1/", "private"), ("http://172.16.5.4/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[fe80::1]/", "link-local"), ("http://224.0.0.1/", "multicast"),
    ("http://0.0.0.0/", "unspecified"), ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://240.0.0.1/", "reserved"), ("http://100.64.0.1/", "non-public"),
    ("http://2130706433/", "loopback"),        # 127.0.0.1 as one integer
])
def test_private_targets_refused(url, why):
    with pytest.raises(FetchError, match=f"refused: .* {why} address"):
        check_url(url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x/",
                                 "javascript:alert(1)", "//example.org/x"])
def test_other_schemes_refused(url):
    with pytest.raises(FetchError, match="scheme"):
        check_url(url)


def test_local_server_refused_without_opt_in(server, monkeypatch):
    base, routes = server
    routes["/a"] = (200, {"Content-Type": "text/plain"}, b"Headline\n\nText.")
    monkeypatch.delenv("SITREP_ALLOW_PRIVATE", raising=False)
    with pytest.raises(FetchError, match="refused: 127.0.0.1 resolves to a loopback"):
        fetch(base + "/a")
    [e] = list(iter_documents([base + "/a"]))
    assert isinstance(e, IngestError) and "loopback" in e.reason and "--allow-private" in e.reason
    assert routes.hits == []                 # nothing was sent
    # the guard is also at connect time (DNS rebinding): a client used directly refuses
    with make_client(allow_private=False) as c, pytest.raises(FetchError, match="loopback"):
        c.get(base + "/a")
    assert routes.hits == []
    assert fetch(base + "/a", allow_private=True).data == b"Headline\n\nText."
    monkeypatch.setenv("SITREP_ALLOW_PRIVATE", "1")
    assert fetch(base + "/a").status == 200


def test_redirects_limited_and_rechecked(server):
    base, routes = server
    routes["/final"] = (200, {"Content-Type": "text/plain"}, b"Final\n\nArrived.")
    for i in range(8):
        routes[f"/r{i}"] = (302, {"Location": f"/r{i + 1}" if i < 7 else "/final"}, b"")
    routes["/r8"] = (302, {"Location": "/final"}, b"")
    res = fetch(base + "/r3", allow_private=True)          # 5 redirects: allowed
    assert res.url == base + "/final" and res.data == b"Final\n\nArrived."
    assert len(res.redirects) == 5
    with pytest.raises(FetchError, match="too many redirects"):
        fetch(base + "/r0", allow_private=True)              # 8 redirects
    routes["/to-file"] = (301, {"Location": "file:///etc/passwd"}, b"")
    with pytest.raises(FetchError, match="scheme 'file'"):
        fetch(base + "/to-file", allow_private=True)


def test_each_redirect_hop_checked(server, monkeypatch):
    """A public page redirecting to the cloud metadata address: refused at that hop (here
    127.0.0.1 plays the public server; nothing is ever sent to 169.254.169.254)."""
    fm = sys.modules["sitrep.ingest.fetch"]   # the package exports a function of that name
    base, routes = server
    real = fm._ip_refusal
    monkeypatch.setattr(fm, "_ip_refusal", lambda ip: "" if str(ip) == "127.0.0.1" else real(ip))
    routes["/ok"] = (200, {"Content-Type": "text/plain"}, b"Fine\n\nText.")
    assert fetch(base + "/ok").status == 200
    routes["/to-meta"] = (302, {"Location": "http://169.254.169.254/latest/"}, b"")
    with pytest.raises(FetchError, match="169.254.169.254 resolves to a link-local"):
        fetch(base + "/to-meta")
    routes["/to-local"] = (307, {"Location": "http://[::1]:9/admin"}, b"")
    with pytest.raises(FetchError, match="::1 resolves to a loopback"):
        fetch(base + "/to-local")


def test_byte_cap_and_timeouts(server):
    base, routes = server
    big = b"x" * (2 * 1024 * 1024)
    routes["/big"] = (200, {"Content-Type": "text/plain"}, big)
    with pytest.raises(FetchError, match="too large"):
        fetch(base + "/big", allow_private=True, max_bytes=1024 * 1024)

    def chunked(h):   # no Content-Length: the cap applies while streaming
        h.send_response(200)
        h.send_header("Content-Type", "text/plain")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        try:
            for _ in range(64):
                chunk = b"y" * 65536
                h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            h.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        return 200, {}, None
    routes["/chunked"] = chunked
    with pytest.raises(FetchError, match="too large"):
        fetch(base + "/chunked", allow_private=True, max_bytes=1024 * 1024)

    bomb = gzip.compress(b"z" * (8 * 1024 * 1024))
    routes["/bomb"] = (200, {"Content-Type": "text/plain", "Content-Encoding": "gzip"}, bomb)
    with pytest.raises(FetchError, match="too large"):
        fetch(base + "/bomb", allow_private=True, max_bytes=1024 * 1024)

    def slow(h):
        time.sleep(2)
        return 200, {"Content-Type": "text/plain"}, b"late"
    routes["/slow"] = slow
    t0 = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        fetch(base + "/slow", allow_private=True, timeout=0.5)
    assert time.monotonic() - t0 < 1.9

    routes["/500"] = (500, {"Content-Type": "text/plain"}, b"oops")
    with pytest.raises(FetchError, match="HTTP 500"):
        fetch(base + "/500", allow_private=True)


def test_sniffing():
    feed = rss(ITEMS)
    assert sniff("application/rss+xml", feed) == "feed"
    assert sniff("text/xml; charset=utf-8", feed) == "feed"
    assert sniff("text/plain", feed) == "feed"
    assert sniff("", ATOM) == "feed"
    assert sniff("text/html; charset=utf-8", ARTICLE_HTML.encode()) == "html"
    assert sniff("application/octet-stream", ARTICLE_HTML.encode()) == "html"
    assert sniff("text/plain", b"Headline\n\nSome text.") == "text"
    assert sniff("image/png", b"\x89PNG\r\n") == "binary"


# --- HTML and feeds -------------------------------------------------------------------------------

def test_html_page_trafilatura_body_comments_metadata(tmp_path: Path):
    p = tmp_path / "page.html"
    p.write_text(ARTICLE_HTML, encoding="utf-8")
    [d] = list(iter_documents([str(p)], published=date(2020, 1, 1)))
    assert isinstance(d, Document)
    assert d.title == "Raid in Borno"
    assert d.body.startswith("Raid in Borno\n\nBoko Haram fighters raided a village")
    assert "Maiduguri" in d.body
    assert d.published == date(2019, 4, 2)          # the page's own date beats the flag
    assert d.source_name == "Example News"
    for junk in ("Home", "rights reserved", "tracker", "alert", "pwned", "pray", "angry"):
        assert junk not in d.body
    assert any("pray for them" in c for c in d.comments)
    assert any("angry" in c for c in d.comments)
    assert any("Home" in c for c in d.chrome)


def test_feed_file_one_document_per_entry(tmp_path: Path):
    (tmp_path / "wire.rss").write_bytes(rss(ITEMS))
    (tmp_path / "atom.xml").write_bytes(ATOM)
    out = list(iter_documents([str(tmp_path)], published=date(2020, 1, 1)))
    assert all(isinstance(d, Document) for d in out), out
    by = {d.title: d for d in out}
    assert set(by) == {"Clashes in Idlib", "Raid in Borno", "Airstrike in Idlib"}
    d = by["Raid in Borno"]
    assert d.url == "https://example.org/borno" and d.published == date(2019, 4, 2)
    assert d.source_name == "Example Wire"
    assert d.body == ("Raid in Borno\n\n"
                      "Boko Haram fighters raided a village in Borno state, killing five.")
    a = by["Airstrike in Idlib"]
    assert a.body.endswith("Russian warplanes struck Khan Shaykhun on Sunday.")
    assert a.published == date(2019, 4, 1) and a.url == "https://example.org/a1"


def test_unsafe_and_broken_xml_refused():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
              + b"".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">'.encode()
                         for p, c in zip("abcdefgh", "bcdefghi", strict=True))
              + b']><rss version="2.0"><channel><title>&i;</title></channel></rss>')
    with pytest.raises(FeedError, match="entity declarations"):
        parse_feed(laughs)
    xxe = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<rss version="2.0"><channel><item><title>&x;</title></item></channel></rss>')
    with pytest.raises(FeedError, match="unsafe XML refused"):
        parse_feed(xxe)
    with pytest.raises(FeedError, match="not well-formed"):
        parse_feed(b"<rss><channel><item></channel>")
    with pytest.raises(FeedError, match="not an RSS/Atom feed"):
        parse_feed(b'<?xml version="1.0"?><urlset><url>x</url></urlset>')


# --- fetching documents and watching --------------------------------------------------------------

def test_iter_documents_fetches_feed_and_page(server):
    base, routes = server
    routes["/feed"] = (200, {"Content-Type": "application/rss+xml"}, rss(ITEMS))
    routes["/page"] = (200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE_HTML.encode())
    routes["/text"] = (200, {"Content-Type": "text/plain"}, b"Clashes in Idlib\n\nFighting.")
    routes["/img"] = (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    out = list(iter_documents([base + "/feed", base + "/page", base + "/text", base + "/img",
                               base + "/missing"], allow_private=True))
    docs = [d for d in out if isinstance(d, Document)]
    errs = [e for e in out if isinstance(e, IngestError)]
    assert [d.title for d in docs] == ["Clashes in Idlib", "Raid in Borno", "Raid in Borno",
                                       "Clashes in Idlib"]
    assert docs[2].url == base + "/page" and docs[2].comments
    assert [(e.path, e.reason) for e in errs] == [
        (base + "/img", "not text (image/png)"), (base + "/missing", "HTTP 404")]


def test_parse_interval():
    assert parse_interval("30s") == 30 and parse_interval("5m") == 300
    assert parse_interval("1h") == 3600 and parse_interval("1h30m") == 5400
    assert parse_interval("90") == 90
    for bad in ("", "5x", "0s", "m", "-5m"):
        with pytest.raises(ValueError):
            parse_interval(bad)


def test_poll_remembers_seen_items_and_validators(server, tmp_path, pipeline):
    base, routes = server
    state = {"items": list(ITEMS), "etag": '"v1"'}

    def feed(h):
        if h.headers.get("If-None-Match") == state["etag"]:
            return 304, {"ETag": state["etag"]}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": state["etag"],
                     "Last-Modified": "Wed, 03 Apr 2019 09:00:00 GMT"}, rss(state["items"])
    routes["/feed"] = feed
    url = base + "/feed"
    store = Store(tmp_path / "w.db")
    r = poll_source(url, store, pipeline, allow_private=True)
    assert (r.new_documents, r.seen_before, r.not_modified, r.errors) == (2, 0, False, [])
    st = store.source_state(url)
    assert st["etag"] == '"v1"' and st["last_modified"].startswith("Wed, 03 Apr 2019")
    assert store.seen_items(url) == {"https://example.org/idlib", "https://example.org/borno"}
    r = poll_source(url, store, pipeline, allow_private=True)
    assert r.not_modified and r.new_documents == 0
    assert routes.hits[-1][1].get("If-None-Match") == '"v1"'
    assert routes.hits[-1][1].get("If-Modified-Since", "").startswith("Wed, 03 Apr 2019")
    state["items"].append(NEW_ITEM)
    state["etag"] = '"v2"'
    r = poll_source(url, store, pipeline, allow_private=True)
    assert (r.new_documents, r.seen_before) == (1, 2)
    assert store.counts()["documents"] == 3
    # a server that ignores validators: nothing is ingested twice
    state["etag"] = '"v3"'
    r = poll_source(url, store, pipeline, allow_private=True)
    assert (r.new_documents, r.seen_before) == (0, 3)
    store.close()


def test_watch_loop_rounds_and_errors(server, tmp_path, pipeline):
    base, routes = server
    routes["/feed"] = (200, {"Content-Type": "application/rss+xml"}, rss(ITEMS))
    feed_file = tmp_path / "local.rss"
    feed_file.write_bytes(rss([NEW_ITEM]))
    store = Store(tmp_path / "w.db")
    sleeps, seen = [], []
    res = watch([base + "/feed", str(feed_file), base + "/gone"], store, pipeline, every=60,
                allow_private=True, sleep=sleeps.append, max_rounds=2, report=seen.append)
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 60
    assert [r.new_documents for r in seen] == [2, 1, 0, 0, 0, 0]
    assert [r.seen_before for r in res] == [2, 1, 0]
    assert res[2].errors and "HTTP 404" in res[2].errors[0]
    assert store.counts()["documents"] == 3
    store.close()


def _sitrep(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    e = {**os.environ, **(env or {})}
    e.pop("SITREP_ALLOW_PRIVATE", None)
    return subprocess.run([sys.executable, "-m", "sitrep.cli", *args], capture_output=True,
                          text=True, env=e, timeout=120)


def test_watch_command_once(server, tmp_path):
    base, routes = server
    routes["/feed"] = (200, {"Content-Type": "application/rss+xml", "ETag": '"e1"'},
                       rss(ITEMS))
    db = str(tmp_path / "cli.db")
    p = _sitrep("watch", base + "/feed", "--once", "--db", db)
    assert p.returncode == 1 and "refused" in p.stderr and "loopback" in p.stderr
    assert routes.hits == []
    p = _sitrep("watch", base + "/feed", "--once", "--allow-private", "--every", "1m",
                "--db", db)
    assert p.returncode == 0, p.stderr
    assert "2 new" in p.stderr
    p = _sitrep("watch", base + "/feed", "--once", "--allow-private", "--db", db)
    assert p.returncode == 0 and "0 new, 2 seen" in p.stderr
    with Store(db) as s:
        assert s.counts()["documents"] == 2
    p = _sitrep("watch", base + "/feed", "--once", "--every", "soon", "--db", db)
    assert p.returncode == 2 and "interval" in p.stderr
