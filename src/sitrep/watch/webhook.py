"""Webhook delivery: POST an alert as JSON, with a timeout and retries with backoff.

Only the URL the user gives is called. Retried: connection errors, timeouts, 429 and 5xx
answers; a 4xx answer is final.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from .. import __version__


@dataclass
class Delivery:
    ok: bool
    attempts: int
    status: int | None = None
    error: str = ""


def post_json(url: str, payload: dict, *, retries: int = 3, timeout: float = 10.0,
              backoff: float = 0.5, client: httpx.Client | None = None,
              sleep=time.sleep) -> Delivery:
    """POST ``payload``; up to ``retries`` extra attempts, waiting backoff * 2**i between."""
    if not url.lower().startswith(("http://", "https://")):
        return Delivery(False, 0, None, f"not an http(s) URL: {url}")
    own = client is None
    client = client or httpx.Client(timeout=timeout, follow_redirects=False,
                                    headers={"User-Agent": f"sitrep/{__version__}"})
    status, error = None, ""
    try:
        for attempt in range(1, retries + 2):
            try:
                r = client.post(url, json=payload, timeout=timeout)
                status = r.status_code
                if 200 <= status < 300:
                    return Delivery(True, attempt, status)
                error = f"HTTP {status}"
                if status != 429 and status < 500:
                    return Delivery(False, attempt, status, error)
            except httpx.HTTPError as e:
                status, error = None, f"{e.__class__.__name__}: {e}"
            if attempt <= retries:
                sleep(backoff * 2 ** (attempt - 1))
        return Delivery(False, retries + 1, status, error)
    finally:
        if own:
            client.close()
