"""The SQL expression language and schema, with no I/O.

Shared by two owners: the expressions/statements section and the schema/types section each
add their own public names below. Everything here is importable as ``athanor.sql.<name>``
and most names also from ``athanor`` itself.
"""

from __future__ import annotations

# --- expressions and statements (owner: SQL expressions) ------------------------------
from athanor.sql._select import (
    LABEL_STYLE_DEFAULT,
    LABEL_STYLE_DISAMBIGUATE_ONLY,
    LABEL_STYLE_NONE,
    LABEL_STYLE_TABLENAME_PLUS_COL,
    CompoundSelect,
    Exists,
    ScalarSelect,
    Select,
    except_,
    except_all,
    exists,
    intersect,
    intersect_all,
    select,
    union,
    union_all,
)
from athanor.sql.compiler import Compiled, SQLCompiler
from athanor.sql.dml import Delete, Insert, Update, delete, insert, update
from athanor.sql.elements import (
    BindParameter,
    ClauseElement,
    ColumnClause,
    ColumnElement,
    Label,
    TextClause,
    all_,
    and_,
    any_,
    asc,
    between,
    bindparam,
    cast,
    collate,
    column,
    desc,
    distinct,
    false,
    label,
    literal,
    literal_column,
    not_,
    null,
    nulls_first,
    nulls_last,
    nullsfirst,
    nullslast,
    or_,
    text,
    true,
    type_coerce,
)
from athanor.sql.functions import Function, case, extract, func, over, tuple_
from athanor.sql.selectable import (
    CTE,
    Alias,
    ColumnCollection,
    FromClause,
    Join,
    Subquery,
    TableClause,
    alias,
    join,
    lateral,
    outerjoin,
    table,
    values,
)

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
