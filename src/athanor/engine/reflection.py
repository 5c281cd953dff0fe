"""``inspect(engine)``: a schema Inspector answering catalog questions.

Design
------
:class:`Inspector` wraps an Engine or a Connection and answers the questions applications
ask most (``get_table_names()``, ``has_table()``, ``get_columns()``) with one catalog query
each, run through ``exec_driver_sql`` on a connection it borrows per call (an Engine) or on
the given Connection. The catalog queries themselves live with each dialect
(``athanor.dialects.<vendor>.reflection``, reached as ``dialect.reflection``); this class adds
the connection handling, the missing-table error and table building: :meth:`reflect_table`
fills a ``Table`` (columns, primary key, foreign keys, unique constraints, indexes) for
``Table(..., autoload_with=...)``, and :func:`reflect_metadata` does so for every table of a
schema for ``MetaData.reflect()``. A foreign key to a table not yet in the MetaData reflects
that table too (``resolve_fks=True``), so joins between reflected tables find their keys.
Existence checks reuse the vendor DDL compilers' ``has_table`` so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from athanor import exc
from athanor.sql.elements import text
from athanor.sql.schema import (
    Column,
    DefaultClause,
    ForeignKeyConstraint,
    Index,
    MetaData,
    Table,
    UniqueConstraint,
)

T = TypeVar("T")


class Inspector:
    """Schema questions about the database behind an Engine or Connection."""

    def __init__(self, bind: Any) -> None:
        self.bind = bind
        self.dialect = bind.dialect

    @classmethod
    def from_engine(cls, bind: Any) -> Inspector:
        return cls(bind)

    @contextmanager
    def _conn(self) -> Iterator[Any]:
        if hasattr(self.bind, "exec_driver_sql"):
            yield self.bind
            return
        with self.bind.connect() as conn:
            yield conn

    def _run(self, fn: Callable[[Any], T]) -> T:
        with self._conn() as conn:
            return fn(conn)

    def _ask(self, question: str, *args: Any, **kw: Any) -> Any:
        fn = getattr(self.dialect.reflection, question)
        return self._run(lambda c: fn(c, *args, **kw))

    def _table_ask(self, question: str, table_name: str, schema: str | None) -> Any:
        def run(conn: Any) -> Any:
            if not _exists(conn, self.dialect, table_name, schema):
                raise _no_table(table_name, schema)
            return getattr(self.dialect.reflection, question)(conn, table_name, schema)

        return self._run(run)

    @property
    def default_schema_name(self) -> str | None:
        return self._ask("default_schema_name")  # type: ignore[no-any-return]

    def get_schema_names(self) -> list[str]:
        return self._ask("get_schema_names")  # type: ignore[no-any-return]

    def has_schema(self, schema_name: str) -> bool:
        """Does the database have this schema (a database, on MySQL/MariaDB)?"""
        return schema_name in self.get_schema_names()

    def clear_cache(self) -> None:
        """SQLAlchemy's inspector caches answers; this one asks every time: nothing to do."""

    def get_table_names(self, schema: str | None = None) -> list[str]:
        """Names of the tables in ``schema`` (default: the connection's), sorted."""
        return self._ask("get_table_names", schema)  # type: ignore[no-any-return]

    def get_view_names(self, schema: str | None = None) -> list[str]:
        return self._ask("get_view_names", schema)  # type: ignore[no-any-return]

    def get_view_definition(self, view_name: str, schema: str | None = None) -> str | None:
        return self._ask("get_view_definition", view_name, schema)  # type: ignore[no-any-return]

    def has_table(self, table_name: str, schema: str | None = None) -> bool:
        """Does ``table_name`` exist (in ``schema`` or the default one)?"""
        return self._run(lambda c: _exists(c, self.dialect, table_name, schema))

    def has_index(self, table_name: str, index_name: str, schema: str | None = None) -> bool:
        return any(ix["name"] == index_name for ix in self.get_indexes(table_name, schema))

    def get_columns(self, table_name: str, schema: str | None = None) -> list[dict[str, Any]]:
        """``{'name', 'type', 'nullable', 'default', 'autoincrement', 'comment'}`` per column."""
        return self._table_ask("get_columns", table_name, schema)  # type: ignore[no-any-return]

    def get_pk_constraint(self, table_name: str, schema: str | None = None) -> dict[str, Any]:
        """``{'constrained_columns': [...], 'name': ...}``."""
        return self._table_ask("get_pk_constraint", table_name, schema)  # type: ignore[no-any-return]

    def get_foreign_keys(self, table_name: str,
                         schema: str | None = None) -> list[dict[str, Any]]:
        """``{'name', 'constrained_columns', 'referred_schema', 'referred_table',
        'referred_columns', 'options'}`` per foreign key."""
        return self._table_ask("get_foreign_keys", table_name, schema)  # type: ignore[no-any-return]

    def get_indexes(self, table_name: str, schema: str | None = None) -> list[dict[str, Any]]:
        """``{'name', 'column_names', 'unique', 'dialect_options'}`` per index."""
        return self._table_ask("get_indexes", table_name, schema)  # type: ignore[no-any-return]

    def get_unique_constraints(self, table_name: str,
                               schema: str | None = None) -> list[dict[str, Any]]:
        return self._table_ask(  # type: ignore[no-any-return]
            "get_unique_constraints", table_name, schema)

    def get_check_constraints(self, table_name: str,
                              schema: str | None = None) -> list[dict[str, Any]]:
        return self._table_ask(  # type: ignore[no-any-return]
            "get_check_constraints", table_name, schema)

    def get_table_comment(self, table_name: str, schema: str | None = None) -> dict[str, Any]:
        return self._table_ask("get_table_comment", table_name, schema)  # type: ignore[no-any-return]

    def get_sorted_table_and_fkc_names(self, schema: str | None = None) -> list[Any]:
        """``[(table_name, [fk names]), ..., (None, [])]``: tables ordered dependencies first."""
        names = self.get_table_names(schema)
        deps = {n: {fk["referred_table"] for fk in self.get_foreign_keys(n, schema)} - {n}
                for n in names}
        ordered: list[str] = []
        while deps:
            ready = sorted(n for n, d in deps.items() if not (d & deps.keys()))
            if not ready:
                ready = sorted(deps)
            for n in ready:
                ordered.append(n)
                del deps[n]
        return [(n, [fk["name"] for fk in self.get_foreign_keys(n, schema)])
                for n in ordered] + [(None, [])]

    def reflect_table(self, table: Table, include_columns: Any = None,
                      exclude_columns: Any = (), resolve_fks: bool = True,
                      _seen: set[str] | None = None) -> None:
        """Fill ``table`` from the database: columns (those not declared already), primary
        key, foreign keys, unique constraints and indexes."""
        self._run(lambda conn: _fill(conn, self.dialect, table, include_columns,
                                     set(exclude_columns or ()), resolve_fks))

    def reflect_metadata(self, metadata: MetaData, **kw: Any) -> None:
        """``MetaData.reflect()``: see :func:`reflect_metadata`."""
        reflect_metadata(self.bind, metadata, **kw)


