"""Schema objects: MetaData, Table, Column and column defaults (Sequence, Identity, ...).

``Column`` is an expression (it subclasses :class:`~athanor.sql.elements.ColumnClause`, so
``users.c.id == 5`` builds SQL) and ``Table`` a FROM clause (subclassing
:class:`~athanor.sql.selectable.TableClause`); this module adds what DDL and the ORM need:
nullability, defaults, keys, constraints, indexes and the ``MetaData`` registry.

Construction order is free: a ``Column`` may be created without a name (declarative names it
later), a ``ForeignKey`` resolves its target lazily, and a ``Table`` attaches its columns and
constraints in the order given. Anything ``create_all`` must do in dependency order is
planned by :mod:`athanor.sql.ddlrunner` over ``MetaData.sorted_tables``.

Never compare columns with ``==``/``in`` in this layer: that builds expressions. Identity
(``is``) and id-keyed dicts are used instead.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Iterator
from enum import Enum
from typing import Any

from athanor import exc
from athanor.sql._reserved import quoted_name
from athanor.sql.constraint import (
    CheckConstraint,
    Constraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    UniqueConstraint,
)
from athanor.sql.elements import ClauseElement, ColumnClause
from athanor.sql.selectable import TableClause
from athanor.sql.type_api import NULLTYPE, TypeEngine, to_instance

_DIALECT_PREFIXES = ("sqlite_", "postgresql_", "mysql_", "mariadb_", "mssql_", "oracle_")
_UNSET: Any = object()


class SchemaConst(Enum):
    """Markers accepted where a schema name is expected."""

    #: ``Table(..., schema=BLANK_SCHEMA)``: no schema, even when the MetaData has one.
    BLANK_SCHEMA = 2


BLANK_SCHEMA = SchemaConst.BLANK_SCHEMA


def _table_schema(metadata: MetaData, given: Any) -> Any:
    if given is BLANK_SCHEMA:
        return None
    return metadata.schema if given is _UNSET else given


def _dialect_kwargs(owner: str, kw: dict[str, Any]) -> dict[str, Any]:
    """Keep ``<dialect>_<option>`` keywords; refuse anything else with a helpful message."""
    unknown = [k for k in kw if not k.startswith(_DIALECT_PREFIXES)]
    if unknown:
        raise exc.ArgumentError(
            f"Creating {owner} failed: unknown keyword argument(s) {', '.join(sorted(unknown))}. "
            "Check the spelling; dialect options are written like 'mysql_engine'."
        )
    return dict(kw)


# -- defaults --------------------------------------------------------------------------------


class DefaultGenerator:
    """Base of Python-side and server-side column defaults."""

    _is_schema_item = True
    is_sequence = False
    is_server_default = False
    is_scalar = False
    is_callable = False
    is_clause_element = False
    has_arg = False
    for_update = False
    column: Any = None

    def _set_parent(self, column: Column) -> None:
        self.column = column


class ColumnDefault(DefaultGenerator):
    """A Python-side default (``default=`` / ``onupdate=``): a scalar, callable or SQL expr.

    A callable ``arg`` always takes one argument (an execution context, possibly None); user
    callables that take none are wrapped once here.
    """

    has_arg = True

    def __init__(self, arg: Any, for_update: bool = False) -> None:
        if isinstance(arg, (ColumnDefault, DefaultClause)):
            arg = arg.__dict__["arg"]
        self.for_update = for_update
        self.is_clause_element = isinstance(arg, ClauseElement) or hasattr(
            arg, "__clause_element__"
        )
        self.is_callable = callable(arg) and not self.is_clause_element
        self.is_scalar = not (self.is_callable or self.is_clause_element)
        self.arg = _one_arg(arg) if self.is_callable else arg

    def __repr__(self) -> str:
        return f"ColumnDefault({self.arg!r})"


def _one_arg(fn: Callable[..., Any]) -> Callable[[Any], Any]:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature: assume no arguments
        return lambda ctx: fn()
    positional = [
        p for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    if positional or any(p.kind is p.VAR_POSITIONAL for p in params):
        return fn
    return lambda ctx: fn()


class FetchedValue(DefaultGenerator):
    """Marks a column whose value the database sets (trigger, default) without DDL here."""

    is_server_default = True
    reflected = False

    def __init__(self, for_update: bool = False) -> None:
        self.for_update = for_update

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class DefaultClause(FetchedValue):
    """A server-side DEFAULT rendered in DDL: a string literal or ``text()``/expression."""

    has_arg = True

    def __init__(self, arg: Any, for_update: bool = False, _reflected: bool = False) -> None:
        if not isinstance(arg, (str, ClauseElement)) and not hasattr(arg, "__clause_element__"):
            raise exc.ArgumentError(
                f"Creating a server default failed: got {type(arg).__name__}. Pass a string "
                "(quoted as a literal), text('...') or a SQL expression such as func.now()."
            )
        super().__init__(for_update)
        self.arg = arg

    def __repr__(self) -> str:
        return f"DefaultClause({self.arg!r})"


class Sequence(DefaultGenerator):
    """A database sequence; on databases with sequences it feeds the column's default."""

    is_sequence = True
    __visit_name__ = "sequence"

    def __init__(
        self, name: str, start: int | None = None, increment: int | None = None,
        minvalue: int | None = None, maxvalue: int | None = None, cycle: bool | None = None,
        schema: str | None = None, cache: int | None = None, optional: bool = False,
        metadata: MetaData | None = None, data_type: Any = None, **kw: Any,
    ) -> None:
        self.name = name
        self.start = start
        self.increment = increment
        self.minvalue = minvalue
        self.maxvalue = maxvalue
        self.cycle = cycle
        self.schema = schema
        self.cache = cache
        self.optional = optional
        self.metadata = metadata
        self.data_type = data_type
        if metadata is not None:
            metadata._sequences[name] = self

    def _set_parent(self, column: Column) -> None:
        self.column = column
        column.sequence = self

    def next_value(self) -> Any:
        from athanor.sql.elements import TextClause

        return TextClause(f"nextval('{self.name}')")

    def __repr__(self) -> str:
        return f"Sequence({self.name!r})"


