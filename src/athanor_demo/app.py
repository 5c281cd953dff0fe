"""The demo's WSGI application: a tiny router over :mod:`athanor_demo.customers`.

HTML routes follow post/redirect/get: a successful form post answers ``303 See Other`` to the
list with a notice; a rejected one re-renders the form with the message and a 4xx status.
JSON routes live under ``/api``. Views never touch session lifecycle: the module-level
registry hands each request thread its session and :class:`athanor.web.SessionMiddleware`
removes it after the response, so an unexpected error is a logged 500 with the transaction
rolled back.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from athanor.web import SessionMiddleware
from athanor_demo import customers, pages
from athanor_demo.customers import InputError
from athanor_demo.models import Session

_log = logging.getLogger("athanor_demo")
_MAX_BODY = 64 * 1024
_REASONS = {
    200: "OK", 201: "Created", 204: "No Content", 303: "See Other", 400: "Bad Request",
    404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 413: "Payload Too Large",
    415: "Unsupported Media Type", 500: "Internal Server Error",
}

Response = tuple[int, list[tuple[str, str]], bytes]


class Request:
    """The parts of a WSGI environ the views use."""

    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ
        self.method: str = environ["REQUEST_METHOD"].upper()
        raw_path = environ.get("PATH_INFO", "") or "/"
        self.path = raw_path.encode("latin-1").decode("utf-8", "replace")
        self.query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}

    def body(self) -> bytes:
        try:
            length = int(self.environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise InputError("Bad Content-Length header.")
        if length > _MAX_BODY:
            raise InputError("Request body too large.", status=413)
        return self.environ["wsgi.input"].read(length) if length > 0 else b""

    def form(self) -> dict[str, str]:
        fields = parse_qs(self.body().decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0] for k, v in fields.items()}

    def json(self) -> Any:
        ctype = self.environ.get("CONTENT_TYPE", "")
        if "json" not in ctype:
            raise InputError("Send the body as JSON (Content-Type: application/json).", status=415)
        try:
            data = json.loads(self.body() or b"null")
        except ValueError:
            raise InputError("The body is not valid JSON.")
        if not isinstance(data, dict):
            raise InputError("The body must be a JSON object of customer fields.")
        return data


def html(body: str, status: int = 200) -> Response:
    return status, [("Content-Type", "text/html; charset=utf-8")], body.encode()


def as_json(data: Any, status: int = 200) -> Response:
    return status, [("Content-Type", "application/json")], json.dumps(data).encode()


def redirect(location: str) -> Response:
    return 303, [("Location", location)], b""


# -- HTML views -------------------------------------------------------------------------

def list_view(req: Request, error: InputError | None = None, form: Any = None) -> Response:
    search = req.query.get("q", "").strip()
    page = pages.list_page(
        customers.list_customers(search),
        search=search,
        form=form,
        error=error.message if error else None,
        notice=req.query.get("notice"),
    )
    return html(page, error.status if error else 200)


def add_view(req: Request) -> Response:
    form = req.form()
    try:
        customer = customers.add_customer(form)
    except InputError as err:
        return list_view(req, err, form)
    return redirect("/?" + urlencode({"notice": f"Added {customer.name} ({customer.id})."}))


def edit_view(req: Request, customer_id: str) -> Response:
    customer = customers.get_customer(customer_id)
    return html(pages.edit_page(customer_id, customer.to_dict()))


def update_view(req: Request, customer_id: str) -> Response:
    form = req.form()
    try:
        customer = customers.update_customer(customer_id, form)
    except InputError as err:
        if err.status == 404:
            raise
        return html(pages.edit_page(customer_id, form, error=err.message), err.status)
    return redirect("/?" + urlencode({"notice": f"Saved {customer.name} ({customer_id})."}))


def delete_view(req: Request, customer_id: str) -> Response:
    customers.delete_customer(customer_id)
    return redirect("/?" + urlencode({"notice": f"Deleted {customer_id}."}))


# -- JSON API ---------------------------------------------------------------------------

def api_list(req: Request) -> Response:
    found = customers.list_customers(req.query.get("q", "").strip())
    return as_json([c.to_dict() for c in found])


def api_add(req: Request) -> Response:
    customer = customers.add_customer(req.json())
    status, headers, body = as_json(customer.to_dict(), 201)
    headers.append(("Location", "/api/customers/" + quote(customer.id, safe="")))
    return status, headers, body


def api_get(req: Request, customer_id: str) -> Response:
    return as_json(customers.get_customer(customer_id).to_dict())


def api_update(req: Request, customer_id: str) -> Response:
    return as_json(customers.update_customer(customer_id, req.json()).to_dict())


def api_delete(req: Request, customer_id: str) -> Response:
    customers.delete_customer(customer_id)
    return 204, [], b""


View = Callable[..., Response]
ROUTES: list[tuple[re.Pattern[str], dict[str, View]]] = [
    (re.compile(r"/\Z"), {"GET": list_view}),
    (re.compile(r"/customers\Z"), {"POST": add_view}),
    (re.compile(r"/customers/([^/]+)\Z"), {"GET": edit_view, "POST": update_view}),
    (re.compile(r"/customers/([^/]+)/delete\Z"), {"POST": delete_view}),
    (re.compile(r"/api/customers\Z"), {"GET": api_list, "POST": api_add}),
    (
        re.compile(r"/api/customers/([^/]+)\Z"),
        {"GET": api_get, "PUT": api_update, "PATCH": api_update, "DELETE": api_delete},
    ),
]


def dispatch(req: Request) -> Response:
    for pattern, views in ROUTES:
        match = pattern.match(req.path)
        if match is None:
            continue
        view = views.get(req.method)
        if view is None:
            allowed = ", ".join(sorted(views))
            raise InputError(f"Method {req.method} not allowed here; use {allowed}.", status=405)
        return view(req, *match.groups())
    raise InputError(f"No page at {req.path!r}.", status=404)


def error_response(req: Request, err: InputError) -> Response:
    if req.path.startswith("/api/"):
        return as_json({"error": err.message, "field": err.field}, err.status)
    return html(pages.not_found_page(err.message), err.status)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The bare WSGI app; :data:`app` is this wrapped in the session middleware."""
    req = Request(environ)
    try:
        status, headers, body = dispatch(req)
    except InputError as err:
        status, headers, body = error_response(req, err)
    except Exception:
        _log.exception("unexpected error serving %s %s", req.method, req.path)
        status, headers, body = error_response(req, InputError("Internal error.", status=500))
    headers.append(("Content-Length", str(len(body))))
    start_response(f"{status} {_REASONS.get(status, 'Unknown')}", headers)
    return [body]


app = SessionMiddleware(application, Session)
