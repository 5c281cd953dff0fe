"""Tables of medians and ratios, as plain text for the terminal and as Markdown.

One table per backend: each implementation's median in milliseconds, SQLAlchemy and athanor
as ratios to the raw driver, athanor against SQLAlchemy, and (on SQLite in memory, where the
issue sets them) the target ratio with pass or FAIL. A missing measurement shows ``n/a``; the
errors behind them are listed under the table, one line per distinct error.
"""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.backends import BACKEND_TITLES
from benchmarks.cases import CASES, TARGET_BACKEND
from benchmarks.runner import Plan, Results

NA = "n/a"
IMPL_TITLES = {"raw": "raw", "sqlalchemy": "SQLAlchemy", "athanor": "athanor"}
SHORT = {"raw": "raw", "sqlalchemy": "SA", "athanor": "athanor"}


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return NA
    ms = seconds * 1000
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 1 else f"{ms:.3f}"


def _ratio(a: float | None, b: float | None) -> str:
    return NA if a is None or b is None or b == 0 else f"{a / b:.2f}"


def _status(target: float | None, ath: float | None, raw: float | None) -> str:
    if target is None:
        return ""
    if ath is None or raw is None:
        return NA
    return "pass" if ath / raw <= target else "FAIL"


def _header(plan: Plan, backend: str) -> list[str]:
    cols = ["case", "workload"] + [IMPL_TITLES[i] + " ms" for i in plan.impls]
    if "raw" in plan.impls:
        cols += [f"{SHORT[i]}/raw" for i in plan.impls if i != "raw"]
    if {"sqlalchemy", "athanor"} <= set(plan.impls):
        cols.append("athanor/SA")
    if backend == TARGET_BACKEND and "athanor" in plan.impls and "raw" in plan.impls:
        cols += ["target", "status"]
    return cols


def _row(plan: Plan, results: Results, backend: str, name: str) -> list[str]:
    case = CASES[name]
    med = {impl: results.median((backend, name, impl)) for impl in plan.impls}
    cells = [name, case.describe(plan.scale, backend)] + [_ms(med[i]) for i in plan.impls]
    if "raw" in plan.impls:
        cells += [_ratio(med[i], med["raw"]) for i in plan.impls if i != "raw"]
    if {"sqlalchemy", "athanor"} <= set(plan.impls):
        cells.append(_ratio(med["athanor"], med["sqlalchemy"]))
    if backend == TARGET_BACKEND and "athanor" in plan.impls and "raw" in plan.impls:
        target = case.target
        cells += [
            "" if target is None else f"<= {target:g}",
            _status(target, med["athanor"], med["raw"]),
        ]
    return cells


def table_rows(plan: Plan, results: Results, backend: str) -> list[list[str]]:
    """Header row then one row per case that runs on ``backend``."""
    names = [c for c in plan.cases if CASES[c].runs_on(backend)]
    return [_header(plan, backend)] + [_row(plan, results, backend, c) for c in names]


def error_lines(plan: Plan, results: Results, backend: str) -> list[str]:
    """``impl (cases): n/a: error``, one line per distinct error on ``backend``."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for (b, case, impl), err in results.errors.items():
        if b == backend:
            grouped.setdefault((impl, err), []).append(case)
    order = {c: i for i, c in enumerate(plan.cases)}
    return [
        f"{impl} ({', '.join(sorted(cases, key=order.__getitem__))}): n/a: {err}"
        for (impl, err), cases in grouped.items()
    ]


def _text_table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for k, row in enumerate(rows):
        cells = [
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def _markdown_table(rows: Sequence[Sequence[str]]) -> str:
    aligns = ["---", "---"] + ["---:"] * (len(rows[0]) - 2)
    lines = ["| " + " | ".join(rows[0]) + " |", "| " + " | ".join(aligns) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def _title(plan: Plan, backend: str) -> str:
    reps = f"median of {plan.reps} run{'s' if plan.reps != 1 else ''}"
    scale = "" if plan.scale == 1 else f", sizes x{plan.scale:g}"
    clock = ", CPU time" if plan.clock == "cpu" else ""
    gc = ", gc off while timed" if plan.nogc else ""
    return f"{BACKEND_TITLES[backend]}: {reps}{scale}{clock}{gc}"


def render_text(plan: Plan, results: Results, backends: Sequence[str]) -> str:
    parts = []
    for backend in backends:
        parts.append(_title(plan, backend))
        parts.append(_text_table(table_rows(plan, results, backend)))
        parts += ["  " + line for line in error_lines(plan, results, backend)]
        parts.append("")
    return "\n".join(parts)


def render_markdown(plan: Plan, results: Results, backends: Sequence[str]) -> str:
    parts = []
    for backend in backends:
        parts += [
            f"**{_title(plan, backend)}**",
            "",
            _markdown_table(table_rows(plan, results, backend)),
            "",
        ]
        errors = error_lines(plan, results, backend)
        if errors:
            parts += [f"- {line}" for line in errors] + [""]
    return "\n".join(parts)
