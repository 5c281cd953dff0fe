"""SELECT compiled to SQL text + parameters on each dialect, no database."""

from __future__ import annotations

from typing import Any

import pytest

from athanor import exc
from athanor.dialects.mysql import MySQLDialect
from athanor.dialects.postgresql import PostgreSQLDialect
from athanor.dialects.sqlite import SQLiteDialect
from athanor.sql import (
    and_,
    column,
    desc,
    except_,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    union,
    union_all,
)
from athanor.sql.schema import Column, ForeignKey, MetaData, Table
from athanor.sql.types import Integer, String

DIALECTS = {"sqlite": SQLiteDialect, "postgresql": PostgreSQLDialect, "mysql": MySQLDialect}

m = MetaData()
users = Table("users", m, Column("id", Integer, primary_key=True), Column("name", String(30)))
addresses = Table(
    "addresses", m, Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id")), Column("email", String(50)),
)


def compile_(stmt: Any, dialect: str = "sqlite", **kw: Any) -> tuple[str, tuple[Any, ...]]:
    d = DIALECTS[dialect]()
    compiled, extracted = d.compile_statement(stmt, **kw)
    return compiled.string, compiled.construct_params({}, extracted)


def check(stmt: Any, sql: str, params: tuple[Any, ...] = (), dialect: str = "sqlite") -> None:
    got_sql, got_params = compile_(stmt, dialect)
    assert got_sql == sql
    assert got_params == params


def test_select_table_and_where_ands_criteria() -> None:
    check(select(users).where(users.c.id == 5, users.c.name != "x"),
          "SELECT users.id, users.name FROM users WHERE users.id = ? AND users.name != ?",
          (5, "x"))


@pytest.mark.parametrize("dialect,sql", [
    ("sqlite", "SELECT users.name FROM users WHERE users.id = ?"),
    ("postgresql", "SELECT users.name FROM users WHERE users.id = %s"),
    ("mysql", "SELECT users.name FROM users WHERE users.id = %s"),
])
def test_paramstyle_per_dialect(dialect: str, sql: str) -> None:
    check(select(users.c.name).where(users.c.id == 1), sql, (1,), dialect)


def test_none_comparisons_become_is_null() -> None:
    check(select(users.c.id).where(users.c.name == None),  # noqa: E711
          "SELECT users.id FROM users WHERE users.name IS NULL")
    check(select(users.c.id).where(users.c.name != None),  # noqa: E711
          "SELECT users.id FROM users WHERE users.name IS NOT NULL")
    check(select(users.c.id).where(users.c.name.is_(None), users.c.id.is_not(None)),
          "SELECT users.id FROM users WHERE users.name IS NULL AND users.id IS NOT NULL")


def test_in_and_empty_in() -> None:
    check(select(users.c.id).where(users.c.id.in_([1, 2, 3])),
          "SELECT users.id FROM users WHERE users.id IN (?, ?, ?)", (1, 2, 3))
    check(select(users.c.id).where(users.c.id.in_([])),
          "SELECT users.id FROM users WHERE 1 != 1")
    check(select(users.c.id).where(users.c.id.not_in([])),
          "SELECT users.id FROM users WHERE 1 = 1")
    check(select(users.c.id).where(users.c.id.not_in([4])),
          "SELECT users.id FROM users WHERE users.id NOT IN (?)", (4,))


def test_in_subquery() -> None:
    sub = select(addresses.c.user_id)
    check(select(users.c.id).where(users.c.id.in_(sub)),
          "SELECT users.id FROM users WHERE users.id IN "
          "(SELECT addresses.user_id FROM addresses)")


