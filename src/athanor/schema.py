"""SQLAlchemy-shaped import path for schema objects: ``from athanor.schema import Table``."""

from __future__ import annotations

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
    DDLElement,
    DropConstraint,
    DropIndex,
    DropSequence,
    DropTable,
)
from athanor.sql.ddl import DDLElement as ExecutableDDLElement
from athanor.sql.schema import (
    Column,
    ColumnDefault,
    Computed,
    DefaultClause,
    DefaultGenerator,
    FetchedValue,
    Identity,
    MetaData,
    Sequence,
    Table,
)

__all__ = [
    "DDL", "DDLElement", "ExecutableDDLElement", "AddConstraint", "CheckConstraint", "Column",
    "ColumnCollectionConstraint",
    "ColumnDefault", "Computed", "Constraint", "CreateIndex", "CreateSequence", "CreateTable",
    "DefaultClause", "DefaultGenerator", "DropConstraint", "DropIndex", "DropSequence",
    "DropTable", "FetchedValue", "ForeignKey", "ForeignKeyConstraint", "Identity", "Index",
    "MetaData", "PrimaryKeyConstraint", "Sequence", "Table", "UniqueConstraint",
]
