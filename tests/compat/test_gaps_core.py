"""Focused tests for Core/ORM compatibility gaps found by the compat programs: expanding
binds, regexp_match, case(value=), MySQL casts, DML prefixes, ON CONFLICT with an unnamed
constraint, foreign()/remote() in string and lambda joins, the extra public names."""

from __future__ import annotations

from typing import Any

import pytest

import athanor as sa
from athanor import orm


def _users(engine: Any) -> sa.Table:
    md = sa.MetaData()
    users = sa.Table("users", md, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("name", sa.String(20)), sa.Column("dept", sa.String(10)))
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(users.insert(), [{"name": "ann", "dept": "eng"},
                                      {"name": "bob", "dept": "eng"},
                                      {"name": "cat", "dept": "ops"}])
    return users


def test_expanding_bindparam_in_text_and_in(engine: Any) -> None:
    users = _users(engine)
    with engine.connect() as conn:
        stmt = sa.text("SELECT id FROM users WHERE name IN :names ORDER BY id").bindparams(
            sa.bindparam("names", expanding=True))
        assert conn.execute(stmt, {"names": ["ann", "cat"]}).scalars().all() == [1, 3]
        assert conn.execute(stmt, {"names": ("bob",)}).scalars().all() == [2]
        assert conn.execute(stmt, {"names": []}).scalars().all() == []
        ids = sa.select(users.c.name).where(users.c.id.in_(sa.bindparam("ids", expanding=True)))
        assert sorted(conn.execute(ids, {"ids": [2, 3]}).scalars()) == ["bob", "cat"]
        with pytest.raises(sa.exc.ArgumentError, match="list or tuple"):
            conn.execute(stmt, {"names": "ann"})


def test_regexp_match_and_case_value_and_cast(engine: Any) -> None:
    users = _users(engine)
    with engine.connect() as conn:
        got = conn.execute(sa.select(users.c.name).where(users.c.name.regexp_match("^[ab]"))
                           .order_by(users.c.id)).scalars().all()
        assert got == ["ann", "bob"]
        got = conn.execute(sa.select(users.c.name).where(~users.c.name.regexp_match("^[ab]"))
                           ).scalars().all()
        assert got == ["cat"]
        bucket = sa.case({"eng": 1, "ops": 2}, value=users.c.dept, else_=0)
        assert conn.execute(sa.select(bucket).order_by(users.c.id)).scalars().all() == [1, 1, 2]
        assert conn.execute(sa.select(sa.cast(users.c.id, sa.String)).where(
            users.c.id == 2)).scalar() == "2"
        assert str(conn.execute(sa.select(sa.cast(users.c.id, sa.Numeric(10, 2)))
                                .where(users.c.id == 2)).scalar()) in ("2", "2.00")


def test_prefix_with_on_insert(engine: Any) -> None:
    users = _users(engine)
    prefix = {"sqlite": "OR IGNORE", "mysql": "IGNORE"}.get(engine.dialect.name)
    if prefix is None:
        stmt = sa.insert(users).prefix_with("/* hint */").values(id=9, name="zed")
        with engine.begin() as conn:
            assert conn.execute(stmt).rowcount == 1
        return
    with engine.begin() as conn:
        r = conn.execute(sa.insert(users).prefix_with(prefix).values(id=1, name="dup"))
        assert r.rowcount == 0
        r = conn.execute(sa.insert(users).prefix_with("NOPE", dialect="other")
                         .values(id=7, name="g"))
        assert r.rowcount == 1


def test_on_conflict_with_unnamed_primary_key(engine: Any) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("ON CONFLICT ON CONSTRAINT is PostgreSQL's")
    from athanor.dialects.postgresql import insert

    users = _users(engine)
    stmt = insert(users).values(id=1, name="new")
    stmt = stmt.on_conflict_do_update(constraint=users.primary_key,
                                      set_={"name": stmt.excluded.name})
    with engine.begin() as conn:
        conn.execute(stmt)
        assert conn.execute(sa.select(users.c.name).where(users.c.id == 1)).scalar() == "new"


