"""``with_loader_criteria()`` and the ``do_orm_execute`` event with ``ORMExecuteState``:
the soft-delete recipe as SQLAlchemy documents it, and the state's API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.orm._qmodels import HasDeleted, QAddress, QUser, qsession

from athanor import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    delete,
    event,
    insert,
    select,
    update,
)
from athanor.orm import (
    DeclarativeBase,
    ORMExecuteState,
    Session,
    UserDefinedOption,
    aliased,
    joinedload,
    selectinload,
    sessionmaker,
    with_loader_criteria,
)

__all__ = ["qsession"]

NOT_DELETED = with_loader_criteria(HasDeleted, lambda cls: cls.deleted == False,  # noqa: E712
                                   include_aliases=True)


def _emails(user: Any) -> list[str]:
    return [a.email for a in user.addresses]


def test_criteria_filter_the_entity_and_its_lazy_loads(qsession: Any) -> None:
    users = qsession.scalars(select(QUser).options(NOT_DELETED).order_by(QUser.id)).all()
    assert [(u.name, _emails(u)) for u in users] == [("ada", ["ada@a"]), ("bob", ["bob@a"])]


def test_criteria_reach_joined_and_selectin_loads(qsession: Any) -> None:
    users = qsession.scalars(select(QUser).options(NOT_DELETED, joinedload(QUser.addresses))
                             .order_by(QUser.id)).unique().all()
    assert [(u.name, _emails(u)) for u in users] == [("ada", ["ada@a"]), ("bob", ["bob@a"])]
    qsession.expunge_all()
    users = qsession.scalars(select(QUser).options(NOT_DELETED, selectinload(QUser.addresses))
                             .order_by(QUser.id)).all()
    assert [(u.name, _emails(u)) for u in users] == [("ada", ["ada@a"]), ("bob", ["bob@a"])]


def test_propagate_to_loaders_false_leaves_later_loads_alone(qsession: Any) -> None:
    opt = with_loader_criteria(QAddress, QAddress.email != "ada@a", propagate_to_loaders=False)
    user = qsession.scalars(select(QUser).where(QUser.id == 1).options(opt)).one()
    assert _emails(user) == ["ada@a", "ada@b"]
    qsession.expunge_all()
    opt = with_loader_criteria(QAddress, QAddress.email != "ada@a")
    user = qsession.scalars(select(QUser).where(QUser.id == 1).options(opt)).one()
    assert _emails(user) == ["ada@b"]


def test_criteria_reach_n_plus_one_batch_loads(engine: Any, qsession: Any) -> None:
    with Session(engine, n_plus_one="batch") as s:
        users = s.scalars(select(QUser).options(NOT_DELETED).order_by(QUser.id)).all()
        assert [(u.name, _emails(u)) for u in users] == [("ada", ["ada@a"]), ("bob", ["bob@a"])]


def test_joins_columns_aliases_and_query(qsession: Any) -> None:
    rows = qsession.execute(select(QUser.name, QAddress.email).join(QUser.addresses)
                            .options(NOT_DELETED).order_by(QAddress.id)).all()
    assert [tuple(r) for r in rows] == [("ada", "ada@a"), ("bob", "bob@a")]
    outer = qsession.execute(
        select(QUser.name, QAddress.email).outerjoin(QUser.addresses)
        .options(with_loader_criteria(QAddress, QAddress.id > 1)).order_by(QUser.id, QAddress.id)
    ).all()
    assert [tuple(r) for r in outer] == [("ada", "ada@b"), ("bob", "bob@a"), ("cy", None)]
    alias = aliased(QAddress)
    assert qsession.scalars(select(alias.id).options(NOT_DELETED).order_by(alias.id)).all() == [
        1, 3]
    plain = with_loader_criteria(QAddress, lambda cls: cls.id > 1)  # aliases not included
    assert qsession.scalars(select(alias.id).options(plain).order_by(alias.id)).all() == [1, 2, 3]
    assert qsession.query(QUser).options(NOT_DELETED).count() == 2
    assert [u.name for u in qsession.query(QUser).options(
        with_loader_criteria(QUser, QUser.name != "ada")).order_by(QUser.id)] == ["bob", "cy"]


@pytest.fixture
def soft_delete() -> Iterator[list[ORMExecuteState]]:
    """SQLAlchemy's documented recipe, as written (listening on the Session class)."""
    seen: list[ORMExecuteState] = []

    @event.listens_for(Session, "do_orm_execute")
    def _add_filtering_criteria(execute_state: ORMExecuteState) -> None:
        seen.append(execute_state)
        if (
            execute_state.is_select
            and not execute_state.is_column_load
            and not execute_state.is_relationship_load
            and not execute_state.execution_options.get("include_deleted", False)
        ):
            execute_state.statement = execute_state.statement.options(
                with_loader_criteria(
                    HasDeleted,
                    lambda cls: cls.deleted == False,  # noqa: E712
                    include_aliases=True,
                )
            )

    try:
        yield seen
    finally:
        event.remove(Session, "do_orm_execute", _add_filtering_criteria)