class Identity(DefaultGenerator):
    """``GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY`` (AUTO_INCREMENT on MariaDB)."""

    is_server_default = True
    __visit_name__ = "identity_column"

    def __init__(
        self, always: bool = False, on_null: bool | None = None, start: int | None = None,
        increment: int | None = None, minvalue: int | None = None,
        maxvalue: int | None = None, cycle: bool | None = None, cache: int | None = None,
        **kw: Any,
    ) -> None:
        self.always = always
        self.on_null = on_null
        self.start = start
        self.increment = increment
        self.minvalue = minvalue
        self.maxvalue = maxvalue
        self.cycle = cycle
        self.cache = cache

    def _set_parent(self, column: Column) -> None:
        self.column = column
        column.identity = self
        column.server_default = self


class Computed(DefaultGenerator):
    """``GENERATED ALWAYS AS (expr) [STORED]``: a column computed by the database."""

    is_server_default = True
    __visit_name__ = "computed_column"

    def __init__(self, sqltext: Any, persisted: bool | None = None) -> None:
        self.sqltext = sqltext
        self.persisted = persisted

    def _set_parent(self, column: Column) -> None:
        self.column = column
        column.computed = self
        column.server_default = self
        column.server_onupdate = self


def _as_default(value: Any, for_update: bool) -> Any:
    if value is None or isinstance(value, DefaultGenerator) and not isinstance(
        value, DefaultClause
    ):
        return value
    return ColumnDefault(value, for_update=for_update)


def _as_server_default(value: Any, for_update: bool = False) -> Any:
    if value is None or isinstance(value, FetchedValue):
        return value
    return DefaultClause(value, for_update=for_update)


