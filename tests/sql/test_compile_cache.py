"""The compiled-statement cache and build-time errors."""

from __future__ import annotations

import pytest

from athanor import exc
from athanor.dialects.sqlite import SQLiteDialect
from athanor.sql import bindparam, column, func, literal, select, table, text, tuple_
from athanor.sql.schema import Column, MetaData, Table
from athanor.sql.types import DateTime, Integer, String

m = MetaData()
users = Table("users", m, Column("id", Integer, primary_key=True), Column("name", String(30)))


def test_same_shape_new_values_compiles_once() -> None:
    d = SQLiteDialect()
    seen = []
    for i in range(5):
        compiled, extracted = d.compile_statement(
            select(users).where(users.c.id == i, users.c.name.in_(["a", "b"])).limit(i + 1))
        seen.append(compiled.construct_params(None, extracted))
    assert d.compile_count == 1
    assert seen[3] == (3, "a", "b", 4)


def test_different_shapes_compile_separately() -> None:
    d = SQLiteDialect()
    d.compile_statement(select(users).where(users.c.id.in_([1, 2])))
    d.compile_statement(select(users).where(users.c.id.in_([1, 2, 3])))
    d.compile_statement(select(users).where(users.c.name == "x"))
    assert d.compile_count == 3


def test_text_is_cached_by_its_text() -> None:
    d = SQLiteDialect()
    for i in range(3):
        compiled, extracted = d.compile_statement(text("SELECT :x").bindparams(x=i))
        assert compiled.construct_params({}, extracted) == (i,)
    assert d.compile_count == 1


def test_shared_bind_object_and_distinct_binds_do_not_mix() -> None:
    d = SQLiteDialect()
    b = bindparam("v", 1)
    c1, e1 = d.compile_statement(select(users.c.id).where((users.c.id == b) | (users.c.id > b)))
    c2, e2 = d.compile_statement(select(users.c.id).where(
        (users.c.id == bindparam("v", 1)) | (users.c.id > bindparam("v", 2))))
    assert c1.construct_params({}, e1) == (1, 1)
    assert c2.construct_params({}, e2) == (1, 2)


def test_execute_time_params_override_by_name() -> None:
    d = SQLiteDialect()
    compiled, extracted = d.compile_statement(
        select(users.c.id).where(users.c.id == bindparam("x")))
    assert compiled.bind_names == ["x"]
    assert compiled.construct_params({"x": 9}, extracted) == (9,)
    assert compiled.construct_params_many([{"x": 1}, {"x": 2}], extracted) == [(1,), (2,)]


def test_bind_processor_applied() -> None:
    import datetime
    events = Table("events", MetaData(), Column("at", DateTime))
    d = SQLiteDialect()
    when = datetime.datetime(2024, 1, 2, 3, 4, 5)
    compiled, extracted = d.compile_statement(select(events).where(events.c.at == when))
    (value,) = compiled.construct_params({}, extracted)
    proc = DateTime().bind_processor(d)
    assert value == (proc(when) if proc else when)


def test_params_method_replaces_values() -> None:
    stmt = select(users.c.id).where(users.c.id == bindparam("x", 1))
    d = SQLiteDialect()
    compiled, extracted = d.compile_statement(stmt.params(x=5))
    assert compiled.construct_params({}, extracted) == (5,)
    assert d.compile_statement(stmt)[0] is compiled


@pytest.mark.parametrize("value", [[1, 2], (1, 2), {1}])
def test_comparing_with_a_list_says_use_in(value: object) -> None:
    with pytest.raises(exc.ArgumentError, match=r"Use column.in_\(\[\.\.\.\]\)"):
        users.c.id == value  # noqa: B015


def test_where_with_string_or_list_fails_helpfully() -> None:
    with pytest.raises(exc.ArgumentError, match="Wrap raw SQL in text"):
        select(users).where("id = 5")
    with pytest.raises(exc.ArgumentError, match="and_"):
        select(users).where([users.c.id == 1])


def test_clause_has_no_truth_value() -> None:
    with pytest.raises(TypeError, match="not defined"):
        bool(users.c.id > 5)
    assert users.c.id in [users.c.name, users.c.id]


def test_misc_builders() -> None:
    assert str(select(literal(5).label("x"))) == "SELECT :param_1 AS x"
    t = table("t", column("a"), column("b"))
    stmt = select(t.c.a).where(tuple_(t.c.a, t.c.b).in_([(1, 2), (3, 4)]))
    assert str(stmt) == ("SELECT t.a FROM t WHERE (t.a, t.b) IN ((:a_1, :b_1), (:a_2, :b_2))")
    assert str(select(func.max(t.c.a).over(partition_by=t.c.b))) == \
        "SELECT max(t.a) OVER (PARTITION BY t.b) AS max FROM t"
    with pytest.raises(exc.ArgumentError, match="non-negative int"):
        select(t).limit("5")  # type: ignore[arg-type]


def test_memoised_key_is_not_shared_by_copies() -> None:
    d = SQLiteDialect()
    base = select(users.c.id).where(users.c.id == bindparam("x", 1))
    c1, e1 = d.compile_statement(base)
    c2, e2 = d.compile_statement(base.params(x=2))
    c3, e3 = d.compile_statement(base.where(users.c.name == "n"))
    assert c1 is c2 and c1.construct_params({}, e1) == (1,)
    assert c2.construct_params({}, e2) == (2,)
    assert c3 is not c1 and c3.construct_params({}, e3) == (1, "n")
    assert d.compile_statement(base)[1] == (1,)
