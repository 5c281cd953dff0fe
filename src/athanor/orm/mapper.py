"""The Mapper: one per mapped class, holding everything precomputed about it.

Design
------
A mapper links a class to a Table through *properties* (:class:`MapperProperty`). Today the
only property kind is :class:`ColumnProperty`; relationships (issue 6) will be another
``MapperProperty`` subclass using the same hooks: ``instrument_class`` (install the class
attribute), ``cascade_iterator`` (objects reachable for save/delete cascades), ``merge``
(copy state between sessions) and ``flush_dependencies`` (row-level ordering constraints for
the flush planner). Nothing outside this module enumerates property kinds by type.

Everything the hot paths need is computed once, here: the ordered column keys used by the
row loader, the primary-key positions, the set of column attribute keys the write tracker
checks, and the per-shape INSERT/UPDATE/DELETE statements (see
:mod:`athanor.orm.persistence`, cached in ``_stmt_cache``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from athanor.orm.attributes import InstrumentedAttribute, instrumented_setattr
from athanor.orm.exc import MappingError
from athanor.orm.state import STATE_KEY, InstanceState

if TYPE_CHECKING:
    from athanor.orm.decl import registry as Registry


class KeyedList:
    """An ordered, read-only collection addressable by key, index or attribute."""

    __slots__ = ("_items", "_by_key")

    def __init__(self, items: list[tuple[str, Any]]) -> None:
        self._items = [v for _, v in items]
        self._by_key = dict(items)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, key: str | int) -> Any:
        if isinstance(key, int):
            return self._items[key]
        return self._by_key[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self._by_key[key]
        except KeyError:
            raise AttributeError(key) from None

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def keys(self) -> list[str]:
        return list(self._by_key)

    def values(self) -> list[Any]:
        return list(self._items)

    def items(self) -> list[tuple[str, Any]]:
        return list(self._by_key.items())

    def get(self, key: str, default: Any = None) -> Any:
        return self._by_key.get(key, default)

    def __repr__(self) -> str:
        return f"<KeyedList {list(self._by_key)}>"


class MapperProperty:
    """One mapped attribute of a class. Subclasses: ColumnProperty (relationships later)."""

    key: str
    parent: Mapper
    is_column: bool = False
    is_relationship: bool = False
    #: dataclasses.field() options given to the construct (MappedAsDataclass), or None
    _dc_options: dict[str, Any] | None = None

    def instrument_class(self, mapper: Mapper) -> None:
        """Install the class-level attribute for this property."""

    def cascade_iterator(self, cascade: str, state: InstanceState) -> Iterator[InstanceState]:
        """States reachable from ``state`` along this property for ``cascade``."""
        return iter(())

    def merge(self, source: dict[str, Any], dest: Any, load: bool) -> None:
        """Copy this property's value from a source ``__dict__`` onto ``dest``."""

    def flush_dependencies(self, state: InstanceState) -> Iterator[InstanceState]:
        """States that must be written before ``state`` (row-level flush ordering)."""
        return iter(())


class ColumnProperty(MapperProperty):
    """A mapped table column, or a SQL expression (``column_property()``, see
    :mod:`athanor.orm._colprops`), possibly deferred (loaded on first access)."""

    is_column = True
    #: not loaded by default (``deferred()``, ``mapped_column(deferred=True)``)
    deferred = False
    #: name of the deferred group loaded together (``undefer_group()``)
    group: str | None = None
    #: reading it unloaded raises instead of emitting SQL (``deferred_raiseload``)
    raiseload = False
    #: the SQL of a ``column_property(expr)`` (None: ``column`` is a table column)
    _expr: Any = None
    #: a ``query_expression()``: loaded only through ``with_expression()``, else None
    _qexpr = False

    def __init__(self, column: Any, key: str, *, deferred: bool = False,
                 group: str | None = None, raiseload: bool = False) -> None:
        self.column = column
        self.columns = [column]
        self.key = key
        if deferred or group is not None or raiseload:
            self.deferred = bool(deferred or group is not None or raiseload)
            self.group = group
            self.raiseload = raiseload

    @property
    def expression(self) -> Any:
        return self.column if self._expr is None else self._expr

    def instrument_class(self, mapper: Mapper) -> None:
        attr = InstrumentedAttribute(mapper.class_, self.key, self)
        type.__setattr__(mapper.class_, self.key, attr)

    def merge(self, source: dict[str, Any], dest: Any, load: bool) -> None:
        if self.key in source:
            setattr(dest, self.key, source[self.key])

    def __repr__(self) -> str:
        return f"<ColumnProperty {self.parent.class_.__name__}.{self.key}>"


