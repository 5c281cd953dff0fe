"""Async workloads (issue 7): insert, load and get through asyncio, on PostgreSQL.

The baseline is psycopg's ``AsyncConnection``; the ORM side is ``<module>.ext.asyncio``
(``create_async_engine``, ``async_sessionmaker``), so SQLAlchemy runs its greenlet bridge and
athanor its native async session. Each case runs in one ``asyncio.run``; the engine and the
first connection are set up before the clock starts. The same cases also run on a SQLite
file through aiosqlite (the smoke test does that); an in-memory database cannot be shared
between the setup connection and an async one.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from benchmarks.backends import item_rows, pks
from benchmarks.env import Env
from benchmarks.raw_cases import INSERT_ITEM, SELECT_ITEM


@asynccontextmanager
async def _raw_connection(env: Env) -> AsyncIterator[Any]:
    """psycopg's AsyncConnection (or, for a SQLite file, aiosqlite's connection)."""
    if env.db.kind == "sqlite":
        import aiosqlite

        async with aiosqlite.connect(env.db.path) as lite:
            yield lite
        return
    import psycopg

    async with await psycopg.AsyncConnection.connect(env.db.url) as conn:
        yield conn


async def _cursor(conn: Any) -> Any:
    cur = conn.cursor()  # psycopg: a cursor; aiosqlite: an awaitable of one
    return await cur if inspect.isawaitable(cur) else cur


def raw_insert(env: Env) -> None:
    async def run() -> None:
        rows = item_rows(env.n)
        async with _raw_connection(env) as conn:
            cur = await _cursor(conn)
            with env.timed():
                await cur.executemany(env.sql(INSERT_ITEM), rows)
                await conn.commit()

    asyncio.run(run())
    env.check(env.count("item") == env.n, f"{env.n} rows in item")


def raw_load(env: Env) -> None:
    async def run() -> int:
        async with _raw_connection(env) as conn:
            cur = await _cursor(conn)
            with env.timed():
                await cur.execute(SELECT_ITEM)
                rows = await cur.fetchall()
            return len(rows)

    env.check(asyncio.run(run()) == env.rows, f"{env.rows} rows loaded")


def raw_get(env: Env) -> None:
    ids = pks(env.rows, env.n)

    async def run() -> Any:
        async with _raw_connection(env) as conn:
            cur = await _cursor(conn)
            sql = env.sql(SELECT_ITEM + " WHERE id = ?")
            row = None
            with env.timed():
                for pk in ids:
                    await cur.execute(sql, (pk,))
                    row = await cur.fetchone()
            return row

    row = asyncio.run(run())
    env.check(row is not None and row[0] == ids[-1], "the last row fetched by its key")


def _with_session(env: Env, body: Callable[[Any, Any], Awaitable[Any]]) -> Any:
    """Run ``body(session, kit)`` on a fresh async engine of the kit's module."""
    kit = env.kit
    aio = importlib.import_module(kit.name + ".ext.asyncio")

    async def run() -> Any:
        engine = aio.create_async_engine(env.db.async_url_for(kit.name))
        try:
            async with engine.connect():
                pass
            async with aio.async_sessionmaker(engine)() as session:
                return await body(session, kit)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def orm_insert(env: Env) -> None:
    rows = item_rows(env.n)

    async def body(s: Any, kit: Any) -> None:
        Item = kit.Item
        with env.timed():
            s.add_all([Item(name=n, value=v, grp=g, note=t) for n, v, g, t in rows])
            await s.commit()

    _with_session(env, body)
    env.check(env.count("item") == env.n, f"{env.n} rows in item")


def orm_load(env: Env) -> None:
    async def body(s: Any, kit: Any) -> int:
        with env.timed():
            objs = (await s.scalars(kit.sa.select(kit.Item))).all()
        return len(objs)

    env.check(_with_session(env, body) == env.rows, f"{env.rows} objects")


def orm_get(env: Env) -> None:
    ids = pks(env.rows, env.n)

    async def body(s: Any, kit: Any) -> Any:
        obj = None
        with env.timed():
            for pk in ids:
                obj = await s.get(kit.Item, pk)
        return None if obj is None else obj.id

    env.check(_with_session(env, body) == ids[-1], "the last object got by its key")
