"""Models and fixtures for column_property / deferred / synonym / validates tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from athanor import Column, ForeignKey, LargeBinary, String, Text, func, select
from athanor.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    column_property,
    deferred,
    mapped_column,
    relationship,
    synonym,
    validates,
)


class Base(DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "cf_books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(60))
    summary: Mapped[str | None] = mapped_column(String(200))
    pages: Mapped[int | None] = mapped_column()
    author_id: Mapped[int] = mapped_column(ForeignKey("cf_authors.id"))
    author: Mapped[Author] = relationship(back_populates="books")


class Author(Base):
    __tablename__ = "cf_authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    firstname: Mapped[str] = mapped_column(String(30))
    lastname: Mapped[str] = mapped_column(String(30))
    bio: Mapped[str | None] = mapped_column(Text, deferred=True)
    photo = deferred(Column(LargeBinary), group="media")
    thumb = deferred(Column(LargeBinary), group="media")
    secret: Mapped[str | None] = mapped_column(String(30), deferred=True,
                                               deferred_raiseload=True)
    fullname = column_property(firstname + " " + lastname)
    book_count = column_property(
        select(func.count(Book.id)).where(Book.author_id == id).correlate_except(Book)
        .scalar_subquery()
    )
    name = synonym("firstname")
    books: Mapped[list[Book]] = relationship(back_populates="author", order_by=Book.id)


#: what the validators saw: (model, key, value, is_remove)
calls: list[tuple[str, str, Any, bool]] = []


class Customer(Base):
    __tablename__ = "cf_customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(60))
    addresses: Mapped[list[Street]] = relationship(back_populates="customer")

    @validates("email")
    def _check_email(self, key: str, value: str) -> str:
        calls.append(("Customer", key, value, False))
        if "@" not in value:
            raise ValueError(f"not an email address: {value!r}")
        return value.lower()

    @validates("addresses", include_removes=True)
    def _check_address(self, key: str, address: Street, is_remove: bool) -> Street:
        calls.append(("Customer", key, address.street, is_remove))
        if address.street == "nowhere":
            raise ValueError("no such street")
        return address


class Street(Base):
    __tablename__ = "cf_streets"

    id: Mapped[int] = mapped_column(primary_key=True)
    street: Mapped[str] = mapped_column(String(60))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("cf_customers.id"))
    customer: Mapped[Customer | None] = relationship(back_populates="addresses")

    @validates("customer", include_backrefs=False)
    def _check_customer(self, key: str, customer: Customer | None) -> Customer | None:
        calls.append(("Street", key, customer.email if customer is not None else None, False))
        return customer


@pytest.fixture
def session(engine: Any) -> Iterator[Session]:
    Base.metadata.create_all(engine)
    calls.clear()
    s = Session(engine)
    try:
        yield s
    finally:
        s.close()


def seed(session: Session) -> None:
    ada = Author(id=1, firstname="Ada", lastname="Lovelace", bio="b" * 50, photo=b"P1",
                 thumb=b"T1", secret="s1")
    alan = Author(id=2, firstname="Alan", lastname="Turing", bio="codebreaker", photo=b"P2",
                  thumb=b"T2", secret="s2")
    session.add_all([ada, alan])
    session.flush()
    session.add_all([
        Book(id=1, title="Notes", summary="on the engine", pages=40, author_id=1),
        Book(id=2, title="Sketch", summary="of the engine", pages=60, author_id=1),
        Book(id=3, title="Machinery", summary="and intelligence", pages=20, author_id=2),
    ])
    session.commit()
    session.expunge_all()