def test_soft_delete_recipe(qsession: Any, soft_delete: list[ORMExecuteState]) -> None:
    users = qsession.scalars(select(QUser).order_by(QUser.id)).all()
    assert [(u.name, _emails(u)) for u in users] == [("ada", ["ada@a"]), ("bob", ["bob@a"])]
    assert any(s.is_relationship_load for s in soft_delete)
    assert qsession.execute(select(QUser.name).execution_options(include_deleted=True)
                            .order_by(QUser.id)).scalars().all() == ["ada", "bob", "cy"]
    assert [u.name for u in qsession.query(QUser).order_by(QUser.id)] == ["ada", "bob"]
    assert [u.name for u in qsession.query(QUser).filter_by(name="cy")] == []
    qsession.expunge_all()
    assert qsession.get(QUser, 3) is None and qsession.get(QAddress, 2) is None
    assert qsession.get(QUser, 2).name == "bob"


def test_execute_state_describes_the_statement(engine: Any, qsession: Any) -> None:
    maker = sessionmaker(engine)
    seen: list[tuple[Any, ...]] = []

    @event.listens_for(maker, "do_orm_execute")
    def first(state: ORMExecuteState) -> None:
        seen.append((state.is_select, state.is_insert, state.is_update, state.is_delete,
                     state.is_relationship_load, state.is_column_load,
                     [o.payload for o in state.user_defined_options],
                     [m.class_.__name__ for m in state.all_mappers], state.session is s))
        if state.is_select:
            state.update_execution_options(marker=5)

    @event.listens_for(maker, "do_orm_execute")
    def second(state: ORMExecuteState) -> None:
        seen.append(("second", state.execution_options.get("marker"),
                     state.local_execution_options.get("marker")))

    with maker() as s:
        assert s.scalars(select(QUser).where(QUser.id == 1).options(
            UserDefinedOption("p"))).one().name == "ada"
        s.execute(update(QUser).where(QUser.id == 9).values(name="z"))
        s.execute(delete(QAddress).where(QAddress.id == 9))
        s.execute(insert(QAddress), [{"id": 9, "user_id": 2, "email": "n@n"}])
        s.execute(select(QUser.name).execution_options(marker=9))
    assert seen == [
        (True, False, False, False, False, False, ["p"], ["QUser"], True),
        ("second", None, 5),
        (False, False, True, False, False, False, [], ["QUser"], True),
        ("second", None, None),
        (False, False, False, True, False, False, [], ["QAddress"], True),
        ("second", None, None),
        (False, True, False, False, False, False, [], ["QAddress"], True),
        ("second", None, None),
        (True, False, False, False, False, False, [], ["QUser"], True),
        ("second", 9, 5),
    ]


