"""Executing text() and driver SQL on every backend: parameters, executemany, rowcount,
inserted primary keys, Result and Row behaviour, error wrapping."""

from __future__ import annotations

from typing import Any

import pytest

from athanor import exc, text
from athanor.engine import Row

from ._tables import create_users


@pytest.fixture
def users(engine: Any) -> Any:
    create_users(engine)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO users (name, age) VALUES (:name, :age)"),
            [{"name": "ann", "age": 31}, {"name": "bob", "age": 42}, {"name": "cy", "age": None}],
        )
    return engine


def test_text_with_named_parameters(connection: Any) -> None:
    row = connection.execute(text("SELECT :a AS a, :b AS b"), {"a": 1, "b": "two"}).one()
    assert row == (1, "two")
    assert (row.a, row.b) == (1, "two")


def test_percent_sign_in_text_survives(connection: Any) -> None:
    assert connection.execute(text("SELECT '50%' AS p")).scalar() == "50%"
    assert connection.execute(text("SELECT :x || '%'"
                                   if connection.dialect.name != "mysql"
                                   else "SELECT CONCAT(:x, '%')"), {"x": "9"}).scalar() == "9%"


def test_exec_driver_sql_uses_driver_paramstyle(connection: Any) -> None:
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    assert connection.exec_driver_sql(f"SELECT {mark} + 1", (41,)).scalar() == 42
    assert connection.exec_driver_sql("SELECT 5").scalar() == 5


def test_executemany_and_rowcount(users: Any) -> None:
    with users.begin() as conn:
        result = conn.execute(
            text("UPDATE users SET age = :age WHERE name = :name"),
            [{"age": 1, "name": "ann"}, {"age": 2, "name": "bob"}],
        )
        assert result.rowcount == 2
        same = conn.execute(text("UPDATE users SET age = 1 WHERE name = 'ann'"))
        assert same.rowcount == 1  # matched rows, even when nothing changed
        assert conn.execute(text("DELETE FROM users WHERE age > 100")).rowcount == 0


def test_result_api(users: Any) -> None:
    with users.connect() as conn:
        q = text("SELECT name, age FROM users ORDER BY name")
        assert conn.execute(q).keys() == ["name", "age"]
        assert conn.execute(q).all() == [("ann", 31), ("bob", 42), ("cy", None)]
        assert conn.execute(q).first() == ("ann", 31)
        assert conn.execute(q).scalar() == "ann"
        assert conn.execute(q).scalars().all() == ["ann", "bob", "cy"]
        assert conn.execute(q).scalars("age").all() == [31, 42, None]
        assert conn.execute(q).mappings().first() == {"name": "ann", "age": 31}
        assert [r.name for r in conn.execute(q)] == ["ann", "bob", "cy"]
        result = conn.execute(q)
        assert result.fetchone() == ("ann", 31)
        assert result.fetchmany(1) == [("bob", 42)]
        assert result.fetchall() == [("cy", None)]
        assert result.fetchone() is None
        assert conn.execute(q).columns("age", "name").first() == (31, "ann")
        assert list(conn.execute(q).partitions(2)) == [
            [("ann", 31), ("bob", 42)], [("cy", None)],
        ]


def test_one_and_scalar_one(users: Any) -> None:
    with users.connect() as conn:
        by_name = text("SELECT id, name FROM users WHERE name = :n")
        assert conn.execute(by_name, {"n": "bob"}).one().name == "bob"
        assert conn.execute(by_name, {"n": "zed"}).one_or_none() is None
        assert conn.execute(by_name, {"n": "zed"}).first() is None
        with pytest.raises(exc.NoResultFound):
            conn.execute(by_name, {"n": "zed"}).one()
        with pytest.raises(exc.MultipleResultsFound):
            conn.execute(text("SELECT id FROM users")).one()
        with pytest.raises(exc.MultipleResultsFound):
            conn.execute(text("SELECT id FROM users")).scalar_one_or_none()
        assert conn.execute(text("SELECT COUNT(*) FROM users")).scalar_one() == 3
        assert conn.scalar(text("SELECT MAX(age) FROM users")) == 42
        assert conn.scalars(text("SELECT name FROM users ORDER BY id")).first() == "ann"


def test_unique_filters_repeats(users: Any) -> None:
    with users.connect() as conn:
        q = text("SELECT u.name FROM users u, users v ORDER BY u.name")
        assert conn.execute(q).scalars().unique().all() == ["ann", "bob", "cy"]
        assert conn.execute(q).unique().all() == [("ann",), ("bob",), ("cy",)]


