"""Loading strategies and options, with the number of SELECTs each one costs."""

from __future__ import annotations

from typing import Any

import pytest
from tests.orm._relmodels import Address, Keyword, Node, Post, User, seed_users, session, sql

from athanor import Column, ForeignKey, Integer, exc, select
from athanor.orm import (
    DeclarativeBase,
    contains_eager,
    defaultload,
    joinedload,
    lazyload,
    noload,
    raiseload,
    relationship,
    selectinload,
    subqueryload,
)

__all__ = ["sql", "session"]


def _users(session: Any, *options: Any, limit: int | None = None) -> list[Any]:
    stmt = select(User).options(*options).order_by(User.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return session.scalars(stmt).unique().all()


def test_lazy_select_costs_one_query_per_parent(session: Any, sql: Any) -> None:
    seed_users(session, 4, 3)
    session.n_plus_one = None
    sql.clear()
    users = _users(session)
    assert sum(len(u.addresses) for u in users) == 12
    assert len(sql.selects()) == 1 + 4


@pytest.mark.parametrize("option", [selectinload(User.addresses), subqueryload(User.addresses)])
def test_selectin_costs_two_queries_whatever_the_parents(session: Any, sql: Any,
                                                         option: Any) -> None:
    seed_users(session, 5, 3)
    sql.clear()
    users = _users(session, option)
    assert len(sql.selects()) == 2
    assert [len(u.addresses) for u in users] == [3] * 5
    assert [a.email for a in users[1].addresses] == [f"u1a{j}@x.org" for j in range(3)]
    assert len(sql.selects()) == 2


def test_joined_costs_one_query_and_does_not_duplicate_parents(session: Any, sql: Any) -> None:
    seed_users(session, 3, 4)
    session.add(User(name="lonely"))
    session.commit()
    session.expunge_all()
    sql.clear()
    users = _users(session, joinedload(User.addresses))
    assert [u.name for u in users] == ["user0", "user1", "user2", "lonely"]
    assert [len(u.addresses) for u in users] == [4, 4, 4, 0]
    assert len(sql.selects()) == 1
    assert "LEFT OUTER JOIN" in sql.selects()[0]
    # relationship(order_by=Address.id) orders each collection: rows arrive in that order
    assert sql.selects()[0].endswith("ORDER BY rel_users.id, anon_1.id")
    assert [a.email for a in users[1].addresses] == [f"u1a{j}@x.org" for j in range(4)]
    # the legacy Query uniquifies too
    session.expunge_all()
    assert session.query(User).options(joinedload(User.addresses)).count() == 4
    assert len(session.query(User).options(joinedload(User.addresses)).all()) == 4


def test_joined_eager_with_limit_limits_parents(session: Any, sql: Any) -> None:
    seed_users(session, 5, 3)
    sql.clear()
    users = _users(session, joinedload(User.addresses), limit=2)
    assert [u.name for u in users] == ["user0", "user1"]
    assert [len(u.addresses) for u in users] == [3, 3]
    assert len(sql.selects()) == 1
    session.expunge_all()
    first = session.query(User).options(joinedload(User.addresses)).order_by(User.id).first()
    assert first.name == "user0" and len(first.addresses) == 3


def test_many_to_one_eager_and_identity_map(session: Any, sql: Any) -> None:
    seed_users(session, 3, 2)
    sql.clear()
    addresses = session.scalars(select(Address).options(joinedload(Address.user))).all()
    assert {a.user.name for a in addresses} == {"user0", "user1", "user2"}
    assert len(sql.selects()) == 1
    session.expunge_all()
    sql.clear()
    addresses = session.scalars(select(Address).options(selectinload(Address.user))).all()
    assert {a.user.name for a in addresses} == {"user0", "user1", "user2"}
    assert len(sql.selects()) == 2
    # lazy many-to-one to an object already loaded: no SQL
    sql.clear()
    a = session.scalars(select(Address)).first()
    assert a.user is not None and len(sql.selects()) == 1


def test_many_to_many_strategies(session: Any, sql: Any) -> None:
    k1, k2, k3 = Keyword(keyword="a"), Keyword(keyword="b"), Keyword(keyword="c")
    for i in range(4):
        session.add(Post(headline=f"p{i}", keywords=[k1, k2] if i % 2 else [k3]))
    session.commit()
    for option, count in ((selectinload(Post.keywords), 2), (joinedload(Post.keywords), 1)):
        session.expunge_all()
        sql.clear()
        posts = session.scalars(select(Post).options(option).order_by(Post.id)).unique().all()
        assert [[k.keyword for k in p.keywords] for p in posts] == [["c"], ["a", "b"], ["c"],
                                                                     ["a", "b"]]
        assert len(sql.selects()) == count
    session.expunge_all()
    session.n_plus_one = None
    sql.clear()
    posts = session.scalars(select(Post).order_by(Post.id)).all()
    assert [len(p.keywords) for p in posts] == [1, 2, 1, 2]
    assert len(sql.selects()) == 1 + 4  # lazy: one per post
    session.expunge_all()
    sql.clear()
    kw = session.scalars(select(Keyword).where(Keyword.keyword == "a")).one()
    assert sorted(p.headline for p in kw.posts) == ["p1", "p3"]
    assert len(sql.selects()) == 2


def test_chained_options(session: Any, sql: Any) -> None:
    u = User(name="author")
    for i in range(3):
        u.posts.append(Post(headline=f"h{i}", keywords=[Keyword(keyword=f"k{i}{j}")
                                                        for j in range(2)]))
    session.add(u)
    session.commit()
    for opts, count in (
        ((selectinload(User.posts).selectinload(Post.keywords),), 3),
        ((joinedload(User.posts).joinedload(Post.keywords),), 1),
        ((joinedload(User.posts).selectinload(Post.keywords),), 2),
        ((defaultload(User.posts).selectinload(Post.keywords), selectinload(User.posts)), 3),
    ):
        session.expunge_all()
        sql.clear()
        [author] = session.scalars(select(User).options(*opts)).unique().all()
        assert [len(p.keywords) for p in author.posts] == [2, 2, 2]
        assert len(sql.selects()) == count, opts


def test_raiseload_and_noload(session: Any, sql: Any) -> None:
    seed_users(session, 2, 2)
    users = _users(session, raiseload(User.addresses))
    with pytest.raises(exc.InvalidRequestError, match="User.addresses"):
        users[0].addresses  # noqa: B018 - the access is the test
    session.expunge_all()
    users = _users(session, raiseload("*"))
    with pytest.raises(exc.InvalidRequestError):
        users[0].posts  # noqa: B018 - the access is the test
    session.expunge_all()
    sql.clear()
    users = _users(session, noload(User.addresses))
    assert users[0].addresses == []
    assert len(sql.selects()) == 1
    session.expunge_all()
    users = _users(session, lazyload(User.addresses))
    assert len(users[0].addresses) == 2


def test_wildcard_selectin(session: Any, sql: Any) -> None:
    seed_users(session, 2, 2)
    sql.clear()
    users = _users(session, selectinload("*"))
    assert len(sql.selects()) == 1 + 3  # addresses, posts, profile
    assert [len(u.addresses) for u in users] == [2, 2]
    assert len(sql.selects()) == 4


def test_contains_eager_from_an_explicit_join(session: Any, sql: Any) -> None:
    seed_users(session, 2, 3)
    sql.clear()
    stmt = (select(User).join(User.addresses).where(Address.email.like("%a1@%"))
            .options(contains_eager(User.addresses)).order_by(User.id))
    users = session.scalars(stmt).unique().all()
    assert [[a.email for a in u.addresses] for u in users] == [["u0a1@x.org"], ["u1a1@x.org"]]
    assert len(sql.selects()) == 1


def test_self_referential_tree_loading(session: Any, sql: Any) -> None:
    root = Node(name="root", children=[Node(name="a", children=[Node(name="a1")]),
                                       Node(name="b")])
    session.add(root)
    session.commit()
    session.expunge_all()
    sql.clear()
    root = session.scalars(select(Node).where(Node.name == "root").options(
        selectinload(Node.children).selectinload(Node.children))).one()
    assert [c.name for c in root.children] == ["a", "b"]
    assert [c.name for c in root.children[0].children] == ["a1"]
    assert root.children[0].children[0].parent.parent is root
    assert len(sql.selects()) == 3
    session.expunge_all()
    sql.clear()
    root = session.scalars(select(Node).where(Node.name == "root").options(
        joinedload(Node.children))).unique().one()
    assert [c.name for c in root.children] == ["a", "b"]
    assert len(sql.selects()) == 1


class _B(DeclarativeBase):
    pass


class Blog(_B):
    __tablename__ = "rel_blogs"
    id = Column(Integer, primary_key=True)
    entries = relationship("Entry", lazy="selectin", order_by="Entry.id", back_populates="blog")
    tags = relationship("Tag", lazy="raise")
    notes = relationship("Note", lazy="noload")


class Entry(_B):
    __tablename__ = "rel_entries"
    id = Column(Integer, primary_key=True)
    blog_id = Column(Integer, ForeignKey("rel_blogs.id"))
    blog = relationship("Blog", lazy="joined", back_populates="entries")


class Tag(_B):
    __tablename__ = "rel_tags"
    id = Column(Integer, primary_key=True)
    blog_id = Column(Integer, ForeignKey("rel_blogs.id"))


class Note(_B):
    __tablename__ = "rel_notes"
    id = Column(Integer, primary_key=True)
    blog_id = Column(Integer, ForeignKey("rel_blogs.id"))


def test_default_strategies_declared_on_the_relationship(engine: Any, sql: Any) -> None:
    from athanor.orm import Session

    _B.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([Blog(entries=[Entry(), Entry()], tags=[Tag()], notes=[Note()])
                   for _ in range(3)])
        s.commit()
        s.expunge_all()
        sql.clear()
        blogs = s.scalars(select(Blog)).all()
        assert [len(b.entries) for b in blogs] == [2, 2, 2]
        assert len(sql.selects()) == 2  # blogs + one IN query for the entries
        assert blogs[0].entries[0].blog is blogs[0]  # many-to-one from the identity map
        assert blogs[0].notes == []
        with pytest.raises(exc.InvalidRequestError, match="lazy='raise'"):
            blogs[0].tags  # noqa: B018 - the access is the test
        assert len(sql.selects()) == 2
        s.expunge_all()
        sql.clear()
        entries = s.scalars(select(Entry)).unique().all()
        assert len({id(e.blog) for e in entries}) == 3
        assert len(sql.selects()) == 2  # entries JOIN blogs, then blogs' entries (selectin)
        s.expunge_all()
        sql.clear()
        blogs = s.scalars(select(Blog).options(selectinload(Blog.tags))).all()
        assert [len(b.tags) for b in blogs] == [1, 1, 1]
