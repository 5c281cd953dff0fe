"""Operators as data: one :class:`Operator` object per SQL operator.

An expression node stores the operator object itself; the compiler reads ``op.sql`` (or a
dialect override keyed by ``op.name``) and uses ``op.precedence`` to decide where parentheses
are needed, so grouping is decided once when an expression is built, never by string search.
``op.name`` is what a statement's cache key records.

Precedence follows the SQL standard's order, higher binds tighter; operators marked
``associative`` may be chained without parentheses (``a AND b AND c``, ``a + b + c``).
"""

from __future__ import annotations

from typing import Any, Final


class Operator:
    """A SQL operator: its spelling, precedence and whether it may chain without grouping."""

    __slots__ = ("name", "sql", "precedence", "associative", "negate")

    def __init__(
        self, name: str, sql: str, precedence: int, *, associative: bool = False
    ) -> None:
        self.name = name
        self.sql = sql
        self.precedence = precedence
        self.associative = associative
        self.negate: Operator | None = None

    def __repr__(self) -> str:
        return f"<Operator {self.name}>"


def _pair(a: Operator, b: Operator) -> None:
    a.negate, b.negate = b, a


# Precedence levels (higher binds tighter).
P_ATOM: Final = 100
P_UNARY: Final = 20
P_COLLATE: Final = 18
P_MUL: Final = 10
P_ADD: Final = 9
P_CONCAT: Final = 9
P_BITWISE: Final = 8
P_COMPARE: Final = 5
P_NOT: Final = 4
P_AND: Final = 3
P_OR: Final = 2
P_LOWEST: Final = 0

eq = Operator("eq", "=", P_COMPARE)
ne = Operator("ne", "!=", P_COMPARE)
lt = Operator("lt", "<", P_COMPARE)
le = Operator("le", "<=", P_COMPARE)
gt = Operator("gt", ">", P_COMPARE)
ge = Operator("ge", ">=", P_COMPARE)
_pair(eq, ne)
_pair(lt, ge)
_pair(gt, le)

is_ = Operator("is", "IS", P_COMPARE)
is_not = Operator("is_not", "IS NOT", P_COMPARE)
_pair(is_, is_not)
is_distinct_from = Operator("is_distinct_from", "IS DISTINCT FROM", P_COMPARE)
is_not_distinct_from = Operator("is_not_distinct_from", "IS NOT DISTINCT FROM", P_COMPARE)
_pair(is_distinct_from, is_not_distinct_from)

like = Operator("like", "LIKE", P_COMPARE)
not_like = Operator("not_like", "NOT LIKE", P_COMPARE)
_pair(like, not_like)
ilike = Operator("ilike", "ILIKE", P_COMPARE)
not_ilike = Operator("not_ilike", "NOT ILIKE", P_COMPARE)
_pair(ilike, not_ilike)
regexp_match = Operator("regexp_match", "REGEXP", P_COMPARE)
not_regexp_match = Operator("not_regexp_match", "NOT REGEXP", P_COMPARE)
_pair(regexp_match, not_regexp_match)
in_ = Operator("in", "IN", P_COMPARE)
not_in = Operator("not_in", "NOT IN", P_COMPARE)
_pair(in_, not_in)
between = Operator("between", "BETWEEN", P_COMPARE)
not_between = Operator("not_between", "NOT BETWEEN", P_COMPARE)
_pair(between, not_between)

add = Operator("add", "+", P_ADD, associative=True)
sub = Operator("sub", "-", P_ADD)
mul = Operator("mul", "*", P_MUL, associative=True)
truediv = Operator("div", "/", P_MUL)
floordiv = Operator("floordiv", "/", P_MUL)
mod = Operator("mod", "%", P_MUL)
concat = Operator("concat", "||", P_CONCAT, associative=True)
bitand = Operator("bitand", "&", P_BITWISE)
bitor = Operator("bitor", "|", P_BITWISE)
bitxor = Operator("bitxor", "^", P_BITWISE)  # PostgreSQL spells it #, SQLite has none
lshift = Operator("lshift", "<<", P_BITWISE)
rshift = Operator("rshift", ">>", P_BITWISE)
bitnot = Operator("bitnot", "~", P_UNARY)

and_ = Operator("and", "AND", P_AND, associative=True)
or_ = Operator("or", "OR", P_OR, associative=True)
comma = Operator("comma", ",", P_LOWEST, associative=True)

# Unary operators (prefix unless marked in the compiler as postfix modifiers).
not_ = Operator("not", "NOT", P_NOT)
neg = Operator("neg", "-", P_UNARY)
exists = Operator("exists", "EXISTS", P_UNARY)
distinct = Operator("distinct", "DISTINCT", P_UNARY)
desc = Operator("desc", "DESC", P_LOWEST)
asc = Operator("asc", "ASC", P_LOWEST)
nulls_first = Operator("nulls_first", "NULLS FIRST", P_LOWEST)
nulls_last = Operator("nulls_last", "NULLS LAST", P_LOWEST)
collate = Operator("collate", "COLLATE", P_COLLATE)

#: Operators whose result is a boolean (the expression's type becomes Boolean).
COMPARISONS: Final = frozenset(
    {eq, ne, lt, le, gt, ge, is_, is_not, is_distinct_from, is_not_distinct_from,
     like, not_like, ilike, not_ilike, in_, not_in, between, not_between, and_, or_, not_,
     exists}
)


def custom(opstring: str, precedence: int = P_COMPARE, *, is_comparison: bool = False) -> Operator:
    """An operator spelled by the user (``column.op('@>')``)."""
    return custom_op(opstring, precedence, is_comparison=is_comparison)


class custom_op(Operator):  # noqa: N801 - SQLAlchemy's public name
    """A user-spelled binary operator: ``custom_op("->")(col, 5)`` or
    ``col.operate(custom_op("->"), 5)``. ``precedence`` uses this module's scale (0, the
    default, groups the expression wherever it is an operand); ``is_comparison`` makes the
    result a Boolean; ``return_type`` sets the result type otherwise."""

    __slots__ = ("opstring", "is_comparison", "return_type")

    def __init__(self, opstring: str, precedence: int = P_LOWEST, is_comparison: bool = False,
                 return_type: object = None, **kw: object) -> None:
        super().__init__(f"custom:{opstring}", opstring, precedence)
        self.opstring = opstring
        self.is_comparison = is_comparison
        self.return_type = return_type

    def __call__(self, left: Any, right: Any) -> Any:
        return left.operate(self, right)
