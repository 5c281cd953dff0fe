"""create_async_engine, AsyncEngine, AsyncConnection and async transactions.

Design: a second thin I/O shell over the sync engine's pure code. ``create_async_engine``
validates options with ``create_engine``'s own functions and builds the same dialect (its
async subclass); execution uses the dialect's statement cache, ``construct_params``,
the sync :class:`~athanor.engine.CursorResult` over a buffered cursor (result processors,
rows, ``inserted_primary_key``), and the sync Connection's error wrapping and statement
logging. Only the calls that wait on the driver are new: connecting, running a statement
(execute + fetch in one await), BEGIN/COMMIT/ROLLBACK/SAVEPOINT, closing.

No greenlets and no threads (SQLite's aiosqlite aside): every driver call is a coroutine of
a native asyncio driver (psycopg's ``AsyncConnection``, asyncmy, aiosqlite).

Cancellation: a task cancelled inside a driver call leaves the connection's protocol state
unknown, so the connection is invalidated (terminated, its pool slot freed) exactly like a
lost connection; the transaction becomes inactive and the pool never sees the checkout again.

``run_sync(fn)`` (``await conn.run_sync(metadata.create_all)``) runs a *sync* function that
takes a Connection without a greenlet by replaying: ``fn`` runs against a stand-in
connection; the first statement it executes that has no answer yet stops it, the statement
is awaited for real, and ``fn`` runs again from the start with the answers so far. So
``fn`` must be deterministic and do nothing but run statements (``create_all``,
``drop_all``, reflection-style reads); each statement still runs exactly once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any, NoReturn

from athanor import exc
from athanor._event import NO_EVENTS
from athanor.dialects._async import BufferedCursor
from athanor.engine.base import Connection, Engine, EngineBase, _emit, log, prepare_execution
from athanor.engine.create import _check_option_names, _validated, configure_echo
from athanor.engine.cursor import CursorResult, metadata_for
from athanor.engine.result import ScalarResult
from athanor.engine.transaction import ACTIVE, CLOSED, DEACTIVATED
from athanor.ext.asyncio.result import AsyncResult, AsyncScalarResult, _Feed
from athanor.pool._async import AsyncNullPool, AsyncPool, AsyncPooledConnection, AsyncQueuePool
from athanor.url import URL, make_url

_PSYCOPG = ("athanor.dialects.postgresql.psycopg_async", "PostgreSQLPsycopgAsyncDialect")
_ASYNCMY = ("athanor.dialects.mysql.asyncmy", "MySQLAsyncmyDialect")
_AIOMYSQL = ("athanor.dialects.mysql.aiomysql", "MySQLAiomysqlDialect")
_AIOSQLITE = ("athanor.dialects.sqlite.aiosqlite", "SQLiteAiosqliteDialect")

#: URL ``dialect[+driver]`` -> async dialect. The plain names pick the async driver of that
#: database, so one URL serves create_engine and create_async_engine.
ASYNC_DIALECTS: dict[str, tuple[str, str]] = {
    "postgresql": _PSYCOPG,
    "postgresql+psycopg": _PSYCOPG,
    "postgresql+psycopg_async": _PSYCOPG,
    "postgresql+asyncpg": _PSYCOPG,  # a stand-in, as the sync registry's STAND_INS
    "mysql": _ASYNCMY,
    "mysql+asyncmy": _ASYNCMY,
    "mysql+aiomysql": _AIOMYSQL,
    "mariadb+aiomysql": _AIOMYSQL,
    "mariadb": _ASYNCMY,
    "mariadb+asyncmy": _ASYNCMY,
    "sqlite": _AIOSQLITE,
    "sqlite+aiosqlite": _AIOSQLITE,
}


def _load_async_dialect(drivername: str) -> Any:
    entry = ASYNC_DIALECTS.get(drivername)
    if entry is None:
        raise exc.NoSuchModuleError(
            f"Loading the async dialect {drivername!r} failed: athanor has no asyncio driver "
            f"for it. Use one of: {', '.join(sorted(ASYNC_DIALECTS))}."
        )
    return getattr(importlib.import_module(entry[0]), entry[1])


def create_async_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    """An :class:`AsyncEngine` for ``url``; takes ``create_engine``'s options."""
    _check_option_names(kwargs)
    url = make_url(url)
    poolclass = kwargs.pop("poolclass", None)
    opts = _validated(kwargs)
    if opts["creator"] is not None or opts["pool"] is not None:
        raise exc.ArgumentError(
            "create_async_engine() failed: 'creator' and 'pool' take sync driver objects, "
            "which an async engine cannot use. Pass driver options through connect_args, and "
            "poolclass=NullPool (or AsyncNullPool) to disable pooling."
        )
    opts["poolclass"] = poolclass
    dialect_cls = _load_async_dialect(url.drivername)
    dialect_kw: dict[str, Any] = {"dbapi": opts["module"] or dialect_cls.import_dbapi()}
    if opts["isolation_level"] is not None:
        dialect_kw["isolation_level"] = opts["isolation_level"]
    if opts["query_cache_size"] is not None:
        dialect_kw["query_cache_size"] = opts["query_cache_size"]
    dialect = dialect_cls(**dialect_kw)
    if opts["isolation_level"] is not None:
        dialect.isolation_level = dialect.check_isolation_level(opts["isolation_level"])
    for name in ("json_serializer", "json_deserializer"):
        if opts[name] is not None:
            setattr(dialect, f"_{name}", opts[name])
    cargs, cparams = dialect.create_connect_args(url)
    cparams.update(opts["connect_args"] or {})
    pool = _build_pool(url, dialect, _connection_factory(dialect, cargs, cparams), opts)
    configure_echo(opts["echo"])
    configure_echo(opts["echo_pool"], "athanor.pool")
    return AsyncEngine(
        pool, dialect, url, echo=opts["echo"], hide_parameters=bool(opts["hide_parameters"]),
        logging_name=opts["logging_name"], execution_options=opts["execution_options"],
    )


