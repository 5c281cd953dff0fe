"""composite(): several columns mapped as one value object, on every backend."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from tests.orm.conftest import open_session

from athanor import Column, Integer, String, Table, and_, insert, select, text, update
from athanor.exc import ArgumentError
from athanor.orm import (
    CompositeProperty,
    DeclarativeBase,
    Mapped,
    MappedAsDataclass,
    Session,
    aliased,
    composite,
    mapped_column,
    registry,
)


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Pair:
    """A value class that is not a dataclass."""

    def __init__(self, a: int | None, b: int | None) -> None:
        self.a, self.b = a, b

    def __composite_values__(self) -> tuple[Any, ...]:
        return self.a, self.b

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pair) and (other.a, other.b) == (self.a, self.b)

    def __repr__(self) -> str:
        return f"Pair({self.a}, {self.b})"


class PointComparator(CompositeProperty.Comparator):
    def __gt__(self, other: Any) -> Any:
        return and_(*[a > b for a, b in zip(self.__clause_element__().clauses,
                                            dataclasses.astuple(other), strict=True)])


class Base(DeclarativeBase):
    pass


class Vertex(Base):
    __tablename__ = "cp_vertices"

    id: Mapped[int] = mapped_column(primary_key=True)
    start: Mapped[Point] = composite(mapped_column("x1"), mapped_column("y1"))
    end: Mapped[Point] = composite(mapped_column("x2"), mapped_column("y2"),
                                   comparator_factory=PointComparator)


class Segment(Base):
    __tablename__ = "cp_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    a1: Mapped[int | None]
    b1: Mapped[int | None]
    label = Column(String(10))
    pair = composite(Pair, "a1", "b1")


class DBase(MappedAsDataclass, DeclarativeBase):
    pass


class Box(DBase):
    __tablename__ = "cp_boxes"

    id: Mapped[int] = mapped_column(primary_key=True, init=False)
    corner: Mapped[Point] = composite(mapped_column("cx"), mapped_column("cy"))


@pytest.fixture
def session(engine: Any) -> Iterator[Session]:
    DBase.metadata.create_all(engine)
    yield from open_session(engine, Base.metadata)


def _rows(session: Session, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in session.execute(text(sql)).all()]


def test_columns_come_from_the_value_class() -> None:
    table = Vertex.__table__
    assert [c.name for c in table.c] == ["id", "x1", "y1", "x2", "y2"]
    assert isinstance(table.c.x1.type, Integer) and not table.c.x1.nullable
    mapper = Vertex.__mapper__
    assert list(mapper.composites.keys()) == ["start", "end"]
    assert isinstance(mapper.attrs["start"], CompositeProperty)
    assert {"x1", "y1", "x2", "y2"} <= set(mapper.attrs.keys())


def test_read_assign_and_flush(session: Session) -> None:
    v = Vertex(start=Point(3, 4), end=Point(5, 6))
    assert v.start == Point(3, 4) and v.x1 == 3  # type: ignore[attr-defined]
    session.add_all([v, Vertex(start=Point(1, 1), end=Point(9, 9))])
    session.commit()
    v.start = Point(10, 20)
    assert v in session.dirty
    session.commit()
    assert _rows(session, "SELECT x1, y1 FROM cp_vertices ORDER BY id") == [(10, 20), (1, 1)]
    v.start.x = 99  # in-place changes are not tracked: assign a new value instead
    assert not session.is_modified(v)
    session.commit()
    assert _rows(session, "SELECT x1 FROM cp_vertices ORDER BY id") == [(10,), (1,)]
    session.expunge_all()
    loaded = session.get(Vertex, v.id)
    assert loaded is not None and (loaded.start, loaded.end) == (Point(10, 20), Point(5, 6))
    assert loaded.start is loaded.start  # one value object while the columns are unchanged


def test_queries_compare_column_by_column(session: Session) -> None:
    session.add_all([Vertex(start=Point(3, 4), end=Point(5, 6)),
                     Vertex(start=Point(1, 1), end=Point(9, 9))])
    session.commit()
    stmt = select(Vertex).where(Vertex.start == Point(3, 4))
    assert "cp_vertices.x1 = " in str(stmt) and " AND cp_vertices.y1 = " in str(stmt)
    assert [v.end for v in session.scalars(stmt)] == [Point(5, 6)]
    assert [v.start for v in session.scalars(select(Vertex).where(
        Vertex.end > Point(6, 6)))] == [Point(1, 1)]
    assert len(session.scalars(select(Vertex).where(Vertex.start != Point(3, 4))).all()) == 1
    assert session.scalars(select(Vertex.start).order_by(Vertex.start)).all() == [
        Point(1, 1), Point(3, 4)]
    rows = session.execute(select(Vertex.id, Vertex.end).order_by(Vertex.id)).all()
    assert [r.end for r in rows] == [Point(5, 6), Point(9, 9)]
    va = aliased(Vertex)
    assert session.scalars(select(va.id).where(va.start == Point(1, 1))).all() == [2]


def test_value_class_with_composite_values(session: Session) -> None:
    s = Segment(pair=Pair(1, 2))
    session.add(s)
    session.commit()
    assert session.scalars(select(Segment).where(Segment.pair == Pair(1, 2))).one() is s
    s.pair = Pair(7, None)
    session.commit()
    assert _rows(session, "SELECT a1, b1 FROM cp_segments") == [(7, None)]
    s.pair = None
    session.commit()
    assert s.pair == Pair(None, None)  # persistent: a value even when every column is NULL
    assert Segment().pair is None  # new and unset: no value
    with pytest.raises(ArgumentError, match="Assign a Pair"):
        s.pair = (1, 2)


def test_composite_in_a_dataclass(session: Session) -> None:
    b = Box(Point(2, 3))
    assert repr(b) == "Box(id=None, corner=Point(x=2, y=3))"
    session.add(b)
    session.commit()
    assert _rows(session, "SELECT cx, cy FROM cp_boxes") == [(2, 3)]


def test_imperative_mapping_with_columns() -> None:
    reg = registry()
    table = Table("cp_lines", reg.metadata, Column("id", Integer, primary_key=True),
                  Column("px", Integer), Column("py", Integer))

    class Line:
        pass

    reg.map_imperatively(Line, table, properties={
        "p": composite(Point, table.c.px, table.c.py)})
    line = Line()
    line.p = Point(4, 5)  # type: ignore[attr-defined]
    assert (line.px, line.py) == (4, 5)  # type: ignore[attr-defined]
    assert str(Line.p == Point(0, 0)).startswith("cp_lines.px = ")  # type: ignore[attr-defined]


def test_composite_without_value_class_is_reported() -> None:
    class B(DeclarativeBase):
        pass

    with pytest.raises(ArgumentError, match="no value class"):
        class Bad(B):
            __tablename__ = "cp_bad"
            id: Mapped[int] = mapped_column(primary_key=True)
            x: Mapped[int]
            y: Mapped[int]
            where = composite("x", "y")


def test_insert_and_update_values_take_the_composite(session: Session) -> None:
    session.execute(insert(Vertex).values(start=Point(1, 2), end=Point(3, 4)))
    v = session.scalars(select(Vertex)).one()
    assert (v.start, v.end) == (Point(1, 2), Point(3, 4))
    session.execute(update(Vertex).where(Vertex.id == v.id).values({Vertex.start: Point(7, 8)}))
    assert v.start == Point(7, 8)  # the loaded object is kept in step
    assert _rows(session, "SELECT x1, y1 FROM cp_vertices") == [(7, 8)]
