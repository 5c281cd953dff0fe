"""Backend discovery and the shared fixtures.

Every database test takes the ``backend_url`` fixture (directly or through ``engine``) and
so runs once per backend: SQLite always, PostgreSQL and MariaDB when they answer. An
unreachable server is a skip locally and a failure when ``CI=true``.

URLs come from ``ATHANOR_TEST_POSTGRESQL_URL`` / ``ATHANOR_TEST_MYSQL_URL`` with defaults for
the local servers; a database named there that does not exist yet is created. Under
pytest-xdist each worker gets its own database (``test_gw0``...), created on first use, so
workers never see each other's tables.

Isolation: after each test the ``engine`` fixture disposes the engine and drops every table
left in the test database (through the raw driver, so this works whatever athanor does).
SQLite tests use a fresh file per test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
BACKENDS = ("sqlite", "postgresql", "mysql")

_DEFAULT_URLS = {
    "postgresql": "postgresql://postgres@127.0.0.1:5432/test",
    "mysql": "mysql://root@127.0.0.1:3306/test",
}


def _server_url(backend: str) -> str:
    url = os.environ.get(f"ATHANOR_TEST_{backend.upper()}_URL", _DEFAULT_URLS[backend])
    if WORKER:
        base, _, db = url.rpartition("/")
        url = f"{base}/{db}_{WORKER}"
    return url


def _split(url: str) -> dict[str, Any]:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port,
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "database": parts.path.lstrip("/"),
    }


def _raw_connect(backend: str, *, database: str | None = None) -> Any:
    """A raw driver connection to the backend's test database (or another one)."""
    p = _split(_server_url(backend))
    db = database or p["database"]
    if backend == "postgresql":
        import psycopg

        return psycopg.connect(
            host=p["host"], port=p["port"] or 5432, user=p["user"], password=p["password"],
            dbname=db, autocommit=True, connect_timeout=3,
        )
    import pymysql

    return pymysql.connect(
        host=p["host"], port=p["port"] or 3306, user=p["user"], password=p["password"],
        database=db, autocommit=True, connect_timeout=3,
    )


def _ensure_database(backend: str) -> None:
    """Create the test database (or the per-worker one) if it is missing."""
    db = _split(_server_url(backend))["database"]
    if backend == "postgresql":
        conn = _raw_connect(backend, database="postgres")
        try:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", (db,)).fetchone():
                conn.execute(f'CREATE DATABASE "{db}"')
        finally:
            conn.close()
    else:
        conn = _raw_connect(backend, database="mysql")
        try:
            conn.cursor().execute(f"CREATE DATABASE IF NOT EXISTS `{db}`")
        finally:
            conn.close()


_reachable: dict[str, str | None] = {}


def backend_problem(backend: str) -> str | None:
    """None if the server answers, else why not (cached for the session)."""
    if backend == "sqlite":
        return None
    if backend not in _reachable:
        try:
            _ensure_database(backend)
            _raw_connect(backend).close()
            _reachable[backend] = None
        except Exception as err:  # any driver error means "unreachable"
            _reachable[backend] = f"{backend} unreachable at {_server_url(backend)}: {err}"
    return _reachable[backend]


def require_backend(backend: str) -> None:
    problem = backend_problem(backend)
    if problem is not None:
        if IN_CI:
            pytest.fail(f"{problem} (CI=true requires every backend)", pytrace=False)
        pytest.skip(problem)


def drop_all_tables(backend: str) -> None:
    """Drop every table (and PostgreSQL enum type) in the backend's test database."""
    conn = _raw_connect(backend)
    try:
        if backend == "postgresql":
            rows = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
            if rows:
                names = ", ".join(f'"{r[0]}"' for r in rows)
                conn.execute(f"DROP TABLE IF EXISTS {names} CASCADE")
            for (typ,) in conn.execute(
                "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = 'public' AND t.typtype = 'e'"
            ).fetchall():
                conn.execute(f'DROP TYPE IF EXISTS "{typ}" CASCADE')
            for (seq,) in conn.execute(
                "SELECT sequence_name FROM information_schema.sequences "
                "WHERE sequence_schema = 'public'"
            ).fetchall():
                conn.execute(f'DROP SEQUENCE IF EXISTS "{seq}" CASCADE')
        else:
            cur = conn.cursor()
            cur.execute("SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'")
            names = [r[0] for r in cur.fetchall()]
            if names:
                cur.execute("SET FOREIGN_KEY_CHECKS = 0")
                cur.execute("DROP TABLE IF EXISTS " + ", ".join(f"`{n}`" for n in names))
                cur.execute("SET FOREIGN_KEY_CHECKS = 1")
    finally:
        conn.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend name: 'sqlite', 'postgresql' or 'mysql' (MariaDB)."""
    require_backend(request.param)
    return request.param


@pytest.fixture
def backend_url(backend: str, tmp_path: Any) -> Iterator[str]:
    """A URL for a clean database of each backend; tables are dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    drop_all_tables(backend)
    yield _server_url(backend)
    drop_all_tables(backend)


@pytest.fixture
def engine(backend_url: str) -> Iterator[Any]:
    """An athanor Engine on each backend, disposed after the test."""
    from athanor import create_engine

    eng = create_engine(backend_url)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def connection(engine: Any) -> Iterator[Any]:
    """A Connection of ``engine``, closed after the test."""
    with engine.connect() as conn:
        yield conn


def requires(engine: Any, *features: str) -> None:
    """Skip the test unless the engine's dialect has every named ``supports_<feature>`` flag."""
    missing = [f for f in features if not getattr(engine.dialect, f"supports_{f}", False)]
    if missing:
        pytest.skip(f"{engine.dialect.name} lacks: {', '.join(missing)}")


@pytest.fixture
def require() -> Any:
    """``require(engine, "returning")`` skips by capability, not by vendor name."""
    return requires
