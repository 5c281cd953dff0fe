"""Mutation tracking: in-place changes of dict/list/set column values mark the row dirty.

Design
------
A :class:`Mutable` value remembers its *parents* (the mapped objects holding it, and under
which attribute). Each mutating method calls :meth:`Mutable.changed`, which calls
:func:`athanor.orm.attributes.flag_modified` for every live parent, so the next flush writes
the column even though the attribute still holds the same object. Only the top level is
tracked (``obj.data["a"]["b"] = 1`` changes nothing the value can see), as in SQLAlchemy.

Hooking in costs nothing for attributes that are not mutable:

- ``as_mutable(type)`` / ``associate_with(type_class)`` listen for ``mapper_configured``
  and, for each column of that type, call :meth:`Mutable.associate_with_attribute`;
- that installs, for the one attribute, a value hook in the mapper's validator table
  (``mapper._validators``, shared with ``@validates``): every assignment, the constructor's
  included, is coerced to the mutable class and linked to its parent;
- and replaces the class attribute with :class:`MutableAttribute`, a data descriptor whose
  ``__get__`` coerces and links values that arrived without an assignment (loaded rows,
  refreshed or unpickled objects) on first read.

Parents are held weakly (by ``id`` with a weak reference, so unhashable mapped classes work
too) and are not pickled; an unpickled value is re-linked when its attribute is read.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any, SupportsIndex, TypeVar

from athanor.orm.attributes import InstrumentedAttribute, flag_modified, load_missing
from athanor.orm.mapper import Mapper
from athanor.orm.state import STATE_KEY

_T = TypeVar("_T")
_KT = TypeVar("_KT")
_VT = TypeVar("_VT")
_MISSING: Any = object()


class _Parents:
    """Weakly held ``{parent object: attribute key}`` of one mutable value."""

    __slots__ = ("_refs",)

    def __init__(self) -> None:
        self._refs: dict[int, tuple[weakref.ref[Any], str]] = {}

    def link(self, parent: Any, key: str) -> None:
        pid = id(parent)
        found = self._refs.get(pid)
        if found is not None and found[0]() is parent and found[1] == key:
            return
        refs = self._refs

        def forget(_ref: weakref.ref[Any], pid: int = pid) -> None:
            refs.pop(pid, None)

        refs[pid] = (weakref.ref(parent, forget), key)

    def unlink(self, parent: Any) -> None:
        found = self._refs.get(id(parent))
        if found is not None and found[0]() is parent:
            del self._refs[id(parent)]

    def items(self) -> Iterator[tuple[Any, str]]:
        for ref, key in list(self._refs.values()):
            obj = ref()
            if obj is not None:
                yield obj, key

    def __contains__(self, parent: object) -> bool:
        found = self._refs.get(id(parent))
        return found is not None and found[0]() is parent

    def __len__(self) -> int:
        return sum(1 for _ in self.items())


class Mutable:
    """Mixin for values whose in-place changes should reach the owning row.

    Subclasses call :meth:`changed` after each change and implement :meth:`coerce`.
    """

    @property
    def _parents(self) -> _Parents:
        found: _Parents | None = self.__dict__.get("_athanor_parents")
        if found is None:
            found = self.__dict__["_athanor_parents"] = _Parents()
        return found

    def changed(self) -> None:
        """Mark every parent's attribute holding this value as modified."""
        for parent, key in self._parents.items():
            flag_modified(parent, key)

    @classmethod
    def coerce(cls, key: str, value: Any) -> Any:
        """Convert ``value`` to this class for attribute ``key``; None passes through."""
        if value is None:
            return None
        raise ValueError(
            f"Setting attribute {key!r} failed: it does not accept objects of type "
            f"{type(value).__name__!r}. Assign a {cls.__name__} or a value its coerce() "
            f"converts."
        )

    @classmethod
    def associate_with_attribute(cls, attribute: Any) -> None:
        """Track this class's values on one mapped column attribute (``Model.data``)."""
        if not isinstance(attribute, InstrumentedAttribute):
            raise TypeError(
                f"{cls.__name__}.associate_with_attribute() failed: {attribute!r} is not a "
                f"mapped column attribute. Pass one, e.g. MyModel.data."
            )
        _track(attribute.class_, attribute.key, cls)

    @classmethod
    def associate_with(cls, sqltype: type) -> None:
        """Track this class's values on every column whose type is an instance of
        ``sqltype``, in classes mapped from now on."""

        def configured(mapper: Mapper, class_: type) -> None:
            for key, column in _column_props(mapper):
                if isinstance(column.type, sqltype):
                    _track(class_, key, cls)

        _listen_configured(configured)
        for mapper in _mapped_already():  # mapped before this call (SQLAlchemy maps lazily)
            configured(mapper, mapper.class_)

    @classmethod
    def as_mutable(cls, sqltype: Any) -> Any:
        """Return ``sqltype`` (instantiated) and track this class's values on the columns
        declared with exactly that type object, in classes mapped from now on."""
        if isinstance(sqltype, type):
            sqltype = sqltype()

        def configured(mapper: Mapper, class_: type) -> None:
            for key, column in _column_props(mapper):
                if column.type is sqltype:
                    _track(class_, key, cls)

        _listen_configured(configured)
        return sqltype


