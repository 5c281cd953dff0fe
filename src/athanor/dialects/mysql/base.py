"""MySQL and MariaDB: features and driver hooks (PyMySQL)."""

from __future__ import annotations

from athanor.dialects.base import Dialect
from athanor.dialects.mysql.compiler import MySQLCompiler
from athanor.dialects.mysql.ddl import MySQLDDLCompiler, MySQLTypeCompiler


class MySQLDialect(Dialect):
    name = "mysql"
    driver = "pymysql"
    driver_package = "PyMySQL"
    paramstyle = "format"

    supports_returning = False  # MariaDB 10.5+ has INSERT ... RETURNING; detected on connect.
    supports_multivalues_insert = True
    supports_native_boolean = False
    supports_native_enum = True
    supports_for_update = True
    supports_skip_locked = True  # MariaDB 10.6+, MySQL 8.
    supports_ilike = False
    supports_nulls_ordering = False
    supports_comments = True
    supports_default_values = False
    max_identifier_length = 64

    statement_compiler = MySQLCompiler
    ddl_compiler = MySQLDDLCompiler
    type_compiler = MySQLTypeCompiler
