"""Connection pools: QueuePool, NullPool, StaticPool and LockedStaticPool.

The pool layer holds driver connections and knows nothing about SQL; see
:mod:`athanor.pool.base` for the record state machine and health checks and
:mod:`athanor.pool.impl` for the storage strategies.
"""

from athanor.pool._more import AssertionPool, AsyncAdaptedQueuePool, SingletonThreadPool
from athanor.pool.base import ConnectionRecord, Pool, PooledConnection
from athanor.pool.impl import LockedStaticPool, NullPool, QueuePool, StaticPool

#: SQLAlchemy's names for the checked-out proxy and the pool's per-connection record.
PoolProxiedConnection = PooledConnection
ConnectionPoolEntry = ConnectionRecord

__all__ = [
    "AssertionPool",
    "AsyncAdaptedQueuePool",
    "ConnectionPoolEntry",
    "ConnectionRecord",
    "LockedStaticPool",
    "NullPool",
    "Pool",
    "PoolProxiedConnection",
    "PooledConnection",
    "QueuePool",
    "SingletonThreadPool",
    "StaticPool",
]
