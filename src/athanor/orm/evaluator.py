"""Evaluate simple WHERE criteria in Python against loaded objects.

Used by bulk ``update()`` / ``delete()`` with ``synchronize_session='evaluate'`` (and
``'auto'``) to find which objects already in the identity map the statement touched,
without another SELECT. Supports column comparisons with literal values, IN, IS [NOT] NULL,
AND/OR/NOT: the criteria ORM users write for bulk statements. Anything else raises
:class:`UnevaluatableError` and the caller falls back to fetching the affected keys.

SQL NULL semantics are approximated: a comparison involving None is false.
"""

from __future__ import annotations

import operator as _op
from collections.abc import Callable
from typing import Any

from athanor.sql import operators as ops
from athanor.sql.elements import (
    BinaryExpression,
    BindParameter,
    ClauseList,
    Grouping,
    Null,
    UnaryExpression,
)


class UnevaluatableError(Exception):
    """The criteria cannot be evaluated in Python (internal: triggers the fetch fallback)."""


Getter = Callable[[dict[str, Any]], Any]

_COMPARE: dict[Any, Callable[[Any, Any], Any]] = {
    ops.eq: _op.eq,
    ops.ne: _op.ne,
    ops.lt: _op.lt,
    ops.le: _op.le,
    ops.gt: _op.gt,
    ops.ge: _op.ge,
}


def compile_criteria(
    criteria: list[Any], col_to_key: dict[Any, str]
) -> Callable[[dict[str, Any]], bool]:
    """A predicate over an instance ``__dict__`` equivalent to AND of ``criteria``."""
    preds = [_compile(c, col_to_key) for c in criteria]

    def pred(d: dict[str, Any]) -> bool:
        return all(p(d) for p in preds)

    return pred


def _compile(expr: Any, col_to_key: dict[Any, str]) -> Getter:
    while isinstance(expr, Grouping):
        expr = expr.element
    if isinstance(expr, BinaryExpression):
        return _binary(expr, col_to_key)
    if isinstance(expr, ClauseList) and expr.operator in (ops.and_, ops.or_):
        parts = [_compile(c, col_to_key) for c in expr.clauses]
        if expr.operator is ops.and_:
            return lambda d: all(p(d) for p in parts)
        return lambda d: any(p(d) for p in parts)
    if isinstance(expr, UnaryExpression) and expr.operator is ops.not_:
        inner = _compile(expr.element, col_to_key)
        return lambda d: not inner(d)
    return _operand(expr, col_to_key)


def _operand(expr: Any, col_to_key: dict[Any, str]) -> Getter:
    while isinstance(expr, Grouping):
        expr = expr.element
    key = col_to_key.get(expr)
    if key is not None:
        return lambda d: d.get(key)
    if isinstance(expr, BindParameter):
        value = expr.effective_value()
        return lambda d: value
    if isinstance(expr, Null):
        return lambda d: None
    raise UnevaluatableError(type(expr).__name__)


def _binary(expr: BinaryExpression, col_to_key: dict[Any, str]) -> Getter:
    op = expr.operator
    if op in (ops.and_, ops.or_):
        left, right = _compile(expr.left, col_to_key), _compile(expr.right, col_to_key)
        if op is ops.and_:
            return lambda d: bool(left(d)) and bool(right(d))
        return lambda d: bool(left(d)) or bool(right(d))
    left = _operand(expr.left, col_to_key)
    if op in (ops.in_, ops.not_in):
        right_expr = expr.right
        while isinstance(right_expr, Grouping):
            right_expr = right_expr.element
        if not isinstance(right_expr, ClauseList):
            if isinstance(right_expr, BindParameter) and isinstance(
                right_expr.value, (list, tuple)
            ):
                values = list(right_expr.value)
            else:
                raise UnevaluatableError("IN")
        else:
            values = [_operand(c, col_to_key)({}) for c in right_expr.clauses]
        if op is ops.in_:
            return lambda d: left(d) in values
        return lambda d: left(d) is not None and left(d) not in values
    right = _operand(expr.right, col_to_key)
    if op is ops.is_:
        return lambda d: left(d) is None if right(d) is None else left(d) == right(d)
    if op is ops.is_not:
        return lambda d: left(d) is not None if right(d) is None else left(d) != right(d)
    fn = _COMPARE.get(op)
    if fn is None:
        raise UnevaluatableError(op.name)

    def compare(d: dict[str, Any]) -> bool:
        a, b = left(d), right(d)
        if a is None or b is None:
            return False
        try:
            return bool(fn(a, b))
        except TypeError:
            raise UnevaluatableError("incomparable") from None

    return compare
