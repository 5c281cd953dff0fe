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

    __slots__ = (
        "dialect",
        "returning",
        "executemany_returning",
        "sane_rowcount",
        "sane_multi_rowcount",
        "lastrowid",
    )

    def __init__(self, dialect: Any) -> None:
        self.dialect = dialect
        self.returning = bool(getattr(dialect, "supports_returning", False))
        # Connection.execute(stmt.returning(...), [params, ...]) returns every row in
        # parameter order (docs/internals.md), so RETURNING batches need no per-row loop here.
        self.executemany_returning = self.returning
        self.sane_rowcount = bool(getattr(dialect, "supports_sane_rowcount", False))
        self.sane_multi_rowcount = bool(getattr(dialect, "supports_sane_multi_rowcount", False))
        #: a one-row INSERT learns its autoincrement key from ``cursor.lastrowid``
        self.lastrowid = bool(getattr(dialect, "postfetch_lastrowid", False))


class Batch:
    """One statement and the rows it is executed with."""

    __slots__ = ("kind", "info", "stmt", "rows", "params", "fetch", "many", "compiled", "prepare")

    def __init__(self, kind: str, info: WriteInfo, stmt: Any, fetch: tuple[str, ...] = ()) -> None:
        self.kind = kind  # "insert" | "update" | "delete" | "delete_in"
        self.info = info
        self.stmt = stmt
        #: (state, instance) per row, aligned with params
        self.rows: list[tuple[InstanceState, Any]] = []
        #: dicts keyed by bind name, or tuples in bind order when ``compiled`` is set
        self.params: list[Any] = []
        self.fetch = fetch
        #: executed as one executemany (or multi-row RETURNING) call rather than per row
        self.many = True
        #: when set, ``params`` are driver-ready tuples for ``compiled.string`` (fast path)
        self.compiled: Any = None
        #: when set, called with the batch just before it runs to build ``params`` from the
        #: objects (joined-inheritance child rows need the parent row's generated key)
        self.prepare: Any = None

    def __repr__(self) -> str:
        return f"<Batch {self.kind} {self.info.table.name} x{len(self.rows)}>"


