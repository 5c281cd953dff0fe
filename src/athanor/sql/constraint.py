"""Constraints and indexes: PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY, and Index.

Each object is inert until attached to a :class:`~athanor.sql.schema.Table` (passed among the
table's arguments, or through a column flag such as ``unique=True``); attaching calls
``_set_parent(table)``, which resolves column *names* to the table's columns. Columns are never
compared with ``==`` here (that builds SQL expressions): membership is by identity.

A :class:`ForeignKey` names its target as a string (``"users.id"``) or a column and resolves it
lazily through the table's ``MetaData`` on first use of ``.column``, so tables may be declared
in any order. A column-level ``ForeignKey`` gets a one-element :class:`ForeignKeyConstraint`
when its table is set, so DDL and join inference only deal with constraints.

Names: a constraint without a name gets one from ``MetaData(naming_convention=...)`` when DDL
is rendered (see :func:`constraint_name`); indexes made by ``Column(index=True)`` are named
``ix_<table>_<column>`` unless the convention says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from athanor import exc
from athanor.sql._reserved import conv

if TYPE_CHECKING:
    from athanor.sql.schema import Column, Table


def _column_of(table: Table, spec: Any, what: str) -> Any:
    """Resolve a column name (or a column) against ``table``."""
    if isinstance(spec, str):
        col = table.c.get(spec)
        if col is None:
            raise exc.ArgumentError(
                f"Creating {what} on table {table.name!r} failed: it has no column {spec!r}; "
                f"its columns are: {', '.join(table.c.keys()) or '(none)'}. Fix the name or add "
                "the column first."
            )
        return col
    hook = getattr(spec, "__clause_element__", None)
    return hook() if hook is not None else spec


class Constraint:
    """Base of table constraints: a name, deferral options and the owning table."""

    __visit_name__ = "constraint"
    _is_schema_item = True
    _kind = "constraint"  # naming-convention key: "pk", "uq", "ck", "fk"

    def __init__(
        self, name: str | None = None, deferrable: bool | None = None,
        initially: str | None = None, info: dict[str, Any] | None = None,
        comment: str | None = None, _create_rule: Any = None, **dialect_kw: Any,
    ) -> None:
        self.name = name
        self.deferrable = deferrable
        self.initially = initially
        self.info = dict(info or {})
        self.comment = comment
        self.dialect_kwargs = dialect_kw
        self.table: Table | None = None

    @property
    def parent(self) -> Table | None:
        return self.table

    def _set_parent(self, table: Table) -> None:
        self.table = table
        table.constraints.add(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class ColumnCollectionConstraint(Constraint):
    """A constraint over a list of columns given as names or Column objects."""

    def __init__(self, *columns: Any, name: str | None = None, **kw: Any) -> None:
        super().__init__(name=name, **kw)
        self._pending: list[Any] = list(columns)
        self._columns: list[Column] = []
        table = _common_table(self._pending)
        if table is not None:
            self._set_parent(table)

    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    def __iter__(self) -> Iterator[Column]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def __contains__(self, column: object) -> bool:
        return any(c is column for c in self._columns)

    def contains_column(self, column: Any) -> bool:
        return column in self

    def _set_parent(self, table: Table) -> None:
        if self.table is table:
            return
        self._columns = [_column_of(table, c, type(self).__name__) for c in self._pending]
        super()._set_parent(table)


def _common_table(columns: Iterable[Any]) -> Any:
    """The table all ``columns`` already belong to, if they are attached Column objects."""
    tables = {id(getattr(c, "table", None)): getattr(c, "table", None) for c in columns}
    if len(tables) == 1:
        (table,) = tables.values()
        if table is not None and hasattr(table, "constraints"):
            return table
    return None


class PrimaryKeyConstraint(ColumnCollectionConstraint):
    """The table's primary key; composite when given several columns."""

    __visit_name__ = "primary_key_constraint"
    _kind = "pk"

    def _set_parent(self, table: Table) -> None:
        if self.table is table:
            return
        old = table.__dict__.get("_pk")
        self._columns = [_column_of(table, c, "PrimaryKeyConstraint") for c in self._pending]
        if old is not None and old is not self:
            table.constraints.discard(old)
            if self._pending:
                for col in old._columns:
                    col.primary_key = False
            else:  # an empty PrimaryKeyConstraint only names the implicit one
                self._columns = list(old._columns)
        self.table = table
        table.constraints.add(self)
        table.__dict__["_pk"] = self
        for col in self._columns:
            col.primary_key = True
            if col._nullable_given is None:
                col.nullable = False

    def _add_column(self, column: Column) -> None:
        if column not in self:
            self._columns.append(column)


