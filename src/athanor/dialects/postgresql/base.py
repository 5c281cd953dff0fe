"""PostgreSQL: features and driver hooks (psycopg 3).

Connections are opened with ``autocommit=False`` and the cursor of
:mod:`athanor.dialects.postgresql._cursor`: psycopg's default server-side binding (SQL and
values travel separately; a statement run ``prepare_threshold`` times, 5 by default, becomes
a prepared statement), except for the statements the compiler marks client-bound (raw
``text()`` with parameters, binds it cannot type; see :mod:`.compiler`), whose values are
merged into the text as psycopg's ``ClientCursor`` does. ``connect_args`` (or the URL query)
override it: ``prepare_threshold=None`` keeps server-side binding without prepared statements
(PgBouncer in transaction mode before 1.21), ``cursor_factory=psycopg.ClientCursor`` binds
everything client-side.

Pings and the isolation-level query go through the low-level ``pgconn.exec_`` so they never
open a transaction behind psycopg's back. Disconnects are recognised by psycopg's own
``broken``/``closed`` state, by the "connection" SQLSTATE class 08 and by the admin-shutdown
errors (57P01-57P03) that ``pg_terminate_backend`` and server restarts produce.

An executemany whose statement has RETURNING (explicit, or the implicit one the compiler adds
to learn new keys) runs as one pipelined batch through psycopg's
``executemany(returning=True)``, so ``inserted_primary_key_rows`` gets every set's key.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from athanor import exc
from athanor.dialects.base import Dialect
from athanor.dialects.postgresql.compiler import PostgreSQLCompiler
from athanor.dialects.postgresql.ddl import PostgreSQLDDLCompiler, PostgreSQLTypeCompiler

_DISCONNECT_SQLSTATES = ("57P01", "57P02", "57P03")
_DISCONNECT_TEXT = (
    "server closed the connection unexpectedly",
    "terminating connection",
    "connection is closed",
    "connection is lost",
    "the connection is closed",
    "consuming input failed",
    "sending query failed",
    "could not receive data",
    "could not send data",
    "SSL connection has been closed",
)


def _threshold(value: str) -> int | None:
    """``?prepare_threshold=`` from a URL: a count, or ``none`` (never prepare)."""
    if value.strip().lower() in ("", "none", "null", "off"):
        return None
    try:
        return int(value)
    except ValueError:
        raise exc.ArgumentError(
            f"Reading the URL option prepare_threshold failed: {value!r} is not a number. "
            "Pass a count of executions (prepare_threshold=5) or none to never prepare."
        ) from None


class PostgreSQLDialect(Dialect):
    name = "postgresql"
    driver = "psycopg"
    driver_package = "psycopg[binary]"
    paramstyle = "format"

    supports_returning = True
    supports_tablesample = True
    supports_dml_in_cte = True
    supports_executemany_returning = True  # psycopg's executemany(returning=True)
    supports_multivalues_insert = True
    supports_native_boolean = True
    supports_native_uuid = True
    supports_native_json = True
    supports_native_enum = True
    supports_timezone = True
    supports_sequences = True
    supports_for_update = True
    supports_skip_locked = True
    supports_ilike = True
    supports_schemas = True
    supports_comments = True
    # Are values sent apart from the SQL (psycopg's server-side binding, prepared statements)?
    supports_server_side_binding = True

    @property
    def reflection(self) -> ModuleType:
        """This database's catalog queries (``athanor.dialects.postgresql.reflection``)."""
        from athanor.dialects.postgresql import reflection

        return reflection

    statement_compiler = PostgreSQLCompiler
    ddl_compiler = PostgreSQLDDLCompiler
    type_compiler = PostgreSQLTypeCompiler

    @classmethod
    def import_dbapi(cls) -> ModuleType:
        try:
            import psycopg
        except ImportError as err:
            raise cls._missing_driver(err) from err
        return psycopg

    def create_connect_args(self, url: Any) -> tuple[list[Any], dict[str, Any]]:
        kwargs: dict[str, Any] = {}
        if url.host:
            kwargs["host"] = url.host
        if url.port:
            kwargs["port"] = url.port
        if url.username:
            kwargs["user"] = url.username
        if url.password is not None:
            kwargs["password"] = url.password
        if url.database:
            kwargs["dbname"] = url.database
        for key, value in url.query.items():  # libpq options: sslmode, application_name...
            kwargs[key] = value if isinstance(value, str) else value[-1]
        if "prepare_threshold" in kwargs:  # psycopg's option, not libpq's: an int or None
            kwargs["prepare_threshold"] = _threshold(kwargs["prepare_threshold"])
        kwargs["autocommit"] = False
        return [], kwargs

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        dbapi = self.dbapi
        assert dbapi is not None, "create_engine() sets dialect.dbapi"
        if "cursor_factory" not in cparams:
            from athanor.dialects.postgresql._cursor import cursor_factories

            cparams["cursor_factory"] = cursor_factories()[0]
        return dbapi.connect(*cargs, **cparams)

    def initialize(self, dbapi_connection: Any) -> None:
        version = dbapi_connection.info.server_version
        self.server_version_info = (version // 10000, version % 10000)
        self.default_isolation_level = self._show(dbapi_connection, "default_transaction_isolation")

    @staticmethod
    def _show(dbapi_connection: Any, setting: str) -> str:
        res = dbapi_connection.pgconn.exec_(f"SHOW {setting}".encode())
        value = res.get_value(0, 0)
        return value.decode().upper() if value else "READ COMMITTED"

    # --- isolation ------------------------------------------------------------------
    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        level = self.check_isolation_level(level)
        if level == "AUTOCOMMIT":
            dbapi_connection.autocommit = True
            return
        dbapi_connection.autocommit = False
        enum = self.dbapi.IsolationLevel if self.dbapi else None  # type: ignore[union-attr]
        dbapi_connection.isolation_level = enum[level.replace(" ", "_")] if enum else None

    def get_isolation_level(self, dbapi_connection: Any) -> str | None:
        if dbapi_connection.autocommit:
            return "AUTOCOMMIT"
        level = dbapi_connection.isolation_level
        if level is not None:
            return str(level.name).replace("_", " ")
        return self._show(dbapi_connection, "transaction_isolation")

    def reset_isolation_level(self, dbapi_connection: Any) -> None:
        if self.isolation_level is not None:
            self.set_isolation_level(dbapi_connection, self.isolation_level)
            return
        dbapi_connection.autocommit = False
        dbapi_connection.isolation_level = None

    # --- health ---------------------------------------------------------------------
    def do_ping(self, dbapi_connection: Any) -> bool:
        try:
            if dbapi_connection.closed or dbapi_connection.broken:
                return False
            res = dbapi_connection.pgconn.exec_(b"")
            return int(res.status) in (0, 1, 2)  # EMPTY_QUERY, COMMAND_OK, TUPLES_OK
        except Exception:  # any failure: dead
            return False

    def is_disconnect(self, error: BaseException, dbapi_connection: Any | None) -> bool:
        dbapi = self.dbapi
        if dbapi is None or not isinstance(error, (dbapi.OperationalError, dbapi.InterfaceError)):
            return False
        if dbapi_connection is not None and (dbapi_connection.closed or dbapi_connection.broken):
            return True
        sqlstate = getattr(error, "sqlstate", None) or ""
        if sqlstate.startswith("08") or sqlstate in _DISCONNECT_SQLSTATES:
            return True
        text = str(error)
        return any(fragment in text for fragment in _DISCONNECT_TEXT)

    # --- executemany with RETURNING ---------------------------------------------------
    def do_executemany_returning(
        self, cursor: Any, statement: str, param_sets: list[Any]
    ) -> list[Any]:
        """psycopg's ``executemany(returning=True)``: one pipelined batch; each set's
        result is read in turn with ``nextset()``."""
        cursor.executemany(statement, param_sets, returning=True)
        rows: list[Any] = []
        while True:
            rows.extend(cursor.fetchall())
            if not cursor.nextset():
                return rows

    def socket_fd(self, dbapi_connection: Any) -> int | None:
        try:
            return int(dbapi_connection.pgconn.socket)
        except Exception:  # already closed: no socket to protect
            return None