class FlushPlan:
    """The ordered batches of one flush plus what to undo if it fails."""

    __slots__ = ("batches", "journal", "inserted", "updated", "deleted", "dependencies")

    def __init__(self) -> None:
        self.batches: list[Batch] = []
        #: (instance __dict__, attribute key or list of keys) written during the flush,
        #: removed again if it fails
        self.journal: list[tuple[dict[str, Any], Any]] = []
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
        order = (
            list(sorted_tables)
            if sorted_tables is not None
            else _sort_tables(list(tables.values()))
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
    for slot, items in enumerate((new, modified, deleted)):
        last_mapper: Any = None
        target: list[tuple[InstanceState, Any]] = []
        for item in items:
            mapper = item[0].mapper
            if mapper is not last_mapper:
                b = by_mapper.get(mapper)
                if b is None:
                    b = by_mapper[mapper] = [[], [], []]
                target = b[slot]
                last_mapper = mapper
            target.append(item)
    if any(m.inherits is not None for m in by_mapper):  # mapper inheritance: rows per table
        from athanor.orm._inheritance_flush import plan_hierarchies

        return plan_hierarchies(plan, by_mapper, (new, modified, deleted), caps)
    order = list(by_mapper) if len(by_mapper) == 1 else sorted(by_mapper, key=table_rank)
    try:
        for mapper in order:
            ins, upd, _ = by_mapper[mapper]
            info = write_info(mapper)
            if ins:
                _plan_inserts(plan, info, ins, caps)
            if upd:
                _plan_updates(plan, info, upd, caps)
        for mapper in reversed(order):
            dels = by_mapper[mapper][2]
            if dels:
                _plan_deletes(plan, write_info(mapper), dels, caps)
    except BaseException:
        undo_journal(plan)
        raise
    return plan


def _plan_inserts(
    plan: FlushPlan, info: WriteInfo, items: list[tuple[InstanceState, Any]], caps: Capabilities
) -> None:
    current: Batch | None = None
    journal = plan.journal
    make_params = info.insert_params
    inserted = plan.inserted
    for item in _order_rows(plan, items):
        d = item[1].__dict__
        params, fetch, filled = make_params(d)
        if filled:
            journal.append((d, filled))
        if current is None or current.fetch != fetch:
            returning = fetch if caps.returning else ()
            current = Batch("insert", info, insert_stmt(info, returning), fetch)
            current.many = not fetch or (caps.executemany_returning and bool(returning))
            plan.batches.append(current)
        current.rows.append(item)
        current.params.append(params)
        inserted.append(item)


def _plan_updates(
    plan: FlushPlan, info: WriteInfo, items: list[tuple[InstanceState, Any]], caps: Capabilities
) -> None:
    groups: dict[frozenset[str], tuple[Batch, tuple[str, ...] | None]] = {}
    onupdate = info.onupdate
    set_names = info.set_names
    pk_names = info.pk_names
    single_pk = pk_names[0] if len(pk_names) == 1 else None
    updated = plan.updated
    batches = plan.batches
    single_sets: dict[str, tuple[Batch, tuple[str, ...] | None]] = {}
    for item in items:
        st, obj = item
        committed = st.committed
        if not committed:
            continue
        d = obj.__dict__
        if len(committed) == 1 and not onupdate:  # the common case: one attribute changed
            ((k, old),) = committed.items()
            cur = d.get(k, NO_VALUE)
            updated.append(item)
            if cur is NO_VALUE or cur is old:
                continue
            if old is not NO_VALUE and not _differs(old, cur):
                continue
            group = single_sets.get(k)
            if group is None:
                keys = frozenset((k,))
                group = groups.get(keys)
                if group is None:
                    group = groups[keys] = _update_batch(info, keys, caps, batches)
                single_sets[k] = group
            batch, order = group
            if order is not None:
                batch.params.append((cur, st.key) if single_pk is not None else (cur, *st.key))
            else:
                params = {set_names[k]: cur}
                if single_pk is not None:
                    params[single_pk] = st.key
                else:
                    params.update(zip(pk_names, st.key, strict=True))
                batch.params.append(params)
            batch.rows.append(item)
            continue
        try:
            changed = [
                k
                for k, old in committed.items()
                if (cur := d.get(k, NO_VALUE)) is not NO_VALUE
                and (old is NO_VALUE or (old is not cur and old != cur))
            ]
        except Exception:  # a value type whose != raises: compare one by one
            changed = [
                k
                for k, old in committed.items()
                if (cur := d.get(k, NO_VALUE)) is not NO_VALUE
                and (old is NO_VALUE or _differs(old, cur))
            ]
        updated.append(item)
        if not changed:
            continue
        for cw in onupdate:
            if cw.key not in committed:
                d[cw.key] = cw.python_onupdate()  # type: ignore[misc]
                plan.journal.append((d, cw.key))
                changed.append(cw.key)
        keys = frozenset(changed)
        group = groups.get(keys)
        if group is None:
            group = groups[keys] = _update_batch(info, keys, caps, batches)
        batch, order = group
        if order is not None:
            key = st.key
            batch.params.append(
                (*[d[k] for k in order], key)
                if single_pk is not None
                else (*[d[k] for k in order], *key)
            )
        else:
            params = {set_names[k]: d[k] for k in changed}
            if single_pk is not None:
                params[single_pk] = st.key
            else:
                params.update(zip(pk_names, st.key, strict=False))
            batch.params.append(params)
        batch.rows.append(item)


def _update_batch(
    info: WriteInfo, keys: frozenset[str], caps: Capabilities, batches: list[Batch]
) -> tuple[Batch, tuple[str, ...] | None]:
    """A new UPDATE batch for one set of changed keys, positional when the dialect allows."""
    batch = Batch("update", info, update_stmt(info, keys))
    ordered = sorted(keys)
    batch.compiled = _positional(
        info,
        batch.stmt,
        caps,
        [info.set_names[k] for k in ordered] + list(info.pk_names),
        [info.by_key[k].column.type for k in ordered] + [w.column.type for w in info.pk_writes],
    )
    batches.append(batch)
    return batch, (tuple(ordered) if batch.compiled is not None else None)


def _positional(
    info: WriteInfo, stmt: Any, caps: Capabilities, names: list[str], types: list[Any]
) -> Any:
    """The Compiled of ``stmt`` when rows can be sent as plain tuples in ``names`` order.

    That holds when the dialect is positional, the compiled bind order is exactly
    ``names`` and no bound type needs a bind processor; otherwise None (dict params).
    """
    dialect = caps.dialect
    if dialect is None:
        return None
    cache_key = ("positional", id(stmt), id(dialect), getattr(dialect, "compile_epoch", 0))
    hit = info.stmts.get(cache_key)
    if hit is not None and hit[0] is stmt and hit[1] is dialect:
        return hit[2]
    compiled = None
    try:
        candidate, extracted = dialect.compile_statement(stmt)
        if (
            getattr(candidate, "positional", False)
            and list(candidate.bind_names) == names
            and all(t.bind_processor(dialect) is None for t in types)
        ):
            compiled = candidate
    except Exception:  # anything unexpected: use the general path
        compiled = None
    info.stmts[cache_key] = (stmt, dialect, compiled)
    return compiled


def _differs(old: Any, new: Any) -> bool:
    try:
        return bool(old != new)
    except Exception:  # values that refuse comparison are treated as changed
        return True


#: keys per ``DELETE ... WHERE pk IN (...)`` statement
_DELETE_CHUNK = 500


def _plan_deletes(
    plan: FlushPlan, info: WriteInfo, items: list[tuple[InstanceState, Any]], caps: Capabilities
) -> None:
    if len(info.pk_writes) == 1 and len(items) > 1:
        # One statement per chunk of keys instead of one execution per row: drivers that
        # round-trip per executemany row (psycopg's ClientCursor) pay once per chunk.
        from athanor.sql.dml import delete

        col = info.pk_writes[0].column
        for start in range(0, len(items), _DELETE_CHUNK):
            chunk = items[start : start + _DELETE_CHUNK]
            keys = [st.key for st, _ in chunk]
            batch = Batch("delete_in", info, None)
            batch.compiled = _delete_in_compiled(info, caps, len(keys))
            if batch.compiled is not None:  # SQL compiled once per chunk size
                batch.params = keys
            else:
                batch.stmt = delete(info.table).where(col.in_(keys))
            batch.rows.extend(chunk)
            plan.batches.append(batch)
        plan.deleted.extend(items)
        return
    batch = Batch("delete", info, delete_stmt(info))
    batch.compiled = _positional(
        info, batch.stmt, caps, list(info.pk_names), [w.column.type for w in info.pk_writes]
    )
    single = len(info.pk_names) == 1
    rows = batch.rows
    params = batch.params
    for item in items:
        st = item[0]
        rows.append(item)
        if batch.compiled is not None:
            params.append((st.key,) if single else tuple(st.key))
        else:
            params.append(pk_params(info, st.key))
    plan.deleted.extend(items)
    plan.batches.append(batch)


def _delete_in_compiled(info: WriteInfo, caps: Capabilities, n: int) -> Any:
    """Compiled ``DELETE ... WHERE pk IN (?, ... n)`` when its params can be a plain tuple."""
    dialect = caps.dialect
    if dialect is None:
        return None
    cache_key = ("delete_in", n, id(dialect))
    hit = info.stmts.get(cache_key)
    if hit is not None and hit[0] is dialect:
        return hit[1]
    from athanor.sql.dml import delete

    col = info.pk_writes[0].column
    compiled = None
    try:
        candidate, _ = dialect.compile_statement(delete(info.table).where(col.in_(list(range(n)))))
        if (
            getattr(candidate, "positional", False)
            and len(candidate.bind_names) == n
            and col.type.bind_processor(dialect) is None
        ):
            compiled = candidate
    except Exception:  # anything unexpected: build a Core statement per chunk instead
        compiled = None
    info.stmts[cache_key] = (dialect, compiled)
    return compiled


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
    undo_entries(plan.journal)


def undo_entries(journal: list[tuple[dict[str, Any], Any]]) -> None:
    """Remove the values recorded in a flush journal from their objects, newest first."""
    for d, keys in reversed(journal):
        if isinstance(keys, str):
            d.pop(keys, None)
        else:
            for key in keys:
                d.pop(key, None)
    journal.clear()