def _column_props(mapper: Mapper) -> Iterator[tuple[str, Any]]:
    for key in mapper._column_keys:
        prop = mapper._props[key]
        yield key, prop.column  # type: ignore[attr-defined]


def _mapped_already() -> list[Mapper]:
    from athanor.orm.decl import _registries

    return [m for reg in list(_registries) for m in list(reg._mappers)]


def _listen_configured(fn: Callable[[Mapper, type], None]) -> None:
    from athanor.orm import events

    events.listen(Mapper, "mapper_configured", fn, False)


class MutableAttribute(InstrumentedAttribute):
    """A column attribute holding :class:`Mutable` values (see the module docstring)."""

    __slots__ = ("mutable_class",)

    def __init__(self, base: InstrumentedAttribute, class_: type, mutable_class: Any) -> None:
        super().__init__(class_, base.key, base.prop)
        self.mutable_class = mutable_class

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        d = obj.__dict__
        value = d.get(self.key, _MISSING)
        if value is _MISSING:
            st = d.get(STATE_KEY)
            if st is None or (st.key is None and st.expired is None):
                return None
            value = load_missing(st, obj, self.key)
        if value is None:
            return None
        if not isinstance(value, self.mutable_class):
            value = self.mutable_class.coerce(self.key, value)
            d[self.key] = value  # a loaded value: not a change
        value._parents.link(obj, self.key)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        # reached only through object.__setattr__ (objects the ORM has no state for yet)
        obj.__dict__[self.key] = value


def _track(class_: type, key: str, mutable_class: Any) -> None:
    """Coerce and link values of ``class_.key`` on assignment and on first read."""
    mapper: Mapper = class_.__mapper__  # type: ignore[attr-defined]
    current = class_.__dict__.get(key)
    if isinstance(current, MutableAttribute) and current.mutable_class is mutable_class:
        return
    base = getattr(class_, key)
    type.__setattr__(class_, key, MutableAttribute(base, class_, mutable_class))
    _install_hook(mapper, key, mutable_class)


def _install_hook(mapper: Mapper, key: str, mutable_class: Any) -> None:
    from athanor.orm._validators import Validator, validated_setattr
    from athanor.orm.attributes import instrumented_setattr

    user = mapper._validators.get(key)

    def coerce_and_link(obj: Any, key: str, value: Any) -> Any:
        if user is not None:
            value = user(obj, key, value)
        if not isinstance(value, mutable_class):
            value = mutable_class.coerce(key, value)
        old = obj.__dict__.get(key)
        if old is not value and isinstance(old, Mutable):
            old._parents.unlink(obj)
        if value is not None:
            value._parents.link(obj, key)
        return value

    mapper._validators = {**mapper._validators, key: Validator(coerce_and_link, False, True)}
    cls = mapper.class_
    if cls.__dict__.get("__setattr__", instrumented_setattr) is instrumented_setattr:
        type.__setattr__(cls, "__setattr__", validated_setattr)


class _Container(Mutable):
    """Shared part of MutableDict/List/Set: coercion from, and pickling as, the plain type
    (so the parents are never pickled)."""

    _plain: type = object

    @classmethod
    def coerce(cls, key: str, value: Any) -> Any:
        if isinstance(value, cls):
            return value
        if isinstance(value, cls._plain):
            return cls(value)  # type: ignore[call-arg]
        return super().coerce(key, value)

    def __reduce_ex__(self, protocol: SupportsIndex) -> Any:
        return (self.__class__, (self._plain(self),))  # type: ignore[call-arg]


