"""Shared type aliases and structural Protocols.

PEP 249 drivers share no base classes, so the shapes athanor relies on (a DB-API connection,
a cursor) are written down here as :class:`typing.Protocol` classes and used in annotations
only. :class:`PoolDialect` is the small set of driver hooks the pool calls: the pool sits below
the dialects in the layer order, so it sees a dialect only through this shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

#: One set of parameters as the user gives them: ``{"name": value}``.
UserParams = Mapping[str, Any]
#: ``conn.execute(stmt, params)`` accepts one mapping or a list of them (executemany).
ExecuteParams = UserParams | Sequence[UserParams] | None
#: Parameters in the driver's positional shape.
DriverParams = Sequence[Any] | Mapping[str, Any]


class DBAPICursor(Protocol):
    """The PEP 249 cursor methods athanor calls."""

    @property
    def description(self) -> Sequence[Sequence[Any]] | None: ...

    @property
    def rowcount(self) -> int: ...

    @property
    def lastrowid(self) -> Any: ...

    def execute(self, operation: Any, parameters: Any = ...) -> Any: ...

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchmany(self, size: int = ...) -> Sequence[Any]: ...

    def fetchall(self) -> Sequence[Any]: ...

    def close(self) -> Any: ...


class DBAPIConnection(Protocol):
    """The PEP 249 connection methods athanor calls."""

    def cursor(self) -> Any: ...

    def commit(self) -> Any: ...

    def rollback(self) -> Any: ...

    def close(self) -> Any: ...


class PoolDialect(Protocol):
    """Driver hooks the pool uses: rollback on return, close, liveness check, fork cleanup."""

    def do_rollback(self, dbapi_connection: Any) -> None: ...

    def do_close(self, dbapi_connection: Any) -> None: ...

    def do_ping(self, dbapi_connection: Any) -> bool: ...

    def do_abandon(self, dbapi_connection: Any) -> None: ...
