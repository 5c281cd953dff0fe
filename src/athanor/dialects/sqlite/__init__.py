"""SQLite through the standard library's ``sqlite3``."""

from athanor.dialects.sqlite.base import SQLiteDialect
from athanor.dialects.sqlite.dml import Insert, insert

dialect = SQLiteDialect

__all__ = ["SQLiteDialect", "Insert", "dialect", "insert"]
