"""The demo's HTML: one list page (search, add form, table) and one edit page.

Plain string building with every value passed through :func:`html.escape`; no template
engine is needed for two pages. Elements carry stable ids (``add-form``, ``customers``,
``message``) so browser tests can find them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from urllib.parse import quote

from athanor_demo.customers import FIELDS, LABELS, LIMITS
from athanor_demo.models import Customer

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
th, td { border-bottom: 1px solid #ccc; padding: .3rem .5rem; text-align: left; }
form.inline { display: inline; }
.error { background: #fdd; border: 1px solid #c00; padding: .5rem; }
.notice { background: #dfd; border: 1px solid #0a0; padding: .5rem; }
fieldset { margin-top: 1rem; }
label { display: inline-block; margin-right: .5rem; }
"""


def customer_url(customer_id: str) -> str:
    return "/customers/" + quote(customer_id, safe="")


def _layout(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1><a href=\"/\">Customers</a></h1>{body}</body></html>\n"
    )


def _message(error: str | None, notice: str | None) -> str:
    if error:
        return f'<p id="message" class="error" role="alert">{escape(error)}</p>'
    if notice:
        return f'<p id="message" class="notice">{escape(notice)}</p>'
    return ""


def _inputs(values: Mapping[str, str | None], *, with_id: bool) -> str:
    parts = []
    for field in FIELDS:
        if field == "id" and not with_id:
            continue
        value = escape(values.get(field) or "")
        extra = ' required' if field == "name" else ""
        hint = ' placeholder="generated if empty"' if field == "id" else ""
        parts.append(
            f'<label>{LABELS[field]} <input name="{field}" id="{field}" value="{value}" '
            f'title="at most {LIMITS[field]} characters"{extra}{hint}></label>'
        )
    return "".join(parts)


def _row(customer: Customer) -> str:
    url = escape(customer_url(customer.id))
    cells = "".join(f"<td>{escape(getattr(customer, f) or '')}</td>" for f in FIELDS)
    return (
        f'<tr data-id="{escape(customer.id)}">{cells}<td>'
        f'<a href="{url}">edit</a> '
        f'<form class="inline" method="post" action="{url}/delete">'
        '<button type="submit">delete</button></form></td></tr>'
    )


def list_page(
    customers: Iterable[Customer],
    *,
    search: str = "",
    form: Mapping[str, str | None] | None = None,
    error: str | None = None,
    notice: str | None = None,
) -> str:
    rows = "".join(_row(c) for c in customers)
    head = "".join(f"<th>{LABELS[f]}</th>" for f in FIELDS)
    body = (
        f"{_message(error, notice)}"
        '<form id="search-form" method="get" action="/">'
        f'<input name="q" id="q" value="{escape(search)}" placeholder="search">'
        '<button type="submit">Search</button></form>'
        '<form id="add-form" method="post" action="/customers"><fieldset>'
        f"<legend>Add a customer</legend>{_inputs(form or {}, with_id=True)}"
        '<button type="submit" id="add">Add</button></fieldset></form>'
        f'<table id="customers"><thead><tr>{head}<th></th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    return _layout("Customers", body)


def edit_page(
    customer_id: str, values: Mapping[str, str | None], *, error: str | None = None
) -> str:
    url = escape(customer_url(customer_id))
    body = (
        f"{_message(error, None)}"
        f'<form id="edit-form" method="post" action="{url}"><fieldset>'
        f"<legend>Edit customer {escape(customer_id)}</legend>"
        f"{_inputs(values, with_id=False)}"
        '<button type="submit" id="save">Save</button></fieldset></form>'
    )
    return _layout(f"Customer {customer_id}", body)


def not_found_page(message: str) -> str:
    return _layout("Not found", _message(message, None))
