"""The benchmark databases, their schema and their starting data.

Every implementation maps the same tables, created here with plain SQL through the raw
driver, so no ORM's DDL (or lack of it) changes what is measured. Each measurement runs in a
fresh process against a fresh database: a new in-memory SQLite database, a new file in a
temporary directory, or the PostgreSQL benchmark database with its tables dropped and
recreated.

On SQLite every implementation runs with the same connection settings: athanor's defaults
(foreign keys enforced; for a file, the WAL journal with ``synchronous=NORMAL``), applied to
the raw connections and to SQLAlchemy's through a connect hook, and checked on every run.

An in-memory SQLite database lives in one connection, so for the ORM implementations the
schema and data go through the engine's own DB-API connection (``engine.raw_connection()``);
for the file and PostgreSQL it is a separate raw connection, idle (outside a transaction)
while the clock runs.

SQL is written once with ``?`` placeholders; ``Database.sql`` turns them into ``%s`` for
psycopg.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

BACKEND_TITLES: dict[str, str] = {
    "sqlite-mem": "SQLite (in memory)",
    "sqlite-file": "SQLite (file)",
    "postgresql": "PostgreSQL",
}
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/athanor_bench"
PG_URL_ENV = "ATHANOR_BENCH_POSTGRESQL_URL"

ITEM_COLUMNS = "name, value, grp, note"
ItemRow = tuple[str, int, int, str]


def pg_url() -> str:
    """The PostgreSQL benchmark database URL (``ATHANOR_BENCH_POSTGRESQL_URL`` or a default)."""
    return os.environ.get(PG_URL_ENV, DEFAULT_PG_URL)


def pg_problem(url: str | None = None) -> str | None:
    """None when the PostgreSQL benchmark database answers (created if missing), else why not."""
    url = url or pg_url()
    try:
        import psycopg

        dbname = url.rsplit("/", 1)[1].split("?", 1)[0]
        with psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=3) as c:
            if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone():
                c.execute(f'CREATE DATABASE "{dbname}"')
        psycopg.connect(url, connect_timeout=3).close()
    except Exception as err:  # any failure means: skip this backend
        return f"PostgreSQL unreachable at {url}: {type(err).__name__}: {err}".strip()
    return None


@dataclass
class Database:
    """One benchmark database, owned by one process; ``close()`` removes what it created."""

    backend: str
    path: str = ""
    url: str = ""
    _tmpdir: str = field(default="", repr=False)

    @property
    def kind(self) -> str:
        return "postgresql" if self.backend == "postgresql" else "sqlite"

    @property
    def in_memory(self) -> bool:
        return self.backend == "sqlite-mem"

    def sql(self, text: str) -> str:
        """The SQL in the driver's paramstyle (``?`` for sqlite3, ``%s`` for psycopg)."""
        return text.replace("?", "%s") if self.kind == "postgresql" else text

    @property
    def sqlite_pragmas(self) -> tuple[str, ...]:
        """The connection settings every implementation uses on SQLite (athanor's defaults)."""
        if self.kind != "sqlite":
            return ()
        fks = ("PRAGMA foreign_keys=ON",)
        return fks if self.in_memory else fks + FILE_PRAGMAS

    def connect(self) -> Any:
        """A new raw DB-API connection (for an in-memory database: a new, empty one)."""
        if self.kind == "postgresql":
            import psycopg

            return psycopg.connect(self.url)
        conn = sqlite3.connect(self.path or ":memory:")
        apply_pragmas(self, conn)
        return conn

    def check_settings(self, conn: Any) -> None:
        """Raise unless a SQLite connection has the settings of ``sqlite_pragmas``.

        Durability settings change commit costs tenfold on a file (WAL with
        ``synchronous=NORMAL`` versus the rollback journal with ``FULL``), so a run whose
        connection differs is refused rather than compared.
        """
        if self.kind != "sqlite":
            return
        cur = conn.cursor()
        got = {}
        for name in ("foreign_keys", "journal_mode", "synchronous"):
            cur.execute(f"PRAGMA {name}")
            got[name] = str(cur.fetchone()[0]).lower()
        want = {"foreign_keys": "1"}
        if not self.in_memory:
            want.update(journal_mode="wal", synchronous="1")
        diff = {k: got[k] for k, v in want.items() if got[k] != v}
        if diff:
            raise RuntimeError(
                f"Comparing implementations failed: SQLite connection settings {diff!r} differ "
                f"from {want!r}. Give every implementation the same settings."
            )

    def url_for(self, module: str) -> str:
        """The engine URL for an ORM module (``sqlalchemy`` needs the psycopg driver named)."""
        if self.kind == "postgresql":
            if module == "sqlalchemy":
                return self.url.replace("postgresql://", "postgresql+psycopg://", 1)
            return self.url
        return f"sqlite:///{self.path}" if self.path else "sqlite://"

    def async_url_for(self, module: str) -> str:
        """The async engine URL (PostgreSQL through psycopg's async connection)."""
        if self.kind != "postgresql":
            return "sqlite+aiosqlite:///" + self.path if self.path else "sqlite+aiosqlite://"
        if module == "sqlalchemy":
            return self.url.replace("postgresql://", "postgresql+psycopg://", 1)
        return self.url

    def close(self) -> None:
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)


