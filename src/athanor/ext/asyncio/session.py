"""AsyncSession: the sync Session's state and logic, with its statements awaited.

Design
------
An :class:`AsyncSession` owns a sync :class:`~athanor.orm.Session` (``sync_session``, a
:class:`_AsyncBackedSession`) that holds everything: identity map, pending/dirty/deleted
collections, the transaction stack, instance states. Methods that do no I/O (``add``,
``expunge``, ``expire``, ``in_transaction`` ...) are the sync ones, called directly.

Methods that do I/O follow one pattern: *await the I/O here, then let the sync method do
its bookkeeping*. The planning and loading code is shared outright: ``plan_flush`` (the unit
of work), ``undo_journal``, ``Session._finalize``, ``context.load_entities`` (row -> object,
identity map), the sync ``get()``'s identity-map lookup (its ``_get_by_sql`` step signals
back here for the awaited SELECT). For transactions, the awaited Core transaction is
replaced by a settled stand-in (:class:`_Settled`, whose sync ``commit()`` / ``rollback()``
do nothing) before the sync ``commit()`` / ``rollback()`` / ``close()`` runs, so the state
transitions, expiry and rollback restoration are the sync Session's own code.

One task at a time: the awaiting methods refuse a second task with
``ConcurrentSessionUseError`` (the sync Session's thread guard, per task).

The flush's statement loops (``orm.flush.run_plan``, the relationship-aware
``orm.dependency.flush``) are not rewritten by hand: :mod:`athanor.ext.asyncio._twin`
generates their async twins from the sync source, so they cannot drift. Hand-written here
are only the transaction steps and the short sequences of ``get``, ``refresh`` and
``merge``; ``execute`` is the generated twin of ``orm.context.execute``. The shared
behavioural tests (``tests/ext_asyncio/test_*_parity.py``) run the sync Session's test
suites on AsyncSession to keep the two in step.

Attribute access never does I/O: the backing session's ``_load_expired`` (called when an
attached object's attribute is missing) raises :class:`AsyncAttributeNotLoadedError` naming
the attribute, the model and the fixes (eager load, ``await session.refresh(obj, [...])``,
``await obj.awaitable_attrs.<name>`` with :class:`AsyncAttrs`).
"""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from athanor import exc
from athanor.ext.asyncio import _bridge
from athanor.ext.asyncio._bridge import BRIDGE, Bridge
from athanor.ext.asyncio._twin import twin
from athanor.orm import _deferred, _instance_events, context, dependency, strategies
from athanor.orm import _session_events as _sev
from athanor.orm import events as orm_events
from athanor.orm._instance_events import fire_expire
from athanor.orm.exc import ConcurrentSessionUseError
from athanor.orm.flush import run_plan
from athanor.orm.loading import overwrite_state, populate_state
from athanor.orm.mapper import Mapper
from athanor.orm.session import Session, _deleted_error, _mapper_events, _state_for
from athanor.orm.state import STATE_KEY
from athanor.orm.transaction import ACTIVE, FAILED, SessionTransaction
from athanor.orm.unitofwork import FlushPlan, plan_flush, undo_journal


class AsyncAttributeNotLoadedError(exc.InvalidRequestError):
    """An attribute of an AsyncSession's object was read while not loaded: loading it would
    need I/O, which plain attribute access in async code never does."""


#: SQLAlchemy's name for the same situation.
MissingGreenlet = AsyncAttributeNotLoadedError


class _Done:
    """An awaitable that is already finished (``await _DONE`` is None)."""

    __slots__ = ()

    def __await__(self) -> Iterator[None]:
        return iter(())


_DONE = _Done()


class _Settled:
    """Stands in for an awaited Core transaction: its methods do nothing, whether the sync
    Session calls them or an async path awaits them."""

    __slots__ = ()

    def commit(self) -> _Done:
        return _DONE

    def rollback(self) -> _Done:
        return _DONE

    def close(self) -> _Done:
        return _DONE


_SETTLED = _Settled()


