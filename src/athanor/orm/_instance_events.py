"""Instance events (``load``, ``refresh``, ``expire``, ``init``, ``init_failure``,
``refresh_flush``) and ``@reconstructor``.

Design
------
Listeners are stored with the mapper events (:mod:`athanor.orm.events`, by target class,
``propagate=True`` reaching subclasses). What the hot paths read is one slot per mapper,
``mapper._ievents``: None when the class has neither listeners nor a reconstructor, else an
:class:`InstanceHooks` of tuples, recomputed for every mapper by :func:`refresh_mappers` after
each ``listen``/``remove`` (and by :func:`setup_mapper` when a class is mapped). So:

- a row loader checks ``mapper._ievents`` once per batch of rows; with ``load`` hooks it notes
  which identities were absent before the batch and fires for those objects afterwards
  (:func:`load_firing`), so the per-row code stays the same;
- refreshing an object from a row checks its mapper's slot once per object refreshed;
- expiring every object (commit, rollback) reads the module flag :data:`EXPIRE` once;
- ``init`` / ``init_failure`` wrap the class's ``__init__`` only once someone listens, so
  constructing objects of other classes costs nothing.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from athanor.orm import events as orm_events

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper
    from athanor.orm.state import InstanceState

INSTANCE_EVENTS = frozenset({"load", "refresh", "refresh_flush", "expire", "init",
                             "init_failure"})
_MARK = "__athanor_reconstructor__"
#: every mapper made so far (what refresh_mappers walks)
_MAPPERS: weakref.WeakSet[Mapper] = weakref.WeakSet()
#: True while any mapper has an ``expire`` listener (the expire-all loops' one check).
EXPIRE = False
#: True while any mapper has a ``load`` hook (polymorphic loaders' one check per batch).
LOAD = False
#: True while any mapper has a ``refresh_flush`` listener (the flush's one check).
REFRESH_FLUSH = False


class InstanceHooks:
    """The instance-event listeners of one mapper, one tuple per event."""

    __slots__ = ("load", "refresh", "refresh_flush", "expire", "init", "init_failure")
    load: tuple[Callable[..., Any], ...]
    refresh: tuple[Callable[..., Any], ...]
    refresh_flush: tuple[Callable[..., Any], ...]
    expire: tuple[Callable[..., Any], ...]
    init: tuple[Callable[..., Any], ...]
    init_failure: tuple[Callable[..., Any], ...]

    def __init__(self, found: dict[str, tuple[Callable[..., Any], ...]]) -> None:
        for name in self.__slots__:
            setattr(self, name, found.get(name, ()))


class QueryContext:
    """The ``context`` a ``load`` / ``refresh`` listener receives."""

    __slots__ = ("session",)

    def __init__(self, session: Any) -> None:
        self.session = session


class InstanceEvents:
    """Names the instance events (``event.listen(Model, name, fn)``), as SQLAlchemy's
    ``orm.InstanceEvents`` does; each method documents one event's listener signature."""

    def init(self, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """The constructor is about to run; ``kwargs`` may be changed in place."""

    def init_failure(self, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
                     ) -> None:
        """The constructor raised (the error propagates after the listeners)."""

    def load(self, target: Any, context: Any) -> None:
        """The object was created from a row."""

    def refresh(self, target: Any, context: Any, attrs: Iterable[str] | None) -> None:
        """Attributes of a loaded object were loaded again (None: all of them)."""

    def refresh_flush(self, target: Any, flush_context: Any, attrs: Iterable[str] | None
                      ) -> None:
        """A flush fetched server-generated values of the object."""

    def expire(self, target: Any, attrs: Iterable[str] | None) -> None:
        """Attributes were expired (None: all of them)."""


def reconstructor(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a method to run (with no arguments) on each object loaded from a row."""
    setattr(fn, _MARK, True)
    return fn


def _reconstructor_of(cls: type) -> Callable[..., Any] | None:
    for klass in cls.__mro__:
        for value in klass.__dict__.values():
            if inspect.isfunction(value) and value.__dict__.get(_MARK):
                return value
    return None


def _hooks_for(mapper: Mapper) -> InstanceHooks | None:
    cls = mapper.class_
    found = {name: orm_events.listeners(cls, name) for name in INSTANCE_EVENTS}
    rec = _reconstructor_of(cls)
    if rec is not None:
        method = rec

        def run_reconstructor(target: Any, context: Any) -> None:
            method(target)

        found["load"] = (run_reconstructor, *found["load"])
    if not any(found.values()):
        return None
    return InstanceHooks(found)


def setup_mapper(mapper: Mapper) -> None:
    """Compute a newly mapped class's hooks (None in the usual case)."""
    _MAPPERS.add(mapper)
    _update(mapper)
    from athanor.orm import _attr_events

    if _attr_events.ACTIVE:
        _attr_events.update_mapper(mapper)


def _update(mapper: Mapper) -> None:
    global EXPIRE, LOAD, REFRESH_FLUSH
    hooks = mapper._ievents = _hooks_for(mapper)
    if hooks is not None:
        EXPIRE = EXPIRE or bool(hooks.expire)
        LOAD = LOAD or bool(hooks.load)
        REFRESH_FLUSH = REFRESH_FLUSH or bool(hooks.refresh_flush)
        if hooks.init or hooks.init_failure:
            _install_init(mapper.class_)


def refresh_mappers() -> None:
    """Recompute every mapper's hooks after a ``listen`` / ``remove``."""
    global EXPIRE, LOAD, REFRESH_FLUSH
    EXPIRE = LOAD = REFRESH_FLUSH = False
    for mapper in list(_MAPPERS):
        _update(mapper)


def _install_init(cls: type) -> None:
    """Wrap ``cls.__init__`` so ``init`` / ``init_failure`` fire around it (once per class)."""
    if getattr(cls.__dict__.get("__init__"), "_athanor_init_of", None) is cls:
        return
    original = cls.__dict__.get("__init__") or getattr(cls, "__init__")  # noqa: B009

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        # the object's own class constructor, not a subclass's super().__init__()
        outer = getattr(type(self), "__init__", None) is __init__
        hooks = type(self).__mapper__._ievents if outer else None
        if hooks is None:
            original(self, *args, **kwargs)
            return
        for fn in hooks.init:
            fn(self, args, kwargs)
        try:
            original(self, *args, **kwargs)
        except BaseException:
            for fn in hooks.init_failure:
                fn(self, args, kwargs)
            raise

    __init__._athanor_init_of = cls  # type: ignore[attr-defined]
    __init__._athanor_had_own = "__init__" in cls.__dict__  # type: ignore[attr-defined]
    __init__.__doc__ = original.__doc__
    __init__.__wrapped__ = original  # type: ignore[attr-defined]
    type.__setattr__(cls, "__init__", __init__)


# -- firing -------------------------------------------------------------------------------
def load_firing(load_rows: Callable[[Any], list[Any]], rows: Any,
                row_key: Callable[[Any], Any], imap: dict[Any, Any], session: Any
                ) -> list[Any]:
    """Run a row loader, then ``load`` (and the session's ``loaded_as_persistent``) for
    each object the batch created."""
    absent = []
    for i, row in enumerate(rows):
        st = imap.get(row_key(row))
        if st is None or st() is None:
            absent.append(i)
    out = load_rows(rows)
    if absent:
        context = QueryContext(session)
        as_persistent = session._dispatch.loaded_as_persistent
        for i in absent:
            obj = out[i]
            if obj is not None:
                fire_load(obj, context)
                for fn in as_persistent:
                    fn(session, obj)
    return out


def fire_load(obj: Any, context: Any) -> None:
    hooks = type(obj).__mapper__._ievents
    if hooks is not None:
        for fn in hooks.load:
            fn(obj, context)


def fire_refresh(st: InstanceState, obj: Any, attrs: Iterable[str] | None) -> None:
    hooks = st.mapper._ievents
    if hooks is not None and hooks.refresh:
        context = QueryContext(st.session)
        names = None if attrs is None else list(attrs)
        for fn in hooks.refresh:
            fn(obj, context, names)


def fire_expire(st: InstanceState, obj: Any, attrs: Iterable[str] | None) -> None:
    hooks = st.mapper._ievents
    if hooks is not None and hooks.expire:
        names = None if attrs is None else list(attrs)
        for fn in hooks.expire:
            fn(obj, names)


def fire_refresh_flush(flush_context: Any, inserted: list[tuple[Any, Any]]) -> None:
    """After a flush: ``refresh_flush`` for each inserted object whose row gave back
    server-generated values (server defaults, identities; not the primary key)."""
    from athanor.orm.persistence import write_info

    for st, obj in inserted:
        hooks = st.mapper._ievents
        if hooks is None or not hooks.refresh_flush or st.key is None:
            continue
        pk = st.mapper._pk_keyset
        d = obj.__dict__
        names = [k for k in write_info(st.mapper).server_keys if k not in pk and k in d]
        if names:
            for fn in hooks.refresh_flush:
                fn(obj, flush_context, names)


def expiring(expire: Callable[..., None]) -> Callable[..., None]:
    """``expire(state, obj)`` followed by the ``expire`` event (an expire-all loop's
    function while someone listens; see :data:`EXPIRE`)."""

    def expire_and_fire(st: InstanceState, obj: Any) -> None:
        expire(st, obj)
        fire_expire(st, obj, None)

    return expire_and_fire


__all__ = ["EXPIRE", "INSTANCE_EVENTS", "LOAD", "InstanceEvents", "InstanceHooks",
           "QueryContext", "expiring", "fire_expire", "fire_load", "fire_refresh",
           "fire_refresh_flush", "load_firing", "reconstructor", "refresh_mappers",
           "setup_mapper"]
