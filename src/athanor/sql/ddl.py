"""DDL statements (CreateTable, DropTable, CreateIndex, ...) and the base DDL compiler.

A DDL element is a plain node with ``_is_ddl = True``. ``dialect.ddl_compiler(dialect, elem)``
renders it at once; the compiler object itself is the compiled form, with the same interface
as a statement's ``Compiled`` (``string``, ``construct_params() -> ()``, ``is_ddl``), so the
engine executes DDL like any statement. DDL is not cached: it is rare.

Vendor differences are mostly data on the compiler class (``autoincrement_keyword``,
``inline_comments``, ``creates_enum_types``...) plus a few small overrides in
``athanor/dialects/<vendor>/ddl.py``. Identifiers are quoted, and expressions inside DDL
(server defaults, CHECK, index expressions) rendered, by the dialect's statement compiler, so
quoting rules live in one place.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from athanor import exc
from athanor.sql import _custom
from athanor.sql._ddl_views import ViewDDLCompilerMixin
from athanor.sql._roles import Executable
from athanor.sql.constraint import (
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    UniqueConstraint,
    constraint_name,
)
from athanor.sql.elements import ClauseElement, ColumnClause
from athanor.sql.selectable import TableClause
from athanor.sql.typecompiler import GenericTypeCompiler

_LEGAL = re.compile(r"^[a-z_][a-z0-9_$]*$")
_MARK_RE = re.compile("\x00(\\d+)\x00")


# -- elements ------------------------------------------------------------------------------


class DDLElement(ClauseElement, Executable):
    """Base of DDL statements: compiled by the dialect's DDL compiler, never cached."""

    __visit_name__ = "ddl"
    _is_ddl = True

    def __init__(self, element: Any) -> None:
        self.element = element

    def _ck(self, st: Any) -> Any:
        return ("ddl", id(self))

    def compile(self, bind: Any = None, dialect: Any = None, **kw: Any) -> Any:
        """Render for ``dialect`` (or the bind's dialect, or the generic one)."""
        if dialect is None:
            dialect = getattr(bind, "dialect", None)
        if dialect is None:
            from athanor.sql.dialect import DefaultDialect

            dialect = DefaultDialect()
        return ddl_compiler_for(dialect)(dialect, self)

    def __str__(self) -> str:
        return str(self.compile().string)


def ddl_compiler_for(dialect: Any) -> type[DDLCompiler]:
    cls = getattr(dialect, "ddl_compiler", None)
    if isinstance(cls, type) and issubclass(cls, DDLCompiler):
        return cls
    return DDLCompiler


class CreateTable(DDLElement):
    """``CREATE TABLE`` with columns and constraints (indexes are separate: CreateIndex)."""

    __visit_name__ = "create_table"

    def __init__(self, element: Any, include_foreign_key_constraints: Any = None,
                 if_not_exists: bool = False) -> None:
        super().__init__(element)
        self.include_foreign_key_constraints = include_foreign_key_constraints
        self.if_not_exists = if_not_exists


class DropTable(DDLElement):
    __visit_name__ = "drop_table"

    def __init__(self, element: Any, if_exists: bool = False) -> None:
        super().__init__(element)
        self.if_exists = if_exists


class CreateIndex(DDLElement):
    __visit_name__ = "create_index"

    def __init__(self, element: Index, if_not_exists: bool = False) -> None:
        super().__init__(element)
        self.if_not_exists = if_not_exists


class DropIndex(DDLElement):
    __visit_name__ = "drop_index"

    def __init__(self, element: Index, if_exists: bool = False) -> None:
        super().__init__(element)
        self.if_exists = if_exists


class CreateSequence(DDLElement):
    __visit_name__ = "create_sequence"

    def __init__(self, element: Any, if_not_exists: bool = False) -> None:
        super().__init__(element)
        self.if_not_exists = if_not_exists


class DropSequence(DDLElement):
    __visit_name__ = "drop_sequence"

    def __init__(self, element: Any, if_exists: bool = False) -> None:
        super().__init__(element)
        self.if_exists = if_exists


class CreateEnumType(DDLElement):
    """``CREATE TYPE name AS ENUM (...)`` (PostgreSQL; made by create_all when needed)."""

    __visit_name__ = "create_enum_type"


