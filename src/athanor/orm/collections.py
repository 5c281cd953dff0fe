"""Relationship values in memory: instrumented collections, assignment, both sides in step.

Design
------
A one-to-many or many-to-many value is an :class:`InstrumentedList` (or
:class:`InstrumentedSet` with ``collection_class=set``): a real ``list``/``set`` subclass,
so reads, iteration and ``len`` cost what they cost on the builtin. Only the mutating
methods are overridden; each calls :func:`_added` / :func:`_removed` once per member that
enters or leaves. Loading fills a collection through the builtin methods, so no event runs
for loaded rows.

An event does three things:

1. records the change for the flush, in the session's ``_athanor_rel`` dict keyed by
   ``(owner state, attribute key)`` (only for persistent owners: for new owners the flush
   takes the whole current value);
2. keeps the reverse relationship (``back_populates`` / ``backref``) in step by writing the
   other side's ``__dict__`` directly (never firing events back), touching only values
   that are already loaded, as SQLAlchemy does;
3. cascades ``save-update``: an object put into a relationship of an object that is in a
   session joins that session.

Scalar relationships (many-to-one, ``uselist=False``) go through :func:`set_value`, which
does the same for the old and the new value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from athanor import exc
from athanor.orm._attr_events import (
    fire_append,
    fire_init_collection,
    fire_remove,
    fire_set,
)
from athanor.orm._validators import (
    validate_backref,
    validate_backref_remove,
    validate_item,
    validate_remove,
)
from athanor.orm.mapped_collection import KeyFuncDict as KeyFuncDict  # re-exported names
from athanor.orm.mapped_collection import MappedCollection as MappedCollection
from athanor.orm.mapped_collection import attribute_keyed_dict as attribute_keyed_dict
from athanor.orm.mapped_collection import attribute_mapped_collection as attribute_mapped_collection
from athanor.orm.mapped_collection import check_assigned, fill
from athanor.orm.mapped_collection import column_keyed_dict as column_keyed_dict
from athanor.orm.mapped_collection import column_mapped_collection as column_mapped_collection
from athanor.orm.mapped_collection import keyfunc_mapping as keyfunc_mapping
from athanor.orm.mapped_collection import mapped_collection as mapped_collection
from athanor.orm.state import NO_VALUE, STATE_KEY, InstanceState, new_state

if TYPE_CHECKING:
    from athanor.orm.relationships import RelationshipProperty

_MISSING: Any = object()


class Change:
    """What happened to one relationship of one persistent object since the last flush."""

    __slots__ = ("obj", "added", "removed", "scalar")

    def __init__(self, obj: Any) -> None:
        self.obj = obj  # keeps the owner alive until the flush
        self.added: list[Any] = []
        self.removed: list[Any] = []
        self.scalar = False


def changes_of(session: Any) -> dict[tuple[InstanceState, str], Change]:
    d = session.__dict__.get("_athanor_rel")
    if d is None:
        d = session.__dict__["_athanor_rel"] = {}
    return d


def _change(st: InstanceState | None, key: str) -> Change | None:
    if st is None or st.key is None:
        return None
    session = st.session
    if session is None:
        return None
    changes = changes_of(session)
    ch = changes.get((st, key))
    if ch is None:
        ch = changes[(st, key)] = Change(st())
    return ch


def state_for(obj: Any) -> InstanceState:
    st = obj.__dict__.get(STATE_KEY)
    if st is None:
        st = new_state(obj, type(obj).__mapper__)
    return st


def _check_item(prop: RelationshipProperty, item: Any) -> None:
    if not isinstance(item, prop.mapper.class_):
        raise exc.ArgumentError(
            f"Setting {prop} failed: expected {prop.mapper.class_.__name__} objects; got "
            f"{type(item).__name__}. Add instances of the related model."
        )


# --------------------------------------------------------------------------------------
# events


def _added(prop: RelationshipProperty, st: InstanceState, item: Any) -> None:
    _check_item(prop, item)
    ch = _change(st, prop.key)
    if ch is not None:
        ch.added.append(item)
    owner = st()
    rev = prop._reverse
    if rev is not None and owner is not None:
        _reverse_add(rev, item, owner)
    _cascade(prop, st, item)


def _removed(prop: RelationshipProperty, st: InstanceState, item: Any) -> None:
    if prop._events is not None and prop._events.remove:  # attribute events
        owner = st()
        if owner is not None:
            fire_remove(prop, owner, item)
    ch = _change(st, prop.key)
    if ch is not None:
        ch.removed.append(item)
    owner = st()
    rev = prop._reverse
    if rev is not None and owner is not None:
        _reverse_remove(rev, item, owner)


def _cascade(prop: RelationshipProperty, st: InstanceState, item: Any) -> None:
    session = st.session
    if session is None or not prop.cascade.save_update:
        return
    ist = item.__dict__.get(STATE_KEY)
    if ist is None or ist.session is None:
        session.add(item)


def _appending(prop: RelationshipProperty, owner_state: InstanceState, item: Any) -> Any:
    """An ``append`` listener sees the member before it goes in (it may replace it)."""
    owner = owner_state()
    return fire_append(prop, owner, item) if owner is not None and prop._events.append else item


def _backref_event(rev: RelationshipProperty, item: Any, owner: Any) -> None:
    """A backref puts ``owner`` into ``item.<rev>``: that attribute's set/append event."""
    hooks = rev._events
    rev.setup()
    if rev.uselist:
        coll = item.__dict__.get(rev.key)
        if hooks.append and not (coll is not None and _contains(coll, owner)):
            fire_append(rev, item, owner)
    elif hooks.set and item.__dict__.get(rev.key, _MISSING) is not owner:
        old = item.__dict__.get(rev.key, NO_VALUE)
        fire_set(item, hooks, owner, old)


