"""API tokens and who may read.

- Writes (reviews) need a token: ``Authorization: Bearer <token>`` (or ``X-Sitrep-Token``).
  The token is ``SITREP_TOKEN``, or one generated on the first run, printed once and kept
  only as a SHA-256 hash in the database. Comparison uses ``hmac.compare_digest``.
- Reads are open to clients on the loopback interface (with a loopback Host header, against
  DNS rebinding), to anyone with a valid token, and to everyone when ``SITREP_PUBLIC_READ=1``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi import HTTPException, Request
from sqlalchemy import Engine, insert, select

from .schema import api_tokens

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass
class TokenSet:
    """Known token hashes, by label. ``new_token``: a token generated now (print it once)."""

    hashes: dict[str, str] = field(default_factory=dict)      # label -> sha256 hex
    new_token: str | None = None

    def check(self, token: str | None) -> str | None:
        """The label of the matching token, or None. Constant-time per comparison."""
        if not token:
            return None
        digest = _sha(token)
        found = None
        for label, h in self.hashes.items():
            if hmac.compare_digest(digest, h):
                found = label
        return found


def generate_token(engine: Engine, label: str = "generated") -> str:
    """A new random token, stored as a hash; returns the token (show it once)."""
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(insert(api_tokens).values(label=label, token_sha256=_sha(token),
                                               created_at=datetime.now(UTC)))
    return token


def load_tokens(engine: Engine, token: str | None = None, *, generate: bool = True) -> TokenSet:
    """The tokens the app accepts: ``token`` (argument) or ``SITREP_TOKEN``, and the tokens
    stored in the database. With none at all and ``generate``, one is generated and stored."""
    ts = TokenSet()
    given = token if token is not None else os.environ.get("SITREP_TOKEN") or None
    if given:
        ts.hashes["env"] = _sha(given)
    with engine.connect() as conn:
        for r in conn.execute(select(api_tokens.c.pk, api_tokens.c.label,
                                     api_tokens.c.token_sha256)):
            ts.hashes[f"{r.label}#{r.pk}"] = r.token_sha256
    if not ts.hashes and generate:
        new = generate_token(engine)
        ts = load_tokens(engine, token, generate=False)
        ts.new_token = new
    return ts


def request_token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return request.headers.get("x-sitrep-token") or None


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _host_name(request: Request) -> str:
    host = request.headers.get("host", "")
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def require_read(request: Request) -> None:
    """Dependency of the read endpoints."""
    st = request.app.state
    if st.public_read:
        return
    if request.client is not None and is_loopback(request.client.host) and (
            _host_name(request).lower() in LOOPBACK_HOSTS | st.allowed_hosts):
        return
    if st.tokens.check(request_token(request)):
        return
    raise HTTPException(401, "reads are open on loopback only: send the API token "
                             "(Authorization: Bearer ...) or set SITREP_PUBLIC_READ=1",
                        headers={"WWW-Authenticate": "Bearer"})


def require_write(request: Request) -> str:
    """Dependency of the review endpoints: the label of the token used."""
    label = request.app.state.tokens.check(request_token(request))
    if label is None:
        raise HTTPException(401, "a valid API token is required (Authorization: Bearer ...)",
                            headers={"WWW-Authenticate": "Bearer"})
    return label
