"""SQLite's SQL spelling for statements: placeholder until the SQL layer lands it (owner: SQL expressions)."""

from __future__ import annotations


class SQLiteCompiler:
    pass
