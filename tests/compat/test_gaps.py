"""Focused tests for the compatibility gaps fixed alongside the programs (aliased edge
cases, RETURNING entities, dynamic/write-only collections, the Inspector, hybrids)."""

from __future__ import annotations

from typing import Any

import pytest

import athanor as sa
from athanor import orm
from athanor.ext.hybrid import hybrid_property

from . import programs


def _setup(engine: Any) -> Any:
    _, User, Address = programs._models(sa, orm)
    User.metadata.create_all(engine)
    programs._seed(orm, engine, User, Address)
    return User, Address


def test_insert_returning_entity(engine: Any, require: Any) -> None:
    require(engine, "returning")
    User, _ = _setup(engine)
    with orm.Session(engine) as session:
        users = session.scalars(sa.insert(User).returning(User),
                                [{"name": "q1"}, {"name": "q2"}]).all()
        assert [u.name for u in users] == ["q1", "q2"]
        assert users[0] is session.get(User, users[0].id)


def test_aliased_rejects_non_entities_and_narrow_selectables(engine: Any) -> None:
    User, Address = _setup(engine)
    with pytest.raises(sa.exc.ArgumentError, match="aliased"):
        orm.aliased(42)
    narrow = sa.select(User.id).subquery()
    with pytest.raises(sa.exc.ArgumentError, match="no column for User"):
        orm.aliased(User, narrow)
    t = User.__table__
    assert orm.aliased(t, name="ua").name == "ua"  # a Table: a plain Core alias


def test_aliased_self_referential_relationship_join(engine: Any) -> None:
    class Base(orm.DeclarativeBase):
        pass

    class Node(Base):
        __tablename__ = "node"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        parent_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("node.id"))
        name: orm.Mapped[str] = orm.mapped_column(sa.String(10))
        children = orm.relationship("Node")

    Base.metadata.create_all(engine)
    with orm.Session(engine) as session:
        session.add(Node(id=1, name="root", children=[Node(id=2, name="a"),
                                                       Node(id=3, name="b")]))
        session.commit()
        parent = orm.aliased(Node)
        child = orm.aliased(Node)
        stmt = (sa.select(parent.name, child.name).join(parent.children.of_type(child))
                .order_by(child.id))
        assert [tuple(r) for r in session.execute(stmt)] == [("root", "a"), ("root", "b")]
        stmt = sa.select(Node.name).join(Node.children.of_type(child)).where(
            child.name == "b")
        assert session.scalars(stmt).all() == ["root"]


def test_inspector(engine: Any) -> None:
    _setup(engine)
    insp = sa.inspect(engine)
    assert insp.get_table_names() == ["address", "user_account"]
    assert insp.has_table("address") and not insp.has_table("nope")
    cols = insp.get_columns("address")
    assert [c["name"] for c in cols] == ["id", "email_address", "user_id"]
    with engine.connect() as conn:
        assert sa.inspect(conn).has_table("user_account")


def test_query_params_order_by_text_and_in_query(engine: Any) -> None:
    User, Address = _setup(engine)
    with orm.Session(engine) as session:
        q = session.query(User).filter(sa.text("name = :n")).params(n="sandy")
        assert [u.id for u in q] == [2]
        assert q.count() == 1
        assert q.first().name == "sandy"
        names = session.query(User.name).order_by(sa.text("name DESC")).all()
        assert [n for (n,) in names] == ["spongebob", "sandy", "patrick"]
        ids = session.query(Address.user_id)
        assert session.query(User).filter(User.id.in_(ids)).count() == 2
        row = session.query(User, User.name).filter(User.id == 1).one()
        assert row._fields == ("User", "name")


def test_session_is_modified(engine: Any) -> None:
    User, _ = _setup(engine)
    with orm.Session(engine) as session:
        u = session.get(User, 1)
        assert not session.is_modified(u)
        u.name = u.name  # same value: no net change
        assert not session.is_modified(u)
        u.name = "other"
        assert session.is_modified(u)


def test_dynamic_on_transient_and_write_only_iteration(engine: Any) -> None:
    class Base(orm.DeclarativeBase):
        pass

    class Parent(Base):
        __tablename__ = "parent"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        kids: orm.DynamicMapped[Kid] = orm.relationship()
        notes: orm.WriteOnlyMapped[Note] = orm.relationship()

    class Kid(Base):
        __tablename__ = "kid"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        parent_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("parent.id"))

    class Note(Base):
        __tablename__ = "note"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        parent_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("parent.id"))

    Base.metadata.create_all(engine)
    p = Parent(id=1)
    p.kids.append(Kid(id=1))
    assert isinstance(p.kids, orm.AppenderQuery)
    assert [k.id for k in p.kids] == [1] and p.kids.count() == 1
    p.notes.add(Note(id=7))
    with pytest.raises(sa.exc.InvalidRequestError, match="write_only"):
        list(p.notes)
    with orm.Session(engine) as session:
        session.add(p)
        session.commit()
        assert p.kids.count() == 1
        assert session.scalars(p.notes.select()).one().id == 7
        # insert/update/delete statements scoped to the collection
        session.execute(p.notes.insert(), [{"id": 8}, {"id": 9}])
        assert sorted(session.scalars(p.notes.select()).all(), key=lambda n: n.id)[-1].id == 9
        session.execute(p.notes.update().values(id=Note.id + 100).where(Note.id == 9))
        session.execute(p.notes.delete().where(Note.id == 7))
        session.commit()
        assert sorted(n.id for n in session.scalars(p.notes.select())) == [8, 109]


def test_hybrid_setter_and_missing_setter() -> None:
    class Thing:
        def __init__(self) -> None:
            self.x = 2

        @hybrid_property
        def double(self) -> int:
            return self.x * 2

    t = Thing()
    assert t.double == 4
    with pytest.raises(AttributeError, match="no setter"):
        t.double = 3


def test_hybrid_comparator_and_inplace_method_expression(engine: Any) -> None:
    from athanor.ext.hybrid import Comparator, hybrid_method

    class CaseInsensitive(Comparator):
        def __eq__(self, other: Any) -> Any:  # type: ignore[override]
            return sa.func.lower(self.__clause_element__()) == sa.func.lower(other)

    class Base(orm.DeclarativeBase):
        pass

    class Span(Base):
        __tablename__ = "span"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        lo: orm.Mapped[int]
        hi: orm.Mapped[int]
        word: orm.Mapped[str] = orm.mapped_column(sa.String(20))

        @hybrid_property
        def word_ci(self) -> str:
            return self.word.lower()

        @word_ci.inplace.comparator
        @classmethod
        def _word_ci_comparator(cls) -> Any:
            return CaseInsensitive(cls.word)

        @hybrid_method
        def covers(self, point: int) -> bool:
            return self.lo <= point <= self.hi

        @covers.inplace.expression
        @classmethod
        def _covers_expression(cls, point: int) -> Any:
            return sa.and_(cls.lo <= point, point <= cls.hi)

    Base.metadata.create_all(engine)
    with orm.Session(engine) as s:
        s.add_all([Span(lo=1, hi=5, word="Hello"), Span(lo=6, hi=9, word="World")])
        s.commit()
        assert s.scalars(sa.select(Span.id).where(Span.word_ci == "WORLD")).all() == [2]
        assert s.scalars(sa.select(Span.id).where(Span.covers(7))).all() == [2]
        assert s.get(Span, 1).covers(3) and s.get(Span, 1).word_ci == "hello"
