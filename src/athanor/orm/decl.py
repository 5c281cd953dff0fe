"""Declarative mapping: classes with ``__tablename__`` become tables and mappers.

Design
------
Both spellings share one code path, :func:`_map_class`, called from ``__init_subclass__``:

- ``class Base(DeclarativeBase): pass`` (2.0 style). A *direct* subclass of DeclarativeBase
  is a base: it gets a :class:`registry`, ``metadata`` and the default constructor; its own
  subclasses are mapped.
- ``Base = declarative_base()`` (1.x style, also importable from athanor.ext.declarative)
  builds such a base class dynamically.

Columns come from ``Column`` attributes, ``mapped_column()`` attributes and bare
``Mapped[...]`` annotations (types inferred from the annotation: ``int`` -> Integer,
``Optional[str]`` -> nullable String, ...). Mixins that are not mapped contribute copies of
their columns. The resulting Table goes into the base's MetaData; ``__table__`` maps an
existing Table instead.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import sys
import types as _types
import typing
import uuid as _uuid
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from athanor.orm import _config_events
from athanor.orm.exc import MappingError
from athanor.orm.mapper import ColumnProperty, Mapper
from athanor.orm.state import STATE_KEY

_T = TypeVar("_T")


class Mapped(Generic[_T]):
    """Annotation marker for mapped attributes: ``id: Mapped[int] = mapped_column(...)``.

    At runtime the class attribute is an InstrumentedAttribute; this class only carries
    the Python type for the declarative scan and for type checkers.
    """

    if typing.TYPE_CHECKING:

        def __get__(self, obj: Any, owner: Any) -> _T: ...

        def __set__(self, obj: Any, value: _T) -> None: ...


class MappedColumn:
    """What ``mapped_column()`` returns: a Column recipe completed from the annotation."""

    def __init__(self, args: tuple[Any, ...], kw: dict[str, Any]) -> None:
        self.args = args
        self.kw = kw

    def deferred_options(self) -> tuple[bool, str | None, bool] | None:
        """(deferred, group, raiseload) for ``mapped_column(deferred=True, ...)``, or None."""
        kw = self.kw
        group = kw.get("deferred_group")
        raiseload = bool(kw.get("deferred_raiseload"))
        if not (kw.get("deferred") or group is not None or raiseload):
            return None
        return True, group, raiseload

    def __clause_element__(self) -> Any:
        """The Column itself, made now for expressions in the class body
        (``column_property(first + " " + last)``); the scan completes it."""
        early = self.__dict__.get("_early")
        if early is None:
            from athanor.sql.schema import Column

            early = self._early = Column(*self.args, **_column_kw(self.kw))
        return early

    def build(self, key: str, annotation: Any, type_map: dict[Any, Any]) -> Any:
        from athanor.sql.schema import Column

        args = list(self.args)
        kw = _column_kw(self.kw)
        py_type, optional = _unwrap_annotation(annotation)
        annotated = None
        if typing.get_origin(py_type) is typing.Annotated:  # Mapped[intpk], Mapped[str30]
            annotated = py_type
            py_type, inner_optional = _unwrap_annotation(typing.get_args(py_type)[0])
            optional = optional or inner_optional
            args, kw = _merge_annotated(annotated, args, kw)
        name = None
        if args and isinstance(args[0], str):
            name = args.pop(0)
        has_type = any(_is_type(a) for a in args) or "type_" in kw
        if not has_type:
            if py_type is None:
                raise MappingError(
                    f"Mapping attribute {key!r} failed: mapped_column() has no SQL type and "
                    f"no Mapped[...] annotation to infer one from. Pass a type, e.g. "
                    f"mapped_column(String(50)), or annotate it: {key}: Mapped[str]."
                )
            found = type_map.get(annotated) if annotated is not None else None
            if found is not None:
                args.insert(0, found() if isinstance(found, type) else found)
            else:
                args.insert(0, _sql_type_for(py_type, key, type_map))
        if "type_" in kw:
            args.insert(0, kw.pop("type_"))
        if "nullable" not in kw and py_type is not None and not kw.get("primary_key"):
            kw["nullable"] = optional
        early = self.__dict__.pop("_early", None)
        if early is not None:  # used in a class-body expression: complete that Column
            if early.name is None:
                early.name = name or key
            early.key = key
            typ = next((a for a in args if _is_type(a)), None)
            if early.__dict__.get("_type") is None and typ is not None:
                from athanor.sql.type_api import to_instance

                early._type = to_instance(typ)
            if early._nullable_given is None and "nullable" in kw:
                early.nullable = bool(kw["nullable"])
            self.column = early
            return early
        col = Column(name or key, *args, key=key, **kw)
        self.column = col  # what __mapper_args__ = {"polymorphic_on": <this>} resolves to
        return col


def _merge_annotated(annotated: Any, args: list[Any], kw: dict[str, Any],
                     ) -> tuple[list[Any], dict[str, Any]]:
    """Fold the ``mapped_column()`` inside ``Annotated[T, mapped_column(...)]`` under the
    attribute's own: its arguments are the defaults, the attribute's own ones win."""
    for meta in annotated.__metadata__:
        if not isinstance(meta, MappedColumn):
            continue
        own_type = any(_is_type(a) for a in args) or "type_" in kw
        base_args = [a for a in meta.args if not (own_type and _is_type(a))]
        if args and isinstance(args[0], str):  # the attribute's column name stays first
            args = [args[0], *[a for a in base_args if not isinstance(a, str)], *args[1:]]
        else:
            args = [*base_args, *args]
        kw = {**_column_kw(meta.kw), **kw}
    return args, kw


def _column_kw(kw: dict[str, Any]) -> dict[str, Any]:
    """mapped_column()'s keywords minus the ORM-only ones (dataclass and deferral options)."""
    return {k: v for k, v in kw.items() if k not in _ORM_ONLY}


