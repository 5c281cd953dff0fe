"""The pool classes: how idle connections are stored and how many may exist.

* :class:`QueuePool`: up to ``pool_size`` kept connections plus ``max_overflow`` temporary
  ones (``pool_size=0``: no limit, every connection kept); a checkout waits up to
  ``timeout`` seconds for a free one, then raises
  :class:`athanor.exc.TimeoutError` naming where every checked-out connection was taken.
  One :class:`threading.Condition` guards the idle deque and the open-connection count;
  driver connects and closes happen outside it.
* :class:`NullPool`: a new connection per checkout, closed on return.
* :class:`StaticPool`: one connection shared by every checkout (SQLAlchemy's semantics: no
  locking; the caller makes sure sharing is safe). The connection is reset only when the
  last holder returns it.
* :class:`LockedStaticPool`: a StaticPool whose connection is held by one thread at a time
  (re-entrant for the holding thread). The default for SQLite ``:memory:`` databases: every
  session sees the same data, and threads take turns instead of interleaving statements.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from athanor import exc
from athanor.pool.base import CHECKED_OUT, IDLE, ConnectionRecord, Pool, _ForkState

_get_ident = threading.get_ident


class QueuePool(Pool):
    """A bounded pool: ``pool_size`` kept connections, ``max_overflow`` extra ones."""

    def __init__(
        self,
        creator: Callable[[], Any],
        pool_size: int = 5,
        max_overflow: int = 10,
        timeout: float = 30.0,
        use_lifo: bool = False,
        **kw: Any,
    ) -> None:
        super().__init__(creator, timeout=timeout, **kw)
        self._size = pool_size
        self._max_overflow = max_overflow
        self._use_lifo = use_lifo
        self._idle: deque[ConnectionRecord] = deque()
        self._total = 0  # open connections + slots reserved for connections being made
        self._cond = threading.Condition(threading.Lock())

    def _limit_reached(self) -> bool:
        if self._size == 0 or self._max_overflow < 0:  # pool_size=0: no limit at all
            return False
        return self._total >= self._size + self._max_overflow

    def _acquire(self) -> ConnectionRecord | None:
        deadline = 0.0
        while True:
            with self._cond:
                while not self._gc_returned:
                    if self._idle:
                        return self._idle.pop() if self._use_lifo else self._idle.popleft()
                    if not self._limit_reached():
                        self._total += 1
                        return None
                    now = time.monotonic()
                    if not deadline:
                        deadline = now + self._timeout
                    if now >= deadline:
                        raise exc.TimeoutError(self._exhausted_message())
                    # wake up now and then: a garbage-collected checkout may be waiting
                    self._cond.wait(min(deadline - now, 0.25))
            self._drain_gc_returned()

    def _exhausted_message(self) -> str:
        holders = self._holders()
        where = "\n".join(holders) if holders else "  (none recorded)"
        return (
            f"Getting a connection from the pool failed: QueuePool limit of size {self._size} "
            f"overflow {self._max_overflow} reached, {self.checkedout()} connections checked out, "
            f"none returned within {self._timeout:g} s (pool_timeout). Checked out at:\n{where}\n"
            "Close connections and sessions when done (use 'with' blocks), or raise "
            "pool_size / max_overflow."
        )

    def _release(self, record: ConnectionRecord) -> None:
        with self._cond:
            if len(self._idle) < self._size or self._size == 0:
                self._idle.append(record)
                self._cond.notify()
                return
            self._total -= 1
            self._cond.notify()
        record.close()

    def _discard(self, record: ConnectionRecord) -> None:
        with self._cond:
            self._total -= 1
            self._cond.notify()

    def _creation_failed(self) -> None:
        with self._cond:
            self._total -= 1
            self._cond.notify()

    def _dispose_idle(self) -> None:
        with self._cond:
            idle, self._idle = list(self._idle), deque()
            self._total -= len(idle)
            self._cond.notify_all()
        for record in idle:
            record.close()

    def _reset_after_fork(self) -> None:
        idle, self._idle = list(self._idle), deque()
        self._cond = threading.Condition(threading.Lock())
        self._total = 0
        for record in idle:
            record.close()  # abandons: the record's epoch is the parent's

    def recreate(self) -> QueuePool:
        return QueuePool(
            self._creator, pool_size=self._size, max_overflow=self._max_overflow,
            timeout=self._timeout, use_lifo=self._use_lifo, **self._config(),
        )

    # --- introspection (SQLAlchemy's names) ---------------------------------------
    def size(self) -> int:
        return self._size

    def timeout(self) -> float:
        return self._timeout

    def checkedin(self) -> int:
        return len(self._idle)

    def overflow(self) -> int:
        return self._total - self._size

    def status(self) -> str:
        return (
            f"Pool size: {self._size}  Connections in pool: {len(self._idle)} "
            f"Current Overflow: {self.overflow()} "
            f"Current Checked out connections: {self.checkedout()}"
        )


class NullPool(Pool):
    """No pooling: every checkout opens a connection, every return closes it."""

    def _acquire(self) -> ConnectionRecord | None:
        return None

    def _release(self, record: ConnectionRecord) -> None:
        record.close()

    def _dispose_idle(self) -> None:
        pass

    def _reset_after_fork(self) -> None:
        pass

    def recreate(self) -> NullPool:
        return NullPool(self._creator, timeout=self._timeout, **self._config())

    def status(self) -> str:
        return f"NullPool checked out: {self.checkedout()}"


class StaticPool(Pool):
    """Exactly one connection, shared by every checkout (no locking)."""

    def __init__(self, creator: Callable[[], Any], **kw: Any) -> None:
        super().__init__(creator, **kw)
        self._record: ConnectionRecord | None = None
        self._holders_count = 0
        self._lock = threading.Lock()

    def _acquire(self) -> ConnectionRecord | None:
        with self._lock:
            self._holders_count += 1
            return self._record

    def _checkout_record(self) -> ConnectionRecord:
        record = self._acquire()  # counts this holder (and takes the guard, if any)
        try:
            if record is not None:
                record.state = IDLE  # shared: several checkouts may hold it at once
                # the usual case, decided inline: what _healthy says for a reused record
                # with no recycle / pre-ping due (or one another holder is using)
                if self._holders_count > 1:
                    return record  # in use by someone else right now: never replaced
                if (
                    record.generation == self._generation
                    and record.epoch == _ForkState.epoch
                    and self._recycle < 0
                    and (record.fresh or not self._pre_ping)
                ):
                    record.fresh = False
                    return record
                if self._healthy(record):
                    return record
            if record is not None:
                record.close()
                self._discard(record)
            with self._lock:
                if self._record is not None and self._record.state != "closed":
                    return self._record
                record = ConnectionRecord(self, self._creator())
                self._record = record
            if self._dispatch.connect_events:
                self._dispatch.fire_connect(record.dbapi_connection, record)
            return record
        except BaseException:
            self._creation_failed()
            raise

    def _healthy(self, record: ConnectionRecord) -> bool:
        if self._holders_count > 1:
            return True  # in use by someone else right now: never replace it under them
        return super()._healthy(record)

    def _checkin(self, record: ConnectionRecord, *, reset: bool = True) -> None:
        self._out.discard(record)
        with self._lock:
            holders = self._holders_count - 1
            self._holders_count = holders if holders > 0 else 0
        if record.state == "closed" or record is not self._record:
            return
        if self._dispatch.checkin:
            self._dispatch.fire("checkin", record.dbapi_connection, record)
        if holders <= 0 and reset and self._reset_on_return:
            try:
                self._dialect.do_rollback(record.dbapi_connection)
            except Exception:  # unusable: next checkout creates a fresh one
                record.close()
                self._discard(record)
        self._after_checkin()

    def _after_checkin(self) -> None:
        pass

    def checkedout(self) -> int:
        return self._holders_count

    def _release(self, record: ConnectionRecord) -> None:
        pass

    def _discard(self, record: ConnectionRecord) -> None:
        with self._lock:
            if self._record is record:
                self._record = None

    def _creation_failed(self) -> None:
        with self._lock:
            self._holders_count = max(0, self._holders_count - 1)
        self._after_checkin()

    def _invalidate(self, record: ConnectionRecord, error: Any, *, all_older: bool) -> None:
        super()._invalidate(record, error, all_older=all_older)
        with self._lock:
            self._holders_count = max(0, self._holders_count - 1)
            if self._record is record:
                self._record = None
        self._after_checkin()

    def _dispose_idle(self) -> None:
        with self._lock:
            record, self._record = self._record, None
        if record is not None:
            record.close()

    def _reset_after_fork(self) -> None:
        self._lock = threading.Lock()
        self._holders_count = 0
        record, self._record = self._record, None
        if record is not None:
            record.close()

    def recreate(self) -> StaticPool:
        return type(self)(self._creator, timeout=self._timeout, **self._config())

    def status(self) -> str:
        return f"{type(self).__name__} checked out: {self.checkedout()}"


class _OwnerLock:
    """A lock held by one thread at a time, re-entrant for it, releasable from any thread."""

    def __init__(self) -> None:
        # The plain lock is taken directly (a C-level ``with``); the Condition over it is
        # used only to wait, and notified only when some thread waits.
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._owner: int | None = None
        self._depth = 0
        self._waiting = 0

    def acquire(self, timeout: float) -> bool:
        me = threading.get_ident()
        with self._lock:
            if self._owner is None or self._owner == me:
                self._owner = me
                self._depth += 1
                return True
            deadline = time.monotonic() + timeout
            self._waiting += 1
            try:
                while self._owner is not None:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    self._cond.wait(remaining)
            finally:
                self._waiting -= 1
            self._owner = me
            self._depth = 1
            return True

    def release(self) -> None:
        with self._lock:
            if self._depth:
                self._depth -= 1
            if not self._depth:
                self._owner = None
                if self._waiting:
                    self._cond.notify()


class LockedStaticPool(StaticPool):
    """One shared connection, held by one thread at a time (SQLite ``:memory:``)."""

    def __init__(self, creator: Callable[[], Any], timeout: float = 30.0, **kw: Any) -> None:
        super().__init__(creator, timeout=timeout, **kw)
        self._set_guard()

    def _set_guard(self) -> None:
        self._guard = _OwnerLock()
        self._after_checkin = self._guard.release  # type: ignore[method-assign]

    def _acquire(self) -> ConnectionRecord | None:
        # The guard's uncontended case inline (free, or held by this thread: re-entrant);
        # otherwise wait for it in _OwnerLock.acquire.
        guard = self._guard
        me = _get_ident()
        with guard._lock:
            owner = guard._owner
            mine = owner is None or owner == me
            if mine:
                guard._owner = me
                guard._depth += 1
        if not mine and not guard.acquire(self._timeout):
            holders = "\n".join(self._holders()) or "  (none recorded)"
            raise exc.TimeoutError(
                f"Getting the shared connection failed: another thread held it for more than "
                f"{self._timeout:g} s (pool_timeout). It was checked out at:\n{holders}\n"
                "An in-memory SQLite database has one connection that threads take turns on; "
                "close connections and sessions promptly, or use a file database."
            )
        with self._lock:  # StaticPool._acquire, inline
            self._holders_count += 1
            return self._record

    def _after_checkin(self) -> None:  # replaced per instance by the guard's release
        self._guard.release()

    def _reset_after_fork(self) -> None:
        super()._reset_after_fork()
        self._set_guard()


__all__ = ["QueuePool", "NullPool", "StaticPool", "LockedStaticPool", "CHECKED_OUT"]
