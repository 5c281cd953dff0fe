"""MetaData, Table, Column and constraints as Python objects (no database)."""

from __future__ import annotations

import warnings

import pytest

from athanor import exc
from athanor.schema import (
    CheckConstraint,
    Column,
    ColumnDefault,
    DefaultClause,
    FetchedValue,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Sequence,
    Table,
    UniqueConstraint,
)
from athanor.sql import select, text
from athanor.types import Integer, NullType, String


def test_table_registers_in_metadata_and_exposes_columns() -> None:
    md = MetaData()
    t = Table("users", md, Column("id", Integer, primary_key=True), Column("name", String(20)))
    assert md.tables["users"] is t
    assert "users" in md and t in md
    assert t.c.id.table is t and t.c.name.type.length == 20
    assert t.c.keys() == ["id", "name"]
    assert [c.name for c in t.primary_key] == ["id"]
    assert t.c.id.nullable is False and t.c.name.nullable is True
    assert t.metadata is md and t.fullname == "users"


def test_table_is_an_expression_source() -> None:
    t = Table("users", MetaData(), Column("id", Integer, primary_key=True))
    assert str(select(t).where(t.c.id == 5)) == "SELECT users.id FROM users WHERE users.id = :id_1"


def test_same_name_returns_existing_or_needs_extend_existing() -> None:
    md = MetaData()
    t = Table("t", md, Column("id", Integer, primary_key=True))
    assert Table("t", md) is t
    with pytest.raises(exc.InvalidRequestError, match="extend_existing=True"):
        Table("t", md, Column("x", Integer))
    again = Table("t", md, Column("x", Integer), extend_existing=True)
    assert again is t and t.c.keys() == ["id", "x"]
    assert Table("t", md, Column("y", Integer), keep_existing=True) is t
    assert "y" not in t.c


def test_schema_qualified_table_key() -> None:
    md = MetaData()
    t = Table("t", md, Column("id", Integer), schema="other")
    assert md.tables["other.t"] is t and t.fullname == "other.t"
    assert MetaData(schema="s").schema == "s"


def test_unknown_keyword_is_refused_but_dialect_options_kept() -> None:
    with pytest.raises(exc.ArgumentError, match="unknown keyword argument"):
        Table("t", MetaData(), Column("id", Integer), colour="red")
    t = Table("t", MetaData(), Column("id", Integer), mysql_engine="InnoDB")
    assert t.dialect_kwargs == {"mysql_engine": "InnoDB"}
    with pytest.raises(exc.ArgumentError, match="nulable"):
        Column("x", Integer, nulable=False)


def test_table_needs_metadata() -> None:
    with pytest.raises(exc.ArgumentError, match="MetaData"):
        Table("t", Column("id", Integer))  # type: ignore[arg-type]


def test_column_without_name_is_named_later() -> None:
    col = Column(Integer, primary_key=True)
    assert col.name is None
    with pytest.raises(exc.ArgumentError, match="no name"):
        Table("t", MetaData(), col)
    col.name = col.key = "id"
    t = Table("t2", MetaData())
    t.append_column(col)
    assert t.c.id is col and [c.name for c in t.primary_key] == ["id"]


def test_column_key_differs_from_name() -> None:
    t = Table("t", MetaData(), Column("user name", String(10), key="username"))
    assert t.c.username.name == "user name"


def test_defaults_are_wrapped() -> None:
    calls = []
    t = Table(
        "t", MetaData(),
        Column("a", Integer, default=5),
        Column("b", Integer, default=lambda: calls.append(1) or 7),
        Column("c", Integer, default=lambda ctx: 8),
        Column("d", String(5), server_default="x", onupdate=lambda: 9),
        Column("e", Integer, server_default=FetchedValue()),
        Column("f", Integer, server_default=text("1")),
    )
    a, b, c = t.c.a.default, t.c.b.default, t.c.c.default
    assert isinstance(a, ColumnDefault) and a.is_scalar and a.arg == 5
    assert b.is_callable and b.arg(None) == 7 and calls == [1]
    assert c.is_callable and c.arg(None) == 8
    assert t.c.d.onupdate.is_callable and t.c.d.onupdate.arg(None) == 9
    assert isinstance(t.c.d.server_default, DefaultClause) and t.c.d.server_default.arg == "x"
    assert t.c.e.server_default.is_server_default
    assert t.c.f.server_default.arg.text == "1"
    with pytest.raises(exc.ArgumentError, match="server default"):
        Column("g", Integer, server_default=5)


