"""``inspect(engine)``: a schema Inspector answering catalog questions.

Design
------
:class:`Inspector` wraps an Engine or a Connection and answers the questions applications
ask most (``get_table_names()``, ``has_table()``, ``get_columns()``) with one catalog query
each, run through ``exec_driver_sql`` on a connection it borrows per call (an Engine) or on
the given Connection. Existence checks reuse the vendor DDL compilers' ``has_table`` so the
two never disagree. Full reflection (``Table(..., autoload_with=...)``) is not provided.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from athanor import exc

T = TypeVar("T")

_TABLES = {
    "sqlite": ("SELECT name FROM {schema}sqlite_master WHERE type = 'table' AND name NOT LIKE "
               "'sqlite_%' ORDER BY name"),
    "postgresql": ("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = "
                   "{schema} ORDER BY tablename"),
    "mysql": ("SELECT table_name FROM information_schema.tables WHERE table_schema = {schema} "
              "AND table_type = 'BASE TABLE' ORDER BY table_name"),
}


class Inspector:
    """Schema questions about the database behind an Engine or Connection."""

    def __init__(self, bind: Any) -> None:
        self.bind = bind
        self.dialect = bind.dialect

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

    @property
    def default_schema_name(self) -> str | None:
        sql = {"postgresql": "SELECT current_schema()", "mysql": "SELECT DATABASE()"}.get(
            self.dialect.name)
        if sql is None:
            return "main"
        return self._run(lambda c: c.exec_driver_sql(sql).scalar())  # type: ignore[no-any-return]

    def get_table_names(self, schema: str | None = None) -> list[str]:
        """Names of the tables in ``schema`` (default: the connection's), sorted."""
        name = self.dialect.name
        template = _TABLES.get(name)
        if template is None:
            raise exc.InvalidRequestError(
                f"get_table_names() failed: no catalog query for dialect {name!r}. Use "
                f"has_table() or a text() query on the catalog."
            )
        if name == "sqlite":
            sql = template.format(schema=f'"{schema}".' if schema else "")
            params: tuple[Any, ...] = ()
        else:
            mark = "%s" if schema else ("current_schema()" if name == "postgresql"
                                        else "DATABASE()")
            sql = template.format(schema=mark)
            params = (schema,) if schema else ()
        return self._run(lambda c: [r[0] for r in c.exec_driver_sql(sql, params).fetchall()])

    def has_table(self, table_name: str, schema: str | None = None) -> bool:
        """Does ``table_name`` exist (in ``schema`` or the default one)?"""
        from athanor.sql.ddl import ddl_compiler_for

        check = getattr(self.dialect, "has_table", None) or ddl_compiler_for(
            self.dialect).has_table
        return self._run(lambda c: bool(check(c, table_name, schema=schema)))

    def get_columns(self, table_name: str, schema: str | None = None) -> list[dict[str, Any]]:
        """``[{'name', 'nullable'}, ...]`` for each column of ``table_name``, in order."""
        name = self.dialect.name
        if name == "sqlite":
            prefix = f'"{schema}".' if schema else ""
            quoted = table_name.replace('"', '""')
            sql = f'PRAGMA {prefix}table_info("{quoted}")'
            rows = self._run(lambda c: c.exec_driver_sql(sql).fetchall())
            return [{"name": r[1], "nullable": not r[3] and not r[5]} for r in rows]
        where = "%s" if schema else ("current_schema()" if name == "postgresql"
                                     else "DATABASE()")
        sql = ("SELECT column_name, is_nullable FROM information_schema.columns WHERE "
               f"table_name = %s AND table_schema = {where} ORDER BY ordinal_position")
        params = (table_name, schema) if schema else (table_name,)
        rows = self._run(lambda c: c.exec_driver_sql(sql, params).fetchall())
        return [{"name": r[0], "nullable": r[1] == "YES"} for r in rows]
