"""Per-instance ORM state: one small slotted object per mapped instance.

Design
------
Column values live in the instance ``__dict__`` (reads are plain dict hits); everything the
ORM needs to know about the instance lives in one :class:`InstanceState`, stored in the
``__dict__`` under :data:`STATE_KEY`. To keep per-row work small a freshly loaded state sets
five slots: ``modified`` is derived (``committed is not None``) and the strong reference that
keeps a modified instance alive lives in its session's ``_modified`` dict.

``InstanceState`` *is* the weak reference to its instance (it subclasses ``weakref.ref``), so
the identity map can hold instances weakly at the cost of one allocation per loaded row, not
two. When a clean instance is garbage collected its state stays in the identity map as a
dead reference until the map's next sweep (no per-object callback; see
:mod:`athanor.orm.identity`). Instances with unflushed changes are held strongly by the
session (``_new``, ``_modified``, ``_deleted``) until the flush.

The five instance states of the ORM are derived from three slots, never stored as a flag::

    transient   session is None and key is None
    pending     session is set  and key is None
    persistent  session is set  and key is set  and not deleted
    deleted     session is set  and key is set  and deleted (delete flushed, not committed)
    detached    session is None and key is set

Expiry (after commit, ``expire()``) moves the loaded values out of ``__dict__`` into
``state.expired`` so the next read falls through to the attribute descriptor, which reloads
from the database if the instance is attached, or restores the last known values if it is
detached (athanor's choice: a detached object stays readable with its committed values).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper
    from athanor.orm.session import Session

#: The ``__dict__`` key under which an instance keeps its InstanceState.
STATE_KEY = "_sa_instance_state"


class _NoValue:
    """Marker for "this attribute had no value" in change history."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_VALUE"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "NO_VALUE"  # pickled by name: unpickling gives the one marker back


NO_VALUE: Any = _NoValue()


class InstanceState(weakref.ref):  # type: ignore[type-arg]
    """The ORM's bookkeeping for one mapped instance (and a weak reference to it)."""

    # Five slots are set for every loaded row; ``deleted`` (rarely set) is a class-level
    # default overridden through the lazily created instance __dict__. ``committed`` and
    # ``expired`` stay slots: commit expires every loaded object, and a per-state dict
    # there would cost an allocation per object per commit.
    __slots__ = ("mapper", "key", "session", "committed", "expired", "__dict__")

    # States are compared and hashed by identity (weakref.ref would compare the referents).
    __hash__ = object.__hash__
    __eq__ = object.__eq__  # type: ignore[assignment]
    __ne__ = object.__ne__  # type: ignore[assignment]

    mapper: Mapper
    #: Identity value: the primary key scalar (single-column keys) or tuple (composite).
    key: Any
    session: Session | None
    #: Original values of attributes changed since the last flush/load: {key: old value}.
    committed: dict[str, Any] | None
    #: Last known values of expired attributes (moved out of ``__dict__``), or None.
    expired: dict[str, Any] | None
    deleted: bool = False
    #: keys that raise when read unloaded (``defer(..., raiseload=True)``), or None
    raiseload: frozenset[str] | None = None

    # No __new__/__init__ overrides and no weakref callback: construction stays in C, and
    # dead entries are swept from the identity map in bulk (see athanor.orm.identity).

    # -- derived states ---------------------------------------------------------------
    @property
    def modified(self) -> bool:
        return self.committed is not None

    @property
    def obj(self) -> Any:
        return self()

    @property
    def transient(self) -> bool:
        return self.session is None and self.key is None

    @property
    def pending(self) -> bool:
        return self.session is not None and self.key is None

    @property
    def persistent(self) -> bool:
        return self.session is not None and self.key is not None and not self.deleted

    @property
    def was_deleted(self) -> bool:
        return self.deleted

    @property
    def detached(self) -> bool:
        return self.session is None and self.key is not None

    @property
    def has_identity(self) -> bool:
        return self.key is not None

    @property
    def identity(self) -> tuple[Any, ...] | None:
        if self.key is None:
            return None
        return self.key if self.mapper._pk_composite else (self.key,)

    @property
    def identity_key(self) -> tuple[type, tuple[Any, ...], None] | None:
        ident = self.identity
        if ident is None:
            return None
        return (self.mapper.class_, ident, None)

    def __repr__(self) -> str:
        obj = self()
        name = type(obj).__name__ if obj is not None else "<collected>"
        return f"<InstanceState of {name} key={self.key!r}>"

    def __reduce__(self) -> Any:
        # Pickling an instance pickles its state as *detached*: identity, unflushed changes
        # and the last known values of expired attributes, not the session. The instance
        # itself is the first argument; pickle has memoised it already (its __dict__, which
        # holds this state, is written after the object), so no cycle arises.
        return (_restore_state, (self(), self.key, self.committed, self.expired))


