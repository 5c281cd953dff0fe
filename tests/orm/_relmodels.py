"""Models and fixtures for the relationship tests (tutorial User/Address, Post/Keyword, trees)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from athanor import Column, ForeignKey, Integer, String, Table
from athanor.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "rel_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    fullname: Mapped[str | None] = mapped_column(String(60))
    addresses: Mapped[list[Address]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Address.id"
    )
    posts: Mapped[list[Post]] = relationship(back_populates="author")
    profile: Mapped[Profile | None] = relationship(back_populates="user", uselist=False,
                                                        cascade="all, delete-orphan")


class Address(Base):
    __tablename__ = "rel_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[int] = mapped_column(ForeignKey("rel_users.id"))
    user: Mapped[User] = relationship(back_populates="addresses")


class Profile(Base):
    __tablename__ = "rel_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    bio: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("rel_users.id"))
    user: Mapped[User | None] = relationship(back_populates="profile")


post_keywords = Table(
    "rel_post_keywords",
    Base.metadata,
    Column("post_id", ForeignKey("rel_posts.id"), primary_key=True),
    Column("keyword_id", ForeignKey("rel_keywords.id"), primary_key=True),
)


class Post(Base):
    __tablename__ = "rel_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    headline: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("rel_users.id"))
    author: Mapped[User | None] = relationship(back_populates="posts")
    keywords: Mapped[list[Keyword]] = relationship(
        secondary="rel_post_keywords", back_populates="posts", order_by="Keyword.id"
    )


class Keyword(Base):
    __tablename__ = "rel_keywords"

    id: Mapped[int] = mapped_column(primary_key=True)
    keyword: Mapped[str] = mapped_column(String(50))
    posts: Mapped[list[Post]] = relationship(secondary=post_keywords,
                                               back_populates="keywords")


class Node(Base):
    """Adjacency list with a second self-reference (``favorite``) that can form cycles."""

    __tablename__ = "rel_nodes"

    id = Column(Integer, primary_key=True)
    parent_id = Column(Integer, ForeignKey("rel_nodes.id"))
    favorite_id = Column(Integer, ForeignKey("rel_nodes.id"))
    name = Column(String(30))
    children = relationship("Node", foreign_keys="Node.parent_id", order_by="Node.id",
                            backref=None, back_populates="parent", cascade="all")
    parent = relationship("Node", foreign_keys="Node.parent_id", remote_side="Node.id",
                          back_populates="children")
    favorite = relationship("Node", foreign_keys="[Node.favorite_id]", remote_side=[id],
                            post_update=True)


class Order(Base):
    __tablename__ = "rel_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    note: Mapped[str] = mapped_column(String(30))
    lines: Mapped[list[OrderLine]] = relationship(back_populates="order",
                                                    cascade="all, delete-orphan")


class Item(Base):
    __tablename__ = "rel_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))


class OrderLine(Base):
    """Association object: Order <-> Item with a quantity."""

    __tablename__ = "rel_order_lines"

    order_id: Mapped[int] = mapped_column(ForeignKey("rel_orders.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rel_items.id"), primary_key=True)
    qty: Mapped[int] = mapped_column(default=1)
    order: Mapped[Order] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship()


class Parent(Base):
    __tablename__ = "rel_parents"

    id: Mapped[int] = mapped_column(primary_key=True)
    kids: Mapped[list[Kid]] = relationship(backref="parent", cascade="all, delete-orphan",
                                             passive_deletes=True)


class Kid(Base):
    __tablename__ = "rel_kids"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("rel_parents.id", ondelete="CASCADE"))


class StatementLog(logging.Handler):
    """The SQL statements the engine logs (engine logging is athanor's statement hook)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if not msg.startswith("[") and msg.split(" ", 1)[0].upper() not in (
                "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"):
            self.statements.append(msg)

    def selects(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith("SELECT")]

    def clear(self) -> None:
        self.statements.clear()


@pytest.fixture
def sql(engine: Any) -> Iterator[StatementLog]:
    logger = logging.getLogger("athanor.engine")
    handler = StatementLog()
    old = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)


@pytest.fixture
def session(engine: Any, sql: StatementLog) -> Iterator[Session]:
    """A Session on the backend with the relationship models' tables created."""
    Base.metadata.create_all(engine)
    s = Session(engine)
    try:
        yield s
    finally:
        s.close()


def seed_users(session: Session, n: int = 3, per_user: int = 2) -> list[User]:
    users = [
        User(name=f"user{i}", addresses=[Address(email=f"u{i}a{j}@x.org") for j in range(per_user)])
        for i in range(n)
    ]
    session.add_all(users)
    session.commit()
    session.expunge_all()
    return users
