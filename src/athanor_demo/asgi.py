"""The demo's async variant: the customer JSON API on Starlette, served by uvicorn.

Same shape as the WSGI demo, on the async stack: one module-level
``async_scoped_session`` registry (:data:`Session`; scope = the task serving the request),
views that ``await Session.commit()``, and :class:`athanor.web.asgi.AsyncSessionMiddleware`
removing each request's session once the response has been sent. Input validation is the
WSGI demo's own (:func:`athanor_demo.customers.clean`); the model is the same ``Customer``.

Run: ``python -m athanor_demo.asgi [--database-url URL] [--port 8001]`` (uvicorn).

Endpoints: ``GET /api/customers``, ``POST /api/customers`` (JSON; ``?hold=<seconds>`` keeps
the uncommitted row for a while before committing, to exercise cancelled requests),
``GET`` / ``DELETE /api/customers/{id}``, ``GET /api/pool`` (connections checked out).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from athanor import select
from athanor.exc import IntegrityError
from athanor.ext.asyncio import (
    AsyncEngine,
    async_scoped_session,
    async_sessionmaker,
    create_async_engine,
)
from athanor.web.asgi import AsyncSessionMiddleware
from athanor_demo.customers import InputError, clean
from athanor_demo.models import Base, Customer

#: The request-scoped session registry (bound to an engine at startup).
Session = async_scoped_session(async_sessionmaker(expire_on_commit=False))


def _json(data: Any, status: int = 200) -> Any:
    from starlette.responses import JSONResponse

    return JSONResponse(data, status_code=status)


def _error(err: InputError) -> Any:
    return _json({"error": err.message, "field": err.field}, err.status)


async def list_customers(request: Any) -> Any:
    result = await Session.scalars(select(Customer).order_by(Customer.id))
    return _json([c.to_dict() for c in result.all()])


async def add_customer(request: Any) -> Any:
    try:
        data = await request.json()
    except ValueError:
        return _json({"error": "The body must be a JSON object."}, 400)
    try:
        values = clean(data if isinstance(data, dict) else {"": data})
    except InputError as err:
        return _error(err)
    values["id"] = values.get("id") or secrets.token_hex(6)
    customer = Customer(**values)
    Session.add(customer)
    await Session.flush()  # the row exists, uncommitted, from here on
    hold = float(request.query_params.get("hold", 0) or 0)
    if hold:
        await asyncio.sleep(min(hold, 10.0))
    try:
        await Session.commit()
    except IntegrityError:
        await Session.rollback()
        return _json({"error": f"A customer with id {values['id']!r} exists."}, 409)
    return _json(customer.to_dict(), 201)


async def get_customer(request: Any) -> Any:
    customer = await Session.get(Customer, request.path_params["customer_id"])
    if customer is None:
        return _json({"error": "No such customer."}, 404)
    return _json(customer.to_dict())


async def delete_customer(request: Any) -> Any:
    customer = await Session.get(Customer, request.path_params["customer_id"])
    if customer is None:
        return _json({"error": "No such customer."}, 404)
    await Session.delete(customer)
    await Session.commit()
    return _json({"deleted": customer.id})


def create_app(database_url: str, **engine_options: Any) -> Any:
    """The ASGI application: Starlette routes wrapped in the session middleware.

    The engine is created at startup inside the server's event loop (the lifespan), the
    table created if missing, and the engine disposed at shutdown; ``app.state.engine``
    holds it.
    """
    from starlette.applications import Starlette
    from starlette.routing import Route

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        engine = create_async_engine(database_url, **engine_options)
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        Session.configure(bind=engine)
        app.state.engine = engine
        try:
            yield
        finally:
            await engine.dispose()

    async def pool_status(request: Any) -> Any:
        engine: AsyncEngine = request.app.state.engine
        return _json({"checkedout": engine.pool.checkedout(), "status": engine.pool.status()})

    routes = [
        Route("/api/customers", list_customers, methods=["GET"]),
        Route("/api/customers", add_customer, methods=["POST"]),
        Route("/api/customers/{customer_id}", get_customer, methods=["GET"]),
        Route("/api/customers/{customer_id}", delete_customer, methods=["DELETE"]),
        Route("/api/pool", pool_status, methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    return AsyncSessionMiddleware(app, Session)


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    from athanor_demo.cli import default_database_url

    parser = argparse.ArgumentParser(
        prog="python -m athanor_demo.asgi", description="Serve the async athanor demo API."
    )
    parser.add_argument("--database-url", default=None, help="database URL (default: SQLite)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    url = args.database_url or default_database_url()
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    uvicorn.run(create_app(url), host=args.host, port=args.port, log_level="info")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
