"""``column_property()``, ``deferred()`` and ``synonym()``: mapped attributes beyond plain
columns.

Design
------
``column_property(Column(...), deferred=True)`` / ``deferred(Column(...))`` /
``mapped_column(deferred=True)`` declare a *table* column whose property is deferred: the
declarative scan (:mod:`athanor.orm.decl`) adds the column to the table as usual and
:func:`declared_properties` turns the declaration into a
:class:`~athanor.orm.mapper.ColumnProperty` with its ``deferred``/``group``/``raiseload``
flags. ``column_property(expr)`` over any other SQL expression (``firstname + " " +
lastname``, a correlated ``scalar_subquery()``) is a read-only property: ``_expr`` keeps the
expression for filters and ordering (the class attribute compares as the expression) and
``column`` is the expression labelled with the key, for SELECT lists. Loading both kinds is
:mod:`athanor.orm._deferred`'s job.

A :class:`SynonymProperty` has no column: its class attribute is the target attribute
(usable in filters and ``order_by``), and on instances it reads and writes the target.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from athanor import exc
from athanor.orm.mapper import ColumnProperty, MapperProperty

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper

#: arguments SQLAlchemy's column_property() takes that change nothing here
_ACCEPTED = frozenset({"active_history", "expire_on_flush", "info", "doc", "comparator_factory",
                       "descriptor", "init", "repr", "default", "default_factory", "compare",
                       "kw_only", "hash", "dataclass_metadata"})


def column_property(column: Any, *additional_columns: Any, group: str | None = None,
                    deferred: bool = False, raiseload: bool = False, **kw: Any) -> Any:
    """Map a column or a SQL expression as an attribute (see the module docstring)."""
    unknown = set(kw) - _ACCEPTED
    if unknown:
        raise exc.ArgumentError(
            f"column_property() failed: unknown argument {sorted(unknown)[0]!r}. It takes the "
            f"column or expression, and group=, deferred=, raiseload=."
        )
    hook = getattr(column, "__clause_element__", None)
    if hook is not None and not _is_column_decl(column):
        column = hook()
    prop = ColumnProperty(column, "", deferred=deferred, group=group, raiseload=raiseload)
    if kw:
        from athanor.orm._dataclass import field_options

        prop._dc_options = field_options(kw)  # MappedAsDataclass (orm/_dataclass.py)
    return prop


def deferred(column: Any, *additional_columns: Any, group: str | None = None,
             raiseload: bool = False, **kw: Any) -> Any:
    """A column (or expression) loaded on first access instead of with the object."""
    return column_property(column, group=group, deferred=True, raiseload=raiseload, **kw)


def query_expression(default_expr: Any = None, *, repr: bool = True, compare: bool = False,
                     expire_on_flush: bool = True, info: Any = None, doc: Any = None) -> Any:
    """An attribute filled per query by ``with_expression(Model.attr, expr)``; without that
    option it loads ``default_expr`` (or stays None, with no SQL)."""
    from athanor.sql.elements import coerce_expr, null

    expr = null() if default_expr is None else coerce_expr(default_expr)
    prop = ColumnProperty(expr, "", deferred=default_expr is None)
    prop._expr = expr
    prop._qexpr = True
    return prop


def _is_column_decl(value: Any) -> bool:
    """A Column not yet in a table, or a mapped_column(): a table column to create."""
    from athanor.orm.decl import MappedColumn
    from athanor.sql.schema import Column

    return isinstance(value, MappedColumn) or (
        isinstance(value, Column) and getattr(value, "table", None) is None)


class SynonymProperty(MapperProperty):
    """``synonym("name")``: another name for a mapped attribute."""

    is_synonym = True

    def __init__(self, name: str, map_column: bool | None = None, descriptor: Any = None,
                 comparator_factory: Any = None, doc: Any = None, info: Any = None) -> None:
        self.name = name
        self.descriptor = descriptor
        self.key = ""
        self.doc = doc

    def instrument_class(self, mapper: Mapper) -> None:
        if self.name not in mapper._props:
            raise exc.ArgumentError(
                f"synonym({self.name!r}) failed: {mapper.class_.__name__} has no mapped "
                f"attribute {self.name!r} (for {mapper.class_.__name__}.{self.key}); its "
                f"attributes are: {mapper._attribute_names()}."
            )
        type.__setattr__(mapper.class_, self.key, SynonymAttribute(self, mapper.class_))

    def __repr__(self) -> str:
        return f"<SynonymProperty {self.key} -> {self.name}>"


class SynonymAttribute:
    """Class attribute of a synonym: the target attribute at class level, a proxy on
    instances (or the user's ``descriptor``)."""

    __slots__ = ("prop", "class_")

    def __init__(self, prop: SynonymProperty, class_: type) -> None:
        self.prop = prop
        self.class_ = class_

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        desc = self.prop.descriptor
        if obj is None:
            target = getattr(owner if owner is not None else self.class_, self.prop.name)
            return target
        if desc is not None:
            return desc.__get__(obj, owner)
        return getattr(obj, self.prop.name)

    def __set__(self, obj: Any, value: Any) -> None:
        desc = self.prop.descriptor
        if desc is not None and hasattr(desc, "__set__"):
            desc.__set__(obj, value)
            return
        setattr(obj, self.prop.name, value)

    def __delete__(self, obj: Any) -> None:
        delattr(obj, self.prop.name)


def synonym(name: str, *, map_column: bool | None = None, descriptor: Any = None,
            comparator_factory: Any = None, doc: Any = None, info: Any = None,
            **kw: Any) -> Any:
    """Declare an attribute that is another name for the mapped attribute ``name``."""
    prop = SynonymProperty(name, map_column, descriptor, comparator_factory, doc, info)
    if kw:
        from athanor.orm._dataclass import field_options

        prop._dc_options = field_options(kw)  # MappedAsDataclass (orm/_dataclass.py)
    return prop


# --------------------------------------------------------------------------------------
# declarative


def scan_declared(cls: type) -> dict[str, Any]:
    """column_property()/deferred()/synonym()/composite() and deferred mapped_column()
    declarations of a class about to be mapped (mixins included), before the column scan
    removes them."""
    from athanor.orm._composites import CompositeProperty
    from athanor.orm.decl import MappedColumn, declared_attr

    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if "__mapper__" in klass.__dict__ and klass is not cls:
            continue
        for key, value in list(klass.__dict__.items()):
            if isinstance(value, declared_attr) and klass is not cls:
                try:
                    value = value.fget(cls)
                except Exception:  # a declared_attr for something else entirely
                    continue
            if isinstance(value, (ColumnProperty, SynonymProperty, CompositeProperty)) or (
                    isinstance(value, MappedColumn) and value.deferred_options() is not None):
                found[key] = value
    return found


def declared_properties(declared: dict[str, Any], table: Any, props: dict[str, Any]
                        ) -> dict[str, Any]:
    """Mapper properties for :func:`scan_declared`'s findings (``props``: the columns)."""
    from athanor.orm._composites import CompositeProperty
    from athanor.orm.decl import MappedColumn

    out: dict[str, Any] = {}
    for key, value in declared.items():
        if isinstance(value, CompositeProperty):
            out[key] = value.copy_for(key)
            continue
        if isinstance(value, SynonymProperty):
            syn = SynonymProperty(value.name, descriptor=value.descriptor, doc=value.doc)
            out[key] = syn
            continue
        if isinstance(value, MappedColumn):
            deferred_, group, raiseload = value.deferred_options()  # type: ignore[misc]
            col = props.get(key)
            if col is not None:
                out[key] = ColumnProperty(col, key, deferred=deferred_, group=group,
                                          raiseload=raiseload)
            continue
        col = props.get(key)
        if col is not None and not isinstance(col, MapperProperty):  # a table column
            out[key] = ColumnProperty(col, key, deferred=value.deferred, group=value.group,
                                      raiseload=value.raiseload)
            continue
        out[key] = expression_property(value, key)
    return out


def expression_property(decl: ColumnProperty, key: str) -> ColumnProperty:
    """A fresh read-only ColumnProperty for ``column_property(expr)`` under ``key``."""
    from athanor.sql.elements import coerce_expr

    expr = decl._expr if decl._expr is not None else coerce_expr(decl.column)
    prop = ColumnProperty(expr.label(key), key, deferred=decl.deferred, group=decl.group,
                          raiseload=decl.raiseload)
    prop._expr = expr
    prop._qexpr = decl._qexpr
    return prop


def add_property(mapper: Mapper, key: str, value: Any) -> None:
    """``Mapper.add_property()``: map ``value`` as ``key`` and refresh what the mapper
    precomputed (its statement and loader caches start over)."""
    from athanor.orm import context
    from athanor.sql.schema import Column

    if key in mapper._props:
        raise exc.ArgumentError(
            f"Mapper.add_property({key!r}) failed: {mapper.class_.__name__} already maps "
            f"{key!r}. Choose another name."
        )
    if isinstance(value, Column) and any(c is value for c in mapper.local_table.columns):
        value = ColumnProperty(value, key)
    if isinstance(value, SynonymProperty):
        prop: MapperProperty = SynonymProperty(value.name, descriptor=value.descriptor)
    elif isinstance(value, ColumnProperty):
        col = value.column
        if value._expr is None and any(c is col for c in mapper.local_table.columns):
            prop = ColumnProperty(col, key, deferred=value.deferred, group=value.group,
                                  raiseload=value.raiseload)
            mapper._col_to_key[col] = key
        else:
            prop = expression_property(value, key)
    else:
        raise exc.ArgumentError(
            f"Mapper.add_property({key!r}) failed: expected column_property(), deferred(), "
            f"synonym() or a Column of {mapper.local_table.name!r}; got "
            f"{type(value).__name__}."
        )
    prop.key = key
    prop.parent = mapper
    mapper._props[key] = prop
    mapper._stmt_cache.clear()
    mapper._precompute()
    context._layout_cache.clear()
    prop.instrument_class(mapper)
