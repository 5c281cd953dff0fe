"""``query_expression()`` attributes filled per query by ``with_expression()``."""

from __future__ import annotations

from typing import Any

import pytest
from tests.orm._qmodels import QAddress, QUser, qsession

from athanor import exc, func, select
from athanor.orm import selectinload, with_expression

__all__ = ["qsession"]


def test_with_expression_fills_the_attribute(qsession: Any) -> None:
    users = qsession.scalars(select(QUser).options(
        with_expression(QUser.score, QUser.age * 2)).order_by(QUser.id)).all()
    assert [u.score for u in users] == [72, 40, 100]


def test_without_the_option_it_is_none_and_costs_no_sql(engine: Any, qsession: Any) -> None:
    from athanor import event

    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    user = qsession.get(QUser, 1)
    n = len(seen)
    assert user.score is None
    assert len(seen) == n
    assert "score" not in user.__dict__


def test_loaded_objects_keep_their_value_unless_populate_existing(qsession: Any) -> None:
    stmt = select(QUser).where(QUser.id == 1)
    assert qsession.scalars(stmt.options(with_expression(QUser.score, QUser.age + 1))
                            ).one().score == 37
    assert qsession.scalars(stmt.options(with_expression(QUser.score, QUser.age + 2))
                            ).one().score == 37
    again = qsession.scalars(stmt.options(with_expression(QUser.score, QUser.age + 2))
                             .execution_options(populate_existing=True)).one()
    assert again.score == 38


def test_with_columns_and_the_legacy_query(qsession: Any) -> None:
    rows = qsession.execute(select(QUser, QUser.name).options(
        with_expression(QUser.score, func.abs(QUser.age - 30))).order_by(QUser.id)).all()
    assert [(u.score, n) for u, n in rows] == [(6, "ada"), (10, "bob"), (20, "cy")]
    qsession.expunge_all()
    users = qsession.query(QUser).options(with_expression(QUser.score, QUser.id * 10)).order_by(
        QUser.id).all()
    assert [u.score for u in users] == [10, 20, 30]
    assert users[0].addresses[0].email == "ada@a"


def test_with_expression_names_a_query_expression() -> None:
    with pytest.raises(exc.ArgumentError, match="query_expression"):
        with_expression(QUser.name, QUser.age)
    with pytest.raises(exc.ArgumentError, match="query_expression"):
        selectinload(QUser.addresses).with_expression(QAddress.email, QAddress.id)


def test_with_expression_below_a_relationship_loader(qsession: Any) -> None:
    from athanor.orm import joinedload

    user = qsession.scalars(select(QAddress).where(QAddress.id == 3).options(
        selectinload(QAddress.user).with_expression(QUser.score, QUser.age + 100))).one().user
    assert user.score == 120
    qsession.expunge_all()
    user = qsession.scalars(select(QAddress).where(QAddress.id == 1).options(
        joinedload(QAddress.user).with_expression(QUser.score, QUser.age + 200))).one().user
    assert user.score == 236
