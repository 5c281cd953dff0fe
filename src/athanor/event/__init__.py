"""``athanor.event``: SQLAlchemy's ``listen`` / ``listens_for`` / ``remove`` / ``contains``.

The facade sits at the top layer because it must know the target types; the listener
storage and firing live in :mod:`athanor._event` (layer 0), which the pool, engine and
session call into. Resolving a target picks the object whose ``_dispatch`` receives the
listener:

* an ``Engine``: pool events (``connect``, ``first_connect``, ``checkout``, ``checkin``) go
  to ``engine.pool`` (kept across ``engine.dispose()``), cursor events to the engine; an
  engine made by ``execution_options()`` resolves to the engine it copies;
* a ``Pool`` instance or class; a ``Session`` instance or class;
* a ``sessionmaker``: it gets a private ``Session`` subclass to carry its listeners;
  a ``scoped_session`` resolves to its ``session_factory``.

A class target gets a class-level dispatch whose listeners reach every instance (instance
dispatches, and subclass dispatches, are children that see the parent's listeners first).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from athanor import exc
from athanor._event import NO_EVENTS, SESSION_EVENT_NAMES, Dispatch
from athanor.engine.base import Engine, OptionEngine
from athanor.orm import _attr_events
from athanor.orm import events as orm_events
from athanor.orm._attr_events import ATTRIBUTE_EVENTS
from athanor.orm._instance_events import INSTANCE_EVENTS, refresh_mappers
from athanor.orm.attributes import InstrumentedAttribute
from athanor.orm.mapper import Mapper
from athanor.orm.relationships import RelationshipAttribute
from athanor.orm.scoping import scoped_session
from athanor.orm.session import Session, sessionmaker
from athanor.pool.base import Pool

_F = TypeVar("_F", bound=Callable[..., Any])

POOL_EVENTS = frozenset({"connect", "first_connect", "checkout", "checkin"})
ENGINE_EVENTS = frozenset({"before_cursor_execute", "after_cursor_execute", "before_execute",
                           "after_execute", "begin", "commit", "rollback", "engine_connect",
                           "handle_error"})
SESSION_EVENTS = frozenset(SESSION_EVENT_NAMES)
_ROOTS: tuple[type, ...] = (Pool, Engine, Session)


def _mapper_target(target: Any, identifier: str) -> Any:
    """The class keeping mapper-event listeners for ``target``, or None for other events:
    a mapped class, a base or mixin (``propagate=True``), a Mapper, or ``Mapper`` (all)."""
    if identifier not in orm_events.MAPPER_EVENTS and identifier not in INSTANCE_EVENTS and (
            identifier not in orm_events.CONFIG_EVENTS):
        return None
    if isinstance(target, Mapper):
        return target.class_
    if isinstance(target, type) and not issubclass(target, _ROOTS):
        return target
    raise exc.InvalidRequestError(
        f"Listening failed: {identifier!r} is a mapper event (or an instance event); its "
        f"target must be a mapped "
        f"class, a declarative base or mixin, or Mapper, not {type(target).__name__!r}."
    )


def _attr_target(target: Any, identifier: str) -> tuple[type, str] | None:
    """``(class, key)`` for an attribute target (``User.name``, ``User.addresses``)."""
    if not isinstance(target, (InstrumentedAttribute, RelationshipAttribute)):
        return None
    if identifier not in ATTRIBUTE_EVENTS:
        raise exc.InvalidRequestError(
            f"Listening failed: no event {identifier!r} for attribute {target}. Known "
            f"attribute events: {', '.join(sorted(ATTRIBUTE_EVENTS))}."
        )
    return target.class_, target.key


def _resolve(target: Any, identifier: str) -> Any:
    """The object (instance or class) whose dispatch takes ``identifier``'s listeners."""
    if isinstance(target, scoped_session):
        target = target.session_factory
    if isinstance(target, sessionmaker):
        return _maker_class(target, identifier)
    if isinstance(target, OptionEngine):
        target = target._proxied
    is_class = isinstance(target, type)
    if identifier in POOL_EVENTS:
        if is_class and issubclass(target, Engine):
            return Pool
        if isinstance(target, Engine):
            return target.pool
    for root, names in ((Pool, POOL_EVENTS), (Engine, ENGINE_EVENTS), (Session, SESSION_EVENTS)):
        if (issubclass(target, root) if is_class else isinstance(target, root)):
            if identifier not in names:
                raise _unknown(target, identifier, names)
            return target
    raise exc.InvalidRequestError(
        f"Listening failed: no events are known for target {type(target).__name__!r}. "
        "Pass an Engine, a Pool, a Session, a sessionmaker or a scoped_session."
    )


def _unknown(target: Any, identifier: str, names: frozenset[str]) -> exc.InvalidRequestError:
    kind = target.__name__ if isinstance(target, type) else type(target).__name__
    return exc.InvalidRequestError(
        f"Listening failed: no event {identifier!r} for target {kind!r}. "
        f"Known events: {', '.join(sorted(names))}."
    )


def _maker_class(maker: sessionmaker, identifier: str) -> type[Session]:
    """A sessionmaker's own Session subclass (made on first listen) carrying its listeners."""
    if identifier not in SESSION_EVENTS:
        raise _unknown(Session, identifier, SESSION_EVENTS)
    cls = maker.class_
    if not cls.__dict__.get("_athanor_maker_class"):
        cls = type(cls.__name__, (cls,), {"_athanor_maker_class": True})
        maker.class_ = cls
    return cls


