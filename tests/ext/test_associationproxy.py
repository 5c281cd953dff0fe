"""association_proxy(): list-like views over collections, scalars across many-to-one."""

from __future__ import annotations

from typing import Any

import pytest

from athanor import Column, ForeignKey, String, Table, exc, select
from athanor.ext.associationproxy import (
    AssociationProxy,
    AssociationProxyInstance,
    association_proxy,
)
from athanor.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class Base(DeclarativeBase):
    pass


user_keywords = Table(
    "ap_user_keywords", Base.metadata,
    Column("user_id", ForeignKey("ap_users.id"), primary_key=True),
    Column("keyword_id", ForeignKey("ap_keywords.id"), primary_key=True),
)


class User(Base):
    __tablename__ = "ap_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    kw: Mapped[list[Keyword]] = relationship(secondary=user_keywords, order_by="Keyword.id")
    keywords = association_proxy("kw", "keyword")
    notes: Mapped[list[Note]] = relationship(back_populates="user", order_by="Note.id",
                                             cascade="all, delete-orphan")
    note_texts: AssociationProxy[list[str]] = association_proxy(
        "notes", "text", creator=lambda text: Note(text=text.upper()))


class Keyword(Base):
    __tablename__ = "ap_keywords"

    id: Mapped[int] = mapped_column(primary_key=True)
    keyword: Mapped[str] = mapped_column(String(30))

    def __init__(self, keyword: str) -> None:
        self.keyword = keyword


class Note(Base):
    __tablename__ = "ap_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ap_users.id"))
    user: Mapped[User | None] = relationship(back_populates="notes")
    user_name = association_proxy("user", "name")


@pytest.fixture
def session(make_session: Any) -> Session:
    return make_session(Base)


def test_many_to_many_proxy_reads_and_appends(session: Any) -> None:
    u = User(id=1, name="ada")
    u.keywords.append("cheese")
    u.keywords.extend(["wine", "bread"])
    assert list(u.keywords) == ["cheese", "wine", "bread"]
    assert [k.keyword for k in u.kw] == ["cheese", "wine", "bread"]
    session.add(u)
    session.commit()
    session.expunge_all()
    again = session.get(User, 1)
    assert again.keywords == ["cheese", "wine", "bread"]
    assert len(again.keywords) == 3 and "wine" in again.keywords
    assert again.keywords[0] == "cheese" and again.keywords[-2:] == ["wine", "bread"]
    again.keywords.remove("wine")
    session.commit()
    session.expunge_all()
    assert session.get(User, 1).keywords == ["cheese", "bread"]


def test_one_to_many_proxy_with_creator_and_assignment(session: Any) -> None:
    u = User(id=1, name="ada", note_texts=["first"])
    u.note_texts.append("second")
    assert u.note_texts == ["FIRST", "SECOND"]
    assert all(n.user is u for n in u.notes)
    session.add(u)
    session.commit()
    u.note_texts = ["only"]
    session.commit()
    session.expunge_all()
    loaded = session.get(User, 1)
    assert loaded.note_texts == ["ONLY"]
    assert session.scalars(select(Note)).one().text == "ONLY"
    del loaded.note_texts[0]
    session.commit()
    assert session.scalars(select(Note)).all() == []


def test_scalar_proxy_across_many_to_one(session: Any) -> None:
    n = Note(id=1, text="hello")
    assert n.user_name is None
    n.user = User(id=1, name="ada")
    assert n.user_name == "ada"
    n.user_name = "grace"  # sets it on the related object
    assert n.user.name == "grace"
    session.add(n)
    session.commit()
    session.expunge_all()
    assert session.get(Note, 1).user_name == "grace"


def test_class_level_proxy_builds_criteria(session: Any) -> None:
    a = User(id=1, name="ada", keywords=["x", "y"], note_texts=["n1"])
    b = User(id=2, name="bob", keywords=["y"])
    session.add_all([a, b])
    session.commit()
    assert isinstance(User.keywords, AssociationProxyInstance)
    found = session.scalars(select(User).where(User.keywords.contains("x"))).all()
    assert [u.id for u in found] == [1]
    found = session.scalars(select(User).where(User.keywords.any(Keyword.keyword == "y"))
                            .order_by(User.id)).all()
    assert [u.id for u in found] == [1, 2]
    notes = session.scalars(select(Note).where(Note.user_name == "ada")).all()
    assert [n.text for n in notes] == ["N1"]


def test_proxy_to_a_missing_relationship_raises(session: Any) -> None:
    class Bad(Base):
        __tablename__ = "ap_bad"
        id: Mapped[int] = mapped_column(primary_key=True)
        things = association_proxy("nothing", "name")

    with pytest.raises(exc.InvalidRequestError, match="has no relationship 'nothing'"):
        _ = Bad(id=1).things
    Base.metadata.remove(Bad.__table__)
