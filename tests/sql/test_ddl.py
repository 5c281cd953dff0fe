"""DDL rendering per dialect (no database): CREATE/DROP TABLE, indexes, keys, types."""

from __future__ import annotations

import enum
from typing import Any

import pytest

from athanor import exc
from athanor.dialects.mysql import MySQLDialect
from athanor.dialects.postgresql import PostgreSQLDialect
from athanor.dialects.sqlite import SQLiteDialect
from athanor.schema import (
    DDL,
    AddConstraint,
    CheckConstraint,
    Column,
    Computed,
    CreateIndex,
    CreateSequence,
    CreateTable,
    DropConstraint,
    DropIndex,
    DropTable,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Sequence,
    Table,
    UniqueConstraint,
)
from athanor.sql import func, text
from athanor.sql.ddl import CreateEnumType, DropEnumType
from athanor.sql.ddlrunner import plan_create, plan_drop
from athanor.types import (
    JSON,
    BigInteger,
    Boolean,
    Enum,
    Integer,
    String,
)

SQLITE, PG, MYSQL = SQLiteDialect(), PostgreSQLDialect(), MySQLDialect()


def ddl(element: Any, dialect: Any = None) -> str:
    return str(element.compile(dialect=dialect).string)


class Mood(enum.Enum):
    happy = 1
    sad = 2


@pytest.fixture
def users() -> Table:
    md = MetaData()
    return Table(
        "users", md,
        Column("id", Integer, primary_key=True),
        Column("name", String(50), nullable=False, unique=True),
        Column("email", String(100), index=True, server_default="none@example.com"),
        Column("order", Integer, comment="reserved word"),
        comment="people",
    )


def test_create_table_generic_text(users: Table) -> None:
    assert str(CreateTable(users)) == (
        "CREATE TABLE users (\n"
        "\tid INTEGER NOT NULL, \n"
        "\tname VARCHAR(50) NOT NULL, \n"
        "\temail VARCHAR(100) DEFAULT 'none@example.com', \n"
        '\t"order" INTEGER, \n'
        "\tPRIMARY KEY (id), \n"
        "\tUNIQUE (name)\n"
        ")"
    )


def test_autoincrement_primary_key_per_dialect(users: Table) -> None:
    assert "\tid INTEGER NOT NULL, \n" in ddl(CreateTable(users), SQLITE)
    assert "PRIMARY KEY (id)" in ddl(CreateTable(users), SQLITE)
    assert "\tid SERIAL NOT NULL, \n" in ddl(CreateTable(users), PG)
    my = ddl(CreateTable(users), MYSQL)
    assert "\tid INTEGER NOT NULL AUTO_INCREMENT, \n" in my
    assert "\t`order` INTEGER COMMENT 'reserved word', \n" in my
    assert my.endswith(") COMMENT='people'")


def test_big_integer_autoincrement_is_rowid_on_sqlite() -> None:
    t = Table("t", MetaData(), Column("id", BigInteger, primary_key=True))
    assert "id INTEGER NOT NULL" in ddl(CreateTable(t), SQLITE)
    assert "id BIGSERIAL NOT NULL" in ddl(CreateTable(t), PG)
    assert "id BIGINT NOT NULL AUTO_INCREMENT" in ddl(CreateTable(t), MYSQL)


def test_sqlite_autoincrement_keyword() -> None:
    t = Table("t", MetaData(), Column("id", Integer, primary_key=True),
              sqlite_autoincrement=True)
    assert ddl(CreateTable(t), SQLITE) == (
        "CREATE TABLE t (\n\tid INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT\n)"
    )


def test_composite_primary_key_has_no_autoincrement() -> None:
    t = Table("pairs", MetaData(), Column("a", Integer), Column("b", Integer),
              PrimaryKeyConstraint("a", "b", name="pk_pairs"))
    assert t.autoincrement_column is None
    assert [c.name for c in t.primary_key] == ["a", "b"]
    out = ddl(CreateTable(t), PG)
    assert "\ta INTEGER NOT NULL, \n\tb INTEGER NOT NULL" in out
    assert "CONSTRAINT pk_pairs PRIMARY KEY (a, b)" in out


