"""Expression nodes: the immutable tree a statement is built from.

Every node is a :class:`ClauseElement` with a ``__visit_name__``; the compiler dispatches on it
to ``visit_<name>``. Nodes never render themselves: they are plain data.

Two traversals matter for speed:

* ``_ck(state)`` returns the node's *cache key*: a hashable tuple describing its structure
  only. Literal values are not part of it; each :class:`BindParameter` met on the way is
  appended to ``state.binds`` instead, so a statement's values come out of the same walk
  (``extracted``) and two statements differing only in values share one compiled form.
* ``_from_objects`` lists the FROM clauses an expression refers to, which is how ``select()``
  finds its FROM list without being told.

Operator overloads live on :class:`ColumnElement` (``==`` builds a comparison, it does not
compare). Grouping is decided when a node is built (``self_group``), using the operator
precedence table in :mod:`athanor.sql.operators`.

This module holds the base classes and leaf nodes; operator nodes are in
:mod:`._composite`, wrappers (label, cast, concat...) in :mod:`._derived` and the public
factory functions in :mod:`._constructors`. All of them are importable from here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import athanor.exc as exc
from athanor.sql import operators as ops
from athanor.sql._column_ops import ColumnOperatorsMixin
from athanor.sql._roles import Executable, generic_alias
from athanor.sql._typing_bridge import (
    boolean_type,
    is_string_type,
    null_type,
    type_for_value,
    type_key,
)

if TYPE_CHECKING:
    from athanor.sql.compiler import Compiled
    from athanor.sql.dialect import BaseDialect
    from athanor.sql.selectable import FromClause


class _KeyState:
    """Scratch state of one cache-key walk: the binds met, and anonymous nodes seen."""

    __slots__ = ("binds", "seen", "keep", "nocache")

    def __init__(self) -> None:
        #: set by a node whose SQL must not be cached (a custom construct, ext.compiler)
        self.nocache = False
        self.binds: list[BindParameter] = []
        self.seen: dict[int, int] = {}
        self.keep: list[object] = []  # holds temporaries so their ids stay unique

    def anon(self, node: object) -> tuple[Any, ...] | None:
        """Return a back-reference key if ``node`` was seen before, else register it."""
        n = self.seen.get(id(node))
        if n is not None:
            return ("ref", n)
        self.seen[id(node)] = len(self.seen)
        self.keep.append(node)
        return None


class ClauseElement:
    """Base of every node in a SQL expression or statement."""

    __visit_name__: ClassVar[str] = "clause"
    __class_getitem__ = generic_alias
    _is_ddl: ClassVar[bool] = False
    _is_select: ClassVar[bool] = False
    _is_dml: ClassVar[bool] = False
    is_clause_element: ClassVar[bool] = True

    # --- traversal hooks ------------------------------------------------------------
    def _ck(self, st: _KeyState) -> Any:
        raise exc.CompileError(
            f"Building a cache key failed: {type(self).__name__} has no _ck(). "
            "Implement _ck() on every ClauseElement subclass."
        )

    @property
    def _from_objects(self) -> list[FromClause]:
        return []

    def self_group(self, against: ops.Operator | None = None) -> ClauseElement:
        return self

    def get_children(self) -> Iterable[ClauseElement]:
        return ()

    @property
    def type(self) -> Any:
        return null_type()

    # --- compiling --------------------------------------------------------------------
    def compile(self, bind: Any = None, dialect: BaseDialect | None = None, **kw: Any) -> Compiled:
        """Compile for ``dialect`` (or the bind's dialect, or the generic one)."""
        from athanor.sql.dialect import DefaultDialect

        if dialect is None:
            dialect = getattr(bind, "dialect", None) or DefaultDialect()
        return dialect.compile_standalone(self, **kw)

    def __str__(self) -> str:
        return self.compile().string

    def __bool__(self) -> bool:
        raise TypeError(
            f"Boolean value of {type(self).__name__} is not defined: it is a SQL expression. "
            "Compare with 'is None', or use and_()/or_() to combine conditions."
        )

    __hash__ = object.__hash__

    def params(self, *optional: dict[str, Any], **kw: Any) -> ClauseElement:
        """A copy whose bind parameters named in ``kw`` get new values."""
        values = dict(*optional, **kw)
        return _replace_binds(self, values)


#: ``TableClause._ck`` (set by :mod:`athanor.sql.selectable`): a column of a table whose
#: class keeps it memoises its own cache key (``ColumnClause._ck``)
_TABLE_CK: Any = None
_NO_DICT: dict[str, Any] = {}

#: Per-instance memos that a copy must not inherit.
_MEMOS = frozenset({"_ck_memo", "_exported", "_ck_col"})


def _replace_binds(elem: Any, values: dict[str, Any]) -> Any:
    """Shallow-copy the tree, replacing values of binds whose key is in ``values``."""
    if isinstance(elem, BindParameter):
        if elem.key in values:
            return elem._with_value(values[elem.key])
        return elem
    if isinstance(elem, (list, tuple)):
        return type(elem)(_replace_binds(e, values) for e in elem)
    if not isinstance(elem, ClauseElement) or getattr(elem, "_is_schema_item", False):
        return elem
    if not hasattr(elem, "__dict__"):
        return elem
    new = elem.__class__.__new__(elem.__class__)
    for k, v in elem.__dict__.items():
        if k in _MEMOS:
            continue
        if isinstance(v, (ClauseElement, list, tuple)):
            v = _replace_binds(v, values)
        new.__dict__[k] = v
    return new


# --------------------------------------------------------------------------------------
# coercion helpers
# --------------------------------------------------------------------------------------


def _flagged(pattern: Any, flags: str | None) -> Any:
    if not flags:
        return pattern
    if not isinstance(pattern, str):
        raise exc.ArgumentError(
            f"regexp_match() failed: flags={flags!r} need a string pattern; got "
            f"{type(pattern).__name__}. Put the flags in the pattern as (?{flags}).")
    return f"(?{flags}){pattern}"


def coerce_expr(value: Any, *, role: str = "expression") -> ColumnElement:
    """Turn a value into a column expression: elements pass, Python values become binds."""
    if isinstance(value, ColumnElement):
        return value
    hook = getattr(value, "__clause_element__", None)
    if hook is not None:
        return coerce_expr(hook(), role=role)
    if isinstance(value, ClauseElement):
        scalar = getattr(value, "scalar_subquery", None)
        if scalar is not None and getattr(value, "_is_select", False):
            return scalar()
        raise exc.ArgumentError(
            f"Column expression expected for {role}; got {type(value).__name__}. "
            "Pass a column, a literal value, or call .scalar_subquery() on a SELECT."
        )
    if value is None:
        return Null()
    if value is True:
        return True_()
    if value is False:
        return False_()
    return BindParameter(None, value, unique=True)


def coerce_where(value: Any, *, role: str = "WHERE criterion") -> ColumnElement:
    """Coerce a WHERE/HAVING/ON criterion, refusing values that are surely mistakes."""
    if isinstance(value, str):
        raise exc.ArgumentError(
            f"SQL expression expected for {role}; got the string {value!r}. "
            "Wrap raw SQL in text(...)."
        )
    if isinstance(value, (list, tuple, set, dict)):
        raise exc.ArgumentError(
            f"Column expression expected for {role}; got {type(value).__name__} {value!r}. "
            "Did you mean and_(...) or pass each condition as its own argument?"
        )
    if isinstance(value, TextClause):
        return value  # type: ignore[return-value]
    return coerce_expr(value, role=role)


#: value types that are never expressions: no isinstance/hasattr probe for them
_PLAIN_SCALARS = frozenset({int, str, float, bool, bytes})
#: what ``_check_scalar`` refuses (tested inline first; the message is built only then)
_NON_SCALARS = (list, tuple, set, frozenset)


def _bind_against(expr: ColumnElement, value: Any, op: ops.Operator | None = None) -> ColumnElement:
    """A value compared with ``expr`` becomes a bind typed like ``expr``."""
    if type(value) not in _PLAIN_SCALARS and (
        isinstance(value, ClauseElement) or hasattr(value, "__clause_element__")
    ):
        return coerce_expr(value)
    if value is None:
        return Null()
    name = getattr(expr, "key", None)
    t = expr.type
    if getattr(t, "_is_null_type", False) or t is None:
        t = None
    else:
        coerce = getattr(t, "coerce_compared_value", None)
        if coerce is not None:
            t = coerce(op, value)
    return BindParameter(name, value, type_=t, unique=True)


def _scalar_binary(left: ColumnElement, value: Any, op: ops.Operator, type_: Any) -> Any:
    """``BinaryExpression(left, _bind_against(left, value), op, type_=type_)`` for a plain
    Python scalar (``type(value) in _PLAIN_SCALARS``: ``col == 5``, ``col + 1``), without
    the checks only other values need."""
    t = left.type
    if t is None or getattr(t, "_is_null_type", False):
        t = None
    else:
        coerce = getattr(t, "coerce_compared_value", None)
        if coerce is not None:
            t = coerce(None, value)
    bind = BindParameter(getattr(left, "key", None), value, type_=t, unique=True)
    return BinaryExpression(left, bind, op, type_=type_)


def _check_scalar(value: Any, what: str) -> None:
    if isinstance(value, (list, tuple, set, frozenset)) and not isinstance(value, str):
        raise exc.ArgumentError(
            f"Comparing a column with {what} failed: got a {type(value).__name__} {value!r}. "
            "Use column.in_([...]) to test membership."
        )


# --------------------------------------------------------------------------------------
# column expressions
# --------------------------------------------------------------------------------------


class ColumnElement(ClauseElement, ColumnOperatorsMixin):
    """An expression with a value and a SQL type; carries the operator overloads."""

    __visit_name__ = "column_element"
    key: str | None = None
    _label_name: str | None = None  # the name a SELECT exports this expression under
    _precedence: int = ops.P_ATOM

    @property
    def type(self) -> Any:
        return null_type()

    def _ck(self, st: _KeyState) -> Any:  # pragma: no cover - subclasses override
        return super()._ck(st)

    # --- comparison -------------------------------------------------------------------
    def _compare(self, op: ops.Operator, other: Any) -> ColumnElement:
        if type(other) in _PLAIN_SCALARS:
            return _scalar_binary(self, other, op, None)  # type: ignore[no-any-return]
        if isinstance(other, _NON_SCALARS):
            _check_scalar(other, f"'{op.sql}'")
        if other is None or isinstance(other, Null):
            if op is ops.eq:
                return BinaryExpression(self, Null(), ops.is_)
            if op is ops.ne:
                return BinaryExpression(self, Null(), ops.is_not)
            raise exc.ArgumentError(
                f"Comparing a column with None using {op.sql!r} failed: only == and != "
                "accept None. Use column.is_(None) or column.is_not(None)."
            )
        return BinaryExpression(self, _bind_against(self, other), op)

    def __eq__(self, other: Any) -> ColumnElement:  # type: ignore[override]
        return self._compare(ops.eq, other)

    def __ne__(self, other: Any) -> ColumnElement:  # type: ignore[override]
        return self._compare(ops.ne, other)

    def __lt__(self, other: Any) -> ColumnElement:
        return self._compare(ops.lt, other)

    def __le__(self, other: Any) -> ColumnElement:
        return self._compare(ops.le, other)

    def __gt__(self, other: Any) -> ColumnElement:
        return self._compare(ops.gt, other)

    def __ge__(self, other: Any) -> ColumnElement:
        return self._compare(ops.ge, other)

    __hash__ = ClauseElement.__hash__

    def is_(self, other: Any) -> ColumnElement:
        return BinaryExpression(self, coerce_expr(other), ops.is_)

    def is_not(self, other: Any) -> ColumnElement:
        return BinaryExpression(self, coerce_expr(other), ops.is_not)

    isnot = is_not

    def is_distinct_from(self, other: Any) -> ColumnElement:
        return BinaryExpression(self, _bind_against(self, other), ops.is_distinct_from)

    def is_not_distinct_from(self, other: Any) -> ColumnElement:
        return BinaryExpression(self, _bind_against(self, other), ops.is_not_distinct_from)

    def in_(self, other: Any) -> ColumnElement:
        return self._in(other, ops.in_)

    def not_in(self, other: Any) -> ColumnElement:
        return self._in(other, ops.not_in)

    notin_ = not_in

    def _in(self, other: Any, op: ops.Operator) -> ColumnElement:
        hook = getattr(other, "__clause_element__", None)
        if hook is not None and not isinstance(other, ClauseElement):
            other = hook()  # an ORM Query: its SELECT
        if getattr(other, "_is_select", False) or hasattr(other, "_is_subquery"):
            sub = other.scalar_subquery() if hasattr(other, "scalar_subquery") else other
            return BinaryExpression(self, sub, op)
        if isinstance(other, BindParameter) or getattr(other, "__visit_name__", None) in (
                "scalar_select", "grouping"):  # in_(select(...).scalar_subquery())
            return BinaryExpression(self, other, op)
        if isinstance(other, (str, bytes)) or not isinstance(other, Iterable):
            raise exc.ArgumentError(
                f"{op.sql} failed: expected a list of values or a SELECT; got "
                f"{type(other).__name__}. Pass a list, e.g. column.in_([1, 2])."
            )
        items = [_bind_against(self, v) for v in other]
        return BinaryExpression(self, InList(items), op)

    def between(self, lower: Any, upper: Any, symmetric: bool = False) -> ColumnElement:
        bounds = _Bounds([_bind_against(self, lower), _bind_against(self, upper)], ops.and_)
        return BinaryExpression(self, bounds, ops.between)

    # --- strings ----------------------------------------------------------------------
    def like(self, other: Any, escape: str | None = None) -> ColumnElement:
        return BinaryExpression(self, _bind_against(self, other), ops.like, escape=escape)

    def not_like(self, other: Any, escape: str | None = None) -> ColumnElement:
        return BinaryExpression(self, _bind_against(self, other), ops.not_like, escape=escape)

    notlike = not_like

    def ilike(self, other: Any, escape: str | None = None) -> ColumnElement:
        return BinaryExpression(self, _bind_against(self, other), ops.ilike, escape=escape)

    def not_ilike(self, other: Any, escape: str | None = None) -> ColumnElement:
        return BinaryExpression(self, _bind_against(self, other), ops.not_ilike, escape=escape)

    notilike = not_ilike

    def _pattern(self, other: Any, before: str, after: str, autoescape: bool,
                 escape: str | None, op: ops.Operator = ops.like) -> ColumnElement:
        if isinstance(other, str):
            if autoescape:
                esc = escape or "/"
                other = (other.replace(esc, esc + esc).replace("%", esc + "%")
                         .replace("_", esc + "_"))
                escape = esc
            pattern = _bind_against(self, before + other + after)
            return BinaryExpression(self, pattern, op, escape=escape)
        expr = coerce_expr(other)
        parts: list[ColumnElement] = []
        if before:
            parts.append(LiteralString(before))
        parts.append(expr)
        if after:
            parts.append(LiteralString(after))
        return BinaryExpression(self, Concat(parts), op, escape=escape)

    def startswith(self, other: Any, autoescape: bool = False, escape: str | None = None
                   ) -> ColumnElement:
        return self._pattern(other, "", "%", autoescape, escape)

    def endswith(self, other: Any, autoescape: bool = False, escape: str | None = None
                 ) -> ColumnElement:
        return self._pattern(other, "%", "", autoescape, escape)

    def contains(self, other: Any, autoescape: bool = False, escape: str | None = None
                 ) -> ColumnElement:
        if getattr(self.type, "_affinity", None) in ("json", "array"):  # PostgreSQL @>
            from athanor.sql._json import Containment

            return Containment(self, "@>", other)
        return self._pattern(other, "%", "%", autoescape, escape)

    # --- JSON and ARRAY (athanor.sql._json) ------------------------------------------
    def __getitem__(self, key: Any) -> ColumnElement:
        from athanor.sql._json import index

        return index(self, key)

    def __iter__(self) -> Any:
        raise TypeError(f"{type(self).__name__} objects are not iterable")

    def contained_by(self, other: Any) -> ColumnElement:
        from athanor.sql._json import Containment

        return Containment(self, "<@", other)

    def overlap(self, other: Any) -> ColumnElement:
        from athanor.sql._json import Containment

        return Containment(self, "&&", other)

    def has_key(self, key: Any) -> ColumnElement:
        from athanor.sql._json import Containment

        return Containment(self, "?", key)

    def any(self, other: Any) -> ColumnElement:
        """ARRAY: ``other = ANY (self)``."""
        item = getattr(self.type, "item_type", None)
        return BindParameter(None, other, type_=item, unique=True) == self.any_()

    def all(self, other: Any) -> ColumnElement:
        """ARRAY: ``other = ALL (self)``."""
        item = getattr(self.type, "item_type", None)
        return BindParameter(None, other, type_=item, unique=True) == self.all_()

    def concat(self, other: Any) -> ColumnElement:
        return Concat([self, _bind_against(self, other)])

    def regexp_match(self, pattern: Any, flags: str | None = None) -> ColumnElement:
        """A regular-expression match (``~`` on PostgreSQL, ``REGEXP`` elsewhere); ``flags``
        is ``"i"`` for a case-insensitive match."""
        return BinaryExpression(self, _bind_against(self, _flagged(pattern, flags)),
                                ops.regexp_match, escape=None)

    def regexp_replace(self, pattern: Any, replacement: Any,
                       flags: str | None = None) -> ColumnElement:
        """``REGEXP_REPLACE(self, pattern, replacement)`` (every match is replaced)."""
        from athanor.sql.functions import func

        args = [self, _bind_against(self, _flagged(pattern, flags)),
                _bind_against(self, replacement)]
        return func.regexp_replace(*args, type_=self.type)

    def collate(self, collation: str) -> ColumnElement:
        return Collate(self, collation)

    # --- arithmetic -------------------------------------------------------------------
    def _math(self, op: ops.Operator, other: Any, reverse: bool = False) -> ColumnElement:
        if not reverse and type(other) in _PLAIN_SCALARS:
            t = self.type
            if op is not ops.add or not is_string_type(t):
                return _scalar_binary(self, other, op, t)  # type: ignore[no-any-return]
        if isinstance(other, _NON_SCALARS):
            _check_scalar(other, f"'{op.sql}'")
        if op is ops.add and is_string_type(self.type):
            other_e = _bind_against(self, other)
            return Concat([other_e, self] if reverse else [self, other_e])
        other_e = _bind_against(self, other)
        if reverse:
            return BinaryExpression(other_e, self, op, type_=self.type)
        return BinaryExpression(self, other_e, op, type_=self.type)

    def __add__(self, o: Any) -> ColumnElement:
        return self._math(ops.add, o)

    def __radd__(self, o: Any) -> ColumnElement:
        return self._math(ops.add, o, True)

    def __sub__(self, o: Any) -> ColumnElement:
        return self._math(ops.sub, o)

    def __rsub__(self, o: Any) -> ColumnElement:
        return self._math(ops.sub, o, True)

    def __mul__(self, o: Any) -> ColumnElement:
        return self._math(ops.mul, o)

    def __rmul__(self, o: Any) -> ColumnElement:
        return self._math(ops.mul, o, True)

    def __truediv__(self, o: Any) -> ColumnElement:
        return self._math(ops.truediv, o)

    def __rtruediv__(self, o: Any) -> ColumnElement:
        return self._math(ops.truediv, o, True)

    def __floordiv__(self, o: Any) -> ColumnElement:
        return self._math(ops.floordiv, o)

    def __mod__(self, o: Any) -> ColumnElement:
        return self._math(ops.mod, o)

    def __rmod__(self, o: Any) -> ColumnElement:
        return self._math(ops.mod, o, True)

    def __neg__(self) -> ColumnElement:
        return UnaryExpression(self, operator=ops.neg, type_=self.type)

    # --- boolean ----------------------------------------------------------------------
    def __and__(self, other: Any) -> ColumnElement:
        return and_(self, other)

    def __rand__(self, other: Any) -> ColumnElement:
        return and_(other, self)

    def __or__(self, other: Any) -> ColumnElement:
        return or_(self, other)

    def __ror__(self, other: Any) -> ColumnElement:
        return or_(other, self)

    def __invert__(self) -> ColumnElement:
        return not_(self)

    def op(self, opstring: str, precedence: int = ops.P_COMPARE, is_comparison: bool = False,
           return_type: Any = None) -> Callable[[Any], ColumnElement]:
        """A custom binary operator: ``column.op('&')(5)``."""
        operator = ops.custom_op(opstring, precedence, is_comparison=is_comparison,
                                 return_type=return_type)
        return lambda other: self._custom(operator, other)

    # --- modifiers --------------------------------------------------------------------
    def desc(self) -> ColumnElement:
        return UnaryExpression(self, modifier=ops.desc)

    def asc(self) -> ColumnElement:
        return UnaryExpression(self, modifier=ops.asc)

    def nulls_first(self) -> ColumnElement:
        return UnaryExpression(self, modifier=ops.nulls_first)

    def nulls_last(self) -> ColumnElement:
        return UnaryExpression(self, modifier=ops.nulls_last)

    nullsfirst = nulls_first
    nullslast = nulls_last

    def distinct(self) -> ColumnElement:
        return UnaryExpression(self, operator=ops.distinct, type_=self.type)

    def label(self, name: str | None) -> Label:
        return Label(name, self)

    def cast(self, type_: Any) -> Cast:
        return Cast(self, type_)

    def any_(self) -> ColumnElement:
        return UnaryExpression(self, operator=ops.custom("ANY", ops.P_UNARY), grouped=True)

    def all_(self) -> ColumnElement:
        return UnaryExpression(self, operator=ops.custom("ALL", ops.P_UNARY), grouped=True)

    def self_group(self, against: ops.Operator | None = None) -> ClauseElement:
        if against is not None and self._precedence < against.precedence:
            return Grouping(self)
        return self

    # --- SELECT support ---------------------------------------------------------------
    @property
    def _proxy_root(self) -> ColumnElement:
        return self

    def _make_proxy(self, selectable: FromClause, name: str) -> ColumnClause:
        """The column a subquery/alias exports for this expression."""
        col = ColumnClause(name, self.type)
        col.table = selectable
        col._proxied = self
        col.key = name
        return col


class ColumnClause(ColumnElement):
    """A named column, optionally belonging to a table (``column('x')``, ``table.c.x``).

    The schema layer's ``Column`` subclasses this class.
    """

    __visit_name__ = "column"
    name: str
    key: str
    is_literal: bool = False
    _proxied: ColumnElement | None = None
    primary_key: bool = False
    foreign_keys: Any = frozenset()

    def __init__(self, name: str, type_: Any = None, *, is_literal: bool = False,
                 _selectable: FromClause | None = None) -> None:
        self.name = name
        self.key = name
        self._type = type_() if isinstance(type_, type) else type_  # column("x", Integer)
        self.table: FromClause | None = _selectable
        self.is_literal = is_literal

    @property  # type: ignore[override]
    def type(self) -> Any:
        t = self.__dict__.get("_type")
        return null_type() if t is None else t

    @type.setter
    def type(self, value: Any) -> None:
        self.__dict__["_type"] = value

    @property
    def _label_name(self) -> str | None:  # type: ignore[override]
        return self.name

    def _ck(self, st: _KeyState) -> Any:
        d = self.__dict__
        table = self.table
        t = d.get("_type")
        memo = d.get("_ck_col")
        # A column of a plain table: its key depends only on the name, the table and the
        # type, so it is kept and reused while those are the same objects.
        if memo is not None and memo[0] is table and memo[1] is t and memo[2] is self.name:
            return memo[3]
        if t is None:
            t = self.type  # a subclass may derive it (a Column with a ForeignKey)
        key = ("col", self.name, self.is_literal,
               table._ck(st) if table is not None else None, type_key(t))
        if table is not None and d.get("_type") is not None and type(table)._ck is _TABLE_CK:
            d["_ck_col"] = (table, t, self.name, key)
        return key

    @property
    def _from_objects(self) -> list[FromClause]:
        t = self.table
        return [t] if t is not None else []

    @property
    def _proxy_root(self) -> ColumnElement:
        p = self._proxied
        return self if p is None else p._proxy_root

    def __repr__(self) -> str:
        t = self.table
        tname = getattr(t, "name", None)
        return f"<{type(self).__name__} {tname + '.' if tname else ''}{self.name}>"


class BindParameter(ColumnElement):
    """A value sent separately from the SQL text (``?`` / ``%s`` / ``:name``)."""

    __visit_name__ = "bindparam"
    key: str

    def __init__(self, key: str | None, value: Any = None, type_: Any = None, *,
                 unique: bool = False, required: Any = None, callable_: Any = None,
                 expanding: bool = False, literal_execute: bool = False) -> None:
        self.key = key or "param"
        self.unique = unique or key is None
        self.value = value
        self.callable = callable_
        # A named, non-unique bind with no value must get one at execution; callers that
        # mean NULL (insert().values(name=None), bindparams(x=None)) pass required=False.
        if required is None:
            required = value is None and callable_ is None and not unique and key is not None
        self.required = bool(required)
        if type_ is None and value is not None:
            type_ = type_for_value(value)
        self._type = type_
        self.expanding = expanding

    @property
    def type(self) -> Any:
        t = self._type
        return null_type() if t is None else t

    def effective_value(self) -> Any:
        if self.callable is not None:
            return self.callable()
        return self.value

    def _with_value(self, value: Any) -> BindParameter:
        new = BindParameter.__new__(BindParameter)
        new.__dict__.update(self.__dict__)
        new.value = value
        new.required = False
        return new

    def _ck(self, st: _KeyState) -> Any:
        seen = st.seen  # st.anon(self), inlined: one call less per bind
        n = seen.get(id(self))
        if n is not None:
            return ("ref", n)
        seen[id(self)] = len(seen)
        st.keep.append(self)
        st.binds.append(self)
        t = self._type
        if t is None:
            return ("bind", self.key if not self.unique else None, self.required, None)
        # type_key(t), its memo read inline (set once the type's key was first built)
        tk = getattr(t, "__dict__", _NO_DICT).get("_ck_memo")
        return ("bind", self.key if not self.unique else None, self.required,
                tk if tk is not None else type_key(t))

    def __repr__(self) -> str:
        return f"<BindParameter {self.key!r}>"


class TextClause(ClauseElement, Executable):
    """Raw SQL text with ``:name`` parameters: the only way raw SQL enters a statement."""

    __visit_name__ = "textclause"
    _bind_re = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")
    _is_select = False
    _precedence = ops.P_ATOM

    def __init__(self, text: str) -> None:
        self.text = text
        self._binds: dict[str, BindParameter] = {}
        for name in self._bind_re.findall(text):
            if name not in self._binds:
                self._binds[name] = BindParameter(name, required=True)
        self._columns: list[ColumnClause] = []

    def bindparams(self, *binds: BindParameter, **values: Any) -> TextClause:
        new = self._copy()
        for b in binds:
            self._check_name(b.key)
            new._binds[b.key] = b
        for name, value in values.items():
            self._check_name(name)
            existing = new._binds[name]
            new._binds[name] = BindParameter(name, value, type_=existing._type,
                                             required=False)
        return new

    def _check_name(self, name: str) -> None:
        if name not in self._binds:
            raise exc.ArgumentError(
                f"text().bindparams() failed: the text has no parameter {name!r}; it has "
                f"{', '.join(self._binds) or 'none'}. Name parameters as :name in the text."
            )

    def columns(self, *cols: Any, **typed: Any) -> Any:
        """Declare the result columns (``text(...).columns(column('x', Integer))``): a
        :class:`~athanor.sql.selectable.TextualSelect`, usable as a subquery or CTE."""
        from athanor.sql.selectable import TextualSelect

        new = self._copy()
        cols = tuple(c.__clause_element__() if not isinstance(c, (str, ColumnClause))
                     and hasattr(c, "__clause_element__") else c for c in cols)  # Model.attr
        new.__class__ = TextualSelect
        new._columns = [c if isinstance(c, ColumnClause) else ColumnClause(c) for c in cols]
        new._columns += [ColumnClause(k, t) for k, t in typed.items()]
        new._is_select = True  # type: ignore[misc]
        return new

    def _copy(self) -> TextClause:
        new = type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.__dict__.pop("_ck_memo", None)
        new._binds = dict(self._binds)
        return new

    def _ck(self, st: _KeyState) -> Any:
        return ("text", self.text, tuple(b._ck(st) for b in self._binds.values()),
                tuple(c._ck(st) for c in self._columns))

    def self_group(self, against: ops.Operator | None = None) -> ClauseElement:
        if against is not None and against.precedence > ops.P_LOWEST:
            return Grouping(self)  # type: ignore[arg-type]
        return self

    # A text() used in where() behaves like a boolean column expression.
    def __and__(self, other: Any) -> ColumnElement:
        return and_(self, other)

    def __or__(self, other: Any) -> ColumnElement:
        return or_(self, other)

    @property
    def type(self) -> Any:
        return null_type()

    def subquery(self, name: str | None = None) -> Any:
        from athanor.sql.selectable import TextualSubquery
        return TextualSubquery(self, name)


class LiteralString(ColumnElement):
    """A constant string that the compiler renders as a bind (used by contains() & co)."""

    __visit_name__ = "literal_string"

    def __init__(self, value: str) -> None:
        self.value = value

    def _ck(self, st: _KeyState) -> Any:
        return ("lit", self.value)


class Null(ColumnElement):
    __visit_name__ = "null"

    def _ck(self, st: _KeyState) -> Any:
        return ("null",)


class True_(ColumnElement):
    __visit_name__ = "true"

    @property
    def type(self) -> Any:
        return boolean_type()

    def _ck(self, st: _KeyState) -> Any:
        return ("true",)


class False_(ColumnElement):
    __visit_name__ = "false"

    @property
    def type(self) -> Any:
        return boolean_type()

    def _ck(self, st: _KeyState) -> Any:
        return ("false",)


def _instance(type_: Any) -> Any:
    return type_() if isinstance(type_, type) else type_


# The nodes and factories below live in their own modules (operator nodes, derived
# expressions, public constructors) but stay importable from here; imported last because
# they build on the classes above (the methods above use them only when called).
from athanor.sql._composite import (  # noqa: E402
    BinaryExpression,
    BooleanClauseList,
    ClauseList,
    ColumnGroup,
    Grouping,
    InList,
    UnaryExpression,
    _Bounds,
)
from athanor.sql._constructors import *  # noqa: E402, F403 - listed in its __all__
from athanor.sql._constructors import NameReference, _order_target, and_, not_, or_  # noqa: E402
from athanor.sql._constructors import __all__ as _constructor_names  # noqa: E402
from athanor.sql._derived import (  # noqa: E402
    Cast,
    Collate,
    Concat,
    Label,
    TryCast,
    TypeCoerce,
)

__all__ = [
    "BinaryExpression", "BindParameter", "BooleanClauseList", "Cast", "ClauseElement",
    "ClauseList", "Collate", "ColumnClause", "ColumnGroup", "ColumnElement", "Concat", "False_",
    "Grouping", "NameReference",
    "InList", "Label", "LiteralString", "Null", "TextClause", "True_", "TryCast", "TypeCoerce",
    "UnaryExpression", "_order_target", "coerce_expr", "coerce_where", *_constructor_names,
]
