"""ASGI middleware that removes the request's scoped session after the response.

The contract is the WSGI middleware's (:mod:`athanor.web.wsgi`): the application gets the
registry's session for its scope on first use (with ``async_scoped_session`` the scope is
the task serving the request), and when the request is over the session is removed: closed,
anything uncommitted rolled back, its connection back in the pool -- also when the
application raised, and when the request's task was cancelled (client gone, server
shutting down).

"Over" means the application coroutine has returned: by then it has sent the whole response
(``http.response.body`` without ``more_body``), streaming bodies included. The removal runs
in its own task and is awaited through ``asyncio.shield``, so a second cancellation cannot
interrupt it halfway; if the connection's state is unknown (a statement was cancelled), the
session's close terminates the connection instead of returning it, so nothing leaks either
way. Registries whose ``remove()`` is synchronous (``scoped_session``) work too.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Protocol

__all__ = ["AsyncSessionMiddleware"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_removals: set[asyncio.Task[Any]] = set()


class SessionRegistry(Protocol):
    """What the middleware needs: ``async_scoped_session`` (or ``scoped_session``) has it."""

    def remove(self) -> Any: ...


class AsyncSessionMiddleware:
    """Wrap an ASGI app so each request's scoped session is removed when the request ends.

    ``app = AsyncSessionMiddleware(app, Session)`` where ``Session`` is an
    ``async_scoped_session(async_sessionmaker(engine))``. Lifespan events pass through.
    """

    def __init__(self, app: ASGIApp, registry: SessionRegistry) -> None:
        self.app = app
        self.registry = registry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            await self._remove()

    async def _remove(self) -> None:
        # Take the session out of the registry here, in the request's own task (the scope
        # key is this task); only the closing runs in a separate, shielded task.
        inner = getattr(self.registry, "registry", None)
        if inner is None or not hasattr(inner, "clear"):
            result = self.registry.remove()
            if inspect.isawaitable(result):
                await result
            return
        session = inner.clear()
        if session is None:
            return
        closing = session.close()
        if not inspect.isawaitable(closing):  # a sync Session: already closed
            return
        task = asyncio.ensure_future(closing)
        _removals.add(task)
        task.add_done_callback(_removals.discard)
        await asyncio.shield(task)  # if cancelled again, the close still finishes
