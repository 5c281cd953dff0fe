"""Transactions: context managers, savepoints, failed flushes and rollback semantics."""

from __future__ import annotations

from typing import Any

import pytest
from tests.orm.conftest import User

import athanor
from athanor import exc, text


def _names(engine: Any) -> list[str]:
    with engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(text("SELECT name FROM users")))


def test_with_session_begin_commits_and_closes(Session: Any, engine: Any) -> None:
    with Session.begin() as s:
        s.add(User(name="a"))
    assert _names(engine) == ["a"]
    assert engine.pool.checkedout() == 0


def test_with_session_begin_rolls_back_on_error(Session: Any, engine: Any) -> None:
    with pytest.raises(RuntimeError), Session.begin() as s:
        s.add(User(name="a"))
        s.flush()
        raise RuntimeError("boom")
    assert _names(engine) == []


def test_session_begin_context_inside_with_session(Session: Any, engine: Any) -> None:
    with Session() as s:
        with s.begin():
            s.add(User(name="b"))
        assert not s.in_transaction()
    assert _names(engine) == ["b"]


def test_begin_twice_is_an_error(Session: Any) -> None:
    s = Session()
    s.begin()
    with pytest.raises(exc.InvalidRequestError, match="already begun"):
        s.begin()
    s.close()


def test_rollback_discards_pending_and_expires(Session: Any, engine: Any) -> None:
    s = Session()
    u = User(name="keep")
    s.add(u)
    s.commit()
    u.name = "changed"
    tmp = User(name="tmp")
    s.add(tmp)
    s.flush()
    s.rollback()
    assert u.name == "keep"
    assert athanor.inspect(tmp).transient
    assert _names(engine) == ["keep"]
    s.close()


def test_failed_flush_rolls_back_and_requires_rollback(Session: Any, engine: Any) -> None:
    s = Session()
    s.add(User(id=1, name="first"))
    s.commit()
    ok = User(name="fine")
    dup = User(id=1, name="duplicate")
    s.add_all([ok, dup])
    with pytest.raises(exc.IntegrityError):
        s.flush()
    # objects keep their pre-flush state: still pending, no generated key
    assert athanor.inspect(ok).pending and ok.id is None
    assert athanor.inspect(dup).pending
    with pytest.raises(exc.PendingRollbackError, match="rollback"):
        s.query(User).all()
    with pytest.raises(exc.PendingRollbackError):
        s.commit()
    s.rollback()
    assert _names(engine) == ["first"]
    assert s.query(User).count() == 1
    s.close()


def test_failed_flush_leaves_nothing_half_written(Session: Any, engine: Any) -> None:
    s = Session()
    s.add(User(id=5, name="five"))
    s.commit()
    s.add_all([User(id=6, name="six"), User(id=5, name="again"), User(id=7, name="seven")])
    with pytest.raises(exc.IntegrityError):
        s.commit()
    s.rollback()
    assert _names(engine) == ["five"]
    s.close()


def test_begin_nested_commit_and_rollback(Session: Any, engine: Any) -> None:
    s = Session()
    s.add(User(name="outer"))
    sp = s.begin_nested()
    s.add(User(name="inner"))
    sp.commit()
    sp2 = s.begin_nested()
    u = User(name="discarded")
    s.add(u)
    s.flush()
    sp2.rollback()
    assert athanor.inspect(u).transient
    s.commit()
    assert _names(engine) == ["inner", "outer"]
    s.close()


def test_begin_nested_context_manager_skips_failed_records(Session: Any, engine: Any) -> None:
    s = Session()
    s.add(User(id=1, name="one"))
    s.commit()
    for uid, name in [(2, "two"), (1, "dup"), (3, "three")]:
        try:
            with s.begin_nested():
                s.add(User(id=uid, name=name))
        except exc.IntegrityError:
            pass
    s.commit()
    assert _names(engine) == ["one", "three", "two"]
    s.close()


def test_run_my_program_pattern_rolls_back(Session: Any, engine: Any) -> None:
    class ThingOne:
        def go(self, session: Any) -> None:
            session.add(User(name="from-one"))

    class ThingTwo:
        def go(self, session: Any) -> None:
            session.query(User).update({"nonexistent": 1})

    def run_my_program() -> None:
        session = Session()
        try:
            ThingOne().go(session)
            ThingTwo().go(session)
            session.commit()
        except:  # noqa: E722 - the seed's pattern, verbatim
            session.rollback()
            raise
        finally:
            session.close()

    with pytest.raises(exc.InvalidRequestError, match="nonexistent"):
        run_my_program()
    assert _names(engine) == []
    assert engine.pool.checkedout() == 0


def test_using_a_session_from_two_threads_at_once_raises(Session: Any) -> None:
    import threading

    from athanor.orm.exc import ConcurrentSessionUseError

    s = Session()
    s.add(User(name="t"))
    s.commit()
    started, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow_io() -> None:
        prev = s._enter()  # an operation in progress on this thread
        started.set()
        release.wait(5)
        s._op_thread = prev

    t = threading.Thread(target=slow_io)
    t.start()
    started.wait(5)
    try:
        s.query(User).all()
    except ConcurrentSessionUseError as err:
        errors.append(err)
    finally:
        release.set()
        t.join()
    assert errors and "thread" in str(errors[0])
    assert len(s.query(User).all()) == 1  # fine again once the other thread is done
    s.close()


def test_session_joins_an_external_transaction(Session: Any, engine: Any) -> None:
    from athanor.orm import Session as PlainSession

    with engine.connect() as conn:
        outer = conn.begin()
        s = PlainSession(bind=conn)
        s.add(User(name="inside"))
        s.commit()  # releases the session's SAVEPOINT; the outer transaction decides
        assert s.query(User).count() == 1
        s.close()
        outer.rollback()
    assert _names(engine) == []
