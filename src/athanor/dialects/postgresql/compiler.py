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

    def distinct_clause(self, select: Any) -> str:
        if select._distinct_on:
            cols = ", ".join(self.process(c) for c in select._distinct_on)
            return f"DISTINCT ON ({cols})"
        return "DISTINCT"
