"""The asyncio twin with binds the database must type by itself (see
tests/dialects/test_bind_typing.py): execute, executemany and stream, typed binds, raw
``text()`` and prepared statements, on every backend."""

from __future__ import annotations

from typing import Any

from athanor import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    func,
    literal,
    or_,
    select,
    text,
)
from athanor.ext.asyncio import AsyncEngine

metadata = MetaData()
pets = Table(
    "pets", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(30), nullable=False),
)


async def _setup(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(pets.insert(), [{"id": i, "name": f"p{i}"} for i in range(1, 6)])


def test_untypable_positions_execute_and_stream(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _setup(engine)
        q = bindparam("q", type_=String)
        stmt = select(pets.c.id).where(or_(q.is_(None), pets.c.name == q)).order_by(pets.c.id)
        async with engine.connect() as conn:
            for _ in range(7):  # past psycopg's prepare threshold
                assert (await conn.execute(stmt, {"q": "p2"})).scalars().all() == [2]
            assert (await conn.execute(stmt, {"q": None})).scalars().all() == [1, 2, 3, 4, 5]
            assert await conn.scalar(select(func.count("*")).select_from(pets)) == 5
            assert await conn.scalar(select(literal(300) * literal(200))) == 60000
            assert bool(await conn.scalar(text("SELECT :x IS NULL"), {"x": None})) is True
            streamed = await conn.stream(stmt, {"q": None})
            assert [row[0] async for row in streamed] == [1, 2, 3, 4, 5]
            streamed = await conn.stream(
                text("SELECT id FROM pets WHERE :q IS NULL OR name = :q ORDER BY id"),
                {"q": "p4"})
            assert [row[0] async for row in streamed] == [4]

    run(body)


def test_text_executemany_rowcount(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _setup(engine)
        async with engine.begin() as conn:
            result = await conn.execute(text("UPDATE pets SET name = :n WHERE id = :i"),
                                        [{"n": "a", "i": 1}, {"n": "b", "i": 2}])
            assert result.rowcount == 2
            names = (await conn.execute(select(pets.c.name).order_by(pets.c.id))).scalars()
            assert names.all() == ["a", "b", "p3", "p4", "p5"]

    run(body)
