"""``get(options=, populate_existing=, with_for_update=, execution_options=)`` and
``refresh(obj, names, with_for_update=)`` on AsyncSession and Session, as in SQLAlchemy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.ext_asyncio.conftest import Runner

import athanor as sa
from athanor import event, orm
from athanor.ext.asyncio import AsyncEngine, async_sessionmaker


class Base(orm.DeclarativeBase):
    pass


class Owner(Base):
    __tablename__ = "gro_owner"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True, autoincrement=False)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(20))
    pets: orm.Mapped[list[Pet]] = orm.relationship(lazy="raise")


class Pet(Base):
    __tablename__ = "gro_pet"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True, autoincrement=False)
    owner_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("gro_owner.id"))


@pytest.fixture
def seeded(engine: Any) -> Iterator[Any]:
    Base.metadata.create_all(engine)
    with orm.Session(engine) as s:
        s.add(Owner(id=1, name="ann", pets=[Pet(id=1), Pet(id=2)]))
        s.commit()
    yield engine
    Base.metadata.drop_all(engine)


def _row_is_locked(engine: Any) -> bool:
    """Whether another connection finds row 1 locked (always False on SQLite)."""
    if engine.dialect.name == "sqlite":
        return False
    with engine.connect() as other:
        if engine.dialect.name != "postgresql":
            other.exec_driver_sql("SET SESSION innodb_lock_wait_timeout = 1")
        try:
            other.execute(sa.select(Owner.id).where(Owner.id == 1).with_for_update(nowait=True))
        except sa.exc.DBAPIError:
            return True
        return False


def test_sync_get_and_refresh_with_for_update(seeded: Any) -> None:
    statements: list[str] = []
    event.listen(seeded, "before_cursor_execute",
                 lambda conn, cur, sql, params, ctx, many: statements.append(sql))
    with orm.Session(seeded) as s:
        owner = s.get(Owner, 1)
        statements.clear()
        assert s.get(Owner, 1, with_for_update=True) is owner  # skips the identity map
        assert len(statements) == 1
        assert _row_is_locked(seeded) == (seeded.dialect.name != "sqlite")
        s.rollback()
        assert not _row_is_locked(seeded)
        owner.__dict__["name"] = "stale"
        s.get(Owner, 1, execution_options={"populate_existing": True})
        assert owner.name == "ann"
        s.refresh(owner, with_for_update={"nowait": True})
        assert _row_is_locked(seeded) == (seeded.dialect.name != "sqlite")
        s.rollback()
        s.refresh(owner, ["name"], with_for_update=True)
        assert owner.name == "ann"
        s.rollback()
    with orm.Session(seeded) as s:
        owner = s.get(Owner, 1, options=[orm.selectinload(Owner.pets)])
        assert sorted(p.id for p in owner.pets) == [1, 2]  # lazy="raise": the option loaded


def test_async_get_options_and_for_update(seeded: Any, run: Runner) -> None:
    async def main(engine: AsyncEngine) -> None:
        statements: list[str] = []
        # cursor events of an AsyncEngine are registered on its sync_engine, as in SQLAlchemy
        event.listen(engine.sync_engine, "before_cursor_execute",
                     lambda conn, cur, sql, params, ctx, many: statements.append(sql))
        maker = async_sessionmaker(engine, expire_on_commit=False)
        async with maker() as s:
            owner = await s.get(Owner, 1, options=[orm.selectinload(Owner.pets)])
            assert sorted(p.id for p in owner.pets) == [1, 2]
            assert len(statements) == 2  # the owner, then its pets (selectin)
            # already loaded: the identity map answers, options or not
            assert await s.get(Owner, 1, options=[orm.selectinload(Owner.pets)]) is owner
            assert len(statements) == 2
            assert await s.get(Owner, 1, with_for_update=True) is owner
            assert len(statements) == 3
            locking = seeded.dialect.name != "sqlite"
            assert ("FOR UPDATE" in statements[-1]) == locking
            assert _row_is_locked(seeded) == (seeded.dialect.name != "sqlite")
            await s.rollback()
            owner.__dict__["name"] = "stale"
            await s.get(Owner, 1, populate_existing=True,
                        options=[orm.selectinload(Owner.pets)])
            assert owner.name == "ann"
            owner.__dict__["name"] = "stale"
            await s.get(Owner, 1, execution_options={"populate_existing": True})
            assert owner.name == "ann"
            owner.__dict__["name"] = "stale"
            await s.refresh(owner, ["name"], with_for_update=True)
            assert owner.name == "ann"
            assert _row_is_locked(seeded) == (seeded.dialect.name != "sqlite")
            await s.rollback()
            owner.__dict__["name"] = "stale"
            await s.refresh(owner, with_for_update={"nowait": True})
            assert owner.name == "ann"
            await s.rollback()
            assert await s.get(Owner, 99, with_for_update=True) is None

    run(main)


def test_async_refresh_fires_expire_then_refresh(seeded: Any, run: Runner) -> None:
    seen: list[Any] = []
    expire = event.listens_for(Owner, "expire")(lambda t, attrs: seen.append(("expire", attrs)))
    refresh = event.listens_for(Owner, "refresh")(
        lambda t, ctx, attrs: seen.append(("refresh", attrs)))

    async def main(engine: AsyncEngine) -> None:
        async with async_sessionmaker(engine)() as s:
            owner = await s.get(Owner, 1)
            await s.refresh(owner, ["name"])
            await s.refresh(owner)

    try:
        run(main)
    finally:
        event.remove(Owner, "expire", expire)
        event.remove(Owner, "refresh", refresh)
    assert seen == [("expire", ["name"]), ("refresh", ["name"]), ("expire", None),
                    ("refresh", None)]
