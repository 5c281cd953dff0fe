"""Marker bases that say what a node *is*, under SQLAlchemy's names.

SQLAlchemy code tests statements with ``isinstance(stmt, Executable)`` or annotates a
parameter as ``Selectable``; these empty mixins make those checks true for the athanor nodes
that play the part (statements are :class:`Executable`, FROM clauses and SELECTs are
:class:`Selectable`, anything with result columns :class:`ReturnsRows`). They hold no state
and no behaviour, so adding one to a class changes nothing else about it.
"""

from __future__ import annotations

from types import GenericAlias
from typing import Any, TypeVar


class Executable:
    """A node that can be passed to ``Connection.execute()`` by itself."""

    __slots__ = ()


class ReturnsRows:
    """A node whose rendering has result columns (a FROM clause, a SELECT, DML RETURNING)."""

    __slots__ = ()


class Selectable(ReturnsRows):
    """A FROM clause or a SELECT: something columns can be selected from."""

    __slots__ = ()


#: ``__class_getitem__`` for classes SQLAlchemy declares generic, so annotations such as
#: ``Select[tuple[int]]`` or ``ColumnElement[bool]`` evaluate at runtime.
generic_alias: classmethod[Any, [Any], GenericAlias] = classmethod(GenericAlias)

_T = TypeVar("_T")


def Nullable(value: _T) -> _T:  # noqa: N802 - SQLAlchemy's public name
    """Typing helper (``select(Nullable(User))``): returns its argument unchanged."""
    return value


def NotNullable(value: _T) -> _T:  # noqa: N802 - SQLAlchemy's public name
    """Typing helper: returns its argument unchanged."""
    return value


__all__ = ["Executable", "NotNullable", "Nullable", "ReturnsRows", "Selectable",
           "generic_alias"]
