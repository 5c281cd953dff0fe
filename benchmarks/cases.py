"""The catalogue: every case's name, sizes, target and implementations.

Sizes are the issue's; ``--scale`` (and ``--quick``) multiplies them, never below a floor that
keeps each case meaningful (``SERVER_SCALE`` trims one case on PostgreSQL). ``rows`` is the
size of the table a case starts from (items, or parents for the one-to-many cases); ``n`` is
the number of operations. Targets are the athanor/raw ratios asked for on SQLite in memory
(issue 4).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from benchmarks import async_cases, orm_cases, raw_cases, relation_cases
from benchmarks.env import Env

CaseFn = Callable[[Env], None]

GROUPS = ("core", "relations", "async")
TARGET_BACKEND = "sqlite-mem"
#: Fewer operations on PostgreSQL where the server's work dominates and the issue's size
#: would cost most of the run's ten minutes: 1,000 UPDATEs of 200 rows each take 4-10 s per
#: implementation there (MVCC writes a new row version each time). Ratios are per operation,
#: so they stay comparable; the table shows the size used.
SERVER_SCALE: dict[str, float] = {"h2": 0.25}


@dataclass(frozen=True)
class Case:
    """One workload and its implementations."""

    name: str
    title: str  # with {n} and {rows} filled in by ``describe``
    group: str
    n: int
    rows: int
    raw: CaseFn
    orm: CaseFn
    target: float | None = None
    data: str = "items"  # what the tables hold before: "empty", "items" or "relations"
    backends: tuple[str, ...] | None = None  # None: every backend

    def sizes(self, scale: float, backend: str = TARGET_BACKEND) -> tuple[int, int]:
        """``(n, rows)`` at ``scale`` on ``backend``, never below small floors."""
        n = self.n * scale
        if backend == "postgresql":
            n *= SERVER_SCALE.get(self.name, 1.0)
        return max(5, round(n)), max(10, round(self.rows * scale))

    def describe(self, scale: float, backend: str = TARGET_BACKEND) -> str:
        n, rows = self.sizes(scale, backend)
        return self.title.format(n=f"{n:,}", rows=f"{rows:,}")

    def runs_on(self, backend: str) -> bool:
        return self.backends is None or backend in self.backends


# fmt: off
# name, workload title, n, rows, target (athanor/raw), raw function, ORM function, start data
_CORE = (
    ("a", "insert {n}: add() each, 1 commit", 10_000, 0, 5.0,
     "insert_many", "insert_add", "empty"),
    ("b", "insert {n}: add_all(), 1 commit", 10_000, 0, 5.0,
     "insert_many", "insert_add_all", "empty"),
    ("b2", "bulk insert {n} dicts", 50_000, 0, 1.5,
     "insert_many", "bulk_insert", "empty"),
    ("c", "insert {n}, commit each", 1_000, 0, 6.0,
     "insert_commit_each", "insert_commit_each", "empty"),
    ("d", "load {rows} objects", 1, 20_000, 3.0,
     "load_all", "load_all", "items"),
    ("e", "{n} get() by pk, fresh session", 10_000, 20_000, 6.0,
     "get_by_pk", "get_by_pk", "items"),
    ("f", "{n} get() from identity map", 100_000, 20_000, 10.0,
     "get_cached", "get_cached", "items"),
    ("g", "{n} x filter -> 200 rows", 1_000, 20_000, 2.5,
     "filter_many", "filter_many", "items"),
    ("g2", "{n} x filter_by().one()", 5_000, 20_000, 6.0,
     "filter_one", "filter_one", "items"),
    ("h", "change {rows} objects, commit", 1, 20_000, 4.0,
     "update_loaded", "update_loaded", "items"),
    ("h2", "{n} x query().filter().update()", 1_000, 20_000, 1.3,
     "update_query", "update_query", "items"),
    ("i", "delete {rows} objects, commit", 1, 20_000, 2.5,
     "delete_loaded", "delete_loaded", "items"),
)
_RELATIONS = (
    ("o2m_lazy", "1-to-many {rows}x{n}, lazy", 10, 1_000, None,
     "raw_lazy", "orm_lazy", "relations"),
    ("o2m_joined", "1-to-many {rows}x{n}, joined", 10, 1_000, None,
     "raw_joined", "orm_joined", "relations"),
    ("o2m_selectin", "1-to-many {rows}x{n}, selectin", 10, 1_000, None,
     "raw_selectin", "orm_selectin", "relations"),
)
_ASYNC = (
    ("async_insert", "async: insert {n}, add_all, commit", 10_000, 0, None,
     "raw_insert", "orm_insert", "empty"),
    ("async_load", "async: load {rows} objects", 1, 20_000, None,
     "raw_load", "orm_load", "items"),
    ("async_get", "async: {n} get() by pk", 10_000, 20_000, None,
     "raw_get", "orm_get", "items"),
)
# fmt: on


def _build(
    group: str, rows: tuple, raw: ModuleType, orm: ModuleType, backends: tuple[str, ...] | None
) -> list[Case]:
    return [
        Case(
            name,
            title,
            group,
            n,
            size,
            getattr(raw, raw_fn),
            getattr(orm, orm_fn),
            target,
            data,
            backends,
        )
        for name, title, n, size, target, raw_fn, orm_fn, data in rows
    ]


CASES: dict[str, Case] = {
    c.name: c
    for c in _build("core", _CORE, raw_cases, orm_cases, None)
    + _build("relations", _RELATIONS, relation_cases, relation_cases, None)
    + _build("async", _ASYNC, async_cases, async_cases, ("postgresql",))
}