# -- Column ----------------------------------------------------------------------------------


class Column(ColumnClause):
    """A table column: ``Column("id", Integer, primary_key=True)``.

    The name may be omitted (declarative assigns it); the type may be omitted when the column
    has a ``ForeignKey`` (it then takes the referenced column's type).
    """

    __visit_name__ = "column"
    _is_schema_item = True
    inherit_cache = True

    def __init__(self, *args: Any, **kw: Any) -> None:
        items = list(args)
        name = items.pop(0) if items and isinstance(items[0], str) else kw.pop("name", None)
        type_ = kw.pop("type_", None)
        if items and _is_type(items[0]):
            if type_ is not None:
                raise exc.ArgumentError(
                    f"Creating Column {name!r} failed: the type is given both positionally and "
                    "as type_=. Give it once."
                )
            type_ = items.pop(0)
        if name is not None and kw.get("quote") is not None:
            name = quoted_name(name, kw["quote"])
        super().__init__(name, to_instance(type_) if type_ is not None else None)  # type: ignore[arg-type]
        self.key = kw.pop("key", name)
        self.primary_key = bool(kw.pop("primary_key", False))
        self._nullable_given = kw.pop("nullable", None)
        self.nullable = (not self.primary_key) if self._nullable_given is None else bool(
            self._nullable_given
        )
        default = kw.pop("default", None)
        insert_default = kw.pop("insert_default", None)
        self.default = _as_default(default if default is not None else insert_default, False)
        self.server_default = _as_server_default(kw.pop("server_default", None))
        self.onupdate = _as_default(kw.pop("onupdate", None), True)
        self.server_onupdate = _as_server_default(kw.pop("server_onupdate", None), True)
        self.unique = kw.pop("unique", None)
        self.index = kw.pop("index", None)
        self.autoincrement = kw.pop("autoincrement", "auto")
        self.comment = kw.pop("comment", None)
        self.doc = kw.pop("doc", None)
        self.info = dict(kw.pop("info", None) or {})
        self.system = kw.pop("system", False)
        self._omit_from_statements = bool(kw.pop("_omit_from_statements", False))
        for ignored in ("quote", "sort_order", "_proxies", "insert_sentinel"):
            kw.pop(ignored, None)
        self.dialect_kwargs = _dialect_kwargs(f"Column {name!r}", kw)
        self.foreign_keys: set[ForeignKey] = set()  # type: ignore[misc]
        self.constraints: set[Constraint] = set()
        self.sequence: Sequence | None = None
        self.identity: Identity | None = None
        self.computed: Computed | None = None
        self._args = list(items)
        for item in items:
            self._attach_arg(item)

    def _attach_arg(self, item: Any) -> None:
        if isinstance(item, (ForeignKey, DefaultGenerator)):
            item._set_parent(self)
        elif isinstance(item, Constraint):
            self.constraints.add(item)
        else:
            raise exc.ArgumentError(
                f"Creating Column {self.name!r} failed: unexpected argument "
                f"{type(item).__name__}. Pass the name, the type, then ForeignKey / Sequence / "
                "Identity / Computed / server defaults."
            )

    # -- type falls back to the referenced column's ------------------------------------------

    @property  # type: ignore[override]
    def type(self) -> Any:
        t = self.__dict__.get("_type")
        if t is not None:
            return t
        for fk in self.foreign_keys:
            try:
                target = fk.column
            except exc.InvalidRequestError:
                return NULLTYPE
            t = target.type
            if t is not NULLTYPE:
                self.__dict__["_type"] = t
            return t
        return NULLTYPE

    @type.setter
    def type(self, value: Any) -> None:
        self.__dict__["_type"] = value

    # -- attaching to a table ----------------------------------------------------------------

    def _set_parent(self, table: Table) -> None:
        if self.name is None:
            raise exc.ArgumentError(
                f"Adding a column to Table {table.name!r} failed: the column has no name. "
                "Pass the name as Column's first argument."
            )
        if self.table is not None and self.table is not table:
            raise exc.ArgumentError(
                f"Adding column {self.name!r} to Table {table.name!r} failed: it already belongs "
                f"to Table {self.table.name!r}. Use column._copy() for a second table."
            )
        if self.key is None:
            self.key = self.name
        existing = table.c.get(self.key)
        if existing is not None and existing is not self:
            table._remove_column(existing)
        table._attach_column(self)
        if self.primary_key:
            table.primary_key._add_column(self)
        for fk in self.foreign_keys:
            fk._set_table(table)
        if self.index:
            Index(None, self.key, unique=bool(self.unique))._set_parent(table)
        elif self.unique:
            UniqueConstraint(self.key)._set_parent(table)
        for constraint in self.constraints:
            constraint._set_parent(table)

    @property
    def _autoincrement_capable(self) -> bool:
        return getattr(self.type, "_affinity", None) == "integer"

    def references(self, column: Any) -> bool:
        """Does one of this column's foreign keys point at ``column``?"""
        return any(fk.column is column for fk in self.foreign_keys)

    def _copy(self, **kw: Any) -> Column:
        """An unattached copy (declarative mixins copy their columns per class)."""
        args: list[Any] = []
        for item in self._args:
            args.append(item._copy() if isinstance(item, ForeignKey) else item)
        new = Column(
            self.name, self.__dict__.get("_type"), *args, key=self.key,
            primary_key=self.primary_key, nullable=self._nullable_given,
            default=self.default, server_default=self.server_default,
            onupdate=self.onupdate, server_onupdate=self.server_onupdate,
            unique=self.unique, index=self.index, autoincrement=self.autoincrement,
            comment=self.comment, doc=self.doc, info=dict(self.info), **self.dialect_kwargs,
        )
        for k, v in kw.items():
            setattr(new, k, v)
        return new

    copy = _copy

    def __repr__(self) -> str:
        t = self.table
        where = f"{t.name}." if t is not None else ""
        return f"Column({where}{self.name}, {self.type!r})"