def _not_loaded_error(obj: Any, key: str | None) -> AsyncAttributeNotLoadedError:
    cls = type(obj).__name__
    name = key or "<attribute>"
    return AsyncAttributeNotLoadedError(
        f"Reading {cls}.{name} failed: the attribute is not loaded, and attributes of an "
        f"AsyncSession's objects never load on access (that would be I/O). Load it first: "
        f"an eager-load option in the query for relationships, "
        f"'await session.refresh(obj, [{name!r}])', or 'await obj.awaitable_attrs.{name}' "
        f"(give the model the AsyncAttrs mixin). To read values after commit, use "
        f"async_sessionmaker(..., expire_on_commit=False)."
    )


#: True while an AsyncSession awaits a generated twin (see AsyncSession._run_twin).
_IN_TWIN: ContextVar[bool] = ContextVar("athanor_async_twin", default=False)


def _lazy_load_target() -> tuple[Any, str] | None:
    """The object and relationship of a lazy load on the stack (for the error message)."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name in ("lazy_load", "load_on_access", "peek_or_load"):
            prop, obj = frame.f_locals.get("prop"), frame.f_locals.get("obj")
            if obj is not None and prop is not None:
                return obj, str(getattr(prop, "key", prop))
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _exclusive(method: Callable[..., Any]) -> Callable[..., Any]:
    """One task at a time: a second task entering an awaiting method raises at once instead
    of interleaving statements on the session's connection."""

    @functools.wraps(method)
    async def guarded(self: AsyncSession, *args: Any, **kw: Any) -> Any:
        task = asyncio.current_task()
        owner = self._busy
        if owner is not None and owner is not task:
            raise ConcurrentSessionUseError(
                "Using this AsyncSession failed: another task is awaiting one of its "
                "operations right now. An AsyncSession is not safe for concurrent tasks; give "
                "each task its own (async_sessionmaker() per task, or async_scoped_session)."
            )
        self._busy = task
        try:
            return await method(self, *args, **kw)
        finally:
            self._busy = owner

    return guarded


def _bridged(name: str, async_name: str) -> Any:
    """A Session method that, inside ``run_sync``, awaits the AsyncSession's ``async_name``
    on the event loop instead (the sync one runs everywhere else)."""
    sync_method = getattr(Session, name)

    def method(self: _AsyncBackedSession, *args: Any) -> Any:
        bridge = self._bridge()
        if bridge is None:
            return sync_method(self, *args)
        return bridge.call(getattr(bridge.owner, async_name)(*args))

    method.__name__ = name
    method.__doc__ = sync_method.__doc__
    return method


class _AsyncBackedSession(Session):
    """The sync Session behind an AsyncSession: state and bookkeeping, never I/O.

    Inside a generated twin (awaiting), ``_connection()`` hands out the AsyncSession's
    AsyncConnection, whose ``execute`` the twin awaits; anywhere else it raises.
    """

    _async_owner: AsyncSession | None = None

    def _bridge(self) -> Bridge | None:
        """The ``run_sync`` bridge when this thread runs sync code for the AsyncSession."""
        bridge = BRIDGE.get()
        return bridge if bridge is not None and bridge.owner is self._async_owner else None

    def _connection(self) -> Any:
        bridge = self._bridge()
        if bridge is not None:  # inside run_sync: statements are awaited on the loop
            return bridge.connection()
        owner = self._async_owner
        if _IN_TWIN.get() and owner is not None and owner._aconn is not None:
            return owner._aconn
        target = _lazy_load_target()
        if target is not None:
            raise _not_loaded_error(*target)
        raise exc.InvalidRequestError(
            "Running a statement failed: this Session belongs to an AsyncSession and cannot "
            "do I/O synchronously. Call the awaitable method on the AsyncSession instead "
            "(await session.execute(...), await session.flush(), ...)."
        )

    def _autoflush(self) -> None:
        """The AsyncSession autoflushes (awaiting) before anything that reads."""
        if self._bridge() is not None:
            Session._autoflush(self)

    def _get_by_sql(self, mapper: Mapper, key: Any, populate_existing: bool) -> Any:
        """``Session.get()`` found nothing in memory: the AsyncSession runs the SELECT."""
        if self._bridge() is not None:
            return Session._get_by_sql(self, mapper, key, populate_existing)
        raise _NeedRow(mapper, key, populate_existing)

    def _get_expired(self, st: Any, obj: Any) -> Any:
        """``get()`` found an expired object: the AsyncSession reloads it (awaited)."""
        if self._bridge() is not None:
            return Session._get_expired(self, st, obj)
        if any(k in obj.__dict__ for k in st.mapper._pk_keys):
            return obj
        raise _NeedRow(st.mapper, st.key, True)

    # --- inside run_sync: the AsyncSession's awaiting methods, run on the event loop ------
    flush = _bridged("flush", "flush")
    _flush = _bridged("_flush", "_flush")
    commit = _bridged("commit", "commit")
    rollback = _bridged("rollback", "rollback")
    close = _bridged("close", "close")
    begin_nested = _bridged("begin_nested", "_begin_nested")
    _commit_nested = _bridged("_commit_nested", "_commit_nested")
    _rollback_nested = _bridged("_rollback_nested", "_rollback_nested")

    def _load_expired(self, st: Any, obj: Any, key: str | None = None) -> None:
        if self._bridge() is not None:
            return Session._load_expired(self, st, obj)
        if key is None:  # the attribute name, from the caller (attributes.load_missing)
            key = sys._getframe(1).f_locals.get("key")
        raise _not_loaded_error(obj, key if isinstance(key, str) else None)


