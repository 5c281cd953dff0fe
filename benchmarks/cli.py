"""The command line: choose cases, backends, implementations; run; print tables.

Defaults: the core cases (issue 4) and the one-to-many cases (issue 6) on every backend that
answers, all three implementations, three repetitions. ``--async`` adds the asyncio cases
(issue 7, PostgreSQL only). ``--quick`` is the smoke-test size: sizes x0.01, one repetition.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.backends import BACKEND_TITLES, pg_problem, pg_url
from benchmarks.cases import CASES, GROUPS
from benchmarks.report import render_markdown, render_text
from benchmarks.runner import Plan, run_plan
from benchmarks.worker import IMPLS, RunSpec

QUICK_SCALE = 0.01


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Raw driver vs SQLAlchemy ORM vs athanor, side by side.",
    )
    p.add_argument(
        "--cases",
        type=_csv,
        help="case names or groups (core, relations, async), "
        "comma-separated; default: core,relations",
    )
    p.add_argument(
        "--async", dest="with_async", action="store_true", help="add the asyncio cases (PostgreSQL)"
    )
    p.add_argument(
        "--backends",
        type=_csv,
        default=list(BACKEND_TITLES),
        help=f"comma-separated, from: {', '.join(BACKEND_TITLES)}",
    )
    p.add_argument(
        "--impls", type=_csv, default=list(IMPLS), help=f"comma-separated, from: {', '.join(IMPLS)}"
    )
    p.add_argument("--reps", type=int, default=None, help="repetitions (default 3; quick: 1)")
    p.add_argument("--scale", type=float, default=None, help="multiply every size")
    p.add_argument("--quick", action="store_true", help="tiny sizes, one repetition")
    p.add_argument(
        "--no-gc",
        dest="nogc",
        action="store_true",
        help="switch the garbage collector off while the clock runs",
    )
    p.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="wall time (default) or this process's CPU time (steadier on a busy machine; "
        "leaves out disk waits and the database server's work)",
    )
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per measurement")
    p.add_argument("--markdown", metavar="PATH", help="also write the tables as Markdown")
    p.add_argument("--json", metavar="PATH", help="also write every time and error as JSON")
    p.add_argument("--list", action="store_true", help="list the cases and exit")
    p.add_argument("--profile", metavar="CASE", help="profile one case in this process")
    p.add_argument("--profiler", choices=("cprofile", "pyinstrument"), default="cprofile")
    p.add_argument("--profile-dump", metavar="PATH", help="cProfile: write the stats file")
    return p


def _select_cases(args: argparse.Namespace) -> list[str]:
    wanted = args.cases or ["core", "relations"]
    if args.with_async:
        wanted.append("async")
    names: list[str] = []
    for item in wanted:
        if item in GROUPS:
            names += [c.name for c in CASES.values() if c.group == item]
        elif item in CASES:
            names.append(item)
        else:
            raise SystemExit(
                f"Choosing cases failed: unknown case or group {item!r}. "
                f"Use one of: {', '.join(GROUPS)}, {', '.join(CASES)}."
            )
    return list(dict.fromkeys(names))


def _check_choices(kind: str, chosen: Sequence[str], allowed: Sequence[str]) -> None:
    bad = [c for c in chosen if c not in allowed]
    if bad:
        raise SystemExit(
            f"Choosing {kind} failed: unknown {bad[0]!r}. Use some of: {', '.join(allowed)}."
        )


def _reachable_backends(backends: list[str]) -> list[str]:
    if "postgresql" in backends:
        problem = pg_problem()
        if problem:
            print(f"skipping PostgreSQL: {problem}", file=sys.stderr)
            return [b for b in backends if b != "postgresql"]
    return backends


def _progress(i: int, total: int, spec: RunSpec, outcome: dict) -> None:
    what = f"{outcome['seconds'] * 1000:10.1f} ms" if outcome.get("ok") else "n/a"
    print(
        f"[{i:>4}/{total}] {spec.backend:<11} {spec.case:<13} {spec.impl:<10} {what}",
        file=sys.stderr,
        flush=True,
    )


def _list_cases() -> int:
    for case in CASES.values():
        target = "" if case.target is None else f"  (target <= {case.target:g}x raw)"
        print(f"{case.name:<13} {case.group:<9} {case.describe(1.0)}{target}")
    return 0


def _profile(args: argparse.Namespace, scale: float, backends: list[str]) -> int:
    from benchmarks.profile import profile_case

    impl = next((i for i in args.impls if i != "raw"), args.impls[0])
    spec = RunSpec(args.profile, impl, backends[0], scale, args.nogc, args.clock)
    print(profile_case(spec, tool=args.profiler, dump=args.profile_dump))
    return 0


def _footer(plan: Plan, seconds: float) -> str:
    return (
        f"python {platform.python_version()}, {platform.machine()}, "
        f"{len(plan.specs())} runs in {seconds:.0f} s; PostgreSQL at {pg_url()}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.list:
        return _list_cases()
    _check_choices("backends", args.backends, list(BACKEND_TITLES))
    _check_choices("implementations", args.impls, IMPLS)
    scale = args.scale if args.scale is not None else (QUICK_SCALE if args.quick else 1.0)
    reps = args.reps if args.reps is not None else (1 if args.quick else 3)
    backends = _reachable_backends(args.backends)
    if args.profile:
        _check_choices("cases", [args.profile], list(CASES))
        return _profile(args, scale, backends)
    cases = _select_cases(args)
    plan = Plan(
        tuple(backends),
        tuple(cases),
        tuple(args.impls),
        reps,
        scale,
        args.nogc,
        args.timeout,
        args.clock,
    )
    start = time.perf_counter()
    results = run_plan(plan, _progress)
    elapsed = time.perf_counter() - start
    print(render_text(plan, results, backends))
    print(_footer(plan, elapsed))
    if args.markdown:
        md = render_markdown(plan, results, backends) + "\n" + _footer(plan, elapsed) + "\n"
        Path(args.markdown).write_text(md)
    if args.json:
        Path(args.json).write_text(results.to_json())
    return 0
