"""SQLite: features and driver hooks (stdlib ``sqlite3``).

Transactions: the driver runs in its "legacy" mode with ``isolation_level="IMMEDIATE"``: a
write statement (INSERT/UPDATE/DELETE/REPLACE) outside a transaction first issues
``BEGIN IMMEDIATE``, reads run on their own. Writers therefore take the write lock up front
(waiting up to the busy timeout instead of failing with "database is locked" when a read
snapshot turns out stale), and readers never block writers under WAL. Before a SAVEPOINT
with no transaction open the dialect issues ``BEGIN`` itself, so releasing the savepoint does
not commit. ``AUTOCOMMIT`` sets the driver's ``isolation_level`` to None.

Connections: ``check_same_thread=False`` (the pool hands connections across threads), WAL
journal and ``synchronous=NORMAL`` for file databases, a 30 s busy timeout, and foreign keys
enforced (``PRAGMA foreign_keys=ON``), as on the other databases. ``sqlite://`` and
``sqlite:///:memory:`` name one in-memory database per engine: the engine keeps a single
connection (see :class:`athanor.pool.LockedStaticPool`).

URL query options: ``timeout`` (busy timeout, seconds), ``uri=true`` (database is a
``file:`` URI), ``foreign_keys=false``, ``journal_mode=...``.
"""

from __future__ import annotations

import re
import sqlite3
import time
from types import ModuleType
from typing import Any

from athanor import exc
from athanor.dialects.base import Dialect
from athanor.dialects.sqlite.compiler import SQLiteCompiler
from athanor.dialects.sqlite.ddl import SQLiteDDLCompiler, SQLiteTypeCompiler

_DEFAULT_BUSY_TIMEOUT = 30.0
_FALSE = ("0", "false", "no", "off")


