"""Session transactions: the root transaction and SAVEPOINT levels, as explicit states.

Design
------
A :class:`SessionTransaction` is one level of the session's transaction stack: the root
(``Session.begin()`` or autobegun on first use) and one per ``begin_nested()``. Each level
records which instances became persistent (``new``), were deleted (``deleted``) or were
updated (``updated``) by flushes inside it, so a rollback of that level can put the session
back: new rows become transient again, deleted rows persistent again, updated rows expired.

States and transitions (anything else raises a clear error)::

    ACTIVE --commit()--> COMMITTED        (flush, then COMMIT / RELEASE SAVEPOINT)
    ACTIVE --rollback()--> ROLLED_BACK
    ACTIVE --flush fails--> FAILED --rollback()--> ROLLED_BACK

The Core transaction (``core``) is attached when the session first needs a connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from athanor import exc

if TYPE_CHECKING:
    from athanor.orm.session import Session
    from athanor.orm.state import InstanceState

ACTIVE = "active"
FAILED = "failed"
COMMITTED = "committed"
ROLLED_BACK = "rolled back"


class SessionTransaction:
    """One level of a Session's transaction (root or savepoint)."""

    def __init__(self, session: Session, parent: SessionTransaction | None, nested: bool) -> None:
        self.session = session
        self.parent = parent
        self.nested = nested
        self.core: Any = None
        self.status = ACTIVE
        self.error: BaseException | None = None
        self.new: list[InstanceState] = []
        self.deleted: list[InstanceState] = []
        self.updated: list[InstanceState] = []
        #: set by Session.begin() used as a context manager from sessionmaker.begin()
        self._close_session_on_exit = False

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE

    def commit(self) -> None:
        if self.nested:
            self.session._commit_nested(self)
        else:
            self.session.commit()

    def rollback(self) -> None:
        if self.status in (COMMITTED, ROLLED_BACK):
            return
        if self.nested:
            self.session._rollback_nested(self)
        else:
            self.session.rollback()

    def close(self) -> None:
        if self.status in (ACTIVE, FAILED):
            self.rollback()

    def __enter__(self) -> Any:
        if self._close_session_on_exit:
            return self.session
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, tb: Any) -> None:
        try:
            if exc_type is None and self.status == ACTIVE:
                try:
                    self.commit()
                except BaseException:
                    if self.status in (ACTIVE, FAILED):
                        self.rollback()
                    raise
            elif self.status in (ACTIVE, FAILED):
                self.rollback()
        finally:
            if self._close_session_on_exit:
                self.session.close()

    def _check_active(self, what: str) -> None:
        if self.status == FAILED:
            raise exc.PendingRollbackError(
                f"{what} failed: this Session's transaction was rolled back after an error "
                f"during flush ({type(self.error).__name__}: {self.error}). Call "
                f"Session.rollback() first."
            )
        if self.status != ACTIVE:
            raise exc.InvalidRequestError(
                f"{what} failed: the transaction is already {self.status}. Start a new one "
                f"with Session.begin()."
            )

    def __repr__(self) -> str:
        kind = "savepoint" if self.nested else "root"
        return f"<SessionTransaction {kind} {self.status}>"
