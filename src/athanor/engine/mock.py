"""``create_mock_engine()``: an engine-shaped object that hands statements to a function.

Used to see the SQL a program would run without a database, most often the DDL of
``metadata.create_all(mock)``: every statement given to :meth:`MockConnection.execute` is
passed, uncompiled, to ``executor(statement, parameters)``; compile it with
``statement.compile(dialect=mock.dialect)`` to get the text. Nothing is ever connected, so
``create_all`` / ``drop_all`` never ask whether a table exists (``checkfirst`` is ignored).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from athanor.dialects.registry import load_dialect
from athanor.url import URL, make_url


class MockConnection:
    """Stands in for both an Engine and a Connection; runs nothing."""

    _is_mock = True

    def __init__(self, dialect: Any, executor: Callable[..., Any]) -> None:
        self._dialect = dialect
        self._execute_impl = executor

    @property
    def dialect(self) -> Any:
        return self._dialect

    @property
    def name(self) -> str:
        return str(self._dialect.name)

    @property
    def engine(self) -> MockConnection:
        return self

    def connect(self, **kw: Any) -> MockConnection:
        return self

    def execution_options(self, **kw: Any) -> MockConnection:
        return self

    def schema_for_object(self, obj: Any) -> str | None:
        return getattr(obj, "schema", None)

    def execute(self, statement: Any, parameters: Any = None, *,
                execution_options: Any = None) -> Any:
        """Call the executor with the statement and parameters; return what it returns."""
        return self._execute_impl(statement, parameters)

    def __repr__(self) -> str:
        return f"<MockConnection {self.name}>"


def create_mock_engine(url: str | URL, executor: Callable[..., Any], **kw: Any) -> MockConnection:
    """A :class:`MockConnection` for ``url``'s dialect (only the dialect part is used: no
    driver is imported and no connection made)."""
    dialect_cls = load_dialect(make_url(url).drivername)
    return MockConnection(dialect_cls(), executor)


__all__ = ["MockConnection", "create_mock_engine"]
