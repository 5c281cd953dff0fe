"""PostgreSQL-only type names (``from athanor.dialects.postgresql.types import JSONB``).

Each is usable on other databases too, falling back to the nearest portable type: JSONB to
JSON storage, BYTEA to binary, the rest are aliases of the generic types.
"""

from __future__ import annotations

from athanor.sql.sqltypes import DOUBLE_PRECISION, LargeBinary
from athanor.sql.sqltypes import Interval as INTERVAL
from athanor.sql.structtypes import ARRAY, JSON, UUID, Enum


class JSONB(JSON):
    """PostgreSQL's binary JSON (keys normalised, indexable); plain JSON elsewhere."""

    __visit_name__ = "JSONB"


class BYTEA(LargeBinary):
    """PostgreSQL's binary string."""

    __visit_name__ = "large_binary"


ENUM = Enum

__all__ = ["ARRAY", "BYTEA", "DOUBLE_PRECISION", "ENUM", "INTERVAL", "JSON", "JSONB", "UUID"]
