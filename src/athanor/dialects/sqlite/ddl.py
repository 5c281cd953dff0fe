"""SQLite's DDL and type storage.

SQLite has type *affinities*, not types, so the names chosen here matter for what is stored:

* dates and times are ISO-8601 text (``DATE``/``DATETIME``/``TIME`` names, whose NUMERIC
  affinity leaves such text alone); ``Interval`` is a BIGINT count of microseconds;
* ``Numeric(p, s)`` is ``NUMERIC(p, s)`` (numbers, exact to 15 significant digits); a
  declared precision above 15 is stored as exact decimal text (``TEXT``) instead;
* ``JSON`` is ``TEXT``: a NUMERIC-affinity name would turn top-level numbers into lossy REALs;
* an autoincrement primary key must be spelled exactly ``INTEGER`` to alias the rowid, so
  ``BigInteger``/``SmallInteger`` autoincrement keys render as ``INTEGER`` here.
"""

from __future__ import annotations

from typing import Any

from athanor.sql import sqltypes
from athanor.sql.ddl import DDLCompiler
from athanor.sql.type_api import Storage
from athanor.sql.typecompiler import GenericTypeCompiler

#: Above this many significant digits SQLite's REAL conversion loses digits.
EXACT_DIGITS = 15

_GENERIC = Storage(
    lambda t, d: t._bind_proc(d), lambda t, d, coltype: t._result_proc(d, coltype)
)


class SQLiteTypeCompiler(GenericTypeCompiler):
    storage = {
        sqltypes.Date: Storage(sqltypes.date_text_bind, sqltypes.date_text_result),
        sqltypes.DateTime: Storage(sqltypes.datetime_text_bind, sqltypes.datetime_text_result),
        sqltypes.Time: Storage(sqltypes.time_text_bind, sqltypes.time_text_result),
        sqltypes.Numeric: Storage(sqltypes.numeric_text_bind, sqltypes.numeric_text_result),
        sqltypes.Float: _GENERIC,
        sqltypes.Interval: Storage(
            sqltypes.interval_micros_bind, sqltypes.interval_micros_result
        ),
    }

    def visit_NUMERIC(self, type_: Any, **kw: Any) -> str:
        if type_.precision is not None and type_.precision > EXACT_DIGITS:
            return "TEXT"
        return super().visit_NUMERIC(type_)

    def visit_DECIMAL(self, type_: Any, **kw: Any) -> str:
        if type_.precision is not None and type_.precision > EXACT_DIGITS:
            return "TEXT"
        return super().visit_DECIMAL(type_)

    def visit_interval(self, type_: Any, **kw: Any) -> str:
        return "BIGINT"

    def visit_JSON(self, type_: Any, **kw: Any) -> str:
        return "TEXT"

    def visit_DATETIME(self, type_: Any, **kw: Any) -> str:
        return "DATETIME"

    def _length(self, name: str, type_: Any) -> str:
        text = f"{name}({type_.length})" if type_.length else name
        if getattr(type_, "collation", None):
            text += f" COLLATE {type_.collation}"
        return text


class SQLiteDDLCompiler(DDLCompiler):
    supports_deferrable = True
    view_options = frozenset({"temporary"})
    creates_schemas = False

    def column_type(self, column: Any, autoincrement: bool) -> str:
        if autoincrement:
            return "INTEGER"
        return super().column_type(column, autoincrement)

    def _inline_pk(self, table: Any) -> bool:
        return bool(table.dialect_kwargs.get("sqlite_autoincrement")) and (
            table.autoincrement_column is not None
        )

    def column_spec(self, column: Any) -> str:
        text = super().column_spec(column)
        table = column.table
        if table is not None and self._inline_pk(table) and table.autoincrement_column is column:
            text += " PRIMARY KEY AUTOINCREMENT"
        return text

    def primary_key_spec(self, pk: Any) -> str:
        if pk.table is not None and self._inline_pk(pk.table):
            return ""
        return super().primary_key_spec(pk)

    def identity_spec(self, identity: Any) -> str:
        return ""  # an INTEGER PRIMARY KEY is the rowid: SQLite numbers it itself

    def visit_add_constraint(self, add: Any, **kw: Any) -> str:
        from athanor import exc

        raise exc.UnsupportedCompilationError(
            "Compiling ALTER TABLE ADD CONSTRAINT for sqlite failed: SQLite cannot add "
            "constraints to an existing table. Declare them in the Table."
        )

    @staticmethod
    def has_table(connection: Any, name: str, schema: str | None = None) -> bool:
        master = f'"{schema}".sqlite_master' if schema else "sqlite_master"
        sql = f"SELECT 1 FROM {master} WHERE type = 'table' AND name = ?"
        return connection.exec_driver_sql(sql, (name,)).first() is not None
