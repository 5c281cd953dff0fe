"""Cascades and row-level flush ordering of relationships, on every backend."""

from __future__ import annotations

from typing import Any

import pytest
from tests.orm._relmodels import (
    Address,
    Item,
    Keyword,
    Kid,
    Node,
    Order,
    OrderLine,
    Parent,
    Post,
    Profile,
    User,
    post_keywords,
    session,
    sql,
)

from athanor import Column, ForeignKey, Table, func, select, text
from athanor.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    selectinload,
)
from athanor.orm.dependency import CircularDependencyError

__all__ = ["sql", "session"]


def _count(session: Any, table: Any) -> int:
    return session.scalar(select(func.count()).select_from(table))


def test_save_update_cascade_and_generated_keys(session: Any) -> None:
    u = User(name="a", addresses=[Address(email="x"), Address(email="y")])
    session.add(u)
    session.flush()
    assert all(a.user_id == u.id for a in u.addresses)
    assert u.addresses[0] in session
    u.addresses.append(Address(email="z"))  # persistent owner: appended object joins
    assert u.addresses[2] in session
    session.commit()
    assert _count(session, Address) == 3


def test_merge_of_a_new_graph_with_back_references_merges_each_object_once(
        session: Any) -> None:
    u = User(id=50, name="m", addresses=[Address(email="m1"), Address(email="m2")])
    merged = session.merge(u)  # Address.user points back at u: merged once, no autoflush
    assert merged is not u and [a.user for a in merged.addresses] == [merged, merged]
    session.commit()
    assert _count(session, Address) == 2
    again = session.merge(User(id=50, name="m2"))  # an existing row: loaded, then changed
    assert again is merged and session.is_modified(again) and len(again.addresses) == 2
    session.commit()
    assert session.get(User, 50).name == "m2"


def test_moving_a_child_between_parents(session: Any) -> None:
    u1, u2 = User(name="u1"), User(name="u2")
    a = Address(email="m", user=u1)
    session.add_all([u1, u2])
    session.commit()
    a.user = u2  # the backref moves it out of u1.addresses
    assert a not in u1.addresses and a in u2.addresses
    session.commit()
    session.expunge_all()
    assert [x.email for x in session.get(User, u2.id).addresses] == ["m"]
    assert session.get(User, u1.id).addresses == []


def test_delete_orphan_on_remove_and_on_reassignment(session: Any) -> None:
    u = User(name="o", addresses=[Address(email=f"{i}") for i in range(4)])
    session.add(u)
    session.commit()
    u.addresses.remove(u.addresses[0])
    del u.addresses[0]
    session.commit()
    assert _count(session, Address) == 2
    u.addresses = [Address(email="new")]
    session.commit()
    assert [a.email for a in session.scalars(select(Address))] == ["new"]
    u.addresses[0:1] = []
    session.commit()
    assert _count(session, Address) == 0


def test_remove_without_delete_orphan_nulls_the_foreign_key(session: Any) -> None:
    u = User(name="w")
    p = Post(headline="h", author=u)
    session.add(p)
    session.commit()
    u.posts.remove(p)
    session.commit()
    assert session.scalar(select(Post.user_id)) is None


def test_delete_without_cascade_nulls_children(session: Any) -> None:
    u = User(name="w", posts=[Post(headline="a"), Post(headline="b")])
    session.add(u)
    session.commit()
    session.delete(u)
    session.commit()
    assert session.scalars(select(Post.user_id)).all() == [None, None]


def test_delete_cascade_loads_and_deletes_children(session: Any, sql: Any) -> None:
    u = User(name="d", addresses=[Address(email="1"), Address(email="2")],
             profile=Profile(bio="hi"))
    session.add(u)
    session.commit()
    session.expunge_all()
    session.delete(session.get(User, u.id))
    session.commit()
    assert _count(session, Address) == 0 and _count(session, Profile) == 0
    assert _count(session, User) == 0


def test_passive_deletes_leaves_it_to_the_database(session: Any, sql: Any) -> None:
    p = Parent(kids=[Kid(), Kid(), Kid()])
    session.add(p)
    session.commit()
    session.expunge_all()
    p = session.get(Parent, p.id)
    sql.clear()
    session.delete(p)
    session.commit()
    assert not any("rel_kids" in s for s in sql.statements)  # no load, no per-row delete
    assert _count(session, Kid) == 0


def test_one_to_one(session: Any) -> None:
    u = User(name="one", profile=Profile(bio="first"))
    session.add(u)
    session.commit()
    assert u.profile.user is u
    u.profile = Profile(bio="second")  # the old one is an orphan
    session.commit()
    assert session.scalars(select(Profile.bio)).all() == ["second"]


def test_many_to_many_add_remove_and_delete(session: Any) -> None:
    python, sqlk, orm = Keyword(keyword="python"), Keyword(keyword="sql"), Keyword(keyword="orm")
    p = Post(headline="athanor", keywords=[python, sqlk])
    assert python.posts == [p]  # back_populates on many-to-many
    session.add(p)
    session.commit()
    assert _count(session, post_keywords) == 2
    p.keywords.remove(sqlk)
    orm.posts.append(p)  # from the other side
    session.commit()
    session.expunge_all()
    p = session.get(Post, p.id)
    assert sorted(k.keyword for k in p.keywords) == ["orm", "python"]
    session.delete(p)
    session.commit()
    assert _count(session, post_keywords) == 0 and _count(session, Keyword) == 3


