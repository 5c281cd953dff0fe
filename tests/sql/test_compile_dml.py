"""INSERT / UPDATE / DELETE / RETURNING / upsert compiled per dialect, no database."""

from __future__ import annotations

from typing import Any

import pytest

from athanor import exc
from athanor.dialects.mysql import MySQLDialect
from athanor.dialects.postgresql import PostgreSQLDialect
from athanor.dialects.sqlite import SQLiteDialect
from athanor.sql import bindparam, delete, func, insert, select, update
from athanor.sql.schema import Column, MetaData, Table
from athanor.sql.types import Integer, String

DIALECTS = {"sqlite": SQLiteDialect, "postgresql": PostgreSQLDialect, "mysql": MySQLDialect}

m = MetaData()
items = Table(
    "items", m, Column("id", Integer, primary_key=True), Column("name", String(30)),
    Column("qty", Integer, default=1),
)


def compile_(stmt: Any, dialect: str = "sqlite", params: Any = None,
             column_keys: Any = None) -> tuple[str, Any]:
    d = DIALECTS[dialect]()
    compiled, extracted = d.compile_statement(stmt, column_keys=column_keys)
    return compiled.string, compiled.construct_params(params or {}, extracted)


def test_insert_values_single_row_with_python_default() -> None:
    assert compile_(items.insert().values(name="a")) == (
        "INSERT INTO items (name, qty) VALUES (?, ?)", ("a", 1))
    assert compile_(insert(items).values({"name": "b", "qty": 4}), "mysql") == (
        "INSERT INTO items (name, qty) VALUES (%s, %s)", ("b", 4))


def test_postgresql_fetches_new_key_with_implicit_returning() -> None:
    d = PostgreSQLDialect()
    compiled, _ = d.compile_statement(insert(items).values(name="b"))
    assert compiled.string == "INSERT INTO items (name, qty) VALUES (%s, %s) RETURNING id"
    assert compiled.implicit_returning and compiled.has_returning
    compiled, _ = d.compile_statement(insert(items).values(id=5, name="b"))
    assert compiled.string == "INSERT INTO items (id, name, qty) VALUES (%s, %s, %s)"
    assert not compiled.implicit_returning


def test_insert_columns_from_parameter_keys() -> None:
    sql, params = compile_(items.insert(), params={"id": 3, "name": "x"},
                           column_keys=["id", "name"])
    assert sql == "INSERT INTO items (id, name, qty) VALUES (?, ?, ?)"
    assert params == (3, "x", 1)
    d = SQLiteDialect()
    compiled, extracted = d.compile_statement(items.insert(), column_keys=["name"])
    rows = compiled.construct_params_many([{"name": "a"}, {"name": "b"}], extracted)
    assert rows == [("a", 1), ("b", 1)]


def test_insert_multi_row_values() -> None:
    stmt = items.insert().values([{"name": "a", "qty": 1}, {"name": "b", "qty": 2}])
    assert compile_(stmt, "mysql") == (
        "INSERT INTO items (name, qty) VALUES (%s, %s), (%s, %s)", ("a", 1, "b", 2))


def test_insert_from_select() -> None:
    src = select(items.c.name, items.c.qty).where(items.c.qty > 5)
    stmt = items.insert().from_select(["name", "qty"], src)
    assert compile_(stmt) == ("INSERT INTO items (name, qty) SELECT items.name, items.qty "
                              "FROM items WHERE items.qty > ?", (5,))


@pytest.mark.parametrize("dialect,sql", [
    ("sqlite", "INSERT INTO t DEFAULT VALUES"),
    ("postgresql", "INSERT INTO t DEFAULT VALUES RETURNING id"),
    ("mysql", "INSERT INTO t () VALUES ()"),
])
def test_insert_with_no_values(dialect: str, sql: str) -> None:
    t = Table("t", MetaData(), Column("id", Integer, primary_key=True))
    assert compile_(t.insert(), dialect)[0] == sql


