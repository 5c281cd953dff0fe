"""Mapper events: ``before_insert`` / ``after_insert`` / ``before_update`` / ``after_update`` /
``before_delete`` / ``after_delete`` listeners on mapped classes (and the storage of the
instance events, which :mod:`athanor.orm._instance_events` turns into per-mapper hooks).

Listeners are kept here, by target class, not on the mappers: a target may be a mapped class,
a declarative base or mixin (with ``propagate=True`` its mapped subclasses get the listener,
as in SQLAlchemy), or ``Mapper`` itself (every mapper). :func:`listeners` resolves a class's
listeners for one event once and caches the tuple until the next ``listen``/``remove``.

The session fires them around a flush (:func:`fire_before` once the flush's objects are
known, before any row parameters are computed, so a listener may still change the object;
:func:`fire_after` after the statements ran, keys assigned). ``ACTIVE`` stays False while
nobody listens, so a flush pays one check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

MAPPER_EVENTS = frozenset({
    "before_insert", "after_insert", "before_update", "after_update", "before_delete",
    "after_delete", "mapper_configured",
})

#: mapper configuration events (athanor.orm._config_events)
CONFIG_EVENTS = frozenset({"instrument_class", "before_mapper_configured",
                           "mapper_configured", "before_configured", "after_configured"})
#: target class -> event -> [(fn, propagate)]
_REGISTRY: dict[Any, dict[str, list[tuple[Callable[..., Any], bool]]]] = {}
_CACHE: dict[tuple[type, str], tuple[Callable[..., Any], ...]] = {}
#: True once any mapper listener exists (the flush's single check).
ACTIVE = False
#: True once any configuration listener exists (the configure pass's check).
CONFIGURE = False


def listen(target: Any, identifier: str, fn: Callable[..., Any], propagate: bool) -> None:
    global ACTIVE, CONFIGURE
    entries = _REGISTRY.setdefault(target, {}).setdefault(identifier, [])
    if any(_same(f, fn) for f, _ in entries):
        return
    entries.append((fn, propagate))
    _CACHE.clear()
    ACTIVE = ACTIVE or identifier in MAPPER_EVENTS
    CONFIGURE = CONFIGURE or identifier in CONFIG_EVENTS


def _same(registered: Callable[..., Any], fn: Callable[..., Any]) -> bool:
    return registered is fn or getattr(registered, "_athanor_wraps", None) is fn


def remove(target: Any, identifier: str, fn: Callable[..., Any]) -> bool:
    entries = _REGISTRY.get(target, {}).get(identifier, [])
    for i, (f, _) in enumerate(entries):
        if _same(f, fn):
            del entries[i]
            _CACHE.clear()
            return True
    return False


def contains(target: Any, identifier: str, fn: Callable[..., Any]) -> bool:
    return any(_same(f, fn) for f, _ in _REGISTRY.get(target, {}).get(identifier, []))


def listeners(cls: type, identifier: str) -> tuple[Callable[..., Any], ...]:
    """Listeners for ``identifier`` on mapped class ``cls``: its own, those of its bases
    registered with ``propagate=True``, then the ``Mapper``-wide ones."""
    key = (cls, identifier)
    found = _CACHE.get(key)
    if found is not None:
        return found
    out: list[Callable[..., Any]] = []
    for klass in cls.__mro__:
        for fn, propagate in _REGISTRY.get(klass, {}).get(identifier, ()):
            if klass is cls or propagate:
                out.append(fn)
    from athanor.orm.mapper import Mapper

    out += [fn for fn, _ in _REGISTRY.get(Mapper, {}).get(identifier, ())]
    _CACHE[key] = tuple(out)
    return _CACHE[key]


def all_listeners(identifier: str) -> list[Callable[..., Any]]:
    """Every listener of a global event (``before_configured``), whatever its target."""
    return [fn for events in list(_REGISTRY.values()) for fn, _ in events.get(identifier, ())]


def _fire(identifier: str, conn: Any, objects: Iterable[tuple[Any, Any]]) -> None:
    for state, obj in objects:
        mapper = state.mapper
        for fn in listeners(mapper.class_, identifier):
            fn(mapper, conn, obj)


def fire_before(conn: Any, new: list[tuple[Any, Any]], dirty: list[tuple[Any, Any]],
                deleted: list[tuple[Any, Any]]) -> None:
    """``before_insert`` / ``before_update`` / ``before_delete`` for a flush's objects."""
    _fire("before_insert", conn, new)
    _fire("before_update", conn, dirty)
    _fire("before_delete", conn, deleted)


def fire_after(conn: Any, new: list[tuple[Any, Any]], dirty: list[tuple[Any, Any]],
               deleted: list[tuple[Any, Any]]) -> None:
    """``after_insert`` / ``after_update`` / ``after_delete`` once the statements ran."""
    _fire("after_insert", conn, new)
    _fire("after_update", conn, dirty)
    _fire("after_delete", conn, deleted)


__all__ = ["ACTIVE", "CONFIGURE", "CONFIG_EVENTS", "MAPPER_EVENTS", "all_listeners",
           "contains", "fire_after", "fire_before", "listen", "listeners",
           "remove"]
