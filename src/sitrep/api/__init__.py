"""HTTP API and dashboard: `sitrep serve`.

    from sitrep.api import create_app
    app = create_app("sitrep.db", token="secret")     # FastAPI app; uvicorn.run(app)

Read endpoints under /api (events, one event, one document, stats), review endpoints that
need the API token and write an append-only audit log, the dashboard at /, OpenAPI docs at
/docs. Everything is served from the package: no CDN.
"""

from __future__ import annotations

__all__ = ["create_app"]


def __getattr__(name: str):
    # FastAPI is imported only when the app is wanted, so `sitrep --version` stays fast
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
