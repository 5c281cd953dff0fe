"""The public factory functions of the expression language (``and_``, ``literal``,
``bindparam``, ``desc``...).

They only coerce their arguments and build nodes from :mod:`athanor.sql.elements` and
:mod:`athanor.sql._derived`; both modules re-export them, so ``athanor.sql.elements.and_``
keeps working.
"""

from __future__ import annotations

from typing import Any

from athanor.sql import operators as ops
from athanor.sql._derived import Cast, Label, TryCast, TypeCoerce
from athanor.sql._typing_bridge import boolean_type, integer_type
from athanor.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    ClauseElement,
    ColumnClause,
    ColumnElement,
    False_,
    Null,
    TextClause,
    True_,
    UnaryExpression,
    _instance,
    _KeyState,
    coerce_expr,
    coerce_where,
)


def _bool_list(op: ops.Operator, clauses: tuple[Any, ...]) -> ColumnElement:
    skip = True_ if op is ops.and_ else False_
    items: list[ClauseElement] = []
    for c in clauses:
        e = coerce_where(c, role=f"{op.sql.lower()}_()")
        if isinstance(e, skip):
            continue
        if isinstance(e, BooleanClauseList) and e.operator is op:
            items.extend(e.clauses)
        else:
            items.append(e)
    if len(items) == 1:
        return items[0]  # type: ignore[return-value]
    return BooleanClauseList(items, op)


def and_(*clauses: Any) -> ColumnElement:
    """``a AND b AND ...``; an empty and_() renders nothing where a criterion is optional."""
    return _bool_list(ops.and_, clauses)


def or_(*clauses: Any) -> ColumnElement:
    return _bool_list(ops.or_, clauses)


def not_(clause: Any) -> ColumnElement:
    e = coerce_where(clause, role="not_()")
    if isinstance(e, (BinaryExpression, UnaryExpression)):
        return ~e
    return UnaryExpression(e, operator=ops.not_, type_=boolean_type())


def null() -> Null:
    return Null()


def true() -> True_:
    return True_()


def false() -> False_:
    return False_()


def literal(value: Any, type_: Any = None) -> BindParameter:
    return BindParameter(None, value, type_=_instance(type_) if type_ else None, unique=True)


def literal_column(text: str, type_: Any = None) -> ColumnClause:
    return ColumnClause(text, _instance(type_) if type_ else None, is_literal=True)


def column(name: str, type_: Any = None, *, is_literal: bool = False) -> ColumnClause:
    return ColumnClause(name, _instance(type_) if type_ else None, is_literal=is_literal)


_NO_ARG: Any = object()


def bindparam(key: str | None, value: Any = _NO_ARG, type_: Any = None, *,
              unique: bool = False, required: Any = _NO_ARG, callable_: Any = None,
              expanding: bool = False, literal_execute: bool = False) -> BindParameter:
    """A named parameter; without a value (or callable_) one must be given at execution."""
    if required is _NO_ARG:
        required = value is _NO_ARG and callable_ is None
    if value is _NO_ARG:
        value = None
    return BindParameter(key, value, _instance(type_) if type_ else None, unique=unique,
                         required=required, callable_=callable_, expanding=expanding)


def text(sql: str) -> TextClause:
    return TextClause(sql)


class NameReference(ColumnElement):
    """A bare name in ORDER BY / GROUP BY (``desc("n")``): refers to a select-list label."""

    __visit_name__ = "label_reference"

    def __init__(self, name: str) -> None:
        self.name = name

    def _ck(self, st: _KeyState) -> Any:
        return ("labelref", self.name)


def _order_target(e: Any) -> ColumnElement:
    return NameReference(e) if isinstance(e, str) else coerce_expr(e)


def desc(e: Any) -> ColumnElement:
    return _order_target(e).desc()


def asc(e: Any) -> ColumnElement:
    return _order_target(e).asc()


def nulls_first(e: Any) -> ColumnElement:
    return coerce_expr(e).nulls_first()


def nulls_last(e: Any) -> ColumnElement:
    return coerce_expr(e).nulls_last()


nullsfirst = nulls_first
nullslast = nulls_last


def distinct(e: Any) -> ColumnElement:
    return coerce_expr(e).distinct()


def label(name: str, element: Any, type_: Any = None) -> Label:
    return Label(name, element, type_)


def cast(expression: Any, type_: Any) -> Cast:
    return Cast(expression, type_)


class OutParameter(BindParameter):
    """A stored procedure's OUT parameter (``outparam()``): refused when compiled, as no
    database athanor supports has them in plain statements."""

    __visit_name__ = "outparam"

    def _ck(self, st: _KeyState) -> Any:
        return ("outparam", super()._ck(st))


def outparam(key: str, type_: Any = None) -> OutParameter:
    """An OUT parameter of a stored procedure call (Oracle's); compiling it raises
    :class:`~athanor.exc.UnsupportedCompilationError` on athanor's databases."""
    return OutParameter(key, None, _instance(type_) if type_ is not None else None,
                        required=False)


def try_cast(expression: Any, type_: Any) -> TryCast:
    """``TRY_CAST(expression AS type_)``; see :class:`TryCast`."""
    return TryCast(expression, type_)


def bitwise_not(expr: Any) -> ColumnElement:
    """``~expr``: the bits of an integer expression flipped."""
    return coerce_expr(expr).bitwise_not()


def type_coerce(expression: Any, type_: Any) -> TypeCoerce:
    return TypeCoerce(expression, type_)


def between(expr: Any, lower: Any, upper: Any, symmetric: bool = False) -> ColumnElement:
    return coerce_expr(expr).between(lower, upper)


def collate(expression: Any, collation: str) -> ColumnElement:
    return coerce_expr(expression).collate(collation)


def any_(expr: Any) -> ColumnElement:
    return coerce_expr(expr).any_()


def all_(expr: Any) -> ColumnElement:
    return coerce_expr(expr).all_()


def integer_literal(n: int) -> BindParameter:
    """A bind holding an int (LIMIT/OFFSET values)."""
    return BindParameter(None, n, type_=integer_type(), unique=True)


__all__: list[str] = [
    "NameReference", "OutParameter", "all_", "and_", "any_", "asc", "between", "bindparam",
    "bitwise_not", "cast", "collate", "column", "desc", "distinct", "false", "integer_literal",
    "label", "literal", "literal_column", "not_", "null", "nulls_first", "nulls_last",
    "nullsfirst", "nullslast", "or_", "outparam", "text", "true", "try_cast", "type_coerce",
]