def _is_type(obj: Any) -> bool:
    return isinstance(obj, TypeEngine) or (isinstance(obj, type) and issubclass(obj, TypeEngine))


# -- Table -----------------------------------------------------------------------------------


class Table(TableClause):
    """A table in a MetaData: ``Table("users", metadata, Column(...), ...)``.

    Calling ``Table(name, metadata)`` for a name already in the MetaData returns that table;
    giving columns again needs ``extend_existing=True`` (or ``keep_existing=True``).
    """

    __visit_name__ = "table"
    _is_schema_item = True

    def __new__(cls, *args: Any, **kw: Any) -> Table:
        if not args:  # copy / unpickle: no constructor arguments, __init__ is not called
            return super().__new__(cls)
        if len(args) < 2:
            raise exc.ArgumentError(
                "Creating a Table failed: it needs a name and a MetaData, as in "
                "Table('users', metadata, Column('id', Integer, primary_key=True))."
            )
        name, metadata = args[0], args[1]
        if not isinstance(metadata, MetaData):
            raise exc.ArgumentError(
                f"Creating Table {name!r} failed: the second argument must be a MetaData; got "
                f"{type(metadata).__name__}. Pass the MetaData before the columns."
            )
        schema = _table_schema(metadata, kw.get("schema", _UNSET))
        key = f"{schema}.{name}" if schema else name
        existing = metadata.tables.get(key)
        if existing is None:
            table = super().__new__(cls)
            table._initialised = False
            return table
        if kw.get("keep_existing"):
            existing.__dict__["_skip_init"] = True
            return existing
        if len(args) > 2 and not kw.get("extend_existing"):
            raise exc.InvalidRequestError(
                f"Defining Table {key!r} failed: it is already defined in this MetaData. Pass "
                "extend_existing=True to add to it, or use the existing Table object."
            )
        existing.__dict__["_skip_init"] = len(args) == 2 and not kw.get("extend_existing")
        return existing

    def __init__(self, name: str, metadata: MetaData, *args: Any, **kw: Any) -> None:
        if self.__dict__.pop("_skip_init", False):
            return
        if self.__dict__.get("_initialised"):
            kw.pop("extend_existing", None)
            kw.pop("schema", None)
            self._init_items(args)
            if kw.get("autoload_with") is not None:
                self._autoload(kw)
            return
        schema = _table_schema(metadata, kw.pop("schema", _UNSET))
        if kw.get("quote") is not None:
            name = quoted_name(name, kw["quote"])
        super().__init__(name, schema=schema)
        self._initialised = True
        self.metadata = metadata
        for opt in ("extend_existing", "keep_existing", "autoload_replace", "quote",
                    "quote_schema", "must_exist", "prefixes", "listeners"):
            kw.pop(opt, None)
        self.comment: str | None = kw.pop("comment", None)
        self.info: dict[str, Any] = dict(kw.pop("info", None) or {})
        self.implicit_returning: bool = kw.pop("implicit_returning", True)
        reflect: dict[str, Any] = {
            k: kw.pop(k) for k in ("autoload_with", "include_columns", "exclude_columns",
                                   "resolve_fks") if k in kw}
        if kw.pop("autoload", False) and reflect.get("autoload_with") is None:
            raise exc.ArgumentError(
                f"Creating Table {name!r} failed: autoload=True needs an engine to read from. "
                "Pass autoload_with=engine (or a Connection)."
            )
        self.dialect_kwargs = _dialect_kwargs(f"Table {name!r}", kw)
        self.constraints: set[Constraint] = set()
        self.indexes: set[Index] = set()
        self.__dict__["_pk"] = None
        PrimaryKeyConstraint()._set_parent(self)
        metadata._add_table(self)
        self._init_items(args)
        if reflect.get("autoload_with") is not None:
            try:
                self._autoload(reflect)
            except BaseException:
                metadata.remove(self)
                raise

    def _autoload(self, kw: dict[str, Any]) -> None:
        """Fill this table from the database behind ``kw['autoload_with']``."""
        inspector = _inspector_for(kw["autoload_with"], f"Reflecting Table {self.name!r}")
        inspector.reflect_table(self, kw.get("include_columns"), kw.get("exclude_columns", ()),
                                kw.get("resolve_fks", True))

    def _init_items(self, args: tuple[Any, ...]) -> None:
        for item in args:
            if isinstance(item, (Column, Constraint, Index)):
                item._set_parent(self)
            elif item is None:
                continue
            else:
                raise exc.ArgumentError(
                    f"Creating Table {self.name!r} failed: unexpected argument "
                    f"{type(item).__name__}. Pass Column, constraint and Index objects after "
                    "the MetaData."
                )

    def _attach_column(self, column: Column) -> None:
        TableClause._append_column(self, column)

    def _remove_column(self, column: Column) -> None:
        self.c.remove(column)
        pk = self.__dict__.get("_pk")
        if pk is not None:
            pk._columns = [c for c in pk._columns if c is not column]

    def append_column(self, column: Column, replace_existing: bool = False) -> None:  # type: ignore[override]
        """Add a column after construction (declarative uses this)."""
        column._set_parent(self)

    def _append_column(self, column: Any) -> None:
        column._set_parent(self)

    def append_constraint(self, constraint: Constraint | Index) -> None:
        constraint._set_parent(self)

    @property
    def key(self) -> str:
        return self.fullname

    @property  # type: ignore[override]
    def primary_key(self) -> PrimaryKeyConstraint:
        return self.__dict__["_pk"]  # type: ignore[no-any-return]

    @property
    def foreign_key_constraints(self) -> set[ForeignKeyConstraint]:
        return {c for c in self.constraints if isinstance(c, ForeignKeyConstraint)}

    @property
    def autoincrement_column(self) -> Column | None:
        """The integer primary-key column the database numbers itself, if any."""
        pk = list(self.primary_key)
        explicit = [c for c in pk if c.autoincrement is True]
        if explicit:
            return explicit[0]
        if len(pk) != 1:
            return None
        col = pk[0]
        if col.autoincrement != "auto" or not col._autoincrement_capable:
            return None
        if col.foreign_keys or col.default is not None or col.computed is not None:
            return None
        if col.server_default is not None and col.identity is None:
            return None
        return col

    def create(self, bind: Any, checkfirst: bool = False) -> None:
        """CREATE this table (and its indexes, and enum types it needs)."""
        self.metadata.create_all(bind, tables=[self], checkfirst=checkfirst)

    def drop(self, bind: Any, checkfirst: bool = False) -> None:
        """DROP this table."""
        self.metadata.drop_all(bind, tables=[self], checkfirst=checkfirst)

    def tometadata(self, metadata: MetaData, schema: Any = _UNSET) -> Table:
        return self.to_metadata(metadata, schema)

    def to_metadata(self, metadata: MetaData, schema: Any = _UNSET) -> Table:
        """A copy of this table in another MetaData."""
        schema = self.schema if schema is _UNSET else schema
        cols = [c._copy() for c in self.c]  # type: ignore[attr-defined]
        return Table(self.name, metadata, *cols, schema=schema, comment=self.comment)

    def __repr__(self) -> str:
        return f"Table({self.fullname!r})"


