"""SQLAlchemy's ``sqlalchemy.sql.expression`` path: every expression and statement name.

The names come from their home modules (:mod:`.elements`, :mod:`.functions`,
:mod:`.selectable`, :mod:`._select`, :mod:`.dml`, :mod:`.lambdas`...), except
:class:`FunctionElement`, the base of user-defined SQL functions compiled with
:mod:`athanor.ext.compiler` (``class coalesce(FunctionElement): name = "coalesce"``).
"""

from __future__ import annotations

from typing import Any

from athanor.sql._reserved import quoted_name
from athanor.sql._roles import Executable, ReturnsRows, Selectable
from athanor.sql._select import (
    LABEL_STYLE_DEFAULT,
    LABEL_STYLE_DISAMBIGUATE_ONLY,
    LABEL_STYLE_NONE,
    LABEL_STYLE_TABLENAME_PLUS_COL,
    CompoundSelect,
    Exists,
    GenerativeSelect,
    ScalarSelect,
    Select,
    SelectBase,
    SelectLabelStyle,
    cte,
    except_,
    except_all,
    exists,
    intersect,
    intersect_all,
    select,
    union,
    union_all,
)
from athanor.sql.dml import (
    Delete,
    Insert,
    Update,
    UpdateBase,
    ValuesBase,
    delete,
    insert,
    update,
)
from athanor.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    Cast,
    ClauseElement,
    ClauseList,
    ColumnClause,
    ColumnElement,
    False_,
    Grouping,
    Label,
    Null,
    TextClause,
    True_,
    TryCast,
    TypeCoerce,
    UnaryExpression,
    all_,
    and_,
    any_,
    asc,
    between,
    bindparam,
    bitwise_not,
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
    outparam,
    text,
    true,
    try_cast,
    type_coerce,
)
from athanor.sql.functions import (
    Case,
    Extract,
    Function,
    FunctionFilter,
    Over,
    Tuple,
    WithinGroup,
    case,
    extract,
    func,
    funcfilter,
    over,
    tuple_,
    within_group,
)
from athanor.sql.lambdas import LambdaElement, StatementLambdaElement, lambda_stmt
from athanor.sql.operators import custom_op
from athanor.sql.selectable import (
    CTE,
    Alias,
    ColumnCollection,
    FromClause,
    Join,
    Lateral,
    Subquery,
    TableClause,
    TableSample,
    TextAsFrom,
    TextualSelect,
    Values,
    alias,
    join,
    lateral,
    outerjoin,
    table,
    tablesample,
    values,
)


class _FunctionBaseMeta(type):
    """``isinstance(func.count(), FunctionElement)`` holds, as in SQLAlchemy, where every
    function call is a FunctionElement; subclasses check normally."""

    def __instancecheck__(cls, obj: Any) -> bool:
        if cls is FunctionElement:
            return isinstance(obj, Function)
        return type.__instancecheck__(cls, obj)

    def __subclasscheck__(cls, sub: Any) -> bool:
        if cls is FunctionElement:
            return issubclass(sub, Function)
        return type.__subclasscheck__(cls, sub)


class FunctionElement(Function, metaclass=_FunctionBaseMeta):
    """Base of user-defined SQL functions: ``name`` (class attribute, default the class
    name) and the arguments, in ``clauses``; ``type`` may be set as a class attribute."""

    def __init__(self, *clauses: Any, type_: Any = None) -> None:
        name = type(self).__dict__.get("name") or getattr(type(self), "name", None)
        if not isinstance(name, str):
            name = type(self).__name__
        super().__init__(name, *clauses, type_=type_)
        if "type" in type(self).__dict__ and type_ is None:  # class-level ``type = ...``
            self._type = type(self).__dict__["type"]


#: SQLAlchemy's typing names for "a column expression" (``SQLColumnExpression[bool]``).
SQLColumnExpression = ColumnExpressionArgument = ColumnElement

__all__ = [
    "SQLColumnExpression", "ColumnExpressionArgument", "TextAsFrom", "TextualSelect",
    "CTE", "LABEL_STYLE_DEFAULT", "LABEL_STYLE_DISAMBIGUATE_ONLY", "LABEL_STYLE_NONE",
    "LABEL_STYLE_TABLENAME_PLUS_COL", "Alias", "BinaryExpression", "BindParameter",
    "BooleanClauseList", "Case", "Cast", "ClauseElement", "ClauseList", "ColumnClause",
    "ColumnCollection", "ColumnElement", "CompoundSelect", "Delete", "Executable", "Exists",
    "Extract", "False_", "FromClause", "Function", "FunctionElement", "FunctionFilter",
    "GenerativeSelect", "Grouping", "Insert", "Join", "Label", "LambdaElement", "Lateral",
    "Null", "Over", "ReturnsRows", "ScalarSelect", "Select", "SelectBase", "SelectLabelStyle",
    "Selectable", "StatementLambdaElement", "Subquery", "TableClause", "TableSample",
    "TextClause", "True_", "TryCast", "Tuple", "TypeCoerce", "UnaryExpression", "Update",
    "UpdateBase", "Values", "ValuesBase", "WithinGroup", "alias", "all_", "and_", "any_",
    "asc", "between", "bindparam", "bitwise_not", "case", "cast", "collate", "column", "cte",
    "custom_op", "delete", "desc", "distinct", "except_", "except_all", "exists", "extract",
    "false", "func", "funcfilter", "insert", "intersect", "intersect_all", "join", "label",
    "lambda_stmt", "lateral", "literal", "literal_column", "not_", "null", "nulls_first",
    "nulls_last", "nullsfirst", "nullslast", "or_", "outerjoin", "outparam", "over",
    "quoted_name", "select", "table", "tablesample", "text", "true", "try_cast", "tuple_",
    "type_coerce", "union", "union_all", "update", "values", "within_group",
]
