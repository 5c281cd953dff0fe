"""Bind parameters in positions where the database must work out their type by itself.

PostgreSQL binds parameters on the server (psycopg 3), where ``$1 IS NULL``, ``count($1)``
and friends have no type to go on; athanor casts typed binds there and merges raw ``text()``
parameters client-side. Every statement here must give the same answer on all backends, and
on PostgreSQL with each binding setup (server-side with and without prepared statements,
all client-side).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from athanor import (
    JSON,
    Column,
    Date,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    bindparam,
    create_engine,
    exc,
    func,
    literal,
    or_,
    select,
    text,
)
from athanor.dialects.postgresql import PostgreSQLDialect
from athanor.dialects.postgresql.compiler import ClientBoundSQL

metadata = MetaData()
things = Table(
    "things", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(30), nullable=False),
    Column("price", Numeric(10, 2)),
    Column("day", Date),
)
ROWS = [
    {"id": 1, "name": "ann", "price": Decimal("1.50"), "day": datetime.date(2024, 1, 5)},
    {"id": 2, "name": "bob", "price": Decimal("2.25"), "day": datetime.date(2024, 6, 1)},
    {"id": 3, "name": "cy", "price": None, "day": None},
]

#: connect_args per setup; the non-default ones are psycopg options.
SETUPS = {
    "default": {},
    "no_prepare": {"prepare_threshold": None},
    "prepare_always": {"prepare_threshold": 0},
    "client_side": "client",
}


@pytest.fixture(params=list(SETUPS))
def db(request: pytest.FixtureRequest, backend_url: str, require: Any) -> Any:
    """An engine with the table filled, per binding setup."""
    args = SETUPS[request.param]
    if args:  # psycopg's options: only where values travel apart from the SQL
        require(create_engine(backend_url), "server_side_binding")
        if args == "client":
            import psycopg

            args = {"cursor_factory": psycopg.ClientCursor}
    engine = create_engine(backend_url, connect_args=args)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(things.insert(), ROWS)
    yield engine
    metadata.drop_all(engine)
    engine.dispose()


def test_null_tests_on_binds(db: Any) -> None:
    with db.connect() as conn:
        for value, expected in ((None, True), ("x", False)):
            stmt = select(bindparam("v", type_=String).is_(None))
            assert bool(conn.scalar(stmt, {"v": value})) is expected
        for value, expected in ((None, False), (7, True)):
            stmt = select(bindparam("v", type_=Integer).is_not(None))
            assert bool(conn.scalar(stmt, {"v": value})) is expected


def test_optional_filter_pattern(db: Any) -> None:
    q = bindparam("q", type_=String)
    stmt = select(things.c.id).where(or_(q.is_(None), things.c.name == q)).order_by(
        things.c.id)
    with db.connect() as conn:
        assert conn.scalars(stmt, {"q": None}).all() == [1, 2, 3]
        assert conn.scalars(stmt, {"q": "bob"}).all() == [2]


def test_binds_as_function_arguments(db: Any) -> None:
    with db.connect() as conn:
        assert conn.scalar(select(func.count("*")).select_from(things)) == 3
        assert conn.scalar(select(func.coalesce(things.c.price, 0)).where(
            things.c.id == 3)) == 0
        assert conn.scalar(select(func.round(things.c.price, 0)).where(
            things.c.id == 1)) == 2
        assert conn.scalar(select(func.lower("ABC"))) == "abc"


def test_binds_in_the_select_list(db: Any) -> None:
    with db.connect() as conn:
        row = conn.execute(select(literal("a"), literal(5), literal(None, Integer),
                                  literal(True))).one()
        assert (row[0], row[1], row[2], bool(row[3])) == ("a", 5, None, True)
        assert conn.scalar(select(literal("ab") + literal("cd"))) == "abcd"


def test_arithmetic_between_binds_does_not_overflow_small_ints(db: Any) -> None:
    with db.connect() as conn:
        assert conn.scalar(select(literal(300) * literal(200))) == 60000
        assert conn.scalar(select(literal(32767) + literal(1))) == 32768
        assert conn.scalar(select(literal(3_000_000_000) + literal(1))) == 3_000_000_001


def test_comparisons_in_between_and_numeric(db: Any) -> None:
    with db.connect() as conn:
        assert conn.scalars(select(things.c.id).where(
            things.c.name.in_(["ann", "cy"])).order_by(things.c.id)).all() == [1, 3]
        assert conn.scalars(select(things.c.id).where(
            things.c.day.between("2024-01-01", "2024-03-01"))).all() == [1]
        assert conn.scalars(select(things.c.id).where(things.c.price == 1.5)).all() == [1]
        assert conn.scalars(select(things.c.id).where(
            things.c.price > Decimal("2"))).all() == [2]
        assert conn.scalars(select(things.c.name).order_by(things.c.id).limit(2)
                            .offset(1)).all() == ["bob", "cy"]


def test_json_bind_in_the_select_list(db: Any) -> None:
    with db.connect() as conn:
        assert conn.scalar(select(literal({"a": [1, 2]}, JSON))) == {"a": [1, 2]}


def test_text_with_parameters_anywhere(db: Any) -> None:
    with db.connect() as conn:
        assert bool(conn.scalar(text("SELECT :x IS NULL"), {"x": None})) is True
        assert conn.scalar(text("SELECT count(:x) FROM things"), {"x": "a"}) == 3
        assert conn.scalar(text("SELECT name FROM things WHERE day > :d ORDER BY id"),
                           {"d": "2024-03-01"}) == "bob"
        assert conn.scalar(text("SELECT :x"), {"x": "it's 100%"}) == "it's 100%"
        assert conn.scalar(select(bindparam("u")), {"u": "untyped"}) == "untyped"


def test_text_executemany_counts_every_set(db: Any) -> None:
    with db.begin() as conn:
        result = conn.execute(text("UPDATE things SET name = :n WHERE id = :i"),
                              [{"n": "x1", "i": 1}, {"n": "x2", "i": 2}])
        assert result.rowcount == 2
        result = conn.execute(things.update().where(things.c.id == bindparam("i"))
                              .values(name=bindparam("n")),
                              [{"n": "y1", "i": 1}, {"n": "y2", "i": 2}, {"n": "y3", "i": 9}])
        assert result.rowcount == 2
    with db.connect() as conn:
        assert conn.scalars(select(things.c.name).order_by(things.c.id)).all() == [
            "y1", "y2", "cy"]


def test_repeated_statement_survives_table_recreated_with_other_columns(db: Any) -> None:
    """Past psycopg's prepare threshold the SELECT is a prepared statement; DROP and
    CREATE under it (same name, other columns) must not serve a stale plan."""
    other = MetaData()
    t1 = Table("shifting", other, Column("id", Integer, primary_key=True),
               Column("a", String(10)))
    t2 = Table("shifting", MetaData(), Column("id", Integer, primary_key=True),
               Column("b", Integer), Column("a", String(10)))
    with db.connect() as conn:
        t1.create(conn)
        conn.execute(t1.insert(), {"id": 1, "a": "x"})
        for _ in range(8):
            assert conn.execute(select(t1).where(t1.c.id == 1)).one() == (1, "x")
        conn.commit()
        t1.drop(conn)
        t2.create(conn)
        conn.execute(t2.insert(), {"id": 1, "b": 5, "a": "y"})
        for _ in range(3):
            assert conn.execute(select(t1).where(t1.c.id == 1)).one() == (1, "y")
        t2.drop(conn)
        conn.commit()


def test_statement_after_error_and_rollback(db: Any) -> None:
    with db.connect() as conn:
        stmt = select(things.c.name).where(things.c.id == bindparam("i"))
        for _ in range(6):
            assert conn.scalar(stmt, {"i": 1}) == "ann"
        with pytest.raises(exc.DBAPIError):
            conn.execute(text("SELECT * FROM no_such_table WHERE x = :x"), {"x": 1})
        conn.rollback()
        assert conn.scalar(stmt, {"i": 2}) == "bob"


def test_postgresql_marks_only_statements_it_cannot_type() -> None:
    d = PostgreSQLDialect()

    def sql(stmt: Any) -> Any:
        return d.compile_statement(stmt)[0].string

    assert sql(select(things.c.id).where(things.c.name == "x")) == (
        "SELECT things.id FROM things WHERE things.name = %s")
    assert sql(select(func.count("*"))) == "SELECT count(%s::VARCHAR) AS count"
    assert sql(select(bindparam("v", type_=Integer).is_(None))) == (
        "SELECT %s::BIGINT IS NULL AS anon_1")
    assert sql(select(things.c.id).where(things.c.price > 1.5)).endswith(
        "things.price > %s::NUMERIC")
    assert d.compile_statement(things.insert(), ["id", "name", "price"])[0].string == (
        "INSERT INTO things (id, name, price) VALUES (%s, %s, %s)")
    assert sql(things.insert().values(name="x", price=1)) == (
        "INSERT INTO things (name, price) VALUES (%s, %s::NUMERIC)")
    for stmt in (text("SELECT :x"), select(bindparam("u")),
                 select(things.c.id).where(text("name = :n"))):
        compiled = sql(stmt)
        assert type(compiled) is ClientBoundSQL and "::" not in compiled
    assert type(sql(select(things.c.id).where(things.c.id == bindparam("u")))) is str


@pytest.mark.parametrize("query, prepared", [("", True), ("?prepare_threshold=none", False)])
def test_repeated_statements_become_prepared_unless_switched_off(
        backend_url: str, require: Any, query: str, prepared: bool) -> None:
    require(create_engine(backend_url), "server_side_binding")
    engine = create_engine(backend_url + query)
    metadata.create_all(engine)
    try:
        with engine.connect() as conn:
            conn.execute(things.insert(), ROWS)
            stmt = select(things.c.name).where(things.c.id == bindparam("i"))
            assert [conn.scalar(stmt, {"i": i % 3 + 1}) for i in range(7)] == [
                "ann", "bob", "cy"] * 2 + ["ann"]
            n = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ("%things.id = $1%",)).scalar()
            assert (n > 0) is prepared
    finally:
        metadata.drop_all(engine)
        engine.dispose()


def test_connections_use_the_binding_cursor(backend_url: str, require: Any) -> None:
    """Guards the psycopg hooks the cursor relies on: were they gone after a psycopg
    upgrade, connections would quietly fall back to ClientCursor (slower, still right)."""
    engine = create_engine(backend_url)
    require(engine, "server_side_binding")
    from athanor.dialects.postgresql._cursor import AsyncCursor, Cursor, cursor_factories

    assert cursor_factories() == (Cursor, AsyncCursor)
    try:
        with engine.connect() as conn:
            assert type(conn.connection.dbapi_connection.cursor()) is Cursor
    finally:
        engine.dispose()
