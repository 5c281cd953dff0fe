"""Mapper inheritance through AsyncSession: the flush's per-table batches (with their
``prepare`` step) run through the generated async twin of ``run_plan``."""

from __future__ import annotations

from typing import Any

from tests.orm.test_inheritance import Employee, Engineer, JBase, Manager, SeniorEngineer

from athanor import select, text
from athanor.ext.asyncio import AsyncEngine, AsyncSession
from athanor.orm import with_polymorphic


def test_joined_inheritance_with_async_session(run: Any) -> None:
    async def main(engine: AsyncEngine) -> Any:
        async with engine.begin() as conn:
            await conn.run_sync(JBase.metadata.create_all)
        async with AsyncSession(engine) as s:
            s.add_all([Engineer(name="a", engineer_name="x"), Manager(name="b", manager_name="y"),
                       SeniorEngineer(name="c", engineer_name="z", level=2)])
            await s.commit()
            wp = with_polymorphic(Employee, "*")
            objs = (await s.scalars(select(wp).order_by(wp.id))).all()
            loaded = [(type(o).__name__, o.name) for o in objs]
            assert objs[2].level == 2 and objs[1].manager_name == "y"
            eng = await s.get(Engineer, 1)
            eng.engineer_name = "renamed"
            await s.delete(await s.get(SeniorEngineer, 3))
            await s.commit()
            rows = (await s.execute(text(
                "SELECT e.id, g.engineer_name FROM j_employee e JOIN j_engineer g "
                "ON e.id = g.id ORDER BY e.id"))).all()
            assert await s.get(Manager, 1) is None
        return loaded, [tuple(r) for r in rows]

    loaded, rows = run(main)
    assert loaded == [("Engineer", "a"), ("Manager", "b"), ("SeniorEngineer", "c")]
    assert rows == [(1, "renamed")]
