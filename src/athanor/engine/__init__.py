"""The engine layer: create_engine, Engine, Connection, transactions and results.

This is the only layer that runs statements on a driver. See :mod:`athanor.engine.base`
(Engine, Connection), :mod:`athanor.engine.transaction`, :mod:`athanor.engine.result` and
:mod:`athanor.engine.cursor` (results) and :mod:`athanor.engine.create` (options).
"""

from athanor.engine._errors import ExceptionContext
from athanor.engine.base import Connection, Engine, OptionEngine
from athanor.engine.create import create_engine, engine_from_config
from athanor.engine.cursor import CursorResult
from athanor.engine.result import (
    FrozenResult,
    IteratorResult,
    MappingResult,
    Result,
    ResultMetaData,
    RMKeyView,
    ScalarResult,
    result_from_rows,
)
from athanor.engine.row import Row, RowMapping
from athanor.engine.transaction import NestedTransaction, RootTransaction, Transaction
from athanor.url import URL, make_url

__all__ = [
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
