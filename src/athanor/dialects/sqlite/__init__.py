"""SQLite through the standard library's ``sqlite3``."""

from athanor.dialects.sqlite.base import SQLiteDialect
from athanor.dialects.sqlite.dml import Insert, insert
from athanor.sql.types import (  # the type names SQLAlchemy's sqlite module exports
    BLOB,
    BOOLEAN,
    CHAR,
    DATE,
    DATETIME,
    DECIMAL,
    FLOAT,
    INTEGER,
    JSON,
    NUMERIC,
    REAL,
    SMALLINT,
    TEXT,
    TIME,
    TIMESTAMP,
    VARCHAR,
)

dialect = SQLiteDialect

__all__ = ["BLOB", "BOOLEAN", "CHAR", "DATE", "DATETIME", "DECIMAL", "FLOAT", "INTEGER", "JSON",
           "NUMERIC", "REAL", "SMALLINT", "TEXT", "TIME", "TIMESTAMP", "VARCHAR",
           "SQLiteDialect", "Insert", "dialect", "insert"]
