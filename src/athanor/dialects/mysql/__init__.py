"""MySQL and MariaDB through PyMySQL."""

from athanor.dialects.mysql.base import MySQLDialect
from athanor.dialects.mysql.dml import Insert, insert
from athanor.dialects.mysql.types import *  # noqa: F403 - the type names SQLAlchemy exports here
from athanor.dialects.mysql.types import __all__ as _types

dialect = MySQLDialect

__all__ = [*_types, "MySQLDialect", "Insert", "dialect", "insert"]