def _connection_factory(dialect: Any, cargs: list[Any], cparams: dict[str, Any]) -> Any:
    """The pool's creator: connect, set the connection up, wrap driver errors."""
    dbapi_error = dialect.dbapi.Error

    async def connect() -> Any:
        try:
            conn = await dialect.connect_async(*cargs, **dict(cparams))
        except dbapi_error as err:
            raise exc.DBAPIError.wrap(None, None, err) from err
        try:
            await dialect.on_connect_async(conn)
            if not dialect._initialized:
                await dialect.initialize_async(conn)
                dialect._initialized = True
            if dialect.isolation_level is not None:
                await dialect.set_isolation_level_async(conn, dialect.isolation_level)
        except BaseException as err:
            dialect.do_terminate(conn)
            if isinstance(err, dbapi_error):
                raise exc.DBAPIError.wrap(None, None, err) from err
            raise
        return conn

    return connect


def _build_pool(url: URL, dialect: Any, creator: Any, opts: dict[str, Any]) -> AsyncPool:
    poolclass = opts["poolclass"]
    memory = dialect.name == "sqlite" and dialect.is_memory_url(url)
    common: dict[str, Any] = {
        "recycle": opts["pool_recycle"], "pre_ping": opts["pool_pre_ping"],
        "reset_on_return": opts["pool_reset_on_return"], "dialect": dialect,
        "echo": opts["echo_pool"], "logging_name": opts["logging_name"],
        "timeout": opts["pool_timeout"],
    }
    if poolclass is not None and poolclass.__name__ in ("NullPool", "AsyncNullPool"):
        return AsyncNullPool(creator, **common)
    if memory:  # one in-memory database per engine: one connection, one holder at a time
        return AsyncQueuePool(creator, pool_size=1, max_overflow=0, **common)
    return AsyncQueuePool(
        creator, pool_size=opts["pool_size"], max_overflow=opts["max_overflow"],
        use_lifo=opts["pool_use_lifo"], **common,
    )


