"""Mapper inheritance with column loader options, with_polymorphic(), bulk statements.

Two small hierarchies on every backend: single-table (``OEmp`` / ``OMgr``) and joined-table
(``OPerson`` / ``OEngineer``), each with a ``polymorphic_on`` discriminator. The expected
results were checked against SQLAlchemy 2.0 running the same programs.
"""

from __future__ import annotations

from typing import Any

import pytest

from athanor import (
    Column,
    ForeignKey,
    Integer,
    String,
    bindparam,
    case,
    delete,
    exc,
    insert,
    or_,
    select,
    text,
    update,
)
from athanor.orm import (
    ConcreteBase,
    DeclarativeBase,
    Mapped,
    Session,
    aliased,
    column_property,
    declarative_base,
    defer,
    joinedload,
    load_only,
    mapped_column,
    polymorphic_union,
    raiseload,
    relationship,
    selectin_polymorphic,
    selectinload,
    undefer,
    with_polymorphic,
)


class OBase(DeclarativeBase):
    pass


class _Columns:  # the columns both hierarchies' bases share (a declarative mixin)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    extra: Mapped[str | None] = mapped_column(String(30))
    type: Mapped[str] = mapped_column(String(20))


class OEmp(_Columns, OBase):
    __tablename__ = "o_emp"
    __mapper_args__ = {"polymorphic_on": "type", "polymorphic_identity": "emp"}


class OMgr(OEmp):
    mstuff: Mapped[str | None] = mapped_column(String(30))
    __mapper_args__ = {"polymorphic_identity": "mgr"}


class OTeam(OBase):
    __tablename__ = "o_team"
    id: Mapped[int] = mapped_column(primary_key=True)
    people: Mapped[list[OPerson]] = relationship(order_by="OPerson.id")
    engineers: Mapped[list[OEngineer]] = relationship(viewonly=True)


class OPerson(_Columns, OBase):
    __tablename__ = "o_person"
    team_id: Mapped[int | None] = mapped_column(ForeignKey("o_team.id"))
    __mapper_args__ = {"polymorphic_on": "type", "polymorphic_identity": "person"}


class OEngineer(OPerson):
    __tablename__ = "o_engineer"
    id: Mapped[int] = mapped_column(ForeignKey("o_person.id"), primary_key=True)
    lang: Mapped[str | None] = mapped_column(String(30))
    level: Mapped[int | None]
    __mapper_args__ = {"polymorphic_identity": "engineer"}


class OManager(OPerson):
    __tablename__ = "o_manager"
    id: Mapped[int] = mapped_column(ForeignKey("o_person.id"), primary_key=True)
    budget: Mapped[int | None]
    __mapper_args__ = {"polymorphic_identity": "manager", "polymorphic_load": "selectin"}


class ODirector(OManager):
    __tablename__ = "o_director"
    id: Mapped[int] = mapped_column(ForeignKey("o_manager.id"), primary_key=True)
    office: Mapped[str | None] = mapped_column(String(30))
    __mapper_args__ = {"polymorphic_identity": "director"}


def _seed(engine: Any, managers: bool = False) -> None:
    OBase.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([OEmp(name="a", extra="x"), OMgr(name="b", extra="y", mstuff="m"),
                   OPerson(name="p", extra="px"), OEngineer(name="e", extra="ex", lang="py",
                                                            level=2)])
        if managers:
            s.add_all([OManager(name="m", budget=10), OEngineer(name="e2", lang="go"),
                       ODirector(name="d", budget=20, office="top")])
        s.commit()


