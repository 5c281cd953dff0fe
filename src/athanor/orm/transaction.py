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
from athanor.orm import _session_events as _sev
from athanor.orm.loading import expire_state

if TYPE_CHECKING:
    from athanor._event import Dispatch
    from athanor.orm.identity import IdentityMap
    from athanor.orm.session import Session
    from athanor.orm.state import InstanceState

ACTIVE = "active"
FAILED = "failed"
COMMITTED = "committed"
ROLLED_BACK = "rolled back"


class SessionTransaction:
    """One level of a Session's transaction (root or savepoint)."""

    def __init__(self, session: Any, parent: SessionTransaction | None, nested: bool) -> None:
        self.session: Session = session
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


class TransactionMixin:
    """The Session's transaction control: autobegin, begin, savepoints, commit, rollback,
    close. Split from :mod:`athanor.orm.session` to keep that module readable; it only
    makes sense mixed into :class:`~athanor.orm.session.Session`."""

    _stack: list[SessionTransaction]
    _identity_map: IdentityMap
    _new: dict[InstanceState, Any]
    _modified: dict[InstanceState, Any]
    _deleted: dict[InstanceState, Any]
    _conn: Any
    autobegin: bool
    expire_on_commit: bool
    _dispatch: Dispatch

    if TYPE_CHECKING:

        def _enter(self) -> int | None: ...
        def _autoflush(self) -> None: ...
        def _flush(self) -> None: ...
        def flush(self, objects: Any = None) -> None: ...
        def _connection(self) -> Any: ...
        def _release_connection(self) -> None: ...
        def expunge_all(self) -> None: ...

    # ------------------------------------------------------------------------------------
    # transactions
    def _autobegin(self, what: str) -> SessionTransaction:
        if self._stack:
            tx = self._stack[-1]
            if tx.status != ACTIVE:
                tx._check_active(what)
            return self._stack[0]
        if not self.autobegin:
            raise exc.InvalidRequestError(
                f"{what} failed: autobegin is disabled on this Session and no transaction "
                f"was begun. Call Session.begin() first."
            )
        root = SessionTransaction(self, None, False)
        self._stack.append(root)
        if self._dispatch.tx_events:
            _sev.transaction_created(self, root)
        return root

    def _check_usable(self, what: str) -> None:
        if self._stack:
            tx = self._stack[-1]
            if tx.status != ACTIVE:
                tx._check_active(what)

    def begin(self, nested: bool = False) -> SessionTransaction:
        if nested:
            return self.begin_nested()
        if self._stack:
            raise exc.InvalidRequestError(
                "Session.begin() failed: a transaction is already begun on this Session "
                "(possibly autobegun by an earlier query). Commit or roll it back first, or use "
                "begin_nested() for a SAVEPOINT."
            )
        root = SessionTransaction(self, None, False)
        self._stack.append(root)
        if self._dispatch.tx_events:
            _sev.transaction_created(self, root)
        return root

    def begin_nested(self) -> SessionTransaction:
        prev = self._enter()
        try:
            self._check_usable("begin_nested()")
            self._autoflush()
            conn = self._connection()
            tx = SessionTransaction(self, self._stack[-1], True)
            if self._dispatch.tx_events:
                _sev.transaction_created(self, tx)
            tx.core = conn.begin_nested()
            self._stack.append(tx)
            return tx
        finally:
            self._op_thread = prev

    def commit(self) -> None:
        prev = self._enter()
        try:
            if not self._stack:
                if not (
                    self._new
                    or self._modified
                    or self._deleted
                    or self.__dict__.get("_athanor_rel")
                ):
                    return
                self._autobegin("commit()")
            stack = self._stack
            if stack[-1].status != ACTIVE:
                stack[-1]._check_active("commit()")
            if self._dispatch.before_commit:
                self._dispatch.fire("before_commit", self)
            if self._new or self._modified or self._deleted or self.__dict__.get(
                    "_athanor_rel"):  # (what _flush checks first)
                self._flush()
            root = stack[0]
            if root.core is not None:
                root.core.commit()
            if self._conn is not None:
                self._release_connection()
            self._committed(root)
        finally:
            self._op_thread = prev

    def _committed(self, root: SessionTransaction) -> None:
        """The root transaction committed: end every level, then the commit events."""
        self._end_all(COMMITTED)
        if self._dispatch.after_commit:
            self._dispatch.fire("after_commit", self)
        if self._dispatch.tx_events:
            _sev.transaction_ended(self, root)

    def rollback(self) -> None:
        prev = self._enter()
        try:
            if not self._stack:
                return
            root = self._stack[0]
            moves = _sev.rollback_moves(self, self._stack) if self._dispatch.detach_events \
                else None
            try:
                if root.core is not None and root.status != FAILED:
                    root.core.rollback()
            finally:
                self._release_connection()
                for tx in reversed(self._stack):
                    self._restore(tx, dirty_only=False)
                self._expunge_pending()
                self._deleted.clear()
                self._identity_map._expire_all(expire_state)
                self._modified.clear()
                self.__dict__.pop("_athanor_rel", None)  # relationship changes (collections.py)
                for tx in self._stack:
                    tx.status = ROLLED_BACK
                self._stack.clear()
            if self._dispatch.after_rollback:
                self._dispatch.fire("after_rollback", self)
            _sev.fire_moves(self, moves)
            if self._dispatch.tx_events:
                _sev.transaction_ended(self, root)
            if self._dispatch.after_soft_rollback:
                self._dispatch.fire("after_soft_rollback", self, root)
        finally:
            self._op_thread = prev

    def _commit_nested(self, tx: SessionTransaction) -> None:
        self._check_top(tx, "commit()")
        tx._check_active("Committing the SAVEPOINT")
        self.flush()
        tx.core.commit()
        parent = self._stack[-2]
        parent.new.extend(tx.new)
        parent.deleted.extend(tx.deleted)
        parent.updated.extend(tx.updated)
        tx.status = COMMITTED
        self._stack.pop()
        if self._dispatch.tx_events:
            _sev.transaction_ended(self, tx)

    def _rollback_nested(self, tx: SessionTransaction) -> None:
        self._check_top(tx, "rollback()")
        if tx.status != FAILED and tx.core is not None:
            tx.core.rollback()
        moves = _sev.rollback_moves(self, [tx]) if self._dispatch.detach_events else None
        self._restore(tx, dirty_only=True)
        self._expunge_pending()
        self._deleted.clear()
        tx.status = ROLLED_BACK
        self._stack.pop()
        d = self._dispatch
        if d.after_rollback:
            d.fire("after_rollback", self)
        _sev.fire_moves(self, moves)
        if d.tx_events:
            _sev.transaction_ended(self, tx)
        if d.after_soft_rollback:
            d.fire("after_soft_rollback", self, tx)

    def _check_top(self, tx: SessionTransaction, what: str) -> None:
        if not self._stack or self._stack[-1] is not tx:
            raise exc.InvalidRequestError(
                f"SAVEPOINT {what} failed: this savepoint is not the innermost active "
                f"transaction of the Session. End the inner savepoints first."
            )

    def _restore(self, tx: SessionTransaction, *, dirty_only: bool) -> None:
        """Undo the session-side effects of a rolled back transaction level."""
        imap = self._identity_map
        for st in tx.new:
            imap._discard_state(st)
            st.key = None
            st.session = None
            st.committed = None
        for st in tx.deleted:
            obj = st()
            st.deleted = False
            if obj is not None:
                imap._add_state(st)
        if dirty_only:
            for st in list(tx.updated) + list(self._modified):
                obj = st()
                if obj is not None and st.key is not None:
                    expire_state(st, obj)
            self._modified.clear()

    def _expunge_pending(self) -> None:
        for st in self._new:
            st.session = None
        self._new.clear()

    def _end_all(self, status: str) -> None:
        if self._dispatch.deleted_to_detached:
            _sev.fire_each(self, "deleted_to_detached",
                           [(st, st()) for tx in self._stack for st in tx.deleted])
        for tx in self._stack:
            if tx.deleted:
                for st in tx.deleted:
                    st.session = None
            tx.status = status
        self._stack.clear()
        if self.expire_on_commit and self._identity_map._maps:
            self._identity_map._expire_all(expire_state)

    def _fail(self, err: BaseException) -> None:
        """A flush failed: roll back the innermost level now and remember the error."""
        tx = self._stack[-1]
        tx.status = FAILED
        tx.error = err
        try:
            if tx.core is not None:
                tx.core.rollback()
        finally:
            if not tx.nested:
                self._release_connection()

    def close(self) -> None:
        prev = self._enter()
        try:
            self._release_all(close_connection=True)
        finally:
            self._op_thread = prev

    def reset(self) -> None:
        self.close()

    def _release_all(self, *, close_connection: bool) -> None:
        ended: list[SessionTransaction] = []
        try:
            if self._stack:
                root = self._stack[0]
                if root.core is not None and root.status == ACTIVE:
                    try:
                        root.core.rollback()
                    except Exception:  # the connection is released either way
                        pass
                for tx in self._stack:
                    tx.status = ROLLED_BACK
                ended = list(self._stack) if self._dispatch.tx_events else []
                self._stack.clear()
        finally:
            if close_connection:
                self._release_connection()
            self.expunge_all()
        for tx in reversed(ended):
            _sev.transaction_ended(self, tx)
