"""Dictionary collections (attribute_keyed_dict & co.) and custom collection classes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.orm.conftest import open_session

from athanor import ForeignKey, String, func, select
from athanor.exc import ArgumentError, InvalidRequestError
from athanor.orm import (
    DeclarativeBase,
    KeyFuncDict,
    Mapped,
    Session,
    attribute_keyed_dict,
    column_keyed_dict,
    joinedload,
    keyfunc_mapping,
    mapped_column,
    relationship,
    relationships,
    selectinload,
)
from athanor.orm import collections as orm_collections


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "dc_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("dc_items.id"))
    keyword: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(String(40))
    item: Mapped[Item | None] = relationship(back_populates="notes")

    def __repr__(self) -> str:
        return f"Note({self.keyword!r})"


class Tag(Base):
    __tablename__ = "dc_tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("dc_items.id"))
    name: Mapped[str] = mapped_column(String(20))
    lang: Mapped[str] = mapped_column(String(5), default="en")


class SortedList(list):  # type: ignore[type-arg]
    appended: list[str] = []

    def first(self) -> Any:
        return self[0] if self else None

    def append(self, item: Any) -> None:  # the appender: loads go through it too
        SortedList.appended.append(item.name)
        super().append(item)


class Item(Base):
    __tablename__ = "dc_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    notes: Mapped[dict[str, Note]] = relationship(
        collection_class=attribute_keyed_dict("keyword"), back_populates="item",
        cascade="all, delete-orphan")
    tags: Mapped[dict[tuple[str, str], Tag]] = relationship(
        collection_class=column_keyed_dict([Tag.__table__.c.name, Tag.__table__.c.lang]),
        cascade="all, delete-orphan")
    upper: Mapped[dict[str, Tag]] = relationship(
        collection_class=keyfunc_mapping(lambda t: t.name.upper()), viewonly=True)
    listed: Mapped[list[Tag]] = relationship(collection_class=SortedList, viewonly=True,
                                             order_by=Tag.name)


@pytest.fixture
def session(engine: Any) -> Iterator[Session]:
    yield from open_session(engine, Base.metadata)


def _keywords(session: Session) -> list[str]:
    return list(session.scalars(select(Note.keyword).order_by(Note.keyword)))


def test_keyed_by_attribute_set_and_backref(session: Session) -> None:
    item = Item()
    assert isinstance(item.notes, KeyFuncDict) and item.notes == {}
    item.notes["a"] = Note(keyword="a")
    item.notes.set(Note(keyword="b"))
    c = Note(keyword="c", item=item)  # the many-to-one side puts it in under its key
    assert sorted(item.notes) == ["a", "b", "c"] and item.notes["c"] is c
    session.add(item)
    session.commit()
    assert _keywords(session) == ["a", "b", "c"]
    assert item.notes["a"].item is item


def test_delete_pop_update_clear(session: Session) -> None:
    item = Item(notes={k: Note(keyword=k) for k in "abc"})
    session.add(item)
    session.commit()
    del item.notes["a"]  # delete-orphan: the row goes
    popped = item.notes.pop("b")
    assert popped.item is None and item.notes.pop("zz", None) is None
    session.commit()
    assert _keywords(session) == ["c"]
    item.notes.update({"x": Note(keyword="x")}, y=Note(keyword="y"))
    item.notes.setdefault("z", Note(keyword="z"))
    session.commit()
    assert _keywords(session) == ["c", "x", "y", "z"]
    key, value = item.notes.popitem()
    assert value.keyword == key
    session.commit()
    assert len(_keywords(session)) == 3
    item.notes.clear()
    session.commit()
    assert _keywords(session) == []


def test_replace_under_key_and_assignment(session: Session) -> None:
    item = Item()
    item.notes["r"] = old = Note(keyword="r", text="one")
    session.add(item)
    session.commit()
    item.notes["r"] = Note(keyword="r", text="two")
    session.commit()
    assert list(session.scalars(select(Note.text))) == ["two"]
    assert old not in session  # the replaced member was an orphan
    item.notes = {"q": Note(keyword="q")}
    session.commit()
    assert _keywords(session) == ["q"]
    with pytest.raises(TypeError, match="list is not dict-like"):
        item.notes = [Note(keyword="p")]
    with pytest.raises(TypeError, match="key 'bad' does not match"):
        item.notes = {"bad": Note(keyword="good")}
    del item.notes
    session.commit()
    assert _keywords(session) == []


def test_loaded_lazily_and_eagerly(session: Session) -> None:
    item = Item(notes={"k1": Note(keyword="k1"), "k2": Note(keyword="k2")})
    item.tags[("t", "fr")] = Tag(name="t", lang="fr")
    session.add(item)
    session.commit()
    session.expunge_all()
    loaded = session.get(Item, item.id)
    assert loaded is not None
    assert sorted(loaded.notes) == ["k1", "k2"]
    assert list(loaded.tags) == [("t", "fr")] and list(loaded.upper) == ["T"]
    for opt in (selectinload, joinedload):
        session.expunge_all()
        got = session.scalars(select(Item).options(opt(Item.notes), opt(Item.tags))).unique().one()
        assert {k: n.keyword for k, n in got.notes.items()} == {"k1": "k1", "k2": "k2"}
        assert got.tags[("t", "fr")].lang == "fr"


def test_keyfunc_reads_the_key_on_load(session: Session) -> None:
    item = Item()
    item.notes["temp"] = Note(keyword="real")  # any key is accepted by __setitem__
    session.add(item)
    session.commit()
    session.expire(item, ["notes"])
    assert list(item.notes) == ["real"]


def test_delete_cascades_through_dict(session: Session) -> None:
    item = Item(notes={"a": Note(keyword="a")})
    session.add(item)
    session.commit()
    session.delete(item)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Note)) == 0


def test_unpopulated_key_and_mismatched_remove() -> None:
    item = Item()
    with pytest.raises(InvalidRequestError, match="Note.keyword has no value"):
        item.notes.set(Note())
    n = Note(keyword="k")
    item.notes.set(n)
    n.keyword = "k2"
    with pytest.raises(KeyError):
        item.notes.remove(n)
    ignoring = attribute_keyed_dict("keyword", ignore_unpopulated_attribute=True)()
    ignoring.set(Note())
    assert ignoring == {}


def test_plain_keyfuncdict_and_legacy_names() -> None:
    d = KeyFuncDict(lambda n: n.keyword)
    d.set(Note(keyword="u"))
    assert list(d) == ["u"]
    assert orm_collections.attribute_mapped_collection is attribute_keyed_dict
    assert orm_collections.column_mapped_collection is column_keyed_dict
    assert orm_collections.mapped_collection is keyfunc_mapping
    assert orm_collections.MappedCollection is KeyFuncDict


def test_custom_list_subclass() -> None:
    item = Item()
    assert isinstance(item.listed, SortedList) and item.listed.first() is None


def test_custom_list_subclass_loads(session: Session) -> None:
    item = Item(tags={("b", "en"): Tag(name="b", lang="en"),
                      ("a", "en"): Tag(name="a", lang="en")})
    session.add(item)
    session.commit()
    session.expunge_all()
    got = session.get(Item, item.id)
    SortedList.appended.clear()
    assert got is not None and isinstance(got.listed, SortedList)
    assert got.listed.first().name == "a" and SortedList.appended == ["a", "b"]
    got.listed.append(Tag(name="c", lang="en"))
    assert SortedList.appended == ["a", "b", "c"] and got.listed[-1].name == "c"


def test_dict_annotation_without_collection_class() -> None:
    class B(DeclarativeBase):
        pass

    class Parent(B):
        __tablename__ = "dc_parent"
        id: Mapped[int] = mapped_column(primary_key=True)
        kids: Mapped[dict[str, Kid]] = relationship()

    class Kid(B):
        __tablename__ = "dc_kid"
        id: Mapped[int] = mapped_column(primary_key=True)
        parent_id: Mapped[int] = mapped_column(ForeignKey("dc_parent.id"))

    try:
        with pytest.raises(ArgumentError, match="attribute_keyed_dict"):
            Parent.kids.property.setup()
    finally:  # keep later configure steps quiet
        relationships._pending[:] = [p for p in relationships._pending
                                     if p.parent.class_ is not Parent]


def test_unusable_collection_class_is_reported() -> None:
    class B(DeclarativeBase):
        pass

    class Owner(B):
        __tablename__ = "dc_owner"
        id: Mapped[int] = mapped_column(primary_key=True)
        pets: Mapped[list[Pet]] = relationship(collection_class=dict)

    class Pet(B):
        __tablename__ = "dc_pet"
        id: Mapped[int] = mapped_column(primary_key=True)
        owner_id: Mapped[int] = mapped_column(ForeignKey("dc_owner.id"))

    try:
        with pytest.raises(ArgumentError, match="collection_class=dict.*attribute_keyed_dict"):
            Owner.pets.property.setup()
    finally:
        relationships._pending[:] = [p for p in relationships._pending
                                     if p.parent.class_ is not Owner]


class TagSet(set):  # type: ignore[type-arg]
    pass


def test_set_subclass_collection() -> None:
    class B(DeclarativeBase):
        pass

    class Box(B):
        __tablename__ = "dc_box"
        id: Mapped[int] = mapped_column(primary_key=True)
        things: Mapped[set[Thing]] = relationship(collection_class=TagSet, back_populates="box")

    class Thing(B):
        __tablename__ = "dc_thing"
        id: Mapped[int] = mapped_column(primary_key=True)
        box_id: Mapped[int] = mapped_column(ForeignKey("dc_box.id"))
        box: Mapped[Box] = relationship(back_populates="things")

    box = Box()
    t = Thing(box=box)
    assert isinstance(box.things, TagSet) and box.things == {t}
    box.things.discard(t)
    assert t.box is None


def test_merge_with_back_populates(session: Session) -> None:
    session.add(Item(id=1, notes={"a": Note(keyword="a")}))
    session.commit()
    detached = Item(id=1, notes={"c": Note(keyword="c")})  # each side points at the other
    merged = session.merge(detached)
    session.commit()
    assert list(merged.notes) == ["c"] and merged.notes["c"].item is merged
    assert _keywords(session) == ["c"]


def test_history_of_a_dict_collection_lists_the_related_objects(session: Session) -> None:
    from athanor.orm.attributes import get_history

    item = Item(notes={"a": Note(keyword="a")})
    session.add(item)
    session.commit()
    new = Note(keyword="b")
    item.notes["b"] = new
    hist = get_history(item, "notes")
    assert hist.added == [new] and [n.keyword for n in hist.unchanged] == ["a"]