def test_boolean_operators_group_correctly() -> None:
    crit = or_(users.c.id == 1, and_(users.c.id == 2, users.c.name == "b"))
    check(select(users.c.id).where(crit),
          "SELECT users.id FROM users WHERE users.id = ? OR users.id = ? AND users.name = ?",
          (1, 2, "b"))
    check(select(users.c.id).where(and_(or_(users.c.id == 1, users.c.id == 2),
                                        users.c.name == "b")),
          "SELECT users.id FROM users WHERE (users.id = ? OR users.id = ?) AND users.name = ?",
          (1, 2, "b"))
    check(select(users.c.id).where(~(users.c.id == 1)),
          "SELECT users.id FROM users WHERE users.id != ?", (1,))
    check(select(users.c.id).where((users.c.id == 1) | (users.c.id == 2), users.c.name == "x"),
          "SELECT users.id FROM users WHERE (users.id = ? OR users.id = ?) AND users.name = ?",
          (1, 2, "x"))


def test_arithmetic_and_concat() -> None:
    check(select((users.c.id + 1) * 2),
          "SELECT (users.id + ?) * ? AS anon_1 FROM users", (1, 2))
    check(select(users.c.id - (users.c.id - 1)),
          "SELECT users.id - (users.id - ?) AS anon_1 FROM users", (1,))
    check(select(users.c.name + "!"), "SELECT users.name || ? AS anon_1 FROM users", ("!",))
    sql, _ = compile_(select(users.c.name + "!"), "mysql")
    assert sql == "SELECT concat(users.name, %s) AS anon_1 FROM users"


def test_like_family_and_escaping() -> None:
    check(select(users.c.id).where(users.c.name.like("a%")),
          "SELECT users.id FROM users WHERE users.name LIKE ?", ("a%",))
    check(select(users.c.id).where(users.c.name.startswith("a_b", autoescape=True)),
          "SELECT users.id FROM users WHERE users.name LIKE ? ESCAPE '/'", ("a/_b%",))
    check(select(users.c.id).where(users.c.name.contains("50%")),
          "SELECT users.id FROM users WHERE users.name LIKE ?", ("%50%%",))
    check(select(users.c.id).where(users.c.name.endswith("z")),
          "SELECT users.id FROM users WHERE users.name LIKE ?", ("%z",))


@pytest.mark.parametrize("dialect,sql", [
    ("sqlite", "SELECT users.id FROM users WHERE lower(users.name) LIKE lower(?)"),
    ("postgresql", "SELECT users.id FROM users WHERE users.name ILIKE %s"),
    ("mysql", "SELECT users.id FROM users WHERE lower(users.name) LIKE lower(%s)"),
])
def test_ilike_emulated_where_missing(dialect: str, sql: str) -> None:
    check(select(users.c.id).where(users.c.name.ilike("A%")), sql, ("A%",), dialect)


def test_between_and_distinct() -> None:
    check(select(users.c.id).where(users.c.id.between(1, 5)).distinct(),
          "SELECT DISTINCT users.id FROM users WHERE users.id BETWEEN ? AND ?", (1, 5))
    check(select(func.count(users.c.name.distinct())),
          "SELECT count(DISTINCT users.name) AS count FROM users")


def test_join_on_inferred_from_foreign_key() -> None:
    check(select(users.c.name, addresses.c.email).join(addresses, users.c.id ==
                                                       addresses.c.user_id),
          "SELECT users.name, addresses.email FROM users JOIN addresses ON "
          "users.id = addresses.user_id")
    check(select(users.c.name, addresses.c.email).join_from(users, addresses),
          "SELECT users.name, addresses.email FROM users JOIN addresses ON "
          "addresses.user_id = users.id")
    check(select(users.c.name).outerjoin(addresses),
          "SELECT users.name FROM users LEFT OUTER JOIN addresses ON "
          "addresses.user_id = users.id")
    check(select(users.c.name).select_from(users.join(addresses, isouter=True)),
          "SELECT users.name FROM users LEFT OUTER JOIN addresses ON "
          "addresses.user_id = users.id")


def test_join_without_foreign_key_says_pass_on_clause() -> None:
    other = table("other", column("x"))
    with pytest.raises(exc.ArgumentError, match="no foreign key links"):
        users.join(other)


