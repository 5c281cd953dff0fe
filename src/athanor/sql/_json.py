"""Indexing JSON and ARRAY expressions: ``doc["a"][0]``, ``.as_integer()``, ``.astext``,
``tags[1]``, ``tags.any("x")``, ``tags.contains([...])``, ``doc.has_key("k")``.

A JSON index is one :class:`JSONPath` node holding the column, the whole key path and how
the value is read back (``mode``: None for JSON, or text/integer/float/boolean); each
dialect's compiler renders it (``->``/``->>`` on PostgreSQL, ``JSON_EXTRACT`` elsewhere),
with the path sent as a bound parameter. ``ColumnElement.__getitem__`` comes here by the
column type's affinity.
"""

from __future__ import annotations

import json
from typing import Any

import athanor.exc as exc
from athanor.sql.elements import BindParameter, ColumnElement, _KeyState, coerce_expr
from athanor.sql.sqltypes import Boolean, Float, Integer, String
from athanor.sql.structtypes import JSON

_MODE_TYPES = {"text": String, "integer": Integer, "float": Float, "boolean": Boolean}


class JSONPath(ColumnElement):
    """``expr[key][key]...`` on a JSON column, read as JSON or as a scalar."""

    __visit_name__ = "json_path"

    def __init__(self, expr: ColumnElement, path: tuple[Any, ...], mode: str | None = None
                 ) -> None:
        for key in path:
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise exc.ArgumentError(
                    f"Indexing a JSON expression failed: got key {key!r}. Use strings for "
                    "object keys and integers for array positions.")
        self.expr = expr
        self.path = path
        self.mode = mode

    @property
    def type(self) -> Any:
        factory = _MODE_TYPES.get(self.mode or "")
        return factory() if factory is not None else JSON()

    def __getitem__(self, key: Any) -> JSONPath:
        keys = key if isinstance(key, tuple) else (key,)
        return JSONPath(self.expr, self.path + keys, self.mode)

    def _as(self, mode: str | None) -> JSONPath:
        return JSONPath(self.expr, self.path, mode)

    def as_string(self) -> JSONPath:
        return self._as("text")

    def as_integer(self) -> JSONPath:
        return self._as("integer")

    def as_float(self) -> JSONPath:
        return self._as("float")

    def as_boolean(self) -> JSONPath:
        return self._as("boolean")

    def as_json(self) -> JSONPath:
        return self._as(None)

    @property
    def astext(self) -> JSONPath:
        """PostgreSQL's ``->>``: the value as text."""
        return self._as("text")

    def _ck(self, st: _KeyState) -> Any:
        return ("json_path", self.expr._ck(st), self.path, self.mode)

    @property
    def _from_objects(self) -> list[Any]:
        return self.expr._from_objects

    def get_children(self) -> Any:
        return (self.expr,)


class ArrayIndex(ColumnElement):
    """``array_expr[index]`` (PostgreSQL arrays are 1-based)."""

    __visit_name__ = "array_index"

    def __init__(self, expr: ColumnElement, index: Any) -> None:
        self.expr = expr
        self.index = coerce_expr(index)

    @property
    def type(self) -> Any:
        return self.expr.type.item_type

    def _ck(self, st: _KeyState) -> Any:
        return ("array_index", self.expr._ck(st), self.index._ck(st))

    @property
    def _from_objects(self) -> list[Any]:
        return self.expr._from_objects

    def get_children(self) -> Any:
        return (self.expr, self.index)


class Containment(ColumnElement):
    """PostgreSQL ``a @> b`` / ``a <@ b`` / ``a && b`` / ``a ? key`` on arrays and JSONB."""

    __visit_name__ = "containment"

    def __init__(self, expr: ColumnElement, op: str, other: Any) -> None:
        self.expr = expr
        self.operator_sql = op
        if op == "?":
            self.other: ColumnElement = coerce_expr(other)
        elif isinstance(other, ColumnElement):
            self.other = other
        else:
            value = json.dumps(other) if expr.type._affinity == "json" else list(other)
            self.other = BindParameter(None, value, unique=True)
        self.cast_other = op != "?" and not isinstance(other, ColumnElement)

    @property
    def type(self) -> Any:
        return Boolean()

    def _ck(self, st: _KeyState) -> Any:
        return ("containment", self.expr._ck(st), self.operator_sql, self.other._ck(st))

    @property
    def _from_objects(self) -> list[Any]:
        return self.expr._from_objects + self.other._from_objects

    def get_children(self) -> Any:
        return (self.expr, self.other)


def index(expr: ColumnElement, key: Any) -> ColumnElement:
    """``expr[key]`` for a JSON or ARRAY expression."""
    affinity = getattr(expr.type, "_affinity", None)
    if affinity == "json":
        return JSONPath(expr, key if isinstance(key, tuple) else (key,))
    if affinity == "array":
        return ArrayIndex(expr, key)
    raise exc.ArgumentError(
        f"Indexing failed: {expr.type!r} values cannot be indexed; only JSON and ARRAY "
        "columns can. Use func.substr() for strings.")


def path_string(path: tuple[Any, ...]) -> str:
    """The ``$."a"[0]`` path ``JSON_EXTRACT`` takes."""
    out = "$"
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            out += '."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return out


__all__ = ["ArrayIndex", "Containment", "JSONPath", "index", "path_string"]
