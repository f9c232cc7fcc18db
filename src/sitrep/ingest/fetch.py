"""Fetch URLs safely: timeouts, a streamed byte cap, few redirects, and no SSRF.

    res = fetch("https://example.org/feed.xml", etag=old_etag)
    if res.not_modified: ...
    kind = sniff(res.content_type, res.data, res.url)   # "feed" | "html" | "text" | "binary"

Every hop (the first URL and each redirect) must be http(s) and its host must resolve only to
public addresses: loopback, private, link-local, multicast, reserved, unspecified and shared
(CGNAT) addresses are refused unless allow_private=True. The check is made again at connect
time on the address actually dialled (the connection goes to the checked IP, TLS still
verifies the host name), so a DNS answer that changes between check and connect (rebinding)
cannot reach an internal address. Proxies from the environment are ignored (trust_env=False).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from .. import __version__

DEFAULT_TIMEOUT = 15.0          # seconds per connect / read / write
DEFAULT_TOTAL_TIMEOUT = 60.0    # seconds for the whole download (slow-drip servers)
DEFAULT_FETCH_MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = f"sitrep/{__version__} (+https://github.com/sitrep)"
ACCEPT = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, "
          "text/html;q=0.9, text/plain;q=0.8, */*;q=0.5")


class FetchError(Exception):
    """A URL that could not (or must not) be fetched; the message says why."""


@dataclass
class FetchResult:
    url: str                      # the final URL, after redirects
    status: int
    content_type: str = ""
    data: bytes = b""
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False
    redirects: list[str] = field(default_factory=list)


def allow_private_default() -> bool:
    """SITREP_ALLOW_PRIVATE=1 opts in to fetching private / loopback addresses."""
    return os.environ.get("SITREP_ALLOW_PRIVATE", "").strip().lower() in ("1", "true", "yes")


def _ip_refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why this address must not be dialled ("" when it is public)."""
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return _ip_refusal(mapped)
        if ip.teredo is not None:
            return _ip_refusal(ip.teredo[1])
    for what, flag in (("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
                       ("multicast", ip.is_multicast), ("unspecified", ip.is_unspecified),
                       ("reserved", ip.is_reserved), ("private", ip.is_private)):
        if flag:
            return what
    if not ip.is_global:
        return "non-public"
    return ""


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise FetchError(f"cannot resolve host {host!r} ({e})") from None
    seen: list[str] = []
    for info in infos:
        addr = str(info[4][0]).split("%")[0]
        if addr not in seen:
            seen.append(addr)
    if not seen:
        raise FetchError(f"cannot resolve host {host!r}")
    return seen


def check_host(host: str, port: int, allow_private: bool = False) -> list[str]:
    """The addresses of host, or FetchError when any of them is not public (and private
    targets are not allowed)."""
    host = host.strip("[]")
    addrs = _resolve(host, port)
    if not allow_private:
        for a in addrs:
            why = _ip_refusal(ipaddress.ip_address(a))
            if why:
                raise FetchError(f"refused: {host} resolves to a {why} address ({a}); "
                                 f"use --allow-private to fetch it")
    return addrs


def check_url(url: str, allow_private: bool = False) -> None:
    """FetchError unless url is http(s) with a host that may be fetched."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise FetchError(f"bad URL ({e})") from None
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"refused: scheme {parts.scheme or '(none)'!r} (only http and https)")
    if not parts.hostname:
        raise FetchError("bad URL (no host)")
    check_host(parts.hostname, port or (443 if parts.scheme == "https" else 80), allow_private)


class _GuardedBackend(httpcore.SyncBackend):
    """Dials only addresses that pass the SSRF check, and dials the checked address itself."""

    def __init__(self, allow_private: bool) -> None:
        super().__init__()
        self.allow_private = allow_private

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        addrs = check_host(host, port, self.allow_private)
        last: Exception | None = None
        for a in addrs:
            try:
                return super().connect_tcp(a, port, timeout=timeout,
                                           local_address=local_address,
                                           socket_options=socket_options)
            except Exception as e:  # noqa: BLE001 - try the next address, report the last
                last = e
        assert last is not None
        raise last


def make_client(allow_private: bool = False, timeout: float = DEFAULT_TIMEOUT) -> httpx.Client:
    """An httpx client that never follows redirects by itself, ignores environment proxies and
    checks every address it connects to."""
    transport = httpx.HTTPTransport(retries=0)
    pool = getattr(transport, "_pool", None)
    if pool is not None and hasattr(pool, "_network_backend"):
        pool._network_backend = _GuardedBackend(allow_private)
    return httpx.Client(transport=transport, follow_redirects=False, trust_env=False,
                        timeout=httpx.Timeout(timeout),
                        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT})


def _mb(n: int) -> str:
    return f"{n / 1048576:.1f} MB".replace(".0 MB", " MB")


def fetch(url: str, *, allow_private: bool | None = None, timeout: float = DEFAULT_TIMEOUT,
          total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
          max_bytes: int = DEFAULT_FETCH_MAX_BYTES, max_redirects: int = MAX_REDIRECTS,
          etag: str = "", last_modified: str = "", client: httpx.Client | None = None
          ) -> FetchResult:
    """GET url (following at most max_redirects redirects, each re-checked) and return the
    body, at most max_bytes of it (larger responses raise FetchError, without reading on).
    etag / last_modified make the request conditional: a 304 gives not_modified=True."""
    if allow_private is None:
        allow_private = allow_private_default()
    own = client is None
    client = client or make_client(allow_private, timeout)
    deadline = time.monotonic() + total_timeout
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    redirects: list[str] = []
    try:
        current = url
        while True:
            check_url(current, allow_private)
            try:
                with client.stream("GET", current, headers=headers) as resp:
                    if resp.status_code in (301, 302, 303, 307, 308):
                        loc = resp.headers.get("location", "")
                        if not loc:
                            raise FetchError(f"redirect without a Location ({resp.status_code})")
                        if len(redirects) >= max_redirects:
                            raise FetchError(f"too many redirects (more than {max_redirects})")
                        current = urljoin(current, loc)
                        redirects.append(current)
                        continue
                    res = FetchResult(url=str(resp.url), status=resp.status_code,
                                      content_type=resp.headers.get("content-type", ""),
                                      etag=resp.headers.get("etag", ""),
                                      last_modified=resp.headers.get("last-modified", ""),
                                      redirects=redirects)
                    if resp.status_code == 304:
                        res.not_modified = True
                        return res
                    if resp.status_code >= 400:
                        raise FetchError(f"HTTP {resp.status_code}")
                    declared = resp.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise FetchError(f"too large ({_mb(int(declared))} > {_mb(max_bytes)})")
                    buf = bytearray()
                    for chunk in resp.iter_bytes():    # decoded: a gzip bomb hits the cap too
                        buf += chunk
                        if len(buf) > max_bytes:
                            raise FetchError(f"too large (more than {_mb(max_bytes)})")
                        if time.monotonic() > deadline:
                            raise FetchError(f"too slow (over {total_timeout:.0f} s)")
                    res.data = bytes(buf)
                    return res
            except httpx.TimeoutException:
                raise FetchError(f"timed out (after {timeout:.0f} s)") from None
            except httpx.HTTPError as e:
                cause = e.__cause__ or e.__context__
                if isinstance(cause, FetchError):
                    raise cause from None
                raise FetchError(f"fetch failed ({type(e).__name__}: {e})") from None
    finally:
        if own:
            client.close()


def sniff(content_type: str, data: bytes, url: str = "") -> str:
    """"feed", "html", "text" or "binary", from the content type, then the bytes."""
    from .feeds import FEED_SUFFIXES, looks_like_feed
    from .html import looks_like_html

    ct = content_type.split(";")[0].strip().lower()
    head = data[:4096]
    if ct in ("application/rss+xml", "application/atom+xml", "application/rdf+xml") or (ct.endswith("xml") and looks_like_feed(data)):
        return "feed"
    if looks_like_feed(data) and (ct in ("", "text/plain", "application/octet-stream")
                                  or ct.endswith("xml")):
        return "feed"
    if ct in ("text/html", "application/xhtml+xml"):
        return "html"
    path = urlsplit(url).path.lower()
    if any(path.endswith(s) for s in FEED_SUFFIXES) and looks_like_feed(data):
        return "feed"
    try:
        text_head = head.decode("utf-8", errors="ignore")
    except Exception:  # noqa: BLE001
        text_head = ""
    if looks_like_html(text_head):
        return "html"
    if ct.startswith("text/") or ct in ("", "application/octet-stream", "application/json"):
        return "text"
    return "binary"
