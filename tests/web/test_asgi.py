"""ASGI: the session middleware's contract in-process, the FastAPI-style dependency, and
the async demo served by uvicorn under load (hundreds of concurrent requests, some aborted).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from athanor import Column, Integer, MetaData, String, Table, create_engine, select, text
from athanor.ext.asyncio import (
    AsyncSession,
    async_scoped_session,
    async_sessionmaker,
    create_async_engine,
)
from athanor.web.asgi import AsyncSessionMiddleware
from athanor.web.starlette import session_dependency

metadata = MetaData()
notes = Table("asgi_notes", metadata, Column("id", Integer, primary_key=True),
              Column("body", String(40)))


def _rows(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(notes.c.body).order_by(notes.c.body)).scalars())
    finally:
        engine.dispose()


async def _call(app: Any, path: str = "/") -> list[dict[str, Any]]:
    """Drive one HTTP request through an ASGI app; return what it sent."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""}
    await app(scope, receive, send)
    return sent


def _app_using(Session: Any, behaviour: str) -> Any:  # noqa: N803
    async def app(scope: Any, receive: Any, send: Any) -> None:
        Session.add_all([])  # make the scope's session
        await Session.execute(notes.insert(), {"body": behaviour})
        if behaviour == "commit":
            await Session.commit()
        if behaviour == "raise":
            raise RuntimeError("boom")
        if behaviour == "hang":
            await asyncio.sleep(30)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return AsyncSessionMiddleware(app, Session)


def test_middleware_removes_session_after_response(backend_url: str) -> None:
    async def main() -> None:
        engine = create_async_engine(backend_url)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        Session = async_scoped_session(async_sessionmaker(engine))  # noqa: N806
        try:
            sent = await _call(_app_using(Session, "commit"))
            assert sent[-1]["body"] == b"ok"
            await _call(_app_using(Session, "uncommitted"))
            with pytest.raises(RuntimeError):
                await _call(_app_using(Session, "raise"))
            task = asyncio.create_task(_call(_app_using(Session, "hang")))
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert engine.pool.checkedout() == 0
            assert len(Session.registry) == 0
        finally:
            await engine.dispose()

    asyncio.run(main())
    assert _rows(backend_url) == ["commit"]  # the others were rolled back


def test_session_dependency_yields_request_scoped_session(backend_url: str) -> None:
    async def main() -> None:
        engine = create_async_engine(backend_url)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        get_session = session_dependency(async_sessionmaker(engine))
        try:
            gen = get_session()  # what FastAPI does per request
            session = await gen.__anext__()
            assert isinstance(session, AsyncSession)
            await session.execute(notes.insert(), {"body": "kept"})
            await session.commit()
            await session.execute(notes.insert(), {"body": "dropped"})
            with pytest.raises(StopAsyncIteration):
                await gen.__anext__()
            other = await get_session().__anext__()
            assert other is not session
            assert engine.pool.checkedout() == 0
        finally:
            await engine.dispose()

    asyncio.run(main())
    assert _rows(backend_url) == ["kept"]


class _Server:
    """uvicorn serving the async demo in a thread, on a free loopback port."""

    def __init__(self, url: str) -> None:
        import uvicorn

        from athanor_demo.asgi import create_app

        self.app = create_app(url, pool_size=5, max_overflow=5, pool_timeout=30)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning",
                                lifespan="on", timeout_graceful_shutdown=5)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.server.should_exit = True
        self.thread.join(20)


@pytest.fixture
def demo_server(backend_url: str) -> Iterator[_Server]:
    from athanor_demo.models import Base

    engine = create_engine(backend_url)
    Base.metadata.drop_all(engine)
    engine.dispose()
    with _Server(backend_url) as server:
        yield server


def test_async_demo_under_load_with_aborted_requests(
    demo_server: _Server, backend_url: str
) -> None:
    import httpx

    total, aborted_every = 300, 10

    async def post(client: httpx.AsyncClient, i: int) -> tuple[str, str]:
        cid = f"c{i:04d}"
        body = {"id": cid, "name": f"name {i}", "phone": f"555-{i:04d}", "address": f"{i} Road"}
        if i % aborted_every == 0:  # the client gives up while the row is uncommitted
            try:
                await client.post("/api/customers?hold=0.5", json=body, timeout=0.1)
            except httpx.TimeoutException:
                return cid, "aborted"
            return cid, "finished"
        response = await client.post("/api/customers", json=body, timeout=60)
        assert response.status_code == 201, response.text
        assert response.json()["id"] == cid
        return cid, "ok"

    async def main() -> tuple[dict[str, str], list[Any], int]:
        limits = httpx.Limits(max_connections=400, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=demo_server.base, limits=limits) as client:
            results = dict(await asyncio.gather(*(post(client, i) for i in range(total))))
            await drained(client)  # aborted requests finish on the server after the client left
            listed = (await client.get("/api/customers", timeout=60)).json()
            return results, listed, await drained(client)

    async def drained(client: httpx.AsyncClient) -> int:
        await asyncio.sleep(0.6)
        deadline = time.monotonic() + 30
        while True:  # a session is removed just after its response is sent
            pool = (await client.get("/api/pool")).json()
            if pool["checkedout"] == 0 or time.monotonic() > deadline:
                return int(pool["checkedout"])
            await asyncio.sleep(0.05)

    results, listed, checked_out = asyncio.run(main())
    assert checked_out == 0
    assert demo_server.app.app.state.engine.pool.checkedout() == 0
    ok = {cid for cid, how in results.items() if how == "ok"}
    assert len(ok) >= total - total // aborted_every
    assert sum(1 for how in results.values() if how == "aborted") > 0
    by_id = {c["id"]: c for c in listed}
    assert ok <= set(by_id)  # every acknowledged row is there
    assert set(by_id) <= set(results)  # and nothing else
    for cid, row in by_id.items():  # complete rows only
        i = int(cid[1:])
        assert row == {"id": cid, "name": f"name {i}", "phone": f"555-{i:04d}",
                       "address": f"{i} Road"}
    engine = create_engine(backend_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM customer")).scalar() == len(by_id)
    engine.dispose()
    json.dumps(listed)
