"""SQLAlchemy-shaped import path ``athanor.sql.expression``: the expression constructs, and
the two bases for user-defined constructs compiled with :mod:`athanor.ext.compiler`.

:class:`Executable` marks a custom statement (``class InsertFromSelect(Executable,
ClauseElement)``); :class:`FunctionElement` is a SQL function whose name comes from the
subclass (``class coalesce(FunctionElement): name = "coalesce"``).
"""

from __future__ import annotations

from typing import Any

from athanor.sql import (
    Alias,
    BindParameter,
    ClauseElement,
    ColumnClause,
    ColumnElement,
    CompoundSelect,
    Delete,
    Exists,
    FromClause,
    Function,
    Insert,
    Join,
    Label,
    ScalarSelect,
    Select,
    Subquery,
    TableClause,
    TextClause,
    Update,
    and_,
    bindparam,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    not_,
    null,
    or_,
    table,
    text,
)


class Executable:
    """Mixin for custom statements that ``Connection.execute()`` runs."""

    _executable_options: dict[str, Any] = {}
    supports_execution = True

    def execution_options(self, **kw: Any) -> Any:
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__dict__)
        new.__dict__.pop("_ck_memo", None)
        new._executable_options = {**self._executable_options, **kw}
        return new

    def get_execution_options(self) -> dict[str, Any]:
        return dict(self._executable_options)


class FunctionElement(Function):
    """Base of user-defined SQL functions: ``name`` (class attribute, default the class
    name) and the arguments, in ``clauses``; ``type`` may be set as a class attribute."""

    def __init__(self, *clauses: Any, type_: Any = None) -> None:
        name = type(self).__dict__.get("name") or getattr(type(self), "name", None)
        if not isinstance(name, str):
            name = type(self).__name__
        super().__init__(name, *clauses, type_=type_)
        if "type" in type(self).__dict__ and type_ is None:  # class-level ``type = ...``
            self._type = type(self).__dict__["type"]


__all__ = [
    "Alias", "BindParameter", "ClauseElement", "ColumnClause", "ColumnElement",
    "CompoundSelect", "Delete", "Executable", "Exists", "FromClause", "Function",
    "FunctionElement", "Insert", "Join", "Label", "ScalarSelect", "Select", "Subquery",
    "TableClause", "TextClause", "Update", "and_", "bindparam", "case", "cast", "column",
    "func", "literal", "literal_column", "not_", "null", "or_", "table", "text",
]
