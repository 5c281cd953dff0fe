"""The driver half of a dialect: connecting, pinging, transactions and error mapping.

:class:`Dialect` extends the pure :class:`athanor.sql.dialect.BaseDialect` with the hooks the
engine calls. Every method here that touches the driver is called only by ``athanor.engine``
(and the pool, through the engine-supplied connect function); nothing above the engine
calls them directly.

Owner: the engine layer.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, ClassVar

from athanor.sql.dialect import BaseDialect


class Dialect(BaseDialect):
    """A database dialect with its DB-API driver."""

    driver: ClassVar[str] = ""
    #: pip package to install when the driver is missing (named in the error).
    driver_package: ClassVar[str] = ""

    @classmethod
    def import_dbapi(cls) -> ModuleType:
        """Import and return the DB-API module; raise ``NoSuchModuleError`` naming the package."""
        raise NotImplementedError

    def create_connect_args(self, url: Any) -> tuple[list[Any], dict[str, Any]]:
        """Turn a URL into the driver's ``connect(*args, **kwargs)`` arguments."""
        raise NotImplementedError

    def on_connect(self, dbapi_connection: Any) -> None:
        """Set up a fresh driver connection (session settings, pragmas)."""

    def do_ping(self, dbapi_connection: Any) -> bool:
        """Return True if the connection answers; never raise for a dead connection."""
        raise NotImplementedError

    def is_disconnect(self, error: BaseException, dbapi_connection: Any | None) -> bool:
        """Does this driver error mean the connection is dead?"""
        return False
