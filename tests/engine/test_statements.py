"""Executing compiled statements (Table, insert(), select()) on every backend: inserted
primary keys, executemany, RETURNING, result processors, the compiled-statement cache."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from athanor import Boolean, Column, DateTime, Integer, MetaData, String, Table, insert, select

metadata = MetaData()
items = Table(
    "items", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(30), nullable=False),
    Column("done", Boolean, nullable=False, default=False),
    Column("at", DateTime, nullable=True),
)
codes = Table(
    "codes", metadata,
    Column("code", String(10), primary_key=True),
    Column("n", Integer),
)


@pytest.fixture
def tables(engine: Any) -> Any:
    metadata.create_all(engine)
    return engine


def test_inserted_primary_key_autoincrement(tables: Any) -> None:
    with tables.begin() as conn:
        first = conn.execute(items.insert(), {"name": "a"})
        second = conn.execute(insert(items).values(name="b"))
        assert first.inserted_primary_key == (1,)
        assert second.inserted_primary_key == (2,)
        assert first.inserted_primary_key._mapping["id"] == 1
        assert first.rowcount == 1


def test_inserted_primary_key_given_by_caller(tables: Any) -> None:
    with tables.begin() as conn:
        result = conn.execute(codes.insert(), {"code": "x1", "n": 5})
        assert result.inserted_primary_key == ("x1",)


def test_executemany_insert(tables: Any) -> None:
    with tables.begin() as conn:
        result = conn.execute(items.insert(), [{"name": f"n{i}"} for i in range(5)])
        assert result.rowcount == 5
        assert conn.execute(select(items.c.name).order_by(items.c.id)).scalars().all() == [
            f"n{i}" for i in range(5)
        ]


def test_insert_returning_rows(tables: Any, require: Any) -> None:
    require(tables, "returning")
    with tables.begin() as conn:
        rows = conn.execute(
            items.insert().returning(items.c.id, items.c.name),
            [{"name": "a"}, {"name": "b"}],
        ).all()
        assert rows == [(1, "a"), (2, "b")]


def test_result_processors_give_python_values(tables: Any) -> None:
    when = datetime.datetime(2024, 5, 6, 7, 8, 9)
    with tables.begin() as conn:
        conn.execute(
            items.insert(),
            [{"name": "a", "done": True, "at": when}, {"name": "b", "done": False, "at": None}],
        )
        rows = conn.execute(select(items.c.done, items.c.at).order_by(items.c.id)).all()
    assert rows == [(True, when), (False, None)]
    assert type(rows[0].done) is bool


def test_repeated_execution_compiles_once(tables: Any) -> None:
    with tables.begin() as conn:
        conn.execute(items.insert(), {"name": "a"})
        stmt_count = tables.dialect.compile_count
        for i in range(5):
            conn.execute(select(items).where(items.c.id == i)).all()
        assert tables.dialect.compile_count == stmt_count + 1


def test_row_attributes_from_select(tables: Any) -> None:
    with tables.begin() as conn:
        conn.execute(items.insert(), {"name": "a"})
        row = conn.execute(select(items)).one()
        assert (row.id, row.name, row.done) == (1, "a", False)
        assert row._mapping[items.c.name] == "a"
        assert conn.execute(select(items)).keys() == ["id", "name", "done", "at"]
