"""``hybrid_property`` / ``hybrid_method``: one definition for instances and for SQL.

Design
------
A hybrid is a descriptor holding the user's functions. Read from an instance it calls
``fget(instance)`` (plain Python); read from the class it calls the ``expression``
function (``fget`` itself unless one was given) with the class, so the same body built
from mapped attributes yields a SQL expression (``User.fullname == 'x'``). ``setter``,
``deleter``, ``expression`` and ``update_expression`` return a copy with that function
replaced, mirroring ``property``'s decorator chain; nothing is evaluated per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class hybrid_property:  # noqa: N801 - SQLAlchemy's public name
    """A property that also works at class level, as a SQL expression."""

    is_attribute = True

    def __init__(self, fget: Callable[[Any], Any], fset: Callable[[Any, Any], None] | None = None,
                 fdel: Callable[[Any], None] | None = None,
                 expr: Callable[[Any], Any] | None = None,
                 update_expr: Callable[[Any, Any], Any] | None = None,
                 custom_comparator: Callable[[Any], Any] | None = None) -> None:
        self.fget = fget
        self.fset = fset
        self.fdel = fdel
        self.expr = expr
        self.update_expr = update_expr
        self.custom_comparator = custom_comparator
        self.__doc__ = fget.__doc__
        self.__name__ = fget.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.__name__ = name

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            if self.custom_comparator is not None:
                return self.custom_comparator(owner)
            return (self.expr or self.fget)(owner)
        return self.fget(instance)

    def __set__(self, instance: Any, value: Any) -> None:
        if self.fset is None:
            raise AttributeError(
                f"Setting hybrid property {self.__name__!r} failed: it has no setter. Add one "
                f"with @{self.__name__}.setter."
            )
        self.fset(instance, value)

    def __delete__(self, instance: Any) -> None:
        if self.fdel is None:
            raise AttributeError(
                f"Deleting hybrid property {self.__name__!r} failed: it has no deleter. Add "
                f"one with @{self.__name__}.deleter."
            )
        self.fdel(instance)

    def _copy(self, **kw: Any) -> hybrid_property:
        args = {"fget": self.fget, "fset": self.fset, "fdel": self.fdel, "expr": self.expr,
                "update_expr": self.update_expr, "custom_comparator": self.custom_comparator,
                **kw}
        new = type(self)(**args)
        new.__name__ = self.__name__
        return new

    def getter(self, fget: Callable[[Any], Any]) -> hybrid_property:
        return self._copy(fget=fget)

    def setter(self, fset: Callable[[Any, Any], None]) -> hybrid_property:
        return self._copy(fset=fset)

    def deleter(self, fdel: Callable[[Any], None]) -> hybrid_property:
        return self._copy(fdel=fdel)

    def expression(self, expr: Callable[[Any], Any]) -> hybrid_property:
        return self._copy(expr=getattr(expr, "__func__", expr))

    def update_expression(self, fn: Callable[[Any, Any], Any]) -> hybrid_property:
        return self._copy(update_expr=fn)

    def comparator(self, fn: Callable[[Any], Any]) -> hybrid_property:
        """Class-level access returns ``fn(cls)``, a :class:`Comparator` (custom operators)."""
        return self._copy(custom_comparator=getattr(fn, "__func__", fn))

    @property
    def inplace(self) -> _InPlace:
        """``@x.inplace.setter`` & co: change this hybrid instead of returning a copy."""
        return _InPlace(self)

    @property
    def overrides(self) -> hybrid_property:
        return self


class _InPlace:
    """The ``inplace`` accessor: each decorator updates the hybrid and returns it."""

    def __init__(self, hybrid: hybrid_property) -> None:
        self._h = hybrid

    def _set(self, attr: str, fn: Any) -> hybrid_property:
        setattr(self._h, attr, getattr(fn, "__func__", fn))
        return self._h

    def getter(self, fn: Any) -> hybrid_property:
        return self._set("fget", fn)

    def setter(self, fn: Any) -> hybrid_property:
        return self._set("fset", fn)

    def deleter(self, fn: Any) -> hybrid_property:
        return self._set("fdel", fn)

    def expression(self, fn: Any) -> hybrid_property:
        return self._set("expr", fn)

    def update_expression(self, fn: Any) -> hybrid_property:
        return self._set("update_expr", fn)

    def comparator(self, fn: Any) -> hybrid_property:
        return self._set("custom_comparator", fn)


class hybrid_method:  # noqa: N801 - SQLAlchemy's public name
    """A method that also works at class level, building a SQL expression."""

    def __init__(self, func: Callable[..., Any], expr: Callable[..., Any] | None = None) -> None:
        self.func = func
        self.expr = expr
        self.__doc__ = func.__doc__

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return (self.expr or self.func).__get__(owner, type(owner))
        return self.func.__get__(instance, owner)

    def expression(self, expr: Callable[..., Any]) -> hybrid_method:
        return type(self)(self.func, getattr(expr, "__func__", expr))

    @property
    def inplace(self) -> _MethodInPlace:
        """``@m.inplace.expression``: set this hybrid's expression instead of copying it."""
        return _MethodInPlace(self)


class _MethodInPlace:
    def __init__(self, hybrid: hybrid_method) -> None:
        self._h = hybrid

    def expression(self, fn: Any) -> hybrid_method:
        self._h.expr = getattr(fn, "__func__", fn)
        return self._h


class Comparator:
    """Base of a hybrid's custom comparator (``@prop.comparator``): wraps an expression,
    which every operator not overridden applies to."""

    def __init__(self, expression: Any) -> None:
        self.expression = expression

    def __clause_element__(self) -> Any:
        expr = self.expression
        while hasattr(expr, "__clause_element__"):
            inner = expr.__clause_element__()
            if inner is expr:
                break
            expr = inner
        return expr

    def __getattr__(self, name: str) -> Any:  # like(), in_(), desc(), label() ...
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.__clause_element__(), name)

    __hash__ = object.__hash__


def _comparator_op(name: str) -> Any:
    def op(self: Comparator, *args: Any) -> Any:
        return getattr(self.__clause_element__(), name)(*args)

    op.__name__ = name
    return op


for _name in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__add__",
              "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
              "__rtruediv__", "__mod__", "__neg__", "__invert__", "__and__", "__or__",
              "__getitem__"):
    setattr(Comparator, _name, _comparator_op(_name))
del _name


HYBRID_PROPERTY = "HYBRID_PROPERTY"
HYBRID_METHOD = "HYBRID_METHOD"

__all__ = ["HYBRID_METHOD", "HYBRID_PROPERTY", "Comparator", "hybrid_method",
           "hybrid_property"]
