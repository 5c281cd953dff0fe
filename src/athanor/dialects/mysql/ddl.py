"""MySQL / MariaDB DDL and type storage.

Choices made so every type round-trips its Python value:

* ``DateTime``/``Time`` render with microseconds (``DATETIME(6)``, ``TIME(6)``); PyMySQL ignores
  tzinfo, so aware values are sent as naive UTC and ``DateTime(timezone=True)`` reads back
  aware UTC datetimes; TIME comes back from PyMySQL as a timedelta and is turned into a time.
* ``Float`` without a precision is ``DOUBLE`` (MySQL's ``FLOAT`` is single precision).
* ``Numeric()`` without a precision is ``DECIMAL(38, 10)`` (MySQL's bare DECIMAL has no
  fractional digits).
* ``Interval`` is a BIGINT count of microseconds; ``Uuid`` is ``CHAR(32)`` hex; ``Boolean`` is
  ``BOOL`` (TINYINT), read back as bool.
* ``String`` needs a length here (VARCHAR); compiling one without fails with a clear message.
"""

from __future__ import annotations

from typing import Any

from athanor import exc
from athanor.sql import sqltypes
from athanor.sql.ddl import DDLCompiler
from athanor.sql.type_api import Storage
from athanor.sql.typecompiler import GenericTypeCompiler

_DATETIME = Storage(sqltypes.datetime_utc_bind, sqltypes.datetime_utc_result)


class MySQLTypeCompiler(GenericTypeCompiler):
    storage = {
        sqltypes.DateTime: _DATETIME,
        sqltypes.Time: Storage(None, sqltypes.time_from_timedelta_result),
        sqltypes.Interval: Storage(
            sqltypes.interval_micros_bind, sqltypes.interval_micros_result
        ),
    }

    def _length(self, name: str, type_: Any) -> str:
        text = f"{name}({type_.length})" if type_.length else name
        if getattr(type_, "collation", None):
            text += f" COLLATE {type_.collation}"
        return text

    def visit_VARCHAR(self, type_: Any, **kw: Any) -> str:
        if not type_.length:
            raise exc.CompileError(
                f"Rendering {type_!r} for mysql failed: VARCHAR needs a length on MySQL and "
                "MariaDB. Use String(255) (or Text for unbounded text)."
            )
        return self._length("VARCHAR", type_)

    def visit_NVARCHAR(self, type_: Any, **kw: Any) -> str:
        return self.visit_VARCHAR(type_)

    def visit_NUMERIC(self, type_: Any, **kw: Any) -> str:
        if type_.precision is None:
            return "DECIMAL(38, 10)"
        return self._numeric("NUMERIC", type_)

    def visit_DECIMAL(self, type_: Any, **kw: Any) -> str:
        if type_.precision is None:
            return "DECIMAL(38, 10)"
        return self._numeric("DECIMAL", type_)

    def visit_float(self, type_: Any, **kw: Any) -> str:
        return f"FLOAT({type_.precision})" if type_.precision is not None else "DOUBLE"

    def visit_DOUBLE_PRECISION(self, type_: Any, **kw: Any) -> str:
        return "DOUBLE"

    def visit_BOOLEAN(self, type_: Any, **kw: Any) -> str:
        return "BOOL"

    def visit_datetime(self, type_: Any, **kw: Any) -> str:
        return "DATETIME(6)"

    def visit_time(self, type_: Any, **kw: Any) -> str:
        return "TIME(6)"

    def visit_interval(self, type_: Any, **kw: Any) -> str:
        return "BIGINT"

    def visit_large_binary(self, type_: Any, **kw: Any) -> str:
        length = type_.length
        if length is None or length > 65535:
            return "LONGBLOB" if length is None or length > 16777215 else "MEDIUMBLOB"
        return "BLOB"

    def visit_text(self, type_: Any, **kw: Any) -> str:
        return self._length("TEXT", type_) if type_.length else self._length("LONGTEXT", type_)

    def visit_unicode_text(self, type_: Any, **kw: Any) -> str:
        return self.visit_text(type_)

    def visit_TINYINT(self, type_: Any, **kw: Any) -> str:
        return self._width("TINYINT", type_)

    def visit_MEDIUMINT(self, type_: Any, **kw: Any) -> str:
        return self._width("MEDIUMINT", type_)

    def visit_YEAR(self, type_: Any, **kw: Any) -> str:
        return f"YEAR({type_.display_width})" if type_.display_width else "YEAR"

    def _width(self, name: str, type_: Any) -> str:
        text = f"{name}({type_.display_width})" if type_.display_width else name
        return text + " UNSIGNED" if type_.unsigned else text

    def visit_TINYTEXT(self, type_: Any, **kw: Any) -> str:
        return self._length("TINYTEXT", type_)

    def visit_MEDIUMTEXT(self, type_: Any, **kw: Any) -> str:
        return self._length("MEDIUMTEXT", type_)

    def visit_LONGTEXT(self, type_: Any, **kw: Any) -> str:
        return self._length("LONGTEXT", type_)

    def visit_TINYBLOB(self, type_: Any, **kw: Any) -> str:
        return "TINYBLOB"

    def visit_MEDIUMBLOB(self, type_: Any, **kw: Any) -> str:
        return "MEDIUMBLOB"

    def visit_LONGBLOB(self, type_: Any, **kw: Any) -> str:
        return "LONGBLOB"

    def visit_enum(self, type_: Any, **kw: Any) -> str:
        if not type_.native_enum:
            return self.visit_VARCHAR(type_)
        labels = ", ".join("'" + v.replace("\\", "\\\\").replace("'", "''") + "'"
                           for v in type_.enums)
        return f"ENUM({labels})"


class MySQLDDLCompiler(DDLCompiler):
    autoincrement_keyword = "AUTO_INCREMENT"
    inline_comments = True
    drop_index_needs_table = True
    supports_deferrable = False
    quote_char = "`"
    view_options = frozenset({"or_replace"})
    drop_schema_cascade = False

    def identity_spec(self, identity: Any) -> str:
        return ""  # the autoincrement column gets AUTO_INCREMENT after NOT NULL

    def enum_is_native(self, type_: Any) -> bool:
        return bool(type_.native_enum)

    def table_options(self, table: Any) -> str:
        opts = []
        for key, value in sorted(table.dialect_kwargs.items()):
            if key.startswith(("mysql_", "mariadb_")):
                name = key.split("_", 1)[1].upper().replace("_", " ")
                opts.append(f"{name}={value}")
        if table.comment:
            opts.append(f"COMMENT={self.literal(table.comment)}")
        return (" " + " ".join(opts)) if opts else ""

    def visit_drop_constraint(self, drop: Any, **kw: Any) -> str:
        from athanor.sql.constraint import ForeignKeyConstraint, constraint_name

        c = drop.element
        if isinstance(c, ForeignKeyConstraint):
            return (f"ALTER TABLE {self.format_table(c.table)} DROP FOREIGN KEY "
                    f"{self.quote(constraint_name(c) or '')}")
        return super().visit_drop_constraint(drop)

    @staticmethod
    def has_table(connection: Any, name: str, schema: str | None = None) -> bool:
        sql = (
            "SELECT 1 FROM information_schema.tables WHERE table_name = %s AND table_schema = "
            + ("%s" if schema else "DATABASE()")
        )
        params = (name, schema) if schema else (name,)
        return connection.exec_driver_sql(sql, params).first() is not None
