"""SQLAlchemy's Core names and constructs under athanor, compiled without a database.

Each expected string was checked against SQLAlchemy 2.x running the same program (where
SQLAlchemy's SQL differs only in labels, athanor's own labels are asserted).
"""

from __future__ import annotations

import operator
from typing import Any

import pytest

import athanor
from athanor import exc
from athanor.dialects.mysql import MySQLDialect
from athanor.dialects.postgresql import PostgreSQLDialect
from athanor.dialects.sqlite import SQLiteDialect
from athanor.sql import Column, Integer, MetaData, String, Table, column, func, literal, select

DIALECTS = {"sqlite": SQLiteDialect, "postgresql": PostgreSQLDialect, "mysql": MySQLDialect}

m = MetaData()
t = Table("t", m, Column("id", Integer, primary_key=True), Column("x", Integer),
          Column("name", String(20)))
u = Table("u", m, Column("id", Integer, primary_key=True), Column("x", Integer))


def sql_of(stmt: Any, dialect: str = "sqlite") -> str:
    compiled, _ = DIALECTS[dialect]().compile_statement(stmt)
    return str(compiled.string)


def flat(stmt: Any) -> str:
    return str(stmt).replace("\n", "")


# --- names and isinstance -------------------------------------------------------------------

def test_statement_classes_are_exported_for_isinstance() -> None:
    assert isinstance(select(t), athanor.Select)
    assert isinstance(select(t), athanor.Executable)
    assert isinstance(select(t), athanor.Selectable)
    assert isinstance(select(t).union(select(t)), athanor.CompoundSelect)
    assert isinstance(select(t).union(select(t)), athanor.GenerativeSelect)
    assert isinstance(athanor.insert(t), athanor.Insert)
    assert isinstance(athanor.insert(t), athanor.ValuesBase)
    assert isinstance(athanor.update(t), athanor.ValuesBase)
    assert not isinstance(athanor.delete(t), athanor.ValuesBase)
    assert isinstance(athanor.delete(t), athanor.UpdateBase)
    assert isinstance(athanor.text("select 1"), athanor.TextClause)
    assert isinstance(athanor.text("select 1"), athanor.Executable)
    assert isinstance(athanor.schema.CreateTable(t), athanor.ExecutableDDLElement)
    assert isinstance(t, athanor.TableClause) and isinstance(t, athanor.FromClause)
    assert isinstance(t, athanor.Selectable) and not isinstance(t, athanor.Executable)
    assert isinstance(select(t).subquery(), athanor.Subquery)
    assert isinstance(select(t).cte(), athanor.CTE)
    assert isinstance(t.alias(), athanor.Alias)
    assert isinstance(t.join(u, t.c.x == u.c.x), athanor.Join)


def test_expression_classes_are_exported_for_isinstance() -> None:
    assert isinstance(t.c.x == 1, athanor.BinaryExpression)
    assert isinstance(t.c.x, athanor.ColumnClause) and isinstance(t.c.x, athanor.ColumnElement)
    assert isinstance(literal(1), athanor.BindParameter)
    assert isinstance(t.c.x.label("y"), athanor.Label)
    assert isinstance(athanor.cast(t.c.x, String), athanor.Cast)
    assert isinstance(athanor.case((t.c.x > 1, "a")), athanor.Case)
    assert isinstance(func.count(), athanor.Function)
    assert isinstance(func.count(), athanor.FunctionElement)
    assert isinstance(func.count().filter(t.c.x > 1), athanor.FunctionFilter)
    assert isinstance(func.count().over(), athanor.Over)
    assert isinstance(athanor.tuple_(t.c.x, t.c.id), athanor.Tuple)
    assert isinstance(select(t.c.x).scalar_subquery(), athanor.ScalarSelect)
    assert isinstance(athanor.exists(select(t)), athanor.Exists)
    assert isinstance(athanor.null(), athanor.Null)
    assert isinstance(athanor.true(), athanor.True_)
    assert isinstance(athanor.false(), athanor.False_)
    assert isinstance(athanor.and_(t.c.x > 1, t.c.x < 5), athanor.BooleanClauseList)
    assert isinstance(t.c.x.desc(), athanor.UnaryExpression)
    assert isinstance(athanor.type_coerce(t.c.x, String), athanor.TypeCoerce)


