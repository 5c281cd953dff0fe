"""``@compiles``: user functions that render SQL for custom or built-in constructs.

Design
------
``@compiles(Cls, "postgresql")`` registers the function in :mod:`athanor.sql._custom`,
which the statement, DDL and type compilers consult before their own ``visit_<name>``
(see that module). The function is called as ``fn(element, compiler, **kw)``; it renders
children with ``compiler.process(child, **kw)`` and may call the built-in
``compiler.visit_<name>(element, **kw)``.

Caching: statements are cached by a structural key (``_ck``). A custom ``ClauseElement``
subclass registered here gets a key unless it defines one:

- ``inherit_cache = True``: its base class's key, tagged with the class, so it never shares
  a compiled form with the base class or a sibling;
- otherwise (SQLAlchemy's default, ``inherit_cache`` unset or False): statements holding
  it are compiled on every execution, never cached.

Built-in classes (``Insert``, ``String``...) keep their keys; registering or removing a
function clears the compiled-statement caches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from athanor.sql import _custom
from athanor.sql.elements import ClauseElement, ColumnElement

_F = TypeVar("_F", bound=Callable[..., Any])

#: the abstract ``_ck`` methods: a class resolving to one of these has no key of its own
_ABSTRACT_KEYS = (ClauseElement._ck, ColumnElement._ck)


def compiles(class_: type, *specs: str) -> Callable[[_F], _F]:
    """Decorator: compile ``class_`` (and subclasses) with the function, on the dialects
    named in ``specs`` (``"postgresql"``, ``"sqlite"``, ``"mysql"``), or on every dialect
    without a more specific function when none is named."""
    if not isinstance(class_, type):
        raise TypeError(
            f"@compiles({class_!r}) failed: pass the construct's class, e.g. "
            f"@compiles(MyElement), not an instance."
        )
    for spec in specs:
        if not isinstance(spec, str):
            raise TypeError(
                f"@compiles({class_.__name__}, {spec!r}) failed: dialect names are strings, "
                f"e.g. 'postgresql'."
            )

    def decorate(fn: _F) -> _F:
        _give_cache_key(class_)
        for spec in specs or ("default",):
            _custom.register(class_, spec, fn)
        return fn

    return decorate


def deregister(class_: type) -> None:
    """Remove every function registered for ``class_`` with :func:`compiles`."""
    _custom.deregister(class_)


def _give_cache_key(cls: type) -> None:
    if not issubclass(cls, ClauseElement) or "_ck" in cls.__dict__ or getattr(
            cls, "_is_ddl", False):
        return  # types, built-ins with their own key, DDL (never cached)
    base_key = cls._ck
    if cls.__dict__.get("inherit_cache") is True and base_key not in _ABSTRACT_KEYS:

        def tagged_key(self: Any, st: Any) -> Any:
            return (type(self), base_key(self, st))

        cls._ck = tagged_key  # type: ignore[method-assign]
        return

    def no_key(self: Any, st: Any) -> Any:
        st.nocache = True
        return ("nocache", id(self))

    cls._ck = no_key  # type: ignore[method-assign]


__all__ = ["compiles", "deregister"]