FILE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


def apply_pragmas(db: Database, dbapi_connection: Any) -> None:
    """Give a SQLite DB-API connection the benchmark's settings (``Database.sqlite_pragmas``)."""
    for pragma in db.sqlite_pragmas:
        dbapi_connection.execute(pragma).close()


def open_database(backend: str) -> Database:
    """A fresh, empty database for ``backend`` (tables are created by ``create_schema``)."""
    if backend == "sqlite-mem":
        return Database(backend)
    if backend == "sqlite-file":
        tmp = tempfile.mkdtemp(prefix="athanor-bench-")
        return Database(backend, path=os.path.join(tmp, "bench.db"), _tmpdir=tmp)
    if backend == "postgresql":
        return Database(backend, url=pg_url())
    raise ValueError(
        f"Opening benchmark database failed: unknown backend {backend!r}. "
        f"Use one of: {', '.join(BACKEND_TITLES)}."
    )


_SQLITE_DDL = (
    "CREATE TABLE item (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL, "
    "value INTEGER NOT NULL, grp INTEGER NOT NULL, note VARCHAR(100))",
    "CREATE UNIQUE INDEX ix_item_name ON item (name)",
    "CREATE INDEX ix_item_grp ON item (grp)",
    "CREATE TABLE parent (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL)",
    "CREATE TABLE child (id INTEGER PRIMARY KEY, "
    "parent_id INTEGER NOT NULL REFERENCES parent (id), name VARCHAR(50) NOT NULL)",
    "CREATE INDEX ix_child_parent_id ON child (parent_id)",
)


def _pg_ddl() -> tuple[str, ...]:
    drop = ("DROP TABLE IF EXISTS child, parent, item CASCADE",)
    return drop + tuple(
        s.replace("id INTEGER PRIMARY KEY", "id SERIAL PRIMARY KEY") for s in _SQLITE_DDL
    )


def create_schema(db: Database, conn: Any) -> None:
    """Create the benchmark tables (dropping PostgreSQL's leftovers first) and commit."""
    cur = conn.cursor()
    for stmt in _pg_ddl() if db.kind == "postgresql" else _SQLITE_DDL:
        cur.execute(stmt)
    conn.commit()


def item_rows(n: int, *, start: int = 0, groups: int = 100) -> list[ItemRow]:
    """``n`` item rows ``(name, value, grp, note)``; names are unique from ``start`` on."""
    return [
        (f"item-{i:08d}", i % 1000, i % groups, f"note number {i}") for i in range(start, start + n)
    ]


def pks(rows: int, n: int, *, seed: int = 7) -> list[int]:
    """``n`` primary keys of a table with ids 1..rows, shuffled; distinct when ``n <= rows``,
    else the same shuffled order repeated."""
    rng = random.Random(seed)
    if n <= rows:
        return rng.sample(range(1, rows + 1), n)
    order = rng.sample(range(1, rows + 1), rows)
    return (order * (n // rows + 1))[:n]


def name_of(pk: int) -> str:
    """The ``name`` that ``populate_items`` gave the row with id ``pk``."""
    return f"item-{pk - 1:08d}"


def groups_for(rows: int) -> int:
    """How many ``grp`` values a table of ``rows`` items has: about 200 rows per group."""
    return max(1, rows // 200)


def _bulk_insert(db: Database, conn: Any, table: str, cols: str, rows: Sequence[tuple]) -> None:
    cur = conn.cursor()
    if db.kind == "postgresql":
        with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in cols.split(","))
        cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


def _finish(db: Database, conn: Any, tables: str) -> None:
    conn.commit()
    if db.kind == "postgresql":
        conn.execute(f"ANALYZE {tables}")
        conn.commit()


def populate_items(db: Database, conn: Any, rows: int) -> None:
    """Fill ``item`` with ``rows`` rows (ids 1..rows) and commit."""
    _bulk_insert(db, conn, "item", ITEM_COLUMNS, item_rows(rows, groups=groups_for(rows)))
    _finish(db, conn, "item")


def populate_relations(db: Database, conn: Any, parents: int, per_parent: int) -> None:
    """Fill ``parent`` (ids 1..parents) and ``child`` (``per_parent`` each) and commit."""
    _bulk_insert(db, conn, "parent", "name", [(f"parent {i}",) for i in range(parents)])
    children = [(p, f"child {p}.{k}") for p in range(1, parents + 1) for k in range(per_parent)]
    _bulk_insert(db, conn, "child", "parent_id, name", children)
    _finish(db, conn, "parent, child")


def scalar(db: Database, conn: Any, sql: str, params: tuple = ()) -> Any:
    """One value from the raw connection (used to check results, outside the clock)."""
    cur = conn.cursor()
    cur.execute(db.sql(sql), params)
    row = cur.fetchone()
    conn.commit()
    return row[0] if row else None