def async_engine_from_config(configuration: Mapping[str, Any], prefix: str = "sqlalchemy.",
                             **kwargs: Any) -> AsyncEngine:
    """``create_async_engine`` from a flat config dict (``sqlalchemy.url``, ...)."""
    from athanor.engine.create import config_options

    url, options = config_options(configuration, prefix, kwargs, "async_engine_from_config()")
    return create_async_engine(url, **options)


class AsyncEngine(EngineBase):
    """A dialect plus an async pool: the factory for :class:`AsyncConnection` objects."""

    pool: AsyncPool

    def connect(self) -> AsyncConnection:
        """``async with engine.connect() as conn:`` (or ``conn = await engine.connect()``)."""
        return AsyncConnection(self)

    def begin(self) -> _AsyncEngineBegin:
        """``async with engine.begin() as conn:``: committed at the end, rolled back on error."""
        return _AsyncEngineBegin(self)

    async def raw_connection(self) -> AsyncPooledConnection:
        return await self.pool.connect()

    async def dispose(self, close: bool = True) -> None:
        """Close the pool's idle connections and start a new, empty pool."""
        old = self.pool
        if close:
            await old.dispose()
        self.pool = old.recreate()

    def execution_options(self, **options: Any) -> AsyncEngine:
        """A copy sharing this engine's pool, whose connections get these options."""
        if "isolation_level" in options:
            options["isolation_level"] = self.dialect.check_isolation_level(
                options["isolation_level"]
            )
        copy = object.__new__(AsyncEngine)
        copy.__dict__.update(self.__dict__)
        copy.__dict__.pop("_sync_engine", None)
        copy._execution_options = {**self._execution_options, **options}
        return copy

    @property
    def sync_engine(self) -> Engine:
        """A sync ``Engine`` view of this engine (same dialect, URL, pool and options), for
        code that reads engine attributes; its connections cannot be used from sync code."""
        found = self.__dict__.get("_sync_engine")
        if found is None:
            found = object.__new__(Engine)
            found.__dict__.update({k: v for k, v in self.__dict__.items()
                                   if k != "_sync_engine"})
            self.__dict__["_sync_engine"] = found
        return found



class _AsyncEngineBegin:
    __slots__ = ("engine", "conn", "trans")

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def __aenter__(self) -> AsyncConnection:
        self.conn = await self.engine.connect().start()
        try:
            self.trans = await self.conn.begin().start()
        except BaseException:
            await self.conn.close()
            raise
        return self.conn

    async def __aexit__(self, exc_type: Any, exc_value: Any, tb: Any) -> None:
        try:
            await self.trans.__aexit__(exc_type, exc_value, tb)
        finally:
            await self.conn.close()