def test_column_type_from_foreign_key() -> None:
    md = MetaData()
    Table("p", md, Column("id", String(8), primary_key=True))
    c = Table("c", md, Column("pid", ForeignKey("p.id")))
    assert isinstance(c.c.pid.type, String) and c.c.pid.type.length == 8


def test_foreign_key_resolves_lazily_in_any_order() -> None:
    md = MetaData()
    child = Table("child", md, Column("id", Integer, primary_key=True),
                  Column("pid", Integer, ForeignKey("parent.id")))
    parent = Table("parent", md, Column("id", Integer, primary_key=True))
    (fk,) = child.c.pid.foreign_keys
    assert fk.column is parent.c.id and fk.parent is child.c.pid
    assert fk.references(parent) and not fk.references(child)
    assert fk.target_fullname == "parent.id"
    assert fk.constraint in child.foreign_key_constraints
    assert child.foreign_keys == {fk}
    assert child.c.pid.references(parent.c.id)


def test_foreign_key_errors_name_the_problem() -> None:
    md = MetaData()
    Table("p", md, Column("id", Integer, primary_key=True))
    t = Table("c", md, Column("a", Integer, ForeignKey("nope.id")),
              Column("b", Integer, ForeignKey("p.nope")))
    (fa,) = t.c.a.foreign_keys
    (fb,) = t.c.b.foreign_keys
    with pytest.raises(exc.NoReferencedTableError, match="no table 'nope'") as err:
        fa.column  # noqa: B018
    assert err.value.table_name == "nope"
    with pytest.raises(exc.NoReferencedColumnError, match="has no column 'nope'; its columns"):
        fb.column  # noqa: B018
    with pytest.raises(exc.ArgumentError, match="'table.column'"):
        Table("d", md, Column("x", Integer, ForeignKey("justone"))).c.x.type  # noqa: B018
        next(iter(md.tables["d"].c.x.foreign_keys)).column  # noqa: B018


def test_foreign_key_to_column_object() -> None:
    md = MetaData()
    p = Table("p", md, Column("id", Integer, primary_key=True))
    c = Table("c", md, Column("pid", Integer, ForeignKey(p.c.id)))
    assert next(iter(c.c.pid.foreign_keys)).column is p.c.id


def test_composite_foreign_key_constraint() -> None:
    md = MetaData()
    p = Table("p", md, Column("a", Integer, primary_key=True), Column("b", Integer,
                                                                     primary_key=True))
    c = Table("c", md, Column("x", Integer), Column("y", Integer),
              ForeignKeyConstraint(["x", "y"], ["p.a", "p.b"], ondelete="CASCADE"))
    (fkc,) = c.foreign_key_constraints
    assert [col.name for col in fkc.columns] == ["x", "y"]
    assert all(fk.column is col for fk, col in zip(fkc.elements, [p.c.a, p.c.b], strict=True))
    assert fkc.referred_table is p and fkc.ondelete == "CASCADE"
    with pytest.raises(exc.ArgumentError, match="2 local columns but 1"):
        ForeignKeyConstraint(["x", "y"], ["p.a"])


def test_constraints_resolve_names_and_reject_unknown_columns() -> None:
    md = MetaData()
    t = Table("t", md, Column("a", Integer), Column("b", Integer),
              PrimaryKeyConstraint("a", "b"), UniqueConstraint("b"), CheckConstraint("a > b"))
    assert [c.name for c in t.primary_key] == ["a", "b"]
    assert t.c.a.primary_key and t.c.b.nullable is False
    kinds = sorted(type(c).__name__ for c in t.constraints)
    assert kinds == ["CheckConstraint", "PrimaryKeyConstraint", "UniqueConstraint"]
    with pytest.raises(exc.ArgumentError, match="has no column 'zz'"):
        Table("u", md, Column("a", Integer), UniqueConstraint("zz"))


