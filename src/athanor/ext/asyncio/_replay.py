"""``AsyncConnection.run_sync``: a sync function over an async connection, by replaying.

A greenlet would let the sync function pause inside ``execute()``; athanor has none. Instead
the function runs against :class:`_ReplayConnection`, a sync stand-in that answers each
statement from the answers gathered so far. At the first statement without an answer the
stand-in raises :class:`_NeedStatement` (a BaseException, so ``except Exception`` in the
function cannot swallow it); the statement is then awaited on the real connection, its
answer (rows or error) recorded, and the function runs again from the start. Each statement
runs once; the function's own Python code runs once per statement, which is cheap for what
``run_sync`` is for (``metadata.create_all`` / ``drop_all``, reads of the catalog). The
function must be deterministic and have no side effects besides its statements.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from athanor import exc
from athanor.dialects._async import BufferedCursor
from athanor.engine.cursor import CursorResult

if TYPE_CHECKING:
    from athanor.ext.asyncio.engine import AsyncConnection

_MAX_STATEMENTS = 10_000


class _NeedStatement(BaseException):
    """Internal: the replayed function reached a statement with no answer yet."""

    def __init__(self, call: tuple[Any, ...]) -> None:
        super().__init__()
        self.call = call


class _Answer:
    __slots__ = ("call", "cursor", "error", "compiled", "params", "many")

    def __init__(self, call: tuple[Any, ...]) -> None:
        self.call = call
        self.cursor: BufferedCursor | None = None
        self.error: BaseException | None = None
        self.compiled: Any = None
        self.params: Any = None
        self.many = False


class _ReplayConnection:
    """The sync Connection API a replayed function sees (execute & co, transactions)."""

    def __init__(self, aconn: AsyncConnection, answers: list[_Answer]) -> None:
        self._aconn = aconn
        self.dialect = aconn.dialect
        self.engine = aconn.engine
        self._answers = answers
        self._pos = 0

    def _next(self, call: tuple[Any, ...]) -> Any:
        if self._pos >= len(self._answers):
            raise _NeedStatement(call)
        answer = self._answers[self._pos]
        self._pos += 1
        if answer.error is not None:
            raise answer.error
        if answer.cursor is None:
            return None
        c = answer.cursor
        cursor = BufferedCursor(c.description, list(c._rows), c.rowcount, c.lastrowid)
        return CursorResult(
            self._aconn, cursor, answer.compiled, answer.params, many=answer.many  # type: ignore[arg-type]
        )

    def execute(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        return self._next(("execute", statement, parameters))

    def exec_driver_sql(self, statement: str, parameters: Any = None, **kw: Any) -> Any:
        return self._next(("driver", statement, parameters))

    def scalar(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        return self.execute(statement, parameters).scalar()

    def scalars(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        return self.execute(statement, parameters).scalars()

    def commit(self) -> None:
        self._next(("commit",))

    def rollback(self) -> None:
        self._next(("rollback",))

    def in_transaction(self) -> bool:
        return self._aconn.in_transaction()

    def _athanor_inspect(self) -> Any:
        """``inspect(conn)`` inside run_sync: a schema Inspector over the replayed calls."""
        from athanor.engine.reflection import Inspector

        return Inspector(self)


async def _answer(aconn: AsyncConnection, call: tuple[Any, ...]) -> _Answer:
    from athanor.ext.asyncio.engine import prepare_execution

    answer = _Answer(call)
    try:
        kind = call[0]
        if kind == "commit":
            await aconn.commit()
        elif kind == "rollback":
            await aconn.rollback()
        elif kind == "driver":
            sql, params = call[1], call[2]
            many = isinstance(params, list) and bool(params) and isinstance(
                params[0], (tuple, list, Mapping)
            )
            answer.cursor = await aconn._run_raw(sql, params, many)
            answer.params, answer.many = params, many
        else:
            compiled, params, many = prepare_execution(aconn.dialect, call[1], call[2])
            if many and getattr(compiled, "has_returning", False):
                raise exc.InvalidRequestError(
                    "run_sync() failed: executemany with RETURNING is not supported inside "
                    "run_sync. Await conn.execute() directly."
                )
            answer.cursor = await aconn._run_raw(compiled.string, params, many)
            answer.compiled, answer.params, answer.many = compiled, params, many
    except exc.AthanorError as err:
        answer.error = err
    return answer


async def run_sync(aconn: AsyncConnection, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """Run ``fn(sync_connection, *args, **kw)``, awaiting each of its statements once."""
    answers: list[_Answer] = []
    await aconn._driver()
    while len(answers) <= _MAX_STATEMENTS:
        stand_in = _ReplayConnection(aconn, answers)
        try:
            return fn(stand_in, *args, **kw)
        except _NeedStatement as need:
            answers.append(await _answer(aconn, need.call))
    raise exc.InvalidRequestError(
        f"run_sync() failed: the function ran more than {_MAX_STATEMENTS} statements. Run "
        "large jobs with awaited conn.execute() calls."
    )


__all__ = ["run_sync"]
