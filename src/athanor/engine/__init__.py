"""The engine layer: create_engine, Engine, Connection, transactions and results.

This is the only layer that runs statements on a driver. See :mod:`athanor.engine.base`
(Engine, Connection), :mod:`athanor.engine.transaction`, :mod:`athanor.engine.result` and
:mod:`athanor.engine.cursor` (results) and :mod:`athanor.engine.create` (options).
"""

from athanor.dialects.base import Dialect
from athanor.engine._errors import ExceptionContext
from athanor.engine.base import Connection, Engine, OptionEngine
from athanor.engine.create import create_engine, create_pool_from_url, engine_from_config
from athanor.engine.cursor import CursorResult
from athanor.engine.mock import MockConnection, create_mock_engine
from athanor.engine.reflection import Inspector
from athanor.engine.result import (
    ChunkedIteratorResult,
    FrozenResult,
    IteratorResult,
    MappingResult,
    Result,
    ResultMetaData,
    RMKeyView,
    ScalarResult,
    result_from_rows,
)
from athanor.engine.row import Row, RowMapping, result_tuple
from athanor.engine.transaction import NestedTransaction, RootTransaction, Transaction
from athanor.sql.compiler import Compiled
from athanor.url import URL, make_url

#: SQLAlchemy's names: the 1.x name of CursorResult, and the base of Row.
ResultProxy = CursorResult
BaseRow = Row

__all__ = [
    "BaseRow",
    "ChunkedIteratorResult",
    "Compiled",
    "Dialect",
    "Inspector",
    "MockConnection",
    "ResultProxy",
    "create_mock_engine",
    "create_pool_from_url",
    "result_tuple",
    "URL",
    "Connection",
    "CursorResult",
    "Engine",
    "ExceptionContext",
    "FrozenResult",
    "IteratorResult",
    "MappingResult",
    "NestedTransaction",
    "OptionEngine",
    "RMKeyView",
    "Result",
    "ResultMetaData",
    "RootTransaction",
    "Row",
    "RowMapping",
    "ScalarResult",
    "Transaction",
    "create_engine",
    "engine_from_config",
    "make_url",
    "result_from_rows",
]
