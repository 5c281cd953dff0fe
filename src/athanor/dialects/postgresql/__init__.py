"""PostgreSQL through psycopg 3."""

from athanor.dialects.postgresql.base import PostgreSQLDialect

dialect = PostgreSQLDialect

__all__ = ["PostgreSQLDialect", "dialect"]
