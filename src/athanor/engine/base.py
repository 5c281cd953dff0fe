"""Engine and Connection: the only places that run statements on a driver.

:class:`Engine` owns a dialect and a pool and hands out :class:`Connection` objects.
A Connection wraps one pooled driver connection and follows SQLAlchemy 2.x: the first
``execute()`` begins a transaction ("autobegin") that ``commit()`` / ``rollback()`` end;
``begin()`` / ``begin_nested()`` give explicit transaction objects; ``close()`` rolls back
anything open and returns the driver connection to the pool.

The execute path is kept short on purpose: one compiled-statement cache lookup, one
``construct_params``, one ``cursor.execute``, one :class:`CursorResult`. Logging costs one
boolean test when echo is off.

Errors: every driver exception becomes the matching :mod:`athanor.exc` PEP 249 class via
``DBAPIError.wrap`` (``.statement``, ``.params``, ``.orig``; chained). When the dialect says
the error means a dead connection, the pooled connection and every older one are
invalidated; the Connection reconnects on next use once its transaction is rolled back.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from athanor import _event, exc
from athanor.engine.cursor import CursorResult
from athanor.engine.result import ScalarResult
from athanor.engine.transaction import NestedTransaction, RootTransaction, Transaction

if TYPE_CHECKING:
    from athanor.dialects.base import Dialect
    from athanor.pool.base import Pool, PooledConnection
    from athanor.url import URL

log = logging.getLogger("athanor.engine")
_INFO = logging.INFO
_MAX_LOGGED_PARAM_SETS = 10
_PRUNE_OPEN_RESULTS = 32


def _emit(msg: str, *args: Any) -> None:
    """Log at INFO even when the logger's level is higher: an ``echo=True`` engine logs
    regardless of the level, while other engines log only if the level allows (the caller
    tests ``Connection._echo`` first)."""
    log._log(_INFO, msg, args)  # noqa: SLF001 - the level check is ours, made per connection


def prepare_execution(dialect: Any, statement: Any, parameters: Any) -> tuple[Any, Any, bool]:
    """The pure half of ``execute``: ``(compiled, driver params, many)``.

    Checks the parameters' shape, compiles through the dialect's cache and builds the
    driver's positional parameters. Shared by :class:`Connection` and the asyncio
    ``AsyncConnection``, which differ only in how they run the result on the driver.
    """
    many = False
    if parameters is not None and not isinstance(parameters, Mapping):
        if not isinstance(parameters, (list, tuple)):
            raise exc.ArgumentError(
                f"Executing a statement failed: parameters must be a dict or a list of "
                f"dicts, got {type(parameters).__name__}."
            )
        if len(parameters) > 1:
            many = True
        else:
            parameters = parameters[0] if parameters else None
    if isinstance(statement, str):
        raise exc.ObjectNotExecutableError(statement)
    first = parameters[0] if many else parameters
    if first and getattr(statement, "_uses_column_keys", False):
        compiled, extracted = dialect.compile_statement(statement, list(first))
    else:
        compiled, extracted = dialect.compile_statement(statement)
    if getattr(compiled, "expanding", None):
        if many:
            raise exc.ArgumentError(
                "Executing a statement failed: expanding bind parameters (IN lists) cannot run "
                "with a list of parameter sets. Execute once per set."
            )
        compiled, params = compiled.expand(parameters, extracted)
        return compiled, params, False
    if many:
        return compiled, compiled.construct_params_many(parameters, extracted), True
    return compiled, compiled.construct_params(parameters, extracted), False


class Connection:
    """One checked-out database connection (SQLAlchemy 2.x semantics)."""

    # Per-connection state starts as these class-level values (fewer stores per connect).
    _transaction: RootTransaction | None = None
    #: open SAVEPOINTs, innermost last (a list once the first one is begun)
    _savepoints: list[NestedTransaction] | tuple[()] = ()
    _savepoint_seq = 0
    _closed = False
    _isolation_changed = False
    #: weak references to results that held a driver cursor when made; the cursors still
    #: open are closed when the connection is released (weak: a result dropped unread is
    #: freed, and its cursor closed, by refcounting). Pruned now and then.
    _open_results: list[weakref.ref[CursorResult]] | None = None
    _prune_at = _PRUNE_OPEN_RESULTS

    def __init__(self, engine: Engine, pooled: PooledConnection | None = None) -> None:
        self.engine = engine
        self.dialect: Dialect = engine.dialect
        self._pooled: PooledConnection | None = pooled or engine.pool.connect()  # _checkout()
        self._dbapi: Any = self._pooled.dbapi_connection
        self._execution_options: dict[str, Any] = engine._execution_options
        self._echo = engine._echo or log.isEnabledFor(_INFO)
        # (DEBUG enabled implies INFO enabled: one logging call when logging is off)
        self._echo_rows = engine._echo == "debug" or (
            self._echo and log.isEnabledFor(logging.DEBUG))
        self._hide_parameters = engine.hide_parameters
        self._dispatch: _event.Dispatch = engine._dispatch  # cursor events (athanor.event)
        level = self._execution_options.get("isolation_level")
        if level is not None:
            try:
                self._set_isolation(level)
            except BaseException:
                self.close()
                raise
        if self._dispatch.engine_connect:
            self._dispatch.fire("engine_connect", self)

    def _athanor_inspect(self) -> Any:
        """``inspect(connection)``: a schema Inspector running on this connection."""
        from athanor.engine.reflection import Inspector

        return Inspector(self)

    # --- state ----------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def invalidated(self) -> bool:
        """True after the driver connection was discarded (until the next reconnect)."""
        return self._dbapi is None and not self._closed

    @property
    def connection(self) -> PooledConnection:
        """The pooled driver connection (``.dbapi_connection`` is the driver's object)."""
        if self._dbapi is None:
            self._revive()
        assert self._pooled is not None
        return self._pooled

    @property
    def info(self) -> dict[str, Any]:
        """A dict living as long as the underlying driver connection."""
        return self.connection.info

    @property
    def default_isolation_level(self) -> str | None:
        return self.dialect.default_isolation_level

    def in_transaction(self) -> bool:
        return self._transaction is not None

    def in_nested_transaction(self) -> bool:
        return bool(self._savepoints)

    def get_transaction(self) -> RootTransaction | None:
        return self._transaction

    def get_nested_transaction(self) -> NestedTransaction | None:
        return self._savepoints[-1] if self._savepoints else None

    # --- execution options ------------------------------------------------------------
    def execution_options(self, **options: Any) -> Connection:
        """Set options on this connection (in place) and return it.

        ``isolation_level`` applies at once and is undone when the connection is closed;
        it cannot change inside a transaction.
        """
        if "isolation_level" in options:
            if self._transaction is not None:
                raise exc.InvalidRequestError(
                    "Setting isolation_level failed: this connection is inside a transaction. "
                    "Call commit() or rollback() first, or set it right after connect()."
                )
            self._set_isolation(options["isolation_level"])
        self._execution_options = {**self._execution_options, **options}
        return self

    def get_execution_options(self) -> dict[str, Any]:
        return dict(self._execution_options)

    def _set_isolation(self, level: str) -> None:
        level = self.dialect.check_isolation_level(level)
        dbapi = self._dbapi if self._dbapi is not None else self._revive()
        try:
            self.dialect.set_isolation_level(dbapi, level)
        except Exception as err:
            self._raise_wrapped(err, None, None)
        self._isolation_changed = True

    def get_isolation_level(self) -> str | None:
        """The isolation level the database reports for this connection."""
        dbapi = self._dbapi if self._dbapi is not None else self._revive()
        try:
            return self.dialect.get_isolation_level(dbapi)
        except Exception as err:
            self._raise_wrapped(err, None, None)

    # --- execution ----------------------------------------------------------------------
    def execute(
        self,
        statement: Any,
        parameters: Any = None,
        *,
        execution_options: Mapping[str, Any] | None = None,
    ) -> CursorResult:
        """Run a statement (``text()``, ``select()``, DML, DDL) with one dict of parameters
        or a list of dicts (executemany)."""
        if self._dispatch.statement_events:
            return self._execute_with_events(statement, parameters, execution_options)
        compiled, params, many = prepare_execution(self.dialect, statement, parameters)
        if many and getattr(compiled, "has_returning", False):
            return self._execute_each(compiled, params)
        return self._run(compiled.string, params, many, compiled)

    def _execute_with_events(self, statement: Any, parameters: Any,
                             execution_options: Mapping[str, Any] | None) -> CursorResult:
        """``execute`` surrounded by ``before_execute`` / ``after_execute`` (athanor.event);
        a ``retval=True`` before_execute listener returns ``(statement, multiparams,
        params)`` to run instead."""
        d = self._dispatch
        options = {**self._execution_options, **(execution_options or {})}
        if isinstance(parameters, (list, tuple)):
            multi, params = list(parameters), {}
        else:
            multi, params = [], dict(parameters or {})
        for fn in d.before_execute:
            out = fn(self, statement, multi, params, options)
            if getattr(fn, "_athanor_retval", False) and out is not None:
                statement, multi, params = out
        run_params: Any = multi if multi else (params or None)
        compiled, driver_params, many = prepare_execution(self.dialect, statement, run_params)
        if many and getattr(compiled, "has_returning", False):
            result = self._execute_each(compiled, driver_params)
        else:
            result = self._run(compiled.string, driver_params, many, compiled)
        for fn in d.after_execute:
            fn(self, statement, multi, params, options, result)
        return result

    def exec_driver_sql(
        self,
        statement: str,
        parameters: Any = None,
        execution_options: Mapping[str, Any] | None = None,
    ) -> CursorResult:
        """Run SQL in the driver's own paramstyle; parameters go to the driver untouched.

        A list of parameter sets runs as executemany.
        """
        many = isinstance(parameters, list) and bool(parameters) and not isinstance(
            parameters[0], (str, bytes)
        ) and isinstance(parameters[0], (tuple, list, Mapping))
        return self._run(statement, parameters, many, None)

    def scalar(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        """The first column of the first row."""
        return self.execute(statement, parameters, **kw).scalar()

    def scalars(self, statement: Any, parameters: Any = None, **kw: Any) -> ScalarResult:
        """The first column of every row."""
        return self.execute(statement, parameters, **kw).scalars()

    def _run(self, sql: str, params: Any, many: bool, compiled: Any) -> CursorResult:
        """Execute on a fresh cursor; wrap driver errors; build the result."""
        cursor = self._cursor_execute(sql, params, many)
        try:
            result = CursorResult(self, cursor, compiled, params, many=many)
        except BaseException as err:
            _close_quietly(cursor)
            self._raise_wrapped(err, sql, params)
        if result._cursor is not None:
            opened = self._open_results
            if opened is None:
                self._open_results = [weakref.ref(result)]
            else:
                opened.append(weakref.ref(result))
                if len(opened) > self._prune_at:
                    alive = self._open_results = _still_open(opened)
                    self._prune_at = max(_PRUNE_OPEN_RESULTS, 2 * len(alive))
        return result

    def _cursor_execute(self, sql: str, params: Any, many: bool) -> Any:
        """Execute on a fresh driver cursor (autobegin, echo, cursor events, wrapped
        errors) and return the cursor, still open."""
        dbapi = self._dbapi
        if dbapi is None:
            dbapi = self._revive()
        if self._transaction is None:
            self._autobegin()
        if self._echo:
            self._log_statement(sql, params, many)
        cursor = None
        try:
            cursor = dbapi.cursor()
            if self._dispatch.cursor_events:
                _event.execute_with_events(self._dispatch, self, cursor, sql, params, many)
            elif many:
                cursor.executemany(sql, params)
            elif params is None:
                cursor.execute(sql)
            else:
                cursor.execute(sql, params)
        except BaseException as err:
            _close_quietly(cursor)
            self._raise_wrapped(err, sql, params)
        return cursor

    def _execute_lastrowid(self, sql: str, params: Any, rowid: bool = True) -> Any:
        """Run one INSERT in the driver's paramstyle and return the driver's ``lastrowid``
        (None unless ``rowid``); the ORM's one-object flush: no result object is built."""
        cursor = self._cursor_execute(sql, params, False)
        try:
            return cursor.lastrowid if rowid else None
        finally:
            cursor.close()

    def _execute_first_row(self, sql: str, params: Any) -> Any:
        """Run one statement in the driver's paramstyle and return its first row as the
        driver gives it, or None (an ``INSERT ... RETURNING`` of one row)."""
        cursor = self._cursor_execute(sql, params, False)
        try:
            return cursor.fetchone()
        except BaseException as err:
            self._raise_wrapped(err, sql, params)
        finally:
            cursor.close()

    def _close_open_cursors(self) -> None:
        """Close the cursors of results not read to the end (before the driver connection
        goes back to the pool or away); reading them afterwards raises ResourceClosedError."""
        refs, self._open_results = self._open_results, None
        if refs:
            for ref in refs:
                result = ref()
                if result is not None:
                    result._close_for_connection()

    def _execute_each(self, compiled: Any, param_sets: list[Any]) -> CursorResult:
        """executemany with RETURNING: one execution per set, rows gathered in order (so an
        INSERT's ``inserted_primary_key_rows`` has each set's own RETURNING row)."""
        if self.dialect.supports_executemany_returning:
            return self._run_returning_batch(compiled, param_sets)
        rows: list[Any] = []
        result: CursorResult | None = None
        for params in param_sets:
            result = self._run(compiled.string, params, False, compiled)
            rows.extend(result._raw_all())
        if result is None:
            raise exc.ArgumentError(
                "Executing a statement failed: executemany got no parameter sets. Pass at "
                "least one dict."
            )
        result._gathered(rows, param_sets)
        return result

    def _run_returning_batch(self, compiled: Any, param_sets: list[Any]) -> CursorResult:
        """executemany with RETURNING as one driver batch (``do_executemany_returning``)."""
        sql = compiled.string
        dbapi = self._dbapi if self._dbapi is not None else self._revive()
        if self._transaction is None:
            self._autobegin()
        if self._echo:
            self._log_statement(sql, param_sets, True)
        cursor = None
        try:
            cursor = dbapi.cursor()
            rows = self.dialect.do_executemany_returning(cursor, sql, param_sets)
            result = CursorResult(self, cursor, compiled, param_sets, many=True)
        except BaseException as err:
            _close_quietly(cursor)
            self._raise_wrapped(err, sql, param_sets)
        result._gathered(rows, param_sets, raw=True)
        return result

    def _exec_control(self, sql: str) -> None:
        """Run transaction-control SQL (SAVEPOINT ...) with logging and error wrapping."""
        dbapi = self._dbapi if self._dbapi is not None else self._revive()
        if self._echo:
            _emit("%s", sql)
        cursor = None
        try:
            cursor = dbapi.cursor()
            cursor.execute(sql)
        except BaseException as err:
            _close_quietly(cursor)
            self._raise_wrapped(err, sql, None)
        cursor.close()

    def _raise_wrapped(self, err: BaseException, sql: str | None, params: Any) -> NoReturn:
        """Turn a driver error into athanor's class (invalidating on disconnect) and raise."""
        dbapi_module = self.dialect.dbapi
        if dbapi_module is not None and isinstance(err, dbapi_module.Error):
            lost = self.dialect.is_disconnect(err, self._dbapi)
            wrapped: BaseException | None = exc.DBAPIError.wrap(
                sql, params, err, connection_invalidated=lost)
            if self._dispatch.handle_error:
                from athanor.engine._errors import run_handle_error

                wrapped, lost = run_handle_error(self, err, wrapped, sql, params, lost)
            if lost:
                self._invalidate_after_error(err)
                if isinstance(wrapped, exc.DBAPIError):
                    wrapped.connection_invalidated = True
            raise (wrapped or err) from err
        if not isinstance(err, Exception):  # KeyboardInterrupt etc.: state unknown
            self._invalidate_after_error(err)
        elif self._dispatch.handle_error:
            from athanor.engine._errors import run_handle_error

            other, _ = run_handle_error(self, err, None, sql, params, False)
            if other is not None and other is not err:
                raise other from err
        raise err

    def _log_statement(self, sql: str, params: Any, many: bool) -> None:
        _emit("%s", sql)
        if self._hide_parameters:
            _emit("[SQL parameters hidden due to hide_parameters=True]")
        elif many and len(params) > _MAX_LOGGED_PARAM_SETS:
            shown = list(params[:_MAX_LOGGED_PARAM_SETS])
            _emit(
                "[parameters] %r ... displaying %d of %d total parameter sets",
                shown, _MAX_LOGGED_PARAM_SETS, len(params),
            )
        else:
            _emit("[parameters] %r", params if params is not None else ())

    # --- transactions -----------------------------------------------------------------
    def begin(self) -> RootTransaction:
        """Begin the transaction explicitly; use as ``with conn.begin():``."""
        if self._transaction is not None:
            raise exc.InvalidRequestError(
                "Beginning a transaction failed: this connection already has one (begun by "
                "begin() or automatically by execute()). Call commit() or rollback() first, "
                "or use begin_nested() for a SAVEPOINT."
            )
        return self._autobegin(implicit=False)

    def _autobegin(self, *, implicit: bool = True) -> RootTransaction:
        if self._closed:
            raise _closed_error()
        dbapi = self._dbapi if self._dbapi is not None else self._revive()
        if self._echo:
            _emit("BEGIN (implicit)" if implicit else "BEGIN")
        trans = RootTransaction(self)
        self._transaction = trans
        try:
            if self._dispatch.begin:
                self._dispatch.fire("begin", self)
            if self.dialect.overrides_begin:
                self.dialect.do_begin(dbapi)
        except BaseException as err:
            self._transaction = None
            self._raise_wrapped(err, "BEGIN", None)
        return trans

    def begin_nested(self) -> NestedTransaction:
        """Begin a SAVEPOINT (beginning the root transaction first if needed)."""
        if self._transaction is None:
            self._autobegin()
        elif not self._transaction.is_active:
            raise exc.PendingRollbackError(
                "Beginning a SAVEPOINT failed: the transaction is inactive after a lost "
                "connection. Call rollback() first."
            )
        self._savepoint_seq += 1
        name = f"sa_savepoint_{self._savepoint_seq}"
        try:
            self.dialect.before_savepoint(self._dbapi)
        except BaseException as err:
            self._raise_wrapped(err, "BEGIN", None)
        self._exec_control(self.dialect.savepoint_sql(name))
        nested = NestedTransaction(self, name)
        if not self._savepoints:
            self._savepoints = []
        self._savepoints.append(nested)  # type: ignore[union-attr]
        return nested

    def commit(self) -> None:
        """Commit the current transaction (if any), savepoints included."""
        if self._transaction is not None:
            self._transaction.commit()

    def rollback(self) -> None:
        """Roll back the current transaction (if any), savepoints included."""
        if self._transaction is not None:
            self._transaction.rollback()

    def _close_savepoints(self, above: NestedTransaction | None = None) -> None:
        stack = self._savepoints
        while stack and stack[-1] is not above:
            stack.pop()._deactivate()

    def _driver_commit(self) -> None:
        dbapi = self._dbapi
        if dbapi is None:
            return
        if self._echo:
            _emit("COMMIT")
        if self._dispatch.commit:
            self._dispatch.fire("commit", self)
        try:
            if self.dialect.overrides_commit:
                self.dialect.do_commit(dbapi)
            else:
                dbapi.commit()  # what Dialect.do_commit does
        except BaseException as err:
            self._raise_wrapped(err, "COMMIT", None)

    def _driver_rollback(self) -> None:
        dbapi = self._dbapi
        if dbapi is None:
            return
        if self._echo:
            _emit("ROLLBACK")
        if self._dispatch.rollback:
            self._dispatch.fire("rollback", self)
        try:
            self.dialect.do_rollback(dbapi)
        except BaseException as err:
            self._raise_wrapped(err, "ROLLBACK", None)

    # --- connection lifecycle ---------------------------------------------------------
    def _revive(self) -> Any:
        """Get a new driver connection after invalidation (not inside a lost transaction)."""
        if self._closed:
            raise _closed_error()
        if self._transaction is not None:
            raise exc.PendingRollbackError(
                "Reconnecting failed: the connection was lost inside a transaction. Call "
                "rollback() first; the next statement then runs on a new connection."
            )
        self._pooled = self.engine._checkout()
        self._dbapi = self._pooled.dbapi_connection
        self._isolation_changed = False
        level = self._execution_options.get("isolation_level")
        if level is not None:
            self.dialect.set_isolation_level(self._dbapi, level)
            self._isolation_changed = True
        return self._dbapi

    def _invalidate_after_error(self, err: BaseException | None) -> None:
        self._close_open_cursors()
        pooled, self._pooled, self._dbapi = self._pooled, None, None
        if pooled is not None:
            pooled.invalidate(err)
        for sp in self._savepoints:
            sp._state = "deactivated"
        if self._transaction is not None:
            self._transaction._state = "deactivated"

    def invalidate(self, exception: BaseException | None = None) -> None:
        """Discard the driver connection; the next use (outside a transaction) reconnects."""
        if self._closed:
            raise _closed_error()
        if self._dbapi is not None:
            self._invalidate_after_error(exception)

    def detach(self) -> None:
        """Take the driver connection out of the pool: closing this closes it for real."""
        self.connection.detach()

    def close(self) -> None:
        """Roll back anything open and return the driver connection to the pool."""
        if self._closed:
            return
        if self._open_results:
            self._close_open_cursors()
        try:
            if self._transaction is not None:
                try:
                    self._transaction.rollback()
                except exc.DBAPIError:
                    pass  # the connection was invalidated by the failure; nothing to return
        finally:
            self._closed = True
            self._release()

    def _release(self) -> None:
        if self._open_results:
            self._close_open_cursors()
        pooled, self._pooled, self._dbapi = self._pooled, None, None
        if pooled is None:
            return
        if self._isolation_changed:
            try:
                self.dialect.reset_isolation_level(pooled.dbapi_connection)
            except Exception as err:  # cannot reset: do not reuse it
                pooled.invalidate(err, soft=True)
                return
        pooled._needs_reset = False
        pooled.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<Connection {state} {self.engine.url!r}>"


def _closed_error() -> exc.ResourceClosedError:
    return exc.ResourceClosedError(
        "Using the connection failed: it is closed. Open a new one with engine.connect()."
    )


def _still_open(refs: list[weakref.ref[CursorResult]]) -> list[weakref.ref[CursorResult]]:
    """The references to results that are alive and still hold their cursor."""
    alive = []
    for ref in refs:
        result = ref()
        if result is not None and result._cursor is not None:
            alive.append(ref)
    return alive


def _close_quietly(cursor: Any) -> None:
    if cursor is None:
        return
    try:
        cursor.close()
    except Exception:  # the connection may already be gone
        pass


class _EngineBegin:
    """``with engine.begin() as conn:``: commit on success, roll back on error, close."""

    __slots__ = ("engine", "conn", "trans")

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __enter__(self) -> Connection:
        self.conn = self.engine.connect()
        try:
            self.trans = self.conn.begin()
        except BaseException:
            self.conn.close()
            raise
        return self.conn

    def __exit__(self, exc_type: Any, exc_value: Any, tb: Any) -> None:
        try:
            self.trans.__exit__(exc_type, exc_value, tb)
        finally:
            self.conn.close()


class EngineBase:
    """What the sync :class:`Engine` and the async engine share: a dialect, a pool, a URL,
    logging settings and execution options. Only the connection classes differ."""

    def __init__(
        self,
        pool: Any,
        dialect: Dialect,
        url: URL,
        *,
        echo: Any = False,
        hide_parameters: bool = False,
        logging_name: str | None = None,
        execution_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.pool = pool
        self.dialect = dialect
        self.url = url
        self._echo = echo
        self.hide_parameters = hide_parameters
        self.logging_name = logging_name
        self._execution_options: dict[str, Any] = dict(execution_options or {})

    @property
    def name(self) -> str:
        return self.dialect.name

    @property
    def driver(self) -> str:
        return self.dialect.driver

    @property
    def echo(self) -> Any:
        return self._echo

    @echo.setter
    def echo(self, value: Any) -> None:
        from athanor.engine.create import configure_echo

        configure_echo(value)
        self._echo = value

    def get_execution_options(self) -> dict[str, Any]:
        return dict(self._execution_options)

    @property
    def engine(self) -> Any:
        """The engine itself (so code taking "an Engine or a Connection" can ask either)."""
        return self

    def clear_compiled_cache(self) -> None:
        """Forget every compiled statement: each is compiled again on its next use."""
        self.dialect._compiled_cache.clear()

    def __repr__(self) -> str:
        return f"{type(self).__name__.removeprefix('Option')}({self.url!r})"


class Engine(EngineBase):
    """A dialect plus a pool: the factory for :class:`Connection` objects."""

    pool: Pool

    #: listeners (see :mod:`athanor.event`); the shared empty one until someone listens
    _dispatch: _event.Dispatch = _event.NO_EVENTS

    def connect(self) -> Connection:
        """A new Connection; use as ``with engine.connect() as conn:``."""
        return Connection(self)

    def begin(self) -> _EngineBegin:
        """``with engine.begin() as conn:``: a connection in a transaction, committed at
        the end of the block (rolled back on an exception) and closed."""
        return _EngineBegin(self)

    def _athanor_inspect(self) -> Any:
        """``inspect(engine)``: a schema Inspector borrowing a connection per question."""
        from athanor.engine.reflection import Inspector

        return Inspector(self)

    def raw_connection(self) -> PooledConnection:
        """A pooled driver connection; ``close()`` returns it to the pool."""
        return self._checkout()

    def _checkout(self) -> PooledConnection:
        return self.pool.connect()

    def dispose(self, close: bool = True) -> None:
        """Replace the pool with a new empty one; idle connections are closed (``close``)
        or, for use in a forked child, dropped without closing."""
        old = self.pool
        if close:
            old.dispose()
        else:
            old.forget()
        self.pool = old.recreate()
        if "_dispatch" in vars(old):  # keep the pool's event listeners (athanor.event)
            self.pool._dispatch = old._dispatch

    def execution_options(self, **options: Any) -> Engine:
        """A copy of this engine, sharing its pool, whose connections get these options."""
        if "isolation_level" in options:
            options["isolation_level"] = self.dialect.check_isolation_level(
                options["isolation_level"]
            )
        copy = object.__new__(OptionEngine)
        copy.__dict__.update(self.__dict__)
        copy._execution_options = {**self._execution_options, **options}
        copy._proxied = self
        return copy

    def update_execution_options(self, **options: Any) -> None:
        self._execution_options = {**self._execution_options, **options}


class OptionEngine(Engine):
    """An engine sharing another's pool and dialect, with extra execution options."""

    _proxied: Engine

    @property  # type: ignore[override]
    def pool(self) -> Pool:
        return self._proxied.pool

    @pool.setter
    def pool(self, value: Pool) -> None:
        self._proxied.pool = value

    def dispose(self, close: bool = True) -> None:
        self._proxied.dispose(close)


__all__ = ["Connection", "Engine", "OptionEngine", "Transaction", "prepare_execution"]
