"""``lambda_stmt()``: a statement given as a lambda, extended with more lambdas.

SQLAlchemy caches the SQL of a lambda statement by the lambda's code and tracks its closure
variables as bind parameters. athanor's statements already compile once per structure (their
cache key leaves values out), so here the lambdas are simply called whenever the statement
is needed: ``stmt += lambda s: s.where(...)`` composes, and each execution sees the closure
variables' current values. The result is the same SQL and rows, without the lambda cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import athanor.exc as exc
from athanor.sql._roles import Executable
from athanor.sql.elements import ClauseElement, _KeyState


class LambdaElement(ClauseElement):
    """A SQL fragment produced by calling a lambda."""

    __visit_name__ = "lambda_element"

    def __init__(self, fn: Callable[[], Any]) -> None:
        if not callable(fn):
            raise exc.ArgumentError(
                f"lambda_stmt() failed: expected a lambda returning a statement; got "
                f"{type(fn).__name__}. Write lambda_stmt(lambda: select(...)).")
        self._fn = fn
        self._steps: tuple[Callable[[Any], Any], ...] = ()

    def _resolved(self) -> Any:
        stmt = self._fn()
        for step in self._steps:
            stmt = step(stmt)
        return stmt

    def __clause_element__(self) -> Any:
        return self._resolved()

    def _ck(self, st: _KeyState) -> Any:
        return self._resolved()._ck(st)

    def compile(self, bind: Any = None, dialect: Any = None, **kw: Any) -> Any:
        return self._resolved().compile(bind, dialect, **kw)


class StatementLambdaElement(LambdaElement, Executable):
    """What ``lambda_stmt()`` returns: add criteria with ``+`` / ``+=`` or
    :meth:`add_criteria`; execute it like the statement it builds."""

    def add_criteria(self, other: Callable[[Any], Any], **kw: Any) -> StatementLambdaElement:
        """A new lambda statement that also applies ``other(statement)``."""
        if not callable(other):
            raise exc.ArgumentError(
                f"Adding to a lambda statement failed: expected a lambda taking the statement; "
                f"got {type(other).__name__}. Write stmt += lambda s: s.where(...).")
        new = StatementLambdaElement(self._fn)
        new._steps = (*self._steps, other)
        return new

    def __add__(self, other: Callable[[Any], Any]) -> StatementLambdaElement:
        return self.add_criteria(other)

    def spoil(self) -> StatementLambdaElement:
        """SQLAlchemy's "stop caching this lambda"; athanor never caches lambdas."""
        return self

    @property
    def _is_select(self) -> bool:  # type: ignore[override]
        return bool(getattr(self._resolved(), "_is_select", False))

    @property
    def _is_dml(self) -> bool:  # type: ignore[override]
        return bool(getattr(self._resolved(), "_is_dml", False))

    @property
    def _uses_column_keys(self) -> bool:
        return bool(getattr(self._resolved(), "_uses_column_keys", False))


def lambda_stmt(lmb: Callable[[], Any], enable_tracking: bool = True,
                track_closure_variables: bool = True, track_on: Any = None,
                global_track_bound_values: bool = True, track_bound_values: bool = True,
                lambda_cache: Any = None) -> StatementLambdaElement:
    """A statement built by ``lmb()``; the tracking options are accepted and ignored."""
    return StatementLambdaElement(lmb)


__all__ = ["LambdaElement", "StatementLambdaElement", "lambda_stmt"]