def _exists(conn: Any, dialect: Any, table_name: str, schema: str | None) -> bool:
    from athanor.sql.ddl import ddl_compiler_for

    check = getattr(dialect, "has_table", None) or ddl_compiler_for(dialect).has_table
    if check(conn, table_name, schema=schema):
        return True
    return table_name in dialect.reflection.get_view_names(conn, schema)


def _no_table(table_name: str, schema: str | None) -> exc.NoSuchTableError:
    where = f"{schema}.{table_name}" if schema else table_name
    return exc.NoSuchTableError(
        f"Reflecting table {where!r} failed: the database has no such table or view. Check the "
        "name and schema (inspect(engine).get_table_names() lists them)."
    )


def _fill(conn: Any, dialect: Any, table: Table, include: Any, exclude: set[str],
          resolve_fks: bool) -> None:
    name, schema = table.name, table.schema
    if not _exists(conn, dialect, name, schema):
        raise _no_table(name, schema)
    r = dialect.reflection
    present = set(table.c.keys())
    pk = r.get_pk_constraint(conn, name, schema)
    pk_cols = pk["constrained_columns"]
    items: list[Any] = []
    kept: set[str] = set()
    columns = r.get_columns(conn, name, schema)
    for col in columns:
        cname = col["name"]
        if (include is not None and cname not in include) or cname in exclude:
            continue
        kept.add(cname)
        if cname in present:
            continue
        kw: dict[str, Any] = {"nullable": col["nullable"], "comment": col.get("comment")}
        if cname in pk_cols:
            kw["primary_key"] = True
        auto = col.get("autoincrement")
        kw["autoincrement"] = auto if isinstance(auto, bool) or auto == "auto" else "auto"
        default = col.get("default")
        if default is not None and not (auto is True and str(default).startswith("nextval(")):
            kw["server_default"] = DefaultClause(text(str(default)), _reflected=True)
        args: list[Any] = []
        computed = col.get("computed")
        if computed is not None:
            from athanor.sql.schema import Computed

            args.append(Computed(text(computed["sqltext"]), persisted=computed.get("persisted")))
        items.append(Column(cname, col["type"], *args, **kw))
    kept |= present
    for fk in r.get_foreign_keys(conn, name, schema):
        cols = fk["constrained_columns"]
        if not set(cols) <= kept:
            continue
        target_schema = fk.get("referred_schema")
        referred = fk["referred_table"]
        prefix = f"{target_schema}.{referred}" if target_schema else referred
        if resolve_fks:
            _reflect_referred(conn, dialect, table.metadata, fk["referred_table"], target_schema)
        opts = fk.get("options") or {}
        items.append(ForeignKeyConstraint(
            cols, [f"{prefix}.{c}" for c in fk["referred_columns"]], name=fk.get("name"),
            ondelete=opts.get("ondelete"), onupdate=opts.get("onupdate")))
    for uq in r.get_unique_constraints(conn, name, schema):
        if set(uq["column_names"]) <= kept and not uq.get("duplicates_index"):
            items.append(UniqueConstraint(*uq["column_names"], name=uq.get("name")))
    for ix in r.get_indexes(conn, name, schema):
        cols = ix["column_names"]
        if ix.get("duplicates_constraint") or None in cols or not set(cols) <= kept:
            continue
        if any(i.name == ix["name"] for i in table.indexes):
            continue
        items.append(Index(ix["name"], *cols, unique=ix["unique"]))
    column_items = [i for i in items if isinstance(i, Column)]
    table._init_items(tuple(column_items))
    if present:  # declared columns take their place in the database's order
        order = {col["name"]: n for n, col in enumerate(columns)}
        table.c._cols.sort(key=lambda c: order.get(getattr(c, "name", ""), len(order)))
    table._init_items(tuple(i for i in items if not isinstance(i, Column)))
    if pk.get("name") and table.primary_key.name is None:
        table.primary_key.name = pk["name"]
    comment = r.get_table_comment(conn, name, schema).get("text")
    if comment and not table.comment:
        table.comment = comment


