"""Streaming results for asyncio: :class:`AsyncResult` and its scalar and mapping views.

Design: the sync Result machinery does all the work. A :class:`_StreamSource` is a sync
:class:`athanor.engine.Result` whose rows come from a buffer; the async views only make sure
the buffer holds enough rows before calling the sync method of the same name (``one()``
needs two rows, ``fetchmany(n)`` needs ``n``, ``all()`` needs everything). Row classes,
result processors, ``unique()``, ``columns()``, ``scalars()`` and ``mappings()`` and their
error messages are therefore the sync engine's, and the two never drift apart.

The driver cursor stays open until the rows are exhausted or the result is closed; the
connection cannot run another statement meanwhile (as with any server-side cursor).
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

from athanor.engine.result import Result, ResultMetaData, _no_rows_error
from athanor.engine.row import Row, RowMapping

_CHUNK = 1000


class _StreamSource(Result):
    """A sync Result reading processed rows from a buffer the async side fills."""

    def __init__(self, feed: _Feed, metadata: ResultMetaData | None) -> None:
        super().__init__(metadata)
        self._feed = feed
        self._rows: deque[tuple[Any, ...]] = deque()

    def _check(self) -> None:
        if self._metadata is None:
            raise _no_rows_error()

    def _raw_one(self) -> tuple[Any, ...] | None:
        self._check()
        return self._rows.popleft() if self._rows else None

    def _raw_many(self, size: int) -> list[tuple[Any, ...]]:
        self._check()
        rows = self._rows
        return [rows.popleft() for _ in range(min(size, len(rows)))]

    def _raw_all(self) -> list[tuple[Any, ...]]:
        self._check()
        out = list(self._rows)
        self._rows.clear()
        return out

    def _soft_close(self) -> None:
        self._rows.clear()
        self._closed = True
        self._feed.want_close = True


class _Feed:
    """The open driver cursor and how to turn its rows into processed tuples."""

    def __init__(self, connection: Any, cursor: Any, metadata: ResultMetaData | None) -> None:
        self.connection = connection
        self.cursor = cursor
        self.process = metadata.process_row if metadata is not None else None
        self.exhausted = cursor is None
        self.want_close = False
        self.source = _StreamSource(self, metadata)

    async def fill(self, need: int | None) -> None:
        """Buffer at least ``need`` rows (all rows when None), fewer if the cursor ends."""
        buffer = self.source._rows
        while not self.exhausted and (need is None or len(buffer) < need):
            size = _CHUNK if need is None else max(need - len(buffer), 1)
            try:
                rows = await self.cursor.fetchmany(size)
            except BaseException as err:
                await self.close()
                self.connection._raise_wrapped(err, None, None)
            count = len(rows)
            buffer.extend(rows if self.process is None else map(self.process, rows))
            if count < size:
                await self.close()

    async def close(self) -> None:
        cursor, self.cursor = self.cursor, None
        self.exhausted = True
        if cursor is not None:
            try:
                await cursor.close()
            except Exception:  # the connection may be gone
                pass

    async def settle(self) -> None:
        """Close the cursor if the sync side closed the result."""
        if self.want_close and self.cursor is not None:
            await self.close()


class _AsyncView:
    """The async API shared by AsyncResult, AsyncScalarResult and AsyncMappingResult."""

    _feed: _Feed
    _view: Any

    async def _call(self, need: int | None, method: Callable[..., Any], *args: Any) -> Any:
        await self._feed.fill(need)
        try:
            return method(*args)
        finally:
            await self._feed.settle()

    async def all(self) -> list[Any]:
        """Every remaining row."""
        return await self._call(None, self._view.all)  # type: ignore[no-any-return]

    async def fetchall(self) -> list[Any]:
        return await self.all()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        """Up to ``size`` more rows (1 when not given)."""
        size = size or 1
        while True:
            chunk: list[Any] = await self._call(size, self._view.fetchmany, size)
            if chunk or self._feed.exhausted:
                return chunk

    async def partitions(self, size: int | None = None) -> AsyncIterator[list[Any]]:
        """Rows in lists of ``size`` (1000 when not given)."""
        while True:
            chunk = await self.fetchmany(size or _CHUNK)
            if not chunk:
                return
            yield chunk

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        async for chunk in self.partitions():
            for obj in chunk:
                yield obj

    async def first(self) -> Any:
        """The first row or None; the result is closed."""
        return await self._call(1, self._view.first)

    async def one_or_none(self) -> Any:
        return await self._call(2, self._view.one_or_none)

    async def one(self) -> Any:
        return await self._call(2, self._view.one)

    def unique(self, strategy: Callable[[Any], Any] | None = None) -> Any:
        self._view.unique(strategy)
        return self

    async def close(self) -> None:
        self._view.close()
        await self._feed.close()

    @property
    def closed(self) -> bool:
        return bool(self._feed.source._closed)


class AsyncResult(_AsyncView):
    """Rows of a streamed statement (``await conn.stream(stmt)``), fetched as awaited."""

    def __init__(self, feed: _Feed, view: Result | None = None) -> None:
        self._feed = feed
        self._view = view if view is not None else feed.source

    def keys(self) -> Any:
        return self._view.keys()

    async def fetchone(self) -> Row | None:
        return await self._call(1, self._view.fetchone)  # type: ignore[no-any-return]

    async def scalar(self) -> Any:
        return await self._call(1, self._view.scalar)

    async def scalar_one(self) -> Any:
        return await self._call(2, self._view.scalar_one)

    async def scalar_one_or_none(self) -> Any:
        return await self._call(2, self._view.scalar_one_or_none)

    def scalars(self, index: Any = 0) -> AsyncScalarResult:
        return AsyncScalarResult(self._feed, self._view.scalars(index))

    def mappings(self) -> AsyncMappingResult:
        return AsyncMappingResult(self._feed, self._view.mappings())

    def columns(self, *keys: Any) -> AsyncResult:
        return AsyncResult(self._feed, self._view.columns(*keys))

    def tuples(self) -> AsyncResult:
        return self

    def yield_per(self, num: int) -> AsyncResult:
        self._view.yield_per(num)
        return self

    async def freeze(self) -> Any:
        return await self._call(None, self._view.freeze)


class AsyncScalarResult(_AsyncView):
    """One column's values (``async_result.scalars()``)."""

    def __init__(self, feed: _Feed, view: Any) -> None:
        self._feed = feed
        self._view = view


class AsyncMappingResult(_AsyncView):
    """Rows as :class:`RowMapping` objects (``async_result.mappings()``)."""

    def __init__(self, feed: _Feed, view: Any) -> None:
        self._feed = feed
        self._view = view

    def keys(self) -> Any:
        return self._view.keys()

    async def fetchone(self) -> RowMapping | None:
        return await self._call(1, self._view.fetchone)  # type: ignore[no-any-return]


__all__ = ["AsyncMappingResult", "AsyncResult", "AsyncScalarResult"]
