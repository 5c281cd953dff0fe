"""Pool machinery shared by every pool class: records, checkout proxies, health checks.

A :class:`ConnectionRecord` owns one driver connection for its whole life and moves through
explicit states::

    IDLE --checkout--> CHECKED_OUT --checkin--> IDLE
      \\                    |
       `-----------------> CLOSED   (invalidated, recycled, stale generation, disposed)

Each checkout hands out a fresh :class:`PooledConnection`, a thin proxy that returns the record
to its pool on ``close()`` and forwards everything else to the driver connection.

Health, decided at checkout (never by a background thread):

* *generation*: invalidating a connection after a disconnect error bumps the pool's
  generation; every record from an older generation is closed when next seen, so after a
  database restart no stale socket is handed out twice.
* *recycle*: a record older than ``recycle`` seconds is replaced.
* *pre-ping*: a reused record is pinged (one cheap round trip); a dead one is replaced.
* *fork*: ``os.register_at_fork`` bumps a process epoch in the child. A pool that sees a new
  epoch forgets the parent's connections without closing them (closing would end the
  parent's server session through the shared socket): the dialect's ``do_abandon`` points
  the socket's file descriptor at ``/dev/null`` first, then the reference is dropped.

Leak hunting: each checkout records where it came from, as the first stack frame outside
athanor (a short ``f_back`` walk, no traceback objects), and its time, so an exhausted pool
can say who holds its connections.

Nothing here knows SQL: the pool talks to the driver only through a
:class:`athanor._typing.PoolDialect` (rollback, close, ping, abandon).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from athanor import _event, exc
from athanor._typing import PoolDialect

log = logging.getLogger("athanor.pool")

_ATHANOR_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_SKIP_FILES = (_ATHANOR_DIR, os.path.dirname(threading.__file__) + os.sep + "contextlib.py")


class _ForkState:
    """The process epoch: bumped in a child after ``os.fork()``."""

    epoch = 0


def _after_fork_in_child() -> None:
    _ForkState.epoch += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def caller_location() -> tuple[str, int]:
    """File and line of the first frame outside athanor (and contextlib).

    Each frame looked at costs a frame object, so the depth found last time is tried first
    (a loop checking out from the same place has the same depth every time): taken when the
    frame there is outside athanor and the one below it inside. Otherwise (or when that
    depth is off the stack) the frames are walked one by one from the caller.
    """
    depth = _last_depth[0]
    skip = _skip_file
    try:
        frame = sys._getframe(depth)
        inner = sys._getframe(depth - 1)
    except ValueError:  # the stack is shallower now
        pass
    else:
        if skip.get(frame.f_code.co_filename) is False and skip.get(
                inner.f_code.co_filename):
            return frame.f_code.co_filename, frame.f_lineno
    depth = 1
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        inside = skip.get(filename)
        if inside is None:
            inside = skip[filename] = filename.startswith(_SKIP_FILES)
        if not inside:
            _last_depth[0] = depth
            return filename, frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
        depth += 1
    return "<unknown>", 0


#: file name -> whether it is athanor's own (or contextlib): checkouts skip those frames
_skip_file: dict[str, bool] = {}
#: the depth (from caller_location's caller) of the frame found last time
_last_depth = [2]


class _GenericPoolDialect:
    """Driver hooks for a pool built without a dialect: plain PEP 249 calls."""

    def do_rollback(self, dbapi_connection: Any) -> None:
        dbapi_connection.rollback()

    def do_close(self, dbapi_connection: Any) -> None:
        dbapi_connection.close()

    def do_ping(self, dbapi_connection: Any) -> bool:
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except Exception:  # any failure means the connection is unusable
            return False
        return True

    def do_abandon(self, dbapi_connection: Any) -> None:
        """Forget the connection without telling the server (after fork)."""


# Record states.
IDLE = "idle"
CHECKED_OUT = "checked out"
CLOSED = "closed"


class ConnectionRecord:
    """One driver connection with the pool's bookkeeping about it."""

    __slots__ = (
        "pool", "dbapi_connection", "state", "created_at", "generation", "epoch",
        "checkout_time", "checkout_where", "info", "fresh", "proxy_ref",
    )

    def __init__(self, pool: Pool, dbapi_connection: Any) -> None:
        self.pool = pool
        self.dbapi_connection = dbapi_connection
        self.state = IDLE
        self.created_at = time.monotonic()
        self.generation = pool._generation
        self.epoch = _ForkState.epoch
        self.checkout_time = 0.0
        self.checkout_where: tuple[str, int] = ("<unknown>", 0)
        self.info: dict[str, Any] = {}
        self.fresh = True  # never handed out yet: no need to ping
        #: weak reference to the current checkout's proxy; None when not checked out
        self.proxy_ref: _ProxyRef | None = None

    def close(self) -> None:
        """Close the driver connection (abandon it instead if it came from another process)."""
        if self.state == CLOSED:
            return
        self.state = CLOSED
        conn, self.dbapi_connection = self.dbapi_connection, None
        if conn is None:
            return
        try:
            if self.epoch != _ForkState.epoch:
                self.pool._dialect.do_abandon(conn)
            else:
                self.pool._dialect.do_close(conn)
        except Exception as err:  # closing a dead connection may fail; nothing to do then
            log.debug("closing a pooled connection failed: %r", err)

    def __repr__(self) -> str:
        return f"<ConnectionRecord {self.state} {self.dbapi_connection!r}>"