class DropEnumType(DDLElement):
    __visit_name__ = "drop_enum_type"

    def __init__(self, element: Any, if_exists: bool = False) -> None:
        super().__init__(element)
        self.if_exists = if_exists


class AddConstraint(DDLElement):
    """``ALTER TABLE t ADD CONSTRAINT ...`` (foreign keys with ``use_alter=True``)."""

    __visit_name__ = "add_constraint"


class DropConstraint(DDLElement):
    __visit_name__ = "drop_constraint"


class SetTableComment(DDLElement):
    __visit_name__ = "set_table_comment"


class SetColumnComment(DDLElement):
    __visit_name__ = "set_column_comment"


class CreateView(DDLElement):
    """``CREATE [OR REPLACE] [TEMPORARY] [MATERIALIZED] VIEW name AS <select>``.

    ``.table`` is a :class:`TableClause` for the view, with the SELECT's columns, to select
    from once the view exists.
    """

    __visit_name__ = "create_view"

    def __init__(self, selectable: Any, view_name: str, *, metadata: Any = None,
                 schema: str | None = None, temporary: bool = False, or_replace: bool = False,
                 materialized: bool = False, **dialect_kwargs: Any) -> None:
        if not getattr(selectable, "_is_select", False):
            raise exc.ArgumentError(
                f"CreateView({view_name!r}) failed: expected a SELECT; got "
                f"{type(selectable).__name__}. Pass select(...).")
        if metadata is not None:
            raise exc.ArgumentError(
                f"CreateView({view_name!r}) failed: metadata= is not supported (create_all does "
                "not manage views). Execute the CreateView and use its .table.")
        super().__init__(selectable)
        self.name = view_name
        self.schema = schema
        self.temporary = temporary
        self.or_replace = or_replace
        self.materialized = materialized
        cols = [ColumnClause(key, col.type) for key, col in selectable._export_columns()]
        self.table = TableClause(view_name, *cols, schema=schema)


class DropView(DDLElement):
    """``DROP [MATERIALIZED] VIEW [IF EXISTS] name``; ``element`` is the view's table
    (``CreateView(...).table``, a ``table("v")`` or a reflected Table)."""

    __visit_name__ = "drop_view"

    def __init__(self, element: Any, *, if_exists: bool = False,
                 materialized: bool = False) -> None:
        super().__init__(element)
        self.if_exists = if_exists
        self.materialized = materialized


class CreateSchema(DDLElement):
    """``CREATE SCHEMA [IF NOT EXISTS] name`` (a database on MySQL/MariaDB)."""

    __visit_name__ = "create_schema"

    def __init__(self, name: str, if_not_exists: bool = False) -> None:
        super().__init__(name)
        self.if_not_exists = if_not_exists


class DropSchema(DDLElement):
    """``DROP SCHEMA [IF EXISTS] name [CASCADE]``."""

    __visit_name__ = "drop_schema"

    def __init__(self, name: str, cascade: bool = False, if_exists: bool = False) -> None:
        super().__init__(name)
        self.cascade = cascade
        self.if_exists = if_exists


#: SQLAlchemy's names for the DDL base class.
BaseDDLElement = ExecutableDDLElement = DDLElement


class DDL(DDLElement):
    """A literal DDL string: ``DDL("CREATE VIEW ...")``."""

    __visit_name__ = "literal_ddl"

    def __init__(self, statement: str) -> None:
        super().__init__(statement)


# -- the compiler --------------------------------------------------------------------------


class _InlineSQL:
    """``DDLCompiler.sql_compiler``: statement rendering for custom DDL (ext.compiler)."""

    def __init__(self, ddl: DDLCompiler) -> None:
        self.ddl = ddl
        self.dialect = ddl.dialect

    def process(self, element: Any, **kw: Any) -> str:
        kw.pop("literal_binds", None)  # values are always inline in DDL
        sql = self.ddl._sql_compiler(element)
        if sql is None:
            raise exc.CompileError(
                f"Rendering {type(element).__name__} in DDL failed: {self.dialect.name} has "
                "no statement compiler. Pass the SQL as a string or text()."
            )
        return self.ddl._inline(sql, element, **kw)


