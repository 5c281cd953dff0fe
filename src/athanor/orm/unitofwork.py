"""The flush planner: which rows, which statements, in what order. Pure: no I/O.

Design
------
:func:`plan_flush` turns the session's pending, modified and deleted instances into an
ordered list of *batches*. A batch is one statement shape of one table plus the rows that
use it; the session shell (sync today, async later) executes each batch with one call
(``executemany`` or a multi-row ``INSERT ... RETURNING``) and then calls the batch's
``apply`` step with the result to copy generated keys and defaults back into the objects.

Order: tables are sorted by their foreign keys (parents first); within a table rows keep
the order they were added. Saves run parent-first, deletes child-first, after all saves.
Row-level ordering (issue 6: self-referential rows, rows depending on rows of another table
through relationships) plugs in through :meth:`FlushPlan.add_dependency` and
:func:`_order_rows`, which topologically sorts the rows of one table when such edges exist
and then splits the batch where the order demands.

Nothing in the objects or the session is changed while planning except Python-side column
defaults written into new objects; those are recorded in ``plan.journal`` so a failed flush
can undo them (objects keep their pre-flush state).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from athanor.orm.persistence import (
    WriteInfo,
    delete_stmt,
    insert_params,
    insert_stmt,
    pk_params,
    update_stmt,
    write_info,
)
from athanor.orm.state import NO_VALUE, InstanceState

if TYPE_CHECKING:
    from athanor.orm.mapper import Mapper


class Capabilities:
    """What the connection's dialect and engine can do, read once per flush."""

    __slots__ = ("returning", "executemany_returning", "sane_rowcount", "sane_multi_rowcount")

    def __init__(self, dialect: Any) -> None:
        self.returning = bool(getattr(dialect, "supports_returning", False))
        # Connection.execute(stmt.returning(...), [params, ...]) returns every row in
        # parameter order (docs/internals.md), so RETURNING batches need no per-row loop here.
        self.executemany_returning = self.returning
        self.sane_rowcount = bool(getattr(dialect, "supports_sane_rowcount", False))
        self.sane_multi_rowcount = bool(getattr(dialect, "supports_sane_multi_rowcount", False))


class Batch:
    """One statement and the rows it is executed with."""

    __slots__ = ("kind", "info", "stmt", "rows", "params", "fetch", "many")

    def __init__(self, kind: str, info: WriteInfo, stmt: Any, fetch: tuple[str, ...] = ()) -> None:
        self.kind = kind  # "insert" | "update" | "delete"
        self.info = info
        self.stmt = stmt
        #: (state, instance) per row, aligned with params
        self.rows: list[tuple[InstanceState, Any]] = []
        self.params: list[dict[str, Any]] = []
        self.fetch = fetch
        #: executed as one executemany (or multi-row RETURNING) call rather than per row
        self.many = True

    def __repr__(self) -> str:
        return f"<Batch {self.kind} {self.info.table.name} x{len(self.rows)}>"


class FlushPlan:
    """The ordered batches of one flush plus what to undo if it fails."""

    __slots__ = ("batches", "journal", "inserted", "updated", "deleted", "dependencies")

    def __init__(self) -> None:
        self.batches: list[Batch] = []
        #: (instance __dict__, attribute key) written during the flush, removed on failure
        self.journal: list[tuple[dict[str, Any], str]] = []
        self.inserted: list[tuple[InstanceState, Any]] = []
        self.updated: list[tuple[InstanceState, Any]] = []
        self.deleted: list[tuple[InstanceState, Any]] = []
        #: row-level edges: state -> states that must be written first (relationships)
        self.dependencies: dict[InstanceState, set[InstanceState]] = {}

    def add_dependency(self, before: InstanceState, after: InstanceState) -> None:
        self.dependencies.setdefault(after, set()).add(before)


# ------------------------------------------------------------------------------------
# table order


_order_cache: dict[int, tuple[int, dict[Any, int]]] = {}


def table_rank(mapper: Mapper) -> int:
    """Position of the mapper's table in foreign-key order (parents first)."""
    table = mapper.local_table
    md = getattr(table, "metadata", None)
    if md is None:
        return 0
    tables = getattr(md, "tables", {})
    cached = _order_cache.get(id(md))
    if cached is None or cached[0] != len(tables):
        sorted_tables = getattr(md, "sorted_tables", None)
        order = list(sorted_tables) if sorted_tables is not None else _sort_tables(
            list(tables.values())
        )
        cached = (len(tables), {t: i for i, t in enumerate(order)})
        _order_cache[id(md)] = cached
    return cached[1].get(table, 0)


def _sort_tables(tables: list[Any]) -> list[Any]:
    deps: dict[Any, set[Any]] = {}
    for t in tables:
        parents = set()
        for fk in getattr(t, "foreign_keys", ()):
            target = getattr(getattr(fk, "column", None), "table", None)
            if target is not None and target is not t:
                parents.add(target)
        deps[t] = parents
    out: list[Any] = []
    seen: set[Any] = set()
    visiting: set[Any] = set()

    def visit(t: Any) -> None:
        if t in seen or t in visiting:
            return  # a cycle: keep declaration order for the rest
        visiting.add(t)
        for p in deps.get(t, ()):
            visit(p)
        visiting.discard(t)
        seen.add(t)
        out.append(t)

    for t in tables:
        visit(t)
    return out