_ORM_ONLY = frozenset({"init", "repr", "compare", "kw_only", "default_factory", "deferred",
                       "deferred_group", "deferred_raiseload", "active_history", "hash",
                       "sort_order", "dataclass_metadata"})


def _forward_op(name: str) -> Any:
    def op(self: MappedColumn, *args: Any) -> Any:
        return getattr(self.__clause_element__(), name)(*args)

    op.__name__ = name
    return op


for _op in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
            "__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__", "concat", "label",
            "like", "ilike", "in_", "is_", "isnot", "is_not", "desc", "asc"):
    setattr(MappedColumn, _op, _forward_op(_op))
# ``kind == "E"`` in a class body is SQL (``polymorphic_on: case(...)``); the recipe itself
# stays hashable by identity
MappedColumn.__hash__ = object.__hash__  # type: ignore[method-assign]


def mapped_column(*args: Any, **kw: Any) -> Any:
    """Declare a mapped column; type and nullability may come from the ``Mapped[]`` annotation."""
    return MappedColumn(args, kw)


class declared_attr(Generic[_T]):
    """A class-level attribute computed per mapped class (``@declared_attr`` on mixins)."""

    def __init__(self, fn: Callable[[Any], _T]) -> None:
        self.fget = fn
        self.__doc__ = fn.__doc__

    def __get__(self, obj: Any, cls: Any) -> _T:
        return self.fget(cls)

    @classmethod
    def directive(cls, fn: Callable[[Any], _T]) -> declared_attr[_T]:
        return cls(fn)


def _is_type(obj: Any) -> bool:
    from athanor.sql.type_api import TypeEngine

    return isinstance(obj, TypeEngine) or (isinstance(obj, type) and issubclass(obj, TypeEngine))


def _default_type_map() -> dict[Any, Any]:
    from athanor.sql import sqltypes as t

    m: dict[Any, Any] = {
        int: t.Integer,
        str: t.String,
        float: t.Float,
        bool: t.Boolean,
        bytes: t.LargeBinary,
        _decimal.Decimal: t.Numeric,
        _dt.datetime: t.DateTime,
        _dt.date: t.Date,
        _dt.time: t.Time,
        _dt.timedelta: t.Interval,
    }
    try:
        import athanor.sql as sql_pkg

        uuid_t = getattr(sql_pkg, "Uuid", None)
        json_t = getattr(sql_pkg, "JSON", None)
    except ImportError:  # the SQL package is still being assembled
        uuid_t = json_t = None
    if uuid_t is not None:
        m[_uuid.UUID] = uuid_t
    if json_t is not None:
        m[dict] = json_t
        m[list] = json_t
    return m


