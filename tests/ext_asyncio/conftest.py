"""asyncio test helpers: no pytest-asyncio; tests are sync functions running ``asyncio.run``.

``run(coro_fn)`` runs one coroutine function in a fresh event loop, passing it an
:class:`~athanor.ext.asyncio.AsyncEngine` for the backend (made inside that loop) and
disposing the engine afterwards, so every test owns its loop and its connections.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from athanor.ext.asyncio import AsyncEngine, create_async_engine

Runner = Callable[..., Any]


@pytest.fixture
def run(backend_url: str) -> Runner:
    """``run(fn, **engine_options)``: ``asyncio.run(fn(async_engine))`` with clean-up."""

    def runner(fn: Callable[[AsyncEngine], Awaitable[Any]], **options: Any) -> Any:
        async def main() -> Any:
            engine = create_async_engine(backend_url, **options)
            try:
                return await fn(engine)
            finally:
                await engine.dispose()

        return asyncio.run(main())

    return runner
