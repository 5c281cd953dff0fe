"""What a case function gets: its sizes, its database, and the clock.

A case function does its own setup, wraps only the workload in ``with env.timed():`` and then
checks the outcome with ``env.check(...)``. The clock accumulates, so a case may time several
separate stretches. Before each stretch the garbage collector runs once (so garbage left by
setup is not charged to the workload); with ``nogc`` it is also switched off inside the
stretch. A profiler, when given, is enabled only inside timed stretches.

The clock is wall time by default. ``cpu`` (this process's CPU time) is steadier on a busy
machine and right for in-memory SQLite, where all the work is in this process; it leaves out
waiting for the disk and the PostgreSQL server's own work, so it flatters nothing there but
also measures less than the whole cost.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from benchmarks.backends import Database, scalar


class Profiler(Protocol):
    def enable(self) -> None: ...

    def disable(self) -> None: ...


class CheckFailed(Exception):
    """Raised when a case's outcome is wrong (rows missing, wrong values): no time is kept."""


@dataclass
class Env:
    """One case run: implementation, sizes, database, raw connection and the clock."""

    impl: str
    db: Database
    n: int
    rows: int
    conn: Any = None
    kit: Any = None
    nogc: bool = False
    profiler: Profiler | None = None
    clock: str = "wall"  # "wall": time.perf_counter; "cpu": time.process_time
    elapsed: float = 0.0
    stretches: int = field(default=0)

    @contextmanager
    def timed(self) -> Iterator[None]:
        """Time the body (accumulated into ``elapsed``)."""
        gc.collect()
        if self.nogc:
            gc.disable()
        if self.profiler is not None:
            self.profiler.enable()
        now = time.process_time if self.clock == "cpu" else time.perf_counter
        start = now()
        try:
            yield
        finally:
            self.elapsed += now() - start
            self.stretches += 1
            if self.profiler is not None:
                self.profiler.disable()
            if self.nogc:
                gc.enable()

    def check(self, ok: bool, what: str) -> None:
        """Fail the run (no time reported) unless ``ok``; ``what`` says what was expected."""
        if not ok:
            raise CheckFailed(f"wrong result: expected {what}")

    def scalar(self, sql: str, params: tuple = ()) -> Any:
        """One value read through the raw connection (outside the clock)."""
        return scalar(self.db, self.conn, sql, params)

    def count(self, table: str) -> int:
        return int(self.scalar(f"SELECT count(*) FROM {table}"))

    def sql(self, text: str) -> str:
        return self.db.sql(text)