def _reverse_add(rev: RelationshipProperty, item: Any, owner: Any) -> None:
    if rev._validator is not None:
        validate_backref(rev, item, owner)
    if rev._events is not None:  # the other side's attribute events
        _backref_event(rev, item, owner)
    d = item.__dict__
    ist = state_for(item)
    if rev.uselist:
        coll = d.get(rev.key)
        if coll is None and ist.key is None:  # new object: its collection starts empty
            coll = d[rev.key] = make_collection(rev, ist, [])
        if coll is not None and not _contains(coll, owner):
            _raw_add(coll, owner)
            ch = _change(ist, rev.key)
            if ch is not None:
                ch.added.append(owner)
        return
    old = d.get(rev.key, _MISSING)
    if old is owner:
        return
    d[rev.key] = owner
    ch = _change(ist, rev.key)
    if ch is not None:
        ch.scalar = True
    if old is not _MISSING and old is not None and rev._reverse is not None:
        coll = old.__dict__.get(rev._reverse.key)
        if coll is not None and rev._reverse.uselist and _contains(coll, item):
            _raw_remove(coll, item)
            och = _change(old.__dict__.get(STATE_KEY), rev._reverse.key)
            if och is not None:
                och.removed.append(item)


def _reverse_remove(rev: RelationshipProperty, item: Any, owner: Any) -> None:
    if rev._validator is not None:
        validate_backref_remove(rev, item, owner)
    d = item.__dict__
    ist = state_for(item)
    hooks = rev._events
    if rev.uselist:
        coll = d.get(rev.key)
        if coll is not None and _contains(coll, owner):
            _raw_remove(coll, owner)
            if hooks is not None and hooks.remove:
                fire_remove(rev, item, owner)
            ch = _change(ist, rev.key)
            if ch is not None:
                ch.removed.append(owner)
        return
    current = d.get(rev.key, _MISSING)
    if current is owner or current is _MISSING and ist.key is not None:  # unloaded: it was
        if hooks is not None and hooks.set and current is owner:
            fire_set(item, hooks, None, owner)
        d[rev.key] = None
        ch = _change(ist, rev.key)
        if ch is not None:
            ch.scalar = True


def members(coll: Any) -> Any:
    """The related objects of a collection value (a dictionary's values)."""
    return coll.values() if isinstance(coll, dict) else coll


def _contains(coll: Any, obj: Any) -> bool:
    if isinstance(coll, set):
        return obj in coll
    return any(o is obj for o in members(coll))


