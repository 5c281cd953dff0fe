"""PostgreSQL through psycopg 3's native ``AsyncConnection`` (no threads, no greenlets).

Connections get the same settings as the sync dialect (``autocommit=False``, server-side
binding with automatic prepared statements, client-side binding for the statements the
compiler marks, through the async twin of the sync dialect's cursor), so SQL text,
parameters and typing behave identically. The server facts the sync dialect
reads with the blocking ``pgconn.exec_`` are read here with awaited queries, followed by a
rollback so no transaction stays open. ``do_terminate`` closes the socket through the
low-level ``pgconn.finish()``, which never waits on the event loop.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from athanor.dialects._async import AsyncDialectMixin, BufferedCursor
from athanor.dialects.postgresql.base import PostgreSQLDialect
from athanor.dialects.postgresql.compiler import ClientBoundSQL

_TUPLES_OK = 2  # libpq ExecStatus of a statement that returned rows


class _PsycopgBuffered(BufferedCursor):
    """A BufferedCursor whose ``description`` comes from the (closed) cursor on demand."""

    __slots__ = ("_cursor", "_returns_rows")

    def __init__(self, cursor: Any, returns_rows: bool, rows: Any, rowcount: int) -> None:
        super().__init__(None, rows, rowcount)
        self._cursor = cursor
        self._returns_rows = returns_rows

    @property  # type: ignore[override]
    def description(self) -> Any:
        """Column names (and type oids) straight from the result: psycopg's own
        ``description`` builds a Column object per column, and only names are read."""
        if not self._returns_rows:
            return None
        res = self._cursor.pgresult
        return [
            (res.fname(i).decode("utf-8"), res.ftype(i), None, None, None, None, None)
            for i in range(res.nfields)
        ]

    @description.setter
    def description(self, value: Any) -> None:
        pass


class PostgreSQLPsycopgAsyncDialect(AsyncDialectMixin, PostgreSQLDialect):
    driver = "psycopg_async"
    driver_package = "psycopg[binary]"

    @classmethod
    def import_dbapi(cls) -> ModuleType:
        try:
            import psycopg
        except ImportError as err:
            raise cls._missing_driver(err) from err
        return psycopg

    async def connect_async(self, *cargs: Any, **cparams: Any) -> Any:
        dbapi = self.dbapi
        assert dbapi is not None, "create_async_engine() sets dialect.dbapi"
        if "cursor_factory" not in cparams:
            from athanor.dialects.postgresql._cursor import cursor_factories

            cparams["cursor_factory"] = cursor_factories()[1]
        return await dbapi.AsyncConnection.connect(*cargs, **cparams)

    async def execute_async(
        self, dbapi_connection: Any, sql: str, params: Any, many: bool
    ) -> BufferedCursor:
        """As the mixin's, but ``description`` is read only if the result needs it (psycopg
        builds Column objects on every read; cached statement metadata makes that
        unnecessary for repeated statements), and the fetched cursor is left to the GC."""
        cursor = dbapi_connection.cursor()
        if many:
            await cursor.executemany(sql, params)
        elif params is None:
            await cursor.execute(sql)
        else:
            await cursor.execute(sql, params)
        result = cursor.pgresult
        returns_rows = result is not None and result.status == _TUPLES_OK
        rows = await cursor.fetchall() if returns_rows else []
        # Not closed: a client-side cursor holds nothing on the server once fetched, and
        # ``description`` still reads its result (closing would drop it).
        return _PsycopgBuffered(cursor, returns_rows, rows, cursor.rowcount)

    async def open_stream_async(self, dbapi_connection: Any, sql: str, params: Any) -> Any:
        """A server-side cursor (``DECLARE ... CURSOR``): rows stay on the server until
        fetched. Parameters are bound as for ``execute``: by the server, or merged into the
        text first for a client-bound statement."""
        if params is not None and type(sql) is ClientBoundSQL:
            from athanor.dialects.postgresql._cursor import mogrify

            sql, params = mogrify(dbapi_connection, sql, params), None
        self._stream_seq = getattr(self, "_stream_seq", 0) + 1
        cursor = dbapi_connection.cursor(name=f"athanor_stream_{self._stream_seq}")
        try:
            await cursor.execute(sql, params)
        except BaseException:
            try:
                await cursor.close()
            except Exception:  # the transaction may be aborted already
                pass
            raise
        return cursor

    async def _show_async(self, conn: Any, setting: str) -> str:
        cursor = await conn.execute(f"SHOW {setting}")
        row = await cursor.fetchone()
        await conn.rollback()
        return str(row[0]).upper() if row and row[0] else "READ COMMITTED"

    async def initialize_async(self, dbapi_connection: Any) -> None:
        version = dbapi_connection.info.server_version
        self.server_version_info = (version // 10000, version % 10000)
        self.default_isolation_level = await self._show_async(
            dbapi_connection, "default_transaction_isolation"
        )

    async def set_isolation_level_async(self, dbapi_connection: Any, level: str) -> None:
        level = self.check_isolation_level(level)
        if level == "AUTOCOMMIT":
            await dbapi_connection.set_autocommit(True)
            return
        await dbapi_connection.set_autocommit(False)
        enum = self.dbapi.IsolationLevel if self.dbapi else None  # type: ignore[union-attr]
        await dbapi_connection.set_isolation_level(
            enum[level.replace(" ", "_")] if enum else None
        )

    async def get_isolation_level_async(self, dbapi_connection: Any) -> str | None:
        if dbapi_connection.autocommit:
            return "AUTOCOMMIT"
        level = dbapi_connection.isolation_level
        if level is not None:
            return str(level.name).replace("_", " ")
        return await self._show_async(dbapi_connection, "transaction_isolation")

    async def reset_isolation_level_async(self, dbapi_connection: Any) -> None:
        if self.isolation_level is not None:
            await self.set_isolation_level_async(dbapi_connection, self.isolation_level)
            return
        await dbapi_connection.set_autocommit(False)
        await dbapi_connection.set_isolation_level(None)

    async def do_ping_async(self, dbapi_connection: Any) -> bool:
        try:
            if dbapi_connection.closed or dbapi_connection.broken:
                return False
            await dbapi_connection.execute("SELECT 1")
            await dbapi_connection.rollback()
        except Exception:  # any failure: dead
            return False
        return True

    def do_terminate(self, dbapi_connection: Any) -> None:
        dbapi_connection.pgconn.finish()


dialect = PostgreSQLPsycopgAsyncDialect

__all__ = ["PostgreSQLPsycopgAsyncDialect"]