def test_row_behaviour(connection: Any) -> None:
    row = connection.execute(text("SELECT 1 AS id, 'x' AS name")).one()
    assert isinstance(row, Row) and isinstance(row, tuple)
    assert row == (1, "x") and row[0] == 1 and row[-1] == "x"
    assert row._fields == ("id", "name")
    assert row._asdict() == {"id": 1, "name": "x"}
    assert row._mapping["name"] == "x"
    assert dict(row._mapping) == {"id": 1, "name": "x"}
    assert hash(row) == hash((1, "x"))
    ident, name = row
    assert (ident, name) == (1, "x")
    with pytest.raises(AttributeError, match="'nope'"):
        row.nope  # noqa: B018
    with pytest.raises(KeyError):
        row._mapping["nope"]
    import pickle

    assert pickle.loads(pickle.dumps(row)).name == "x"


def test_dml_result_returns_no_rows(users: Any) -> None:
    with users.begin() as conn:
        result = conn.execute(text("UPDATE users SET age = 5 WHERE name = 'cy'"))
        assert not result.returns_rows
        with pytest.raises(exc.ResourceClosedError):
            result.all()


def test_lastrowid_after_insert(users: Any, require: Any) -> None:
    with users.begin() as conn:
        result = conn.execute(text("INSERT INTO users (name, age) VALUES ('dee', 5)"))
        if conn.dialect.name != "postgresql":  # psycopg has no lastrowid
            assert result.lastrowid == 4


def test_closed_result_raises(connection: Any) -> None:
    result = connection.execute(text("SELECT 1"))
    result.close()
    with pytest.raises(exc.ResourceClosedError):
        result.fetchone()


def test_string_statement_is_rejected(connection: Any) -> None:
    with pytest.raises(exc.ObjectNotExecutableError, match="text"):
        connection.execute("SELECT 1")


def test_integrity_error_is_wrapped(users: Any) -> None:
    with users.connect() as conn:
        insert = text("INSERT INTO users (name, age) VALUES (:name, :age)")
        with pytest.raises(exc.IntegrityError) as info:
            conn.execute(insert, {"name": "ann", "age": 99})
        err = info.value
        assert isinstance(err, exc.DBAPIError)
        assert err.orig is not None and err.__cause__ is err.orig
        assert "INSERT INTO users" in (err.statement or "")
        assert err.params is not None
        assert "99" not in str(err)  # parameter values never in the message
        conn.rollback()
        assert conn.execute(text("SELECT COUNT(*) FROM users")).scalar() == 3


def test_programming_error_is_wrapped(connection: Any) -> None:
    with pytest.raises(exc.DatabaseError) as info:  # SQLite calls it OperationalError
        connection.execute(text("SELECT * FROM no_such_table"))
    assert "no_such_table" in str(info.value)
    connection.rollback()


def test_freeze_replays_rows(users: Any) -> None:
    with users.connect() as conn:
        frozen = conn.execute(text("SELECT name FROM users ORDER BY name")).freeze()
    assert frozen().scalars().all() == ["ann", "bob", "cy"]
    assert frozen().all() == [("ann",), ("bob",), ("cy",)]


def test_tuples_fast_paths(users: Any) -> None:
    with users.connect() as conn:
        result = conn.execute(text("SELECT name, age FROM users ORDER BY name"))
        assert result._tuples_many(2) == [("ann", 31), ("bob", 42)]
        assert result._tuples_all() == [("cy", None)]
        assert all(type(t) is tuple for t in conn.execute(text("SELECT 1, 2"))._tuples_all())


def test_return_defaults_brings_back_server_generated_values(engine: Any) -> None:
    from athanor import Column, Integer, MetaData, String, Table, insert

    md = MetaData()
    t = Table("rd_items", md, Column("id", Integer, primary_key=True),
              Column("label", String(10), server_default="dflt"), Column("n", Integer))
    md.create_all(engine)
    try:
        with engine.begin() as conn:
            result = conn.execute(insert(t).values(n=1).return_defaults())
            key = result.inserted_primary_key[0]
            assert isinstance(key, int)
            if engine.dialect.name == "mysql" and not getattr(
                    engine.dialect, "server_insert_returning", False):
                return  # no INSERT ... RETURNING: only the key is known
            assert tuple(result.returned_defaults) == (key, "dflt")
    finally:
        md.drop_all(engine)
