"""SQLite: features and driver hooks (stdlib ``sqlite3``)."""

from __future__ import annotations

from athanor.dialects.base import Dialect
from athanor.dialects.sqlite.compiler import SQLiteCompiler
from athanor.dialects.sqlite.ddl import SQLiteDDLCompiler, SQLiteTypeCompiler


class SQLiteDialect(Dialect):
    name = "sqlite"
    driver = "sqlite3"
    paramstyle = "qmark"

    supports_returning = True  # Since SQLite 3.35.
    supports_multivalues_insert = True
    supports_native_boolean = False
    supports_native_decimal = False
    supports_timezone = False
    supports_for_update = False
    supports_ilike = False
    supports_schemas = False
    supports_alter = False
    requires_limit_for_offset = True

    statement_compiler = SQLiteCompiler
    ddl_compiler = SQLiteDDLCompiler
    type_compiler = SQLiteTypeCompiler
