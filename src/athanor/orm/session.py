"""The Session: identity map, unit of work and transactions, around a thin I/O shell.

Design
------
The Session keeps three strong collections of instances with unflushed work (``_new``,
``_modified``, ``_deleted``, each ``{state: instance}``) and the weak
:class:`~athanor.orm.identity.IdentityMap`. Flushing is planned by the pure
:func:`~athanor.orm.unitofwork.plan_flush` and executed by :func:`run_plan`, the only
function here that sends flush statements; queries go through :mod:`athanor.orm.context`.
An AsyncSession can reuse everything but ``run_plan``, ``_connection`` and the few methods
that call them.

Failure semantics: a flush that raises rolls back the innermost transaction level at once
(nothing half-written stays), undoes what it wrote into objects (generated keys,
defaults), leaves every object in its pre-flush state, and makes the session raise
PendingRollbackError until ``rollback()``.

Detached objects: ``expire_on_commit`` moves values aside rather than dropping them, so an
object whose session committed and closed still reads its committed values.

Thread guard: I/O methods record the running thread; a second thread entering while one
runs gets ConcurrentSessionUseError instead of corrupting the connection.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from athanor import _event, exc
from athanor.orm import _config_events, _instance_events, context
from athanor.orm import _session_events as _sev
from athanor.orm import events as orm_events
from athanor.orm._instance_events import fire_expire
from athanor.orm.context import _pk_bind_params as _pk_bind_params  # athanor.ext.asyncio
from athanor.orm.context import select_by_pk
from athanor.orm.exc import (
    ConcurrentSessionUseError,
    ObjectDeletedError,
    UnmappedInstanceError,
)
from athanor.orm.flush import insert_one, run_plan
from athanor.orm.identity import IdentityMap
from athanor.orm.loading import expire_state, overwrite_state, populate_state
from athanor.orm.mapper import Mapper, class_mapper
from athanor.orm.persistence import WriteInfo, write_info
from athanor.orm.query import Query
from athanor.orm.relationships import _rel_mappers, cascade_add
from athanor.orm.state import STATE_KEY, InstanceState, new_state
from athanor.orm.transaction import ACTIVE, SessionTransaction, TransactionMixin
from athanor.orm.unitofwork import (
    Capabilities,
    FlushPlan,
    plan_flush,
    undo_entries,
    undo_journal,
)

_get_ident = threading.get_ident


def _state_for(obj: Any, what: str) -> InstanceState:
    d = getattr(obj, "__dict__", None)
    st = d.get(STATE_KEY) if d is not None else None
    if st is not None:
        return st
    mapper = type(obj).__dict__.get("__mapper__")
    if mapper is None:
        raise UnmappedInstanceError(
            f"{what} failed: {type(obj).__name__!r} is not a mapped class. Pass instances of "
            f"declarative models."
        )
    return new_state(obj, mapper)



def _mapper_events(session: Any, conn: Any) -> tuple[list[Any], list[Any], list[Any]]:
    """Fire the mapper ``before_*`` events for this flush's objects; the lists are kept for
    the ``after_*`` events (see :mod:`athanor.orm.events`)."""
    deleted = session._deleted
    lists = (list(session._new.items()),
             [(st, o) for st, o in session._modified.items() if st not in deleted],
             list(deleted.items()))
    orm_events.fire_before(conn, *lists)
    return lists

class Session(TransactionMixin):
    """Tracks objects, writes their changes in one transaction, and queries.

    Transaction control (begin/commit/rollback/savepoints/close) lives in
    :class:`~athanor.orm.transaction.TransactionMixin`.
    """

    #: listeners (see :mod:`athanor.event`); the shared empty one until someone listens
    _dispatch: _event.Dispatch = _event.NO_EVENTS

    def __init__(
        self,
        bind: Any = None,
        *,
        autoflush: bool = True,
        expire_on_commit: bool = True,
        autobegin: bool = True,
        info: dict[str, Any] | None = None,
        query_cls: Any = None,
        twophase: bool = False,
        binds: Any = None,
        enable_baked_queries: bool = True,
        join_transaction_mode: str = "conservative_savepoint",
        close_resets_only: bool = True,
        n_plus_one: Any = "default",
        autocommit: bool = False,
        future: bool = True,
    ) -> None:
        if autocommit:
            raise exc.ArgumentError(
                "Session(autocommit=True) is not supported (SQLAlchemy 2.0 removed it too): "
                "a Session always works in a transaction, begun on first use. Drop the "
                "argument, and call commit() where the old code relied on autocommit."
            )
        if _config_events.PENDING:  # mapped classes wait for their configure pass
            _config_events.configure()
        self.bind = bind
        self.autoflush = autoflush
        self.expire_on_commit = expire_on_commit
        self.autobegin = autobegin
        self.info: dict[str, Any] = dict(info) if info else {}
        self._query_cls = query_cls
        self._identity_map = IdentityMap()
        self._new: dict[InstanceState, Any] = {}
        self._modified: dict[InstanceState, Any] = {}
        self._deleted: dict[InstanceState, Any] = {}
        self._conn: Any = None
        self._stack: list[SessionTransaction] = []
        self._flushing = False
        self._no_autoflush = 0
        self._op_thread: int | None = None
        self._caps: tuple[Any, Capabilities] | None = None
        self._owns_conn = True
        #: row loaders by (mapper, column positions, populate_existing); see context._load
        self._loaders: dict[Any, Any] = {}
        if n_plus_one != "default":  # N+1 detection: 'warn' | 'raise' | 'batch' | None
            self.n_plus_one = n_plus_one

    # ------------------------------------------------------------------------------------
    # thread guard
    def _enter(self) -> int | None:
        owner = self._op_thread
        me = _get_ident()
        if owner is not None and owner != me:
            raise ConcurrentSessionUseError(
                "Using this Session failed: another thread is using it right now. A Session "
                "is not thread-safe; give each thread its own (sessionmaker() per thread, or "
                "scoped_session)."
            )
        self._op_thread = me
        return owner

    # ------------------------------------------------------------------------------------
    # scoped_session hook (set by a registry on the sessions it hands out; see orm/scoping.py)
    _scope_remove: Any = None

    def remove(self) -> None:
        """Close this session and forget it in the scoped_session registry that made it.

        The same as ``Session.remove()`` on the registry, for the scope this session was made
        in. Only for sessions a ``scoped_session`` handed out.
        """
        hook = self._scope_remove
        if hook is None:
            raise exc.InvalidRequestError(
                "Session.remove() failed: this Session was not made by a scoped_session "
                "registry, so there is no scope to remove it from. Call close() instead, or "
                "get sessions from Session = scoped_session(sessionmaker(...))."
            )
        hook(self)

    # ------------------------------------------------------------------------------------
    # properties
    @property
    def identity_map(self) -> IdentityMap:
        return self._identity_map

    @property
    def new(self) -> list[Any]:
        return list(self._new.values())

    @property
    def dirty(self) -> list[Any]:
        return [o for st, o in self._modified.items() if st not in self._deleted]

    @property
    def deleted(self) -> list[Any]:
        return list(self._deleted.values())

    @property
    def is_active(self) -> bool:
        return not self._stack or self._stack[-1].status == ACTIVE

    @property
    def no_autoflush(self) -> Any:
        return self._no_autoflush_cm()

    @contextmanager
    def _no_autoflush_cm(self) -> Iterator[Session]:
        self._no_autoflush += 1
        try:
            yield self
        finally:
            self._no_autoflush -= 1

    def in_transaction(self) -> bool:
        return bool(self._stack)

    def is_modified(self, instance: Any, include_collections: bool = True) -> bool:
        """True when ``instance`` has a column attribute whose value differs from the loaded one."""
        from athanor.orm.state import STATE_KEY

        st = instance.__dict__.get(STATE_KEY)
        if st is None or st.committed is None:
            return False
        d = instance.__dict__
        return any(k not in d or d[k] != old for k, old in st.committed.items())

    def in_nested_transaction(self) -> bool:
        return any(t.nested for t in self._stack)

    def get_transaction(self) -> SessionTransaction | None:
        return self._stack[0] if self._stack else None

    def get_nested_transaction(self) -> SessionTransaction | None:
        return self._stack[-1] if self._stack and self._stack[-1].nested else None

    def __contains__(self, obj: Any) -> bool:
        st = obj.__dict__.get(STATE_KEY) if hasattr(obj, "__dict__") else None
        return st is not None and st.session is self and not st.deleted

    def __iter__(self) -> Iterator[Any]:
        seen = list(self._new.values()) + self._identity_map.values()
        return iter(seen)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, tb: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Session at {id(self):#x}>"

    # ------------------------------------------------------------------------------------
    # binding and connections
    def get_bind(self, mapper: Any = None, clause: Any = None, **kw: Any) -> Any:
        if self.bind is None:
            raise exc.InvalidRequestError(
                "Executing on this Session failed: it is not bound to an Engine. Pass "
                "bind=engine to Session()/sessionmaker(), or call "
                "sessionmaker.configure(bind=engine) before creating sessions."
            )
        return self.bind

    def connection(self, **kw: Any) -> Any:
        return self._connection()

    def _connection(self) -> Any:
        conn = self._conn
        if conn is not None:
            return conn
        stack = self._stack
        # self._autobegin("Executing"), inline for the usual case (a transaction active)
        root = stack[0] if stack and stack[-1].status == ACTIVE else self._autobegin("Executing")
        bind = self.get_bind()
        if hasattr(bind, "connect"):  # an Engine: the session owns its connection
            conn = bind.connect()
            self._owns_conn = True
        else:  # a Connection: join it (inside a SAVEPOINT when it is already in a transaction)
            conn = bind
            self._owns_conn = False
        self._conn = conn
        try:
            if self._owns_conn and conn._transaction is None:
                root.core = conn._autobegin(implicit=False)  # conn.begin(), one call less
            elif self._owns_conn:
                root.core = conn.begin()
            elif conn.in_transaction():
                root.core = conn.begin_nested()
            else:
                root.core = conn.begin()
        except Exception:
            self._conn = None
            if self._owns_conn:
                conn.close()
            raise
        if self._dispatch.after_begin:
            self._dispatch.fire("after_begin", self, root, conn)
        return conn

    def _capabilities(self, conn: Any) -> Capabilities:
        dialect = conn.dialect
        caps = self._caps
        if caps is None or caps[0] is not dialect:
            caps = self._caps = (dialect, Capabilities(dialect))
        return caps[1]

    def _release_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and self._owns_conn:
            conn.close()

    # ------------------------------------------------------------------------------------
    # object state
    def add(self, instance: Any, _warn: bool = True) -> None:
        st = _state_for(instance, "Session.add()")
        sess = st.session
        if sess is self:
            if st.deleted or st in self._deleted:
                return
            return
        if sess is not None:
            raise exc.InvalidRequestError(
                f"Session.add() failed: the {type(instance).__name__} object is already attached "
                f"to another Session. Expunge or close that Session first, or use "
                f"session.merge(obj) to copy it into this one."
            )
        self._autobegin("Session.add()")
        d = self._dispatch
        if d.before_attach:
            d.fire("before_attach", self, instance)
        if st.key is None:
            st.session = self
            self._new[st] = instance
            if d.after_attach:
                d.fire("after_attach", self, instance)
            if d.transient_to_pending:
                d.fire("transient_to_pending", self, instance)
        else:
            self._attach_detached(st, instance)
            if d.after_attach:
                d.fire("after_attach", self, instance)
            if d.detached_to_persistent:
                d.fire("detached_to_persistent", self, instance)
        if st.mapper in _rel_mappers:  # save-update cascade (orm/dependency.py)
            cascade_add(self, instance)

    def _attach_detached(self, st: InstanceState, instance: Any) -> None:
        if st.deleted:
            raise exc.InvalidRequestError(
                f"Session.add() failed: the {type(instance).__name__} object was deleted. "
                f"Deleted rows cannot be re-added; create a new object."
            )
        existing = self._identity_map._get_state(st.mapper, st.key)
        if existing is not None and existing is not st and existing() is not None:
            raise exc.InvalidRequestError(
                f"Session.add() failed: another {type(instance).__name__} object with the same "
                f"primary key {st.key!r} is already in this Session. Use session.merge(obj)."
            )
        st.session = self
        self._identity_map._add_state(st)
        if st.committed is not None:
            self._modified[st] = instance

    def add_all(self, instances: Iterable[Any]) -> None:
        for obj in instances:
            self.add(obj)

    def delete(self, instance: Any) -> None:
        st = _state_for(instance, "Session.delete()")
        if st.key is None:
            raise exc.InvalidRequestError(
                f"Session.delete() failed: the {type(instance).__name__} object is not "
                f"persisted (it was never flushed). Use session.expunge(obj) to discard a "
                f"pending object."
            )
        if st.session is not self:
            if st.session is not None:
                raise exc.InvalidRequestError(
                    f"Session.delete() failed: the {type(instance).__name__} object belongs to "
                    f"another Session."
                )
            self._autobegin("Session.delete()")
            self._attach_detached(st, instance)
        if st.deleted:
            return
        self._deleted[st] = instance

    def expunge(self, instance: Any) -> None:
        st = _state_for(instance, "Session.expunge()")
        if st.session is not self:
            raise exc.InvalidRequestError(
                f"Session.expunge() failed: the {type(instance).__name__} object is not in "
                f"this Session."
            )
        self._detach(st)

    def _detach(self, st: InstanceState) -> None:
        if self._dispatch.detach_events:
            _sev.fire_detached(self, [st])
        self._new.pop(st, None)
        self._modified.pop(st, None)
        self._deleted.pop(st, None)
        self._identity_map._discard_state(st)
        st.session = None

    def expunge_all(self) -> None:
        if self._dispatch.detach_events:
            _sev.fire_detached(self, dict.fromkeys(
                [*self._identity_map._all_states(), *self._new, *self._deleted]))
        for st in self._identity_map._all_states():
            st.session = None
        for st in self._new:
            st.session = None
        for st in self._deleted:
            st.session = None
        self._identity_map._clear()
        self._new.clear()
        self._modified.clear()
        self._deleted.clear()

    def expire(self, instance: Any, attribute_names: Iterable[str] | None = None) -> None:
        st = _state_for(instance, "Session.expire()")
        if st.key is None:
            return
        self._modified.pop(st, None)
        names = list(attribute_names) if attribute_names else None
        expire_state(st, instance, names)
        if st.mapper._ievents is not None:
            fire_expire(st, instance, names)

    def expire_all(self) -> None:
        self._identity_map._expire_all(expire_state)
        self._modified.clear()

    def refresh(
        self,
        instance: Any,
        attribute_names: Iterable[str] | None = None,
        with_for_update: Any = None,
    ) -> None:
        st = _state_for(instance, "Session.refresh()")
        if st.session is not self or st.key is None:
            raise exc.InvalidRequestError(
                f"Session.refresh() failed: the {type(instance).__name__} object is not "
                f"persistent in this Session. Add and flush it first."
            )
        if st.mapper._ievents is not None:  # as SQLAlchemy: "expire", then "refresh"
            fire_expire(st, instance, None if attribute_names is None else list(
                attribute_names))
        if attribute_names is not None or st.mapper._extra is not None or with_for_update:
            from athanor.orm._deferred import refresh

            for rel in refresh(self, st, instance, attribute_names, with_for_update):
                getattr(instance, rel)  # relationships among the names: loaded again
            return
        row = self._fetch_row(st)
        if row is None:
            raise _deleted_error(st, instance)
        self._modified.pop(st, None)
        overwrite_state(st, instance, st.mapper._load_keys, row)

    def _fetch_row(self, st: InstanceState) -> tuple[Any, ...] | None:
        prev = self._enter()
        try:
            self._check_usable("Loading an attribute")
            if self._dispatch.do_orm_execute:  # listeners (orm/_execute_state.py)
                from athanor.orm._execute_state import column_rows

                rows = column_rows(self, st.mapper, st.key)
            else:
                rows = select_by_pk(self._connection(), st.mapper, st.key)
        finally:
            self._op_thread = prev
        return rows[0] if rows else None

    def _load_expired(self, st: InstanceState, obj: Any) -> None:
        """Called by attribute access on an expired/unloaded attribute of an attached object."""
        row = self._fetch_row(st)
        if row is None:
            raise _deleted_error(st, obj)
        populate_state(st, obj, st.mapper._load_keys, row)

    def merge(self, instance: Any, load: bool = True, options: Any = None) -> Any:
        # no autoflush while merging: a half-merged graph (a child merged before its
        # parent's key is copied) must not be flushed by the SELECTs merge runs
        # A cycle (parent -> children -> back to the parent) merges each object once:
        # ``_merging`` maps the source objects of this merge() call to their targets.
        outer = "_merging" not in self.__dict__
        if outer:
            self._merging: dict[int, tuple[Any, Any]] = {}
        else:
            found = self._merging.get(id(instance))
            if found is not None:
                return found[1]
        self._no_autoflush += 1
        try:
            return self._merge(instance, load)
        finally:
            self._no_autoflush -= 1
            if outer:
                del self._merging

    def _merge(self, instance: Any, load: bool) -> Any:
        mapper = _state_for(instance, "Session.merge()").mapper
        src = instance.__dict__
        src_st = src.get(STATE_KEY)
        if src_st is not None and src_st.session is self:
            return instance
        values: dict[str, Any] = {}
        if src_st is not None and src_st.expired:
            values.update(src_st.expired)
        values.update((k, v) for k, v in src.items() if k != STATE_KEY)
        pk = tuple(values.get(k) for k in mapper._pk_keys)
        target = None
        if None not in pk:
            ident = pk if mapper._pk_composite else pk[0]
            target = self.get(mapper.class_, ident) if load else None
        if target is None:
            target = object.__new__(mapper.class_)
            new_state(target, mapper)
            self.add(target)
        self._merging[id(instance)] = (instance, target)  # the source kept alive: ids stay unique
        for prop in mapper.iterate_properties():
            prop.merge(values, target, load)
        return target

    # ------------------------------------------------------------------------------------
    # flush
    def _autoflush(self) -> None:
        if self.autoflush and not self._no_autoflush and not self._flushing and (
            self._new or self._modified or self._deleted or self.__dict__.get("_athanor_rel")
        ):
            self.flush()

    def flush(self, objects: Any = None) -> None:
        prev = self._enter()
        try:
            self._check_usable("Flushing")
            self._flush()
        finally:
            self._op_thread = prev

    def _flush(self) -> None:
        if not (self._new or self._modified or self._deleted or self.__dict__.get(
                "_athanor_rel")):  # relationship changes (orm/collections.py)
            return
        if self._flushing:
            raise exc.InvalidRequestError(
                "Session.flush() failed: the Session is already flushing. Do not call flush() "
                "from inside a flush (for example from an attribute event)."
            )
        d = self._dispatch
        snap = _sev.UOWTransaction(self) if d.flush_events else None
        if d.before_flush:
            d.fire("before_flush", self, snap, None)
        sub = _sev.flush_transaction(self) if d.tx_events else None
        pending = list(self._new.items()) if _instance_events.REFRESH_FLUSH else None
        self._flushing = True
        try:
            self._flush_all(snap)
        finally:
            self._flushing = False
        if pending:
            _instance_events.fire_refresh_flush(snap or _sev.UOWTransaction(self), pending)
        if sub is not None:
            _sev.transaction_ended(self, sub)

    def _flush_all(self, snap: _sev.UOWTransaction | None) -> None:
        conn = self._conn
        if conn is None:
            conn = self._connection()
        caps_memo = self._caps  # self._capabilities(conn), inline
        caps = (caps_memo[1] if caps_memo is not None and caps_memo[0] is conn.dialect
                else self._capabilities(conn))
        deleted = self._deleted
        mapper_events = _mapper_events(self, conn) if orm_events.ACTIVE else None
        modified = [(st, o) for st, o in self._modified.items()
                    if st not in deleted] if self._modified else []
        plan: FlushPlan | None = None
        new = self._new
        if len(new) == 1 and not modified and not deleted and mapper_events is None:
            ((st, obj),) = new.items()
            mapper = st.mapper
            if mapper not in _rel_mappers and not self.__dict__.get("_athanor_rel"):
                info = mapper._stmt_cache.get("write_info") or write_info(mapper)
                if info.one_row_insert and self._flush_one(conn, caps, info, st, obj, snap):
                    if snap is not None:
                        _sev.fire_flushed(self, snap)
                    return
        try:
            if _rel_mappers or self.__dict__.get("_athanor_rel"):
                from athanor.orm import dependency

                if dependency.needed(self):  # relationships: row-ordered rounds
                    dependency.flush(self, conn, caps)
                    if mapper_events is not None:
                        orm_events.fire_after(conn, *mapper_events)
                    if snap is not None:  # after_flush, the objects' moves, after_flush_postexec
                        _sev.fire_flushed(self, snap, after_flush=True)
                    return
            plan = plan_flush(list(self._new.items()), modified, list(deleted.items()), caps)
            run_plan(conn, plan, caps)
            if mapper_events is not None:
                orm_events.fire_after(conn, *mapper_events)
        except BaseException as err:
            if plan is not None:
                undo_journal(plan)
            self._fail(err)
            raise
        if self._dispatch.after_flush:
            self._dispatch.fire("after_flush", self, snap)
        self._finalize(plan)
        if snap is not None:
            _sev.fire_flushed(self, snap)

    def _flush_one(
        self, conn: Any, caps: Capabilities, info: WriteInfo, st: InstanceState, obj: Any,
        snap: _sev.UOWTransaction | None = None,
    ) -> bool:
        """Flush a session whose only change is one new object (see ``flush.insert_one``);
        False when that needs the planned flush after all."""
        journal: list[Any] = []
        d = obj.__dict__
        try:
            if not insert_one(conn, info, d, caps, journal):
                undo_entries(journal)
                return False
        except BaseException as err:
            undo_entries(journal)
            self._fail(err)
            raise
        if self._dispatch.after_flush:
            self._dispatch.fire("after_flush", self, snap)
        keys = st.mapper._pk_keys  # what _finalize does for one inserted object
        st.key = d[keys[0]] if len(keys) == 1 else tuple([d[k] for k in keys])
        st.committed = None
        self._identity_map._add_state(st)
        del self._new[st]
        self._stack[-1].new.append(st)
        return True

    def _finalize(self, plan: FlushPlan) -> None:
        tx = self._stack[-1]
        imap = self._identity_map
        new = self._new
        last_mapper: Any = None
        target: dict[Any, InstanceState] = {}
        added: list[tuple[dict[Any, InstanceState], int]] = []
        for st, obj in plan.inserted:
            mapper = st.mapper
            if mapper is not last_mapper:
                target = imap._map_for(mapper)
                added.append((target, 0))
                keys = mapper._pk_keys
                single = keys[0] if len(keys) == 1 else None
                last_mapper = mapper
            d = obj.__dict__
            key = d[single] if single is not None else tuple(d[k] for k in keys)
            st.key = key
            st.committed = None
            target[key] = st
            del new[st]
            added[-1] = (target, added[-1][1] + 1)
        for m, n in added:
            imap._note_added(m, n)
        tx.new.extend([st for st, _ in plan.inserted])
        modified = self._modified
        for st, obj in plan.updated:
            committed = st.committed
            if committed and not st.mapper._pk_keyset.isdisjoint(committed):
                keys = st.mapper._pk_keys
                d = obj.__dict__
                key = tuple(d[k] for k in keys) if len(keys) > 1 else d[keys[0]]
                if key != st.key:
                    imap._discard_state(st)
                    st.key = key
                    imap._add_state(st)
            st.committed = None
            modified.pop(st, None)
        tx.updated.extend([st for st, _ in plan.updated])
        deleted = self._deleted
        for st, _obj in plan.deleted:
            st.deleted = True
            imap._discard_state(st)
            deleted.pop(st, None)
            modified.pop(st, None)
            tx.deleted.append(st)
        plan.journal.clear()

    # ------------------------------------------------------------------------------------
    # queries
    def execute(
        self,
        statement: Any,
        params: Any = None,
        *,
        execution_options: Any = None,
        bind_arguments: Any = None,
        **kw: Any,
    ) -> Any:
        prev = self._enter()
        try:
            self._check_usable("Executing a statement")
            opts = execution_options or {}
            own = getattr(statement, "_execution_options", None)
            if own:  # statement.execution_options(populate_existing=True, ...)
                opts = {**own, **opts}
            if self._dispatch.do_orm_execute:  # listeners (orm/_execute_state.py)
                from athanor.orm import _execute_state

                return _execute_state.execute(self, statement, params, opts,
                                              execution_options or {}, bind_arguments)
            return context.execute(self, statement, params, opts)
        finally:
            self._op_thread = prev

    def _filter_by_list(self, mapper: Mapper, pairs: tuple[tuple[str, Any], ...]) -> Any:
        """Objects for ``query(Model).filter_by(...)`` through a cached statement, or None."""
        if self._dispatch.do_orm_execute:
            return None  # the general path, through Session.execute() and its event
        prev = self._enter()
        try:
            self._check_usable("Executing a statement")
            return context.filter_by_list(self, mapper, pairs)
        finally:
            self._op_thread = prev

    def _entity_list(self, statement: Any) -> Any:
        """Objects of a single-entity SELECT as a list (the Query fast path)."""
        if self._dispatch.do_orm_execute:
            return self.execute(statement).scalars().all()
        prev = self._enter()
        try:
            self._check_usable("Executing a statement")
            return context.entity_list(self, statement)
        finally:
            self._op_thread = prev

    def scalars(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        return self.execute(statement, params, **kw).scalars()

    def scalar(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        return self.execute(statement, params, **kw).scalar()

    def query(self, *entities: Any, **kw: Any) -> Any:
        cls = self._query_cls or Query
        return cls(entities, self)

    def get(
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
        if execution_options and execution_options.get("populate_existing"):
            populate_existing = True
        m = self._identity_map._by_class.get(entity)
        if m is not None and not populate_existing and with_for_update is None:
            try:
                st = m.get(ident)
            except TypeError:  # an unhashable identity (dict, list): normalised below
                st = None
            if st is not None and not st.deleted:
                obj = st()
                if obj is not None and (not self._deleted or st not in self._deleted):
                    if st.expired is not None:
                        return self._get_expired(st, obj)
                    return obj
        mapper: Mapper | None = entity.__dict__.get("__mapper__") if isinstance(
            entity, type) else None
        if mapper is None:
            mapper = entity if isinstance(entity, Mapper) else class_mapper(entity)
        if mapper._pk_composite or isinstance(ident, (tuple, list, dict)):
            key = _normalize_ident(mapper, ident)
            m = self._identity_map._maps.get(mapper)
            if m is not None and not populate_existing and with_for_update is None:
                st = m.get(key)
                if st is not None:
                    obj = st()
                    if obj is not None:
                        if st.deleted or st in self._deleted:
                            return None
                        if st.expired is not None:
                            return self._get_expired(st, obj)
                        return obj
        else:
            key = ident
        if mapper.inherits is not None and not populate_existing and with_for_update is None:
            from athanor.orm._inheritance import identity_lookup

            found, obj = identity_lookup(self, mapper, key)
            if found:
                return obj
        if options or with_for_update or self._dispatch.do_orm_execute:
            # an ORM SELECT: loader options, FOR UPDATE, or do_orm_execute listeners see it
            from athanor.orm._deferred import get_with_options

            return get_with_options(self, mapper, key, options or (), populate_existing,
                                    with_for_update)
        return self._get_by_sql(mapper, key, populate_existing)

    def _get_expired(self, st: InstanceState, obj: Any) -> Any:
        """``get()`` found an expired object: reloaded, or None when its row is gone."""
        from athanor.orm._deferred import reload_expired

        return reload_expired(self, st, obj)

    def _get_by_sql(self, mapper: Mapper, key: Any, populate_existing: bool) -> Any:
        if mapper._extra is not None:  # deferred columns, column_property()
            from athanor.orm._deferred import get_by_pk

            return get_by_pk(self, mapper, key, populate_existing)
        prev = self._enter()
        try:
            tx = self._stack[-1] if self._stack else None
            if tx is not None and tx.status != ACTIVE:
                tx._check_active("Session.get()")
            if self._new or self._modified or self._deleted:
                self._autoflush()
            conn = self._conn if self._conn is not None else self._connection()
            rows = select_by_pk(conn, mapper, key)
        finally:
            self._op_thread = prev
        if not rows:
            return None
        return context.load_entities(self, mapper, rows, populate_existing)[0]

    def get_one(self, entity: Any, ident: Any, **kw: Any) -> Any:
        obj = self.get(entity, ident, **kw)
        if obj is None:
            raise exc.NoResultFound(
                f"Session.get_one() failed: no {getattr(entity, '__name__', entity)} row has "
                f"primary key {ident!r}."
            )
        return obj

    # ------------------------------------------------------------------------------------
    # bulk helpers (classic API)
    def bulk_save_objects(
        self,
        objects: Iterable[Any],
        return_defaults: bool = False,
        update_changed_only: bool = True,
        preserve_order: bool = True,
    ) -> None:
        for obj in objects:
            st = _state_for(obj, "Session.bulk_save_objects()")
            if st.key is None or st.session is None:
                if st.key is None:
                    self.add(obj)
                else:
                    self._autobegin("bulk_save_objects()")
                    self._attach_detached(st, obj)
                    self._modified[st] = obj
                    if st.committed is None:
                        keys = st.mapper._column_keys
                        st.committed = {k: None for k in keys if k in obj.__dict__}
            else:
                self.add(obj)
        self.flush()

    def bulk_insert_mappings(
        self, mapper: Any, mappings: Iterable[dict[str, Any]], return_defaults: bool = False,
        render_nulls: bool = False,
    ) -> None:
        prev = self._enter()
        try:
            self._check_usable("bulk_insert_mappings()")
            context.bulk_insert(self, _mapper_of(mapper), list(mappings))
        finally:
            self._op_thread = prev

    def bulk_update_mappings(self, mapper: Any, mappings: Iterable[dict[str, Any]]) -> None:
        prev = self._enter()
        try:
            self._check_usable("bulk_update_mappings()")
            context.bulk_update(self, _mapper_of(mapper), list(mappings))
        finally:
            self._op_thread = prev


def _mapper_of(entity: Any) -> Mapper:
    return entity if isinstance(entity, Mapper) else class_mapper(entity)


def _normalize_ident(mapper: Mapper, ident: Any) -> Any:
    n = len(mapper._pk_keys)
    if isinstance(ident, dict):
        try:
            values = tuple(ident[k] for k in mapper._pk_keys)
        except KeyError as err:
            raise exc.InvalidRequestError(
                f"Session.get() failed: the identity dict lacks primary key attribute "
                f"{err.args[0]!r} of {mapper.class_.__name__}; it needs: "
                f"{', '.join(mapper._pk_keys)}."
            ) from None
        return values if n > 1 else values[0]
    if isinstance(ident, (tuple, list)):
        if len(ident) != n:
            raise exc.InvalidRequestError(
                f"Session.get() failed: {mapper.class_.__name__} has a {n}-column primary key "
                f"({', '.join(mapper._pk_keys)}); got {len(ident)} values. Pass one value per "
                f"key column, in that order."
            )
        return tuple(ident) if n > 1 else ident[0]
    if n > 1:
        raise exc.InvalidRequestError(
            f"Session.get() failed: {mapper.class_.__name__} has a composite primary key "
            f"({', '.join(mapper._pk_keys)}); pass a tuple or a dict of all its values."
        )
    return ident


def _deleted_error(st: InstanceState, obj: Any) -> ObjectDeletedError:
    return ObjectDeletedError(
        f"Refreshing {type(obj).__name__} with primary key {st.key!r} failed: its row no longer "
        f"exists in the database (deleted, possibly by another transaction). Expunge the object "
        f"or re-create it."
    )


class sessionmaker:  # noqa: N801 - SQLAlchemy's public name
    """A configured Session factory: ``Session = sessionmaker(bind=engine); s = Session()``."""

    def __init__(
        self,
        bind: Any = None,
        *,
        class_: type[Session] = Session,
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

    def __call__(self, **local_kw: Any) -> Session:
        kw = dict(self.kw)
        if "info" in kw and "info" in local_kw:
            local_kw["info"] = {**kw["info"], **local_kw["info"]}
        kw.update(local_kw)
        return self.class_(**kw)

    def begin(self) -> SessionTransaction:
        session = self()
        tx = session.begin()
        tx._close_session_on_exit = True
        return tx

    def configure(self, **new_kw: Any) -> None:
        self.kw.update(new_kw)

    def __repr__(self) -> str:
        return f"sessionmaker(class_={self.class_.__name__}, {self.kw!r})"


def close_all_sessions() -> None:
    """Kept for API compatibility; sessions are closed individually."""


def object_session(instance: Any) -> Session | None:
    st = instance.__dict__.get(STATE_KEY) if hasattr(instance, "__dict__") else None
    return st.session if st is not None else None


def make_transient(instance: Any) -> None:
    st = _state_for(instance, "make_transient()")
    if st.session is not None:
        st.session._detach(st)
    st.key = None
    st.deleted = False
    st.committed = None


def make_transient_to_detached(instance: Any) -> None:
    st = _state_for(instance, "make_transient_to_detached()")
    d = instance.__dict__
    keys = st.mapper._pk_keys
    st.key = tuple(d[k] for k in keys) if len(keys) > 1 else d[keys[0]]