def test_sqlalchemy_module_paths_have_the_names() -> None:
    import athanor.sql.expression as expression

    for name in ("Select", "FunctionFilter", "WithinGroup", "TryCast", "TableSample",
                 "StatementLambdaElement", "SelectLabelStyle", "custom_op", "quoted_name",
                 "lambda_stmt", "tablesample", "within_group", "funcfilter", "cte"):
        assert hasattr(expression, name), name
        assert getattr(athanor.sql, name) is getattr(expression, name)
    assert athanor.schema.BLANK_SCHEMA is athanor.BLANK_SCHEMA
    assert athanor.INT is athanor.types.INT
    assert athanor.engine.ResultProxy is athanor.CursorResult
    assert athanor.pool.ConnectionPoolEntry is athanor.pool.ConnectionRecord
    assert issubclass(athanor.exc.SADeprecationWarning, DeprecationWarning)
    assert issubclass(athanor.exc.IllegalStateChangeError, athanor.exc.InvalidRequestError)


def test_generic_classes_can_be_subscripted_in_annotations() -> None:
    for cls in (athanor.Select, athanor.ColumnElement, athanor.Result, athanor.ScalarResult,
                athanor.TypeDecorator, athanor.SQLColumnExpression, athanor.Label):
        alias = cls[int]
        assert alias.__origin__ is cls


def test_nullable_helpers_return_their_argument() -> None:
    assert athanor.Nullable(t.c.x) is t.c.x
    assert athanor.NotNullable(t) is t


# --- label styles ---------------------------------------------------------------------------


@pytest.mark.parametrize("style,sql,keys", [
    (athanor.LABEL_STYLE_NONE, "SELECT t.x, u.x, t.x + :x_1 AS anon_1 FROM t, u",
     ["x", "x_1", "anon_1"]),
    (athanor.LABEL_STYLE_TABLENAME_PLUS_COL,
     "SELECT t.x AS t_x, u.x AS u_x, t.x + :x_1 AS anon_1 FROM t, u",
     ["t_x", "u_x", "anon_1"]),
    (athanor.LABEL_STYLE_DISAMBIGUATE_ONLY,
     "SELECT t.x, u.x AS x_1, t.x + :x_1 AS anon_1 FROM t, u", ["x", "x_1", "anon_1"]),
])
def test_label_styles(style: Any, sql: str, keys: list[str]) -> None:
    stmt = select(t.c.x, u.c.x, t.c.x + 1).set_label_style(style)
    assert stmt.get_label_style() is style
    assert flat(stmt) == sql
    assert list(stmt.subquery().c.keys()) == keys


def test_label_style_values_match_sqlalchemy() -> None:
    assert athanor.LABEL_STYLE_DEFAULT is athanor.LABEL_STYLE_DISAMBIGUATE_ONLY
    assert [s.value for s in athanor.SelectLabelStyle] == [0, 1, 2]
    with pytest.raises(exc.ArgumentError, match="SelectLabelStyle"):
        select(t).set_label_style(2)  # type: ignore[arg-type]


# --- operators ------------------------------------------------------------------------------

def test_bitwise_operators_group_their_operands() -> None:
    stmt = select(t.c.x.bitwise_and(3), t.c.x.bitwise_or(3) + 1, t.c.x.bitwise_xor(5),
                  (t.c.x + 1).bitwise_lshift(2), t.c.x.bitwise_rshift(1) == 2,
                  athanor.bitwise_not(t.c.x), t.c.x.bitwise_not())
    assert flat(stmt) == (
        "SELECT t.x & :x_1 AS anon_1, (t.x | :x_2) + :param_1 AS anon_2, t.x ^ :x_3 AS anon_3, "
        "(t.x + :x_4) << :param_2 AS anon_4, t.x >> :x_5 = :param_3 AS anon_5, ~t.x AS anon_6, "
        "~t.x AS anon_7 FROM t")