def _sql_type_for(py_type: Any, key: str, type_map: dict[Any, Any]) -> Any:
    for candidate in (py_type, typing.get_origin(py_type)):
        if candidate in type_map:
            found = type_map[candidate]
            return found() if isinstance(found, type) else found
    import enum

    if isinstance(py_type, type) and issubclass(py_type, enum.Enum):
        from athanor.sql import sqltypes

        enum_t = getattr(sqltypes, "Enum", None)
        if enum_t is not None:
            return enum_t(py_type)
    raise MappingError(
        f"Mapping attribute {key!r} failed: no SQL type is known for Python type {py_type!r}. "
        f"Pass a type to mapped_column(...), or add it to the base's type_annotation_map."
    )


def _unwrap_annotation(annotation: Any) -> tuple[Any, bool]:
    """(python type inside Mapped[...], whether it allows None)."""
    if annotation is None:
        return None, False
    origin = typing.get_origin(annotation)
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapped):
        args = typing.get_args(annotation)
        annotation = args[0] if args else None
    elif annotation is Mapped:
        return None, False
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is getattr(_types, "UnionType", None):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(members) < len(typing.get_args(annotation))
        return (members[0] if len(members) == 1 else annotation), optional
    return annotation, False


def _resolve_annotation(cls: type, key: str, raw: Any) -> Any:
    if not isinstance(raw, str):
        return raw
    module = sys.modules.get(cls.__module__)
    ns: dict[str, Any] = dict(vars(typing))
    ns["Mapped"] = Mapped
    if module is not None:
        ns.update(vars(module))
    ns.update({k: v for k, v in vars(cls).items() if isinstance(v, type)})
    try:
        return eval(raw, ns)  # noqa: S307 - evaluating the user's own annotation text
    except Exception:
        inner = raw.strip()
        if inner.startswith("Mapped[") and inner.endswith("]"):
            try:
                return Mapped[eval(inner[7:-1], ns)]  # type: ignore[misc]  # noqa: S307
            except Exception:
                pass
        raise MappingError(
            f"Mapping {cls.__name__}.{key} failed: its annotation {raw!r} cannot be evaluated. "
            f"Import the names it uses at module level."
        ) from None


def _is_mapped_annotation(ann: Any) -> bool:
    if ann is Mapped:
        return True
    origin = typing.get_origin(ann)
    return origin is not None and isinstance(origin, type) and issubclass(origin, Mapped)


def _declarative_constructor(self: Any, **kwargs: Any) -> None:
    """Set each keyword as an attribute; unknown names raise TypeError listing the real ones."""
    if _config_events.PENDING:  # mapped classes wait for their configure pass
        _config_events.configure()
    cls = type(self)
    mapper = getattr(cls, "__mapper__", None)
    d = self.__dict__
    if mapper is not None and STATE_KEY not in d and mapper._column_keys.issuperset(
            kwargs) and not mapper._validators and mapper._attr_events is None:
        d.update(kwargs)
        return
    for key, value in kwargs.items():
        if not hasattr(cls, key):
            names = mapper._attribute_names() if mapper is not None else ""
            raise TypeError(
                f"{cls.__name__}() got an unexpected keyword argument {key!r}: {cls.__name__} "
                f"has no attribute of that name. Its mapped attributes are: {names}."
            )
        setattr(self, key, value)


_declarative_constructor.__name__ = "__init__"


