"""Flush planning for mapper inheritance: one row of a class, several tables.

Design
------
:func:`athanor.orm.unitofwork.plan_flush` hands a flush here as soon as one of its objects
belongs to an inheriting mapper. Objects are grouped per *base* mapper (a hierarchy shares
its tables) and each hierarchy is planned table by table, tables in foreign-key order:

- INSERT: every object writes its base-table row (the ordinary ``_plan_inserts``, which
  fetches the generated key); objects of joined subclasses then write one row per subclass
  table. Those child rows need the parent's generated key, known only once the parent batch
  has run, so their batches carry a ``prepare`` step that builds the parameters from the
  objects just before execution.
- UPDATE: only the tables holding a changed column get a statement.
- DELETE: child tables first, then the base table.

Within one table, objects keep the order they were added; consecutive objects of the same
class share one batch (executemany / multi-row INSERT). Objects are reported to the session
(``plan.inserted`` / ``updated`` / ``deleted``) once, from their base table's pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from athanor.orm.persistence import WriteInfo, insert_stmt, pk_params, update_stmt, write_info
from athanor.orm.state import NO_VALUE
from athanor.orm.unitofwork import (
    Batch,
    Capabilities,
    FlushPlan,
    _differs,
    _order_rows,
    _plan_deletes,
    _plan_updates,
    table_rank,
    undo_journal,
)

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper
    from athanor.orm.state import InstanceState

Item = tuple["InstanceState", Any]


class _TableRef:
    """What :func:`table_rank` reads (``local_table``) for a bare table."""

    __slots__ = ("local_table",)

    def __init__(self, table: Any) -> None:
        self.local_table = table


def plan_hierarchies(
    plan: FlushPlan,
    by_mapper: dict[Mapper, list[list[Item]]],
    originals: tuple[Any, Any, Any],
    caps: Capabilities,
) -> FlushPlan:
    slots: list[list[Item]] = []
    for i, items in enumerate(originals):
        if isinstance(items, list):
            slots.append(items)
        else:  # an iterator already consumed: keep the per-class order
            slots.append([it for lists in by_mapper.values() for it in lists[i]])
    groups: dict[Mapper, list[list[Item]]] = {}
    tables: dict[Mapper, list[Any]] = {}
    for slot, items in enumerate(slots):
        for item in items:
            mapper = item[0].mapper
            base = mapper.base_mapper
            g = groups.get(base)
            if g is None:
                g = groups[base] = [[], [], []]
                tables[base] = []
            g[slot].append(item)
            known = tables[base]
            for t in mapper._write_tables:
                if not any(t is k for k in known):
                    known.append(t)
    units = [(t, base) for base, ts in tables.items() for t in ts]
    if len(units) > 1:
        units.sort(key=lambda u: table_rank(_TableRef(u[0])))  # type: ignore[arg-type]
    try:
        for table, base in units:
            ins, upd, _ = groups[base]
            rows = [it for it in ins if any(t is table for t in it[0].mapper._write_tables)]
            if rows:
                if table is base.local_table:
                    _plan_table_inserts(plan, table, _order_rows(plan, rows), caps)
                else:
                    _plan_child_inserts(plan, table, rows)
            for mapper, run in _runs(upd, table):
                if len(mapper._write_tables) == 1:
                    _plan_updates(plan, write_info(mapper), run, caps)
                else:
                    _plan_table_updates(plan, write_info(mapper, table), run,
                                        table is mapper._write_tables[0])
        for table, base in reversed(units):
            dels = groups[base][2]
            for mapper, run in _runs(dels, table):
                info = write_info(mapper) if len(mapper._write_tables) == 1 else write_info(
                    mapper, table)
                n = len(plan.deleted)
                _plan_deletes(plan, info, run, caps)
                if table is not mapper._write_tables[0]:
                    del plan.deleted[n:]  # reported once, from the base table
    except BaseException:
        undo_journal(plan)
        raise
    return plan


def _runs(items: list[Item], table: Any) -> list[tuple[Mapper, list[Item]]]:
    """Consecutive objects of one class that write to ``table``."""
    out: list[tuple[Mapper, list[Item]]] = []
    last: Any = None
    for item in items:
        mapper = item[0].mapper
        if not any(t is table for t in mapper._write_tables):
            continue
        if mapper is not last:
            out.append((mapper, []))
            last = mapper
        out[-1][1].append(item)
    return out


def _info(mapper: Mapper, table: Any) -> WriteInfo:
    return write_info(mapper) if len(mapper._write_tables) == 1 else write_info(mapper, table)


def _plan_table_inserts(plan: FlushPlan, table: Any, items: list[Item],
                        caps: Capabilities) -> None:
    """INSERTs into a hierarchy's base table: rows of any class share a batch when they
    supply the same columns (like ``_plan_inserts``, which batches one class)."""
    current: Batch | None = None
    shape: Any = None
    journal = plan.journal
    inserted = plan.inserted
    infos: dict[Mapper, WriteInfo] = {}
    for item in items:
        mapper = item[0].mapper
        info = infos.get(mapper)
        if info is None:
            info = infos[mapper] = _info(mapper, table)
        d = item[1].__dict__
        params, fetch, filled = info.insert_params(d)
        if filled:
            journal.append((d, filled))
        key = (tuple(params), fetch)
        if current is None or key != shape:
            returning = fetch if caps.returning else ()
            current = Batch("insert", info, insert_stmt(info, returning), fetch)
            current.many = not fetch or (caps.executemany_returning and bool(returning))
            plan.batches.append(current)
            shape = key
        current.rows.append(item)
        current.params.append(params)
        inserted.append(item)


def _plan_child_inserts(plan: FlushPlan, table: Any, items: list[Item]) -> None:
    """A subclass table's INSERTs, their parameters built once the parent rows exist."""
    journal = plan.journal
    runs: list[tuple[Any, WriteInfo, list[Item]]] = []
    for item in items:
        info = _info(item[0].mapper, table)
        shape = tuple(cw.column.key for cw in info.columns)
        if not runs or runs[-1][0] != shape:
            runs.append((shape, info, []))
        runs[-1][2].append(item)
    for _shape, info, rows in runs:
        batch = Batch("insert", info, insert_stmt(info, ()))
        batch.rows.extend(rows)

        def prepare(b: Batch) -> None:
            params = []
            for st, obj in b.rows:
                d = obj.__dict__
                for child_key, parent_key in getattr(st.mapper, "_inherit_sync", ()):
                    if d.get(child_key) is None:
                        d[child_key] = d.get(parent_key)
                        journal.append((d, child_key))
                p, _fetch, filled = _info(st.mapper, table).insert_params(d)
                if filled:
                    journal.append((d, filled))
                params.append(p)
            b.params = params

        batch.prepare = prepare
        plan.batches.append(batch)


def _plan_table_updates(plan: FlushPlan, info: WriteInfo, run: list[Item], first: bool) -> None:
    """UPDATE one table of joined-inheritance objects, for the columns it holds."""
    groups: dict[frozenset[str], Batch] = {}
    by_key = info.by_key
    for item in run:
        st, obj = item
        if first:
            plan.updated.append(item)
        committed = st.committed
        if not committed:
            continue
        d = obj.__dict__
        changed = [
            k for k, old in committed.items()
            if k in by_key and (cur := d.get(k, NO_VALUE)) is not NO_VALUE
            and (old is NO_VALUE or (old is not cur and _differs(old, cur)))
        ]
        if not changed:
            continue
        for cw in info.onupdate:
            if cw.key not in committed:
                d[cw.key] = cw.python_onupdate()  # type: ignore[misc]
                plan.journal.append((d, cw.key))
                changed.append(cw.key)
        keys = frozenset(changed)
        batch = groups.get(keys)
        if batch is None:
            batch = groups[keys] = Batch("update", info, update_stmt(info, keys))
            plan.batches.append(batch)
        params = {info.set_names[k]: d[k] for k in changed}
        params.update(pk_params(info, st.key))
        batch.params.append(params)
        batch.rows.append(item)
