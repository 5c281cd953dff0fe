"""The WSGI middleware and the Flask helper, on a real threaded server on 127.0.0.1.

(Results are consumed, ``.scalar()``, as application code does: an unconsumed result's cursor
is left to the garbage collector, which on SQLite can stall other threads; reported to the
engine owner.)

Each app checks out a connection through the request's scoped session, some requests write
without committing, some raise (before returning, or while the body is iterated); afterwards
every connection is back in the pool, nothing uncommitted reached the database, and the
registry is empty.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import count
from typing import Any

import pytest

from athanor import Column, Integer, String, func, select, text
from athanor.orm import declarative_base, scoped_session, sessionmaker
from athanor.web import SessionMiddleware
from athanor_demo.server import BackgroundServer

from ._http import call, wait_until

Base: Any = declarative_base()


class Hit(Base):
    __tablename__ = "web_hit"

    id = Column(Integer, primary_key=True)
    path = Column(String(40))


@pytest.fixture
def Session(engine: Any) -> Iterator[scoped_session[Any]]:
    Base.metadata.create_all(engine)
    registry = scoped_session(sessionmaker(bind=engine))
    yield registry
    registry.close_all()


def make_app(Session: scoped_session[Any]) -> Callable[..., Iterable[bytes]]:
    ids = count(1)
    lock = threading.Lock()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        Session.execute(text("SELECT 1")).scalar()  # the request now holds a connection
        if path == "/raise":
            raise RuntimeError("the view failed")
        if path == "/read":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"read"]
        with lock:
            new_id = next(ids)
        Session.add(Hit(id=new_id, path=path))
        Session.flush()
        if path == "/commit":
            Session.commit()
        if path == "/raise-in-body":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return _failing_body()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(new_id).encode()]

    return app


def _failing_body() -> Iterator[bytes]:
    yield b"partial"
    raise RuntimeError("the body failed")


PATHS = ["/commit", "/uncommitted", "/raise", "/raise-in-body"]


def test_middleware_under_hundreds_of_concurrent_requests(
    Session: scoped_session[Any], engine: Any
) -> None:
    app = SessionMiddleware(make_app(Session), Session)
    n = 300
    with BackgroundServer(app) as url, ThreadPoolExecutor(max_workers=50) as pool:
        def one(i: int) -> tuple[str, int]:
            path = PATHS[i % len(PATHS)]
            try:
                return path, call(url, "GET", path).status
            except (ConnectionError, OSError):  # a body that fails mid-way may cut the socket
                return path, -1

        results = list(pool.map(one, range(n)))
        assert wait_until(lambda: engine.pool.checkedout() == 0)
    statuses = {p: {s for q, s in results if q == p} for p in PATHS}
    assert statuses["/commit"] == {200}
    assert statuses["/uncommitted"] == {200}
    assert statuses["/raise"] == {500}
    assert engine.pool.checkedout() == 0
    assert len(Session.registry) == 0
    with Session.scope() as session:
        rows = session.scalars(select(Hit.path).distinct()).all()
        assert rows == ["/commit"]  # everything else was rolled back
        assert session.scalar(select(func.count()).select_from(Hit)) == n // len(PATHS)
    assert engine.pool.checkedout() == 0


def test_without_the_middleware_reused_worker_threads_keep_their_sessions(
    Session: scoped_session[Any], engine: Any
) -> None:
    """Why the middleware exists: a server's worker threads outlive requests."""
    with BackgroundServer(make_app(Session), threads=4) as url:
        for _ in range(8):
            assert call(url, "GET", "/read").status == 200
        assert wait_until(lambda: len(Session.registry) >= 1)
        assert engine.pool.checkedout() >= 1
    # shutting the server down ends its worker threads, and their scopes with them
    assert len(Session.registry) == 0
    assert engine.pool.checkedout() == 0


def test_middleware_removes_when_the_app_raises_before_returning(
    Session: scoped_session[Any], engine: Any
) -> None:
    app = SessionMiddleware(make_app(Session), Session)
    environ = {"PATH_INFO": "/raise", "REQUEST_METHOD": "GET"}
    with pytest.raises(RuntimeError, match="the view failed"):
        app(environ, lambda *a: None)
    assert not Session.has()
    assert engine.pool.checkedout() == 0


def test_middleware_removes_on_close_and_keeps_the_inner_close(
    Session: scoped_session[Any], engine: Any
) -> None:
    closed: list[str] = []

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            yield b"x"

        def close(self) -> None:
            closed.append("inner")
            assert Session.has()  # the framework's own close runs first

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Body:
        Session.execute(text("SELECT 1")).scalar()
        start_response("200 OK", [])
        return Body()

    body = SessionMiddleware(app, Session)({}, lambda *a: None)
    assert list(body) == [b"x"]
    assert Session.has() and engine.pool.checkedout() == 1  # still streaming
    body.close()  # type: ignore[attr-defined]
    assert closed == ["inner"]
    assert not Session.has() and engine.pool.checkedout() == 0


def test_flask_helper_under_concurrent_requests(
    Session: scoped_session[Any], engine: Any
) -> None:
    flask = pytest.importorskip("flask")
    from athanor.web.flask import init_app

    app = flask.Flask(__name__)
    init_app(app, Session)
    ids = count(1)
    lock = threading.Lock()

    @app.route("/<kind>")
    def view(kind: str) -> str:
        Session.execute(text("SELECT 1")).scalar()
        if kind == "raise":
            raise RuntimeError("the view failed")
        with lock:
            new_id = next(ids)
        Session.add(Hit(id=new_id, path=kind))
        Session.flush()
        if kind == "commit":
            Session.commit()
        return "ok"

    kinds = ["commit", "uncommitted", "raise"]
    n = 240
    with BackgroundServer(app) as url, ThreadPoolExecutor(max_workers=40) as pool:
        results = list(pool.map(lambda i: call(url, "GET", "/" + kinds[i % 3]).status, range(n)))
        assert wait_until(lambda: engine.pool.checkedout() == 0)
    assert results.count(200) == 160 and results.count(500) == 80
    assert len(Session.registry) == 0
    with Session.scope() as session:
        assert session.scalars(select(Hit.path).distinct()).all() == ["commit"]
    assert engine.pool.checkedout() == 0


def test_flask_lifecycle_class_with_an_app_factory(
    Session: scoped_session[Any], engine: Any
) -> None:
    flask = pytest.importorskip("flask")
    from athanor.web.flask import FlaskSessionLifecycle

    lifecycle = FlaskSessionLifecycle(Session)

    def create_app() -> Any:
        app = flask.Flask(__name__)
        lifecycle.init_app(app)

        @app.route("/")
        def index() -> str:
            Session.add(Hit(id=1, path="/"))
            Session.flush()
            return str(engine.pool.checkedout())

        return app

    app = create_app()
    assert app.extensions["athanor"] is lifecycle
    with app.test_client() as client:
        assert client.get("/").text == "1"  # the view held a connection...
    assert not Session.has()  # ...given back at teardown, uncommitted work rolled back
    assert engine.pool.checkedout() == 0
    with Session.scope() as session:
        assert session.scalars(select(Hit)).all() == []