def test_many_to_many_reassignment(session: Any) -> None:
    k = Keyword(keyword="s")
    p = Post(headline="x", keywords=[k])
    session.add(p)
    session.commit()
    p.keywords = [k, Keyword(keyword="t")]
    session.commit()
    assert _count(session, post_keywords) == 2
    p.keywords = []
    session.commit()
    assert _count(session, post_keywords) == 0 and _count(session, Keyword) == 2


def test_association_object(session: Any) -> None:
    widget, gadget = Item(name="widget"), Item(name="gadget")
    order = Order(note="o", lines=[OrderLine(item=widget, qty=3), OrderLine(item=gadget)])
    session.add(order)
    session.commit()
    session.expunge_all()
    order = session.scalars(select(Order).options(
        selectinload(Order.lines).joinedload(OrderLine.item))).one()
    assert sorted((line.item.name, line.qty) for line in order.lines) == [
        ("gadget", 1), ("widget", 3)]
    del order.lines[0]
    session.commit()
    assert _count(session, OrderLine) == 1 and _count(session, Item) == 2


def test_self_referential_rows_flush_parents_first(session: Any) -> None:
    root = Node(name="root")
    child = Node(name="child", parent=root)
    grandchild = Node(name="grandchild")
    child.children.append(grandchild)
    session.add(grandchild)  # cascade and ordering follow rows, not add order
    session.commit()
    assert grandchild.parent_id == child.id and child.parent_id == root.id
    session.delete(root)  # cascade="all" on children: deepest rows first
    session.commit()
    assert _count(session, Node) == 0


def test_cycle_needs_post_update(session: Any, sql: Any) -> None:
    a = Node(name="a")
    b = Node(name="b", parent=a)
    a.favorite = b  # a -> b (favorite) and b -> a (parent): a cycle of rows
    session.add(a)
    sql.clear()
    session.commit()
    assert a.favorite_id == b.id and b.parent_id == a.id
    assert sum(s.startswith("UPDATE") for s in sql.statements) == 1
    session.expunge_all()
    assert session.get(Node, a.id).favorite.name == "b"


def test_cycle_without_post_update_is_reported(session: Any) -> None:
    from tests.orm._relmodels import Node as N

    prop = N.__mapper__.get_property("favorite")
    prop.post_update = False
    try:
        a = N(name="a")
        b = N(name="b", parent=a)
        a.favorite = b
        session.add(a)
        with pytest.raises(CircularDependencyError, match="Node.favorite"):
            session.flush()
        session.rollback()
    finally:
        prop.post_update = True


def test_rollback_after_failed_flush_keeps_relationship_changes(session: Any) -> None:
    u = User(name="r")
    session.add(u)
    session.commit()
    assert session.execute(text("SELECT 1")).scalar() == 1
    u.addresses.append(Address(email="q"))
    session.commit()
    assert _count(session, Address) == 1


def test_deleting_a_post_update_cycle_unlinks_it_first(session: Any, sql: Any) -> None:
    a = Node(name="a")
    b = Node(name="b", parent=a)
    a.favorite = b
    session.add(a)
    session.commit()
    session.delete(a)  # cascade="all" on children deletes b too
    session.commit()
    assert _count(session, Node) == 0


class _OrphanBase(DeclarativeBase):
    pass


_article_labels = Table(
    "orph_article_labels", _OrphanBase.metadata,
    Column("article_id", ForeignKey("orph_articles.id"), primary_key=True),
    Column("label_id", ForeignKey("orph_labels.id"), primary_key=True),
)


class _Writer(_OrphanBase):
    __tablename__ = "orph_writers"
    id: Mapped[int] = mapped_column(primary_key=True)
    articles: Mapped[list[_Article]] = relationship(cascade="all, delete-orphan",
                                                      order_by="_Article.id")


class _Article(_OrphanBase):
    __tablename__ = "orph_articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    writer_id: Mapped[int] = mapped_column(ForeignKey("orph_writers.id"))
    labels: Mapped[list[_Label]] = relationship(secondary=_article_labels)
    notes: Mapped[list[_Note]] = relationship(cascade="all, delete-orphan")


class _Label(_OrphanBase):
    __tablename__ = "orph_labels"
    id: Mapped[int] = mapped_column(primary_key=True)


class _Note(_OrphanBase):
    __tablename__ = "orph_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("orph_articles.id"))


def test_a_deleted_orphan_cascades_in_turn(engine: Any) -> None:
    """An orphan's many-to-many rows and its own delete-cascade children go with it, even
    when its collections were never loaded (the foreign keys would refuse the DELETE)."""
    _OrphanBase.metadata.drop_all(engine)
    _OrphanBase.metadata.create_all(engine)
    try:
        with Session(engine) as s:
            a, b = _Label(id=1), _Label(id=2)
            s.add(_Writer(id=1, articles=[
                _Article(id=1, labels=[a, b], notes=[_Note(id=1), _Note(id=2)]),
                _Article(id=2, labels=[a]),
            ]))
            s.commit()
        with Session(engine) as s:
            writer = s.get(_Writer, 1)
            assert writer is not None
            writer.articles.remove(writer.articles[0])  # labels and notes not loaded
            s.commit()
            assert _count(s, _article_labels) == 1
            assert _count(s, _Note) == 0
            assert [x.id for x in s.scalars(select(_Article))] == [2]
            assert _count(s, _Label) == 2
    finally:
        _OrphanBase.metadata.drop_all(engine)