@pytest.mark.parametrize("dialect,sql", [
    ("sqlite", "SELECT ((t.x | ?) - (t.x & ?)) AS anon_1 FROM t"),
    ("postgresql", "SELECT t.x # %s AS anon_1 FROM t"),
    ("mysql", "SELECT t.x ^ %s AS anon_1 FROM t"),
])
def test_bitwise_xor_per_dialect(dialect: str, sql: str) -> None:
    assert sql_of(select(t.c.x.bitwise_xor(5)), dialect) == sql


def test_custom_op_and_operate() -> None:
    assert flat(t.c.x.op("->")(5) == 1) == "(t.x -> :x_1) = :param_1"
    assert flat(t.c.x.operate(athanor.custom_op("->"), 5)) == "t.x -> :x_1"
    cmp = athanor.custom_op("@>", is_comparison=True)(t.c.x, 5)
    assert flat(cmp) == "t.x @> :x_1"
    assert isinstance(cmp.type, athanor.Boolean)
    typed = t.c.x.op("->", return_type=String)(5)
    assert isinstance(typed.type, String)
    assert flat(t.c.x.operate(operator.add, 5)) == "t.x + :x_1"
    with pytest.raises(exc.ArgumentError, match="operate"):
        t.c.x.operate(len, 5)


# --- functions ------------------------------------------------------------------------------

def test_funcfilter_and_filter() -> None:
    assert flat(select(func.count().filter(t.c.x > 5))) == (
        "SELECT count(*) FILTER (WHERE t.x > :x_1) AS count FROM t")
    stmt = select(athanor.funcfilter(func.count(t.c.x), t.c.x > 5, t.c.id < 3))
    assert flat(stmt) == (
        "SELECT count(t.x) FILTER (WHERE t.x > :x_1 AND t.id < :id_1) AS count FROM t")
    assert sql_of(stmt, "mysql") == (
        "SELECT count(CASE WHEN t.x > %s AND t.id < %s THEN t.x END) AS count FROM t")


def test_within_group() -> None:
    wg = func.percentile_cont(0.5).within_group(t.c.x)
    assert flat(select(wg)) == (
        "SELECT percentile_cont(:param_1) WITHIN GROUP (ORDER BY t.x) AS percentile_cont "
        "FROM t")
    assert isinstance(wg.type, Integer)  # the ORDER BY expression's type, as in SQLAlchemy
    assert isinstance(wg, athanor.WithinGroup)
    stmt = select(athanor.within_group(func.percentile_cont(0.5), t.c.x.desc())
                  .over(partition_by=t.c.name))
    assert flat(stmt) == (
        "SELECT percentile_cont(:param_1) WITHIN GROUP (ORDER BY t.x DESC) OVER (PARTITION "
        "BY t.name) AS percentile_cont FROM t")
    filtered = wg.filter(t.c.id > 1)
    assert flat(select(filtered)).endswith(
        "WITHIN GROUP (ORDER BY t.x) FILTER (WHERE t.id > :id_1) AS percentile_cont FROM t")
    with pytest.raises(exc.ArgumentError, match="within_group"):
        athanor.within_group(t.c.x, t.c.id)  # type: ignore[arg-type]


def test_try_cast_is_refused_by_every_database() -> None:
    stmt = select(athanor.try_cast(t.c.x, String))
    assert isinstance(stmt.selected_columns[0], athanor.TryCast)
    for name in DIALECTS:
        with pytest.raises(exc.UnsupportedCompilationError, match="try_cast"):
            sql_of(stmt, name)
    assert "TRY_CAST(t.x AS" in str(stmt)  # str() shows it, as SQLAlchemy's does


def test_outparam_is_refused() -> None:
    for name in DIALECTS:
        with pytest.raises(exc.UnsupportedCompilationError, match="outparam"):
            sql_of(select(athanor.outparam("o", Integer)), name)


