"""Result, ScalarResult, MappingResult and Row over in-memory rows (no database)."""

from __future__ import annotations

import pytest

from athanor import exc
from athanor.engine import IteratorResult, Row, result_from_rows
from athanor.engine.result import ResultMetaData


def make(rows: list[tuple[object, ...]] | None = None) -> IteratorResult:
    data = rows if rows is not None else [(1, "a"), (2, "b"), (2, "b"), (3, "c")]
    return result_from_rows(["id", "name"], data)


def test_iteration_and_fetching() -> None:
    assert [r.id for r in make()] == [1, 2, 2, 3]
    result = make()
    assert result.fetchone() == (1, "a")
    assert result.fetchmany(2) == [(2, "b"), (2, "b")]
    assert result.fetchall() == [(3, "c")]
    assert result.fetchone() is None
    assert result.all() == []


def test_unique_on_rows_and_scalars() -> None:
    assert make().unique().all() == [(1, "a"), (2, "b"), (3, "c")]
    assert make().scalars().unique().all() == [1, 2, 3]
    assert make().unique().scalars("name").all() == ["a", "b", "c"]
    assert make().unique(lambda row: row.name).fetchmany(3) == [(1, "a"), (2, "b"), (3, "c")]


def test_one_variants() -> None:
    single = [(5, "x")]
    assert make(single).one() == (5, "x")
    assert make(single).scalar_one() == 5
    assert make([]).one_or_none() is None
    assert make([]).scalar() is None
    assert make([]).scalar_one_or_none() is None
    with pytest.raises(exc.NoResultFound):
        make([]).scalar_one()
    with pytest.raises(exc.MultipleResultsFound):
        make().one()
    assert make([(1, "a"), (1, "a")]).unique().one() == (1, "a")


def test_mappings_and_columns() -> None:
    assert make().mappings().first() == {"id": 1, "name": "a"}
    assert make().mappings().keys() == ["id", "name"]
    assert make().columns("name").first() == ("a",)
    assert make().columns("name", "id").first().id == 1
    assert make().columns(1, 0).all()[0] == ("a", 1)
    with pytest.raises(exc.NoSuchColumnError, match="'nope'"):
        make().columns("nope")


def test_partitions_and_yield_per() -> None:
    assert [len(p) for p in make().partitions(3)] == [3, 1]
    assert [len(p) for p in make().yield_per(2).partitions()] == [2, 2]


def test_freeze_and_merge() -> None:
    frozen = make().freeze()
    assert frozen().all() == frozen().all() == make().all()
    assert len(make().merge(make([(9, "z")])).all()) == 5


def test_close_then_fetch_raises() -> None:
    result = make()
    result.close()
    assert result.closed
    with pytest.raises(exc.ResourceClosedError):
        result.all()


def test_row_shape_class_is_shared_and_fields_can_shadow_tuple_methods() -> None:
    meta = ResultMetaData(["count", "index", "class", "_mapping"])
    row = meta.row_class((1, 2, 3, 4))
    assert isinstance(row, Row)
    assert (row.count, row.index) == (1, 2)
    assert row._mapping["class"] == 3 and row._mapping["_mapping"] == 4
    assert type(row) is type(ResultMetaData(["count", "index", "class", "_mapping"]).row_class(()))


def test_row_compares_like_a_tuple() -> None:
    row = make().first()
    assert row == (1, "a") and row < (2, "a") and row != (1, "b")
    assert repr(row) == "(1, 'a')"
    assert row[0:1] == (1,)


def test_result_processors_apply() -> None:
    meta = ResultMetaData(["a", "b"], [None, str.upper])
    result = IteratorResult(meta, [meta.process_row(r) for r in [(1, "x")]])  # type: ignore[misc]
    assert result.one() == (1, "X")
