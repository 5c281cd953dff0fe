"""The async pool's guarantees on every backend: limits, timeout naming the holders,
cancellation, event-loop changes, pre-ping and invalidation after a server-side kill."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from athanor import exc, text
from athanor.ext.asyncio import AsyncEngine, create_async_engine

#: Server-side facts the tests need; SQLite has no server process.
_PID_SQL = {"postgresql": "SELECT pg_backend_pid()", "mysql": "SELECT CONNECTION_ID()"}
_KILL_SQL = {"postgresql": "SELECT pg_terminate_backend({pid})", "mysql": "KILL {pid}"}


def _slow_sql(engine: AsyncEngine) -> str:
    """A statement that runs for seconds on this backend."""
    name = engine.dialect.name
    if name == "postgresql":
        return "SELECT pg_sleep(5)"
    if name == "mysql":
        return "SELECT SLEEP(5)"
    return (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000000) "
        "SELECT COUNT(*) FROM c"
    )


def test_size_overflow_and_timeout_names_holders(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        a = await engine.connect()
        b = await engine.connect()
        assert engine.pool.checkedout() == 2
        with pytest.raises(exc.TimeoutError) as info:
            await engine.connect()
        message = str(info.value)
        assert "limit of size 1 overflow 1" in message
        assert message.count("test_pool.py:") == 2  # both holders, by file and line
        await b.close()
        c = await engine.connect()  # a freed slot is reused
        await c.close()
        await a.close()
        assert engine.pool.checkedout() == 0

    run(body, pool_size=1, max_overflow=1, pool_timeout=0.2)


def test_waiters_are_served_in_order_and_no_slot_is_lost(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        order: list[int] = []

        async def worker(i: int) -> None:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                order.append(i)

        await asyncio.gather(*(worker(i) for i in range(20)))
        assert sorted(order) == list(range(20))
        assert engine.pool.checkedout() == 0
        assert engine.pool.checkedin() <= 2

    run(body, pool_size=2, max_overflow=0, pool_timeout=5)


def test_task_cancelled_while_holding_returns_the_connection(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        started = asyncio.Event()

        async def holder() -> None:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                started.set()
                await asyncio.sleep(30)

        task = asyncio.create_task(holder())
        await started.wait()
        assert engine.pool.checkedout() == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert engine.pool.checkedout() == 0
        async with engine.connect() as conn:  # the single slot is usable again
            assert await conn.scalar(text("SELECT 1")) == 1

    run(body, pool_size=1, max_overflow=0, pool_timeout=2)


def test_task_cancelled_inside_a_query_returns_the_slot(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        running = asyncio.Event()

        async def slow() -> None:
            async with engine.connect() as conn:
                running.set()
                await conn.execute(text(_slow_sql(engine)))

        task = asyncio.create_task(slow())
        await running.wait()
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert engine.pool.checkedout() == 0
        async with engine.connect() as conn:  # a fresh connection: the cancelled one is gone
            assert await conn.scalar(text("SELECT 2")) == 2

    run(body, pool_size=1, max_overflow=0, pool_timeout=10)


def test_cancelled_waiter_does_not_lose_the_slot(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        holder = await engine.connect()
        waiter = asyncio.create_task(engine.connect().start())
        await asyncio.sleep(0.05)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        await holder.close()
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT 1")) == 1
        assert engine.pool.checkedout() == 0

    run(body, pool_size=1, max_overflow=0, pool_timeout=2)


def test_pool_used_from_another_event_loop_recovers_with_a_warning(backend_url: str) -> None:
    engine = create_async_engine(backend_url, pool_size=2, pool_timeout=2)

    async def use() -> int:
        async with engine.connect() as conn:
            return int(await conn.scalar(text("SELECT 1")))

    assert asyncio.run(use()) == 1
    with pytest.warns(exc.AthanorWarning, match="different event loop"):
        assert asyncio.run(use()) == 1
    with pytest.warns(exc.AthanorWarning, match="different event loop"):
        assert asyncio.run(asyncio.wait_for(use(), 5)) == 1  # never hangs

    async def dispose() -> None:
        await engine.dispose()

    with pytest.warns(exc.AthanorWarning):
        asyncio.run(dispose())
    assert engine.pool.checkedout() == 0


def test_garbage_collected_checkout_is_reclaimed(run: Any, caplog: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        conn = await engine.connect()
        await conn.execute(text("SELECT 1"))
        del conn
        gc.collect()
        async with engine.connect() as again:  # would time out if the slot leaked
            assert await again.scalar(text("SELECT 1")) == 1
        assert engine.pool.checkedout() == 0

    run(body, pool_size=1, max_overflow=0, pool_timeout=2)
    assert "garbage collected" in caplog.text


async def _kill_backends(engine: AsyncEngine, pids: list[Any]) -> None:
    async with engine.connect() as admin:
        for pid in pids:
            await admin.execute(text(_KILL_SQL[engine.dialect.name].format(pid=int(pid))))
        await admin.commit()


def _needs_server(engine_url: str) -> None:
    if engine_url.startswith("sqlite"):
        pytest.skip("SQLite has no server process whose connections could be killed")


def test_pre_ping_replaces_connections_killed_by_the_server(run: Any, backend_url: str) -> None:
    _needs_server(backend_url)

    async def body(engine: AsyncEngine) -> None:
        name = engine.dialect.name
        conns = [await engine.connect() for _ in range(2)]
        pids = [await c.scalar(text(_PID_SQL[name])) for c in conns]
        for c in conns:
            await c.close()
        killer = create_async_engine(backend_url, poolclass=None)
        await _kill_backends(killer, pids)
        await killer.dispose()
        async with engine.connect() as conn:
            new_pid = await conn.scalar(text(_PID_SQL[name]))
        assert new_pid not in pids

    run(body, pool_pre_ping=True, pool_size=2)


def test_disconnect_invalidates_the_pool_generation(run: Any, backend_url: str) -> None:
    _needs_server(backend_url)

    async def body(engine: AsyncEngine) -> None:
        name = engine.dialect.name
        conns = [await engine.connect() for _ in range(2)]
        pids = [await c.scalar(text(_PID_SQL[name])) for c in conns]
        for c in conns:
            await c.close()
        killer = create_async_engine(backend_url)
        await _kill_backends(killer, pids)
        await killer.dispose()
        conn = await engine.connect()
        with pytest.raises(exc.DBAPIError) as info:
            await conn.execute(text("SELECT 1"))
        assert info.value.connection_invalidated
        assert conn.invalidated
        await conn.rollback()
        assert await conn.scalar(text("SELECT 1")) == 1  # reconnected on next use
        await conn.close()
        async with engine.connect() as other:  # the other killed one is not handed out
            assert await other.scalar(text(_PID_SQL[name])) not in pids
        assert engine.pool.checkedout() == 0

    run(body, pool_size=2)


def test_async_adapted_queue_pool_gives_the_async_queue_pool(run: Any) -> None:
    import athanor
    from athanor.pool._async import AsyncQueuePool

    async def body(engine: AsyncEngine) -> None:
        assert isinstance(engine.pool, AsyncQueuePool)
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1

    run(body, poolclass=athanor.AsyncAdaptedQueuePool, pool_size=2)
