"""AsyncEngine / AsyncConnection on every backend: execute, results, transactions, errors."""

from __future__ import annotations

from typing import Any

import pytest

from athanor import Column, Integer, MetaData, String, Table, exc, select, text
from athanor.ext.asyncio import AsyncEngine, AsyncResult, create_async_engine

metadata = MetaData()
items = Table(
    "aitems", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(40), nullable=False, unique=True),
    Column("qty", Integer),
)


async def _setup(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)


def test_execute_insert_select_and_commit(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _setup(engine)
        async with engine.connect() as conn:
            result = await conn.execute(items.insert(), {"name": "a", "qty": 1})
            assert result.inserted_primary_key[0] is not None
            await conn.execute(items.insert(), [{"name": "b", "qty": 2}, {"name": "c", "qty": 3}])
            await conn.commit()
        async with engine.connect() as conn:
            stmt = select(items.c.name, items.c.qty).order_by(items.c.id)
            rows = (await conn.execute(stmt)).all()
            assert rows == [("a", 1), ("b", 2), ("c", 3)]
            assert rows[0].name == "a" and rows[0]._mapping["qty"] == 1
            assert await conn.scalar(select(items.c.qty).where(items.c.name == "c")) == 3
            assert (await conn.scalars(select(items.c.name).order_by(items.c.name))).all() == [
                "a", "b", "c",
            ]
            count = await conn.execute(text("SELECT COUNT(*) FROM aitems WHERE qty > :q"), {"q": 1})
            assert count.scalar_one() == 2
        assert engine.pool.checkedout() == 0

    run(body)


def test_connection_close_rolls_back(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _setup(engine)
        conn = await engine.connect()
        await conn.execute(items.insert(), {"name": "gone"})
        assert conn.in_transaction()
        await conn.close()
        async with engine.connect() as conn:
            assert await conn.scalar(select(items.c.id)) is None

    run(body)


def test_begin_commits_and_rolls_back_on_error(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _setup(engine)
        async with engine.begin() as conn:
            await conn.execute(items.insert(), {"name": "kept"})
        with pytest.raises(ZeroDivisionError):
            async with engine.begin() as conn:
                await conn.execute(items.insert(), {"name": "dropped"})
                1 / 0  # noqa: B018
        async with engine.connect() as conn:
            async with conn.begin() as trans:
                assert trans.is_active
                names = (await conn.scalars(select(items.c.name))).all()
            assert not conn.in_transaction()
        assert names == ["kept"]

    run(body)


def test_begin_twice_raises(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        async with engine.connect() as conn:
            await conn.begin()
            with pytest.raises(exc.InvalidRequestError, match="already has one"):
                await conn.begin()

    run(body)


def test_savepoints(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _setup(engine)
        async with engine.connect() as conn:
            await conn.execute(items.insert(), {"name": "outer"})
            async with conn.begin_nested():
                await conn.execute(items.insert(), {"name": "inner-kept"})
            nested = await conn.begin_nested()
            assert conn.in_nested_transaction()
            await conn.execute(items.insert(), {"name": "inner-undone"})
            await nested.rollback()
            await conn.commit()
        async with engine.connect() as conn:
            names = (await conn.scalars(select(items.c.name).order_by(items.c.name))).all()
        assert names == ["inner-kept", "outer"]

    run(body)


def test_driver_errors_are_wrapped_and_connection_reusable(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _setup(engine)
        async with engine.connect() as conn:
            await conn.execute(items.insert(), {"name": "dup"})
            await conn.commit()
            with pytest.raises(exc.IntegrityError) as info:
                await conn.execute(items.insert(), {"name": "dup"})
            assert info.value.orig is not None and "INSERT" in info.value.statement.upper()
            await conn.rollback()
            assert await conn.scalar(text("SELECT COUNT(*) FROM aitems")) == 1
        with pytest.raises(exc.ObjectNotExecutableError):
            async with engine.connect() as conn:
                await conn.execute("SELECT 1")  # type: ignore[arg-type]

    run(body)


def test_stream_fetches_in_chunks(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _setup(engine)
        async with engine.begin() as conn:
            await conn.execute(items.insert(), [{"name": f"n{i:03}", "qty": i} for i in range(250)])
        async with engine.connect() as conn:
            result = await conn.stream(select(items.c.name, items.c.qty).order_by(items.c.qty))
            assert isinstance(result, AsyncResult)
            assert list(result.keys()) == ["name", "qty"]
            first = await result.fetchmany(100)
            assert len(first) == 100 and first[0] == ("n000", 0)
            rest = [row async for row in result]
            assert len(rest) == 150 and rest[-1].qty == 249
            scalars = await conn.stream_scalars(select(items.c.qty).where(items.c.qty < 3))
            assert sorted(await scalars.all()) == [0, 1, 2]
            one = await conn.stream(select(items.c.qty).where(items.c.qty == 7))
            assert await one.scalar_one() == 7
            many = await conn.stream(select(items.c.qty))
            with pytest.raises(exc.MultipleResultsFound):
                await many.one()
            maps = await conn.stream(select(items.c.name).where(items.c.qty == 5))
            assert [dict(m) for m in await maps.mappings().all()] == [{"name": "n005"}]
            parts = await conn.stream(select(items.c.qty).order_by(items.c.qty))
            sizes = [len(p) async for p in parts.scalars().partitions(100)]
            assert sizes == [100, 100, 50]

    run(body)


def test_exec_driver_sql_and_isolation_level(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _setup(engine)
        async with engine.connect() as conn:
            mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
            sql = f"INSERT INTO aitems (name, qty) VALUES ({mark}, {mark})"
            await conn.exec_driver_sql(sql, ("x", 5))
            assert (await conn.exec_driver_sql("SELECT qty FROM aitems")).scalar() == 5
            await conn.rollback()
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            assert await conn.get_isolation_level() == "AUTOCOMMIT"
        async with engine.connect() as conn:  # reset on return to the pool
            assert await conn.get_isolation_level() != "AUTOCOMMIT"

    run(body)


def test_run_sync_create_and_drop_all(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            await conn.run_sync(metadata.create_all)  # checkfirst: nothing to do
            await conn.execute(items.insert(), {"name": "x"})
        async with engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)
        async with engine.connect() as conn:
            with pytest.raises(exc.DBAPIError):
                await conn.execute(select(items))

    run(body)


def test_engine_options_are_create_engines(backend_url: str) -> None:
    with pytest.raises(exc.ArgumentError, match="pool_szie"):
        create_async_engine(backend_url, pool_szie=3)
    with pytest.raises(exc.ArgumentError, match="pool_timeout"):
        create_async_engine(backend_url, pool_timeout=-1)
    engine = create_async_engine(backend_url, pool_size=2, max_overflow=1, echo=False)
    assert engine.pool.size() == 2 or engine.dialect.name == "sqlite"
    assert engine.dialect.is_async


def test_compiled_cache_is_shared_with_sync_code(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _setup(engine)
        async with engine.connect() as conn:
            stmt = select(items.c.name).where(items.c.qty == 1)
            await conn.execute(stmt)
            before = engine.dialect.compile_count
            for i in range(5):
                await conn.execute(select(items.c.name).where(items.c.qty == i))
            assert engine.dialect.compile_count == before

    run(body)


def test_mysql_aiomysql_url_runs_statements_and_streams(backend: str, backend_url: str) -> None:
    """``mysql+aiomysql://`` (code written for aiomysql) works like the default asyncmy."""
    if backend != "mysql":
        pytest.skip("aiomysql is a MySQL/MariaDB driver")
    import asyncio

    url = backend_url.replace("mysql://", "mysql+aiomysql://", 1)

    async def main() -> None:
        engine = create_async_engine(url)
        try:
            assert engine.dialect.driver == "aiomysql"
            await _setup(engine)
            async with engine.begin() as conn:
                rows = [{"name": "x", "qty": 1}, {"name": "y", "qty": None}]
                await conn.execute(items.insert(), rows)
            async with engine.connect() as conn:
                rows = (await conn.execute(select(items.c.name).order_by(items.c.id))).all()
                assert [r[0] for r in rows] == ["x", "y"]
                stream = await conn.stream(select(items.c.qty).order_by(items.c.id))
                assert [q async for q in stream.scalars()] == [1, None]
                with pytest.raises(exc.IntegrityError):
                    await conn.execute(items.insert(), {"name": "x"})
        finally:
            await engine.dispose()

    asyncio.run(main())