class DDLCompiler(ViewDDLCompilerMixin):
    """Renders one DDL element for one dialect; the instance is the compiled result."""

    #: Keyword after an autoincrement column's type ("AUTO_INCREMENT" on MariaDB), or None.
    autoincrement_keyword: ClassVar[str | None] = None
    #: Are comments part of CREATE TABLE (MariaDB) rather than COMMENT ON statements?
    inline_comments: ClassVar[bool] = False
    #: Does create_all need CREATE TYPE for native enums (PostgreSQL)?
    creates_enum_types: ClassVar[bool] = False
    #: Does DROP INDEX need "ON table" (MariaDB)?
    drop_index_needs_table: ClassVar[bool] = False
    #: Are DEFERRABLE / INITIALLY accepted on foreign keys?
    supports_deferrable: ClassVar[bool] = True
    quote_char: ClassVar[str] = '"'

    is_ddl = True
    is_select = is_insert = is_update = is_delete = is_text = False
    has_returning = False
    positional = True

    def __init__(self, dialect: Any, statement: Any, **kw: Any) -> None:
        self.dialect = dialect
        self.statement = statement
        self.result_columns: list[tuple[str, Any]] = []
        self.result_processors: list[Any] = []
        self.bind_names: list[str] = []
        tc = getattr(dialect, "type_compiler", None)
        if not (isinstance(tc, type) and issubclass(tc, GenericTypeCompiler)):
            tc = GenericTypeCompiler
        self.type_compiler = tc(dialect)
        self.string = self.process(statement)

    # -- Compiled interface ------------------------------------------------------------------

    def construct_params(self, *args: Any, **kw: Any) -> None:
        # None, not (): the engine then calls cursor.execute(sql) with no parameters, so a
        # "%" in DDL text (a default, a comment) is never read as a placeholder by the driver.
        return None

    def construct_params_many(self, params_list: Any, *args: Any, **kw: Any) -> list[tuple[()]]:
        return [() for _ in params_list]

    def __str__(self) -> str:
        return self.string

    def process(self, element: Any, **kw: Any) -> str:
        if _custom.ACTIVE:  # functions registered with athanor.ext.compiler
            table = _custom.lookup(type(element))
            if table is not None:
                return _custom.dispatch(table, self, element, kw)
        visit = getattr(self, f"visit_{element.__visit_name__}", None)
        if visit is None:
            raise exc.UnsupportedCompilationError(
                f"Compiling {type(element).__name__} for {self.dialect.name} failed: "
                f"{type(self).__name__} has no visit_{element.__visit_name__}(). This DDL is not "
                "supported on this database."
            )
        return str(visit(element, **kw))

    # -- identifiers and expressions ---------------------------------------------------------

    def _sql_compiler(self, element: Any) -> Any:
        cls = getattr(self.dialect, "statement_compiler", None)
        if cls is None or not hasattr(cls, "process"):
            return None
        return cls(self.dialect, element)

    def quote(self, name: str) -> str:
        if "_quoter" not in self.__dict__:
            self.__dict__["_quoter"] = self._sql_compiler(None)
        sql = self.__dict__["_quoter"]
        if sql is not None:
            return str(sql.quote(name))
        forced = getattr(name, "quote", None)
        if forced is False or (forced is None and _LEGAL.match(name)):
            return name
        q = self.quote_char
        return q + name.replace(q, q + q) + q

    def format_table(self, table: Any) -> str:
        name = self.quote(table.name)
        return f"{self.quote(table.schema)}.{name}" if table.schema else name

    def format_name(self, name: str, schema: str | None = None) -> str:
        return f"{self.quote(schema)}.{self.quote(name)}" if schema else self.quote(name)

    def literal(self, value: Any) -> str:
        """A Python value as an SQL literal (only for DDL: defaults, CHECK, enum labels)."""
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            native = getattr(self.dialect, "supports_native_boolean", False)
            return ("true" if value else "false") if native else ("1" if value else "0")
        if isinstance(value, (int, float)):
            return repr(value)
        text = str(value).replace("'", "''")
        if self.quote_char == "`":
            text = text.replace("\\", "\\\\")
        return f"'{text}'"

    def sql_expression(self, expr: Any) -> str:
        """A string, ``text()`` or expression as DDL text (bare column names, literal values)."""
        if isinstance(expr, str):
            return expr
        hook = getattr(expr, "__clause_element__", None)
        if hook is not None:
            expr = hook()
        return self.sql_compiler.process(expr, include_table=False)

    def _inline(self, sql: Any, expr: Any, **kw: Any) -> str:
        """Render ``expr`` with the statement compiler ``sql``, values inline."""
        text = sql.process(expr, **kw)
        slots = getattr(sql, "_slots", [])
        return _MARK_RE.sub(lambda m: self.literal(slots[int(m.group(1))][2]), str(text))

    @property
    def sql_compiler(self) -> Any:
        """SQL inside DDL (``CREATE VIEW v AS SELECT ...``): ``sql_compiler.process(stmt)``
        renders with the dialect's statement compiler, values inline."""
        return _InlineSQL(self)

    # -- CREATE TABLE ------------------------------------------------------------------------

    def visit_create_table(self, create: CreateTable, **kw: Any) -> str:
        table = create.element
        parts = [self.column_spec(col) for col in table.c]
        parts.extend(self.table_constraints(table, create))
        head = "CREATE TABLE IF NOT EXISTS " if create.if_not_exists else "CREATE TABLE "
        body = ", \n\t".join(p for p in parts if p)
        return f"{head}{self.format_table(table)} (\n\t{body}\n){self.table_options(table)}"

    def table_options(self, table: Any) -> str:
        return ""

    def column_spec(self, column: Any) -> str:
        table = column.table
        autoinc = table is not None and table.autoincrement_column is column
        text = f"{self.quote(column.name)} {self.column_type(column, autoinc)}"
        if column.computed is not None:
            return text + " " + self.computed_spec(column.computed)
        if column.identity is not None:
            spec = self.identity_spec(column.identity)
            text += f" {spec}" if spec else ""
        default = self.default_spec(column)
        if default:
            text += " DEFAULT " + default
        if not column.nullable:
            text += " NOT NULL"
        if autoinc and self.autoincrement_keyword:
            text += " " + self.autoincrement_keyword
        if column.comment and self.inline_comments:
            text += " COMMENT " + self.literal(column.comment)
        return text

    def column_type(self, column: Any, autoincrement: bool) -> str:
        return self.type_compiler.process(column.type)

    def default_spec(self, column: Any) -> str | None:
        seq = column.sequence
        if seq is not None and getattr(self.dialect, "supports_sequences", False):
            return f"nextval('{self.format_name(seq.name, seq.schema)}')"
        server = column.server_default
        if server is None or not getattr(server, "has_arg", False):
            return None
        arg = server.arg
        if isinstance(arg, str):
            return self.literal(arg)
        text = self.sql_expression(arg)
        return text if getattr(arg, "__visit_name__", "") == "textclause" else f"({text})"

    def identity_spec(self, identity: Any) -> str:
        kind = "ALWAYS" if identity.always else "BY DEFAULT"
        opts = self._sequence_options(identity)
        return f"GENERATED {kind} AS IDENTITY" + (f" ({opts})" if opts else "")

    def computed_spec(self, computed: Any) -> str:
        text = f"GENERATED ALWAYS AS ({self.sql_expression(computed.sqltext)})"
        if computed.persisted is True:
            text += " STORED"
        elif computed.persisted is False:
            text += " VIRTUAL"
        return text

    def _sequence_options(self, seq: Any) -> str:
        opts = []
        if seq.start is not None:
            opts.append(f"START WITH {seq.start}")
        if seq.increment is not None:
            opts.append(f"INCREMENT BY {seq.increment}")
        if seq.minvalue is not None:
            opts.append(f"MINVALUE {seq.minvalue}")
        if seq.maxvalue is not None:
            opts.append(f"MAXVALUE {seq.maxvalue}")
        if seq.cache is not None:
            opts.append(f"CACHE {seq.cache}")
        if seq.cycle:
            opts.append("CYCLE")
        return " ".join(opts)

    # -- constraints -------------------------------------------------------------------------

    def table_constraints(self, table: Any, create: CreateTable) -> list[str]:
        out = [self.primary_key_spec(table.primary_key)]
        include = create.include_foreign_key_constraints
        alter = getattr(self.dialect, "supports_alter", True)
        for c in sorted(table.constraints, key=_constraint_order):
            if isinstance(c, PrimaryKeyConstraint):
                continue
            if isinstance(c, ForeignKeyConstraint):
                if include is not None and not any(c is i for i in include):
                    continue
                if c.use_alter and alter:
                    continue
            out.append(self.constraint_spec(c))
        out.extend(self.type_checks(table))
        return out

    def constraint_spec(self, c: Any) -> str:
        if isinstance(c, ForeignKeyConstraint):
            return self.foreign_key_spec(c)
        if isinstance(c, UniqueConstraint):
            return self._named(c) + f"UNIQUE ({self._column_list(c.columns)})"
        if isinstance(c, CheckConstraint):
            return self._named(c) + f"CHECK ({self.sql_expression(c.sqltext)})"
        raise exc.UnsupportedCompilationError(
            f"Rendering {type(c).__name__} failed: it is not a constraint DDL knows. Use "
            "PrimaryKeyConstraint, UniqueConstraint, CheckConstraint or ForeignKeyConstraint."
        )

    def _named(self, c: Any) -> str:
        name = constraint_name(c)
        return f"CONSTRAINT {self.quote(name)} " if name else ""

    def _column_list(self, columns: Any) -> str:
        return ", ".join(self.quote(col.name) for col in columns)

    def primary_key_spec(self, pk: Any) -> str:
        if not len(pk):
            return ""
        return self._named(pk) + f"PRIMARY KEY ({self._column_list(pk.columns)})"

    def foreign_key_spec(self, fkc: ForeignKeyConstraint) -> str:
        refs = [fk.column for fk in fkc.elements]
        text = (
            f"{self._named(fkc)}FOREIGN KEY({self._column_list(fkc.columns)}) REFERENCES "
            f"{self.format_table(refs[0].table)} ({self._column_list(refs)})"
        )
        if fkc.ondelete:
            text += f" ON DELETE {_fk_action(fkc.ondelete)}"
        if fkc.onupdate:
            text += f" ON UPDATE {_fk_action(fkc.onupdate)}"
        if self.supports_deferrable:
            if fkc.deferrable is not None:
                text += " DEFERRABLE" if fkc.deferrable else " NOT DEFERRABLE"
            if fkc.initially:
                text += f" INITIALLY {fkc.initially}"
        return text

    def type_checks(self, table: Any) -> list[str]:
        """CHECKs implied by types: Boolean/Enum(create_constraint=True) without native types."""
        out = []
        for col in table.c:
            t = _unwrap(col.type, self.dialect)
            if not getattr(t, "create_constraint", False):
                continue
            name = getattr(t, "name", None)
            prefix = f"CONSTRAINT {self.quote(name)} " if isinstance(name, str) and name else ""
            visit = getattr(t, "__visit_name__", "")
            if visit in ("boolean", "BOOLEAN") and not getattr(
                self.dialect, "supports_native_boolean", False
            ):
                out.append(f"{prefix}CHECK ({self.quote(col.name)} IN (0, 1))")
            elif hasattr(t, "enums") and not self.enum_is_native(t):
                labels = ", ".join(self.literal(v) for v in t.enums)
                out.append(f"{prefix}CHECK ({self.quote(col.name)} IN ({labels}))")
        return out

    def enum_is_native(self, type_: Any) -> bool:
        return False

    # -- DROP / INDEX / SEQUENCE / TYPE / ALTER ----------------------------------------------

    def visit_drop_table(self, drop: DropTable, **kw: Any) -> str:
        head = "DROP TABLE IF EXISTS " if drop.if_exists else "DROP TABLE "
        return head + self.format_table(drop.element)

    def index_name(self, index: Index) -> str:
        name = constraint_name(index)
        if not name:
            raise exc.CompileError(
                "Rendering CREATE INDEX failed: the index has no name and the MetaData's "
                "naming convention gives none. Pass a name: Index('ix_name', ...)."
            )
        return name

    def visit_create_index(self, create: CreateIndex, **kw: Any) -> str:
        index = create.element
        head = "CREATE UNIQUE INDEX " if index.unique else "CREATE INDEX "
        if create.if_not_exists:
            head += "IF NOT EXISTS "
        exprs = ", ".join(
            self.quote(e.name) if getattr(e, "table", None) is index.table and hasattr(e, "name")
            else self.sql_expression(e)
            for e in index.expressions
        )
        name = self.quote(self.index_name(index))
        return f"{head}{name} ON {self.format_table(index.table)} ({exprs})"

    def visit_drop_index(self, drop: DropIndex, **kw: Any) -> str:
        index = drop.element
        head = "DROP INDEX IF EXISTS " if drop.if_exists else "DROP INDEX "
        text = head + self.format_name(self.index_name(index), index.table.schema)
        if self.drop_index_needs_table:
            text = head + self.quote(self.index_name(index)) + " ON " + self.format_table(
                index.table
            )
        return text

    def visit_create_sequence(self, create: CreateSequence, **kw: Any) -> str:
        seq = create.element
        head = "CREATE SEQUENCE IF NOT EXISTS " if create.if_not_exists else "CREATE SEQUENCE "
        opts = self._sequence_options(seq)
        return head + self.format_name(seq.name, seq.schema) + (f" {opts}" if opts else "")

    def visit_drop_sequence(self, drop: DropSequence, **kw: Any) -> str:
        head = "DROP SEQUENCE IF EXISTS " if drop.if_exists else "DROP SEQUENCE "
        return head + self.format_name(drop.element.name, drop.element.schema)

    def visit_create_enum_type(self, create: CreateEnumType, **kw: Any) -> str:
        t = create.element
        labels = ", ".join(self.literal(v) for v in t.enums)
        return f"CREATE TYPE {self.format_name(t.name, t.schema)} AS ENUM ({labels})"

    def visit_drop_enum_type(self, drop: DropEnumType, **kw: Any) -> str:
        t = drop.element
        head = "DROP TYPE IF EXISTS " if drop.if_exists else "DROP TYPE "
        return head + self.format_name(t.name, t.schema)

    def visit_add_constraint(self, add: AddConstraint, **kw: Any) -> str:
        c = add.element
        return f"ALTER TABLE {self.format_table(c.table)} ADD {self.constraint_spec(c)}"

    def visit_drop_constraint(self, drop: DropConstraint, **kw: Any) -> str:
        c = drop.element
        name = constraint_name(c)
        if not name:
            raise exc.CompileError(
                "Rendering DROP CONSTRAINT failed: the constraint has no name. Name it "
                "(name='fk_...') or set a naming convention on the MetaData."
            )
        return f"ALTER TABLE {self.format_table(c.table)} DROP CONSTRAINT {self.quote(name)}"

    def visit_set_table_comment(self, set_: SetTableComment, **kw: Any) -> str:
        t = set_.element
        return f"COMMENT ON TABLE {self.format_table(t)} IS {self.literal(t.comment)}"

    def visit_set_column_comment(self, set_: SetColumnComment, **kw: Any) -> str:
        c = set_.element
        return (
            f"COMMENT ON COLUMN {self.format_table(c.table)}.{self.quote(c.name)} IS "
            f"{self.literal(c.comment)}"
        )

    def visit_literal_ddl(self, ddl: DDL, **kw: Any) -> str:
        return str(ddl.element)

    # -- existence checks (used by create_all / drop_all with checkfirst) --------------------

    @staticmethod
    def has_table(connection: Any, name: str, schema: str | None = None) -> bool:
        """Does table ``name`` exist? Vendors override with a catalog query."""
        raise NotImplementedError

    @staticmethod
    def has_type(connection: Any, name: str, schema: str | None = None) -> bool:
        """Does a named type exist? Only databases with CREATE TYPE override this."""
        return False


_FK_ACTIONS = {"CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION"}


def _fk_action(action: str) -> str:
    norm = " ".join(action.upper().split())
    if norm not in _FK_ACTIONS:
        raise exc.CompileError(
            f"Rendering a foreign key failed: {action!r} is not a referential action. Use one "
            "of CASCADE, SET NULL, SET DEFAULT, RESTRICT, NO ACTION."
        )
    return norm


def _constraint_order(c: Any) -> tuple[int, str]:
    kinds = {UniqueConstraint: 0, CheckConstraint: 1, ForeignKeyConstraint: 2}
    cols = getattr(c, "columns", [])
    return kinds.get(type(c), 3), ",".join(str(getattr(col, "name", "")) for col in cols)


def _unwrap(type_: Any, dialect: Any) -> Any:
    """The type doing the work on ``dialect`` (through TypeDecorators and variants)."""
    seen = 0
    while hasattr(type_, "load_dialect_impl") and seen < 10:
        type_ = type_.load_dialect_impl(dialect)
        seen += 1
    return type_


#: Exported for vendor modules: unwrap a column type through decorators.
unwrap_type: Callable[[Any, Any], Any] = _unwrap
