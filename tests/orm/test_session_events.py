"""Session events: object state transitions, transaction lifecycle, bulk Query DML, and the
targets they may be registered on (sessionmaker, Session subclass or class, a session)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import athanor as sa
from athanor import event, orm

NAMES = (
    "before_attach", "after_attach", "after_begin", "after_transaction_create",
    "after_transaction_end", "before_commit", "after_commit", "after_rollback",
    "after_soft_rollback", "before_flush", "after_flush", "after_flush_postexec",
    "transient_to_pending", "pending_to_transient", "pending_to_persistent",
    "persistent_to_detached", "persistent_to_deleted", "deleted_to_detached",
    "deleted_to_persistent", "persistent_to_transient", "loaded_as_persistent",
    "detached_to_persistent",
)


class Base(orm.DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "se_item"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(20))


@pytest.fixture
def tables(engine: Any) -> Iterator[Any]:
    Base.metadata.create_all(engine)
    yield engine
    Base.metadata.drop_all(engine)


def _describe(arg: Any) -> str:
    if isinstance(arg, Item):
        return "Item"
    if isinstance(arg, orm.SessionTransaction):
        return f"tx(nested={arg.nested},parent={arg.parent is not None})"
    return "None" if arg is None else type(arg).__name__


def _recorder(log: list[str], name: str) -> Callable[..., None]:
    def record(session: Any, *args: Any) -> None:
        log.append(f"{name}({','.join(_describe(a) for a in args)})")

    return record


def _listen_all(target: Any, log: list[str]) -> list[tuple[str, Any]]:
    fns = [(name, _recorder(log, name)) for name in NAMES]
    for name, fn in fns:
        event.listen(target, name, fn)
    return fns


def _program(session: Any, log: list[str]) -> None:
    log.append("--add")
    item = Item(name="a")
    session.add(item)
    log.append("--flush")
    session.flush()
    log.append("--commit")
    session.commit()
    log.append("--load")
    session.expunge(item)
    again = session.get(Item, 1)
    log.append("--nested")
    nested = session.begin_nested()
    again.name = "b"
    nested.rollback()
    log.append("--delete")
    session.delete(again)
    session.flush()
    log.append("--rollback")
    session.rollback()
    log.append("--add detached")
    kept = session.get(Item, 1)
    session.expunge(kept)
    session.add(kept)
    log.append("--close")
    session.close()


EXPECTED = [  # what SQLAlchemy 2.x gives for _program
    "--add",
    "after_transaction_create(tx(nested=False,parent=False))",
    "before_attach(Item)",
    "after_attach(Item)",
    "transient_to_pending(Item)",
    "--flush",
    "before_flush(UOWTransaction,None)",
    "after_transaction_create(tx(nested=False,parent=True))",
    "after_begin(tx(nested=False,parent=False),Connection)",
    "after_flush(UOWTransaction)",
    "pending_to_persistent(Item)",
    "after_flush_postexec(UOWTransaction)",
    "after_transaction_end(tx(nested=False,parent=True))",
    "--commit",
    "before_commit()",
    "after_commit()",
    "after_transaction_end(tx(nested=False,parent=False))",
    "--load",
    "persistent_to_detached(Item)",
    "after_transaction_create(tx(nested=False,parent=False))",
    "after_begin(tx(nested=False,parent=False),Connection)",
    "loaded_as_persistent(Item)",
    "--nested",
    "after_transaction_create(tx(nested=True,parent=True))",
    "after_rollback()",
    "after_transaction_end(tx(nested=True,parent=True))",
    "after_soft_rollback(tx(nested=True,parent=True))",
    "--delete",
    "before_flush(UOWTransaction,None)",
    "after_transaction_create(tx(nested=False,parent=True))",
    "after_flush(UOWTransaction)",
    "persistent_to_deleted(Item)",
    "after_flush_postexec(UOWTransaction)",
    "after_transaction_end(tx(nested=False,parent=True))",
    "--rollback",
    "after_rollback()",
    "deleted_to_persistent(Item)",
    "after_transaction_end(tx(nested=False,parent=False))",
    "after_soft_rollback(tx(nested=False,parent=False))",
    "--add detached",
    "after_transaction_create(tx(nested=False,parent=False))",
    "after_begin(tx(nested=False,parent=False),Connection)",
    "persistent_to_detached(Item)",
    "before_attach(Item)",
    "after_attach(Item)",
    "detached_to_persistent(Item)",
    "--close",
    "persistent_to_detached(Item)",
    "after_transaction_end(tx(nested=False,parent=False))",
]


class _Sub(orm.Session):
    pass


@pytest.mark.parametrize("kind", ["sessionmaker", "subclass", "instance", "Session"])
def test_session_events_in_sqlalchemy_order(tables: Any, kind: str) -> None:
    maker = orm.sessionmaker(tables, class_=_Sub)
    log: list[str] = []
    session = maker() if kind == "instance" else None
    target = {"sessionmaker": maker, "subclass": _Sub, "instance": session,
              "Session": orm.Session}[kind]
    fns = _listen_all(target, log)
    try:
        _program(session if session is not None else maker(), log)
        assert log == EXPECTED
        assert all(event.contains(target, name, fn) for name, fn in fns)
    finally:
        for name, fn in fns:
            event.remove(target, name, fn)
    assert not any(event.contains(target, name, fn) for name, fn in fns)
    log.clear()
    _program(maker(), log)
    assert [e for e in log if not e.startswith("--")] == []


def test_commit_detaches_deleted_and_rollback_makes_flushed_objects_transient(
        tables: Any) -> None:
    log: list[str] = []
    session = orm.Session(tables)
    for name in ("deleted_to_detached", "persistent_to_transient", "pending_to_transient"):
        event.listen(session, name, _recorder(log, name))
    item = Item(name="x")
    session.add(item)
    session.commit()
    session.delete(item)
    session.commit()
    assert sa.inspect(item).detached
    kept = [Item(name="y"), Item(name="z")]  # held: the map keeps clean objects weakly
    session.add(kept[0])
    session.flush()
    session.add(kept[1])
    session.rollback()
    session.close()
    assert log == ["deleted_to_detached(Item)", "persistent_to_transient(Item)",
                   "pending_to_transient(Item)"]


def test_after_bulk_update_and_delete_from_query(tables: Any) -> None:
    seen: list[Any] = []
    session = orm.Session(tables)

    @event.listens_for(session, "after_bulk_update")
    def updated(ctx: Any) -> None:
        seen.append(("update", ctx.session is session, ctx.mapper is sa.inspect(Item),
                     ctx.values, ctx.result.rowcount))

    @event.listens_for(session, "after_bulk_delete")
    def deleted(ctx: Any) -> None:
        seen.append(("delete", ctx.query.column_descriptions[0]["type"] is Item,
                     ctx.result.rowcount))

    session.add_all([Item(name="p"), Item(name="q")])
    session.commit()
    session.query(Item).update({"name": "r"})
    session.query(Item).filter(Item.name == "none").delete()
    session.execute(sa.update(Item).values(name="s"))  # as in SQLAlchemy: Query only
    session.close()
    assert seen == [("update", True, True, {"name": "r"}, 2), ("delete", True, 0)]


def test_async_session_events_through_the_sync_session(backend_url: str) -> None:
    from athanor.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

    url = backend_url.replace("sqlite://", "sqlite+aiosqlite://").replace(
        "postgresql://", "postgresql+psycopg_async://").replace("mysql://", "mysql+asyncmy://")
    log: list[str] = []

    class Synced(orm.Session):
        pass

    event.listen(Synced, "pending_to_persistent", _recorder(log, "pending_to_persistent"))
    event.listen(Synced, "after_flush_postexec", _recorder(log, "after_flush_postexec"))
    every_async = _recorder(log, "before_commit")  # every AsyncSession's sync session
    event.listen(AsyncSession.sync_session_class, "before_commit", every_async)

    async def main() -> None:
        aengine = create_async_engine(url)
        try:
            async with aengine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
            maker = async_sessionmaker(aengine, sync_session_class=Synced)
            async with maker() as session:
                assert isinstance(session, AsyncSession)
                event.listen(session.sync_session, "after_commit",
                             _recorder(log, "after_commit"))
                session.add(Item(name="async"))
                await session.commit()
                loaded = []
                event.listen(session.sync_session, "loaded_as_persistent",
                             lambda s, obj: loaded.append(obj.name))
                await session.get(Item, 1)
                assert loaded == ["async"]
            async with aengine.begin() as conn:
                await conn.run_sync(Base.metadata.drop_all)
        finally:
            await aengine.dispose()

    try:
        asyncio.run(main())
    finally:
        event.remove(AsyncSession.sync_session_class, "before_commit", every_async)
    assert log == ["before_commit()", "pending_to_persistent(Item)",
                   "after_flush_postexec(UOWTransaction)", "after_commit()"]


async def _async_program(session: Any, log: list[str]) -> None:
    log.append("--add")
    item = Item(name="a")
    session.add(item)
    log.append("--flush")
    await session.flush()
    log.append("--commit")
    await session.commit()
    log.append("--load")
    session.expunge(item)
    again = await session.get(Item, 1)
    log.append("--nested")
    nested = await session.begin_nested().start()
    again.name = "b"
    await nested.rollback()
    log.append("--delete")
    await session.delete(again)
    await session.flush()
    log.append("--rollback")
    await session.rollback()
    log.append("--add detached")
    kept = await session.get(Item, 1)
    session.expunge(kept)
    session.add(kept)
    log.append("--close")
    await session.close()


def test_async_session_fires_the_same_events(backend_url: str) -> None:
    from athanor.ext.asyncio import async_sessionmaker, create_async_engine

    url = backend_url.replace("sqlite://", "sqlite+aiosqlite://").replace(
        "postgresql://", "postgresql+psycopg_async://").replace("mysql://", "mysql+asyncmy://")
    log: list[str] = []

    async def main() -> None:
        aengine = create_async_engine(url)
        try:
            async with aengine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
            session = async_sessionmaker(aengine, expire_on_commit=True)()
            _listen_all(session.sync_session, log)
            await _async_program(session, log)
            async with aengine.begin() as conn:
                await conn.run_sync(Base.metadata.drop_all)
        finally:
            await aengine.dispose()

    asyncio.run(main())
    # after_begin gets the AsyncConnection (athanor has no sync Connection behind it)
    assert [e.replace("AsyncConnection", "Connection") for e in log] == EXPECTED
