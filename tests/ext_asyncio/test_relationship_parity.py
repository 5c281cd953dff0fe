"""The relationship and loading-strategy tests of ``tests/orm``, run on AsyncSession.

As in ``test_session_parity``: the sync tests, with the ``session`` fixture handing out a
:class:`SyncFacade` over an AsyncSession. Flushes of relationship changes go through the
generated async twin of ``orm.dependency.flush``; eager loads (joined, selectin) through
the twins of ``orm.joined`` / ``orm.strategies``; lazy loads on attribute access, which an
AsyncSession refuses, are run by the facade on the AsyncSession's connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from tests.ext_asyncio._facade import FacadeBackedSession, SyncFacade
from tests.orm import test_loading_strategies as _loading_tests
from tests.orm import test_relationships as _relationship_tests
from tests.orm._relmodels import Base, sql  # noqa: F401 - fixture used by the tests

from athanor.ext.asyncio import AsyncSession, create_async_engine

_SYNC_ONLY: set[str] = set()

for _module in (_relationship_tests, _loading_tests):
    for _name in dir(_module):
        if _name.startswith("test_") and _name not in _SYNC_ONLY:
            globals()[_name] = getattr(_module, _name)


@pytest.fixture
def session(engine: Any, backend_url: str, sql: Any) -> Iterator[Any]:  # noqa: F811
    Base.metadata.create_all(engine)
    loop = asyncio.new_event_loop()
    aengine = create_async_engine(backend_url)
    facade = SyncFacade(
        AsyncSession(bind=aengine, sync_session_class=FacadeBackedSession), loop
    )
    try:
        yield facade
    finally:
        facade.close()
        assert aengine.pool.checkedout() == 0
        loop.run_until_complete(aengine.dispose())
        loop.close()
