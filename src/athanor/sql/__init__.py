"""The SQL expression language and schema, with no I/O.

Shared by two owners: the expressions/statements section and the schema/types section each
add their own public names below. Everything here is importable as ``athanor.sql.<name>``
and most names also from ``athanor`` itself.
"""

from __future__ import annotations

# --- expressions and statements (owner: SQL expressions) ------------------------------
# Every name of SQLAlchemy's ``sql.expression`` path, gathered in athanor.sql.expression.
from athanor.sql.compiler import Compiled, SQLCompiler
from athanor.sql.expression import *  # noqa: F403
from athanor.sql.expression import __all__ as _expression_names

# --- schema and types (owner: SQL schema) ---------------------------------------------
from athanor.sql.constraint import (
    CheckConstraint,
    ColumnCollectionConstraint,
    Constraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    UniqueConstraint,
)
from athanor.sql.ddl import (
    DDL,
    BaseDDLElement,
    CreateSchema,
    CreateView,
    DropSchema,
    DropView,
    DDLElement,
    ExecutableDDLElement,
    AddConstraint,
    CreateIndex,
    CreateSequence,
    CreateTable,
    DropConstraint,
    DropIndex,
    DropSequence,
    DropTable,
)
from athanor.sql.schema import (
    ColumnDefault,
    Computed,
    DefaultClause,
    FetchedValue,
    Identity,
    MetaData,
    Sequence,
    Table,
    Column,
)
from athanor.sql.types import *  # noqa: F403 - every type name, listed in types.__all__
from athanor.sql.types import type_for_value
from athanor.sql._roles import NotNullable, Nullable

_ = _expression_names  # the names above, re-exported