# -- MetaData --------------------------------------------------------------------------------


class MetaData:
    """A collection of tables (and their sequences and types) that are created together."""

    _is_schema_item = True

    def __init__(
        self, schema: str | None = None, quote_schema: bool | None = None,
        naming_convention: dict[Any, str] | None = None, info: dict[str, Any] | None = None,
    ) -> None:
        from athanor.sql.constraint import DEFAULT_NAMING_CONVENTION

        self.schema = schema
        convention = dict(DEFAULT_NAMING_CONVENTION)
        for key, template in (naming_convention or {}).items():
            convention[_convention_key(key)] = template
        self.naming_convention = convention
        self.info = dict(info or {})
        self.tables: dict[str, Table] = {}
        self._sequences: dict[str, Sequence] = {}

    def _add_table(self, table: Table) -> None:
        self.tables[table.fullname] = table

    def remove(self, table: Table) -> None:
        self.tables.pop(table.fullname, None)

    def clear(self) -> None:
        self.tables.clear()

    def __contains__(self, table_or_key: Any) -> bool:
        key = table_or_key if isinstance(table_or_key, str) else table_or_key.fullname
        return key in self.tables

    def __iter__(self) -> Iterator[Table]:
        return iter(self.sorted_tables)

    @property
    def sorted_tables(self) -> list[Table]:
        """Tables in foreign-key dependency order: referenced tables before referring ones."""
        return sort_tables(self.tables.values())

    def create_all(self, bind: Any, tables: Any = None, checkfirst: bool = True) -> None:
        """CREATE every table (or ``tables``), their indexes and types, in dependency order."""
        from athanor.sql.ddlrunner import create_all

        create_all(self, bind, tables=tables, checkfirst=checkfirst)

    def drop_all(self, bind: Any, tables: Any = None, checkfirst: bool = True) -> None:
        """DROP every table (or ``tables``) in reverse dependency order, then their types."""
        from athanor.sql.ddlrunner import drop_all

        drop_all(self, bind, tables=tables, checkfirst=checkfirst)

    def reflect(
        self, bind: Any, schema: str | None = None, views: bool = False, only: Any = None,
        extend_existing: bool = False, autoload_replace: bool = True, resolve_fks: bool = True,
        **kw: Any,
    ) -> None:
        """Add a Table for every table (and view, with ``views=True``) in the database;
        ``only`` limits it to a list of names or a ``callable(name, metadata)``."""
        inspector = _inspector_for(bind, "MetaData.reflect()")
        inspector.reflect_metadata(self, schema=schema, views=views, only=only,
                                   extend_existing=extend_existing,
                                   autoload_replace=autoload_replace, resolve_fks=resolve_fks)

    def __repr__(self) -> str:
        return "MetaData()"