def test_update_and_delete() -> None:
    stmt = update(items).where(items.c.id == 4).values(name="n", qty=items.c.qty + 1)
    assert compile_(stmt) == (
        "UPDATE items SET name=?, qty=items.qty + ? WHERE items.id = ?", ("n", 1, 4))
    assert compile_(items.delete().where(items.c.qty < 0), "postgresql") == (
        "DELETE FROM items WHERE items.qty < %s", (0,))
    assert compile_(delete(items)) == ("DELETE FROM items", ())


def test_update_with_bindparam_executemany_shape() -> None:
    stmt = items.update().where(items.c.id == bindparam("pk")).values(name=bindparam("nm"))
    d = SQLiteDialect()
    compiled, extracted = d.compile_statement(stmt, column_keys=["pk", "nm"])
    assert compiled.string == "UPDATE items SET name=? WHERE items.id = ?"
    assert compiled.construct_params_many([{"pk": 1, "nm": "a"}, {"pk": 2, "nm": "b"}],
                                          extracted) == [("a", 1), ("b", 2)]


def test_update_columns_from_parameter_keys() -> None:
    stmt = items.update().where(items.c.id == bindparam("pk"))
    sql, params = compile_(stmt, params={"pk": 1, "name": "z"}, column_keys=["pk", "name"])
    assert sql == "UPDATE items SET name=? WHERE items.id = ?"
    assert params == ("z", 1)


def test_returning_and_its_absence() -> None:
    stmt = items.insert().values(name="a").returning(items.c.id, items.c.name)
    sql, _ = compile_(stmt, "postgresql")
    assert sql == "INSERT INTO items (name, qty) VALUES (%s, %s) RETURNING id, name"
    d = SQLiteDialect()
    compiled, _ = d.compile_statement(stmt)
    assert compiled.has_returning and [k for k, _ in compiled.result_columns] == ["id", "name"]
    with pytest.raises(exc.CompileError, match="mysql failed: this database"):
        compile_(stmt, "mysql")


@pytest.mark.parametrize("dialect,sql", [
    ("sqlite", "INSERT INTO items (id, name, qty) VALUES (?, ?, ?) ON CONFLICT (id) DO "
               "UPDATE SET name = excluded.name, qty = items.qty + ?"),
    ("postgresql", "INSERT INTO items (id, name, qty) VALUES (%s, %s, %s) ON CONFLICT (id) "
                   "DO UPDATE SET name = excluded.name, qty = items.qty + %s"),
    ("mysql", "INSERT INTO items (id, name, qty) VALUES (%s, %s, %s) ON DUPLICATE KEY "
              "UPDATE name = VALUES(name), qty = items.qty + %s"),
])
def test_upsert_do_update(dialect: str, sql: str) -> None:
    stmt = items.insert().values(id=1, name="a", qty=2)
    stmt = stmt.on_conflict_do_update(index_elements=["id"],
                                      set_={"name": stmt.excluded.name,
                                            "qty": items.c.qty + 1})
    assert compile_(stmt, dialect) == (sql, (1, "a", 2, 1))


@pytest.mark.parametrize("dialect,tail", [
    ("sqlite", " ON CONFLICT (id) DO NOTHING"),
    ("postgresql", " ON CONFLICT (id) DO NOTHING"),
    ("mysql", " ON DUPLICATE KEY UPDATE id = id"),
])
def test_upsert_do_nothing(dialect: str, tail: str) -> None:
    stmt = items.insert().values(id=1, name="a").on_conflict_do_nothing(index_elements=["id"])
    assert compile_(stmt, dialect)[0].endswith(tail)


def test_dml_errors_name_the_problem() -> None:
    with pytest.raises(exc.ArgumentError, match="has no column 'nme'"):
        items.insert().values(nme="x")
    with pytest.raises(exc.ArgumentError, match="rows name different columns"):
        items.insert().values([{"name": "a"}, {"qty": 1}])
    with pytest.raises(exc.CompileError, match="no columns to SET"):
        compile_(items.update().values({}), column_keys=[])


def test_func_in_values_renders_inline() -> None:
    stmt = items.update().values(name=func.upper(items.c.name))
    assert compile_(stmt)[0] == "UPDATE items SET name=upper(items.name)"


