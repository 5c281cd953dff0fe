"""The driver half of a dialect: connecting, pinging, transactions and error mapping.

:class:`Dialect` extends the pure :class:`athanor.sql.dialect.BaseDialect` with the hooks the
engine (and, through :class:`athanor._typing.PoolDialect`, the pool) calls. Every method here
that touches the driver is called only by ``athanor.engine`` and ``athanor.pool``; nothing
above the engine calls them directly.

A dialect instance is cheap and can exist with no driver (compile tests build
``SQLiteDialect()``); ``create_engine`` imports the driver through :meth:`import_dbapi` and
passes it in as ``dbapi``. :meth:`initialize` runs once per engine on its first connection and
may refine instance attributes (server version, default isolation level, MariaDB features).

Hooks a vendor overrides are grouped below: connect arguments, session setup, liveness,
isolation levels, savepoint SQL, disconnect detection and fork cleanup.

Owner: the engine layer.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any, ClassVar

from athanor import exc
from athanor.sql.dialect import BaseDialect


def abandon_socket(fd: int | None) -> None:
    """Point ``fd`` at /dev/null so closing the driver connection cannot reach the server.

    Used after ``os.fork()``: the child shares the parent's sockets, and a driver's close
    (or its finalizer) would send a goodbye message that ends the parent's session.
    """
    if fd is None or fd < 0:
        return
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


class Dialect(BaseDialect):
    """A database dialect with its DB-API driver."""

    driver: ClassVar[str] = ""
    #: pip package to install when the driver is missing (named in the error).
    driver_package: ClassVar[str] = ""
    #: Isolation levels ``create_engine(isolation_level=...)`` accepts.
    isolation_levels: ClassVar[tuple[str, ...]] = (
        "SERIALIZABLE", "REPEATABLE READ", "READ COMMITTED", "READ UNCOMMITTED", "AUTOCOMMIT",
    )
    #: Does cursor.rowcount count matched (not only changed) rows for UPDATE/DELETE?
    supports_sane_rowcount: ClassVar[bool] = True
    #: the driver's ``cursor.lastrowid`` is the new autoincrement key after a one-row INSERT
    postfetch_lastrowid: ClassVar[bool] = False
    #: Does executemany() report the summed rowcount?
    supports_sane_multi_rowcount: ClassVar[bool] = True
    #: Can the driver run an executemany with RETURNING as one batch and give every
    #: parameter set's rows (``do_executemany_returning``)? Else the engine runs one
    #: execution per set.
    supports_executemany_returning: ClassVar[bool] = False

    def __init__(
        self,
        *,
        dbapi: ModuleType | None = None,
        isolation_level: str | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        self.dbapi = dbapi
        #: The level create_engine asked for (applied to every new connection), or None.
        self.isolation_level = isolation_level
        #: The server's own default level, read on the first connection.
        self.default_isolation_level: str | None = None
        self.server_version_info: tuple[int, ...] | None = None
        self._initialized = False

    @property
    def reflection(self) -> ModuleType:
        """The module answering catalog questions for ``Inspector`` (vendors override)."""
        raise exc.NotSupportedError(
            None, None, None,
            message=f"Reflection failed: the {self.name!r} dialect has no catalog queries. "
            "Declare the tables' columns explicitly.")

    # --- driver ------------------------------------------------------------------
    @classmethod
    def import_dbapi(cls) -> ModuleType:
        """Import and return the DB-API module; raise ``NoSuchModuleError`` naming the package."""
        raise NotImplementedError

    @classmethod
    def _missing_driver(cls, err: ImportError) -> exc.NoSuchModuleError:
        return exc.NoSuchModuleError(
            f"Loading the {cls.name} driver {cls.driver!r} failed: the package is not "
            f"installed ({err}). Install it with: pip install '{cls.driver_package}'."
        )

    def create_connect_args(self, url: Any) -> tuple[list[Any], dict[str, Any]]:
        """Turn a URL into the driver's ``connect(*args, **kwargs)`` arguments."""
        raise NotImplementedError

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        """Open a driver connection."""
        assert self.dbapi is not None, "create_engine() sets dialect.dbapi"
        return self.dbapi.connect(*cargs, **cparams)

    # --- session setup -------------------------------------------------------------
    def on_connect(self, dbapi_connection: Any) -> None:
        """Set up a fresh driver connection (session settings, pragmas)."""

    def initialize(self, dbapi_connection: Any) -> None:
        """Learn about the server from the engine's first connection."""
        self.default_isolation_level = self.get_isolation_level(dbapi_connection)

    # --- transactions ----------------------------------------------------------------
    #: the class overrides :meth:`do_begin` (most drivers begin implicitly; the engine skips
    #: the call otherwise)
    overrides_begin: ClassVar[bool] = False
    #: the class overrides :meth:`do_commit` (else the engine calls the driver's commit())
    overrides_commit: ClassVar[bool] = False

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls.overrides_begin = cls.do_begin is not Dialect.do_begin
        cls.overrides_commit = cls.do_commit is not Dialect.do_commit

    def do_begin(self, dbapi_connection: Any) -> None:
        """Start a transaction. Most drivers begin implicitly, so this does nothing."""

    def do_commit(self, dbapi_connection: Any) -> None:
        dbapi_connection.commit()

    def do_rollback(self, dbapi_connection: Any) -> None:
        dbapi_connection.rollback()

    def do_close(self, dbapi_connection: Any) -> None:
        dbapi_connection.close()

    def before_savepoint(self, dbapi_connection: Any) -> None:
        """Make sure a real transaction is open before the first SAVEPOINT."""

    def savepoint_sql(self, name: str) -> str:
        return f"SAVEPOINT {name}"

    def release_savepoint_sql(self, name: str) -> str:
        return f"RELEASE SAVEPOINT {name}"

    def rollback_to_savepoint_sql(self, name: str) -> str:
        return f"ROLLBACK TO SAVEPOINT {name}"

    # --- isolation levels ----------------------------------------------------------
    def check_isolation_level(self, level: str) -> str:
        """Normalise a level name ("read_committed" -> "READ COMMITTED") or raise."""
        norm = level.replace("_", " ").upper().strip() if isinstance(level, str) else level
        if norm not in self.isolation_levels:
            raise exc.ArgumentError(
                f"Setting the isolation level failed: {level!r} is not a level {self.name} "
                f"knows. Use one of: {', '.join(self.isolation_levels)}."
            )
        return norm  # type: ignore[return-value]

    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        raise NotImplementedError

    def get_isolation_level(self, dbapi_connection: Any) -> str | None:
        raise NotImplementedError

    def reset_isolation_level(self, dbapi_connection: Any) -> None:
        """Back to the engine's level (or the server default) before the pool reuses it."""
        level = self.isolation_level or self.default_isolation_level
        if level is not None:
            self.set_isolation_level(dbapi_connection, level)

    # --- health --------------------------------------------------------------------
    def do_ping(self, dbapi_connection: Any) -> bool:
        """Return True if the connection answers; never raise for a dead connection."""
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except Exception:  # any failure: the connection is unusable
            return False
        return True

    def is_disconnect(self, error: BaseException, dbapi_connection: Any | None) -> bool:
        """Does this driver error mean the connection is dead?"""
        return False

    def socket_fd(self, dbapi_connection: Any) -> int | None:
        """The file descriptor of the connection's socket, if it has one."""
        return None

    def do_abandon(self, dbapi_connection: Any) -> None:
        """Forget a connection inherited through fork() without closing it on the server."""
        try:
            abandon_socket(self.socket_fd(dbapi_connection))
        except OSError:
            pass

    # --- results ---------------------------------------------------------------------
    def get_lastrowid(self, cursor: Any) -> Any:
        return cursor.lastrowid

    def do_executemany_returning(
        self, cursor: Any, statement: str, param_sets: list[Any]
    ) -> list[Any]:
        """Run ``statement`` (which has RETURNING) once per parameter set as one batch and
        return every set's raw rows, in order; only when ``supports_executemany_returning``."""
        raise NotImplementedError(
            f"Running executemany with RETURNING failed: the {self.name} dialect has no batch "
            "form. Check supports_executemany_returning first."
        )
