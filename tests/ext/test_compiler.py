"""athanor.ext.compiler: @compiles for custom constructs and overrides of built-in ones."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from athanor import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    column,
    exc,
    insert,
    null,
    select,
    text,
)
from athanor.dialects import mysql, postgresql, sqlite
from athanor.ext.compiler import compiles, deregister
from athanor.schema import CreateTable, DDLElement
from athanor.sql.expression import (
    ClauseElement,
    ColumnClause,
    ColumnElement,
    Executable,
    FunctionElement,
    Insert,
)

metadata = MetaData()
src = Table("cx_src", metadata, Column("a", Integer), Column("b", Integer))
dst = Table("cx_dst", metadata, Column("a", Integer), Column("b", Integer))
PG, MY, LITE = postgresql.dialect(), mysql.dialect(), sqlite.dialect()


class Bracketed(ColumnClause):
    inherit_cache = True


@compiles(Bracketed)
def _bracketed(element: Any, compiler: Any, **kw: Any) -> str:
    return f"[{element.name}]"


class InsertFromSelect(Executable, ClauseElement):
    inherit_cache = False

    def __init__(self, table: Any, select: Any) -> None:
        self.table = table
        self.select = select


@compiles(InsertFromSelect)
def _insert_from_select(element: Any, compiler: Any, **kw: Any) -> str:
    return (f"INSERT INTO {compiler.process(element.table, asfrom=True, **kw)} "
            f"{compiler.process(element.select, **kw)}")


class coalesce(FunctionElement):  # noqa: N801 - the documented spelling
    name = "coalesce"
    inherit_cache = True


@compiles(coalesce)
def _coalesce(element: Any, compiler: Any, **kw: Any) -> str:
    return f"coalesce({compiler.process(element.clauses, **kw)})"


@compiles(coalesce, "postgresql")
def _coalesce_pg(element: Any, compiler: Any, **kw: Any) -> str:
    if len(element.clauses) > 2:
        raise TypeError("coalesce takes two arguments on PostgreSQL")
    return f"COALESCE({compiler.process(element.clauses, **kw)})"


class utcnow(FunctionElement):  # noqa: N801
    type = DateTime()
    inherit_cache = True


@compiles(utcnow, "postgresql")
def _utcnow_pg(element: Any, compiler: Any, **kw: Any) -> str:
    return "TIMEZONE('utc', CURRENT_TIMESTAMP)"


@compiles(utcnow, "mysql")
def _utcnow_my(element: Any, compiler: Any, **kw: Any) -> str:
    return "UTC_TIMESTAMP()"


@compiles(utcnow, "sqlite")
def _utcnow_lite(element: Any, compiler: Any, **kw: Any) -> str:
    return "CURRENT_TIMESTAMP"


class CreateView(DDLElement):
    def __init__(self, name: str, selectable: Any) -> None:
        self.name = name
        self.selectable = selectable


class DropView(DDLElement):
    def __init__(self, name: str) -> None:
        self.name = name


@compiles(CreateView)
def _create_view(element: Any, compiler: Any, **kw: Any) -> str:
    body = compiler.sql_compiler.process(element.selectable, literal_binds=True)
    return f"CREATE VIEW {element.name} AS {body}"


@compiles(DropView)
def _drop_view(element: Any, compiler: Any, **kw: Any) -> str:
    return f"DROP VIEW {element.name}"


class Flagged(ColumnElement):
    """Only PostgreSQL knows how to render it."""

    inherit_cache = True

    def __init__(self, v: int) -> None:
        self.v = v


@compiles(Flagged, "postgresql")
def _flagged(element: Any, compiler: Any, **kw: Any) -> str:
    return str(element.v)


@pytest.fixture
def tables(engine: Any) -> Iterator[Any]:
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(src), [{"a": 1, "b": 2}, {"a": 7, "b": 8}, {"a": 9, "b": None}])
    yield engine


def test_custom_column_renders_and_keeps_a_separate_cache_entry(tables: Any) -> None:
    assert str(select(Bracketed("x"), Bracketed("y"))) == "SELECT [x], [y]"
    dialect = tables.dialect
    # the same structure as a plain column "a": the cache must not mix them up
    plain, _ = dialect.compile_statement(select(column("a")).select_from(src))
    custom, _ = dialect.compile_statement(select(Bracketed("a")).select_from(src))
    again, _ = dialect.compile_statement(select(Bracketed("a")).select_from(src))
    assert "[a]" not in plain.string and "[a]" in custom.string
    assert again is custom  # inherit_cache=True: cached like any statement
    with tables.connect() as conn:
        assert conn.execute(select(column("a")).select_from(src).order_by(
            column("a"))).scalars().all() == [1, 7, 9]


def test_custom_executable_statement_runs_and_is_not_cached(tables: Any) -> None:
    with tables.begin() as conn:
        for limit in (5, 8):  # values change per execution: no stale cached SQL/params
            conn.execute(InsertFromSelect(dst, select(src).where(src.c.a > limit)))
        rows = conn.execute(select(dst.c.a, dst.c.b).order_by(dst.c.a)).all()
    assert [tuple(r) for r in rows] == [(7, 8), (9, None), (9, None)]


def test_function_element_per_dialect(tables: Any) -> None:
    stmt = select(coalesce(src.c.b, src.c.a))
    assert "COALESCE(cx_src.b, cx_src.a)" in str(stmt.compile(dialect=PG))
    assert "coalesce(cx_src.b, cx_src.a)" in str(stmt.compile(dialect=LITE))
    with pytest.raises(TypeError, match="two arguments"):
        select(coalesce(src.c.a, src.c.b, null())).compile(dialect=PG)
    with tables.connect() as conn:
        got = conn.execute(stmt.order_by(src.c.a)).scalars().all()
        assert got == [2, 8, 9]
        assert isinstance(utcnow().type, DateTime)
        assert conn.execute(select(utcnow())).scalar() is not None


def test_custom_ddl_element_executes(tables: Any) -> None:
    view = select(src.c.a).where(src.c.a > 5)
    with tables.begin() as conn:
        conn.execute(CreateView("cx_big", view))
        try:
            got = conn.execute(text("SELECT a FROM cx_big ORDER BY a")).scalars().all()
            assert got == [7, 9]
        finally:
            conn.execute(DropView("cx_big"))
    assert str(CreateView("v", view).compile(dialect=MY)) == (
        "CREATE VIEW v AS SELECT cx_src.a FROM cx_src WHERE cx_src.a > 5")


def test_override_builtin_insert_and_deregister(tables: Any) -> None:
    def prefixed(element: Any, compiler: Any, **kw: Any) -> str:
        return str(compiler.visit_insert(element.prefix_with("/* tagged */"), **kw))

    seen: list[str] = []
    from athanor import event

    event.listen(tables, "before_cursor_execute",
                 lambda conn, cur, stmt, params, ctx, many: seen.append(stmt))
    stmt = insert(dst).values(a=1, b=1)
    with tables.begin() as conn:
        conn.execute(stmt)  # compiled and cached before the override exists
        compiles(Insert)(prefixed)
        try:
            conn.execute(stmt)
        finally:
            deregister(Insert)
        conn.execute(stmt)
    inserts = [s for s in seen if "cx_dst" in s]
    assert ["tagged" in s for s in inserts] == [False, True, False]


def test_type_override_for_one_dialect(tables: Any) -> None:
    def text_for_long(element: Any, compiler: Any, **kw: Any) -> str:
        if element.length == 999:
            return "TEXT"
        return str(compiler.visit_VARCHAR(element, **kw))

    t = Table("cx_types", MetaData(), Column("big", String(999)), Column("small", String(5)))
    compiles(String, "sqlite")(text_for_long)
    try:
        assert "big TEXT" in str(CreateTable(t).compile(dialect=LITE))
        assert "small VARCHAR(5)" in str(CreateTable(t).compile(dialect=LITE))
        assert "big VARCHAR(999)" in str(CreateTable(t).compile(dialect=PG))
        t.create(tables)
        with tables.begin() as conn:
            conn.execute(insert(t).values(big="x" * 20, small="y"))
            assert conn.execute(select(t.c.big)).scalar() == "x" * 20
    finally:
        deregister(String)
    assert "big VARCHAR(999)" in str(CreateTable(t).compile(dialect=LITE))


class Outer(ColumnElement):
    inherit_cache = True

    def __init__(self, inner: Any) -> None:
        self.inner = inner


class Inner(ColumnElement):
    inherit_cache = True


@compiles(Outer)
def _outer(element: Any, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.inner, shout=True, **kw)})"


@compiles(Inner)
def _inner(element: Any, compiler: Any, **kw: Any) -> str:
    return "INNER" if kw.get("shout") else "inner"


def test_kw_passthrough_and_missing_default() -> None:
    assert str(select(Outer(Inner()).label("o"))) == "SELECT (INNER) AS o"
    assert str(select(Inner().label("i"))) == "SELECT inner AS i"
    assert "SELECT 42" in str(select(Flagged(42)).compile(dialect=PG))
    with pytest.raises(exc.UnsupportedCompilationError, match="Flagged.*sqlite"):
        select(Flagged(1)).compile(dialect=LITE)
    with pytest.raises(TypeError, match="class"):
        compiles(Flagged(1))  # type: ignore[arg-type]


def test_override_reaches_statements_the_orm_compiled_before(engine: Any) -> None:
    from athanor import event
    from athanor.orm import DeclarativeBase, Mapped, Session, mapped_column

    class Base(DeclarativeBase):
        pass

    class Note(Base):
        __tablename__ = "cx_notes"
        id: Mapped[int] = mapped_column(primary_key=True)
        body: Mapped[str] = mapped_column(String(20))

    Base.metadata.create_all(engine)
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cur, stmt, params, ctx, many: seen.append(stmt))

    def tagged(element: Any, compiler: Any, **kw: Any) -> str:
        return str(compiler.visit_insert(element.prefix_with("/* tagged */"), **kw))

    with Session(engine) as s:
        s.add(Note(id=1, body="a"))
        s.commit()  # the one-row INSERT is compiled and kept by the mapper
        compiles(Insert)(tagged)
        try:
            s.add(Note(id=2, body="b"))
            s.commit()
        finally:
            deregister(Insert)
    inserts = [x for x in seen if "cx_notes" in x and x.lstrip().upper().startswith("INSERT")]
    assert ["tagged" in x for x in inserts] == [False, True]