def _raw_add(coll: Any, obj: Any) -> None:
    if isinstance(coll, (_UserList, _UserSet)):
        _quiet_fill(coll, [obj])
    elif isinstance(coll, set):
        set.add(coll, obj)
    elif isinstance(coll, KeyFuncDict):
        fill(coll, [obj])
    else:
        list.append(coll, obj)


def _raw_remove(coll: Any, obj: Any) -> None:
    if isinstance(coll, set):
        set.discard(coll, obj)
        return
    if isinstance(coll, dict):
        for key, o in list(coll.items()):
            if o is obj:
                dict.__delitem__(coll, key)
                return
        return
    for i, o in enumerate(coll):
        if o is obj:
            list.__delitem__(coll, i)
            return


# --------------------------------------------------------------------------------------
# collection classes


class InstrumentedList(list):  # type: ignore[type-arg]
    """A list that tells the ORM about members entering and leaving it."""

    __slots__ = ("_sa_owner", "_sa_prop")

    _sa_owner: InstanceState
    _sa_prop: RelationshipProperty

    def append(self, item: Any) -> None:
        if self._sa_prop._validator is not None:  # @validates (orm/_validators.py)
            item = validate_item(self._sa_prop, self._sa_owner, item)
        if self._sa_prop._events is not None:  # attribute events (orm/_attr_events.py)
            item = _appending(self._sa_prop, self._sa_owner, item)
        list.append(self, item)
        _added(self._sa_prop, self._sa_owner, item)

    def extend(self, items: Iterable[Any]) -> None:
        for item in list(items):
            self.append(item)

    def __iadd__(self, items: Iterable[Any]) -> InstrumentedList:  # type: ignore[override,misc]
        self.extend(items)
        return self

    def insert(self, index: Any, item: Any) -> None:
        if self._sa_prop._validator is not None:
            item = validate_item(self._sa_prop, self._sa_owner, item)
        if self._sa_prop._events is not None:
            item = _appending(self._sa_prop, self._sa_owner, item)
        list.insert(self, index, item)
        _added(self._sa_prop, self._sa_owner, item)

    def remove(self, item: Any) -> None:
        if self._sa_prop._validator is not None:
            validate_remove(self._sa_prop, self._sa_owner, item)
        list.remove(self, item)
        _removed(self._sa_prop, self._sa_owner, item)

    def pop(self, index: Any = -1) -> Any:
        item = list.pop(self, index)
        _removed(self._sa_prop, self._sa_owner, item)
        return item

    def clear(self) -> None:
        items = list(self)
        list.clear(self)
        for item in items:
            _removed(self._sa_prop, self._sa_owner, item)

    def __setitem__(self, index: Any, value: Any) -> None:
        old = self[index]
        list.__setitem__(self, index, value)
        old_items = old if isinstance(index, slice) else [old]
        new_items = list(value) if isinstance(index, slice) else [value]
        for item in old_items:
            if not any(item is n for n in new_items):
                _removed(self._sa_prop, self._sa_owner, item)
        for item in new_items:
            if not any(item is o for o in old_items):
                _added(self._sa_prop, self._sa_owner, item)

    def __delitem__(self, index: Any) -> None:
        old = self[index]
        list.__delitem__(self, index)
        for item in old if isinstance(index, slice) else [old]:
            _removed(self._sa_prop, self._sa_owner, item)

    def __reduce__(self) -> Any:
        return (list, (list(self),))

    def __repr__(self) -> str:
        return list.__repr__(self)