class registry:  # noqa: N801 - SQLAlchemy's public name
    """A set of mapped classes sharing one MetaData (and a name -> class lookup)."""

    def __init__(
        self,
        *,
        metadata: Any = None,
        type_annotation_map: dict[Any, Any] | None = None,
        class_registry: dict[str, Any] | None = None,
        constructor: Callable[..., None] | None = _declarative_constructor,
    ) -> None:
        if metadata is None:
            from athanor.sql.schema import MetaData

            metadata = MetaData()
        self.metadata = metadata
        self.type_annotation_map = _default_type_map()
        if type_annotation_map:
            self.type_annotation_map.update(type_annotation_map)
        self._class_registry: dict[str, Any] = class_registry if class_registry is not None else {}
        self.constructor = constructor
        self._mappers: list[Mapper] = []

    @property
    def mappers(self) -> frozenset[Mapper]:
        return frozenset(self._mappers)

    def _add(self, mapper: Mapper) -> None:
        _registries.add(self)
        self._mappers.append(mapper)
        self._class_registry[mapper.class_.__name__] = mapper.class_

    def generate_base(
        self, *, cls: type = object, name: str = "Base", metaclass: type = type
    ) -> Any:
        ns: dict[str, Any] = {
            "registry": self,
            "metadata": self.metadata,
            "__init_subclass__": _base_init_subclass,
            "__abstract__": True,
        }
        if self.constructor is not None and (cls is object or "__init__" not in cls.__dict__):
            ns["__init__"] = self.constructor
        return metaclass(name, (cls,), ns)

    def mapped(self, cls: type) -> type:
        """Class decorator: map ``cls`` in this registry."""
        _map_class(cls, self)
        return cls

    def mapped_as_dataclass(self, cls: type | None = None, /, **options: Any) -> Any:
        """Class decorator: map ``cls`` in this registry as a dataclass (``init``, ``repr``,
        ``eq``, ``kw_only``, ... as for ``dataclasses.dataclass``)."""
        from athanor.orm._dataclass import mapped_as_dataclass

        return mapped_as_dataclass(self, cls, **options)

    def map_imperatively(self, class_: type, local_table: Any, **kw: Any) -> Mapper:
        mapper = Mapper(class_, local_table, registry=self, **kw)
        self._add(mapper)
        return mapper

    def configure(self, cascade: bool = False) -> None:
        """Run the pending configure pass (mappers are otherwise built eagerly)."""
        _config_events.configure()

    def dispose(self) -> None:
        self._mappers.clear()
        self._class_registry.clear()


_registries: weakref.WeakSet[registry] = weakref.WeakSet()


def configure_mappers() -> None:
    """Finish mapper set-up ahead of the first query (as SQLAlchemy's function does).

    Mappers are configured eagerly here; this imports the relationship-loading modules and
    compiles each mapper's row loader, so the first query in a process pays for neither.
    """
    from athanor.orm import loading

    _config_events.configure()
    try:
        from athanor.orm import collections, joined, strategies  # noqa: F401
    except ImportError:  # relationship support not installed in this tree
        pass
    for reg in list(_registries):
        for mapper in list(reg._mappers):
            loading.loader_code(mapper, tuple(range(len(mapper._load_keys))), True)


def _base_init_subclass(cls: type, **kw: Any) -> None:
    """``__init_subclass__`` of a generated base: map each subclass."""
    _map_class(cls, cls.registry)  # type: ignore[attr-defined]


def declarative_base(
    *,
    metadata: Any = None,
    mapper: Any = None,
    cls: type = object,
    name: str = "Base",
    class_registry: dict[str, Any] | None = None,
    type_annotation_map: dict[Any, Any] | None = None,
    constructor: Callable[..., None] | None = _declarative_constructor,
    metaclass: type = type,
) -> Any:
    """Build a declarative base class (the 1.x spelling of ``class Base(DeclarativeBase)``)."""
    reg = registry(
        metadata=metadata,
        type_annotation_map=type_annotation_map,
        class_registry=class_registry,
        constructor=constructor,
    )
    return reg.generate_base(cls=cls, name=name, metaclass=metaclass)


class DeclarativeBase:
    """Subclass once to make a base (``class Base(DeclarativeBase): pass``); subclass the
    base to map models."""

    registry: typing.ClassVar[registry]
    metadata: typing.ClassVar[Any]
    __abstract__: typing.ClassVar[bool] = True

    if not typing.TYPE_CHECKING:

        def __init_subclass__(cls, **kw: Any) -> None:
            if DeclarativeBase in cls.__bases__:
                _setup_base(cls)
            else:
                _map_class(cls, cls.registry)
            super().__init_subclass__(**kw)

    def __init__(self, **kwargs: Any) -> None:
        _declarative_constructor(self, **kwargs)


#: SQLAlchemy has a metaclass-free variant; athanor's DeclarativeBase has no metaclass anyway.
DeclarativeBaseNoMeta = DeclarativeBase


def _setup_base(cls: type) -> None:
    d = cls.__dict__
    reg = d.get("registry")
    if reg is None:
        reg = registry(
            metadata=d.get("metadata"),
            type_annotation_map=d.get("type_annotation_map"),
        )
        cls.registry = reg  # type: ignore[attr-defined]
    if "metadata" not in d:
        cls.metadata = reg.metadata  # type: ignore[attr-defined]
    cls.__abstract__ = True  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------
# the class scan


