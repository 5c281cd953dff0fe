"""The demo app end to end: a real threaded server on 127.0.0.1, real HTTP clients, every
backend. Checks the HTML pages and the JSON API, bad input (a clear message and a 4xx, never
a 500, nothing half-written), many concurrent clients (every row present afterwards) and that
no connection is left checked out.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from athanor import func, select
from athanor_demo import cli
from athanor_demo.app import app
from athanor_demo.models import Customer, Session
from athanor_demo.server import BackgroundServer

from ._http import Reply, call, http_raw, wait_until

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo(backend_url: str) -> Iterator[tuple[str, Any]]:
    """The demo app bound to a clean database of each backend, served on loopback."""
    engine = cli.setup(backend_url, pool_size=10, max_overflow=10)
    try:
        with BackgroundServer(app) as url:
            yield url, engine
            assert wait_until(lambda: engine.pool.checkedout() == 0)
        assert len(Session.registry) == 0
    finally:
        Session.close_all()
        engine.dispose()


def count_rows(engine: Any) -> int:
    with Session.scope() as session:
        n: int = session.scalar(select(func.count()).select_from(Customer))
    return n


def add(url: str, **fields: Any) -> Reply:
    return call(url, "POST", "/api/customers", json_body=fields)


# -- JSON API -------------------------------------------------------------------------------

def test_api_crud(demo: tuple[str, Any]) -> None:
    url, _ = demo
    reply = add(url, id="c1", name="dave", phone="416-223-8652", address="9 King ST")
    assert reply.status == 201, reply.text
    assert reply.headers["location"] == "/api/customers/c1"
    assert reply.json() == {
        "id": "c1", "name": "dave", "phone": "416-223-8652", "address": "9 King ST"
    }
    assert call(url, "GET", "/api/customers/c1").json()["name"] == "dave"
    reply = call(url, "PATCH", "/api/customers/c1", json_body={"phone": "555-0100"})
    assert reply.status == 200 and reply.json()["phone"] == "555-0100"
    generated = add(url, name="wendy")
    assert generated.status == 201 and generated.json()["id"]
    names = [c["name"] for c in call(url, "GET", "/api/customers").json()]
    assert names == ["dave", "wendy"]
    assert [c["id"] for c in call(url, "GET", "/api/customers?q=AVE").json()] == ["c1"]
    assert call(url, "GET", "/api/customers?q=%25").json() == []  # '%' matched literally
    assert call(url, "GET", "/api/customers?q=_").json() == []
    assert call(url, "GET", "/api/customers?q=%00").status == 200  # control characters dropped
    assert call(url, "GET", "/?q=%00%01").status == 200
    assert call(url, "DELETE", "/api/customers/c1").status == 204
    assert call(url, "GET", "/api/customers/c1").status == 404
    assert len(call(url, "GET", "/api/customers").json()) == 1


BAD_INPUT = [
    ({"id": "x1", "name": ""}, 400, "Name is required"),
    ({"id": "x1", "name": "   "}, 400, "Name is required"),
    ({"id": "x1"}, 400, "Name is required"),
    ({"id": "x1", "name": "ann", "phone": "1" * 13}, 400, "Phone is too long"),
    ({"id": "x1", "name": "a" * 17}, 400, "Name is too long"),
    ({"id": "x1", "name": "ann", "address": "a" * 126}, 400, "Address is too long"),
    ({"id": "x" * 21, "name": "ann"}, 400, "Id is too long"),
    ({"id": "a/b", "name": "ann"}, 400, "Id may only use"),
    ({"id": "x1", "name": 5}, 400, "Name must be text"),
    ({"id": "x1", "name": "ann", "email": "a@b"}, 400, "Unknown field 'email'"),
    ({"id": "x1", "name": "a\x00b"}, 400, "Name must not contain control characters"),
    ({"id": "x1", "name": "a\ud800"}, 400, "Name is not valid text"),
    ({"id": "taken", "name": "ann"}, 409, "already exists"),
]


def test_api_rejects_bad_input_with_a_4xx(demo: tuple[str, Any]) -> None:
    url, engine = demo
    assert add(url, id="taken", name="first", phone="111").status == 201
    for fields, status, message in BAD_INPUT:
        reply = add(url, **fields)
        assert reply.status == status, fields
        assert message in reply.json()["error"], fields
    assert count_rows(engine) == 1
    assert call(url, "GET", "/api/customers/taken").json()["name"] == "first"


def test_api_never_answers_500_to_any_json_object(demo: tuple[str, Any]) -> None:
    url, engine = demo
    values = st.one_of(st.none(), st.integers(), st.text(max_size=30),
                       st.text(st.characters(codec="utf-8"), max_size=30))
    keys = st.sampled_from(["id", "name", "phone", "address", "other"])

    @settings(max_examples=60, deadline=None, database=None)
    @given(st.dictionaries(keys, values, max_size=5))
    def post(body: dict[str, Any]) -> None:
        reply = add(url, **body)
        assert reply.status in (201, 400, 409), (body, reply.text)
        if reply.status == 201:
            stored = call(url, "GET", reply.headers["location"]).json()
            assert stored["name"] == body["name"].strip()

    post()
    assert wait_until(lambda: engine.pool.checkedout() == 0)


def test_api_rejects_bad_updates_and_bodies(demo: tuple[str, Any]) -> None:
    url, _ = demo
    assert add(url, id="c1", name="dave", phone="416").status == 201
    bad_updates = [
        ({"name": ""}, 400), ({"phone": "9" * 13}, 400), ({"id": "other"}, 400),
    ]
    for body, status in bad_updates:
        reply = call(url, "PUT", "/api/customers/c1", json_body=body)
        assert reply.status == status, body
        assert reply.json()["error"]
    assert call(url, "GET", "/api/customers/c1").json() == {
        "id": "c1", "name": "dave", "phone": "416", "address": None
    }
    assert call(url, "PATCH", "/api/customers/nobody", json_body={"name": "x"}).status == 404
    assert call(url, "DELETE", "/api/customers/nobody").status == 404
    assert call(url, "POST", "/api/customers", form={"name": "x"}).status == 415
    assert http_raw(url, "POST", "/api/customers", b"{not json", "application/json") == 400
    assert http_raw(url, "POST", "/api/customers", b"[1, 2]", "application/json") == 400
    for odd in ("a%00b", "x" * 40, "%C3%A9t%C3%A9", "a%20b"):
        assert call(url, "GET", "/api/customers/" + odd).status == 404, odd
        assert call(url, "GET", "/customers/" + odd).status == 404, odd
    assert call(url, "PUT", "/api/customers").status == 405
    assert call(url, "GET", "/api/nothing-here").status == 404


def test_concurrent_duplicate_ids_give_one_201_and_409s(demo: tuple[str, Any]) -> None:
    url, engine = demo
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda i: add(url, id="same", name=f"n{i}").status, range(40)))
    assert statuses.count(201) == 1
    assert statuses.count(409) == 39
    assert count_rows(engine) == 1


# -- many concurrent clients ----------------------------------------------------------------

def test_many_concurrent_clients_every_row_present(demo: tuple[str, Any]) -> None:
    url, engine = demo
    n = 200

    def client(i: int) -> tuple[int, int, int]:
        if i % 2:
            created = add(url, id=f"api-{i}", name=f"api {i}", phone=f"555-{i:04d}")
        else:
            created = call(url, "POST", "/customers", form={
                "id": f"form-{i}", "name": f"form {i}", "phone": "", "address": f"{i} Main St",
            })
        listed = call(url, "GET", "/" if i % 3 else "/api/customers")
        bad = add(url, id=f"bad-{i}", name="")
        return created.status, listed.status, bad.status

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(client, range(n)))
    assert all(r[0] in (201, 303) for r in results), results
    assert all(r[1] == 200 for r in results)
    assert all(r[2] == 400 for r in results)
    assert wait_until(lambda: engine.pool.checkedout() == 0)
    ids = {c["id"] for c in call(url, "GET", "/api/customers").json()}
    expected = {f"api-{i}" if i % 2 else f"form-{i}" for i in range(n)}
    assert ids == expected
    assert count_rows(engine) == n
    with Session.scope() as session:
        row = session.get(Customer, "form-10")
        assert (row.name, row.phone, row.address) == ("form 10", None, "10 Main St")


# -- HTML pages -----------------------------------------------------------------------------

def test_html_add_edit_search_delete(demo: tuple[str, Any]) -> None:
    url, _ = demo
    page = call(url, "GET", "/")
    assert page.status == 200 and 'id="add-form"' in page.text
    form = {"id": "d1", "name": "dave", "phone": "416-223-8652", "address": "9 King ST"}
    added = call(url, "POST", "/customers", form=form)
    assert added.status == 303 and added.headers["location"].startswith("/?notice=")
    listing = call(url, "GET", added.headers["location"])
    assert "Added dave (d1)." in listing.text and 'data-id="d1"' in listing.text
    call(url, "POST", "/customers", form={"id": "m1", "name": "mary <b>", "phone": "",
                                          "address": ""})
    assert "mary &lt;b&gt;" in call(url, "GET", "/").text
    edit = call(url, "GET", "/customers/d1")
    assert edit.status == 200 and 'value="416-223-8652"' in edit.text
    saved = call(url, "POST", "/customers/d1", form={"name": "david", "phone": "1",
                                                      "address": "1 Queen St"})
    assert saved.status == 303
    found = call(url, "GET", "/?q=vid").text
    assert 'data-id="d1"' in found and 'data-id="m1"' not in found and "1 Queen St" in found
    assert call(url, "POST", "/customers/d1/delete").status == 303
    assert 'data-id="d1"' not in call(url, "GET", "/").text
    assert call(url, "GET", "/customers/d1").status == 404


BAD_FORMS = [
    ({"id": "h1", "name": "", "phone": "1", "address": ""}, 400, "Name is required."),
    ({"id": "h1", "name": "ann", "phone": "1" * 13, "address": ""}, 400,
     "Phone is too long: at most 12 characters, got 13."),
    ({"id": "dup", "name": "ann", "phone": "", "address": ""}, 409,
     "A customer with id &#x27;dup&#x27; already exists."),
]


def test_html_form_errors_show_a_message(demo: tuple[str, Any]) -> None:
    url, engine = demo
    assert add(url, id="dup", name="first").status == 201
    for form, status, message in BAD_FORMS:
        reply = call(url, "POST", "/customers", form=form)
        assert reply.status == status
        assert 'id="message" class="error"' in reply.text and message in reply.text
        assert f'value="{form["phone"]}"' in reply.text  # the form keeps what was typed
    assert count_rows(engine) == 1


def test_html_edit_errors_show_a_message_and_change_nothing(demo: tuple[str, Any]) -> None:
    url, _ = demo
    assert add(url, id="e1", name="eve", phone="123").status == 201
    reply = call(url, "POST", "/customers/e1", form={"name": "eve", "phone": "9" * 20,
                                                      "address": ""})
    assert reply.status == 400 and "Phone is too long" in reply.text
    assert call(url, "GET", "/api/customers/e1").json()["phone"] == "123"
    assert call(url, "POST", "/customers/" + quote("nobody") + "/delete").status == 404


# -- the command line -----------------------------------------------------------------------

def test_default_database_is_a_sqlite_file_in_the_project_data_folder() -> None:
    assert cli.default_database_url() == f"sqlite:///{ROOT / 'data' / 'athanor_demo.db'}"


def test_command_line_starts_serves_and_prints_the_address(tmp_path: Path) -> None:
    db = tmp_path / "nested" / "demo.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "athanor_demo", "--database-url", f"sqlite:///{db}",
         "--port", "0", "--host", "127.0.0.1", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "serving at http://127.0.0.1:" in line, proc.stderr.read() if proc.stderr else ""
        url = line.split("serving at ")[1].split()[0]
        assert add(url, id="cli", name="from cli").status == 201
        assert "from cli" in call(url, "GET", "/").text
        assert db.exists()
    finally:
        proc.terminate()
        proc.wait(10)