# ------------------------------------------------------------------------------------
# planning


def plan_flush(
    new: Iterable[tuple[InstanceState, Any]],
    modified: Iterable[tuple[InstanceState, Any]],
    deleted: Iterable[tuple[InstanceState, Any]],
    caps: Capabilities,
) -> FlushPlan:
    """Plan the statements of one flush. Raises FlushError before anything is executed."""
    plan = FlushPlan()
    by_mapper: dict[Mapper, list[list[tuple[InstanceState, Any]]]] = {}

    def bucket(st: InstanceState) -> list[list[tuple[InstanceState, Any]]]:
        b = by_mapper.get(st.mapper)
        if b is None:
            b = by_mapper[st.mapper] = [[], [], []]
        return b

    for item in new:
        bucket(item[0])[0].append(item)
    for item in modified:
        bucket(item[0])[1].append(item)
    for item in deleted:
        bucket(item[0])[2].append(item)
    order = sorted(by_mapper, key=table_rank)
    try:
        for mapper in order:
            ins, upd, _ = by_mapper[mapper]
            info = write_info(mapper)
            if ins:
                _plan_inserts(plan, info, ins, caps)
            if upd:
                _plan_updates(plan, info, upd)
        for mapper in reversed(order):
            dels = by_mapper[mapper][2]
            if dels:
                _plan_deletes(plan, write_info(mapper), dels)
    except BaseException:
        undo_journal(plan)
        raise
    return plan


def _plan_inserts(
    plan: FlushPlan, info: WriteInfo, items: list[tuple[InstanceState, Any]], caps: Capabilities
) -> None:
    current: Batch | None = None
    journal = plan.journal
    for st, obj in _order_rows(plan, items):
        d = obj.__dict__
        params, fetch, filled = insert_params(info, obj, d)
        for key in filled:
            journal.append((d, key))
        returning = fetch if caps.returning else ()
        if current is None or current.fetch != fetch:
            current = Batch("insert", info, insert_stmt(info, returning), fetch)
            current.many = not fetch or (caps.executemany_returning and bool(returning))
            plan.batches.append(current)
        current.rows.append((st, obj))
        current.params.append(params)
        plan.inserted.append((st, obj))


def _plan_updates(plan: FlushPlan, info: WriteInfo, items: list[tuple[InstanceState, Any]]) -> None:
    groups: dict[frozenset[str], Batch] = {}
    onupdate = info.onupdate
    set_names = info.set_names
    pk_names = info.pk_names
    single_pk = pk_names[0] if len(pk_names) == 1 else None
    updated = plan.updated
    batches = plan.batches
    for st, obj in items:
        committed = st.committed
        if not committed:
            continue
        d = obj.__dict__
        try:
            changed = [
                k for k, old in committed.items()
                if (cur := d.get(k, NO_VALUE)) is not NO_VALUE
                and (old is NO_VALUE or (old is not cur and old != cur))
            ]
        except Exception:  # a value type whose != raises: compare one by one
            changed = [
                k for k, old in committed.items()
                if (cur := d.get(k, NO_VALUE)) is not NO_VALUE and (
                    old is NO_VALUE or _differs(old, cur))
            ]
        updated.append((st, obj))
        if not changed:
            continue
        for cw in onupdate:
            if cw.key not in committed:
                d[cw.key] = cw.python_onupdate()  # type: ignore[misc]
                plan.journal.append((d, cw.key))
                changed.append(cw.key)
        keys = frozenset(changed)
        batch = groups.get(keys)
        if batch is None:
            batch = groups[keys] = Batch("update", info, update_stmt(info, keys))
            batches.append(batch)
        params = {set_names[k]: d[k] for k in changed}
        if single_pk is not None:
            params[single_pk] = st.key
        else:
            params.update(zip(pk_names, st.key))
        batch.rows.append((st, obj))
        batch.params.append(params)


def _differs(old: Any, new: Any) -> bool:
    if old is new:
        return False
    try:
        return bool(old != new)
    except Exception:  # values that refuse comparison are treated as changed
        return True


def _plan_deletes(plan: FlushPlan, info: WriteInfo, items: list[tuple[InstanceState, Any]]) -> None:
    batch = Batch("delete", info, delete_stmt(info))
    for st, obj in items:
        batch.rows.append((st, obj))
        batch.params.append(pk_params(info, st.key))
        plan.deleted.append((st, obj))
    plan.batches.append(batch)


def _order_rows(
    plan: FlushPlan, items: list[tuple[InstanceState, Any]]
) -> list[tuple[InstanceState, Any]]:
    """Rows of one table in dependency order (add order when there are no row edges)."""
    deps = plan.dependencies
    if not deps:
        return items
    index = {st: i for i, (st, _) in enumerate(items)}
    out: list[tuple[InstanceState, Any]] = []
    done: set[InstanceState] = set()

    def visit(i: int) -> None:
        st, obj = items[i]
        if st in done:
            return
        done.add(st)
        for before in deps.get(st, ()):
            j = index.get(before)
            if j is not None:
                visit(j)
        out.append((st, obj))

    for i in range(len(items)):
        visit(i)
    return out


def undo_journal(plan: FlushPlan) -> None:
    """Remove values the flush wrote into objects (defaults, generated keys)."""
    for d, key in reversed(plan.journal):
        d.pop(key, None)
    plan.journal.clear()
