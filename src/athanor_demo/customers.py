"""What the demo does with customers: validate input, then list, add, edit or delete.

Every operation is one transaction on the request's scoped session (the module-level
``Session`` registry): it either commits completely or raises :class:`InputError` after a
rollback, so a rejected request never leaves half-written rows. Input is checked against the
column lengths read once from the table, because SQLite does not enforce ``VARCHAR(n)``; a
duplicate id that slips past the check (two requests racing) is caught as the database's
IntegrityError and reported the same way.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from athanor import or_
from athanor.exc import DataError, IntegrityError
from athanor_demo.models import Customer, Session

FIELDS = ("id", "name", "phone", "address")
LABELS = {"id": "Id", "name": "Name", "phone": "Phone", "address": "Address"}
LIMITS: dict[str, int] = {c.name: c.type.length for c in Customer.__table__.columns}
_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]+\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class InputError(Exception):
    """Input the demo rejects; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, *, status: int = 400, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def clean(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, str | None]:
    """Validated, stripped field values; ``partial`` allows missing fields (updates)."""
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise InputError(f"Unknown field {unknown[0]!r}; the fields are {', '.join(FIELDS)}.")
    values: dict[str, str | None] = {}
    for field in FIELDS:
        if field not in data:
            continue
        raw = data[field]
        if raw is not None and not isinstance(raw, str):
            raise InputError(f"{LABELS[field]} must be text.", field=field)
        value = (raw or "").strip()
        if not _is_utf8(value):
            raise InputError(f"{LABELS[field]} is not valid text.", field=field)
        if _CONTROL.search(value):
            raise InputError(f"{LABELS[field]} must not contain control characters.", field=field)
        if len(value) > LIMITS[field]:
            raise InputError(
                f"{LABELS[field]} is too long: at most {LIMITS[field]} characters, "
                f"got {len(value)}.",
                field=field,
            )
        values[field] = value or None
    if (not partial or "name" in data) and not values.get("name"):
        raise InputError("Name is required.", field="name")
    customer_id = values.get("id")
    if customer_id is not None and not _ID_PATTERN.match(customer_id):
        raise InputError(
            "Id may only use letters, digits, '.', '_' and '-'.", field="id"
        )
    return values


def _is_utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, which JSON can carry
        return False
    return True


def list_customers(search: str | None = None) -> list[Customer]:
    """Every customer, or those whose id, name, phone or address contains ``search``
    (ignoring case; ``%`` and ``_`` are matched literally)."""
    query = Customer.query
    search = _CONTROL.sub("", search or "")
    if search:
        escaped = search.replace("/", "//").replace("%", "/%").replace("_", "/_")
        pattern = f"%{escaped}%"
        query = query.filter(
            or_(*(getattr(Customer, f).ilike(pattern, escape="/") for f in FIELDS))
        )
    return list(query.order_by(Customer.name, Customer.id).all())


def get_customer(customer_id: str) -> Customer:
    customer = None
    if len(customer_id) <= LIMITS["id"] and _ID_PATTERN.match(customer_id):
        customer = Session.get(Customer, customer_id)  # no query for ids that cannot exist
    if customer is None:
        raise InputError(f"No customer with id {customer_id!r}.", status=404)
    return customer


def add_customer(data: Mapping[str, Any]) -> Customer:
    values = clean(data)
    if values.get("id") is None:
        values["id"] = secrets.token_hex(6)
    elif Session.get(Customer, values["id"]) is not None:
        raise _duplicate(values["id"])
    customer = Customer(**values)
    Session.add(customer)
    _commit(values["id"])
    return customer


def update_customer(customer_id: str, data: Mapping[str, Any]) -> Customer:
    customer = get_customer(customer_id)
    values = clean(data, partial=True)
    new_id = values.pop("id", None)
    if new_id is not None and new_id != customer_id:
        raise InputError("The id of a customer cannot change.", field="id")
    for field, value in values.items():
        setattr(customer, field, value)
    _commit(customer_id)
    return customer


def delete_customer(customer_id: str) -> None:
    Session.delete(get_customer(customer_id))
    _commit(customer_id)


def _commit(customer_id: str | None) -> None:
    try:
        Session.commit()
    except IntegrityError:
        Session.rollback()
        raise _duplicate(customer_id)
    except DataError:  # e.g. characters the database's character set cannot hold
        Session.rollback()
        raise InputError("The database cannot store one of these values as given.")
    except BaseException:
        Session.rollback()
        raise


def _duplicate(customer_id: str | None) -> InputError:
    return InputError(
        f"A customer with id {customer_id!r} already exists.", status=409, field="id"
    )
