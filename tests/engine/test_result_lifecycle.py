"""Result lifetime and what an INSERT result reports, on every backend.

- A result is not a reference cycle: dropped unread, it is freed (and its driver cursor with
  it) at once by reference counting, with the cycle collector off.
- A Connection closing closes the cursors of results not read to the end.
- Implicit RETURNING (added by the compiler to learn a new key) is not reported as rows.
- ``inserted_primary_key_rows`` after an executemany INSERT gives each set's real key when
  the statement had RETURNING.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from athanor import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    exc,
    select,
    text,
    update,
)

metadata = MetaData()
things = Table(
    "things", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(30), nullable=False),
)
labels = Table(
    "labels", metadata,
    Column("code", String(10), primary_key=True),
    Column("n", Integer),
)

_TWO_ROWS = "SELECT 1 AS n UNION ALL SELECT 2"


@pytest.fixture
def no_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@pytest.fixture
def tables(engine: Any) -> Any:
    metadata.create_all(engine)
    return engine


def _driver_cursor_closed(cursor: Any) -> bool:
    """Whether a driver cursor was closed (each driver shows it its own way)."""
    closed = getattr(cursor, "closed", None)
    if isinstance(closed, bool):  # psycopg
        return closed
    if hasattr(cursor, "_result"):  # PyMySQL: close() drops the connection reference
        return cursor.connection is None
    try:  # sqlite3: using a closed cursor raises ProgrammingError
        cursor.fetchone()
    except Exception:
        return True
    return False


def _supports_insert_returning(engine: Any) -> bool:
    with engine.connect():  # server facts (MariaDB's RETURNING) are known after connecting
        pass
    dialect = engine.dialect
    return bool(dialect.supports_returning or getattr(dialect, "server_insert_returning", False))


def test_unread_result_is_freed_at_once(engine: Any, no_gc: None) -> None:
    with engine.connect() as conn:
        result = conn.execute(text(_TWO_ROWS))
        driver_cursor = weakref.ref(result._cursor)
        dropped = weakref.ref(result)
        del result
        assert dropped() is None
        assert driver_cursor() is None
        assert conn.execute(text("SELECT 3")).scalar() == 3


def test_views_of_a_result_make_no_cycle(engine: Any, no_gc: None) -> None:
    with engine.connect() as conn:
        result = conn.execute(text(_TWO_ROWS))
        scalars = result.scalars()
        assert scalars.fetchmany(1) == [1]
        dropped = weakref.ref(result), weakref.ref(scalars), weakref.ref(result.mappings())
        del result, scalars
        assert [ref() for ref in dropped] == [None, None, None]


def test_read_result_is_freed_at_once(engine: Any, no_gc: None) -> None:
    with engine.connect() as conn:
        result = conn.execute(text(_TWO_ROWS))
        assert result.all() == [(1,), (2,)]
        dropped = weakref.ref(result)
        del result
        assert dropped() is None


def test_closing_the_connection_closes_unread_cursors(engine: Any) -> None:
    conn = engine.connect()
    result = conn.execute(text(_TWO_ROWS))
    scalars = conn.execute(text(_TWO_ROWS)).scalars()
    driver_cursor = result._cursor
    conn.close()
    assert _driver_cursor_closed(driver_cursor)
    assert result.closed
    with pytest.raises(exc.ResourceClosedError, match="connection was closed"):
        result.fetchone()
    with pytest.raises(exc.ResourceClosedError):
        scalars.all()
    assert engine.pool.checkedout() == 0


def test_fully_read_result_survives_connection_close(engine: Any) -> None:
    with engine.connect() as conn:
        result = conn.execute(text(_TWO_ROWS))
        frozen = result.all()
        buffered = conn.execute(text("SELECT 1"))
        buffered.fetchone()
    assert frozen == [(1,), (2,)]
    assert result.all() == []


def test_implicit_returning_is_not_reported_as_rows(tables: Any) -> None:
    with tables.begin() as conn:
        result = conn.execute(things.insert(), {"name": "a"})
        assert result.returns_rows is False
        assert result.inserted_primary_key == (1,)
        second = conn.execute(things.insert().values(name="b"))
        assert second.returns_rows is False
        assert second.inserted_primary_key == (2,)
        assert conn.execute(select(things.c.id)).returns_rows is True


def test_explicit_returning_is_reported_as_rows(tables: Any) -> None:
    if not _supports_insert_returning(tables):
        pytest.skip("no INSERT ... RETURNING on this database")
    with tables.begin() as conn:
        result = conn.execute(things.insert().returning(things.c.id), {"name": "a"})
        assert result.returns_rows is True
        assert result.inserted_primary_key == (1,)
        assert result.all() == [(1,)]


def test_executemany_insert_keys_from_returning(tables: Any) -> None:
    if not _supports_insert_returning(tables):
        pytest.skip("no INSERT ... RETURNING on this database")
    with tables.begin() as conn:
        conn.execute(things.insert(), {"name": "first"})
        stmt = things.insert().returning(things.c.id, things.c.name)
        result = conn.execute(stmt, [{"name": f"n{i}"} for i in range(3)])
        assert result.inserted_primary_key_rows == [(2,), (3,), (4,)]
        assert result.all() == [(2, "n0"), (3, "n1"), (4, "n2")]
        assert result.inserted_primary_key_rows == [(2,), (3,), (4,)]  # still, after reading


def test_executemany_insert_keys_generated_by_the_database(tables: Any) -> None:
    """With RETURNING in the compiled INSERT (implicit on PostgreSQL) every set gets its
    real key; without it (a batch executemany) generated keys are unknown: None."""
    with tables.begin() as conn:
        conn.execute(things.insert(), {"name": "first"})
        result = conn.execute(things.insert(), [{"name": f"n{i}"} for i in range(3)])
        assert result.rowcount == 3
        if result.compiled.has_returning:
            assert result.inserted_primary_key_rows == [(2,), (3,), (4,)]
            assert result.returns_rows is False
        else:
            assert result.inserted_primary_key_rows == [(None,), (None,), (None,)]
        ids = conn.execute(select(things.c.id).order_by(things.c.id)).scalars().all()
        assert ids == [1, 2, 3, 4]


def test_executemany_insert_keys_given_by_the_caller(tables: Any) -> None:
    with tables.begin() as conn:
        result = conn.execute(labels.insert(), [{"code": "a", "n": 1}, {"code": "b", "n": 2}])
        assert result.inserted_primary_key_rows == [("a",), ("b",)]
        with pytest.raises(exc.InvalidRequestError, match="inserted_primary_key_rows"):
            result.inserted_primary_key  # noqa: B018


def test_executemany_returning_runs_as_one_batch_where_supported(
    tables: Any, caplog: Any
) -> None:
    if not _supports_insert_returning(tables):
        pytest.skip("no INSERT ... RETURNING on this database")
    stmt = things.insert().returning(things.c.id, things.c.name)
    with caplog.at_level("INFO", logger="athanor.engine"), tables.begin() as conn:
        result = conn.execute(stmt, [{"name": f"n{i}"} for i in range(4)])
    inserts = [r for r in caplog.records if r.getMessage().startswith("INSERT")]
    batch = tables.dialect.supports_executemany_returning
    assert len(inserts) == (1 if batch else 4)
    assert result.rowcount == 4
    assert result.inserted_primary_key_rows == [(1,), (2,), (3,), (4,)]
    assert [row.name for row in result] == ["n0", "n1", "n2", "n3"]


def test_many_results_tracked_and_closed(engine: Any) -> None:
    conn = engine.connect()
    for _ in range(200):
        conn.execute(text(_TWO_ROWS))  # dropped unread: freed at once, tracking pruned
    assert len(conn._open_results) <= 64
    kept = [conn.execute(text(_TWO_ROWS)) for _ in range(100)]
    assert all(r.fetchone() == (1,) for r in kept)
    conn.close()
    assert all(r._cursor is None and r.closed for r in kept)
    with pytest.raises(exc.ResourceClosedError):
        kept[-1].fetchone()


def test_executemany_update_returning_gathers_every_row(tables: Any, require: Any) -> None:
    require(tables, "returning")
    with tables.begin() as conn:
        conn.execute(things.insert(), [{"name": n} for n in ("a", "b", "c")])
        stmt = (
            update(things).where(things.c.name == bindparam("old"))
            .values(name=bindparam("new")).returning(things.c.name)
        )
        result = conn.execute(stmt, [{"old": "a", "new": "x"}, {"old": "zz", "new": "y"},
                                     {"old": "c", "new": "z"}])
        assert result.rowcount == 2
        assert result.returns_rows is True
        assert result.scalars().all() == ["x", "z"]


def test_dml_and_insert_results_are_freed_at_once(tables: Any, no_gc: None) -> None:
    with tables.begin() as conn:
        results = [
            conn.execute(things.insert(), {"name": "a"}),
            conn.execute(things.insert(), [{"name": "b"}, {"name": "c"}]),
            conn.execute(update(things).values(name="d").where(things.c.name == "a")),
            conn.execute(select(things).order_by(things.c.id)).scalars(),
        ]
        assert results[0].inserted_primary_key == (1,)
        refs = [weakref.ref(r) for r in results]
        del results
        assert [ref() for ref in refs] == [None] * 4
