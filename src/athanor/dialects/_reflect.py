"""Shared pieces of schema reflection: catalog type strings to athanor types.

Each vendor's ``reflection`` module runs its catalog queries and returns plain dicts in the
shapes ``Inspector`` documents (SQLAlchemy's: ``{"name", "type", "nullable", "default",
"autoincrement", "comment"}`` per column, ``{"constrained_columns", "name"}`` for a primary
key, ...). What they share is here: :func:`parse_type` turns a catalog type string such as
``"character varying(50)"``, ``"decimal(10,2) unsigned"`` or ``"integer[]"`` into a type
instance through the vendor's name table (a plain dict, data first), and
:func:`fk_action` normalises referential actions.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from athanor import exc
from athanor.sql import types as t

#: A type-table entry: the class, or a callable taking the parsed args (ints or strings).
TypeFactory = type | Callable[..., Any]

_QUOTED = re.compile(r"'((?:[^']|'')*)'")


def _args(raw: str | None) -> list[Any]:
    if not raw:
        return []
    if "'" in raw:
        return [m.replace("''", "'") for m in _QUOTED.findall(raw)]
    out: list[Any] = []
    for part in raw.split(","):
        part = part.strip()
        out.append(int(part) if part.isdigit() else part)
    return out


def parse_type(spec: str, table: Mapping[str, TypeFactory], *, where: str) -> Any:
    """The athanor type for catalog type string ``spec`` (unknown names give NullType)."""
    text = " ".join(spec.strip().split())
    if text.endswith("[]"):
        return t.ARRAY(parse_type(text[:-2], table, where=where))
    name, paren, rest = text.partition("(")
    raw, suffix = "", ""
    if paren:
        raw, _, suffix = rest.rpartition(")")
    name, suffix = name.strip().lower(), suffix.strip().lower()
    args = _args(raw)
    factory = table.get(f"{name} {suffix}") if suffix else None
    if factory is None:
        factory = table.get(name)
    if factory is None:
        return _unknown(spec, where)
    try:
        if "with time zone" in f"{name} {suffix}":
            return factory(timezone=True)
        return factory(*args)
    except TypeError:
        return factory()


def _unknown(spec: str, where: str) -> Any:
    warnings.warn(
        f"Reflecting {where} found the type {spec!r}, which athanor does not know; the column "
        f"gets NullType. Override it with Column(..., type_) and extend_existing=True.",
        exc.AthanorWarning,
        stacklevel=4,
    )
    return t.NullType()


def numeric(cls: type) -> Callable[..., Any]:
    """A factory passing (precision, scale) through, dropping what the class cannot take."""

    def make(*args: Any) -> Any:
        return cls(*args[:2])

    return make


def string(cls: type) -> Callable[..., Any]:
    def make(*args: Any) -> Any:
        return cls(args[0]) if args and isinstance(args[0], int) else cls()

    return make


def plain(cls: type) -> Callable[..., Any]:
    """A type built with no arguments whatever the catalog shows (``int(11)``, ``tinyint(4)``)."""

    def make(*args: Any, **kw: Any) -> Any:
        return cls(**kw)

    return make


def enum(*values: Any) -> Any:
    return t.Enum(*values) if values else t.String()


_ACTIONS = {"a": None, "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT",
            "NO ACTION": None, "RESTRICT": "RESTRICT", "CASCADE": "CASCADE",
            "SET NULL": "SET NULL", "SET DEFAULT": "SET DEFAULT"}


def fk_options(onupdate: str | None, ondelete: str | None) -> dict[str, str]:
    """SQLAlchemy's ``options`` dict of a reflected foreign key (NO ACTION left out)."""
    out: dict[str, str] = {}
    for key, value in (("onupdate", onupdate), ("ondelete", ondelete)):
        action = _ACTIONS.get((value or "").upper()) if value and len(value) > 1 else \
            _ACTIONS.get(value or "a")
        if action:
            out[key] = action
    return out


def group_ordered(rows: list[tuple[Any, ...]], key: int = 0) -> dict[Any, list[tuple[Any, ...]]]:
    """Rows grouped by ``row[key]``, first-seen order kept."""
    out: dict[Any, list[tuple[Any, ...]]] = {}
    for row in rows:
        out.setdefault(row[key], []).append(row)
    return out


__all__ = ["enum", "fk_options", "group_ordered", "numeric", "parse_type", "plain", "string"]
