"""MySQL / MariaDB through aiomysql (``mysql+aiomysql://``), for code written for it.

asyncmy stays the default async driver of ``mysql://`` (see :mod:`.asyncmy` for the
figures); aiomysql is PyMySQL's protocol on the event loop, so values and error classes are
PyMySQL's and the sync dialect's type handling and error mapping apply unchanged. Its API
differs from asyncmy's in two places handled here: ``connect()`` takes ``db`` rather than
``database``, and ``connection.cursor()`` returns an awaitable, so cursors are built
directly from the connection's cursor class.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from athanor.dialects.mysql.asyncmy import MySQLAsyncmyDialect


class MySQLAiomysqlDialect(MySQLAsyncmyDialect):
    driver = "aiomysql"
    driver_package = "aiomysql"

    @classmethod
    def import_dbapi(cls) -> ModuleType:
        try:
            import aiomysql
        except ImportError as err:
            raise cls._missing_driver(err) from err
        return aiomysql

    async def connect_async(self, *cargs: Any, **cparams: Any) -> Any:
        if "database" in cparams:
            cparams["db"] = cparams.pop("database")
        return await super().connect_async(*cargs, **cparams)

    def _cursor(self, dbapi_connection: Any) -> Any:
        return dbapi_connection.cursorclass(dbapi_connection, False)

    def _ss_cursor(self, dbapi_connection: Any) -> Any:
        """An unbuffered cursor (``SSCursor``), built directly (``cursor()`` is awaitable)."""
        from aiomysql.cursors import SSCursor

        return SSCursor(dbapi_connection, False)


dialect = MySQLAiomysqlDialect

__all__ = ["MySQLAiomysqlDialect"]
