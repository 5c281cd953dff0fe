"""SQL functions (``func.<name>(...)``) and function-like constructs: CASE, OVER, EXTRACT,
tuples.

``func`` is a namespace object: any attribute becomes a :class:`Function` builder, dotted
attributes give package-qualified names (``func.pg_catalog.now()``). A few well-known
functions carry a return type (``count`` is an Integer, ``now`` a DateTime) so results are
processed correctly; the others take the type of their first argument. Dialects rename a
few functions whose spelling differs (``now()`` on SQLite) in their compiler.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import athanor.exc as exc
from athanor.sql import operators as ops
from athanor.sql._roles import Executable
from athanor.sql._typing_bridge import _named, integer_type, null_type
from athanor.sql.elements import (
    BinaryExpression,
    ClauseElement,
    ClauseList,
    ColumnElement,
    InList,
    _KeyState,
    coerce_expr,
    coerce_where,
)

_TYPED = {
    "count": "Integer", "char_length": "Integer", "length": "Integer", "row_number": "Integer",
    "rank": "Integer", "dense_rank": "Integer", "now": "DateTime",
    "current_timestamp": "DateTime", "localtimestamp": "DateTime", "current_date": "Date",
    "current_time": "Time", "lower": "String", "upper": "String", "concat": "String",
    "random": "Float",
}
#: SQL-standard functions written without parentheses.
NO_PARENS = frozenset({"current_timestamp", "current_date", "current_time", "localtime",
                       "localtimestamp", "current_user", "session_user", "user"})


class Function(ColumnElement, Executable):
    """``name(arg, ...)``."""

    __visit_name__ = "function"

    def __init__(self, name: str, *args: Any, type_: Any = None,
                 packagenames: tuple[str, ...] = ()) -> None:
        self.name = name
        self.packagenames = packagenames
        self.clauses = ClauseList([coerce_expr(a) for a in args])
        self._type = type_
        self.filter_clause: ColumnElement | None = None

    @property
    def _label_name(self) -> str | None:  # type: ignore[override]
        return self.name

    @property
    def type(self) -> Any:
        if self._type is not None:
            return self._type
        named = _TYPED.get(self.name.lower())
        if named is not None:
            t = _named(named)
            if not getattr(t, "_is_null_type", False) or named == "Integer":
                return t
        if self.clauses.clauses:
            return getattr(self.clauses.clauses[0], "type", null_type())
        return null_type()

    def _ck(self, st: _KeyState) -> Any:
        return ("fn", self.packagenames, self.name, self.clauses._ck(st),
                self.filter_clause._ck(st) if self.filter_clause is not None else None)

    @property
    def _from_objects(self) -> list[Any]:
        out = self.clauses._from_objects
        if self.filter_clause is not None:
            out = out + self.filter_clause._from_objects
        return out

    def over(self, partition_by: Any = None, order_by: Any = None, rows: Any = None,
             range_: Any = None) -> Over:
        return Over(self, partition_by=partition_by, order_by=order_by, rows=rows,
                    range_=range_)

    def filter(self, *criteria: Any) -> FunctionFilter:
        """``fn(...) FILTER (WHERE criteria)`` (emulated with CASE on MySQL)."""
        new = FunctionFilter.__new__(FunctionFilter)
        new.__dict__.update(self.__dict__)
        new.__dict__.pop("_ck_memo", None)
        new.filter_clause = _and_criteria(criteria, self.filter_clause)
        return new

    def within_group(self, *order_by: Any) -> WithinGroup:
        """``fn(...) WITHIN GROUP (ORDER BY ...)``, for ordered-set aggregates."""
        return WithinGroup(self, *order_by)

    def alias(self, name: str | None = None) -> Any:
        raise exc.ArgumentError(
            f"func.{self.name}().alias() failed: table-valued functions are not supported. "
            "Use the function as a column expression.")


FunctionElement = Function  # SQLAlchemy's name for the base of function calls


class FunctionFilter(Function):
    """A function call with a ``FILTER (WHERE ...)`` clause (``func.count().filter(...)``)."""


def _and_criteria(criteria: tuple[Any, ...], existing: ColumnElement | None) -> ColumnElement:
    from athanor.sql.elements import and_

    crit = [coerce_where(c) for c in criteria]
    return and_(existing, *crit) if existing is not None else and_(*crit)


#: Ordered-set aggregates whose result has the type of the ORDER BY expression.
_TYPED_BY_ORDER = frozenset({"percentile_cont", "percentile_disc", "mode"})


class WithinGroup(ColumnElement):
    """``fn(...) WITHIN GROUP (ORDER BY ...)``, optionally with FILTER and OVER."""

    __visit_name__ = "within_group"

    def __init__(self, element: Function, *order_by: Any) -> None:
        if not isinstance(element, Function):
            raise exc.ArgumentError(
                f"within_group() failed: expected a function call such as "
                f"func.percentile_cont(0.5); got {type(element).__name__}.")
        self.element = element
        self.order_by = _as_list(list(order_by))
        self.filter_clause: ColumnElement | None = None

    @property
    def type(self) -> Any:
        if self.element.name.lower() in _TYPED_BY_ORDER and self.order_by:
            return self.order_by[0].type
        return self.element.type

    @property
    def _label_name(self) -> str | None:  # type: ignore[override]
        return self.element._label_name

    def _ck(self, st: _KeyState) -> Any:
        return ("wg", self.element._ck(st), tuple(o._ck(st) for o in self.order_by),
                self.filter_clause._ck(st) if self.filter_clause is not None else None)

    @property
    def _from_objects(self) -> list[Any]:
        out = list(self.element._from_objects)
        for o in self.order_by:
            out += o._from_objects
        if self.filter_clause is not None:
            out += self.filter_clause._from_objects
        return out

    def filter(self, *criteria: Any) -> WithinGroup:
        new = WithinGroup.__new__(WithinGroup)
        new.__dict__.update(self.__dict__)
        new.__dict__.pop("_ck_memo", None)
        new.filter_clause = _and_criteria(criteria, self.filter_clause)
        return new

    def over(self, partition_by: Any = None, order_by: Any = None, rows: Any = None,
             range_: Any = None) -> Over:
        return Over(self, partition_by=partition_by, order_by=order_by, rows=rows,
                    range_=range_)


def funcfilter(fn: Function, *criterion: Any) -> FunctionFilter:
    """``fn FILTER (WHERE criterion)``: the function form of ``fn.filter(...)``."""
    return fn.filter(*criterion)


def within_group(element: Function, *order_by: Any) -> WithinGroup:
    """``element WITHIN GROUP (ORDER BY order_by)``: the function form of
    ``element.within_group(...)``."""
    return WithinGroup(element, *order_by)


class _FunctionGenerator:
    """``func``: attribute access builds a function call."""

    def __init__(self, packagenames: tuple[str, ...] = ()) -> None:
        self._packagenames = packagenames

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        name = name.rstrip("_") if name.endswith("_") else name
        return _FunctionBuilder(self._packagenames, name)


class _FunctionBuilder:
    __slots__ = ("_packagenames", "_name")

    def __init__(self, packagenames: tuple[str, ...], name: str) -> None:
        self._packagenames = packagenames
        self._name = name

    def __call__(self, *args: Any, type_: Any = None, **kw: Any) -> Function:
        if isinstance(type_, type):
            type_ = type_()
        return Function(self._name, *args, type_=type_, packagenames=self._packagenames)

    def __getattr__(self, name: str) -> _FunctionBuilder:
        if name.startswith("__"):
            raise AttributeError(name)
        return _FunctionBuilder(self._packagenames + (self._name,), name)


func = _FunctionGenerator()


class Case(ColumnElement):
    """``CASE WHEN cond THEN value ... ELSE value END`` (or ``CASE value WHEN ...``)."""

    __visit_name__ = "case"

    def __init__(self, *whens_: Any, value: Any = None, else_: Any = None) -> None:
        whens: Any = whens_
        if len(whens) == 1 and isinstance(whens[0], (list, Mapping)):
            whens = whens[0] if isinstance(whens[0], list) else tuple(whens[0].items())
        if isinstance(whens, Mapping):
            whens = tuple(whens.items())
        if not whens:
            raise exc.ArgumentError(
                "case() failed: no WHEN clauses given. Pass (condition, value) tuples, e.g. "
                "case((t.c.x > 5, 'big'), else_='small').")
        self.value = coerce_expr(value) if value is not None else None
        pairs = []
        for item in whens:
            if not isinstance(item, tuple) or len(item) != 2:
                raise exc.ArgumentError(
                    f"case() failed: each WHEN must be a (condition, value) tuple; got "
                    f"{type(item).__name__}.")
            cond, result = item
            c = coerce_expr(cond) if self.value is not None else coerce_where(cond)
            pairs.append((c, coerce_expr(result)))
        self.whens = pairs
        self.else_ = coerce_expr(else_) if else_ is not None else None

    @property
    def type(self) -> Any:
        for _, r in self.whens:
            t = r.type
            if not getattr(t, "_is_null_type", False):
                return t
        return self.else_.type if self.else_ is not None else null_type()

    def _ck(self, st: _KeyState) -> Any:
        return ("case", self.value._ck(st) if self.value is not None else None,
                tuple((c._ck(st), r._ck(st)) for c, r in self.whens),
                self.else_._ck(st) if self.else_ is not None else None)

    @property
    def _from_objects(self) -> list[Any]:
        out = list(self.value._from_objects) if self.value is not None else []
        for c, r in self.whens:
            out += c._from_objects + r._from_objects
        if self.else_ is not None:
            out += self.else_._from_objects
        return out


class Over(ColumnElement):
    """``fn(...) OVER (PARTITION BY ... ORDER BY ... ROWS ...)``."""

    __visit_name__ = "over"

    def __init__(self, element: Any, partition_by: Any = None, order_by: Any = None,
                 rows: Any = None, range_: Any = None) -> None:
        self.element = coerce_expr(element)
        self.partition_by = _as_list(partition_by)
        self.order_by = _as_list(order_by)
        self.rows = rows
        self.range_ = range_

    @property
    def type(self) -> Any:
        return self.element.type

    @property
    def _label_name(self) -> str | None:  # type: ignore[override]
        return self.element._label_name

    def _ck(self, st: _KeyState) -> Any:
        return ("over", self.element._ck(st), tuple(p._ck(st) for p in self.partition_by),
                tuple(o._ck(st) for o in self.order_by), self.rows, self.range_)

    @property
    def _from_objects(self) -> list[Any]:
        out = list(self.element._from_objects)
        for e in (*self.partition_by, *self.order_by):
            out += e._from_objects
        return out


def _as_list(v: Any) -> list[ColumnElement]:
    if v is None:
        return []
    if isinstance(v, (list, tuple)):
        return [coerce_expr(x) for x in v]
    return [coerce_expr(v)]


class Extract(ColumnElement):
    """``EXTRACT(field FROM expr)``."""

    __visit_name__ = "extract"

    def __init__(self, field: str, expr: Any) -> None:
        self.field = field.lower()
        self.expr = coerce_expr(expr)

    @property
    def type(self) -> Any:
        return integer_type()

    def _ck(self, st: _KeyState) -> Any:
        return ("extract", self.field, self.expr._ck(st))

    @property
    def _from_objects(self) -> list[Any]:
        return self.expr._from_objects


class Tuple(ClauseList):
    """``(a, b)``: a row value, comparable with ``in_()``."""

    __visit_name__ = "tuple"

    def __init__(self, *clauses: Any) -> None:
        super().__init__([coerce_expr(c) for c in clauses], ops.comma, group=False)

    def self_group(self, against: ops.Operator | None = None) -> ClauseElement:
        return self

    def _in(self, other: Any, op: ops.Operator) -> ColumnElement:
        if getattr(other, "_is_select", False):
            return BinaryExpression(self, other.scalar_subquery(), op)
        rows = []
        for row in other:
            if len(row) != len(self.clauses):
                raise exc.ArgumentError(
                    f"tuple_().in_() failed: a row has {len(row)} values, the tuple has "
                    f"{len(self.clauses)} columns. Give each row one value per column.")
            rows.append(Tuple(*[c._bind_value(v) if hasattr(c, "_bind_value") else
                                _bind(c, v) for c, v in zip(self.clauses, row, strict=True)]))
        return BinaryExpression(self, InList(rows), op)


def _bind(col: Any, value: Any) -> ColumnElement:
    from athanor.sql.elements import _bind_against
    return _bind_against(col, value)


def case(*whens: Any, value: Any = None, else_: Any = None) -> Case:
    return Case(*whens, value=value, else_=else_)


def over(element: Any, partition_by: Any = None, order_by: Any = None, rows: Any = None,
         range_: Any = None) -> Over:
    return Over(element, partition_by, order_by, rows, range_)


def extract(field: str, expr: Any) -> Extract:
    return Extract(field, expr)


def tuple_(*clauses: Any) -> Tuple:
    return Tuple(*clauses)
