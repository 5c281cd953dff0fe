"""Starlette / FastAPI: a dependency yielding a request-scoped AsyncSession.

FastAPI (and any framework that resolves generator dependencies) calls the dependency per
request, hands the yielded session to the endpoint and resumes the generator when the
request is done; the ``finally`` then closes the session -- rolling back what the endpoint
did not commit and returning the connection -- also when the endpoint raised or the request
was cancelled. The close is shielded from a second cancellation (see
:mod:`athanor.web.asgi`)::

    Session = async_sessionmaker(engine)
    get_session = session_dependency(Session)

    @app.post("/items")
    async def create(item: Item, session: AsyncSession = Depends(get_session)):
        session.add(...)
        await session.commit()

Plain Starlette routes use ``async with Session() as session:`` in the endpoint, or the
module-level ``async_scoped_session`` with :class:`athanor.web.asgi.AsyncSessionMiddleware`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

__all__ = ["session_dependency"]


def session_dependency(factory: Callable[[], Any]) -> Callable[[], AsyncIterator[Any]]:
    """A generator dependency: one session from ``factory()`` per request, closed after."""

    async def dependency() -> AsyncIterator[Any]:
        session = factory()
        try:
            yield session
        finally:
            await _shielded_close(session)

    dependency.__name__ = "get_session"
    return dependency


async def _shielded_close(session: Any) -> None:
    task = asyncio.ensure_future(session.close())
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        if not task.done():
            await asyncio.wait([task])
        raise
