"""The public names of ``athanor`` and its SQLAlchemy-shaped modules, pinned.

Every name in ``athanor.__all__`` must import (``from athanor import *`` works), and the
public lists of ``athanor``, ``athanor.orm``, ``athanor.exc`` and ``athanor.types`` are pinned
here so adding or removing a public name is a deliberate, reviewed change: update the list
below in the same change.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest


def _names(text: str) -> list[str]:
    return text.split()


PUBLIC_NAMES: dict[str, list[str]] = {
    "athanor": _names(
        "ARRAY BIGINT BLOB BOOLEAN BigInteger Boolean CHAR CheckConstraint Column Computed "
        "Connection CursorResult DATE DATETIME DECIMAL Date DateTime DefaultClause Double Engine "
        "Enum FLOAT FetchedValue Float ForeignKey ForeignKeyConstraint INTEGER Identity Index "
        "Integer Interval JSON LargeBinary MetaData NUMERIC NullPool Numeric PickleType "
        "PrimaryKeyConstraint QueuePool REAL Result Row SMALLINT Sequence SmallInteger StaticPool "
        "String TEXT TIME TIMESTAMP Table Text Time TypeDecorator URL UUID Unicode UnicodeText "
        "UniqueConstraint Uuid VARCHAR __version__ alias all_ and_ any_ asc between bindparam "
        "case cast collate column create_engine delete desc distinct engine_from_config exc "
        "except_ exists extract false func insert inspect intersect join label lateral literal "
        "literal_column make_url not_ null nulls_first nulls_last or_ outerjoin over select table "
        "text true tuple_ type_coerce union union_all update values "
        "BINARY CLOB DDL DOUBLE DOUBLE_PRECISION NCHAR NVARCHAR VARBINARY except_all "
        "intersect_all nullsfirst nullslast "
        "Alias AssertionPool AsyncAdaptedQueuePool BLANK_SCHEMA BaseDDLElement BaseRow CreateView "
        "create_pool_from_url TextAsFrom TextualSelect result_tuple "
        "DropView "
        "BinaryExpression BindParameter BooleanClauseList CTE Case Cast ChunkedIteratorResult "
        "ClauseElement ClauseList ColumnClause ColumnCollection ColumnDefault ColumnElement "
        "ColumnExpressionArgument Compiled CompoundSelect Constraint CreateTable DDLElement "
        "Delete Dialect DropTable Executable ExecutableDDLElement Exists Extract False_ "
        "FromClause FrozenResult Function FunctionElement FunctionFilter GenerativeSelect "
        "Grouping INT Insert Inspector IteratorResult Join LABEL_STYLE_DEFAULT "
        "LABEL_STYLE_DISAMBIGUATE_ONLY LABEL_STYLE_NONE LABEL_STYLE_TABLENAME_PLUS_COL Label "
        "LambdaElement Lateral MappingResult NestedTransaction NotNullable Null Nullable Over "
        "Pool PoolProxiedConnection ResultProxy ReturnsRows RootTransaction RowMapping "
        "SQLColumnExpression ScalarResult ScalarSelect Select SelectBase SelectLabelStyle "
        "Selectable SingletonThreadPool StatementLambdaElement Subquery TableClause TableSample "
        "TextClause Transaction True_ TryCast Tuple TypeCoerce UnaryExpression Update "
        "UpdateBase Values ValuesBase WithinGroup bitwise_not create_mock_engine cte custom_op "
        "funcfilter insert_sentinel lambda_stmt outparam quoted_name tablesample try_cast "
        "within_group "
    ),
    "athanor.orm": _names(
        "AliasedClass AppenderQuery DynamicMapped WriteOnlyCollection WriteOnlyMapped "
        "ColumnProperty DeclarativeBase DeclarativeBaseNoMeta History InstanceState "
        "InstrumentedAttribute Load MANYTOMANY MANYTOONE Mapped MappedColumn Mapper "
        "MapperProperty NPlusOneError NPlusOneWarning ONETOMANY Query RelationshipProperty "
        "Session SessionTransaction aliased backref class_mapper close_all_sessions "
        "column_property configure_mappers contains_eager declarative_base declared_attr "
        "defaultload defer exc immediateload joinedload lazyload load_only make_transient "
        "make_transient_to_detached mapped_column noload object_mapper object_session raiseload "
        "registry relationship scoped_session selectinload sessionmaker subqueryload synonym "
        "undefer with_parent with_polymorphic SynonymProperty deferred undefer_group validates "
        "QueryableAttribute as_declarative declarative_mixin foreign has_inherited_table join "
        "outerjoin remote "
        "KeyFuncDict MappedCollection attribute_keyed_dict attribute_mapped_collection "
        "column_keyed_dict column_mapped_collection keyfunc_mapping mapped_collection "
        "MappedAsDataclass mapped_as_dataclass CompositeProperty composite "
        "AliasOption Bundle DictBundle EXT_CONTINUE EXT_SKIP EXT_STOP LoaderCallableStatus "
        "NO_KEY NO_VALUE LoaderCriteriaOption ORMExecuteState with_loader_criteria "
        "PassiveFlag PropComparator Relationship RelationshipDirection Synonym "
        "UserDefinedOption contains_alias create_session merge_frozen_result merge_result "
        "query_expression synonym_for was_deleted with_expression "
        "selectin_polymorphic polymorphic_union ConcreteBase AbstractConcreteBase "
        "InstanceEvents reconstructor clear_mappers "
    ),
    "athanor.exc": _names(
        "AmbiguousForeignKeysError NoForeignKeysError NoInspectionAvailable NoReferenceError "
        "NoSuchTableError StatementError UnboundExecutionError "
        "ArgumentError AthanorDeprecationWarning AthanorError AthanorWarning CompileError "
        "DBAPIError DataError DatabaseError DisconnectionError IntegrityError InterfaceError "
        "InternalError InvalidRequestError MultipleResultsFound NoReferencedColumnError "
        "NoReferencedTableError NoResultFound NoSuchColumnError NoSuchModuleError "
        "NotSupportedError ObjectNotExecutableError OperationalError PendingRollbackError "
        "ProgrammingError ResourceClosedError SAWarning SQLAlchemyError TimeoutError "
        "UnsupportedCompilationError "
        "AmbiguousColumnError AthanorPendingDeprecationWarning AwaitRequired "
        "Base20DeprecationWarning CircularDependencyError ConstraintColumnNotFoundError "
        "DuplicateColumnError IdentifierError IllegalStateChangeError InvalidatePoolError "
        "LegacyAPIWarning MissingGreenlet MovedIn20Warning SADeprecationWarning "
        "SAPendingDeprecationWarning UnreflectableTableError "
    ),
    "athanor.types": _names(
        "ARRAY BIGINT BINARY BLOB BOOLEAN BigInteger Boolean CHAR CLOB DATE DATETIME DECIMAL "
        "DOUBLE DOUBLE_PRECISION Date DateTime Double Enum FLOAT Float INT INTEGER Integer "
        "Interval JSON LargeBinary NCHAR NULLTYPE NUMERIC NVARCHAR NullType Numeric PickleType "
        "REAL SMALLINT SmallInteger Storage String TEXT TIME TIMESTAMP Text Time TypeDecorator "
        "TypeEngine UUID Unicode UnicodeText UserDefinedType Uuid VARBINARY VARCHAR Variant "
        "to_instance type_for_value "
        "MatchType STRINGTYPE "
    ),
}


def test_star_import_gives_every_public_name() -> None:
    namespace: dict[str, Any] = {}
    exec("from athanor import *", namespace)  # noqa: S102 - the statement under test
    import athanor

    missing = [name for name in athanor.__all__ if name not in namespace]
    assert missing == []
    assert namespace["values"] is importlib.import_module("athanor.sql").values


@pytest.mark.parametrize("module_name", sorted(PUBLIC_NAMES))
def test_every_public_name_resolves(module_name: str) -> None:
    module = importlib.import_module(module_name)
    unresolved = [name for name in module.__all__ if getattr(module, name, None) is None]
    assert unresolved == []


@pytest.mark.parametrize("module_name", sorted(PUBLIC_NAMES))
def test_public_names_are_pinned(module_name: str) -> None:
    module = importlib.import_module(module_name)
    public = sorted(module.__all__)
    assert len(public) == len(set(public)), "a name is listed twice in __all__"
    assert public == sorted(PUBLIC_NAMES[module_name])