def _inspector_for(bind: Any, what: str) -> Any:
    """The schema Inspector of an Engine or Connection (the engine layer provides it)."""
    hook = getattr(bind, "_athanor_inspect", None)
    if hook is None:
        hint = (" An AsyncEngine or AsyncConnection reflects inside run_sync(): await "
                "conn.run_sync(metadata.reflect)." if "Async" in type(bind).__name__ else "")
        raise exc.ArgumentError(
            f"{what} failed: {type(bind).__name__} cannot be reflected from. Pass an Engine or "
            f"a Connection.{hint}"
        )
    return hook()


_CONVENTION_KEYS: dict[type, str] = {
    PrimaryKeyConstraint: "pk", UniqueConstraint: "uq", CheckConstraint: "ck",
    ForeignKeyConstraint: "fk", Index: "ix",
}


def _convention_key(key: Any) -> str:
    return _CONVENTION_KEYS.get(key, key.__name__) if isinstance(key, type) else str(key)


def _dependencies(table: Table) -> set[Table]:
    deps: set[Table] = set()
    for fkc in table.foreign_key_constraints:
        if fkc.use_alter:
            continue
        for fk in fkc.elements:
            try:
                target = fk.column.table
            except exc.InvalidRequestError:
                continue
            if target is not None and target is not table:
                deps.add(target)  # type: ignore[arg-type]
    return deps