class MutableDict(_Container, dict[_KT, _VT]):
    """A dict that reports key assignments and removals to its parents."""

    _plain = dict

    def __setitem__(self, key: _KT, value: _VT) -> None:
        super().__setitem__(key, value)
        self.changed()

    def __delitem__(self, key: _KT) -> None:
        super().__delitem__(key)
        self.changed()

    def setdefault(self, key: _KT, default: Any = None) -> Any:
        result = super().setdefault(key, default)
        self.changed()
        return result

    def update(self, *args: Any, **kw: Any) -> None:
        super().update(*args, **kw)
        self.changed()

    def pop(self, *args: Any) -> Any:
        result = super().pop(*args)
        self.changed()
        return result

    def popitem(self) -> tuple[_KT, _VT]:
        result = super().popitem()
        self.changed()
        return result

    def clear(self) -> None:
        super().clear()
        self.changed()

    def __ior__(self, other: Any) -> MutableDict[_KT, _VT]:  # type: ignore[override,misc]
        self.update(other)
        return self



class MutableList(_Container, list[_T]):
    """A list that reports every in-place change to its parents."""

    _plain = list

    def __setitem__(self, index: Any, value: Any) -> None:
        super().__setitem__(index, value)
        self.changed()

    def __delitem__(self, index: Any) -> None:
        super().__delitem__(index)
        self.changed()

    def __iadd__(self, other: Iterable[_T]) -> MutableList[_T]:  # type: ignore[override,misc]
        self.extend(other)
        return self

    def __imul__(self, n: SupportsIndex) -> MutableList[_T]:  # type: ignore[override,misc]
        super().__imul__(n)
        self.changed()
        return self

    def append(self, value: _T) -> None:
        super().append(value)
        self.changed()

    def extend(self, values: Iterable[_T]) -> None:
        super().extend(values)
        self.changed()

    def insert(self, index: SupportsIndex, value: _T) -> None:
        super().insert(index, value)
        self.changed()

    def pop(self, *args: SupportsIndex) -> _T:
        result = super().pop(*args)
        self.changed()
        return result

    def remove(self, value: _T) -> None:
        super().remove(value)
        self.changed()

    def clear(self) -> None:
        super().clear()
        self.changed()

    def sort(self, **kw: Any) -> None:
        super().sort(**kw)
        self.changed()

    def reverse(self) -> None:
        super().reverse()
        self.changed()


class MutableSet(_Container, set[_T]):
    """A set that reports every in-place change to its parents."""

    _plain = set

    def update(self, *args: Iterable[_T]) -> None:
        super().update(*args)
        self.changed()

    def intersection_update(self, *args: Iterable[Any]) -> None:
        super().intersection_update(*args)
        self.changed()

    def difference_update(self, *args: Iterable[Any]) -> None:
        super().difference_update(*args)
        self.changed()

    def symmetric_difference_update(self, *args: Iterable[_T]) -> None:
        super().symmetric_difference_update(*args)
        self.changed()

    def __ior__(self, other: Any) -> MutableSet[_T]:  # type: ignore[override,misc]
        self.update(other)
        return self

    def __iand__(self, other: Any) -> MutableSet[_T]:  # type: ignore[override,misc]
        self.intersection_update(other)
        return self

    def __ixor__(self, other: Any) -> MutableSet[_T]:  # type: ignore[override,misc]
        self.symmetric_difference_update(other)
        return self

    def __isub__(self, other: Any) -> MutableSet[_T]:  # type: ignore[override,misc]
        self.difference_update(other)
        return self

    def add(self, value: _T) -> None:
        super().add(value)
        self.changed()

    def remove(self, value: _T) -> None:
        super().remove(value)
        self.changed()

    def discard(self, value: Any) -> None:
        super().discard(value)
        self.changed()

    def pop(self) -> _T:
        result = super().pop()
        self.changed()
        return result

    def clear(self) -> None:
        super().clear()
        self.changed()


__all__ = ["Mutable", "MutableAttribute", "MutableDict", "MutableList", "MutableSet"]
