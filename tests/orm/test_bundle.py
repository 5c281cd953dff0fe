"""``Bundle``: groups of columns returned as one named value per row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from tests.orm._qmodels import QAddress, QUser, qsession

from athanor import exc, func, select
from athanor.orm import Bundle, DictBundle, joinedload, with_expression

__all__ = ["qsession"]


def test_rows_carry_a_named_tuple_per_bundle(qsession: Any) -> None:
    person = Bundle("person", QUser.name, QUser.age)
    assert list(person.c.keys()) == ["name", "age"] and person.columns.age is not None
    rows = qsession.execute(select(person, QUser.id).order_by(QUser.id)).all()
    first = rows[0]
    assert first.person.name == "ada" and first.person.age == 36 and first.id == 1
    assert tuple(first.person) == ("ada", 36) and first.person._fields == ("name", "age")
    assert first.person._mapping["age"] == 36
    assert list(first._fields) == ["person", "id"]


def test_bundle_columns_filter_and_order(qsession: Any) -> None:
    person = Bundle("person", QUser.name, QUser.age)
    rows = qsession.execute(select(person).where(person.c.age > 30).order_by(
        person.c.age.desc())).all()
    assert [r.person.name for r in rows] == ["cy", "ada"]
    assert [tuple(p) for p in qsession.scalars(select(person).where(QUser.id == 2))] == [
        ("bob", 20)]


def test_query_and_single_entity(qsession: Any) -> None:
    pair = Bundle("pair", QUser.id, QUser.name)
    rows = qsession.query(pair).order_by(QUser.id).all()
    assert [tuple(r) for r in rows] == [((1, "ada"),), ((2, "bob"),), ((3, "cy"),)]
    single = Bundle("pair", QUser.id, QUser.name, single_entity=True)
    values = qsession.query(single).order_by(QUser.id).all()
    assert [(v.id, v.name) for v in values] == [(1, "ada"), (2, "bob"), (3, "cy")]
    assert qsession.query(single).filter(QUser.id == 2).one().name == "bob"
    assert qsession.query(QUser.id, single).order_by(QUser.id).first()[1].name == "ada"


class AsDict(Bundle):
    """The documented pattern: a subclass returning dicts."""

    def create_row_processor(self, query: Any, procs: Sequence[Callable[[Any], Any]],
                             labels: Sequence[str]) -> Callable[[Any], Any]:
        def proc(row: Any) -> Any:
            return dict(zip(labels, (p(row) for p in procs), strict=False))

        return proc


def test_subclass_with_create_row_processor(qsession: Any) -> None:
    mine = AsDict("d", QUser.id, QUser.name)
    rows = qsession.execute(select(mine, QUser.age).where(QUser.id < 3).order_by(QUser.id)).all()
    assert [(r.d, r.age) for r in rows] == [({"id": 1, "name": "ada"}, 36),
                                          ({"id": 2, "name": "bob"}, 20)]
    assert qsession.scalars(select(DictBundle("d", QUser.name)).where(QUser.id == 3)).all() == [
        {"name": "cy"}]


def test_nested_labelled_and_expression_bundles(qsession: Any) -> None:
    nested = Bundle("outer", QUser.id, Bundle("inner", QUser.name, QUser.age))
    row = qsession.execute(select(nested).where(QUser.id == 1)).one()
    assert row.outer.id == 1 and row.outer.inner.name == "ada" and row.outer.inner.age == 36
    renamed = Bundle("b", QUser.name).label("other")
    assert qsession.execute(select(renamed).where(QUser.id == 2)).one().other.name == "bob"
    calc = Bundle("calc", (QUser.age + 1).label("next"), func.upper(QUser.name).label("up"))
    got = qsession.execute(select(calc).where(QUser.id == 1)).one().calc
    assert (got.next, got.up) == (37, "ADA")


def test_bundle_beside_entities_and_joins(qsession: Any) -> None:
    mail = Bundle("mail", QAddress.id, QAddress.email)
    rows = qsession.execute(
        select(QUser, mail).join(QUser.addresses).options(
            joinedload(QUser.tags), with_expression(QUser.score, QUser.age * 2))
        .order_by(QAddress.id)).unique().all()
    assert [(u.name, u.score, m.email) for u, m in rows] == [
        ("ada", 72, "ada@a"), ("ada", 72, "ada@b"), ("bob", 40, "bob@a")]
    assert sorted(t.label for t in rows[0][0].tags) == ["x", "y"]


def test_bundle_needs_columns() -> None:
    with pytest.raises(exc.ArgumentError, match="no columns"):
        Bundle("empty")
    with pytest.raises(exc.ArgumentError, match="not a column expression"):
        Bundle("b", QUser)