class UniqueConstraint(ColumnCollectionConstraint):
    """UNIQUE over one or more columns."""

    __visit_name__ = "unique_constraint"
    _kind = "uq"


class CheckConstraint(Constraint):
    """CHECK (sqltext): a string, ``text()`` or a SQL expression."""

    __visit_name__ = "check_constraint"
    _kind = "ck"

    def __init__(self, sqltext: Any, name: str | None = None, **kw: Any) -> None:
        super().__init__(name=name, **kw)
        self.sqltext = sqltext
        self._type_bound = kw.get("_type_bound", False)


class ForeignKey:
    """A column-level reference to another table's column: ``ForeignKey("users.id")``."""

    __visit_name__ = "foreign_key"
    _is_schema_item = True

    def __init__(
        self, column: Any, _constraint: ForeignKeyConstraint | None = None,
        use_alter: bool = False, name: str | None = None, onupdate: str | None = None,
        ondelete: str | None = None, deferrable: bool | None = None,
        initially: str | None = None, link_to_name: bool = False, match: str | None = None,
        info: dict[str, Any] | None = None, comment: str | None = None, **dialect_kw: Any,
    ) -> None:
        if isinstance(column, str):
            self._colspec: Any = column
        else:
            hook = getattr(column, "__clause_element__", None)
            self._colspec = hook() if hook is not None else column
        self.constraint = _constraint
        self.use_alter = use_alter
        self.name = name
        self.onupdate = onupdate
        self.ondelete = ondelete
        self.deferrable = deferrable
        self.initially = initially
        self.link_to_name = link_to_name
        self.match = match
        self.info = dict(info or {})
        self.comment = comment
        self.parent: Column | None = None
        self._resolved: Column | None = None

    # -- the target -----------------------------------------------------------------------

    def _split(self) -> tuple[str, str]:
        spec = self._colspec
        if not isinstance(spec, str):
            table = spec.table
            return (table.fullname if table is not None else "?"), spec.name
        table_key, dot, col_name = spec.rpartition(".")
        if not dot or not table_key or not col_name:
            raise exc.ArgumentError(
                f"Creating ForeignKey({spec!r}) failed: the target must be written "
                "'table.column' (or 'schema.table.column'). Name the referenced table too."
            )
        return table_key, col_name

    @property
    def target_fullname(self) -> str:
        table_key, col_name = self._split()
        return f"{table_key}.{col_name}"

    @property
    def _table_key(self) -> str:
        return self._split()[0]

    @property
    def column(self) -> Column:
        """The referenced column, resolved through the MetaData on first use."""
        found = self._resolved
        if found is None:
            found = self._resolved = self._resolve()
        return found

    def _where(self) -> str:
        parent = self.parent
        if parent is None:
            return "an unattached column"
        table = parent.table
        return f"column '{table.name}.{parent.name}'" if table is not None else (
            f"column {parent.name!r}"
        )

    def _resolve(self) -> Column:
        spec = self._colspec
        if not isinstance(spec, str):
            return spec  # type: ignore[no-any-return]
        table_key, col_name = self._split()
        parent_table = self.parent.table if self.parent is not None else None
        metadata = getattr(parent_table, "metadata", None)
        if metadata is None:
            raise exc.InvalidRequestError(
                f"Resolving ForeignKey({spec!r}) on {self._where()} failed: the column is not "
                "part of a Table in a MetaData yet. Add the column to a Table first."
            )
        table = metadata.tables.get(table_key)
        if table is None and "." not in table_key and metadata.schema:
            table = metadata.tables.get(f"{metadata.schema}.{table_key}")
        if table is None:
            raise exc.NoReferencedTableError(
                f"Resolving ForeignKey({spec!r}) on {self._where()} failed: there is no table "
                f"{table_key!r} in its MetaData. Define Table({table_key!r}, ...) on the same "
                "MetaData, or fix the name.",
                table_key,
            )
        col = table.c.get(col_name)
        if col is None:
            by_name = [c for c in table.c if c.name == col_name]
            col = by_name[0] if by_name else None
        if col is None:
            raise exc.NoReferencedColumnError(
                f"Resolving ForeignKey({spec!r}) on {self._where()} failed: table "
                f"{table_key!r} has no column {col_name!r}; its columns are: "
                f"{', '.join(table.c.keys())}. Fix the column name.",
                table_key, col_name,
            )
        return col  # type: ignore[no-any-return]

    def references(self, table: Any) -> bool:
        """Does this key point into ``table``?"""
        spec = self._colspec
        if not isinstance(spec, str):
            return spec.table is table
        return self._table_key in (table.fullname, table.name)

    def get_referent(self, table: Any) -> Any:
        """The column of ``table`` this key references, or None."""
        return self.column if self.references(table) else None

    # -- attaching ------------------------------------------------------------------------

    def _set_parent(self, column: Column) -> None:
        self.parent = column
        column.foreign_keys.add(self)

    def _set_table(self, table: Table) -> None:
        if self.constraint is None:
            fkc = ForeignKeyConstraint(
                [], [], name=self.name, onupdate=self.onupdate, ondelete=self.ondelete,
                deferrable=self.deferrable, initially=self.initially,
                use_alter=self.use_alter, match=self.match,
            )
            fkc._pending = [self.parent]
            fkc.elements = [self]
            fkc._set_parent(table)
            self.constraint = fkc

    def _copy(self) -> ForeignKey:
        return ForeignKey(
            self._colspec, use_alter=self.use_alter, name=self.name, onupdate=self.onupdate,
            ondelete=self.ondelete, deferrable=self.deferrable, initially=self.initially,
            match=self.match, info=self.info, comment=self.comment,
        )

    copy = _copy

    def __repr__(self) -> str:
        spec = self._colspec
        return f"ForeignKey({spec if isinstance(spec, str) else self.target_fullname!r})"


