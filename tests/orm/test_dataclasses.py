"""Mapped classes as dataclasses: MappedAsDataclass, registry.mapped_as_dataclass."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from tests.orm.conftest import open_session

from athanor import JSON, ForeignKey, String, select
from athanor.exc import ArgumentError, InvalidRequestError
from athanor.orm import (
    DeclarativeBase,
    Mapped,
    MappedAsDataclass,
    Session,
    column_property,
    mapped_as_dataclass,
    mapped_column,
    registry,
    relationship,
    selectinload,
)

calls: list[str] = []


def recording_dataclass(cls: type, **kw: Any) -> Any:
    calls.append(cls.__name__)
    return dataclasses.dataclass(cls, **kw)


class Base(MappedAsDataclass, DeclarativeBase, dataclass_callable=recording_dataclass):
    pass


class Audit(MappedAsDataclass):
    created_by: Mapped[str] = mapped_column(String(20), default="system", kw_only=True)


class User(Audit, Base):
    __tablename__ = "dcl_users"

    id: Mapped[int] = mapped_column(init=False, primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    fullname: Mapped[str | None] = mapped_column(String(60), default=None)
    status: Mapped[str] = mapped_column(String(10), init=False, default="new")
    password: Mapped[str | None] = mapped_column(String(30), default=None, repr=False)
    tags: Mapped[list[str]] = mapped_column(JSON, default_factory=list, compare=False)
    addresses: Mapped[list[Address]] = relationship(default_factory=list,
                                                    back_populates="user")
    name_len: Mapped[int] = column_property(name + "", init=False, repr=False, compare=False)


class Address(Base):
    __tablename__ = "dcl_addresses"

    id: Mapped[int] = mapped_column(init=False, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("dcl_users.id"), init=False)
    email: Mapped[str] = mapped_column(String(60))
    user: Mapped[User | None] = relationship(default=None, back_populates="addresses")


class KwBase(MappedAsDataclass, DeclarativeBase, kw_only=True, eq=False):
    pass


class Thing(KwBase):
    __tablename__ = "dcl_things"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    label: Mapped[str] = mapped_column(String(10), default="x")


@pytest.fixture
def session(engine: Any) -> Iterator[Session]:
    yield from open_session(engine, Base.metadata)


def test_generated_init_repr_eq() -> None:
    assert dataclasses.is_dataclass(User)
    assert [f.name for f in dataclasses.fields(User)] == [
        "created_by", "id", "name", "fullname", "status", "password", "tags", "addresses",
        "name_len"]
    params = list(inspect.signature(User.__init__).parameters)
    assert params == ["self", "name", "fullname", "password", "tags", "addresses",
                      "created_by"]
    u = User("spongebob", "Sponge Bob", password="secret")
    assert repr(u) == ("User(created_by='system', id=None, name='spongebob', "
                       "fullname='Sponge Bob', status=None, tags=[], addresses=[])")
    assert u == User("spongebob", "Sponge Bob", password="secret", tags=["other"])
    assert u != User("spongebob", "Sponge Bob", password="other")
    with pytest.raises(TypeError):
        User()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        User("a", id=3)  # type: ignore[call-arg]
    assert "User" in calls and "Address" in calls and "Base" not in calls


def test_relationships_and_backrefs_in_dataclasses() -> None:
    u = User("a")
    addr = Address("a@example.org", user=u)
    assert u.addresses == [addr]
    assert "user=User(" in repr(addr) and "addresses=[...]" in repr(addr)


def test_flush_applies_column_defaults_for_init_false(session: Session) -> None:
    u = User("patrick", addresses=[Address("p@example.org")])
    session.add(u)
    session.commit()
    assert (u.id, u.status, u.created_by, u.tags) == (u.id, "new", "system", [])
    assert u.addresses[0].user_id == u.id
    session.expunge_all()
    loaded = session.scalars(select(User).options(selectinload(User.addresses))).one()
    assert loaded.addresses[0].email == "p@example.org" and loaded.status == "new"
    loaded.fullname = "Patrick Star"
    session.commit()
    assert session.scalar(select(User.fullname)) == "Patrick Star"


def test_class_options_are_inherited() -> None:
    t = Thing(id=1)
    assert repr(t) == "Thing(id=1, label='x')"
    assert t != Thing(id=1)  # eq=False: identity comparison
    with pytest.raises(TypeError):
        Thing(1)  # type: ignore[misc]


def test_registry_decorator_unsafe_hash_and_compare() -> None:
    reg = registry()

    @reg.mapped_as_dataclass(unsafe_hash=True)
    class Point:
        __tablename__ = "dcl_points"
        id: Mapped[int] = mapped_column(primary_key=True)
        x: Mapped[int] = mapped_column(default=0)

    @mapped_as_dataclass(reg)
    class Label:
        __tablename__ = "dcl_labels"
        id: Mapped[int] = mapped_column(primary_key=True)
        text: Mapped[str] = mapped_column(String(5), default="q", compare=False)

    assert repr(Point(1, 2)).endswith("Point(id=1, x=2)")
    assert hash(Point(1, 2)) == hash(Point(1, 2)) and Point(1) == Point(1, 0)
    assert Label(3) == Label(3, "z")
    assert Point.__table__.name == "dcl_points"
    with pytest.raises(ArgumentError, match="unknown option 'frozen_ish'"):
        mapped_as_dataclass(reg, frozen_ish=True)


def test_field_order_error_names_the_class() -> None:
    class B(MappedAsDataclass, DeclarativeBase):
        pass

    with pytest.raises(InvalidRequestError, match="Making Bad a dataclass failed"):
        class Bad(B):
            __tablename__ = "dcl_bad"
            id: Mapped[int] = mapped_column(primary_key=True, default=None)
            name: Mapped[str] = mapped_column(String(5))
