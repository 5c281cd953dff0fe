"""SingletonThreadPool, AssertionPool and AsyncAdaptedQueuePool through create_engine()."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import athanor
from athanor import text


def _pid(conn: Any) -> Any:
    return id(conn.connection.dbapi_connection)


@pytest.fixture
def make_engine(backend_url: str) -> Iterator[Callable[..., Any]]:
    """``make_engine(poolclass=..., **kw)``: an engine on the backend, disposed afterwards."""
    made: list[Any] = []

    def make(**kw: Any) -> Any:
        made.append(athanor.create_engine(backend_url, **kw))
        return made[-1]

    yield make
    for eng in made:
        eng.dispose()


def test_singleton_thread_pool_gives_each_thread_its_connection(make_engine: Any) -> None:
    eng = make_engine(poolclass=athanor.SingletonThreadPool, pool_size=3)
    assert isinstance(eng.pool, athanor.SingletonThreadPool)
    with eng.connect() as c1:
        first = _pid(c1)
        assert c1.execute(text("SELECT 1")).scalar() == 1
        with eng.connect() as nested:  # same thread: the same connection
            assert _pid(nested) == first
    with eng.connect() as c2:
        assert _pid(c2) == first
    other: list[Any] = []

    def work() -> None:
        with eng.connect() as c:
            other.append(_pid(c))
            other.append(c.execute(text("SELECT 2")).scalar())

    th = threading.Thread(target=work)
    th.start()
    th.join()
    assert other[1] == 2 and other[0] != first
    eng.dispose()
    with eng.connect() as c3:
        assert c3.execute(text("SELECT 3")).scalar() == 3


def test_assertion_pool_allows_one_checkout_at_a_time(make_engine: Any) -> None:
    eng = make_engine(poolclass=athanor.AssertionPool)
    with eng.connect() as c:
        first = _pid(c)
        with pytest.raises(AssertionError, match="already checked out"):
            eng.connect()
    with eng.connect() as c:  # returned, and the same connection is kept
        assert _pid(c) == first
        assert c.execute(text("SELECT 1")).scalar() == 1


def test_async_adapted_queue_pool_is_a_queue_pool(make_engine: Any) -> None:
    eng = make_engine(poolclass=athanor.AsyncAdaptedQueuePool, pool_size=2)
    assert isinstance(eng.pool, athanor.QueuePool)
    with eng.connect() as c:
        assert c.execute(text("SELECT 1")).scalar() == 1


def test_create_pool_from_url(backend_url: str) -> None:
    pool = athanor.create_pool_from_url(backend_url, poolclass=athanor.QueuePool, pool_size=2,
                                        pre_ping=True, recycle=3600)
    try:
        assert isinstance(pool, athanor.QueuePool)
        assert pool._pre_ping is True and pool._recycle == 3600  # the pool's own spellings
        assert pool.checkedout() == 0
        conn = pool.connect()
        try:
            cur = conn.cursor()
            cur.execute("SELECT 1")
            assert cur.fetchone()[0] == 1
            assert pool.checkedout() == 1
        finally:
            conn.close()
        assert pool.checkedout() == 0
    finally:
        pool.dispose()