def test_index_attaches_to_the_columns_table() -> None:
    t = Table("t", MetaData(), Column("a", Integer), Column("b", Integer, index=True))
    ix = Index("ix_ab", t.c.a, t.c.b, unique=True)
    assert ix in t.indexes and ix.table is t and ix.unique
    assert len(t.indexes) == 2


def test_sorted_tables_follow_foreign_keys() -> None:
    md = MetaData()
    Table("c", md, Column("id", Integer, primary_key=True),
          Column("b_id", ForeignKey("b.id")))
    Table("b", md, Column("id", Integer, primary_key=True), Column("a_id", ForeignKey("a.id")),
          Column("parent", ForeignKey("b.id")))
    Table("a", md, Column("id", Integer, primary_key=True))
    Table("z", md, Column("id", Integer, primary_key=True))
    assert [t.name for t in md.sorted_tables] == ["a", "z", "b", "c"]


def test_foreign_key_cycle_warns_unless_use_alter() -> None:
    md = MetaData()
    Table("a", md, Column("id", Integer, primary_key=True), Column("b_id", ForeignKey("b.id")))
    Table("b", md, Column("id", Integer, primary_key=True), Column("a_id", ForeignKey("a.id")))
    with pytest.warns(exc.AthanorWarning, match="cycle"):
        assert sorted(t.name for t in md.sorted_tables) == ["a", "b"]
    md2 = MetaData()
    Table("a", md2, Column("id", Integer, primary_key=True),
          Column("b_id", ForeignKey("b.id", use_alter=True)))
    Table("b", md2, Column("id", Integer, primary_key=True), Column("a_id", ForeignKey("a.id")))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [t.name for t in md2.sorted_tables] == ["a", "b"]


def test_autoincrement_column_rules() -> None:
    md = MetaData()
    assert Table("a", md, Column("id", Integer, primary_key=True)).autoincrement_column is not None
    assert Table("b", md, Column("id", String(5), primary_key=True)).autoincrement_column is None
    assert Table("c", md, Column("id", Integer, primary_key=True, autoincrement=False)
                 ).autoincrement_column is None
    assert Table("d", md, Column("id", Integer, primary_key=True, default=5)
                 ).autoincrement_column is None
    t = Table("e", md, Column("a", Integer, primary_key=True),
              Column("b", Integer, primary_key=True, autoincrement=True))
    assert t.autoincrement_column is t.c.b


def test_sequence_attaches_to_column() -> None:
    seq = Sequence("s", start=5)
    t = Table("t", MetaData(), Column("id", Integer, seq, primary_key=True))
    assert t.c.id.sequence is seq and seq.column is t.c.id


def test_column_copy_is_unattached() -> None:
    md = MetaData()
    Table("p", md, Column("id", Integer, primary_key=True))
    col = Column("pid", Integer, ForeignKey("p.id"), nullable=False, default=3)
    Table("one", md, col)
    copy = col._copy()
    assert copy.table is None and copy.name == "pid" and copy.default.arg == 3
    Table("two", md, copy)
    assert next(iter(copy.foreign_keys)).column is md.tables["p"].c.id
    assert copy.nullable is False


def test_untyped_column_is_nulltype() -> None:
    assert isinstance(Column("x").type, NullType)


def test_metadata_remove_and_clear() -> None:
    md = MetaData()
    t = Table("t", md, Column("id", Integer))
    md.remove(t)
    assert "t" not in md
    Table("u", md, Column("id", Integer))
    md.clear()
    assert md.tables == {}


def test_a_column_belongs_to_one_table() -> None:
    md = MetaData()
    col = Column("id", Integer)
    Table("a", md, col)
    with pytest.raises(exc.ArgumentError, match="already belongs to Table 'a'"):
        Table("b", md, col)


def test_metadata_pickles_and_copies() -> None:
    import copy
    import pickle

    md = MetaData()
    t = Table("t", md, Column("id", Integer, primary_key=True), Column("s", String(5)))
    back = pickle.loads(pickle.dumps(md))
    t2 = back.tables["t"]
    assert t2.c.keys() == ["id", "s"] and t2.c.id.table is t2
    assert [c.name for c in t2.primary_key] == ["id"]
    assert copy.copy(t).name == "t"
