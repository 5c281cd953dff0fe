"""SQLAlchemy's less common pool classes, for code that names them in ``poolclass=``.

* :class:`SingletonThreadPool`: one connection per thread, shared by every checkout made in
  that thread (SQLite's old default for ``:memory:``). It is a :class:`StaticPool` whose
  single-connection state lives in a thread-local, so each thread gets StaticPool's rules.
* :class:`AssertionPool`: one connection, and at most one checkout at a time; a second
  checkout raises ``AssertionError`` naming where the first was taken (a test helper that
  finds code holding two connections).
* :class:`AsyncAdaptedQueuePool`: the name asyncio engines use for their queue pool. A sync
  engine treats it as a :class:`QueuePool`; ``create_async_engine`` gives its async queue
  pool for it, as for any pool class other than NullPool.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from athanor.pool.base import ConnectionRecord, Pool
from athanor.pool.impl import QueuePool, StaticPool


class SingletonThreadPool(StaticPool):
    """One connection per thread; ``pool_size`` is accepted for SQLAlchemy compatibility."""

    def __init__(self, creator: Callable[[], Any], pool_size: int = 5, **kw: Any) -> None:
        self._local = threading.local()
        self._records: dict[int, ConnectionRecord] = {}
        super().__init__(creator, **kw)
        self.size = pool_size

    @property  # type: ignore[override]
    def _record(self) -> ConnectionRecord | None:
        return getattr(self._local, "record", None)

    @_record.setter
    def _record(self, record: ConnectionRecord | None) -> None:
        self._local.record = record
        me = threading.get_ident()
        if record is None:
            self._records.pop(me, None)
        else:
            self._records[me] = record

    @property  # type: ignore[override]
    def _holders_count(self) -> int:
        return getattr(self._local, "holders", 0)  # type: ignore[no-any-return]

    @_holders_count.setter
    def _holders_count(self, n: int) -> None:
        self._local.holders = n

    def _dispose_idle(self) -> None:
        records, self._records = list(self._records.values()), {}
        self._local.record = None
        for record in records:  # other threads replace theirs: the generation changed
            record.close()

    def _reset_after_fork(self) -> None:
        self._local = threading.local()
        self._records = {}
        self._lock = threading.Lock()

    def recreate(self) -> SingletonThreadPool:
        return type(self)(self._creator, pool_size=self.size, timeout=self._timeout,
                          **self._config())


class AssertionPool(Pool):
    """At most one checkout at a time, of one kept connection."""

    def __init__(self, creator: Callable[[], Any], **kw: Any) -> None:
        super().__init__(creator, **kw)
        self._record: ConnectionRecord | None = None
        self._busy = False

    def _acquire(self) -> ConnectionRecord | None:
        if self._busy:
            where = "\n".join(self._holders()) or "  (unknown)"
            raise AssertionError(
                "Checking out a connection from an AssertionPool failed: its one connection "
                f"is already checked out, at:\n{where}\nClose it before taking another.")
        self._busy = True
        record, self._record = self._record, None
        return record

    def _release(self, record: ConnectionRecord) -> None:
        self._record = record
        self._busy = False

    def _discard(self, record: ConnectionRecord) -> None:
        if self._record is record:
            self._record = None
        self._busy = False

    def _creation_failed(self) -> None:
        self._busy = False

    def _dispose_idle(self) -> None:
        record, self._record = self._record, None
        if record is not None:
            record.close()

    def _reset_after_fork(self) -> None:
        self._record = None
        self._busy = False

    def recreate(self) -> AssertionPool:
        return AssertionPool(self._creator, timeout=self._timeout, **self._config())


class AsyncAdaptedQueuePool(QueuePool):
    """SQLAlchemy's asyncio queue pool, by name (see the module docstring)."""


__all__ = ["AssertionPool", "AsyncAdaptedQueuePool", "SingletonThreadPool"]
