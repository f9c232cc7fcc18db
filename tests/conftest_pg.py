"""Database fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from SITREP_TEST_PG (a SQLAlchemy URL; .ci/setup.d/10-postgres.sh exports it
in CI). Outside CI, PostgreSQL tests are skipped when no server is configured or reachable; in
CI (CI=true) a missing server fails them instead, so CI never passes without PostgreSQL.

Use in a test module:  import conftest_pg; db_url = conftest_pg.db_url (and store, ...)
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
_checked: dict[str, str] = {}


def _unavailable(url: str | None) -> str:
    """Why PostgreSQL cannot be used ("" when it can)."""
    if not url:
        return "SITREP_TEST_PG is not set"
    if url not in _checked:
        try:
            eng = create_engine(url, connect_args={"connect_timeout": 5})
            with eng.connect() as c:
                c.execute(text("SELECT 1"))
            eng.dispose()
            _checked[url] = ""
        except Exception as e:  # noqa: BLE001
            _checked[url] = f"PostgreSQL at SITREP_TEST_PG not reachable ({type(e).__name__})"
    return _checked[url]


def require_pg() -> str:
    """The PostgreSQL URL, or skip (outside CI) / fail (in CI)."""
    url = os.environ.get("SITREP_TEST_PG")
    why = _unavailable(url)
    if why:
        if IN_CI:
            pytest.fail(f"CI=true but {why}: .ci/setup.d/10-postgres.sh must provide it")
        pytest.skip(why)
    return url


@contextmanager
def pg_schema_url(base: str) -> Iterator[str]:
    """A fresh schema (dropped afterwards) and a URL whose search_path points at it, so tests
    never see each other's rows."""
    schema = "sitrep_test_" + uuid.uuid4().hex[:10]
    admin = create_engine(base)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL on a fresh schema."""
    with pg_schema_url(require_pg()) as url:
        yield url


@pytest.fixture(params=["sqlite-file", "sqlite-memory", "postgresql"])
def db_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite-file":
        yield str(tmp_path / "sub" / "sitrep.db")
    elif request.param == "sqlite-memory":
        yield "sqlite://"
    else:
        with pg_schema_url(require_pg()) as url:
            yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_db_url(request, tmp_path) -> Iterator[str]:
    """A store several processes can open at once: a SQLite file, or PostgreSQL."""
    if request.param == "sqlite":
        yield str(tmp_path / "shared.db")
    else:
        with pg_schema_url(require_pg()) as url:
            yield url


@pytest.fixture
def store(db_url):
    from sitrep.store import Store

    s = Store(db_url)
    yield s
    s.close()