def test_group_by_having_order_limit_offset() -> None:
    stmt = (select(users.c.name, func.count(addresses.c.id).label("n"))
            .join(addresses).group_by(users.c.name).having(func.count(addresses.c.id) > 1)
            .order_by(desc("n"), users.c.name).limit(10).offset(5))
    check(stmt, "SELECT users.name, count(addresses.id) AS n FROM users JOIN addresses ON "
          "addresses.user_id = users.id GROUP BY users.name HAVING count(addresses.id) > ? "
          "ORDER BY n DESC, users.name LIMIT ? OFFSET ?", (1, 10, 5))


@pytest.mark.parametrize("dialect,tail", [
    ("sqlite", "LIMIT -1 OFFSET ?"),
    ("postgresql", "OFFSET %s"),
    ("mysql", "LIMIT 18446744073709551615 OFFSET %s"),
])
def test_offset_without_limit(dialect: str, tail: str) -> None:
    sql, params = compile_(select(users.c.id).offset(3), dialect)
    assert sql == "SELECT users.id FROM users " + tail
    assert params == (3,)


def test_nulls_ordering() -> None:
    stmt = select(users.c.id).order_by(users.c.name.desc().nulls_last())
    assert compile_(stmt, "postgresql")[0].endswith("ORDER BY users.name DESC NULLS LAST")
    assert compile_(stmt, "mysql")[0].endswith(
        "ORDER BY users.name IS NULL ASC, users.name DESC")


def test_subquery_columns_and_alias() -> None:
    sub = select(users.c.id, users.c.name.label("n")).where(users.c.id > 2).subquery()
    check(select(sub.c.n).where(sub.c.id < 9),
          "SELECT anon_1.n FROM (SELECT users.id, users.name AS n FROM users WHERE "
          "users.id > ?) AS anon_1 WHERE anon_1.id < ?", (2, 9))
    u2 = users.alias("u2")
    check(select(u2.c.name).where(u2.c.id == 1),
          "SELECT u2.name FROM users AS u2 WHERE u2.id = ?", (1,))


def test_correlated_scalar_subquery_and_exists() -> None:
    count = (select(func.count(addresses.c.id)).where(addresses.c.user_id == users.c.id)
             .scalar_subquery())
    check(select(users.c.name, count.label("c")),
          "SELECT users.name, (SELECT count(addresses.id) AS count FROM addresses WHERE "
          "addresses.user_id = users.id) AS c FROM users")
    check(select(users.c.name).where(exists().where(addresses.c.user_id == users.c.id)),
          "SELECT users.name FROM users WHERE EXISTS (SELECT * FROM addresses WHERE "
          "addresses.user_id = users.id)")
    check(select(users.c.name).where(~select(addresses.c.id).where(
        addresses.c.user_id == users.c.id).exists()),
          "SELECT users.name FROM users WHERE NOT EXISTS (SELECT addresses.id FROM "
          "addresses WHERE addresses.user_id = users.id)")


def test_union_and_compound_order() -> None:
    a = select(users.c.id).where(users.c.id < 3)
    b = select(users.c.id).where(users.c.id > 7)
    check(union(a, b).order_by(users.c.id),
          "SELECT users.id FROM users WHERE users.id < ? UNION SELECT users.id FROM users "
          "WHERE users.id > ? ORDER BY id", (3, 7))
    check(union_all(a, b), "SELECT users.id FROM users WHERE users.id < ? UNION ALL "
          "SELECT users.id FROM users WHERE users.id > ?", (3, 7))
    check(except_(a, b), "SELECT users.id FROM users WHERE users.id < ? EXCEPT "
          "SELECT users.id FROM users WHERE users.id > ?", (3, 7))


def test_cte_and_recursive_cte() -> None:
    c = select(users.c.id).where(users.c.id > 1).cte("big")
    check(select(c.c.id), "WITH big AS (SELECT users.id FROM users WHERE users.id > ?) "
          "SELECT big.id FROM big", (1,))
    nums = select(literal_column("1").label("n")).cte("nums", recursive=True)
    nums = nums.union_all(select(nums.c.n + 1).where(nums.c.n < 5))
    check(select(nums.c.n), "WITH RECURSIVE nums(n) AS (SELECT 1 AS n UNION ALL SELECT "
          "nums.n + ? AS anon_1 FROM nums WHERE nums.n < ?) SELECT nums.n FROM nums", (1, 5))


