"""How expressions reach the type system (owned by the schema/types side of the SQL layer).

Expressions need a few things from :mod:`athanor.sql.types`: the null, boolean and integer
types, ``type_for_value()`` for untyped literals, and "is this a string type?" to turn ``+``
into concatenation. They are looked up lazily so that ``types`` may import expression classes
itself without an import cycle.

``type_key(t)`` gives a type's contribution to a statement cache key: the class plus its
(frozen) attributes, memoised on the instance. A type may instead define
``_static_cache_key``.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType
from typing import Any

_MEMO = "_athanor_type_key"


@cache
def _types() -> ModuleType | None:
    try:
        from athanor.sql import types
    except ImportError:  # the types module is being built by its owner
        return None
    return types


class _FallbackType:
    """Stands in for a type while ``athanor.sql.types`` lacks one (pass-through processing)."""

    _is_null_type = True

    def bind_processor(self, dialect: Any) -> None:
        return None

    def result_processor(self, dialect: Any, coltype: Any) -> None:
        return None


_FALLBACK = _FallbackType()


@cache
def _named(name: str) -> Any:
    mod = _types()
    cls = getattr(mod, name, None) if mod is not None else None
    return cls() if cls is not None else _FALLBACK


def null_type() -> Any:
    return _named("NullType")


def boolean_type() -> Any:
    return _named("Boolean")


def integer_type() -> Any:
    return _named("Integer")


def type_for_value(value: Any) -> Any:
    mod = _types()
    fn = getattr(mod, "type_for_value", None) if mod is not None else None
    return fn(value) if fn is not None else None


def is_string_type(t: Any) -> bool:
    mod = _types()
    string = getattr(mod, "String", None) if mod is not None else None
    if string is None:
        return False
    impl = getattr(t, "impl", None)
    return isinstance(t, string) or (impl is not None and isinstance(impl, string))


def _freeze(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if hasattr(value, "bind_processor"):
        return type_key(value)
    return value


_NO_DICT: dict[str, Any] = {}


def type_key(t: Any) -> Any:
    """The cache-key part for a type instance (class + attributes)."""
    if t is None:
        return None
    memo = getattr(t, "__dict__", _NO_DICT).get("_ck_memo")  # _static_cache_key's memo
    if memo is not None:
        return memo
    static = getattr(t, "_static_cache_key", None)
    if static is not None:
        return static
    d = getattr(t, "__dict__", None)
    if d is None:
        return (t.__class__, id(t))
    key = d.get(_MEMO)
    if key is None:
        items = tuple(sorted((k, _freeze(v)) for k, v in d.items() if k != _MEMO))
        key = (t.__class__, items)
        try:
            hash(key)
        except TypeError:
            key = (t.__class__, id(t))
        d[_MEMO] = key
    return key
