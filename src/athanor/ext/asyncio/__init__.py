"""asyncio support: async engines, connections, results and sessions, without greenlets.

athanor's core does no I/O of its own, so async is a second thin shell over the same code:
``create_async_engine`` builds the sync engine's dialect (its async-driver subclass) and an
async pool; :class:`AsyncConnection` awaits only the driver calls; :class:`AsyncSession`
keeps a sync :class:`~athanor.orm.Session` for all state (identity map, unit of work,
loading) and awaits only the statements it sends. See the README's "asyncio" section.
"""

from athanor.ext.asyncio.engine import (
    AsyncConnection,
    AsyncEngine,
    AsyncNestedTransaction,
    AsyncRootTransaction,
    AsyncTransaction,
    async_engine_from_config,
    create_async_engine,
)
from athanor.ext.asyncio.result import AsyncMappingResult, AsyncResult, AsyncScalarResult
from athanor.ext.asyncio.scoping import async_scoped_session
from athanor.ext.asyncio.session import (
    AsyncAttributeNotLoadedError,
    AsyncAttrs,
    AsyncSession,
    AsyncSessionTransaction,
    MissingGreenlet,
    async_object_session,
    async_sessionmaker,
    close_all_sessions,
)

__all__ = [
    "AsyncAttributeNotLoadedError",
    "AsyncAttrs",
    "AsyncSession",
    "AsyncSessionTransaction",
    "MissingGreenlet",
    "async_object_session",
    "async_scoped_session",
    "async_sessionmaker",
    "close_all_sessions",
    "AsyncConnection",
    "AsyncEngine",
    "AsyncMappingResult",
    "AsyncNestedTransaction",
    "AsyncResult",
    "AsyncRootTransaction",
    "AsyncScalarResult",
    "AsyncTransaction",
    "async_engine_from_config",
    "create_async_engine",
]
