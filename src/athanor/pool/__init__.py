"""Connection pools: QueuePool, NullPool, StaticPool and LockedStaticPool.

The pool layer holds driver connections and knows nothing about SQL; see
:mod:`athanor.pool.base` for the record state machine and health checks and
:mod:`athanor.pool.impl` for the storage strategies.
"""

from athanor.pool.base import ConnectionRecord, Pool, PooledConnection
from athanor.pool.impl import LockedStaticPool, NullPool, QueuePool, StaticPool

#: SQLAlchemy's name for the checked-out proxy.
PoolProxiedConnection = PooledConnection

__all__ = [
    "ConnectionRecord",
    "LockedStaticPool",
    "NullPool",
    "Pool",
    "PoolProxiedConnection",
    "PooledConnection",
    "QueuePool",
    "StaticPool",
]
