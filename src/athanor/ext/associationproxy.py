"""``association_proxy()``: an attribute that reaches through a relationship to one
attribute of the related objects.

Design
------
An :class:`AssociationProxy` is a plain descriptor on the mapped class; it owns no state
and no SQL. On an instance it looks at the relationship it names:

- a collection (one-to-many, many-to-many): the value is a live view,
  :class:`_AssociationList` (or :class:`_AssociationSet` for ``collection_class=set``),
  reading ``member.<attr>`` for each member; ``append(v)`` / ``add(v)`` create a member
  with ``creator(v)`` (default: ``TargetClass(v)``, as in SQLAlchemy) and put it in the
  real collection, so the ORM's collection events, cascades and backrefs do all the work;
- a scalar (many-to-one, ``uselist=False``): the value is ``related.<attr>`` (None when
  there is no related object); assigning sets it on the related object, creating one with
  ``creator`` when there is none.

At class level it returns an :class:`AssociationProxyInstance`, which builds the usual
relationship criteria: ``User.keywords.contains("x")`` / ``.any(...)`` (collections),
``Address.user_name == "x"`` / ``.has(...)`` (scalars).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from athanor import exc

__all__ = ["AssociationProxy", "AssociationProxyInstance", "association_proxy"]


class AssociationProxy:
    """The descriptor :func:`association_proxy` returns (``AssociationProxy[list[str]]``
    works as an annotation)."""

    def __class_getitem__(cls, item: Any) -> type[AssociationProxy]:
        return cls

    def __init__(self, target_collection: str, attr: str, *,
                 creator: Callable[..., Any] | None = None, getset_factory: Any = None,
                 proxy_factory: Any = None, proxy_bulk_set: Any = None, info: Any = None,
                 cascade_scalar_deletes: bool = False,
                 create_on_none_assignment: bool = False) -> None:
        if getset_factory is not None or proxy_factory is not None:
            raise exc.ArgumentError(
                "association_proxy() failed: getset_factory= and proxy_factory= are not "
                "supported. Use creator= to build related objects."
            )
        self.target_collection = target_collection
        self.value_attr = attr
        self.creator = creator
        self.cascade_scalar_deletes = cascade_scalar_deletes
        self.create_on_none_assignment = create_on_none_assignment
        self.info = dict(info or {})
        self.key = f"_proxy_{id(self)}"
        self._class_level: dict[type, AssociationProxyInstance] = {}

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = name

    # -- relationship facts -----------------------------------------------------------------
    def _prop(self, cls: type) -> Any:
        mapper = cls.__dict__.get("__mapper__") or getattr(cls, "__mapper__", None)
        prop = mapper._props.get(self.target_collection) if mapper is not None else None
        if prop is None or not getattr(prop, "is_relationship", False):
            raise exc.InvalidRequestError(
                f"association_proxy {cls.__name__}.{self.key} failed: {cls.__name__} has no "
                f"relationship {self.target_collection!r}. Name a relationship() of "
                f"{cls.__name__} as the first argument."
            )
        prop.setup()
        return prop

    def _create(self, cls: type, value: Any) -> Any:
        if self.creator is not None:
            return self.creator(value)
        target = self._prop(cls).mapper.class_
        return target(value)  # as SQLAlchemy: one positional argument

    # -- descriptor ---------------------------------------------------------------------------
    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            cls = owner
            inst = self._class_level.get(cls)
            if inst is None:
                inst = self._class_level[cls] = AssociationProxyInstance(self, cls)
            return inst
        prop = self._prop(type(obj))
        if prop.uselist:
            if prop.collection_class is set:
                return _AssociationSet(self, obj)
            return _AssociationList(self, obj)
        target = getattr(obj, self.target_collection)
        return None if target is None else getattr(target, self.value_attr)

    def __set__(self, obj: Any, value: Any) -> None:
        cls = type(obj)
        prop = self._prop(cls)
        if prop.uselist:
            if value is None or isinstance(value, (str, bytes)) or not hasattr(
                    value, "__iter__"):
                raise exc.ArgumentError(
                    f"Setting {cls.__name__}.{self.key} failed: it proxies the collection "
                    f"{self.target_collection!r}, so it takes a list of values; got "
                    f"{type(value).__name__}."
                )
            values = list(value)
            members = [self._create(cls, v) for v in values]
            setattr(obj, self.target_collection,
                    set(members) if prop.collection_class is set else members)
            return
        target = getattr(obj, self.target_collection)
        if target is None:
            if value is None and not self.create_on_none_assignment:
                return
            setattr(obj, self.target_collection, self._create(cls, value))
        else:
            setattr(target, self.value_attr, value)

    def __delete__(self, obj: Any) -> None:
        setattr(obj, self.target_collection, [] if self._prop(type(obj)).uselist else None)

    def __repr__(self) -> str:
        return f"AssociationProxy({self.target_collection!r}, {self.value_attr!r})"


def association_proxy(target_collection: str, attr: str, **kw: Any) -> Any:
    """Proxy ``attr`` of the objects in relationship ``target_collection`` (see the module
    docstring): ``keywords = association_proxy("kw", "keyword")``."""
    return AssociationProxy(target_collection, attr, **kw)


class AssociationProxyInstance:
    """``Model.<proxy>`` at class level: SQL criteria through the relationship."""

    def __init__(self, parent: AssociationProxy, owning_class: type) -> None:
        self.parent = parent
        self.owning_class = owning_class

    @property
    def _rel(self) -> Any:
        return getattr(self.owning_class, self.parent.target_collection)

    @property
    def target_class(self) -> type:
        return self.parent._prop(self.owning_class).mapper.class_  # type: ignore[no-any-return]

    @property
    def remote_attr(self) -> Any:
        return getattr(self.target_class, self.parent.value_attr)

    @property
    def scalar(self) -> bool:
        return not self.parent._prop(self.owning_class).uselist

    def _remote_criterion(self, criterion: Any, kw: dict[str, Any]) -> Any:
        remote = self.remote_attr
        rprop = getattr(remote, "prop", None)
        if rprop is not None and getattr(rprop, "is_relationship", False):
            rprop.setup()
            return remote.any(criterion, **kw) if rprop.uselist else remote.has(
                criterion, **kw)
        if kw:
            from athanor.sql import and_

            extra = [getattr(self.target_class, k) == v for k, v in kw.items()]
            return and_(*([criterion] if criterion is not None else []), *extra)
        return criterion

    def any(self, criterion: Any = None, **kwargs: Any) -> Any:  # noqa: A003
        inner = self._remote_criterion(criterion, kwargs)
        return self._rel.has(inner) if self.scalar else self._rel.any(inner)

    def has(self, criterion: Any = None, **kwargs: Any) -> Any:
        return self.any(criterion, **kwargs)

    def contains(self, value: Any) -> Any:
        remote = self.remote_attr
        rprop = getattr(remote, "prop", None)
        if rprop is not None and getattr(rprop, "is_relationship", False):
            crit = remote.contains(value) if rprop.uselist else remote == value
        else:
            crit = remote == value
        return self._rel.has(crit) if self.scalar else self._rel.any(crit)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        if self.scalar:
            if other is None:
                from athanor.sql import or_

                return or_(self._rel.has(self.remote_attr == None), self._rel == None)  # noqa: E711
            return self._rel.has(self.remote_attr == other)
        raise exc.InvalidRequestError(
            f"Comparing {self.owning_class.__name__}.{self.parent.key} with == failed: it "
            f"proxies a collection. Use .contains(value) or .any(criterion)."
        )

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        from athanor.sql import not_

        return not_(self.__eq__(other))

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<AssociationProxyInstance {self.owning_class.__name__}.{self.parent.key}>"


class _AssociationView:
    """What the list and set views share: the owner's collection and the proxied value."""

    def __init__(self, proxy: AssociationProxy, owner: Any) -> None:
        self._proxy = proxy
        self._owner = owner

    @property
    def _col(self) -> Any:
        return getattr(self._owner, self._proxy.target_collection)

    def _get(self, member: Any) -> Any:
        return getattr(member, self._proxy.value_attr)

    def _create(self, value: Any) -> Any:
        return self._proxy._create(type(self._owner), value)

    def __len__(self) -> int:
        return len(self._col)

    def __bool__(self) -> bool:
        return bool(len(self._col))

    def __iter__(self) -> Iterator[Any]:
        return (self._get(m) for m in list(self._col))

    def __contains__(self, value: object) -> bool:
        return any(self._get(m) == value for m in self._col)