def sort_tables(tables: Any) -> list[Table]:
    """Topological order by foreign keys, ties broken by name; cycles warn and keep name order."""
    pending = sorted(tables, key=lambda t: t.fullname)
    in_set = {id(t) for t in pending}
    deps = {id(t): {id(d) for d in _dependencies(t) if id(d) in in_set} for t in pending}
    done: set[int] = set()
    ordered: list[Table] = []
    while pending:
        ready = [t for t in pending if deps[id(t)] <= done]
        if not ready:
            names = ", ".join(t.fullname for t in pending)
            warnings.warn(
                f"Sorting tables by foreign key failed for {names}: their foreign keys form a "
                "cycle. Give one ForeignKey use_alter=True so it is added after CREATE TABLE.",
                exc.AthanorWarning, stacklevel=3,
            )
            ready = pending[:1]
        for t in ready:
            done.add(id(t))
            ordered.append(t)
        pending = [t for t in pending if id(t) not in done]
    return ordered


def sort_tables_and_constraints(tables: Any, filter_fn: Any = None,
                                extra_dependencies: Any = None) -> list[tuple[Any, Any]]:
    """``[(table, its foreign keys), ..., (None, foreign keys to add by ALTER)]`` in creation
    order: the keys marked ``use_alter=True`` come last, after every table exists."""
    ordered = sort_tables(tables)
    out: list[tuple[Any, Any]] = []
    later: list[Any] = []
    for table in ordered:
        fks = set()
        for fkc in table.foreign_key_constraints:
            if fkc.use_alter:
                later.append(fkc)
            else:
                fks.add(fkc)
        out.append((table, fks))
    out.append((None, later))
    return out


def insert_sentinel(name: str | None = None, type_: Any = None, *, default: Any = None,
                    omit_from_statements: bool = True) -> Column:
    """A nullable integer column that exists only to tell apart rows of one multi-row
    INSERT (SQLAlchemy's "insert sentinel"). athanor matches RETURNING rows by order, so it
    only creates the column; ``select(table)`` leaves it out unless
    ``omit_from_statements=False``."""
    from athanor.sql.sqltypes import Integer

    return Column(name, type_ if type_ is not None else Integer(), nullable=True,
                  default=default, _omit_from_statements=omit_from_statements)
