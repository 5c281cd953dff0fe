"""MySQL and MariaDB's SQL spelling for statements.

Differences from the generic compiler: backquoted identifiers; ``||`` is OR, so string
concatenation is ``concat()``; OFFSET needs a LIMIT (the largest unsigned BIGINT); NULLS
FIRST/LAST is emulated with an ``IS NULL`` sort key; the upsert is ``ON DUPLICATE KEY
UPDATE`` with ``VALUES(col)`` for the proposed row; FULL OUTER JOIN does not exist; an
INSERT of no values is ``() VALUES ()``; CAST targets have their own names (SIGNED, CHAR).
Backslashes in string literals are escapes, so they are doubled.
"""

from __future__ import annotations

from typing import Any

import athanor.exc as exc
from athanor.sql import operators as ops
from athanor.sql import sqltypes
from athanor.sql.compiler import SQLCompiler

_MAX_LIMIT = "18446744073709551615"


class MySQLCompiler(SQLCompiler):
    quote_char = "`"
    operator_sql = {"is_distinct_from": "IS DISTINCT FROM"}
    function_names = {"random": "rand"}
    fetch_value_parens = "%s"  # MariaDB takes a number or a placeholder, no parentheses

    def concat_sql(self, parts: list[str]) -> str:
        return "concat(" + ", ".join(parts) + ")"

    def render_string_literal(self, value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"

    def visit_true(self, e: Any, **kw: Any) -> str:
        return "true"  # BOOLEAN is TINYINT(1), but TRUE/FALSE are keywords (``x IS false``)

    def visit_false(self, e: Any, **kw: Any) -> str:
        return "false"

    def visit_binary(self, b: Any, **kw: Any) -> str:
        if b.operator is ops.is_distinct_from or b.operator is ops.is_not_distinct_from:
            text = f"{self.process(b.left)} <=> {self.process(b.right)}"
            return f"NOT ({text})" if b.operator is ops.is_distinct_from else text
        return super().visit_binary(b, **kw)

    def visit_function(self, fn: Any, **kw: Any) -> str:
        if fn.filter_clause is None:
            return super().visit_function(fn, **kw)
        # No aggregate FILTER (WHERE ...): feed the aggregate CASE WHEN cond THEN arg END.
        cond = self.process(fn.filter_clause)
        args = [self.process(a) for a in fn.clauses.clauses] or ["1"]
        wrapped = ", ".join(f"CASE WHEN {cond} THEN {a} END" for a in args)
        return f"{self.function_names.get(fn.name.lower(), fn.name)}({wrapped})"

    def limit_clause(self, select: Any) -> str:
        limit = self.process(select._limit) if select._limit is not None else _MAX_LIMIT
        text = " LIMIT " + limit
        if select._offset is not None:
            text += " OFFSET " + self.process(select._offset)
        return text

    def order_modifier(self, u: Any, inner: str) -> str:
        mod = u.modifier
        if mod is ops.nulls_first or mod is ops.nulls_last:
            base = u.element
            while getattr(base, "modifier", None) is not None:
                base = base.element
            key = self.process(base)
            direction = "DESC" if mod is ops.nulls_first else "ASC"
            return f"{key} IS NULL {direction}, {inner}"
        return f"{inner} {mod.sql}"

    def visit_join(self, j: Any, **kw: Any) -> str:
        if j.full:
            raise exc.CompileError(
                "Compiling FULL OUTER JOIN for mysql failed: MySQL and MariaDB have no FULL "
                "OUTER JOIN. Combine a LEFT and a RIGHT join with UNION instead.")
        return super().visit_join(j, **kw)

    def update_tables(self, stmt: Any, extra: list[Any]) -> str:
        parts = [self.format_table(stmt.table)]
        parts += [self.process(f, asfrom=True) for f in extra]
        return ", ".join(parts)

    def set_target(self, col: Any, extra: list[Any]) -> str:
        if extra:
            return self.format_table(col.table) + "." + self.quote(col.name)
        return self.quote(col.name)

    def update_from_clause(self, stmt: Any, extra: list[Any]) -> str:
        return ""

    def delete_using_clause(self, stmt: Any, extra: list[Any]) -> str:
        parts = [self.format_table(stmt.table)]
        parts += [self.process(f, asfrom=True) for f in extra]
        return " USING " + ", ".join(parts)

    def empty_insert_clause(self) -> str:
        return " () VALUES ()"

    def for_update_clause(self, select: Any) -> str:
        nowait, read, skip_locked, of = select._for_update
        if read:
            text = " LOCK IN SHARE MODE"
            return text
        text = " FOR UPDATE"
        if nowait:
            text += " NOWAIT"
        if skip_locked:
            text += " SKIP LOCKED"
        return text

    def visit_column(self, col: Any, **kw: Any) -> str:
        table = col.table
        if table is not None and getattr(table, "__visit_name__", "") == "excluded":
            return f"VALUES({self.quote(col.name)})"
        return super().visit_column(col, **kw)

    def on_conflict_clause(self, stmt: Any, oc: Any) -> str:
        if oc.where is not None:
            raise exc.CompileError(
                "Compiling on_conflict_do_update(where=...) for mysql failed: ON DUPLICATE "
                "KEY UPDATE takes no WHERE. Put the condition in the SET values with case().")
        if oc.action == "nothing":
            pk = list(stmt.table.primary_key) or list(stmt.table.c)[:1]
            name = self.quote(pk[0].name)
            return f" ON DUPLICATE KEY UPDATE {name} = {name}"
        sets = ", ".join(f"{self.quote(c.name)} = {self.process(v)}" for c, v in oc.set_)
        return f" ON DUPLICATE KEY UPDATE {sets}"

    def visit_json_path(self, el: Any, **kw: Any) -> str:
        inner = f"JSON_EXTRACT({self.process(el.expr)}, {self.json_path_param(el)})"
        mode = el.mode
        if mode == "text":
            return f"JSON_UNQUOTE({inner})"
        if mode == "integer":
            return f"CAST({inner} AS SIGNED)"
        if mode == "float":
            return f"CAST({inner} AS DOUBLE)"
        if mode == "boolean":
            return f"({inner} = 'true')"
        return inner

    def cast_type(self, type_: Any) -> str:
        impl = getattr(type_, "impl_instance", None) or getattr(type_, "impl", type_)
        if isinstance(impl, sqltypes.String) and not getattr(impl, "enums", None):
            length = impl.length
            return f"CHAR({length})" if length else "CHAR"
        name = super().cast_type(type_)
        upper = name.upper()
        if upper.startswith(("INTEGER", "INT", "BIGINT", "SMALLINT", "TINYINT", "BOOL")):
            return "SIGNED"
        if upper.startswith(("VARCHAR", "TEXT", "CHAR", "LONGTEXT", "MEDIUMTEXT")):
            length = getattr(type_, "length", None)
            return f"CHAR({length})" if length else "CHAR"
        if upper.startswith("NUMERIC"):
            return "DECIMAL" + name[len("NUMERIC"):]
        if upper.startswith(("FLOAT", "REAL", "DOUBLE")):
            return "DOUBLE"
        if upper.startswith("DATETIME") or upper.startswith("TIMESTAMP"):
            return "DATETIME"
        return name
