"""Pools on every backend: many threads, exhaustion reports, recycling, pre-ping after a
killed session, invalidation after a disconnect, fork safety, dispose."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

import pytest

from athanor import create_engine, exc, text
from athanor.pool import NullPool, StaticPool

from ._kill import kill, session_id


def test_fifty_threads_share_five_plus_five(backend_url: str) -> None:
    engine = create_engine(backend_url, pool_size=5, max_overflow=5, pool_timeout=30)
    errors: list[BaseException] = []
    peak = [0]
    start = threading.Barrier(50)

    def work() -> None:
        try:
            start.wait()
            for i in range(5):
                with engine.connect() as conn:
                    peak[0] = max(peak[0], engine.pool.checkedout())
                    assert conn.execute(text("SELECT :i"), {"i": i}).scalar() == i
        except BaseException as err:  # collected and reported below
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        assert engine.pool.checkedout() == 0
        assert peak[0] <= 10
        assert engine.pool.overflow() <= 5
        assert engine.pool.checkedin() <= 5
    finally:
        engine.dispose()


def test_exhausted_pool_names_holders(backend_url: str) -> None:
    engine = create_engine(backend_url, pool_size=1, max_overflow=1, pool_timeout=0.05)
    first = engine.connect(); line_first = sys._getframe().f_lineno  # noqa: E702
    second = engine.connect(); line_second = sys._getframe().f_lineno  # noqa: E702
    try:
        with pytest.raises(exc.TimeoutError) as info:
            engine.connect()
        message = str(info.value)
        assert "size 1 overflow 1" in message
        assert "2 connections checked out" in message
        assert f"{__file__}:{line_first}" in message
        assert f"{__file__}:{line_second}" in message
        assert "s ago" in message
    finally:
        first.close()
        second.close()
    with engine.connect() as conn:  # the pool recovered
        assert conn.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()


def test_status_and_checkedout(engine: Any) -> None:
    conn = engine.connect()
    assert engine.pool.checkedout() == 1
    assert "Checked out connections: 1" in engine.pool.status()
    conn.close()
    assert engine.pool.checkedout() == 0


def test_connections_are_reused(engine: Any) -> None:
    with engine.connect() as conn:
        first = session_id(conn)
    with engine.connect() as conn:
        assert session_id(conn) == first


def test_pool_recycle_replaces_old_connections(backend_url: str) -> None:
    engine = create_engine(backend_url, pool_recycle=0)
    try:
        with engine.connect() as conn:
            first = conn.connection.dbapi_connection
        with engine.connect() as conn:
            assert conn.connection.dbapi_connection is not first
    finally:
        engine.dispose()


def test_pre_ping_replaces_a_killed_connection(backend_url: str) -> None:
    engine = create_engine(backend_url, pool_pre_ping=True)
    try:
        conn = engine.connect()
        ident = session_id(conn)
        conn.commit()
        kill(engine, conn, ident)
        conn.close()  # back to the pool, dead
        with engine.connect() as fresh:
            assert fresh.execute(text("SELECT 1")).scalar() == 1
            assert session_id(fresh) != ident
    finally:
        engine.dispose()


def test_disconnect_during_use_invalidates_and_reconnects(backend_url: str) -> None:
    engine = create_engine(backend_url, pool_size=2)
    try:
        a, b = engine.connect(), engine.connect()
        ids = [session_id(a), session_id(b)]
        a.commit()
        b.commit()
        b.close()  # idle in the pool; killed below, so it must never be handed out again
        kill(engine, b if engine.dialect.name != "sqlite" else a, ids[1])
        kill(engine, a, ids[0])
        with pytest.raises(exc.DBAPIError) as info:
            a.execute(text("SELECT 1"))
        assert info.value.connection_invalidated
        assert a.invalidated
        with pytest.raises(exc.PendingRollbackError):
            a.execute(text("SELECT 1"))
        a.rollback()
        assert a.execute(text("SELECT 1")).scalar() == 1  # reconnected
        assert session_id(a) not in ids
        a.close()
        with engine.connect() as c:  # the older idle connection was discarded too
            assert c.execute(text("SELECT 2")).scalar() == 2
            assert session_id(c) not in ids
    finally:
        engine.dispose()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_gets_its_own_connections(backend_url: str) -> None:
    engine = create_engine(backend_url)
    try:
        with engine.connect() as conn:
            parent_id = session_id(conn)
            parent_raw = conn.connection.dbapi_connection
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child
            code = 1
            try:
                with engine.connect() as conn:
                    child_raw = conn.connection.dbapi_connection
                    child_id = session_id(conn) if engine.dialect.name != "sqlite" else None
                    ok = conn.execute(text("SELECT 3")).scalar() == 3
                distinct = child_raw is not parent_raw and child_id != parent_id
                os.write(write_fd, b"ok" if ok and distinct else b"shared")
                code = 0
            finally:
                os._exit(code)
        os.close(write_fd)
        _, status = os.waitpid(pid, 0)
        answer = os.read(read_fd, 100)
        os.close(read_fd)
        assert status == 0 and answer == b"ok"
        with engine.connect() as conn:  # the parent's session survived the child
            assert session_id(conn) == parent_id
            assert conn.execute(text("SELECT 4")).scalar() == 4
    finally:
        engine.dispose()


def test_dispose_closes_idle_and_returned_connections(engine: Any) -> None:
    with engine.connect() as conn:
        first = conn.connection.dbapi_connection
    held = engine.connect()
    engine.dispose()
    held.close()  # returned to the old pool: closed, not reused
    with engine.connect() as conn:
        assert conn.connection.dbapi_connection is not first
        assert conn.execute(text("SELECT 1")).scalar() == 1


def test_raw_connection(engine: Any) -> None:
    raw = engine.raw_connection()
    cursor = raw.cursor()
    cursor.execute("SELECT 1")
    assert cursor.fetchone()[0] == 1
    cursor.close()
    assert engine.pool.checkedout() == 1
    raw.close()
    assert engine.pool.checkedout() == 0
    with pytest.raises(exc.ResourceClosedError):
        raw.cursor()


def test_null_pool_opens_per_checkout(backend_url: str) -> None:
    engine = create_engine(backend_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            first = conn.connection.dbapi_connection
        with engine.connect() as conn:
            assert conn.connection.dbapi_connection is not first
    finally:
        engine.dispose()


def test_static_pool_shares_one_connection(backend_url: str) -> None:
    engine = create_engine(backend_url, poolclass=StaticPool)
    try:
        a, b = engine.connect(), engine.connect()
        assert a.connection.dbapi_connection is b.connection.dbapi_connection
        a.close()
        b.close()
    finally:
        engine.dispose()
