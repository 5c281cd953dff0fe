"""The asyncio half of a dialect: the few driver calls that must be awaited.

An async dialect is the vendor's sync dialect class plus :class:`AsyncDialectMixin`. Everything
that does no I/O is inherited unchanged: SQL flavour, feature flags, type storage, the
statement cache, ``create_connect_args``, ``is_disconnect``, savepoint SQL, isolation-level
names. The mixin adds coroutine twins of the driver hooks, named like the sync hook with an
``_async`` suffix (``do_commit`` / ``do_commit_async``), so the sync hooks keep their meaning
and no coroutine is ever created by code that would not await it.

Execution returns a :class:`BufferedCursor`: the statement is run and every row fetched
while awaiting, then the sync :class:`athanor.engine.CursorResult` reads the buffer. Result
processing, row classes, ``inserted_primary_key`` and the whole Result API are therefore the
sync engine's code. Streaming (``AsyncConnection.stream``) keeps the driver cursor open and
fetches in chunks instead (:meth:`AsyncDialectMixin.open_stream_async`).

``do_terminate`` is the one synchronous hook: it drops a connection without awaiting (closing
the socket, stopping the worker thread), for the paths that cannot await -- a cancelled task,
a garbage-collected checkout, a pool met again from another event loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class BufferedCursor:
    """A finished execution as a sync PEP 249 cursor over the already-fetched rows."""

    __slots__ = ("description", "rowcount", "lastrowid", "_rows", "_pos")

    def __init__(
        self, description: Any, rows: Sequence[Any], rowcount: int, lastrowid: Any = None
    ) -> None:
        self.description = description
        self.rowcount = rowcount
        self.lastrowid = lastrowid
        self._rows = rows if type(rows) is list else list(rows)
        self._pos = 0

    def fetchone(self) -> Any:
        pos = self._pos
        if pos >= len(self._rows):
            return None
        self._pos = pos + 1
        return self._rows[pos]

    def fetchmany(self, size: int = 1) -> list[Any]:
        pos = self._pos
        chunk = self._rows[pos:pos + size]
        self._pos = pos + len(chunk)
        return chunk

    def fetchall(self) -> list[Any]:
        pos, self._pos = self._pos, len(self._rows)
        return self._rows if pos == 0 else self._rows[pos:]

    def close(self) -> None:
        self._rows = []
        self._pos = 0


class AsyncDialectMixin:
    """Coroutine driver hooks; mixed in before a vendor dialect class.

    The defaults suit drivers whose ``connection.cursor()`` is a plain call returning a cursor
    with awaitable ``execute`` / ``executemany`` / ``fetch*`` / ``close`` (psycopg, asyncmy);
    a vendor overrides what differs.
    """

    is_async = True

    # --- connecting ----------------------------------------------------------------
    async def connect_async(self, *cargs: Any, **cparams: Any) -> Any:
        raise NotImplementedError

    async def on_connect_async(self, dbapi_connection: Any) -> None:
        """Set up a fresh connection (session settings, pragmas)."""

    async def initialize_async(self, dbapi_connection: Any) -> None:
        """Learn about the server from the engine's first connection."""
        self.default_isolation_level = await self.get_isolation_level_async(dbapi_connection)

    # --- statements --------------------------------------------------------------------
    def _cursor(self, dbapi_connection: Any) -> Any:
        return dbapi_connection.cursor()

    async def execute_async(
        self, dbapi_connection: Any, sql: str, params: Any, many: bool
    ) -> BufferedCursor:
        """Run one statement and fetch every row it returns."""
        cursor = self._cursor(dbapi_connection)
        try:
            if many:
                await cursor.executemany(sql, params)
            elif params is None:
                await cursor.execute(sql)
            else:
                await cursor.execute(sql, params)
            description = cursor.description
            rows = await cursor.fetchall() if description is not None else []
            return BufferedCursor(
                description, rows, cursor.rowcount, getattr(cursor, "lastrowid", None)
            )
        finally:
            await cursor.close()

    async def open_stream_async(self, dbapi_connection: Any, sql: str, params: Any) -> Any:
        """Execute and return the open cursor (awaitable ``fetchmany`` / ``close``)."""
        cursor = self._cursor(dbapi_connection)
        try:
            if params is None:
                await cursor.execute(sql)
            else:
                await cursor.execute(sql, params)
        except BaseException:
            await _close_cursor(cursor)
            raise
        return cursor

    async def exec_control_async(self, dbapi_connection: Any, sql: str) -> None:
        """Run transaction-control SQL (SAVEPOINT ...)."""
        await self.execute_async(dbapi_connection, sql, None, False)

    # --- transactions -------------------------------------------------------------------
    async def do_begin_async(self, dbapi_connection: Any) -> None:
        """Drivers begin implicitly; nothing to do by default."""

    async def do_commit_async(self, dbapi_connection: Any) -> None:
        await dbapi_connection.commit()

    async def do_rollback_async(self, dbapi_connection: Any) -> None:
        await dbapi_connection.rollback()

    async def do_close_async(self, dbapi_connection: Any) -> None:
        await dbapi_connection.close()

    def do_terminate(self, dbapi_connection: Any) -> None:
        """Drop the connection at once, without awaiting (see the module docstring)."""
        dbapi_connection.close()

    async def before_savepoint_async(self, dbapi_connection: Any) -> None:
        """Make sure a real transaction is open before the first SAVEPOINT."""

    # --- isolation levels -----------------------------------------------------------------
    async def set_isolation_level_async(self, dbapi_connection: Any, level: str) -> None:
        raise NotImplementedError

    async def get_isolation_level_async(self, dbapi_connection: Any) -> str | None:
        raise NotImplementedError

    async def reset_isolation_level_async(self, dbapi_connection: Any) -> None:
        level = self.isolation_level or self.default_isolation_level  # type: ignore[attr-defined]
        if level is not None:
            await self.set_isolation_level_async(dbapi_connection, level)

    # --- health ----------------------------------------------------------------------------
    async def do_ping_async(self, dbapi_connection: Any) -> bool:
        """True if the connection answers; never raises for a dead connection."""
        try:
            await self.execute_async(dbapi_connection, "SELECT 1", None, False)
            await self.do_rollback_async(dbapi_connection)
        except Exception:  # any failure: the connection is unusable
            return False
        return True


async def _close_cursor(cursor: Any) -> None:
    try:
        await cursor.close()
    except Exception:  # the connection may be gone already
        pass


__all__ = ["AsyncDialectMixin", "BufferedCursor"]
