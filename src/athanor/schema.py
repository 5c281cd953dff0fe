"""SQLAlchemy-shaped import path for schema objects: ``from athanor.schema import Table``."""

from __future__ import annotations

from athanor.sql._reserved import conv, quoted_name
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
    BaseDDLElement,
    CreateIndex,
    CreateSchema,
    CreateSequence,
    CreateTable,
    CreateView,
    DDLElement,
    DropConstraint,
    DropIndex,
    DropSchema,
    DropSequence,
    DropTable,
    DropView,
    ExecutableDDLElement,
    SetColumnComment,
    SetTableComment,
)
from athanor.sql.schema import (
    BLANK_SCHEMA,
    Column,
    ColumnDefault,
    Computed,
    DefaultClause,
    DefaultGenerator,
    FetchedValue,
    Identity,
    MetaData,
    SchemaConst,
    Sequence,
    Table,
    insert_sentinel,
    sort_tables,
    sort_tables_and_constraints,
)

__all__ = [
    "CreateSchema", "CreateView", "DropSchema", "DropView",
    "BLANK_SCHEMA", "BaseDDLElement", "DDLElement", "ExecutableDDLElement", "SchemaConst",
    "SetColumnComment", "SetTableComment", "insert_sentinel", "quoted_name", "sort_tables",
    "conv", "sort_tables_and_constraints",
    "DDL", "AddConstraint", "CheckConstraint", "Column", "ColumnCollectionConstraint",
    "ColumnDefault", "Computed", "Constraint", "CreateIndex", "CreateSequence", "CreateTable",
    "DefaultClause", "DefaultGenerator", "DropConstraint", "DropIndex", "DropSequence",
    "DropTable", "FetchedValue", "ForeignKey", "ForeignKeyConstraint", "Identity", "Index",
    "MetaData", "PrimaryKeyConstraint", "Sequence", "Table", "UniqueConstraint",
]
