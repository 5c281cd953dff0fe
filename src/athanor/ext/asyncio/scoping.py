"""async_scoped_session: one AsyncSession per scope, on the sync registries of orm/scoping.py.

The default scope is the same as ``scoped_session``'s (the running asyncio task, else the
thread), through the same :class:`~athanor.orm.scoping.ThreadTaskRegistry`, including its
clean-up when a task finishes. That clean-up runs in a task done-callback, which cannot
await: it schedules ``session.close()`` as a new task on the loop (kept referenced until it
ends), or, with no running loop, terminates the session's connection at once
(:meth:`AsyncSession._close_nowait`). A request handler should still ``await
Session.remove()`` (the ASGI middleware does), so the connection is back in the pool
before the response is finished.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from functools import partial
from typing import Any

from athanor.exc import ArgumentError, InvalidRequestError
from athanor.ext.asyncio.session import AsyncSession
from athanor.orm.scoping import ScopedRegistry, ThreadTaskRegistry

_closing: set[asyncio.Task[Any]] = set()


def _close_in_background(session: AsyncSession) -> None:
    """``on_scope_end`` for AsyncSessions: close on the loop if one runs, else terminate."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        session._close_nowait()
        return
    task = loop.create_task(session.close())
    _closing.add(task)
    task.add_done_callback(_closing.discard)


async def _remove_from_scope(registry: ScopedRegistry[Any], key: Hashable, session: Any) -> None:
    registry.discard(key, session)
    await session.close()


_PROXIED = (
    "add", "add_all", "expunge", "expunge_all", "expire", "expire_all", "in_transaction",
    "in_nested_transaction", "get_transaction", "get_nested_transaction", "get_bind",
    "delete", "connection", "begin", "begin_nested", "commit", "rollback", "close",
    "reset", "invalidate", "flush", "execute", "scalars", "scalar", "stream",
    "stream_scalars", "get", "get_one", "refresh", "merge", "run_sync",
)
_PROPERTIES = ("identity_map", "new", "dirty", "deleted", "is_active", "info", "autoflush",
               "no_autoflush", "bind", "sync_session")


class async_scoped_session:  # noqa: N801 - SQLAlchemy's public name
    """``Session = async_scoped_session(async_sessionmaker(engine))``; ``Session()`` is the
    current scope's AsyncSession and ``await Session.remove()`` closes and forgets it."""

    def __init__(
        self,
        session_factory: Callable[..., AsyncSession],
        scopefunc: Callable[[], Hashable] | None = None,
    ) -> None:
        if not callable(session_factory):
            raise ArgumentError(
                "async_scoped_session() failed: session_factory must be callable, got "
                f"{type(session_factory).__name__!r}. Pass an async_sessionmaker(...)."
            )
        self.session_factory = session_factory
        self.registry: ScopedRegistry[AsyncSession]
        if scopefunc is None:
            self.registry = ThreadTaskRegistry(
                session_factory, on_store=self._on_store, on_scope_end=_close_in_background
            )
        else:
            self.registry = ScopedRegistry(session_factory, scopefunc, on_store=self._on_store)

    def _on_store(self, key: Hashable, session: AsyncSession) -> None:
        session._scope_remove = partial(_remove_from_scope, self.registry, key)

    def __call__(self, **kw: Any) -> AsyncSession:
        if not kw:
            return self.registry()
        if self.registry.has():
            raise InvalidRequestError(
                "async_scoped_session(**kw) failed: this scope already has a session, so the "
                "arguments cannot apply. Call 'await remove()' first, or call without them."
            )
        session = self.session_factory(**kw)
        self.registry.set(session)
        return session

    def has(self) -> bool:
        return self.registry.has()

    async def remove(self) -> None:
        """Close the current scope's session (rolling back what is uncommitted), forget it."""
        session = self.registry.clear()
        if session is not None:
            await session.close()

    def configure(self, **kw: Any) -> None:
        configure = getattr(self.session_factory, "configure", None)
        if configure is None:
            raise ArgumentError(
                "async_scoped_session.configure() failed: the factory has no configure(). "
                "Use an async_sessionmaker(...)."
            )
        configure(**kw)

    def __getattr__(self, name: str) -> Any:
        """Anything else of the AsyncSession API, on the current scope's session."""
        if name.startswith("__") or name in ("registry", "session_factory"):
            raise AttributeError(name)
        return getattr(self.registry(), name)

    def __repr__(self) -> str:
        return f"<async_scoped_session of {self.session_factory!r}>"


def _proxy(name: str) -> Callable[..., Any]:
    def method(self: async_scoped_session, *args: Any, **kw: Any) -> Any:
        return getattr(self.registry(), name)(*args, **kw)

    method.__name__ = name
    method.__doc__ = f"``AsyncSession.{name}()`` of the current scope's session."
    return method


def _proxy_property(name: str) -> property:
    def fget(self: async_scoped_session) -> Any:
        return getattr(self.registry(), name)

    def fset(self: async_scoped_session, value: Any) -> None:
        setattr(self.registry(), name, value)

    return property(fget, fset)


for _name in _PROXIED:
    setattr(async_scoped_session, _name, _proxy(_name))
for _name in _PROPERTIES:
    setattr(async_scoped_session, _name, _proxy_property(_name))

__all__ = ["async_scoped_session"]