@pytest.mark.parametrize("dialect,tail", [
    ("sqlite", ""),
    ("postgresql", " FOR UPDATE NOWAIT"),
    ("mysql", " FOR UPDATE NOWAIT"),
])
def test_for_update(dialect: str, tail: str) -> None:
    sql, _ = compile_(select(users.c.id).with_for_update(nowait=True), dialect)
    assert sql == "SELECT users.id FROM users" + tail
    sql, _ = compile_(select(users.c.id).with_for_update(skip_locked=True), "postgresql")
    assert sql.endswith(" FOR UPDATE SKIP LOCKED")


def test_identifier_quoting() -> None:
    t = table("order", column("select"), column("Mixed"), column("plain"))
    check(select(t), 'SELECT "order"."select", "order"."Mixed", "order".plain FROM "order"')
    sql, _ = compile_(select(t), "mysql")
    assert sql == "SELECT `order`.`select`, `order`.`Mixed`, `order`.plain FROM `order`"


def test_text_binds_and_percent_doubling() -> None:
    stmt = text("SELECT * FROM t WHERE a = :a AND b LIKE '5%' AND c::text = :c")
    sql, _ = compile_(stmt.bindparams(a=1, c="x"), "postgresql")
    assert sql == "SELECT * FROM t WHERE a = %s AND b LIKE '5%%' AND c::text = %s"
    d = SQLiteDialect()
    compiled, extracted = d.compile_statement(stmt)
    assert compiled.construct_params({"a": 1, "c": 2}, extracted) == (1, 2)
    with pytest.raises(exc.ArgumentError, match="no value for bind parameter 'a'"):
        compiled.construct_params({}, extracted)


def test_str_uses_named_params() -> None:
    stmt = select(users.c.name).where(users.c.id == 7)
    assert str(stmt) == "SELECT users.name FROM users WHERE users.id = :id_1"
    assert stmt.compile().params == {"id_1": 7}
    compiled = stmt.compile(dialect=PostgreSQLDialect())
    assert compiled.string == "SELECT users.name FROM users WHERE users.id = %s"


def test_case_cast_and_functions() -> None:
    expr = func.coalesce(users.c.name, "?")
    check(select(expr), "SELECT coalesce(users.name, ?) AS coalesce FROM users", ("?",))
    from athanor.sql import case
    check(select(case((users.c.id > 5, "big"), else_="small").label("size")),
          "SELECT CASE WHEN users.id > ? THEN ? ELSE ? END AS size FROM users",
          (5, "big", "small"))
    check(select(func.lower(users.c.name)), "SELECT lower(users.name) AS lower FROM users")
    sql, _ = compile_(select(func.now()), "sqlite")
    assert sql == "SELECT CURRENT_TIMESTAMP AS now"


def test_select_with_no_from_has_no_from() -> None:
    check(select(func.count()), "SELECT count(*) AS count")


def test_text_criteria_are_grouped_when_combined() -> None:
    check(select(users.c.id).where(text("name = 'a' OR name = 'b'"), users.c.id > 1),
          "SELECT users.id FROM users WHERE (name = 'a' OR name = 'b') AND users.id > ?", (1,))


def test_distinct_on_is_postgresql_only() -> None:
    stmt = select(users.c.id, users.c.name).distinct(users.c.name)
    assert compile_(stmt, "postgresql")[0] == (
        "SELECT DISTINCT ON (users.name) users.id, users.name FROM users")
    with pytest.raises(exc.CompileError, match="DISTINCT ON exists only on PostgreSQL"):
        compile_(stmt, "sqlite")


