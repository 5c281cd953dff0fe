"""PostgreSQL-only type names (``from athanor.dialects.postgresql.types import JSONB``).

Each is usable on other databases too, falling back to the nearest portable type: JSONB to
JSON storage, BYTEA to binary, the rest are aliases of the generic types.
"""

from __future__ import annotations

from athanor.sql.sqltypes import (
    BIGINT,
    BOOLEAN,
    CHAR,
    DATE,
    DOUBLE_PRECISION,
    FLOAT,
    INTEGER,
    NUMERIC,
    REAL,
    SMALLINT,
    TEXT,
    TIME,
    TIMESTAMP,
    VARCHAR,
    LargeBinary,
    String,
)
from athanor.sql.sqltypes import Interval as INTERVAL
from athanor.sql.structtypes import ARRAY, JSON, UUID, Enum


class JSONB(JSON):
    """PostgreSQL's binary JSON (keys normalised, indexable); plain JSON elsewhere."""

    __visit_name__ = "JSONB"


class BYTEA(LargeBinary):
    """PostgreSQL's binary string."""

    __visit_name__ = "large_binary"


class INET(String):
    """An IPv4/IPv6 host address (PostgreSQL ``INET``)."""

    __visit_name__ = "INET"


class CIDR(String):
    """An IPv4/IPv6 network (PostgreSQL ``CIDR``)."""

    __visit_name__ = "CIDR"


class MACADDR(String):
    """A MAC address (PostgreSQL ``MACADDR``)."""

    __visit_name__ = "MACADDR"


class MONEY(String):
    """PostgreSQL's locale-formatted currency amount (``MONEY``)."""

    __visit_name__ = "MONEY"


class TSVECTOR(String):
    """A full-text search document (PostgreSQL ``TSVECTOR``)."""

    __visit_name__ = "TSVECTOR"


ENUM = Enum

__all__ = ["ARRAY", "BIGINT", "BOOLEAN", "BYTEA", "CHAR", "CIDR", "DATE", "DOUBLE_PRECISION",
           "ENUM", "FLOAT", "INET", "INTEGER", "INTERVAL", "JSON", "JSONB", "MACADDR", "MONEY",
           "NUMERIC", "REAL", "SMALLINT", "TEXT", "TIME", "TIMESTAMP", "TSVECTOR", "UUID",
           "VARCHAR"]