def _class_attr(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        if name in klass.__dict__:
            value = klass.__dict__[name]
            if isinstance(value, declared_attr):
                return value.fget(cls)
            return value
    return None


def _mapped_parent(cls: type) -> type | None:
    """The nearest mapped base class (mapper inheritance), or None."""
    for klass in cls.__mro__[1:]:
        if "__mapper__" in klass.__dict__:
            return klass
    return None


def _own_class_attr(cls: type, name: str) -> Any:
    """Like :func:`_class_attr`, but a mapped base class's plain value is not inherited
    (its ``__tablename__`` / ``__mapper_args__`` describe that class, not this one)."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            value = klass.__dict__[name]
            if isinstance(value, declared_attr):
                return value.fget(cls)
            if klass is not cls and "__mapper__" in klass.__dict__:
                continue
            return value
    return None


def _map_class(cls: type, reg: registry) -> Mapper | None:
    if cls.__dict__.get("__abstract__"):
        return None
    table = cls.__dict__.get("__table__")
    parent = _mapped_parent(cls)
    tablename = _own_class_attr(cls, "__tablename__")
    if table is None and tablename is None and parent is None:
        _check_unmapped(cls)
        return None
    props: dict[str, Any] = {}
    from athanor.orm._colprops import declared_properties, scan_declared

    declared = scan_declared(cls)  # column_property(), deferred(), synonym(), composite()
    if declared and table is None:
        from athanor.orm._composites import add_composite_columns

        add_composite_columns(cls, declared, reg.type_annotation_map)
    skip = set(parent.__mro__) if parent is not None else set()
    if table is None and tablename is None:  # single-table inheritance
        assert parent is not None
        columns = _collect_columns(cls, reg, skip, single=True)
        _add_to_parent_table(cls, parent, columns)
        props = dict(columns)
    elif table is None:
        columns = _collect_columns(cls, reg, skip)
        table = _make_table(cls, reg, tablename, columns)
        props = {key: table.c[col.key] for key, col in columns}
    mapper_args = dict(_own_class_attr(cls, "__mapper_args__") or {})
    if parent is not None:
        mapper_args.setdefault("inherits", parent)
    poly_on = mapper_args.get("polymorphic_on")
    if isinstance(poly_on, MappedColumn):
        mapper_args["polymorphic_on"] = getattr(poly_on, "column", poly_on)
    elif isinstance(poly_on, ColumnProperty):  # a column_property() of this class body
        mapper_args["polymorphic_on"] = next(
            (k for k, v in (declared or {}).items() if v is poly_on), poly_on)
    from athanor.orm.relationships import after_mapped, declared_relationships

    props.update(declared_relationships(cls))
    if declared:
        props.update(declared_properties(declared, table, props))
    mapper = Mapper(cls, table, registry=reg, properties=props, **dict(mapper_args))
    reg._add(mapper)
    after_mapped(mapper)
    return mapper


def _check_unmapped(cls: type) -> None:
    """A Base subclass without a table: an error if it declares columns (SQLAlchemy's rule)."""
    from athanor.sql.schema import Column

    for key, value in cls.__dict__.items():
        if isinstance(value, (Column, MappedColumn)):
            raise MappingError(
                f"Mapping {cls.__name__} failed: it has no __tablename__ or __table__ and no "
                f"mapped base class whose table it could share, yet declares column {key!r}. "
                f"Give it a __tablename__, subclass a mapped class (inheritance), or mark it "
                f"__abstract__ = True."
            )


def _add_to_parent_table(cls: type, parent: type, columns: list[tuple[str, Any]]) -> None:
    """Single-table inheritance: the subclass's columns go into the parent's table."""
    table = parent.__mapper__.local_table  # type: ignore[attr-defined]
    for key, col in columns:
        existing = table.c.get(col.key)
        if existing is not None:
            if existing is col:
                continue
            raise MappingError(
                f"Mapping {cls.__name__} failed: single-table inheritance adds its column "
                f"{key!r} to table {table.name!r}, which already has a column of that name. "
                f"Declare the column once, on the common base class."
            )
        if col.primary_key:
            raise MappingError(
                f"Mapping {cls.__name__} failed: column {key!r} is a primary key, but a "
                f"subclass without __tablename__ shares {parent.__name__}'s table and key. "
                f"Give {cls.__name__} a __tablename__ for joined-table inheritance."
            )
        table.append_column(col)


def _collect_columns(
    cls: type, reg: registry, skip: set[type] | None = None, single: bool = False
) -> list[tuple[str, Any]]:
    """(attribute key, Column) pairs: the class's own columns first, then those of its
    mixins and abstract bases in MRO order (as SQLAlchemy orders them), each class's in
    declaration order; ``mapped_column(sort_order=n)`` moves a column (lower first).

    ``skip``: classes whose columns the mapped parent already has (mapper inheritance);
    ``single``: columns of a single-table subclass, nullable unless said otherwise.
    """
    from athanor.orm._colprops import _is_column_decl
    from athanor.orm.mapper import ColumnProperty
    from athanor.sql.schema import Column

    found: dict[str, Any] = {}
    rank: dict[str, tuple[int, int]] = {}  # key -> (sort_order, MRO position of its class)
    mro = cls.__mro__
    for klass in reversed(mro):
        if skip and klass in skip:
            continue
        if (
            klass is object
            or klass in (DeclarativeBase, Generic)
            or "__mapper__" in klass.__dict__
            or "registry" in klass.__dict__
        ):
            continue
        own = klass is cls
        annotations = klass.__dict__.get("__annotations__", {})
        names = list(annotations) + [k for k in klass.__dict__ if k not in annotations]
        for key in names:
            value = klass.__dict__.get(key)
            raw_ann = annotations.get(key)
            if isinstance(value, declared_attr):
                if raw_ann is None:  # def owner_id(cls) -> Mapped[int]: the return type
                    raw_ann = getattr(value.fget, "__annotations__", {}).get("return")
                    if raw_ann is not None:
                        raw_ann = _resolve_annotation(klass, key, raw_ann)
                value = value.fget(cls)
            col = None
            if isinstance(value, ColumnProperty) and _is_column_decl(value.column):
                value = value.column  # column_property(Column(...)) / deferred(...)
            if isinstance(value, Column):
                if not own and value.name is None:
                    value.name = key
                    value.key = key
                col = value if own else _copy_column(value)
                if col.name is None:
                    col.name = key
                if getattr(col, "key", None) is None:
                    col.key = key
            elif isinstance(value, MappedColumn):
                ann = _resolve_annotation(klass, key, raw_ann) if raw_ann is not None else None
                if single and "nullable" not in value.kw and not value.kw.get("primary_key"):
                    col = MappedColumn(value.args, {**value.kw, "nullable": True}).build(
                        key, ann, reg.type_annotation_map)
                    value.column = col
                else:
                    col = value.build(key, ann, reg.type_annotation_map)
            elif (
                value is None
                and raw_ann is not None
                and key not in klass.__dict__
                and (not isinstance(raw_ann, str) or "Mapped" in raw_ann)
            ):
                ann = _resolve_annotation(klass, key, raw_ann)
                if _is_mapped_annotation(ann):
                    col = MappedColumn((), {"nullable": True} if single else {}).build(
                        key, ann, reg.type_annotation_map)
            if col is not None:
                found[key] = col
                order = value.kw.get("sort_order", 0) if isinstance(value, MappedColumn) else 0
                rank[key] = (order or 0, mro.index(klass))
                if own and key in cls.__dict__:
                    type.__delattr__(cls, key)
    return sorted(found.items(), key=lambda item: rank[item[0]])


def _copy_column(col: Any) -> Any:
    for name in ("_copy", "copy"):
        fn = getattr(col, name, None)
        if fn is not None:
            return fn()
    return col


def _make_table(cls: type, reg: registry, name: str, columns: list[tuple[str, Any]]) -> Any:
    from athanor.sql.schema import Table

    table_args = _class_attr(cls, "__table_args__")
    args: list[Any] = []
    kw: dict[str, Any] = {}
    if isinstance(table_args, dict):
        kw = dict(table_args)
    elif isinstance(table_args, tuple):
        if table_args and isinstance(table_args[-1], dict):
            args, kw = list(table_args[:-1]), dict(table_args[-1])
        else:
            args = list(table_args)
    elif table_args is not None:
        raise MappingError(
            f"Mapping {cls.__name__} failed: __table_args__ must be a tuple or a dict; got "
            f"{type(table_args).__name__}."
        )
    if not columns:
        raise MappingError(
            f"Mapping {cls.__name__} failed: it declares no columns. Add Column(...) or "
            f"mapped_column(...) attributes."
        )
    return Table(name, reg.metadata, *(c for _, c in columns), *args, **kw)