class InstrumentedSet(set):  # type: ignore[type-arg]
    """A set that tells the ORM about members entering and leaving it."""

    __slots__ = ("_sa_owner", "_sa_prop")

    _sa_owner: InstanceState
    _sa_prop: RelationshipProperty

    def add(self, item: Any) -> None:
        if item in self:
            return
        if self._sa_prop._validator is not None:
            item = validate_item(self._sa_prop, self._sa_owner, item)
        if self._sa_prop._events is not None:
            item = _appending(self._sa_prop, self._sa_owner, item)
        set.add(self, item)
        _added(self._sa_prop, self._sa_owner, item)

    def update(self, *others: Iterable[Any]) -> None:  # type: ignore[override]
        for other in others:
            for item in list(other):
                self.add(item)

    def __ior__(self, other: Any) -> InstrumentedSet:  # type: ignore[override,misc]
        self.update(other)
        return self

    def discard(self, item: Any) -> None:
        if item in self:
            if self._sa_prop._validator is not None:
                validate_remove(self._sa_prop, self._sa_owner, item)
            set.discard(self, item)
            _removed(self._sa_prop, self._sa_owner, item)

    def remove(self, item: Any) -> None:
        if self._sa_prop._validator is not None and item in self:
            validate_remove(self._sa_prop, self._sa_owner, item)
        set.remove(self, item)
        _removed(self._sa_prop, self._sa_owner, item)

    def pop(self) -> Any:
        item = set.pop(self)
        _removed(self._sa_prop, self._sa_owner, item)
        return item

    def clear(self) -> None:
        items = list(self)
        set.clear(self)
        for item in items:
            _removed(self._sa_prop, self._sa_owner, item)

    def difference_update(self, *others: Iterable[Any]) -> None:  # type: ignore[override]
        for other in others:
            for item in list(other):
                self.discard(item)

    def __isub__(self, other: Any) -> InstrumentedSet:  # type: ignore[override,misc]
        self.difference_update(other)
        return self

    def __reduce__(self) -> Any:
        return (set, (set(self),))

    def __repr__(self) -> str:
        return set.__repr__(self)


def make_collection(prop: RelationshipProperty, st: InstanceState, items: Iterable[Any]) -> Any:
    """A collection holding ``items`` for ``st``'s object, built without events."""
    coll: Any
    if prop.collection_class is None:
        coll = InstrumentedList(items)
        coll._sa_owner = st
        coll._sa_prop = prop
    else:
        kind, factory = collection_factory(prop)
        coll = factory()
        coll._sa_owner = st
        coll._sa_prop = prop
        if kind == "dict":
            fill(coll, items)
        elif isinstance(coll, (_UserList, _UserSet)):
            _quiet_fill(coll, items)
        elif kind == "set":
            set.update(coll, items)
        else:
            list.extend(coll, items)
    if prop._events is not None and prop._events.init_collection:
        owner = st()
        if owner is not None:
            fire_init_collection(prop, owner, coll)
    return coll


class _UserList(InstrumentedList):
    """Base of instrumented subclasses of users' list classes: while the collection is
    being filled by a load or a backref, ``append`` (the user's, which reaches this one
    through ``super()``) adds without events, as SQLAlchemy's appender does."""

    __slots__ = ()

    def append(self, item: Any) -> None:
        if getattr(self, "__dict__", {}).get("_sa_quiet"):
            list.append(self, item)
        else:
            InstrumentedList.append(self, item)


class _UserSet(InstrumentedSet):
    """:class:`_UserList` for set classes (``add``)."""

    __slots__ = ()

    def add(self, item: Any) -> None:
        if getattr(self, "__dict__", {}).get("_sa_quiet"):
            set.add(self, item)
        else:
            InstrumentedSet.add(self, item)


def _quiet_fill(coll: Any, items: Iterable[Any]) -> None:
    """Fill a user-class collection through its own appender, without events."""
    add = coll.add if isinstance(coll, set) else coll.append
    d = getattr(coll, "__dict__", None)
    if d is None:  # a slotted user class: no flag to set, builtin fill
        if isinstance(coll, set):
            set.update(coll, items)
        else:
            list.extend(coll, items)
        return
    d["_sa_quiet"] = True
    try:
        for item in items:
            add(item)
    finally:
        del d["_sa_quiet"]


_instrumented: dict[type, type] = {}


def _from_factory(factory: Callable[[], Any], sub: type) -> Callable[[], Any]:
    """Empty instrumented collections carrying the attributes ``factory()``'s instance
    was built with (its own ``__init__`` arguments, e.g. ordering_list's attribute)."""
    def make() -> Any:
        proto = factory()
        coll: Any = sub.__new__(sub)  # type: ignore[call-overload]
        state = getattr(proto, "__dict__", None)
        if state:
            coll.__dict__.update(state)
        return coll

    return make