class Mapper:
    """How one class maps to one table (inspect(Model) returns it)."""

    def __init__(
        self,
        class_: type,
        local_table: Any,
        *,
        registry: Registry | None = None,
        properties: dict[str, Any] | None = None,
        primary_key: Any = None,
        include_properties: Any = None,
        exclude_properties: Any = None,
        eager_defaults: bool = False,
        inherits: Any = None,
        inherit_condition: Any = None,
        polymorphic_on: Any = None,
        polymorphic_identity: Any = None,
        with_polymorphic: Any = None,
        polymorphic_load: str | None = None,
        polymorphic_abstract: bool = False,
        concrete: bool = False,
        **unsupported: Any,
    ) -> None:
        if unsupported:
            raise MappingError(
                f"Mapping {class_.__name__} failed: unsupported __mapper_args__ "
                f"{sorted(unsupported)!r}. Supported: primary_key, include_properties, "
                f"exclude_properties, eager_defaults, inherits, inherit_condition, "
                f"polymorphic_on, polymorphic_identity, with_polymorphic, polymorphic_load, "
                f"polymorphic_abstract."
            )
        self.class_ = class_
        self.local_table = local_table
        self.persist_selectable = local_table
        #: what ``select(Model)`` selects from (a join for joined-table subclasses)
        self._from_clause = local_table
        self.registry = registry
        self.eager_defaults = eager_defaults
        self.base_mapper = self
        self.inherits: Mapper | None = None
        #: mapper inheritance (see athanor.orm._inheritance); all None/empty without it
        self.polymorphic_on: Any = None
        self.polymorphic_identity: Any = None
        self.polymorphic_map: dict[Any, Mapper] = {}
        self._inheriting: list[Mapper] = []
        #: ``type IN (...)`` criteria of a single-table subclass, else None
        self._single_criteria: Any = None
        self._stmt_cache: dict[Any, Any] = {}
        #: concrete table inheritance: the class maps its own table, no inherited columns
        self.concrete = bool(concrete)
        if inherits is not None:
            from athanor.orm import _inheritance

            _inheritance.setup_inherits(self, inherits, inherit_condition, concrete)
        if polymorphic_on is not None:  # a SQL expression: mapped as a read-only property
            from athanor.orm import _inheritance

            properties, polymorphic_on = _inheritance.expression_discriminator(
                properties, polymorphic_on)
        self._build_properties(properties or {}, include_properties, exclude_properties)
        self._build_primary_key(primary_key)
        self._precompute()
        self._instrument()
        if self.inherits is not None or polymorphic_on is not None or with_polymorphic:
            from athanor.orm import _inheritance

            _inheritance.setup_polymorphic(
                self, polymorphic_on, polymorphic_identity, with_polymorphic, polymorphic_load
            )
            if polymorphic_abstract:
                _inheritance.install_abstract_init(self)

    # -- construction ---------------------------------------------------------------------
    def _build_properties(
        self, explicit: dict[str, Any], include: Any, exclude: Any
    ) -> None:
        props: dict[str, MapperProperty] = {}
        col_to_key: dict[Any, str] = {}
        for key, col in explicit.items():
            if isinstance(col, MapperProperty):  # relationship(), column_property(), synonym()
                col.key = key
                props[key] = col
                if isinstance(col, ColumnProperty) and col._expr is None:
                    col_to_key[col.column] = key
                continue
            props[key] = ColumnProperty(col, key)
            col_to_key[col] = key
        include_set = set(include) if include is not None else None
        exclude_set = set(exclude or ())
        single = self.inherits is not None and self.local_table is self.inherits.local_table
        for col in self.local_table.columns:
            if single:  # single-table subclass: only its declared columns are its own
                break
            if col in col_to_key:
                continue
            key = col.key
            if include_set is not None and key not in include_set and col not in include_set:
                continue
            if key in exclude_set or col in exclude_set:
                continue
            props[key] = ColumnProperty(col, key)
            col_to_key[col] = key
        for prop in props.values():
            prop.parent = self
        if self.inherits is not None:
            from athanor.orm import _inheritance

            props = _inheritance.merge_inherited(self, props, col_to_key)
        self._props = props
        self._col_to_key = col_to_key

    def _build_primary_key(self, explicit: Any) -> None:
        cols: list[Any]
        if explicit is not None:
            cols = [getattr(c, "column", c) for c in (explicit if isinstance(
                explicit, (list, tuple)) else [explicit])]
        elif self.inherits is not None:  # subclasses share the base table's key
            cols = list(self.inherits.primary_key)
        else:
            cols = list(self.local_table.primary_key.columns)
        if not cols:
            raise MappingError(
                f"Mapping {self.class_.__name__} failed: table {self.local_table.name!r} has no "
                f"primary key. Mark a column with primary_key=True or pass "
                f"__mapper_args__ = {{'primary_key': [...]}}."
            )
        missing = [c for c in cols if c not in self._col_to_key]
        if missing:
            raise MappingError(
                f"Mapping {self.class_.__name__} failed: primary key column "
                f"{missing[0].name!r} is excluded from the mapping. Map it."
            )
        self.primary_key: tuple[Any, ...] = tuple(cols)

    def _precompute(self) -> None:
        all_cols = [p for p in self._props.values() if isinstance(p, ColumnProperty)]
        #: the table column properties (what a flush writes), deferred ones included
        col_props = [p for p in all_cols if p._expr is None]
        self._column_props = col_props
        loaded = [p for p in col_props if not p.deferred]
        if any(p.deferred for p in col_props if p.column in self.primary_key):
            raise MappingError(
                f"Mapping {self.class_.__name__} failed: a primary key column is deferred. "
                f"Primary key columns are always loaded; remove deferred=True from them."
            )
        #: table columns loaded by default, in the row loader's order
        self._columns = [p.column for p in loaded]
        #: attribute keys in the loader's column order
        self._load_keys = tuple(p.key for p in loaded)
        self._column_keys = frozenset(p.key for p in col_props)
        self._pk_keys = tuple(self._col_to_key[c] for c in self.primary_key)
        self._pk_composite = len(self._pk_keys) > 1
        self._pk_keyset = frozenset(self._pk_keys)
        self._pk_bind_names = tuple("_pk_" + c.key for c in self.primary_key)
        #: attribute keys equal their column keys (bulk dicts need no renaming)
        self._keys_are_column_keys = all(p.key == p.column.key for p in col_props)
        self._pk_positions = tuple(self._columns.index(c) for c in self.primary_key)
        self._dict_keys_ok = self._column_keys | {p.key for p in all_cols} | {STATE_KEY}
        #: deferred columns and column_property() expressions (athanor.orm._deferred), or
        #: None: plain mappers keep the precomputed fast paths untouched
        self._extra: Any = None
        if len(all_cols) != len(loaded):
            from athanor.orm._deferred import MapperColumns

            self._extra = MapperColumns(self, all_cols)

    def _instrument(self) -> None:
        cls = self.class_
        from athanor.orm._config_events import mapped

        mapped(self)  # instrument_class; waits for the next configure pass
        for prop in self._props.values():
            if prop.parent is self:
                prop.instrument_class(self)
            elif prop.is_column and prop.key not in cls.__dict__ and type(
                    getattr(cls, prop.key, None)) is InstrumentedAttribute:
                # inherited column: bound to the subclass, so select(Manager.name) knows
                # the entity (athanor.orm._inheritance adds its criteria / join)
                type.__setattr__(cls, prop.key, InstrumentedAttribute(cls, prop.key, prop))  # type: ignore[arg-type]
        if "__setattr__" not in cls.__dict__ and not _has_tracking_setattr(cls):
            type.__setattr__(cls, "__setattr__", instrumented_setattr)
        type.__setattr__(cls, "__mapper__", self)
        if "__table__" not in cls.__dict__:
            type.__setattr__(cls, "__table__", self.local_table)
        if "__clause_element__" not in cls.__dict__:
            type.__setattr__(cls, "__clause_element__", classmethod(_class_clause_element))
        from athanor.orm.context import register_table

        if self.inherits is None or self.local_table is not self.inherits.local_table:
            register_table(self)
        from athanor.orm._validators import install_validators

        install_validators(self)
        from athanor.orm._instance_events import setup_mapper

        setup_mapper(self)  # instance events and @reconstructor (usually: none)

    # -- public inspection API --------------------------------------------------------------
    @property
    def attrs(self) -> KeyedList:
        return KeyedList(list(self._props.items()))

    @property
    def column_attrs(self) -> KeyedList:
        return KeyedList([(k, p) for k, p in self._props.items() if isinstance(p, ColumnProperty)])

    @property
    def synonyms(self) -> KeyedList:
        return KeyedList([(k, p) for k, p in self._props.items() if getattr(p, "is_synonym", 0)])

    #: ``@validates`` methods by attribute key (see athanor.orm._validators)
    _validators: dict[str, Any] = {}  # noqa: RUF012 - replaced per mapper, never mutated
    #: instance-event hooks (athanor.orm._instance_events.InstanceHooks), or None
    _ievents: Any = None
    #: False from mapping until the next configure pass (athanor.orm._config_events)
    configured = True
    #: attribute-event hooks by key (athanor.orm._attr_events), or None
    _attr_events: Any = None

    @property
    def validators(self) -> dict[str, Any]:
        return dict(self._validators)

    @property
    def composites(self) -> KeyedList:
        return KeyedList([(k, p) for k, p in self._props.items()
                          if getattr(p, "is_composite", False)])

    @property
    def relationships(self) -> KeyedList:
        return KeyedList([(k, p) for k, p in self._props.items() if p.is_relationship])

    @property
    def columns(self) -> KeyedList:
        return KeyedList([(p.key, p.column) for p in self._column_props])

    c = columns

    @property
    def tables(self) -> list[Any]:
        return list(self._write_tables)

    #: tables a row of this mapper is written to, base table first (joined inheritance)
    @property
    def _write_tables(self) -> tuple[Any, ...]:
        m: Mapper | None = self
        out: list[Any] = []
        while m is not None:
            if not any(t is m.local_table for t in out):
                out.insert(0, m.local_table)
            m = m.inherits
        return tuple(out)

    @property
    def mapped_table(self) -> Any:
        return self.persist_selectable

    @property
    def single(self) -> bool:
        """True for a single-table inheritance subclass."""
        return self.inherits is not None and self.local_table is self.inherits.local_table

    def isa(self, other: Mapper) -> bool:
        """True when this mapper is ``other`` or inherits from it."""
        m: Mapper | None = self
        while m is not None:
            if m is other:
                return True
            m = m.inherits or m.__dict__.get("_concrete_parent")  # concrete=True: its parent
        return False

    @property
    def self_and_descendants(self) -> list[Mapper]:
        out = [self]
        for sub in self._inheriting:
            out.extend(sub.self_and_descendants)
        return out

    def iterate_to_root(self) -> Iterator[Mapper]:
        m: Mapper | None = self
        while m is not None:
            yield m
            m = m.inherits

    def polymorphic_iterator(self) -> Iterator[Mapper]:
        return iter(self.self_and_descendants)

    @property
    def entity(self) -> type:
        return self.class_

    @property
    def mapper(self) -> Mapper:
        return self

    @property
    def all_orm_descriptors(self) -> KeyedList:
        return KeyedList([(k, getattr(self.class_, k)) for k in self._props])

    def get_property(self, key: str) -> MapperProperty:
        try:
            return self._props[key]
        except KeyError:
            raise MappingError(
                f"{self.class_.__name__} has no mapped attribute {key!r}; its attributes are: "
                f"{', '.join(self._props)}."
            ) from None

    def add_property(self, key: str, prop: Any) -> None:
        """Map one more attribute after the class is mapped: a ``column_property()`` (e.g.
        a correlated count over a class defined later), ``deferred()``, ``synonym()`` or a
        Column of the mapped table (see :mod:`athanor.orm._colprops`)."""
        from athanor.orm._colprops import add_property

        add_property(self, key, prop)

    def has_property(self, key: str) -> bool:
        return key in self._props

    def iterate_properties(self) -> Iterator[MapperProperty]:
        return iter(self._props.values())

    def get_property_by_column(self, column: Any) -> MapperProperty:
        return self._props[self._col_to_key[column]]

    def identity_key_from_primary_key(self, pk: Any) -> tuple[type, tuple[Any, ...], None]:
        return (self.class_, tuple(pk), None)

    def primary_key_from_instance(self, obj: Any) -> tuple[Any, ...]:
        return tuple(getattr(obj, k) for k in self._pk_keys)

    def identity_key_from_instance(self, obj: Any) -> tuple[type, tuple[Any, ...], None]:
        return (self.class_, self.primary_key_from_instance(obj), None)

    def _attribute_names(self) -> str:
        return ", ".join(self._props)

    def __repr__(self) -> str:
        return f"<Mapper {self.class_.__name__} -> {self.local_table.name}>"


