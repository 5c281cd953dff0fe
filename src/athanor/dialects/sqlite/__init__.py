"""SQLite through the standard library's ``sqlite3``."""

from athanor.dialects.sqlite.base import SQLiteDialect

dialect = SQLiteDialect

__all__ = ["SQLiteDialect", "dialect"]
