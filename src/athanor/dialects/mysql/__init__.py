"""MySQL and MariaDB through PyMySQL."""

from athanor.dialects.mysql.base import MySQLDialect
from athanor.dialects.mysql.dml import Insert, insert

dialect = MySQLDialect

__all__ = ["MySQLDialect", "Insert", "dialect", "insert"]
