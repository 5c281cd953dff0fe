"""Command line: ``python -m athanor_demo [--database-url URL] [--host H] [--port P]``.

Without ``--database-url`` the demo uses a SQLite file in the project's ``data/`` folder
(created if missing; ``make clean`` deletes it). Startup binds the module-level registry to
the engine (``Session.configure(bind=engine)``), creates the table if needed, and prints the
address before serving.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from athanor import create_engine
from athanor_demo.app import app
from athanor_demo.models import Base, Session
from athanor_demo.server import make_server, server_url


def data_dir() -> Path:
    """The project's ``data/`` folder (next to pyproject.toml), else ``./data``."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").exists():
        root = Path.cwd()
    return root / "data"


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'athanor_demo.db'}"


def setup(database_url: str, **engine_options: Any) -> Any:
    """Create the engine, bind the registry to it and create the table; return the engine."""
    if database_url.startswith("sqlite:///"):
        Path(database_url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(database_url, **engine_options)
    Base.metadata.create_all(engine)
    Session.configure(bind=engine)
    return engine


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m athanor_demo", description="Serve the athanor customer demo."
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="database URL, e.g. postgresql://user@127.0.0.1/db or mysql://root@127.0.0.1/db "
        "(default: a SQLite file in the project's data/ folder)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (8000; 0 picks one)")
    parser.add_argument(
        "--threads", type=int, default=16,
        help="worker threads (16); 0 starts one thread per connection",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument(
        "--asgi", action="store_true",
        help="serve the async variant (JSON API on Starlette + uvicorn, athanor_demo.asgi)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = args.database_url or default_database_url()
    if args.asgi:  # the async variant (issue 7)
        from athanor_demo.asgi import main as asgi_main

        return asgi_main(["--database-url", url, "--host", args.host, "--port", str(args.port)])
    engine = setup(url)
    try:
        server = make_server(
            app, args.host, args.port, threads=args.threads, quiet=args.quiet
        )
    except OSError as err:
        print(f"Cannot listen on {args.host}:{args.port}: {err.strerror}. "
              "Pick another with --port.", file=sys.stderr)
        engine.dispose()
        return 2
    print(f"athanor demo on {engine.dialect.name}: serving at {server_url(server)} "
          "(Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        engine.dispose()
    return 0