class _AssociationList(_AssociationView):
    """A list-like live view of ``member.<attr>`` over a collection relationship."""

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self._get(m) for m in list(self._col)[index]]
        return self._get(self._col[index])

    def __setitem__(self, index: int, value: Any) -> None:
        setattr(self._col[index], self._proxy.value_attr, value)

    def __delitem__(self, index: Any) -> None:
        del self._col[index]

    def append(self, value: Any) -> None:
        self._col.append(self._create(value))

    def extend(self, values: Iterable[Any]) -> None:
        for v in list(values):
            self.append(v)

    def __iadd__(self, values: Iterable[Any]) -> _AssociationList:
        self.extend(values)
        return self

    def insert(self, index: int, value: Any) -> None:
        self._col.insert(index, self._create(value))

    def remove(self, value: Any) -> None:
        for m in self._col:
            if self._get(m) == value:
                self._col.remove(m)
                return
        raise ValueError(f"{value!r} is not in the association list")

    def pop(self, index: int = -1) -> Any:
        return self._get(self._col.pop(index))

    def clear(self) -> None:
        del self._col[:]

    def index(self, value: Any) -> int:
        return list(self).index(value)

    def count(self, value: Any) -> int:
        return list(self).count(value)

    def copy(self) -> list[Any]:
        return list(self)

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(
            other, (list, tuple, _AssociationList)) else NotImplemented

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))


class _AssociationSet(_AssociationView):
    """A set-like live view of ``member.<attr>`` over a set collection relationship."""

    def add(self, value: Any) -> None:
        if value not in self:
            self._col.add(self._create(value))

    def update(self, values: Iterable[Any]) -> None:
        for v in list(values):
            self.add(v)

    def discard(self, value: Any) -> None:
        for m in list(self._col):
            if self._get(m) == value:
                self._col.discard(m)
                return

    def remove(self, value: Any) -> None:
        if value not in self:
            raise KeyError(value)
        self.discard(value)

    def clear(self) -> None:
        self._col.clear()

    def copy(self) -> set[Any]:
        return set(self)

    def __eq__(self, other: object) -> bool:
        return set(self) == set(other) if isinstance(  # type: ignore[arg-type]
            other, (set, frozenset, _AssociationSet)) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(set(self))