class SQLiteDialect(Dialect):
    name = "sqlite"
    driver = "pysqlite"
    driver_package = "sqlite3 (part of Python; rebuild Python with SQLite support)"
    paramstyle = "qmark"
    isolation_levels = ("SERIALIZABLE", "READ UNCOMMITTED", "AUTOCOMMIT")

    supports_returning = True  # Since SQLite 3.35.
    postfetch_lastrowid = True
    supports_multivalues_insert = True
    supports_native_boolean = False
    supports_native_decimal = False
    supports_timezone = False
    supports_for_update = False
    supports_ilike = False
    supports_schemas = False
    supports_fetch_first = False  # fetch(n) is rendered as LIMIT n
    supports_fetch_with_ties = False
    supports_alter = False
    requires_limit_for_offset = True

    @property
    def reflection(self) -> ModuleType:
        """This database's catalog queries (``athanor.dialects.sqlite.reflection``)."""
        from athanor.dialects.sqlite import reflection

        return reflection

    statement_compiler = SQLiteCompiler
    ddl_compiler = SQLiteDDLCompiler
    type_compiler = SQLiteTypeCompiler

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._pragmas: list[str] = []
        self._journal_mode: str | None = None
        self._busy_timeout = _DEFAULT_BUSY_TIMEOUT

    @classmethod
    def import_dbapi(cls) -> ModuleType:
        return sqlite3

    @staticmethod
    def is_memory_url(url: Any) -> bool:
        """Does this URL name an in-memory database (one per engine)?"""
        db = url.database
        if not db or db == ":memory:":
            return True
        query = url.query
        return "mode=memory" in db or query.get("mode") == "memory"

    def create_connect_args(self, url: Any) -> tuple[list[Any], dict[str, Any]]:
        query = dict(url.query)
        database = url.database or ":memory:"
        kwargs: dict[str, Any] = {
            "check_same_thread": False,
            "isolation_level": "IMMEDIATE",
            "timeout": _DEFAULT_BUSY_TIMEOUT,
        }
        if "timeout" in query:
            kwargs["timeout"] = _float_option("timeout", query.pop("timeout"))
        fks = str(query.pop("foreign_keys", "on")).lower() not in _FALSE
        journal = query.pop("journal_mode", None)
        if str(query.pop("uri", "")).lower() in ("1", "true", "yes", "on"):
            kwargs["uri"] = True
            if query:
                extra = "&".join(f"{k}={v}" for k, v in query.items())
                database = f"{database}{'&' if '?' in database else '?'}{extra}"
        elif query:
            raise exc.ArgumentError(
                f"Connecting to SQLite failed: unknown URL option(s) {sorted(query)!r}. "
                "Known options: timeout, foreign_keys, journal_mode, uri (pass other "
                "sqlite3.connect() arguments through connect_args)."
            )
        memory = self.is_memory_url(url)
        self._pragmas = ["PRAGMA foreign_keys=ON"] if fks else []
        self._journal_mode = None if memory else str(journal or "WAL")
        self._busy_timeout = kwargs["timeout"]
        if not memory:
            self._pragmas.append("PRAGMA synchronous=NORMAL")
        return [database], kwargs

    def on_connect(self, dbapi_connection: Any) -> None:
        if self._journal_mode is not None:
            set_journal_mode(dbapi_connection, self._journal_mode, self._busy_timeout)
        for pragma in self._pragmas:
            dbapi_connection.execute(pragma).close()
        dbapi_connection.create_function("regexp", 2, regexp, deterministic=True)

    def initialize(self, dbapi_connection: Any) -> None:
        self.server_version_info = sqlite3.sqlite_version_info
        super().initialize(dbapi_connection)

    # --- transactions ---------------------------------------------------------------
    def before_savepoint(self, dbapi_connection: Any) -> None:
        if not dbapi_connection.in_transaction and dbapi_connection.isolation_level is not None:
            dbapi_connection.execute("BEGIN IMMEDIATE").close()

    def do_rollback(self, dbapi_connection: Any) -> None:
        dbapi_connection.rollback()

    # --- isolation ------------------------------------------------------------------
    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        level = self.check_isolation_level(level)
        if level == "AUTOCOMMIT":
            dbapi_connection.isolation_level = None
            return
        dbapi_connection.isolation_level = "IMMEDIATE"
        flag = 1 if level == "READ UNCOMMITTED" else 0
        dbapi_connection.execute(f"PRAGMA read_uncommitted = {flag}").close()

    def get_isolation_level(self, dbapi_connection: Any) -> str | None:
        if dbapi_connection.isolation_level is None:
            return "AUTOCOMMIT"
        cursor = dbapi_connection.execute("PRAGMA read_uncommitted")
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        return "READ UNCOMMITTED" if row and row[0] else "SERIALIZABLE"

    # --- health ---------------------------------------------------------------------
    def do_ping(self, dbapi_connection: Any) -> bool:
        try:
            dbapi_connection.execute("SELECT 1").close()
        except Exception:  # closed or unusable connection
            return False
        return True

    def is_disconnect(self, error: BaseException, dbapi_connection: Any | None) -> bool:
        return isinstance(error, sqlite3.ProgrammingError) and (
            "closed database" in str(error)
        )

    def do_abandon(self, dbapi_connection: Any) -> None:
        """A file database connection copied by fork() is simply dropped (no socket)."""


def set_journal_mode(dbapi_connection: Any, mode: str, timeout: float) -> None:
    """Put the database file in journal ``mode`` unless it is in that mode already.

    The mode (WAL above all) is stored in the file, so only the first connection to a new
    file changes it. Changing it needs the file to itself, and SQLite answers "database is
    locked" at once, without waiting out the busy timeout, when another connection is
    changing it or reading at that moment (many threads opening a fresh file together).
    Such a failure is retried with a short, growing pause until ``timeout`` seconds pass.
    """
    wanted = mode.lower()
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        try:
            cursor = dbapi_connection.execute("PRAGMA journal_mode")
            try:
                row = cursor.fetchone()
            finally:
                cursor.close()
            if row is not None and str(row[0]).lower() == wanted:
                return
            dbapi_connection.execute(f"PRAGMA journal_mode={mode}").close()
            return
        except sqlite3.OperationalError as err:
            busy = "locked" in str(err) or "busy" in str(err)
            if not busy or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def regexp(pattern: str | None, value: Any) -> int | None:
    """SQLite's ``x REGEXP pattern`` (``regexp_match()``): Python's ``re.search``."""
    if pattern is None or value is None:
        return None
    return 1 if re.search(pattern, str(value)) else 0


def _float_option(name: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise exc.ArgumentError(
            f"Connecting to SQLite failed: URL option {name!r} must be a number of seconds, "
            f"got {value!r}."
        ) from None
