"""Every SQL type by its public name (``from athanor.sql.types import String``).

The machinery lives in :mod:`athanor.sql.type_api`, the scalar types in
:mod:`athanor.sql.sqltypes`, the structured ones (JSON, Enum, Uuid, PickleType, ARRAY) in
:mod:`athanor.sql.structtypes`; this module only gathers the names. ``athanor.types`` re-exports
it under SQLAlchemy's path.
"""

from __future__ import annotations

from athanor.sql.sqltypes import (
    BIGINT,
    BINARY,
    BLOB,
    BOOLEAN,
    CHAR,
    CLOB,
    DATE,
    DATETIME,
    DECIMAL,
    DOUBLE,
    DOUBLE_PRECISION,
    FLOAT,
    INT,
    INTEGER,
    NCHAR,
    NUMERIC,
    NVARCHAR,
    REAL,
    SMALLINT,
    TEXT,
    TIME,
    TIMESTAMP,
    VARBINARY,
    VARCHAR,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Double,
    Float,
    Integer,
    Interval,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    Time,
    Unicode,
    UnicodeText,
)
from athanor.sql.structtypes import ARRAY, JSON, UUID, Enum, PickleType, Uuid
from athanor.sql.type_api import (
    NULLTYPE,
    NullType,
    Storage,
    TypeDecorator,
    TypeEngine,
    Variant,
    to_instance,
    type_for_value,
)

#: SQLAlchemy's name for a type usable in ``TypeDecorator`` subclasses and user types.
UserDefinedType = TypeEngine
#: A shared plain String instance (SQLAlchemy's ``types.STRINGTYPE``).
STRINGTYPE = String()


class MatchType(Boolean):
    """The type of a full-text ``match()`` result: a Boolean."""

_Binary = LargeBinary

__all__ = [
    "STRINGTYPE", "MatchType",
    "ARRAY", "BIGINT", "BINARY", "BLOB", "BOOLEAN", "CHAR", "CLOB", "DATE", "DATETIME",
    "DECIMAL", "DOUBLE", "DOUBLE_PRECISION", "FLOAT", "INT", "INTEGER", "JSON", "NCHAR",
    "NULLTYPE", "NUMERIC", "NVARCHAR", "REAL", "SMALLINT", "TEXT", "TIME", "TIMESTAMP", "UUID",
    "VARBINARY", "VARCHAR", "BigInteger", "Boolean", "Date", "DateTime", "Double", "Enum",
    "Float", "Integer", "Interval", "LargeBinary", "NullType", "Numeric", "PickleType",
    "SmallInteger", "Storage", "String", "Text", "Time", "TypeDecorator", "TypeEngine",
    "Unicode", "UnicodeText", "UserDefinedType", "Uuid", "Variant", "to_instance",
    "type_for_value",
]