# --- FROM constructs ------------------------------------------------------------------------

def test_cte_function_form() -> None:
    big = athanor.cte(select(t.c.id).where(t.c.x > 1), name="big")
    assert flat(select(big.c.id)) == (
        "WITH big AS (SELECT t.id FROM t WHERE t.x > :x_1) SELECT big.id FROM big")
    with pytest.raises(exc.ArgumentError, match="cte"):
        athanor.cte(t.c.x)


def test_tablesample_is_postgresql_only() -> None:
    sample = athanor.tablesample(t, 10, name="s")
    assert sql_of(select(sample.c.id), "postgresql") == (
        "SELECT s.id FROM t AS s TABLESAMPLE system(%s)")
    seeded = athanor.tablesample(t, func.bernoulli(5), name="s2", seed=func.random())
    assert flat(select(seeded.c.id)) == (
        "SELECT s2.id FROM t AS s2 TABLESAMPLE bernoulli(:param_1) REPEATABLE (random())")
    for name in ("sqlite", "mysql"):
        with pytest.raises(exc.CompileError, match="TABLESAMPLE"):
            sql_of(select(sample.c.id), name)


# --- identifiers and schema -----------------------------------------------------------------

def test_quoted_name_forces_or_prevents_quoting() -> None:
    name = athanor.quoted_name("abc", True)
    assert name == "abc" and isinstance(name, str) and name.quote is True
    md = MetaData()
    qt = Table(athanor.quoted_name("MixedT", True), md,
               Column(athanor.quoted_name("col", True), Integer),
               Column(athanor.quoted_name("select", False), Integer))
    assert flat(select(qt)) == 'SELECT "MixedT"."col", "MixedT".select FROM "MixedT"'
    assert sql_of(select(qt), "mysql") == "SELECT `MixedT`.`col`, `MixedT`.select FROM `MixedT`"
    assert flat(select(literal(1)).where(column(athanor.quoted_name("abc", True)) == 1)) == (
        'SELECT :param_1 AS anon_1 WHERE "abc" = :abc_1')
    quoted = Table("plain", md, Column("v", Integer, quote=True), quote=True)
    assert flat(select(quoted)) == 'SELECT "plain"."v" FROM "plain"'


def test_blank_schema_overrides_the_metadata_schema() -> None:
    md = MetaData(schema="other")
    inside = Table("a", md, Column("id", Integer))
    blank = Table("b", md, Column("id", Integer), schema=athanor.BLANK_SCHEMA)
    assert inside.schema == "other" and blank.schema is None
    assert flat(select(blank)) == "SELECT b.id FROM b"
    assert "b" in md.tables


def test_insert_sentinel_column_is_left_out_of_select() -> None:
    md = MetaData()
    s = Table("s", md, Column("id", Integer, primary_key=True),
              athanor.insert_sentinel("sent"))
    assert s.c.sent.nullable and isinstance(s.c.sent.type, Integer)
    assert flat(select(s)) == "SELECT s.id FROM s"
    assert "sent INTEGER" in str(athanor.schema.CreateTable(s))
    shown = Table("s2", md, Column("id", Integer, primary_key=True),
                  athanor.insert_sentinel("sent", omit_from_statements=False))
    assert flat(select(shown)) == "SELECT s2.id, s2.sent FROM s2"


def test_create_table_compiles_against_an_engine() -> None:
    eng = athanor.create_engine("sqlite://")
    try:
        assert str(athanor.CreateTable(t).compile(eng)) == (
            "CREATE TABLE t (\n\tid INTEGER NOT NULL, \n\tx INTEGER, \n\tname VARCHAR(20), "
            "\n\tPRIMARY KEY (id)\n)")
        assert str(athanor.DropTable(t).compile(eng)) == "DROP TABLE t"
    finally:
        eng.dispose()


