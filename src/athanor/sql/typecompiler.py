"""Type DDL names: ``dialect.type_compiler(dialect).process(type_)`` -> ``"VARCHAR(50)"``.

Dispatch is on the type's ``__visit_name__`` (``visit_string``, ``visit_VARCHAR``...). The
generic compiler spells the SQL-standard names; vendor compilers in
``athanor/dialects/<vendor>/ddl.py`` override the few names that differ and carry the vendor's
``storage`` table (how values of a type are stored there, see :mod:`athanor.sql.type_api`).
A TypeDecorator renders its impl (per ``load_dialect_impl``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from athanor import exc
from athanor.sql import _custom
from athanor.sql.type_api import Storage


class GenericTypeCompiler:
    """SQL-standard type names; subclasses override per database."""

    #: How the database stores types that need conversion: {generic type class: Storage}.
    storage: ClassVar[dict[type, Storage]] = {}

    def __init__(self, dialect: Any) -> None:
        self.dialect = dialect

    def process(self, type_: Any, **kw: Any) -> str:
        if _custom.ACTIVE:  # functions registered with athanor.ext.compiler
            table = _custom.lookup(type(type_))
            if table is not None:
                return _custom.dispatch(table, self, type_, kw)
        visit = getattr(self, f"visit_{type_.__visit_name__}", None)
        if visit is None:
            get_col_spec = getattr(type_, "get_col_spec", None)
            if get_col_spec is not None:  # SQLAlchemy-style user types
                return str(get_col_spec(**kw))
            raise exc.UnsupportedCompilationError(
                f"Rendering the DDL type of {type_!r} failed: "
                f"{type(self).__name__} has no visit_{type_.__visit_name__}(). Use a type this "
                "database supports, or a TypeDecorator over one."
            )
        return str(visit(type_, **kw))

    # -- helpers -----------------------------------------------------------------------------

    def _length(self, name: str, type_: Any) -> str:
        text = f"{name}({type_.length})" if type_.length else name
        if getattr(type_, "collation", None):
            text += f' COLLATE "{type_.collation}"'
        return text

    def _numeric(self, name: str, type_: Any) -> str:
        if type_.precision is None:
            return name
        if type_.scale is None:
            return f"{name}({type_.precision})"
        return f"{name}({type_.precision}, {type_.scale})"

    # -- generic types: delegate to the standard names --------------------------------------

    def visit_type_decorator(self, type_: Any, **kw: Any) -> str:
        return self.process(type_.load_dialect_impl(self.dialect), **kw)

    def visit_null(self, type_: Any, **kw: Any) -> str:
        raise exc.CompileError(
            "Rendering a column type failed: the column has no type (NullType). Give the "
            "Column a type such as Integer or String(50)."
        )

    def visit_integer(self, type_: Any, **kw: Any) -> str:
        return self.visit_INTEGER(type_)

    def visit_small_integer(self, type_: Any, **kw: Any) -> str:
        return self.visit_SMALLINT(type_)

    def visit_big_integer(self, type_: Any, **kw: Any) -> str:
        return self.visit_BIGINT(type_)

    def visit_numeric(self, type_: Any, **kw: Any) -> str:
        return self.visit_NUMERIC(type_)

    def visit_float(self, type_: Any, **kw: Any) -> str:
        return self.visit_FLOAT(type_)

    def visit_double(self, type_: Any, **kw: Any) -> str:
        return self.visit_DOUBLE(type_)

    def visit_string(self, type_: Any, **kw: Any) -> str:
        return self.visit_VARCHAR(type_)

    def visit_unicode(self, type_: Any, **kw: Any) -> str:
        return self.visit_VARCHAR(type_)

    def visit_text(self, type_: Any, **kw: Any) -> str:
        return self.visit_TEXT(type_)

    def visit_unicode_text(self, type_: Any, **kw: Any) -> str:
        return self.visit_TEXT(type_)

    def visit_boolean(self, type_: Any, **kw: Any) -> str:
        return self.visit_BOOLEAN(type_)

    def visit_date(self, type_: Any, **kw: Any) -> str:
        return self.visit_DATE(type_)

    def visit_datetime(self, type_: Any, **kw: Any) -> str:
        return self.visit_DATETIME(type_)

    def visit_time(self, type_: Any, **kw: Any) -> str:
        return self.visit_TIME(type_)

    def visit_interval(self, type_: Any, **kw: Any) -> str:
        return "INTERVAL"

    def visit_large_binary(self, type_: Any, **kw: Any) -> str:
        return self.visit_BLOB(type_)

    def visit_enum(self, type_: Any, **kw: Any) -> str:
        return self._length("VARCHAR", type_)

    def visit_uuid(self, type_: Any, **kw: Any) -> str:
        if type_.native_uuid and self.dialect is not None and getattr(
            self.dialect, "supports_native_uuid", False
        ):
            return "UUID"
        return "CHAR(32)"

    def visit_UUID(self, type_: Any, **kw: Any) -> str:
        return self.visit_uuid(type_)

    # -- SQL-standard names ------------------------------------------------------------------

    def visit_INTEGER(self, type_: Any, **kw: Any) -> str:
        return "INTEGER"

    def visit_SMALLINT(self, type_: Any, **kw: Any) -> str:
        return "SMALLINT"

    def visit_BIGINT(self, type_: Any, **kw: Any) -> str:
        return "BIGINT"

    def visit_NUMERIC(self, type_: Any, **kw: Any) -> str:
        return self._numeric("NUMERIC", type_)

    def visit_DECIMAL(self, type_: Any, **kw: Any) -> str:
        return self._numeric("DECIMAL", type_)

    def visit_FLOAT(self, type_: Any, **kw: Any) -> str:
        return f"FLOAT({type_.precision})" if type_.precision is not None else "FLOAT"

    def visit_REAL(self, type_: Any, **kw: Any) -> str:
        return "REAL"

    def visit_DOUBLE(self, type_: Any, **kw: Any) -> str:
        return "DOUBLE"

    def visit_DOUBLE_PRECISION(self, type_: Any, **kw: Any) -> str:
        return "DOUBLE PRECISION"

    def visit_VARCHAR(self, type_: Any, **kw: Any) -> str:
        return self._length("VARCHAR", type_)

    def visit_NVARCHAR(self, type_: Any, **kw: Any) -> str:
        return self._length("NVARCHAR", type_)

    def visit_CHAR(self, type_: Any, **kw: Any) -> str:
        return self._length("CHAR", type_)

    def visit_NCHAR(self, type_: Any, **kw: Any) -> str:
        return self._length("NCHAR", type_)

    def visit_TEXT(self, type_: Any, **kw: Any) -> str:
        return self._length("TEXT", type_)

    def visit_CLOB(self, type_: Any, **kw: Any) -> str:
        return "CLOB"

    def visit_BOOLEAN(self, type_: Any, **kw: Any) -> str:
        return "BOOLEAN"

    def visit_DATE(self, type_: Any, **kw: Any) -> str:
        return "DATE"

    def visit_DATETIME(self, type_: Any, **kw: Any) -> str:
        return "DATETIME"

    def visit_TIMESTAMP(self, type_: Any, **kw: Any) -> str:
        return "TIMESTAMP"

    def visit_TIME(self, type_: Any, **kw: Any) -> str:
        return "TIME"

    def visit_BLOB(self, type_: Any, **kw: Any) -> str:
        return "BLOB"

    def visit_BINARY(self, type_: Any, **kw: Any) -> str:
        return f"BINARY({type_.length})" if type_.length else "BINARY"

    def visit_VARBINARY(self, type_: Any, **kw: Any) -> str:
        return f"VARBINARY({type_.length})" if type_.length else "VARBINARY"

    def visit_JSON(self, type_: Any, **kw: Any) -> str:
        return "JSON"

    def visit_JSONB(self, type_: Any, **kw: Any) -> str:
        return self.visit_JSON(type_)

    def visit_ARRAY(self, type_: Any, **kw: Any) -> str:
        raise exc.UnsupportedCompilationError(
            f"Rendering ARRAY failed: {getattr(self.dialect, 'name', 'this database')} has no "
            "array type. Use JSON for lists on every database, or ARRAY only on PostgreSQL."
        )
