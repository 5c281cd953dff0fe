"""``composite()``: one attribute made of several columns, read and written as a value object.

Design
------
A :class:`CompositeProperty` owns no column: it names mapped column attributes (``"x1"``,
a ``Column``, ``Model.x1``) or declares new ones (``mapped_column("x1")``, typed from the
value class's constructor annotations, added to the table by the declarative scan before
the table is made: :func:`add_composite_columns`). After mapping it knows its attribute
``keys``; the instance value is ``value_class(*column values)``.

On instances the class attribute (:class:`CompositeAttribute`) builds the value from the
columns and keeps it in ``__dict__`` under its key (so expiry drops it like a column),
with the column values it came from under a private key: reading again returns the same
object while the columns are unchanged (so an in-place change of the value is visible
but, as in SQLAlchemy, not tracked: only assignment writes), and a fresh object once an
expiry, load, refresh or column assignment changed them.
Assigning sets each column through the normal instrumented ``__setattr__``, so the flush
sees ordinary column changes.

At class level the attribute is a :class:`CompositeProperty.Comparator` (or the
``comparator_factory`` given): ``Vertex.start == Point(3, 4)`` is ``x1 = 3 AND y1 = 4``,
and its ``__clause_element__()`` is the columns as a comma list (``ORDER BY x1, y1``).
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from athanor import exc
from athanor.orm.exc import MappingError
from athanor.orm.mapper import MapperProperty

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper

_CACHE_PREFIX = "_sa_composite_"
_ACCEPTED = frozenset({"group", "deferred", "raiseload", "active_history", "info", "doc",
                       "init", "repr", "default", "default_factory", "compare", "kw_only",
                       "hash", "dataclass_metadata"})


def composite(class_: Any = None, *attrs: Any, comparator_factory: Any = None,
              **kw: Any) -> Any:
    """Map several columns as one attribute whose value is ``class_(*column values)``
    (``class_`` may be left out and come from the ``Mapped[Point]`` annotation)."""
    unknown = set(kw) - _ACCEPTED
    if unknown:
        raise exc.ArgumentError(
            f"composite() failed: unknown argument {sorted(unknown)[0]!r}. It takes the value "
            f"class, the columns or attribute names, and comparator_factory=."
        )
    if class_ is not None and not _is_class(class_):
        attrs = (class_, *attrs)
        class_ = None
    prop = CompositeProperty(class_, attrs, comparator_factory)
    if kw:
        from athanor.orm._dataclass import field_options

        prop._dc_options = field_options(kw)
    return prop


def _is_class(value: Any) -> bool:
    return isinstance(value, type) and not hasattr(value, "__clause_element__")


class Comparator:
    """``Model.<composite>`` at class level: per-column comparisons joined by AND
    (``CompositeProperty.Comparator``; subclass it for ``comparator_factory=``)."""

    def __init__(self, prop: CompositeProperty, mapper: Mapper | None = None,
                 adapt_to_entity: Any = None) -> None:
        self.prop = prop
        self.property = prop
        self.key = prop.key
        self.class_ = (mapper or prop.parent).class_
        #: the columns compared: the table's, or an aliased(...) entity's
        self.columns = prop.columns if adapt_to_entity is None else [
            getattr(adapt_to_entity, k) for k in prop.keys]
        #: what select() layouts recognise (orm/context.py folds the columns into values)
        self._composite_prop = prop

    @property
    def comparator(self) -> Comparator:
        return self

    def __clause_element__(self) -> Any:
        from athanor.sql.elements import ColumnGroup

        return ColumnGroup(self.columns)

    @property
    def expression(self) -> Any:
        return self.__clause_element__()

    def _bulk_update_tuples(self, value: Any) -> list[tuple[Any, Any]]:
        """(column, value) pairs for ``insert()/update().values({Model.start: Point(..)})``."""
        values = [None] * len(self.columns) if value is None else self.prop.values_of(value)
        return list(zip(self.columns, values, strict=True))

    def _compare(self, op: Callable[[Any, Any], Any], other: Any) -> Any:
        from athanor.sql import and_

        values = [None] * len(self.columns) if other is None else self.prop.values_of(other)
        return and_(*[op(col, v) for col, v in zip(self.columns, values, strict=True)])

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return self._compare(lambda a, b: a == b, other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return self._compare(lambda a, b: a != b, other)

    def __lt__(self, other: Any) -> Any:
        return self._compare(lambda a, b: a < b, other)

    def __le__(self, other: Any) -> Any:
        return self._compare(lambda a, b: a <= b, other)

    def __gt__(self, other: Any) -> Any:
        return self._compare(lambda a, b: a > b, other)

    def __ge__(self, other: Any) -> Any:
        return self._compare(lambda a, b: a >= b, other)

    __hash__ = object.__hash__

    def __str__(self) -> str:
        return f"{self.class_.__name__}.{self.key}"


class CompositeProperty(MapperProperty):
    """A ``composite()`` attribute (see the module docstring)."""

    is_composite = True
    Comparator = Comparator

    def __init__(self, class_: Any, attrs: tuple[Any, ...], comparator_factory: Any) -> None:
        self.composite_class = class_
        self.attrs = attrs
        self.comparator_factory = comparator_factory or Comparator
        self.key = ""
        #: attribute keys of the columns, in the value class's argument order
        self.keys: tuple[str, ...] = ()
        self.columns: list[Any] = []

    def copy_for(self, key: str) -> CompositeProperty:
        new = CompositeProperty(self.composite_class, self.attrs, self.comparator_factory)
        new.key = key
        new._dc_options = self._dc_options
        return new

    # -- mapping ----------------------------------------------------------------------------
    def instrument_class(self, mapper: Mapper) -> None:
        self.keys = tuple(self._key_of(mapper, a) for a in self.attrs)
        self.columns = [mapper._props[k].column for k in self.keys]  # type: ignore[attr-defined]
        if self.composite_class is None:
            raise MappingError(
                f"composite {mapper.class_.__name__}.{self.key} failed: no value class. Pass "
                f"it first (composite(Point, ...)) or annotate the attribute "
                f"({self.key}: Mapped[Point])."
            )
        type.__setattr__(mapper.class_, self.key, CompositeAttribute(self))

    def _key_of(self, mapper: Mapper, attr: Any) -> str:
        from athanor.orm.decl import MappedColumn

        if isinstance(attr, MappedColumn):
            attr = getattr(attr, "column", attr)
        if isinstance(attr, str):
            key: str | None = attr
        elif hasattr(attr, "prop") and hasattr(attr, "key"):  # Model.x1
            key = attr.key
        else:
            key = mapper._col_to_key.get(attr)
        if key is None or key not in mapper._props or not getattr(
                mapper._props[key], "is_column", False):
            raise MappingError(
                f"composite {mapper.class_.__name__}.{self.key} failed: {attr!r} is not a "
                f"mapped column of {mapper.class_.__name__}. Name column attributes "
                f"(\"x1\"), pass the Column or Model.x1, or declare mapped_column(\"x1\")."
            )
        return key

    # -- values -----------------------------------------------------------------------------
    def values_of(self, value: Any) -> list[Any]:
        """The column values of a value object (``__composite_values__()`` or its dataclass
        fields)."""
        hook = getattr(value, "__composite_values__", None)
        if hook is not None:
            return list(hook())
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return [getattr(value, f.name) for f in dataclasses.fields(value)]
        raise exc.ArgumentError(
            f"Setting {self} failed: {type(value).__name__} is not a value for it. Assign a "
            f"{self.composite_class.__name__} (a dataclass, or a class with "
            f"__composite_values__() returning the column values in order), or None."
        )

    def __str__(self) -> str:
        owner = self.parent.class_.__name__ if hasattr(self, "parent") else "?"
        return f"{owner}.{self.key}"

    def __repr__(self) -> str:
        return f"<CompositeProperty {self}>"


class CompositeAttribute:
    """Class attribute of a composite: builds and writes the value object."""

    __slots__ = ("prop", "cache_key", "comparator")

    def __init__(self, prop: CompositeProperty) -> None:
        self.prop = prop
        self.cache_key = _CACHE_PREFIX + prop.key
        self.comparator = prop.comparator_factory(prop, prop.parent)

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self.comparator
        prop = self.prop
        values = tuple(getattr(obj, k) for k in prop.keys)
        d = obj.__dict__
        key = prop.key
        if key in d and d.get(self.cache_key) == values:
            return d[key]
        from athanor.orm.state import STATE_KEY

        st = d.get(STATE_KEY)
        if all(v is None for v in values) and (st is None or st.key is None):
            return None  # a new object without the columns set has no value
        value = prop.composite_class(*values)
        d[key] = value
        d[self.cache_key] = values
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        prop = self.prop
        values = [None] * len(prop.keys) if value is None else prop.values_of(value)
        for key, v in zip(prop.keys, values, strict=True):
            setattr(obj, key, v)
        obj.__dict__[prop.key] = value
        obj.__dict__[self.cache_key] = tuple(values)

    def __delete__(self, obj: Any) -> None:
        self.__set__(obj, None)


# --------------------------------------------------------------------------------------
# select(Vertex.start)


def fold_keys(keys: tuple[str, ...], groups: list[tuple[int, int, Any]]) -> tuple[str, ...]:
    """Result keys with each composite's column keys replaced by the attribute's key."""
    out = list(keys)
    for first, width, prop in reversed(groups):
        out[first:first + width] = [prop.key]
    return tuple(out)


def fold_columns(columns: list[list[Any]], groups: list[tuple[int, int, Any]]
                 ) -> list[list[Any]]:
    """Result columns with each composite's columns replaced by its values."""
    out = list(columns)
    for first, width, prop in reversed(groups):
        make = prop.composite_class
        values = [make(*vals) for vals in zip(*out[first:first + width], strict=True)]
        out[first:first + width] = [values]
    return out


