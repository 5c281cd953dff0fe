"""ORM test helpers: a model set shared by the session/query tests, and statement capture."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from athanor import Column, ForeignKey, Integer, String
from athanor.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker
from athanor.orm import Session as _Session


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    fullname: Mapped[str | None] = mapped_column(String(60))
    password: Mapped[str | None] = mapped_column(String(30))


class Address(Base):
    __tablename__ = "addresses"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id"), nullable=False)
    email = Column(String(60), nullable=False, unique=True)


class Pair(Base):
    __tablename__ = "pairs"

    a = Column(Integer, primary_key=True, autoincrement=False)
    b = Column(String(10), primary_key=True)
    note = Column(String(40))


@pytest.fixture
def Session(engine: Any) -> Iterator[Any]:  # noqa: N802 - mirrors the usual spelling
    """A sessionmaker bound to the backend's engine, with the shared models' tables.

    Every session it made is closed at teardown, so a failing test never leaves a
    transaction open (which would block the fixture's DROP TABLE on MariaDB).
    """
    Base.metadata.create_all(engine)
    made: list[Any] = []

    class TrackedSession(_Session):
        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__(*args, **kw)
            made.append(self)

    yield sessionmaker(bind=engine, class_=TrackedSession)
    for s in made:
        s.close()


@pytest.fixture
def session(Session: Any) -> Iterator[Any]:  # noqa: N803
    s = Session()
    try:
        yield s
    finally:
        s.close()


class StatementLog(logging.Handler):
    """Collects the SQL statements the engine logs (engine echo goes to logging)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.append(record.getMessage())

    def sql(self, prefix: str) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith(prefix)]


@pytest.fixture
def statements(engine: Any) -> Iterator[StatementLog]:
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


def open_session(engine: Any, metadata: Any) -> Iterator[_Session]:
    """Body of a module's ``session`` fixture: ``metadata``'s tables, one Session, closed
    at teardown (``yield from open_session(engine, Base.metadata)``)."""
    metadata.create_all(engine)
    s = _Session(engine)
    try:
        yield s
    finally:
        s.close()
