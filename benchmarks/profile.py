"""Profile one case in this process, with the profiler on only while the clock runs.

``python -m benchmarks --profile g --impls athanor`` runs case g once under cProfile (or
``--profiler pyinstrument``) and prints the functions that take the time, by own time and by
cumulative time. Setup, data loading and result checks are outside the profile, exactly as
they are outside the clock.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from typing import Any

from benchmarks.worker import RunSpec, measure


class _Pyinstrument:
    """pyinstrument's Profiler behind the enable()/disable() shape the clock expects."""

    def __init__(self) -> None:
        from pyinstrument import Profiler

        self.profiler: Any = Profiler(interval=0.0005)

    def enable(self) -> None:
        self.profiler.start()

    def disable(self) -> None:
        self.profiler.stop()


def profile_case(
    spec: RunSpec, *, tool: str = "cprofile", top: int = 30, dump: str | None = None
) -> str:
    """The profile report of one run of ``spec`` (its time in the first line)."""
    if tool == "pyinstrument":
        wrapper = _Pyinstrument()
        seconds = measure(spec, profiler=wrapper)
        text = wrapper.profiler.output_text(unicode=False, color=False, show_all=False)
        return f"{spec.case} {spec.impl} {spec.backend}: {seconds:.3f} s (profiled)\n{text}"
    # On a busy machine wall-clock profiles charge waits to whatever ran last: --clock cpu.
    prof = cProfile.Profile(time.process_time) if spec.clock == "cpu" else cProfile.Profile()
    seconds = measure(spec, profiler=prof)
    if dump:
        prof.dump_stats(dump)
    out = io.StringIO()
    out.write(f"{spec.case} {spec.impl} {spec.backend}: {seconds:.3f} s (profiled)\n")
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()
