"""PostgreSQL's DDL and type names.

PostgreSQL has every type natively, so its storage table only covers JSON (psycopg decodes
JSON results itself, so only the bind side encodes). Autoincrement integer keys are
``SERIAL``/``BIGSERIAL``/``SMALLSERIAL`` unless the column has an ``Identity()``. Native enums
are named types: ``create_all`` emits ``CREATE TYPE`` before the tables that use them and
``drop_all`` ``DROP TYPE`` after; :func:`has_type` answers checkfirst.
"""

from __future__ import annotations

from typing import Any

from athanor import exc
from athanor.sql import structtypes
from athanor.sql.ddl import DDLCompiler, unwrap_type
from athanor.sql.type_api import Storage
from athanor.sql.typecompiler import GenericTypeCompiler

_SERIAL = {"integer": "SERIAL", "INTEGER": "SERIAL", "big_integer": "BIGSERIAL",
           "BIGINT": "BIGSERIAL", "small_integer": "SMALLSERIAL", "SMALLINT": "SMALLSERIAL"}


class PostgreSQLTypeCompiler(GenericTypeCompiler):
    storage = {
        structtypes.JSON: Storage(lambda t, d: t._bind_proc(d), None),
    }

    def _length(self, name: str, type_: Any) -> str:
        text = f"{name}({type_.length})" if type_.length else name
        if getattr(type_, "collation", None):
            text += f' COLLATE "{type_.collation}"'
        return text

    def visit_FLOAT(self, type_: Any, **kw: Any) -> str:
        return f"FLOAT({type_.precision})" if type_.precision is not None else "FLOAT"

    def visit_DOUBLE(self, type_: Any, **kw: Any) -> str:
        return "DOUBLE PRECISION"

    def visit_DATETIME(self, type_: Any, **kw: Any) -> str:
        return self.visit_TIMESTAMP(type_)

    def visit_TIMESTAMP(self, type_: Any, **kw: Any) -> str:
        tz = getattr(type_, "timezone", False)
        return "TIMESTAMP WITH TIME ZONE" if tz else "TIMESTAMP WITHOUT TIME ZONE"

    def visit_TIME(self, type_: Any, **kw: Any) -> str:
        tz = getattr(type_, "timezone", False)
        return "TIME WITH TIME ZONE" if tz else "TIME WITHOUT TIME ZONE"

    def visit_BLOB(self, type_: Any, **kw: Any) -> str:
        return "BYTEA"

    def visit_BINARY(self, type_: Any, **kw: Any) -> str:
        return "BYTEA"

    def visit_VARBINARY(self, type_: Any, **kw: Any) -> str:
        return "BYTEA"

    def visit_CLOB(self, type_: Any, **kw: Any) -> str:
        return "TEXT"

    def visit_NVARCHAR(self, type_: Any, **kw: Any) -> str:
        return self._length("VARCHAR", type_)

    def visit_NCHAR(self, type_: Any, **kw: Any) -> str:
        return self._length("CHAR", type_)

    def visit_enum(self, type_: Any, **kw: Any) -> str:
        if not type_.native_enum:
            return self._length("VARCHAR", type_)
        if not type_.name:
            raise exc.CompileError(
                f"Rendering {type_!r} for postgresql failed: a native PostgreSQL ENUM needs a "
                "name. Pass Enum(..., name='my_enum'), or native_enum=False for VARCHAR."
            )
        return _quote_name(type_.name, type_.schema)

    def visit_JSONB(self, type_: Any, **kw: Any) -> str:
        return "JSONB"

    def visit_INET(self, type_: Any, **kw: Any) -> str:
        return "INET"

    def visit_CIDR(self, type_: Any, **kw: Any) -> str:
        return "CIDR"

    def visit_MACADDR(self, type_: Any, **kw: Any) -> str:
        return "MACADDR"

    def visit_MONEY(self, type_: Any, **kw: Any) -> str:
        return "MONEY"

    def visit_TSVECTOR(self, type_: Any, **kw: Any) -> str:
        return "TSVECTOR"

    def visit_ARRAY(self, type_: Any, **kw: Any) -> str:
        inner = self.process(type_.item_type)
        return inner + "[]" * (type_.dimensions or 1)


def _quote_name(name: str, schema: str | None) -> str:
    def q(n: str) -> str:
        return n if n.isidentifier() and n.islower() else '"' + n.replace('"', '""') + '"'

    return f"{q(schema)}.{q(name)}" if schema else q(name)


class PostgreSQLDDLCompiler(DDLCompiler):
    creates_enum_types = True

    def column_type(self, column: Any, autoincrement: bool) -> str:
        if autoincrement and column.identity is None and column.sequence is None:
            impl = unwrap_type(column.type, self.dialect)
            serial = _SERIAL.get(getattr(impl, "__visit_name__", ""))
            if serial is not None:
                return serial
        return super().column_type(column, autoincrement)

    def enum_is_native(self, type_: Any) -> bool:
        return bool(type_.native_enum)

    def computed_spec(self, computed: Any) -> str:
        """PostgreSQL before 18 has only STORED generated columns: ``Computed(expr)`` without
        ``persisted`` gets STORED there (18 makes VIRTUAL the default)."""
        version = getattr(self.dialect, "server_version_info", None) or (0,)
        if computed.persisted is None and version < (18,):
            text = f"GENERATED ALWAYS AS ({self.sql_expression(computed.sqltext)}) STORED"
            return text
        if computed.persisted is False and version < (18,):
            raise exc.CompileError(
                f"Rendering Computed({computed.sqltext}, persisted=False) failed: PostgreSQL "
                f"{'.'.join(map(str, version))} has no VIRTUAL generated columns (18 adds "
                f"them). Use persisted=True, or leave persisted out."
            )
        return super().computed_spec(computed)

    @staticmethod
    def has_type(connection: Any, name: str, schema: str | None = None) -> bool:
        """Does a type ``name`` exist (in ``schema`` or the current schema)?"""
        return _exists(connection, "pg_type t JOIN pg_catalog.pg_namespace n "
                       "ON n.oid = t.typnamespace", "t.typname", "n.nspname", name, schema)

    @staticmethod
    def has_table(connection: Any, name: str, schema: str | None = None) -> bool:
        """Does table ``name`` exist (in ``schema`` or the current schema)?"""
        return _exists(connection, "pg_tables", "tablename", "schemaname", name, schema)


def _exists(connection: Any, catalog: str, name_col: str, schema_col: str, name: str,
            schema: str | None) -> bool:
    sql = (f"SELECT 1 FROM pg_catalog.{catalog} WHERE {name_col} = %s AND {schema_col} = "
           + ("%s" if schema else "current_schema()"))
    params = (name, schema) if schema else (name,)
    return connection.exec_driver_sql(sql, params).first() is not None
