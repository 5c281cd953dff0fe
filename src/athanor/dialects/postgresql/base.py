"""PostgreSQL: features and driver hooks (psycopg 3)."""

from __future__ import annotations

from athanor.dialects.base import Dialect
from athanor.dialects.postgresql.compiler import PostgreSQLCompiler
from athanor.dialects.postgresql.ddl import PostgreSQLDDLCompiler, PostgreSQLTypeCompiler


class PostgreSQLDialect(Dialect):
    name = "postgresql"
    driver = "psycopg"
    driver_package = "psycopg[binary]"
    paramstyle = "format"

    supports_returning = True
    supports_multivalues_insert = True
    supports_native_boolean = True
    supports_native_uuid = True
    supports_native_json = True
    supports_native_enum = True
    supports_timezone = True
    supports_sequences = True
    supports_for_update = True
    supports_skip_locked = True
    supports_ilike = True
    supports_schemas = True
    supports_comments = True

    statement_compiler = PostgreSQLCompiler
    ddl_compiler = PostgreSQLDDLCompiler
    type_compiler = PostgreSQLTypeCompiler
