"""athanor: a fast, pure-Python ORM with SQLAlchemy's session system.

The public names below resolve lazily (PEP 562) so ``import athanor`` stays cheap and each
layer is only imported when used. The same names are importable from their home modules
(``athanor.sql``, ``athanor.engine``...) and from SQLAlchemy-shaped paths
(``athanor.orm``, ``athanor.types``, ``athanor.ext.declarative``).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0.dev0"

_SQL = "athanor.sql"
_EXPORTS: dict[str, str] = {
    # engine
    "create_engine": "athanor.engine",
    "engine_from_config": "athanor.engine",
    "Engine": "athanor.engine",
    "Connection": "athanor.engine",
    "Row": "athanor.engine",
    "Result": "athanor.engine",
    "CursorResult": "athanor.engine",
    "make_url": "athanor.url",
    "URL": "athanor.url",
    # inspection
    "inspect": "athanor.inspection",
}
for _name in (  # noqa: SIM905
    "Compiled ChunkedIteratorResult Dialect FrozenResult Inspector IteratorResult "
    "MappingResult NestedTransaction ResultProxy RootTransaction RowMapping ScalarResult "
    "Transaction BaseRow create_mock_engine create_pool_from_url result_tuple"
).split():
    _EXPORTS[_name] = "athanor.engine"
for _name in (  # noqa: SIM905
    "QueuePool NullPool StaticPool SingletonThreadPool AssertionPool AsyncAdaptedQueuePool "
    "Pool PoolProxiedConnection"
).split():
    _EXPORTS[_name] = "athanor.pool"
for _name in ("BLANK_SCHEMA", "insert_sentinel"):
    _EXPORTS[_name] = "athanor.schema"
for _name in (  # noqa: SIM905 - one compact string of names reads better than a list
    # schema
    "MetaData Table Column ForeignKey ForeignKeyConstraint PrimaryKeyConstraint "
    "UniqueConstraint CheckConstraint Index Sequence Computed Identity DefaultClause "
    "FetchedValue "
    # types
    "Integer BigInteger SmallInteger String Text Unicode UnicodeText Boolean Float Double "
    "Numeric Date DateTime Time Interval LargeBinary JSON Enum Uuid UUID TypeDecorator "
    "PickleType ARRAY "
    "INTEGER BIGINT SMALLINT VARCHAR CHAR TEXT BOOLEAN FLOAT REAL NUMERIC DECIMAL DATE "
    "DATETIME TIMESTAMP TIME BLOB NVARCHAR NCHAR CLOB VARBINARY BINARY DOUBLE DOUBLE_PRECISION "
    "DDL "
    # expressions and statements
    "text select insert update delete and_ or_ not_ func case cast literal literal_column "
    "bindparam column table exists union union_all intersect except_ distinct desc asc "
    "nulls_first nulls_last null true false tuple_ between label type_coerce over "
    "collate extract any_ all_ lateral values alias outerjoin join intersect_all except_all "
    "nullsfirst nullslast "
    # SQLAlchemy's expression classes, for annotations and isinstance checks
    "Alias BinaryExpression BindParameter BooleanClauseList CTE Case Cast ClauseElement "
    "ClauseList ColumnClause ColumnCollection ColumnElement CompoundSelect Delete Executable "
    "Exists Extract False_ FromClause Function FunctionElement FunctionFilter "
    "GenerativeSelect Grouping Insert Join Label LambdaElement Lateral Null Over ReturnsRows "
    "ScalarSelect Select SelectBase SelectLabelStyle Selectable StatementLambdaElement "
    "Subquery TableClause TableSample TextClause True_ TryCast Tuple TypeCoerce "
    "UnaryExpression Update UpdateBase Values ValuesBase WithinGroup "
    "LABEL_STYLE_DEFAULT LABEL_STYLE_DISAMBIGUATE_ONLY LABEL_STYLE_NONE "
    "LABEL_STYLE_TABLENAME_PLUS_COL Nullable NotNullable SQLColumnExpression "
    "ColumnExpressionArgument TextAsFrom TextualSelect "
    # more expression functions, schema and DDL names
    "bitwise_not cte custom_op funcfilter lambda_stmt outparam quoted_name tablesample "
    "try_cast within_group INT Constraint ColumnDefault CreateTable DropTable DDLElement "
    "BaseDDLElement ExecutableDDLElement CreateView DropView"
).split():
    _EXPORTS[_name] = _SQL

__all__ = sorted([*_EXPORTS, "exc", "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        if name in ("exc", "types", "schema", "orm", "pool", "sql", "engine", "event", "events"):
            return importlib.import_module(f"athanor.{name}")
        raise AttributeError(f"module 'athanor' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
