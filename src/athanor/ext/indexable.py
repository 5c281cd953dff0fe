"""``index_property``: an attribute that reads and writes one key (or position) of an
indexable column value, such as a JSON document, and is ``column[index]`` in SQL.

Design
------
It is a :class:`~athanor.ext.hybrid.hybrid_property` whose getter, setter, deleter and
expression are this class's methods. A write changes the column's value in place, then
assigns it back and calls ``flag_modified`` so the flush writes the column even though it
holds the same object. A missing column value is created on the first write (a dict for a
string key, a list long enough for an integer position), unless ``datatype`` says what to
make.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from athanor.ext.hybrid import hybrid_property
from athanor.orm.attributes import flag_modified

_NO_DEFAULT: Any = object()


class index_property(hybrid_property):  # noqa: N801 - SQLAlchemy's public name
    """``name = index_property("data", "name")``: ``obj.name`` is ``obj.data["name"]``."""

    def __init__(self, attr_name: str, index: Any, default: Any = _NO_DEFAULT,
                 datatype: Callable[[], Any] | None = None, mutable: bool = True,
                 onebased: bool = True) -> None:
        writable = mutable
        super().__init__(self._get, self._set if writable else None,
                         self._delete if writable else None, self._expr)
        self.attr_name = attr_name
        self.index = index
        self.default = default
        numeric = isinstance(index, int)
        #: SQL positions count from 1 (PostgreSQL ARRAY): ``x[0]`` in Python is ``x[1]``
        self.onebased = numeric and onebased
        if datatype is None:
            datatype = (lambda: [None] * (index + 1)) if numeric else dict
        self.datatype = datatype

    def _copy(self, **kw: Any) -> hybrid_property:
        raise NotImplementedError(
            "index_property cannot be customised with .setter()/.expression(); subclass "
            "index_property instead."
        )

    def _missing(self) -> Any:
        if self.default is not _NO_DEFAULT:
            return self.default
        raise AttributeError(self.attr_name)

    def _get(self, instance: Any) -> Any:
        value = getattr(instance, self.attr_name)
        if value is None:
            return self._missing()
        try:
            return value[self.index]
        except (KeyError, IndexError):
            return self._missing()

    def _set(self, instance: Any, item: Any) -> None:
        value = getattr(instance, self.attr_name, None)
        if value is None:
            value = self.datatype()
            setattr(instance, self.attr_name, value)
        value[self.index] = item
        setattr(instance, self.attr_name, value)
        self._flag(instance)

    def _delete(self, instance: Any) -> None:
        value = getattr(instance, self.attr_name)
        if value is None:
            raise AttributeError(self.attr_name)
        try:
            del value[self.index]
        except KeyError as err:
            raise AttributeError(self.attr_name) from err
        setattr(instance, self.attr_name, value)
        self._flag(instance)

    def _flag(self, instance: Any) -> None:
        mapper = getattr(type(instance), "__mapper__", None)
        if mapper is not None and self.attr_name in mapper._column_keys:
            flag_modified(instance, self.attr_name)

    def _expr(self, model: Any) -> Any:
        column = getattr(model, self.attr_name)
        return column[self.index + 1 if self.onebased else self.index]


__all__ = ["index_property"]