def test_invoke_statement_and_returning_a_result(engine: Any, qsession: Any) -> None:
    maker = sessionmaker(engine)
    cache: dict[str, Any] = {}
    calls: list[str] = []

    @event.listens_for(maker, "do_orm_execute")
    def cached(state: ORMExecuteState) -> Any:
        if not any(o.payload == "cache" for o in state.user_defined_options):
            return None
        if "k" not in cache:
            cache["k"] = state.invoke_statement().freeze()
        return cache["k"]()

    @event.listens_for(maker, "do_orm_execute")
    def count(state: ORMExecuteState) -> None:
        calls.append("run")

    stmt = select(QUser.name).where(QUser.id == 2).options(UserDefinedOption("cache"))
    with maker() as s:
        assert s.execute(stmt).scalars().all() == ["bob"]
        s.execute(update(QUser).where(QUser.id == 2).values(name="rob"))
        assert s.execute(stmt).scalars().all() == ["bob"]  # from the cache
    assert calls == ["run", "run"]  # the first invoke_statement and the UPDATE


def test_a_function_sees_the_current_closure_values(qsession: Any) -> None:
    limit = {"age": 30}
    opt = with_loader_criteria(QUser, lambda cls: cls.age > limit["age"])
    stmt = select(QUser.name).options(opt).order_by(QUser.id)
    assert qsession.scalars(stmt).all() == ["ada", "cy"]
    limit["age"] = 40
    assert qsession.scalars(stmt).all() == ["cy"]


class _IBase(DeclarativeBase):
    pass


class CEmp(_IBase):
    __tablename__ = "crit_emp"
    id = Column(Integer, primary_key=True, autoincrement=False)
    kind = Column(String(10))
    active = Column(Boolean, default=True)
    __mapper_args__ = {"polymorphic_on": kind, "polymorphic_identity": "emp"}


class CMgr(CEmp):
    __tablename__ = "crit_mgr"
    id = Column(ForeignKey("crit_emp.id"), primary_key=True)
    level = Column(Integer)
    __mapper_args__ = {"polymorphic_identity": "mgr"}


class CEng(CEmp):
    __mapper_args__ = {"polymorphic_identity": "eng"}


def test_a_mapped_class_root_applies_to_that_class_only(engine: Any) -> None:
    _IBase.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([CEmp(id=1), CMgr(id=2, level=1), CMgr(id=3, level=2, active=False),
                   CEng(id=4), CEng(id=5, active=False)])
        s.commit()
        s.expunge_all()
        opt = with_loader_criteria(CEmp, lambda c: c.active == True)  # noqa: E712
        assert sorted(x.id for x in s.scalars(select(CEmp).options(opt))) == [1, 2, 4]
        assert sorted(x.id for x in s.scalars(select(CMgr).options(opt))) == [2, 3]
        assert sorted(x.id for x in s.scalars(select(CMgr).options(
            with_loader_criteria(CMgr, CMgr.level > 1)))) == [3]


def test_refresh_and_attribute_loads_are_column_loads(engine: Any, qsession: Any) -> None:
    from tests.orm._colmodels import Author
    from tests.orm._colmodels import Base as ColBase

    ColBase.metadata.create_all(engine)
    maker = sessionmaker(engine)
    seen: list[tuple[bool, bool, bool]] = []

    @event.listens_for(maker, "do_orm_execute")
    def note(state: ORMExecuteState) -> None:
        seen.append((state.is_select, state.is_column_load, state.is_relationship_load))

    with maker() as s:
        s.add(Author(id=1, firstname="Ada", lastname="L", bio="b"))
        s.commit()
        seen.clear()
        ada = s.get(Author, 1)
        s.refresh(ada)
        s.expire(ada)
        assert ada.firstname == "Ada"
        assert ada.bio == "b"  # deferred
        user = s.get(QUser, 1)
        s.expire(user)
        assert user.name == "ada"
    assert seen == [(True, False, False)] + [(True, True, False)] * 3 + [
        (True, False, False), (True, True, False)]
