"""``AsyncSession.run_sync``: sync ORM code, I/O included, without a greenlet.

The function runs on a worker thread (``asyncio.to_thread``) while the calling task awaits
it, so the event loop stays free. Whatever the sync code needs to await is handed back to
the loop with ``asyncio.run_coroutine_threadsafe`` and the worker waits for the answer:

- statements (``session.execute``, ``query(...).all()``, lazy loads, ``get``, ``refresh``):
  the backing Session's ``_connection()`` returns :class:`SyncFace`, a sync face of the
  AsyncSession's AsyncConnection whose coroutine methods are run on the loop;
- ``flush``, ``commit``, ``rollback``, ``close`` and SAVEPOINTs: the AsyncSession's own
  awaiting methods, run on the loop, so the transaction handling is the tested async one.

Only one side runs at a time (the worker waits for every answer), so the Session's state is
never touched by two threads at once. A :class:`SyncFace` called on the loop's own thread
(after ``run_sync`` returned) passes the coroutine through, so an object it wraps keeps
working with ``await``.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from athanor.ext.asyncio.session import AsyncSession

#: The bridge of the ``run_sync`` call this worker thread runs for (None elsewhere).
BRIDGE: ContextVar[Bridge | None] = ContextVar("athanor_run_sync_bridge", default=None)


class Bridge:
    """One ``run_sync`` call: the event loop to hand coroutines to, and the AsyncSession."""

    def __init__(self, owner: AsyncSession, loop: asyncio.AbstractEventLoop) -> None:
        self.owner = owner
        self.loop = loop
        self.loop_thread = threading.get_ident()

    def call(self, awaitable: Awaitable[Any]) -> Any:
        """Await ``awaitable`` on the event loop and wait here for its result."""
        return asyncio.run_coroutine_threadsafe(self._run(awaitable), self.loop).result()

    async def _run(self, awaitable: Awaitable[Any]) -> Any:
        token = BRIDGE.set(None)  # what runs here is the AsyncSession's own async code
        owner = self.owner
        busy, owner._busy = owner._busy, asyncio.current_task()  # the run_sync task's turn
        try:
            return await awaitable
        finally:
            owner._busy = busy
            BRIDGE.reset(token)

    def connection(self) -> SyncFace:
        conn = self.owner._aconn
        if conn is None:  # begin the session's transaction on the loop
            conn = self.call(self.owner._connection())
        return SyncFace(conn, self)


class SyncFace:
    """A sync face of an async object (AsyncConnection, AsyncTransaction): a method that
    returns an awaitable is awaited on the loop; attributes pass through."""

    __slots__ = ("_target", "_bridge")

    def __init__(self, target: Any, bridge: Bridge) -> None:
        self._target = target
        self._bridge = bridge

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr
        bridge = self._bridge

        def call(*args: Any, **kw: Any) -> Any:
            result = attr(*args, **kw)
            if threading.get_ident() == bridge.loop_thread:
                return result  # async code awaits it itself
            if inspect.isawaitable(result):
                result = bridge.call(result)
            if _is_async_resource(result):
                result = SyncFace(result, bridge)
            return result

        return call

    def __enter__(self) -> SyncFace:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        method = "rollback" if exc_type is not None else "commit"
        target = self._target
        if hasattr(target, method) and getattr(target, "is_active", False):
            getattr(self, method)()

    def __repr__(self) -> str:
        return f"<SyncFace of {self._target!r}>"


def _is_async_resource(value: Any) -> bool:
    from athanor.ext.asyncio.engine import AsyncConnection, AsyncTransaction

    return isinstance(value, (AsyncConnection, AsyncTransaction))


async def run_sync(owner: AsyncSession, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """Run ``fn(owner.sync_session, *args, **kw)`` on a worker thread (see the module doc)."""
    bridge = Bridge(owner, asyncio.get_running_loop())
    token = BRIDGE.set(bridge)
    try:  # to_thread runs fn in a copy of this context, where BRIDGE is set
        return await asyncio.to_thread(fn, owner.sync_session, *args, **kw)
    finally:
        BRIDGE.reset(token)