def test_foreign_keys_with_actions_and_composite() -> None:
    md = MetaData()
    Table("p", md, Column("a", Integer, primary_key=True), Column("b", Integer, primary_key=True))
    c = Table(
        "c", md,
        Column("id", Integer, primary_key=True),
        Column("pid", Integer, ForeignKey("p.a", ondelete="CASCADE", onupdate="set null")),
        Column("x", Integer), Column("y", Integer),
        ForeignKeyConstraint(["x", "y"], ["p.a", "p.b"], name="fk_xy", deferrable=True,
                             initially="DEFERRED"),
    )
    out = ddl(CreateTable(c), PG)
    assert "FOREIGN KEY(pid) REFERENCES p (a) ON DELETE CASCADE ON UPDATE SET NULL" in out
    assert ("CONSTRAINT fk_xy FOREIGN KEY(x, y) REFERENCES p (a, b) DEFERRABLE "
            "INITIALLY DEFERRED") in out
    assert "DEFERRABLE" not in ddl(CreateTable(c), MYSQL)


def test_bad_referential_action_fails_on_compile() -> None:
    md = MetaData()
    Table("p", md, Column("id", Integer, primary_key=True))
    c = Table("c", md, Column("pid", ForeignKey("p.id", ondelete="EXPLODE")))
    with pytest.raises(exc.CompileError, match="not a referential action"):
        ddl(CreateTable(c))


def test_unique_check_and_named_constraints() -> None:
    t = Table(
        "t", MetaData(),
        Column("a", Integer), Column("b", String(10)),
        UniqueConstraint("a", "b", name="uq_ab"),
        CheckConstraint("a > 0", name="ck_a_positive"),
    )
    out = ddl(CreateTable(t), SQLITE)
    assert "CONSTRAINT uq_ab UNIQUE (a, b)" in out
    assert "CONSTRAINT ck_a_positive CHECK (a > 0)" in out


def test_check_constraint_from_expression_renders_literals() -> None:
    md = MetaData()
    t = Table("t", md, Column("a", Integer), Column("s", String(5)))
    t.append_constraint(CheckConstraint(t.c.a > 5, name="ck_a"))
    t.append_constraint(CheckConstraint(t.c.s != "it's", name="ck_s"))
    out = ddl(CreateTable(t), PG)
    assert "CONSTRAINT ck_a CHECK (a > 5)" in out
    assert "CONSTRAINT ck_s CHECK (s != 'it''s')" in out


def test_naming_convention() -> None:
    md = MetaData(naming_convention={
        "pk": "pk_%(table_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "ix": "ix_%(column_0_label)s",
    })
    Table("p", md, Column("id", Integer, primary_key=True))
    c = Table("c", md, Column("id", Integer, primary_key=True),
              Column("pid", ForeignKey("p.id"), unique=True),
              Column("n", Integer, index=True),
              CheckConstraint("n > 0", name="positive"))
    out = ddl(CreateTable(c), SQLITE)
    assert "CONSTRAINT pk_c PRIMARY KEY (id)" in out
    assert "CONSTRAINT uq_c_pid UNIQUE (pid)" in out
    assert "CONSTRAINT fk_c_pid_p FOREIGN KEY(pid) REFERENCES p (id)" in out
    assert "CONSTRAINT ck_c_positive CHECK (n > 0)" in out
    (index,) = c.indexes
    assert ddl(CreateIndex(index), SQLITE) == "CREATE INDEX ix_c_n ON c (n)"


def test_indexes(users: Table) -> None:
    (ix,) = users.indexes
    assert ix.name == "ix_users_email"  # Column(index=True) is named when it is attached
    assert ddl(CreateIndex(ix), PG) == "CREATE INDEX ix_users_email ON users (email)"
    assert ddl(DropIndex(ix), PG) == "DROP INDEX ix_users_email"
    assert ddl(DropIndex(ix), MYSQL) == "DROP INDEX ix_users_email ON users"
    composite = Index("ix_name_email", users.c.name, users.c.email, unique=True)
    assert composite.table is users
    assert ddl(CreateIndex(composite), SQLITE) == (
        "CREATE UNIQUE INDEX ix_name_email ON users (name, email)"
    )
    functional = Index("ix_lower", func.lower(users.c.name), _table=users)
    assert ddl(CreateIndex(functional), PG) == "CREATE INDEX ix_lower ON users (lower(name))"