def _restore_state(obj: Any, key: Any, committed: dict[str, Any] | None,
                   expired: dict[str, Any] | None) -> InstanceState:
    """Unpickle an instance's state: detached, ready for ``session.add()``/``merge()``."""
    from athanor.orm.mapper import object_mapper

    st = InstanceState(obj)
    st.mapper = object_mapper(obj)
    st.key = key
    st.session = None
    st.committed = committed
    st.expired = expired
    return st


def new_state(obj: Any, mapper: Mapper) -> InstanceState:
    """Create and attach a transient state to ``obj``."""
    st = InstanceState(obj)
    st.mapper = mapper
    st.key = None
    st.session = None
    st.committed = None
    st.expired = None
    obj.__dict__[STATE_KEY] = st
    return st


def state_of(obj: Any, mapper: Mapper) -> InstanceState:
    """The instance's state, created (transient) on first use."""
    st: InstanceState | None = obj.__dict__.get(STATE_KEY)
    if st is None:
        st = new_state(obj, mapper)
    return st


def mark_modified(st: InstanceState, obj: Any, key: str, old: Any) -> None:
    """Record ``old`` as the committed value of ``key`` and register the change once."""
    committed = st.committed
    if committed is None:
        st.committed = {key: old}
        session = st.session
        if session is not None:
            session._modified[st] = obj
    elif key not in committed:
        committed[key] = old


class AttributeState:
    """``inspect(obj).attrs.<name>``: one attribute's value and change history."""

    __slots__ = ("state", "key")

    def __init__(self, state: InstanceState, key: str) -> None:
        self.state = state
        self.key = key

    @property
    def value(self) -> Any:
        return getattr(self.state(), self.key)

    @property
    def loaded_value(self) -> Any:
        obj = self.state()
        if obj is None:
            return NO_VALUE
        d = obj.__dict__
        if self.key in d:
            return d[self.key]
        expired = self.state.expired
        if expired is not None and self.key in expired:
            return expired[self.key]
        return NO_VALUE

    @property
    def history(self) -> Any:
        from athanor.orm.attributes import get_history

        return get_history(self.state, self.key)

    def load_history(self) -> Any:
        return self.history

    def __repr__(self) -> str:
        return f"<AttributeState {self.key}>"


def _attrs(self: InstanceState) -> Any:
    from athanor.orm.mapper import KeyedList

    return KeyedList([(k, AttributeState(self, k)) for k in self.mapper._props])


def _unloaded(self: InstanceState) -> set[str]:
    obj = self()
    d = obj.__dict__ if obj is not None else {}
    return {k for k in self.mapper._column_keys if k not in d}


def _expired_attributes(self: InstanceState) -> set[str]:
    obj = self()
    d = obj.__dict__ if obj is not None else {}
    return {k for k in (self.expired or ()) if k not in d}


def _unmodified(self: InstanceState) -> set[str]:
    """Mapped attribute names with no change waiting for the next flush."""
    from athanor.orm.attributes import get_history

    return {k for k in self.mapper._props if not get_history(self, k).has_changes()}


InstanceState.unmodified = property(_unmodified)  # type: ignore[attr-defined]
InstanceState.attrs = property(_attrs)  # type: ignore[attr-defined]
InstanceState.unloaded = property(_unloaded)  # type: ignore[attr-defined]
InstanceState.expired_attributes = property(_expired_attributes)  # type: ignore[attr-defined]
InstanceState.object = property(lambda self: self())  # type: ignore[attr-defined]
InstanceState.class_ = property(lambda self: self.mapper.class_)  # type: ignore[attr-defined]
InstanceState.dict = property(  # type: ignore[attr-defined]
    lambda self: self().__dict__ if self() is not None else {}
)
InstanceState.async_session = None  # type: ignore[attr-defined]
