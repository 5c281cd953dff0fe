"""Identify and kill a pooled connection's server session, on every backend."""

from __future__ import annotations

import itertools
from typing import Any

from athanor import create_engine
from athanor.pool import NullPool


def session_id(conn: Any) -> Any:
    """The server's id for this Connection's session (the driver object for SQLite)."""
    name = conn.dialect.name
    if name == "postgresql":
        return conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    if name == "mysql":
        return conn.exec_driver_sql("SELECT CONNECTION_ID()").scalar()
    return conn.info.setdefault("test_session_id", next(_SQLITE_IDS))


_SQLITE_IDS = itertools.count(1)


def kill(engine: Any, conn: Any, ident: Any) -> None:
    """End the session ``ident`` from outside (SQLite: close the driver connection)."""
    name = engine.dialect.name
    if name == "sqlite":
        conn.connection.dbapi_connection.close()
        return
    killer = create_engine(engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with killer.connect() as other:
            if name == "postgresql":
                other.exec_driver_sql("SELECT pg_terminate_backend(%s)", (ident,))
            else:
                other.exec_driver_sql(f"KILL {int(ident)}")
    finally:
        killer.dispose()
