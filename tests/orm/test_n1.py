"""N+1 detection ('warn' / 'raise' / off) and the batching mode."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from tests.orm._relmodels import Address, User, seed_users, session, sql

from athanor import select
from athanor.orm import NPlusOneError, NPlusOneWarning, selectinload
from athanor.orm.n1 import mode_of

__all__ = ["sql", "session"]


def test_default_is_warn_under_pytest(session: Any) -> None:
    assert mode_of(session) == "warn"


def test_warns_once_naming_relationship_count_and_line(session: Any) -> None:
    seed_users(session, 4, 1)
    users = session.scalars(select(User)).all()
    with pytest.warns(NPlusOneWarning) as record:
        for u in users:
            u.addresses  # noqa: B018 - the N+1 loop
    assert len(record) == 1
    msg = str(record[0].message)
    assert "User.addresses" in msg and "2 of the 4 User objects" in msg
    assert "test_n1.py:" in msg and "selectinload(User.addresses)" in msg
    assert record[0].filename.endswith("test_n1.py")


def test_raise_mode(session: Any) -> None:
    seed_users(session, 3, 1)
    session.n_plus_one = "raise"
    users = session.scalars(select(User)).all()
    users[0].addresses  # noqa: B018 - one lazy load is fine
    with pytest.raises(NPlusOneError, match="User.addresses"):
        users[1].addresses  # noqa: B018


def test_engine_setting_and_off(session: Any, engine: Any) -> None:
    seed_users(session, 3, 1)
    engine.n_plus_one = "raise"
    try:
        assert mode_of(session) == "raise"
        session.n_plus_one = None
        users = session.scalars(select(User)).all()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert [len(u.addresses) for u in users] == [1, 1, 1]
    finally:
        del engine.n_plus_one


def test_eager_loading_and_identity_hits_do_not_count(session: Any) -> None:
    seed_users(session, 3, 2)
    session.n_plus_one = "raise"
    users = session.scalars(select(User).options(selectinload(User.addresses))).all()
    assert [len(u.addresses) for u in users] == [2, 2, 2]
    addresses = session.scalars(select(Address)).all()
    assert {a.user.name for a in addresses} == {"user0", "user1", "user2"}  # identity map


def test_batch_mode_loads_all_siblings_in_one_query(session: Any, sql: Any) -> None:
    seed_users(session, 6, 2)
    session.n_plus_one = "batch"
    sql.clear()
    users = session.scalars(select(User).order_by(User.id)).all()
    assert [len(u.addresses) for u in users] == [2] * 6
    assert [a.email for a in users[3].addresses] == ["u3a0@x.org", "u3a1@x.org"]
    assert len(sql.selects()) == 2
    session.expunge_all()
    sql.clear()
    addresses = session.scalars(select(Address)).all()
    assert len({a.user.id for a in addresses}) == 6
    assert len(sql.selects()) == 2
