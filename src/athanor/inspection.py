"""``athanor.inspect(obj)``: the runtime inspection entry point.

A mapped class (or its mapper) gives its :class:`~athanor.orm.mapper.Mapper`; a mapped
instance gives its :class:`~athanor.orm.state.InstanceState` (state flags, identity,
``attrs`` with history, ``modified``); an Engine or Connection gives a schema Inspector when
the engine layer provides one (``athanor.engine.reflection``).
"""

from __future__ import annotations

import importlib
from typing import Any

from athanor import exc


def inspect(subject: Any, raiseerr: bool = True) -> Any:
    """Return the inspection object for ``subject`` (mapper, instance state, inspector)."""
    from athanor.orm.mapper import Mapper
    from athanor.orm.state import STATE_KEY, new_state

    if isinstance(subject, Mapper):
        return subject
    if isinstance(subject, type):
        mapper = subject.__dict__.get("__mapper__")
        if mapper is not None:
            return mapper
    else:
        mapper = type(subject).__dict__.get("__mapper__")
        if mapper is not None:
            st = subject.__dict__.get(STATE_KEY)
            return st if st is not None else new_state(subject, mapper)
        hook = getattr(subject, "_athanor_inspect", None)
        if callable(hook):
            return hook()
        for modname in ("athanor.engine.reflection", "athanor.engine.inspector"):
            try:
                mod = importlib.import_module(modname)
            except ImportError:
                continue
            inspector = getattr(mod, "Inspector", None)
            if inspector is not None and hasattr(subject, "dialect"):
                return inspector(subject)
    if not raiseerr:
        return None
    raise (
        exc.NoInspectionAvailable(
            f"inspect() failed: no inspection is available for {type(subject).__name__} objects. "
            f"Pass a mapped class, a mapped instance, an Engine or a Connection."
        )
        if hasattr(exc, "NoInspectionAvailable")
        else exc.ArgumentError(
            f"inspect() failed: no inspection is available for {type(subject).__name__} objects. "
            f"Pass a mapped class, a mapped instance, an Engine or a Connection."
        )
    )
