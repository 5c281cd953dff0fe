"""The pure half of a dialect: how a database spells SQL, with no driver attached.

A :class:`BaseDialect` knows its paramstyle, how to quote identifiers, which compiler classes
render statements, DDL and types, and which optional SQL features the database has (the
``supports_*`` flags, one question each). It also owns the compiled-statement cache.

The I/O half (importing the driver, connecting, pinging, mapping driver errors) lives in
:class:`athanor.dialects.base.Dialect`, which subclasses this one; ``sql`` never imports it.
``str(statement)`` compiles with :class:`DefaultDialect`, a generic dialect for display.

Owner: the SQL layer. Vendor subclasses are in ``athanor/dialects/<vendor>/base.py``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class BaseDialect:
    """How one database spells SQL. Stateless apart from the compiled-statement cache."""

    name: ClassVar[str] = "default"
    #: The paramstyle the compiler renders: "qmark" (?), "format" (%s), "named" (:name),
    #: "pyformat" (%(name)s), "numeric" ($1).
    paramstyle: ClassVar[str] = "named"

    # --- features: each flag answers one question --------------------------------------
    supports_returning: ClassVar[bool] = False  # Can INSERT/UPDATE/DELETE ... RETURNING give rows back?
    supports_multivalues_insert: ClassVar[bool] = True  # Can one INSERT carry several VALUES rows?
    supports_native_boolean: ClassVar[bool] = False  # Is there a real BOOLEAN type with TRUE/FALSE?
    supports_native_uuid: ClassVar[bool] = False  # Is there a UUID column type?
    supports_native_json: ClassVar[bool] = False  # Is there a JSON column type?
    supports_native_decimal: ClassVar[bool] = True  # Do NUMERIC values come back as Decimal?
    supports_native_enum: ClassVar[bool] = False  # Is there an ENUM column type?
    supports_timezone: ClassVar[bool] = False  # Can a datetime column keep its UTC offset?
    supports_sequences: ClassVar[bool] = False  # Are there CREATE SEQUENCE / nextval()?
    supports_savepoints: ClassVar[bool] = True  # Do SAVEPOINT / RELEASE / ROLLBACK TO work?
    supports_for_update: ClassVar[bool] = False  # Does SELECT ... FOR UPDATE exist?
    supports_skip_locked: ClassVar[bool] = False  # Does FOR UPDATE take NOWAIT / SKIP LOCKED?
    supports_ilike: ClassVar[bool] = False  # Is there a native ILIKE operator?
    supports_empty_insert: ClassVar[bool] = True  # Can a row be inserted with no column values?
    supports_default_values: ClassVar[bool] = True  # Does INSERT ... DEFAULT VALUES work?
    supports_schemas: ClassVar[bool] = False  # Can tables live in named schemas?
    supports_comments: ClassVar[bool] = False  # Do CREATE TABLE/COLUMN take comments?
    supports_nulls_ordering: ClassVar[bool] = True  # Does ORDER BY take NULLS FIRST/LAST?
    supports_intersect: ClassVar[bool] = True  # Do INTERSECT / EXCEPT exist?
    supports_cte: ClassVar[bool] = True  # Does WITH ... work?
    supports_upsert: ClassVar[bool] = True  # Is there some INSERT ... ON CONFLICT / ON DUPLICATE KEY?
    supports_alter: ClassVar[bool] = True  # Can ALTER TABLE add constraints after creation?
    requires_limit_for_offset: ClassVar[bool] = False  # Is OFFSET only valid after LIMIT?
    max_identifier_length: ClassVar[int] = 63  # Longest table/column/constraint name.

    #: Compiler classes, set by the SQL layer (defaults) and the vendor subclasses.
    statement_compiler: ClassVar[type[Any]]
    ddl_compiler: ClassVar[type[Any]]
    type_compiler: ClassVar[type[Any]]

    def __init__(self, **kw: Any) -> None:
        self._compiled_cache: dict[Any, Any] = {}
        self.compile_count = 0  # how often a statement was compiled, not found in the cache

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class DefaultDialect(BaseDialect):
    """A generic dialect used by ``str(statement)``: named parameters, standard quoting."""

    name = "default"
    paramstyle = "named"