class ForeignKeyConstraint(Constraint):
    """FOREIGN KEY (cols) REFERENCES table (refcols): composite keys and their options."""

    __visit_name__ = "foreign_key_constraint"
    _kind = "fk"

    def __init__(
        self, columns: Iterable[Any], refcolumns: Iterable[Any], name: str | None = None,
        onupdate: str | None = None, ondelete: str | None = None,
        deferrable: bool | None = None, initially: str | None = None,
        use_alter: bool = False, link_to_name: bool = False, match: str | None = None,
        table: Any = None, info: dict[str, Any] | None = None, comment: str | None = None,
        **dialect_kw: Any,
    ) -> None:
        super().__init__(name=name, deferrable=deferrable, initially=initially, info=info,
                         comment=comment, **dialect_kw)
        self._pending = list(columns)
        refs = list(refcolumns)
        if len(self._pending) != len(refs):
            raise exc.ArgumentError(
                f"Creating ForeignKeyConstraint failed: {len(self._pending)} local columns but "
                f"{len(refs)} referenced columns. Give one referenced column per local column."
            )
        self.onupdate = onupdate
        self.ondelete = ondelete
        self.use_alter = use_alter
        self.match = match
        self.elements: list[ForeignKey] = [
            ForeignKey(ref, _constraint=self, name=name, onupdate=onupdate,
                       ondelete=ondelete, deferrable=deferrable, initially=initially,
                       use_alter=use_alter, match=match)
            for ref in refs
        ]
        target = table if table is not None else _common_table(self._pending)
        if target is not None:
            self._set_parent(target)

    def _set_parent(self, table: Table) -> None:
        if self.table is table:
            return
        for spec, fk in zip(self._pending, self.elements, strict=True):
            col = _column_of(table, spec, "ForeignKeyConstraint")
            fk._set_parent(col)
        super()._set_parent(table)

    @property
    def columns(self) -> list[Column]:
        return [fk.parent for fk in self.elements if fk.parent is not None]

    @property
    def column_keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def referred_table(self) -> Table:
        return self.elements[0].column.table  # type: ignore[return-value]

    def __iter__(self) -> Iterator[Column]:
        return iter(self.columns)


