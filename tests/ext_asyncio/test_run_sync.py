"""``AsyncSession.run_sync``: sync ORM code with I/O (queries, lazy loads, flush, commit,
savepoints) runs against the AsyncSession, and the event loop keeps running meanwhile."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from tests.orm._relmodels import Address, Base, User

from athanor import exc, func, select, text
from athanor.ext.asyncio import AsyncEngine, AsyncSession
from athanor.orm.exc import ConcurrentSessionUseError


async def _seed(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with AsyncSession(engine) as s:
        s.add(User(name="ann", addresses=[Address(email="a1@x.org"), Address(email="a2@x.org")]))
        await s.commit()


def _count(session: Any, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)))


def test_queries_lazy_loads_and_legacy_query_run_in_sync_code(run: Any) -> None:
    def report(session: Any) -> tuple[Any, ...]:
        user = session.query(User).filter_by(name="ann").one()
        emails = [a.email for a in user.addresses]  # a lazy load, awaited on the loop
        again = session.get(User, user.id)
        conn_value = session.connection().execute(text("SELECT 7")).scalar()
        return user, emails, again is user, session.query(Address).count(), conn_value

    async def body(engine: AsyncEngine) -> None:
        await _seed(engine)
        async with AsyncSession(engine) as s:
            user, emails, same, count, seven = await s.run_sync(report)
            assert emails == ["a1@x.org", "a2@x.org"] and same and count == 2 and seven == 7
            assert user in s and user.name == "ann"
            assert [a.email for a in user.addresses] == emails  # loaded, no I/O needed

    run(body)


def test_flush_and_commit_inside_and_the_async_session_sees_the_result(run: Any) -> None:
    def add_and_commit(session: Any, name: str) -> int:
        user = User(name=name)
        session.add(user)
        session.flush()  # the key comes back from the database
        assert user.id is not None
        assert _count(session, User) == 2  # autoflush and the query share the transaction
        uid = int(user.id)
        session.commit()
        return uid

    async def body(engine: AsyncEngine) -> None:
        await _seed(engine)
        async with AsyncSession(engine) as s:
            uid = await s.run_sync(add_and_commit, "bob")
            assert not s.in_transaction()
        async with AsyncSession(engine) as s:
            assert (await s.get(User, uid)).name == "bob"

    run(body)


def test_rollback_and_savepoints_inside(run: Any) -> None:
    def work(session: Any) -> list[str]:
        session.add(User(name="kept"))
        with session.begin_nested():
            session.add(User(name="inner"))
        nested = session.begin_nested()
        session.add(User(name="dropped"))
        nested.rollback()
        names = sorted(u.name for u in session.scalars(select(User)))
        return names

    async def body(engine: AsyncEngine) -> None:
        await _seed(engine)
        async with AsyncSession(engine) as s:
            names = await s.run_sync(work)
            assert names == ["ann", "inner", "kept"]
            await s.run_sync(lambda session: session.rollback())
            assert sorted((await s.scalars(select(User.name))).all()) == ["ann"]

    run(body)


def test_a_failed_flush_inside_leaves_the_session_needing_rollback(run: Any) -> None:
    def duplicate(session: Any) -> None:
        first = session.scalars(select(Address)).first()
        session.add(Address(id=first.id, email="dup@x.org", user_id=first.user_id))
        session.flush()

    async def body(engine: AsyncEngine) -> None:
        await _seed(engine)
        async with AsyncSession(engine) as s:
            with pytest.raises(exc.IntegrityError):
                await s.run_sync(duplicate)
            with pytest.raises(exc.PendingRollbackError):
                await s.execute(select(User))
            await s.rollback()
            assert len((await s.scalars(select(Address))).all()) == 2

    run(body)


def test_the_event_loop_keeps_running_and_other_tasks_are_refused(run: Any) -> None:
    started, release = threading.Event(), threading.Event()

    def slow(session: Any) -> int:
        started.set()
        release.wait(10)
        return _count(session, User)

    async def body(engine: AsyncEngine) -> None:
        await _seed(engine)
        async with AsyncSession(engine) as s:
            task = asyncio.create_task(s.run_sync(slow))
            while not started.is_set():
                await asyncio.sleep(0.005)
            with pytest.raises(ConcurrentSessionUseError):  # the session is in use
                await s.execute(text("SELECT 1"))
            async with AsyncSession(engine) as other:  # the loop serves other work meanwhile
                assert await other.scalar(select(func.count()).select_from(User)) == 1
            release.set()
            assert await task == 1

    run(body)
