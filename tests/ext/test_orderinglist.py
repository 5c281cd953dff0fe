"""athanor.ext.orderinglist, and custom list/set classes as relationship collections."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from athanor import Column, ForeignKey, Integer, String, text
from athanor.ext.orderinglist import (
    OrderingList,
    count_from_1,
    count_from_n_factory,
    ordering_list,
)
from athanor.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Slide(Base):
    __tablename__ = "ol_slides"

    id = Column(Integer, primary_key=True)
    bullets = relationship("Bullet", order_by="Bullet.position", back_populates="slide",
                           collection_class=ordering_list("position"),
                           cascade="all, delete-orphan")


class Bullet(Base):
    __tablename__ = "ol_bullets"

    id = Column(Integer, primary_key=True)
    slide_id = Column(Integer, ForeignKey("ol_slides.id"))
    position = Column(Integer)
    text = Column(String(20))
    slide = relationship("Slide", back_populates="bullets")


class Deck(Base):
    __tablename__ = "ol_decks"

    id = Column(Integer, primary_key=True)
    cards = relationship("Card", order_by="Card.pos", collection_class=ordering_list(
        "pos", count_from=1, reorder_on_append=True))


class Card(Base):
    __tablename__ = "ol_cards"

    id = Column(Integer, primary_key=True)
    deck_id = Column(Integer, ForeignKey("ol_decks.id"))
    pos = Column(Integer)


class Tags(set):  # type: ignore[type-arg]
    """A custom set collection that remembers what was added through it."""

    def add(self, item: Any) -> None:
        self.__dict__.setdefault("log", []).append(item.name)
        super().add(item)


class Box(Base):
    __tablename__ = "ol_boxes"

    id: Mapped[int] = mapped_column(primary_key=True)
    tags = relationship("Tag", collection_class=Tags)


class Tag(Base):
    __tablename__ = "ol_tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    box_id: Mapped[int | None] = mapped_column(ForeignKey("ol_boxes.id"))
    name: Mapped[str] = mapped_column(String(10))


@pytest.fixture
def session(make_session: Any) -> Session:
    return make_session(Base)


def _bullets(session: Session) -> list[tuple[Any, ...]]:
    rows = session.execute(text(
        "SELECT text, position FROM ol_bullets WHERE slide_id IS NOT NULL ORDER BY position"))
    return [tuple(r) for r in rows]


def _slide(session: Session, *texts: str) -> Slide:
    s = Slide(id=1)
    for t in texts:
        s.bullets.append(Bullet(text=t))
    session.add(s)
    session.commit()
    return s


def test_append_and_insert_number_members(session: Session) -> None:
    s = Slide(id=1)
    assert isinstance(s.bullets, OrderingList)
    s.bullets.append(Bullet(text="a"))
    s.bullets.append(Bullet(text="b"))
    s.bullets.insert(1, Bullet(text="c"))
    assert [(b.text, b.position) for b in s.bullets] == [("a", 0), ("c", 1), ("b", 2)]
    session.add(s)
    session.commit()
    assert _bullets(session) == [("a", 0), ("c", 1), ("b", 2)]


def test_pop_remove_and_del_renumber_and_flush(session: Session) -> None:
    s = _slide(session, "a", "b", "c", "d")
    s.bullets.pop(0)
    session.commit()
    assert _bullets(session) == [("b", 0), ("c", 1), ("d", 2)]
    s.bullets.remove(s.bullets[1])
    session.commit()
    assert _bullets(session) == [("b", 0), ("d", 1)]
    del s.bullets[0]
    session.commit()
    assert _bullets(session) == [("d", 0)]
    assert session.execute(text("SELECT COUNT(*) FROM ol_bullets")).scalar() == 1


def test_setitem_extend_assignment_and_reorder(session: Session) -> None:
    s = _slide(session, "a", "b")
    s.bullets.extend([Bullet(text="c")])
    s.bullets[0] = Bullet(text="z")
    session.commit()
    assert _bullets(session) == [("z", 0), ("b", 1), ("c", 2)]
    s.bullets = [Bullet(text="n"), s.bullets[2]]
    session.commit()
    # a member kept by the assignment keeps its position, as in SQLAlchemy
    assert _bullets(session) == [("n", 0), ("c", 2)]
    s.bullets.reverse()
    s.bullets.reorder()
    session.commit()
    assert _bullets(session) == [("c", 0), ("n", 1)]


def test_loaded_collection_keeps_positions_and_stays_ordered(session: Session) -> None:
    _slide(session, "a", "b", "c")
    session.close()
    s = session.get(Slide, 1)
    assert s is not None
    assert isinstance(s.bullets, OrderingList)
    assert [(b.text, b.position) for b in s.bullets] == [("a", 0), ("b", 1), ("c", 2)]
    assert not session.dirty
    s.bullets.insert(0, Bullet(text="x"))
    session.commit()
    assert _bullets(session) == [("x", 0), ("a", 1), ("b", 2), ("c", 3)]


def test_backref_assignment_appends_with_a_position(session: Session) -> None:
    s = _slide(session, "a")
    assert len(s.bullets) == 1  # loaded: a backref only updates loaded collections
    b = Bullet(text="b")
    b.slide = s
    assert [(x.text, x.position) for x in s.bullets] == [("a", 0), ("b", 1)]
    session.add(b)
    session.commit()
    assert _bullets(session) == [("a", 0), ("b", 1)]


def test_count_from_1_and_reorder_on_append(session: Session) -> None:
    d = Deck(id=1, cards=[Card(), Card()])
    d.cards.append(Card(pos=9))
    assert [c.pos for c in d.cards] == [1, 2, 3]
    session.add(d)
    session.commit()
    session.execute(text("UPDATE ol_cards SET pos = pos * 10"))
    session.commit()
    session.close()
    d2 = session.get(Deck, 1)
    assert d2 is not None
    assert [c.pos for c in d2.cards] == [1, 2, 3]  # renumbered as loaded, as SQLAlchemy does
    assert len(session.dirty) == 3


def test_ordering_functions_and_pickling() -> None:
    assert count_from_1(0, []) == 1
    assert count_from_n_factory(5)(2, []) == 7
    custom = ordering_list("position", ordering_func=lambda i, c: i * 10)()
    b = Bullet()
    custom.append(b)
    custom.append(Bullet())
    assert [x.position for x in custom] == [0, 10]
    copy = pickle.loads(pickle.dumps(ordering_list("x", count_from=1)()))
    assert isinstance(copy, OrderingList) and copy.ordering_attr == "x"
    with pytest.raises(TypeError, match="count_from or ordering_func"):
        ordering_list("x", count_from=1, ordering_func=count_from_1)


def test_custom_set_collection_class(session: Session) -> None:
    box = Box(id=1)
    box.tags.add(Tag(id=1, name="a"))
    box.tags.update([Tag(id=2, name="b")])
    assert isinstance(box.tags, Tags) and box.tags.__dict__["log"] == ["a", "b"]
    session.add(box)
    session.commit()
    session.close()
    box2 = session.get(Box, 1)
    assert box2 is not None
    assert isinstance(box2.tags, Tags) and sorted(t.name for t in box2.tags) == ["a", "b"]
    box2.tags.discard(next(t for t in box2.tags if t.name == "a"))
    session.commit()
    rows = session.execute(text("SELECT name FROM ol_tags WHERE box_id IS NOT NULL"))
    assert [r[0] for r in rows] == ["b"]
