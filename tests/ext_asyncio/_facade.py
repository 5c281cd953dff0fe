"""A sync face for an AsyncSession, so the sync Session's behavioural tests run on it.

Each awaitable method is run to completion on one event loop owned by the test; attribute
loads that the sync Session would do on access go through ``AsyncSession._load_expired`` /
the relationship twins on that loop. Everything else is the AsyncSession's own code: its
connection handling, transactions, flush twins, execute twin, get, refresh, merge.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from athanor.ext.asyncio import AsyncSession
from athanor.ext.asyncio.session import _IN_TWIN, _AsyncBackedSession


class _SyncConnection:
    """The AsyncSession's AsyncConnection, run to completion per call (lazy loads)."""

    def __init__(self, aconn: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._aconn, self._loop = aconn, loop
        self.dialect = aconn.dialect

    def execute(self, *args: Any, **kw: Any) -> Any:
        return self._loop.run_until_complete(self._aconn.execute(*args, **kw))

    def exec_driver_sql(self, *args: Any, **kw: Any) -> Any:
        return self._loop.run_until_complete(self._aconn.exec_driver_sql(*args, **kw))


class FacadeBackedSession(_AsyncBackedSession):
    """Backing session whose on-access loads run on the AsyncSession's connection, on the
    test's loop (an AsyncSession itself raises there instead)."""

    _loop: asyncio.AbstractEventLoop

    def _load_expired(self, st: Any, obj: Any, key: str | None = None) -> None:
        owner = self._async_owner
        assert owner is not None
        self._loop.run_until_complete(owner._load_expired(st, obj))

    def _connection(self) -> Any:
        if _IN_TWIN.get():
            return super()._connection()
        owner = self._async_owner
        assert owner is not None
        return _SyncConnection(self._loop.run_until_complete(owner._connection()), self._loop)

    def _autoflush(self) -> None:
        if not _IN_TWIN.get() and self._async_owner is not None:
            self._loop.run_until_complete(self._async_owner._autoflush())


class _Tx:
    def __init__(self, tx: Any, loop: asyncio.AbstractEventLoop, facade: Any) -> None:
        self._tx, self._loop, self._facade = tx, loop, facade

    def __enter__(self) -> Any:
        self._loop.run_until_complete(self._tx.__aenter__())
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._loop.run_until_complete(self._tx.__aexit__(*exc_info))

    def commit(self) -> None:
        self._loop.run_until_complete(self._tx.commit())

    def rollback(self) -> None:
        self._loop.run_until_complete(self._tx.rollback())

    @property
    def is_active(self) -> bool:
        return bool(self._tx.is_active)


class SyncFacade:
    """``Session``-shaped access to an AsyncSession (tests only)."""

    def __init__(self, session: AsyncSession, loop: asyncio.AbstractEventLoop) -> None:
        object.__setattr__(self, "_a", session)
        object.__setattr__(self, "_loop", loop)
        session.sync_session._loop = loop  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._a, name)
        if name in ("begin", "begin_nested"):
            def begin(*args: Any, **kw: Any) -> _Tx:
                tx = _Tx(value(*args, **kw), self._loop, self)
                self._loop.run_until_complete(tx._tx.start())
                return tx
            return begin
        if inspect.iscoroutinefunction(value):
            return lambda *a, **k: self._loop.run_until_complete(value(*a, **k))
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._a, name, value)

    def query(self, *entities: Any, **kw: Any) -> Any:
        from athanor.orm.query import Query

        return Query(entities, self)

    def _entity_list(self, statement: Any) -> list[Any]:
        return list(self.execute(statement).scalars().all())

    def __contains__(self, obj: Any) -> bool:
        return obj in self._a

    def __iter__(self) -> Any:
        return iter(self._a)

    def __enter__(self) -> SyncFacade:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