def collection_factory(prop: RelationshipProperty) -> tuple[str, Callable[[], Any]]:
    """("list" | "set" | "dict", a no-argument factory of empty instrumented collections)
    for ``prop.collection_class`` (cached on the property)."""
    found = prop.__dict__.get("_coll_factory")
    if found is not None:
        return found  # type: ignore[no-any-return]
    cc = prop.collection_class
    cls = cc if isinstance(cc, type) else type(cc())
    found = _factory_for(prop, cc, cls)
    prop.__dict__["_coll_factory"] = found
    return found


def _factory_for(prop: RelationshipProperty, cc: Any, cls: type
                 ) -> tuple[str, Callable[[], Any]]:
    if issubclass(cls, KeyFuncDict):
        return "dict", cc
    for kind, base, instrumented, user_base in (
            ("list", list, InstrumentedList, _UserList), ("set", set, InstrumentedSet, _UserSet)):
        if not issubclass(cls, base):
            continue
        if issubclass(cls, instrumented):
            return kind, cls
        if cls is base:
            return kind, instrumented
        sub = _instrumented.get(cls)
        if sub is None:  # the user's methods first, ours below them (super() reaches ours)
            sub = _instrumented[cls] = type(cls.__name__, (cls, user_base), {
                "__module__": cls.__module__, "__qualname__": cls.__qualname__})
        if not isinstance(cc, type):  # a factory (ordering_list(...)): its instance's state
            return kind, _from_factory(cc, sub)
        return kind, sub
    hint = ("collection_class=attribute_keyed_dict('<attribute>')" if issubclass(cls, dict)
            else "list, set or a subclass of either")
    from athanor.orm.exc import MappingError

    raise MappingError(
        f"relationship {prop} failed: collection_class={cls.__name__} is not a collection "
        f"athanor can manage. Use {hint}."
    )


# --------------------------------------------------------------------------------------
# assignment


def set_value(prop: RelationshipProperty, obj: Any, value: Any) -> None:
    """``obj.<relationship> = value``: replace the value, tracking what changed."""
    prop.setup()
    st = state_for(obj)
    if prop.uselist:
        _set_collection(prop, st, obj, value)
    else:
        _set_scalar(prop, st, obj, value)


def _set_collection(prop: RelationshipProperty, st: InstanceState, obj: Any, value: Any) -> None:
    if value is None or isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise exc.ArgumentError(
            f"Setting {prop} failed: it is a collection, so it takes a list (or set) of "
            f"{prop.mapper.class_.__name__} objects; got {type(value).__name__}."
        )
    if prop.collection_class is not None and collection_factory(prop)[0] == "dict":
        items = check_assigned(prop, collection_factory(prop)[1](), value)
    else:
        items = list(members(value))
    d = obj.__dict__
    old = d.get(prop.key, _MISSING)
    if old is _MISSING:
        old = getattr(obj, prop.key) if st.key is not None and st.session is not None else []
    old_items = list(members(old))
    coll = make_collection(prop, st, items)
    d[prop.key] = coll
    appending = prop._events is not None and prop._events.append
    for item in items:  # as SQLAlchemy: the new members first, then the ones leaving
        if not any(item is o for o in old_items):
            if appending:
                fire_append(prop, obj, item)
            _added(prop, st, item)
    for item in old_items:
        if not any(item is n for n in items):
            _removed(prop, st, item)


def _set_scalar(prop: RelationshipProperty, st: InstanceState, obj: Any, value: Any) -> None:
    d = obj.__dict__
    old = d.get(prop.key, _MISSING)
    if old is _MISSING and st.key is not None and st.session is not None:
        from athanor.orm.strategies import peek_or_load

        old = peek_or_load(prop, obj)
    if old is value:
        d[prop.key] = value
        return
    if value is not None:
        _check_item(prop, value)
    d[prop.key] = value
    ch = _change(st, prop.key)
    if ch is not None:
        ch.scalar = True
        if old is not _MISSING and old is not None:
            ch.removed.append(old)
        if value is not None:
            ch.added.append(value)
    rev = prop._reverse
    if rev is not None:
        if old is not _MISSING and old is not None:
            _reverse_remove(rev, old, obj)
        if value is not None:
            _reverse_add(rev, value, obj)
    if value is not None:
        _cascade(prop, st, value)

