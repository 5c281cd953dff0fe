"""MySQL/MariaDB-only type names (``from athanor.dialects.mysql import LONGTEXT``).

The integer and text variants MySQL has beyond the generic types; each renders its own name
in DDL (``TINYINT``, ``MEDIUMTEXT``...) and behaves as its generic parent otherwise.
"""

from __future__ import annotations

from typing import Any

from athanor.sql.sqltypes import (
    BIGINT,
    BINARY,
    BLOB,
    BOOLEAN,
    CHAR,
    DATE,
    DATETIME,
    DECIMAL,
    DOUBLE,
    FLOAT,
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
    Integer,
    LargeBinary,
    Text,
)
from athanor.sql.structtypes import JSON, Enum


class _DisplayWidth(Integer):
    def __init__(self, display_width: int | None = None, unsigned: bool = False, **kw: Any) -> None:
        self.display_width = display_width
        self.unsigned = unsigned


class TINYINT(_DisplayWidth):
    """MySQL's one-byte integer (``TINYINT``; ``TINYINT(1)`` is what BOOL creates)."""

    __visit_name__ = "TINYINT"


class MEDIUMINT(_DisplayWidth):
    """MySQL's three-byte integer."""

    __visit_name__ = "MEDIUMINT"


class YEAR(_DisplayWidth):
    """MySQL's ``YEAR`` (a four-digit year, read as an int)."""

    __visit_name__ = "YEAR"


class TINYTEXT(Text):
    __visit_name__ = "TINYTEXT"


class MEDIUMTEXT(Text):
    __visit_name__ = "MEDIUMTEXT"


class LONGTEXT(Text):
    __visit_name__ = "LONGTEXT"


class TINYBLOB(LargeBinary):
    __visit_name__ = "TINYBLOB"


class MEDIUMBLOB(LargeBinary):
    __visit_name__ = "MEDIUMBLOB"


class LONGBLOB(LargeBinary):
    __visit_name__ = "LONGBLOB"


ENUM = Enum

__all__ = ["BIGINT", "BINARY", "BLOB", "BOOLEAN", "CHAR", "DATE", "DATETIME", "DECIMAL",
           "DOUBLE", "ENUM", "FLOAT", "INTEGER", "JSON", "LONGBLOB", "LONGTEXT", "MEDIUMBLOB",
           "MEDIUMINT", "MEDIUMTEXT", "NCHAR", "NUMERIC", "NVARCHAR", "REAL", "SMALLINT",
           "TEXT", "TIME", "TIMESTAMP", "TINYBLOB", "TINYINT", "TINYTEXT", "VARBINARY", "VARCHAR",
           "YEAR"]