class Index:
    """CREATE [UNIQUE] INDEX name ON table (expressions...)."""

    __visit_name__ = "index"
    _is_schema_item = True
    _kind = "ix"

    def __init__(
        self, name: str | None, *expressions: Any, unique: bool = False,
        quote: bool | None = None, info: dict[str, Any] | None = None,
        _table: Any = None, **dialect_kw: Any,
    ) -> None:
        self.name = name
        self.unique = unique
        self.info = dict(info or {})
        self.dialect_kwargs = dialect_kw
        self._pending = list(expressions)
        self.expressions: list[Any] = []
        self.table: Table | None = None
        attached = [e for e in self._pending if not isinstance(e, str)]
        table = _table if _table is not None else (
            _common_table(attached) if attached else None
        )
        if table is not None:
            self._set_parent(table)

    @property
    def columns(self) -> list[Any]:
        return [e for e in self.expressions if getattr(e, "table", None) is self.table]

    def _set_parent(self, table: Table) -> None:
        if self.table is table:
            return
        self.expressions = [_column_of(table, e, "Index") for e in self._pending]
        self.table = table
        table.indexes.add(self)
        if self.name is None:  # named now by the convention (ix_<table>_<column> by default)
            try:
                self.name = constraint_name(self)
            except exc.InvalidRequestError:
                pass  # a convention token this index cannot fill: named (or refused) at DDL

    def create(self, bind: Any, checkfirst: bool = False) -> None:
        from athanor.sql.ddl import CreateIndex
        from athanor.sql.ddlrunner import run_ddl

        run_ddl(bind, [CreateIndex(self, if_not_exists=False)])

    def drop(self, bind: Any, checkfirst: bool = False) -> None:
        from athanor.sql.ddl import DropIndex
        from athanor.sql.ddlrunner import run_ddl

        run_ddl(bind, [DropIndex(self)])

    def __repr__(self) -> str:
        return f"Index({self.name!r}, unique={self.unique})"


# -- naming conventions ------------------------------------------------------------------

DEFAULT_NAMING_CONVENTION: dict[str, str] = {"ix": "ix_%(column_0_label)s"}


def _tokens(obj: Any, table: Any) -> dict[str, str]:
    cols = list(obj.expressions if isinstance(obj, Index) else getattr(obj, "columns", []))
    names = [getattr(c, "name", None) or "expr" for c in cols]
    tokens = {
        "table_name": table.name,
        "constraint_name": obj.name or "",
        "column_0_name": names[0] if names else "",
        "column_0_label": f"{table.name}_{names[0]}" if names else table.name,
        "column_0_key": getattr(cols[0], "key", "") if cols else "",
        "column_0N_name": "".join(names),
        "column_0_N_name": "_".join(names),
        "column_0N_label": "".join(f"{table.name}_{n}" for n in names),
        "column_0_N_label": "_".join(f"{table.name}_{n}" for n in names),
    }
    if isinstance(obj, ForeignKeyConstraint) and obj.elements:
        refs = [fk.column for fk in obj.elements]
        tokens["referred_table_name"] = str(getattr(refs[0].table, "name", ""))
        tokens["referred_column_0_name"] = refs[0].name
        tokens["referred_column_0N_name"] = "".join(r.name for r in refs)
        tokens["referred_column_0_N_name"] = "_".join(r.name for r in refs)
    return tokens


def constraint_name(obj: Any) -> str | None:
    """The name to render for a constraint or index: its own, or the naming convention's."""
    table = obj.table
    metadata = getattr(table, "metadata", None)
    convention = getattr(metadata, "naming_convention", DEFAULT_NAMING_CONVENTION)
    template = convention.get(obj._kind)
    if template is None or isinstance(obj.name, conv):
        return obj.name  # type: ignore[no-any-return]
    if obj.name is not None and "%(constraint_name)s" not in template:
        return obj.name  # type: ignore[no-any-return]
    if isinstance(obj, CheckConstraint) and obj.name is None:
        return None
    try:
        return template % _tokens(obj, table)
    except KeyError as err:
        raise exc.InvalidRequestError(
            f"Naming {type(obj).__name__} on table {table.name!r} failed: the naming "
            f"convention {template!r} uses the unknown token {err.args[0]!r}. Use tokens such "
            "as table_name, column_0_name, referred_table_name, constraint_name."
        ) from None
