"""The flush of a session whose only change is one new object (``flush.insert_one``).

The "add one object, commit" loop takes a short path (no flush plan, no result object);
these tests pin that it behaves exactly like the planned flush: generated keys, Python
and server defaults, events, a failed INSERT undone, one statement per object.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from athanor import Column, DateTime, Integer, String, event, exc, func, text
from athanor.orm import DeclarativeBase, sessionmaker
from athanor.orm.exc import FlushError


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "one_row_note"

    id = Column(Integer, primary_key=True)
    title = Column(String(40), nullable=False, unique=True)
    kind = Column(String(10), default="plain")
    made = Column(DateTime, server_default=func.current_timestamp())
    status = Column(String(10), server_default=text("'new'"))


class Tagged(Base):
    __tablename__ = "one_row_tagged"

    code = Column(String(10), primary_key=True)
    label = Column(String(20))


@pytest.fixture
def Session(engine: Any) -> Iterator[Any]:  # noqa: N802
    Base.metadata.create_all(engine)
    yield sessionmaker(bind=engine)


def _inserts(engine: Any) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def capture(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            seen.append(statement)

    return seen


def test_generated_key_and_defaults_are_filled(Session: Any, engine: Any) -> None:
    seen = _inserts(engine)
    with Session() as s:
        ids = []
        for i in range(3):
            n = Note(title=f"t{i}")
            s.add(n)
            s.commit()
            ids.append(n.id)  # reloaded after the commit's expiry
        assert ids == sorted(ids) and len(set(ids)) == 3
        n = s.get(Note, ids[0])
        assert n.kind == "plain"
        assert n.status == "new"
        assert isinstance(n.made, datetime.datetime)
    assert len(seen) == 3  # one INSERT per object, nothing else written


def test_server_defaults_given_by_the_user_are_sent(Session: Any) -> None:
    when = datetime.datetime(2020, 1, 2, 3, 4, 5)
    with Session() as s:
        s.add(Note(title="given", made=when, status="old"))
        s.commit()
        n = s.query(Note).filter_by(title="given").one()
        assert (n.made, n.status, n.kind) == (when, "old", "plain")


def test_object_is_persistent_in_the_identity_map(Session: Any) -> None:
    from athanor import inspect

    with Session() as s:
        n = Note(title="mapped")
        s.add(n)
        s.flush()
        state = inspect(n)
        assert state.persistent and state.identity == (n.id,)
        assert s.get(Note, n.id) is n
        assert n not in s.new
        s.commit()


def test_explicit_string_key(Session: Any) -> None:
    with Session() as s:
        s.add(Tagged(code="a1", label="x"))
        s.commit()
        assert s.get(Tagged, "a1").label == "x"


def test_missing_key_fails_before_any_sql(Session: Any, engine: Any) -> None:
    seen = _inserts(engine)
    with Session() as s:
        s.add(Tagged(label="no code"))
        with pytest.raises(FlushError, match=r"Tagged\.code"):
            s.commit()
    assert seen == []


def test_failed_insert_is_undone(Session: Any, engine: Any) -> None:
    from athanor import inspect

    with Session() as s:
        s.add(Note(title="dup"))
        s.commit()
        again = Note(title="dup")
        s.add(again)
        with pytest.raises(exc.IntegrityError):
            s.commit()
        # the Python default written during the failed flush is gone again
        assert "kind" not in again.__dict__ and again.id is None
        with pytest.raises(exc.PendingRollbackError):
            s.execute(text("SELECT 1"))
        s.rollback()
        assert inspect(again).transient
        again.title = "dup2"
        s.add(again)
        s.commit()
        assert again.kind == "plain" and again.id is not None
    with engine.connect() as conn:
        titles = conn.execute(text("SELECT title FROM one_row_note ORDER BY title")).scalars()
        assert list(titles) == ["dup", "dup2"]


def test_flush_events_fire(Session: Any) -> None:
    from athanor.orm import Session as SessionClass

    calls: list[str] = []
    with Session() as s:
        event.listen(s, "before_flush", lambda *a: calls.append("before"))
        event.listen(s, "after_flush", lambda *a: calls.append("after"))
        s.add(Note(title="evented"))
        s.commit()
    assert calls == ["before", "after"]
    assert SessionClass is not None
