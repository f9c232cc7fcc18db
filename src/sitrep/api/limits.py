"""Request limits of the API: a cap on request bodies, and validation errors without input.

``BodyLimit`` is an ASGI middleware in front of everything else, so an oversized body is
refused before any route, dependency or token check reads it: by its Content-Length at
once, and for bodies without one (chunked) by counting bytes as they arrive. The answer is
413 with a short JSON reason. The cap is ``SITREP_MAX_BODY`` bytes (default 1 MiB).

``validation_error`` replaces FastAPI's 422 handler, which echoes every submitted value
(``input``) back: ours gives each error's location, message and type only.
"""

from __future__ import annotations

import json
import os

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

DEFAULT_MAX_BODY = 1024 * 1024


def max_body_from_env() -> int:
    """The body cap in bytes: SITREP_MAX_BODY, else DEFAULT_MAX_BODY."""
    raw = os.environ.get("SITREP_MAX_BODY", "").strip()
    if not raw:
        return DEFAULT_MAX_BODY
    try:
        n = int(raw)
    except ValueError as e:
        raise ValueError(f"SITREP_MAX_BODY must be a number of bytes, not {raw[:40]!r}") from e
    if n < 1:
        raise ValueError("SITREP_MAX_BODY must be at least 1 byte")
    return n


def _reply(status: int, reason: str) -> tuple[dict, dict]:
    body = json.dumps({"detail": reason}).encode()
    start = {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode()),
                         (b"connection", b"close")]}
    return start, {"type": "http.response.body", "body": body, "more_body": False}


class BodyLimit:
    """Refuse HTTP request bodies larger than ``max_body`` bytes with 413."""

    def __init__(self, app, max_body: int = DEFAULT_MAX_BODY):
        self.app = app
        self.max_body = max_body

    def _too_large(self) -> str:
        return f"request body too large: the limit is {self.max_body} bytes"

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = None
        for k, v in scope.get("headers") or ():
            if k.lower() == b"content-length":
                try:
                    declared = int(v)
                except ValueError:
                    declared = -1
                break
        if declared is not None and (declared < 0 or declared > self.max_body):
            status, reason = ((400, "bad Content-Length header") if declared < 0
                              else (413, self._too_large()))
            for msg in _reply(status, reason):     # refused unread
                await send(msg)
            return

        state = {"seen": 0, "started": False, "refused": False}

        async def counted_receive():
            if state["refused"]:
                return {"type": "http.disconnect"}
            msg = await receive()
            if msg["type"] == "http.request":
                state["seen"] += len(msg.get("body") or b"")
                if state["seen"] > self.max_body:
                    state["refused"] = True
                    if not state["started"]:     # else the reply is cut short: no 413
                        state["started"] = True
                        for out in _reply(413, self._too_large()):
                            await send(out)
                    # the app sees a client that went away, and stops reading
                    return {"type": "http.disconnect"}
            return msg

        async def guarded_send(msg):
            if state["refused"]:
                return                      # the 413 is the answer; drop the app's reply
            if msg["type"] == "http.response.start":
                state["started"] = True
            await send(msg)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not state["refused"]:
                raise
            # the app failed on the body cut short after the 413 went out: nothing to add


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 naming each invalid field (location, message, type), never its value."""
    errors = []
    for e in exc.errors():
        loc = [p if isinstance(p, int) else str(p)[:64] for p in e.get("loc", ())]
        errors.append({"loc": loc, "msg": str(e.get("msg", ""))[:300],
                       "type": str(e.get("type", ""))[:64]})
    return JSONResponse({"detail": errors}, status_code=422)
