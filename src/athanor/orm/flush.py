"""The flush's I/O: run a planned flush on a connection.

:func:`run_plan` is the only code that sends flush statements. It walks the batches planned
by :func:`athanor.orm.unitofwork.plan_flush`: executemany for plain batches, multi-row
``INSERT ... RETURNING`` for rows whose keys or defaults the database generates, one
statement per row only where the dialect has no RETURNING (``inserted_primary_key``).
An async session needs only an awaiting twin of this function.
"""

from __future__ import annotations

from typing import Any

from athanor.orm import context
from athanor.orm.exc import StaleDataError
from athanor.orm.unitofwork import Capabilities, FlushPlan


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