def _own_dispatch(obj: Any) -> Dispatch | None:
    found = (obj.__dict__ if isinstance(obj, type) else vars(obj)).get("_dispatch")
    return None if found is None or found is NO_EVENTS else found


def _dispatch_for(obj: Any) -> Dispatch:
    """``obj``'s own dispatch, created (child of its class's) on first use."""
    own = _own_dispatch(obj)
    if own is not None:
        return own
    parent: Dispatch | tuple[Dispatch, ...] | None
    if isinstance(obj, type):  # each direct base on the way to a root (Session, ...)
        bases = [b for b in obj.__bases__ if issubclass(b, _ROOTS)]
        parent = tuple(_dispatch_for(b) for b in bases) if obj not in _ROOTS else None
    else:
        parent = _dispatch_for(type(obj))
    dispatch = Dispatch(parent)
    obj._dispatch = dispatch
    return dispatch


def listen(target: Any, identifier: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> None:
    """Call ``fn`` on ``identifier`` events of ``target``.

    Options: ``insert=True`` runs ``fn`` before the others; ``once=True`` runs it only the
    first time; ``retval=True`` (``before_cursor_execute``) lets ``fn`` return the
    ``(statement, parameters)`` to execute instead.
    """
    attr = _attr_target(target, identifier)
    if attr is not None:
        _attr_events.listen(*attr, identifier, fn, kw)
        return
    mapped = _mapper_target(target, identifier)
    if mapped is not None:
        if kw.get("raw"):  # the listener takes the InstanceState instead of the object
            fn = _raw(fn)
        orm_events.listen(mapped, identifier, fn, bool(kw.get("propagate")))
        if identifier in INSTANCE_EVENTS:
            refresh_mappers()
        return
    owner = _resolve(target, identifier)
    own = _own_dispatch(owner)
    if own is not None and _registered(own, identifier, fn) is not None:
        return  # already listening: a second listen() is a no-op
    wrapped = fn
    if kw.get("once"):
        wrapped = _once(owner, identifier, fn)
    if kw.get("retval"):
        if wrapped is fn:
            wrapped = _retval(fn)
        wrapped._athanor_retval = True  # type: ignore[attr-defined]
    _dispatch_for(owner).add(identifier, wrapped, insert=bool(kw.get("insert")))


def _once(owner: Any, identifier: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def run_once(*args: Any) -> Any:
        remove(owner, identifier, fn)
        return fn(*args)

    run_once._athanor_wraps = fn  # type: ignore[attr-defined]
    return run_once


def _retval(fn: Callable[..., Any]) -> Callable[..., Any]:
    def returning(*args: Any) -> Any:
        return fn(*args)

    returning._athanor_wraps = fn  # type: ignore[attr-defined]
    return returning


def _raw(fn: Callable[..., Any]) -> Callable[..., Any]:
    from athanor.orm.state import STATE_KEY

    def with_state(target: Any, *args: Any) -> Any:
        return fn(target.__dict__.get(STATE_KEY, target), *args)

    with_state._athanor_wraps = fn  # type: ignore[attr-defined]
    return with_state


def listens_for(target: Any, identifier: str, *args: Any, **kw: Any) -> Callable[[_F], _F]:
    """Decorator form of :func:`listen`."""

    def decorate(fn: _F) -> _F:
        listen(target, identifier, fn, *args, **kw)
        return fn

    return decorate


def _registered(dispatch: Dispatch, identifier: str, fn: Callable[..., Any]) -> Any:
    for candidate in dispatch._own.get(identifier, ()):
        if candidate is fn or getattr(candidate, "_athanor_wraps", None) is fn:
            return candidate
    return None


def remove(target: Any, identifier: str, fn: Callable[..., Any]) -> None:
    """Undo :func:`listen` for the same ``target``, ``identifier`` and ``fn``."""
    attr = _attr_target(target, identifier)
    if attr is not None:
        if not _attr_events.remove(*attr, identifier, fn):
            raise _not_listening(fn, identifier)
        return
    mapped = _mapper_target(target, identifier)
    if mapped is not None:
        if not orm_events.remove(mapped, identifier, fn):
            raise _not_listening(fn, identifier)
        if identifier in INSTANCE_EVENTS:
            refresh_mappers()
        return
    dispatch = _own_dispatch(_resolve(target, identifier))
    found = _registered(dispatch, identifier, fn) if dispatch is not None else None
    if found is None:
        raise _not_listening(fn, identifier)
    dispatch.discard(identifier, found)  # type: ignore[union-attr]


def _not_listening(fn: Callable[..., Any], identifier: str) -> exc.InvalidRequestError:
    return exc.InvalidRequestError(
        f"Removing a listener failed: {getattr(fn, '__name__', fn)!r} is not listening "
        f"for {identifier!r} on this target. Call remove() with the same target and "
        "function given to listen()."
    )


def contains(target: Any, identifier: str, fn: Callable[..., Any]) -> bool:
    """True when ``fn`` listens for ``identifier`` on ``target``."""
    attr = _attr_target(target, identifier)
    if attr is not None:
        return _attr_events.contains(*attr, identifier, fn)
    mapped = _mapper_target(target, identifier)
    if mapped is not None:
        return orm_events.contains(mapped, identifier, fn)
    dispatch = _own_dispatch(_resolve(target, identifier))
    return dispatch is not None and _registered(dispatch, identifier, fn) is not None


__all__ = ["contains", "listen", "listens_for", "remove"]
