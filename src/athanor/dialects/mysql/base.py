"""MySQL and MariaDB: features and driver hooks (PyMySQL).

Connections use ``charset="utf8mb4"`` (full Unicode), ``autocommit=False`` (every statement
runs in a transaction that ``COMMIT``/``ROLLBACK`` ends, as on the other databases), and the
``FOUND_ROWS`` client flag, so ``rowcount`` after UPDATE counts matched rows, not only the
rows whose values changed: the ORM's stale-data check relies on that.

The first connection tells the server version (``initialize``): ``is_mariadb`` and
``server_version_info`` are set then. MariaDB 10.5+ can run ``INSERT ... RETURNING`` (never
``UPDATE ... RETURNING``); that is recorded as ``server_insert_returning`` but
``supports_returning`` stays False, because that flag promises RETURNING on UPDATE and DELETE
too. Disconnects are the client error codes for a lost or gone-away server.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

from athanor.dialects.base import Dialect
from athanor.dialects.mysql.compiler import MySQLCompiler
from athanor.dialects.mysql.ddl import MySQLDDLCompiler, MySQLTypeCompiler

# 2006 gone away, 2013 lost during query, 2014 out of sync, 2045 can't open shared memory,
# 2055 lost at reading, 4031 disconnected by server (idle), 1927 connection killed (MariaDB),
# 1053 server shutdown in progress, 2003 / 2002 can't connect.
_DISCONNECT_CODES = frozenset({2002, 2003, 2006, 2013, 2014, 2045, 2055, 4031, 1927, 1053})
_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")


class MySQLDialect(Dialect):
    name = "mysql"
    driver = "pymysql"
    driver_package = "PyMySQL"
    paramstyle = "format"

    postfetch_lastrowid = True
    supports_returning = False  # MariaDB 10.5+ has INSERT ... RETURNING only; see docstring.
    supports_multivalues_insert = True
    supports_native_boolean = False
    supports_native_enum = True
    supports_for_update = True
    supports_skip_locked = True  # MariaDB 10.6+, MySQL 8.
    supports_ilike = False
    supports_nulls_ordering = False
    supports_comments = True
    supports_default_values = False
    max_identifier_length = 64

    @property
    def reflection(self) -> ModuleType:
        """This database's catalog queries (``athanor.dialects.mysql.reflection``)."""
        from athanor.dialects.mysql import reflection

        return reflection

    statement_compiler = MySQLCompiler
    ddl_compiler = MySQLDDLCompiler
    type_compiler = MySQLTypeCompiler

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        #: True once the first connection showed a MariaDB server.
        self.is_mariadb = False
        #: Can the server run INSERT ... RETURNING (MariaDB >= 10.5)?
        self.server_insert_returning = False

    @classmethod
    def import_dbapi(cls) -> ModuleType:
        try:
            import pymysql
        except ImportError as err:
            raise cls._missing_driver(err) from err
        return pymysql

    def create_connect_args(self, url: Any) -> tuple[list[Any], dict[str, Any]]:
        from pymysql.constants import CLIENT

        kwargs: dict[str, Any] = {"charset": "utf8mb4", "autocommit": False}
        if url.host:
            kwargs["host"] = url.host
        if url.port:
            kwargs["port"] = url.port
        if url.username:
            kwargs["user"] = url.username
        if url.password is not None:
            kwargs["password"] = url.password
        if url.database:
            kwargs["database"] = url.database
        for key, value in url.query.items():  # charset, unix_socket, ssl_ca...
            value = value if isinstance(value, str) else value[-1]
            kwargs[key] = int(value) if key in ("connect_timeout", "read_timeout") else value
        kwargs["client_flag"] = int(kwargs.get("client_flag", 0)) | CLIENT.FOUND_ROWS
        return [], kwargs

    def initialize(self, dbapi_connection: Any) -> None:
        info = dbapi_connection.get_server_info() or ""
        self.is_mariadb = "mariadb" in info.lower()
        versions = _VERSION.findall(info)
        if versions:  # MariaDB may report "5.5.5-10.11.6-MariaDB": the last one is real
            self.server_version_info = tuple(int(p) for p in versions[-1])
        self.server_insert_returning = bool(
            self.is_mariadb and self.server_version_info and self.server_version_info >= (10, 5)
        )
        super().initialize(dbapi_connection)

    # --- isolation ------------------------------------------------------------------
    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        level = self.check_isolation_level(level)
        if level == "AUTOCOMMIT":
            dbapi_connection.autocommit(True)
            return
        dbapi_connection.autocommit(False)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"SET SESSION TRANSACTION ISOLATION LEVEL {level}")
        finally:
            cursor.close()

    def get_isolation_level(self, dbapi_connection: Any) -> str | None:
        if dbapi_connection.get_autocommit():
            return "AUTOCOMMIT"
        cursor = dbapi_connection.cursor()
        try:
            try:
                cursor.execute("SELECT @@transaction_isolation")
            except self.dbapi.Error:  # type: ignore[union-attr]  # MariaDB < 11.1
                cursor.execute("SELECT @@tx_isolation")
            row = cursor.fetchone()
        finally:
            cursor.close()
        return str(row[0]).replace("-", " ").upper() if row else None

    # --- health ---------------------------------------------------------------------
    def do_ping(self, dbapi_connection: Any) -> bool:
        try:
            dbapi_connection.ping(reconnect=False)
        except Exception:  # any failure: dead
            return False
        return True

    def is_disconnect(self, error: BaseException, dbapi_connection: Any | None) -> bool:
        dbapi = self.dbapi
        if dbapi is None or not isinstance(error, (dbapi.OperationalError, dbapi.InterfaceError)):
            return False
        code = error.args[0] if error.args else None
        if code in _DISCONNECT_CODES:
            return True
        if isinstance(error, dbapi.InterfaceError):
            return True  # PyMySQL raises InterfaceError(0, '') on a closed socket
        return dbapi_connection is not None and not dbapi_connection.open

    def socket_fd(self, dbapi_connection: Any) -> int | None:
        sock = getattr(dbapi_connection, "_sock", None)
        try:
            return sock.fileno() if sock is not None else None
        except OSError:
            return None