class _ProxyRef(weakref.ref):  # type: ignore[type-arg]
    """A weak reference to a checkout's proxy that knows its record."""

    __slots__ = ("record",)
    record: ConnectionRecord


class PooledConnection:
    """A checked-out connection: forwards to the driver connection, ``close()`` returns it.

    ``dbapi_connection`` / ``driver_connection`` give the driver's own object. After
    ``close()`` or ``invalidate()`` the proxy is dead and raises on use.
    """

    __slots__ = ("_record", "dbapi_connection", "_needs_reset", "__weakref__")

    def __init__(self, record: ConnectionRecord) -> None:
        self._record: ConnectionRecord | None = record
        self.dbapi_connection: Any = record.dbapi_connection
        #: False once the engine has ended the transaction itself (saves a rollback).
        self._needs_reset = True

    @property
    def driver_connection(self) -> Any:
        return self.dbapi_connection

    @property
    def info(self) -> dict[str, Any]:
        """A dict that lives as long as the driver connection (per-connection state)."""
        return self._live_record().info

    @property
    def record_info(self) -> dict[str, Any]:
        return self._live_record().info

    @property
    def is_valid(self) -> bool:
        return self._record is not None and self._record.state == CHECKED_OUT

    def _live_record(self) -> ConnectionRecord:
        record = self._record
        if record is None:
            raise exc.ResourceClosedError(
                "Using a pooled connection failed: it was already returned to the pool or "
                "invalidated. Check out a new one with pool.connect() or engine.raw_connection()."
            )
        return record

    def cursor(self, *args: Any, **kw: Any) -> Any:
        return self._live_record().dbapi_connection.cursor(*args, **kw)

    def commit(self) -> None:
        self._live_record().dbapi_connection.commit()

    def rollback(self) -> None:
        self._live_record().dbapi_connection.rollback()

    def close(self) -> None:
        """Return the connection to its pool (rolled back first unless already clean)."""
        record, self._record = self._record, None
        if record is not None:
            self.dbapi_connection = None
            record.proxy_ref = None
            record.pool._checkin(record, reset=self._needs_reset)

    def invalidate(self, error: BaseException | None = None, *, soft: bool = False) -> None:
        """Discard the driver connection, and every older one of the pool unless ``soft``."""
        record, self._record = self._record, None
        if record is not None:
            self.dbapi_connection = None
            record.proxy_ref = None
            record.pool._invalidate(record, error, all_older=not soft)

    def detach(self) -> None:
        """Take the connection out of the pool: closing it then really closes it."""
        record = self._live_record()
        record.pool._detach(record)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._live_record().dbapi_connection, name)

    def __enter__(self) -> PooledConnection:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<PooledConnection {self.dbapi_connection!r}>"


