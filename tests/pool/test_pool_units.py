"""Pool classes on their own (stdlib sqlite3 connections, no engine): limits, reset on
return, invalidation generations, the in-memory SQLite shared connection."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import pytest

from athanor import create_engine, exc, text
from athanor.pool import LockedStaticPool, NullPool, QueuePool, StaticPool


class Recorder:
    """A creator counting the connections it made."""

    def __init__(self) -> None:
        self.made: list[sqlite3.Connection] = []

    def __call__(self) -> sqlite3.Connection:
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        self.made.append(conn)
        return conn


def test_queue_pool_limits_and_reuse() -> None:
    creator = Recorder()
    pool = QueuePool(creator, pool_size=2, max_overflow=1, timeout=0.01)
    a, b, c = pool.connect(), pool.connect(), pool.connect()
    assert pool.checkedout() == 3 and pool.overflow() == 1
    with pytest.raises(exc.TimeoutError, match="size 2 overflow 1"):
        pool.connect()
    for conn in (a, b, c):
        conn.close()
    assert pool.checkedin() == 2  # the overflow connection was closed
    assert len(creator.made) == 3
    again = pool.connect()
    assert again.dbapi_connection in creator.made[:2]
    again.close()


def test_unlimited_overflow() -> None:
    pool = QueuePool(Recorder(), pool_size=1, max_overflow=-1)
    conns = [pool.connect() for _ in range(20)]
    assert pool.checkedout() == 20
    for conn in conns:
        conn.close()


def test_waiting_checkout_gets_a_returned_connection() -> None:
    pool = QueuePool(Recorder(), pool_size=1, max_overflow=0, timeout=10)
    held = pool.connect()
    got: list[Any] = []
    waiter = threading.Thread(target=lambda: got.append(pool.connect()))
    waiter.start()
    held.close()
    waiter.join()
    assert got and got[0].dbapi_connection is not None
    got[0].close()


def test_reset_on_return_rolls_back() -> None:
    pool = QueuePool(Recorder(), pool_size=1)
    conn = pool.connect()
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.execute("INSERT INTO t VALUES (1)")
    assert conn.in_transaction
    conn.close()
    conn = pool.connect()
    assert conn.execute("SELECT COUNT(*) FROM t").fetchone() == (0,)
    conn.close()


def test_invalidate_discards_older_connections() -> None:
    creator = Recorder()
    pool = QueuePool(creator, pool_size=3)
    a, b = pool.connect(), pool.connect()
    old_b = b.dbapi_connection
    b.close()
    a.invalidate(RuntimeError("lost"))
    c = pool.connect()
    assert c.dbapi_connection is not old_b  # b was older than the invalidation
    assert len(creator.made) == 3
    c.close()
    assert pool.checkedout() == 0


def test_failed_creator_frees_its_slot() -> None:
    calls = [0]

    def flaky() -> sqlite3.Connection:
        calls[0] += 1
        if calls[0] == 1:
            raise OSError("refused")
        return sqlite3.connect(":memory:")

    pool = QueuePool(flaky, pool_size=1, max_overflow=0, timeout=0.01)
    with pytest.raises(OSError):
        pool.connect()
    conn = pool.connect()  # the slot was released
    conn.close()


def test_null_pool_closes_on_return() -> None:
    creator = Recorder()
    pool = NullPool(creator)
    conn = pool.connect()
    conn.close()
    with pytest.raises(sqlite3.ProgrammingError):
        creator.made[0].execute("SELECT 1")


def test_static_pool_resets_only_when_last_holder_returns() -> None:
    pool = StaticPool(Recorder())
    a, b = pool.connect(), pool.connect()
    assert a.dbapi_connection is b.dbapi_connection
    a.execute("CREATE TABLE t (x)")
    a.commit()
    b.execute("INSERT INTO t VALUES (1)")
    a.close()  # b still holds it: no rollback yet
    assert b.execute("SELECT COUNT(*) FROM t").fetchone() == (1,)
    b.close()
    c = pool.connect()
    assert c.execute("SELECT COUNT(*) FROM t").fetchone() == (0,)
    c.close()


def test_memory_database_is_shared_by_every_connection() -> None:
    engine = create_engine("sqlite://")
    assert isinstance(engine.pool, LockedStaticPool)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT x FROM t")).scalar() == 1
    engine.dispose()


def test_memory_database_serializes_threads() -> None:
    engine = create_engine("sqlite:///:memory:")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))

    def work(n: int) -> None:
        for i in range(20):
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": n * 100 + i})

    threads = [threading.Thread(target=work, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(DISTINCT x) FROM t")).scalar() == 200
    assert engine.pool.checkedout() == 0
    engine.dispose()


def test_memory_database_same_thread_may_hold_two_connections() -> None:
    engine = create_engine("sqlite://", pool_timeout=0.05)
    with engine.connect() as a, engine.connect() as b:
        assert a.execute(text("SELECT 1")).scalar() == b.execute(text("SELECT 1")).scalar()
    engine.dispose()


def test_memory_database_timeout_names_the_holder() -> None:
    engine = create_engine("sqlite://", pool_timeout=0.05)
    holder = engine.connect()
    errors: list[BaseException] = []

    def other() -> None:
        try:
            engine.connect()
        except exc.TimeoutError as err:
            errors.append(err)

    t = threading.Thread(target=other)
    t.start()
    t.join()
    holder.close()
    assert errors and __file__ in str(errors[0])
    engine.dispose()


def test_creator_option_is_used() -> None:
    creator = Recorder()
    engine = create_engine("sqlite://", creator=creator, poolclass=QueuePool)
    with engine.connect() as conn:
        assert conn.connection.dbapi_connection is creator.made[0]
    engine.dispose()


def test_garbage_collected_checkout_returns_to_pool(caplog: pytest.LogCaptureFixture) -> None:
    import gc

    pool = QueuePool(Recorder(), pool_size=1, max_overflow=0, timeout=5)
    conn = pool.connect()
    conn.execute("SELECT 1")
    del conn
    gc.collect()
    again = pool.connect()  # would time out if the lost checkout were never returned
    assert pool.checkedout() == 1
    again.close()
    assert any("garbage collected" in r.getMessage() for r in caplog.records)


def test_unclosed_engine_connection_is_recovered(backend_url: str) -> None:
    import gc

    engine = create_engine(backend_url, pool_size=1, max_overflow=0, pool_timeout=5)
    try:
        for _ in range(3):
            engine.connect().execute(text("SELECT 1")).all()  # never closed
            gc.collect()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 2")).scalar() == 2
    finally:
        engine.dispose()


def test_pool_size_zero_means_no_limit() -> None:
    pool = QueuePool(Recorder(), pool_size=0, max_overflow=0, timeout=0.01)
    conns = [pool.connect() for _ in range(8)]
    for conn in conns:
        conn.close()
    assert pool.checkedin() == 8


def _places(engine: Any) -> set[tuple[str, int]]:
    return {record.checkout_where for record in engine.pool._out}


def test_checkout_location_stays_exact_when_the_depth_changes() -> None:
    """The depth found last time is tried first; a checkout from a different depth (a
    Session's, then a direct one, then a Session's again) still names its own line."""
    import sys

    from athanor.orm import Session

    engine = create_engine("sqlite://")
    for _ in range(2):
        with Session(engine) as s:
            s.connection(); line = sys._getframe().f_lineno  # noqa: E702
            assert _places(engine) == {(__file__, line)}
        with engine.connect():
            line = sys._getframe().f_lineno - 1
            assert _places(engine) == {(__file__, line)}
    engine.dispose()


def test_static_pool_checks_a_reused_connection_when_asked() -> None:
    """The inline health check of a reused shared connection still honours recycle and
    pre-ping: a dead connection is replaced, a live one kept."""
    creator = Recorder()
    pool = StaticPool(creator, pre_ping=True)
    pool.connect().close()
    pool.connect().close()  # reused and pinged: still the same connection
    assert len(creator.made) == 1
    creator.made[0].close()  # the server "goes away"
    conn = pool.connect()
    assert conn.dbapi_connection is creator.made[1]
    conn.close()
    recycled = StaticPool(creator, recycle=0)
    recycled.connect().close()
    recycled.connect().close()
    assert len(creator.made) == 4  # each reuse was past recycle=0: replaced
