"""The event dispatch core: per-target listener tuples, read by the hot paths.

Every target class (``Pool``, ``Engine``, ``Session``) carries a class attribute
``_dispatch = NO_EVENTS``: a shared, empty :class:`Dispatch` whose every event attribute is the
empty tuple. A hot path therefore pays one attribute check (``if self._dispatch.connect:``)
when nobody listens. The first ``listen()`` on a target gives it its own :class:`Dispatch`
(see ``athanor.event._dispatch_for``); ``listen``/``remove`` recompute the affected tuple, so firing
is a plain loop over a tuple with no locking and no copying.

A dispatch may have a parent (a ``Session`` made by a ``sessionmaker`` that has listeners,
or any instance of a class that has listeners): its tuples are the parent's listeners
followed by its own, and are refreshed when the parent changes (children are held weakly).

This module knows no target types; :mod:`athanor.event` (the public facade, top layer) maps
targets to dispatches, and the pool, engine and session call :meth:`Dispatch.fire` here.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

#: Every event name any target supports; each is an attribute of every Dispatch.
EVENT_NAMES: tuple[str, ...] = (
    # pool
    "connect", "first_connect", "checkout", "checkin",
    # engine
    "before_cursor_execute", "after_cursor_execute", "before_execute", "after_execute",
    "begin", "commit", "rollback", "engine_connect", "handle_error",
    # session
    "before_flush", "after_flush", "after_commit", "after_rollback",
    "after_begin", "before_commit", "after_flush_postexec", "after_soft_rollback",
    "after_attach", "do_orm_execute", "before_attach", "after_transaction_create",
    "after_transaction_end", "after_bulk_update", "after_bulk_delete",
    # session: object state transitions
    "transient_to_pending", "pending_to_transient", "pending_to_persistent",
    "persistent_to_detached", "persistent_to_deleted", "deleted_to_detached",
    "deleted_to_persistent", "persistent_to_transient", "loaded_as_persistent",
    "detached_to_persistent",
)


#: The events a Session (class, instance, sessionmaker) takes: the names from here on.
SESSION_EVENT_NAMES: tuple[str, ...] = EVENT_NAMES[EVENT_NAMES.index("before_flush"):]


class Dispatch:
    """The listeners of one target, as one tuple attribute per event name."""

    connect: tuple[Callable[..., Any], ...]
    first_connect: tuple[Callable[..., Any], ...]
    checkout: tuple[Callable[..., Any], ...]
    checkin: tuple[Callable[..., Any], ...]
    before_cursor_execute: tuple[Callable[..., Any], ...]
    after_cursor_execute: tuple[Callable[..., Any], ...]
    before_execute: tuple[Callable[..., Any], ...]
    after_execute: tuple[Callable[..., Any], ...]
    begin: tuple[Callable[..., Any], ...]
    commit: tuple[Callable[..., Any], ...]
    rollback: tuple[Callable[..., Any], ...]
    engine_connect: tuple[Callable[..., Any], ...]
    handle_error: tuple[Callable[..., Any], ...]
    before_flush: tuple[Callable[..., Any], ...]
    after_flush: tuple[Callable[..., Any], ...]
    after_commit: tuple[Callable[..., Any], ...]
    after_rollback: tuple[Callable[..., Any], ...]
    after_begin: tuple[Callable[..., Any], ...]
    before_commit: tuple[Callable[..., Any], ...]
    after_flush_postexec: tuple[Callable[..., Any], ...]
    after_soft_rollback: tuple[Callable[..., Any], ...]
    after_attach: tuple[Callable[..., Any], ...]
    do_orm_execute: tuple[Callable[..., Any], ...]
    before_attach: tuple[Callable[..., Any], ...]
    after_transaction_create: tuple[Callable[..., Any], ...]
    after_transaction_end: tuple[Callable[..., Any], ...]
    after_bulk_update: tuple[Callable[..., Any], ...]
    after_bulk_delete: tuple[Callable[..., Any], ...]
    transient_to_pending: tuple[Callable[..., Any], ...]
    pending_to_transient: tuple[Callable[..., Any], ...]
    pending_to_persistent: tuple[Callable[..., Any], ...]
    persistent_to_detached: tuple[Callable[..., Any], ...]
    persistent_to_deleted: tuple[Callable[..., Any], ...]
    deleted_to_detached: tuple[Callable[..., Any], ...]
    deleted_to_persistent: tuple[Callable[..., Any], ...]
    persistent_to_transient: tuple[Callable[..., Any], ...]
    loaded_as_persistent: tuple[Callable[..., Any], ...]
    detached_to_persistent: tuple[Callable[..., Any], ...]

    def __init__(self, parent: Dispatch | tuple[Dispatch, ...] | None = None, *,
                 frozen: bool = False) -> None:
        self._own: dict[str, list[Callable[..., Any]]] = {}
        self._once: set[int] = set()
        #: parents (several for a class with several listened-to bases), their listeners first
        self._parents = parent if isinstance(parent, tuple) else (
            () if parent is None else (parent,))
        self._children: weakref.WeakSet[Dispatch] = weakref.WeakSet()
        self._frozen = frozen
        #: True once ``first_connect`` has run for this target.
        self.first_connect_done = False
        #: True when either cursor event has a listener (the engine's one check).
        self.cursor_events = False
        #: True when before_execute / after_execute has a listener (Connection.execute).
        self.statement_events = False
        #: True when ``connect`` or ``first_connect`` has a listener (the pool's one check).
        self.connect_events = False
        #: True when a flush has listeners (it then makes a flush context for them)
        self.flush_events = False
        #: True when a Session transaction's start or end has a listener
        self.tx_events = False
        #: True when objects leaving a Session (expunge, close, rollback) have a listener
        self.detach_events = False
        for p in self._parents:
            p._children.add(self)
        self._refresh()

    def _refresh(self) -> None:
        parents = self._parents
        for name in EVENT_NAMES:
            if len(parents) == 1:
                inherited = getattr(parents[0], name)
            else:  # a listener reached through two bases runs once
                inherited = tuple(dict.fromkeys(fn for p in parents for fn in getattr(p, name)))
            setattr(self, name, inherited + tuple(self._own.get(name, ())))
        self.cursor_events = bool(self.before_cursor_execute or self.after_cursor_execute)
        self.statement_events = bool(self.before_execute or self.after_execute)
        self.connect_events = bool(self.connect or self.first_connect)
        self.flush_events = bool(
            self.before_flush or self.after_flush or self.after_flush_postexec
            or self.pending_to_persistent or self.persistent_to_deleted)
        self.tx_events = bool(self.after_transaction_create or self.after_transaction_end)
        self.detach_events = bool(
            self.persistent_to_detached or self.pending_to_transient or self.deleted_to_detached
            or self.deleted_to_persistent or self.persistent_to_transient)
        for child in list(self._children):
            child._refresh()

    def add(self, name: str, fn: Callable[..., Any], *, insert: bool = False) -> None:
        """Register ``fn`` for ``name`` (first when ``insert``)."""
        if self._frozen:
            raise TypeError(
                "Adding a listener failed: the shared empty dispatch is read-only. Use "
                "athanor.event.listen(), which gives the target its own dispatch."
            )
        own = self._own.setdefault(name, [])
        if insert:
            own.insert(0, fn)
        else:
            own.append(fn)
        self._refresh()

    def discard(self, name: str, fn: Callable[..., Any]) -> bool:
        """Remove ``fn`` from ``name``; False when it was not registered here."""
        own = self._own.get(name)
        if not own or fn not in own:
            return False
        own.remove(fn)
        self._refresh()
        return True

    def has(self, name: str, fn: Callable[..., Any]) -> bool:
        return fn in self._own.get(name, ())

    def fire(self, name: str, *args: Any) -> None:
        """Call every listener of ``name`` with ``args``, in registration order."""
        for fn in getattr(self, name):
            fn(*args)

    def fire_connect(self, dbapi_connection: Any, record: Any) -> None:
        """A new driver connection: ``first_connect`` once per target, then ``connect``."""
        if self.first_connect and not self.first_connect_done:
            self.first_connect_done = True
            self.fire("first_connect", dbapi_connection, record)
        self.fire("connect", dbapi_connection, record)

    def before_cursor(
        self, conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool
    ) -> tuple[str, Any]:
        """Run ``before_cursor_execute``; a listener registered with ``retval=True``
        returns the (statement, parameters) to use instead."""
        for fn in self.before_cursor_execute:
            out = fn(conn, cursor, sql, params, context, many)
            if getattr(fn, "_athanor_retval", False) and out is not None:
                sql, params = out
        return sql, params


#: The shared empty dispatch every target class starts with.
NO_EVENTS = Dispatch(frozen=True)


def execute_with_events(
    dispatch: Dispatch, conn: Any, cursor: Any, sql: str, params: Any, many: bool,
    context: Any = None,
) -> None:
    """Run one cursor execution surrounded by the cursor events (the engine's slow path)."""
    if context is None:
        context = SimpleNamespace(connection=conn, cursor=cursor, statement=sql,
                                  parameters=params, executemany=many)
    sql, params = dispatch.before_cursor(conn, cursor, sql, params, context, many)
    if many:
        cursor.executemany(sql, params)
    elif params is None:
        cursor.execute(sql)
    else:
        cursor.execute(sql, params)
    for fn in dispatch.after_cursor_execute:
        fn(conn, cursor, sql, params, context, many)


__all__ = ["Dispatch", "EVENT_NAMES", "NO_EVENTS", "SESSION_EVENT_NAMES", "execute_with_events"]