def test_create_view_and_schema_ddl_text() -> None:
    from athanor.schema import CreateSchema, CreateView, DropSchema, DropView

    view = CreateView(select(t.c.id, t.c.name).where(t.c.id > 5, t.c.name == "x's"), "v")
    assert str(view) == (
        "CREATE VIEW v AS SELECT t.id, t.name FROM t WHERE t.id > 5 AND t.name = 'x''s'")
    assert list(view.table.c.keys()) == ["id", "name"]
    assert str(DropView(view.table)) == "DROP VIEW v"
    pg = PostgreSQLDialect()
    both = CreateView(select(t.c.id), "m", or_replace=True, materialized=True, schema="s")
    assert str(both.compile(dialect=pg)) == (
        "CREATE OR REPLACE MATERIALIZED VIEW s.m AS SELECT t.id FROM t")
    assert str(DropView(both.table, if_exists=True, materialized=True).compile(dialect=pg)) == (
        "DROP MATERIALIZED VIEW IF EXISTS s.m")
    with pytest.raises(exc.CompileError, match="materialized"):
        both.compile(dialect=MySQLDialect())
    with pytest.raises(exc.ArgumentError, match="metadata"):
        CreateView(select(t.c.id), "v", metadata=MetaData())
    with pytest.raises(exc.ArgumentError, match="SELECT"):
        CreateView(t, "v")
    assert str(CreateSchema("s1", if_not_exists=True).compile(dialect=pg)) == (
        "CREATE SCHEMA IF NOT EXISTS s1")
    assert str(DropSchema("s1", cascade=True, if_exists=True).compile(dialect=pg)) == (
        "DROP SCHEMA IF EXISTS s1 CASCADE")
    with pytest.raises(exc.CompileError, match="cascade"):
        DropSchema("s1", cascade=True).compile(dialect=MySQLDialect())


def test_conv_names_skip_the_naming_convention() -> None:
    from athanor.schema import CheckConstraint, CreateTable, conv

    md = MetaData(naming_convention={"ck": "ck_%(table_name)s_%(constraint_name)s"})
    a = Table("a", md, Column("id", Integer, primary_key=True),
              CheckConstraint("id > 0", name=conv("my_ck")), CheckConstraint("id < 9", name="lt"))
    ddl = str(CreateTable(a))
    assert "CONSTRAINT my_ck CHECK (id > 0)" in ddl
    assert "CONSTRAINT ck_a_lt CHECK (id < 9)" in ddl
    assert isinstance(conv("x"), athanor.quoted_name)


def test_sort_tables_and_constraints_puts_use_alter_keys_last() -> None:
    from athanor.schema import ForeignKey, sort_tables_and_constraints

    md = MetaData()
    a = Table("a", md, Column("id", Integer, primary_key=True),
              Column("b_id", Integer, ForeignKey("b.id", use_alter=True)))
    b = Table("b", md, Column("id", Integer, primary_key=True),
              Column("a_id", Integer, ForeignKey("a.id")))
    plan = sort_tables_and_constraints(md.tables.values())
    assert [entry[0] for entry in plan] == [a, b, None]
    assert plan[0][1] == set()
    assert [fkc.table for fkc in plan[1][1]] == [b]
    assert [fkc.table for fkc in plan[2][1]] == [a]


@pytest.mark.parametrize("dialect,sql", [
    ("postgresql", "t.name ILIKE %s"),
    ("mysql", "lower(t.name) LIKE lower(%s)"),
    ("sqlite", "lower(t.name) LIKE lower(?)"),
])
def test_case_insensitive_patterns(dialect: str, sql: str) -> None:
    for expr, pattern in ((t.c.name.icontains("a%b"), "%a%b%"),
                          (t.c.name.istartswith("ab"), "ab%"), (t.c.name.iendswith("ab"), "%ab")):
        compiled, extracted = DIALECTS[dialect]().compile_statement(select(t.c.id).where(expr))
        assert compiled.string.split(" WHERE ")[1] == sql
        assert compiled.construct_params({}, extracted) == (pattern,)
        assert isinstance(expr.type, athanor.Boolean)
    escaped = t.c.name.iendswith("a_", autoescape=True)
    assert flat(escaped) == "lower(t.name) LIKE lower(:name_1) ESCAPE '/'"


