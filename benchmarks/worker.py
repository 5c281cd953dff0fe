"""Run one case for one implementation in this process, and say how long it took.

``python -m benchmarks.worker '<json RunSpec>'`` prints one JSON line: ``{"ok": true,
"seconds": ...}`` or ``{"ok": false, "error": "..."}``. The runner starts this module in a
fresh process for every measurement; the smoke test calls ``run_one`` directly.

Order inside a run: a fresh database, the schema and starting data written through a raw
connection (for in-memory SQLite, the ORM engine's own connection), then for the ORMs the
engine, the models and a warm-up (mapper configuration, first pooled connection), then the
case, which times only its workload and checks the outcome afterwards. Any exception, from
``import athanor`` to a wrong row count, becomes an error outcome instead of a time.
"""

from __future__ import annotations

import json
import sys
import traceback
from dataclasses import asdict, dataclass
from typing import Any

from benchmarks import orm_cases
from benchmarks.backends import create_schema, open_database, populate_items, populate_relations
from benchmarks.cases import CASES, Case
from benchmarks.env import Env, Profiler
from benchmarks.relation_cases import declare_relations

IMPLS = ("raw", "sqlalchemy", "athanor")


@dataclass(frozen=True)
class RunSpec:
    """One measurement: which case, implementation, backend, at what scale."""

    case: str
    impl: str
    backend: str
    scale: float = 1.0
    nogc: bool = False
    clock: str = "wall"

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> RunSpec:
        return cls(**json.loads(text))


def describe_error(err: BaseException) -> str:
    """``Type: message (file:line)``, one line, with the innermost frame outside benchmarks."""
    message = str(err).strip().splitlines()[0] if str(err).strip() else ""
    where = ""
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        if "/benchmarks/" not in frame.filename:
            where = f" ({_short_path(frame.filename)}:{frame.lineno})"
            break
    text = f"{type(err).__name__}: {message}" if message else type(err).__name__
    if len(text) > 200:
        text = text[:200] + "..."
    return text + where


def _short_path(filename: str) -> str:
    for marker in ("/site-packages/", "/src/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def _prepare_data(case: Case, env: Env) -> None:
    create_schema(env.db, env.conn)
    if case.data == "items":
        populate_items(env.db, env.conn, env.rows)
    elif case.data == "relations":
        populate_relations(env.db, env.conn, env.rows, env.n)


def _run_raw(case: Case, env: Env) -> None:
    env.conn = env.db.connect()
    env.db.check_settings(env.conn)
    _prepare_data(case, env)
    case.raw(env)


def _run_orm(case: Case, env: Env) -> None:
    kit = orm_cases.load_kit(env.impl)
    try:
        if env.db.in_memory:
            orm_cases.start_engine(kit, env.db)
            env.conn = orm_cases.engine_dbapi_connection(kit)
            _prepare_data(case, env)
        else:
            env.conn = env.db.connect()
            _prepare_data(case, env)
            orm_cases.start_engine(kit, env.db)
        orm_cases.declare_items(kit)
        if case.group == "relations":
            declare_relations(kit)
        orm_cases.warm_up(kit)
        orm_cases.check_settings(kit, env.db, env.conn)
        env.kit = kit
        case.orm(env)
    finally:
        _close(env.conn)  # before the engine: in memory it is the engine's own connection
        env.conn = None
        orm_cases.stop_engine(kit)


def _close(conn: Any) -> None:
    if conn is not None:
        try:
            conn.close()
        except Exception:  # closing after a failure must not hide the failure
            pass


def measure(spec: RunSpec, profiler: Profiler | None = None) -> float:
    """Run the case and return the seconds spent in its timed stretches (raises on failure)."""
    case = CASES[spec.case]
    n, rows = case.sizes(spec.scale, spec.backend)
    db = open_database(spec.backend)
    env = Env(spec.impl, db, n, rows, nogc=spec.nogc, profiler=profiler, clock=spec.clock)
    try:
        if spec.impl == "raw":
            _run_raw(case, env)
        else:
            _run_orm(case, env)
    finally:
        _close(env.conn)
        db.close()
    if env.stretches == 0:
        raise RuntimeError("the case never started its clock")
    return env.elapsed


def run_one(spec: RunSpec) -> dict[str, Any]:
    """``{"ok": True, "seconds": s}`` or ``{"ok": False, "error": "..."}``; never raises."""
    try:
        return {"ok": True, "seconds": measure(spec)}
    except Exception as err:
        return {"ok": False, "error": describe_error(err)}


def main(argv: list[str]) -> int:
    outcome = run_one(RunSpec.from_json(argv[0]))
    sys.stdout.write("\n" + json.dumps(outcome) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
