"""SQLite's DDL and type names: placeholder until the SQL layer lands it (owner: SQL schema and types)."""

from __future__ import annotations


class SQLiteDDLCompiler:
    pass


class SQLiteTypeCompiler:
    pass