def test_subqueries_in_update_and_delete_correlate_to_the_target() -> None:
    from athanor.sql import exists
    other = Table("other", MetaData(), Column("id", Integer, primary_key=True),
                  Column("item_id", Integer))
    count = select(func.count(other.c.id)).where(other.c.item_id == items.c.id)
    stmt = items.update().values(qty=count.scalar_subquery())
    assert compile_(stmt)[0] == ("UPDATE items SET qty=(SELECT count(other.id) AS count FROM "
                                 "other WHERE other.item_id = items.id)")
    stmt = items.delete().where(~exists().where(other.c.item_id == items.c.id))
    assert compile_(stmt)[0] == ("DELETE FROM items WHERE NOT EXISTS (SELECT * FROM other "
                                 "WHERE other.item_id = items.id)")


@pytest.mark.parametrize("dialect,sql", [
    ("sqlite", "UPDATE items SET name=other.label FROM other WHERE other.item_id = items.id"),
    ("postgresql", "UPDATE items SET name=other.label FROM other WHERE "
                   "other.item_id = items.id"),
    ("mysql", "UPDATE items, other SET items.name=other.label WHERE other.item_id = items.id"),
])
def test_multi_table_update(dialect: str, sql: str) -> None:
    other = Table("other", MetaData(), Column("item_id", Integer), Column("label", String(9)))
    stmt = items.update().values(name=other.c.label).where(other.c.item_id == items.c.id)
    assert compile_(stmt, dialect)[0] == sql


def test_multi_table_delete() -> None:
    other = Table("other", MetaData(), Column("item_id", Integer))
    stmt = items.delete().where(other.c.item_id == items.c.id)
    assert compile_(stmt, "postgresql")[0] == (
        "DELETE FROM items USING other WHERE other.item_id = items.id")
    assert compile_(stmt, "mysql")[0] == (
        "DELETE FROM items USING items, other WHERE other.item_id = items.id")
    with pytest.raises(exc.CompileError, match="no DELETE ... USING"):
        compile_(stmt, "sqlite")


def test_mariadb_insert_and_delete_returning_follow_the_server() -> None:
    d = MySQLDialect()
    d.server_insert_returning = True
    d.is_mariadb = True
    compiled, _ = d.compile_statement(items.insert().values(id=1, name="a")
                                      .returning(items.c.id))
    assert compiled.string.endswith(" RETURNING id")
    compiled, _ = d.compile_statement(items.delete().returning(items.c.id))
    assert compiled.string == "DELETE FROM items RETURNING id"
    with pytest.raises(exc.CompileError, match="RETURNING for mysql failed"):
        d.compile_statement(items.update().values(name="x").returning(items.c.id))


def test_dialect_specific_insert_paths() -> None:
    from athanor.dialects.mysql import insert as my_insert
    from athanor.dialects.postgresql import insert as pg_insert
    from athanor.dialects.sqlite import insert as lite_insert
    stmt = pg_insert(items).values(id=1, name="a")
    stmt = stmt.on_conflict_do_update(constraint="items_pkey",
                                      set_={"name": stmt.excluded.name})
    assert compile_(stmt, "postgresql")[0].endswith(
        "ON CONFLICT ON CONSTRAINT items_pkey DO UPDATE SET name = excluded.name")
    stmt = my_insert(items).values(id=1, name="a")
    stmt = stmt.on_duplicate_key_update(name=stmt.inserted.name)
    assert compile_(stmt, "mysql")[0].endswith("ON DUPLICATE KEY UPDATE name = VALUES(name)")
    assert lite_insert is insert


def test_none_values_are_null_not_missing() -> None:
    from athanor.sql import text
    assert compile_(items.insert().values(name=None, qty=None)) == (
        "INSERT INTO items (name, qty) VALUES (?, ?)", (None, None))
    assert compile_(text("SELECT :x").bindparams(x=None)) == ("SELECT ?", (None,))
    assert compile_(select(items.c.id).where(items.c.name == bindparam("n", None))) == (
        "SELECT items.id FROM items WHERE items.name = ?", (None,))
    with pytest.raises(exc.ArgumentError, match="no value for bind parameter 'n'"):
        compile_(select(items.c.id).where(items.c.name == bindparam("n")))
