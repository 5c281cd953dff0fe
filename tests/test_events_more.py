"""Mapper events, statement/transaction engine events and the extra Session events."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest

import athanor as sa
from athanor import event, orm
from athanor.engine import Engine


def _models() -> Any:
    class Base(orm.DeclarativeBase):
        pass

    class Stamped:
        created: orm.Mapped[datetime | None] = orm.mapped_column(default=None)

    class Doc(Stamped, Base):
        __tablename__ = "doc"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        title: orm.Mapped[str] = orm.mapped_column(sa.String(40))
        slug: orm.Mapped[str | None] = orm.mapped_column(sa.String(40))
        version: orm.Mapped[int] = orm.mapped_column(default=0)

    return Base, Stamped, Doc


def test_mapper_events_fire_around_the_flush(engine: Any) -> None:
    Base, Stamped, Doc = _models()
    Base.metadata.create_all(engine)
    seen: list[str] = []

    def before_insert(mapper: Any, connection: Any, target: Any) -> None:
        assert mapper is sa.inspect(Doc) and isinstance(connection, sa.Connection)
        target.slug = target.title.lower().replace(" ", "-")
        seen.append("before_insert")

    def stamp(mapper: Any, connection: Any, target: Any) -> None:
        target.created = datetime(2024, 1, 2, 3, 4, 5)

    def after_insert(mapper: Any, connection: Any, target: Any) -> None:
        seen.append(f"after_insert {target.id}")

    def before_update(mapper: Any, connection: Any, target: Any) -> None:
        target.version += 1
        seen.append("before_update")

    def after_delete(mapper: Any, connection: Any, target: Any) -> None:
        seen.append(f"after_delete {target.id}")

    event.listen(Doc, "before_insert", before_insert)
    event.listen(Stamped, "before_insert", stamp, propagate=True)
    event.listen(Doc, "after_insert", after_insert)
    event.listen(Doc, "before_update", before_update)
    event.listen(orm.Mapper, "after_delete", after_delete)
    try:
        with orm.Session(engine) as session:
            doc = Doc(title="Hello World")
            session.add(doc)
            session.commit()
            assert (doc.slug, doc.created.year) == ("hello-world", 2024)
            doc.title = "Changed"
            session.commit()
            assert doc.version == 1
            session.delete(doc)
            session.commit()
        assert seen == ["before_insert", "after_insert 1", "before_update", "after_delete 1"]
        assert event.contains(Doc, "before_insert", before_insert)
    finally:
        event.remove(Doc, "before_insert", before_insert)
        event.remove(Stamped, "before_insert", stamp)
        event.remove(Doc, "after_insert", after_insert)
        event.remove(Doc, "before_update", before_update)
        event.remove(orm.Mapper, "after_delete", after_delete)
    assert not event.contains(Doc, "before_insert", before_insert)


def test_mapper_event_on_a_non_class_is_refused() -> None:
    with pytest.raises(sa.exc.InvalidRequestError, match="mapper event"):
        event.listen(orm.Session, "before_insert", lambda *a: None)


def test_statement_and_transaction_events(engine: Any) -> None:
    seen: list[Any] = []

    @event.listens_for(engine, "before_execute")
    def before(conn: Any, clause: Any, multiparams: Any, params: Any, options: Any) -> None:
        seen.append(("before", str(clause)[:8], params))

    @event.listens_for(engine, "after_execute")
    def after(conn: Any, clause: Any, multiparams: Any, params: Any, options: Any,
              result: Any) -> None:
        seen.append(("after", result.scalar()))

    for name in ("begin", "commit", "rollback", "engine_connect"):
        event.listen(engine, name, lambda conn, name=name: seen.append(name))
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT :x"), {"x": 7})
        conn.commit()
        conn.execute(sa.text("SELECT 1"))
        conn.rollback()
    # as in SQLAlchemy, before_execute comes before the autobegin
    assert seen == ["engine_connect", ("before", "SELECT :", {"x": 7}), "begin", ("after", 7),
                    "commit", ("before", "SELECT 1", {}), "begin", ("after", 1), "rollback"]


def test_before_execute_retval_replaces_the_statement(engine: Any) -> None:
    def swap(conn: Any, clause: Any, multiparams: Any, params: Any, options: Any) -> Any:
        return sa.text("SELECT 42"), multiparams, params

    event.listen(Engine, "before_execute", swap, retval=True)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar() == 42
    finally:
        event.remove(Engine, "before_execute", swap)


def test_more_session_events(engine: Any) -> None:
    Base, _, Doc = _models()
    Base.metadata.create_all(engine)
    seen: list[str] = []
    maker = orm.sessionmaker(engine)
    event.listen(maker, "after_attach", lambda s, obj: seen.append(f"attach {obj.title}"))
    event.listen(maker, "before_commit", lambda s: seen.append("before_commit"))
    event.listen(maker, "after_flush_postexec", lambda s, ctx: seen.append("postexec"))
    event.listen(maker, "after_soft_rollback", lambda s, tx: seen.append("soft_rollback"))
    with maker() as session:
        session.add(Doc(title="a"))
        session.commit()
        session.add(Doc(title="b"))
        session.rollback()
    assert seen == ["attach a", "before_commit", "postexec", "attach b", "soft_rollback"]


def test_async_flush_fires_mapper_and_flush_events(backend_url: str) -> None:
    from athanor.ext.asyncio import async_sessionmaker, create_async_engine

    Base, _, Doc = _models()
    seen: list[str] = []

    def before_insert(mapper: Any, connection: Any, target: Any) -> None:
        target.slug = "s-" + target.title

    event.listen(Doc, "before_insert", before_insert)
    url = backend_url.replace("sqlite://", "sqlite+aiosqlite://").replace(
        "postgresql://", "postgresql+psycopg_async://").replace("mysql://", "mysql+asyncmy://")

    async def main() -> str | None:
        aengine = create_async_engine(url)
        try:
            async with aengine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
            maker = async_sessionmaker(aengine, expire_on_commit=False)
            event.listen(maker.sync_session_class if hasattr(maker, "sync_session_class")
                         else orm.Session, "before_flush",
                         lambda s, ctx, inst: seen.append("before_flush"))
            async with maker() as session:
                doc = Doc(title="x")
                session.add(doc)
                await session.commit()
                return doc.slug
        finally:
            await aengine.dispose()

    try:
        assert asyncio.run(main()) == "s-x"
        assert "before_flush" in seen
    finally:
        event.remove(Doc, "before_insert", before_insert)
