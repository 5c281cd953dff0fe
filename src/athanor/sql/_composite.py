"""Operator nodes: binary and unary expressions, clause lists (AND/OR/comma) and grouping.

Parentheses are decided when a node is built: each operand is asked to ``self_group``
against the operator, using the precedence table of :mod:`athanor.sql.operators`, and wraps
itself in a :class:`Grouping` when it binds looser. Importable from
:mod:`athanor.sql.elements` as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from athanor.sql import operators as ops
from athanor.sql._typing_bridge import boolean_type, null_type
from athanor.sql.elements import ClauseElement, ColumnElement, _KeyState

if TYPE_CHECKING:
    from athanor.sql.selectable import FromClause


class Grouping(ColumnElement):
    """Parentheses around an expression."""

    __visit_name__ = "grouping"

    def __init__(self, element: ClauseElement) -> None:
        self.element = element

    @property
    def type(self) -> Any:
        return getattr(self.element, "type", null_type())

    @property
    def key(self) -> str | None:  # type: ignore[override]
        return getattr(self.element, "key", None)

    def _ck(self, st: _KeyState) -> Any:
        return ("grp", self.element._ck(st))

    @property
    def _from_objects(self) -> list[FromClause]:
        return self.element._from_objects

    def self_group(self, against: ops.Operator | None = None) -> ClauseElement:
        return self


class BinaryExpression(ColumnElement):
    """``left <op> right``."""

    __visit_name__ = "binary"

    def __init__(self, left: ColumnElement, right: ClauseElement, operator: ops.Operator,
                 *, type_: Any = None, escape: str | None = None) -> None:
        self.operator: ops.Operator = operator
        self.left: Any = left.self_group(against=operator)
        right_g: Any = right.self_group(against=operator)
        if (isinstance(right_g, BinaryExpression) and right_g.operator.precedence
                == operator.precedence and not operator.associative):
            right_g = Grouping(right_g)
        self.right = right_g
        self.operator = operator
        self.escape = escape
        self._precedence = operator.precedence
        if type_ is None and operator in ops.COMPARISONS:
            type_ = boolean_type()
        self._type = type_

    @property
    def type(self) -> Any:
        t = self._type
        if t is None:
            return getattr(self.left, "type", null_type())
        return t

    def _ck(self, st: _KeyState) -> Any:
        return ("bin", self.operator.name, self.left._ck(st), self.right._ck(st), self.escape)

    @property
    def _from_objects(self) -> list[FromClause]:
        return self.left._from_objects + self.right._from_objects

    def self_group(self, against: ops.Operator | None = None) -> ClauseElement:
        if against is None:
            return self
        if self.operator.precedence < against.precedence or (
            self.operator.precedence == against.precedence
            and not (self.operator is against and against.associative)
        ):
            return Grouping(self)
        return self

    def __bool__(self) -> bool:
        # Lets `col in [c1, c2]` and list.remove() compare columns by identity.
        if self.operator is ops.eq:
            return self.left is self.right or _same(self.left, self.right)
        if self.operator is ops.ne:
            return not _same(self.left, self.right)
        return super().__bool__()

    def __invert__(self) -> ColumnElement:
        neg = self.operator.negate
        if neg is not None and self.operator not in (ops.lt, ops.gt, ops.le, ops.ge):
            return BinaryExpression(self.left, self.right, neg, type_=self._type,
                                    escape=self.escape)
        return UnaryExpression(self, operator=ops.not_, type_=boolean_type())


def _same(a: ClauseElement, b: ClauseElement) -> bool:
    while isinstance(a, Grouping):
        a = a.element  # type: ignore[assignment]
    while isinstance(b, Grouping):
        b = b.element  # type: ignore[assignment]
    return a is b


class UnaryExpression(ColumnElement):
    """A prefix operator (``NOT x``, ``-x``, ``DISTINCT x``) or a postfix modifier (``x DESC``)."""

    __visit_name__ = "unary"

    def __init__(self, element: ClauseElement, *, operator: ops.Operator | None = None,
                 modifier: ops.Operator | None = None, type_: Any = None,
                 grouped: bool = False) -> None:
        against = operator or modifier
        self.element = Grouping(element) if grouped else element.self_group(against=against)
        self.operator = operator
        self.modifier = modifier
        self._precedence = (operator or modifier or ops.not_).precedence
        self._type = type_

    @property
    def type(self) -> Any:
        if self._type is not None:
            return self._type
        return getattr(self.element, "type", null_type())

    @property
    def key(self) -> str | None:  # type: ignore[override]
        return getattr(self.element, "key", None)

    @property
    def _label_name(self) -> str | None:  # type: ignore[override]
        if self.modifier is not None or self.operator is ops.distinct:
            return getattr(self.element, "_label_name", None)
        return None

    def _ck(self, st: _KeyState) -> Any:
        return ("un", self.operator.name if self.operator else None,
                self.modifier.name if self.modifier else None, self.element._ck(st))

    @property
    def _from_objects(self) -> list[FromClause]:
        return self.element._from_objects

    def __invert__(self) -> ColumnElement:
        if self.operator is ops.not_:
            return self.element  # type: ignore[return-value]
        return UnaryExpression(self, operator=ops.not_, type_=boolean_type())


class ClauseList(ColumnElement):
    """Expressions joined by one operator: ``a AND b AND c``, ``x, y``."""

    __visit_name__ = "clauselist"

    def __init__(self, clauses: Iterable[ClauseElement], operator: ops.Operator = ops.comma,
                 *, group: bool = True) -> None:
        self.operator = operator
        self._precedence = operator.precedence
        self.clauses: list[ClauseElement] = [
            c.self_group(against=operator) if group else c for c in clauses
        ]

    def __iter__(self) -> Iterator[ClauseElement]:
        return iter(self.clauses)

    def __len__(self) -> int:
        return len(self.clauses)

    @property
    def type(self) -> Any:
        if self.operator in (ops.and_, ops.or_):
            return boolean_type()
        return null_type()

    def _ck(self, st: _KeyState) -> Any:
        return ("list", self.operator.name, tuple(c._ck(st) for c in self.clauses))

    @property
    def _from_objects(self) -> list[FromClause]:
        out: list[FromClause] = []
        for c in self.clauses:
            out.extend(c._from_objects)
        return out

    def self_group(self, against: ops.Operator | None = None) -> ClauseElement:
        if against is None or not self.clauses:
            return self
        if len(self.clauses) == 1 and self.operator is not ops.comma:
            return self
        if self.operator.precedence < against.precedence or (
            self.operator is not against and self.operator.precedence == against.precedence
        ):
            return Grouping(self)
        return self


class ColumnGroup(ClauseList):
    """Columns that a SELECT lists one by one (an ORM ``composite()``'s columns); anywhere
    else a comma list (``ORDER BY x1, y1``)."""

    def __init__(self, columns: Iterable[ClauseElement]) -> None:
        super().__init__(columns, ops.comma, group=False)

    def _ck(self, st: _KeyState) -> Any:
        return ("colgroup", tuple(c._ck(st) for c in self.clauses))


class BooleanClauseList(ClauseList):
    """``and_(...)`` / ``or_(...)``."""

    __visit_name__ = "clauselist"


class InList(ClauseList):
    """The parenthesised value list of ``IN (...)``; may be empty."""

    __visit_name__ = "in_list"

    def __init__(self, items: Sequence[ColumnElement]) -> None:
        super().__init__(items, ops.comma, group=False)

    def self_group(self, against: ops.Operator | None = None) -> ClauseElement:
        return self


class _Bounds(ClauseList):
    """``lower AND upper`` of BETWEEN: never parenthesised."""

    def self_group(self, against: ops.Operator | None = None) -> ClauseElement:
        return self
