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

from collections.abc import Iterable
from typing import Any, ClassVar

import athanor.exc as exc
from athanor.sql import _custom
from athanor.sql.compiler import REQUIRED, SQLCompiler
from athanor.sql.elements import _KeyState


class BaseDialect:
    """How one database spells SQL. Stateless apart from the compiled-statement cache."""

    name: ClassVar[str] = "default"
    #: The paramstyle the compiler renders: "qmark" (?), "format" (%s), "named" (:name),
    #: "pyformat" (%(name)s), "numeric" ($1).
    paramstyle: ClassVar[str] = "named"

    # --- features: each flag answers one question --------------------------------------
    supports_returning: ClassVar[bool] = False  # Can INSERT/UPDATE/DELETE RETURNING rows?
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
    supports_upsert: ClassVar[bool] = True  # ON CONFLICT / ON DUPLICATE KEY?
    supports_alter: ClassVar[bool] = True  # Can ALTER TABLE add constraints after creation?
    supports_tablesample: ClassVar[bool] = False  # Does FROM t TABLESAMPLE method(n) work?
    supports_try_cast: ClassVar[bool] = False  # Is there TRY_CAST(x AS type)?
    supports_dml_in_cte: ClassVar[bool] = False  # WITH x AS (INSERT ... RETURNING ...)?
    supports_fetch_first: ClassVar[bool] = True  # FETCH FIRST n ROWS ONLY (else LIMIT n)?
    supports_fetch_with_ties: ClassVar[bool] = True  # FETCH FIRST n ROWS WITH TIES?
    supports_fetch_percent: ClassVar[bool] = False  # FETCH FIRST n PERCENT ROWS?
    requires_limit_for_offset: ClassVar[bool] = False  # Is OFFSET only valid after LIMIT?
    max_identifier_length: ClassVar[int] = 63  # Longest table/column/constraint name.

    #: Compiler classes, set by the SQL layer (defaults) and the vendor subclasses.
    statement_compiler: ClassVar[type[Any]]
    ddl_compiler: ClassVar[type[Any]]
    type_compiler: ClassVar[type[Any]]

    #: How many compiled statements the cache keeps (oldest dropped first).
    compiled_cache_size: ClassVar[int] = 1000

    def __init__(self, **kw: Any) -> None:
        self._compiled_cache: dict[Any, Any] = {}
        self.compile_count = 0  # how often a statement was compiled, not found in the cache
        #: bumped when user compile functions change (ext.compiler): callers that keep
        #: Compiled objects themselves (the ORM flush) include it in their cache keys
        self.compile_epoch = 0
        _custom.track_dialect(self)

    def compile_statement(
        self, statement: Any, column_keys: Iterable[str] | None = None
    ) -> tuple[Any, tuple[Any, ...]]:
        """Return ``(compiled, extracted)`` for ``statement``, compiling on a cache miss.

        The cache key is the statement's structure (``statement._ck``); the walk that builds
        it also collects the statement's bind parameters, whose current values are returned
        as ``extracted``. ``column_keys`` (the keys of the execute-time parameter dict) pick
        the columns of an INSERT/UPDATE built without ``.values()``.
        """
        if getattr(statement, "_is_ddl", False):
            return self.ddl_compiler(self, statement), ()
        hook = getattr(statement, "__clause_element__", None)
        if hook is not None:
            statement = hook()
        # Statements are immutable once built: their key and bind list are memoised on the
        # instance, so re-executing a prebuilt statement skips the walk entirely.
        memo = getattr(statement, "__dict__", {}).get("_ck_memo")
        if memo is None:
            st = _KeyState()
            try:
                memo = (statement._ck(st), st.binds)
                if st.nocache:  # holds a construct that opted out of caching
                    memo = (None, st.binds)
            except AttributeError:
                raise exc.ArgumentError(
                    f"Executing failed: {type(statement).__name__} is not an executable SQL "
                    "statement. Pass select(...), insert(...), text('...') and the like."
                ) from None
            if hasattr(statement, "__dict__"):
                statement.__dict__["_ck_memo"] = memo
        key, binds = memo
        keys: tuple[str, ...] | None = None
        if getattr(statement, "_uses_column_keys", False):
            keys = tuple(column_keys) if column_keys is not None else ()
            key = (key, keys) if key is not None else None
        # b.effective_value(), inline: one call less per bind on every execution
        extracted = tuple([REQUIRED if b.required else b.value if b.callable is None
                           else b.callable() for b in binds])
        if key is None:
            self.compile_count += 1
            return self.statement_compiler(self, statement, binds, keys).compile(), extracted
        cache = self._compiled_cache
        compiled = cache.get(key)
        if compiled is None:
            self.compile_count += 1
            compiled = self.statement_compiler(self, statement, binds, keys).compile()
            if len(cache) >= self.compiled_cache_size:
                try:  # another thread may be evicting too: losing the race is harmless
                    del cache[next(iter(cache))]
                except (KeyError, RuntimeError, StopIteration):
                    pass
            cache[key] = compiled
        return compiled, extracted

    def compile_standalone(self, statement: Any, **kw: Any) -> Any:
        """Compile without the cache, keeping the statement's values (``stmt.compile()``)."""
        if getattr(statement, "_is_ddl", False):
            return self.ddl_compiler(self, statement)
        st = _KeyState()
        statement._ck(st)
        binds = st.binds
        extracted = tuple([REQUIRED if b.required else b.effective_value() for b in binds])
        compiler = self.statement_compiler(self, statement, binds, kw.get("column_keys"))
        if (kw.get("compile_kwargs") or {}).get("literal_binds"):
            compiler.literal_values = extracted
        compiled = compiler.compile()
        compiled._extracted = extracted
        return compiled

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


BaseDialect.statement_compiler = SQLCompiler


class DefaultDialect(BaseDialect):
    """A generic dialect used by ``str(statement)``: named parameters, standard quoting."""

    name = "default"
    paramstyle = "named"
    # str(statement) shows every construct, whether or not a real database has it
    supports_tablesample = True
    supports_try_cast = True
    supports_fetch_percent = True
