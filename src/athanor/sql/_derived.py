"""Expressions derived from one other expression: labels, casts, type coercion, collation
and string concatenation.

Each keeps the expression it wraps and answers ``type`` / ``_label_name`` /
``_from_objects`` from it, so a wrapped column still names itself and still pulls its table
into the FROM list. Importable from :mod:`athanor.sql.elements` as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from athanor.sql import operators as ops
from athanor.sql._typing_bridge import is_string_type, type_key
from athanor.sql.elements import (
    BindParameter,
    ClauseElement,
    ColumnElement,
    _instance,
    _KeyState,
    coerce_expr,
)

if TYPE_CHECKING:
    from athanor.sql.selectable import FromClause


class Concat(ColumnElement):
    """String concatenation; spelled ``a || b`` or ``concat(a, b)`` by dialect."""

    __visit_name__ = "concat"
    _precedence = ops.P_CONCAT

    def __init__(self, parts: Sequence[ColumnElement]) -> None:
        flat: list[ColumnElement] = []
        for p in parts:
            if isinstance(p, Concat):
                flat.extend(p.parts)
            else:
                flat.append(p)
        self.parts: list[Any] = [p.self_group(against=ops.concat) for p in flat]

    @property
    def type(self) -> Any:
        for p in self.parts:
            if is_string_type(p.type):
                return p.type
        return self.parts[0].type

    def _ck(self, st: _KeyState) -> Any:
        return ("concat", tuple(p._ck(st) for p in self.parts))

    @property
    def _from_objects(self) -> list[FromClause]:
        return [f for p in self.parts for f in p._from_objects]


class Collate(ColumnElement):
    __visit_name__ = "collate"
    _precedence = ops.P_COLLATE

    def __init__(self, element: ColumnElement, collation: str) -> None:
        self.element = element.self_group(against=ops.collate)
        self.collation = collation

    @property
    def type(self) -> Any:
        return self.element.type

    def _ck(self, st: _KeyState) -> Any:
        return ("collate", self.collation, self.element._ck(st))

    @property
    def _from_objects(self) -> list[FromClause]:
        return self.element._from_objects


class Label(ColumnElement):
    """``expr AS name``."""

    __visit_name__ = "label"

    def __init__(self, name: str | None, element: Any, type_: Any = None) -> None:
        self.element = coerce_expr(element)
        self.name = name
        self.key = name
        self._type = type_

    @property
    def _label_name(self) -> str | None:  # type: ignore[override]
        return self.name

    @property
    def type(self) -> Any:
        return self._type if self._type is not None else self.element.type

    def _ck(self, st: _KeyState) -> Any:
        if self.name is None:
            ref = st.anon(self)
            if ref is not None:
                return ref
        return ("label", self.name, self.element._ck(st))

    @property
    def _from_objects(self) -> list[FromClause]:
        return self.element._from_objects

    def self_group(self, against: ops.Operator | None = None) -> ClauseElement:
        return self


class Cast(ColumnElement):
    __visit_name__ = "cast"

    def __init__(self, expression: Any, type_: Any) -> None:
        self.type_ = _instance(type_)
        if not isinstance(expression, ClauseElement) and not hasattr(
                expression, "__clause_element__"):
            expression = BindParameter(None, expression, type_=self.type_, unique=True)
        self.clause = coerce_expr(expression)

    @property
    def type(self) -> Any:
        return self.type_

    @property
    def _label_name(self) -> str | None:  # type: ignore[override]
        return getattr(self.clause, "_label_name", None)

    def _ck(self, st: _KeyState) -> Any:
        return ("cast", type_key(self.type_), self.clause._ck(st))

    @property
    def _from_objects(self) -> list[FromClause]:
        return self.clause._from_objects


class TryCast(Cast):
    """``TRY_CAST(expr AS type)``: NULL where the value does not convert (SQL Server's);
    none of athanor's databases has it, so compiling it raises a clear error."""

    __visit_name__ = "try_cast"

    def _ck(self, st: _KeyState) -> Any:
        return ("try_cast", type_key(self.type_), self.clause._ck(st))


class TypeCoerce(ColumnElement):
    """Changes the Python-side type of an expression without rendering a CAST."""

    __visit_name__ = "type_coerce"

    def __init__(self, expression: Any, type_: Any) -> None:
        self.type_ = _instance(type_)
        if not isinstance(expression, ClauseElement):
            expression = BindParameter(None, expression, type_=self.type_, unique=True)
        self.clause = coerce_expr(expression)

    @property
    def type(self) -> Any:
        return self.type_

    @property
    def _label_name(self) -> str | None:  # type: ignore[override]
        return getattr(self.clause, "_label_name", None)

    def _ck(self, st: _KeyState) -> Any:
        return ("coerce", type_key(self.type_), self.clause._ck(st))

    @property
    def _from_objects(self) -> list[FromClause]:
        return self.clause._from_objects
