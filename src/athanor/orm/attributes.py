"""Class-level instrumentation: attribute descriptors that are also SQL expressions.

Design
------
Reads must cost nothing: a loaded column value sits in the instance ``__dict__``, and the
class attribute is a *non-data* descriptor (it defines ``__get__`` only), so Python finds the
``__dict__`` entry first and never calls into the ORM. ``__get__`` runs only when the value is
missing: at class level (it returns itself, a SQL expression), on a transient/pending object
(None, like an unset attribute), or on an expired/unloaded attribute of a persistent or
detached object (reload or restore, see :mod:`athanor.orm.state`).

Writes are tracked by :func:`instrumented_setattr`, installed as ``__setattr__`` of mapped
classes: a write to a mapped column of an object with an identity records the old value once
per flush cycle and registers the object with its session as modified. Transient and pending
objects pay one dict lookup per write.

As SQL expressions, attributes forward operators and unknown attribute lookups to their
column, and expose ``__clause_element__()`` so Core accepts them wherever a column goes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from athanor.orm.state import NO_VALUE, STATE_KEY, InstanceState

if TYPE_CHECKING:
    from athanor.orm.mapper import ColumnProperty, Mapper


class History(NamedTuple):
    """Changes of one attribute since it was loaded: ``added``, ``unchanged``, ``deleted``."""

    added: Sequence[Any]
    unchanged: Sequence[Any]
    deleted: Sequence[Any]

    def has_changes(self) -> bool:
        return bool(self.added or self.deleted)

    def empty(self) -> bool:
        return not (self.added or self.unchanged or self.deleted)

    def sum(self) -> list[Any]:
        return [*self.added, *self.unchanged, *self.deleted]

    def non_deleted(self) -> list[Any]:
        return [*self.added, *self.unchanged]


def _forward(name: str) -> Callable[..., Any]:
    def method(self: InstrumentedAttribute, *args: Any) -> Any:
        if len(args) == 1:  # the binary operators: no generator for the usual case
            other = args[0]
            if isinstance(other, InstrumentedAttribute):
                other = other.column
            return getattr(self.column, name)(other)
        args = tuple(a.column if isinstance(a, InstrumentedAttribute) else a for a in args)
        return getattr(self.column, name)(*args)

    method.__name__ = name
    return method


class InstrumentedAttribute:
    """The class attribute of one mapped column: a descriptor and a SQL column expression."""

    __slots__ = ("key", "class_", "prop", "column", "_events", "__weakref__")

    def __init__(self, class_: type, key: str, prop: ColumnProperty) -> None:
        self.class_ = class_
        self.key = key
        self.prop = prop
        self.column = prop.expression  # a column_property()'s SQL, unlabelled
        #: attribute-event hooks (athanor.orm._attr_events), or None
        self._events: Any = None

    # -- descriptor ----------------------------------------------------------------------
    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        st: InstanceState | None = obj.__dict__.get(STATE_KEY)
        if st is None or (st.key is None and st.expired is None):
            if self._events is not None and self._events.init_scalar:
                from athanor.orm._attr_events import fire_init_scalar

                return fire_init_scalar(self, obj)
            return None
        return load_missing(st, obj, self.key)

    # -- SQL expression ------------------------------------------------------------------
    def __clause_element__(self) -> Any:
        return self.column

    @property
    def expression(self) -> Any:
        return self.column

    @property
    def parent(self) -> Mapper:
        return self.prop.parent

    @property
    def type(self) -> Any:
        return self.column.type

    @property
    def name(self) -> str:
        return self.column.name

    @property
    def table(self) -> Any:
        return self.column.table

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return getattr(self.column, name)
        except AttributeError:
            raise AttributeError(
                f"Neither {self.class_.__name__}.{self.key} nor its column has an attribute "
                f"{name!r}."
            ) from None

    __hash__ = object.__hash__

    # the comparisons ORM code writes most, without the generic forwarding's tuple
    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return self.column == (other.column if type(other) is InstrumentedAttribute else other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return self.column != (other.column if type(other) is InstrumentedAttribute else other)

    for _name in (  # noqa: SIM905 - one string reads better than 28 quoted names
        "__lt__ __le__ __gt__ __ge__ __add__ __radd__ __sub__ __rsub__ __mul__ __rmul__ "
        "__truediv__ __rtruediv__ __floordiv__ __rfloordiv__ __mod__ __rmod__ __neg__ "
        "__invert__ __and__ __rand__ __or__ __ror__ __getitem__ __lshift__ __rshift__ "
        "__pow__ __rpow__ __abs__"
    ).split():
        locals()[_name] = _forward(_name)
    del _name

    def __repr__(self) -> str:
        return f"<InstrumentedAttribute {self.class_.__name__}.{self.key}>"

    def __str__(self) -> str:
        return f"{self.class_.__name__}.{self.key}"

    # defined last: the name shadows the builtin inside the class body
    property = property(lambda self: self.prop)  # noqa: A003


def load_missing(st: InstanceState, obj: Any, key: str) -> Any:
    """Produce the value of an attribute that is not in ``__dict__``.

    Attached: reload expired/unloaded attributes from the database. Detached: restore the last
    known values, or raise DetachedInstanceError naming the attribute and the fix.
    """
    d = obj.__dict__
    session = st.session
    if session is not None and st.key is not None and not st.deleted:
        if st.mapper._extra is not None or st.raiseload is not None:
            from athanor.orm._deferred import load_attribute

            return load_attribute(st, obj, key)  # deferred columns, expressions
        session._load_expired(st, obj)
        if key in d:
            return d[key]
    expired = st.expired
    if expired is not None:
        for k, v in expired.items():
            if k not in d:
                d[k] = v
        st.expired = None
        if key in d:
            return d[key]
    if st.key is None:
        return None
    from athanor.orm.exc import DetachedInstanceError

    cls = type(obj).__name__
    what = "the attribute was never loaded"
    if key not in st.mapper._load_keys:
        what = (f"it is a deferred column that was not loaded (undefer({cls}.{key}) or "
                f"load_only() in the query loads it with the object)")
    raise DetachedInstanceError(
        f"Reading {cls}.{key} failed: {what} and the {cls} instance "
        f"is not bound to a Session, so it cannot be loaded now. Load it while the Session is "
        f"open (read it, or session.refresh(obj, [{key!r}])), or attach the object to a new "
        f"Session with session.add(obj) or session.merge(obj)."
    )


def instrumented_setattr(self: Any, key: str, value: Any) -> None:
    """``__setattr__`` of mapped classes: track writes to mapped columns of known rows."""
    d = self.__dict__
    st: InstanceState | None = d.get(STATE_KEY)
    if st is None or key not in st.mapper._column_keys:
        object.__setattr__(self, key, value)
        return
    if st.key is not None:
        committed = st.committed
        if committed is None or key not in committed:
            old = d.get(key, NO_VALUE)
            if old is NO_VALUE and st.expired is not None:
                old = st.expired.get(key, NO_VALUE)
            if committed is None:  # first change since the last flush: register once
                st.committed = {key: old}
                session = st.session
                if session is not None:
                    session._modified[st] = self
            else:
                committed[key] = old
    d[key] = value


def get_history(obj: Any, key: str, passive: Any = None) -> History:
    """The :class:`History` of attribute ``key`` of ``obj`` (an instance or its state)."""
    st = obj if isinstance(obj, InstanceState) else instance_state(obj)
    prop = st.mapper._props.get(key)
    if prop is not None and prop.is_relationship:
        return _relationship_history(st, key, prop)
    return _column_history(st, key)


def _relationship_history(st: InstanceState, key: str, prop: Any) -> History:
    from athanor.orm.collections import changes_of, members

    obj = st()
    current = obj.__dict__.get(key, NO_VALUE) if obj is not None else NO_VALUE
    change = None
    if st.key is not None and st.session is not None:
        change = changes_of(st.session).get((st, key))
    items = [] if current is NO_VALUE or current is None else (
        list(members(current)) if prop.uselist else [current])  # a dict's values
    if st.key is None:  # pending or transient: all of it is new
        return History(items or (), (), ())
    if change is None:
        return History((), items or (), ())
    present = {id(x) for x in items}
    added = [x for x in change.added if id(x) in present]
    added_ids = {id(x) for x in added}
    unchanged = [x for x in items if id(x) not in added_ids]
    return History(added or (), unchanged or (), list(change.removed) or ())


def _column_history(st: InstanceState, key: str) -> History:
    obj = st()
    d = obj.__dict__ if obj is not None else {}
    if key in d:
        current = d[key]
    elif st.expired is not None and key in st.expired:
        current = st.expired[key]
    else:
        current = NO_VALUE
    now = [current] if current is not NO_VALUE else ()  # lists, as SQLAlchemy's; empty: ()
    if st.key is None:
        return History(now, (), ())
    committed = st.committed
    if committed is not None and key in committed:
        old = committed[key]
        if old is NO_VALUE or old != current:
            return History(now, (), [old] if old is not NO_VALUE else ())
    return History((), now, ())


# --------------------------------------------------------------------------------------
# the functional API (``orm.attributes.flag_modified`` & co.)

#: History of an attribute with no value and no change.
HISTORY_BLANK = History((), (), ())


def instance_state(obj: Any) -> InstanceState:
    """The :class:`InstanceState` of a mapped object (as ``inspect(obj)``)."""
    st = obj.__dict__.get(STATE_KEY) if hasattr(obj, "__dict__") else None
    if st is not None:
        return st  # type: ignore[no-any-return]
    mapper = getattr(type(obj), "__mapper__", None)
    if mapper is None:
        from athanor.orm.exc import UnmappedInstanceError

        raise UnmappedInstanceError(
            f"{obj!r} is not an instance of a mapped class; instance_state() needs an object "
            f"of a class mapped with declarative_base() or registry.map_imperatively()."
        )
    from athanor.orm.state import new_state

    return new_state(obj, mapper)


def instance_dict(obj: Any) -> dict[str, Any]:
    """The attribute dictionary of a mapped object (its ``__dict__``)."""
    return obj.__dict__  # type: ignore[no-any-return]


def get_state_history(st: InstanceState, key: str, passive: Any = None) -> History:
    return get_history(st, key)


def set_attribute(instance: Any, key: str, value: Any) -> None:
    """``setattr`` with change tracking (for code that bypasses the class's attributes)."""
    setattr(instance, key, value)


def get_attribute(instance: Any, key: str) -> Any:
    return getattr(instance, key)


def del_attribute(instance: Any, key: str) -> None:
    delattr(instance, key)


def set_committed_value(instance: Any, key: str, value: Any) -> None:
    """Set ``key`` as if it had been loaded with ``value``: no history, nothing to flush."""
    st = instance_state(instance)
    prop: Any = st.mapper._props.get(key)
    if prop is not None and prop.is_relationship and prop.uselist:
        from athanor.orm.collections import make_collection

        value = make_collection(prop, st, value or ())
    instance.__dict__[key] = value
    if st.committed is not None:
        st.committed.pop(key, None)
    if st.expired is not None:
        st.expired.pop(key, None)


class PropComparator:
    """Base class for an attribute's SQL comparator: operators apply to
    :meth:`__clause_element__` (the mapped property's expression); subclasses override
    the ones they redefine (``__eq__``, ``like``, ...)."""

    __hash__ = object.__hash__

    def __init__(self, prop: Any, parentmapper: Any = None, adapt_to_entity: Any = None
                 ) -> None:
        self.prop = self.property = prop
        self._parententity = parentmapper if parentmapper is not None else getattr(
            prop, "parent", None)
        self._adapt_to_entity = adapt_to_entity

    def __clause_element__(self) -> Any:
        expr = getattr(self.prop, "expression", None)
        return expr if expr is not None else self.prop.columns[0]

    @property
    def expression(self) -> Any:
        return self.__clause_element__()

    @property
    def parentmapper(self) -> Any:
        return self._parententity

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.__clause_element__(), name)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return self.__clause_element__() == other

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return self.__clause_element__() != other

    def __lt__(self, other: Any) -> Any:
        return self.__clause_element__() < other

    def __le__(self, other: Any) -> Any:
        return self.__clause_element__() <= other

    def __gt__(self, other: Any) -> Any:
        return self.__clause_element__() > other

    def __ge__(self, other: Any) -> Any:
        return self.__clause_element__() >= other



from athanor.orm._attr_events import (  # noqa: E402 - SQLAlchemy's home of these names
    NEVER_SET,
    AttributeEventToken,
    Event,
    flag_dirty,
    flag_modified,
)

__all__ = ["HISTORY_BLANK", "NEVER_SET", "NO_VALUE", "AttributeEventToken", "Event",
           "History", "InstrumentedAttribute", "PropComparator", "del_attribute", "flag_dirty",
           "flag_modified", "get_attribute", "get_history", "get_state_history",
           "instance_dict", "instance_state", "instrumented_setattr", "load_missing",
           "set_attribute", "set_committed_value"]
