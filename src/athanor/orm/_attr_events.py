"""Attribute events: ``set``, ``append``, ``remove``, ``init_scalar``, ``init_collection``,
``modified`` on ``Model.attr``; and ``flag_modified()`` / ``flag_dirty()``.

Design
------
Listeners are kept here by (class, attribute key); ``propagate=True`` reaches the same
attribute of mapped subclasses. After each ``listen`` / ``remove`` (and when a class is
mapped while listeners exist), :func:`refresh` recomputes what the write paths read:

- ``mapper._attr_events``: ``{key: AttrHooks}`` for the keys that have listeners, else None;
  a class with any such key gets :func:`evented_setattr` as its ``__setattr__`` (runs
  ``@validates`` first, then the ``set`` listeners, then the usual tracking), and the
  declarative constructor leaves its bulk fast path for it;
- ``RelationshipProperty._events``: the hooks of a relationship (collections fire
  ``append`` before a member goes in, so ``retval=True`` may replace it, ``remove`` after it
  left, ``init_collection`` when a collection is made; backrefs fire the other side's events);
- ``InstrumentedAttribute._events``: for ``init_scalar`` (reading an unset attribute).

Classes, relationships and attributes without listeners keep None and pay one check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from athanor.orm.state import NO_VALUE, STATE_KEY, mark_modified

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper

ATTRIBUTE_EVENTS = frozenset({"set", "append", "remove", "init_scalar", "init_collection",
                              "modified"})
#: True once any attribute listener was registered (a newly mapped class then checks).
ACTIVE = False


class _NeverSet:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NEVER_SET"

    def __bool__(self) -> bool:
        return False


#: "no value was ever set" (SQLAlchemy's symbol; ``oldvalue`` is ``NO_VALUE`` here)
NEVER_SET: Any = _NeverSet()


class AttributeEventToken:
    """The ``initiator`` of an attribute event: which attribute, which operation."""

    __slots__ = ("key", "op", "impl")

    def __init__(self, key: str, op: str) -> None:
        self.key = key
        self.op = op
        self.impl = None

    def __repr__(self) -> str:
        return f"<AttributeEventToken {self.key} {self.op}>"


Event = AttributeEventToken


class Listener(NamedTuple):
    fn: Callable[..., Any]
    propagate: bool
    retval: bool
    active_history: bool


class AttrHooks:
    """The listeners of one attribute, one tuple of Listener per event."""

    __slots__ = ("set", "append", "remove", "init_scalar", "init_collection", "modified",
                 "active_history", "key")

    def __init__(self, key: str, found: dict[str, tuple[Listener, ...]]) -> None:
        self.key = key
        self.set = found.get("set", ())
        self.append = found.get("append", ())
        self.remove = found.get("remove", ())
        self.init_scalar = found.get("init_scalar", ())
        self.init_collection = found.get("init_collection", ())
        self.modified = found.get("modified", ())
        self.active_history = any(x.active_history for v in found.values() for x in v)


_REGISTRY: dict[tuple[type, str], dict[str, list[Listener]]] = {}


def listen(cls: type, key: str, identifier: str, fn: Callable[..., Any], kw: dict[str, Any]
           ) -> None:
    global ACTIVE
    entries = _REGISTRY.setdefault((cls, key), {}).setdefault(identifier, [])
    if not any(x.fn is fn for x in entries):
        entries.append(Listener(fn, bool(kw.get("propagate")), bool(kw.get("retval")),
                                bool(kw.get("active_history"))))
    ACTIVE = True
    refresh()


def remove(cls: type, key: str, identifier: str, fn: Callable[..., Any]) -> bool:
    entries = _REGISTRY.get((cls, key), {}).get(identifier, [])
    for i, x in enumerate(entries):
        if x.fn is fn:
            del entries[i]
            refresh()
            return True
    return False


def contains(cls: type, key: str, identifier: str, fn: Callable[..., Any]) -> bool:
    return any(x.fn is fn for x in _REGISTRY.get((cls, key), {}).get(identifier, ()))


def _hooks(cls: type, key: str) -> AttrHooks | None:
    found: dict[str, list[Listener]] = {}
    for klass in cls.__mro__:
        for name, entries in _REGISTRY.get((klass, key), {}).items():
            found.setdefault(name, []).extend(
                x for x in entries if klass is cls or x.propagate)
    if not any(found.values()):
        return None
    return AttrHooks(key, {k: tuple(v) for k, v in found.items()})


def refresh() -> None:
    from athanor.orm._instance_events import _MAPPERS

    for mapper in list(_MAPPERS):
        update_mapper(mapper)


def update_mapper(mapper: Mapper) -> None:
    """Recompute one mapper's attribute hooks (see the module docstring)."""
    from athanor.orm.attributes import InstrumentedAttribute

    cls = mapper.class_
    events: dict[str, AttrHooks] = {}
    for key, prop in mapper._props.items():
        hooks = _hooks(cls, key)
        if getattr(prop, "is_relationship", False) and prop.parent is mapper:
            prop._events = hooks  # type: ignore[attr-defined]
        attr = cls.__dict__.get(key)
        if type(attr) is InstrumentedAttribute:
            attr._events = hooks
        if hooks is not None:
            events[key] = hooks
    mapper._attr_events = events or None
    if events:
        _install_setattr(cls)


