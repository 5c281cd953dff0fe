"""Connection pools for asyncio: the sync pool's guarantees, awaited instead of blocking.

What is shared with :mod:`athanor.pool.base` (by import, not copied): the record state machine
(:class:`~athanor.pool.base.ConnectionRecord` and its states), the generation rule (a
disconnect bumps the generation; older records are closed when next seen, so after a server
restart no stale socket is handed out twice), recycle, pre-ping, the record of where each
checkout came from and the "pool exhausted" message naming the holders.

What differs:

* Waiting is a FIFO of futures instead of a condition variable. A connection or a free slot
  is handed straight to the first waiter, so a burst of tasks is served in arrival order;
  a waiter that times out or is cancelled after being handed something passes it on.
* Returning a connection awaits the driver's rollback. The checkout is forgotten *before*
  the first await, so a task cancelled at any point never leaves ``checkedout()`` counting
  it: if the cancellation lands inside the rollback, the connection (whose protocol state is
  then unknown) is terminated and its slot freed.
* A checkout dropped without ``close()`` (garbage collected) cannot be rolled back from the
  collector; its connection is terminated and its slot freed at the next checkout, with a
  warning naming where it was taken.
* Event loops: asyncio connections belong to the loop that opened them. The pool remembers
  its loop; used from another one (test suites running ``asyncio.run`` per test, a server
  restarted in-process) it warns, terminates the idle connections of the old loop, forgets
  the checkouts made there (they are terminated when returned) and starts afresh, instead
  of handing out connections that would hang.

:class:`AsyncQueuePool` is the bounded pool (also used with ``pool_size=1, max_overflow=0``
for SQLite in-memory databases: one connection, one holder at a time).
:class:`AsyncNullPool` opens a connection per checkout.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from athanor import exc
from athanor.pool.base import (
    CHECKED_OUT,
    CLOSED,
    IDLE,
    ConnectionRecord,
    Pool,
    _ForkState,
    caller_location,
)
from athanor.pool.impl import QueuePool

log = logging.getLogger("athanor.pool")


def terminate_quietly(dialect: Any, dbapi_connection: Any) -> None:
    """``dialect.do_terminate`` that never raises (the connection is being thrown away)."""
    try:
        dialect.do_terminate(dbapi_connection)
    except Exception as err:  # a dead or foreign-loop connection may fail to close
        log.debug("terminating a connection failed: %r", err)


class _TerminatingHooks:
    """The sync hooks a :class:`ConnectionRecord` calls on close: terminate, never await."""

    __slots__ = ("_dialect",)

    def __init__(self, dialect: Any) -> None:
        self._dialect = dialect

    def do_close(self, dbapi_connection: Any) -> None:
        terminate_quietly(self._dialect, dbapi_connection)

    def do_abandon(self, dbapi_connection: Any) -> None:
        abandon = getattr(self._dialect, "do_abandon", None)
        if abandon is not None:
            abandon(dbapi_connection)

    def do_rollback(self, dbapi_connection: Any) -> None:  # pragma: no cover - never called
        raise exc.InvalidRequestError("An async pool never rolls back synchronously.")

    def do_ping(self, dbapi_connection: Any) -> bool:  # pragma: no cover - never called
        return False


class _AsyncRecord(ConnectionRecord):
    """A record that also knows the event-loop epoch it was opened in."""

    __slots__ = ("loop_epoch",)

    def __init__(self, pool: Any, dbapi_connection: Any) -> None:
        super().__init__(pool, dbapi_connection)
        self.loop_epoch: int = pool._loop_epoch


class _ProxyRef(weakref.ref):  # type: ignore[type-arg]
    __slots__ = ("record",)
    record: _AsyncRecord


class AsyncPooledConnection:
    """A checked-out connection; ``await close()`` returns it to the pool."""

    __slots__ = ("_record", "dbapi_connection", "_needs_reset", "__weakref__")

    def __init__(self, record: _AsyncRecord) -> None:
        self._record: _AsyncRecord | None = record
        self.dbapi_connection: Any = record.dbapi_connection
        self._needs_reset = True

    @property
    def driver_connection(self) -> Any:
        return self.dbapi_connection

    @property
    def info(self) -> dict[str, Any]:
        record = self._record
        if record is None:
            raise exc.ResourceClosedError(
                "Using a pooled connection failed: it was already returned to the pool or "
                "invalidated. Check out a new one with await pool.connect()."
            )
        return record.info

    @property
    def is_valid(self) -> bool:
        return self._record is not None and self._record.state == CHECKED_OUT

    async def close(self) -> None:
        """Return the connection (rolled back first unless the engine already ended it)."""
        record, self._record = self._record, None
        if record is not None:
            self.dbapi_connection = None
            record.proxy_ref = None
            pool: Any = record.pool
            await pool._checkin(record, reset=self._needs_reset)

    def invalidate(self, error: BaseException | None = None, *, soft: bool = False) -> None:
        """Terminate the connection now, and every older one of the pool unless ``soft``."""
        record, self._record = self._record, None
        if record is not None:
            self.dbapi_connection = None
            record.proxy_ref = None
            record.pool._invalidate(record, error, all_older=not soft)

    def __repr__(self) -> str:
        return f"<AsyncPooledConnection {self.dbapi_connection!r}>"


class AsyncPool:
    """Base: checkout health checks, checkin, loop tracking. Subclasses store records."""

    def __init__(
        self,
        creator: Callable[[], Awaitable[Any]],
        *,
        dialect: Any,
        recycle: float = -1,
        pre_ping: bool = False,
        reset_on_return: bool | str | None = True,
        echo: bool | str = False,
        logging_name: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        if not callable(creator):
            raise exc.ArgumentError(
                f"Creating a pool failed: creator must be an async callable returning a "
                f"driver connection, got {creator!r}."
            )
        self._creator = creator
        self._async_dialect = dialect
        self._dialect = _TerminatingHooks(dialect)  # what ConnectionRecord.close() calls
        self._recycle = recycle if recycle is not None else -1
        self._pre_ping = bool(pre_ping)
        self._reset_on_return = reset_on_return not in (False, None, "none")
        self._echo = echo
        self._logging_name = logging_name
        self._timeout = timeout
        self._generation = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_epoch = 0
        self._out: set[ConnectionRecord] = set()
        self._gc_returned: list[_AsyncRecord] = []

    # Shared with the sync pool: "file:line (age)" of every checkout.
    _holders = Pool._holders

    # --- public API -----------------------------------------------------------------
    async def connect(self) -> AsyncPooledConnection:
        """Check out a connection (``await conn.close()`` returns it)."""
        self._check_loop()
        if self._gc_returned:
            self._drain_gc_returned()
        where = caller_location()
        record = await self._checkout_record()
        record.state = CHECKED_OUT
        record.checkout_time = time.monotonic()
        record.checkout_where = where
        self._out.add(record)
        proxy = AsyncPooledConnection(record)
        ref = record.proxy_ref = _ProxyRef(proxy, self._on_proxy_gc)  # type: ignore[assignment]
        ref.record = record
        return proxy

    def checkedout(self) -> int:
        """How many connections are checked out right now."""
        return len(self._out)

    def status(self) -> str:
        return f"{type(self).__name__} checked out: {self.checkedout()}"

    async def dispose(self) -> None:
        """Close every idle connection; checked-out ones are closed when returned."""
        self._check_loop()
        self._generation += 1
        for record in self._take_idle():
            await self._close_record(record)

    def recreate(self) -> AsyncPool:
        raise NotImplementedError

    def _config(self) -> dict[str, Any]:
        return {
            "dialect": self._async_dialect, "recycle": self._recycle,
            "pre_ping": self._pre_ping, "reset_on_return": self._reset_on_return,
            "echo": self._echo, "logging_name": self._logging_name, "timeout": self._timeout,
        }

    # --- event loops --------------------------------------------------------------
    def _check_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is loop:
            return
        if self._loop is not None:
            warnings.warn(
                "An async pool was used from a different event loop than the one its "
                "connections were opened in; their sockets belong to the old loop, so the pool "
                "drops them and starts afresh. Create the engine inside the loop that uses it, "
                "or call 'await engine.dispose()' before the loop ends.",
                exc.AthanorWarning,
                stacklevel=4,
            )
            self._reset_for_new_loop()
        self._loop = loop

    def _reset_for_new_loop(self) -> None:
        self._loop_epoch += 1
        self._out = set()
        self._gc_returned = []
        for record in self._forget_all():
            record.close()  # terminates (see _TerminatingHooks)

    # --- checkout -------------------------------------------------------------------
    async def _checkout_record(self) -> _AsyncRecord:
        for _attempt in range(3):
            record = await self._acquire()
            if record is None:
                return await self._new_record()
            try:
                healthy = await self._healthy(record)
            except BaseException:
                self._drop(record)
                raise
            if healthy:
                return record
            self._drop(record)
            record = None
        record = await self._acquire()
        return record if record is not None else await self._new_record()

    async def _healthy(self, record: _AsyncRecord) -> bool:
        if record.generation != self._generation or record.epoch != _ForkState.epoch:
            return False
        if 0 <= self._recycle < time.monotonic() - record.created_at:
            return False
        if record.fresh:
            record.fresh = False
            return True
        if self._pre_ping and not await self._async_dialect.do_ping_async(
            record.dbapi_connection
        ):
            log.info("pre-ping found a dead pooled connection; invalidating older ones too")
            self._generation += 1
            return False
        return True

    async def _new_record(self) -> _AsyncRecord:
        """Open a driver connection for a slot already reserved by :meth:`_acquire`."""
        try:
            conn = await self._creator()
        except BaseException:
            self._slot_freed()
            raise
        record = _AsyncRecord(self, conn)
        record.fresh = False
        self._adopt(record)
        return record

    # --- checkin ----------------------------------------------------------------------
    async def _checkin(self, record: _AsyncRecord, *, reset: bool = True) -> None:
        self._out.discard(record)  # before any await: cancellation cannot leak the count
        if not self._owns(record):
            record.close()
            return
        if record.state != CHECKED_OUT:
            return
        if record.generation != self._generation:
            self._drop(record)
            return
        if reset and self._reset_on_return:
            try:
                await self._async_dialect.do_rollback_async(record.dbapi_connection)
            except BaseException as err:
                self._drop(record)
                if isinstance(err, Exception):
                    log.info("rollback on return failed, discarding the connection: %r", err)
                    return
                raise
        record.state = IDLE
        await self._release(record)

    def _owns(self, record: _AsyncRecord) -> bool:
        try:
            same_loop = asyncio.get_running_loop() is self._loop
        except RuntimeError:
            same_loop = False
        return (
            same_loop and record.pool is self and record.loop_epoch == self._loop_epoch
            and record.epoch == _ForkState.epoch
        )

    def _invalidate(
        self, record: _AsyncRecord, error: BaseException | None, *, all_older: bool
    ) -> None:
        self._out.discard(record)
        if all_older and record.generation == self._generation:
            self._generation += 1
        if error is not None:
            log.info("invalidating a pooled connection after %s", type(error).__name__)
        if record.loop_epoch == self._loop_epoch and record.pool is self:
            self._drop(record)
        else:
            record.close()

    def _drop(self, record: _AsyncRecord) -> None:
        """Terminate a record of this pool and free its slot."""
        record.close()
        self._forget(record)

    async def _close_record(self, record: _AsyncRecord) -> None:
        """Close politely (awaiting the driver); terminate if that fails or is cancelled."""
        if record.state == CLOSED:
            return
        record.state = CLOSED
        conn, record.dbapi_connection = record.dbapi_connection, None
        try:
            await self._async_dialect.do_close_async(conn)
        except BaseException as err:
            terminate_quietly(self._async_dialect, conn)
            if not isinstance(err, Exception):
                raise

    # --- garbage-collected checkouts -------------------------------------------------------
    def _on_proxy_gc(self, ref: _ProxyRef) -> None:
        record = ref.record
        if record.proxy_ref is ref:
            self._gc_returned.append(record)

    def _drain_gc_returned(self) -> None:
        while self._gc_returned:
            record = self._gc_returned.pop()
            if record.proxy_ref is None or record.state != CHECKED_OUT:
                continue
            filename, lineno = record.checkout_where
            log.warning(
                "A connection checked out at %s:%s was garbage collected without close(); "
                "terminating it. Close connections and sessions (use 'async with').",
                filename, lineno,
            )
            record.proxy_ref = None
            self._out.discard(record)
            if self._owns(record):
                self._drop(record)
            else:
                record.close()

    # --- storage hooks (subclasses) -------------------------------------------------------
    async def _acquire(self) -> _AsyncRecord | None:
        raise NotImplementedError

    async def _release(self, record: _AsyncRecord) -> None:
        raise NotImplementedError

    def _adopt(self, record: _AsyncRecord) -> None:
        """A new record now fills the slot reserved for it."""

    def _forget(self, record: _AsyncRecord) -> None:
        """A record of this pool was closed: free its slot."""

    def _slot_freed(self) -> None:
        """Opening a connection for a reserved slot failed: free the slot."""

    def _take_idle(self) -> list[_AsyncRecord]:
        return []

    def _forget_all(self) -> list[_AsyncRecord]:
        """Drop all bookkeeping (new loop); return the idle records to terminate."""
        return []


class AsyncQueuePool(AsyncPool):
    """Up to ``pool_size`` kept connections plus ``max_overflow`` temporary ones."""

    def __init__(
        self,
        creator: Callable[[], Awaitable[Any]],
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
        self._idle: deque[_AsyncRecord] = deque()
        self._records: set[_AsyncRecord] = set()
        self._reserved = 0  # slots handed out for connections being opened
        self._waiters: deque[asyncio.Future[Any]] = deque()

    def _exhausted_message(self) -> str:
        """The sync QueuePool's message naming the holders (same attributes, shared code)."""
        return QueuePool._exhausted_message(self)  # type: ignore[arg-type]

    @property
    def _total(self) -> int:
        return len(self._records) + self._reserved

    def _limit_reached(self) -> bool:
        return self._max_overflow >= 0 and self._total >= self._size + self._max_overflow

    async def _acquire(self) -> _AsyncRecord | None:
        if self._idle and not self._waiters:
            return self._idle.pop() if self._use_lifo else self._idle.popleft()
        if not self._limit_reached() and not self._waiters:
            self._reserved += 1
            return None
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Any] = loop.create_future()
        self._waiters.append(waiter)
        try:
            got: _AsyncRecord | None = await asyncio.wait_for(waiter, self._timeout)
            return got
        except BaseException as err:
            self._pass_on(waiter)
            if isinstance(err, asyncio.TimeoutError) and not isinstance(err, exc.AthanorError):
                raise exc.TimeoutError(self._exhausted_message()) from None
            raise
        finally:
            try:
                self._waiters.remove(waiter)
            except ValueError:
                pass

    def _pass_on(self, waiter: asyncio.Future[Any]) -> None:
        """A waiter gave up after being handed a record or a slot: give it to the next."""
        if waiter.done() and not waiter.cancelled():
            handed = waiter.result()
            if handed is None:
                self._reserved -= 1
                self._wake_for_slot()
            else:
                handed.state = IDLE
                self._idle.appendleft(handed)
                self._wake_for_idle()

    def _next_waiter(self) -> asyncio.Future[Any] | None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                return waiter
        return None

    def _wake_for_idle(self) -> None:
        if self._idle:
            waiter = self._next_waiter()
            if waiter is not None:
                waiter.set_result(self._idle.popleft())

    def _wake_for_slot(self) -> None:
        if not self._limit_reached():
            waiter = self._next_waiter()
            if waiter is not None:
                self._reserved += 1
                waiter.set_result(None)

    async def _release(self, record: _AsyncRecord) -> None:
        waiter = self._next_waiter()
        if waiter is not None:
            waiter.set_result(record)
            return
        if len(self._idle) < self._size:
            self._idle.append(record)
            return
        self._records.discard(record)
        await self._close_record(record)

    def _adopt(self, record: _AsyncRecord) -> None:
        self._reserved -= 1
        self._records.add(record)

    def _forget(self, record: _AsyncRecord) -> None:
        if record in self._records:
            self._records.discard(record)
            try:
                self._idle.remove(record)
            except ValueError:
                pass
            self._wake_for_slot()

    def _slot_freed(self) -> None:
        self._reserved -= 1
        self._wake_for_slot()

    def _take_idle(self) -> list[_AsyncRecord]:
        idle, self._idle = list(self._idle), deque()
        for record in idle:
            self._records.discard(record)
        self._wake_for_slot()
        return idle

    def _forget_all(self) -> list[_AsyncRecord]:
        idle = list(self._idle)
        self._idle = deque()
        self._records = set()
        self._reserved = 0
        self._waiters = deque()
        return idle

    def recreate(self) -> AsyncQueuePool:
        return AsyncQueuePool(
            self._creator, pool_size=self._size, max_overflow=self._max_overflow,
            use_lifo=self._use_lifo, **self._config(),
        )

    # --- introspection (SQLAlchemy's names) ------------------------------------------
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


class AsyncNullPool(AsyncPool):
    """No pooling: every checkout opens a connection, every return closes it."""

    async def _acquire(self) -> _AsyncRecord | None:
        return None

    async def _release(self, record: _AsyncRecord) -> None:
        await self._close_record(record)

    def recreate(self) -> AsyncNullPool:
        return AsyncNullPool(self._creator, **self._config())


__all__ = ["AsyncNullPool", "AsyncPool", "AsyncPooledConnection", "AsyncQueuePool"]
