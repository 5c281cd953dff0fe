"""create_all / drop_all and the DDL they emit, run on every backend."""

from __future__ import annotations

import enum
from typing import Any

import pytest

from athanor import exc, select
from athanor.schema import (
    Column,
    Computed,
    ForeignKey,
    Identity,
    Index,
    MetaData,
    Sequence,
    Table,
)
from athanor.sql import func, text
from athanor.sql.ddl import ddl_compiler_for
from athanor.types import Boolean, DateTime, Enum, Integer, Numeric, String


class Status(enum.Enum):
    active = 1
    closed = 2


def _exists(engine: Any, name: str) -> bool:
    with engine.connect() as conn:
        return bool(ddl_compiler_for(engine.dialect).has_table(conn, name))


def _schema() -> tuple[MetaData, Table, Table]:
    md = MetaData()
    users = Table(
        "users", md,
        Column("id", Integer, primary_key=True),
        Column("name", String(50), nullable=False, unique=True),
        Column("status", Enum(Status), nullable=False, server_default="active"),
        Column("score", Numeric(8, 2), server_default=text("0")),
        Column("note", String(20), server_default="it's 100%", comment="a comment"),
        comment="people",
    )
    posts = Table(
        "posts", md,
        Column("id", Integer, primary_key=True),
        Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
               index=True),
        Column("title", String(100)),
        Index("ix_posts_user_title", "user_id", "title", unique=True),
    )
    return md, users, posts


def test_create_all_and_drop_all(engine: Any) -> None:
    md, users, posts = _schema()
    md.create_all(engine)
    assert _exists(engine, "users") and _exists(engine, "posts")
    md.create_all(engine)  # checkfirst: nothing to do
    with engine.begin() as conn:
        conn.execute(users.insert(), [{"name": "ann"}, {"name": "bob"}])
        rows = conn.execute(select(users).order_by(users.c.id)).all()
        assert [(r.id, r.name, r.status, r.note) for r in rows] == [
            (1, "ann", Status.active, "it's 100%"), (2, "bob", Status.active, "it's 100%")
        ]
        assert rows[0].score == 0
        conn.execute(posts.insert(), {"user_id": 1, "title": "hello"})
    md.drop_all(engine)
    assert not _exists(engine, "users") and not _exists(engine, "posts")
    md.drop_all(engine)  # checkfirst: nothing to do
    md.create_all(engine)  # enum types and tables come back cleanly
    md.drop_all(engine)


def test_create_all_without_checkfirst_fails_on_existing(engine: Any) -> None:
    md, _, _ = _schema()
    md.create_all(engine, checkfirst=False)
    with pytest.raises(exc.DBAPIError):
        md.create_all(engine, checkfirst=False)


def test_unique_constraint_and_index_are_enforced(engine: Any) -> None:
    md, users, posts = _schema()
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(users.insert(), {"name": "ann"})
        conn.execute(posts.insert(), {"user_id": 1, "title": "t"})
    with pytest.raises(exc.IntegrityError), engine.begin() as conn:
        conn.execute(users.insert(), {"name": "ann"})
    with pytest.raises(exc.IntegrityError), engine.begin() as conn:
        conn.execute(posts.insert(), {"user_id": 1, "title": "t"})


def test_create_all_on_a_connection_and_subset(engine: Any) -> None:
    md, users, posts = _schema()
    with engine.begin() as conn:
        md.create_all(conn, tables=[users])
    assert _exists(engine, "users") and not _exists(engine, "posts")
    posts.create(engine)
    assert _exists(engine, "posts")
    md.drop_all(engine, tables=[posts])
    assert _exists(engine, "users") and not _exists(engine, "posts")
    users.drop(engine)
    assert not _exists(engine, "users")


def test_enum_types_follow_their_tables(engine: Any) -> None:
    md, users, posts = _schema()
    other = Table("other", md, Column("id", Integer, primary_key=True),
                  Column("status", Enum(Status)))
    md.create_all(engine)
    md.drop_all(engine, tables=[users, posts])  # "other" still uses the type: it stays
    with engine.begin() as conn:
        conn.execute(other.insert(), {"status": Status.closed})
        assert conn.execute(select(other.c.status)).scalar() is Status.closed
    md.drop_all(engine)
    compiler = ddl_compiler_for(engine.dialect)
    if compiler.creates_enum_types:
        with engine.connect() as conn:
            assert not compiler.has_type(conn, "status")


def test_foreign_key_cycle_with_use_alter(engine: Any) -> None:
    md = MetaData()
    Table("dept", md, Column("id", Integer, primary_key=True),
          Column("head_id", Integer, ForeignKey("emp.id", use_alter=True, name="fk_dept_head")))
    Table("emp", md, Column("id", Integer, primary_key=True),
          Column("dept_id", Integer, ForeignKey("dept.id")))
    md.create_all(engine)
    assert _exists(engine, "dept") and _exists(engine, "emp")
    md.drop_all(engine)
    assert not _exists(engine, "dept")


def test_autoincrement_identity_and_computed(engine: Any) -> None:
    md = MetaData()
    t = Table(
        "t", md,
        Column("id", Integer, Identity(), primary_key=True),
        Column("n", Integer, nullable=False),
        Column("twice", Integer, Computed("n * 2", persisted=True)),
        Column("flag", Boolean, server_default=text("1") if not engine.dialect
               .supports_native_boolean else text("true")),
        Column("made", DateTime, server_default=func.current_timestamp()),
    )
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(t.insert(), [{"n": 1}, {"n": 2}])
        rows = conn.execute(select(t.c.id, t.c.twice, t.c.flag).order_by(t.c.id)).all()
        made = conn.execute(select(t.c.made)).scalars().first()
    assert [tuple(r) for r in rows] == [(1, 2, True), (2, 4, True)]
    assert made is not None and made.year >= 2024


def test_sequence_feeds_the_column(engine: Any, require: Any) -> None:
    require(engine, "sequences")
    md = MetaData()
    t = Table("t", md, Column("id", Integer, Sequence("t_id_seq", start=100), primary_key=True),
              Column("x", Integer))
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(t.insert(), [{"x": 1}, {"x": 2}])
        assert conn.execute(select(t.c.id).order_by(t.c.id)).scalars().all() == [100, 101]
    md.drop_all(engine)
    md.create_all(engine)  # the sequence was dropped with the table
    md.drop_all(engine)


def test_hostile_identifiers_are_quoted(engine: Any) -> None:
    md = MetaData()
    t = Table("select", md, Column("order", Integer, primary_key=True),
              Column("from", String(10), index=True), Column("Mixed Case", Integer))
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(t.insert(), {"order": 1, "from": "x", "Mixed Case": 3})
        assert tuple(conn.execute(select(t)).one()) == (1, "x", 3)
    md.drop_all(engine)
    assert not _exists(engine, "select")


def test_enum_type_create_and_drop_by_hand(engine: Any) -> None:
    mood = Enum(Status, name="hand_status")
    mood.create(engine)
    mood.create(engine)  # checkfirst
    compiler = ddl_compiler_for(engine.dialect)
    with engine.connect() as conn:
        assert compiler.has_type(conn, "hand_status") is compiler.creates_enum_types
    mood.drop(engine)
    mood.drop(engine)
    with engine.connect() as conn:
        assert not compiler.has_type(conn, "hand_status")
