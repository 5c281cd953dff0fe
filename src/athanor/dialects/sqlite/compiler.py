"""SQLite's SQL spelling: placeholder until the SQL layer lands its compilers (owner: SQL layer)."""

from __future__ import annotations


class SQLiteCompiler:
    pass


class SQLiteDDLCompiler:
    pass


class SQLiteTypeCompiler:
    pass