def _install_setattr(cls: type) -> None:
    from athanor.orm._validators import validated_setattr
    from athanor.orm.attributes import instrumented_setattr

    current = getattr(cls, "__setattr__", None)
    if current in (instrumented_setattr, validated_setattr):
        type.__setattr__(cls, "__setattr__", evented_setattr)


# -- firing ---------------------------------------------------------------------------------
def evented_setattr(self: Any, key: str, value: Any) -> None:
    """``__setattr__`` of classes with attribute listeners: validators, ``set``, tracking."""
    from athanor.orm._validators import validated_value
    from athanor.orm.attributes import instrumented_setattr

    mapper = type(self).__mapper__
    if mapper._validators:
        value = validated_value(self, key, value)
    events = mapper._attr_events
    hooks = events.get(key) if events is not None else None
    if hooks is not None and hooks.set:
        value = fire_set(self, hooks, value)
    instrumented_setattr(self, key, value)


def _old_value(obj: Any, key: str, hooks: AttrHooks) -> Any:
    d = obj.__dict__
    if key in d:
        return d[key]
    st = d.get(STATE_KEY)
    if st is not None and st.key is not None:
        if hooks.active_history and st.session is not None:
            return getattr(obj, key)  # loads it, as active_history asks
        if st.expired is not None and key in st.expired:
            return NO_VALUE
    return NO_VALUE


def _fire(listeners: tuple[Listener, ...], target: Any, value: Any, *rest: Any) -> Any:
    """Call each listener as ``fn(target, value, *rest)``; with ``retval=True`` its result
    replaces ``value`` for the listeners after it and for the caller."""
    for x in listeners:
        out = x.fn(target, value, *rest)
        if x.retval:
            value = out
    return value


def fire_set(obj: Any, hooks: AttrHooks, value: Any, old: Any = NEVER_SET) -> Any:
    """Run ``set`` listeners; a ``retval=True`` listener's result replaces the value."""
    if old is NEVER_SET:
        old = _old_value(obj, hooks.key, hooks)
    return _fire(hooks.set, obj, value, old, AttributeEventToken(hooks.key, "set"))


def fire_append(prop: Any, owner: Any, item: Any) -> Any:
    return _fire(prop._events.append, owner, item, AttributeEventToken(prop.key, "append"))


def fire_remove(prop: Any, owner: Any, item: Any) -> None:
    _fire(prop._events.remove, owner, item, AttributeEventToken(prop.key, "remove"))


def fire_init_collection(prop: Any, owner: Any, collection: Any) -> None:
    _fire(prop._events.init_collection, owner, collection, None)


def fire_init_scalar(attr: Any, obj: Any) -> Any:
    """Reading an unset attribute of a new object: ``init_scalar`` listeners may supply
    (and store in the dict they get) a default; with ``retval=True`` it is the result."""
    return _fire(attr._events.init_scalar, obj, None, obj.__dict__)


def flag_modified(instance: Any, key: str) -> None:
    """Mark ``instance.<key>`` changed so the next flush writes it (a value mutated in
    place, such as a JSON dict); fires the attribute's ``modified`` event."""
    from athanor.orm.exc import UnmappedInstanceError

    st = instance.__dict__.get(STATE_KEY) if hasattr(instance, "__dict__") else None
    mapper: Mapper | None = getattr(type(instance), "__mapper__", None)
    if mapper is None:
        raise UnmappedInstanceError(
            f"flag_modified() failed: {type(instance).__name__!r} objects are not mapped. "
            "Pass an instance of a mapped class.")
    if key not in instance.__dict__:
        from athanor import exc

        raise exc.InvalidRequestError(
            f"flag_modified() failed: {type(instance).__name__}.{key} is not loaded on this "
            f"object (nothing to flag). Load or set it first.")
    if st is None:
        from athanor.orm.state import state_of

        st = state_of(instance, mapper)
    if st.key is not None:
        committed = st.committed
        if committed is not None and key in committed:
            committed[key] = NO_VALUE  # written whatever it compares to
        else:
            mark_modified(st, instance, key, NO_VALUE)
    events = mapper._attr_events
    hooks = events.get(key) if events is not None else None
    if hooks is not None:
        token = AttributeEventToken(key, "modified")
        for x in hooks.modified:
            x.fn(instance, token)


def flag_dirty(instance: Any) -> None:
    """Register the object with its session as modified, with no attribute changed (it
    is then handed to ``before_flush`` / ``before_update`` listeners)."""
    st = instance.__dict__.get(STATE_KEY)
    if st is not None and st.key is not None and st.committed is None:
        st.committed = {}
        if st.session is not None:
            st.session._modified[st] = instance


__all__ = ["ACTIVE", "ATTRIBUTE_EVENTS", "NEVER_SET", "AttrHooks", "AttributeEventToken",
           "Event", "contains", "evented_setattr", "fire_append", "fire_init_collection",
           "fire_init_scalar", "fire_remove", "fire_set", "flag_dirty", "flag_modified",
           "listen", "refresh", "remove", "update_mapper"]