def test_index_true_with_unique_makes_one_unique_index() -> None:
    t = Table("t", MetaData(), Column("code", String(5), index=True, unique=True))
    (ix,) = t.indexes
    assert ix.unique
    assert not [c for c in t.constraints if isinstance(c, UniqueConstraint)]
    assert ddl(CreateIndex(ix)) == "CREATE UNIQUE INDEX ix_t_code ON t (code)"


def test_drop_table(users: Table) -> None:
    assert ddl(DropTable(users), SQLITE) == "DROP TABLE users"
    assert ddl(DropTable(users, if_exists=True), MYSQL) == "DROP TABLE IF EXISTS users"


def test_server_defaults() -> None:
    t = Table(
        "t", MetaData(),
        Column("id", Integer, primary_key=True),
        Column("s", String(20), server_default="it's 100%"),
        Column("n", Integer, server_default=text("0")),
        Column("at", Integer, server_default=func.abs(-1)),
    )
    out = ddl(CreateTable(t), SQLITE)
    assert "s VARCHAR(20) DEFAULT 'it''s 100%'" in out
    assert "n INTEGER DEFAULT 0" in out
    assert "at INTEGER DEFAULT (abs(-1))" in out


def test_mysql_string_literal_escapes_backslash() -> None:
    t = Table("t", MetaData(), Column("s", String(20), server_default="a\\b"))
    assert "DEFAULT 'a\\\\b'" in ddl(CreateTable(t), MYSQL)
    assert "DEFAULT 'a\\b'" in ddl(CreateTable(t), PG)


def test_identity_sequence_and_computed() -> None:
    md = MetaData()
    t = Table(
        "t", md,
        Column("id", Integer, Identity(start=10, increment=5), primary_key=True),
        Column("n", Integer, Sequence("n_seq", start=3)),
        Column("double_id", Integer, Computed("id * 2", persisted=True)),
    )
    pg = ddl(CreateTable(t), PG)
    assert ("id INTEGER GENERATED BY DEFAULT AS IDENTITY (START WITH 10 INCREMENT BY 5) "
            "NOT NULL") in pg
    assert "n INTEGER DEFAULT nextval('n_seq')" in pg
    assert "double_id INTEGER GENERATED ALWAYS AS (id * 2) STORED" in pg
    assert "id INTEGER NOT NULL AUTO_INCREMENT" in ddl(CreateTable(t), MYSQL)
    assert "\tn INTEGER, \n" in ddl(CreateTable(t), SQLITE)
    assert ddl(CreateSequence(t.c.n.sequence), PG) == "CREATE SEQUENCE n_seq START WITH 3"
    plain = Table("p", MetaData(), Column("a", Integer), Column("b", Integer, Computed("a + 1")))
    assert "b INTEGER GENERATED ALWAYS AS (a + 1) STORED" in ddl(CreateTable(plain), PG)
    assert ddl(CreateTable(plain), MYSQL).endswith("b INTEGER GENERATED ALWAYS AS (a + 1)\n)")
    virtual = Table("v", MetaData(), Column("a", Integer),
                    Column("b", Integer, Computed("a + 1", persisted=False)))
    with pytest.raises(exc.CompileError, match="no VIRTUAL generated columns"):
        ddl(CreateTable(virtual), PG)


def test_enum_ddl_per_dialect() -> None:
    md = MetaData()
    t = Table("t", md, Column("mood", Enum(Mood)),
              Column("size", Enum("s", "m", "l", name="size", create_constraint=True)))
    assert "mood mood" in ddl(CreateTable(t), PG)
    assert "mood ENUM('happy', 'sad')" in ddl(CreateTable(t), MYSQL)
    lite = ddl(CreateTable(t), SQLITE)
    assert "mood VARCHAR(5)" in lite
    assert "CONSTRAINT size CHECK (size IN ('s', 'm', 'l'))" in lite
    assert "CHECK" not in ddl(CreateTable(t), PG)
    assert ddl(CreateEnumType(t.c.mood.type), PG) == (
        "CREATE TYPE mood AS ENUM ('happy', 'sad')"
    )
    assert ddl(DropEnumType(t.c.mood.type), PG) == "DROP TYPE mood"


