"""Real multi-threaded WSGI servers from the standard library.

``wsgiref``'s server handles one request at a time. Two threaded variants:

* :class:`PooledWSGIServer` (the default): a fixed pool of worker threads that live for the
  whole run, like production servers (gunicorn's gthread worker, waitress). Threads are
  reused, so the thread-scoped registry relies on :class:`athanor.web.SessionMiddleware`
  to end each request's session: exactly the case the middleware exists for.
* :class:`ThreadingWSGIServer`: one new thread per connection (``ThreadingMixIn``).

The listen backlog is raised so bursts of concurrent clients queue instead of being refused.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """wsgiref's server with one new thread per connection."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024


class PooledWSGIServer(WSGIServer):
    """wsgiref's server handing each connection to a fixed pool of worker threads."""

    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], handler: Any, *, threads: int = 16) -> None:
        super().__init__(address, handler)
        self._workers = ThreadPoolExecutor(threads, thread_name_prefix="wsgi-worker")

    def process_request(self, request: Any, client_address: Any) -> None:
        self._workers.submit(self._serve, request, client_address)

    def _serve(self, request: socket.socket, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        self._workers.shutdown(wait=True)


class QuietHandler(WSGIRequestHandler):
    """A request handler that does not log each request (for tests)."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass


def make_server(
    app: WSGIApp,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    threads: int = 16,
    quiet: bool = False,
) -> WSGIServer:
    """Bind a threaded WSGI server for ``app``: a pool of ``threads`` workers, or one thread
    per connection when ``threads`` is 0. ``port=0`` picks a free port."""
    handler = QuietHandler if quiet else WSGIRequestHandler
    server: WSGIServer
    if threads > 0:
        server = PooledWSGIServer((host, port), handler, threads=threads)
    else:
        server = ThreadingWSGIServer((host, port), handler)
    server.set_app(app)
    return server


def server_url(server: WSGIServer) -> str:
    host, port = server.server_address[:2]
    if isinstance(host, bytes):
        host = host.decode()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


class BackgroundServer:
    """A server running in a daemon thread: ``with BackgroundServer(app) as url: ...``."""

    def __init__(self, app: WSGIApp, host: str = "127.0.0.1", port: int = 0, *,
                 threads: int = 16) -> None:
        self.server = make_server(app, host, port, threads=threads, quiet=True)
        self.url = server_url(self.server)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self._thread.start()
        return self.url

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()
