"""Transactions on every backend: autobegin, commit/rollback, engine.begin(), SAVEPOINTs,
isolation levels, and the rollback of a connection returned inside a transaction."""

from __future__ import annotations

from typing import Any

import pytest

from athanor import create_engine, exc, text

from ._tables import create_users

INSERT = text("INSERT INTO users (name, age) VALUES (:name, :age)")
NAMES = text("SELECT name FROM users ORDER BY name")


@pytest.fixture
def users(engine: Any) -> Any:
    create_users(engine)
    return engine


def names(engine: Any) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(NAMES).scalars())


def test_autobegin_then_commit(users: Any) -> None:
    with users.connect() as conn:
        assert not conn.in_transaction()
        conn.execute(INSERT, {"name": "ann", "age": 1})
        assert conn.in_transaction()
        conn.commit()
        assert not conn.in_transaction()
    assert names(users) == ["ann"]


def test_close_without_commit_rolls_back(users: Any) -> None:
    with users.connect() as conn:
        conn.execute(INSERT, {"name": "ann", "age": 1})
    assert names(users) == []


def test_rollback(users: Any) -> None:
    with users.connect() as conn:
        conn.execute(INSERT, {"name": "ann", "age": 1})
        conn.rollback()
        conn.execute(INSERT, {"name": "bob", "age": 2})
        conn.commit()
    assert names(users) == ["bob"]


def test_engine_begin_commits_or_rolls_back(users: Any) -> None:
    with users.begin() as conn:
        conn.execute(INSERT, {"name": "ann", "age": 1})
    with pytest.raises(RuntimeError), users.begin() as conn:
        conn.execute(INSERT, {"name": "bob", "age": 2})
        raise RuntimeError("boom")
    assert names(users) == ["ann"]


def test_explicit_begin_block(users: Any) -> None:
    with users.connect() as conn:
        with conn.begin() as trans:
            conn.execute(INSERT, {"name": "ann", "age": 1})
            assert trans.is_active
        assert not trans.is_active
        with pytest.raises(exc.ResourceClosedError):
            trans.commit()
    assert names(users) == ["ann"]


def test_begin_twice_is_refused(users: Any) -> None:
    with users.connect() as conn:
        conn.execute(NAMES)
        with pytest.raises(exc.InvalidRequestError, match="already"):
            conn.begin()


def test_savepoint_rollback_keeps_outer_work(users: Any) -> None:
    with users.connect() as conn:
        conn.execute(INSERT, {"name": "ann", "age": 1})
        nested = conn.begin_nested()
        assert conn.in_nested_transaction()
        conn.execute(INSERT, {"name": "bob", "age": 2})
        nested.rollback()
        assert not conn.in_nested_transaction()
        with conn.begin_nested():
            conn.execute(INSERT, {"name": "cy", "age": 3})
        conn.commit()
    assert names(users) == ["ann", "cy"]


def test_savepoint_as_first_statement_then_root_rollback(users: Any) -> None:
    with users.connect() as conn:
        with conn.begin_nested():
            conn.execute(INSERT, {"name": "ann", "age": 1})
        assert conn.in_transaction()
        conn.rollback()  # releasing the savepoint did not commit
    assert names(users) == []


def test_nested_savepoints_and_integrity_error_recovery(users: Any) -> None:
    with users.connect() as conn:
        conn.execute(INSERT, {"name": "ann", "age": 1})
        outer = conn.begin_nested()
        inner = conn.begin_nested()
        with pytest.raises(exc.IntegrityError):
            conn.execute(INSERT, {"name": "ann", "age": 2})
        inner.rollback()
        conn.execute(INSERT, {"name": "bob", "age": 2})
        outer.commit()
        conn.commit()
    assert names(users) == ["ann", "bob"]


def test_savepoint_block_rolls_back_on_error(users: Any) -> None:
    with users.connect() as conn:
        with pytest.raises(exc.IntegrityError), conn.begin_nested():
            conn.execute(INSERT, {"name": "ann", "age": 1})
            conn.execute(INSERT, {"name": "ann", "age": 1})
        conn.execute(INSERT, {"name": "bob", "age": 2})
        conn.commit()
    assert names(users) == ["bob"]


def test_connection_returned_in_transaction_is_rolled_back(users: Any) -> None:
    conn = users.connect()
    conn.execute(INSERT, {"name": "ann", "age": 1})
    conn.close()  # no commit
    assert names(users) == []
    raw = users.raw_connection()
    cursor = raw.cursor()
    cursor.execute("INSERT INTO users (name, age) VALUES ('raw', 1)")
    raw.close()  # returned mid-transaction: the pool rolls back
    assert names(users) == []


def test_isolation_level_per_connection(engine: Any) -> None:
    default = engine.connect()
    level = default.get_isolation_level()
    assert level == default.default_isolation_level
    default.close()
    target = "READ UNCOMMITTED" if engine.dialect.name != "postgresql" else "SERIALIZABLE"
    with engine.connect() as conn:
        conn.execution_options(isolation_level=target)
        assert conn.get_isolation_level() == target
        conn.execute(text("SELECT 1")).all()
        with pytest.raises(exc.InvalidRequestError, match="transaction"):
            conn.execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:  # the pooled connection was reset
        assert conn.get_isolation_level() == level


def test_isolation_level_on_engine_and_option_engine(backend_url: str) -> None:
    engine = create_engine(backend_url, isolation_level="SERIALIZABLE")
    try:
        with engine.connect() as conn:
            assert conn.get_isolation_level() == "SERIALIZABLE"
        auto = engine.execution_options(isolation_level="AUTOCOMMIT")
        with auto.connect() as conn:
            assert conn.get_isolation_level() == "AUTOCOMMIT"
        with engine.connect() as conn:
            assert conn.get_isolation_level() == "SERIALIZABLE"
    finally:
        engine.dispose()


def test_autocommit_commits_each_statement(users: Any) -> None:
    auto = users.execution_options(isolation_level="AUTOCOMMIT")
    with auto.connect() as conn:
        conn.execute(INSERT, {"name": "ann", "age": 1})
        conn.rollback()  # nothing to roll back: already committed
    assert names(users) == ["ann"]


def test_closed_connection_raises(engine: Any) -> None:
    conn = engine.connect()
    conn.close()
    assert conn.closed
    with pytest.raises(exc.ResourceClosedError):
        conn.execute(text("SELECT 1"))
