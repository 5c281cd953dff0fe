"""AsyncSession with do_orm_execute listeners and with_loader_criteria() (soft delete)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.orm._qmodels import Base, HasDeleted, QUser, seed

from athanor import event, select
from athanor.ext.asyncio import AsyncEngine, async_sessionmaker
from athanor.orm import (
    ORMExecuteState,
    Session,
    UserDefinedOption,
    selectinload,
    with_loader_criteria,
)


def _soft_delete(state: ORMExecuteState) -> Any:
    if any(o.payload == "invoke" for o in state.user_defined_options):
        return state.invoke_statement()
    if state.is_select and not state.is_relationship_load and not state.is_column_load:
        state.statement = state.statement.options(with_loader_criteria(
            HasDeleted, lambda cls: cls.deleted == False, include_aliases=True))  # noqa: E712
    return None


def test_async_session_runs_do_orm_execute_listeners(run: Any) -> None:
    async def body(engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        maker = async_sessionmaker(engine, expire_on_commit=False)
        async with maker() as s:
            await s.run_sync(seed)
        event.listen(Session, "do_orm_execute", _soft_delete)
        try:
            async with maker() as s:
                users = (await s.scalars(select(QUser).options(
                    selectinload(QUser.addresses)).order_by(QUser.id))).all()
                assert [(u.name, [a.email for a in u.addresses]) for u in users] == [
                    ("ada", ["ada@a"]), ("bob", ["bob@a"])]
                with pytest.raises(Exception, match="invoke_statement"):
                    await s.execute(select(QUser).options(UserDefinedOption("invoke")))
        finally:
            event.remove(Session, "do_orm_execute", _soft_delete)

    run(body)