class Pool:
    """Base class: turns records into checkouts, applies health checks, counts checkouts.

    Subclasses decide how records are stored: :meth:`_acquire` returns an idle record or
    None (meaning "create one"), :meth:`_release` takes a record back, :meth:`_discard`
    forgets a closed one.
    """

    #: listeners (see :mod:`athanor.event`); the shared empty one until someone listens
    _dispatch: _event.Dispatch = _event.NO_EVENTS

    def __init__(
        self,
        creator: Callable[[], Any],
        *,
        recycle: float = -1,
        pre_ping: bool = False,
        reset_on_return: bool | str | None = True,
        dialect: PoolDialect | None = None,
        echo: bool | str = False,
        logging_name: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        if not callable(creator):
            raise exc.ArgumentError(
                f"Creating a pool failed: creator must be a callable returning a driver "
                f"connection, got {creator!r}."
            )
        self._creator = creator
        self._recycle = recycle if recycle is not None else -1
        self._pre_ping = bool(pre_ping)
        self._reset_on_return = reset_on_return not in (False, None, "none")
        self._dialect: PoolDialect = dialect if dialect is not None else _GenericPoolDialect()
        self._echo = echo
        self._logging_name = logging_name
        self._timeout = timeout
        self._generation = 0
        self._epoch = _ForkState.epoch
        self._out: set[ConnectionRecord] = set()
        self._gc_returned: list[ConnectionRecord] = []

    # --- public API -------------------------------------------------------------------
    def connect(self) -> PooledConnection:
        """Check out a connection (a proxy whose ``close()`` returns it)."""
        if self._epoch != _ForkState.epoch:
            self._after_fork()
        if self._gc_returned:
            self._drain_gc_returned()
        where = caller_location()
        record = self._checkout_record()
        record.state = CHECKED_OUT
        record.checkout_time = time.monotonic()
        record.checkout_where = where
        self._out.add(record)  # set.add/discard and list(set) are atomic: no lock
        proxy = PooledConnection(record)
        ref = record.proxy_ref = _ProxyRef(proxy, self._on_proxy_gc)
        ref.record = record
        if self._dispatch.checkout:
            self._fire_checkout(record, proxy)
        return proxy

    def _fire_checkout(self, record: ConnectionRecord, proxy: PooledConnection) -> None:
        """Run ``checkout`` listeners; a failing one returns the connection first."""
        try:
            self._dispatch.fire("checkout", record.dbapi_connection, record, proxy)
        except BaseException:
            proxy.close()
            raise

    def _fire_connect(self, record: ConnectionRecord) -> None:
        """Run ``first_connect`` / ``connect`` listeners; a failing one discards the record."""
        try:
            self._dispatch.fire_connect(record.dbapi_connection, record)
        except BaseException:
            record.close()
            self._creation_failed()
            raise

    def _on_proxy_gc(self, ref: _ProxyRef) -> None:
        """A checkout was garbage collected without close(): queue its record for return.

        Runs inside the garbage collector, possibly while this thread holds a pool lock,
        so it only appends to a list; the next checkout returns the record properly.
        """
        record = ref.record
        if record.proxy_ref is ref:
            self._gc_returned.append(record)

    def _drain_gc_returned(self) -> None:
        while self._gc_returned:
            try:
                record = self._gc_returned.pop()
            except IndexError:
                return
            if record.proxy_ref is None or record.state != CHECKED_OUT:
                continue
            filename, lineno = record.checkout_where
            log.warning(
                "A connection checked out at %s:%s was garbage collected without close(); "
                "returning it to the pool. Close connections and sessions (use 'with').",
                filename, lineno,
            )
            record.proxy_ref = None
            self._checkin(record, reset=True)

    def checkedout(self) -> int:
        """How many connections are checked out right now."""
        return len(self._out)

    def status(self) -> str:
        return f"{type(self).__name__} checked out: {self.checkedout()}"

    def dispose(self) -> None:
        """Close every idle connection; checked-out ones are closed when returned."""
        self._generation += 1
        self._dispose_idle()

    def forget(self) -> None:
        """Drop this pool's idle connections without closing them on the server.

        Meant for a forked child (``engine.dispose(close=False)``): connections inherited
        from the parent are abandoned, never closed, so the parent keeps its sessions.
        """
        if self._epoch != _ForkState.epoch:
            self._after_fork()

    def recreate(self) -> Pool:
        """A new, empty pool with the same configuration."""
        raise NotImplementedError

    def _config(self) -> dict[str, Any]:
        """The constructor keywords shared by every pool class (for :meth:`recreate`)."""
        return {
            "recycle": self._recycle, "pre_ping": self._pre_ping,
            "reset_on_return": self._reset_on_return, "dialect": self._dialect,
            "echo": self._echo, "logging_name": self._logging_name,
        }

    # --- checkout -----------------------------------------------------------------
    def _checkout_record(self) -> ConnectionRecord:
        """Take an idle record (or create one) and make sure it is healthy."""
        for _attempt in range(3):
            record = self._acquire()
            if record is None:
                return self._new_record()
            if self._healthy(record):
                return record
            record.close()
            self._discard(record)
        return self._new_record()

    def _healthy(self, record: ConnectionRecord) -> bool:
        if record.generation != self._generation or record.epoch != _ForkState.epoch:
            return False
        if 0 <= self._recycle < time.monotonic() - record.created_at:
            log.debug("recycling a connection older than %s s", self._recycle)
            return False
        if record.fresh:
            record.fresh = False
            return True
        if self._pre_ping and not self._dialect.do_ping(record.dbapi_connection):
            log.info("pre-ping found a dead pooled connection; invalidating older ones too")
            self._generation += 1
            return False
        return True

    def _new_record(self) -> ConnectionRecord:
        """Create a driver connection for a slot already reserved by :meth:`_acquire`."""
        try:
            conn = self._creator()
        except BaseException:
            self._creation_failed()
            raise
        record = ConnectionRecord(self, conn)
        record.fresh = False
        if self._dispatch.connect_events:
            self._fire_connect(record)
        return record

    # --- checkin ------------------------------------------------------------------
    def _checkin(self, record: ConnectionRecord, *, reset: bool = True) -> None:
        self._out.discard(record)
        if record.epoch != _ForkState.epoch or record.pool is not self:
            record.close()
            return
        if record.state != CHECKED_OUT:
            return
        if record.generation != self._generation:
            record.close()
            self._discard(record)
            return
        if reset and self._reset_on_return:
            try:
                self._dialect.do_rollback(record.dbapi_connection)
            except Exception as err:  # a connection that cannot roll back is not reusable
                log.info("rollback on return failed, discarding the connection: %r", err)
                record.close()
                self._discard(record)
                return
        if self._dispatch.checkin:
            self._dispatch.fire("checkin", record.dbapi_connection, record)
        record.state = IDLE
        self._release(record)

    def _invalidate(
        self, record: ConnectionRecord, error: BaseException | None, *, all_older: bool
    ) -> None:
        self._out.discard(record)
        if all_older and record.generation == self._generation:
            self._generation += 1
        if error is not None:
            log.info("invalidating a pooled connection after %s", type(error).__name__)
        was_out = record.state == CHECKED_OUT
        record.close()
        if was_out and record.pool is self and record.epoch == _ForkState.epoch:
            self._discard(record)

    def _detach(self, record: ConnectionRecord) -> None:
        self._out.discard(record)
        self._discard(record)
        record.pool = _DetachedPool(self._dialect)  # type: ignore[assignment]

    def _after_fork(self) -> None:
        """First use in a forked child: forget the parent's connections, start empty."""
        self._epoch = _ForkState.epoch
        self._out = set()
        self._gc_returned = []
        self._reset_after_fork()

    def _holders(self) -> list[str]:
        """``file:line (age)`` of each checkout, most frequent place first."""
        now = time.monotonic()
        records = list(self._out)
        places: dict[tuple[str, int], list[float]] = {}
        for rec in records:
            places.setdefault(rec.checkout_where, []).append(now - rec.checkout_time)
        lines = []
        for (filename, lineno), ages in sorted(places.items(), key=lambda kv: -len(kv[1])):
            count = f"{len(ages)} x " if len(ages) > 1 else ""
            lines.append(f"  {count}{filename}:{lineno} (oldest {max(ages):.1f} s ago)")
        return lines

    # --- storage hooks (subclasses) ---------------------------------------------------
    def _acquire(self) -> ConnectionRecord | None:
        raise NotImplementedError

    def _release(self, record: ConnectionRecord) -> None:
        raise NotImplementedError

    def _discard(self, record: ConnectionRecord) -> None:
        """A checked-out or idle record was closed: free its slot."""

    def _creation_failed(self) -> None:
        """Creating a connection for a reserved slot failed: free the slot."""

    def _dispose_idle(self) -> None:
        raise NotImplementedError

    def _reset_after_fork(self) -> None:
        raise NotImplementedError


class _DetachedPool:
    """Where a detached record "returns": it is simply closed."""

    def __init__(self, dialect: PoolDialect) -> None:
        self._dialect = dialect

    def _checkin(self, record: ConnectionRecord, *, reset: bool = True) -> None:
        record.close()

    def _invalidate(self, record: ConnectionRecord, error: Any, *, all_older: bool) -> None:
        record.close()

    def _discard(self, record: ConnectionRecord) -> None:
        pass