def test_lateral_subquery() -> None:
    latest = (select(addresses.c.email).where(addresses.c.user_id == users.c.id)
              .limit(1).lateral("latest"))
    sql, _ = compile_(select(users.c.name, latest.c.email).select_from(users).join(
        latest, literal_column("true")), "postgresql")
    assert sql == ("SELECT users.name, latest.email FROM users JOIN LATERAL (SELECT "
                   "addresses.email FROM addresses WHERE addresses.user_id = users.id "
                   "LIMIT %s) AS latest ON true")


def test_duplicate_column_names_get_distinct_labels() -> None:
    check(select(users.c.id, addresses.c.id).join(addresses),
          "SELECT users.id, addresses.id AS id_1 FROM users JOIN addresses ON "
          "addresses.user_id = users.id")


def test_auto_correlation_that_removes_every_from_is_an_error() -> None:
    inner = select(users.c.id).where(users.c.id == addresses.c.user_id).scalar_subquery()
    with pytest.raises(exc.InvalidRequestError, match="auto-correlation"):
        compile_(select(users.c.name, addresses.c.id).where(users.c.id == inner))
    inner = select(users.c.id).where(users.c.id == addresses.c.user_id).correlate(None)
    sql, _ = compile_(select(users.c.name, addresses.c.id).where(
        users.c.id == inner.scalar_subquery()))
    assert sql.endswith("WHERE users.id = (SELECT users.id FROM users, addresses WHERE "
                        "users.id = addresses.user_id)")


def test_a_one_table_subquery_is_never_auto_correlated() -> None:
    """As in SQLAlchemy: ``x IN (SELECT x FROM t ...)`` inside a SELECT from t keeps its FROM."""
    inner = select(users.c.id).where(users.c.id == 1).scalar_subquery()
    sql, _ = compile_(select(users.c.name).where(users.c.id == inner))
    assert sql.endswith("WHERE users.id = (SELECT users.id FROM users WHERE users.id = ?)")
    sql, _ = compile_(select(users.c.name).where(
        users.c.name.in_(select(users.c.name).where(users.c.id < 6))))
    assert sql.endswith("WHERE users.name IN (SELECT users.name FROM users WHERE users.id < ?)")
    exists_sql, _ = compile_(select(users.c.name).where(
        select(addresses.c.id).where(addresses.c.user_id == users.c.id).exists()))
    assert "(SELECT addresses.id FROM addresses WHERE addresses.user_id = users.id)" in exists_sql


def test_values_renders_portably() -> None:
    from athanor.sql import values
    v = values(column("id", Integer), column("name", String()), name="v").data(
        [(1, "a"), (2, "b")])
    check(select(v.c.name).where(v.c.id > 1),
          "SELECT v.name FROM (SELECT ? AS id, ? AS name UNION ALL SELECT ?, ?) AS v "
          "WHERE v.id > ?", (1, "a", 2, "b", 1))


def test_literal_binds_for_display() -> None:
    stmt = select(users.c.id).where(users.c.name == "it's", users.c.id.in_([1, 2]))
    sql = stmt.compile(compile_kwargs={"literal_binds": True}).string
    assert sql == "SELECT users.id FROM users WHERE users.name = 'it''s' AND users.id IN (1, 2)"


def test_aggregate_filter_is_emulated_on_mysql() -> None:
    stmt = select(func.count(users.c.id).filter(users.c.name != None))  # noqa: E711
    assert compile_(stmt, "postgresql")[0] == (
        "SELECT count(users.id) FILTER (WHERE users.name IS NOT NULL) AS count FROM users")
    assert compile_(stmt, "mysql")[0] == (
        "SELECT count(CASE WHEN users.name IS NOT NULL THEN users.id END) AS count FROM users")


def test_sqlite_casts_dates_to_text() -> None:
    from athanor.sql import cast
    from athanor.sql.types import Date
    sql, _ = compile_(select(cast(users.c.name, Date)))
    assert sql == "SELECT CAST(users.name AS TEXT) AS name FROM users"
    sql, _ = compile_(select(cast(users.c.name, Date)), "postgresql")
    assert sql == "SELECT CAST(users.name AS DATE) AS name FROM users"