# --------------------------------------------------------------------------------------
# declarative


def add_composite_columns(cls: type, declared: dict[str, Any], type_map: dict[Any, Any]
                          ) -> None:
    """Build the ``mapped_column()``s declared inside composites of ``cls`` and put them on
    the class, so the column scan adds them to the table; fills in value classes from
    ``Mapped[Point]`` annotations."""
    for key, prop in declared.items():
        if not isinstance(prop, CompositeProperty):
            continue
        if prop.composite_class is None:
            prop.composite_class = _annotated_class(cls, key)
        hints = _argument_types(prop.composite_class) if prop.composite_class else []
        for i, attr in enumerate(prop.attrs):
            _add_column(cls, prop, key, attr, hints[i] if i < len(hints) else None, type_map)


def _add_column(cls: type, prop: CompositeProperty, key: str, attr: Any, hint: Any,
                type_map: dict[Any, Any]) -> None:
    from athanor.orm.decl import Mapped, MappedColumn

    if not isinstance(attr, MappedColumn) or getattr(attr, "column", None) is not None:
        return
    name = attr.args[0] if attr.args and isinstance(attr.args[0], str) else None
    if name is None:
        raise MappingError(
            f"composite {cls.__name__}.{key} failed: its mapped_column() has no name. Name "
            f"the column: composite(mapped_column(\"x1\"), mapped_column(\"y1\"))."
        )
    annotation = Mapped[hint] if hint is not None else None  # type: ignore[valid-type]
    col = attr.build(name, annotation, type_map)
    type.__setattr__(cls, name, col)


def _annotated_class(cls: type, key: str) -> Any:
    from athanor.orm.decl import _resolve_annotation, _unwrap_annotation

    raw = cls.__dict__.get("__annotations__", {}).get(key)
    if raw is None:
        return None
    py_type, _ = _unwrap_annotation(_resolve_annotation(cls, key, raw))
    return py_type if isinstance(py_type, type) else None


def _argument_types(value_class: type) -> list[Any]:
    """The annotated types of the value class's constructor arguments, in order."""
    try:
        if dataclasses.is_dataclass(value_class):
            hints = typing.get_type_hints(value_class)
            params = [f.name for f in dataclasses.fields(value_class) if f.init]
        else:
            hints = typing.get_type_hints(value_class.__init__)  # type: ignore[misc]
            params = list(inspect.signature(value_class).parameters)
    except (NameError, TypeError, ValueError):
        return []
    return [hints.get(p) for p in params]