def _reflect_referred(conn: Any, dialect: Any, metadata: MetaData, name: str,
                      schema: str | None) -> None:
    key = f"{schema}.{name}" if schema else name
    if key in metadata.tables:
        return
    Table(name, metadata, schema=schema, autoload_with=conn)


def reflect_metadata(bind: Any, metadata: MetaData, schema: str | None = None,
                     views: bool = False, only: Any = None, extend_existing: bool = False,
                     autoload_replace: bool = True, resolve_fks: bool = True) -> None:
    """``MetaData.reflect()``: a Table in ``metadata`` for each table (and view) found."""
    insp = Inspector(bind)
    with insp._conn() as conn:
        r = bind.dialect.reflection
        schema = schema if schema is not None else metadata.schema
        available = list(r.get_table_names(conn, schema))
        if views:
            available += r.get_view_names(conn, schema)
        if only is None:
            wanted = available
        elif callable(only):
            wanted = [n for n in available if only(n, metadata)]
        else:
            missing = [n for n in only if n not in available]
            if missing:
                where = f" in schema {schema!r}" if schema else ""
                raise exc.InvalidRequestError(
                    f"MetaData.reflect() failed: tables {missing!r} not found{where}; the "
                    f"database has {available!r}. Check the names passed as only=."
                )
            wanted = [n for n in available if n in only]
        for name in wanted:
            key = f"{schema}.{name}" if schema else name
            if key in metadata.tables and not extend_existing:
                continue
            Table(name, metadata, schema=schema, autoload_with=conn,
                  extend_existing=extend_existing, autoload_replace=autoload_replace,
                  resolve_fks=resolve_fks)


__all__ = ["Inspector", "reflect_metadata"]
