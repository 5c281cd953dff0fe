"""The ORM: declarative models, Session with identity map and unit of work, Query.

Public names mirror ``sqlalchemy.orm``. Module map (see each module's docstring):

- ``decl``: declarative_base / DeclarativeBase / registry / Mapped / mapped_column
- ``mapper``: Mapper and MapperProperty (ColumnProperty; relationships plug in here)
- ``attributes`` / ``state`` / ``identity``: instrumentation, per-instance state, identity map
- ``loading``: rows to objects (pure); ``unitofwork`` + ``persistence``: flush planning (pure)
- ``session`` / ``transaction`` / ``context``: the I/O shell; ``query``: the legacy Query
- ``scoping``: scoped_session (owned by the web integration)
- ``_colprops`` / ``_deferred`` / ``_validators``: column_property, deferred, synonym, the
  column loader options and ``@validates``
"""

from __future__ import annotations

from typing import Any

from athanor.orm import exc
from athanor.orm._aliased import AliasedClass, aliased
from athanor.orm._bundle import Bundle, DictBundle
from athanor.orm._colprops import (
    SynonymProperty,
    column_property,
    deferred,
    query_expression,
    synonym,
)
from athanor.orm._composites import CompositeProperty, composite
from athanor.orm._config_events import clear_mappers
from athanor.orm._constants import (
    EXT_CONTINUE,
    EXT_SKIP,
    EXT_STOP,
    NO_KEY,
    NO_VALUE,
    LoaderCallableStatus,
    PassiveFlag,
    RelationshipDirection,
)
from athanor.orm._criteria import LoaderCriteriaOption, with_loader_criteria
from athanor.orm._dataclass import MappedAsDataclass, mapped_as_dataclass
from athanor.orm._dynamic import AppenderQuery, DynamicMapped, WriteOnlyCollection, WriteOnlyMapped
from athanor.orm._execute_state import ORMExecuteState
from athanor.orm._inheritance import with_polymorphic
from athanor.orm._inheritance_load import (
    AbstractConcreteBase,
    ConcreteBase,
    polymorphic_union,
    selectin_polymorphic,
)
from athanor.orm._instance_events import InstanceEvents, reconstructor
from athanor.orm._validators import validates
from athanor.orm.attributes import History, InstrumentedAttribute, PropComparator
from athanor.orm.decl import (
    DeclarativeBase,
    DeclarativeBaseNoMeta,
    Mapped,
    MappedColumn,
    configure_mappers,
    declarative_base,
    declared_attr,
    mapped_column,
    registry,
)
from athanor.orm.mapped_collection import (
    KeyFuncDict,
    MappedCollection,
    attribute_keyed_dict,
    attribute_mapped_collection,
    column_keyed_dict,
    column_mapped_collection,
    keyfunc_mapping,
    mapped_collection,
)
from athanor.orm.mapper import (
    ColumnProperty,
    Mapper,
    MapperProperty,
    class_mapper,
    object_mapper,
)
from athanor.orm.n1 import NPlusOneError, NPlusOneWarning
from athanor.orm.query import Query
from athanor.orm.relationships import (
    MANYTOMANY,
    MANYTOONE,
    ONETOMANY,
    RelationshipProperty,
    backref,
    relationship,
)
from athanor.orm.relsql import with_parent
from athanor.orm.result import merge_frozen_result, merge_result
from athanor.orm.session import (
    Session,
    close_all_sessions,
    make_transient,
    make_transient_to_detached,
    object_session,
    sessionmaker,
)
from athanor.orm.state import InstanceState
from athanor.orm.strategy_options import (
    AliasOption,
    Load,
    UserDefinedOption,
    contains_alias,
    contains_eager,
    defaultload,
    defer,
    immediateload,
    joinedload,
    lazyload,
    load_only,
    noload,
    raiseload,
    selectinload,
    subqueryload,
    undefer,
    undefer_group,
    with_expression,
)
from athanor.orm.transaction import SessionTransaction


def __getattr__(name: str) -> Any:
    if name in ("scoped_session", "QueryPropertyDescriptor"):
        from athanor.orm import scoping

        return getattr(scoping, name)
    raise AttributeError(f"module 'athanor.orm' has no attribute {name!r}")