def test_foreign_in_string_and_lambda_primaryjoin(engine: Any) -> None:
    class Base(orm.DeclarativeBase):
        pass

    class Parent(Base):
        __tablename__ = "parent"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        kids = orm.relationship("Kid", primaryjoin="Parent.id == foreign(Kid.pid)",
                                order_by="Kid.id")
        late = orm.relationship(
            "Kid", viewonly=True, order_by="Kid.id",
            primaryjoin=lambda: sa.and_(Parent.id == orm.foreign(Kid.pid), Kid.id > 1))

    class Kid(Base):
        __tablename__ = "kid"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        pid: orm.Mapped[int | None] = orm.mapped_column()  # no ForeignKey

    Base.metadata.create_all(engine)
    with orm.Session(engine) as session:
        session.add(Parent(id=1, kids=[Kid(id=1), Kid(id=2)]))
        session.commit()
        parent = session.get(Parent, 1)
        assert [k.id for k in parent.kids] == [1, 2]
        assert [k.id for k in parent.late] == [2]


def test_orm_helpers() -> None:
    @orm.as_declarative()
    class Base:
        pass

    @orm.declarative_mixin
    class Named:
        name = sa.Column(sa.String(20))

    class Thing(Named, Base):
        __tablename__ = "thing"
        id = sa.Column(sa.Integer, primary_key=True)

    assert isinstance(Base.metadata, sa.MetaData)
    assert "name" in Thing.__table__.c
    assert not orm.has_inherited_table(Thing)
    assert orm.QueryableAttribute is orm.InstrumentedAttribute
    j = orm.outerjoin(Thing, sa.table("other", sa.column("thing_id")),
                      Thing.id == sa.column("thing_id"))
    assert "LEFT OUTER JOIN other" in str(sa.select(Thing.id).select_from(j))
    assert sa.nullsfirst is sa.nulls_first and sa.NVARCHAR(5).length == 5


def test_json_index_and_casts(engine: Any) -> None:
    md = sa.MetaData()
    t = sa.Table("docs", md, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("js", sa.JSON))
    md.create_all(engine)
    doc = {"x": 1, "y": [True, None], "s": "abc", "f": 1.5, "b": True, "n": {"z": "q"}}
    with engine.begin() as conn:
        conn.execute(t.insert(), {"id": 1, "js": doc})
        j = t.c.js
        row = conn.execute(sa.select(j["x"], j["y"], j["s"], j["s"].as_string(),
                                     j["x"].as_integer(), j["f"].as_float(),
                                     j["b"].as_boolean(), j["n"]["z"].as_string())).one()
        assert tuple(row) == (1, [True, None], "abc", "abc", 1, 1.5, True, "q")
        assert conn.execute(sa.select(t.c.id).where(j["x"].as_integer() == 1)).scalar() == 1
        assert conn.execute(sa.select(t.c.id).where(j["n"]["z"].as_string() == "q")).scalar() == 1
    with pytest.raises(sa.exc.ArgumentError, match="cannot be indexed"):
        t.c.id["x"]
    with pytest.raises(TypeError):
        list(t.c.id)


def test_orm_json_attribute_index(engine: Any) -> None:
    class Base(orm.DeclarativeBase):
        pass

    class Thing(Base):
        __tablename__ = "thing"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        data = orm.mapped_column(sa.JSON)

    Base.metadata.create_all(engine)
    with orm.Session(engine) as session:
        session.add_all([Thing(id=1, data={"k": 5}), Thing(id=2, data={"k": 7})])
        session.commit()
        stmt = sa.select(Thing.id).where(Thing.data["k"].as_integer() > 6)
        assert session.scalars(stmt).all() == [2]


def test_postgresql_array_and_jsonb_operators(engine: Any) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("ARRAY and JSONB operators are PostgreSQL's")
    from athanor.dialects import postgresql as pg

    md = sa.MetaData()
    t = sa.Table("pgt", md, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("tags", pg.ARRAY(sa.String(10))),
                 sa.Column("nums", sa.ARRAY(sa.Integer)), sa.Column("doc", pg.JSONB))
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(t.insert(), {"id": 1, "tags": ["a", "b"], "nums": [1, 2, 3],
                                  "doc": {"k": {"z": 1}, "l": [1]}})

        def one(expr: Any) -> Any:
            return conn.execute(sa.select(expr)).scalar()

        assert one(t.c.nums[2]) == 2
        assert one(t.c.doc["k"]["z"].astext) == "1"
        assert one(t.c.doc["k"]) == {"z": 1}
        for cond in (t.c.tags.any("a"), t.c.tags.contains(["b"]), t.c.doc.has_key("l"),
                     t.c.doc.contains({"l": [1]}), t.c.nums.overlap([3, 9]),
                     t.c.nums.contained_by([1, 2, 3, 4])):
            assert conn.execute(sa.select(t.c.id).where(cond)).scalar() == 1
        assert conn.execute(sa.select(t.c.id).where(t.c.tags.any("z"))).scalar() is None