def _raw(engine: Any, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def _loaded(objs: list[Any], *keys: str) -> list[tuple[Any, ...]]:
    return [(type(o).__name__, *(k in o.__dict__ for k in keys)) for o in objs]


# --------------------------------------------------------------------------------------
# load_only / defer / undefer / raiseload on polymorphic hierarchies


def test_load_only_and_defer_on_a_single_table_base(engine: Any, statements: Any) -> None:
    _seed(engine)
    with Session(engine) as s:
        statements.statements.clear()
        rows = s.query(OEmp).options(load_only(OEmp.name)).order_by(OEmp.id).all()
        sql = statements.sql("SELECT")[0]
        assert "extra" not in sql and "o_emp.type" in sql  # the discriminator is kept
        assert _loaded(rows, "name", "extra", "type") == [
            ("OEmp", True, False, True), ("OMgr", True, False, True)]
        assert [r.extra for r in rows] == ["x", "y"]  # loaded on access
    with Session(engine) as s:
        rows = s.scalars(select(OEmp).options(defer(OEmp.extra)).order_by(OEmp.id)).all()
        assert _loaded(rows, "name", "extra", "type") == [
            ("OEmp", True, False, True), ("OMgr", True, False, True)]
        assert (rows[1].extra, rows[1].mstuff) == ("y", "m")


def test_load_only_on_a_single_table_subclass(engine: Any) -> None:
    _seed(engine)
    with Session(engine) as s:
        rows = s.query(OMgr).options(load_only(OMgr.mstuff)).all()
        assert _loaded(rows, "name", "extra", "type", "mstuff") == [
            ("OMgr", False, False, True, True)]
        assert rows[0].name == "b"


def test_defer_raiseload_on_a_polymorphic_base(engine: Any) -> None:
    _seed(engine)
    with Session(engine) as s:
        rows = s.query(OEmp).options(defer(OEmp.extra, raiseload=True)).order_by(OEmp.id).all()
        with pytest.raises(exc.InvalidRequestError, match="extra"):
            rows[1].extra  # noqa: B018 - the read raises
    with Session(engine) as s:
        rows = s.scalars(select(OPerson).options(
            load_only(OPerson.name, raiseload=True)).order_by(OPerson.id)).all()
        assert [type(r).__name__ for r in rows] == ["OPerson", "OEngineer"]
        with pytest.raises(exc.InvalidRequestError, match="extra"):
            rows[0].extra  # noqa: B018 - the read raises


def test_load_only_and_defer_on_a_joined_base(engine: Any) -> None:
    _seed(engine)
    with Session(engine) as s:
        rows = s.query(OPerson).options(load_only(OPerson.name)).order_by(OPerson.id).all()
        assert _loaded(rows, "name", "extra", "type", "lang") == [
            ("OPerson", True, False, True, False), ("OEngineer", True, False, True, False)]
        assert [r.extra for r in rows] == ["px", "ex"]
        assert rows[1].lang == "py"
    with Session(engine) as s:
        # a subclass column named on a query of the base: the base's other columns drop
        rows = s.query(OPerson).options(load_only(OEngineer.lang)).order_by(OPerson.id).all()
        assert _loaded(rows, "name", "extra", "type") == [
            ("OPerson", False, False, True), ("OEngineer", False, False, True)]
        assert rows[1].name == "e"


def test_column_options_on_a_joined_subclass(engine: Any, statements: Any) -> None:
    _seed(engine)
    with Session(engine) as s:
        statements.statements.clear()
        rows = s.query(OEngineer).options(load_only(OEngineer.lang)).all()
        assert "JOIN o_engineer" in statements.sql("SELECT")[0]
        assert _loaded(rows, "name", "extra", "type", "lang", "level") == [
            ("OEngineer", False, False, True, True, False)]
        assert (rows[0].name, rows[0].level) == ("e", 2)
    with Session(engine) as s:
        rows = s.scalars(select(OEngineer).options(defer(OEngineer.level))).all()
        assert _loaded(rows, "name", "extra", "lang", "level") == [
            ("OEngineer", True, True, True, False)]
    with Session(engine) as s:  # an option through the base class's attribute
        rows = s.scalars(select(OEngineer).options(load_only(OPerson.name))).all()
        assert _loaded(rows, "name", "extra", "lang") == [("OEngineer", True, False, False)]
    with Session(engine) as s:
        rows = s.scalars(select(OEngineer).options(
            defer(OEngineer.lang), undefer(OEngineer.lang))).all()
        assert _loaded(rows, "name", "lang", "level") == [("OEngineer", True, True, True)]


def test_load_only_fills_objects_already_in_the_session(engine: Any) -> None:
    _seed(engine)
    with Session(engine) as s:
        first = s.query(OPerson).options(load_only(OPerson.name)).order_by(OPerson.id).all()
        again = s.query(OPerson).options(load_only(OPerson.extra)).order_by(OPerson.id).all()
        assert again == first
        assert _loaded(first, "name", "extra") == [("OPerson", True, True),
                                                   ("OEngineer", True, True)]


def test_raiseload_relationship_option_is_not_a_column_option(engine: Any) -> None:
    _seed(engine)
    with Session(engine) as s:
        rows = s.query(OEmp).options(raiseload("*")).order_by(OEmp.id).all()
        assert [r.name for r in rows] == ["a", "b"]


# --------------------------------------------------------------------------------------
# with_polymorphic(), selectin_polymorphic(), polymorphic_load="selectin"


def _names(objs: list[Any]) -> list[tuple[str, str]]:
    return [(type(o).__name__, o.name) for o in objs]


def test_with_polymorphic_filters_across_subclasses(engine: Any, statements: Any) -> None:
    _seed(engine, managers=True)
    with Session(engine) as s:
        wp = with_polymorphic(OPerson, [OEngineer, OManager])
        statements.statements.clear()
        objs = s.scalars(select(wp).where(or_(wp.OEngineer.lang == "go",
                                              wp.OManager.budget > 15)).order_by(wp.id)).all()
        assert _names(objs) == [("OEngineer", "e2"), ("ODirector", "d")]
        assert objs[0].lang == "go" and objs[1].budget == 20
        assert len(statements.sql("SELECT")) == 1  # the director's office: on access
        # columns through the entity: FROM its outer join, so every person is a row
        assert s.execute(select(wp.name, wp.OEngineer.lang).order_by(wp.id)).all() == [
            ("p", None), ("e", "py"), ("m", None), ("e2", "go"), ("d", None)]
        every = with_polymorphic(OPerson, "*")
        got = s.query(every).order_by(every.name.desc()).all()
        assert _names(got)[:2] == [("OPerson", "p"), ("OManager", "m")]
        for flat in (with_polymorphic(OPerson, [OEngineer], flat=True),
                     with_polymorphic(OPerson, [OEngineer], aliased=True)):
            hits = s.scalars(select(flat).where(flat.OEngineer.lang.is_not(None))).all()
            assert sorted(_names(hits)) == [("OEngineer", "e"), ("OEngineer", "e2")]


def test_selectin_polymorphic_loads_subclass_columns_in_one_query_each(
        engine: Any, statements: Any) -> None:
    _seed(engine, managers=True)
    with Session(engine) as s:
        statements.statements.clear()
        objs = s.scalars(select(OPerson).options(selectin_polymorphic(OPerson, [OEngineer]))
                         .order_by(OPerson.id)).all()
        selects = statements.sql("SELECT")
        assert len(selects) == 3  # the people, the engineers, the managers (mapper option)
        assert "o_engineer" in selects[1] and "IN" in selects[1]
        assert _names(objs) == [("OPerson", "p"), ("OEngineer", "e"), ("OManager", "m"),
                                ("OEngineer", "e2"), ("ODirector", "d")]
        assert _loaded(objs, "lang", "budget", "office") == [
            ("OPerson", False, False, False), ("OEngineer", True, False, False),
            ("OManager", False, True, False), ("OEngineer", True, False, False),
            ("ODirector", False, True, False)]
        assert [o.lang for o in objs if isinstance(o, OEngineer)] == ["py", "go"]
        assert len(statements.sql("SELECT")) == 3


def test_polymorphic_load_selectin_applies_to_queries_and_relationship_loads(
        engine: Any, statements: Any) -> None:
    _seed(engine, managers=True)
    with Session(engine) as s:
        statements.statements.clear()
        objs = s.query(OPerson).filter(OPerson.name.in_(["m", "d", "p"])).order_by(
            OPerson.id).all()
        # polymorphic_load is the mapper's own: ODirector loads as an OManager does
        assert _loaded(objs, "budget", "office") == [
            ("OPerson", False, False), ("OManager", True, False), ("ODirector", True, False)]
        assert len(statements.sql("SELECT")) == 2
        assert objs[2].office == "top" and len(statements.sql("SELECT")) == 3
    with Session(engine) as s:
        objs = s.scalars(select(OManager).order_by(OManager.id)).all()
        assert _loaded(objs, "budget", "office") == [("OManager", True, False),
                                                     ("ODirector", True, False)]


def _seed_team(engine: Any, after_id: int) -> None:
    """The people (and managers) with a key above ``after_id`` in team 1."""
    _seed(engine, managers=True)
    with Session(engine) as s:
        s.add(OTeam(people=list(s.scalars(select(OPerson).where(OPerson.id > after_id)))))
        s.commit()


def test_subclass_columns_load_with_relationship_loads(engine: Any, statements: Any) -> None:
    _seed_team(engine, 2)
    with Session(engine) as s:
        team = s.scalars(select(OTeam).options(
            selectinload(OTeam.people).selectin_polymorphic([OEngineer]))).one()
        assert _loaded(team.people, "lang", "budget") == [
            ("OManager", False, True), ("OEngineer", True, False), ("ODirector", False, True)]
    with Session(engine) as s:
        team = s.get(OTeam, 1)
        statements.statements.clear()
        assert _loaded(team.people, "lang", "budget") == [  # lazy load + selectin managers
            ("OManager", False, True), ("OEngineer", False, False), ("ODirector", False, True)]
        assert len(statements.sql("SELECT")) == 2


def test_of_type_in_loader_options_and_any(engine: Any) -> None:
    _seed_team(engine, 1)
    with Session(engine) as s:
        wp = with_polymorphic(OPerson, [OEngineer])
        for opt in (selectinload(OTeam.people.of_type(wp)),
                    selectinload(OTeam.people.of_type(OEngineer))):
            team = s.scalars(select(OTeam).options(opt)).one()
            assert _loaded(team.people, "lang") == [
                ("OEngineer", True), ("OManager", False), ("OEngineer", True),
                ("ODirector", False)]
            s.expunge_all()
        assert s.scalars(select(OTeam.id).where(
            OTeam.people.of_type(OEngineer).any(OEngineer.lang == "go"))).all() == [1]
        assert s.scalars(select(OTeam.id).where(
            OTeam.people.of_type(OEngineer).any(lang="cobol"))).all() == []
        assert s.scalars(select(OTeam.id).where(
            OTeam.people.of_type(ODirector).any())).all() == [1]


def test_joined_eager_load_of_a_joined_subclass_target(engine: Any, statements: Any) -> None:
    _seed_team(engine, 1)
    with Session(engine) as s:
        statements.statements.clear()
        team = s.scalars(select(OTeam).options(joinedload(OTeam.engineers))).unique().one()
        assert sorted((e.name, e.lang) for e in team.engineers) == [("e", "py"), ("e2", "go")]
        assert len(statements.sql("SELECT")) == 1
        assert "JOIN o_engineer AS" in statements.sql("SELECT")[0]


def test_selectin_polymorphic_refuses_a_class_outside_the_hierarchy() -> None:
    with pytest.raises(exc.ArgumentError, match="OEmp is not a subclass of OPerson"):
        selectin_polymorphic(OPerson, [OEmp])


def test_selectin_polymorphic_keeps_pending_changes(engine: Any) -> None:
    _seed(engine, managers=True)
    with Session(engine) as s:
        d = s.scalars(select(ODirector)).one()
        d.office = "changed"
        s.expire(d, ["budget"])
        again = s.scalars(select(OPerson).where(OPerson.id == d.id)).one()
        assert again is d and d.office == "changed" and d.budget == 20


# --------------------------------------------------------------------------------------
# aliased() of a joined subclass


def test_aliased_joined_subclass(engine: Any) -> None:
    _seed(engine, managers=True)
    with Session(engine) as s:
        for a in (aliased(OEngineer), aliased(OEngineer, name="eng"),
                  aliased(OEngineer, flat=True)):
            got = s.scalars(select(a).where(a.lang == "go")).all()
            assert _names(got) == [("OEngineer", "e2")] and got[0].lang == "go"
            assert s.execute(select(a.name, a.lang).order_by(a.id)).all() == [
                ("e", "py"), ("e2", "go")]
            pairs = s.execute(select(OPerson.name, a.lang).join(a, a.id == OPerson.id)
                              .order_by(OPerson.id)).all()
            assert pairs == [("e", "py"), ("e2", "go")]
        boss, sub = aliased(ODirector), aliased(OManager, flat=True)
        assert s.query(boss).one().office == "top"
        assert sorted(m.name for m in s.query(sub).filter(sub.budget > 5)) == ["d", "m"]


# --------------------------------------------------------------------------------------
# ORM UPDATE / DELETE statements on subclasses


def test_update_and_delete_of_a_single_table_subclass_add_its_criteria(engine: Any) -> None:
    _seed(engine)
    with Session(engine) as s:
        emp, mgr = s.scalars(select(OEmp).order_by(OEmp.id)).all()
        assert s.execute(update(OMgr).values(name="X")).rowcount == 1
        assert (emp.name, mgr.name) == ("a", "X")  # the session's objects follow
        assert s.execute(update(OMgr).where(OMgr.name != "zz").values(mstuff="q"),
                         execution_options={"synchronize_session": "fetch"}).rowcount == 1
        assert mgr.mstuff == "q"
        assert s.scalars(select(OMgr.name)).all() == ["X"]
        assert s.execute(delete(OMgr).where(OMgr.name == "X")).rowcount == 1
        assert mgr not in s
        s.commit()
    assert _raw(engine, "SELECT id, name, mstuff FROM o_emp") == [(1, "a", None)]


def test_update_of_a_joined_subclass_writes_each_table(engine: Any, statements: Any) -> None:
    _seed(engine, managers=True)
    with Session(engine) as s:
        e2 = s.scalars(select(OEngineer).where(OEngineer.name == "e2")).one()
        statements.statements.clear()
        result = s.execute(update(OEngineer).where(OEngineer.lang == "go")
                           .values(name="E2", lang="rust", level=OEngineer.level + 1))
        assert result.rowcount == 1
        updates = statements.sql("UPDATE")
        assert [u.split()[1] for u in updates] == ["o_person", "o_engineer"]
        assert (e2.name, e2.lang) == ("E2", "rust")
        assert "level" not in e2.__dict__  # an expression: expired, reloads on access
        assert s.execute(update(OEngineer).where(OEngineer.name == bindparam("n"))
                         .values(extra="z"), {"n": "e"}).rowcount == 1
        s.commit()
    assert _raw(engine, "SELECT p.name, p.extra, e.lang, e.level FROM o_person p "
                        "JOIN o_engineer e ON e.id = p.id ORDER BY p.id") == [
        ("e", "z", "py", 2), ("E2", None, "rust", None)]


def test_query_update_and_delete_of_joined_subclasses(engine: Any) -> None:
    _seed(engine, managers=True)
    with Session(engine) as s:
        d = s.scalars(select(ODirector)).one()
        assert s.query(OManager).filter(OManager.budget > 15).update(
            {"budget": 30, OManager.name: "boss"}, synchronize_session="fetch") == 1
        assert (d.budget, d.name) == (30, "boss")
        assert s.query(OEngineer).filter(OEngineer.lang == "go").delete() == 1
        assert s.query(ODirector).delete() == 1
        assert d not in s
        s.commit()
    assert _raw(engine, "SELECT name, type FROM o_person ORDER BY id") == [
        ("p", "person"), ("e", "engineer"), ("m", "manager")]
    assert _raw(engine, "SELECT count(*) FROM o_director")[0][0] == 0
    assert _raw(engine, "SELECT id, budget FROM o_manager") == [(3, 10)]
    with Session(engine) as s:
        assert s.query(OEngineer).filter(OEngineer.name == "nobody").update({"lang": "x"}) == 0


def test_delete_of_a_joined_subclass_removes_child_rows_first(engine: Any,
                                                              statements: Any) -> None:
    _seed(engine, managers=True)
    with Session(engine) as s:
        statements.statements.clear()
        assert s.execute(delete(ODirector).where(ODirector.office == "top")).rowcount == 1
        assert [d.split()[2] for d in statements.sql("DELETE")] == [
            "o_director", "o_manager", "o_person"]
        s.commit()


def test_bulk_insert_and_update_by_key_of_a_joined_subclass(engine: Any) -> None:
    OBase.metadata.create_all(engine)
    with Session(engine) as s:
        s.execute(insert(OEngineer), [{"name": "a", "lang": "py"},
                                      {"name": "b", "lang": "go", "level": 2}])
        s.execute(insert(ODirector), [{"id": 10, "name": "d", "budget": 5, "office": "o"}])
        a = s.get(OEngineer, 1)
        s.execute(update(OEngineer), [{"id": 1, "name": "A", "lang": "rust"},
                                      {"id": 2, "level": 3}])
        assert (a.name, a.lang) == ("A", "rust")
        s.commit()
    assert _raw(engine, "SELECT p.id, p.name, p.type, e.lang, e.level FROM o_person p "
                        "JOIN o_engineer e ON e.id = p.id ORDER BY p.id") == [
        (1, "A", "engineer", "rust", None), (2, "b", "engineer", "go", 3)]
    assert _raw(engine, "SELECT d.id, m.budget, d.office FROM o_director d "
                        "JOIN o_manager m ON m.id = d.id") == [(10, 5, "o")]
    with Session(engine) as s, pytest.raises(exc.InvalidRequestError, match="lacks the prim"):
        s.execute(update(OEngineer), [{"lang": "x"}])


def test_returning_on_a_joined_subclass_update_raises(engine: Any) -> None:
    _seed(engine)
    with Session(engine) as s, pytest.raises(exc.InvalidRequestError, match="RETURNING"):
        s.execute(update(OEngineer).values(lang="x").returning(OEngineer.id))


# --------------------------------------------------------------------------------------
# discriminators: SQL expressions, column_property(), abstract classes, subclass-only ids

XBase = declarative_base()


class XEmp(XBase):
    __tablename__ = "x_emp"
    id = Column(Integer, primary_key=True)
    name = Column(String(30))
    kind = Column(String(10))
    __mapper_args__ = {
        "polymorphic_on": case((kind == "E", "engineer"), (kind == "M", "manager"),
                               else_="employee"),
        "polymorphic_identity": "employee",
    }


class XEng(XEmp):
    __mapper_args__ = {"polymorphic_identity": "engineer"}


class XMgr(XEmp):
    __mapper_args__ = {"polymorphic_identity": "manager"}


class XShape(XBase):
    __tablename__ = "x_shape"
    id = Column(Integer, primary_key=True)
    sides = Column(Integer)
    discriminator = column_property(case((sides == 3, "tri"), else_="shape"))
    __mapper_args__ = {"polymorphic_on": discriminator, "polymorphic_identity": "shape"}


class XTri(XShape):
    __mapper_args__ = {"polymorphic_identity": "tri"}


class XItem(XBase):
    __tablename__ = "x_item"
    id = Column(Integer, primary_key=True)
    type = Column(String(20), nullable=False)
    title = Column(String(20))
    __mapper_args__ = {"polymorphic_on": "type"}  # no identity: only subclasses are made


class XMedia(XItem):
    length = Column(Integer)
    __mapper_args__ = {"polymorphic_abstract": True}


class XBook(XMedia):
    __mapper_args__ = {"polymorphic_identity": "book"}


class XFilm(XMedia):
    __mapper_args__ = {"polymorphic_identity": "film"}


def test_polymorphic_on_a_case_expression(engine: Any) -> None:
    XBase.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([XEmp(name="a", kind="X"), XEmp(name="b", kind="E"), XEmp(name="c", kind="M")])
        s.commit()
    with Session(engine) as s:
        objs = s.scalars(select(XEmp).order_by(XEmp.id)).all()
        assert _names(objs) == [("XEmp", "a"), ("XEng", "b"), ("XMgr", "c")]
        assert _names(s.scalars(select(XEng)).all()) == [("XEng", "b")]
        assert s.query(XMgr).count() == 1
        s.expunge_all()
        assert type(s.get(XEmp, 3)) is XMgr
        s.expunge_all()
        assert _names(s.query(XEmp).options(load_only(XEmp.name)).order_by(XEmp.id).all()) == \
            _names(objs)
        s.add(XEng(name="z", kind="E"))  # the database computes the class from kind
        s.commit()
        assert s.scalars(select(XEng.name).order_by(XEng.id)).all() == ["b", "z"]


class MEmp(OBase):  # the expression over mapped_column() attributes of the class body
    __tablename__ = "m_emp"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    __mapper_args__ = {"polymorphic_on": case((kind == "E", "engineer"), else_="employee"),
                       "polymorphic_identity": "employee"}


class MEng(MEmp):
    __mapper_args__ = {"polymorphic_identity": "engineer"}


def test_polymorphic_on_a_case_over_mapped_columns(engine: Any) -> None:
    OBase.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([MEmp(kind="X"), MEmp(kind="E")])
        s.commit()
        s.expunge_all()
        assert [type(o) for o in s.scalars(select(MEmp).order_by(MEmp.id))] == [MEmp, MEng]
        assert [o.id for o in s.scalars(select(MEng))] == [2]


def test_polymorphic_on_a_column_property(engine: Any) -> None:
    XBase.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([XShape(sides=4), XShape(sides=3)])
        s.commit()
    with Session(engine) as s:
        shapes = s.scalars(select(XShape).order_by(XShape.id)).all()
        assert [(type(x).__name__, x.sides, x.discriminator) for x in shapes] == [
            ("XShape", 4, "shape"), ("XTri", 3, "tri")]
        assert [t.sides for t in s.scalars(select(XTri))] == [3]


def test_polymorphic_abstract_and_identities_only_on_subclasses(engine: Any) -> None:
    XBase.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([XBook(title="b", length=1), XFilm(title="f", length=2)])
        s.commit()
    assert _raw(engine, "SELECT title, type FROM x_item ORDER BY id") == [
        ("b", "book"), ("f", "film")]
    with Session(engine) as s:
        assert [type(o).__name__ for o in s.scalars(select(XItem).order_by(XItem.id))] == [
            "XBook", "XFilm"]
        assert [o.length for o in s.scalars(select(XMedia).order_by(XMedia.id))] == [1, 2]
        assert s.execute(update(XMedia).values(length=5)).rowcount == 2
    with pytest.raises(exc.InvalidRequestError, match="polymorphic_abstract=True.*XBook"):
        XMedia(title="m")


# --------------------------------------------------------------------------------------
# concrete table inheritance (each class its own table; no polymorphic loading)


class CEmployee(XBase):
    __tablename__ = "c_employee"
    id = Column(Integer, primary_key=True)
    name = Column(String(50))


class CManager(CEmployee):
    __tablename__ = "c_manager"
    __mapper_args__ = {"concrete": True}
    id = Column(Integer, primary_key=True)
    name = Column(String(50))
    manager_data = Column(String(40))


def test_concrete_subclass_maps_its_own_table(engine: Any) -> None:
    from athanor import inspect

    XBase.metadata.create_all(engine)
    assert [c.name for c in CManager.__table__.columns] == ["id", "name", "manager_data"]
    mapper = inspect(CManager)
    assert mapper.concrete and mapper.isa(inspect(CEmployee))
    assert not inspect(CEmployee).concrete
    with Session(engine) as s:
        s.add_all([CEmployee(name="e1"), CManager(name="m1", manager_data="md")])
        s.commit()
        assert _names(s.scalars(select(CEmployee)).all()) == [("CEmployee", "e1")]
        assert _names(s.scalars(select(CManager)).all()) == [("CManager", "m1")]
        s.expunge_all()
        emp, mgr = s.get(CEmployee, 1), s.get(CManager, 1)  # the same key, two classes
        assert (type(emp), type(mgr), mgr.manager_data) == (CEmployee, CManager, "md")
        mgr.manager_data = "new"
        s.commit()
        assert s.query(CManager).filter(CManager.name == "m1").update({"name": "M"}) == 1
        s.delete(emp)
        s.commit()
    assert _raw(engine, "SELECT id, name, manager_data FROM c_manager") == [(1, "M", "new")]
    assert _raw(engine, "SELECT count(*) FROM c_employee")[0][0] == 0


class CEngineer(CEmployee):
    __tablename__ = "c_engineer"
    __mapper_args__ = {"concrete": True}
    id = Column(Integer, primary_key=True)
    name = Column(String(50))
    level = Column(Integer)


def test_polymorphic_union_of_concrete_tables(engine: Any) -> None:
    XBase.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([CEmployee(name="e"), CManager(name="m", manager_data="md"),
                   CEngineer(name="g", level=3)])
        s.commit()
        pj = polymorphic_union({"employee": CEmployee.__table__, "manager": CManager.__table__,
                                "engineer": CEngineer.__table__}, "type", "pjoin")
        assert list(pj.c.keys()) == ["id", "name", "manager_data", "level", "type"]
        assert s.execute(select(pj).order_by(pj.c.type)).all() == [
            (1, "e", None, None, "employee"), (1, "g", None, 3, "engineer"),
            (1, "m", "md", None, "manager")]
        assert s.scalars(select(pj.c.name).where(pj.c.level > 1)).all() == ["g"]
        plain = polymorphic_union({"m": CManager.__table__, "g": CEngineer.__table__}, None,
                                  cast_nulls=False)
        assert list(plain.c.keys()) == ["id", "name", "manager_data", "level"]
        assert len(s.execute(select(plain)).all()) == 2


def test_concrete_base_is_refused_with_a_clear_error() -> None:
    from athanor.orm.exc import MappingError

    with pytest.raises(MappingError, match="ConcreteBase.*concrete': True"):
        class Shape(ConcreteBase, XBase):
            __tablename__ = "never"
            id = Column(Integer, primary_key=True)
