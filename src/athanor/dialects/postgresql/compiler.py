"""PostgreSQL's SQL spelling for statements.

PostgreSQL speaks nearly the generic dialect; the differences are DISTINCT ON, the
``FOR SHARE`` / ``FOR KEY SHARE`` lock strengths, and integer division rendered for
Python's ``/`` semantics being left to the user (``/`` stays ``/``).
"""

from __future__ import annotations

from typing import Any

from athanor.sql.compiler import SQLCompiler


class PostgreSQLCompiler(SQLCompiler):
    # psycopg has no lastrowid for SERIAL/IDENTITY keys: ask with RETURNING instead.
    implicit_returning = True
    operator_sql = {"regexp_match": "~", "not_regexp_match": "!~"}

    def visit_json_path(self, el: Any, **kw: Any) -> str:
        text = self.process(el.expr)
        last = len(el.path) - 1
        for n, key in enumerate(el.path):
            op = "->>" if n == last and el.mode is not None else "->"
            text += f" {op} " + self.add_slot(self._unique_name("param"), const=key)
        cast = {"integer": "INTEGER", "float": "FLOAT", "boolean": "BOOLEAN"}.get(el.mode or "")
        return f"CAST(({text}) AS {cast})" if cast else f"({text})"

    def distinct_clause(self, select: Any) -> str:
        if select._distinct_on:
            cols = ", ".join(self.process(c) for c in select._distinct_on)
            return f"DISTINCT ON ({cols})"
        return "DISTINCT"
