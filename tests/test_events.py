"""athanor.event on every backend: pool connect setup, cursor-execute hooks, session events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from athanor import String, create_engine, event, exc, text
from athanor.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    scoped_session,
    sessionmaker,
)

# Per-connection setup SQL, and how to read it back (the recipe differs per database).
SETUP = {
    "sqlite": ("PRAGMA foreign_keys=ON", "PRAGMA foreign_keys", 1),
    "postgresql": ("SET application_name = 'athanor_events'", "SHOW application_name",
                   "athanor_events"),
    "mysql": ("SET SESSION time_zone = '+03:00'", "SELECT @@session.time_zone", "+03:00"),
}


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "event_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(40))


@pytest.fixture
def own_engine(backend_url: str) -> Iterator[Any]:
    """A fresh engine whose pool has made no connection yet."""
    eng = create_engine(backend_url)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def notes(engine: Any) -> Iterator[Any]:
    Base.metadata.create_all(engine)
    try:
        yield engine
    finally:
        Base.metadata.drop_all(engine)


def test_connect_listener_sets_up_every_new_connection(own_engine: Any) -> None:
    setup, probe, expected = SETUP[own_engine.dialect.name]

    @event.listens_for(own_engine, "connect")
    def set_up(dbapi_conn: Any, record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute(setup)
        cur.close()
        dbapi_conn.commit()  # PostgreSQL: a SET inside a rolled-back transaction is undone

    for _ in range(2):  # a fresh connection, then the pooled one again
        with own_engine.connect() as conn:
            assert conn.exec_driver_sql(probe).scalar() == expected
    own_engine.dispose()  # the new pool keeps the listeners
    with own_engine.connect() as conn:
        assert conn.exec_driver_sql(probe).scalar() == expected
    assert event.contains(own_engine, "connect", set_up)


def test_pool_events_fire_in_order(own_engine: Any) -> None:
    seen: list[str] = []
    event.listen(own_engine, "first_connect", lambda c, r: seen.append("first_connect"))
    event.listen(own_engine, "connect", lambda c, r: seen.append("connect"))
    event.listen(own_engine, "checkout", lambda c, r, p: seen.append("checkout"))
    event.listen(own_engine, "checkin", lambda c, r: seen.append("checkin"))
    for _ in range(2):
        with own_engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    assert seen[:4] == ["first_connect", "connect", "checkout", "checkin"]
    assert seen.count("first_connect") == 1
    assert seen.count("checkout") == seen.count("checkin") == 2


def test_cursor_execute_listeners_see_each_statement(engine: Any) -> None:
    before: list[tuple[str, bool]] = []
    after: list[Any] = []

    def on_before(conn: Any, cursor: Any, statement: str, params: Any, context: Any,
                  many: bool) -> None:
        before.append((statement, many))

    def on_after(conn: Any, cursor: Any, statement: str, params: Any, context: Any,
                 many: bool) -> None:
        after.append(cursor.description is not None)

    event.listen(engine, "before_cursor_execute", on_before)
    event.listen(engine, "after_cursor_execute", on_after)
    with engine.connect() as conn:
        for value in (1, 2, 3):
            assert conn.execute(text("SELECT :v"), {"v": value}).scalar() == value
    assert len(before) == 3 and all("SELECT" in s and not m for s, m in before)
    assert after == [True, True, True]

    event.remove(engine, "before_cursor_execute", on_before)
    event.remove(engine, "after_cursor_execute", on_after)
    assert not event.contains(engine, "before_cursor_execute", on_before)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert len(before) == 3


def test_before_cursor_execute_with_retval_rewrites_the_statement(engine: Any) -> None:
    def add_comment(conn: Any, cursor: Any, statement: str, params: Any, context: Any,
                    many: bool) -> tuple[str, Any]:
        return statement + " -- tagged", params

    event.listen(engine, "before_cursor_execute", add_comment, retval=True)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 5")).scalar() == 5
    event.remove(engine, "before_cursor_execute", add_comment)


def test_handle_error_sees_failures_and_may_replace_the_exception(own_engine: Any) -> None:
    seen: list[Any] = []

    class AppError(Exception):
        pass

    @event.listens_for(own_engine, "handle_error")
    def record(ctx: Any) -> None:
        seen.append((type(ctx.sqlalchemy_exception), ctx.statement, ctx.is_disconnect,
                     ctx.engine is own_engine, ctx.original_exception is not None))

    with own_engine.connect() as conn:
        with pytest.raises(exc.DBAPIError):
            conn.execute(text("SELECT * FROM no_such_table_here"))
        conn.rollback()
    assert len(seen) == 1
    kind, statement, lost, same_engine, has_orig = seen[0]
    assert issubclass(kind, exc.DBAPIError) and "no_such_table_here" in statement
    assert not lost and same_engine and has_orig

    @event.listens_for(own_engine, "handle_error")
    def replace(ctx: Any) -> Any:
        if "no_such_table" in (ctx.statement or ""):
            return AppError(f"translated: {type(ctx.original_exception).__name__}")
        return None

    with own_engine.connect() as conn:
        with pytest.raises(AppError, match="translated"):
            conn.execute(text("SELECT * FROM no_such_table_here"))
        conn.rollback()
        assert conn.execute(text("SELECT 1")).scalar() == 1  # the connection still works
    assert len(seen) == 2


def test_session_events_from_a_sessionmaker(notes: Any) -> None:
    maker = sessionmaker(notes)
    seen: list[str] = []

    @event.listens_for(maker, "before_flush")
    def add_audit(session: Any, flush_context: Any, instances: Any) -> None:
        seen.append("before_flush")
        if not any(n.body == "audit" for n in session.new):
            session.add(Note(body="audit"))

    event.listen(maker, "after_flush", lambda s, ctx: seen.append("after_flush"))
    event.listen(maker, "after_begin", lambda s, tx, conn: seen.append("after_begin"))
    event.listen(maker, "after_commit", lambda s: seen.append("after_commit"))
    event.listen(maker, "after_rollback", lambda s: seen.append("after_rollback"))

    with maker() as session:
        session.add(Note(body="first"))
        session.commit()
        assert seen == ["before_flush", "after_begin", "after_flush", "after_commit"]
        bodies = sorted(n.body for n in session.query(Note).all())
        assert bodies == ["audit", "first"]
        session.rollback()
        assert seen[-1] == "after_rollback"

    seen.clear()
    with Session(notes) as plain:  # other sessions are untouched
        plain.add(Note(body="second"))
        plain.commit()
    assert seen == []


def test_listening_on_the_session_class_reaches_every_session(notes: Any) -> None:
    flushed: list[Any] = []

    def on_flush(session: Any, flush_context: Any, instances: Any) -> None:
        flushed.append(session)

    event.listen(Session, "before_flush", on_flush)
    try:
        maker = sessionmaker(notes)
        event.listen(maker, "after_commit", lambda s: None)  # its own subclass still inherits
        for factory in (maker, lambda: Session(notes)):
            with factory() as session:
                session.add(Note(body="x"))
                session.commit()
    finally:
        event.remove(Session, "before_flush", on_flush)
    assert len(flushed) == 2


def test_bad_event_names_and_removals_are_refused(engine: Any) -> None:
    with pytest.raises(exc.InvalidRequestError, match="no event 'before_flush'"):
        event.listen(engine, "before_flush", lambda *a: None)
    with pytest.raises(exc.InvalidRequestError, match="is not listening"):
        event.remove(engine, "connect", lambda *a: None)
    with pytest.raises(exc.InvalidRequestError, match="no events are known"):
        event.listen(object(), "connect", lambda *a: None)


def test_once_listener_runs_a_single_time(own_engine: Any) -> None:
    calls: list[int] = []
    event.listen(own_engine, "checkout", lambda c, r, p: calls.append(1), once=True)
    for _ in range(3):
        with own_engine.connect():
            pass
    assert calls == [1]


def test_pool_instance_target_and_duplicate_listen(own_engine: Any) -> None:
    calls: list[int] = []

    def on_checkout(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        calls.append(1)

    event.listen(own_engine.pool, "checkout", on_checkout)
    event.listen(own_engine, "checkout", on_checkout)  # same pool, same fn: no second copy
    with own_engine.connect():
        pass
    assert calls == [1]
    event.remove(own_engine.pool, "checkout", on_checkout)
    with own_engine.connect():
        pass
    assert calls == [1]


def test_scoped_session_target_reaches_its_factory(notes: Any) -> None:
    db = scoped_session(sessionmaker(notes))
    commits: list[Any] = []
    event.listen(db, "after_commit", commits.append)
    db.add(Note(body="scoped"))
    db.commit()
    assert commits == [db()]
    db.remove()
