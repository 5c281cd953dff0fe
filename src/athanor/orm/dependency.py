"""Flushing relationships: cascades, foreign-key synchronisation and row-level ordering.

Design
------
The ORM core plans one flush as table-ordered batches whose parameters are read from the
objects when planning (:func:`athanor.orm.unitofwork.plan_flush`). Relationships add row
dependencies: a child's foreign key can only be filled once its new parent has a key. This
module therefore runs a flush with relationship work as a short series of *rounds*, each
one ordinary core plan:

1. cascades: ``save-update`` adds reachable transient objects, ``delete`` adds related
   objects to the deleted set (loading collections unless ``passive_deletes``); children of
   a deleted parent without ``delete`` cascade get their foreign key set to NULL;
2. *syncs* are collected: "copy the key of parent P into the foreign key of child C" (or
   NULL), from new objects' relationship values and from the changes recorded by
   :mod:`athanor.orm.collections`; children left without parent under ``delete-orphan``
   are deleted;
3. each object to save gets a level: 0 if none of its parents is new, else one more than
   its deepest new parent (self-referential rows included). A cycle that no
   ``post_update=True`` relationship breaks raises :class:`CircularDependencyError` naming
   the relationships. Round *k* applies the syncs of level-*k* children, then plans and
   runs the level-*k* inserts and updates (so parents are always written first, and each
   round still batches whole tables);
4. ``post_update`` foreign keys are written by UPDATEs after all inserts; many-to-many
   rows of ``secondary`` tables are deleted and inserted with executemany;
5. deletes run children first (levels again, reversed), after the NULL updates.

:func:`needed` keeps flushes without relationship work on the core path.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from athanor.orm.collections import Change, state_for
from athanor.orm.exc import FlushError
from athanor.orm.relationships import MANYTOMANY, MANYTOONE, ONETOMANY, relationships_of
from athanor.orm.state import STATE_KEY

if TYPE_CHECKING:
    from athanor.orm.relationships import RelationshipProperty
    from athanor.orm.session import Session
    from athanor.orm.state import InstanceState
    from athanor.orm.unitofwork import Capabilities


class CircularDependencyError(FlushError):
    """Raised when rows depend on each other in a cycle no ``post_update`` breaks."""


def _rels(mapper: Any) -> list[RelationshipProperty]:
    return [p for p in relationships_of(mapper) if not p.viewonly]


def needed(session: Session) -> bool:
    """True when this flush involves relationships."""
    if session.__dict__.get("_athanor_rel"):
        return True
    mappers = {st.mapper for d in (session._new, session._modified, session._deleted)
               for st in d}
    return any(_rels(m) for m in mappers)


class Sync:
    """Copy ``parent``'s key columns into ``child``'s foreign key columns (None: NULL)."""

    __slots__ = ("child", "parent", "prop", "pairs")

    def __init__(self, child: Any, parent: Any, prop: RelationshipProperty) -> None:
        self.child = child
        self.parent = parent
        self.prop = prop
        self.pairs = prop._sync  # (parent attribute key, child attribute key)

    def apply(self) -> None:
        child, parent = self.child, self.parent
        for src, dest in self.pairs:
            value = getattr(parent, src) if parent is not None else None
            if child.__dict__.get(dest, _UNSET) is not value:
                setattr(child, dest, value)


_UNSET: Any = object()


def flush(session: Session, conn: Any, caps: Capabilities) -> None:
    """Run a flush with relationship work (see the module docstring)."""
    from athanor.orm.relationships import configure_pending

    configure_pending()
    changes: dict[tuple[InstanceState, str], Change] = session.__dict__.pop("_athanor_rel", {})
    try:
        _run(session, conn, caps, changes)
    except BaseException:
        session.__dict__["_athanor_rel"] = changes
        raise


def _run(session: Session, conn: Any, caps: Capabilities,
         changes: dict[tuple[InstanceState, str], Change]) -> None:
    _cascade_saves(session, changes)
    nulls, owner_deletes = _cascade_deletes(session, list(session._deleted.values()))
    syncs, m2m_add, m2m_del, orphans = _collect(session, changes)
    syncs = nulls + syncs
    seen = set(session._deleted)
    while True:  # deleted orphans cascade in turn (their m2m rows, their own children)
        final = _final_syncs(session, syncs, orphans)
        more = [o for st, o in session._deleted.items() if st not in seen]
        if not more:
            break
        nulls, owners = _cascade_deletes(session, more)
        seen.update(session._deleted)
        syncs = nulls + syncs
        owner_deletes += owners
    post = [s for s in final if s.prop.post_update and s.parent is not None]
    normal = [s for s in final if not (s.prop.post_update and s.parent is not None)]
    _save_rounds(session, conn, caps, normal)
    if post:
        for s in post:
            s.apply()
        _plan_and_run(session, conn, caps, [], _modified(session, None))
    _secondary(conn, m2m_add, m2m_del, owner_deletes)
    _delete_rounds(session, conn, caps)


# --------------------------------------------------------------------------------------
# cascades


def _cascade_saves(session: Session, changes: dict[Any, Change]) -> None:
    roots = list(session._new.values()) + list(session._modified.values()) + [
        ch.obj for ch in changes.values()]
    seen: set[int] = set()
    queue = [o for o in roots if o is not None]
    i = 0
    while i < len(queue):  # breadth-first, so rows keep the order they were added in
        obj = queue[i]
        i += 1
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        for prop in _rels(obj.__dict__[STATE_KEY].mapper):
            if not prop.cascade.save_update:
                continue
            for item in prop.loaded_items(obj):
                ist = state_for(item)
                if ist.session is None and not ist.deleted:
                    session.add(item)
                if ist.session is session:
                    queue.append(item)


def _cascade_deletes(session: Session, queue: list[Any]
                     ) -> tuple[list[Sync], list[tuple[Any, Any]]]:
    """Follow delete cascades from the objects in ``queue`` (deleting them in turn)."""
    nulls: list[Sync] = []
    owner_deletes: list[tuple[Any, Any]] = []
    done: set[int] = set()
    while queue:
        obj = queue.pop()
        if id(obj) in done:
            continue
        done.add(id(obj))
        for prop in _rels(obj.__dict__[STATE_KEY].mapper):
            prop.setup()
            loaded = prop.key in obj.__dict__
            if prop.direction == MANYTOMANY:
                if not prop.passive_deletes:
                    owner_deletes.append((prop, obj))
                continue
            if prop.direction == MANYTOONE and not prop.cascade.delete:
                continue
            if prop.passive_deletes and not loaded:
                continue
            for item in prop.items(obj):
                ist = state_for(item)
                if prop.cascade.delete:
                    if ist.key is None:
                        if ist.session is session:
                            session.expunge(item)
                    elif not ist.deleted and ist not in session._deleted:
                        session.delete(item)
                        queue.append(item)
                elif prop.direction == ONETOMANY and prop.passive_deletes != "all":
                    nulls.append(Sync(item, None, prop))
    return nulls, owner_deletes


# --------------------------------------------------------------------------------------
# collecting work


def _present(coll: Any, item: Any) -> bool:
    if coll is None:
        return False
    if not hasattr(coll, "__iter__"):
        return coll is item
    return any(o is item for o in (coll.values() if isinstance(coll, dict) else coll))


def _collect(session: Session, changes: dict[Any, Change]) -> tuple[
        list[Sync], list[tuple[Any, Any, Any]], list[tuple[Any, Any, Any]], set[int]]:
    syncs: list[Sync] = []
    orphans: set[int] = set()
    m2m_add: list[tuple[Any, Any, Any]] = []
    m2m_del: list[tuple[Any, Any, Any]] = []
    for st, obj in list(session._new.items()):
        for prop in _rels(st.mapper):
            if prop.key not in obj.__dict__:
                continue
            prop.setup()
            value = obj.__dict__[prop.key]
            if prop.direction == MANYTOONE:
                if value is not None:
                    syncs.append(Sync(obj, value, prop))
            elif prop.direction == ONETOMANY:
                syncs.extend(Sync(item, obj, prop) for item in prop.loaded_items(obj))
            else:
                m2m_add.extend((prop, obj, item) for item in prop.loaded_items(obj))
    for (st, key), ch in changes.items():
        if st in session._new or st.deleted or st in session._deleted or st.session is not session:
            continue
        prop = st.mapper._props[key]
        if prop.viewonly:
            continue
        obj = ch.obj
        current = obj.__dict__.get(key)
        if prop.direction == MANYTOONE:
            if ch.scalar:
                syncs.append(Sync(obj, current, prop))
        elif prop.direction == ONETOMANY:
            for item in ch.removed:
                if not _present(current, item):
                    syncs.append(Sync(item, None, prop))
                    if prop.cascade.delete_orphan:
                        orphans.add(id(item))
            for item in ch.added:
                if _present(current, item):
                    syncs.append(Sync(item, obj, prop))
        else:
            m2m_del.extend((prop, obj, item) for item in ch.removed
                           if not _present(current, item))
            m2m_add.extend((prop, obj, item) for item in ch.added if _present(current, item))
    return syncs, m2m_add, m2m_del, orphans


def _final_syncs(session: Session, syncs: list[Sync], orphans: set[int]) -> list[Sync]:
    """One sync per child foreign key (a real parent beats NULL); orphans deleted."""
    final: dict[tuple[int, tuple[Any, ...]], Sync] = {}
    for s in syncs:
        k = (id(s.child), tuple(d for _, d in s.pairs))
        old = final.get(k)
        if old is None or s.parent is not None or old.parent is None:
            final[k] = s
    out = []
    for s in final.values():
        cst = state_for(s.child)
        if cst.deleted or cst in session._deleted:
            continue
        if s.parent is None and id(s.child) in orphans:
            if cst.key is not None:
                if cst.session is session:
                    session.delete(s.child)
            elif cst.session is session:
                session.expunge(s.child)
            continue
        if cst.session is not session:
            continue
        out.append(s)
    return out


# --------------------------------------------------------------------------------------
# saves


def _levels(session: Session, syncs: list[Sync]) -> dict[InstanceState, int]:
    edges: dict[InstanceState, list[tuple[InstanceState, Sync]]] = {}
    new = session._new
    for s in syncs:
        if s.parent is None:
            continue
        pst = state_for(s.parent)
        if pst in new:
            edges.setdefault(state_for(s.child), []).append((pst, s))
    return _longest_paths(edges)


def _longest_paths(edges: dict[Any, list[tuple[Any, Sync]]]) -> dict[Any, int]:
    """Level of each child: 1 + the deepest level of its new parents (iterative DFS)."""
    levels: dict[Any, int] = {}
    for root in list(edges):
        if root in levels:
            continue
        path: list[tuple[Any, Sync | None]] = [(root, None)]
        on_path = {root}
        stack = [iter(edges.get(root, ()))]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                node = path.pop()[0]
                on_path.discard(node)
                stack.pop()
                levels[node] = max((levels[p] + 1 for p, _ in edges.get(node, ())), default=0)
                continue
            parent, via = step
            if parent in levels:
                continue
            if parent in on_path:
                _cycle(path, parent, via)
            path.append((parent, via))
            on_path.add(parent)
            stack.append(iter(edges.get(parent, ())))
    return levels


def _cycle(visiting: list[tuple[Any, Sync | None]], st: Any, via: Sync | None) -> None:
    start = next(i for i, (v, _) in enumerate(visiting) if v is st)
    props = sorted({str(s.prop) for _, s in visiting[start + 1:] if s is not None} | (
        {str(via.prop)} if via is not None else set()))
    raise CircularDependencyError(
        f"Flushing failed: rows depend on each other in a cycle through "
        f"{', '.join(props)}, so no insert order can fill every foreign key. Set "
        f"post_update=True on one of these relationships to write its foreign key with a "
        f"separate UPDATE. Nothing was written."
    )


def _modified(session: Session, levels: dict[Any, int] | None, lv: int = 0
              ) -> list[tuple[Any, Any]]:
    deleted = session._deleted
    return [(st, o) for st, o in session._modified.items() if st not in deleted and (
        levels is None or levels.get(st, 0) == lv)]


def _plan_and_run(session: Session, conn: Any, caps: Capabilities,
                  new: list[tuple[Any, Any]], modified: list[tuple[Any, Any]],
                  deleted: Iterable[tuple[Any, Any]] = ()) -> None:
    try:
        from athanor.orm.flush import run_plan
    except ImportError:  # before the ORM core split its flush executor out of session.py
        from athanor.orm.session import run_plan  # type: ignore[attr-defined,no-redef]
    from athanor.orm.unitofwork import plan_flush, undo_journal

    deleted = list(deleted)
    if not (new or modified or deleted):
        return
    plan = plan_flush(new, modified, deleted, caps)
    try:
        run_plan(conn, plan, caps)
    except BaseException:
        undo_journal(plan)
        raise
    session._finalize(plan)


def _save_rounds(session: Session, conn: Any, caps: Capabilities, syncs: list[Sync]) -> None:
    levels = _levels(session, syncs)
    by_level: dict[int, list[Sync]] = {}
    for s in syncs:
        by_level.setdefault(levels.get(state_for(s.child), 0), []).append(s)
    top = max(levels.values(), default=0)
    for lv in range(top + 1):
        for s in by_level.get(lv, ()):
            s.apply()
        new = [(st, o) for st, o in session._new.items() if levels.get(st, 0) == lv]
        _plan_and_run(session, conn, caps, new, _modified(session, levels, lv))


# --------------------------------------------------------------------------------------
# many-to-many rows


def _sec_row(prop: RelationshipProperty, owner: Any, item: Any) -> dict[str, Any]:
    row = {s.key: getattr(owner, k) for k, s in prop._sec_local_keys}
    row.update({s.key: getattr(item, k) for k, s in prop._sec_remote_keys})
    return row


def _secondary(conn: Any, adds: list[Any], dels: list[Any], owner_deletes: list[Any]) -> None:
    from athanor.sql import and_, bindparam, delete

    for prop, owner in owner_deletes:
        sec = prop.secondary
        crit = and_(*[s == bindparam("_o_" + s.key) for _, s in prop._sec_local_keys])
        conn.execute(delete(sec).where(crit), {
            "_o_" + s.key: getattr(owner, k) for k, s in prop._sec_local_keys})
    grouped_del: dict[Any, dict[tuple[Any, ...], dict[str, Any]]] = {}
    for prop, owner, item in dels:
        row = _sec_row(prop, owner, item)
        grouped_del.setdefault(prop.secondary, {})[tuple(sorted(row.items()))] = row
    for sec, rows in grouped_del.items():
        keys = sorted(next(iter(rows.values())))
        crit = and_(*[sec.c[k] == bindparam("_d_" + k) for k in keys])
        conn.execute(delete(sec).where(crit),
                     [{"_d_" + k: v for k, v in r.items()} for r in rows.values()])
    grouped_add: dict[Any, dict[tuple[Any, ...], dict[str, Any]]] = {}
    for prop, owner, item in adds:
        row = _sec_row(prop, owner, item)
        grouped_add.setdefault(prop.secondary, {})[tuple(sorted(row.items()))] = row
    for sec, rows in grouped_add.items():
        conn.execute(sec.insert(), list(rows.values()))


# --------------------------------------------------------------------------------------
# deletes


def _delete_rounds(session: Session, conn: Any, caps: Capabilities) -> None:
    items = list(session._deleted.items())
    if not items:
        return
    deleted = {st for st, _ in items}
    _unlink_post_updates(session, conn, caps, items)
    after: dict[InstanceState, set[InstanceState]] = {}  # parent -> children deleted first
    for st, obj in items:
        for prop in _rels(st.mapper):
            if prop.post_update:
                continue
            for item in prop.loaded_items(obj):
                ist = item.__dict__.get(STATE_KEY)
                if ist is None or ist not in deleted or ist is st:
                    continue
                if prop.direction == MANYTOONE:
                    after.setdefault(ist, set()).add(st)
                elif prop.direction == ONETOMANY:
                    after.setdefault(st, set()).add(ist)
    levels: dict[InstanceState, int] = {}

    def level(st: InstanceState, trail: frozenset[InstanceState]) -> int:
        if st in levels:
            return levels[st]
        lv = 0
        for child in after.get(st, ()):
            if child not in trail:
                lv = max(lv, level(child, trail | {st}) + 1)
        levels[st] = lv
        return lv

    for st, _ in items:
        level(st, frozenset())
    for lv in range(max(levels.values(), default=0) + 1):
        batch = [(st, o) for st, o in items if levels.get(st, 0) == lv]
        _plan_and_run(session, conn, caps, [], [], batch)


def _unlink_post_updates(session: Session, conn: Any, caps: Capabilities,
                         items: list[tuple[Any, Any]]) -> None:
    """NULL the ``post_update`` foreign keys of rows about to be deleted (breaks cycles)."""
    touched = []
    for st, obj in items:
        for prop in _rels(st.mapper):
            if not (prop.post_update and prop.direction == MANYTOONE):
                continue
            if any(getattr(obj, dest) is not None for _, dest in prop._sync):
                Sync(obj, None, prop).apply()
                touched.append((st, obj))
    if touched:
        _plan_and_run(session, conn, caps, [], touched)
