"""SQLite's SQL spelling for statements.

Differences from the generic compiler: ``now()`` is ``CURRENT_TIMESTAMP``; OFFSET needs a
LIMIT (``LIMIT -1``); EXTRACT does not exist (``strftime()`` instead); members of a compound
SELECT cannot be parenthesised (wrapped as ``SELECT * FROM (...)`` when they carry ORDER BY
or LIMIT); ``ON CONFLICT ON CONSTRAINT`` does not exist. ILIKE and FOR UPDATE are handled by
the dialect's feature flags (emulated / omitted). CAST to a date/time type is a CAST to
TEXT, the storage format of those types here.
"""

from __future__ import annotations

from typing import Any

import athanor.exc as exc
from athanor.sql import operators as ops
from athanor.sql.compiler import SQLCompiler

_STRFTIME = {
    "year": "%Y", "month": "%m", "day": "%d", "hour": "%H", "minute": "%M", "second": "%S",
    "doy": "%j", "dow": "%w", "week": "%W", "epoch": "%s",
}


class SQLiteCompiler(SQLCompiler):
    function_names = {"now": "CURRENT_TIMESTAMP", "char_length": "length"}

    def visit_function(self, fn: Any, **kw: Any) -> str:
        if fn.name.lower() == "now" and not fn.clauses.clauses:
            return "CURRENT_TIMESTAMP"
        return super().visit_function(fn, **kw)

    def visit_binary(self, b: Any, **kw: Any) -> str:
        if b.operator is ops.bitxor:  # no XOR operator: (a | b) - (a & b)
            left, right = self.process(b.left), self.process(b.right)
            return f"(({left} | {right}) - ({left} & {right}))"
        return super().visit_binary(b, **kw)

    def cast_type(self, type_: Any) -> str:
        # SQLite keeps dates and times as text; CAST(... AS DATE) would give the value
        # NUMERIC affinity and turn '2024-03-09' into 2024. Cast to TEXT instead.
        name = super().cast_type(type_)
        if name.upper().startswith(("DATE", "TIME", "JSON", "UUID")):
            return "TEXT"
        return name

    def limit_clause(self, select: Any) -> str:
        text = " LIMIT " + (self.process(select._limit) if select._limit is not None else "-1")
        if select._offset is not None:
            text += " OFFSET " + self.process(select._offset)
        return text

    def visit_extract(self, e: Any, **kw: Any) -> str:
        fmt = _STRFTIME.get(e.field)
        if fmt is None:
            raise exc.CompileError(
                f"Compiling EXTRACT({e.field}) for sqlite failed: SQLite has no EXTRACT and "
                f"no strftime() code for {e.field!r}. Use one of {', '.join(_STRFTIME)}.")
        inner = self.process(e.expr)
        return f"CAST(STRFTIME('{fmt}', {inner}) AS INTEGER)"

    def wrap_compound_member(self, sql: str) -> str:
        return f"SELECT * FROM ({sql})"

    def delete_using_clause(self, stmt: Any, extra: list[Any]) -> str:
        names = ", ".join(repr(getattr(f, "name", None)) for f in extra)
        raise exc.CompileError(
            f"Compiling DELETE FROM {stmt.table.name!r} for sqlite failed: the WHERE clause "
            f"names other tables ({names}) and SQLite has no DELETE ... USING. Use a "
            "subquery: where(table.c.x.in_(select(...))).")

    def _conflict_target(self, stmt: Any, oc: Any) -> str:
        if oc.constraint is not None:
            raise exc.CompileError(
                "Compiling ON CONFLICT ON CONSTRAINT for sqlite failed: SQLite names the "
                "conflict target by columns only. Pass index_elements=[...] instead.")
        return super()._conflict_target(stmt, oc)
