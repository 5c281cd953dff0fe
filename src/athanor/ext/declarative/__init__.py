"""``athanor.ext.declarative``: the 1.x import path of the declarative API (re-exports)."""

from __future__ import annotations

from athanor.orm.decl import (
    DeclarativeBase,
    declarative_base,
    declared_attr,
    registry,
)

__all__ = ["DeclarativeBase", "declarative_base", "declared_attr", "registry"]
