"""create_mock_engine(): statements handed to a function instead of a database; and the
small result helpers SQLAlchemy exports (ChunkedIteratorResult, result_tuple)."""

from __future__ import annotations

from typing import Any

import pytest

import athanor
from athanor.engine import ChunkedIteratorResult, ResultMetaData, result_tuple
from athanor.sql import Column, ForeignKey, Integer, MetaData, String, Table, select

m = MetaData()
parent = Table("parent", m, Column("id", Integer, primary_key=True))
child = Table("child", m, Column("id", Integer, primary_key=True),
              Column("parent_id", Integer, ForeignKey("parent.id")), Column("name", String(20)))


@pytest.mark.parametrize("url,serial", [
    ("sqlite://", "id INTEGER NOT NULL"),
    ("postgresql://", "id SERIAL NOT NULL"),
    ("mysql+pymysql://", "id INTEGER NOT NULL AUTO_INCREMENT"),
])
def test_create_all_on_a_mock_engine_hands_over_the_ddl(url: str, serial: str) -> None:
    seen: list[tuple[Any, Any]] = []
    mock = athanor.create_mock_engine(url, lambda stmt, params: seen.append((stmt, params)))
    m.create_all(mock)  # checkfirst is ignored: nothing can be asked
    assert [type(s).__name__ for s, _ in seen] == ["CreateTable", "CreateTable"]
    texts = [str(s.compile(dialect=mock.dialect)) for s, _ in seen]
    assert texts[0].startswith("CREATE TABLE parent") and serial in texts[0]
    assert texts[1].startswith("CREATE TABLE child")
    seen.clear()
    m.drop_all(mock, checkfirst=False)
    assert [str(s.compile(dialect=mock.dialect)) for s, _ in seen] == [
        "DROP TABLE child", "DROP TABLE parent"]


def test_mock_engine_execute_passes_statement_and_parameters() -> None:
    seen: list[tuple[Any, Any]] = []
    mock = athanor.create_mock_engine("sqlite://", lambda s, p: seen.append((s, p)) or "ran")
    stmt = select(child.c.name)
    assert mock.execute(stmt, {"a": 1}) == "ran"
    assert seen == [(stmt, {"a": 1})]
    assert mock.connect() is mock and mock.engine is mock and mock.name == "sqlite"
    with pytest.raises(athanor.exc.NoSuchModuleError):
        athanor.create_mock_engine("nosuchdb://", print)


def test_chunked_iterator_result_flattens_chunks() -> None:
    result = ChunkedIteratorResult(ResultMetaData(["a", "b"]),
                                   lambda size: iter([[(1, 2)], [(3, 4), (5, 6)]]))
    assert isinstance(result, athanor.IteratorResult)
    rows = result.all()
    assert rows == [(1, 2), (3, 4), (5, 6)] and rows[1].b == 4


def test_result_tuple_builds_rows() -> None:
    make = result_tuple(["a", "b"])
    row = make((1, 2))
    assert isinstance(row, athanor.Row) and row.a == 1 and row._mapping["b"] == 2
