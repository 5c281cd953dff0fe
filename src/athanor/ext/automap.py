"""Automap: mapped classes and relationships generated from a reflected schema.

Design
------
Classes of an automap base are not mapped when their ``class`` statement runs: the base's
``__init_subclass__`` only queues them. :meth:`AutomapBase.prepare` then works in four
steps, all before anything is mapped, so every naming hook sees real classes and every
generated relationship is an ordinary class attribute when its class is mapped:

1. reflect the database into the base's MetaData (``autoload_with``);
2. give the queued (user-declared) classes their tables: the reflected one, with the
   columns the class declares replacing the reflected columns of the same name;
3. make a class for every other table with a primary key, except pure association tables
   (two foreign keys covering every column), which become ``secondary`` tables;
4. add relationships from the foreign keys: many-to-one on the referring class
   (``address.user``), one-to-many on the referred one (``user.address_collection``),
   many-to-many across association tables; both sides linked with ``back_populates``.

Then the queued classes are mapped in declaration order and listed in ``Base.classes``.
A name the class already maps (a column, or a relationship the user declared) is never
overwritten. Relationships are only added to classes mapped in this ``prepare()`` call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from athanor import exc
from athanor.orm import MANYTOMANY, MANYTOONE, ONETOMANY, relationship
from athanor.orm.decl import MappedColumn, registry
from athanor.sql.constraint import ForeignKeyConstraint
from athanor.sql.elements import and_
from athanor.sql.schema import Column, Table


def classname_for_table(base: type, tablename: str, table: Table) -> str:
    """Default class name of a reflected table: the table name."""
    return str(tablename)


def name_for_scalar_relationship(base: type, local_cls: type, referred_cls: type,
                                 constraint: ForeignKeyConstraint) -> str:
    """Default many-to-one name: the referred class name, lower case (``address.user``)."""
    return referred_cls.__name__.lower()


def name_for_collection_relationship(base: type, local_cls: type, referred_cls: type,
                                     constraint: ForeignKeyConstraint) -> str:
    """Default collection name: referred class, lower case, + ``_collection``."""
    return referred_cls.__name__.lower() + "_collection"


def generate_relationship(base: type, direction: str, return_fn: Callable[..., Any],
                          attrname: str, local_cls: type, referred_cls: type, **kw: Any) -> Any:
    """Default relationship factory: ``return_fn(referred_cls, **kw)``."""
    return return_fn(referred_cls, **kw)


class Properties:
    """``Base.classes``: the automapped classes by name (``Base.classes.user``)."""

    def __init__(self) -> None:
        self.__dict__["_data"] = {}

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(
                f"Base.classes has no class {name!r}; it has: {', '.join(self._data)}. "
                f"Was prepare() called, and does the table have a primary key?"
            ) from None

    def __getitem__(self, name: str) -> Any:
        return self._data[name]

    def __setattr__(self, name: str, value: Any) -> None:
        self._data[name] = value

    def __contains__(self, name: object) -> bool:
        return name in self._data

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._data.values()))

    def __len__(self) -> int:
        return len(self._data)

    def keys(self) -> list[str]:
        return list(self._data)

    def values(self) -> list[Any]:
        return list(self._data.values())

    def items(self) -> list[tuple[str, Any]]:
        return list(self._data.items())

    def get(self, name: str, default: Any = None) -> Any:
        return self._data.get(name, default)

    def __dir__(self) -> list[str]:
        return list(self._data)


class AutomapBase:
    """Base class made by :func:`automap_base`; see the module docstring."""

    __abstract__ = True
    classes: Properties
    registry: registry
    metadata: Any

    @classmethod
    def prepare(
        cls,
        autoload_with: Any = None,
        engine: Any = None,
        reflect: bool = False,
        schema: str | None = None,
        classname_for_table: Callable[..., str] | None = None,
        modulename_for_table: Any = None,
        collection_class: Any = None,
        name_for_scalar_relationship: Callable[..., str] | None = None,
        name_for_collection_relationship: Callable[..., str] | None = None,
        generate_relationship: Callable[..., Any] | None = None,
        reflection_options: dict[str, Any] | None = None,
    ) -> None:
        """Reflect (with ``autoload_with=engine``), then map and relate every table."""
        from athanor.ext import _automap_plan

        bind = autoload_with if autoload_with is not None else engine if reflect else None
        if bind is not None:
            cls.metadata.reflect(bind, schema=schema, **dict(reflection_options or {}))
        hooks = _automap_plan.Hooks(
            classname_for_table or _DEFAULT_CLASSNAME,
            name_for_scalar_relationship or _DEFAULT_SCALAR_NAME,
            name_for_collection_relationship or _DEFAULT_COLLECTION_NAME,
            generate_relationship or _DEFAULT_GENERATE,
            collection_class if collection_class is not None else list,
        )
        _automap_plan.prepare(cls, hooks, schema)


# prepare()'s parameters shadow the module-level defaults' names
_DEFAULT_CLASSNAME = classname_for_table
_DEFAULT_SCALAR_NAME = name_for_scalar_relationship
_DEFAULT_COLLECTION_NAME = name_for_collection_relationship
_DEFAULT_GENERATE = generate_relationship


def _queue(cls: type, **kw: Any) -> None:
    """``__init_subclass__`` of an automap base: queue the class for ``prepare()``."""
    for klass in cls.__mro__:
        pending = klass.__dict__.get("_automap_pending")
        if pending is not None:
            pending.append(cls)
            return


def automap_base(declarative_base: Any = None, **kw: Any) -> Any:
    """A declarative base whose ``prepare()`` maps the database's tables (see module)."""
    if declarative_base is None:
        from athanor.orm.decl import declarative_base as make_base

        declarative_base = make_base(**kw)
    elif kw:
        raise exc.ArgumentError(
            f"automap_base() failed: options {sorted(kw)!r} only apply when no "
            f"declarative base is given. Configure the given base instead."
        )
    base: Any = type(declarative_base.__name__, (AutomapBase, declarative_base), {
        "__abstract__": True,
        "classes": Properties(),
        "_automap_pending": [],
        "__init_subclass__": classmethod(_queue),
    })
    return base


def declared_column_names(cls: type) -> set[str]:
    """Column names a class body declares (they replace reflected ones)."""
    names: set[str] = set()
    for key, value in cls.__dict__.items():
        if isinstance(value, Column):
            names.add(value.name or key)
        elif isinstance(value, MappedColumn):
            first = value.args[0] if value.args else None
            names.add(first if isinstance(first, str) else value.kw.get("name") or key)
    return names


def join_condition(constraint: ForeignKeyConstraint) -> Any:
    """``local.col = referred.col AND ...`` for a self-referential association table."""
    return and_(*[fk.column == fk.parent for fk in constraint.elements])


__all__ = [
    "MANYTOMANY", "MANYTOONE", "ONETOMANY", "AutomapBase", "automap_base",
    "classname_for_table", "generate_relationship", "name_for_collection_relationship",
    "name_for_scalar_relationship", "relationship",
]