__all__ = [
    "AliasedClass",
    "AppenderQuery",
    "DynamicMapped",
    "WriteOnlyCollection",
    "WriteOnlyMapped",
    "aliased",
    "InstanceEvents",
    "Load",
    "MANYTOMANY",
    "MANYTOONE",
    "NPlusOneError",
    "NPlusOneWarning",
    "ONETOMANY",
    "RelationshipProperty",
    "backref",
    "contains_eager",
    "defaultload",
    "defer",
    "immediateload",
    "joinedload",
    "lazyload",
    "load_only",
    "noload",
    "raiseload",
    "reconstructor",
    "relationship",
    "selectinload",
    "subqueryload",
    "undefer",
    "undefer_group",
    "deferred",
    "validates",
    "SynonymProperty",
    "with_parent",
    "with_polymorphic",
    "selectin_polymorphic",
    "polymorphic_union",
    "ConcreteBase",
    "AbstractConcreteBase",
    "ColumnProperty",
    "DeclarativeBase",
    "DeclarativeBaseNoMeta",
    "History",
    "InstanceState",
    "InstrumentedAttribute",
    "Mapped",
    "MappedColumn",
    "Mapper",
    "MapperProperty",
    "Query",
    "Session",
    "SessionTransaction",
    "class_mapper",
    "clear_mappers",
    "close_all_sessions",
    "configure_mappers",
    "column_property",
    "declarative_base",
    "declared_attr",
    "exc",
    "make_transient",
    "make_transient_to_detached",
    "mapped_column",
    "object_mapper",
    "object_session",
    "registry",
    "scoped_session",
    "sessionmaker",
    "synonym",
]


# --- SQLAlchemy-compatible helpers (compat sweep) -------------------------------------------
def foreign(expr: Any) -> Any:
    """Mark the referring column of a ``primaryjoin`` given as a string or a lambda (it
    then acts as ``foreign_keys=[expr]``); returns ``expr``."""
    from athanor.orm.relconfig import mark

    return mark("foreign", expr)


def remote(expr: Any) -> Any:
    """Mark the remote column of a ``primaryjoin`` (``remote_side=``); see :func:`foreign`."""
    from athanor.orm.relconfig import mark

    return mark("remote", expr)


def declarative_mixin(cls: Any) -> Any:
    """Mark a class as a declarative mixin (a no-op, for type checkers and readers)."""
    return cls


def as_declarative(**kw: Any) -> Any:
    """Class decorator: the decorated class becomes a declarative base
    (``declarative_base(cls=TheClass, **kw)``)."""

    def decorate(cls: type) -> Any:
        return declarative_base(cls=cls, name=cls.__name__, **kw)

    return decorate


def has_inherited_table(cls: type) -> bool:
    """True when a base class of ``cls`` (not ``cls`` itself) already has a mapped table."""
    return any(getattr(base, "__table__", None) is not None for base in cls.__mro__[1:])


def join(left: Any, right: Any, onclause: Any = None, isouter: bool = False,
         full: bool = False) -> Any:
    """``sqlalchemy.orm.join``: a JOIN between entities, tables or aliases."""
    from athanor.sql import join as sql_join

    return sql_join(left, right, onclause, isouter=isouter, full=full)


def outerjoin(left: Any, right: Any, onclause: Any = None, full: bool = False) -> Any:
    """``sqlalchemy.orm.outerjoin``: :func:`join` with ``isouter=True``."""
    return join(left, right, onclause, isouter=True, full=full)


QueryableAttribute = InstrumentedAttribute
Relationship = RelationshipProperty
Synonym = SynonymProperty

__all__ += ["MappedAsDataclass", "mapped_as_dataclass", "CompositeProperty", "composite"]
__all__ += ["KeyFuncDict", "MappedCollection", "attribute_keyed_dict",
            "attribute_mapped_collection", "column_keyed_dict", "column_mapped_collection",
            "keyfunc_mapping", "mapped_collection"]

def synonym_for(name: str, map_column: bool = False) -> Any:
    """Decorator: the decorated function or property becomes the Python-side descriptor of
    ``synonym(name)``."""

    def decorate(fn: Any) -> Any:
        return synonym(name, map_column=map_column, descriptor=fn)

    return decorate


def create_session(bind: Any = None, **kwargs: Any) -> Session:
    """A Session with ``autoflush`` and ``expire_on_commit`` off unless given (for tests)."""
    kwargs.setdefault("autoflush", False)
    kwargs.setdefault("expire_on_commit", False)
    return Session(bind=bind, **kwargs)


def was_deleted(object_: Any) -> bool:
    """True when ``object_`` was deleted in a flush (still so after the commit)."""
    from athanor.orm.session import _state_for

    return bool(_state_for(object_, "was_deleted()").was_deleted)

__all__ += ["AliasOption", "Bundle", "DictBundle", "LoaderCriteriaOption", "ORMExecuteState",
            "with_loader_criteria", "EXT_CONTINUE", "EXT_SKIP", "EXT_STOP",
            "LoaderCallableStatus",
            "NO_KEY", "NO_VALUE", "PassiveFlag", "PropComparator", "Relationship",
            "RelationshipDirection", "Synonym", "UserDefinedOption", "contains_alias",
            "create_session", "merge_frozen_result", "merge_result", "query_expression",
            "synonym_for", "was_deleted", "with_expression"]
__all__ += ["QueryableAttribute", "as_declarative", "declarative_mixin", "foreign",
            "has_inherited_table", "join", "outerjoin", "remote"]
