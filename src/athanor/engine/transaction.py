"""Transactions on a Connection: the root transaction and SAVEPOINT-based nested ones.

States of a transaction object::

    ACTIVE --commit()/rollback()--> CLOSED
    ACTIVE --connection lost--> DEACTIVATED --rollback()--> CLOSED

A connection holds at most one :class:`RootTransaction` (begun explicitly with
``begin()`` or implicitly by the first ``execute()``, "autobegin") and a stack of
:class:`NestedTransaction` objects, each a SAVEPOINT. Ending the root ends every savepoint;
ending a savepoint ends the savepoints above it. Using a closed transaction raises
:class:`athanor.exc.ResourceClosedError`; committing a deactivated one raises
:class:`athanor.exc.PendingRollbackError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from athanor import exc

if TYPE_CHECKING:
    from athanor.engine.base import Connection

ACTIVE = "active"
DEACTIVATED = "deactivated"
CLOSED = "closed"


class Transaction:
    """Base class: context manager committing on success, rolling back on error."""

    __slots__ = ("connection", "_state")

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._state = ACTIVE

    @property
    def is_active(self) -> bool:
        """True until the transaction is committed, rolled back or its connection lost."""
        return self._state == ACTIVE

    @property
    def is_valid(self) -> bool:
        return self._state == ACTIVE

    def _check_commit(self) -> None:
        if self._state == CLOSED:
            raise exc.ResourceClosedError(
                "Committing failed: this transaction is already closed (committed or rolled "
                "back). Begin a new one."
            )
        if self._state == DEACTIVATED:
            raise exc.PendingRollbackError(
                "Committing failed: this transaction is inactive because its connection was "
                "lost or an enclosing transaction ended. Call rollback() first."
            )

    def commit(self) -> None:
        raise NotImplementedError

    def rollback(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Roll back if still open; otherwise do nothing."""
        if self._state != CLOSED:
            self.rollback()

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, exc_type: Any, exc_value: Any, tb: Any) -> None:
        if self._state == CLOSED:
            return
        if exc_type is None and self._state == ACTIVE:
            try:
                self.commit()
            except BaseException:
                if self._state != CLOSED:
                    self.rollback()
                raise
        else:
            self.rollback()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._state}>"


class RootTransaction(Transaction):
    """The connection's real database transaction."""

    __slots__ = ()

    def commit(self) -> None:
        """Commit, ending every savepoint with it."""
        if self._state != ACTIVE:
            self._check_commit()
        conn = self.connection
        if conn._savepoints:
            conn._close_savepoints()
        try:
            conn._driver_commit()
        finally:
            self._end()

    def rollback(self) -> None:
        """Roll back everything since the transaction began."""
        if self._state == CLOSED:
            return
        conn = self.connection
        conn._close_savepoints()
        try:
            if self._state == ACTIVE:
                conn._driver_rollback()
        finally:
            self._end()

    def _end(self) -> None:
        self._state = CLOSED
        if self.connection._transaction is self:
            self.connection._transaction = None


class NestedTransaction(Transaction):
    """A SAVEPOINT inside the root transaction (``begin_nested()``)."""

    __slots__ = ("name",)

    def __init__(self, connection: Connection, name: str) -> None:
        super().__init__(connection)
        self.name = name

    def commit(self) -> None:
        """RELEASE the savepoint: its work joins the enclosing transaction."""
        self._check_commit()
        conn = self.connection
        conn._close_savepoints(above=self)
        try:
            conn._exec_control(conn.dialect.release_savepoint_sql(self.name))
        finally:
            self._end()

    def rollback(self) -> None:
        """ROLLBACK TO the savepoint: undo its work, keep the enclosing transaction."""
        if self._state == CLOSED:
            return
        conn = self.connection
        conn._close_savepoints(above=self)
        try:
            if self._state == ACTIVE and conn._dbapi is not None:
                conn._exec_control(conn.dialect.rollback_to_savepoint_sql(self.name))
        finally:
            self._end()

    def _end(self) -> None:
        self._state = CLOSED
        stack = self.connection._savepoints
        if stack and stack[-1] is self:
            stack.pop()

    def _deactivate(self) -> None:
        self._state = CLOSED


__all__ = ["NestedTransaction", "RootTransaction", "Transaction"]
