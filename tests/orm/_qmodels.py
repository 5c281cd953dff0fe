"""Models for the query-API tests (Bundle, with_loader_criteria, do_orm_execute,
with_expression, the SQLAlchemy-compatible names): users with soft-deletable addresses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from athanor import Boolean, Column, ForeignKey, Integer, String, Table
from athanor.orm import DeclarativeBase, Session, query_expression, relationship, synonym_for


class Base(DeclarativeBase):
    pass


class HasDeleted:
    deleted = Column(Boolean, nullable=False, default=False)


q_user_tags = Table(
    "q_user_tags", Base.metadata,
    Column("user_id", ForeignKey("q_users.id"), primary_key=True),
    Column("tag_id", ForeignKey("q_tags.id"), primary_key=True),
)


class QUser(Base, HasDeleted):
    __tablename__ = "q_users"

    id = Column(Integer, primary_key=True, autoincrement=False)
    name = Column(String(30), nullable=False)
    age = Column(Integer)
    addresses = relationship("QAddress", back_populates="user", order_by="QAddress.id")
    tags = relationship("QTag", secondary=q_user_tags, order_by="QTag.id")
    score = query_expression()

    @synonym_for("name")
    @property
    def shout(self) -> str:
        return self.name.upper()


class QAddress(Base, HasDeleted):
    __tablename__ = "q_addresses"

    id = Column(Integer, primary_key=True, autoincrement=False)
    user_id = Column(ForeignKey("q_users.id"), nullable=False)
    email = Column(String(60), nullable=False)
    user = relationship("QUser", back_populates="addresses")


class QTag(Base):
    __tablename__ = "q_tags"

    id = Column(Integer, primary_key=True, autoincrement=False)
    label = Column(String(20), nullable=False)


def seed(s: Any) -> None:
    s.add_all([
        QUser(id=1, name="ada", age=36, addresses=[
            QAddress(id=1, email="ada@a"), QAddress(id=2, email="ada@b", deleted=True)]),
        QUser(id=2, name="bob", age=20, addresses=[QAddress(id=3, email="bob@a")]),
        QUser(id=3, name="cy", age=50, deleted=True),
        QTag(id=1, label="x"), QTag(id=2, label="y"),
    ])
    s.flush()
    s.execute(q_user_tags.insert(), [{"user_id": 1, "tag_id": 1}, {"user_id": 1, "tag_id": 2}])
    s.commit()


@pytest.fixture
def qsession(engine: Any) -> Iterator[Any]:
    Base.metadata.create_all(engine)
    s = Session(engine, n_plus_one=None)
    try:
        seed(s)
        yield s
    finally:
        s.close()
