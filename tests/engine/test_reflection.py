"""Schema reflection: the Inspector, ``Table(..., autoload_with=...)`` and ``MetaData.reflect``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import athanor as sa
from athanor import orm


def _schema(engine: Any) -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("parent", md,
             sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(30), nullable=False, unique=True),
             sa.Column("price", sa.Numeric(10, 2)),
             sa.Column("note", sa.Text),
             sa.Column("qty", sa.Integer, server_default="0"),
             sa.Column("at", sa.DateTime),
             sa.Column("code", sa.CHAR(3)),
             sa.Index("ix_parent_price", "price"))
    sa.Table("child", md,
             sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("parent_id", sa.Integer,
                       sa.ForeignKey("parent.id", ondelete="CASCADE"), nullable=False),
             sa.Column("label", sa.String(20)))
    sa.Table("pair", md, sa.Column("a", sa.Integer, primary_key=True),
             sa.Column("b", sa.String(5), primary_key=True))
    md.create_all(engine)
    return md


def test_inspector_answers_catalog_questions(engine: Any) -> None:
    _schema(engine)
    insp = sa.inspect(engine)
    assert insp.get_table_names() == ["child", "pair", "parent"]
    cols = insp.get_columns("parent")
    assert [(c["name"], c["nullable"]) for c in cols] == [
        ("id", False), ("name", False), ("price", True), ("note", True), ("qty", True),
        ("at", True), ("code", True)]
    assert isinstance(cols[1]["type"], sa.String) and cols[1]["type"].length == 30
    assert (cols[2]["type"].precision, cols[2]["type"].scale) == (10, 2)
    assert cols[6]["type"].length == 3
    assert "0" in str(cols[4]["default"])
    assert insp.get_pk_constraint("pair")["constrained_columns"] == ["a", "b"]
    [fk] = insp.get_foreign_keys("child")
    assert (fk["constrained_columns"], fk["referred_table"], fk["referred_columns"]) == (
        ["parent_id"], "parent", ["id"])
    assert fk["options"] == {"ondelete": "CASCADE"}
    indexes = {ix["name"]: ix for ix in insp.get_indexes("parent")}
    assert indexes["ix_parent_price"]["column_names"] == ["price"]
    assert not indexes["ix_parent_price"]["unique"]
    assert [u["column_names"] for u in insp.get_unique_constraints("parent")] == [["name"]]
    with engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == ["child", "pair", "parent"]


def test_inspector_missing_table_raises_no_such_table(engine: Any) -> None:
    with pytest.raises(sa.exc.NoSuchTableError, match="'nope'"):
        sa.inspect(engine).get_columns("nope")


def test_autoload_with_builds_a_usable_table(engine: Any) -> None:
    _schema(engine)
    md = sa.MetaData()
    child = sa.Table("child", md, autoload_with=engine)
    assert sorted(md.tables) == ["child", "parent"]  # the referred table came along
    parent = md.tables["parent"]
    assert [c.name for c in parent.primary_key] == ["id"]
    assert parent.c.name.nullable is False
    assert [fk.column for fk in child.c.parent_id.foreign_keys] == [parent.c.id]
    # (MySQL keeps a unique constraint as a unique index: reflected as one, like SQLAlchemy)
    assert [i.name for i in parent.indexes if not i.unique] == ["ix_parent_price"]
    with engine.begin() as conn:
        conn.execute(parent.insert().values(name="p", price=Decimal("2.50")))
        pid = conn.execute(sa.select(parent.c.id)).scalar_one()
        conn.execute(child.insert(), [{"parent_id": pid, "label": "x"},
                                      {"parent_id": pid, "label": "y"}])
        rows = conn.execute(sa.select(parent.c.name, parent.c.price, parent.c.qty, child.c.label)
                            .join_from(parent, child).order_by(child.c.label)).all()
    assert [tuple(r) for r in rows] == [("p", Decimal("2.50"), 0, "x"),
                                        ("p", Decimal("2.50"), 0, "y")]


def test_autoload_keeps_declared_columns_and_include_columns(engine: Any) -> None:
    _schema(engine)
    t = sa.Table("parent", sa.MetaData(), sa.Column("note", sa.String(200)),
                 autoload_with=engine, include_columns=["id", "name", "note"])
    assert [c.name for c in t.columns] == ["id", "name", "note"]
    assert type(t.c.note.type) is sa.String and t.c.note.type.length == 200


def test_autoload_of_missing_table_leaves_metadata_clean(engine: Any) -> None:
    md = sa.MetaData()
    with pytest.raises(sa.exc.NoSuchTableError):
        sa.Table("nope", md, autoload_with=engine)
    assert "nope" not in md.tables


def test_computed_columns_are_created_and_reflected(engine: Any) -> None:
    md = sa.MetaData()
    sa.Table("gen", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("v", sa.Integer),
             sa.Column("twice", sa.Integer, sa.Computed("v * 2")))  # STORED on PG < 18
    md.create_all(engine)
    try:
        cols = {c["name"]: c for c in sa.inspect(engine).get_columns("gen")}
        assert "v" in cols["twice"]["computed"]["sqltext"] and "computed" not in cols["v"]
        again = sa.Table("gen", sa.MetaData(), autoload_with=engine)
        assert again.c.twice.computed is not None
        with engine.begin() as conn:
            conn.execute(again.insert().values(id=1, v=21))  # the computed column is not written
            assert conn.execute(sa.select(again.c.twice)).scalar() == 42
    finally:
        md.drop_all(engine)


def test_metadata_reflect_only_and_views(engine: Any) -> None:
    _schema(engine)
    md = sa.MetaData()
    md.reflect(bind=engine)
    assert sorted(md.tables) == ["child", "pair", "parent"]
    only = sa.MetaData()
    only.reflect(engine, only=["pair"])
    assert sorted(only.tables) == ["pair"]
    with pytest.raises(sa.exc.InvalidRequestError, match="nope"):
        sa.MetaData().reflect(engine, only=["nope"])
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE VIEW v_parent AS SELECT id, name FROM parent"))
    try:
        assert sa.inspect(engine).get_view_names() == ["v_parent"]
        views = sa.MetaData()
        views.reflect(engine, views=True, only=lambda name, _: name.startswith("v_"))
        assert [c.name for c in views.tables["v_parent"].columns] == ["id", "name"]
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP VIEW v_parent"))


def test_declarative_class_over_reflected_table(engine: Any) -> None:
    _schema(engine)

    class Base(orm.DeclarativeBase):
        pass

    class Parent(Base):
        __table__ = sa.Table("parent", Base.metadata, autoload_with=engine)

    with orm.Session(engine) as session:
        session.add(Parent(name="r", code="abc"))
        session.commit()
        assert session.scalars(sa.select(Parent.code)).all() == ["abc"]


def test_async_engine_is_refused_with_run_sync_hint() -> None:
    class AsyncEngine:  # what a user might pass by mistake
        dialect = None

    with pytest.raises(sa.exc.ArgumentError, match="run_sync"):
        sa.Table("t", sa.MetaData(), autoload_with=AsyncEngine())
