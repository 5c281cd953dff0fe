"""SQLAlchemy-compatible names of ``athanor.orm``: enums, sentinels, aliases, legacy helpers."""

from __future__ import annotations

from typing import Any

from tests.orm._qmodels import QAddress, QUser, qsession

from athanor import orm, select
from athanor.orm import Session

__all__ = ["qsession"]


def test_relationship_direction_members() -> None:
    orm.configure_mappers()
    assert QUser.addresses.property.direction is orm.RelationshipDirection.ONETOMANY
    assert QAddress.user.property.direction is orm.MANYTOONE
    assert QUser.tags.property.direction is orm.RelationshipDirection.MANYTOMANY
    assert orm.ONETOMANY is orm.RelationshipDirection.ONETOMANY
    assert isinstance(QUser.addresses.property, orm.Relationship)
    assert isinstance(QUser.__mapper__.attrs["shout"], orm.Synonym)


def test_enum_and_sentinel_values_match_sqlalchemy() -> None:
    assert orm.NO_VALUE is orm.LoaderCallableStatus.NO_VALUE
    assert orm.LoaderCallableStatus.NEVER_SET is orm.NO_VALUE
    assert orm.PassiveFlag.PASSIVE_OFF == 31 and orm.PassiveFlag.PASSIVE_NO_FETCH == 29
    assert orm.PassiveFlag.PASSIVE_OFF & orm.PassiveFlag.SQL_OK
    assert [c.name for c in (orm.EXT_CONTINUE, orm.EXT_STOP, orm.EXT_SKIP, orm.NO_KEY)] == [
        "EXT_CONTINUE", "EXT_STOP", "EXT_SKIP", "NO_KEY"]


def test_synonym_for_uses_the_property_and_filters_by_the_target(qsession: Any) -> None:
    ada = qsession.scalars(select(QUser).where(QUser.shout == "ada")).one()
    assert ada.shout == "ADA"


def test_create_session_turns_automation_off(engine: Any) -> None:
    s = orm.create_session(engine)
    try:
        assert isinstance(s, Session)
        assert (s.autoflush, s.expire_on_commit) == (False, False)
        assert orm.create_session(engine, autoflush=True).autoflush is True
    finally:
        s.close()


def test_was_deleted_stays_true_after_commit(qsession: Any) -> None:
    tag = qsession.get(orm.class_mapper(QUser).class_, 2)
    for addr in list(tag.addresses):
        qsession.delete(addr)
    qsession.delete(tag)
    assert orm.was_deleted(tag) is False
    qsession.flush()
    assert orm.was_deleted(tag) is True
    qsession.commit()
    assert orm.was_deleted(tag) is True


def test_user_defined_and_alias_options_change_nothing(qsession: Any) -> None:
    opt = orm.UserDefinedOption({"tenant": 1})
    assert opt.payload == {"tenant": 1}
    rows = qsession.execute(select(QUser, QUser.name).options(
        opt, orm.contains_alias(QUser.__table__.alias())).order_by(QUser.id)).all()
    assert [(type(u).__name__, n) for u, n in rows] == [
        ("QUser", "ada"), ("QUser", "bob"), ("QUser", "cy")]
    assert isinstance(orm.contains_alias(QUser.__table__), orm.AliasOption)


def test_merge_frozen_result_brings_objects_into_another_session(engine: Any,
                                                                   qsession: Any) -> None:
    stmt = select(QUser, QUser.age).where(QUser.id < 3).order_by(QUser.id)
    frozen = qsession.execute(stmt).freeze()
    other = Session(engine)
    try:
        merged = orm.merge_frozen_result(other, stmt, frozen, load=False)
        rows = merged().all()
        assert [(u.name, age) for u, age in rows] == [("ada", 36), ("bob", 20)]
        assert all(u in other and u not in qsession for u, _ in rows)
        assert [u.name for u in frozen().scalars()] == ["ada", "bob"]
    finally:
        other.close()


def test_merge_result_for_a_query(engine: Any, qsession: Any) -> None:
    users = qsession.scalars(select(QUser).order_by(QUser.id)).all()
    other = Session(engine)
    try:
        got = orm.merge_result(other.query(QUser), users)
        assert [u.name for u in got] == ["ada", "bob", "cy"]
        assert all(u in other for u in got)
        rows = orm.merge_result(other.query(QUser, QUser.age), [(users[0], 1)])
        assert rows[0][0] is got[0] and rows[0].age == 1
    finally:
        other.close()


def test_prop_comparator_compares_the_attribute_expression() -> None:
    cmp = orm.PropComparator(QUser.__mapper__.attrs["name"])
    assert str(cmp == "x") == str(QUser.name == "x")
    assert str(cmp.like("a%")) == str(QUser.name.like("a%"))
