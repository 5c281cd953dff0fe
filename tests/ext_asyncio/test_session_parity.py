"""The sync Session's behavioural tests, run on AsyncSession (through a sync facade).

The test functions are imported from ``tests/orm`` (session and transaction tests); only
the ``Session`` / ``session``
fixtures differ: they hand out :class:`SyncFacade` objects over AsyncSessions bound to an
AsyncEngine of the same database. Passing here means the two sessions behave alike
statement for statement. Tests that inspect what only a sync Session has (its own identity
as ``inspect(obj).session``, thread guards, the sync engine's pool) are listed in
``_SYNC_ONLY`` with the reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from tests.ext_asyncio._facade import FacadeBackedSession, SyncFacade
from tests.orm import test_session as _session_tests
from tests.orm import test_transactions as _transaction_tests
from tests.orm.conftest import Base, statements  # noqa: F401 - fixture used by the tests

from athanor.ext.asyncio import AsyncSession, create_async_engine

_SYNC_ONLY = {
    # checks the sync engine's pool, which the AsyncSession does not use
    "test_close_releases_connection_to_pool",
    # asserts session.bind is the sync engine passed to sessionmaker
    "test_session_info_bind_and_get_bind",
    # the thread guard: an AsyncSession belongs to one task on one event loop
    "test_using_a_session_from_two_threads_at_once_raises",
}

for _module in (_session_tests, _transaction_tests):
    for _name in dir(_module):
        if _name.startswith("test_") and _name not in _SYNC_ONLY:
            globals()[_name] = getattr(_module, _name)


@pytest.fixture
def Session(engine: Any, backend_url: str) -> Iterator[Any]:  # noqa: N802
    """Like tests/orm's fixture, but each session is an AsyncSession behind a facade."""
    Base.metadata.create_all(engine)
    loop = asyncio.new_event_loop()
    aengine = create_async_engine(backend_url)
    made: list[SyncFacade] = []

    def factory(**kw: Any) -> SyncFacade:
        kw.setdefault("bind", aengine)
        facade = SyncFacade(AsyncSession(sync_session_class=FacadeBackedSession, **kw), loop)
        made.append(facade)
        return facade

    def begin() -> Any:  # sessionmaker.begin(): a session in a transaction, closed after
        facade = factory()
        tx = facade._a.begin()
        tx._close_session_on_exit = True
        return _BeginBlock(tx, loop, facade)

    factory.begin = begin  # type: ignore[attr-defined]
    try:
        yield factory
    finally:
        for facade in made:
            facade.close()
        assert aengine.pool.checkedout() == 0
        loop.run_until_complete(aengine.dispose())
        loop.close()


class _BeginBlock:
    def __init__(self, tx: Any, loop: asyncio.AbstractEventLoop, facade: SyncFacade) -> None:
        self.tx, self.loop, self.facade = tx, loop, facade

    def __enter__(self) -> SyncFacade:
        self.loop.run_until_complete(self.tx.__aenter__())
        return self.facade

    def __exit__(self, *exc_info: Any) -> None:
        self.loop.run_until_complete(self.tx.__aexit__(*exc_info))


@pytest.fixture
def session(Session: Any) -> Iterator[Any]:  # noqa: N803
    s = Session()
    try:
        yield s
    finally:
        s.close()