def test_unnamed_string_enum_on_postgresql_fails_clearly() -> None:
    t = Table("t", MetaData(), Column("x", Enum("a", "b")))
    with pytest.raises(exc.CompileError, match="needs a name"):
        ddl(CreateTable(t), PG)


def test_boolean_constraint_only_without_native_boolean() -> None:
    t = Table("t", MetaData(), Column("flag", Boolean(create_constraint=True)))
    assert "CHECK (flag IN (0, 1))" in ddl(CreateTable(t), SQLITE)
    assert "CHECK" not in ddl(CreateTable(t), PG)


def test_mysql_needs_varchar_length() -> None:
    t = Table("t", MetaData(), Column("s", String))
    with pytest.raises(exc.CompileError, match="needs a length"):
        ddl(CreateTable(t), MYSQL)


def test_table_options_for_mysql() -> None:
    t = Table("t", MetaData(), Column("id", Integer, primary_key=True),
              mysql_engine="InnoDB", mysql_charset="utf8mb4")
    assert ddl(CreateTable(t), MYSQL).endswith(") CHARSET=utf8mb4 ENGINE=InnoDB")
    assert "ENGINE" not in ddl(CreateTable(t), PG)


def test_literal_ddl_and_alter_constraints() -> None:
    assert ddl(DDL("CREATE VIEW v AS SELECT 1"), SQLITE) == "CREATE VIEW v AS SELECT 1"
    md = MetaData()
    Table("a", md, Column("id", Integer, primary_key=True))
    b = Table("b", md, Column("id", Integer, primary_key=True),
              Column("a_id", ForeignKey("a.id", use_alter=True, name="fk_b_a")))
    (fkc,) = b.foreign_key_constraints
    assert "FOREIGN KEY" not in ddl(CreateTable(b), PG)
    assert ddl(AddConstraint(fkc), PG) == (
        "ALTER TABLE b ADD CONSTRAINT fk_b_a FOREIGN KEY(a_id) REFERENCES a (id)"
    )
    assert ddl(DropConstraint(fkc), PG) == "ALTER TABLE b DROP CONSTRAINT fk_b_a"
    assert ddl(DropConstraint(fkc), MYSQL) == "ALTER TABLE b DROP FOREIGN KEY fk_b_a"
    # SQLite cannot ALTER in constraints, so the key stays inline there.
    assert "FOREIGN KEY(a_id) REFERENCES a (id)" in ddl(CreateTable(b), SQLITE)


def test_ddl_compiled_has_the_compiled_interface(users: Table) -> None:
    compiled = CreateTable(users).compile(dialect=SQLITE)
    assert compiled.is_ddl and not compiled.is_select
    assert compiled.construct_params() is None
    assert compiled.result_columns == []


def test_plan_create_orders_types_tables_indexes_and_comments() -> None:
    md = MetaData()
    parent = Table("parent", md, Column("id", Integer, primary_key=True),
                   Column("mood", Enum(Mood)), comment="top")
    child = Table("child", md, Column("id", Integer, primary_key=True),
                  Column("pid", ForeignKey("parent.id"), index=True, comment="up"))
    plan = [ddl(e, PG) for e in plan_create(md.sorted_tables, PG)]
    assert plan[0] == "CREATE TYPE mood AS ENUM ('happy', 'sad')"
    assert plan[1].startswith("CREATE TABLE parent")
    assert plan[2] == "COMMENT ON TABLE parent IS 'top'"
    assert plan[3].startswith("CREATE TABLE child")
    assert plan[4] == "COMMENT ON COLUMN child.pid IS 'up'"
    assert plan[5] == "CREATE INDEX ix_child_pid ON child (pid)"
    drops = [ddl(e, PG) for e in plan_drop(md.sorted_tables, PG)]
    assert drops == ["DROP TABLE child", "DROP TABLE parent", "DROP TYPE mood"]
    assert [ddl(e, SQLITE) for e in plan_drop([parent, child], SQLITE)] == [
        "DROP TABLE child", "DROP TABLE parent"
    ]


def test_json_type_names() -> None:
    t = Table("t", MetaData(), Column("doc", JSON))
    assert "doc TEXT" in ddl(CreateTable(t), SQLITE)
    assert "doc JSON" in ddl(CreateTable(t), PG)
    assert "doc JSON" in ddl(CreateTable(t), MYSQL)
