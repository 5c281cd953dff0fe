"""Random add/modify/delete/flush/commit/rollback sequences checked against a simple model."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from tests.orm.conftest import User

import athanor
from athanor import text

NAMES = st.sampled_from(["ann", "bob", "cid", "dee", "eve"])


def make_machine(Session: Any, engine: Any) -> type[RuleBasedStateMachine]:  # noqa: N803
    class SessionMachine(RuleBasedStateMachine):
        """Model: ``committed`` (the database) and ``live`` (what the session shows)."""

        def __init__(self) -> None:
            super().__init__()
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM users"))
            self.s = Session()
            self.committed: dict[int, str] = {}
            self.objs: list[Any] = []  # objects currently in the session (any state)
            self.expected: dict[int, str] = {}  # id(obj) -> name the object must show
            self.to_delete: set[int] = set()  # id(obj) marked or flushed for deletion
            self.flushed_new: set[int] = set()  # id(obj) inserted since the last commit
            self.flushed_deleted: list[Any] = []  # objects whose delete was flushed

        def teardown(self) -> None:
            self.s.close()

        @rule(name=NAMES)
        def add(self, name: str) -> None:
            u = User(name=name)
            self.s.add(u)
            self.objs.append(u)
            self.expected[id(u)] = name

        @precondition(lambda self: self.objs)
        @rule(data=st.data(), name=NAMES)
        def modify(self, data: Any, name: str) -> None:
            u = data.draw(st.sampled_from(self.objs))
            if id(u) in self.to_delete:
                return
            u.name = name
            self.expected[id(u)] = name

        @precondition(lambda self: any(athanor.inspect(o).persistent for o in self.objs))
        @rule(data=st.data())
        def delete(self, data: Any) -> None:
            candidates = [
                o
                for o in self.objs
                if athanor.inspect(o).persistent and id(o) not in self.to_delete
            ]
            if not candidates:
                return
            u = data.draw(st.sampled_from(candidates))
            self.s.delete(u)
            self.to_delete.add(id(u))

        @rule()
        def flush(self) -> None:
            self.s.flush()
            for o in list(self.objs):
                if id(o) in self.to_delete:
                    self.objs.remove(o)
                    self.flushed_deleted.append(o)
                elif athanor.inspect(o).persistent:
                    self.flushed_new.add(id(o))

        @rule()
        def commit(self) -> None:
            self.s.commit()
            self.committed = {}
            for o in list(self.objs):
                if id(o) in self.to_delete:
                    self.objs.remove(o)
                    continue
                self.committed[o.id] = self.expected[id(o)]
            self.to_delete.clear()
            self.flushed_new.clear()
            self.flushed_deleted.clear()

        @rule()
        def rollback(self) -> None:
            self.s.rollback()
            by_id = {}
            for o in self.objs + self.flushed_deleted:
                st_ = athanor.inspect(o)
                if st_.persistent and st_.key in self.committed:
                    by_id[st_.key] = o
            self.objs = list(by_id.values())
            for key, o in by_id.items():
                self.expected[id(o)] = self.committed[key]
            self.to_delete.clear()
            self.flushed_new.clear()
            self.flushed_deleted.clear()

        @invariant()
        def objects_show_expected_values(self) -> None:
            for o in self.objs:
                if id(o) not in self.to_delete or athanor.inspect(o).persistent:
                    assert o.name == self.expected[id(o)]

        @invariant()
        def database_matches_after_commit(self) -> None:
            if self.s.in_transaction():
                return
            with engine.connect() as conn:
                rows = dict(conn.execute(text("SELECT id, name FROM users")).all())
            assert rows == self.committed

    return SessionMachine


def test_random_session_operations_match_model(Session: Any, engine: Any) -> None:  # noqa: N803
    machine = make_machine(Session, engine)
    machine.TestCase.settings = settings(
        max_examples=60,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(machine, settings=machine.TestCase.settings)
