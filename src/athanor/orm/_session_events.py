"""Session events that follow objects and transactions (the slow paths, only when listened).

Design
------
The session checks one dispatch attribute (or a flag computed with the dispatch, such as
``flush_events`` / ``tx_events``) before calling in here, so a session nobody listens to
never enters this module. The functions here then do the bookkeeping a listener needs:

- a flush notes its pending and deleted objects first (:class:`UOWTransaction`) and, once
  the rows are written and keys assigned, fires ``pending_to_persistent`` /
  ``persistent_to_deleted`` for those that made the move (:func:`fire_flushed`), just
  before ``after_flush_postexec``, as SQLAlchemy orders them;
- a flush runs inside its own short-lived :class:`SessionTransaction` child as far as
  ``after_transaction_create`` / ``after_transaction_end`` listeners see (SQLAlchemy's
  flush subtransaction), though nothing else uses that object;
- ``Query.update()`` / ``Query.delete()`` hand a :class:`BulkContext` to
  ``after_bulk_update`` / ``after_bulk_delete``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from athanor.orm.state import InstanceState


class UOWTransaction:
    """The ``flush_context`` flush listeners receive (made only when one listens): the
    session, and the objects that were pending / deleted when the flush began."""

    __slots__ = ("session", "pending", "deleted")

    def __init__(self, session: Any) -> None:
        self.session = session
        self.pending: list[tuple[Any, Any]] = list(session._new.items())
        self.deleted: list[tuple[Any, Any]] = list(session._deleted.items())


def fire_each(session: Any, name: str, pairs: Iterable[tuple[InstanceState, Any]]) -> None:
    """``name(session, obj)`` for each live object of ``pairs``."""
    for fn in getattr(session._dispatch, name):
        for _st, obj in pairs:
            if obj is not None:
                fn(session, obj)


def fire_one(session: Any, name: str, obj: Any) -> None:
    for fn in getattr(session._dispatch, name):
        fn(session, obj)


def fire_flushed(session: Any, ctx: UOWTransaction, *, after_flush: bool = False) -> None:
    """After a flush: (``after_flush`` first when asked), the state moves of the noted
    objects, then ``after_flush_postexec``."""
    d = session._dispatch
    if after_flush and d.after_flush:
        d.fire("after_flush", session, ctx)
    if d.pending_to_persistent:
        fire_each(session, "pending_to_persistent", [
            (st, o) for st, o in ctx.pending if st.key is not None and st.session is session])
    if d.persistent_to_deleted:
        fire_each(session, "persistent_to_deleted", [(st, o) for st, o in ctx.deleted
                                                     if st.deleted])
    if d.after_flush_postexec:
        d.fire("after_flush_postexec", session, ctx)


def fire_detached(session: Any, states: Iterable[InstanceState]) -> None:
    """Objects leaving the session: ``persistent_to_detached``, ``pending_to_transient``
    or ``deleted_to_detached`` by the state they leave (called before they are detached)."""
    d = session._dispatch
    for st in list(states):
        obj = st()
        if obj is None:
            continue
        if st.key is None:
            name = "pending_to_transient"
        elif st.deleted:
            name = "deleted_to_detached"
        else:
            name = "persistent_to_detached"
        if getattr(d, name):
            fire_one(session, name, obj)


def rollback_moves(session: Any, levels: Iterable[Any]) -> list[tuple[str, Any]]:
    """What a rollback of ``levels`` does to objects, noted before it happens: rows they
    inserted make their objects transient again, rows they deleted make theirs persistent
    again; pending objects become transient. :func:`fire_moves` fires them afterwards."""
    moves: list[tuple[str, Any]] = []
    for tx in levels:
        moves += [("persistent_to_transient", st()) for st in tx.new]
        moves += [("deleted_to_persistent", st()) for st in tx.deleted]
    moves += [("pending_to_transient", obj) for obj in session._new.values()]
    return moves


def fire_moves(session: Any, moves: list[tuple[str, Any]] | None) -> None:
    if moves:
        for name, obj in moves:
            if obj is not None:
                fire_one(session, name, obj)


def transaction_created(session: Any, tx: Any) -> Any:
    if session._dispatch.after_transaction_create:
        session._dispatch.fire("after_transaction_create", session, tx)
    return tx


def transaction_ended(session: Any, tx: Any) -> None:
    if session._dispatch.after_transaction_end:
        session._dispatch.fire("after_transaction_end", session, tx)


def flush_transaction(session: Any) -> Any:
    """The flush's subtransaction as listeners see it (created and announced)."""
    from athanor.orm.transaction import SessionTransaction

    parent = session._stack[-1] if session._stack else None
    return transaction_created(session, SessionTransaction(session, parent, False))


class BulkContext:
    """What ``after_bulk_update`` / ``after_bulk_delete`` listeners receive."""

    def __init__(self, session: Any, query: Any, mapper: Any, result: Any,
                 values: Any = None) -> None:
        self.session = session
        self.query = query
        self.mapper = mapper
        self.result = result
        self.values = values

    @property
    def primary_table(self) -> Any:
        return self.mapper.local_table


__all__ = ["BulkContext", "fire_detached", "fire_each", "fire_flushed", "fire_one",
           "fire_moves", "UOWTransaction", "flush_transaction", "rollback_moves",
           "transaction_created", "transaction_ended"]