def _class_clause_element(cls: type) -> Any:
    """``select(User)``: a mapped class stands for its table in Core constructs."""
    return cls.__mapper__._from_clause  # type: ignore[attr-defined]


def _has_tracking_setattr(cls: type) -> bool:
    for base in cls.__mro__:
        sa = base.__dict__.get("__setattr__")
        if sa is not None:
            return sa is instrumented_setattr
    return False


def class_mapper(cls: type) -> Mapper:
    """The mapper of a mapped class; UnmappedClassError otherwise."""
    mapper = cls.__dict__.get("__mapper__") if isinstance(cls, type) else None
    if mapper is None:
        from athanor.orm.exc import UnmappedClassError

        name = cls.__name__ if isinstance(cls, type) else type(cls).__name__
        raise UnmappedClassError(
            f"Using {name} as a mapped class failed: it is not mapped. Give it a __tablename__ "
            f"and subclass a declarative base (DeclarativeBase or declarative_base())."
        )
    return mapper


def object_mapper(obj: Any) -> Mapper:
    """The mapper of a mapped instance; UnmappedInstanceError otherwise."""
    mapper = type(obj).__dict__.get("__mapper__")
    if mapper is None:
        from athanor.orm.exc import UnmappedInstanceError

        raise UnmappedInstanceError(
            f"Using a {type(obj).__name__} instance as a mapped object failed: its class is not "
            f"mapped. Only instances of declarative models can be added to a Session."
        )
    return mapper
