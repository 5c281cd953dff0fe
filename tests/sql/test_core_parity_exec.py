"""SQLAlchemy Core constructs run on every backend (bitwise operators, FILTER, WITHIN
GROUP, cte(), lambda_stmt, quoted names, insert sentinels, TABLESAMPLE...)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import athanor
from athanor import exc
from athanor.sql import Column, Integer, MetaData, String, Table, func, select

m = MetaData()
nums = Table("nums", m, Column("id", Integer, primary_key=True, autoincrement=False),
             Column("x", Integer), Column("grp", String(10)))
ROWS = [{"id": i, "x": x, "grp": g} for i, (x, g) in enumerate(
    [(1, "a"), (2, "a"), (3, "a"), (4, "b"), (10, "b"), (12, "b")], start=1)]


@pytest.fixture
def conn(engine: Any) -> Iterator[Any]:
    m.create_all(engine)
    with engine.begin() as c:
        c.execute(nums.insert(), ROWS)
    with engine.connect() as c:
        yield c
        c.rollback()


def test_bitwise_operators_compute_the_same_everywhere(conn: Any) -> None:
    x = nums.c.x
    row = conn.execute(select(x.bitwise_and(6), x.bitwise_or(5), x.bitwise_xor(6),
                              x.bitwise_lshift(2), x.bitwise_rshift(1),
                              (x + 1).bitwise_and(3) + 1, athanor.bitwise_not(x).bitwise_and(15))
                       .where(nums.c.id == 5)).one()
    assert tuple(int(v) for v in row) == (10 & 6, 10 | 5, 10 ^ 6, 10 << 2, 10 >> 1,
                                          (11 & 3) + 1, ~10 & 15)


def test_custom_op_runs(conn: Any) -> None:
    op = athanor.custom_op("%")
    got = conn.execute(select(nums.c.x.operate(op, 4)).order_by(nums.c.id)).scalars().all()
    assert got == [x % 4 for x in (1, 2, 3, 4, 10, 12)]
    big = conn.execute(select(nums.c.id).where(nums.c.x.op(">", is_comparison=True)(9))
                       .order_by(nums.c.id)).scalars().all()
    assert big == [5, 6]


def test_funcfilter_counts_matching_rows(conn: Any) -> None:
    stmt = select(nums.c.grp, athanor.funcfilter(func.count(), nums.c.x > 2),
                  func.sum(nums.c.x).filter(nums.c.x < 11)
                  ).group_by(nums.c.grp).order_by(nums.c.grp)
    assert [(g, int(c), int(s)) for g, c, s in conn.execute(stmt)] == [
        ("a", 1, 6), ("b", 3, 14)]


def test_within_group_percentile(conn: Any) -> None:
    name = conn.dialect.name
    median = func.percentile_cont(0.5).within_group(nums.c.x)
    if name == "postgresql":
        rows = conn.execute(select(nums.c.grp, median).group_by(nums.c.grp)
                            .order_by(nums.c.grp)).all()
        assert [(g, float(v)) for g, v in rows] == [("a", 2.0), ("b", 10.0)]
    elif name == "mysql":  # MariaDB has it as a window function only
        rows = conn.execute(select(nums.c.grp, median.over(partition_by=nums.c.grp))
                            .distinct().order_by(nums.c.grp)).all()
        assert [(g, float(v)) for g, v in rows] == [("a", 2.0), ("b", 10.0)]
    else:  # SQLite has no WITHIN GROUP: the database says so
        with pytest.raises(exc.OperationalError):
            conn.execute(select(median))


def test_cte_function_form_runs(conn: Any) -> None:
    big = athanor.cte(select(nums.c.id, nums.c.x).where(nums.c.x > 3), name="big")
    got = conn.execute(select(big.c.id).where(big.c.x < 12).order_by(big.c.id)).scalars()
    assert got.all() == [4, 5]


def test_label_style_none_runs(conn: Any) -> None:
    other = nums.alias("o")
    stmt = (select(nums.c.x, other.c.x).where(nums.c.id == other.c.id, nums.c.id == 2)
            .set_label_style(athanor.LABEL_STYLE_NONE))
    assert tuple(conn.execute(stmt).one()) == (2, 2)


def test_lambda_stmt_runs_with_current_closure_values(conn: Any) -> None:
    limit = 3

    stmt = athanor.lambda_stmt(lambda: select(nums.c.id))
    stmt += lambda s: s.where(nums.c.x < limit)
    stmt = stmt.add_criteria(lambda s: s.order_by(nums.c.id))
    assert isinstance(stmt, athanor.StatementLambdaElement)
    assert conn.execute(stmt).scalars().all() == [1, 2]
    limit = 5
    assert conn.execute(stmt).scalars().all() == [1, 2, 3, 4]
    conn.execute(athanor.lambda_stmt(lambda: nums.update().values(x=0)).add_criteria(
        lambda s: s.where(nums.c.id == 1)))
    assert conn.execute(select(nums.c.x).where(nums.c.id == 1)).scalar() == 0
    with pytest.raises(exc.ArgumentError, match="lambda"):
        athanor.lambda_stmt(select(nums))  # type: ignore[arg-type]


def test_quoted_names_round_trip(engine: Any) -> None:
    md = MetaData()
    q = athanor.quoted_name
    mixed = Table(q("MixedCase", True), md, Column(q("Id", True), Integer, primary_key=True,
                                                    autoincrement=False),
                  Column(q("Val", True), String(10)))
    md.create_all(engine)
    with engine.begin() as c:
        c.execute(mixed.insert(), [{"Id": 1, "Val": "v"}])
        assert c.execute(select(mixed.c.Val).where(mixed.c.Id == 1)).scalar() == "v"
    md.drop_all(engine)


def test_insert_sentinel_table_works(engine: Any) -> None:
    md = MetaData()
    s = Table("sentineled", md, Column("id", Integer, primary_key=True, autoincrement=False),
              Column("v", String(10)), athanor.insert_sentinel("sent"))
    md.create_all(engine)
    with engine.begin() as c:
        c.execute(s.insert(), [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}])
        assert c.execute(select(s).order_by(s.c.id)).all() == [(1, "a"), (2, "b")]
        assert c.execute(select(s.c.sent)).scalars().all() == [None, None]


def test_blank_schema_table_lands_in_the_default_schema(engine: Any) -> None:
    md = MetaData(schema="not_there")
    blank = Table("blank_schema_t", md, Column("id", Integer, primary_key=True,
                                                 autoincrement=False),
                  schema=athanor.BLANK_SCHEMA)
    md.create_all(engine, tables=[blank])
    with engine.begin() as c:
        c.execute(blank.insert(), [{"id": 7}])
        assert c.execute(select(blank.c.id)).scalar() == 7
    assert athanor.inspect(engine).has_table("blank_schema_t")


def test_tablesample_on_postgresql_else_refused(conn: Any) -> None:
    sample = athanor.tablesample(nums, 100, name="s")
    if conn.dialect.supports_tablesample:
        assert len(conn.execute(select(sample.c.id)).all()) == len(ROWS)
        seeded = athanor.tablesample(nums, func.bernoulli(100), name="b", seed=7)
        assert len(conn.execute(select(seeded.c.id)).all()) == len(ROWS)
    else:
        with pytest.raises(exc.CompileError, match="TABLESAMPLE"):
            conn.execute(select(sample.c.id))


def test_try_cast_and_outparam_are_refused(conn: Any) -> None:
    with pytest.raises(exc.UnsupportedCompilationError, match="try_cast"):
        conn.execute(select(athanor.try_cast(nums.c.x, String)))
    with pytest.raises(exc.UnsupportedCompilationError, match="outparam"):
        conn.execute(select(athanor.outparam("o", Integer)))


def test_create_table_string_matches_what_create_all_runs(engine: Any) -> None:
    ddl = str(athanor.CreateTable(nums).compile(engine))
    assert ddl.startswith("CREATE TABLE nums")
    with engine.begin() as c:
        c.execute(athanor.CreateTable(nums))
        c.execute(nums.insert(), ROWS[:1])
        assert c.execute(select(func.count()).select_from(nums)).scalar() == 1
        c.execute(athanor.DropTable(nums))
    assert not athanor.inspect(engine).has_table("nums")


def test_create_view_select_from_it_and_drop_it(conn: Any) -> None:
    from athanor.schema import CreateView, DropView

    view = CreateView(select(nums.c.id, nums.c.grp).where(nums.c.x > 3, nums.c.grp == "b"),
                      "big_b")
    try:
        conn.execute(view)
        got = conn.execute(select(view.table.c.id).order_by(view.table.c.id)).scalars()
        assert got.all() == [4, 5, 6]
        if "or_replace" in conn.dialect.ddl_compiler.view_options:
            conn.execute(CreateView(select(nums.c.id, nums.c.grp).where(nums.c.x > 11),
                                    "big_b", or_replace=True))
            assert conn.execute(select(view.table.c.id)).scalars().all() == [6]
    finally:
        conn.execute(DropView(view.table, if_exists=True))
    conn.commit()


def test_view_options_a_database_lacks_are_refused(conn: Any) -> None:
    from athanor.schema import CreateView

    options = conn.dialect.ddl_compiler.view_options
    for option in ("or_replace", "temporary", "materialized"):
        stmt = CreateView(select(nums.c.id), "v_opt", **{option: True})
        if option not in options:
            with pytest.raises(exc.CompileError, match=option):
                conn.execute(stmt)


def test_create_and_drop_schema(conn: Any) -> None:
    from athanor.schema import CreateSchema, DropSchema

    if not conn.dialect.ddl_compiler.creates_schemas:
        with pytest.raises(exc.CompileError, match="no schemas"):
            conn.execute(CreateSchema("h_core_extra"))
        assert athanor.inspect(conn).has_schema("main")
        return
    name = f"athanor_schema_{conn.dialect.name}"
    conn.execute(DropSchema(name, if_exists=True))
    conn.execute(CreateSchema(name))
    conn.execute(CreateSchema(name, if_not_exists=True))
    conn.commit()
    assert athanor.inspect(conn).has_schema(name)
    md = MetaData()
    inside = Table("in_schema", md, Column("id", Integer, primary_key=True,
                                            autoincrement=False), schema=name)
    md.create_all(conn)
    conn.execute(inside.insert(), [{"id": 3}])
    assert conn.execute(select(inside.c.id)).scalar() == 3
    cascade = conn.dialect.ddl_compiler.drop_schema_cascade
    if not cascade:
        md.drop_all(conn)
    conn.execute(DropSchema(name, cascade=cascade))
    conn.commit()
    assert not athanor.inspect(conn).has_schema(name)


def test_dml_cte_with_returning(conn: Any) -> None:
    ins = athanor.insert(nums).values(id=50, x=7, grp="c").returning(nums.c.id, nums.c.x)
    cte = athanor.cte(ins, name="ins")
    assert list(cte.c.keys()) == ["id", "x"]
    with pytest.raises(exc.ArgumentError, match="RETURNING"):
        athanor.delete(nums).cte()
    upd = (athanor.update(nums).where(nums.c.grp == "a").values(x=nums.c.x + 100)
           .returning(nums.c.id).cte("upd"))
    if not conn.dialect.supports_dml_in_cte:
        with pytest.raises(exc.CompileError, match="inside WITH"):
            conn.execute(select(cte.c.id))
        return
    assert tuple(conn.execute(select(cte.c.id, cte.c.x)).one()) == (50, 7)
    assert conn.execute(select(func.count()).select_from(upd)).scalar() == 3
    got = conn.execute(select(nums.c.x).where(nums.c.id.in_([1, 50])).order_by(nums.c.id))
    assert got.scalars().all() == [101, 7]


def test_case_insensitive_patterns_match_rows(engine: Any) -> None:
    md = MetaData()
    words = Table("words", md, Column("id", Integer, primary_key=True, autoincrement=False),
                  Column("w", String(20)))
    md.create_all(engine)
    with engine.begin() as c:
        c.execute(words.insert(), [{"id": 1, "w": "Hello World"}, {"id": 2, "w": "HELP_me"},
                                   {"id": 3, "w": "shell"}])

        def ids(expr: Any) -> list[int]:
            return c.execute(select(words.c.id).where(expr).order_by(words.c.id)).scalars().all()

        assert ids(words.c.w.icontains("ELL")) == [1, 3]
        assert ids(words.c.w.istartswith("hel")) == [1, 2]
        assert ids(words.c.w.iendswith("WORLD")) == [1]
        assert ids(words.c.w.icontains("p_m", autoescape=True)) == [2]
        assert ids(words.c.id.isnot_distinct_from(3)) == [3]


def test_fetch_first(conn: Any) -> None:
    ordered = select(nums.c.id).order_by(nums.c.x)
    assert conn.execute(ordered.fetch(2)).scalars().all() == [1, 2]
    assert conn.execute(ordered.offset(1).fetch(2)).scalars().all() == [2, 3]
    assert conn.execute(ordered.fetch(2).limit(3)).scalars().all() == [1, 2, 3]
    by_grp = select(nums.c.id).order_by(nums.c.grp).fetch(1, with_ties=True)
    if conn.dialect.supports_fetch_with_ties:
        assert sorted(conn.execute(by_grp).scalars().all()) == [1, 2, 3]
    else:
        with pytest.raises(exc.CompileError, match="with_ties"):
            conn.execute(by_grp)
    with pytest.raises(exc.CompileError, match="percent"):
        conn.execute(ordered.fetch(50, percent=True))


def test_textual_select_as_cte_subquery_and_alias(conn: Any) -> None:
    raw = athanor.text("SELECT id, x FROM nums WHERE x > :lo").columns(
        athanor.column("id", Integer), athanor.column("x", Integer)).bindparams(lo=3)
    assert isinstance(raw, athanor.TextualSelect) and isinstance(raw, athanor.TextClause)
    assert list(raw.selected_columns.keys()) == ["id", "x"]
    for from_ in (raw.cte("big"), raw.subquery("big"), raw.alias("big")):
        got = conn.execute(select(from_.c.id).where(from_.c.x < 12).order_by(from_.c.id))
        assert got.scalars().all() == [4, 5]
    assert sorted(conn.execute(raw).all()) == [(4, 4), (5, 10), (6, 12)]


def test_add_cte_runs_an_unreferenced_cte(conn: Any) -> None:
    small = select(nums.c.id).where(nums.c.x < 3).cte("small")
    stmt = select(nums.c.id).where(nums.c.id == 6).add_cte(small)
    assert conn.execute(stmt).scalars().all() == [6]
    if conn.dialect.supports_dml_in_cte:
        ins = athanor.insert(nums).values(id=70, x=0, grp="z").returning(nums.c.id).cte("ins")
        conn.execute(select(func.count()).select_from(nums).add_cte(ins))
        assert conn.execute(select(nums.c.grp).where(nums.c.id == 70)).scalar() == "z"
