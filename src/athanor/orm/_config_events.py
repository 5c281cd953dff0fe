"""Mapper configuration events and ``clear_mappers()``.

Design
------
athanor builds a mapper completely when its class is mapped, but SQLAlchemy code expects a
*configure* step that runs later, once the related classes exist: ``configure_mappers()``,
or implicitly before the first object of a mapped class is constructed. So each new mapper
goes on a pending list (:data:`PENDING` turns True), ``instrument_class`` fires as it is
mapped, and the next configure pass (:func:`configure`) fires ``before_configured``, then
``before_mapper_configured`` / ``mapper_configured`` per pending mapper, then
``after_configured``. The implicit trigger is one module-flag check in the declarative
constructor and in ``Session()``; a pass with nobody listening only empties the list.

Listeners live with the other mapper events (:mod:`athanor.orm.events`); the two
``*_configured`` events without a mapper are global, whatever class they were registered on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from athanor.orm import events as orm_events
from athanor.orm.events import CONFIG_EVENTS

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper

#: True while mappers wait for a configure pass (the constructor's one check)
PENDING = False
_UNCONFIGURED: list[Mapper] = []


def mapped(mapper: Mapper) -> None:
    """A class is being mapped: ``instrument_class`` (before its attributes are
    instrumented), and the mapper waits for the next configure pass."""
    global PENDING
    mapper.configured = False
    if orm_events.CONFIGURE:
        for fn in orm_events.listeners(mapper.class_, "instrument_class"):
            fn(mapper, mapper.class_)
    _UNCONFIGURED.append(mapper)
    PENDING = True


def configure() -> None:
    """One configure pass over the mappers made since the last one (see the docstring)."""
    global PENDING
    batch = list(_UNCONFIGURED)
    _UNCONFIGURED.clear()
    PENDING = False
    if not batch:
        return
    if not orm_events.CONFIGURE:
        for mapper in batch:
            mapper.configured = True
        return
    for fn in orm_events.all_listeners("before_configured"):
        fn()
    for mapper in batch:
        cls = mapper.class_
        for fn in orm_events.listeners(cls, "before_mapper_configured"):
            fn(mapper, cls)
        mapper.configured = True
        for fn in orm_events.listeners(cls, "mapper_configured"):
            fn(mapper, cls)
    for fn in orm_events.all_listeners("after_configured"):
        fn()


def clear_mappers() -> None:
    """Unmap every mapped class: remove the ORM's attributes, ``__mapper__`` and the
    tracking hooks from the classes and forget the mappers (tests that map classes anew)."""
    from athanor.orm import _instance_events, context, decl, relationships

    mappers = set(_instance_events._MAPPERS)
    for reg in list(decl._registries):
        mappers.update(reg._mappers)
        reg.dispose()
    for mapper in mappers:
        _unmap(mapper)
        relationships._rel_mappers.discard(mapper)
        context._mappers_by_table.pop(id(mapper.local_table), None)
        _instance_events._MAPPERS.discard(mapper)
    relationships._pending[:] = [p for p in relationships._pending if p.parent not in mappers]
    _UNCONFIGURED.clear()
    orm_events._CACHE.clear()


def _unmap(mapper: Mapper) -> None:
    cls = mapper.class_
    own = cls.__dict__
    for key in mapper._props:
        if type(own.get(key)).__module__.startswith("athanor.orm"):
            type.__delattr__(cls, key)
    from athanor.orm._validators import validated_setattr
    from athanor.orm.attributes import instrumented_setattr
    from athanor.orm.mapper import _class_clause_element

    if own.get("__setattr__") in (instrumented_setattr, validated_setattr):
        type.__delattr__(cls, "__setattr__")
    if getattr(own.get("__clause_element__"), "__func__", None) is _class_clause_element:
        type.__delattr__(cls, "__clause_element__")
    if "__mapper__" in own:
        type.__delattr__(cls, "__mapper__")
    init = own.get("__init__")
    if getattr(init, "_athanor_init_of", None) is cls:  # an init-event wrapper
        if init._athanor_had_own:  # type: ignore[union-attr]
            type.__setattr__(cls, "__init__", init.__wrapped__)  # type: ignore[union-attr]
        else:
            type.__delattr__(cls, "__init__")


__all__ = ["CONFIG_EVENTS", "PENDING", "clear_mappers", "configure", "mapped"]
