"""The flush's I/O: run a planned flush on a connection.

:func:`run_plan` is the only code that sends flush statements. It walks the batches planned
by :func:`athanor.orm.unitofwork.plan_flush`: executemany for plain batches, multi-row
``INSERT ... RETURNING`` for rows whose keys or defaults the database generates, one
statement per row only where the dialect has no RETURNING (``inserted_primary_key``).
An async session needs only an awaiting twin of this function.
"""

from __future__ import annotations

from typing import Any

from athanor import exc
from athanor.orm import context
from athanor.orm.exc import StaleDataError
from athanor.orm.persistence import WriteInfo, insert_compiled
from athanor.orm.unitofwork import Capabilities, FlushPlan


def insert_one(
    conn: Any, info: WriteInfo, d: dict[str, Any], caps: Capabilities, journal: list[Any]
) -> bool:
    """INSERT one new object's row: the flush of a session holding a single new object
    of a mapper without relationships (the "add, commit" loop).

    Same outcome as planning and running a one-row batch, minus the plan and the result
    object: the statement is compiled once per mapper and parameter keys, and a generated
    key comes from ``cursor.lastrowid`` where the driver has it, else from RETURNING.
    Values written into ``d`` are recorded in ``journal`` (undone if the flush fails).
    Returns False, having executed nothing, when the driver can report neither RETURNING
    nor ``lastrowid`` for what the server generates: the caller then plans the flush.
    Sync sessions only: the AsyncSession flushes through :func:`run_plan`.
    """
    if info.server_keys and not caps.returning:
        for k in info.server_keys:
            if d.get(k) is None:
                return False
    params, fetch, filled = info.insert_params(d)
    if filled:
        journal.append((d, filled))
    dialect = conn.dialect
    if fetch and caps.returning and not (caps.lastrowid and fetch == (info.autoinc_key,)):
        compiled, extracted, direct = insert_compiled(info, dialect, fetch, tuple(params))
        driver_params = (
            tuple(params.values()) if direct else compiled.construct_params(params, extracted)
        )
        row = conn._execute_first_row(compiled.string, driver_params)
        if row is None:
            raise exc.InvalidRequestError(
                f"Flushing {info.mapper.class_.__name__} failed: the INSERT ... RETURNING "
                f"returned no row."
            )
        for key, proc, value in zip(fetch, compiled.result_processors, row, strict=False):
            d[key] = value if proc is None else proc(value)
        journal.append((d, fetch))
        return True
    key = info.autoinc_key
    if fetch and not (caps.lastrowid and fetch == (key,)):  # no RETURNING, no lastrowid
        return False  # (a dialect with neither; the caller undoes the journal)
    compiled, extracted, direct = insert_compiled(info, dialect, (), tuple(params))
    driver_params = (
        tuple(params.values()) if direct else compiled.construct_params(params, extracted)
    )
    rowid = conn._execute_lastrowid(compiled.string, driver_params, bool(fetch))
    if fetch:
        d[key] = rowid  # type: ignore[index]
        journal.append((d, key))
    return True


def run_plan(conn: Any, plan: FlushPlan, caps: Capabilities) -> None:
    """Execute a flush plan on ``conn`` (the only flush I/O; an async twin awaits execute)."""
    journal = plan.journal
    for batch in plan.batches:
        if batch.prepare is not None:
            batch.prepare(batch)
        kind = batch.kind
        if kind == "insert":
            if not batch.fetch:
                conn.execute(batch.stmt, batch.params)
                continue
            if batch.many:
                rows = context.insert_many_returning(conn, batch.stmt, batch.params)
                auto = batch.info.autoinc_key
                if auto is not None and auto in batch.fetch and len(rows) > 1:
                    # Keys are generated in row order; RETURNING's order is not promised.
                    pos = batch.fetch.index(auto)
                    rows.sort(key=lambda r: r[pos])
                context.apply_returned(batch, rows, journal)
                continue
            for i, one in enumerate(batch.params):
                result = conn.execute(batch.stmt, one)
                context.apply_generated(batch, i, result, caps, journal)
        elif kind == "delete_in":
            if batch.compiled is not None:
                conn.exec_driver_sql(batch.compiled.string, tuple(batch.params))
            else:
                conn.execute(batch.stmt)
        else:
            params = batch.params
            if batch.compiled is not None:
                result = conn.exec_driver_sql(batch.compiled.string, params)
            else:
                result = conn.execute(batch.stmt, params if len(params) > 1 else params[0])
            expected = len(params)
            sane = caps.sane_multi_rowcount if expected > 1 else caps.sane_rowcount
            rc = getattr(result, "rowcount", -1)
            if sane and rc is not None and rc >= 0 and rc != expected and kind == "update":
                raise StaleDataError(
                    f"Flushing {batch.info.mapper.class_.__name__} failed: an UPDATE expected to "
                    f"match {expected} row(s) but matched {rc}. The row was deleted or its key "
                    f"changed by another transaction; refresh the objects and retry."
                )
