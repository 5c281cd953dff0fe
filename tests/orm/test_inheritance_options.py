"""Mapper inheritance with column loader options, with_polymorphic(), bulk statements.

Two small hierarchies on every backend: single-table (``OEmp`` / ``OMgr``) and joined-table
(``OPerson`` / ``OEngineer``), each with a ``polymorphic_on`` discriminator. The expected
results were checked against SQLAlchemy 2.0 running the same programs.
"""

from __future__ import annotations

from typing import Any

import pytest

from athanor import ForeignKey, String, exc, select, text
from athanor.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    defer,
    load_only,
    mapped_column,
    raiseload,
    undefer,
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


class OPerson(_Columns, OBase):
    __tablename__ = "o_person"
    __mapper_args__ = {"polymorphic_on": "type", "polymorphic_identity": "person"}


class OEngineer(OPerson):
    __tablename__ = "o_engineer"
    id: Mapped[int] = mapped_column(ForeignKey("o_person.id"), primary_key=True)
    lang: Mapped[str | None] = mapped_column(String(30))
    level: Mapped[int | None]
    __mapper_args__ = {"polymorphic_identity": "engineer"}


def _seed(engine: Any) -> None:
    OBase.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([OEmp(name="a", extra="x"), OMgr(name="b", extra="y", mstuff="m"),
                   OPerson(name="p", extra="px"), OEngineer(name="e", extra="ex", lang="py",
                                                            level=2)])
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
