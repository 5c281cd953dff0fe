"""athanor.ext.indexable: index_property over a JSON column."""

from __future__ import annotations

import json
from typing import Any

import pytest

from athanor import JSON, Column, Integer, select, text
from athanor.ext.indexable import index_property
from athanor.orm import DeclarativeBase, Session


class Base(DeclarativeBase):
    pass


class Person(Base):
    __tablename__ = "ix_person"

    id = Column(Integer, primary_key=True)
    data = Column(JSON)
    name = index_property("data", "name")
    age = index_property("data", "age", default=None)
    badge = index_property("data", "badge", mutable=False, default="none")


class Scores(Base):
    __tablename__ = "ix_scores"

    id = Column(Integer, primary_key=True)
    vals = Column(JSON)
    second = index_property("vals", 1)


@pytest.fixture
def session(make_session: Any) -> Session:
    return make_session(Base)


def _data(session: Session) -> Any:
    raw = session.execute(text("SELECT data FROM ix_person")).scalar()
    return json.loads(raw) if isinstance(raw, str) else raw


def test_reads_defaults_and_missing_keys() -> None:
    p = Person(name="Alchemist")
    assert p.data == {"name": "Alchemist"} and p.name == "Alchemist"
    assert p.age is None and p.badge == "none"
    empty = Person()
    with pytest.raises(AttributeError, match="data"):
        empty.name  # noqa: B018
    assert empty.age is None
    with pytest.raises(AttributeError):
        p.badge = "x"  # mutable=False: read-only


def test_writes_and_deletes_are_flushed(session: Session) -> None:
    p = Person(id=1, name="Alchemist")
    session.add(p)
    session.commit()
    p.name = "Renamed"
    p.age = 30
    assert p in session.dirty
    session.commit()
    assert _data(session) == {"name": "Renamed", "age": 30}
    del p.age
    session.commit()
    assert _data(session) == {"name": "Renamed"}
    with pytest.raises(AttributeError, match="data"):
        del p.age


def test_class_attribute_is_a_sql_expression(session: Session) -> None:
    session.add_all([Person(id=1, name="a"), Person(id=2, name="b")])
    session.commit()
    found = session.scalars(select(Person.id).where(Person.name.as_string() == "b")).all()
    assert found == [2]


def test_integer_index_makes_a_list() -> None:
    s = Scores(second=5)
    assert s.vals == [None, 5] and s.second == 5
    with pytest.raises(AttributeError, match="vals"):
        Scores(vals=[1]).second  # noqa: B018
