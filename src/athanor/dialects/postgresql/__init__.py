"""PostgreSQL through psycopg 3."""

from athanor.dialects.postgresql.base import PostgreSQLDialect
from athanor.dialects.postgresql.dml import Insert, insert

dialect = PostgreSQLDialect

__all__ = ["PostgreSQLDialect", "Insert", "dialect", "insert"]