class _NeedRow(BaseException):
    """Internal signal from the sync ``get()`` to the AsyncSession: load this key."""

    def __init__(self, mapper: Mapper, key: Any, populate_existing: bool) -> None:
        super().__init__()
        self.mapper, self.key, self.populate_existing = mapper, key, populate_existing


class AsyncSession:
    """The asyncio twin of :class:`~athanor.orm.Session` (same names; I/O is awaited)."""

    sync_session_class: type[Session] = _AsyncBackedSession

    def __init__(
        self,
        bind: Any = None,
        *,
        sync_session_class: type[Session] | None = None,
        **kw: Any,
    ) -> None:
        cls = sync_session_class or self.sync_session_class
        if not issubclass(cls, _AsyncBackedSession):
            cls = type(f"Async{cls.__name__}", (_AsyncBackedSession, cls), {})
        self.sync_session: Session = cls(bind=bind, **kw)
        self.sync_session._async_owner = self  # type: ignore[attr-defined]
        self.bind = bind
        self._aconn: Any = None
        self._owns_conn = True
        self._busy: asyncio.Task[Any] | None = None

    # --- no I/O: the sync Session's own methods -----------------------------------------
    def add(self, instance: Any, _warn: bool = True) -> None:
        self.sync_session.add(instance)

    def add_all(self, instances: Iterable[Any]) -> None:
        self.sync_session.add_all(instances)

    def expunge(self, instance: Any) -> None:
        self.sync_session.expunge(instance)

    def expunge_all(self) -> None:
        self.sync_session.expunge_all()

    def expire(self, instance: Any, attribute_names: Iterable[str] | None = None) -> None:
        self.sync_session.expire(instance, attribute_names)

    def expire_all(self) -> None:
        self.sync_session.expire_all()

    def in_transaction(self) -> bool:
        return self.sync_session.in_transaction()

    def in_nested_transaction(self) -> bool:
        return self.sync_session.in_nested_transaction()

    def get_transaction(self) -> SessionTransaction | None:
        return self.sync_session.get_transaction()

    def get_nested_transaction(self) -> SessionTransaction | None:
        return self.sync_session.get_nested_transaction()

    @property
    def identity_map(self) -> Any:
        return self.sync_session.identity_map

    @property
    def new(self) -> list[Any]:
        return self.sync_session.new

    @property
    def dirty(self) -> list[Any]:
        return self.sync_session.dirty

    @property
    def deleted(self) -> list[Any]:
        return self.sync_session.deleted

    @property
    def is_active(self) -> bool:
        return self.sync_session.is_active

    @property
    def info(self) -> dict[str, Any]:
        return self.sync_session.info

    @property
    def autoflush(self) -> bool:
        return self.sync_session.autoflush

    @autoflush.setter
    def autoflush(self, value: bool) -> None:
        self.sync_session.autoflush = value

    @property
    def no_autoflush(self) -> Any:
        return self.sync_session.no_autoflush

    def __contains__(self, obj: Any) -> bool:
        return obj in self.sync_session

    def __iter__(self) -> Iterator[Any]:
        return iter(self.sync_session)

    def get_bind(self, mapper: Any = None, clause: Any = None, **kw: Any) -> Any:
        return self.sync_session.get_bind(mapper, clause, **kw)

    async def delete(self, instance: Any) -> None:
        """Mark ``instance`` for deletion at the next flush (awaitable, as in SQLAlchemy)."""
        self.sync_session.delete(instance)

    # --- connection and transactions --------------------------------------------------------
    @_exclusive
    async def connection(self, **kw: Any) -> Any:
        """The AsyncConnection of this session's transaction (begun if needed)."""
        return await self._connection()

    async def _connection(self) -> Any:
        conn = self._aconn
        if conn is not None:
            return conn
        s = self.sync_session
        root = s._autobegin("Executing")
        bind = s.get_bind()
        if hasattr(bind, "connect"):  # an AsyncEngine: the session owns its connection
            conn = await bind.connect().start()
            self._owns_conn = True
        else:  # an AsyncConnection: join it (in a SAVEPOINT if it is in a transaction)
            conn = bind
            self._owns_conn = False
        self._aconn = conn
        try:
            if not self._owns_conn and conn.in_transaction():
                root.core = await conn.begin_nested().start()
            else:
                root.core = await conn.begin().start()
        except BaseException:
            self._aconn = None
            if self._owns_conn:
                await conn.close()
            raise
        if s._dispatch.after_begin:
            s._dispatch.fire("after_begin", s, root, getattr(conn, "sync_connection", None) or conn)
        return conn

    async def _release_connection(self) -> None:
        conn, self._aconn = self._aconn, None
        if conn is not None and self._owns_conn:
            await conn.close()

    def begin(self) -> AsyncSessionTransaction:
        """``async with session.begin():`` commits at the end (rolls back on error)."""
        return AsyncSessionTransaction(self, nested=False)

    def begin_nested(self) -> AsyncSessionTransaction:
        """``async with session.begin_nested():`` a SAVEPOINT."""
        return AsyncSessionTransaction(self, nested=True)

    @_exclusive
    async def _begin_nested(self) -> SessionTransaction:
        s = self.sync_session
        s._check_usable("begin_nested()")
        await self._autoflush()
        conn = await self._connection()
        tx = SessionTransaction(s, s._stack[-1], True)
        if s._dispatch.tx_events:
            _sev.transaction_created(s, tx)
        tx.core = await conn.begin_nested().start()
        s._stack.append(tx)
        return tx

    @_exclusive
    async def commit(self) -> None:
        """Flush, commit the transaction (every savepoint with it), release the connection."""
        s = self.sync_session
        if not s._stack:
            if not (s._new or s._modified or s._deleted):
                return
            s._autobegin("commit()")
        s._stack[-1]._check_active("commit()")
        if s._dispatch.before_commit:
            s._dispatch.fire("before_commit", s)
        await self._flush()
        root = s._stack[0]
        if root.core is not None:
            core, root.core = root.core, _SETTLED
            await core.commit()
        await self._release_connection()
        s._committed(root)  # bookkeeping and the after-commit events

    @_exclusive
    async def rollback(self) -> None:
        """Roll back the transaction; the session's objects return to their committed state."""
        s = self.sync_session
        if not s._stack:
            return
        root = s._stack[0]
        try:
            if root.core is not None and root.status != FAILED:
                core, root.core = root.core, _SETTLED
                await core.rollback()
        finally:
            root.core = _SETTLED
            await self._release_connection()
            s.rollback()  # bookkeeping only

    @_exclusive
    async def _commit_nested(self, tx: SessionTransaction) -> None:
        s = self.sync_session
        s._check_top(tx, "commit()")
        tx._check_active("Committing the SAVEPOINT")
        await self.flush()
        core, tx.core = tx.core, _SETTLED
        await core.commit()
        s._commit_nested(tx)

    @_exclusive
    async def _rollback_nested(self, tx: SessionTransaction) -> None:
        s = self.sync_session
        s._check_top(tx, "rollback()")
        if tx.status != FAILED and tx.core is not None:
            core, tx.core = tx.core, _SETTLED
            await core.rollback()
        s._rollback_nested(tx)

    @_exclusive
    async def close(self) -> None:
        """Roll back anything uncommitted, release the connection, expunge every object."""
        s = self.sync_session
        try:
            if s._stack:
                root = s._stack[0]
                core, root.core = root.core, None
                if core is not None and root.status == ACTIVE:
                    try:
                        await core.rollback()
                    except Exception:  # the connection is released either way
                        pass
        finally:
            await self._release_connection()
            s.close()  # bookkeeping only

    async def reset(self) -> None:
        await self.close()

    async def invalidate(self) -> None:
        """Discard the connection (terminated, not returned) and close the session."""
        conn = self._aconn
        if conn is not None:
            await conn.invalidate()
        await self.close()

    def _close_nowait(self) -> None:
        """Close without awaiting (no event loop to await on): terminate the connection."""
        conn, self._aconn = self._aconn, None
        if conn is not None and self._owns_conn and not conn.closed:
            conn._invalidate_after_error(None)
            conn._closed = True
        s = self.sync_session
        for tx in s._stack:
            tx.core = None
        s.close()

    async def __aenter__(self) -> AsyncSession:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    # --- scoped-session hook ----------------------------------------------------------------
    _scope_remove: Any = None

    async def remove(self) -> None:
        """Close this session and forget it in the async_scoped_session that made it."""
        hook = self._scope_remove
        if hook is None:
            raise exc.InvalidRequestError(
                "AsyncSession.remove() failed: this AsyncSession was not made by an "
                "async_scoped_session registry. Call 'await session.close()' instead."
            )
        await hook(self)

    # --- flush -------------------------------------------------------------------------------
    async def _autoflush(self) -> None:
        s = self.sync_session
        if s.autoflush and not s._no_autoflush and not s._flushing and _pending(s):
            await self.flush()

    @_exclusive
    async def flush(self, objects: Any = None) -> None:
        self.sync_session._check_usable("Flushing")
        await self._flush()

    async def _flush(self) -> None:
        s = self.sync_session
        if not _pending(s):
            return
        if s._flushing:
            raise exc.InvalidRequestError(
                "AsyncSession.flush() failed: the session is already flushing. Do not flush "
                "from inside a flush."
            )
        snap = _sev.UOWTransaction(s) if s._dispatch.flush_events else None
        if s._dispatch.before_flush:
            s._dispatch.fire("before_flush", s, snap, None)
        sub = _sev.flush_transaction(s) if s._dispatch.tx_events else None
        pending = list(s._new.items()) if _instance_events.REFRESH_FLUSH else None
        s._flushing = True
        try:
            await self._flush_all(snap)
        finally:
            s._flushing = False
        if pending:
            _instance_events.fire_refresh_flush(snap or _sev.UOWTransaction(s), pending)
        if sub is not None:
            _sev.transaction_ended(s, sub)

    async def _flush_all(self, snap: _sev.UOWTransaction | None) -> None:
        s = self.sync_session
        conn = await self._connection()
        caps = s._capabilities(conn)
        deleted = s._deleted
        events_conn = getattr(conn, "sync_connection", None) or conn
        mapper_events = _mapper_events(s, events_conn) if orm_events.ACTIVE else None
        modified = [(st, o) for st, o in s._modified.items() if st not in deleted]
        plan: FlushPlan | None = None
        try:
            if dependency.needed(s):  # relationships: the row-ordered flush's twin
                await self._run_twin(dependency.flush, s, conn, caps)
                if mapper_events is not None:
                    orm_events.fire_after(events_conn, *mapper_events)
                if snap is not None:  # after_flush, the objects' moves, after_flush_postexec
                    _sev.fire_flushed(s, snap, after_flush=True)
                return
            plan = plan_flush(list(s._new.items()), modified, list(deleted.items()), caps)
            await twin(run_plan)(conn, plan, caps)
            if mapper_events is not None:
                orm_events.fire_after(events_conn, *mapper_events)
        except BaseException as err:
            if plan is not None:
                undo_journal(plan)
            await self._fail(err)
            raise
        if s._dispatch.after_flush:
            s._dispatch.fire("after_flush", s, snap)
        s._finalize(plan)
        if snap is not None:
            _sev.fire_flushed(s, snap)

    async def _run_twin(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Await the generated twin of a sync ORM I/O function (see ``_twin``)."""
        await self._connection()
        token = _IN_TWIN.set(True)
        try:
            return await twin(fn)(*args)
        finally:
            _IN_TWIN.reset(token)

    async def _fail(self, err: BaseException) -> None:
        s = self.sync_session
        tx = s._stack[-1]
        core, tx.core = tx.core, _SETTLED
        try:
            if core is not None:
                await core.rollback()
        finally:
            if not tx.nested:
                await self._release_connection()
            s._fail(err)  # bookkeeping only

    # --- queries -------------------------------------------------------------------------------
    @_exclusive
    async def execute(
        self,
        statement: Any,
        params: Any = None,
        *,
        execution_options: Any = None,
        bind_arguments: Any = None,
        **kw: Any,
    ) -> Any:
        """Run a statement; ORM selects load objects, ORM DML keeps loaded objects in step.

        The sync ``context.execute`` does the work, as its generated async twin: same
        branches (SELECT with entity loading and eager relationship loading, text, ORM
        INSERT/UPDATE/DELETE with ``synchronize_session``), statements awaited.
        """
        s = self.sync_session
        s._check_usable("Executing a statement")
        await self._autoflush()
        opts = execution_options or {}
        own = getattr(statement, "_execution_options", None)
        if own:  # statement.execution_options(populate_existing=True, ...)
            opts = {**own, **opts}
        if s._dispatch.do_orm_execute:  # listeners on the backing session (or its class)
            from athanor.orm._execute_state import listeners_only

            found, statement, params, opts = listeners_only(
                s, statement, params, opts, execution_options or {}, bind_arguments)
            if found is not None:
                return found
        return await self._run_twin(context.execute, s, statement, params, opts)

    async def scalars(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        return (await self.execute(statement, params, **kw)).scalars()

    async def scalar(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        return (await self.execute(statement, params, **kw)).scalar()

    @_exclusive
    async def stream(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        """Core statements stream from the cursor; ORM selects are loaded, then iterated."""
        if context.entity_layout(statement) is None and not getattr(statement, "_is_dml", False):
            await self._autoflush()
            return await (await self._connection()).stream(statement, params)
        return _LoadedStream(await self.execute(statement, params, **kw))

    async def stream_scalars(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        return (await self.stream(statement, params, **kw)).scalars()

    @_exclusive
    async def get(
        self,
        entity: Any,
        ident: Any,
        *,
        options: Any = None,
        populate_existing: bool = False,
        with_for_update: Any = None,
        identity_token: Any = None,
        execution_options: Any = None,
    ) -> Any:
        """The object with this primary key: from the identity map (the sync ``get()``'s own
        lookup), else loaded with one awaited SELECT."""
        sync = self.sync_session
        if execution_options and execution_options.get("populate_existing"):
            populate_existing = True
        try:  # FOR UPDATE always selects, as populate_existing does
            return sync.get(entity, ident, populate_existing=populate_existing or bool(
                with_for_update))
        except _NeedRow as need:
            sync._check_usable("Session.get()")
            await self._autoflush()
            if options or with_for_update:  # loader options, FOR UPDATE: an ORM SELECT
                stmt = _deferred.get_select(need.mapper, need.key, options, with_for_update)
                result = await self.execute(stmt, execution_options={
                    "populate_existing": populate_existing})
                return result.scalars().first()
            if need.mapper._extra is not None:  # deferred columns / column_property()
                obj = await self._run_twin(_deferred.get_by_pk, sync, need.mapper, need.key,
                                           need.populate_existing)
                if obj is None and need.populate_existing:
                    gone = sync._identity_map._get_state(need.mapper, need.key)
                    if gone is not None:
                        sync._detach(gone)
                return obj
            rows = await self._select_by_pk(need.mapper, need.key)
            if not rows:
                gone = sync._identity_map._get_state(need.mapper, need.key)
                if gone is not None and need.populate_existing:  # an expired object
                    sync._detach(gone)
                return None
            return context.load_entities(sync, need.mapper, rows, need.populate_existing)[0]

    async def _select_by_pk(self, mapper: Mapper, key: Any) -> list[Any]:
        conn = await self._connection()
        rows: list[Any] = await self._run_twin(context.select_by_pk, conn, mapper, key)
        return rows

    async def get_one(self, entity: Any, ident: Any, **kw: Any) -> Any:
        obj = await self.get(entity, ident, **kw)
        if obj is None:
            raise exc.NoResultFound(
                f"AsyncSession.get_one() failed: no {getattr(entity, '__name__', entity)} row "
                f"has primary key {ident!r}."
            )
        return obj

    @_exclusive
    async def refresh(
        self, instance: Any, attribute_names: Iterable[str] | None = None,
        with_for_update: Any = None,
    ) -> None:
        """Reload the object's column attributes from the database."""
        s = self.sync_session
        st = _state_for(instance, "AsyncSession.refresh()")
        if st.session is not s or st.key is None:
            raise exc.InvalidRequestError(
                f"AsyncSession.refresh() failed: the {type(instance).__name__} object is not "
                f"persistent in this session. Add and flush it first."
            )
        s._check_usable("Loading an attribute")
        if st.mapper._ievents is not None:  # as the sync refresh(): "expire", then "refresh"
            fire_expire(st, instance, None if attribute_names is None else list(
                attribute_names))
        if attribute_names is not None or st.mapper._extra is not None or with_for_update:
            rels = await self._run_twin(_deferred.refresh, s, st, instance, attribute_names,
                                        with_for_update)
            for rel in rels:
                await self._run_twin(strategies.load_on_access, st.mapper._props[rel],
                                     instance)
            return
        rows = await self._select_by_pk(st.mapper, st.key)
        if not rows:
            raise _deleted_error(st, instance)
        s._modified.pop(st, None)
        overwrite_state(st, instance, st.mapper._load_keys, rows[0])

    async def _load_expired(self, st: Any, obj: Any) -> None:
        """Fill an attached object's unloaded attributes (local changes are kept)."""
        s = self.sync_session
        s._check_usable("Loading an attribute")
        rows = await self._select_by_pk(st.mapper, st.key)
        if not rows:
            raise _deleted_error(st, obj)
        populate_state(st, obj, st.mapper._load_keys, rows[0])

    @_exclusive
    async def merge(self, instance: Any, load: bool = True, options: Any = None) -> Any:
        """Copy a detached object's state onto this session's object with the same key."""
        mapper = _state_for(instance, "AsyncSession.merge()").mapper
        src_st = instance.__dict__.get(STATE_KEY)
        if src_st is not None and src_st.session is self.sync_session:
            return instance
        values = dict(src_st.expired) if src_st is not None and src_st.expired else {}
        values.update(instance.__dict__)
        pk = tuple(values.get(k) for k in mapper._pk_keys)
        found = None
        if load and None not in pk:  # load it first, so the sync merge finds it in memory
            found = await self.get(mapper.class_, pk if mapper._pk_composite else pk[0])
        return self.sync_session.merge(instance, load=found is not None)

    @_exclusive
    async def run_sync(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        """``fn(sync_session, ...)``: sync ORM code, queries, lazy loads and commits included.

        ``fn`` runs on a worker thread; each statement it runs is awaited on this event loop
        (see :mod:`athanor.ext.asyncio._bridge`), so the loop keeps serving other tasks."""
        return await _bridge.run_sync(self, fn, *args, **kw)

    def __repr__(self) -> str:
        return f"<AsyncSession at {id(self):#x}>"


def _pending(s: Session) -> bool:
    """Does the session have unflushed work (objects, or relationship changes)?"""
    return bool(s._new or s._modified or s._deleted or s.__dict__.get("_athanor_rel"))


class _LoadedStream:
    """``await session.stream(orm_select)``: already-loaded objects behind the async API."""

    def __init__(self, result: Any) -> None:
        self._result = result

    def scalars(self) -> _LoadedStream:
        return _LoadedStream(self._result.scalars())

    async def all(self) -> list[Any]:
        return list(self._result.all())

    async def first(self) -> Any:
        return self._result.first()

    async def one(self) -> Any:
        return self._result.one()

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        for obj in self._result:
            yield obj


class AsyncSessionTransaction:
    """``async with session.begin()`` / ``begin_nested()``; also ``await`` to begin."""

    def __init__(self, session: AsyncSession, *, nested: bool) -> None:
        self.session = session
        self.nested = nested
        self.sync_transaction: SessionTransaction | None = None
        self._close_session_on_exit = False

    async def start(self) -> AsyncSessionTransaction:
        if self.nested:
            self.sync_transaction = await self.session._begin_nested()
        else:
            self.sync_transaction = self.session.sync_session.begin()
        return self

    def __await__(self) -> Any:
        return self.start().__await__()

    @property
    def is_active(self) -> bool:
        return self.sync_transaction is not None and self.sync_transaction.status == ACTIVE

    async def commit(self) -> None:
        tx = self.sync_transaction
        if tx is None:
            return
        if tx.nested:
            await self.session._commit_nested(tx)
        else:
            await self.session.commit()

    async def rollback(self) -> None:
        tx = self.sync_transaction
        if tx is None or tx.status not in (ACTIVE, FAILED):
            return
        if tx.nested:
            await self.session._rollback_nested(tx)
        else:
            await self.session.rollback()

    async def __aenter__(self) -> Any:
        if self.sync_transaction is None:
            await self.start()
        return self.session if self._close_session_on_exit else self

    async def __aexit__(self, exc_type: Any, exc_val: Any, tb: Any) -> None:
        tx = self.sync_transaction
        try:
            if tx is None:
                return
            if exc_type is None and tx.status == ACTIVE:
                try:
                    await self.commit()
                except BaseException:
                    if tx.status in (ACTIVE, FAILED):
                        await self.rollback()
                    raise
            elif tx.status in (ACTIVE, FAILED):
                await self.rollback()
        finally:
            if self._close_session_on_exit:
                await self.session.close()


class async_sessionmaker:  # noqa: N801 - SQLAlchemy's public name
    """``Session = async_sessionmaker(engine)``; ``async with Session() as session:``."""

    def __init__(
        self,
        bind: Any = None,
        *,
        class_: type[AsyncSession] = AsyncSession,
        autoflush: bool = True,
        expire_on_commit: bool = True,
        info: dict[str, Any] | None = None,
        **kw: Any,
    ) -> None:
        kw["bind"] = bind
        kw["autoflush"] = autoflush
        kw["expire_on_commit"] = expire_on_commit
        if info is not None:
            kw["info"] = info
        self.kw = kw
        self.class_ = class_
        twin(run_plan)  # generate the async twins now, at startup, not in the first request

    def __call__(self, **local_kw: Any) -> AsyncSession:
        kw = dict(self.kw)
        if "info" in kw and "info" in local_kw:
            local_kw["info"] = {**kw["info"], **local_kw["info"]}
        kw.update(local_kw)
        return self.class_(**kw)

    def begin(self) -> AsyncSessionTransaction:
        """``async with Session.begin() as session:`` commits at the end and closes."""
        tx = AsyncSessionTransaction(self(), nested=False)
        tx._close_session_on_exit = True
        return tx

    def configure(self, **new_kw: Any) -> None:
        self.kw.update(new_kw)

    def __repr__(self) -> str:
        return f"async_sessionmaker(class_={self.class_.__name__}, {self.kw!r})"


class _AwaitableAttrs:
    __slots__ = ("_obj",)

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def __getattr__(self, name: str) -> Any:
        return _load_attribute(self._obj, name)


async def _load_attribute(obj: Any, name: str) -> Any:
    d = obj.__dict__
    if name in d:
        return d[name]
    st = d.get(STATE_KEY)
    sync = st.session if st is not None else None
    owner = getattr(sync, "_async_owner", None)
    if owner is None or st.key is None or st.deleted:
        return getattr(obj, name)
    prop = st.mapper.__dict__.get("_props", {}).get(name) if hasattr(st.mapper, "_props") else None
    if prop is not None and not getattr(prop, "is_column", True):  # a relationship
        return await owner._run_twin(strategies.load_on_access, prop, obj)
    await owner._load_expired(st, obj)
    return getattr(obj, name)


class AsyncAttrs:
    """Mixin: ``await obj.awaitable_attrs.name`` loads an unloaded attribute, then returns it."""

    __slots__ = ()

    @property
    def awaitable_attrs(self) -> Any:
        return _AwaitableAttrs(self)


def async_object_session(instance: Any) -> AsyncSession | None:
    """The AsyncSession an object belongs to, or None."""
    st = instance.__dict__.get(STATE_KEY) if hasattr(instance, "__dict__") else None
    sync = st.session if st is not None else None
    return getattr(sync, "_async_owner", None)


async def close_all_sessions() -> None:
    """Kept for API compatibility; sessions are closed individually."""


__all__ = [
    "AsyncAttributeNotLoadedError",
    "AsyncAttrs",
    "AsyncSession",
    "AsyncSessionTransaction",
    "MissingGreenlet",
    "async_object_session",
    "async_sessionmaker",
    "close_all_sessions",
]
