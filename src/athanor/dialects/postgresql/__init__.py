"""PostgreSQL through psycopg 3."""

from athanor.dialects.postgresql.base import PostgreSQLDialect
from athanor.dialects.postgresql.dml import Insert, insert
from athanor.dialects.postgresql.types import *  # noqa: F403 - the type names SQLAlchemy exports here
from athanor.dialects.postgresql.types import __all__ as _types

dialect = PostgreSQLDialect

__all__ = [*_types, "PostgreSQLDialect", "Insert", "dialect", "insert"]
