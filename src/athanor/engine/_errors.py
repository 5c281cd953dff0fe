"""The ``handle_error`` engine event: listeners see each failed statement's error, may mark
it as a disconnect, and may raise or return another exception to raise instead."""

from __future__ import annotations

from typing import Any


class ExceptionContext:
    """What a ``handle_error`` listener is told about one failure (SQLAlchemy's names)."""

    def __init__(self, conn: Any, original: BaseException, wrapped: BaseException | None,
                 sql: str | None, params: Any, is_disconnect: bool) -> None:
        self.connection = conn
        self.engine = conn.engine
        self.dialect = conn.dialect
        self.original_exception = original
        self.sqlalchemy_exception = wrapped
        self.chained_exception: BaseException | None = None
        self.statement = sql
        self.parameters = params
        self.cursor = None
        self.execution_context = None
        self.is_disconnect = is_disconnect
        self.invalidate_pool_on_disconnect = True
        self.is_pre_ping = False

    def __repr__(self) -> str:
        return f"<ExceptionContext {type(self.original_exception).__name__}>"


def run_handle_error(conn: Any, original: BaseException, wrapped: BaseException | None,
                     sql: str | None, params: Any, lost: bool,
                     ) -> tuple[BaseException | None, bool]:
    """Run the listeners in order. One that returns an exception replaces the one to raise
    (the next listener sees it as ``chained_exception``); one that raises ends the chain.
    Returns the exception to raise and whether the connection counts as lost."""
    ctx = ExceptionContext(conn, original, wrapped, sql, params, lost)
    result = wrapped
    for fn in conn._dispatch.handle_error:
        out = fn(ctx)
        if isinstance(out, BaseException):
            result = ctx.chained_exception = out
    return result, ctx.is_disconnect


__all__ = ["ExceptionContext", "run_handle_error"]
