"""SQLite through aiosqlite: the stdlib ``sqlite3`` driver run on one worker thread per
connection (SQLite has no network protocol to await, so a thread is the only way; the issue
allows it for SQLite alone).

The connection is a real ``sqlite3`` connection with the sync dialect's settings
(``isolation_level="IMMEDIATE"``, ``check_same_thread=False``, pragmas), so transactions,
types and errors behave exactly as with the sync engine. Each statement runs in one hop to
the worker thread: execute, fetch every row and close the cursor together (through
aiosqlite's ``_execute``), instead of three round trips through the thread's queue. The
worker thread is made a daemon, so connections idle in a pool at interpreter exit do not keep
the process alive (nothing is lost: an idle pooled connection has no open transaction).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from athanor.dialects._async import AsyncDialectMixin, BufferedCursor
from athanor.dialects.sqlite.base import SQLiteDialect, regexp, set_journal_mode


def _run(conn: Any, sql: str, params: Any, many: bool) -> BufferedCursor:
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(sql, params)
        elif params is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, params)
        description = cursor.description
        rows = cursor.fetchall() if description is not None else []
        return BufferedCursor(description, rows, cursor.rowcount, cursor.lastrowid)
    finally:
        cursor.close()


def _open(conn: Any, sql: str, params: Any) -> Any:
    return conn.execute(sql) if params is None else conn.execute(sql, params)


class _StreamCursor:
    """A sqlite3 cursor whose fetches run on the connection's worker thread."""

    __slots__ = ("_aconn", "_cursor", "description", "rowcount", "lastrowid")

    def __init__(self, aconn: Any, cursor: Any) -> None:
        self._aconn = aconn
        self._cursor = cursor
        self.description = cursor.description
        self.rowcount = cursor.rowcount
        self.lastrowid = cursor.lastrowid

    async def fetchmany(self, size: int) -> list[Any]:
        rows: list[Any] = await self._aconn._execute(self._cursor.fetchmany, size)
        return rows

    async def fetchall(self) -> list[Any]:
        rows: list[Any] = await self._aconn._execute(self._cursor.fetchall)
        return rows

    async def close(self) -> None:
        await self._aconn._execute(self._cursor.close)


class SQLiteAiosqliteDialect(AsyncDialectMixin, SQLiteDialect):
    driver = "aiosqlite"
    driver_package = "aiosqlite"

    @classmethod
    def import_dbapi(cls) -> ModuleType:
        try:
            import aiosqlite
        except ImportError as err:
            raise cls._missing_driver(err) from err
        return aiosqlite

    async def connect_async(self, *cargs: Any, **cparams: Any) -> Any:
        dbapi = self.dbapi
        assert dbapi is not None, "create_async_engine() sets dialect.dbapi"
        conn = dbapi.connect(*cargs, **cparams)
        thread = getattr(conn, "_thread", None)
        if thread is not None:  # an idle pooled connection must not keep the process alive
            thread.daemon = True
        return await conn

    async def execute_async(
        self, dbapi_connection: Any, sql: str, params: Any, many: bool
    ) -> BufferedCursor:
        result: BufferedCursor = await dbapi_connection._execute(
            _run, dbapi_connection._conn, sql, params, many
        )
        return result

    async def open_stream_async(self, dbapi_connection: Any, sql: str, params: Any) -> Any:
        cursor = await dbapi_connection._execute(_open, dbapi_connection._conn, sql, params)
        return _StreamCursor(dbapi_connection, cursor)

    async def on_connect_async(self, dbapi_connection: Any) -> None:
        if self._journal_mode is not None:
            await dbapi_connection._execute(
                set_journal_mode, dbapi_connection._conn, self._journal_mode, self._busy_timeout
            )
        for pragma in self._pragmas:
            await self.execute_async(dbapi_connection, pragma, None, False)
        await dbapi_connection.create_function("regexp", 2, regexp, deterministic=True)

    async def initialize_async(self, dbapi_connection: Any) -> None:
        import sqlite3

        self.server_version_info = sqlite3.sqlite_version_info
        await super().initialize_async(dbapi_connection)

    async def before_savepoint_async(self, dbapi_connection: Any) -> None:
        if not dbapi_connection.in_transaction and dbapi_connection.isolation_level is not None:
            await self.execute_async(dbapi_connection, "BEGIN IMMEDIATE", None, False)

    async def set_isolation_level_async(self, dbapi_connection: Any, level: str) -> None:
        await dbapi_connection._execute(self.set_isolation_level, dbapi_connection._conn, level)

    async def get_isolation_level_async(self, dbapi_connection: Any) -> str | None:
        level: str | None = await dbapi_connection._execute(
            self.get_isolation_level, dbapi_connection._conn
        )
        return level

    async def do_ping_async(self, dbapi_connection: Any) -> bool:
        try:
            await self.execute_async(dbapi_connection, "SELECT 1", None, False)
        except Exception:  # closed or unusable
            return False
        return True

    def do_terminate(self, dbapi_connection: Any) -> None:
        """Close on the worker thread and stop it, with no future to report back to (the
        event loop that opened the connection may be gone)."""
        from aiosqlite.core import _STOP_RUNNING_SENTINEL

        aconn = dbapi_connection

        def close_and_stop() -> Any:
            conn, aconn._connection = aconn._connection, None
            if conn is not None:
                conn.close()
            return _STOP_RUNNING_SENTINEL

        conn = aconn._connection
        if conn is not None:
            conn.interrupt()  # thread-safe: ends a statement still running (cancelled task)
        aconn._running = False
        aconn._tx.put_nowait((None, close_and_stop))

    def is_disconnect(self, error: BaseException, dbapi_connection: Any | None) -> bool:
        if isinstance(error, ValueError) and "no active connection" in str(error):
            return True
        return super().is_disconnect(error, dbapi_connection)


dialect = SQLiteAiosqliteDialect

__all__ = ["SQLiteAiosqliteDialect"]
