"""``relationship(lazy="dynamic")`` and ``lazy="write_only"`` collections.

Design
------
A dynamic relationship's class attribute is a :class:`DynamicAttribute`: reading it from an
instance returns a fresh :class:`AppenderQuery` (a :class:`~athanor.orm.query.Query` over
the target class filtered by ``with_parent`` and the relationship's ``order_by``) instead
of a list; a write-only one returns a :class:`WriteOnlyCollection` whose ``select()`` gives
the same criteria as a Core statement. Writes (``append``/``add``/``remove``) go through
the ordinary collection of the relationship, so cascades, backrefs and the unit of work
treat them exactly like changes to a ``lazy="select"`` collection; the price is that the
first write on an object loads that collection once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from athanor import exc
from athanor.orm.decl import Mapped
from athanor.orm.query import Query
from athanor.orm.relationships import RelationshipAttribute

_T = TypeVar("_T")


def _criteria(attr: RelationshipAttribute, obj: Any) -> tuple[Any, tuple[Any, ...]]:
    from athanor.orm.relsql import with_parent

    prop = attr.prop
    prop.setup()
    return with_parent(obj, attr), tuple(prop.order_by or ())


def _collection(attr: RelationshipAttribute, obj: Any) -> Any:
    """The relationship's ordinary (list) collection of ``obj``."""
    return RelationshipAttribute.__get__(attr, obj, type(obj))


class AppenderQuery(Query):
    """``user.addresses`` of a ``lazy="dynamic"`` relationship: a Query that can append."""

    _dyn: tuple[RelationshipAttribute, Any]

    def __init__(self, attr: RelationshipAttribute, obj: Any) -> None:
        from athanor.orm.session import object_session

        crit, order = _criteria(attr, obj)
        super().__init__((attr.prop.mapper.class_,), object_session(obj))
        stmt = self._stmt.where(crit)
        self._built = stmt.order_by(*order) if order else stmt
        self._plain = False
        self.__dict__["_dyn"] = (attr, obj)

    def _unbound(self) -> bool:
        return self.session is None

    def all(self) -> list[Any]:
        if self._unbound():  # transient/detached: what was appended in memory
            return list(_collection(*self._dyn))
        return super().all()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self.all())

    def count(self) -> int:
        if self._unbound():
            return len(_collection(*self._dyn))
        return super().count()

    def append(self, item: Any) -> None:
        _collection(*self._dyn).append(item)

    def extend(self, items: Iterable[Any]) -> None:
        coll = _collection(*self._dyn)
        for item in items:
            coll.append(item)

    def remove(self, item: Any) -> None:
        _collection(*self._dyn).remove(item)


class WriteOnlyCollection:
    """``user.addresses`` of a ``lazy="write_only"`` relationship: writes, and ``select()``."""

    def __init__(self, attr: RelationshipAttribute, obj: Any) -> None:
        self._attr = attr
        self._obj = obj

    def select(self) -> Any:
        from athanor.sql._select import select

        crit, order = _criteria(self._attr, self._obj)
        stmt = select(self._attr.prop.mapper.class_).where(crit)
        return stmt.order_by(*order) if order else stmt

    def update(self) -> Any:
        """``UPDATE target SET ... WHERE <rows of this collection>`` (add ``.values()``)."""
        from athanor.sql.dml import update

        return update(self._attr.prop.mapper.class_).where(_criteria(self._attr, self._obj)[0])

    def delete(self) -> Any:
        """``DELETE FROM target WHERE <rows of this collection>``."""
        from athanor.sql.dml import delete

        return delete(self._attr.prop.mapper.class_).where(_criteria(self._attr, self._obj)[0])

    def insert(self) -> Any:
        """``INSERT INTO target`` with the foreign key set to this parent (one-to-many)."""
        from athanor.orm.attributes import instance_state
        from athanor.sql.dml import insert

        prop = self._attr.prop
        if prop.secondary is not None:
            raise exc.InvalidRequestError(
                f"{self._attr}.insert() failed: it is a many-to-many relationship, whose rows "
                f"are linked through {prop.secondary.name}. Insert the target rows, then add "
                f"them with {self._attr.key}.add_all()."
            )
        parent = instance_state(self._obj).mapper
        values = {remote.key: getattr(self._obj, parent.get_property_by_column(local).key)
                  for local, remote in prop.local_remote}
        return insert(prop.mapper.class_).values(values)

    def add(self, item: Any) -> None:
        _collection(self._attr, self._obj).append(item)

    def add_all(self, items: Iterable[Any]) -> None:
        coll = _collection(self._attr, self._obj)
        for item in items:
            coll.append(item)

    def remove(self, item: Any) -> None:
        _collection(self._attr, self._obj).remove(item)

    def __iter__(self) -> Iterator[Any]:
        raise exc.InvalidRequestError(
            f"Iterating {self._attr} failed: it is a write_only relationship, so it is never "
            f"loaded. Run session.scalars(obj.{self._attr.key}.select()) instead."
        )


class DynamicAttribute(RelationshipAttribute):
    """Class attribute of a dynamic / write-only relationship."""

    __slots__ = ()

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        if self.prop._dynamic == "write_only":
            return WriteOnlyCollection(self, obj)
        return AppenderQuery(self, obj)


class WriteOnlyMapped(Mapped[_T]):
    """Annotation for a ``write_only`` collection: ``items: WriteOnlyMapped[Item] = ...``."""


class DynamicMapped(Mapped[_T]):
    """Annotation for a ``dynamic`` collection: ``items: DynamicMapped[Item] = ...``."""