class AsyncConnection:
    """One checked-out connection (SQLAlchemy 2.x's ``AsyncConnection``)."""

    _dispatch = NO_EVENTS  # no engine events on async connections (handle_error reads it)

    # Shared with the sync Connection: error wrapping (invalidating on disconnect and on
    # cancellation) and statement logging read only attributes both classes have.
    def _raise_wrapped(self, err: BaseException, sql: str | None, params: Any) -> NoReturn:
        Connection._raise_wrapped(self, err, sql, params)  # type: ignore[arg-type]

    def _log_statement(self, sql: str, params: Any, many: bool) -> None:
        Connection._log_statement(self, sql, params, many)  # type: ignore[arg-type]

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # An async dialect: the vendor class with AsyncDialectMixin's coroutine hooks.
        self.dialect: Any = engine.dialect
        self._pooled: AsyncPooledConnection | None = None
        self._dbapi: Any = None
        self._started = False
        self._transaction: AsyncRootTransaction | None = None
        self._savepoints: list[AsyncNestedTransaction] = []
        self._savepoint_seq = 0
        self._closed = False
        self._isolation_changed = False
        self._execution_options: dict[str, Any] = engine._execution_options
        self._echo = engine._echo or log.isEnabledFor(20)
        self._echo_rows = engine._echo == "debug" or log.isEnabledFor(10)
        self._hide_parameters = engine.hide_parameters

    async def start(self) -> AsyncConnection:
        """Check out the driver connection (``await engine.connect()`` does this)."""
        if self._started:
            return self
        self._started = True
        self._pooled = await self.engine.pool.connect()
        self._dbapi = self._pooled.dbapi_connection
        level = self._execution_options.get("isolation_level")
        if level is not None:
            try:
                await self._set_isolation(level)
            except BaseException:
                await self.close()
                raise
        return self

    def __await__(self) -> Any:
        return self.start().__await__()

    async def __aenter__(self) -> AsyncConnection:
        return await self.start()

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    # --- state ------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def invalidated(self) -> bool:
        return self._started and self._dbapi is None and not self._closed

    @property
    def connection(self) -> AsyncPooledConnection:
        if self._pooled is None:
            raise exc.InvalidRequestError(
                "Reading AsyncConnection.connection failed: no driver connection is checked "
                "out (not started, closed or invalidated). Use 'async with engine.connect()'."
            )
        return self._pooled

    @property
    def info(self) -> dict[str, Any]:
        return self.connection.info

    @property
    def default_isolation_level(self) -> str | None:
        return self.dialect.default_isolation_level  # type: ignore[no-any-return]

    def in_transaction(self) -> bool:
        return self._transaction is not None

    def in_nested_transaction(self) -> bool:
        return bool(self._savepoints)

    def get_transaction(self) -> AsyncRootTransaction | None:
        return self._transaction

    def get_nested_transaction(self) -> AsyncNestedTransaction | None:
        return self._savepoints[-1] if self._savepoints else None

    async def execution_options(self, **options: Any) -> AsyncConnection:
        if "isolation_level" in options:
            if self._transaction is not None:
                raise exc.InvalidRequestError(
                    "Setting isolation_level failed: this connection is inside a transaction. "
                    "Call commit() or rollback() first, or set it right after connect()."
                )
            await self._set_isolation(options["isolation_level"])
        self._execution_options = {**self._execution_options, **options}
        return self

    def get_execution_options(self) -> dict[str, Any]:
        return dict(self._execution_options)

    async def _set_isolation(self, level: str) -> None:
        level = self.dialect.check_isolation_level(level)
        dbapi = await self._driver()
        try:
            await self.dialect.set_isolation_level_async(dbapi, level)
        except BaseException as err:
            self._raise_wrapped(err, None, None)
        self._isolation_changed = True

    async def get_isolation_level(self) -> str | None:
        dbapi = await self._driver()
        try:
            return await self.dialect.get_isolation_level_async(dbapi)  # type: ignore[no-any-return]
        except BaseException as err:
            self._raise_wrapped(err, None, None)

    # --- execution ----------------------------------------------------------------------
    async def execute(
        self,
        statement: Any,
        parameters: Any = None,
        *,
        execution_options: Mapping[str, Any] | None = None,
    ) -> CursorResult:
        """Run a statement; the rows are fetched before this returns (a buffered result)."""
        compiled, params, many = prepare_execution(self.dialect, statement, parameters)
        if many and getattr(compiled, "has_returning", False):
            return await self._execute_each(compiled, params)
        return await self._run(compiled.string, params, many, compiled)

    async def exec_driver_sql(self, statement: str, parameters: Any = None) -> CursorResult:
        """SQL in the driver's paramstyle; a list of parameter sets runs as executemany."""
        many = isinstance(parameters, list) and bool(parameters) and isinstance(
            parameters[0], (tuple, list, Mapping)
        )
        return await self._run(statement, parameters, many, None)

    async def scalar(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        return (await self.execute(statement, parameters, **kw)).scalar()

    async def scalars(self, statement: Any, parameters: Any = None, **kw: Any) -> ScalarResult:
        return (await self.execute(statement, parameters, **kw)).scalars()

    async def stream(self, statement: Any, parameters: Any = None, **kw: Any) -> AsyncResult:
        """Run a statement and return an :class:`AsyncResult` fetching rows as awaited."""
        compiled, params, many = prepare_execution(self.dialect, statement, parameters)
        if many:
            raise exc.ArgumentError(
                "AsyncConnection.stream() failed: it runs one parameter set, not a list. "
                "Use execute() for executemany."
            )
        dbapi = await self._ready()
        sql = compiled.string
        if self._echo:
            self._log_statement(sql, params, False)
        try:
            cursor = await self.dialect.open_stream_async(dbapi, sql, params)
        except BaseException as err:
            self._raise_wrapped(err, sql, params)
        description = cursor.description
        if description is None:
            await cursor.close()
            return AsyncResult(_Feed(self, None, None))
        return AsyncResult(_Feed(self, cursor, metadata_for(compiled, description)))

    async def stream_scalars(
        self, statement: Any, parameters: Any = None, **kw: Any
    ) -> AsyncScalarResult:
        return (await self.stream(statement, parameters, **kw)).scalars()

    async def _driver(self) -> Any:
        if not self._started:
            await self.start()
        if self._dbapi is None:
            return await self._revive()
        return self._dbapi

    async def _ready(self) -> Any:
        """The driver connection, with the transaction begun (autobegin)."""
        dbapi = self._dbapi
        if dbapi is None:
            dbapi = await self._driver()
        if self._transaction is None:
            await self._autobegin()
        return dbapi

    async def _run(self, sql: str, params: Any, many: bool, compiled: Any) -> CursorResult:
        cursor = await self._run_raw(sql, params, many)
        return CursorResult(self, cursor, compiled, params, many=many)  # type: ignore[arg-type]

    async def _run_raw(self, sql: str, params: Any, many: bool) -> BufferedCursor:
        """Autobegin, log, run on the driver and fetch; driver errors raised wrapped."""
        dbapi = await self._ready()
        if self._echo:
            self._log_statement(sql, params, many)
        # cursor events registered on engine.sync_engine (or the Engine class)
        events = self.engine.sync_engine._dispatch
        context = None
        if events.cursor_events:
            context = SimpleNamespace(connection=self, cursor=None, statement=sql,
                                      parameters=params, executemany=many)
            sql, params = events.before_cursor(self, None, sql, params, context, many)
        try:
            cursor: BufferedCursor = await self.dialect.execute_async(dbapi, sql, params, many)
        except BaseException as err:
            self._raise_wrapped(err, sql, params)
        if context is not None:
            for fn in events.after_cursor_execute:
                fn(self, cursor, sql, params, context, many)
        return cursor

    async def _execute_each(self, compiled: Any, param_sets: list[Any]) -> CursorResult:
        """executemany with RETURNING: one execution per set, rows gathered in order."""
        rows: list[Any] = []
        result: CursorResult | None = None
        for params in param_sets:
            result = await self._run(compiled.string, params, False, compiled)
            rows.extend(result._raw_all())
        assert result is not None
        result._buffer = rows
        result._closed = False
        result._many = True
        result._parameters = param_sets
        result.rowcount = len(param_sets)
        return result

    async def _exec_control(self, sql: str) -> None:
        dbapi = await self._driver()
        if self._echo:
            _emit("%s", sql)
        try:
            await self.dialect.exec_control_async(dbapi, sql)
        except BaseException as err:
            self._raise_wrapped(err, sql, None)

    # --- transactions -----------------------------------------------------------------------
    def begin(self) -> AsyncRootTransaction:
        """``async with conn.begin():`` or ``trans = await conn.begin()``."""
        return AsyncRootTransaction(self)

    def begin_nested(self) -> AsyncNestedTransaction:
        """``async with conn.begin_nested():`` a SAVEPOINT (beginning the root if needed)."""
        return AsyncNestedTransaction(self)

    async def _autobegin(self, trans: AsyncRootTransaction | None = None) -> AsyncRootTransaction:
        if self._closed:
            raise _closed_error()
        dbapi = await self._driver()
        if self._echo:
            _emit("BEGIN (implicit)" if trans is None else "BEGIN")
        trans = trans or AsyncRootTransaction(self)
        trans._state = ACTIVE
        self._transaction = trans
        try:
            await self.dialect.do_begin_async(dbapi)
        except BaseException as err:
            self._transaction = None
            self._raise_wrapped(err, "BEGIN", None)
        return trans

    async def _begin_nested(self, nested: AsyncNestedTransaction) -> None:
        if self._transaction is None:
            await self._autobegin()
        elif not self._transaction.is_active:
            raise exc.PendingRollbackError(
                "Beginning a SAVEPOINT failed: the transaction is inactive after a lost "
                "connection. Call rollback() first."
            )
        self._savepoint_seq += 1
        nested.name = f"sa_savepoint_{self._savepoint_seq}"
        try:
            await self.dialect.before_savepoint_async(self._dbapi)
        except BaseException as err:
            self._raise_wrapped(err, "BEGIN", None)
        await self._exec_control(self.dialect.savepoint_sql(nested.name))
        nested._state = ACTIVE
        self._savepoints.append(nested)

    async def commit(self) -> None:
        if self._transaction is not None:
            await self._transaction.commit()

    async def rollback(self) -> None:
        if self._transaction is not None:
            await self._transaction.rollback()

    def _close_savepoints(self, above: AsyncNestedTransaction | None = None) -> None:
        stack = self._savepoints
        while stack and stack[-1] is not above:
            stack.pop()._state = CLOSED

    async def _driver_end(self, commit: bool) -> None:
        dbapi = self._dbapi
        if dbapi is None:
            return
        word = "COMMIT" if commit else "ROLLBACK"
        if self._echo:
            _emit(word)
        try:
            if commit:
                await self.dialect.do_commit_async(dbapi)
            else:
                await self.dialect.do_rollback_async(dbapi)
        except BaseException as err:
            self._raise_wrapped(err, word, None)

    # --- lifecycle -------------------------------------------------------------------------
    async def _revive(self) -> Any:
        if self._closed:
            raise _closed_error()
        if self._transaction is not None:
            raise exc.PendingRollbackError(
                "Reconnecting failed: the connection was lost inside a transaction. Call "
                "rollback() first; the next statement then runs on a new connection."
            )
        self._pooled = await self.engine.pool.connect()
        self._dbapi = self._pooled.dbapi_connection
        self._isolation_changed = False
        level = self._execution_options.get("isolation_level")
        if level is not None:
            await self._set_isolation(level)
        return self._dbapi

    def _invalidate_after_error(self, err: BaseException | None) -> None:
        pooled, self._pooled, self._dbapi = self._pooled, None, None
        if pooled is not None:
            pooled.invalidate(err)
        for sp in self._savepoints:
            sp._state = DEACTIVATED
        if self._transaction is not None:
            self._transaction._state = DEACTIVATED

    async def invalidate(self, exception: BaseException | None = None) -> None:
        """Terminate the driver connection; the next use (outside a transaction) reconnects."""
        if self._closed:
            raise _closed_error()
        if self._dbapi is not None:
            self._invalidate_after_error(exception)

    async def close(self) -> None:
        """Roll back anything open and return the driver connection to the pool."""
        if self._closed:
            return
        try:
            if self._transaction is not None:
                try:
                    await self._transaction.rollback()
                except exc.DBAPIError:
                    pass  # invalidated by the failure; nothing to return
        finally:
            self._closed = True
            await self._release()

    async def _release(self) -> None:
        pooled, self._pooled, self._dbapi = self._pooled, None, None
        if pooled is None:
            return
        if self._isolation_changed:
            try:
                await self.dialect.reset_isolation_level_async(pooled.dbapi_connection)
            except BaseException as err:
                pooled.invalidate(err, soft=True)
                if not isinstance(err, Exception):
                    raise
                return
        pooled._needs_reset = False
        await pooled.close()

    async def run_sync(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        """Run a sync ``fn(connection, ...)`` by replaying (see the module docstring)."""
        from athanor.ext.asyncio._replay import run_sync

        return await run_sync(self, fn, *args, **kw)

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<AsyncConnection {state} {self.engine.url!r}>"


def _closed_error() -> exc.ResourceClosedError:
    return exc.ResourceClosedError(
        "Using the connection failed: it is closed. Open a new one with engine.connect()."
    )


class AsyncTransaction:
    """Base: ``await`` or ``async with`` begins it; commits on success, rolls back on error."""

    __slots__ = ("connection", "_state")

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self._state = "new"

    @property
    def is_active(self) -> bool:
        return self._state == ACTIVE

    @property
    def is_valid(self) -> bool:
        return self._state == ACTIVE

    async def start(self) -> AsyncTransaction:
        raise NotImplementedError

    def __await__(self) -> Any:
        return self.start().__await__()

    async def __aenter__(self) -> AsyncTransaction:
        if self._state == "new":
            await self.start()
        return self

    async def __aexit__(self, exc_type: Any, exc_value: Any, tb: Any) -> None:
        if self._state == CLOSED:
            return
        if exc_type is None and self._state == ACTIVE:
            try:
                await self.commit()
            except BaseException:
                if self._state != CLOSED:
                    await self.rollback()
                raise
        else:
            await self.rollback()

    def _check_commit(self) -> None:
        if self._state == CLOSED or self._state == "new":
            raise exc.ResourceClosedError(
                "Committing failed: this transaction is not active (never begun, or already "
                "committed or rolled back). Begin a new one."
            )
        if self._state == DEACTIVATED:
            raise exc.PendingRollbackError(
                "Committing failed: this transaction is inactive because its connection was "
                "lost or an enclosing transaction ended. Call rollback() first."
            )

    async def commit(self) -> None:
        raise NotImplementedError

    async def rollback(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        if self._state not in (CLOSED, "new"):
            await self.rollback()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._state}>"


class AsyncRootTransaction(AsyncTransaction):
    """The connection's database transaction."""

    __slots__ = ()

    async def start(self) -> AsyncRootTransaction:
        conn = self.connection
        if conn._transaction is not None:
            raise exc.InvalidRequestError(
                "Beginning a transaction failed: this connection already has one (begun by "
                "begin() or automatically by execute()). Call commit() or rollback() first, "
                "or use begin_nested() for a SAVEPOINT."
            )
        await conn._autobegin(self)
        return self

    async def commit(self) -> None:
        self._check_commit()
        conn = self.connection
        conn._close_savepoints()
        try:
            await conn._driver_end(commit=True)
        finally:
            self._end()

    async def rollback(self) -> None:
        if self._state in (CLOSED, "new"):
            return
        conn = self.connection
        conn._close_savepoints()
        try:
            if self._state == ACTIVE:
                await conn._driver_end(commit=False)
        finally:
            self._end()

    def _end(self) -> None:
        self._state = CLOSED
        if self.connection._transaction is self:
            self.connection._transaction = None


class AsyncNestedTransaction(AsyncTransaction):
    """A SAVEPOINT inside the root transaction."""

    __slots__ = ("name",)

    def __init__(self, connection: AsyncConnection) -> None:
        super().__init__(connection)
        self.name = ""

    async def start(self) -> AsyncNestedTransaction:
        await self.connection._begin_nested(self)
        return self

    async def commit(self) -> None:
        self._check_commit()
        conn = self.connection
        conn._close_savepoints(above=self)
        try:
            await conn._exec_control(conn.dialect.release_savepoint_sql(self.name))
        finally:
            self._end()

    async def rollback(self) -> None:
        if self._state in (CLOSED, "new"):
            return
        conn = self.connection
        conn._close_savepoints(above=self)
        try:
            if self._state == ACTIVE and conn._dbapi is not None:
                await conn._exec_control(conn.dialect.rollback_to_savepoint_sql(self.name))
        finally:
            self._end()

    def _end(self) -> None:
        self._state = CLOSED
        stack = self.connection._savepoints
        if stack and stack[-1] is self:
            stack.pop()


__all__ = [
    "ASYNC_DIALECTS",
    "AsyncConnection",
    "AsyncEngine",
    "AsyncNestedTransaction",
    "AsyncRootTransaction",
    "AsyncTransaction",
    "create_async_engine",
    "prepare_execution",
    "async_engine_from_config",
]
