"""The less common column operators: bitwise arithmetic and the generic ``operate()``.

Kept out of :mod:`athanor.sql.elements` (which holds the everyday operators) and mixed into
:class:`~athanor.sql.elements.ColumnElement`. Bitwise operators bind differently on each
database (MySQL puts ``^`` above ``*``, PostgreSQL puts every bitwise operator below ``+``),
so a bitwise expression parenthesises any operand that is not a single term, and is itself
parenthesised inside any arithmetic: the SQL means the same everywhere.
"""

from __future__ import annotations

import operator as pyop
from typing import TYPE_CHECKING, Any

import athanor.exc as exc
from athanor.sql import operators as ops

if TYPE_CHECKING:
    from athanor.sql.elements import ColumnElement


def _tight(e: Any) -> Any:
    from athanor.sql.elements import Grouping

    if e._precedence < ops.P_ATOM and not isinstance(e, Grouping):
        return Grouping(e)
    return e


class ColumnOperatorsMixin:
    """Bitwise operators and ``operate()`` for column expressions."""

    __slots__ = ()

    def _bitwise(self, op: ops.Operator, other: Any) -> ColumnElement:
        from athanor.sql.elements import BinaryExpression, _bind_against

        me: Any = self
        return BinaryExpression(_tight(me), _tight(_bind_against(me, other)), op,
                                type_=me.type)

    def bitwise_and(self, other: Any) -> ColumnElement:
        """``self & other`` on the bits of an integer."""
        return self._bitwise(ops.bitand, other)

    def bitwise_or(self, other: Any) -> ColumnElement:
        return self._bitwise(ops.bitor, other)

    def bitwise_xor(self, other: Any) -> ColumnElement:
        """Exclusive or (``#`` on PostgreSQL, ``(a | b) - (a & b)`` on SQLite)."""
        return self._bitwise(ops.bitxor, other)

    def bitwise_lshift(self, other: Any) -> ColumnElement:
        return self._bitwise(ops.lshift, other)

    def bitwise_rshift(self, other: Any) -> ColumnElement:
        return self._bitwise(ops.rshift, other)

    def bitwise_not(self) -> ColumnElement:
        """``~self``: every bit flipped."""
        from athanor.sql.elements import UnaryExpression

        me: Any = self
        return UnaryExpression(me, operator=ops.bitnot, type_=me.type)

    # --- case-insensitive patterns (ILIKE; lower() LIKE lower() where there is none) --------
    def icontains(self, other: Any, autoescape: bool = False, escape: str | None = None
                  ) -> ColumnElement:
        return self._pattern(other, "%", "%", autoescape, escape, ops.ilike)  # type: ignore[attr-defined,no-any-return]

    def istartswith(self, other: Any, autoescape: bool = False, escape: str | None = None
                    ) -> ColumnElement:
        return self._pattern(other, "", "%", autoescape, escape, ops.ilike)  # type: ignore[attr-defined,no-any-return]

    def iendswith(self, other: Any, autoescape: bool = False, escape: str | None = None
                  ) -> ColumnElement:
        return self._pattern(other, "%", "", autoescape, escape, ops.ilike)  # type: ignore[attr-defined,no-any-return]

    def bool_op(self, opstring: str, precedence: int = ops.P_LOWEST,
                python_impl: Any = None) -> Any:
        """``op(opstring, is_comparison=True)``: a custom operator giving a Boolean."""
        operator = ops.custom_op(opstring, precedence, is_comparison=True)
        return lambda other: self._custom(operator, other)

    def isnot_distinct_from(self, other: Any) -> ColumnElement:
        return self.is_not_distinct_from(other)  # type: ignore[attr-defined,no-any-return]

    def operate(self, op: Any, *other: Any, **kw: Any) -> ColumnElement:
        """Apply an operator object: a :class:`~athanor.sql.operators.custom_op`, or one of
        Python's :mod:`operator` functions (``operator.eq``, ``operator.add``...)."""
        if isinstance(op, ops.custom_op):
            return self._custom(op, *other)
        name = getattr(op, "__name__", "")
        meth = getattr(type(self), f"__{name.strip('_')}__", None)
        if getattr(pyop, name, None) is op and meth is not None:
            return meth(self, *other)  # type: ignore[no-any-return]
        raise exc.ArgumentError(
            f"operate() failed: {op!r} is not an operator athanor knows. Pass a "
            "custom_op('...') or a function of Python's operator module.")

    def _custom(self, op: ops.custom_op, other: Any) -> ColumnElement:
        from athanor.sql._typing_bridge import boolean_type
        from athanor.sql.elements import BinaryExpression, _bind_against, _instance

        me: Any = self
        rtype = boolean_type() if op.is_comparison else (
            _instance(op.return_type) if op.return_type is not None else me.type)
        return BinaryExpression(me, _bind_against(me, other), op, type_=rtype)


__all__ = ["ColumnOperatorsMixin"]
