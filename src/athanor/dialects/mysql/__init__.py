"""MySQL and MariaDB through PyMySQL."""

from athanor.dialects.mysql.base import MySQLDialect

dialect = MySQLDialect

__all__ = ["MySQLDialect", "dialect"]
