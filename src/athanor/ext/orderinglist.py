"""Ordering lists: a relationship collection that keeps a position attribute in step.

Design
------
:class:`OrderingList` is a plain ``list`` subclass; ``ordering_list("position")`` returns a
factory for it, used as a relationship's ``collection_class``. The ORM (see
:mod:`athanor.orm.collections`) builds the collection through that factory and fills it
with the class's own ``append``, then slots its change events in *after* this class's
methods, so each method here changes the list through ``super()`` (which records the
change for the flush) and then renumbers. Renumbering writes the members' position
attribute, an ordinary tracked assignment, so the next flush UPDATEs the rows whose
position changed and nothing else.

A loaded collection keeps the positions it was loaded with, unless ``reorder_on_append``
asks for members to be renumbered as they are appended (loading included).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, SupportsIndex, TypeVar

_T = TypeVar("_T")

OrderingFunc = Callable[[int, list[Any]], Any]


def count_from_0(index: int, collection: list[Any]) -> int:
    """Number members 0, 1, 2, ..."""
    return index


def count_from_1(index: int, collection: list[Any]) -> int:
    """Number members 1, 2, 3, ..."""
    return index + 1


def count_from_n_factory(start: int) -> OrderingFunc:
    """An ordering function numbering members ``start``, ``start + 1``, ..."""

    def count_from_n(index: int, collection: list[Any]) -> int:
        return index + start

    count_from_n.__name__ = f"count_from_{start}"
    return count_from_n


def ordering_list(
    attr: str,
    count_from: int | None = None,
    ordering_func: OrderingFunc | None = None,
    reorder_on_append: bool = False,
) -> Callable[[], OrderingList[Any]]:
    """A ``collection_class`` factory for lists that keep ``member.<attr>`` equal to the
    member's place (from ``count_from``, or as ``ordering_func(index, collection)`` says)."""
    if count_from is not None:
        if ordering_func is not None:
            raise TypeError(
                "ordering_list() failed: pass count_from or ordering_func, not both."
            )
        ordering_func = {0: count_from_0, 1: count_from_1}.get(count_from) or (
            count_from_n_factory(count_from))

    def factory() -> OrderingList[Any]:
        return OrderingList(attr, ordering_func=ordering_func,
                            reorder_on_append=reorder_on_append)

    return factory


class OrderingList(list[_T]):
    """A list that writes each member's position into ``ordering_attr``."""

    ordering_attr: str
    ordering_func: OrderingFunc
    reorder_on_append: bool

    def __init__(
        self,
        ordering_attr: str | None = None,
        ordering_func: OrderingFunc | None = None,
        reorder_on_append: bool = False,
    ) -> None:
        super().__init__()
        if ordering_attr is None:
            raise TypeError(
                "OrderingList() failed: no ordering_attr. Name the member attribute holding "
                "the position, e.g. ordering_list('position')."
            )
        self.ordering_attr = ordering_attr
        self.ordering_func = ordering_func or count_from_0
        self.reorder_on_append = reorder_on_append

    # -- positions ----------------------------------------------------------------------
    def _get_order_value(self, entity: Any) -> Any:
        return getattr(entity, self.ordering_attr)

    def _set_order_value(self, entity: Any, value: Any) -> None:
        setattr(entity, self.ordering_attr, value)

    def _order_entity(self, index: int, entity: Any, reorder: bool = True) -> None:
        have = self._get_order_value(entity)
        if have is not None and not reorder:  # keep a position the member already has
            return
        should_be = self.ordering_func(index, self)
        if have != should_be:
            self._set_order_value(entity, should_be)

    def reorder(self) -> None:
        """Renumber every member from its place in the list (after sorting it, say)."""
        for index, entity in enumerate(self):
            self._order_entity(index, entity, True)

    _reorder = reorder

    # -- list methods ---------------------------------------------------------------------
    def append(self, entity: _T) -> None:
        super().append(entity)
        self._order_entity(len(self) - 1, entity, self.reorder_on_append)

    def _raw_append(self, entity: _T) -> None:
        """Append without numbering."""
        super().append(entity)

    def insert(self, index: SupportsIndex, entity: _T) -> None:
        super().insert(index, entity)
        self._reorder()

    def remove(self, entity: _T) -> None:
        super().remove(entity)
        self._reorder()

    def pop(self, index: SupportsIndex = -1) -> _T:
        entity = super().pop(index)
        self._reorder()
        return entity

    def __setitem__(self, index: Any, entity: Any) -> None:
        if isinstance(index, slice):
            super().__setitem__(index, entity)
            self._reorder()
            return
        position = index if index >= 0 else len(self) + index
        self._order_entity(position, entity, True)
        super().__setitem__(index, entity)

    def __delitem__(self, index: Any) -> None:
        super().__delitem__(index)
        self._reorder()

    def extend(self, entities: Iterable[_T]) -> None:
        for entity in list(entities):
            self.append(entity)

    def __iadd__(self, entities: Iterable[_T]) -> OrderingList[_T]:  # type: ignore[override,misc]
        self.extend(entities)
        return self

    def __reduce__(self) -> Any:
        state = {k: v for k, v in self.__dict__.items() if not k.startswith("_sa_")}
        return (_reconstitute, (OrderingList, state, list(self)))


def _reconstitute(cls: type[OrderingList[Any]], state: dict[str, Any], items: list[Any]
                  ) -> OrderingList[Any]:
    obj = cls.__new__(cls)
    obj.__dict__.update(state)
    list.extend(obj, items)
    return obj


__all__ = ["OrderingList", "count_from_0", "count_from_1", "count_from_n_factory",
           "ordering_list"]
