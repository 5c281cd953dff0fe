"""What is specific to AsyncSession: no I/O on attribute access (with an error naming the
fix), awaitable attributes, async_sessionmaker, async_scoped_session, cancellation."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tests.orm._relmodels import Address, Base, User

from athanor import select, text
from athanor.ext.asyncio import (
    AsyncAttributeNotLoadedError,
    AsyncAttrs,
    AsyncEngine,
    AsyncSession,
    async_object_session,
    async_scoped_session,
    async_sessionmaker,
)
from athanor.orm import selectinload


async def _tables(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)


async def _seed(Session: Any) -> int:  # noqa: N803
    async with Session() as s:
        u = User(name="ann", addresses=[Address(email="a1@x.org"), Address(email="a2@x.org")])
        s.add(u)
        await s.flush()
        uid = int(u.id)
        await s.commit()
        return uid


def test_unloaded_column_raises_naming_attribute_model_and_fix(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _tables(engine)
        Session = async_sessionmaker(engine)  # noqa: N806
        await _seed(Session)
        async with Session() as s:
            u = (await s.scalars(select(User))).one()
            await s.commit()  # expires u
            with pytest.raises(AsyncAttributeNotLoadedError) as info:
                _ = u.name
            msg = str(info.value)
            assert "User.name" in msg and "await session.refresh(obj, ['name'])" in msg
            assert "awaitable_attrs.name" in msg
            await s.refresh(u, ["name"])
            assert u.name == "ann"
            assert async_object_session(u) is s

    run(body)


def test_unloaded_relationship_raises_and_eager_loading_works(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _tables(engine)
        Session = async_sessionmaker(engine, expire_on_commit=False)  # noqa: N806
        await _seed(Session)
        async with Session() as s:
            u = (await s.scalars(select(User))).one()
            with pytest.raises(AsyncAttributeNotLoadedError, match="User.addresses"):
                _ = u.addresses
            eager = (await s.scalars(
                select(User).options(selectinload(User.addresses)), execution_options={}
            )).one()
            assert eager is u
            assert sorted(a.email for a in u.addresses) == ["a1@x.org", "a2@x.org"]

    run(body)


def test_awaitable_attrs_load_columns_and_relationships(run: Any) -> None:
    class Loaded(AsyncAttrs):
        pass

    async def body(engine: AsyncEngine) -> None:
        await _tables(engine)
        Session = async_sessionmaker(engine)  # noqa: N806
        uid = await _seed(Session)
        async with Session() as s:
            u = await s.get(User, uid)
            await s.commit()
            name = await Loaded.awaitable_attrs.fget(u).name  # the mixin's accessor
            assert name == "ann"
            addresses = await Loaded.awaitable_attrs.fget(u).addresses
            assert len(addresses) == 2

    run(body)


def test_relationship_changes_flush_through_the_generated_twin(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _tables(engine)
        Session = async_sessionmaker(engine, expire_on_commit=False)  # noqa: N806
        uid = await _seed(Session)
        async with Session() as s:
            u = (await s.scalars(select(User).options(selectinload(User.addresses)))).one()
            u.addresses.append(Address(email="a3@x.org"))
            await s.delete(u.addresses[0])
            await s.commit()
        async with engine.connect() as conn:
            emails = (await conn.scalars(
                text("SELECT email FROM rel_addresses WHERE user_id = :u ORDER BY email"),
                {"u": uid},
            )).all()
        assert emails == ["a2@x.org", "a3@x.org"]

    run(body)


def test_sessionmaker_begin_commits_and_closes(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _tables(engine)
        Session = async_sessionmaker(engine)  # noqa: N806
        async with Session.begin() as s:
            s.add(User(name="bea"))
        with pytest.raises(RuntimeError):
            async with Session.begin() as s:
                s.add(User(name="never"))
                await s.flush()
                raise RuntimeError
        async with Session() as s:
            assert (await s.scalars(select(User.name))).all() == ["bea"]
        assert engine.pool.checkedout() == 0

    run(body)


def test_scoped_session_is_per_task_and_cleaned_up_when_the_task_ends(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _tables(engine)
        Session = async_scoped_session(async_sessionmaker(engine))  # noqa: N806

        async def job(name: str, commit: bool) -> AsyncSession:
            Session.add(User(name=name))
            await Session.flush()  # holds a connection now
            if commit:
                await Session.commit()
            return Session()

        one, two = await asyncio.gather(job("kept", True), job("forgotten", False))
        assert one is not two
        for _ in range(50):  # the done-callbacks close both sessions on the loop
            if engine.pool.checkedout() == 0:
                break
            await asyncio.sleep(0.02)
        assert engine.pool.checkedout() == 0
        assert len(Session.registry) == 0
        mine = Session()
        assert Session() is mine
        assert (await Session.scalars(select(User.name))).all() == ["kept"]
        await Session.remove()
        assert Session() is not mine
        await Session.remove()

    run(body)


def test_cancelled_task_with_session_returns_its_connection(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _tables(engine)
        Session = async_sessionmaker(engine)  # noqa: N806
        flushed = asyncio.Event()

        async def work() -> None:
            async with Session() as s:
                s.add(User(name="cancelled"))
                await s.flush()
                flushed.set()
                await asyncio.sleep(30)

        task = asyncio.create_task(work())
        await flushed.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert engine.pool.checkedout() == 0
        async with Session() as s:
            assert (await s.scalars(select(User))).all() == []

    run(body, pool_size=1, max_overflow=0, pool_timeout=2)


def test_sync_io_through_sync_session_is_refused(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _tables(engine)
        async with AsyncSession(engine) as s:
            with pytest.raises(Exception, match="belongs to an AsyncSession"):
                s.sync_session.execute(select(User))

    run(body)


def test_concurrent_tasks_on_one_session_raise(run: Any) -> None:
    from athanor.orm.exc import ConcurrentSessionUseError

    async def body(engine: AsyncEngine) -> None:
        await _tables(engine)
        async with AsyncSession(engine) as s:
            results = await asyncio.gather(
                *(s.execute(text("SELECT 1")) for _ in range(3)), return_exceptions=True
            )
            errors = [r for r in results if isinstance(r, ConcurrentSessionUseError)]
            assert len(errors) == 2 and "not safe for concurrent tasks" in str(errors[0])
            assert (await s.execute(text("SELECT 2"))).scalar() == 2  # still usable

    run(body)