def test_bool_op_and_isnot_distinct_from() -> None:
    expr = t.c.name.bool_op("~")("a")
    assert flat(expr) == "t.name ~ :name_1" and isinstance(expr.type, athanor.Boolean)
    assert flat(t.c.x.isnot_distinct_from(3)) == "t.x IS NOT DISTINCT FROM :x_1"


def test_select_introspection() -> None:
    stmt = select(t).where(t.c.x > 1).join(u, u.c.x == t.c.x)
    assert flat(stmt.whereclause) == "t.x > :x_1"
    assert select(t).whereclause is None
    assert flat(select(t).where(t.c.x > 1, t.c.id < 5).whereclause) == (
        "t.x > :x_1 AND t.id < :id_1")
    assert stmt.inner_columns == [t.c.id, t.c.x, t.c.name]
    assert list(stmt.exported_columns.keys()) == ["id", "x", "name"]
    [join] = stmt.get_final_froms()
    assert isinstance(join, athanor.Join)
    assert select(t.c.x, u.c.x).get_final_froms() == [t, u]


def test_from_clause_tablesample_method() -> None:
    assert flat(select(t.tablesample(5, name="q").c.id)) == (
        "SELECT q.id FROM t AS q TABLESAMPLE system(:param_1)")


def test_engine_clear_compiled_cache_and_engine_property() -> None:
    eng = athanor.create_engine("sqlite://")
    try:
        assert eng.engine is eng
        with eng.connect() as conn:
            stmt = select(literal(1))
            conn.execute(stmt)
            before = eng.dialect.compile_count
            conn.execute(stmt)
            assert eng.dialect.compile_count == before  # cached
            eng.clear_compiled_cache()
            conn.execute(stmt)
            assert eng.dialect.compile_count == before + 1
    finally:
        eng.dispose()


@pytest.mark.parametrize("dialect,sql", [
    ("postgresql", "SELECT t.id FROM t ORDER BY t.x OFFSET (%s) ROWS FETCH FIRST (%s) ROWS ONLY"),
    ("mysql", "SELECT t.id FROM t ORDER BY t.x OFFSET %s ROWS FETCH FIRST %s ROWS ONLY"),
    ("sqlite", "SELECT t.id FROM t ORDER BY t.x LIMIT ? OFFSET ?"),
])
def test_fetch_per_dialect(dialect: str, sql: str) -> None:
    stmt = select(t.c.id).order_by(t.c.x).offset(1).fetch(2)
    assert sql_of(stmt, dialect) == sql
    assert flat(select(t.c.id).fetch(10, percent=True, with_ties=True)) == (
        "SELECT t.id FROM t FETCH FIRST (:param_1) PERCENT ROWS WITH TIES")
    assert flat(stmt.limit(3)) == "SELECT t.id FROM t ORDER BY t.x LIMIT :param_1 OFFSET :param_2"
    with pytest.raises(exc.ArgumentError, match="fetch"):
        select(t).fetch(-1)


def test_add_cte_and_compound_label_style() -> None:
    c = select(t.c.id).where(t.c.x > 1).cte("c")
    assert flat(select(t.c.id).add_cte(c)) == (
        "WITH c AS (SELECT t.id FROM t WHERE t.x > :x_1) SELECT t.id FROM t")
    both = athanor.union(select(t.c.id), select(u.c.id))
    assert flat(both.add_cte(c)) == (
        "WITH c AS (SELECT t.id FROM t WHERE t.x > :x_1) SELECT t.id FROM t UNION "
        "SELECT u.id FROM u")
    labelled = both.set_label_style(athanor.LABEL_STYLE_TABLENAME_PLUS_COL)
    assert flat(labelled) == "SELECT t.id AS t_id FROM t UNION SELECT u.id FROM u"
    assert labelled.get_label_style() is athanor.LABEL_STYLE_TABLENAME_PLUS_COL
    with pytest.raises(exc.ArgumentError, match="add_cte"):
        select(t).add_cte(select(t))
