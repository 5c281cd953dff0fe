"""Clause rewriting for relationships: swap columns for other columns or bind parameters.

Design
------
Relationship SQL is derived from one join condition (``primaryjoin``) by substitution: a
lazy load replaces the parent's columns with bind parameters, an eager join replaces the
target table's columns with an alias's, a joined eager load under ``LIMIT`` replaces the
parent table's columns with the limited subquery's. :func:`replace_columns` does all of
these with one shallow copy of the expression tree (schema objects are never copied), in
the same style as Core's ``params()``. :func:`eq_pairs` reads the column pairs a condition
equates, which is how directions and foreign keys are inferred from a given primaryjoin.
"""

from __future__ import annotations

from typing import Any

from athanor.sql.elements import ClauseElement, ColumnClause

_MEMOS = frozenset({"_ck_memo", "_exported", "_ck_col"})


def replace_columns(elem: Any, mapping: dict[int, Any]) -> Any:
    """Copy ``elem`` with every column whose ``id()`` is in ``mapping`` replaced."""
    if isinstance(elem, ColumnClause) or getattr(elem, "_is_schema_item", False):
        return mapping.get(id(elem), elem)
    if isinstance(elem, (list, tuple)):
        return type(elem)(replace_columns(e, mapping) for e in elem)
    if not isinstance(elem, ClauseElement) or not hasattr(elem, "__dict__"):
        return elem
    if getattr(elem, "_is_select", False) or getattr(elem, "__visit_name__", "") in (
        "table", "alias", "subquery"
    ):
        return elem
    new = elem.__class__.__new__(elem.__class__)
    for k, v in elem.__dict__.items():
        if k in _MEMOS:
            continue
        if isinstance(v, (ClauseElement, list, tuple)):
            v = replace_columns(v, mapping)
        new.__dict__[k] = v
    return new


def eq_pairs(elem: Any) -> list[tuple[Any, Any]]:
    """The ``(column, column)`` pairs an AND-ed condition compares with ``=``."""
    from athanor.sql import operators as ops

    out: list[tuple[Any, Any]] = []

    def visit(e: Any) -> None:
        inner = getattr(e, "element", None)
        if getattr(e, "__visit_name__", "") == "grouping" and inner is not None:
            visit(inner)
            return
        clauses = getattr(e, "clauses", None)
        if clauses is not None and getattr(e, "operator", None) is ops.and_:
            for c in clauses:
                visit(c)
            return
        if getattr(e, "operator", None) is ops.eq:
            left, right = _unwrap(e.left), _unwrap(e.right)
            if isinstance(left, ColumnClause) and isinstance(right, ColumnClause):
                out.append((left, right))

    visit(elem)
    return out


def _unwrap(e: Any) -> Any:
    while getattr(e, "__visit_name__", "") == "grouping":
        e = e.element
    return e


def adapt_to(selectable: Any, columns: Any) -> dict[int, Any]:
    """``{id(col): selectable's corresponding column}`` for each of ``columns``."""
    out: dict[int, Any] = {}
    for col in columns:
        match = selectable.corresponding_column(col)
        if match is not None:
            out[id(col)] = match
    return out
