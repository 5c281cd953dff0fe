"""Start one fresh process per measurement, interleave the implementations, keep medians.

The order is: repetition, then backend, then case, then implementation, with the
implementations rotated on every repetition, so a slow stretch of the machine (another job,
a thermal dip, the page cache) is spread over all three instead of landing on one. A case that
fails for an implementation is not tried again for it on that backend: its first error stands.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.cases import CASES
from benchmarks.worker import RunSpec

ROOT = Path(__file__).resolve().parent.parent
Key = tuple[str, str, str]  # (backend, case, impl)


@dataclass(frozen=True)
class Plan:
    """What to run: backends x cases x implementations, ``reps`` times."""

    backends: tuple[str, ...]
    cases: tuple[str, ...]
    impls: tuple[str, ...]
    reps: int = 3
    scale: float = 1.0
    nogc: bool = False
    timeout: float = 300.0
    clock: str = "wall"

    def specs(self) -> list[RunSpec]:
        """Every measurement, in the interleaved order described in the module docstring."""
        out: list[RunSpec] = []
        for rep in range(self.reps):
            k = rep % len(self.impls)
            impls = self.impls[k:] + self.impls[:k]
            for backend in self.backends:
                for case in self.cases:
                    if not CASES[case].runs_on(backend):
                        continue
                    for impl in impls:
                        out.append(RunSpec(case, impl, backend, self.scale, self.nogc, self.clock))
        return out


@dataclass
class Results:
    """Times (seconds) and first errors per (backend, case, impl)."""

    times: dict[Key, list[float]] = field(default_factory=dict)
    errors: dict[Key, str] = field(default_factory=dict)

    def median(self, key: Key) -> float | None:
        values = self.times.get(key)
        return statistics.median(values) if values else None

    def to_json(self) -> str:
        return json.dumps(
            {
                "times": {"|".join(k): v for k, v in self.times.items()},
                "errors": {"|".join(k): v for k, v in self.errors.items()},
            },
            indent=1,
        )


def run_in_subprocess(spec: RunSpec, timeout: float) -> dict:
    """Run one measurement in a fresh interpreter; never raises."""
    cmd = [sys.executable, "-m", "benchmarks.worker", spec.to_json()]
    env = os.environ.copy()
    env.pop("PYTEST_CURRENT_TEST", None)  # athanor switches on N+1 warnings under pytest
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env
        )
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"timeout: no result after {timeout:.0f} s"}
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if lines:
        try:
            return json.loads(lines[-1])
        except json.JSONDecodeError:
            pass
    tail = [line for line in proc.stderr.splitlines() if line.strip()]
    why = tail[-1] if tail else f"exit code {proc.returncode}, no output"
    return {"ok": False, "error": f"worker crashed: {why}"}


Progress = Callable[[int, int, RunSpec, dict], None]


def run_plan(plan: Plan, progress: Progress | None = None) -> Results:
    """Run every measurement of ``plan`` (skipping ones that already failed)."""
    results = Results()
    specs = plan.specs()
    for i, spec in enumerate(specs, 1):
        key = (spec.backend, spec.case, spec.impl)
        if key in results.errors:
            continue
        outcome = run_in_subprocess(spec, plan.timeout)
        if outcome.get("ok"):
            results.times.setdefault(key, []).append(float(outcome["seconds"]))
        else:
            results.errors[key] = str(outcome.get("error", "unknown error"))
        if progress is not None:
            progress(i, len(specs), spec, outcome)
    return results
