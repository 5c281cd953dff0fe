"""Run every compat program on SQLAlchemy and on athanor and print where they differ.

Usage: ``python tests/compat/compare.py [program ...]`` (needs SQLAlchemy installed and the
test databases of ``ATHANOR_TEST_*_URL``). A development aid, not a test.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import traceback
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))

import programs  # noqa: E402

PG = os.environ.get("ATHANOR_TEST_POSTGRESQL_URL", "postgresql://postgres@127.0.0.1:5432/h_compat")
MY = os.environ.get("ATHANOR_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/h_compat")


def _drop(url: str) -> None:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    import conftest

    backend = "postgresql" if url.startswith("postgresql") else "mysql"
    os.environ[f"ATHANOR_TEST_{backend.upper()}_URL"] = url
    conftest._ensure_database(backend)
    conftest.drop_all_tables(backend)


def run(prog: Any, lib: str, backend: str) -> Any:
    if lib == "sa":
        import sqlalchemy as sa
        import sqlalchemy.orm as orm
    else:
        import athanor as sa  # type: ignore[no-redef]
        import athanor.orm as orm  # type: ignore[no-redef]
    if backend == "sqlite":
        url = f"sqlite:///{tempfile.mktemp(suffix='.db')}"
    else:
        url = PG if backend == "postgresql" else MY
        _drop(url)
        if lib == "sa":
            url = url.replace("postgresql://", "postgresql+psycopg://").replace(
                "mysql://", "mysql+pymysql://")
    try:
        return prog(sa, orm, url)
    except Exception:
        return "ERROR " + traceback.format_exc(limit=-4)
    finally:
        gc.collect()


def main() -> None:
    names = sys.argv[1:]
    backends = [b for b in ("sqlite", "postgresql", "mysql") if not os.environ.get(
        "ONLY") or b in os.environ["ONLY"]]
    for prog in programs.PROGRAMS:
        if names and prog.__name__ not in names:
            continue
        for backend in backends:
            want = run(prog, "sa", backend)
            got = run(prog, "athanor", backend)
            if want == got:
                print(f"OK   {prog.__name__} {backend}")
                continue
            print(f"DIFF {prog.__name__} {backend}")
            if isinstance(want, list) and isinstance(got, list):
                for i, (w, g) in enumerate(zip(want, got, strict=False)):
                    if w != g:
                        print(f"  [{i}] sa={w!r}\n       at={g!r}")
                if len(want) != len(got):
                    print(f"  lengths sa={len(want)} at={len(got)}")
            if isinstance(want, str):
                print("  SA:", want)
            if isinstance(got, str):
                print("  AT:", got)
            if os.environ.get("DUMP"):
                print("  SA value:", want)


if __name__ == "__main__":
    main()
