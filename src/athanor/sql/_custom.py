"""User compile functions (``athanor.ext.compiler.compiles``), looked up by the compilers.

Design
------
The three compilers (statement, DDL, type) dispatch on ``__visit_name__``. Each one's
``process`` first asks :func:`lookup` whether a user function is registered for the
element's class (or a base class); while nothing is registered, ``ACTIVE`` is False and
that costs one flag test per node. A registered class keeps its ``__visit_name__``, so the
built-in ``visit_<name>`` stays callable from the user's function (``@compiles(Insert)``
calling ``compiler.visit_insert(...)``), and it is the fallback for dialects the user did
not name.

Registering or removing a function clears the compiled-statement caches of the dialects
made so far, so no statement keeps SQL rendered without (or with) it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from athanor import exc

CompileFn = Callable[..., str]

#: class -> {dialect name, or "default": fn}
_REGISTRY: dict[type, dict[str, CompileFn]] = {}
#: element class -> the table that applies to it (None: none), filled on first use
_RESOLVED: dict[type, dict[str, CompileFn] | None] = {}
#: dialects whose compiled caches must be cleared when the registry changes
_DIALECTS: weakref.WeakSet[Any] = weakref.WeakSet()
#: True while any function is registered
ACTIVE = False


def register(cls: type, dialect: str, fn: CompileFn) -> None:
    """Use ``fn(element, compiler, **kw)`` to compile ``cls`` (and subclasses) on ``dialect``."""
    global ACTIVE
    _REGISTRY.setdefault(cls, {})[dialect] = fn
    ACTIVE = True
    _changed()


def deregister(cls: type) -> None:
    """Forget every function registered for ``cls``; its built-in compilation is used again."""
    global ACTIVE
    _REGISTRY.pop(cls, None)
    ACTIVE = bool(_REGISTRY)
    _changed()


def registered(cls: type) -> dict[str, CompileFn]:
    return dict(_REGISTRY.get(cls, {}))


def track_dialect(dialect: Any) -> None:
    _DIALECTS.add(dialect)


def _changed() -> None:
    _RESOLVED.clear()
    for dialect in list(_DIALECTS):
        dialect._compiled_cache.clear()
        dialect.compile_epoch += 1


def lookup(cls: type) -> dict[str, CompileFn] | None:
    """The functions registered for ``cls`` or its nearest registered base class."""
    try:
        return _RESOLVED[cls]
    except KeyError:
        found = next((_REGISTRY[k] for k in cls.__mro__ if k in _REGISTRY), None)
        _RESOLVED[cls] = found
        return found


def dispatch(table: dict[str, CompileFn], compiler: Any, element: Any, kw: dict[str, Any]
             ) -> str:
    """Compile ``element`` with the user function for the compiler's dialect, else the
    ``default`` one, else the built-in ``visit_<name>``."""
    fn = table.get(compiler.dialect.name) or table.get("default")
    if fn is not None:
        return str(fn(element, compiler, **kw))
    visit = getattr(compiler, "visit_" + getattr(element, "__visit_name__", "?"), None)
    if visit is None:
        raise exc.UnsupportedCompilationError(
            f"Compiling {type(element).__name__} for {compiler.dialect.name} failed: "
            f"@compiles functions exist only for {', '.join(sorted(table))} and the construct "
            f"has no built-in compilation. Add @compiles({type(element).__name__}) without a "
            f"dialect name as the default."
        )
    return str(visit(element, **kw))
