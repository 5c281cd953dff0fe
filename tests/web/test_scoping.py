"""scoped_session: one Session per thread / asyncio task / custom scope, and nothing leaked.

Registry mechanics use real Sessions from an unbound sessionmaker (making a Session does no
I/O); everything that touches a database runs on every backend through the ``engine`` fixture.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from athanor import Column, Integer, String, TypeDecorator, select, text
from athanor.exc import AthanorWarning, InvalidRequestError
from athanor.orm import Session as PlainSession
from athanor.orm import declarative_base, scoped_session, sessionmaker

Base: Any = declarative_base()


class Item(Base):
    __tablename__ = "scoping_item"

    id = Column(Integer, primary_key=True)
    name = Column(String(30))


@pytest.fixture
def registry() -> Iterator[scoped_session[Any]]:
    Session = scoped_session(sessionmaker())
    yield Session
    Session.close_all()


@pytest.fixture
def db(engine: Any) -> Iterator[scoped_session[Any]]:
    Base.metadata.create_all(engine)
    Session = scoped_session(sessionmaker(bind=engine))
    yield Session
    Session.close_all()


def _in_thread(fn: Any) -> Any:
    out: list[Any] = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join()
    return out[0]


# -- one session per scope ------------------------------------------------------------------

def test_same_session_within_a_thread(registry: scoped_session[Any]) -> None:
    assert registry() is registry()
    assert isinstance(registry(), PlainSession)


def test_other_threads_get_other_sessions(registry: scoped_session[Any]) -> None:
    mine = registry()
    theirs = _in_thread(lambda: (registry(), registry()))
    assert theirs[0] is theirs[1]
    assert theirs[0] is not mine


def test_each_asyncio_task_gets_its_own_session(registry: scoped_session[Any]) -> None:
    async def one() -> Any:
        first = registry()
        await asyncio.sleep(0)
        assert registry() is first
        return first

    async def main() -> list[Any]:
        return list(await asyncio.gather(*(one() for _ in range(20))))

    sessions = asyncio.run(main())
    assert len({id(s) for s in sessions}) == 20
    assert registry() not in sessions


def test_loop_callbacks_outside_a_task_use_the_thread_scope(
    registry: scoped_session[Any],
) -> None:
    mine = registry()

    async def main() -> Any:
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        loop.call_soon(lambda: fut.set_result(registry()))
        return await fut

    assert asyncio.run(main()) is mine


def test_custom_scopefunc() -> None:
    current = ["a"]
    Session = scoped_session(sessionmaker(), scopefunc=lambda: current[0])
    a = Session()
    current[0] = "b"
    b = Session()
    assert a is not b
    current[0] = "a"
    assert Session() is a
    assert len(Session.registry) == 2
    Session.remove()
    assert not Session.has()
    current[0] = "b"
    assert Session.has()
    Session.remove()
    assert len(Session.registry) == 0


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(Exception, match="session_factory must be callable"):
        scoped_session(42)  # type: ignore[arg-type]
    with pytest.raises(Exception, match="scopefunc must be a callable"):
        scoped_session(sessionmaker(), scopefunc="thread")  # type: ignore[arg-type]


# -- has / remove / configure / call with arguments -----------------------------------------

def test_has_and_remove(registry: scoped_session[Any]) -> None:
    assert not registry.has()
    first = registry()
    assert registry.has()
    registry.remove()
    assert not registry.has()
    assert registry() is not first
    registry.remove()
    registry.remove()  # nothing to remove: a no-op


def test_call_with_arguments_makes_a_configured_session(registry: scoped_session[Any]) -> None:
    session = registry(autoflush=False)
    assert session.autoflush is False
    assert registry() is session
    with pytest.raises(InvalidRequestError, match="already has a Session"):
        registry(autoflush=True)


def test_configure_applies_to_new_sessions_and_warns_when_one_exists(engine: Any) -> None:
    Session = scoped_session(sessionmaker())
    Session.configure(bind=engine)
    assert Session().bind is engine
    with pytest.warns(AthanorWarning, match="already has a Session"):
        Session.configure(autoflush=False)
    assert Session().autoflush is True
    Session.remove()
    assert Session().autoflush is False
    Session.remove()


def test_configure_needs_a_configurable_factory() -> None:
    Session = scoped_session(PlainSession)
    with pytest.raises(Exception, match="has no configure"):
        Session.configure(autoflush=False)


# -- session.remove() (the seed's session1.remove()) ----------------------------------------

def test_session_remove_forgets_it_in_its_own_scope(registry: scoped_session[Any]) -> None:
    s1 = registry()
    s2 = registry()
    assert s1 is s2
    s1.remove()
    assert not registry.has()
    assert registry() is not s1


def test_session_remove_from_another_thread_targets_the_owning_scope(
    registry: scoped_session[Any],
) -> None:
    theirs = _in_thread(registry)
    mine = registry()
    assert len(registry.registry) == 1  # the finished thread's session is gone already
    theirs.remove()  # no longer registered: closes it, leaves this thread's session alone
    assert registry() is mine

    holder: dict[str, Any] = {}
    ready, done = threading.Event(), threading.Event()

    def worker() -> None:
        holder["s"] = registry()
        ready.set()
        done.wait()

    t = threading.Thread(target=worker)
    t.start()
    ready.wait()
    assert len(registry.registry) == 2
    holder["s"].remove()
    assert len(registry.registry) == 1 and registry() is mine
    done.set()
    t.join()


def test_remove_on_a_session_not_made_by_a_registry_names_the_fix() -> None:
    with pytest.raises(InvalidRequestError, match="scoped_session"):
        PlainSession().remove()


# -- explicit scope -------------------------------------------------------------------------

def test_scope_context_manager_removes_on_exit(registry: scoped_session[Any]) -> None:
    outer = registry()
    with registry.scope() as inner:
        assert inner is not outer
        assert registry() is inner
        with registry.scope() as innermost:
            assert registry() is innermost and innermost is not inner
        assert registry() is inner
    assert registry() is outer
    registry.remove()
    with pytest.raises(RuntimeError), registry.scope():
        raise RuntimeError("boom")
    assert not registry.has()


def test_scope_rolls_back_and_returns_the_connection(db: scoped_session[Any], engine: Any) -> None:
    with db.scope() as session:
        session.add(Item(id=1, name="never committed"))
        session.flush()
        assert engine.pool.checkedout() == 1
    assert engine.pool.checkedout() == 0
    with db.scope() as session:
        assert session.scalars(select(Item)).all() == []


# -- proxies --------------------------------------------------------------------------------

def test_class_level_proxies_reach_the_scope_session(db: scoped_session[Any], engine: Any) -> None:
    item = Item(id=1, name="one")
    db.add(item)
    assert item in db.new and item in db
    db.add_all([Item(id=2, name="two"), Item(id=3, name="three")])
    with db.no_autoflush:
        assert len(db.new) == 3
    db.flush()
    assert db.is_active and db.in_transaction()
    db.commit()
    assert db.get(Item, 2).name == "two"
    assert db.bind is engine
    assert db.execute(text("SELECT 1")).scalar() == 1
    assert db.scalar(select(Item.name).where(Item.id == 3)) == "three"
    assert [i.id for i in db.scalars(select(Item).order_by(Item.id))] == [1, 2, 3]
    assert db.query(Item).filter_by(name="one").one() is item
    item.name = "uno"
    assert item in db.dirty
    db.rollback()
    db.refresh(item)
    assert item.name == "one"
    db.expire(item)
    assert item.name == "one"
    db.delete(db.get(Item, 3))
    assert len(db.deleted) == 1
    db.commit()
    merged = db.merge(Item(id=2, name="deux"))
    assert merged.name == "deux"
    db.commit()
    db.expunge(item)
    assert item not in db
    assert len(db.identity_map) >= 1
    db.info["request"] = "r1"
    assert db().info["request"] == "r1"
    with db.begin():
        db.add(Item(id=4, name="four"))
    with db.begin(), db.begin_nested():
        db.add(Item(id=5, name="five"))
    db.close()
    assert sorted(db.scalars(select(Item.id))) == [1, 2, 4, 5]
    db.remove()
    assert engine.pool.checkedout() == 0


def test_every_public_session_method_and_property_is_proxied() -> None:
    missing = sorted(
        name for name in dir(PlainSession)
        if not name.startswith("_") and not hasattr(scoped_session, name)
    )
    assert not missing, f"add proxies to athanor/orm/scoping.py for: {missing}"


def test_query_property(db: scoped_session[Any]) -> None:
    QBase: Any = declarative_base()
    QBase.query = db.query_property()

    class Person(QBase):
        __tablename__ = "scoping_person"

        id = Column(Integer, primary_key=True)
        name = Column(String(30))

    QBase.metadata.create_all(db.bind)
    db.add_all([Person(id=1, name="ann"), Person(id=2, name="bob")])
    db.commit()
    assert [p.name for p in Person.query.filter_by(name="bob")] == ["bob"]
    assert Person.query.count() == 2
    assert QBase.query is None  # the base is not mapped


# -- nothing leaks --------------------------------------------------------------------------

def test_ten_thousand_short_lived_threads_leave_nothing(registry: scoped_session[Any]) -> None:
    made: list[int] = []

    def work() -> None:
        made.append(id(registry()))

    for _ in range(100):
        threads = [threading.Thread(target=work) for _ in range(100)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(made) == 10_000
    assert len(registry.registry) == 0


def test_ten_thousand_short_lived_tasks_leave_nothing(registry: scoped_session[Any]) -> None:
    async def work() -> int:
        session = registry()
        await asyncio.sleep(0)
        return id(session)

    async def main() -> None:
        for _ in range(10):
            await asyncio.gather(*(work() for _ in range(1000)))
        await asyncio.sleep(0)  # done-callbacks run on the next loop iteration

    asyncio.run(main())
    assert len(registry.registry) == 0
    assert not registry.registry._watched_tasks  # type: ignore[attr-defined]


def test_finished_threads_and_tasks_return_their_connections(
    db: scoped_session[Any], engine: Any
) -> None:
    def work() -> None:
        db.execute(text("SELECT 1")).scalar()  # holds a connection until the scope ends

    for _ in range(5):
        threads = [threading.Thread(target=work) for _ in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(db.registry) == 0
    assert engine.pool.checkedout() == 0

    async def task_work() -> None:
        db.execute(text("SELECT 1")).scalar()

    async def main() -> None:
        for _ in range(5):
            await asyncio.gather(*(task_work() for _ in range(3)))
        await asyncio.sleep(0)

    asyncio.run(main())
    assert len(db.registry) == 0
    assert engine.pool.checkedout() == 0


def test_a_dropped_registry_is_not_kept_alive_by_its_threads() -> None:
    import gc
    import weakref

    Session = scoped_session(sessionmaker())
    Session()
    ref = weakref.ref(Session)
    del Session
    gc.collect()
    assert ref() is None


# -- a session is used by one thread at a time ----------------------------------------------

def test_using_a_scope_session_from_another_thread_mid_call_raises(
    db: scoped_session[Any],
) -> None:
    from athanor.orm.exc import ConcurrentSessionUseError

    holder: dict[str, Any] = {}
    errors: list[BaseException] = []

    def owner() -> None:
        session = holder["session"] = db()
        session.add(Slow(id=1, value="block"))
        try:
            session.flush()  # blocks inside the flush until the main thread releases it
        except BaseException as err:  # reported below
            errors.append(err)

    _BLOCK["started"].clear()
    _BLOCK["release"].clear()
    t = threading.Thread(target=owner)
    t.start()
    try:
        assert _BLOCK["started"].wait(10)
        with pytest.raises(ConcurrentSessionUseError, match="another thread"):
            holder["session"].execute(text("SELECT 1"))
    finally:
        _BLOCK["release"].set()
        t.join()
    assert not errors
    assert len(db.registry) == 0  # the owner thread ended: its session was closed


_BLOCK = {"started": threading.Event(), "release": threading.Event()}


class _BlockingString(TypeDecorator):  # type: ignore[misc]
    """Binding the value "block" waits until the test releases it: a flush held mid-call."""

    impl = String(30)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value == "block":
            _BLOCK["started"].set()
            _BLOCK["release"].wait(10)
        return value


class Slow(Base):
    __tablename__ = "scoping_slow"

    id = Column(Integer, primary_key=True)
    value = Column(_BlockingString())
